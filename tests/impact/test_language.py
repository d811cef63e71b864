"""Each person picks the language the site speaks to them: the browser's by default (signed in or
out), their profile's choice once made, the footer's switch for anyone. Shown here with German,
whose Django strings ship with Django, while the site's own catalogues are being completed."""

import pytest
from django.urls import reverse

from impact.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TWO_LANGUAGES = [("en", "English"), ("de", "Deutsch")]
REQUIRED_DE = "Bitte füll dieses Feld aus."  # our German (du), in place of Django's


@pytest.fixture
def bilingual(settings):
    settings.LANGUAGES = TWO_LANGUAGES


def test_signed_out_the_browsers_language_decides(client, bilingual):
    response = client.get(reverse("account_login"), headers={"accept-language": "de"})

    assert response["Content-Language"] == "de"
    assert '<html lang="de">' in response.content.decode()


def test_the_profiles_choice_wins_over_the_browser(client, user, bilingual):
    user.language = "de"
    user.save()
    client.force_login(user)

    response = client.post(
        reverse("profile"),
        {"display_name": "", "time_zone": "UTC"},
        headers={"accept-language": "en"},
    )

    assert response["Content-Language"] == "de"
    assert REQUIRED_DE in response.content.decode()


def test_no_choice_follows_the_browser_when_signed_in(client, user, bilingual):
    client.force_login(user)

    response = client.get(reverse("profile"), headers={"accept-language": "de"})

    assert response["Content-Language"] == "de"


def test_the_profile_saves_a_language_and_the_browsers_again(client, user, bilingual):
    client.force_login(user)
    page = client.get(reverse("profile")).content.decode()
    assert 'name="language"' in page and "The language of my browser" in page

    data = {"display_name": "Ada", "time_zone": "UTC", "language": "de"}
    assert client.post(reverse("profile"), data).status_code == 302
    assert User.objects.get(pk=user.pk).language == "de"

    client.post(reverse("profile"), data | {"language": ""})
    assert User.objects.get(pk=user.pk).language == ""


def test_the_footer_switch_keeps_the_choice_for_the_person_and_the_browser(client, user, bilingual):
    client.force_login(user)
    page = client.get(reverse("profile")).content.decode()
    assert (
        'id="footer-language"' in page and '<option value="de" lang="de">Deutsch</option>' in page
    )

    response = client.post(reverse("language_choose"), {"language": "de", "next": "/profile/"})

    assert response.status_code == 302 and response.url == "/profile/"
    assert response.cookies["django_language"].value == "de"
    assert User.objects.get(pk=user.pk).language == "de"


def test_the_switch_refuses_a_language_the_site_does_not_speak_and_a_foreign_next(
    client, bilingual
):
    assert client.post(reverse("language_choose"), {"language": "xx"}).status_code == 400

    response = client.post(
        reverse("language_choose"), {"language": "de", "next": "https://evil.example/"}
    )
    assert response.status_code == 302 and response.url == "/"


def test_the_api_takes_a_language_and_refuses_an_unknown_one_by_field(user_api, user, bilingual):
    assert user_api.patch("/api/me/", {"language": "de"}, format="json").json()["language"] == "de"
    assert User.objects.get(pk=user.pk).language == "de"

    response = user_api.patch("/api/me/", {"language": "xx"}, format="json")
    assert response.status_code == 400 and "language" in response.json()["fields"]


def test_with_one_language_there_is_nothing_to_choose(client, user, settings):
    settings.LANGUAGES = [("en", "English")]
    client.force_login(user)

    page = client.get(reverse("profile")).content.decode()

    assert 'name="language"' not in page and 'id="footer-language"' not in page


def test_a_notification_is_written_in_each_recipients_language(bilingual, django_user_model):
    from django.utils.translation import gettext

    from impact.models import Notification
    from impact.services import notify
    from tests.factories import UserFactory

    german, english = UserFactory(language="de"), UserFactory(language="")

    notify(
        recipients=[german, english],
        kind="welcome",
        key="hello",
        title=lambda: gettext("Yes"),  # Django's own: "Ja" in German
        email=False,
    )

    titles = dict(Notification.objects.values_list("recipient_id", "title"))
    assert titles == {german.pk: "Ja", english.pk: "Yes"}


def test_an_email_is_written_in_its_recipients_language(bilingual, mailoutbox):
    from impact.models import Notification
    from impact.services import notify
    from impact.services.delivery import build_email
    from tests.factories import UserFactory

    german = UserFactory(language="de")
    notify(recipients=[german], kind="welcome", key="hello", title="Hallo", in_app=False)

    html = build_email(Notification.objects.get(recipient=german)).alternatives[0][0]
    assert '<html lang="de">' in html


def test_signing_up_keeps_the_browsers_language_for_mail(client, bilingual):
    data = {
        "display_name": "Grete",
        "email": "grete@example.org",
        "username": "grete",
        "time_zone": "Europe/Berlin",
        "language": "",
        "password1": "a long enough pass phrase 42",
        "password2": "a long enough pass phrase 42",
    }

    client.post(reverse("account_signup"), data, headers={"accept-language": "de"})

    assert User.objects.get(username="grete").language == "de"


def test_the_api_keeps_machine_values_and_says_its_messages_in_the_requests_language(
    user_api, bilingual
):
    response = user_api.patch(
        "/api/me/", {"time_zone": "Mars/Phobos"}, format="json", headers={"accept-language": "de"}
    )

    body = response.json()
    assert response.status_code == 400 and body["code"] == "invalid"
    assert "keine gültige" in body["fields"]["time_zone"][0]  # DRF's own German
    me = user_api.get("/api/me/", headers={"accept-language": "de"}).json()
    assert me["time_zone"] == "Europe/Berlin" and me["language"] == ""  # codes, not words


def test_the_layouts_kept_parts_follow_each_requests_language_and_hold_no_one(
    client, user, bilingual
):
    """The header's and footer's parts that show only the language are kept per process and
    language (templates/base.html): a request in another language gets its own, and nothing
    about one person is kept for the next."""
    other = UserFactory(display_name="Zora Other")
    user.display_name = "Ulla Firstvisitor"  # a random first name can be a time zone's city
    user.save(update_fields=["display_name"])
    client.force_login(user)
    english = client.get(reverse("profile"), headers={"accept-language": "en"}).content.decode()
    german = client.get(reverse("profile"), headers={"accept-language": "de"}).content.decode()
    again = client.get(reverse("profile"), headers={"accept-language": "en"}).content.decode()

    assert "Email settings" in english and "Act together. Measure impact." in english
    assert '<option value="en" lang="en" selected>' in english
    assert "E-Mail-Einstellungen" in german and "Gemeinsam handeln." in german
    assert '<option value="de" lang="de" selected>' in german
    assert "Email settings" not in german
    assert "Email settings" in again and '<option value="en" lang="en" selected>' in again

    client.force_login(other)
    theirs = client.get(reverse("profile"), headers={"accept-language": "en"}).content.decode()
    assert "Zora Other" in theirs and "Ulla Firstvisitor" not in theirs
