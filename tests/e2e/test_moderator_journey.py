"""Members reflect; the moderator runs the session in meeting mode, closes it, and all get the summary."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Browser, expect

from groups import services as group_services
from groups.meetings import services as meeting_services
from groups.meetings.models import Meeting, NextAction, Reflection, Session
from impact.models import Notification
from tests.e2e.support import WAYS, Way, green_town_group, sign_in
from tests.factories import UserFactory
from tests.impact import support

STATEMENT = "I plant trees every weekend and want to do it with neighbours."


@pytest.fixture
def reflection_meeting(transactional_db):
    """A group of four meeting for its weekly reflection in two days."""
    group, moderator = green_town_group("Riverbank", "Plant native trees along the river.")
    for username, name in [("ana", "Ana Alder"), ("ben", "Ben Birch"), ("cy", "Cy Cedar")]:
        person = UserFactory(username=username, display_name=name, time_zone="Asia/Kolkata")
        group_services.group_join(user=person, group=group, statement=STATEMENT)
    return meeting_services.meeting_add(
        actor=moderator,
        group=group,
        starts_at=timezone.now() + timedelta(days=2),
        location="The old mill",
        is_reflection=True,
    )


def reflect_in_browser(
    browser: Browser, base: str, username: str, meeting, answers: dict, way: Way
) -> None:
    t = way.t
    context = way.context(browser)
    page = context.new_page()
    sign_in(page, base, username, way=way)
    page.goto(f"{base}{meeting.get_absolute_url()}")
    page.get_by_role("link", name=t("Answer the reflection prompt")).click()
    expect(page.get_by_role("heading", name=t("Reflect on your week"))).to_be_visible()
    page.get_by_label(way.field("impact I achieved")).fill(answers["impact"])
    page.get_by_label(way.field("what I learned")).fill(answers["learned"])
    page.get_by_label(way.field("where I need help")).fill(answers["help"])
    page.get_by_label(way.field("how excited I am")).select_option(answers["excited"])
    page.get_by_label(way.field("how stuck I am")).select_option(answers["stuck"])
    page.get_by_role("button", name=t("Save my reflection")).click()
    expect(page).to_have_url(f"{base}{meeting.get_absolute_url()}")
    expect(page.get_by_text(t("You have answered."))).to_be_visible()
    context.close()


@pytest.mark.e2e
@pytest.mark.parametrize("way", WAYS)
def test_moderator_runs_the_reflection_and_every_member_gets_the_summary(
    browser: Browser, asgi_server, reflection_meeting, mailoutbox, results_dir, way: Way
):
    base, t = asgi_server.url, way.t
    way.speak()
    page = way.context(browser).new_page()
    meeting = reflection_meeting
    reflect_in_browser(
        browser,
        base,
        "ana",
        meeting,
        {
            "impact": "Planted 8 willows on the east bank.",
            "learned": "Saplings take better before the rain.",
            "help": "A trailer for the mulch.",
            "excited": "5",
            "stuck": "2",
        },
        way,
    )
    reflect_in_browser(
        browser,
        base,
        "ben",
        meeting,
        {
            "impact": "Cleared 10 kg of litter.",
            "learned": "Photos bring people back.",
            "help": "",
            "excited": "4",
            "stuck": "3",
        },
        way,
    )
    assert Reflection.objects.filter(meeting=meeting).count() == 2

    # Two days later the meeting begins (a session is closed once its meeting has started).
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - timedelta(minutes=1))
    meeting.refresh_from_db()

    # The moderator opens meeting mode on the shared screen.
    sign_in(page, base, "mo", way=way)
    page.goto(f"{base}{meeting.get_absolute_url()}")
    page.get_by_role("link", name=t("Open meeting mode")).click()
    expect(page).to_have_url(re.compile(rf"/meetings/{meeting.pk}/run/$"))
    reflections = page.locator("#reflections")
    expect(reflections.locator("article.reflection")).to_have_count(2)
    expect(reflections).to_contain_text("Saplings take better before the rain.")
    expect(reflections).to_contain_text("Photos bring people back.")
    expect(reflections).to_contain_text("A trailer for the mulch.")
    expect(reflections).to_contain_text(f"{t('Not answered yet:')} Mo Moderator, Cy Cedar")
    # Two answers are too few for averages that would not give people away.
    expect(page.locator("#pulse")).to_contain_text(
        t("Averages appear once three members have answered.")
    )
    expect(reflections).not_to_contain_text(way.before("Excited %(e)s/5, stuck %(s)s/5", "s", e=5))

    # The room is live; the moderator takes the group to the last step and starts its timer
    # (the server holds it). Notes typed and the running timer survive adding a next action.
    expect(page.locator("#room-status")).to_have_text(t("Live"))
    page.get_by_label(t("Step"), exact=True).select_option("next")
    page.get_by_role("button", name=t("Take the group there")).click()
    expect(page.locator("#next")).to_be_visible()
    page.evaluate("window.__noReload = 1")
    achieved = "8 willows planted and 10 kg of litter cleared."
    page.get_by_label(t("What we achieved")).fill(achieved)
    status = page.locator("#notes-status")
    draft_saved = way.before("Draft saved at %(at)s.", "at")
    expect(status).to_contain_text(draft_saved)
    assert Session.objects.get(meeting=meeting).achieved == achieved
    timer = page.locator("#room-timer")
    page.get_by_label(t("Minutes")).select_option("10")
    page.get_by_role("button", name=t("Start"), exact=True).click()
    expect(timer).to_have_text(re.compile(r"^(10:00|9:\d\d)$"))

    next_section = page.locator("#next")
    next_section.get_by_label(t("Owner")).select_option(label="Ana Alder")
    next_section.get_by_label(t("Next action")).fill("Borrow a trailer from the allotments")
    next_section.get_by_role("button", name=t("Add next action")).click()
    expect(page.get_by_text(t("Next action added."))).to_be_visible()
    expect(page.locator("#next")).to_contain_text("Ana Alder: Borrow a trailer from the allotments")
    assert page.evaluate("window.__noReload") == 1, "adding a next action reloaded the page"
    expect(page.get_by_label(t("What we achieved"))).to_have_value(achieved)
    expect(timer).to_have_text(re.compile(r"^9:\d\d$"))

    # A reload finds the notes (the server's draft) and the timer still running.
    page.reload()
    assert page.evaluate("window.__noReload") is None
    expect(page.get_by_label(t("What we achieved"))).to_have_value(achieved)
    expect(page.locator("#room-timer")).to_have_text(re.compile(r"^9:\d\d$"))

    # The connection drops while the moderator types: the browser keeps a copy and says so;
    # the tab is closed, and meeting mode opened again online restores and saves the words.
    page.context.set_offline(True)
    page.get_by_label(t("What we learned"), exact=True).fill("Plant before the rain.")
    expect(status).to_contain_text(
        t(
            "Not saved yet: offline. A copy is kept in this browser and sent when the"
            " connection is back."
        )
    )
    assert Session.objects.get(meeting=meeting).learnings == ""
    context = page.context
    page.close()
    context.set_offline(False)
    page = context.new_page()
    page.goto(f"{base}/meetings/{meeting.pk}/run/")
    expect(page.get_by_label(t("What we learned"), exact=True)).to_have_value(
        "Plant before the rain."
    )
    expect(page.get_by_label(t("What we achieved"))).to_have_value(achieved)
    expect(page.locator("#notes-status")).to_contain_text(draft_saved)
    assert Session.objects.get(meeting=meeting).learnings == "Plant before the rain."

    page.screenshot(
        path=str(results_dir / f"moderator-journey-meeting-mode-{way.language}.png"), full_page=True
    )
    page.get_by_role("button", name=t("Close the session and send the summary")).click()
    # The summary mails everyone: the app asks first, and the notes are saved meanwhile.
    expect(
        page.get_by_role("heading", name=t("Close the session and send the summary?"))
    ).to_be_visible()
    assert Session.objects.get(meeting=meeting).learnings == "Plant before the rain."
    assert not Notification.objects.filter(kind="meeting.summary").exists()
    page.get_by_role("button", name=t("Yes, close and send the summary")).click()

    session = Session.objects.get(meeting=meeting)
    expect(page).to_have_url(f"{base}/sessions/{session.pk}/")
    expect(page.get_by_text(t("Session closed. Everyone gets the summary."))).to_be_visible()
    expect(page.locator("main")).to_contain_text("Plant before the rain.")
    page.screenshot(path=str(results_dir / f"moderator-journey-{way.language}.png"), full_page=True)

    # The worker's part: deliver the outbox, then read what every member received.
    assert set(support.deliver_pending_emails()) == {"sent"}
    subject = t("Summary of the reflection in %(group)s", group="Riverbank")
    summaries = [m for m in mail.outbox if m.subject == f"[Impact Groups] {subject}"]
    members = ["mo@example.org", "ana@example.org", "ben@example.org", "cy@example.org"]
    assert sorted(address for m in summaries for address in m.to) == sorted(members)
    for message in summaries:
        assert f"{t('What we learned:')}\nPlant before the rain." in message.body
        assert "- Ana Alder: Borrow a trailer from the allotments" in message.body
        assert f"/sessions/{session.pk}/" in message.body

    # Ana finds her next action on her home page.
    ana = way.context(browser)
    ana_page = ana.new_page()
    sign_in(ana_page, base, "ana", way=way)
    expect(ana_page.get_by_text(t("My next actions"))).to_be_visible()
    expect(ana_page.get_by_text("Borrow a trailer from the allotments")).to_be_visible()
    ana.close()
    assert NextAction.objects.get().owner.username == "ana"
