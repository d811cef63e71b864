"""Ids nobody could hold: far past the 64-bit range, negative, or not numbers at all.

An id in the path that no row can have is a 404; one in a query or a body is a 400 naming the
field. Never a 500, on PostgreSQL or on SQLite (which cannot even bind a number past 64 bits:
its driver raises OverflowError). The routes and fields are discovered (pages from the URL
resolver, endpoints and their parameters from the OpenAPI schema), so a new one is walked too.
"""

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.urls import URLPattern, reverse
from django.urls.converters import IntConverter
from drf_spectacular.generators import SchemaGenerator

from groups.permissions import group_for_user
from impact.ids import MAX_ID, IdConverter, parse_id
from tests.groups.test_permissions import api_clients, rolled_back, signed_in_clients, url_patterns
from tests.groups.test_permissions import world as world  # the shared fixtures
from tests.groups.test_permissions_metrics import metrics_world as metrics_world
from tests.groups.test_permissions_narratives import narratives_world as narratives_world

pytestmark = pytest.mark.django_db

HUGE = 99999999999999999999999  # the number in the bug report
OUT_OF_RANGE = (MAX_ID + 1, HUGE)
NOT_AN_ID = (*OUT_OF_RANGE, -1, -HUGE, 0)
SIGNED_IN = ("organizer", "moderator", "member")  # someone who may use it, whatever it is


@pytest.fixture
def every_world(metrics_world, narratives_world):
    """The walks' worlds together: a value for every path parameter of every route."""
    pages = narratives_world["per_url"]
    endpoints = {
        f"/api/{prefix}/{{id}}/{rest}": {"id": pages[f"narratives:{page}"]["pk"]}
        for prefix, page in [
            ("narratives", "narrative_detail"),
            ("questions", "question_detail"),
            ("initiatives", "initiative_detail"),
            ("help-requests", "help_detail"),
        ]
        for rest in ("", "status/", "answered/", "answers/", "pose/", "raise/", "resolve/")
    }
    return {
        "people": metrics_world["people"],
        "values": {**metrics_world["values"], **narratives_world["values"]},
        "per_url": {
            **metrics_world["per_url_values"],
            **metrics_world["per_url"],
            **pages,
            **endpoints,
        },
    }


def id_params(pattern: URLPattern) -> list[str]:
    return [
        name
        for name, converter in pattern.pattern.converters.items()
        if isinstance(converter, IdConverter)
    ]


def schema_operations():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            body = (
                operation.get("requestBody", {})
                .get("content", {})
                .get("application/json", {})
                .get("schema", {})
            )
            if "$ref" in body:
                body = components[body["$ref"].split("/")[-1]]
            yield path, method.upper(), operation, body


def is_integer(schema: dict) -> bool:
    return schema.get("type") == "integer" or (
        schema.get("type") == "array" and schema.get("items", {}).get("type") == "integer"
    )


def fill(path: str, values: dict) -> str:
    """The path with the world's values (1 where the world has none: any id will do there)."""
    return re.sub(r"{(\w+)}", lambda m: str(values.get(m.group(1), 1)), path)


# The rule itself ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        ("1", 1),
        (1, 1),
        (str(MAX_ID), MAX_ID),
        (str(MAX_ID + 1), None),
        (str(HUGE), None),
        ("0", None),
        ("-1", None),
        ("1_000", None),
        (" 7", None),
        ("7.0", None),
        ("abc", None),
        ("", None),
        (None, None),
        (True, None),
    ],
)
def test_parse_id_takes_whole_numbers_a_bigint_column_can_hold(value, expected):
    assert parse_id(value) == expected


def test_no_route_takes_a_bare_int_since_it_matches_numbers_no_row_can_have():
    bare = [
        pattern.full_route
        for pattern in url_patterns().values()
        if any(isinstance(c, IntConverter) for c in pattern.pattern.converters.values())
    ]
    assert not bare, f"use <id:...> (impact.ids) instead of <int:...>: {bare}"


def test_group_for_user_answers_404_for_an_id_out_of_range(world):
    for pk in NOT_AN_ID:
        with pytest.raises(Http404):
            group_for_user(world["people"]["organizer"], pk)
    with pytest.raises(Http404):
        group_for_user(AnonymousUser(), HUGE)


# The reported URLs --------------------------------------------------------------------------


def test_the_reported_urls_answer_404_and_400_instead_of_a_server_error(world):
    client = signed_in_clients({"member": world["people"]["member"]})["member"]
    client.raise_request_exception = False

    assert client.get(f"/groups/{HUGE}/").status_code == 404
    assert client.get(f"/api/groups/{HUGE}/").status_code == 404
    response = client.get(f"/api/actions/?group={HUGE}")
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"group"}


# Every route, parameter and field -----------------------------------------------------------


def test_every_page_answers_404_for_an_id_out_of_range_in_its_path(every_world):
    clients = signed_in_clients({role: every_world["people"][role] for role in SIGNED_IN})
    wrong = []
    walked = 0
    for name, pattern in url_patterns().items():
        ids = id_params(pattern)
        if not ids or pattern.full_route.startswith("api/"):
            continue
        values = {**every_world["values"], **every_world["per_url"].get(name, {})}
        good = {key: values.get(key, 1) for key in pattern.pattern.converters}
        url = reverse(name, kwargs=good)
        for key in ids:
            for bad in OUT_OF_RANGE:
                # reverse() would refuse the value: swap it into a valid URL instead.
                bad_url = url.replace(f"/{good[key]}/", f"/{bad}/", 1)
                if bad_url == url:
                    bad_url = url.replace(f"/{good[key]}", f"/{bad}", 1)
                for role, client in clients.items():
                    client.raise_request_exception = False
                    for method in ("get", "post"):
                        walked += 1
                        status = rolled_back(getattr(client, method), bad_url).status_code
                        if status != 404:
                            wrong.append(f"{role:10} {method.upper():5} {bad_url}: {status}")
    assert walked > 100
    assert not wrong, "\n" + "\n".join(wrong)


def test_every_endpoint_answers_404_for_an_id_out_of_range_in_its_path(every_world):
    clients = api_clients({role: every_world["people"][role] for role in SIGNED_IN})
    wrong = []
    walked = 0
    for path, method, _operation, _body in schema_operations():
        params = re.findall(r"{(\w+)}", path)
        for key in (p for p in params if p not in ("slug", "token")):
            values = {**every_world["values"], **every_world["per_url"].get(path, {})}
            for bad in OUT_OF_RANGE:
                url = fill(path, {**values, key: bad})
                for role, client in clients.items():
                    walked += 1
                    send = getattr(client, method.lower())
                    response = rolled_back(send, url, {}, format="json")
                    if response.status_code != 404:
                        wrong.append(f"{role:10} {method:6} {url}: {response.status_code}")
                    elif response.json()["code"] != "not_found":
                        wrong.append(f"{role:10} {method:6} {url}: {response.content}")
    assert walked > 100
    assert not wrong, "\n" + "\n".join(wrong)


def test_every_id_in_a_query_answers_400_naming_the_parameter(every_world):
    clients = api_clients({role: every_world["people"][role] for role in SIGNED_IN})
    wrong = []
    walked = 0
    for path, method, operation, _body in schema_operations():
        if method != "GET":
            continue
        url = fill(path, {**every_world["values"], **every_world["per_url"].get(path, {})})
        for parameter in operation.get("parameters", []):
            name = parameter["name"]
            if parameter["in"] != "query" or name == "page":
                continue
            if parameter["schema"].get("type") not in ("integer", "number"):
                continue
            for bad in NOT_AN_ID:
                for role, client in clients.items():
                    walked += 1
                    response = rolled_back(client.get, url, {name: bad})
                    status = response.status_code
                    # A detail route may list a filter it does not apply (a 200, harmless);
                    # a list applies it, and says which one was wrong.
                    if status >= 500 or (status == 200 and "{" not in path):
                        wrong.append(f"{role:10} GET {url}?{name}={bad}: {status}")
                    elif status == 400 and name not in response.json()["fields"]:
                        wrong.append(f"{role:10} GET {url}?{name}={bad}: {response.content}")
    assert walked > 50
    assert not wrong, "\n" + "\n".join(wrong)


def test_every_integer_in_a_body_answers_400_naming_the_field(every_world):
    """As each of the usual cast, so that someone may use the endpoint and the body is read."""
    clients = api_clients({role: every_world["people"][role] for role in SIGNED_IN})
    wrong = []
    walked = 0
    for path, method, _operation, body in schema_operations():
        if method not in ("POST", "PUT", "PATCH"):
            continue
        url = fill(path, {**every_world["values"], **every_world["per_url"].get(path, {})})
        for name, field in body.get("properties", {}).items():
            if field.get("readOnly") or not is_integer(field):
                continue
            for bad in (*OUT_OF_RANGE, -1, -HUGE):
                value = [bad] if field["type"] == "array" else bad
                answers = []
                for client in clients.values():
                    walked += 1
                    send = getattr(client, method.lower())
                    response = rolled_back(send, url, {name: value}, format="json")
                    answers.append(response.status_code)
                    if response.status_code == 400 and name in response.json()["fields"]:
                        break
                else:
                    wrong.append(f"{method:6} {url} {name}={value}: {answers}")
    assert walked > 50
    assert not wrong, "\n" + "\n".join(wrong)


def test_ids_out_of_range_in_a_page_form_or_query_are_refused_without_a_server_error(world):
    target, people = world["target"], world["people"]
    clients = signed_in_clients({"organizer": people["organizer"]})
    organizer = clients["organizer"]
    organizer.raise_request_exception = False
    meeting_pk = world["per_url_values"]["groups:meeting_change"]["pk"]
    audit = reverse("groups:network_audit", kwargs={"slug": target.network.slug})
    for bad in (*NOT_AN_ID, "abc"):
        assert rolled_back(organizer.get, audit, {"group": bad}).status_code == 200
        response = rolled_back(
            organizer.post,
            reverse("groups:meeting_change", kwargs={"pk": meeting_pk}),
            {"action": "attendance", "attended": [bad]},
        )
        assert response.status_code in (302, 400), (bad, response.status_code)
        response = rolled_back(
            organizer.post,
            reverse("groups:group_spin_out", kwargs={"pk": target.pk}),
            {"name": "Spun", "moderator": bad, "move": [bad], "confirm": "1"},
        )
        assert response.status_code == 200, (bad, response.status_code)  # the form, with errors
