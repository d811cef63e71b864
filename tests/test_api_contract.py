"""The OpenAPI schema says what the API answers (issue 14, "The API says exactly what it does"):
errors in the one shape, ids from 1, no list filters where they do nothing, lists as they are."""

import re

import pytest

from impact.ids import MAX_ID

pytestmark = pytest.mark.django_db

NESTED_LISTS = [
    ("/api/groups/{id}/members/", "get"),
    ("/api/groups/{id}/waitlist/", "get"),
    ("/api/groups/{id}/requests/", "get"),
    ("/api/groups/{id}/invitations/", "get"),
    ("/api/meetings/{id}/reflections/", "get"),
    ("/api/questions/{id}/answers/", "get"),
    ("/api/questions/{id}/answered/", "post"),
    ("/api/help-requests/{id}/responses/", "get"),
]


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from drf_spectacular.generators import SchemaGenerator

    with django_db_blocker.unblock():
        return SchemaGenerator().get_schema(request=None, public=True)


def _operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def test_every_operation_documents_its_errors_in_the_one_shape(schema):
    error = schema["components"]["schemas"]["Error"]
    assert error["required"] == ["detail", "code", "fields"]
    for path, method, operation in _operations(schema):
        if path == "/api/auth/token/":
            continue  # below
        codes = set(operation["responses"])
        expected = {"401", "403"}
        if method != "get":
            expected |= {"400", "409", "429"}
        if "{" in path:
            expected.add("404")
        assert expected <= codes, (method, path, codes)
        for code in expected:
            content = operation["responses"][code]["content"]["application/json"]
            assert content["schema"] == {"$ref": "#/components/schemas/Error"}


def test_the_token_endpoint_documents_exactly_what_it_answers(schema):
    responses = schema["paths"]["/api/auth/token/"]["post"]["responses"]
    # a missing field; a wrong password; an unconfirmed email; too many tries
    assert set(responses) == {"200", "400", "401", "403", "429"}


def test_writes_that_name_objects_in_their_body_document_404(schema):
    for path, method in [("/api/meetings/", "post"), ("/api/questions/", "post")]:
        assert "404" in schema["paths"][path][method]["responses"], (method, path)
    assert "404" not in schema["paths"]["/api/networks/"]["post"]["responses"]


def test_text_has_no_nul_and_required_text_is_long_enough_once_trimmed(schema):
    components = schema["components"]["schemas"]
    name = components["NetworkRequest"]["properties"]["name"]["pattern"]
    description = components["NetworkRequest"]["properties"]["description"]["oneOf"][0]["pattern"]
    statement = components["JoinInputRequest"]["properties"]["statement"]["pattern"]
    for text, matches in [("Green Town", True), ("   ", False), ("a\x00b", False)]:
        assert bool(re.search(name, text)) is matches, (name, text)
    assert re.search(description, "") and not re.search(description, "a\x00")
    assert re.search(statement, "  I want to help  ")
    assert not re.search(statement, "   too short   ")


def test_ids_in_paths_and_filters_are_whole_numbers_from_one(schema):
    for path, method, operation in _operations(schema):
        for parameter in operation.get("parameters", []):
            named_an_id = parameter["in"] == "path" and parameter["name"] != "token"
            named_an_id = named_an_id and parameter["name"] != "slug"
            if named_an_id or parameter["name"] in {"group", "network", "user", "metric"}:
                assert parameter["schema"]["type"] == "integer", (method, path, parameter)
                assert parameter["schema"]["minimum"] == 1
                assert parameter["schema"]["maximum"] == MAX_ID


def test_ids_in_bodies_are_whole_numbers_from_one(schema):
    components = schema["components"]["schemas"]
    for name in ("MeetingRequest", "HelpRequestRequest", "QuestionRequest", "NextActionRequest"):
        for field, spec in components[name]["properties"].items():
            if field in {"group", "narrative", "owner"}:
                assert spec["minimum"] == 1, (name, field)


@pytest.mark.parametrize(("path", "method"), NESTED_LISTS)
def test_nested_routes_advertise_no_list_filters_and_answer_a_plain_list(schema, path, method):
    operation = schema["paths"][path][method]
    assert [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"] == []
    body = operation["responses"][next(c for c in operation["responses"] if c.startswith("2"))]
    assert body["content"]["application/json"]["schema"]["type"] == "array"


def test_a_start_time_is_a_local_time_without_an_offset(schema):
    spec = schema["components"]["schemas"]["Cadence"]["properties"]["start_time"]
    assert spec.get("format") != "time"  # JSON Schema's `time` demands an offset
    assert re.match(spec["pattern"], "19:00:00")
    assert re.match(spec["pattern"], "19:00")
    assert not re.match(spec["pattern"], "19:00:00+02:00")
