"""The quick log on the home page opens on the group a person logged for last."""

import re

import pytest
from django.urls import reverse

from groups import services as group_services
from tests.metrics.support import STATEMENT, log

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def quick_log_group(page: str) -> int:
    """The group the quick log form posts to."""
    return int(re.search(r'id="quick-log"[^>]*action="/groups/(\d+)/', page, re.S).group(1))


def selected_group(page: str) -> int:
    return int(re.search(r'<option value="(\d+)" selected>', page).group(1))


@pytest.fixture
def in_two_groups(group, other_group, member, network, organizer):
    """The member of River Crew also joins Solar Crew and Art Crew (first by name, new and
    empty); returns Art Crew."""
    group_services.group_join(user=member, group=other_group, statement=STATEMENT)
    art = group_services.group_create(
        organizer=organizer,
        network=network,
        name="Art Crew",
        purpose="Paint the underpass.",
        moderator=None,
    )
    group_services.group_join(user=member, group=art, statement=STATEMENT)
    return art


def test_the_quick_log_defaults_to_the_group_logged_for_last(
    signed_in, group, other_group, member, in_two_groups, django_assert_max_num_queries
):
    log(member, group)
    log(member, other_group)  # the latest
    client = signed_in(member)

    with django_assert_max_num_queries(12):
        page = client.get(reverse("metrics:member_week"), headers=HTMX).content.decode()

    assert quick_log_group(page) == other_group.pk
    assert selected_group(page) == other_group.pk


def test_without_any_action_the_quick_log_opens_on_the_first_group_by_name(
    signed_in, group, member, in_two_groups, django_assert_max_num_queries
):
    client = signed_in(member)

    with django_assert_max_num_queries(12):
        page = client.get(reverse("metrics:member_week"), headers=HTMX).content.decode()

    assert quick_log_group(page) == in_two_groups.pk  # "Art Crew"


def test_a_group_left_since_is_not_the_default(
    signed_in, group, other_group, member, in_two_groups, django_assert_max_num_queries
):
    log(member, group)
    log(member, other_group)
    group_services.group_leave(user=member, group=other_group)
    client = signed_in(member)

    with django_assert_max_num_queries(12):
        page = client.get(reverse("metrics:member_week"), headers=HTMX).content.decode()

    assert quick_log_group(page) == group.pk


def test_logging_for_another_group_moves_the_default_there(
    signed_in, group, other_group, member, in_two_groups
):
    client = signed_in(member)
    log(member, other_group)
    assert quick_log_group(client.get(reverse("metrics:member_week")).content.decode()) == (
        other_group.pk
    )

    log(member, group)

    # Nothing kept may hold the earlier default.
    page = client.get(reverse("metrics:member_week")).content.decode()
    assert quick_log_group(page) == group.pk


def test_a_group_chosen_in_the_switcher_wins_over_the_default(
    signed_in, group, other_group, member, in_two_groups
):
    log(member, other_group)
    client = signed_in(member)

    page = client.get(
        reverse("metrics:member_week"), {"group": group.pk}, headers=HTMX
    ).content.decode()

    assert quick_log_group(page) == group.pk
