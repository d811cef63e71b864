"""`seed_demo --scale large`: a busy deployment for the benchmark, written with bulk inserts.

20 networks, 2,000 groups, 25,000 members, two years of history (1,000,000 actions and
300,000 measurements), weekly meetings with reflections. Rows are built in Python and
written in large batches; nothing here goes through the per-row services, which would take
hours at this size (the services' rules are respected by construction).
"""

import random
import sys
import time as clock
from datetime import UTC, datetime, time, timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from groups.meetings.models import Cadence, Meeting, Reflection
from groups.models import Group, Membership, Network, NetworkMembership
from impact.demo import DEMO_PASSWORD
from impact.models import User
from metrics.models import Action, MetricDefinition

NETWORKS, GROUPS_PER_NETWORK, MEMBERS_PER_GROUP = 20, 100, 12
USERS = 25_000
ACTIONS, MEASUREMENTS = 1_000_000, 300_000
DAYS = 730
BUSY_GROUP_ACTIONS = 10_000
BATCH = 10_000
ZONES = ["Europe/Amsterdam", "America/New_York", "Asia/Kolkata", "America/Los_Angeles", "UTC"]
PREFIX = "Scale network"


class Progress:
    """A one-line progress bar on stderr."""

    def __init__(self, label: str, total: int):
        self.label, self.total, self.done, self.started = label, total, 0, clock.monotonic()

    def add(self, n: int) -> None:
        self.done += n
        width = 30
        filled = int(width * self.done / max(self.total, 1))
        elapsed = clock.monotonic() - self.started
        sys.stderr.write(
            f"\r  {self.label:<14} [{'#' * filled}{'.' * (width - filled)}] "
            f"{self.done:>9,}/{self.total:,} {elapsed:5.1f}s"
        )
        if self.done >= self.total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def _bulk(model, rows, label: str) -> None:
    progress = Progress(label, len(rows))
    for start in range(0, len(rows), BATCH):
        chunk = rows[start : start + BATCH]
        model.objects.bulk_create(chunk, batch_size=BATCH)
        progress.add(len(chunk))


def is_seeded() -> bool:
    return Network.objects.filter(name__startswith=PREFIX).count() >= NETWORKS


def seed_large(*, stdout=sys.stdout) -> None:
    if is_seeded():
        stdout.write("Large data is already there.\n")
        return
    started = clock.monotonic()
    rng = random.Random(2026)  # reproducible on purpose
    now = timezone.now()
    today = timezone.localdate()
    password = make_password(DEMO_PASSWORD)

    with transaction.atomic():
        first = (User.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        _bulk(
            User,
            [
                User(
                    username=f"scale{n:05d}",
                    email=f"scale{n:05d}@example.org",
                    display_name=f"Member {n:05d}",
                    time_zone=ZONES[n % len(ZONES)],
                    password=password,
                    date_joined=now - timedelta(days=DAYS),
                )
                for n in range(USERS)
            ],
            "users",
        )
        users = list(
            User.objects.filter(pk__gte=first, username__startswith="scale")
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        _bulk(
            EmailAddress,
            [
                EmailAddress(
                    user_id=pk, email=f"scale{i:05d}@example.org", verified=True, primary=True
                )
                for i, pk in enumerate(users)
            ],
            "emails",
        )

        networks = [
            Network(
                name=f"{PREFIX} {n + 1:02d}",
                slug=f"scale-network-{n + 1:02d}",
                description="A network for the benchmark.",
            )
            for n in range(NETWORKS)
        ]
        Network.objects.bulk_create(networks)
        networks = list(Network.objects.filter(name__startswith=PREFIX).order_by("slug"))
        groups = [
            Group(
                network=network,
                name=f"Group {n + 1:03d}",
                purpose="Act together on the network's opportunity.",
                created_at=now - timedelta(days=DAYS),
            )
            for network in networks
            for n in range(GROUPS_PER_NETWORK)
        ]
        _bulk(Group, groups, "groups")
        groups = list(Group.objects.filter(network__in=networks).order_by("pk"))

        memberships, network_people, organizers = [], [], []
        cursor = 0
        for index, group in enumerate(groups):
            for seat in range(MEMBERS_PER_GROUP):
                user_id = users[cursor % len(users)]
                cursor += 1
                memberships.append(
                    Membership(
                        group=group,
                        user_id=user_id,
                        role="moderator" if seat == 0 else "member",
                        statement="I want to help.",
                        joined_at=now - timedelta(days=rng.randint(30, DAYS)),
                    )
                )
                network_people.append((group.network_id, user_id))
            if index % GROUPS_PER_NETWORK == 0:
                organizers.append(
                    NetworkMembership(
                        network_id=group.network_id,
                        user_id=users[-1 - len(organizers)],
                        role="organizer",
                    )
                )
        _bulk(Membership, memberships, "memberships")
        NetworkMembership.objects.bulk_create(organizers)
        taken = {(o.network_id, o.user_id) for o in organizers}
        _bulk(
            NetworkMembership,
            [
                NetworkMembership(network_id=n, user_id=u, role="participant")
                for n, u in dict.fromkeys(network_people)
                if (n, u) not in taken
            ],
            "network people",
        )

        shared = [
            MetricDefinition(
                network=network, name="People reached", unit="people", unit_singular="person"
            )
            for network in networks
        ]
        MetricDefinition.objects.bulk_create(shared)
        shared_by_network = {
            m.network_id: m for m in MetricDefinition.objects.filter(network__in=networks)
        }
        metrics = []
        for group in groups:
            metrics.append(
                MetricDefinition(
                    group=group,
                    name="Trees planted",
                    unit="trees",
                    unit_singular="tree",
                    target=500,
                )
            )
            metrics.append(
                MetricDefinition(
                    group=group,
                    name="People reached",
                    unit="people",
                    unit_singular="person",
                    source=shared_by_network[group.network_id],
                )
            )
        _bulk(MetricDefinition, metrics, "metrics")
        metric_ids = {}
        for metric in MetricDefinition.objects.filter(group__in=groups).values("pk", "group_id"):
            metric_ids.setdefault(metric["group_id"], []).append(metric["pk"])
        members_by_group = {}
        for membership in memberships:
            members_by_group.setdefault(membership.group_id, []).append(membership.user_id)

        # One busy group (10,000 actions) for the export benchmark; the rest share the remainder.
        per_group = (ACTIONS - BUSY_GROUP_ACTIONS) // (len(groups) - 1)
        actions = []
        descriptions = [
            "Planted saplings",
            "Litter pick",
            "Street meeting",
            "Wrote to the council",
            "Workshop",
        ]
        for index, group in enumerate(groups):
            people = members_by_group[group.pk]
            for _ in range(BUSY_GROUP_ACTIONS if index == 0 else per_group):
                actions.append(
                    Action(
                        group=group,
                        user_id=rng.choice(people),
                        description=rng.choice(descriptions),
                        happened_on=today - timedelta(days=rng.randint(0, DAYS - 1)),
                        effort_minutes=rng.choice([15, 30, 45, 60, 90]),
                        created_at=now,
                    )
                )
        _bulk(Action, actions, "actions")
        del actions

        progress = Progress("measurements", MEASUREMENTS)
        with connection.cursor() as cursor_:
            # Measurements for 30% of actions, written set-based by the database itself.
            cursor_.execute(
                """
                INSERT INTO metrics_measurement (metric_id, group_id, user_id, action_id, value, measured_on, created_at, client_key)
                SELECT m.id, a.group_id, a.user_id, a.id, 1 + (a.id %% 9), a.happened_on, now(), ''
                FROM metrics_action a
                JOIN LATERAL (
                    SELECT id FROM metrics_metricdefinition d
                    WHERE d.group_id = a.group_id ORDER BY d.id LIMIT 1 OFFSET (a.id %% 2)
                ) m ON true
                WHERE a.group_id IN (SELECT id FROM groups_group WHERE network_id = ANY(%s))
                ORDER BY a.id
                LIMIT %s
                """,
                [[n.pk for n in networks], MEASUREMENTS],
            )
        progress.add(MEASUREMENTS)

        cadences, meetings = [], []
        for index, group in enumerate(groups):
            weekday = index % 5
            cadences.append(
                Cadence(
                    group=group,
                    weekdays=str(weekday),
                    start_time=time(18, 0),
                    time_zone=ZONES[index % len(ZONES)],
                )
            )
            anchor = datetime.combine(
                today - timedelta(days=(today.weekday() - weekday) % 7),
                time(18, 0),
                tzinfo=UTC,
            )
            for week in range(-8, 4):
                slot = anchor + timedelta(weeks=week)
                meetings.append(
                    Meeting(
                        group=group,
                        starts_at=slot,
                        cadence_slot=slot,
                        from_cadence=True,
                        is_reflection=True,
                    )
                )
        Cadence.objects.bulk_create(cadences)
        _bulk(Meeting, meetings, "meetings")
        reflections = []
        for meeting in Meeting.objects.filter(
            group__in=groups, starts_at__lt=now, starts_at__gte=now - timedelta(weeks=4)
        ).values("pk", "group_id"):
            for user_id in members_by_group[meeting["group_id"]][:8]:
                reflections.append(
                    Reflection(
                        meeting_id=meeting["pk"],
                        user_id=user_id,
                        learned="We learned by doing.",
                        excited=rng.randint(2, 5),
                        stuck=rng.randint(1, 4),
                        trust_humility=rng.randint(2, 5),
                        trust_values=rng.randint(2, 5),
                        trust_commitment=rng.randint(2, 5),
                        trust_excitement=rng.randint(2, 5),
                    )
                )
        _bulk(Reflection, reflections, "reflections")
    with connection.cursor() as cursor_:
        if connection.vendor == "postgresql":
            cursor_.execute("ANALYZE")
    stdout.write(f"Large data ready in {clock.monotonic() - started:.0f}s.\n")
