"""`seed_demo` gives the demo group a cadence, past sessions with summaries, a pulse history
and a next reflection for the moderator to run; every meeting on one of the cadence's slots."""

import datetime as dt
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from groups.meetings.demo import cadence_weekday
from groups.meetings.models import (
    Cadence,
    Meeting,
    MeetingResponse,
    NextAction,
    Reflection,
    Session,
)
from groups.meetings.selectors import pulse_history
from groups.models import Group, Membership
from impact.models import User

pytestmark = pytest.mark.django_db

# A Wednesday morning in Amsterdam, and the same evening after the meeting time (19:00).
WEDNESDAY_MORNING = dt.datetime(2026, 12, 2, 8, 0, tzinfo=dt.UTC)
WEDNESDAY_EVENING = dt.datetime(2026, 12, 2, 19, 30, tzinfo=dt.UTC)


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in [Cadence, Meeting, Reflection, Session, NextAction, MeetingResponse]
    }


def test_seed_demo_adds_a_cadence_past_sessions_and_pulse_history_once(settings):
    settings.DEBUG = True

    with time_machine.travel(WEDNESDAY_MORNING, tick=False):
        call_command("seed_demo")
        first = counts()
        call_command("seed_demo")

    assert counts() == first
    group = Group.objects.get(name="Riverbank Restorers")
    cadence = Cadence.objects.get(group=group)
    assert (cadence.weekday_list, cadence.time_zone) == ([2], "Europe/Amsterdam")
    upcoming = Meeting.objects.filter(
        group=group, from_cadence=True, starts_at__gt=WEDNESDAY_MORNING
    )
    assert upcoming.count() == 4
    sessions = Session.objects.filter(group=group, closed_at__isnull=False)
    assert sessions.count() == 8
    assert all("What we learned:" in s.summary for s in sessions)
    history = pulse_history(group)
    # Eight past weeks, and the answers to the next reflection's prompt so far.
    assert len(history) == 9
    # Enough answers each week for the averages to show, and the trend rising.
    assert all(row["excited"] is not None for row in history)
    assert history[-1]["excited"] > history[0]["excited"]
    assert NextAction.objects.filter(
        owner__username="member", done_at__isnull=True, group=group
    ).exists()


@pytest.mark.parametrize("now", [WEDNESDAY_MORNING, WEDNESDAY_EVENING])
def test_every_demo_meeting_starts_on_the_cadence_weekday_and_time_in_its_time_zone(settings, now):
    settings.DEBUG = True

    with time_machine.travel(now, tick=False):
        call_command("seed_demo")

    cadence = Cadence.objects.get(group__name="Riverbank Restorers")
    assert Meeting.objects.filter(group=cadence.group).count() == 12
    for cadence in Cadence.objects.select_related("group"):
        meetings = list(Meeting.objects.filter(group=cadence.group))
        assert meetings, cadence.group.name
        for meeting in meetings:
            local = meeting.starts_at.astimezone(cadence.zone)
            assert local.weekday() in cadence.weekday_list
            assert local.time() == cadence.start_time
            assert meeting.location == cadence.location
    cadence = Cadence.objects.get(group__name="Riverbank Restorers")
    # Sessions ran in their meetings' hour; their next actions were due a week on.
    for session in Session.objects.select_related("meeting"):
        assert session.started_at == session.meeting.starts_at
        assert session.closed_at == session.meeting.ends_at
    assert cadence.weekday_list == [cadence_weekday(now)]


@pytest.mark.parametrize("now", [WEDNESDAY_MORNING, WEDNESDAY_EVENING])
def test_the_demo_moderator_has_a_reflection_to_run_within_a_day(settings, client, now):
    settings.DEBUG = True

    with time_machine.travel(now, tick=False):
        call_command("seed_demo")
        client.force_login(User.objects.get(username="moderator"))
        sessions = client.get(reverse("home")).context["sections"].sessions
        riverbank = next(s for s in sessions if s.group.name == "Riverbank Restorers")
        run = client.get(reverse("groups:meeting_mode", args=[riverbank.meeting.pk]))

    assert now < riverbank.meeting.starts_at <= now + timedelta(days=1)
    # An agenda to run: members answered the prompt and said whether they come.
    assert 0 < riverbank.answered < riverbank.members
    assert MeetingResponse.objects.filter(meeting=riverbank.meeting, rsvp="yes").exists()
    assert run.status_code == 200
    # The demo member's answer and RSVP are still theirs to give.
    member = User.objects.get(username="member")
    assert not riverbank.meeting.reflections.filter(user=member).exists()
    assert not riverbank.meeting.responses.filter(user=member).exists()


def test_demo_reflections_and_next_actions_come_after_their_authors_joined(settings):
    settings.DEBUG = True
    call_command("seed_demo")

    joined = {(m.group_id, m.user_id): m.joined_at for m in Membership.objects.all()}
    reflections = Reflection.objects.select_related("meeting")
    actions = NextAction.objects.select_related("session")

    assert reflections.exists() and actions.exists()
    for reflection in reflections:
        seat = joined[reflection.meeting.group_id, reflection.user_id]
        assert seat < reflection.meeting.starts_at - timedelta(days=7)
    for action in actions:
        assert joined[action.group_id, action.owner_id] < action.session.started_at
    for response in MeetingResponse.objects.select_related("meeting"):
        assert joined[response.meeting.group_id, response.user_id] < timezone.now()


def test_every_demo_group_meets_on_a_cadence_with_a_place_and_a_newcomer_sees_when(
    settings, client
):
    """The groups a newcomer can join say when and where they meet, not "No meeting time set
    yet"; seeding again adds no second cadence or meeting."""
    settings.DEBUG = True

    with time_machine.travel(WEDNESDAY_MORNING, tick=False):
        call_command("seed_demo")
        first = counts()
        call_command("seed_demo")
        assert counts() == first
        newcomer = User.objects.create_user(username="newcomer", password="x" * 12)
        client.force_login(newcomer)
        home = client.get(reverse("home")).content.decode()

    groups = list(Group.objects.all())
    assert len(groups) >= 3
    for group in groups:
        cadence = Cadence.objects.get(group=group)
        assert cadence.weekday_list and cadence.location, group.name
        assert Meeting.objects.filter(group=group, starts_at__gt=WEDNESDAY_MORNING).count() == 4
    assert "No meeting time set yet" not in home
    for place in ["Community centre, Elm Street 4", "The empty lot behind Mill Lane 12"]:
        assert place in home
