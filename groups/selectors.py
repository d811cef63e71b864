"""Reads for group and network pages and the API, each with the queries it needs up front."""

from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from groups.models import Group, Invitation, JoinRequest, Membership, Network, NetworkMembership
from groups.permissions import visible_networks_q
from impact.models import User

ACTIVE = Q(memberships__left_at__isnull=True)


def groups_with_counts(qs: QuerySet[Group] | None = None) -> QuerySet[Group]:
    """Groups annotated with size, waitlist length, pending requests and leaders unleashed."""
    qs = Group.objects.all() if qs is None else qs
    return qs.select_related("network", "parent").annotate(
        size=Count("memberships", filter=ACTIVE, distinct=True),
        waitlist_length=Count(
            "join_requests", filter=Q(join_requests__status="waitlisted"), distinct=True
        ),
        pending_count=Count(
            "join_requests", filter=Q(join_requests__status="pending"), distinct=True
        ),
        leaders_unleashed_count=Count("leaders_unleashed", distinct=True),
    )


def waitlist_position(request: JoinRequest) -> int:
    """1 for the person at the front of the waitlist."""
    return with_waitlist_position(JoinRequest.objects.filter(pk=request.pk)).get().position


def with_waitlist_position(qs: QuerySet[JoinRequest]) -> QuerySet[JoinRequest]:
    """Annotate each request with `position`: its place on its group's waitlist (1 = next),
    counting those ahead of it in `JoinRequest.WAITLIST_ORDER` (`waitlist` numbers a whole
    list in that order)."""
    ahead = (
        JoinRequest.objects.filter(
            group_id=OuterRef("group_id"), status=JoinRequest.Status.WAITLISTED
        )
        .filter(
            Q(waitlisted_at__lt=OuterRef("waitlisted_at"))
            | Q(waitlisted_at=OuterRef("waitlisted_at"), id__lt=OuterRef("id"))
        )
        .order_by()
        .values("group_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return qs.annotate(position=Coalesce(Subquery(ahead), 0) + 1)


def with_status(group: Group) -> Group:
    """Set `status` and `status_label` from the group's (annotated) size."""
    group.status = Group.status_for(group.size, group.capacity)
    group.status_label = Group.Status(group.status).label
    return group


def visible_networks(user: User) -> QuerySet[Network]:
    """Networks the person is part of, then public ones, with my role and their group count."""
    mine = NetworkMembership.objects.filter(network=OuterRef("pk"), user=user)
    # Subqueries, not joins: a join through memberships and groups multiplies the rows by
    # every person in every network before DISTINCT can fold them back (300 ms at scale).
    group_count = (
        Group.objects.filter(network=OuterRef("pk"))
        .order_by()
        .values("network")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Network.objects.filter(visible_networks_q(user))
        .annotate(
            is_mine=Exists(mine),
            my_role=Subquery(mine.values("role")[:1]),
            group_count=Coalesce(Subquery(group_count), 0),
        )
        .order_by("-is_mine", "name")
    )


@dataclass
class MyGroupRow:
    group: Group
    membership: Membership | None = None
    request: JoinRequest | None = None
    waitlist_position: int | None = None


def my_groups(user: User) -> list[MyGroupRow]:
    """My groups (with what each needs from me), then the ones I am waiting for."""
    memberships = {
        m.group_id: m for m in Membership.objects.active().filter(user=user).select_related("group")
    }
    requests = {
        r.group_id: r
        for r in with_waitlist_position(
            JoinRequest.objects.filter(user=user, status__in=JoinRequest.OPEN_STATUSES)
        )
    }
    groups = groups_with_counts(Group.objects.filter(pk__in=[*memberships, *requests])).order_by(
        "name"
    )
    positions = {
        r.group_id: r.position
        for r in requests.values()
        if r.status == JoinRequest.Status.WAITLISTED
    }
    rows = [
        MyGroupRow(
            group=g,
            membership=memberships.get(g.pk),
            request=requests.get(g.pk),
            waitlist_position=positions.get(g.pk),
        )
        for g in groups
    ]
    rows.sort(key=lambda row: (row.membership is None, row.group.name.lower()))
    return rows


@dataclass
class GroupPage:
    members: list[Membership] = field(default_factory=list)
    waitlist: list[JoinRequest] = field(default_factory=list)
    pending: list[JoinRequest] = field(default_factory=list)
    invitations: list[Invitation] = field(default_factory=list)
    my_request: JoinRequest | None = None
    my_waitlist_position: int | None = None


def _numbered(waiting: list[JoinRequest]) -> list[JoinRequest]:
    """A waitlist in its order, each request given its `position` (1 first)."""
    for position, request in enumerate(waiting, start=1):
        request.position = position
    return waiting


def waitlist(group: Group) -> list[JoinRequest]:
    """The group's waitlist, first come first served, each request with its `position`."""
    return _numbered(
        list(
            JoinRequest.objects.filter(group=group, status=JoinRequest.Status.WAITLISTED)
            .select_related("user")
            .order_by(*JoinRequest.WAITLIST_ORDER)
        )
    )


def group_members(group: Group) -> list[Membership]:
    """The group's people, moderators first, then by when they joined."""
    return list(
        Membership.objects.active()
        .filter(group=group)
        .select_related("user")
        .order_by("-role", "joined_at")
    )


def group_page(group: Group, *, user: User, see_members: bool, moderate: bool) -> GroupPage:
    page = GroupPage()
    requests = list(
        JoinRequest.objects.filter(group=group, status__in=JoinRequest.OPEN_STATUSES)
        .select_related("user")
        .order_by("created_at", "id")
    )
    waitlist = _numbered(
        sorted(
            (r for r in requests if r.status == JoinRequest.Status.WAITLISTED),
            key=lambda r: (r.waitlisted_at, r.id),
        )
    )
    page.my_waitlist_position = next((r.position for r in waitlist if r.user_id == user.pk), None)
    page.my_request = next((r for r in requests if r.user_id == user.pk), None)
    if see_members:
        page.members = group_members(group)
        page.waitlist = waitlist
    if moderate:
        page.pending = [r for r in requests if r.status == JoinRequest.Status.PENDING]
        page.invitations = list(
            Invitation.objects.filter(
                group=group, accepted_at__isnull=True, revoked_at__isnull=True
            ).order_by("-created_at")[:20]
        )
    return page


@dataclass
class LineageNode:
    group: Group
    children: list["LineageNode"] = field(default_factory=list)


def network_lineage(groups: list[Group]) -> list[LineageNode]:
    """The family tree of spin-outs inside a network, roots first."""
    nodes = {g.pk: LineageNode(g) for g in groups}
    roots = []
    for group in groups:
        node = nodes[group.pk]
        if group.parent_id in nodes:
            nodes[group.parent_id].children.append(node)
        else:
            roots.append(node)
    return roots


def network_people(network: Network, *, role: str | None = None) -> QuerySet[User]:
    """People in a network (with a role: only those with that role in this network)."""
    # One filter() call: network and role must hold for the same membership row, or an
    # organizer of some other network would count as an organizer of this one.
    same_membership = {"network_memberships__network": network}
    if role is not None:
        same_membership["network_memberships__role"] = role
    return User.objects.filter(**same_membership).order_by("display_name", "username")


def group_members_prefetch() -> Prefetch:
    return Prefetch(
        "memberships",
        queryset=Membership.objects.active().select_related("user"),
        to_attr="active_memberships",
    )
