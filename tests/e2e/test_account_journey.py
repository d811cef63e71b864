"""A newcomer's first visit: sign up, confirm by email, read the welcome, set a time zone."""

import re
import time

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from impact.models import Notification, User
from tests.impact import support

PASSWORD = "a-long-enough-passphrase-7"


def wait_for_mail(to: str, timeout: float = 10) -> mail.EmailMessage:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in mail.outbox:
            if message.to == [to]:
                return message
        time.sleep(0.1)
    raise AssertionError(f"no mail to {to}; outbox: {[m.subject for m in mail.outbox]}")


@pytest.mark.e2e
def test_newcomer_signs_up_confirms_and_sets_their_time_zone(
    page: Page, live_server, transactional_db, mailoutbox, results_dir
):
    with support.celery_eager():
        page.goto(f"{live_server.url}/accounts/signup/")
        page.get_by_label("Display name").fill("Ada Lovelace")
        page.get_by_label("Email", exact=True).fill("ada@example.org")
        page.get_by_label("Username").fill("ada")
        page.get_by_label("Time zone").select_option("America/Chicago")
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_label("Password (again)").fill(PASSWORD)
        page.get_by_role("button", name="Sign Up").click()

        expect(page).to_have_url(re.compile(r"/accounts/confirm-email/$"))
        confirmation = wait_for_mail("ada@example.org")
        link = support.first_url(confirmation.body)
        assert link.startswith(live_server.url)

        page.goto(link)
        page.get_by_role("button", name="Confirm").click()

        expect(page).to_have_url(f"{live_server.url}/")
        bell = page.locator("summary", has_text="Notifications")
        expect(bell.locator(".badge")).to_have_text("1")
        expect(bell).to_have_attribute("aria-label", "Notifications, 1 unread")

        bell.click()  # the menu loads the latest notifications with htmx
        menu = page.locator(".notification-menu")
        expect(menu.get_by_text("Welcome to Impact Groups, Ada Lovelace")).to_be_visible()
        menu.get_by_role("link", name="All notifications").click()

        expect(page).to_have_url(f"{live_server.url}/notifications/")
        welcome = page.locator("#notification-items").get_by_role(
            "button", name=re.compile("Welcome to Impact Groups, Ada Lovelace")
        )
        expect(welcome).to_be_visible()
        welcome.click()  # opening it marks it read and follows its link home
        expect(page).to_have_url(f"{live_server.url}/")
        expect(bell.locator(".badge")).to_have_count(0)

        page.goto(f"{live_server.url}/profile/")
        expect(page.get_by_label("Time zone")).to_have_value("America/Chicago")
        page.get_by_label("Time zone").select_option("Europe/Lisbon")
        page.get_by_role("button", name="Save profile").click()
        expect(page.get_by_text("Your profile is saved.")).to_be_visible()
        page.screenshot(path=str(results_dir / "account-journey.png"), full_page=True)

    user = User.objects.get(username="ada")
    assert (user.display_name, user.time_zone) == ("Ada Lovelace", "Europe/Lisbon")
    assert user.emailaddress_set.get().verified
    assert (
        Notification.objects.filter(
            recipient=user, kind="welcome", channel=Notification.Channel.EMAIL
        )
        .get()
        .status
        == Notification.Status.SENT
    )
