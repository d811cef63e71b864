"""What the browser journeys share."""

from django.utils import timezone
from playwright.sync_api import Page, expect

from groups import services as group_services
from groups.models import Group
from impact.demo import DEMO_PASSWORD
from impact.models import User
from tests.factories import PASSWORD, UserFactory

__all__ = ["DEMO_PASSWORD", "DESKTOP", "PHONE", "green_town_group", "main_pages", "sign_in"]

# Browser contexts: a desktop, and a phone (390 x 844, touch).
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def sign_in(page: Page, base_url: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Login").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign In").click()
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
    ]
