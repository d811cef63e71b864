"""Pages for networks and groups.

- networks.py: my groups (home), networks, a network's page, audit log, new groups
- group.py: a group's page
- membership.py: joining, leaving, requests, roles, invitations and spin-outs
- settings.py: a group's settings (its fields, its cadence) and removing members
"""

from groups.views.group import group_detail, group_members
from groups.views.membership import (
    INVITATION_SESSION_KEY,
    group_invite,
    group_join,
    group_leave,
    group_spin_out,
    invitation_accept,
    invitation_revoke,
    member_role,
    request_decide,
)
from groups.views.networks import (
    group_create,
    home,
    network_audit,
    network_create,
    network_detail,
    network_list,
)
from groups.views.settings import group_edit, member_remove

__all__ = [
    "INVITATION_SESSION_KEY",
    "group_create",
    "group_detail",
    "group_edit",
    "group_invite",
    "group_join",
    "group_leave",
    "group_members",
    "group_spin_out",
    "home",
    "invitation_accept",
    "invitation_revoke",
    "member_remove",
    "member_role",
    "network_audit",
    "network_create",
    "network_detail",
    "network_list",
    "request_decide",
]
