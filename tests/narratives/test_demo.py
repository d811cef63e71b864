"""`seed_demo` gives the narratives something to show, and running it twice adds nothing."""

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse

from groups.models import Membership, Network
from impact.models import User
from narratives.models import Answer, HelpRequest, HelpResponse, Initiative, Narrative, Question

pytestmark = pytest.mark.django_db


def snapshot() -> dict:
    return {
        "narratives": list(Narrative.objects.values_list("title", "status")),
        "questions": Question.objects.count(),
        "answers": Answer.objects.count(),
        "helpful": Answer.objects.filter(helpful=True).count(),
        "quadrants": sorted(
            Initiative.objects.exclude(status__in=["done", "dropped"]).values_list(
                "impact", "speed"
            )
        ),
        "active": Initiative.objects.filter(status="active").count(),
        "open_help": HelpRequest.objects.filter(status="open").count(),
        "responses": HelpResponse.objects.count(),
    }


def test_seed_demo_adds_a_narrative_questions_initiatives_and_a_help_request_once(settings):
    settings.DEBUG = True

    call_command("seed_demo")
    first = snapshot()
    call_command("seed_demo")

    assert snapshot() == first
    (title, status), *others = first["narratives"]
    assert others == [] and status == "published"
    answered = Question.objects.filter(answers__isnull=False).distinct()
    assert answered.count() >= 1 and first["answers"] >= 2
    assert first["helpful"] == 1
    helpful = Answer.objects.get(helpful=True)
    assert helpful.question.posed_to_network
    assert helpful.group != helpful.question.group  # answered by another group
    assert Question.objects.filter(narrative__title=title).count() >= 1
    assert set(first["quadrants"]) == {
        ("high", "fast"),
        ("high", "slow"),
        ("low", "fast"),
        ("low", "slow"),
    }
    assert first["active"] <= Initiative.MAX_ACTIVE
    assert first["open_help"] == 1 and first["responses"] >= 1


def test_the_demo_network_and_its_narrative_look_to_the_same_year(settings):
    settings.DEBUG = True
    call_command("seed_demo")

    network = Network.objects.get()
    narrative = Narrative.objects.get(network=network)

    years = set(re.findall(r"\b(20\d\d)\b", network.description + narrative.opportunity))
    assert years == {str(narrative.horizon_year)}
    assert 10 <= narrative.horizon_year - network.created_at.year <= 20


def test_the_demo_member_finds_other_groups_open_questions_to_answer(settings, client):
    settings.DEBUG = True
    call_command("seed_demo")
    member = User.objects.get(username="member")
    network = Network.objects.get()
    mine = set(Membership.objects.active().filter(user=member).values_list("group", flat=True))

    client.force_login(member)
    board = client.get(reverse("narratives:questions_board", args=[network.slug]))
    others = [q for q in board.context["questions"] if q.group_id and q.group_id not in mine]

    assert len({q.group_id for q in others}) >= 2
    for question in others:
        assert question.status == "open"
        page = client.get(question.get_absolute_url())
        assert page.status_code == 200 and page.context["form"] is not None
        assert question.text in board.content.decode()


def test_demo_questions_answers_and_help_come_after_their_authors_joined(settings):
    settings.DEBUG = True
    call_command("seed_demo")

    joined = {}
    for seat in Membership.objects.all():
        joined.setdefault(seat.user_id, []).append((seat.group_id, seat.joined_at))
    written = [(q.asked_by_id, q.group_id, q.created_at) for q in Question.objects.all()]
    written += [(a.author_id, a.group_id, a.created_at) for a in Answer.objects.all()]
    written += [(h.asked_by_id, h.group_id, h.created_at) for h in HelpRequest.objects.all()]

    for author_id, group_id, at in written:
        if group_id is None:
            continue
        seat = next(when for group, when in joined[author_id] if group == group_id)
        assert seat < at - timedelta(days=7)
