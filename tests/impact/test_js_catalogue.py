"""The words the JavaScript shows come from Django's JavaScript catalogue (/jsi18n/), in the
reader's language: every page loads it before the app's scripts, browsers keep it per
language (an ETag that names the language), and the service worker keeps it for offline."""

import json

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import browser_type_launch_args  # noqa: F401  Debian's Chromium
from tests.e2e.support import sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

THREE_LANGUAGES = [("en", "English"), ("de", "Deutsch"), ("es", "Español")]
FAILED = "That did not go through. What you typed is still here; please try again."
FAILED_DE = (
    "Das hat nicht geklappt. Was du eingegeben hast, ist noch da; versuch es bitte noch einmal."
)
FAILED_ES = "No se pudo completar. Lo que escribiste sigue aquí; vuelve a intentarlo."


@pytest.fixture
def trilingual(settings):
    settings.LANGUAGES = THREE_LANGUAGES


def test_the_catalogue_is_javascript_for_anyone(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(0):
        response = client.get(reverse("javascript_catalogue"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    body = response.content.decode()
    assert "django.gettext = function" in body and "django.interpolate" in body


def shown(words: str) -> str:
    """How the catalogue writes a translation (JSON, non-ASCII letters escaped)."""
    return json.dumps(words)


@pytest.mark.parametrize(("language", "words"), [("de", FAILED_DE), ("es", FAILED_ES)])
def test_the_catalogue_speaks_the_browsers_language(client, trilingual, language, words):
    response = client.get(reverse("javascript_catalogue"), headers={"accept-language": language})

    assert response["Content-Language"] == language
    assert shown(words) in response.content.decode()


def test_the_catalogue_follows_the_profiles_language(client, trilingual):
    client.force_login(UserFactory(language="de"))

    response = client.get(reverse("javascript_catalogue"), headers={"accept-language": "es"})

    assert shown(FAILED_DE) in response.content.decode()


def test_english_needs_no_catalogue_of_ours_and_the_admins_strings_stay_out(client, trilingual):
    english = client.get(reverse("javascript_catalogue")).content.decode()
    german = client.get(reverse("javascript_catalogue"), headers={"accept-language": "de"})

    assert shown(FAILED) not in english  # gettext() gives back the English it was given
    # The admin's JavaScript strings (its pages load their own catalogue) are not sent here.
    assert shown("Available %s") not in german.content.decode()


def test_browsers_keep_the_catalogue_per_language(client, trilingual):
    url = reverse("javascript_catalogue")
    german = client.get(url, headers={"accept-language": "de"})
    assert "no-cache" in german["Cache-Control"]

    again = client.get(url, headers={"accept-language": "de", "if-none-match": german["ETag"]})
    spanish = client.get(url, headers={"accept-language": "es", "if-none-match": german["ETag"]})

    assert again.status_code == 304
    assert spanish.status_code == 200 and spanish["ETag"] != german["ETag"]


def test_pages_load_the_catalogue_before_the_apps_scripts(client):
    page = client.get(reverse("account_login")).content.decode()

    catalogue = page.index(f'<script src="{reverse("javascript_catalogue")}" defer>')
    assert catalogue < page.index("js/app.js")


def test_the_service_worker_keeps_the_catalogue_for_offline(client):
    worker = client.get(reverse("service_worker")).content.decode()

    assert f'const CATALOGUE = "{reverse("javascript_catalogue")}";' in worker


@pytest.mark.e2e
def test_a_refused_request_is_reported_in_the_readers_language(
    browser: Browser, live_server, trilingual, transactional_db
):
    UserFactory(username="greta", language="de")
    # Blocked, so the browser's own requests are the ones the test answers.
    context = browser.new_context(service_workers="block")
    page = context.new_page()
    sign_in(page, live_server.url, "greta")
    page.route("**/notifications/menu/", lambda route: route.fulfill(status=500, body="no"))

    page.locator("details[hx-get] summary").click()

    expect(page.locator("#request-failure")).to_have_text(FAILED_DE)
    context.close()
