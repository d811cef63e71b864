"""Writes for networks and groups, every one carrying a rule (the 15-member cap lives in
membership.py, under a row lock on the group).

- networks.py: networks, the people in them, and new groups
- membership.py: joining, leaving, removal, requests and the waitlist, roles, account deletion
- group_settings.py: a group's name, purpose, capacity and join policy
- invitations.py: invitations by email
- spin_out.py: a new group from a full one
"""

from groups.services.group_settings import group_update
from groups.services.invitations import (
    INVITATION_DAYS,
    invitation_accept,
    invitation_create,
    invitation_for_token,
    invitation_revoke,
)
from groups.services.membership import (
    JOIN_STATEMENT_MIN_LENGTH,
    JoinOutcome,
    group_join,
    group_leave,
    join_request_decide,
    membership_add_by_staff,
    membership_add_problem,
    membership_remove,
    membership_set_role,
    remove_person_from_groups,
)
from groups.services.networks import group_create, network_add_person, network_create
from groups.services.spin_out import (
    SPIN_OUT_COPIERS,
    SpinOutPlan,
    group_spin_out,
    register_spin_out_copier,
    spin_out_plan,
)

__all__ = [
    "INVITATION_DAYS",
    "JOIN_STATEMENT_MIN_LENGTH",
    "SPIN_OUT_COPIERS",
    "JoinOutcome",
    "SpinOutPlan",
    "group_create",
    "group_join",
    "group_leave",
    "group_spin_out",
    "group_update",
    "invitation_accept",
    "invitation_create",
    "invitation_for_token",
    "invitation_revoke",
    "join_request_decide",
    "membership_add_by_staff",
    "membership_add_problem",
    "membership_remove",
    "membership_set_role",
    "network_add_person",
    "network_create",
    "register_spin_out_copier",
    "remove_person_from_groups",
    "spin_out_plan",
]
