"""A member logs an action on their phone and sees their week and the group's chart change."""

import re

import pytest
from playwright.sync_api import Browser, expect

from groups import services as group_services
from metrics import services
from metrics.models import Action
from tests.e2e.support import WAYS, Way, sign_in
from tests.factories import UserFactory

STATEMENT = "I plant trees every weekend and want to do it with neighbours."


@pytest.fixture
def river_crew(transactional_db):
    """A group that measures trees planted, and a member who has logged nothing yet."""
    organizer = UserFactory(display_name="Olga Organizer")
    network = group_services.network_create(creator=organizer, name="Green Town")
    moderator = UserFactory(display_name="Mo Moderator")
    group_services.network_add_person(network=network, user=moderator)
    group = group_services.group_create(
        organizer=organizer,
        network=network,
        name="River Crew",
        purpose="Plant native trees along the river.",
        moderator=moderator,
    )
    services.metric_define(
        actor=moderator, group=group, name="Trees planted", unit="trees", target=100
    )
    member = UserFactory(username="meri", display_name="Meri Member")
    group_services.group_join(user=member, group=group, statement=STATEMENT)
    return group


@pytest.mark.e2e
@pytest.mark.parametrize("way", WAYS)
def test_member_logs_an_action_and_sees_their_week_and_the_chart(
    browser: Browser, live_server, river_crew, results_dir, way: Way
):
    base, t = live_server.url, way.t
    way.speak()
    context = way.context(browser)
    page = context.new_page()
    sign_in(page, base, "meri", way=way)

    # The home page loads my week and the quick log (htmx, after the page itself).
    week = page.locator("#my-week")
    expect(week.get_by_role("heading", name=t("My week"))).to_be_visible()
    numbers = week.locator(".week-numbers")
    expect(numbers.locator("dd").first).to_have_text(
        re.compile(rf"^0\s+{t('last week %(n)s', n=0)}$")
    )
    form = page.locator("#quick-log")
    expect(form.get_by_label(t("Day"))).not_to_have_value("")

    # Log an action with its impact: no page load, the form answers in place.
    page.evaluate("window.__sameDocument = true")
    # On the phone: the description typed, the effort is a tap, and "Log it" is on the first
    # screen (opening the app, the effort, the button: three taps and the description).
    form.get_by_label(t("What did you do?")).fill("Planted 12 oaks by the bridge")
    form.get_by_role("button", name=t("1 hour")).click()
    expect(form.get_by_label(t("Effort (minutes)"))).to_have_value("60")
    expect(form.get_by_role("button", name=t("1 hour"))).to_have_attribute("aria-pressed", "true")
    log_it = form.get_by_role("button", name=t("Log it"))
    box = log_it.bounding_box()
    assert box is not None and box["y"] + box["height"] <= way.screen["viewport"]["height"]
    form.get_by_label(t("%(name)s (%(unit)s)", name="Trees planted", unit="trees")).fill("12")
    log_it.click()

    expect(page.locator("#quick-log [role=status]:not([data-outbox])")).to_have_text(
        t("Logged: %(what)s", what="Planted 12 oaks by the bridge")
    )
    assert page.url == f"{base}/"
    assert page.evaluate("window.__sameDocument") is True, "the page was reloaded"
    expect(page.locator("#quick-log").get_by_label(t("What did you do?"))).to_have_value("")

    # My week catches up: one action, 60 minutes, 12 trees.
    expect(numbers.locator("dd").nth(0)).to_have_text(
        re.compile(rf"^1\s+{t('last week %(n)s', n=0)}$")
    )
    expect(numbers.locator("dd").nth(1)).to_contain_text(t("%(n)s min", n=60))
    expect(numbers).to_contain_text("12 trees")
    assert Action.objects.get().measurements.get().value == 12
    page.screenshot(
        path=str(results_dir / f"member-journey-week-{way.language}.png"), full_page=True
    )

    # The group's impact page: the chart, and its table view holding this week's 12.
    page.goto(f"{base}/groups/{river_crew.pk}/impact/")
    chart = page.locator("figure.metric-chart", has_text="Trees planted")
    expect(chart.locator(".chart")).to_be_visible()
    expect(chart).to_contain_text(
        t(
            "%(current)s of %(target)s %(unit)s (%(p)s%% of the target)",
            current=12,
            target=100,
            unit="trees",
            p=12,
        )
    )
    chart.get_by_text(t("Show as a table")).click()
    last_row = chart.locator("table tbody tr").last
    expect(last_row).to_be_visible()
    expect(last_row.locator("td").last).to_have_text("12")
    page.screenshot(
        path=str(results_dir / f"member-journey-impact-{way.language}.png"), full_page=True
    )
    context.close()


# The quick log's fields that the "Log it" bar overlaps: every field shown when `focused` is
# None, else the focused one.
COVERED_FIELDS = """(focused) => {
  const form = document.getElementById("quick-log");
  const bar = form.querySelector(".form-actions").getBoundingClientRect();
  const fields = focused ? [document.activeElement]
    : [...form.querySelectorAll("input:not([type=hidden]), select, textarea")];
  return fields.filter((f) => f.checkVisibility()).filter((f) => {
    const box = f.getBoundingClientRect();
    const seen = box.bottom > 0 && box.top < window.innerHeight;
    return seen && box.bottom > bar.top && box.top < bar.bottom;
  }).map((f) => f.name);
}"""


@pytest.mark.parametrize("who", ["member", "moderator"])
def test_the_log_it_bar_never_sits_over_a_field_on_a_phone(
    browser: Browser, live_server, demo, who
):
    """At 390 x 844 the sticky bar sat over "What did you do?" (the moderator's home) and hid
    the third impact field (the member's): it sticks only once a description is typed, and a
    field focused under it scrolls above it."""
    from tests.e2e.support import DEMO_PASSWORD, PHONE

    context = browser.new_context(**PHONE)
    page = context.new_page()
    sign_in(page, live_server.url, who, DEMO_PASSWORD)
    form = page.locator("#quick-log")
    expect(form).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert page.evaluate(COVERED_FIELDS, False) == []

    form.locator("[name=description]").fill("Cleared the ditch by the school")
    page.evaluate("() => new Promise(requestAnimationFrame)")
    log_it = form.get_by_role("button", name="Log it")
    box = log_it.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 844  # the rule still holds
    names = form.locator("input:not([type=hidden]):visible, select:visible, textarea:visible")
    covered = {}
    for i in range(names.count()):
        field = names.nth(i)
        page.evaluate("() => window.scrollTo(0, 0)")
        field.focus()
        page.evaluate("() => new Promise(requestAnimationFrame)")
        if found := page.evaluate(COVERED_FIELDS, True):
            covered[field.get_attribute("name")] = found
    context.close()
    assert covered == {}
