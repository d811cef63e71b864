"""Acts that cannot be undone ask first, on a page that works without JavaScript: leaving a
group, withdrawing from its queue, taking a moderator's role away."""

import pytest
from django.urls import reverse

from groups import services
from groups.models import JoinRequest, Membership
from tests.groups.test_views import messages_of, signed_in

pytestmark = pytest.mark.django_db

CONFIRM_PAGE_QUERIES = 10


def test_leave_asks_first_and_leaves_only_when_confirmed(
    client, group, member, django_assert_max_num_queries
):
    url = reverse("groups:group_leave", args=[group.pk])
    signed_in(client, member)
    # The leave button sits with the members (the group page is a short overview).
    page = client.get(reverse("groups:group_members", args=[group.pk])).content.decode()
    assert f'action="{url}"' in page and "Leave this group" in page

    with django_assert_max_num_queries(CONFIRM_PAGE_QUERIES):
        asked = client.post(url)

    text = asked.content.decode()
    assert asked.status_code == 200
    assert f"Leave {group.name}?" in text and 'name="confirm" value="1"' in text
    assert "What you logged in the group stays." in text
    assert "goes at once to the next person" not in text  # the group is not full
    assert Membership.objects.active().filter(group=group, user=member).exists()

    left = client.post(url, {"confirm": "1"}, follow=True)

    assert any("You left" in m for m in messages_of(left))
    assert not Membership.objects.active().filter(group=group, user=member).exists()


def test_leaving_a_full_group_warns_that_the_seat_goes_to_the_waitlist(
    client, make_group, join_people
):
    group = make_group(15)
    (waiting,), _outcomes = join_people(group, 1)
    leaver = Membership.objects.active().filter(group=group, role="member").first().user

    asked = signed_in(client, leaver).post(reverse("groups:group_leave", args=[group.pk]))

    assert "your seat goes at once to the next person on the waitlist" in asked.content.decode()
    assert not Membership.objects.active().filter(group=group, user=waiting).exists()


def test_withdrawing_from_the_waitlist_asks_first(client, make_group, join_people):
    group = make_group(15)
    (waiting,), _outcomes = join_people(group, 1)
    url = reverse("groups:group_leave", args=[group.pk])
    client = signed_in(client, waiting)

    asked = client.post(url)

    assert f"Withdraw from {group.name}?" in asked.content.decode()
    assert "You lose your place on the waitlist" in asked.content.decode()
    assert JoinRequest.objects.get(user=waiting).status == JoinRequest.Status.WAITLISTED

    client.post(url, {"confirm": "1"})
    assert JoinRequest.objects.get(user=waiting).status == JoinRequest.Status.WITHDRAWN


def test_someone_not_in_the_group_is_told_so_without_a_confirmation(client, group, outsider):
    response = signed_in(client, outsider).post(
        reverse("groups:group_leave", args=[group.pk]), follow=True
    )

    assert messages_of(response) == ["You are not in this group."]


def test_making_a_moderator_a_member_asks_first_and_keeps_the_choice(
    client, group, moderator, member, django_assert_max_num_queries
):
    seat = Membership.objects.get(group=group, user=member)
    services.membership_set_role(actor=moderator, membership=seat, role="moderator")
    url = reverse("groups:member_role", args=[group.pk, seat.pk])
    signed_in(client, moderator)

    with django_assert_max_num_queries(CONFIRM_PAGE_QUERIES):
        asked = client.post(url, {"role": "member"})

    text = asked.content.decode()
    assert asked.status_code == 200
    assert f"Make {member.public_name} a member again?" in text
    assert 'name="role" value="member"' in text and 'name="confirm" value="1"' in text
    seat.refresh_from_db()
    assert seat.is_moderator

    done = client.post(url, {"role": "member", "confirm": "1"}, follow=True)

    seat.refresh_from_db()
    assert "Role updated." in messages_of(done) and not seat.is_moderator


def test_making_a_member_a_moderator_needs_no_confirmation(client, group, moderator, member):
    seat = Membership.objects.get(group=group, user=member)

    response = signed_in(client, moderator).post(
        reverse("groups:member_role", args=[group.pk, seat.pk]), {"role": "moderator"}
    )

    seat.refresh_from_db()
    assert response.status_code == 302 and seat.is_moderator
