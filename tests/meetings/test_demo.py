"""`seed_demo` gives the demo group a cadence, past sessions with summaries and a pulse history."""

import pytest
from django.core.management import call_command

from groups.meetings.models import Cadence, Meeting, NextAction, Reflection, Session
from groups.meetings.selectors import pulse_history
from groups.models import Group

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in [Cadence, Meeting, Reflection, Session, NextAction]
    }


def test_seed_demo_adds_a_cadence_past_sessions_and_pulse_history_once(settings):
    settings.DEBUG = True

    call_command("seed_demo")
    first = counts()
    call_command("seed_demo")

    assert counts() == first
    group = Group.objects.get(name="Riverbank Restorers")
    cadence = Cadence.objects.get(group=group)
    assert (cadence.weekday_list, cadence.time_zone) == ([3], "Europe/Amsterdam")
    assert Meeting.objects.filter(group=group, from_cadence=True).count() == 4
    sessions = Session.objects.filter(group=group, closed_at__isnull=False)
    assert sessions.count() == 8
    assert all("What we learned:" in s.summary for s in sessions)
    history = pulse_history(group)
    assert len(history) == 8
    # Enough answers each week for the averages to show, and the trend rising.
    assert all(row["excited"] is not None for row in history)
    assert history[-1]["excited"] > history[0]["excited"]
    assert NextAction.objects.filter(
        owner__username="member", done_at__isnull=True, group=group
    ).exists()
