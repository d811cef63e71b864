"""The live meeting room in Chromium: a moderator on a desktop and two members, one on a phone,
in the same room at once, served as production serves it (uvicorn, the Redis channel layer)."""

import json
import re
import threading
import urllib.request
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, expect
from rest_framework.authtoken.models import Token

from groups import services as group_services
from groups.meetings.models import Meeting, NextAction, Room, Session
from groups.meetings.services import room as room_services
from impact.models import User
from narratives.models import HelpRequest
from tests.e2e.support import DESKTOP, PHONE, green_town_group, sign_in
from tests.factories import UserFactory
from tests.groups.support import STATEMENT

pytestmark = pytest.mark.e2e


def api_post(url: str, token: str, payload: dict) -> int:
    request = urllib.request.Request(
        url,
        data=json.dumps(payload).encode(),
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        return answer.status


@pytest.fixture
def meeting_now(transactional_db):
    """A group of three whose weekly reflection began a minute ago."""
    group, _moderator = green_town_group("Riverbank", "Rivers.")
    for username, name in (("ana", "Ana Alder"), ("ben", "Ben Birch")):
        person = UserFactory(username=username, display_name=name)
        group_services.group_join(user=person, group=group, statement=STATEMENT)
    return Meeting.objects.create(group=group, starts_at=timezone.now() - timedelta(minutes=1))


def test_everyone_in_the_room_follows_the_moderator_live(
    browser: Browser, asgi_server, meeting_now, results_dir
):
    base, meeting = asgi_server.url, meeting_now
    screens = {}
    for who, device, path in (
        ("mo", DESKTOP, f"/meetings/{meeting.pk}/run/"),
        ("ana", DESKTOP, f"/meetings/{meeting.pk}/room/"),
        ("ben", PHONE, f"/meetings/{meeting.pk}/room/"),
    ):
        page = browser.new_context(**device).new_page()
        sign_in(page, base, who)
        page.goto(f"{base}{path}")
        expect(page.locator("#room-status")).to_have_text("Live")
        screens[who] = page
    mo, ana, ben = screens["mo"], screens["ana"], screens["ben"]
    expect(mo.locator("#room-present li")).to_have_count(3)
    # A member follows the group and does not facilitate: neither control is offered.
    expect(ben.get_by_role("button", name="Back to where the group is")).to_be_hidden()
    expect(ben.get_by_role("button", name="Take over facilitating")).to_be_hidden()

    # The moderator takes the group to the questions: both members' screens follow.
    mo.get_by_label("Step").select_option("questions")
    mo.get_by_role("button", name="Take the group there").click()
    for page in (ana, ben):
        expect(page.locator("#room-step-name")).to_contain_text("Questions")
        expect(page.locator("#questions")).to_be_visible()
        expect(page.locator("#impact")).to_be_hidden()

    # Ben, on his phone, is ready; the moderator sees who.
    ben.get_by_role("button", name="I'm ready to move on").click()
    expect(mo.locator("#room-present li.is-ready")).to_have_count(1)
    expect(mo.locator("#room-present li.is-ready")).to_have_attribute("title", re.compile("Ben"))

    # The timer is the server's: started on one screen, counting on all.
    mo.get_by_label("Minutes").select_option("10")
    mo.get_by_role("button", name="Start", exact=True).click()
    for page in (ana, ben):
        expect(page.locator("#room-timer")).to_have_text(re.compile(r"^(10:00|9:\d\d)$"))

    # Ana looks back at the pulse without pulling anyone along, then returns to the group.
    ana.locator("nav.agenda").get_by_role("link", name=re.compile("Pulse")).click()
    expect(ana.locator("#pulse")).to_be_visible()
    mo.get_by_label("Step").select_option("next")
    mo.get_by_role("button", name="Take the group there").click()
    expect(ben.locator("#next")).to_be_visible()
    expect(ana.locator("#pulse")).to_be_visible()
    ana.get_by_role("button", name="Back to where the group is").click()
    expect(ana.locator("#next")).to_be_visible()
    expect(ana.locator("#pulse")).to_be_hidden()

    # While the moderator types a note, a next action added elsewhere (through the API)
    # appears on every screen; the words being typed stay as they are.
    notes = mo.get_by_label("What we achieved")
    notes.click()
    notes.press_sequentially("Eight willows planted")
    session = Session.objects.get(meeting=meeting)
    moderator, ana_user = (User.objects.get(username=name) for name in ("mo", "ana"))
    added = api_post(
        f"{base}/api/sessions/{session.pk}/next-actions/",
        Token.objects.create(user=moderator).key,
        {"owner": ana_user.pk, "description": "Borrow a trailer"},
    )
    assert added == 201
    for page in (mo, ana, ben):
        expect(page.locator("[data-room-part='next']")).to_contain_text("Borrow a trailer")
    expect(notes).to_have_value("Eight willows planted")
    expect(notes).to_be_focused()
    # Ben proposes one from his phone, and raises his hand: both on every screen at once.
    ben_next = ben.locator("#next")
    ben_next.get_by_label("Owner").select_option(label="Ben Birch")
    ben_next.get_by_label("Next action").fill("Photograph the riverbank")
    ben_next.get_by_role("button", name="Propose next action").click()
    for page in (mo, ana, ben):
        expect(page.locator("[data-room-part='next']")).to_contain_text("Photograph the riverbank")
    expect(ben_next.get_by_label("Next action")).to_have_value("")
    # Once, however often the room redrew Ben's screen meanwhile.
    assert NextAction.objects.filter(description="Photograph the riverbank").count() == 1
    expect(notes).to_have_value("Eight willows planted")
    ben.locator("nav.agenda").get_by_role("link", name=re.compile("Stuck")).click()
    ben.get_by_label("Stuck? Say where").fill("No permit for the bank yet")
    ben.get_by_role("button", name="Raise my hand").click()
    expect(mo.locator("[data-room-part='help']")).to_contain_text("No permit for the bank yet")
    assert HelpRequest.objects.filter(summary="No permit for the bank yet").count() == 1
    ben.get_by_role("button", name="Back to where the group is").click()
    # Ben writes his reflection during the meeting, from his phone, and is back in the room;
    # it is on the moderator's screen without a reload, and the note being typed stays.
    ben.locator("nav.agenda").get_by_role("link", name=re.compile("Reflections")).click()
    ben.get_by_role("link", name="Write my reflection").click()
    ben.get_by_label("What I learned").fill("The council answers calls, not emails.")
    ben.get_by_role("button", name="Save my reflection").click()
    expect(ben).to_have_url(re.compile(rf"/meetings/{meeting.pk}/room/$"))
    expect(ben.locator("#room-status")).to_have_text("Live")
    expect(mo.locator("[data-room-part='reflections']")).to_contain_text("answers calls")
    expect(mo.locator("#room-present li")).to_have_count(3)
    expect(notes).to_have_value("Eight willows planted")
    for who, page in screens.items():
        page.screenshot(path=str(results_dir / f"meeting-room-{who}.png"), full_page=False)

    # The server restarts mid-meeting; meanwhile the group moves on. Every screen reconnects
    # and catches up.
    asgi_server.stop()
    for page in (ana, ben):
        expect(page.locator("#room-status")).not_to_have_text("Live")
    room = Room.objects.get(session__meeting=meeting)
    # In a thread of its own, as a request would be: this one runs the browser's event loop.
    mover = threading.Thread(
        target=room_services.room_move, kwargs={"actor": moderator, "room": room, "step": "pulse"}
    )
    mover.start()
    mover.join()
    asgi_server.start()
    for page in (mo, ana, ben):
        expect(page.locator("#room-status")).to_have_text("Live", timeout=15000)
        expect(page.locator("#room-step-name")).to_contain_text("Pulse")
    expect(mo.locator("#room-present li")).to_have_count(3)
    expect(notes).to_have_value("Eight willows planted")
