"""The narratives pages, walked with every kind of person (as the groups walk does).

Discovered from the URL resolver: a new narratives page without a row here fails until
someone decides who may use it. The world's network is private, its narrative published,
and the member's question is for their group only.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from narratives import services as narratives
from tests.groups.test_permissions import (
    LOGIN,
    api_client,
    page_answer,
    page_url,
    role_cases,
    rolled_back,
    url_patterns,
)
from tests.groups.test_permissions import world as world  # the shared fixture

pytestmark = pytest.mark.django_db

NOT_GET = (LOGIN, *[405] * 6)
NOT_POST = (LOGIN, *[405] * 6)
# Organizers of this network only; others in it may not (403), outsiders cannot know (404).
ORGANIZERS = (LOGIN, 404, 403, 403, 403, 404, 200)
ORGANIZERS_WRITE = (LOGIN, 404, 403, 403, 403, 404, 302)
IN_NETWORK = (LOGIN, 404, 200, 200, 200, 404, 200)
# The group's own: members, moderators and the network's organizers.
GROUP_PAGE = (LOGIN, 404, 403, 200, 200, 404, 200)
GROUP_ONLY = (LOGIN, 404, 404, 200, 200, 404, 200)  # objects whose existence is private
GROUP_ONLY_WRITE = (LOGIN, 404, 404, 302, 302, 404, 302)

PAGES = {
    "narratives:network_narrative": {"GET": IN_NETWORK, "POST": NOT_POST},
    "narratives:network_narrative_create": {"GET": ORGANIZERS, "POST": ORGANIZERS_WRITE},
    "narratives:questions_board": {"GET": IN_NETWORK, "POST": NOT_POST},
    "narratives:group_narrative_create": {
        "GET": (LOGIN, 404, 403, 403, 200, 404, 200),
        "POST": (LOGIN, 404, 403, 403, 302, 404, 302),
    },
    "narratives:narrative_adopt": {"GET": NOT_GET, "POST": (LOGIN, 404, 403, 403, 302, 404, 302)},
    "narratives:group_questions": {
        "GET": GROUP_PAGE,
        "POST": (LOGIN, 404, 403, 302, 302, 404, 302),
    },
    "narratives:initiatives": {"GET": GROUP_PAGE, "POST": (LOGIN, 404, 403, 302, 302, 404, 302)},
    # Members ask their group for help; an organizer outside the group has nothing to ask.
    "narratives:help_list": {"GET": GROUP_PAGE, "POST": (LOGIN, 404, 403, 302, 302, 404, 403)},
    "narratives:narrative_detail": {"GET": IN_NETWORK, "POST": NOT_POST},
    "narratives:narrative_edit": {"GET": ORGANIZERS, "POST": ORGANIZERS_WRITE},
    "narratives:narrative_status": {"GET": NOT_GET, "POST": ORGANIZERS_WRITE},
    "narratives:narrative_question": {"GET": NOT_GET, "POST": ORGANIZERS_WRITE},
    "narratives:question_detail": {"GET": GROUP_ONLY, "POST": GROUP_ONLY_WRITE},
    "narratives:question_answered": {"GET": NOT_GET, "POST": GROUP_ONLY_WRITE},
    "narratives:question_pose": {"GET": NOT_GET, "POST": GROUP_ONLY_WRITE},
    # Only the person who asked says which answers helped.
    "narratives:answer_helpful": {"GET": NOT_GET, "POST": (LOGIN, 404, 404, 302, 403, 404, 403)},
    "narratives:initiative_detail": {"GET": GROUP_ONLY, "POST": NOT_POST},
    "narratives:initiative_status": {"GET": NOT_GET, "POST": (LOGIN, 404, 404, 403, 302, 404, 302)},
    "narratives:help_detail": {"GET": GROUP_ONLY, "POST": GROUP_ONLY_WRITE},
    "narratives:help_action": {"GET": NOT_GET, "POST": GROUP_ONLY_WRITE},
}


@pytest.fixture(scope="module")
def narratives_world(world, django_db_blocker):
    """The world, with a published narrative, a question, an answer, an initiative and a call
    for help; undone with the world."""
    with django_db_blocker.unblock():
        return _with_narratives(world)


def _with_narratives(world: dict) -> dict:
    target = world["target"]
    people = world["people"]
    member, moderator, organizer = people["member"], people["moderator"], people["organizer"]
    today = timezone.localdate()
    fields = {
        "title": "Living rivers",
        "horizon_year": today.year + 15,
        "opportunity": "Rivers full of life by then.",
    }
    narrative = narratives.narrative_create(actor=organizer, network=target.network, **fields)
    narratives.narrative_set_status(actor=organizer, narrative=narrative, status="published")
    question = narratives.question_ask(actor=member, group=target, text="What would it take?")
    reply = narratives.answer_create(actor=moderator, question=question, body="Patience.")
    initiative = narratives.initiative_create(
        actor=moderator,
        group=target,
        title="Willows",
        impact="high",
        speed="fast",
        starts_on=today,
        ends_on=today + timedelta(days=200),
    )
    help_request = narratives.help_request_create(actor=member, group=target, summary="Permits?")
    values = {**world["url_values"], "narrative_pk": narrative.pk}
    per_url = {
        "narratives:narrative_detail": {"pk": narrative.pk},
        "narratives:narrative_edit": {"pk": narrative.pk},
        "narratives:narrative_status": {"pk": narrative.pk},
        "narratives:narrative_question": {"pk": narrative.pk},
        "narratives:question_detail": {"pk": question.pk},
        "narratives:question_answered": {"pk": question.pk},
        "narratives:question_pose": {"pk": question.pk},
        "narratives:answer_helpful": {"pk": reply.pk},
        "narratives:initiative_detail": {"pk": initiative.pk},
        "narratives:initiative_status": {"pk": initiative.pk},
        "narratives:help_detail": {"pk": help_request.pk},
        "narratives:help_action": {"pk": help_request.pk},
    }
    window = {"starts_on": today, "ends_on": today + timedelta(days=200)}
    data = {
        "narratives:network_narrative_create": fields,
        "narratives:group_narrative_create": fields,
        "narratives:narrative_edit": fields,
        "narratives:narrative_status": {"status": "draft"},
        "narratives:narrative_question": {"text": "How do we measure it?"},
        "narratives:group_questions": {"text": "Who can lend a boat?"},
        "narratives:initiatives": {"title": "Hedges", "impact": "low", "speed": "slow", **window},
        "narratives:help_list": {"summary": "Where do I get saplings?"},
        "narratives:question_detail": {"body": "Ask the parks office."},
        "narratives:initiative_status": {"status": "active"},
        "narratives:help_detail": {"body": "I know someone."},
        "narratives:help_action": {"action": "resolve"},
    }
    return {**world, "values": values, "per_url": per_url, "data": data}


def narratives_pages() -> dict:
    return {name: p for name, p in url_patterns().items() if name.startswith("narratives:")}


def test_every_narratives_page_has_a_row_in_the_table():
    pages = narratives_pages()
    assert set(pages) == set(PAGES), f"pages without a row: {set(pages) ^ set(PAGES)}"


@pytest.mark.parametrize(("name", "method", "role", "want"), role_cases(PAGES))
def test_each_narratives_page_answers_each_role_as_the_rules_say(
    narratives_world, name, method, role, want
):
    world = narratives_world
    url = page_url(name, {**world["values"], **world["per_url"].get(name, {})})
    body = world["data"].get(name, {}) if method == "POST" else {}

    assert page_answer(world, role, method, url, body) == want, f"{role} {method} {url}"


API = {
    "/api/narratives/": {"GET": (401, *[200] * 6), "POST": (401, 404, 403, 403, 403, 404, 201)},
    "/api/narratives/{id}/": {
        "GET": (401, 404, 200, 200, 200, 404, 200),
        "PATCH": (401, 404, 403, 403, 403, 404, 200),
    },
    "/api/narratives/{id}/status/": {"POST": (401, 404, 403, 403, 403, 404, 200)},
    "/api/questions/": {"GET": (401, *[200] * 6), "POST": (401, 404, 403, 201, 201, 404, 201)},
    "/api/questions/{id}/": {"GET": (401, 404, 404, 200, 200, 404, 200)},
    "/api/questions/{id}/answered/": {"POST": (401, 404, 404, 200, 200, 404, 200)},
    "/api/questions/{id}/answers/": {
        "GET": (401, 404, 404, 200, 200, 404, 200),
        "POST": (401, 404, 404, 201, 201, 404, 201),
    },
    "/api/questions/{id}/answers/{answer_pk}/helpful/": {
        "POST": (401, 404, 404, 200, 403, 404, 403)
    },
    "/api/questions/{id}/pose/": {"POST": (401, 404, 404, 200, 200, 404, 200)},
    "/api/initiatives/": {"GET": (401, *[200] * 6), "POST": (401, 404, 403, 201, 201, 404, 201)},
    "/api/initiatives/{id}/": {"GET": (401, 404, 404, 200, 200, 404, 200)},
    "/api/initiatives/{id}/status/": {"POST": (401, 404, 404, 403, 200, 404, 200)},
    "/api/help-requests/": {"GET": (401, *[200] * 6), "POST": (401, 404, 403, 201, 201, 404, 403)},
    "/api/help-requests/{id}/": {"GET": (401, 404, 404, 200, 200, 404, 200)},
    "/api/help-requests/{id}/raise/": {"POST": (401, 404, 404, 200, 200, 404, 200)},
    "/api/help-requests/{id}/resolve/": {"POST": (401, 404, 404, 200, 200, 404, 200)},
    "/api/help-requests/{id}/responses/": {
        "GET": (401, 404, 404, 200, 200, 404, 200),
        "POST": (401, 404, 404, 201, 201, 404, 201),
    },
}
API_PREFIXES = ("/api/narratives/", "/api/questions/", "/api/initiatives/", "/api/help-requests/")


def test_every_narratives_endpoint_has_a_row_in_the_table():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    routes = {
        path: {method.upper() for method in ops}
        for path, ops in schema["paths"].items()
        if path.startswith(API_PREFIXES)
    }
    assert set(routes) == set(API), f"endpoints without a row: {set(routes) ^ set(API)}"
    for path, methods in routes.items():
        assert methods == set(API[path]), f"{path} takes {methods}: fill the table"


def _endpoint_url(world: dict, path: str) -> str:
    per_id = {
        "/api/narratives/{id}/": world["per_url"]["narratives:narrative_detail"]["pk"],
        "/api/narratives/{id}/status/": world["per_url"]["narratives:narrative_detail"]["pk"],
        "/api/initiatives/{id}/": world["per_url"]["narratives:initiative_detail"]["pk"],
        "/api/initiatives/{id}/status/": world["per_url"]["narratives:initiative_detail"]["pk"],
    }
    question_pk = world["per_url"]["narratives:question_detail"]["pk"]
    help_pk = world["per_url"]["narratives:help_detail"]["pk"]
    answer_pk = world["per_url"]["narratives:answer_helpful"]["pk"]
    if path.startswith("/api/questions/{id}"):
        ident = question_pk
    elif path.startswith("/api/help-requests/{id}"):
        ident = help_pk
    else:
        ident = per_id.get(path)
    return re.sub(
        r"{(\w+)}", lambda m, i=ident: str(answer_pk if m.group(1) == "answer_pk" else i), path
    )


def _endpoint_data(world: dict) -> dict:
    today = timezone.localdate()
    target = world["target"]
    return {
        "/api/narratives/": {
            "network": target.network.slug,
            "title": "Shared power",
            "horizon_year": today.year + 15,
            "opportunity": "Every roof makes power.",
        },
        "/api/narratives/{id}/": {"title": "Living rivers, again"},
        "/api/narratives/{id}/status/": {"status": "draft"},
        "/api/questions/": {"group": target.pk, "text": "Who has a boat?"},
        "/api/questions/{id}/answered/": {"follow_ups": []},
        "/api/questions/{id}/answers/": {"body": "Ask the rowing club."},
        "/api/questions/{id}/answers/{answer_pk}/helpful/": {"helpful": True},
        "/api/initiatives/": {
            "group": target.pk,
            "title": "Hedges",
            "impact": "low",
            "speed": "slow",
            "starts_on": str(today),
            "ends_on": str(today + timedelta(days=200)),
        },
        "/api/initiatives/{id}/status/": {"status": "active"},
        "/api/help-requests/": {"group": target.pk, "summary": "Where are the tools?"},
        "/api/help-requests/{id}/responses/": {"body": "In the shed."},
    }


@pytest.mark.parametrize(("path", "method", "role", "want"), role_cases(API))
def test_each_narratives_endpoint_answers_each_role_as_the_rules_say(
    narratives_world, path, method, role, want
):
    world = narratives_world
    url = _endpoint_url(world, path)
    body = _endpoint_data(world).get(path) if method in ("POST", "PATCH") else None

    response = rolled_back(
        getattr(api_client(world, role), method.lower()), url, body, format="json"
    )

    assert response.status_code == want, f"{role} {method} {url}: {response.content[:300]}"
