"""An organizer spins out a full group, and the person waiting for it becomes a member."""

import re

import pytest
from playwright.sync_api import Browser, expect

from groups import services
from groups.models import Group, Membership
from tests.e2e.support import WAYS, Way, sign_in
from tests.factories import UserFactory

STATEMENT = "I plant trees every weekend and want to do it with neighbours."


@pytest.fixture
def full_group(transactional_db):
    """A public network with an open group of 15, filled through the join service."""
    organizer = UserFactory(username="olga", display_name="Olga Organizer")
    network = services.network_create(creator=organizer, name="Green Town")
    moderator = UserFactory(display_name="Mo Moderator")
    services.network_add_person(network=network, user=moderator)
    group = services.group_create(
        organizer=organizer,
        network=network,
        name="Riverbank",
        purpose="Plant native trees along the river.",
        moderator=moderator,
    )
    leader = UserFactory(display_name="Lena Leader")
    for person in [leader] + [UserFactory() for _ in range(13)]:
        services.group_join(user=person, group=group, statement=STATEMENT)
    assert Membership.objects.active().filter(group=group).count() == 15
    return group


@pytest.mark.e2e
@pytest.mark.parametrize("way", WAYS)
def test_waitlisted_person_ends_up_in_the_group_an_organizer_spins_out(
    browser: Browser, live_server, full_group, results_dir, way: Way
):
    base, t = live_server.url, way.t
    wanda = UserFactory(username="wanda", display_name="Wanda Waiting")
    way.speak()
    page = way.context(browser).new_page()

    # A person asks to join the full group and learns their place on the waitlist.
    sign_in(page, base, "wanda", way=way)
    page.goto(f"{base}{full_group.get_absolute_url()}")
    expect(page.get_by_text("15/15")).to_be_visible()
    page.get_by_label(t("Why do you want to join?")).fill(STATEMENT)
    page.get_by_role("button", name=t("Join the waitlist")).click()
    expect(page.locator(".callout")).to_contain_text(
        t("You are number %(n)s on the waitlist.", n=1)
    )

    # The organizer, in a browser of their own, spins out a new group from the full one.
    organizer_context = way.context(browser)
    organizer = organizer_context.new_page()
    sign_in(organizer, base, "olga", way=way)
    organizer.goto(f"{base}{full_group.network.get_absolute_url()}")
    organizer.get_by_role("link", name=t("Spin out of %(name)s", name="Riverbank")).click()
    expect(organizer).to_have_url(re.compile(rf"/groups/{full_group.pk}/spin-out/$"))
    organizer.get_by_label(t("Name of the new group")).fill("Riverbank Two")
    organizer.get_by_label(t("Moderator of the new group")).select_option(label="Lena Leader")
    organizer.get_by_role("button", name=t("Preview")).click()

    preview = organizer.locator(".preview")
    expect(preview).to_contain_text(t("Preview: nothing has moved yet"))
    expect(preview).to_contain_text(
        f"Lena Leader — {t('moderator')} ({t('a leader unleashed from this group')})"
    )
    expect(preview).to_contain_text(f"Wanda Waiting — {t('from the waitlist')}")
    assert not Group.objects.filter(parent=full_group).exists()
    organizer.get_by_role("button", name=t("Spin out now")).click()

    child = Group.objects.get(parent=full_group)
    expect(organizer).to_have_url(f"{base}{child.get_absolute_url()}")
    expect(organizer.get_by_role("heading", name="Riverbank Two")).to_be_visible()
    organizer.screenshot(
        path=str(results_dir / f"group-journey-spun-out-{way.language}.png"), full_page=True
    )
    organizer_context.close()

    # The person who waited is now a member of the new group.
    page.goto(f"{base}/")
    card = page.locator("article.group-card", has_text="Riverbank Two")
    expect(card).to_be_visible()
    expect(card).not_to_contain_text(
        t("You are number %(n)s on the waitlist. We'll tell you when a seat opens.", n=1)
    )
    expect(card).to_contain_text("2/15")
    expect(page.locator("article.group-card", has_text="Riverbank")).to_have_count(1)
    page.screenshot(path=str(results_dir / f"group-journey-{way.language}.png"), full_page=True)
    assert Membership.objects.active().filter(group=child, user=wanda).exists()
