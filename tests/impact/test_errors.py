"""Error pages: the API keeps its error shape even for URLs it does not know."""

import json

import pytest
from django.db import OperationalError

from impact.views import server_error


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/narratives/true/", "/api/help-requests/1e-05/resolve/"])
def test_an_api_id_that_is_not_a_number_is_a_404_in_the_api_error_shape(user_api, path):
    response = user_api.get(path)

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found", "fields": {}}


@pytest.mark.django_db
def test_an_unknown_page_is_a_friendly_404(client, user):
    client.force_login(user)

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "find that page" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_value_the_database_cannot_hold_is_a_400_not_a_500(user_api):
    # PostgreSQL refuses time-zone offsets beyond 15:59; Python's datetime accepts them.
    response = user_api.get("/api/meetings/?starts_at__lte=0128-11-16T04:47:21.057-19:56")

    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert set(response.json()) == {"detail", "code", "fields"}


@pytest.mark.parametrize(
    ("error", "status"), [(OperationalError("server closed"), 503), (ValueError("bug"), 500)]
)
def test_server_errors_answer_in_the_api_shape_and_a_lost_database_is_a_503(rf, error, status):
    for path in ("/api/me/", "/groups/1/"):
        try:
            raise error
        except Exception:
            response = server_error(rf.get(path))
        assert response.status_code == status
        if path.startswith("/api/"):
            body = json.loads(response.content)
            assert set(body) == {"detail", "code", "fields"}
            assert body["code"] == ("unavailable" if status == 503 else "error")
        else:
            assert b"<h1>" in response.content
        assert response.has_header("Retry-After") is (status == 503)


@pytest.mark.django_db
def test_the_site_name_is_the_settings_own_on_pages_errors_the_app_and_calendars(
    client, user, rf, settings
):
    from groups.meetings import ics

    settings.SITE_NAME = "Riverside Circles"
    client.force_login(user)

    page = client.get("/no-such-page/").content.decode()
    assert "· Riverside Circles</title>" in page and "<span>Riverside Circles</span>" in page
    for error in (OperationalError("server closed"), ValueError("bug")):
        try:
            raise error
        except Exception:
            response = server_error(rf.get("/groups/1/"))
        assert b"Riverside Circles</title>" in response.content
    assert client.get("/manifest.webmanifest").json()["name"] == "Riverside Circles"
    assert b"X-WR-CALNAME:Riverside Circles" in ics.calendar_bytes([])
    for text in (page, response.content.decode()):
        assert "Impact Groups" not in text
