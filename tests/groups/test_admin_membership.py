"""The admin is no side door into a group: a seat's group, person and "left" cannot be changed,
and staff add people through the service that locks the group and holds the cap."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from groups import services
from groups.models import JoinRequest, Membership
from impact.exceptions import Conflict
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ADMIN_PAGE_QUERIES = 20


@pytest.fixture
def staff(client):
    person = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(person)
    return person


def add_url() -> str:
    return reverse("admin:groups_membership_add")


def change_url(membership: Membership) -> str:
    return reverse("admin:groups_membership_change", args=[membership.pk])


# The service -------------------------------------------------------------------------------------


def test_staff_cannot_add_a_sixteenth_member(staff, make_group):
    group = make_group(15)

    with pytest.raises(Conflict, match="is full"):
        services.membership_add_by_staff(actor=staff, group=group, user=UserFactory())

    assert Membership.objects.active().filter(group=group).count() == 15


def test_staff_add_a_person_with_a_role(staff, make_group):
    group, person = make_group(3), UserFactory()

    seat = services.membership_add_by_staff(actor=staff, group=group, user=person, role="moderator")

    assert (seat.group, seat.user, seat.role) == (group, person, "moderator")
    assert Membership.objects.active().filter(group=group).count() == 4


def test_an_open_request_is_settled_when_staff_seat_the_person(staff, make_group, join_people):
    group = make_group(3, join_policy="approval")
    (asker,), _outcomes = join_people(group, 1)

    services.membership_add_by_staff(actor=staff, group=group, user=asker)

    request = JoinRequest.objects.get(user=asker, group=group)
    assert (request.status, request.decided_by) == ("accepted", staff)


def test_only_staff_add_directly_and_never_twice(make_group, member):
    group = make_group(3)
    with pytest.raises(PermissionDenied):
        services.membership_add_by_staff(actor=member, group=group, user=UserFactory())
    person = UserFactory()
    services.membership_add_by_staff(actor=UserFactory(is_staff=True), group=group, user=person)
    with pytest.raises(Conflict, match="already a member"):
        services.membership_add_by_staff(actor=UserFactory(is_staff=True), group=group, user=person)


# The admin pages -----------------------------------------------------------------------------


def test_a_membership_cannot_be_moved_to_another_group_in_the_admin(
    client, staff, make_group, django_assert_max_num_queries
):
    full, other = make_group(15), make_group(3)
    seat = Membership.objects.active().filter(group=other, role="member").first()

    with django_assert_max_num_queries(ADMIN_PAGE_QUERIES):
        page = client.get(change_url(seat)).content.decode()
    assert 'name="group"' not in page and 'name="user"' not in page
    assert 'name="left_at_0"' not in page and 'name="role"' in page

    response = client.post(
        change_url(seat),
        {"group": full.pk, "user": seat.user_id, "role": "member", "left_at_0": "", "_save": "1"},
    )

    seat.refresh_from_db()
    assert response.status_code == 302
    assert seat.group == other and seat.left_at is None
    assert Membership.objects.active().filter(group=full).count() == 15


def test_clearing_left_in_the_admin_does_not_put_someone_back(client, staff, make_group):
    group = make_group(4)
    seat = Membership.objects.active().filter(group=group, role="member").first()
    services.group_leave(user=seat.user, group=group)

    client.post(
        change_url(seat), {"role": "member", "left_at_0": "", "left_at_1": "", "_save": "1"}
    )

    seat.refresh_from_db()
    assert seat.left_at is not None


def test_the_admin_adds_a_member_through_the_service(
    client, staff, make_group, django_assert_max_num_queries
):
    group = make_group(3)
    person = UserFactory()
    with django_assert_max_num_queries(ADMIN_PAGE_QUERIES):
        assert client.get(add_url()).status_code == 200

    response = client.post(
        add_url(), {"user": person.pk, "group": group.pk, "role": "member", "_save": "1"}
    )

    assert response.status_code == 302
    seat = Membership.objects.active().get(group=group, user=person)
    assert group.audit_events.filter(verb="member.joined", target=person.public_name).exists()
    assert seat.role == "member"


def test_the_admin_refuses_a_sixteenth_member_with_a_message_and_keeps_the_form(
    client, staff, make_group
):
    group = make_group(15)
    person = UserFactory()

    response = client.post(
        add_url(), {"user": person.pk, "group": group.pk, "role": "moderator", "_save": "1"}
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "is full (15 of 15 seats)" in page
    assert response.context["adminform"].form["role"].value() == "moderator"
    assert Membership.objects.active().filter(group=group).count() == 15
    assert not Membership.objects.filter(user=person).exists()


def test_a_seat_taken_between_the_check_and_the_add_is_refused_with_a_message(
    client, staff, make_group, monkeypatch
):
    group = make_group(15)
    person = UserFactory()
    # The form's advisory check saw a free seat; the service, under the lock, sees none.
    monkeypatch.setattr(services, "membership_add_problem", lambda **kwargs: None)

    response = client.post(
        add_url(), {"user": person.pk, "group": group.pk, "role": "member", "_save": "1"}
    )

    assert response.status_code == 302 and response.url == add_url()
    assert Membership.objects.active().filter(group=group).count() == 15
    assert not Membership.objects.filter(user=person).exists()
    page = client.get(add_url()).content.decode()
    assert "is full (15 of 15 seats)" in page
