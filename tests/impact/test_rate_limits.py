"""Writes are rate limited per person (per address signed out), pages and API together."""

import pytest
from django.urls import reverse

from impact.api.throttles import WriteRateThrottle

pytestmark = pytest.mark.django_db

PROFILE = {"display_name": "Pat", "time_zone": "Europe/Paris"}


@pytest.fixture
def three_writes_a_minute(monkeypatch):
    monkeypatch.setattr(WriteRateThrottle, "THROTTLE_RATES", {"write": "3/min"})


def test_form_posts_past_the_limit_get_a_429_page_and_change_nothing(
    client, user, three_writes_a_minute
):
    client.force_login(user)
    for _ in range(3):
        assert client.post(reverse("profile"), PROFILE).status_code == 302

    refused = client.post(reverse("profile"), {**PROFILE, "display_name": "Too fast"})

    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    page = refused.content.decode()
    assert "Nothing was saved this time" in page and "data-history-back" in page
    user.refresh_from_db()
    assert user.display_name == "Pat"
    # Reading is never limited.
    assert client.get(reverse("profile")).status_code == 200


def test_pages_and_the_api_share_one_budget_per_person(
    client, user, other_user, user_api, three_writes_a_minute
):
    for _ in range(3):
        assert user_api.patch("/api/me/", {"display_name": "Pat"}, format="json").status_code == 200
    client.force_login(user)

    assert client.post(reverse("profile"), PROFILE).status_code == 429
    # Someone else has a budget of their own.
    client.force_login(other_user)
    assert client.post(reverse("profile"), PROFILE).status_code == 302


def test_signed_out_posts_are_counted_per_address_and_a_forwarded_header_does_not_reset_it(
    client, three_writes_a_minute
):
    url = reverse("account_login")
    for number in range(3):
        client.post(url, {"login": "x", "password": "y"}, HTTP_X_FORWARDED_FOR=f"10.0.0.{number}")

    again = client.post(url, {"login": "x", "password": "y"}, HTTP_X_FORWARDED_FOR="10.9.9.9")
    elsewhere = client.post(url, {"login": "x", "password": "y"}, REMOTE_ADDR="192.0.2.7")

    assert again.status_code == 429
    assert elsewhere.status_code == 200
