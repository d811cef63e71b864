"""Demo cadences, past reflection sessions with summaries, and pulse history for `seed_demo`.

History is written straight to the tables: the services refuse to change the past (a
reflection after its meeting started), which is right for people and wrong for a demo.
"""

import random
from datetime import time, timedelta

from django.db import transaction
from django.utils import timezone

from groups.meetings import services
from groups.meetings.models import Meeting, NextAction, Reflection, Session
from groups.models import Group, Membership
from impact.models import User

LEARNINGS = [
    "Saplings planted before the rain took far better.",
    "Asking the school to join doubled the turnout.",
    "Short, frequent litter picks beat one big day.",
    "People come back when we send photos of the result.",
]


@transaction.atomic
def seed_meetings(users: dict[str, User], *, weeks: int = 8) -> None:
    """Idempotent: a group that already has sessions is left alone."""
    rng = random.Random(7)  # demo data: reproducible on purpose
    group = Group.objects.filter(name="Riverbank Restorers").first()
    if group is None or Session.objects.filter(group=group).exists():
        return
    moderator = users["moderator"]
    services.cadence_set(
        actor=moderator,
        group=group,
        weekdays=[3],
        start_time=time(19, 0),
        time_zone="Europe/Amsterdam",
        duration_minutes=75,
        location="https://meet.example.org/riverbank",
    )
    members = services.active_members(group)
    now = timezone.now()
    for week in range(weeks, 0, -1):
        starts = now - timedelta(weeks=week, hours=2)
        meeting = Meeting.objects.create(
            group=group, starts_at=starts, duration_minutes=75, is_reflection=True
        )
        momentum = (weeks - week) / weeks
        for member in members:
            if rng.random() < 0.3:
                continue
            Reflection.objects.create(
                meeting=meeting,
                user=member,
                impact_achieved=rng.choice(
                    [
                        "Planted 8 willows.",
                        "Cleared 10 kg of litter.",
                        "Brought two neighbours along.",
                    ]
                ),
                learned=rng.choice(LEARNINGS),
                need_help="Permission to plant on council land." if rng.random() < 0.15 else "",
                excited=min(5, max(1, round(3 + 2 * momentum + rng.uniform(-1, 1)))),
                stuck=min(5, max(1, round(3 - 2 * momentum + rng.uniform(-1, 1)))),
                trust_humility=min(5, max(1, round(3 + momentum + rng.uniform(-1, 1)))),
                trust_values=min(5, max(1, round(3.5 + momentum + rng.uniform(-1, 1)))),
                trust_commitment=min(5, max(1, round(3 + 1.5 * momentum + rng.uniform(-1, 1)))),
                trust_excitement=min(5, max(1, round(3 + 2 * momentum + rng.uniform(-1, 1)))),
            )
        session = Session.objects.create(
            meeting=meeting,
            group=group,
            started_at=starts,
            achieved=f"{rng.randint(20, 60)} trees planted and {rng.randint(5, 25)} kg of litter removed.",
            learnings=rng.choice(LEARNINGS),
        )
        owners = rng.sample(members, 2)
        for owner in owners:
            NextAction.objects.create(
                session=session,
                group=group,
                owner=owner,
                description=rng.choice(
                    [
                        "Call the parks office",
                        "Book the school visit",
                        "Order 50 saplings",
                        "Share photos with the street",
                    ]
                ),
                due_on=(starts + timedelta(days=7)).date(),
                done_at=starts + timedelta(days=5) if week > 1 else None,
            )
        session.summary = (
            f"What we achieved:\n{session.achieved}\n\nWhat we learned:\n{session.learnings}"
        )
        session.closed_at, session.closed_by = starts + timedelta(minutes=75), moderator
        session.save()
    # The member's own open action, so the dashboard shows one.
    last = Session.objects.filter(group=group).order_by("-started_at").first()
    member = users["member"]
    if last and Membership.objects.active().filter(group=group, user=member).exists():
        NextAction.objects.get_or_create(
            session=last,
            group=group,
            owner=member,
            defaults={
                "description": "Write to the parks office about the east bank",
                "due_on": timezone.localdate() + timedelta(days=3),
            },
        )
