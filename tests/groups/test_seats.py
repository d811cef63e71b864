"""One rule for room in a group, one for its capacity and one for a place on its waitlist."""

from datetime import timedelta

import pytest
from django.utils import timezone

from groups.models import GROUP_HARD_CAP, GROUP_MIN_CAPACITY, capacity_problem, seats_free
from groups.selectors import waitlist, waitlist_position, with_waitlist_position
from tests.factories import JoinRequestFactory


@pytest.mark.parametrize(
    ("size", "capacity", "free"), [(0, 15, 15), (14, 15, 1), (15, 15, 0), (16, 15, 0), (3, 2, 0)]
)
def test_seats_free_never_goes_below_zero(size, capacity, free):
    assert seats_free(size, capacity) == free


def test_capacity_is_bounded_by_the_minimum_and_the_hard_cap():
    assert capacity_problem(GROUP_MIN_CAPACITY) is None
    assert capacity_problem(GROUP_HARD_CAP) is None
    for wrong in (GROUP_MIN_CAPACITY - 1, GROUP_HARD_CAP + 1):
        assert capacity_problem(wrong) == (
            f"A group holds between {GROUP_MIN_CAPACITY} and {GROUP_HARD_CAP} people."
        )


@pytest.mark.django_db
def test_every_way_of_reading_a_place_on_the_waitlist_agrees(group):
    now = timezone.now()
    # Two waiting since the same moment: the earlier request (lower id) goes first.
    moments = [now - timedelta(hours=2), now - timedelta(hours=1), now - timedelta(hours=1)]
    requests = [
        JoinRequestFactory(group=group, status="waitlisted", waitlisted_at=moment)
        for moment in moments
    ]
    numbered = {r.pk: r.position for r in waitlist(group)}
    annotated = {
        r.pk: r.position
        for r in with_waitlist_position(group.join_requests.filter(status="waitlisted"))
    }
    counted = {r.pk: waitlist_position(r) for r in requests}
    assert numbered == annotated == counted == {r.pk: n for n, r in enumerate(requests, 1)}
