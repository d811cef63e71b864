"""Reads for the home page: what each kind of person should act on next.

An organizer sees their networks' groups that are full, waiting or forming; a moderator the
join requests to decide and the next reflection to prepare; someone in no group the groups
they could join, with when and where those meet. Each read is a fixed number of queries
however many groups, requests or meetings there are.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.text import get_text_list
from django.utils.translation import gettext as _

from groups.meetings.models import MEETING_MINUTES_MAX, WEEKDAYS, Meeting, Reflection, Session
from groups.models import (
    GROUP_FORMING_BELOW,
    Group,
    JoinRequest,
    Membership,
    NetworkMembership,
    seats_free,
)
from groups.permissions import visible_networks_q
from groups.selectors import MyGroupRow, with_status
from impact.models import User
from metrics.models import Action

# "How active is it": what a group did in this many days up to today.
RECENT_DAYS = 28
ORGANIZER_GROUPS_SHOWN = 12
REQUESTS_SHOWN = 8
GROUPS_TO_JOIN_SHOWN = 8

_LINK = re.compile(r"https?://|www\.", re.IGNORECASE)


def _count(rows: QuerySet, by: str) -> Coalesce:
    """A correlated COUNT of `rows` (already filtered on an OuterRef), 0 when there are none:
    a subquery, not a join, so counting members and requests together does not multiply them."""
    return Coalesce(
        Subquery(rows.order_by().values(by).annotate(n=Count("pk")).values("n")[:1]),
        0,
        output_field=IntegerField(),
    )


def _size() -> Coalesce:
    return _count(Membership.objects.active().filter(group_id=OuterRef("pk")), "group_id")


def _open_requests(status: str) -> Coalesce:
    return _count(JoinRequest.objects.filter(group_id=OuterRef("pk"), status=status), "group_id")


# When and where a group meets, and how active it is ------------------------------------------


@dataclass(frozen=True)
class WhenWhere:
    """When and where a group meets, as someone outside it may know it."""

    weekdays: tuple[int, ...] = ()
    start_time: time | None = None
    time_zone: str = ""
    location: str = ""
    next_at: datetime | None = None

    @property
    def days(self) -> str:
        """ "Monday and Thursday", in the reader's language."""
        names = dict(WEEKDAYS)
        return get_text_list([str(names[day]) for day in self.weekdays if day in names], _("and"))

    @property
    def online(self) -> bool:
        """The place is a video link: members get it on the meetings pages, others only learn
        that the group meets online (the link lets anyone into the call)."""
        return bool(_LINK.search(self.location))

    @property
    def known(self) -> bool:
        return bool(self.weekdays or self.next_at or self.location)


def _with_public_facts(groups: QuerySet[Group], *, today) -> QuerySet[Group]:
    """Groups with what anyone who may see them may know: size, next meeting, recent actions
    and the last session held, in the one query."""
    upcoming = Meeting.objects.filter(
        group_id=OuterRef("pk"),
        status=Meeting.Status.SCHEDULED,
        starts_at__gte=timezone.now(),
    ).order_by("starts_at", "id")
    recent_actions = Action.objects.filter(
        group_id=OuterRef("pk"), happened_on__gt=today - timedelta(days=RECENT_DAYS)
    )
    return groups.select_related("network", "cadence").annotate(
        size=_size(),
        next_meeting_at=Subquery(upcoming.values("starts_at")[:1]),
        next_meeting_location=Subquery(upcoming.values("location")[:1]),
        actions_recent=_count(recent_actions, "group_id"),
        actors_recent=Coalesce(
            Subquery(
                recent_actions.order_by()
                .values("group_id")
                .annotate(n=Count("user_id", distinct=True))
                .values("n")[:1]
            ),
            0,
            output_field=IntegerField(),
        ),
        last_session_at=Subquery(
            Session.objects.filter(group_id=OuterRef("pk"), closed_at__isnull=False)
            .order_by("-meeting__starts_at")
            .values("meeting__starts_at")[:1]
        ),
    )


def when_where(group: Group) -> WhenWhere:
    """When and where the group meets, from its cadence and next meeting (a group read
    through `_with_public_facts`)."""
    cadence = getattr(group, "cadence", None)
    if cadence is not None and not cadence.active:
        cadence = None
    location = getattr(group, "next_meeting_location", "") or (cadence.location if cadence else "")
    return WhenWhere(
        weekdays=tuple(cadence.weekday_list) if cadence else (),
        start_time=cadence.start_time if cadence else None,
        time_zone=cadence.time_zone if cadence else "",
        location=location,
        next_at=getattr(group, "next_meeting_at", None),
    )


@dataclass
class PublicFacts:
    """What a group's page tells someone outside it: when and where, and how active it is."""

    meets: WhenWhere
    members: int
    capacity: int
    actions_recent: int
    actors_recent: int
    last_session_at: datetime | None
    recent_days: int = RECENT_DAYS

    @property
    def recent_weeks(self) -> int:
        return self.recent_days // 7

    @property
    def seats_free(self) -> int:
        return seats_free(self.members, self.capacity)


def _facts(group: Group) -> PublicFacts:
    return PublicFacts(
        meets=when_where(group),
        members=group.size,
        capacity=group.capacity,
        actions_recent=group.actions_recent,
        actors_recent=group.actors_recent,
        last_session_at=group.last_session_at,
    )


def group_public_facts(group: Group) -> PublicFacts:
    """When and where the group meets and how active it is (one query)."""
    read = _with_public_facts(Group.objects.filter(pk=group.pk), today=timezone.localdate()).get()
    return _facts(read)


# Newcomers: groups to join -------------------------------------------------------------------


@dataclass
class GroupToJoin:
    group: Group
    facts: PublicFacts


def groups_to_join(
    user: User, *, exclude_ids: list[int], limit: int = GROUPS_TO_JOIN_SHOWN
) -> list[GroupToJoin]:
    """Groups with a free seat in the networks the person may see (public ones and their own),
    the most active first; `exclude_ids`: groups they are in or already asked to join."""
    groups = (
        _with_public_facts(
            Group.objects.filter(visible_networks_q(user, prefix="network__")).exclude(
                pk__in=exclude_ids
            ),
            today=timezone.localdate(),
        )
        .filter(size__lt=F("capacity"))
        .order_by(F("next_meeting_at").asc(nulls_last=True), "-actions_recent", "-size", "name")[
            :limit
        ]
    )
    return [GroupToJoin(group=g, facts=_facts(g)) for g in groups]


# Organizers: groups that need them -----------------------------------------------------------


class Attention:
    FULL = "full"
    WAITING = "waiting"
    FORMING = "forming"


@dataclass
class GroupsNeedingOrganizer:
    """An organizer's groups that are full, have people waiting, or are still forming."""

    full: list[Group] = field(default_factory=list)
    waiting: list[Group] = field(default_factory=list)
    forming: list[Group] = field(default_factory=list)
    total: int = 0

    @property
    def shown(self) -> int:
        return len(self.full) + len(self.waiting) + len(self.forming)

    @property
    def more(self) -> int:
        return self.total - self.shown

    def __bool__(self) -> bool:
        return self.total > 0


def organized_network_ids(user: User) -> list[int]:
    return list(
        NetworkMembership.objects.filter(
            user=user, role=NetworkMembership.Role.ORGANIZER
        ).values_list("network_id", flat=True)
    )


def groups_needing_organizer(
    network_ids: list[int], *, limit: int = ORGANIZER_GROUPS_SHOWN
) -> GroupsNeedingOrganizer:
    """The networks' groups that are full (spin one out), have people waiting (requests or a
    waitlist) or are forming (fewer than 5): full first, then most people waiting (one query)."""
    result = GroupsNeedingOrganizer()
    if not network_ids:
        return result
    full = Q(size__gte=F("capacity"))
    waiting = Q(waitlist_length__gt=0) | Q(pending_count__gt=0)
    groups = (
        Group.objects.filter(network_id__in=network_ids)
        .select_related("network")
        .annotate(
            size=_size(),
            waitlist_length=_open_requests(JoinRequest.Status.WAITLISTED),
            pending_count=_open_requests(JoinRequest.Status.PENDING),
        )
        .filter(full | waiting | Q(size__lt=GROUP_FORMING_BELOW))
        .annotate(
            attention=Case(
                When(full, then=Value(Attention.FULL)),
                When(waiting, then=Value(Attention.WAITING)),
                default=Value(Attention.FORMING),
            ),
            urgency=Case(When(full, then=0), When(waiting, then=1), default=2),
            total=Window(Count("pk")),
        )
        .order_by("urgency", -(F("waitlist_length") + F("pending_count")), "name", "pk")[:limit]
    )
    for group in groups:
        result.total = group.total
        getattr(result, group.attention).append(with_status(group))
    return result


# Moderators: requests to decide, the next reflection to prepare ------------------------------


@dataclass
class RequestsToDecide:
    requests: list[JoinRequest] = field(default_factory=list)
    total: int = 0

    @property
    def more(self) -> int:
        return self.total - len(self.requests)

    def __bool__(self) -> bool:
        return self.total > 0


def requests_to_decide(group_ids: list[int], *, limit: int = REQUESTS_SHOWN) -> RequestsToDecide:
    """Pending join requests in these groups (the ones a person moderates), oldest first:
    they have waited longest (one query, none without groups)."""
    if not group_ids:
        return RequestsToDecide()
    requests = list(
        JoinRequest.objects.filter(group_id__in=group_ids, status=JoinRequest.Status.PENDING)
        .select_related("user", "group")
        .annotate(total=Window(Count("pk")))
        .order_by("created_at", "id")[:limit]
    )
    return RequestsToDecide(requests, requests[0].total if requests else 0)


@dataclass
class SessionToPrepare:
    group: Group
    meeting: Meeting | None = None
    answered: int = 0
    members: int = 0


def sessions_to_prepare(groups: list[Group]) -> list[SessionToPrepare]:
    """Each group's next reflection meeting (or the one being run now), with how many of its
    members have answered the prompt, soonest first; groups with none scheduled last (one
    query, none without groups)."""
    if not groups:
        return []
    now = timezone.now()
    next_reflection = (
        Meeting.objects.filter(
            group_id=OuterRef("pk"), is_reflection=True, status=Meeting.Status.SCHEDULED
        )
        # Upcoming, or started and its session still open (a meeting lasts 8 hours at most).
        .filter(
            Q(starts_at__gte=now)
            | Q(
                starts_at__gte=now - timedelta(minutes=MEETING_MINUTES_MAX),
                session__isnull=False,
                session__closed_at__isnull=True,
            )
        )
        .order_by("starts_at", "id")
        .values("pk")[:1]
    )
    # A reflection counts when its writer is still in the group (as meeting mode counts them).
    answered = Reflection.objects.filter(
        meeting_id=OuterRef("pk"),
        user__group_memberships__group_id=OuterRef("group_id"),
        user__group_memberships__left_at__isnull=True,
    )
    members = Membership.objects.active().filter(group_id=OuterRef("group_id"))
    meetings = Meeting.objects.filter(
        pk__in=Group.objects.filter(pk__in=[g.pk for g in groups])
        .annotate(next_id=Subquery(next_reflection))
        .filter(next_id__isnull=False)
        .values("next_id")
    ).annotate(answered=_count(answered, "meeting_id"), members=_count(members, "group_id"))
    by_group = {m.group_id: m for m in meetings}
    rows = []
    for group in groups:
        meeting = by_group.get(group.pk)
        if meeting is not None:
            meeting.group = group
        rows.append(
            SessionToPrepare(
                group=group,
                meeting=meeting,
                answered=meeting.answered if meeting else 0,
                members=meeting.members if meeting else 0,
            )
        )
    far_future = datetime.max.replace(tzinfo=now.tzinfo)
    rows.sort(key=lambda r: (r.meeting.starts_at if r.meeting else far_future, r.group.name))
    return rows


# The home page -------------------------------------------------------------------------------


@dataclass
class HomeSections:
    """What a person's home shows beside their own groups, each part only for its role."""

    requests: RequestsToDecide
    organizer: GroupsNeedingOrganizer
    is_organizer: bool
    sessions: list[SessionToPrepare]
    to_join: list[GroupToJoin]

    @property
    def any_role(self) -> bool:
        return bool(self.requests or self.organizer or self.sessions)


def home_sections(user: User, *, rows: list[MyGroupRow]) -> HomeSections:
    """The home's role sections for a person whose own groups and open requests are `rows`
    (as `my_groups` read them): at most four more queries, however many groups."""
    moderated = [r.group for r in rows if r.membership is not None and r.membership.is_moderator]
    in_a_group = any(r.membership is not None for r in rows)
    network_ids = organized_network_ids(user)
    # Someone in no group who organizes nothing: a newcomer, shown where they could start.
    newcomer = not in_a_group and not network_ids
    return HomeSections(
        requests=requests_to_decide([g.pk for g in moderated]),
        organizer=groups_needing_organizer(network_ids),
        is_organizer=bool(network_ids),
        sessions=sessions_to_prepare(moderated),
        to_join=groups_to_join(user, exclude_ids=[r.group.pk for r in rows]) if newcomer else [],
    )
