"""The metrics pages and endpoints, walked with every kind of person (as the groups walk does).

Discovered from the URL resolver and the OpenAPI schema: a new metrics page or endpoint without
a row here fails until someone decides who may use it.
"""

import pytest
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from metrics import services as metrics
from tests.groups.test_permissions import (
    LOGIN,
    _,
    api_client,
    api_url,
    page_answer,
    page_url,
    role_cases,
    rolled_back,
    url_patterns,
)
from tests.groups.test_permissions import world as world  # the shared fixture

pytestmark = pytest.mark.django_db

PAGES = {
    "metrics:member_week": {
        "GET": (LOGIN, 200, 200, 200, 200, 200, 200),
        "POST": (LOGIN, *[405] * 6),
    },
    "metrics:my_export": {
        "GET": (LOGIN, 200, 200, 200, 200, 200, 200),
        "POST": (LOGIN, *[405] * 6),
    },
    "metrics:group_export": {
        "GET": (LOGIN, 404, 403, 403, 200, 404, 200),
        "POST": (LOGIN, *[405] * 6),
    },
    # The zip of everything a person wrote and everything about them: their own, for everyone.
    "metrics:my_data_export": {
        "GET": (LOGIN, 200, 200, 200, 200, 200, 200),
        "POST": (LOGIN, *[405] * 6),
    },
    # A whole network's data: its organizers' (as its audit log), hidden where it is private.
    "metrics:network_export": {
        "GET": (LOGIN, 404, 403, 403, 403, 404, 200),
        "POST": (LOGIN, *[405] * 6),
    },
    "metrics:action_create": {
        "GET": (LOGIN, 404, 403, 200, 200, 404, 403),
        "POST": (LOGIN, 404, 403, 302, 302, 404, 403),
    },
    # Authors edit their own entries; moderators and organizers correct any in the group.
    "metrics:action_edit": {
        "GET": (LOGIN, 404, 403, 200, 200, 404, 200),
        "POST": (LOGIN, 404, 403, 302, 302, 404, 302),
    },
    "metrics:action_delete": {
        "GET": (LOGIN, *[405] * 6),
        "POST": (LOGIN, 404, 403, 302, 302, 404, 302),
    },
    # Undoing a deletion: the author (the member here) and the group's moderators.
    "metrics:action_restore": {
        "GET": (LOGIN, 404, 403, 200, 200, 404, 200),
        "POST": (LOGIN, 404, 403, 302, 302, 404, 302),
    },
    "metrics:group_impact": {
        "GET": (LOGIN, 404, 403, 200, 200, 404, 200),
        "POST": (LOGIN, *[405] * 6),
    },
    "metrics:metric_list": {
        "GET": (LOGIN, 404, 403, 200, 200, 404, 200),
        "POST": (LOGIN, 404, 403, 403, 302, 404, 302),
    },
    "metrics:metric_edit": {
        "GET": (LOGIN, 404, 403, 403, 200, 404, 200),
        "POST": (LOGIN, 404, 403, 403, 302, 404, 302),
    },
    "metrics:metric_archive": {
        "GET": (LOGIN, *[405] * 6),
        "POST": (LOGIN, 404, 403, 403, 302, 404, 302),
    },
    "metrics:metric_adopt": {
        "GET": (LOGIN, *[405] * 6),
        "POST": (LOGIN, 404, 403, 403, 302, 404, 302),
    },
    "metrics:group_ranking": {
        "GET": (LOGIN, *[405] * 6),
        "POST": (LOGIN, 404, 403, 403, 302, 404, 302),
    },
    "metrics:measurement_create": {
        "GET": (LOGIN, *[405] * 6),
        "POST": (LOGIN, 404, 403, 302, 302, 404, 403),
    },
    "metrics:network_leaderboard": {
        "GET": (LOGIN, 404, 200, 200, 200, 404, 200),
        "POST": (LOGIN, 404, 403, 403, 403, 404, 302),
    },
}

API = {
    "/api/actions/": {"GET": (401, *[200] * 6), "POST": (401, 404, 403, 201, 201, 404, 403)},
    "/api/measurements/": {"GET": (401, *[200] * 6), "POST": (401, 404, 403, 201, 201, 404, 403)},
    "/api/metrics/": {"GET": (401, *[200] * 6), "POST": (401, 404, 403, 403, 201, 404, 201)},
    # A metric of a group one cannot read does not exist for them.
    "/api/metrics/{id}/": {
        "GET": (401, 404, 404, 200, 200, 404, 200),
        "PATCH": (401, 404, 404, 403, 200, 404, 200),
    },
}
API_PREFIXES = ("/api/actions/", "/api/measurements/", "/api/metrics/")


@pytest.fixture(scope="module")
def metrics_world(world, django_db_blocker):
    """The world, with metrics, an action and a deleted one; undone with the world."""
    with django_db_blocker.unblock():
        return _with_metrics(world)


def _with_metrics(world: dict) -> dict:
    target = world["target"]
    people = world["people"]
    moderator, member, organizer = people["moderator"], people["member"], people["organizer"]
    metric = metrics.metric_define(actor=moderator, group=target, name="Trees", unit="trees")
    shared = metrics.network_metric_define(
        actor=organizer, network=target.network, name="People reached", unit="people"
    )
    # The member's own today: a day is checked in the person's calendar, which may already be
    # tomorrow where they live (this failed an hour a day before).
    today = timezone.localdate(timezone=member.zone)
    action = metrics.action_log(
        user=member,
        group=target,
        description="Planted oaks",
        happened_on=today,
        effort_minutes=30,
        impacts=[(metric.pk, 4)],
    )
    deleted = metrics.action_log(
        user=member,
        group=target,
        description="Watered the oaks",
        happened_on=today,
        effort_minutes=20,
        impacts=[(metric.pk, 1)],
    )
    deletion = metrics.action_delete(user=member, action=deleted)
    values = {**world["url_values"], "metric_pk": metric.pk}
    per_url = {
        "metrics:action_edit": {"pk": action.pk},
        "metrics:action_delete": {"pk": action.pk},
        "metrics:action_restore": {"pk": deletion.pk},
        "metrics:metric_adopt": {"metric_pk": shared.pk},
        "/api/metrics/{id}/": {"id": metric.pk},
    }
    action_data = {"description": "Planted more oaks", "happened_on": today, "effort_minutes": "45"}
    page_data = {
        "metrics:action_create": action_data,
        "metrics:action_edit": action_data,
        "metrics:metric_list": {
            "name": "Litter",
            "unit": "kg",
            "direction": "higher",
            "aggregation": "sum",
        },
        "metrics:metric_edit": {
            "name": "Trees",
            "unit": "saplings",
            "direction": "higher",
            "aggregation": "sum",
        },
        "metrics:group_ranking": {"ranked": "0"},
        "metrics:measurement_create": {"metric": metric.pk, "value": "3", "measured_on": today},
        "metrics:network_leaderboard": {
            "name": "Hours",
            "unit": "hours",
            "direction": "higher",
            "aggregation": "sum",
        },
    }
    api_data = {
        "/api/actions/": {
            "group": target.pk,
            "description": "Oaks",
            "happened_on": str(today),
            "effort_minutes": 30,
        },
        "/api/measurements/": {
            "group": target.pk,
            "metric": metric.pk,
            "value": "2",
            "measured_on": str(today),
        },
        "/api/metrics/": {"group": target.pk, "name": "Litter", "unit": "kg"},
        "/api/metrics/{id}/": {"unit": "saplings"},
    }
    return {
        **world,
        "values": values,
        "per_url": per_url,
        "page_data": page_data,
        "api_data": api_data,
    }


def metrics_pages() -> dict:
    return {name: p for name, p in url_patterns().items() if name.startswith("metrics:")}


def test_every_metrics_page_and_endpoint_has_a_row_in_the_tables():
    pages = metrics_pages()
    schema = SchemaGenerator().get_schema(request=None, public=True)
    routes = {
        path: {method.upper() for method in ops}
        for path, ops in schema["paths"].items()
        if path.startswith(API_PREFIXES)
    }
    assert set(pages) == set(PAGES), f"pages without a row: {set(pages) ^ set(PAGES)}"
    assert set(routes) == set(API), f"endpoints without a row: {set(routes) ^ set(API)}"
    for path, methods in routes.items():
        assert methods <= set(API[path]), f"{path} takes {methods}: add them to the table"


@pytest.mark.parametrize(("name", "method", "role", "want"), role_cases(PAGES))
def test_each_metrics_page_answers_each_role_as_the_rules_say(
    metrics_world, name, method, role, want
):
    world = metrics_world
    url = page_url(name, {**world["values"], **world["per_url"].get(name, {})})
    body = world["page_data"].get(name, {}) if method == "POST" else {}

    assert page_answer(world, role, method, url, body) == want, f"{role} {method} {url}"


@pytest.mark.parametrize(("path", "method", "role", "want"), role_cases(API))
def test_each_metrics_endpoint_answers_each_role_as_the_rules_say(
    metrics_world, path, method, role, want
):
    world = metrics_world
    want = 405 if want is _ else want
    url = api_url(path, {**world["values"], **world["per_url"].get(path, {})})
    data = world["api_data"].get(path) if method in ("POST", "PATCH") else None

    response = rolled_back(
        getattr(api_client(world, role), method.lower()), url, data, format="json"
    )

    assert response.status_code == want, f"{role} {method} {url}: {response.content[:300]}"
