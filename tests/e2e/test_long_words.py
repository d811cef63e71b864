"""Long unbroken text that people type (a 10,000-character "word") wraps on a phone instead of
stretching the page sideways."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, Page

from groups import services as group_services
from groups.meetings import services as meeting_services
from metrics import services as metric_services
from narratives import services as narrative_services
from tests.e2e.support import PHONE, green_town_group, sign_in
from tests.factories import UserFactory


def word(length: int, letter: str = "w") -> str:
    return letter * length


def page_width(page: Page) -> tuple[int, int]:
    return page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")


@pytest.fixture
def long_words(transactional_db):
    """A group where every kind of text someone types holds one enormous word."""
    group, moderator = green_town_group("River Crew", word(2000, "p"))
    member = UserFactory(username="meri", display_name="Meri Member")
    group_services.group_join(user=member, group=group, statement=word(10_000, "j"))

    metric = metric_services.metric_define(
        actor=moderator, group=group, name=word(80, "m"), unit=word(30, "u")
    )
    action = metric_services.action_log(
        user=member,
        group=group,
        description=word(200, "d"),
        notes=word(10_000, "n"),
        happened_on=timezone.localtime(timezone.now(), member.zone).date(),
        effort_minutes=30,
        impacts=[(metric.pk, 3)],
    )

    help_request = narrative_services.help_request_create(
        actor=member, group=group, summary=word(200, "s"), details=word(10_000, "h")
    )
    narrative_services.help_respond(actor=moderator, help_request=help_request, body=word(5000))

    question = narrative_services.question_ask(
        actor=member, group=group, text=word(300, "q"), details=word(10_000, "x")
    )
    narrative = narrative_services.narrative_create(
        actor=moderator,
        group=group,
        title=word(160, "t"),
        horizon_year=timezone.now().year + 15,
        opportunity=word(10_000, "o"),
        why_now=word(10_000, "y"),
        call_to_action=word(10_000, "c"),
    )

    meeting = meeting_services.meeting_add(
        actor=moderator,
        group=group,
        starts_at=timezone.now() + timedelta(days=2),
        is_reflection=True,
    )
    meeting_services.reflection_save(
        user=member,
        meeting=meeting,
        impact_achieved=word(10_000, "a"),
        learned=word(10_000, "l"),
        new_questions=word(10_000, "k"),
        need_help=word(10_000, "e"),
    )
    return {
        "group": group,
        "action": action,
        "help": help_request,
        "question": question,
        "narrative": narrative,
        "meeting": meeting,
    }


@pytest.mark.e2e
def test_long_unbroken_text_wraps_on_a_phone(
    browser: Browser, live_server, long_words, results_dir
):
    base = live_server.url
    data = long_words
    group = data["group"]
    pages = {
        "mo": [
            reverse("groups:group_detail", args=[group.pk]),
            reverse("groups:group_members", args=[group.pk]),
            reverse("narratives:help_detail", args=[data["help"].pk]),
            reverse("narratives:help_list", args=[group.pk]),
            reverse("narratives:question_detail", args=[data["question"].pk]),
            reverse("narratives:group_questions", args=[group.pk]),
            reverse("narratives:narrative_detail", args=[data["narrative"].pk]),
            reverse("groups:meeting_detail", args=[data["meeting"].pk]),
            reverse("groups:meeting_mode", args=[data["meeting"].pk]),
            reverse("metrics:group_impact", args=[group.pk]),
            reverse("metrics:metric_list", args=[group.pk]),
            reverse("metrics:action_edit", args=[data["action"].pk]),
        ],
        "meri": [
            "/",
            reverse("groups:group_detail", args=[group.pk]),
            reverse("groups:group_members", args=[group.pk]),
            reverse("narratives:help_detail", args=[data["help"].pk]),
        ],
    }
    too_wide = []
    for username, urls in pages.items():
        context = browser.new_context(**PHONE)
        page = context.new_page()
        sign_in(page, base, username)
        for url in urls:
            response = page.goto(f"{base}{url}")
            assert response is not None and response.ok, (username, url, response)
            page.wait_for_load_state("networkidle")  # htmx parts, such as my week on home
            scroll_width, inner_width = page_width(page)
            if scroll_width > inner_width:
                too_wide.append((username, url, scroll_width))
            if url == reverse("narratives:help_detail", args=[data["help"].pk]):
                page.screenshot(path=str(results_dir / f"long-words-help-{username}.png"))
        context.close()

    assert too_wide == [], f"pages wider than the 390 px screen: {too_wide}"
