"""What the browser journeys share."""

from dataclasses import dataclass

import pytest
from django.utils import timezone, translation
from django.utils.text import capfirst
from playwright.sync_api import Browser, BrowserContext, Page, expect

from groups import services as group_services
from groups.models import Group
from impact.demo import DEMO_PASSWORD
from impact.models import User
from tests.factories import PASSWORD, UserFactory

__all__ = [
    "DEMO_PASSWORD",
    "DESKTOP",
    "PHONE",
    "WAYS",
    "Way",
    "green_town_group",
    "main_pages",
    "sign_in",
]

# Browser contexts: a desktop, and a phone (390 x 844, touch).
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
BROWSER_LOCALES = {"en": "en-GB", "de": "de-DE", "es": "es-ES"}


@dataclass(frozen=True)
class Way:
    """How a journey's people meet the app: a screen, and the language they speak.

    The journeys name what they click and read by the English words of the catalogue, so
    one journey runs in any language: `way.t("Log it")` is what a German page says.
    """

    screen: dict
    language: str = "en"

    def t(self, text: str, **values) -> str:
        with translation.override(self.language):
            words = translation.gettext(text)
        return words % values if values else words

    def tp(self, context: str, text: str) -> str:
        with translation.override(self.language):
            return translation.pgettext(context, text)

    def before(self, text: str, name: str, **values) -> str:
        """The words of a message before its placeholder `name` (what is sure to be shown)."""
        return self.t(text, **values, **{name: "\0"}).split("\0")[0].rstrip()

    def field(self, verbose_name: str) -> str:
        """A form field's label from a model's verbose name, which Django capitalises."""
        return capfirst(self.t(verbose_name))

    def tn(self, singular: str, plural: str, number: int, **values) -> str:
        with translation.override(self.language):
            words = translation.ngettext(singular, plural, number)
        return words % values

    def context(self, browser: Browser, **options) -> BrowserContext:
        """A browser of its own, on this screen, speaking this language."""
        return browser.new_context(**self.screen, locale=BROWSER_LOCALES[self.language], **options)

    def speak(self) -> None:
        """Everyone in the journey picked this language (pages and every mail follow it)."""
        if self.language != "en":
            User.objects.update(language=self.language)


# Each journey on a desktop and a phone in English, and once more on a phone in German.
WAYS = [
    pytest.param(Way(DESKTOP), id="desktop"),
    pytest.param(Way(PHONE), id="phone"),
    pytest.param(Way(PHONE, "de"), id="german-phone"),
]


def sign_in(
    page: Page, base_url: str, username: str, password: str = PASSWORD, *, way: Way | None = None
) -> None:
    way = way or Way(DESKTOP)
    t = way.t
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label(way.tp("field label", "Login")).fill(username)
    page.get_by_label(t("Password"), exact=True).fill(password)
    page.get_by_role("button", name=t("Sign In")).click()
    expect(page).to_have_url(f"{base_url}/")


def green_town_group(name: str, purpose: str) -> tuple[Group, User]:
    """A group in the Green Town network: Olga organizes it, Mo ("mo") moderates the group."""
    organizer = UserFactory(username="olga", display_name="Olga Organizer")
    network = group_services.network_create(creator=organizer, name="Green Town")
    moderator = UserFactory(username="mo", display_name="Mo Moderator")
    group_services.network_add_person(network=network, user=moderator)
    group = group_services.group_create(
        organizer=organizer, network=network, name=name, purpose=purpose, moderator=moderator
    )
    return group, moderator


def main_pages(demo: dict) -> list[str]:
    """The main pages of the demo (the `demo` fixture), as its moderator reaches them."""
    group, network = demo["group"], demo["network"]
    # The next meeting: the one the demo's moderator is about to run and members reflect for.
    meeting = (
        group.meetings.filter(status="scheduled", starts_at__gte=timezone.now())
        .order_by("starts_at")
        .first()
    )
    session = group.sessions.filter(closed_at__isnull=False).order_by("-closed_at").first()
    return [
        "/",
        f"/groups/{group.pk}/",
        f"/groups/{group.pk}/members/",
        f"/groups/{group.pk}/edit/",
        f"/groups/{group.pk}/actions/new/",
        "/me/week/",
        f"/groups/{group.pk}/impact/",
        f"/groups/{group.pk}/metrics/",
        f"/groups/{group.pk}/meetings/",
        f"/meetings/{meeting.pk}/",
        f"/meetings/{meeting.pk}/reflection/",
        f"/meetings/{meeting.pk}/run/",
        *([f"/sessions/{session.pk}/"] if session else []),
        f"/groups/{group.pk}/questions/",
        f"/groups/{group.pk}/initiatives/",
        f"/groups/{group.pk}/help/",
        "/networks/",
        f"/networks/{network.slug}/",
        f"/networks/{network.slug}/leaderboard/",
        f"/networks/{network.slug}/narrative/",
        f"/networks/{network.slug}/questions/",
        f"/questions/{demo['question'].pk}/",
        "/notifications/",
        "/notifications/settings/",
        "/profile/",
        "/search/?q=river",
        f"/groups/{group.pk}/webhooks/",
        f"/networks/{network.slug}/webhooks/",
    ]
