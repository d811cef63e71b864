"""A private network with one item of every kind holding the same rare word, and the people
who may or may not read them."""

from datetime import date, timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from groups import services
from groups.meetings.models import Meeting, Session
from metrics.models import Action
from narratives.models import Answer, HelpRequest, Initiative, Narrative, Question
from tests.factories import UserFactory
from tests.groups.support import STATEMENT

WORD = "zephyrwatch"


@pytest.fixture
def cast(db):
    organizer = UserFactory(display_name="Olga Organizer")
    moderator = UserFactory(display_name="Mo Moderator")
    member = UserFactory(display_name="Meri Member")
    neighbour = UserFactory(display_name="Nina Neighbour")
    outsider = UserFactory(display_name="Otto Outsider")
    network = services.network_create(
        creator=organizer,
        name="Quiet Valley",
        description=f"A private network keeping a {WORD} on the valley.",
        is_public=False,
    )
    for person in (moderator, member, neighbour):
        services.network_add_person(network=network, user=person)
    group = services.group_create(
        organizer=organizer,
        network=network,
        name=f"The {WORD.title()} Crew",
        purpose="Count birds along the river every week.",
        moderator=moderator,
    )
    services.group_join(user=member, group=group, statement=STATEMENT)
    other = services.group_create(
        organizer=organizer,
        network=network,
        name="Other Crew",
        purpose="Something else entirely.",
        moderator=neighbour,
    )
    return {
        "organizer": organizer,
        "moderator": moderator,
        "member": member,
        "neighbour": neighbour,
        "outsider": outsider,
        "network": network,
        "group": group,
        "other": other,
    }


@pytest.fixture
def items(cast):
    """One private thing of every group-owned kind, each with WORD in it."""
    group, member = cast["group"], cast["member"]
    today = timezone.localdate()
    narrative = Narrative.objects.create(
        group=group,
        title="Rivers full of birds",
        horizon_year=2040,
        opportunity=f"Every town keeps a {WORD} on its river.",
        status=Narrative.Status.PUBLISHED,
        created_by=cast["moderator"],
    )
    question = Question.objects.create(
        group=group,
        network=group.network,
        text=f"Who else runs a {WORD}?",
        asked_by=member,
    )
    answer = Answer.objects.create(
        question=question, author=cast["moderator"], group=group, body=f"Our {WORD} runs Sundays."
    )
    help_request = HelpRequest.objects.create(
        group=group, asked_by=member, summary=f"Stuck on the {WORD} rota"
    )
    initiative = Initiative.objects.create(
        group=group,
        title=f"A weekly {WORD}",
        impact="high",
        speed="fast",
        starts_on=today,
        ends_on=today + timedelta(days=200),
    )
    action = Action.objects.create(
        group=group,
        user=member,
        description=f"Led the {WORD} walk",
        happened_on=date(2026, 5, 1),
        effort_minutes=60,
    )
    meeting = Meeting.objects.create(group=group, starts_at=timezone.now() - timedelta(days=2))
    session = Session.objects.create(
        meeting=meeting,
        group=group,
        summary=f"We agreed the {WORD} moves to dawn.",
        closed_at=timezone.now(),
    )
    return {
        "narrative": narrative,
        "question": question,
        "answer": answer,
        "help": help_request,
        "initiative": initiative,
        "action": action,
        "session": session,
    }


@pytest.fixture
def api():
    """An API client signed in as whoever is passed: api(user)."""

    def client_for(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return client_for
