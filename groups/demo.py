"""Demo networks and groups for `seed_demo`: one group full with a waitlist, one active, one
forming with join requests the demo moderator (its second moderator) decides.

The services write everything at "now"; the demo then dates it back, straight in the tables
(the services rightly refuse to change the past), so that the history reads true: the network
first, then each group and its founder, its members over the weeks after, all before the first
action or meeting (the other demo modules go back HISTORY_DAYS), and the waitlist and pending
requests in recent weeks. A date only ever moves back to its target, so a second run (on any
later day) changes nothing.
"""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from groups import services
from groups.models import AuditEvent, Group, JoinRequest, Membership, Network, NetworkMembership
from impact.demo import DEMO_PASSWORD
from impact.models import Notification, User

DEMO_NETWORK = "Regenerative Futures"

# How far back the demo's actions and meetings go: every member joined before it.
HISTORY_DAYS = 90
# The network's opportunity lies this many years after it was started ("zoom out": 10-20).
HORIZON_YEARS = 15
NETWORK_STARTED_DAYS_AGO = HISTORY_DAYS + 42

FIRST_NAMES = [
    "Ada",
    "Bram",
    "Chloé",
    "Dev",
    "Elif",
    "Femi",
    "Greta",
    "Hiro",
    "Ines",
    "Jonas",
    "Kemi",
    "Lars",
    "Maya",
    "Nico",
    "Oona",
    "Pablo",
    "Qi",
    "Rosa",
    "Sami",
    "Tara",
    "Umar",
    "Vera",
    "Wim",
    "Xena",
    "Yusuf",
    "Zoë",
    "Aiko",
    "Ben",
    "Cleo",
    "Dara",
]


@dataclass(frozen=True)
class DemoGroup:
    name: str
    purpose: str
    policy: str
    founded_days_ago: int
    # Members joined over this many days after the group was founded.
    joining_days: int
    # Open requests (waitlist, awaiting approval) were made in this many last days.
    requests_days: int
    founder_statement: str
    # One per person who asks to join, in the order they ask (the demo member first in the
    # first group): each their own words.
    statements: tuple[str, ...]


GROUPS = [
    DemoGroup(
        name="Riverbank Restorers",
        purpose="Bring the river back to life: plant native trees and clean the banks with neighbours.",
        policy=Group.JoinPolicy.OPEN,
        founded_days_ago=HISTORY_DAYS + 35,
        joining_days=28,
        requests_days=35,
        founder_statement="I started this group because the river deserves neighbours who show up.",
        statements=(
            "I walk the river path every morning. I'd rather help fix it than keep noticing "
            "what's wrong.",
            "My kids want to swim here one day.",
            "Retired biology teacher: I know my trees and I have time on my hands.",
            "I moved here in spring and want to meet neighbours who do things, not just talk "
            "about them.",
            "Saw the photos of the last litter pick and felt a bit ashamed I wasn't there. "
            "Count me in.",
            "Kayaker. The river has given me a lot; time to give something back.",
            "I have a van and tools, free most weekends.",
            "We lost the old willows by the bridge in the floods. I want to plant new ones.",
            "Honestly? I need a reason to get outside more, and this one matters.",
            "I study environmental science and would love to measure how the river recovers.",
            "My grandmother fished here. I'd like my daughter to be able to, too.",
            "Good with spreadsheets, hopeless with a spade. Happy to keep our numbers.",
            "Our school class adopted the east bank, and I'm the parent who said yes.",
            "Birdwatcher. The kingfishers came back last year and I want them to stay.",
            "I run the café on the quay and can host the group whenever you like.",
            "Ready to plant every Saturday until the bank is green.",
            "I photograph the river each season; I'd love to document what we change.",
            "New in town. I want to help and learn from people who know the river.",
        ),
    ),
    DemoGroup(
        name="Solar Neighbours",
        purpose=(
            "Put solar panels on every roof in our street by helping each other through the "
            "paperwork."
        ),
        policy=Group.JoinPolicy.OPEN,
        founded_days_ago=HISTORY_DAYS + 30,
        joining_days=21,
        requests_days=14,
        founder_statement=(
            "Getting panels on my own roof took a year. Together it should take a month."
        ),
        statements=(
            "Our roof faces south and does nothing all day. Time to change that.",
            "I got lost in the permit forms last year. Let's fill them in together.",
            "Electrician by trade: I can check the wiring for anyone who asks.",
            "Our energy bill doubled this winter. I want us to own our power.",
            "I'd love ours to be the first street in town with panels on every roof.",
            "Curious, a little sceptical, willing to learn.",
        ),
    ),
    DemoGroup(
        name="Food Commons",
        purpose="Grow and share food on unused city land.",
        policy=Group.JoinPolicy.APPROVAL,
        founded_days_ago=24,
        joining_days=14,
        requests_days=4,
        founder_statement="I've gardened on borrowed land for years; let's make it official.",
        statements=(
            "There's an empty lot behind my building and a drawer full of seeds waiting for it.",
            "I cook for the community centre and would love vegetables grown next door.",
        ),
    ),
]
CO_MODERATOR_STATEMENT = "I'd like to help this group take root."


def _person(n: int) -> User:
    name = FIRST_NAMES[n % len(FIRST_NAMES)]
    username = f"demo{n:03d}"
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "email": f"{username}@example.org",
            "display_name": f"{name} {n:03d}"[: len(name) + 4],
        },
    )
    if created:
        user.display_name = f"{name} {'BCDFGHJKLMNPRSTVW'[(n * 7) % 17]}."
        user.password = _demo_password_hash()
        user.save()
    return user


@cache
def _demo_password_hash() -> str:
    # Hashed once for all the demo's people: each hash takes a deliberate half second or so.
    return make_password(DEMO_PASSWORD)


def horizon_year(network: Network) -> int:
    """The year the network's opportunity lies in: its description and its narrative's."""
    return network.created_at.year + HORIZON_YEARS


def _date_back(rows: QuerySet, field: str, when: datetime) -> None:
    """Move `field` back to `when` on the rows still later than it (a second run finds none)."""
    rows.filter(**{f"{field}__gt": when}).update(**{field: when})


def _spread(start: datetime, end: datetime, count: int, rng: random.Random) -> list[datetime]:
    """`count` moments between start and end, in order, each in its own slice of the span."""
    step = (end - start) / max(count, 1)
    return [start + step * (i + rng.uniform(0.2, 0.8)) for i in range(count)]


def _notifications(group_id: int, key: str) -> QuerySet[Notification]:
    """The outbox rows the join services wrote for one join or request (both channels)."""
    return Notification.objects.filter(
        subject_type=ContentType.objects.get_for_model(Group),
        subject_id=group_id,
        dedupe_key__startswith=f"group.join_request:{key}:",
    )


def _date_join(membership: Membership, when: datetime) -> None:
    """A seat, the audit line and the moderators' note about it, all at `when`."""
    _date_back(Membership.objects.filter(pk=membership.pk), "joined_at", when)
    _date_back(
        AuditEvent.objects.filter(
            group_id=membership.group_id, verb="member.joined", actor_id=membership.user_id
        ),
        "at",
        when,
    )
    notes = _notifications(membership.group_id, f"member:{membership.pk}")
    _date_back(notes, "created_at", when)
    _date_back(notes.filter(sent_at__isnull=False), "sent_at", when)


def _date_request(request: JoinRequest, when: datetime) -> None:
    rows = JoinRequest.objects.filter(pk=request.pk)
    _date_back(rows, "created_at", when)
    _date_back(rows.filter(waitlisted_at__isnull=False), "waitlisted_at", when)
    notes = _notifications(request.group_id, f"request:{request.pk}")
    _date_back(notes, "created_at", when)
    _date_back(notes.filter(sent_at__isnull=False), "sent_at", when)


def _start_network(users: dict[str, User], name: str) -> Network:
    network = Network.objects.filter(name=name).first()
    if network is None:
        started = timezone.now() - timedelta(days=NETWORK_STARTED_DAYS_AGO)
        network = services.network_create(
            creator=users["organizer"],
            name=name,
            description=(
                f"By {started.year + HORIZON_YEARS} our towns could be places where rivers are "
                "alive, energy is shared and food grows on every corner. What would it take for "
                "our neighbourhoods to lead the way?"
            ),
        )
        _date_back(Network.objects.filter(pk=network.pk), "created_at", started)
        network.refresh_from_db(fields=["created_at"])
    services.network_add_person(
        network=network, user=users["organizer"], role=NetworkMembership.Role.ORGANIZER
    )
    return network


@transaction.atomic
def seed_network(
    users: dict[str, User], *, name: str = DEMO_NETWORK, start: int = 0
) -> tuple[Network, int]:
    """One network with the demo organizer and three groups; returns it and the next filler index."""
    rng = random.Random(3)  # demo data: reproducible on purpose
    now = timezone.now()
    network = _start_network(users, name)
    first_seen = {users["organizer"].pk: network.created_at}
    filler = start
    for index, spec in enumerate(GROUPS):
        wanted = len(spec.statements)
        group = Group.objects.filter(network=network, name=spec.name).first()
        moderator = users["moderator"] if index == 0 else _person(filler + 100)
        if group is None:
            services.network_add_person(network=network, user=moderator)
            group = services.group_create(
                organizer=users["organizer"],
                network=network,
                name=spec.name,
                purpose=spec.purpose,
                join_policy=spec.policy,
                moderator=moderator,
            )
        _date_back(
            Group.objects.filter(pk=group.pk),
            "created_at",
            now - timedelta(days=spec.founded_days_ago),
        )
        group.refresh_from_db(fields=["created_at"])
        founded = group.created_at
        founder = Membership.objects.active().get(group=group, user=moderator)
        _date_join(founder, founded)
        Membership.objects.filter(pk=founder.pk, statement="").update(
            statement=spec.founder_statement
        )
        first_seen[moderator.pk] = min(first_seen.get(moderator.pk, founded), founded)

        people = ([users["member"]] if index == 0 else []) + [
            _person(filler + i) for i in range(wanted - (1 if index == 0 else 0))
        ]
        filler += wanted
        # Joining is idempotent: a second run finds everyone where the first left them.
        outcomes = [
            services.group_join(user=person, group=group, statement=statement)
            for person, statement in zip(people, spec.statements, strict=True)
        ]
        seats = [o.membership for o in outcomes if o.membership is not None]
        joined = founded + timedelta(days=spec.joining_days)
        for membership, when in zip(seats, _spread(founded, joined, len(seats), rng), strict=True):
            _date_join(membership, when)
            first_seen[membership.user_id] = min(first_seen.get(membership.user_id, when), when)
        requests = [o.request for o in outcomes if o.request is not None]
        asked = now - timedelta(days=spec.requests_days)
        for request, when in zip(requests, _spread(asked, now, len(requests), rng), strict=True):
            _date_request(request, when)
            first_seen[request.user_id] = min(first_seen.get(request.user_id, when), when)
        if spec.policy == Group.JoinPolicy.APPROVAL:
            seated = _co_moderate(users["moderator"], group, when=founded + timedelta(days=7))
            if seated is not None:
                first_seen[users["moderator"].pk] = min(first_seen[users["moderator"].pk], seated)
    for user_id, when in first_seen.items():
        _date_back(
            NetworkMembership.objects.filter(network=network, user_id=user_id), "joined_at", when
        )
    return network, filler


def _co_moderate(person: User, group: Group, *, when: datetime) -> datetime | None:
    """Make the demo moderator a second moderator of a group that decides its join requests,
    so that their home has requests to decide (idempotent: each step only if not done); all
    of it dated `when`. Returns when they joined."""
    already = Membership.objects.active().filter(group=group, user=person, role="moderator")
    if not already.exists():
        first = Membership.objects.active().filter(group=group, role="moderator").first().user
        outcome = services.group_join(user=person, group=group, statement=CO_MODERATOR_STATEMENT)
        if outcome.outcome == "pending":
            outcome = services.join_request_decide(
                actor=first, join_request=outcome.request, approve=True
            )
        if outcome is not None and outcome.outcome == "member":
            membership = Membership.objects.active().get(group=group, user=person)
            services.membership_set_role(actor=first, membership=membership, role="moderator")
    membership = already.first()
    if membership is None:
        return None
    asked = JoinRequest.objects.filter(group=group, user=person, status="accepted").first()
    _date_join(membership, when)
    first_role_change = (
        AuditEvent.objects.filter(group=group, verb="role.changed", target=person.public_name)
        .order_by("at", "id")
        .values("pk")[:1]
    )
    _date_back(AuditEvent.objects.filter(pk__in=first_role_change), "at", when)
    # Their welcome and "you are now a moderator" notes.
    keys = [f"group.membership:role:{membership.pk}:moderator:"]
    if asked is not None:
        rows = JoinRequest.objects.filter(pk=asked.pk)
        _date_back(rows, "created_at", when - timedelta(days=1))
        _date_back(rows, "decided_at", when)
        keys.append(f"group.membership:accepted:{asked.pk}:")
    for key in keys:
        notes = Notification.objects.filter(recipient=person, dedupe_key__startswith=key)
        _date_back(notes, "created_at", when)
        _date_back(notes.filter(sent_at__isnull=False), "sent_at", when)
    return min(membership.joined_at, when)


def seed_groups(users: dict[str, User]) -> None:
    seed_network(users)
