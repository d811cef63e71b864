"""The installable app: a manifest with its icons, and a service worker that opens the pages a
member has seen without a connection, where the quick log still takes actions."""

import json

import pytest
from playwright.sync_api import Browser, expect

from groups import services as group_services
from metrics.models import Action
from tests.e2e.support import green_town_group, sign_in
from tests.factories import UserFactory
from tests.groups.support import STATEMENT

pytestmark = pytest.mark.e2e

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.fixture
def member(transactional_db):
    group, _moderator = green_town_group("River Crew", "Plant native trees.")
    person = UserFactory(username="meri", display_name="Meri Member")
    group_services.group_join(user=person, group=group, statement=STATEMENT)
    return person


def test_the_app_installs_and_opens_offline_where_it_still_logs(
    browser: Browser, live_server, member
):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    sign_in(page, live_server.url, "meri")
    expect(page.locator("#quick-log").get_by_label("Day")).not_to_have_value("")

    # The manifest and every icon it names.
    href = page.locator("link[rel=manifest]").get_attribute("href")
    manifest = json.loads(page.request.get(live_server.url + href).text())
    assert manifest["start_url"] == "/" and manifest["display"] == "standalone"
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        answer = page.request.get(live_server.url + icon["src"])
        assert answer.ok and answer.headers["content-type"] == "image/png"

    # The service worker takes charge; the home page is seen once more with it.
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    expect(page.locator("#quick-log").get_by_label("Day")).not_to_have_value("")
    assert page.evaluate("!!navigator.serviceWorker.controller")

    # Offline: the home page opens from the device, with the quick log, and logs.
    context.set_offline(True)
    page.reload()
    form = page.locator("#quick-log")
    form.get_by_label("What did you do?").fill("Weeded the beds")
    form.get_by_role("button", name="Log it").click()
    expect(form.locator("[data-outbox]")).to_contain_text("1 waiting")
    # A page never opened before says so, rather than the browser's error.
    page.goto(live_server.url + "/profile/")
    expect(page.get_by_role("heading", name="You are offline")).to_be_visible()

    context.set_offline(False)
    page.goto(live_server.url + "/")
    expect(page.locator("#quick-log [data-outbox]")).to_be_hidden()
    expect(page.locator("#my-week .week-numbers dd").first).to_contain_text("1")
    assert Action.objects.filter(description="Weeded the beds").count() == 1
    context.close()
