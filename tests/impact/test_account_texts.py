"""The account pages and emails speak to people as the rest of the app does (du, tú): allauth's
own German and Spanish say Sie and usted, so its words are carried in the app's catalogue."""

import gettext
import re
from pathlib import Path

import allauth
import pytest
from django.urls import reverse

from impact.account_texts import ACCOUNT_TEXTS
from tests.impact import support
from tests.test_languages_walk import visible_texts

pytestmark = pytest.mark.django_db

FORMAL = {
    "de": re.compile(r"\b(Sie|Ihr|Ihre|Ihren|Ihrem|Ihrer|Ihres|Ihnen)\b"),
    "es": re.compile(r"\b(usted|Usted|ustedes)\b|\b[Ss]u (contraseña|cuenta|correo|dirección)"),
}
ACCOUNT_PAGES = [
    "account_login",
    "account_signup",
    "account_reset_password",
    "account_reset_password_done",
]


def _key(text) -> str:
    # A lazy pgettext keeps its context as allauth's catalogue does: "context\x04msgid".
    args = getattr(text, "_proxy____args", None)
    if args and len(args) == 2:
        return f"{args[0]}\x04{args[1]}"
    if args:
        return args[0]
    return str(text)


@pytest.mark.parametrize("language", ["de", "es"])
def test_every_listed_text_is_allauths_own_word_for_word(language):
    """An allauth upgrade that rewords one shows here, not as a formal sentence on a page."""
    catalogue = gettext.translation(
        "django", Path(allauth.__file__).parent / "locale", languages=[language]
    )._catalog
    known = {key[0] if isinstance(key, tuple) else key for key in catalogue}

    missing = [_key(text) for text in ACCOUNT_TEXTS if _key(text) not in known]

    assert not missing


@pytest.mark.parametrize("language", ["de", "es"])
@pytest.mark.parametrize("name", ACCOUNT_PAGES)
def test_the_account_pages_address_people_informally(client, language, name):
    page = client.get(reverse(name), headers={"accept-language": language})

    assert page.status_code == 200
    assert page["Content-Language"] == language
    formal = [
        text for text in visible_texts(page.content.decode()) if FORMAL[language].search(text)
    ]
    assert not formal


@pytest.mark.parametrize("language", ["de", "es"])
def test_the_password_reset_mail_addresses_people_informally(client, user, mailoutbox, language):
    user.language = language
    user.save()

    client.post(
        reverse("account_reset_password"),
        {"email": user.email},
        headers={"accept-language": language},
    )
    support.deliver_pending_emails()

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert not FORMAL[language].search(message.subject + message.body)
