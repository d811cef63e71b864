"""Demo cadence, past reflection sessions with summaries, pulse history and the next
reflection half prepared, for `seed_demo`. Every meeting is on one of the cadence's slots.

History is written straight to the tables: the services refuse to change the past (a
reflection after its meeting started), which is right for people and wrong for a demo.
"""

import random
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

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


CADENCE_TIME = time(19, 0)
CADENCE_ZONE = "Europe/Amsterdam"
MEETING_MINUTES = 75

# The demo's other groups meet too, so a newcomer choosing one sees when and where:
# name: (weekday, time, minutes, place).
OTHER_CADENCES = {
    "Solar Neighbours": (1, time(18, 30), 60, "Community centre, Elm Street 4"),
    "Food Commons": (5, time(10, 0), 90, "The empty lot behind Mill Lane 12"),
}


def cadence_weekday(now: datetime) -> int:
    """The weekday of the first 19:00 in Amsterdam after `now`: the demo group meets on it, so
    its next reflection is at most a day away and the moderator has a session to run."""
    local = timezone.localtime(now, ZoneInfo(CADENCE_ZONE))
    day = local.date() + timedelta(days=1 if local.time() >= CADENCE_TIME else 0)
    return day.weekday()


def _pulse(momentum: float, rng: random.Random) -> dict[str, int]:
    def score(base: float, slope: float) -> int:
        return min(5, max(1, round(base + slope * momentum + rng.uniform(-1, 1))))

    return {
        "excited": score(3, 2),
        "stuck": score(3, -2),
        "trust_humility": score(3, 1),
        "trust_values": score(3.5, 1),
        "trust_commitment": score(3, 1.5),
        "trust_excitement": score(3, 2),
    }


def _reflect(meeting: Meeting, member: User, momentum: float, rng: random.Random) -> None:
    Reflection.objects.create(
        meeting=meeting,
        user=member,
        impact_achieved=rng.choice(
            ["Planted 8 willows.", "Cleared 10 kg of litter.", "Brought two neighbours along."]
        ),
        learned=rng.choice(LEARNINGS),
        need_help="Permission to plant on council land." if rng.random() < 0.15 else "",
        **_pulse(momentum, rng),
    )


@transaction.atomic
def seed_meetings(users: dict[str, User], *, weeks: int = 8) -> None:
    """Idempotent: a group that already has sessions only gets its next weeks' meetings."""
    rng = random.Random(7)  # demo data: reproducible on purpose
    now = timezone.now()
    _seed_other_cadences(now)
    group = Group.objects.filter(name="Riverbank Restorers").first()
    if group is None:
        return
    if Session.objects.filter(group=group).exists():
        services.schedule_fill(group=group, now=now)
        return
    moderator = users["moderator"]
    cadence = services.cadence_set(
        actor=moderator,
        group=group,
        weekdays=[cadence_weekday(now)],
        start_time=CADENCE_TIME,
        time_zone=CADENCE_ZONE,
        duration_minutes=MEETING_MINUTES,
        location="https://meet.example.org/riverbank",
        now=now,
    )
    members = services.active_members(group)
    # The past meetings are the cadence's own slots (the scheduler only looks ahead).
    local_today = timezone.localtime(now, cadence.zone).date()
    slots = services.cadence_slots(
        cadence, start=local_today - timedelta(weeks=weeks + 1), days=(weeks + 1) * 7 + 1
    )
    past = [slot for slot in slots if slot + timedelta(minutes=MEETING_MINUTES) <= now][-weeks:]
    for index, starts in enumerate(past):
        week = len(past) - index  # weeks ago
        meeting = Meeting.objects.create(
            group=group,
            starts_at=starts,
            cadence_slot=starts,
            from_cadence=True,
            duration_minutes=MEETING_MINUTES,
            location=cadence.location,
            is_reflection=True,
        )
        momentum = (weeks - week) / weeks
        for member in members:
            if rng.random() < 0.3:
                continue
            _reflect(meeting, member, momentum, rng)
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
        session.closed_at, session.closed_by = (
            starts + timedelta(minutes=MEETING_MINUTES),
            moderator,
        )
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
    _prepare_next(group, members, member=member, rng=rng, now=now)


def _seed_other_cadences(now: datetime) -> None:
    """Every other demo group meets on its weekday (OTHER_CADENCES), its next four weeks of
    meetings on the cadence's time. Idempotent: a group with a cadence only gets its next weeks."""
    for group in Group.objects.filter(name__in=OTHER_CADENCES, cadence__isnull=True):
        weekday, starts, minutes, place = OTHER_CADENCES[group.name]
        founder = (
            Membership.objects.active()
            .filter(group=group, role=Membership.Role.MODERATOR)
            .select_related("user")
            .order_by("joined_at")
            .first()
        )
        if founder is None:
            continue
        services.cadence_set(
            actor=founder.user,
            group=group,
            weekdays=[weekday],
            start_time=starts,
            time_zone=CADENCE_ZONE,
            duration_minutes=minutes,
            location=place,
            now=now,
        )
    for group in Group.objects.filter(name__in=OTHER_CADENCES, cadence__isnull=False):
        services.schedule_fill(group=group, now=now)


def _prepare_next(
    group: Group, members: list[User], *, member: User, rng: random.Random, now: datetime
) -> None:
    """The next reflection, a day away at most: most of the group has answered its prompt and
    said whether they come, so the moderator has an agenda to run. The demo member has done
    neither yet, which is theirs to do."""
    upcoming = (
        Meeting.objects.filter(group=group, is_reflection=True, starts_at__gt=now)
        .order_by("starts_at")
        .first()
    )
    if upcoming is None:
        return
    for person in members:
        if person.pk == member.pk:
            continue
        if rng.random() < 0.6:
            _reflect(upcoming, person, 1.0, rng)
        if rng.random() < 0.7:
            services.rsvp_set(
                user=person, meeting=upcoming, rsvp=rng.choice(["yes", "yes", "yes", "maybe", "no"])
            )
