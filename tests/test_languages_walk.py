"""Every page of the authorization walks, rendered in German and in Spanish, leaves no English
in its visible text outside what people wrote (issue #19).

Each GET page the walks answer 200 is rendered as the role that sees the most of it (and, where
the signed-out may look too, signed out), in English and in the language. A visible text (a text
node, or an attribute a person sees or hears: placeholder, title, aria-label, alt, a button's
value) that the language's page shows exactly as the English page does is English left
untranslated, unless it is made only of what people stored (every string in the world's rows),
numbers, dates, addresses, the product's name and the few words below that German or Spanish
spell as English does.
"""

import re
import zoneinfo
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.conf import settings
from django.conf.locale import LANG_INFO
from django.db import models
from django.template import loader
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import trans_real

from impact.services import email_unsubscribe_token
from tests.groups import test_permissions as groups_walk
from tests.groups import test_permissions_accounts as accounts_walk
from tests.groups import test_permissions_metrics as metrics_walk
from tests.groups import test_permissions_narratives as narratives_walk
from tests.groups.test_permissions import ROLES, page_url, rolled_back
from tests.groups.test_permissions import world as world  # the shared fixtures
from tests.groups.test_permissions_accounts import notification as notification
from tests.groups.test_permissions_metrics import metrics_world as metrics_world
from tests.groups.test_permissions_narratives import narratives_world as narratives_world

pytestmark = pytest.mark.django_db

LANGUAGES = ["de", "es"]
# The role that sees the most of a page, first; a page is rendered as the first that may see it.
MOST_SEEING = ["moderator", "organizer", "member", "neighbour", "outsider", "other_organizer"]
APPS = ("impact", "groups", "meetings", "metrics", "narratives", "account")
# Words German or Spanish write as English does, where a page may show them on their own.
SAME_IN = {
    "de": {
        "Markdown",  # the name of the syntax (glossary)
        "API",
        "iCal",
        "Online",
        "Name",
        "Status",
        "Start",
        "Link",
        "E-Mail",
    },
    "es": {"Markdown", "API", "iCal", "No", "Total"},
}
# Attributes a person sees or hears; a button's value is its label; scripts show the texts
# their elements carry in data-text-*, data-*-text and data-label.
VISIBLE_ATTRIBUTES = {"placeholder", "title", "aria-label", "alt", "data-label", "data-text"}
SCRIPT_TEXT = re.compile(r"data-text-[\w-]+|data-[\w-]+-text")
HIDDEN_ELEMENTS = {"script", "style", "template"}
# Between the parts of a text: "Profile · Impact Groups", "2026-12-02 · 20 min".
SEPARATOR = re.compile(r"\s+[·|\u2013\u2014]\s+")  # a middle dot, bar or dash
NOT_WORDS = [
    re.compile(r"(?<!\w)\.(ics|csv)\b"),  # file name extensions
    re.compile(r"https?://\S+|/[\w./?=&%-]*"),  # addresses and paths
    re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+"),  # email addresses
    re.compile(r"\b\d+([.,:/-]\d+)*\b"),  # numbers, dates and times
]


class VisibleText(HTMLParser):
    """The texts of a page a person sees: text nodes outside scripts and styles, and the visible
    attributes."""

    def __init__(self):
        super().__init__()
        self.texts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in HIDDEN_ELEMENTS:
            self.hidden += 1
        attrs = dict(attrs)
        for name in attrs:
            if name in VISIBLE_ATTRIBUTES or SCRIPT_TEXT.fullmatch(name):
                self._add(attrs[name])
        if tag == "input" and attrs.get("type") in ("submit", "button", "reset"):
            self._add(attrs.get("value"))

    def handle_startendtag(self, tag, attrs):
        if tag not in HIDDEN_ELEMENTS:
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag in HIDDEN_ELEMENTS and self.hidden:
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden:
            self._add(data)

    def _add(self, text):
        text = " ".join((text or "").split())
        if text:
            self.texts.append(text)


def visible_texts(html: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    parser.close()
    return parser.texts


# Walked URLs that answer with something other than a page (files, feeds, JSON, scripts): no
# visible text to read. A page named here, or a file not named, fails the walk below.
NOT_PAGES = {
    "api-schema",
    "groups:calendar_feed",
    "groups:meeting_ics",
    "healthz",
    "javascript_catalogue",
    "metrics:group_export",
    "metrics:my_data_export",
    "metrics:my_export",
    "metrics:network_export",
    "service_worker",
    "web_manifest",
}


def walked_pages() -> list[tuple[str, str, str]]:
    """(walk, url name, role): every GET page a walk answers 200, as the role seeing the most of
    it, and signed out too where the signed-out see it."""
    tables = [
        ("groups", groups_walk.PAGES),
        ("metrics", metrics_walk.PAGES),
        ("narratives", narratives_walk.PAGES),
        ("accounts", accounts_walk.PAGES),
        ("sign_in", accounts_walk.AUTH_PAGES),
    ]
    pages = []
    for walk, table in tables:
        for name, methods in table.items():
            if name in NOT_PAGES:
                continue
            answers = dict(zip(ROLES, methods.get("GET", ()), strict=False))
            roles = [role for role in MOST_SEEING if answers.get(role) == 200][:1]
            if answers.get("anonymous") == 200:
                roles.append("anonymous")
            pages += [(walk, name, role) for role in roles]
    return pages


@pytest.fixture(scope="module")
def urls(metrics_world, narratives_world, notification) -> dict[tuple[str, str], str]:
    """The URL of every walked page, in the world its walk builds."""
    member = metrics_world["people"]["member"]
    found = {}
    for walk, name, _role in walked_pages():
        if walk == "groups":
            values = {
                **metrics_world["url_values"],
                **metrics_world["per_url_values"].get(name, {}),
            }
            found[walk, name] = page_url(name, values)
        elif walk == "metrics":
            values = {**metrics_world["values"], **metrics_world["per_url"].get(name, {})}
            found[walk, name] = page_url(name, values)
        elif walk == "narratives":
            values = {**narratives_world["values"], **narratives_world["per_url"].get(name, {})}
            found[walk, name] = page_url(name, values)
        elif walk == "accounts":
            token = email_unsubscribe_token(user=member, kind="welcome")
            found[walk, name] = page_url(name, {"pk": notification.pk, "token": token})
        else:
            pattern = accounts_walk.sign_in_pages()[name]
            kwargs = accounts_walk._kwargs(pattern, accounts_walk.AUTH_VALUES)
            found[walk, name] = reverse(name, kwargs=kwargs)
    return found


@pytest.fixture(scope="module")
def user_content(metrics_world, narratives_world, notification) -> re.Pattern:
    """Every string people stored in the world's rows (text fields without fixed choices, and
    the texts kept in JSON, such as a deleted action's), with the time zone names a person picks
    from: one pattern matching any of them as whole words, longest first."""
    stored = set()
    for zone in zoneinfo.available_timezones():
        stored.update((zone, zone.replace("_", " ")))
    for model in apps.get_models():
        if model._meta.app_label not in APPS:
            continue
        fields = [
            field.attname
            for field in model._meta.concrete_fields
            if isinstance(field, (models.CharField, models.TextField, models.JSONField))
            and not field.choices
        ]
        for row in model.objects.values_list(*fields):
            stored.update(strings_in(row))
    for person in apps.get_model("impact", "User").objects.all():
        stored.update((person.public_name, person.initials))  # names, and their avatars' letters
    texts = sorted({text.strip() for text in stored if text.strip()}, key=len, reverse=True)
    return re.compile("|".join(rf"(?<!\w){re.escape(text)}(?!\w)" for text in texts))


def strings_in(value) -> list[str]:
    """The strings in a value, and in the lists and dicts it holds."""
    if isinstance(value, str):
        return [value, *value.splitlines()]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (list, tuple)):
        return [text for item in value for text in strings_in(item)]
    return []


class Translations:
    """Every translation a language's catalogues hold (the project's, Django's and the
    libraries'), each a pattern in which a placeholder stands for what was put in it."""

    def __init__(self, language: str):
        catalogs = trans_real.translation(language)._catalog._catalogs
        texts = {" ".join(text.split()) for each in catalogs for text in each.values()}
        # A translation made only of placeholders and punctuation would match anything.
        texts = [text for text in texts if re.search(r"[^\W\d_]", PLACEHOLDER.sub("", text))]
        self.each = [re.compile(as_pattern(text, "(.+?)")) for text in texts]
        self.any = re.compile("|".join(as_pattern(text, "(?:.+?)") for text in texts))

    def hold(self, text: str, *, is_free) -> bool:
        """Whether a text is one of the translations, with only what is free of language
        (names, numbers) in its placeholders: "Details" in German, "15 min" in Spanish."""
        if not self.any.fullmatch(text):
            return False
        return any(
            all(is_free(value) for value in found.groups())
            for found in (pattern.fullmatch(text) for pattern in self.each)
            if found
        )


@pytest.fixture(scope="module")
def translated() -> dict[str, Translations]:
    return {language: Translations(language) for language in LANGUAGES}


PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[-+ #0]*\d*(?:\.\d+)?[sdifr]|\{\w*\}")


def as_pattern(translation: str, placeholder: str) -> str:
    parts = PLACEHOLDER.split(translation)
    return "(?:" + placeholder.join(re.escape(part) for part in parts) + ")"


@pytest.fixture(autouse=True)
def speaking_german_and_spanish(settings):
    settings.LANGUAGES = [("en", "English"), ("de", "Deutsch"), ("es", "Español")]


@pytest.fixture(scope="module")
def english_pages() -> dict:
    """Each page's English texts, rendered once for both languages."""
    return {}


def render(world: dict, role: str, url: str, language: str):
    client = Client()
    if world["sessions"][role] is not None:
        client.cookies[settings.SESSION_COOKIE_NAME] = world["sessions"][role]
    return rolled_back(client.get, url, HTTP_ACCEPT_LANGUAGE=language)


def fixed_words(language: str) -> list[str]:
    """What a page shows the same in every language: the product's name, the languages' own
    names (the language switch, a narrative's language) and the words the language spells as
    English does."""
    names = {settings.SITE_NAME, "Impact Groups", *dict(settings.LANGUAGES).values()}
    names |= {info["name_local"] for info in LANG_INFO.values() if "name_local" in info}
    return sorted(names | SAME_IN[language], key=len, reverse=True)


def is_language_free(text: str, user_content: re.Pattern, language: str) -> bool:
    """Whether a text holds no words but what people wrote, numbers, dates, addresses and
    the words every language writes alike."""
    text = user_content.sub(" ", text)
    for pattern in NOT_WORDS:
        text = pattern.sub(" ", text)
    for word in fixed_words(language):
        text = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", " ", text)
    return not re.search(r"[^\W\d_]{2,}", text)


def is_english(text: str, *, user_content: re.Pattern, translated: Translations, language: str):
    """Whether a text the page shows as the English page does is English: some part of it (a
    title's page and site names are parts) is neither a translation nor free of language."""

    def is_free(part: str) -> bool:
        return is_language_free(part, user_content, language)

    return any(
        not is_free(part) and not translated.hold(part, is_free=is_free)
        for part in SEPARATOR.split(text)
    )


def english_left(english: str, page: str, *, user_content, translated, language) -> list[str]:
    """The visible texts of a page in `language` that are English: shown as on the English
    page, and neither a translation nor free of language."""
    in_english = set(visible_texts(english))
    return [
        text
        for text in dict.fromkeys(visible_texts(page))
        if text in in_english
        and is_english(text, user_content=user_content, translated=translated, language=language)
    ]


def report(language: str, where: str, left: list[str]) -> str:
    return f"{language} {where}, still in English:\n" + "\n".join(f"  {t[:120]!r}" for t in left)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    ("walk", "name", "role"),
    [pytest.param(*page, id=f"{page[1]} as {page[2]}") for page in walked_pages()],
)
def test_each_walked_page_speaks_the_language_outside_what_people_wrote(
    metrics_world, urls, user_content, translated, english_pages, walk, name, role, language
):
    url = urls[walk, name]
    if (url, role) not in english_pages:
        response = render(metrics_world, role, url, "en")
        assert response.status_code == 200, f"{role} GET {url}: {response.status_code}"
        english_pages[url, role] = response
    english = english_pages[url, role]
    assert english.get("Content-Type", "").startswith("text/html"), (
        f"{name} ({url}) is not a page ({english['Content-Type']}): name it in NOT_PAGES"
    )

    response = render(metrics_world, role, url, language)

    assert response.status_code == 200, f"{role} GET {url}: {response.status_code}"
    assert response.get("Content-Language") == language, response.get("Content-Language")
    left = english_left(
        english.content.decode(),
        response.content.decode(),
        user_content=user_content,
        translated=translated[language],
        language=language,
    )
    assert not left, report(language, f"{url} as {role}", left)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("status", [403, 404, 500, 503])
def test_the_error_pages_speak_the_language(
    metrics_world, urls, user_content, translated, status, language
):
    """What the walks answer when a page may not be seen or does not exist, and the pages
    shown when the server fails (rendered as the error handler does, with no request)."""
    if status in (403, 404):
        url = urls["groups", "groups:network_audit"] if status == 403 else "/no-such-page/"
        pages = [render(metrics_world, "moderator", url, lang) for lang in ("en", language)]
        assert [page.status_code for page in pages] == [status, status]
        english, page = (page.content.decode() for page in pages)
    else:
        template = loader.get_template(f"{status}.html")
        context = {"site_name": settings.SITE_NAME}
        with translation.override("en"):
            english = template.render(context)
        with translation.override(language):
            page = template.render(context)

    left = english_left(
        english, page, user_content=user_content, translated=translated[language], language=language
    )
    assert not left, report(language, f"the {status} page", left)
