"""Who may see and do what with networks and groups: the one home for these rules.

Pages, the API and templates all ask these helpers. Someone who may not know a group exists
gets 404; someone who may see it but not do the thing gets 403.
"""

from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Model, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from groups.meetings.models import Meeting, NextAction, Session
from groups.models import Group, Membership, Network, NetworkMembership
from groups.webhooks.models import Webhook
from impact.compiled import per_person
from impact.ids import parse_id
from impact.models import User

AccessT = TypeVar("AccessT")
RowT = TypeVar("RowT", bound=Model)


class Need(StrEnum):
    """What someone needs to be allowed with a group: each is a field of GroupAccess. Pages, the
    API, templates and services name these, never a free string."""

    VIEW = "view"
    MEMBER = "member"
    SEE_MEMBERS = "see_members"
    MODERATE = "moderate"
    ORGANIZE = "organize"
    JOIN = "join"


# What a person who may see the group but lacks the need is told (on the 403 page and in the
# API's 403 answer). Someone who may not see the group gets a 404 and no message.
DENIED = {
    Need.VIEW: _("This group is in a private network: ask for an invitation."),
    Need.MEMBER: _("Only the group's members can do this."),
    Need.SEE_MEMBERS: _("Only the group's members and its network's organizers can see this."),
    Need.MODERATE: _("Only the group's moderators and its network's organizers can do this."),
    Need.ORGANIZE: _("Only the network's organizers can do this."),
    Need.JOIN: _("You are already a member of this group."),
}


@dataclass(frozen=True)
class GroupAccess:
    """What one person may do with one group."""

    view: bool  # name, purpose, size and status
    member: bool  # an active member (or moderator) of the group
    see_members: bool  # members, waitlist and (later) reflections
    moderate: bool  # approve requests, invite, manage roles
    organize: bool  # organizer of the group's network: spin out, create groups
    join: bool  # may ask to join (signed in, can see it, not already in)
    membership: Membership | None = None

    @property
    def invite(self) -> bool:
        return self.moderate

    def has(self, need: Need) -> bool:
        return getattr(self, Need(need).value)


def check(access: AccessT, need: str, *, hidden_unless: str = "view") -> AccessT:
    """404 unless `access` has `hidden_unless`, then 403 (with the reason) unless it has `need`.
    `access` is one of the apps' access records (GroupAccess, NarrativeAccess, ...), whose
    fields are the needs that can be asked of it."""
    if not getattr(access, hidden_unless):
        raise Http404
    if not getattr(access, need):
        raise PermissionDenied(DENIED.get(need, ""))
    return access


def is_organizer(user: User, network_id: int) -> bool:
    """An organizer of the network (organizers may moderate every group in it)."""
    return NetworkMembership.objects.filter(
        user=user, network_id=network_id, role=NetworkMembership.Role.ORGANIZER
    ).exists()


def is_member(user: User, group: Group, seat: Membership | None = None) -> bool:
    """An active member (or moderator) of the group. `seat`: the person's membership as the
    access check of the same request read it (`GroupAccess.membership`), saving a query."""
    if (
        seat is not None
        and seat.pk is not None  # a saved row, not one built in code
        and seat.left_at is None
        and (seat.group_id, seat.user_id) == (group.pk, user.pk)
    ):
        return True
    return Membership.objects.active().filter(group=group, user=user).exists()


def readable_group_ids(user: User) -> list[int]:
    """The groups whose private content the person may read: their own groups and every group
    of the networks they organize (the API lists filter by it)."""
    return [pk for (pk,) in _readable_groups(user)]


def _readable_groups_query(user: User) -> QuerySet:
    # Ids in hand rather than a subquery: PostgreSQL cannot tell how few groups a subquery
    # yields, so it sorted every action in the database to find a person's latest 50 (four
    # seconds at a million actions); with the ids it reads their groups' rows by index. Two
    # index lookups in a UNION, unordered: each is a few rows, where one filter over the
    # groups with an OR read every group (and sorted them by their networks' names).
    own = Membership.objects.active().filter(user=user).values_list("group_id", flat=True)
    organized = Group.objects.filter(
        network_id__in=NetworkMembership.objects.filter(
            user=user, role=NetworkMembership.Role.ORGANIZER
        ).values("network_id")
    ).values_list("pk", flat=True)
    return own.order_by().union(organized.order_by())


_readable_groups = per_person(_readable_groups_query)


def network_role(user: User | AnonymousUser, network: Network) -> str | None:
    if not user.is_authenticated:
        return None
    return (
        NetworkMembership.objects.filter(network=network, user=user)
        .values_list("role", flat=True)
        .first()
    )


def can_view_network(user: User | AnonymousUser, network: Network, role: str | None = None) -> bool:
    """Who may see a network: anyone signed in when it is public, its people when it is not.
    `visible_networks_q` is the same rule as a filter."""
    return user.is_authenticated and (network.is_public or role is not None)


def visible_networks_q(user: User | AnonymousUser, prefix: str = "") -> Q:
    """`can_view_network` as a filter on networks (or on rows whose network is at `prefix`,
    as in "network__"): public networks and the person's own. A subquery, not a join, so
    rows are not repeated per person in the network."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    own = NetworkMembership.objects.filter(user=user).values("network_id")
    network = prefix.removesuffix("__") or "pk"
    return Q(**{f"{prefix}is_public": True}) | Q(**{f"{network}__in": own})


def network_for_user(
    user: User | AnonymousUser, slug: str, *, organize: bool = False
) -> tuple[Network, str | None]:
    """Fetch a network the person may see (404 otherwise); with organize, 403 unless organizer.
    One query: the network with the person's role in it."""
    networks = Network.objects.filter(slug=slug)
    if user.is_authenticated:
        networks = networks.annotate(person_role=_network_role_of(user, OuterRef("pk")))
    network = networks.first()
    if network is None:
        raise Http404
    role = getattr(network, "person_role", None)
    if not can_view_network(user, network, role):
        raise Http404
    if organize and role != NetworkMembership.Role.ORGANIZER:
        raise PermissionDenied
    return network, role


def _network_role_of(user: User, network_id: int | OuterRef) -> Subquery:
    """Subquery: the person's role in a network (NULL when they have none)."""
    return Subquery(
        NetworkMembership.objects.filter(network_id=network_id, user=user).values("role")[:1]
    )


def _access(
    user: User | AnonymousUser, group: Group, membership: Membership | None, role: str | None
) -> GroupAccess:
    organize = role == NetworkMembership.Role.ORGANIZER
    member = membership is not None
    view = can_view_network(user, group.network, role) or member
    return GroupAccess(
        view=view,
        member=member,
        see_members=member or organize,
        moderate=organize or (member and membership.is_moderator),
        organize=organize,
        join=view and not member,
        membership=membership,
    )


def group_access(user: User | AnonymousUser, group: Group) -> GroupAccess:
    if not user.is_authenticated:
        return GroupAccess(False, False, False, False, False, False)
    # A member's seat and their role in the network in one query; the role alone otherwise.
    membership = (
        Membership.objects.active()
        .filter(group=group, user=user)
        .annotate(network_role=_network_role_of(user, group.network_id))
        .first()
    )
    role = membership.network_role if membership else network_role(user, group.network)
    return _access(user, group, membership, role)


def group_for_user(
    user: User | AnonymousUser, pk: int | str, *, need: Need = Need.VIEW
) -> tuple[Group, GroupAccess]:
    """Fetch a group with the person's access: 404 if they may not see it, 403 (with the
    reason) if they may see it but lack `need`."""
    pk = parse_id(pk)
    if pk is None:
        raise Http404  # not an id any group could have (impact.ids)
    if not user.is_authenticated:
        raise Http404  # groups are seen signed in only (group_access)
    # Most requests come from the group's members: their seat brings the group, its network
    # and their role in the network in one query. (No order: a person holds one active seat
    # per group, a unique constraint.)
    seats = list(
        Membership.objects.active()
        .filter(group_id=pk, user=user)
        .select_related("group__network")
        .annotate(network_role=_network_role_of(user, OuterRef("group__network_id")))
        .order_by()[:1]
    )
    if seats:
        seat = seats[0]
        return seat.group, _check(_access(user, seat.group, seat, seat.network_role), need)
    # Everyone else: the group with their role in its network, in one query. (Someone who
    # joins between the two queries counts as a member from their next request.)
    group = (
        Group.objects.select_related("network")
        .annotate(viewer_network_role=_network_role_of(user, OuterRef("network_id")))
        .filter(pk=pk)
        .first()
    )
    if group is None:
        raise Http404
    return group, _check(_access(user, group, None, group.viewer_network_role), need)


def _check(access: GroupAccess, need: Need, *, hidden_unless: Need = Need.VIEW) -> GroupAccess:
    return check(access, Need(need), hidden_unless=Need(hidden_unless))


# A group's private content (meetings, sessions, next actions) -------------------------------
# Someone who may not see the group's members does not learn it exists (404), whatever they
# may see of the group itself.


def group_content_for_user(
    user: User | AnonymousUser, rows: QuerySet[RowT], pk: int | str, need: Need
) -> tuple[RowT, GroupAccess]:
    """A row of `rows` (each with a `group`) by id, with the person's access to its group."""
    pk = parse_id(pk)
    row = rows.filter(pk=pk).first() if pk is not None and user.is_authenticated else None
    if row is None:
        raise Http404
    return row, _check(group_access(user, row.group), need, hidden_unless=Need.SEE_MEMBERS)


def meeting_for_user(
    user: User | AnonymousUser, pk: int | str, *, need: Need = Need.SEE_MEMBERS
) -> tuple[Meeting, GroupAccess]:
    return group_content_for_user(user, Meeting.objects.select_related("group__network"), pk, need)


def session_for_user(
    user: User | AnonymousUser, pk: int | str, *, need: Need = Need.SEE_MEMBERS
) -> tuple[Session, GroupAccess]:
    rows = Session.objects.select_related("meeting", "group__network")
    return group_content_for_user(user, rows, pk, need)


def next_action_for_user(
    user: User | AnonymousUser, pk: int | str, *, need: Need = Need.SEE_MEMBERS
) -> tuple[NextAction, GroupAccess]:
    rows = NextAction.objects.select_related("group__network", "owner")
    return group_content_for_user(user, rows, pk, need)


def webhook_for_user(user: User | AnonymousUser, pk: int | str) -> Webhook:
    """A webhook for those who manage it: a group's by its moderators (and its network's
    organizers), a network's by its organizers. Someone who may not see the group's members
    (or is not in the network) gets 404; others in it get 403."""
    pk = parse_id(pk)
    rows = Webhook.objects.select_related("group__network", "network")
    hook = rows.filter(pk=pk).first() if pk is not None and user.is_authenticated else None
    if hook is None:
        raise Http404
    if hook.group_id is not None:
        _check(group_access(user, hook.group), Need.MODERATE, hidden_unless=Need.SEE_MEMBERS)
    else:
        role = network_role(user, hook.network)
        if role is None:
            raise Http404
        if role != NetworkMembership.Role.ORGANIZER:
            raise PermissionDenied(DENIED[Need.ORGANIZE])
    return hook


# For services: the rule again where the write happens, with a message people see ------------


def require(
    user: User,
    group: Group,
    need: Need,
    *,
    access: GroupAccess | None = None,
    message: str | None = None,
) -> GroupAccess:
    """PermissionDenied (with `message` or the need's own) unless the person has `need` on the
    group. `access`: what the caller already checked for this person and group, saving the
    queries; services are called from pages, the API, tasks and the shell alike."""
    if access is None:
        access = group_access(user, group)
    if not access.has(need):
        raise PermissionDenied(message or DENIED[need])
    return access


def require_organizer(user: User, network: Network, *, message: str | None = None) -> None:
    """PermissionDenied unless the person organizes the network."""
    if not is_organizer(user, network.pk):
        raise PermissionDenied(message or DENIED[Need.ORGANIZE])
