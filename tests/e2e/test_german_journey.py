"""A member whose phone speaks German: the site answers in German, takes "2,5" as two and a half,
and the footer's switch turns everything to Spanish, remembered on the profile."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Browser, expect

from impact.models import User
from metrics.models import Measurement
from tests.e2e.support import PHONE
from tests.e2e.test_member_journey import river_crew  # noqa: F401 - the journey's group
from tests.factories import PASSWORD


@pytest.mark.e2e
@pytest.mark.usefixtures("river_crew")
def test_a_german_member_logs_two_and_a_half_and_switches_to_spanish(
    browser: Browser, live_server, results_dir
):
    base = live_server.url
    context = browser.new_context(**PHONE, locale="de-DE")
    page = context.new_page()

    # Signed out, the browser's language decides.
    page.goto(f"{base}/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    page.locator("input[name=login]").fill("meri")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(f"{base}/")

    # The home page in German: the week, the quick log, the effort chips.
    expect(page.get_by_role("heading", name="Meine Woche")).to_be_visible()
    form = page.locator("#quick-log")
    form.get_by_label("Was hast du getan?").fill("Zwölf Eichen an der Brücke gepflanzt")
    form.get_by_role("button", name="1 Stunde").click()
    expect(form.get_by_label("Aufwand (Minuten)")).to_have_value("60")
    form.locator(".impact-fields input").first.fill("2,5")
    form.get_by_role("button", name="Eintragen").click()

    expect(page.locator("#quick-log [role=status]:not([data-outbox])")).to_have_text(
        "Eingetragen: Zwölf Eichen an der Brücke gepflanzt"
    )
    assert Measurement.objects.get().value == Decimal("2.5")
    numbers = page.locator("#my-week .week-numbers")
    expect(numbers).to_contain_text("2,5 trees")  # the decimal comma
    expect(numbers).to_contain_text(re.compile(r"letzte Woche 0"))
    page.screenshot(path=str(results_dir / "german-journey-home.png"), full_page=True)

    # The footer's switch: Spanish from now on, on this page and the next, kept on the profile.
    page.locator("#footer-language").select_option("es")
    page.get_by_role("button", name="Ändern").click()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("heading", name="Mi semana")).to_be_visible()
    assert User.objects.get(username="meri").language == "es"
    page.goto(f"{base}/profile/")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    context.close()
