"""`seed_demo` gives the narratives something to show, and running it twice adds nothing."""

import pytest
from django.core.management import call_command

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
