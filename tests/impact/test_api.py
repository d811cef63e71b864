"""The account and notification API, its error shape, and its published schema."""

import pytest
import yaml
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from impact import services
from impact.models import Notification
from tests.factories import PASSWORD

UNIFORM_KEYS = {"detail", "code", "fields"}


def notify_three(user):
    for n in range(3):
        services.notify(
            recipients=[user], kind="group.membership", key=f"k{n}", title=f"Note {n}", email=False
        )
    return list(
        Notification.objects.filter(recipient=user, channel=Notification.Channel.IN_APP)
        .order_by("id")
        .values_list("id", flat=True)
    )


# Signing in --------------------------------------------------------------------------------


def test_token_endpoint_returns_a_token_for_good_credentials(api_client, user):
    response = api_client.post(
        "/api/auth/token/", {"username": user.username, "password": PASSWORD}, format="json"
    )

    assert response.status_code == 200
    assert response.json() == {"token": Token.objects.get(user=user).key}


def test_token_endpoint_refuses_bad_credentials_with_401_in_the_uniform_shape(api_client, user):
    response = api_client.post(
        "/api/auth/token/", {"username": user.username, "password": "wrong"}, format="json"
    )

    assert response.status_code == 401
    body = response.json()
    assert set(body) == UNIFORM_KEYS
    assert body["code"] == "authentication_failed"
    assert body["detail"] == "Unable to log in with provided credentials."
    assert body["fields"] == {}


def test_token_endpoint_names_missing_fields(api_client, db):
    response = api_client.post("/api/auth/token/", {}, format="json")

    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"username", "password"}


def test_token_header_authenticates(user):
    token = Token.objects.create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    response = client.get("/api/me/")

    assert response.status_code == 200
    assert response.json()["username"] == user.username


def test_browser_session_authenticates(client, user):
    client.force_login(user)

    response = client.get("/api/me/")

    assert response.status_code == 200
    assert response.json()["username"] == user.username


def test_session_writes_need_the_csrf_token(user):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)

    response = client.patch("/api/me/", {"display_name": "X"}, format="json")

    assert response.status_code == 403
    assert set(response.json()) == UNIFORM_KEYS


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/api/me/"),
        ("patch", "/api/me/"),
        ("get", "/api/notifications/"),
        ("post", "/api/notifications/read/"),
    ],
)
def test_anonymous_callers_get_401_in_the_uniform_shape(api_client, db, method, url):
    response = getattr(api_client, method)(url, format="json")

    assert response.status_code == 401
    assert response.json() == {
        "detail": "Authentication credentials were not provided.",
        "code": "not_authenticated",
        "fields": {},
    }


def test_a_wrong_token_gets_401_in_the_uniform_shape(api_client, db):
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

    response = api_client.get("/api/me/")

    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


# Me ----------------------------------------------------------------------------------------


def test_me_shows_my_profile(user_api, user, django_assert_max_num_queries):
    with django_assert_max_num_queries(0):  # the signed-in user is already loaded
        response = user_api.get("/api/me/")

    assert response.json() == {
        "id": user.pk,
        "username": user.username,
        "email": user.email,
        "display_name": user.display_name,
        "time_zone": "Europe/Berlin",
        "language": "",
    }


def test_me_patch_changes_display_name_and_time_zone_but_not_username(user_api, user):
    response = user_api.patch(
        "/api/me/",
        {"display_name": "  Lin  ", "time_zone": "Asia/Tokyo", "username": "hijack"},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["time_zone"] == "Asia/Tokyo"
    user.refresh_from_db()
    assert (user.display_name, user.time_zone) == ("Lin", "Asia/Tokyo")
    assert user.username != "hijack"
    assert response.json()["display_name"] == "Lin"


def test_me_patch_with_a_bad_time_zone_is_a_400_naming_the_field(user_api, user):
    response = user_api.patch("/api/me/", {"time_zone": "Atlantis/Capital"}, format="json")

    assert response.status_code == 400
    body = response.json()
    assert set(body) == UNIFORM_KEYS
    assert body["code"] == "invalid"
    assert list(body["fields"]) == ["time_zone"]
    user.refresh_from_db()
    assert user.time_zone == "Europe/Berlin"


def test_me_refuses_put_and_delete(user_api):
    assert user_api.put("/api/me/", {}, format="json").status_code == 405
    response = user_api.delete("/api/me/")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


# Notifications -----------------------------------------------------------------------------


def test_notifications_lists_only_mine_newest_first(
    user_api, user, other_user, django_assert_max_num_queries
):
    ids = notify_three(user)
    notify_three(other_user)

    with django_assert_max_num_queries(2):
        response = user_api.get("/api/notifications/")

    body = response.json()
    assert response.status_code == 200
    assert body["count"] == 3
    assert [item["id"] for item in body["results"]] == ids[::-1]
    assert body["results"][0]["unread"] is True
    assert set(body["results"][0]) == {
        "id",
        "kind",
        "title",
        "body",
        "url",
        "created_at",
        "read_at",
        "unread",
    }


def test_notifications_filter_unread(user_api, user, django_assert_max_num_queries):
    first, *rest = notify_three(user)
    services.notifications_mark_read(user=user, ids=[first])

    with django_assert_max_num_queries(2):
        unread = user_api.get("/api/notifications/", {"unread": "true"}).json()
    with django_assert_max_num_queries(2):
        read = user_api.get("/api/notifications/", {"unread": "false"}).json()

    assert sorted(item["id"] for item in unread["results"]) == rest
    assert [item["id"] for item in read["results"]] == [first]


def test_notifications_unread_filter_rejects_nonsense_with_a_field_error(user_api):
    response = user_api.get("/api/notifications/", {"unread": "perhaps"})

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["unread"]


def test_mark_some_notifications_read(user_api, user, other_user):
    ids = notify_three(user)
    others = notify_three(other_user)

    response = user_api.post(
        "/api/notifications/read/", {"ids": [ids[0], others[0]]}, format="json"
    )

    assert response.status_code == 200
    assert response.json() == {"marked_read": 1}
    assert Notification.objects.filter(pk=others[0], read_at__isnull=True).exists()


def test_mark_all_notifications_read(user_api, user):
    notify_three(user)

    response = user_api.post("/api/notifications/read/", {}, format="json")

    assert response.json() == {"marked_read": 3}
    assert user_api.post("/api/notifications/read/", {}, format="json").json() == {"marked_read": 0}


def test_mark_read_refuses_bad_ids_in_the_uniform_shape(user_api):
    response = user_api.post("/api/notifications/read/", {"ids": ["x"]}, format="json")

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["ids"]


# Schema and docs ---------------------------------------------------------------------------


def test_schema_is_valid_openapi_3_without_warnings(tmp_path, db):
    target = tmp_path / "schema.yml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))

    schema = yaml.safe_load(target.read_text())
    assert schema["openapi"].startswith("3.")
    for path in ("/api/auth/token/", "/api/me/", "/api/notifications/"):
        assert path in schema["paths"]


def test_schema_endpoint_serves_the_schema(client, user):
    client.force_login(user)

    response = client.get("/api/schema/")

    assert response.status_code == 200
    assert b"openapi: 3." in response.content


def test_api_docs_page_loads_without_any_cdn(client, user, django_assert_max_num_queries):
    client.force_login(user)

    with django_assert_max_num_queries(2):
        response = client.get("/api/docs/")

    html = response.content.decode().lower()
    assert response.status_code == 200
    assert "swagger-ui" in html
    for cdn in ("cdn", "jsdelivr", "unpkg"):
        assert cdn not in html


def test_token_endpoint_refuses_an_unconfirmed_account_like_the_sign_in_page(api_client, user):
    user.emailaddress_set.update(verified=False)

    response = api_client.post(
        "/api/auth/token/", {"username": user.username, "password": PASSWORD}, format="json"
    )

    assert response.status_code == 403
    assert response.json()["code"] == "unverified"
    assert "Confirm your email address" in response.json()["detail"]
    assert not Token.objects.filter(user=user).exists()


def test_token_endpoint_is_throttled(api_client, user):
    for _ in range(10):
        api_client.post("/api/auth/token/", {"username": user.username, "password": "x"})

    response = api_client.post(
        "/api/auth/token/", {"username": user.username, "password": PASSWORD}, format="json"
    )

    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
