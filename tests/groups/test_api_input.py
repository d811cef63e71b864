"""The API takes exactly what its schema allows (issue 14): JSON bodies only, booleans that are
true or false, ids that name nothing answered with 404 (in a body) or an empty list (in a filter),
and no query parameter without a value."""

import pytest

from groups.models import Network

pytestmark = pytest.mark.django_db


def test_a_form_body_is_refused_with_415(api, organizer):
    response = api(organizer).post("/api/networks/", {"name": "Form Town"}, format="multipart")

    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
    assert not Network.objects.filter(name="Form Town").exists()


@pytest.mark.parametrize("value", ["0", "yes", 1, "true", None])
def test_a_boolean_is_true_or_false_and_nothing_else(api, organizer, value):
    response = api(organizer).post("/api/networks/", {"name": "Odd Town", "is_public": value})

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["is_public"]


def test_a_boolean_true_is_taken(api, organizer):
    response = api(organizer).post("/api/networks/", {"name": "True Town", "is_public": True})

    assert response.status_code == 201
    assert response.json()["is_public"] is True


def test_a_body_naming_a_group_that_does_not_exist_is_a_404_naming_the_field(api, member):
    response = api(member).post(
        "/api/meetings/", {"group": 987654, "starts_at": "2030-01-01T18:00:00Z"}
    )

    assert response.status_code == 404
    body = response.json()
    assert body["code"] == "not_found"
    assert list(body["fields"]) == ["group"]


def test_a_filter_by_a_group_that_does_not_exist_is_an_empty_list(api, member, group):
    assert api(member).get("/api/meetings/", {"group": group.pk}).status_code == 200

    response = api(member).get("/api/meetings/", {"group": 987654})

    assert response.status_code == 200
    assert response.json()["results"] == []


def test_a_filter_by_a_private_network_one_cannot_see_is_an_empty_list(api, outsider):
    other = Network.objects.create(name="Hidden", slug="hidden", is_public=False)

    response = api(outsider).get("/api/groups/", {"network": other.pk})

    assert response.status_code == 200
    assert response.json()["results"] == []


@pytest.mark.parametrize(
    ("path", "parameter"),
    [("/api/actions/", "until"), ("/api/meetings/", "group"), ("/api/questions/", "status")],
)
def test_a_query_parameter_without_a_value_is_a_400_naming_it(api, member, path, parameter):
    response = api(member).get(path, {parameter: ""})

    assert response.status_code == 400
    assert list(response.json()["fields"]) == [parameter]


def test_a_boolean_filter_takes_true_or_false(api, member):
    assert api(member).get("/api/questions/", {"posed_to_network": "true"}).status_code == 200

    response = api(member).get("/api/questions/", {"posed_to_network": "maybe"})

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["posed_to_network"]


def test_join_statement_is_long_enough_once_trimmed_in_the_api_too(api, group, outsider):
    response = api(outsider).post(f"/api/groups/{group.pk}/join/", {"statement": "   short   "})

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["statement"]


def test_a_taken_name_alone_is_a_409_and_with_other_mistakes_a_400(api, organizer, group):
    taken = {"network": group.network_id, "name": "river crew", "purpose": "Another crew."}

    alone = api(organizer).post("/api/groups/", taken)
    with_more = api(organizer).post("/api/groups/", taken | {"purpose": "   "})

    assert alone.status_code == 409
    assert alone.json()["code"] == "unique"
    assert with_more.status_code == 400  # a malformed request first, before the stored state
    assert "purpose" in with_more.json()["fields"]


@pytest.mark.parametrize("minutes", [0, 14, 481])
def test_a_single_meeting_lasts_15_minutes_to_8_hours_in_the_api_too(
    api, group, moderator, minutes
):
    response = api(moderator).post(
        "/api/meetings/",
        {"group": group.pk, "starts_at": "2035-01-01T18:00:00Z", "duration_minutes": minutes},
    )

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["duration_minutes"]
