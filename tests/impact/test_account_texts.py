"""The account pages and emails speak to people as the rest of the app does (du, tú): allauth's
own German and Spanish say Sie and usted, so its words are carried in the app's catalogue."""

import gettext
import re
from pathlib import Path

import allauth
import django
import pytest
from django.urls import reverse
from django.utils import translation

from impact.account_texts import ACCOUNT_TEXTS, DJANGO_TEXTS
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


def _plural_words(text) -> dict | None:
    words = getattr(text, "_kw", None) or getattr(text, "_proxy____kw", None)
    return words if words and "singular" in words else None


def _key(text) -> str:
    # A lazy pgettext keeps its context as allauth's catalogue does: "context\x04msgid".
    args = getattr(text, "_args", None) or getattr(text, "_proxy____args", None)
    # A lazy ngettext without a number keeps its words as keywords; the catalogue keys it by
    # the singular.
    words = _plural_words(text)
    if words:
        return words["singular"]
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


def _known(catalogue) -> set[str]:
    return {key[0] if isinstance(key, tuple) else key for key in catalogue}


@pytest.mark.parametrize("language", ["de", "es"])
def test_every_listed_django_text_is_djangos_own_word_for_word(language):
    """A Django upgrade that rewords a form or password message shows here, not as usted."""
    root = Path(django.__file__).parent
    known = set()
    for folder in (root / "conf" / "locale", root / "contrib" / "auth" / "locale"):
        known |= _known(gettext.translation("django", folder, languages=[language])._catalog)

    missing = [_key(text) for text in DJANGO_TEXTS if _key(text) not in known]

    assert DJANGO_TEXTS
    assert not missing


@pytest.mark.parametrize("language", ["de", "es"])
def test_every_listed_django_text_has_the_apps_own_translation(language):
    """Our catalogue carries each of them, so Django's formal wording never reaches a page."""
    ours = gettext.translation(
        "django", Path(__file__).resolve().parents[2] / "locale", languages=[language]
    )._catalog
    known = {key for key, value in ours.items() if value}

    missing = [_key(text) for text in DJANGO_TEXTS if _key(text) not in _known(known)]

    assert not missing


def test_djangos_form_messages_say_tu_in_spanish():
    """Django's Spanish asks "Introduzca ..." and "Asegúrese ..."; ours asks as the app does."""
    usted = re.compile(r"\b(Introduzca|Asegúrese|Escoja|Corrija|Envíe|Ingrese|[Ss]u)\b")
    with translation.override("es"):
        texts = [
            translation.ngettext(_plural_words(text)["singular"], _plural_words(text)["plural"], 2)
            if _plural_words(text)
            else translation.gettext(text)
            for text in DJANGO_TEXTS
        ]

    assert "Introduce una fecha válida." in texts
    assert not [text for text in texts if usted.search(text) or FORMAL["es"].search(text)]


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


@pytest.mark.parametrize("language", ["de", "es"])
def test_the_account_mail_is_written_in_one_language_around_its_words(
    client, user, mailoutbox, language, settings
):
    """allauth writes the reset mail's words at the request; the greeting and the footer that
    go around them are written in the same language, not in the site's default."""
    settings.SUPPORT_EMAIL = "help@example.org"
    client.post(
        reverse("account_reset_password"),
        {"email": user.email},
        headers={"accept-language": language},
    )
    support.deliver_pending_emails()

    message = mailoutbox[0]
    with translation.override(language):
        footer = translation.gettext(
            "Questions, or something looks wrong? Write to %(support_email)s: a person reads"
            " every message and answers."
        ) % {"support_email": settings.SUPPORT_EMAIL}
    assert footer in message.body
