"""What the browser journeys share."""

from playwright.sync_api import Page, expect

from groups import services as group_services
from groups.models import Group
from impact.models import User
from tests.factories import PASSWORD, UserFactory


def sign_in(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Login").fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
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
