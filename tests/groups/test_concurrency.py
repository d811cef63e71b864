"""The 15-member cap under real concurrency: 40 threads, 40 PostgreSQL connections, one seat.

Each thread holds its own database connection (Django keeps one per thread), so these tests
commit for real (transaction=True) and the row lock on the group is what keeps the count.
"""

from collections import Counter

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from groups import services
from groups.models import Group, JoinRequest
from tests.factories import UserFactory
from tests.groups.support import STATEMENT, active_members, run_together, waitlist

pytestmark = pytest.mark.django_db(transaction=True)

PEOPLE = 40


def assert_one_seat_taken_and_the_rest_waiting(group, results, errors):
    assert errors == []
    assert Counter(r.outcome for r in results) == {"member": 1, "waitlisted": PEOPLE - 1}
    assert sorted(r.waitlist_position for r in results if r.outcome == "waitlisted") == list(
        range(1, PEOPLE)
    )
    assert active_members(group) == 15
    assert len(waitlist(group)) == PEOPLE - 1


def test_forty_simultaneous_joins_leave_fifteen_members_and_thirty_nine_waiting(make_group):
    group = make_group(14)
    people = [UserFactory() for _ in range(PEOPLE)]

    results, errors = run_together(
        PEOPLE,
        lambda i: services.group_join(user=people[i], group=group, statement=STATEMENT),
    )

    assert_one_seat_taken_and_the_rest_waiting(group, results, errors)


def test_forty_simultaneous_invitation_accepts_leave_fifteen_members(make_group, organizer):
    group = make_group(14)
    invitations = [
        services.invitation_create(actor=organizer, group=group, email=f"guest{i}@example.org")
        for i in range(PEOPLE)
    ]
    people = [UserFactory() for _ in range(PEOPLE)]

    results, errors = run_together(
        PEOPLE,
        lambda i: services.invitation_accept(user=people[i], token=invitations[i].token),
    )

    assert_one_seat_taken_and_the_rest_waiting(group, results, errors)


def test_forty_simultaneous_approvals_admit_one_and_waitlist_the_rest(
    make_group, moderator, join_people
):
    group = make_group(14, join_policy=Group.JoinPolicy.APPROVAL, moderator=moderator)
    _, asked = join_people(group, PEOPLE)
    assert {o.outcome for o in asked} == {"pending"}

    results, errors = run_together(
        PEOPLE,
        lambda i: services.join_request_decide(
            actor=moderator, join_request=asked[i].request, approve=True
        ),
    )

    assert_one_seat_taken_and_the_rest_waiting(group, results, errors)
    assert not JoinRequest.objects.filter(group=group, status="pending").exists()


def test_forty_simultaneous_api_joins_never_fail_and_leave_fifteen_members(make_group):
    group = make_group(14)
    people = [UserFactory() for _ in range(PEOPLE)]
    url = reverse("api-group-join", args=[group.pk])

    def post_join(i):
        client = APIClient()
        client.force_authenticate(people[i])
        return client.post(url, {"statement": STATEMENT}, format="json")

    responses, errors = run_together(PEOPLE, post_join)

    assert errors == []
    assert [r.status_code for r in responses] == [200] * PEOPLE
    answers = [r.json() for r in responses]
    assert Counter(a["outcome"] for a in answers) == {"member": 1, "waitlisted": PEOPLE - 1}
    assert sorted(a["waitlist_position"] for a in answers if a["waitlist_position"]) == list(
        range(1, PEOPLE)
    )
    assert active_members(group) == 15
    assert len(waitlist(group)) == PEOPLE - 1
