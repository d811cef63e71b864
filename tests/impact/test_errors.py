"""Error pages: the API keeps its error shape even for URLs it does not know."""

import pytest


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
