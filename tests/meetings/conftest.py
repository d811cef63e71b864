"""The cast for meeting tests: the groups' people, a cadence, frozen clocks and the outbox."""

from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from groups import services as group_services
from groups.meetings import services
from groups.meetings.models import Meeting
from impact.models import Notification
from tests.factories import UserFactory
from tests.groups import conftest as group_fixtures
from tests.groups.support import STATEMENT

# The group tests' cast and helpers serve here too (fixtures are found by their names here).
organizer = group_fixtures.organizer
network = group_fixtures.network
moderator = group_fixtures.moderator
group = group_fixtures.group
member = group_fixtures.member
outsider = group_fixtures.outsider
api = group_fixtures.api
fill_group = group_fixtures.fill_group
make_group = group_fixtures.make_group

# Tuesday 14 January 2025, 19:00 in Amsterdam (CET, UTC+1): the meeting most tests use.
MEETING_AT = datetime(2025, 1, 14, 18, 0, tzinfo=UTC)
# The Monday of the week before, when the moderator sets the cadence.
CADENCE_SET_AT = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)


def at(*args) -> datetime:
    """A UTC moment: at(2025, 1, 13, 18) is 13 January 2025, 18:00 UTC."""
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def clock():
    """clock(moment) freezes time there (moving it again is just another call)."""
    travellers = []

    def freeze(moment: datetime):
        if travellers:
            travellers.pop().stop()
        traveller = time_machine.travel(moment, tick=False)
        traveller.start()
        travellers.append(traveller)
        return moment

    yield freeze
    for traveller in travellers:
        traveller.stop()


def join(group, *, time_zone: str = "Europe/Berlin", **fields):
    """A new member who joined through the service, reading times in `time_zone`."""
    user = UserFactory(time_zone=time_zone, **fields)
    group_services.group_join(user=user, group=group, statement=STATEMENT)
    return user


@pytest.fixture
def kolkata(group):
    return join(group, time_zone="Asia/Kolkata", display_name="Kavya Kolkata")


@pytest.fixture
def los_angeles(group):
    return join(group, time_zone="America/Los_Angeles", display_name="Luis Angeles")


@pytest.fixture
def tuesdays(group, moderator, clock):
    """The group meets on Tuesdays at 19:00 Amsterdam time, set on Monday 6 January 2025."""
    clock(CADENCE_SET_AT)
    return services.cadence_set(
        actor=moderator,
        group=group,
        weekdays=[1],
        start_time=time(19, 0),
        time_zone="Europe/Amsterdam",
        location="Library, room 2",
    )


@pytest.fixture
def meeting(tuesdays, group) -> Meeting:
    """The cadence's meeting of Tuesday 14 January 2025."""
    return Meeting.objects.get(group=group, starts_at=MEETING_AT)


def emails(kind: str, **filters):
    return Notification.objects.filter(kind=kind, channel=Notification.Channel.EMAIL, **filters)


def reminder_rows(meeting: Meeting, offset: int):
    """The email reminders written for one meeting at its current start, for one offset."""
    key = f"meeting.reminder:{meeting.pk}:{meeting.starts_at.timestamp():.0f}:{offset}:"
    return emails("meeting.reminder", dedupe_key__startswith=key)


@pytest.fixture
def soon(group, moderator):
    """A weekly reflection two days from now."""
    return services.meeting_add(
        actor=moderator,
        group=group,
        starts_at=timezone.now() + timedelta(days=2),
        is_reflection=True,
    )


@pytest.fixture
def login(signed_in):
    """login(user) -> the test client, signed in as that person (tests/conftest.py)."""
    return signed_in


def mode_url(meeting) -> str:
    """The meeting's meeting-mode page."""
    return reverse("groups:meeting_mode", args=[meeting.pk])
