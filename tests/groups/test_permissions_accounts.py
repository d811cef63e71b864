"""The account and notification pages and endpoints, sign-in (allauth), the API's own pages and
the admin, walked with every kind of person; and a check that the walks, between them, cover
every URL the app serves.
"""

import re

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, reverse
from drf_spectacular.generators import EndpointEnumerator, SchemaGenerator
from rest_framework.test import APIClient

from impact.models import Notification
from impact.services import email_unsubscribe_token, notify
from tests.factories import PASSWORD, UserFactory
from tests.groups import test_permissions as groups_walk
from tests.groups import test_permissions_metrics as metrics_walk
from tests.groups import test_permissions_narratives as narratives_walk
from tests.groups.test_permissions import (
    LOGIN,
    ROLES,
    _,
    answer,
    page_answer,
    page_url,
    role_cases,
    rolled_back,
    url_patterns,
)
from tests.groups.test_permissions import world as world  # the shared fixture

pytestmark = pytest.mark.django_db

SIGNED_IN = (LOGIN, *[200] * 6)
NOT_ALLOWED = (LOGIN, *[405] * 6)
PAGES = {
    "healthz": {"GET": (200, *[200] * 6), "POST": (405, *[405] * 6)},
    # The installable app's files are the same for everyone and hold nothing private.
    "web_manifest": {"GET": (200, *[200] * 6), "POST": (405, *[405] * 6)},
    "service_worker": {"GET": (200, *[200] * 6), "POST": (405, *[405] * 6)},
    "offline": {"GET": (200, *[200] * 6), "POST": (405, *[405] * 6)},
    # The JavaScript's words in the reader's language: the same strings for everyone.
    "javascript_catalogue": {"GET": (200, *[200] * 6), "POST": (405, *[405] * 6)},
    "profile": {"GET": SIGNED_IN, "POST": (LOGIN, *[302] * 6)},
    # Anyone may pick a language: kept in a cookie, and on the profile when signed in.
    "language_choose": {"GET": (405, *[405] * 6), "POST": (302, *[302] * 6)},
    # A wrong password is a form error, never a deletion.
    "account_delete": {"GET": SIGNED_IN, "POST": SIGNED_IN},
    "notification_list": {"GET": SIGNED_IN, "POST": NOT_ALLOWED},
    "notification_menu": {"GET": SIGNED_IN, "POST": NOT_ALLOWED},
    "notifications_read_all": {"GET": NOT_ALLOWED, "POST": (LOGIN, *[302] * 6)},
    "notification_settings": {"GET": SIGNED_IN, "POST": (LOGIN, *[302] * 6)},
    # Someone else's notification does not exist for you.
    "notification_open": {"GET": NOT_ALLOWED, "POST": (LOGIN, 404, 404, 302, 404, 404, 404)},
    # The signed token is the credential: mail clients use it without a session.
    "email_unsubscribe": {"GET": (200, *[200] * 6), "POST": (200, *[200] * 6)},
    # Search answers everyone signed in, each with only what they may read (tests/search).
    "search:search": {"GET": SIGNED_IN, "POST": NOT_ALLOWED},
}


def impact_pages() -> dict:
    return {
        name: pattern
        for name, pattern in url_patterns().items()
        if pattern.callback.__module__ in ("impact.views", "impact.search.views")
    }


@pytest.fixture(scope="module")
def notification(world, django_db_blocker):
    """The member's in-app welcome; undone with the world."""
    member = world["people"]["member"]
    with django_db_blocker.unblock():
        with transaction.atomic():
            notify(recipients=[member], kind="welcome", key="walk", title="Welcome", email=False)
        return Notification.objects.get(recipient=member, kind="welcome", channel="in_app")


ACCOUNT_DATA = {
    "profile": {"display_name": "New name", "time_zone": "Europe/Paris"},
    "account_delete": {"password": "not the password"},
    "language_choose": {"language": "en"},
    "notification_settings": {"kinds": ["welcome"]},
}


def test_every_account_page_has_a_row_in_the_table():
    pages = impact_pages()
    assert set(pages) == set(PAGES), f"pages without a row: {set(pages) ^ set(PAGES)}"


@pytest.mark.parametrize(("name", "method", "role", "want"), role_cases(PAGES))
def test_each_account_page_answers_each_role_as_the_rules_say(
    world, notification, name, method, role, want
):
    member = world["people"]["member"]
    token = email_unsubscribe_token(user=member, kind="welcome")
    url = page_url(name, {"pk": notification.pk, "token": token})
    body = ACCOUNT_DATA.get(name, {}) if method == "POST" else {}

    assert page_answer(world, role, method, url, body) == want, f"{role} {method} {url}"


HOME = "home"  # a redirect to the home page
EVERYONE = (200, *[200] * 6)
GONE_FOR_ALL = (405, *[405] * 6)
FORBIDDEN = (LOGIN, *[403] * 6)
# allauth's pages. Signing in, up or out, and resetting a password, work without a session;
# the account's own pages (password, email addresses) send the signed-out to sign in.
AUTH_PAGES = {
    "account_login": {"GET": (200, *[HOME] * 6), "POST": (200, *[HOME] * 6)},
    "account_logout": {"GET": (HOME, *[200] * 6), "POST": (HOME, *[HOME] * 6)},
    "account_signup": {"GET": (200, *[HOME] * 6), "POST": (200, *[HOME] * 6)},
    "account_inactive": {"GET": EVERYONE, "POST": GONE_FOR_ALL},
    "account_reauthenticate": {"GET": SIGNED_IN, "POST": SIGNED_IN},
    # A post with no action in it goes back to the list.
    "account_email": {"GET": SIGNED_IN, "POST": (LOGIN, *["/accounts/email/"] * 6)},
    "account_email_verification_sent": {"GET": EVERYONE, "POST": GONE_FOR_ALL},
    "account_change_password": {"GET": SIGNED_IN, "POST": SIGNED_IN},
    # Everyone here has a password already, so they are sent to change it instead.
    "account_set_password": {
        "GET": (LOGIN, *["/accounts/password/change/"] * 6),
        "POST": (LOGIN, *["/accounts/password/change/"] * 6),
    },
    "account_reset_password": {"GET": EVERYONE, "POST": EVERYONE},
    "account_reset_password_done": {"GET": EVERYONE, "POST": GONE_FOR_ALL},
    # A made-up key: a page saying the link is not valid (a 404 for a confirmation).
    "account_confirm_email": {"GET": EVERYONE, "POST": (404, *[404] * 6)},
    "account_reset_password_from_key": {"GET": EVERYONE, "POST": EVERYONE},
    "account_reset_password_from_key_done": {"GET": EVERYONE, "POST": GONE_FOR_ALL},
    # Only during a sign-in by emailed code, which this site does not offer.
    "account_confirm_login_code": {"GET": (LOGIN, *[HOME] * 6), "POST": (LOGIN, *[HOME] * 6)},
    # Confirming it is you is by password only: asking for a code is refused, signed in or not.
    "account_request_reauthentication_code": {"GET": FORBIDDEN, "POST": FORBIDDEN},
    "account_confirm_reauthentication_code": {"GET": FORBIDDEN, "POST": FORBIDDEN},
    # The schema and its browsable docs are public, like any published API description.
    "api-schema": {"GET": EVERYONE, "POST": GONE_FOR_ALL},
    "api-docs": {"GET": EVERYONE, "POST": GONE_FOR_ALL},
}
AUTH_VALUES = {"key": "not-a-key", "uidb36": "1"}

# The impact app's endpoints: {OpenAPI path: {method: expected answer per role}}.
API = {
    # Anyone may ask for a token; a wrong password is a 401 with a message, for everyone.
    "/api/auth/token/": {"POST": (401, *[401] * 6)},
    "/api/me/": {"GET": (401, *[200] * 6), "PATCH": (401, *[200] * 6)},
    # The zip of "Download my data": each person's own.
    "/api/me/export/": {"GET": (401, *[200] * 6)},
    "/api/notifications/": {"GET": (401, *[200] * 6), "POST": (401, _, _, _, _, _, _)},
    "/api/notifications/read/": {"POST": (401, *[200] * 6), "GET": (401, _, _, _, _, _, _)},
    # Everyone signed in searches, each within what they may read (tests/search).
    "/api/search/": {"GET": (401, *[200] * 6)},
}
API_DATA = {
    "/api/auth/token/": {"username": "nobody-here", "password": "wrong"},
    "/api/me/": {"display_name": "New name"},
    "/api/notifications/read/": {"ids": []},
}


def _kwargs(pattern: URLPattern, values: dict) -> dict:
    names = list(pattern.pattern.converters) or re.findall(r"\?P<(\w+)>", str(pattern.pattern))
    return {name: values[name] for name in names}


def _answer(response):
    """The status, or where a redirect goes: HOME, LOGIN or the path."""
    if response.status_code == 302 and response.url == reverse("home"):
        return HOME
    if response.status_code == 302 and answer(response) != LOGIN:
        return response.url
    return answer(response)


def sign_in_pages() -> dict[str, URLPattern]:
    return {
        name: pattern
        for name, pattern in url_patterns().items()
        if pattern.callback.__module__.startswith("allauth.") or name in ("api-schema", "api-docs")
    }


def test_every_sign_in_page_and_the_api_docs_have_a_row_in_the_table():
    auth = sign_in_pages()
    assert set(auth) == set(AUTH_PAGES), f"pages without a row: {set(auth) ^ set(AUTH_PAGES)}"


@pytest.mark.parametrize(("name", "method", "role", "want"), role_cases(AUTH_PAGES))
def test_each_sign_in_page_and_the_api_docs_answer_each_role_as_the_rules_say(
    world, name, method, role, want
):
    url = reverse(name, kwargs=_kwargs(sign_in_pages()[name], AUTH_VALUES))
    # A fresh sign-in for every request: the walk signs out on the way.
    client = Client()
    if world["people"][role] is not None:
        client.force_login(world["people"][role])

    response = rolled_back(getattr(client, method.lower()), url, {})

    assert _answer(response) == want, f"{role} {method} {url}"


def test_every_account_endpoint_is_in_the_table_with_the_methods_it_serves():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, table in API.items():
        served = {method.upper() for method in schema["paths"][path]}
        assert served == {m for m, row in table.items() if row[1] is not None}, path


@pytest.mark.parametrize(("path", "method", "role", "want"), role_cases(API))
def test_each_account_endpoint_answers_each_role_as_the_rules_say(world, path, method, role, want):
    want = 405 if want is None else want
    client = APIClient()
    if world["people"][role] is not None:
        client.force_authenticate(world["people"][role])

    send = getattr(client, method.lower())
    response = rolled_back(send, path, API_DATA.get(path), format="json")

    assert response.status_code == want, f"{role} {method} {path}: {response.content[:300]}"
    if response.status_code >= 400:
        assert set(response.json()) == {"detail", "code", "fields"}, response.content


ADMIN_VALUES = {"object_id": "1", "id": "1", "app_label": "groups", "content_type_id": "1"}
# Not walked: the admin's own sign-in and sign-out, and its catch-all (a 404 named None).
ADMIN_PAGES = sorted(
    name
    for name in url_patterns()
    if name.startswith("admin:") and name not in ("admin:login", "admin:logout", "admin:None")
)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_the_admin_is_for_staff_only(world, name, role):
    """Every admin URL sends anyone who is not staff to the admin's sign-in."""
    url = reverse(name, kwargs=_kwargs(url_patterns()[name], ADMIN_VALUES))
    login = reverse("admin:login")
    client = Client()
    if world["people"][role] is not None:
        client.force_login(world["people"][role])
    for method in ("get", "post"):
        response = rolled_back(getattr(client, method), url, {})
        assert response.status_code == 302 and response.url.startswith(login), (
            f"{role} {method} {url}: {response.status_code}"
        )


def test_staff_get_into_the_admin():
    staff = Client()
    staff.force_login(UserFactory(is_staff=True, is_superuser=True))
    for name in (
        "admin:index",
        "admin:groups_auditevent_changelist",
        "admin:impact_user_changelist",
    ):
        assert staff.get(reverse(name)).status_code == 200, name
    login = reverse("admin:login")
    assert Client().post(login, {"username": "x", "password": PASSWORD}).status_code == 200


def test_the_walks_between_them_cover_every_url_and_every_endpoint():
    """A new page or endpoint must have a row in one of the walks before the suite passes."""
    walked_pages = (
        set(groups_walk.PAGES)
        | set(metrics_walk.PAGES)
        | set(narratives_walk.PAGES)
        | set(PAGES)
        | set(AUTH_PAGES)
    )
    walked_api = set(groups_walk.API) | set(metrics_walk.API) | set(narratives_walk.API) | set(API)
    schema_paths = set(SchemaGenerator().get_schema(request=None, public=True)["paths"])
    assert schema_paths == walked_api, f"endpoints outside every walk: {schema_paths ^ walked_api}"
    # The API's URL patterns are walked through the schema: each must be in it.
    in_schema = {
        callback for _path, _regex, _method, callback in EndpointEnumerator().get_api_endpoints()
    }
    outside = []
    for name, pattern in url_patterns().items():
        if name.startswith("admin:"):
            continue  # test_the_admin_is_for_staff_only
        if name in walked_pages:
            continue
        if pattern.full_route.startswith("api/") and pattern.callback in in_schema:
            continue
        outside.append(f"{name} ({pattern.full_route})")
    assert not outside, "URLs outside every walk:\n" + "\n".join(outside)
