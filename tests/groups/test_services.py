"""The group rules, through the services that hold them (real PostgreSQL, no mocks)."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from groups import selectors, services
from groups.models import (
    Group,
    Invitation,
    JoinRequest,
    Membership,
    NetworkMembership,
)
from impact.exceptions import Conflict
from impact.models import Notification
from tests.factories import UserFactory
from tests.groups.support import STATEMENT, active_members, waitlist

pytestmark = pytest.mark.django_db


def in_app(user, kind):
    return Notification.objects.filter(
        recipient=user, kind=kind, channel=Notification.Channel.IN_APP
    )


# Networks and groups -------------------------------------------------------------------------


def test_network_creator_becomes_its_first_organizer(organizer):
    network = services.network_create(creator=organizer, name="  Blue Coast ")

    assert network.name == "Blue Coast"
    assert network.slug == "blue-coast"
    assert network.memberships.get().role == NetworkMembership.Role.ORGANIZER


def test_two_networks_with_the_same_name_get_different_slugs(organizer):
    first = services.network_create(creator=organizer, name="Blue Coast")
    second = services.network_create(creator=organizer, name="Blue Coast")

    assert first.slug != second.slug


def test_only_organizers_create_groups(network, member):
    with pytest.raises(PermissionDenied):
        services.group_create(organizer=member, network=network, name="Mine", purpose="Ours.")


def test_group_capacity_above_fifteen_is_refused(network, organizer):
    with pytest.raises(ValidationError) as info:
        services.group_create(
            organizer=organizer, network=network, name="Big", purpose="Too many.", capacity=16
        )
    assert "capacity" in info.value.message_dict


def test_group_moderator_must_be_part_of_the_network(network, organizer, outsider):
    with pytest.raises(ValidationError) as info:
        services.group_create(
            organizer=organizer, network=network, name="New", purpose="Act.", moderator=outsider
        )
    assert "moderator" in info.value.message_dict
    assert not NetworkMembership.objects.filter(network=network, user=outsider).exists()


@pytest.mark.parametrize(
    ("size", "status"),
    [(0, "forming"), (4, "forming"), (5, "active"), (14, "active"), (15, "full")],
)
def test_status_is_derived_from_size(make_group, size, status):
    group = make_group(size)

    annotated = selectors.groups_with_counts(Group.objects.filter(pk=group.pk)).get()

    assert annotated.size == size
    assert selectors.with_status(annotated).status == status


def test_a_smaller_group_is_full_at_its_own_capacity():
    assert Group.status_for(8, 8) == Group.Status.FULL
    assert Group.status_for(7, 8) == Group.Status.ACTIVE
    assert Group.status_for(3, 4) == Group.Status.FORMING


# Joining ------------------------------------------------------------------------------------


def test_open_join_below_capacity_makes_a_member_and_tells_the_moderators(group, moderator):
    person = UserFactory()

    outcome = services.group_join(user=person, group=group, statement=STATEMENT)

    assert outcome.outcome == "member"
    membership = Membership.objects.active().get(group=group, user=person)
    assert membership.statement == STATEMENT
    assert membership.role == Membership.Role.MEMBER
    assert NetworkMembership.objects.filter(network=group.network, user=person).exists()
    assert in_app(moderator, "group.join_request").exists()


def test_approval_join_below_capacity_is_a_pending_request(make_group, moderator):
    group = make_group(3, join_policy=Group.JoinPolicy.APPROVAL, moderator=moderator)
    person = UserFactory()

    outcome = services.group_join(user=person, group=group, statement=STATEMENT)

    assert outcome.outcome == "pending"
    assert outcome.request.status == JoinRequest.Status.PENDING
    assert active_members(group) == 3
    assert in_app(moderator, "group.join_request").exists()


def test_joins_at_capacity_go_to_the_waitlist_in_order(make_group, join_people):
    group = make_group(15, via_services=True)

    users, outcomes = join_people(group, 3)

    assert [o.outcome for o in outcomes] == ["waitlisted"] * 3
    assert [o.waitlist_position for o in outcomes] == [1, 2, 3]
    assert waitlist(group) == [u.pk for u in users]
    assert active_members(group) == 15


def test_sixteenth_join_goes_to_the_waitlist_in_an_approval_group_too(make_group):
    group = make_group(15, join_policy=Group.JoinPolicy.APPROVAL)

    outcome = services.group_join(user=UserFactory(), group=group, statement=STATEMENT)

    assert outcome.outcome == "waitlisted"
    assert outcome.waitlist_position == 1


def test_joining_twice_answers_with_the_same_state(make_group, join_people):
    open_group = make_group(3)
    full_group = make_group(15)
    approval_group = make_group(3, join_policy=Group.JoinPolicy.APPROVAL)
    person = UserFactory()
    join_people(full_group, 1)

    for group, expected in [
        (open_group, "member"),
        (full_group, "waitlisted"),
        (approval_group, "pending"),
    ]:
        first = services.group_join(user=person, group=group, statement=STATEMENT)
        again = services.group_join(user=person, group=group, statement="Once more, with feeling.")
        assert first.outcome == again.outcome == expected
        assert first.waitlist_position == again.waitlist_position

    assert Membership.objects.filter(user=person, group=open_group).count() == 1
    assert JoinRequest.objects.filter(user=person).count() == 2
    assert waitlist(full_group)[-1] == person.pk
    assert (
        services.group_join(user=person, group=full_group, statement=STATEMENT).waitlist_position
        == 2
    )


@pytest.mark.parametrize("statement", ["", "   ", "pls"])
def test_a_short_statement_is_refused_on_the_statement_field(group, statement):
    with pytest.raises(ValidationError) as info:
        services.group_join(user=UserFactory(), group=group, statement=statement)

    assert "statement" in info.value.message_dict
    assert active_members(group) == 1


def test_someone_outside_a_private_network_cannot_join_its_groups(organizer, outsider):
    private = services.network_create(creator=organizer, name="Inner Circle", is_public=False)
    group = services.group_create(
        organizer=organizer, network=private, name="Quiet", purpose="Meet quietly."
    )

    with pytest.raises(PermissionDenied):
        services.group_join(user=outsider, group=group, statement=STATEMENT)

    assert not Membership.objects.filter(group=group).exists()
    assert not NetworkMembership.objects.filter(network=private, user=outsider).exists()


def test_someone_in_a_private_network_can_join_its_open_groups(organizer, outsider):
    private = services.network_create(creator=organizer, name="Inner Circle", is_public=False)
    group = services.group_create(
        organizer=organizer, network=private, name="Quiet", purpose="Meet quietly."
    )
    services.network_add_person(network=private, user=outsider)

    assert services.group_join(user=outsider, group=group, statement=STATEMENT).outcome == "member"


# Leaving and the waitlist --------------------------------------------------------------------


def test_leaving_frees_a_seat_for_the_first_on_the_waitlist_who_is_told(make_group, join_people):
    group = make_group(15)
    leaver = Membership.objects.active().filter(group=group).last().user
    (first, second), _ = join_people(group, 2)

    services.group_leave(user=leaver, group=group)

    assert active_members(group) == 15
    assert Membership.objects.active().filter(group=group, user=first).exists()
    assert JoinRequest.objects.get(user=first, group=group).status == JoinRequest.Status.ACCEPTED
    notice = in_app(first, "group.membership").get()
    assert group.name in notice.title
    assert Notification.objects.filter(
        recipient=first, kind="group.membership", channel=Notification.Channel.EMAIL
    ).exists()
    assert waitlist(group) == [second.pk]
    assert services.group_join(user=second, group=group, statement=STATEMENT).waitlist_position == 1


def test_leaving_keeps_the_membership_row_with_the_time_left(group, member):
    services.group_leave(user=member, group=group)

    row = Membership.objects.get(group=group, user=member)
    assert row.left_at is not None
    assert not Membership.objects.active().filter(group=group, user=member).exists()


def test_someone_who_left_can_join_again(group, member):
    services.group_leave(user=member, group=group)

    outcome = services.group_join(user=member, group=group, statement=STATEMENT)

    assert outcome.outcome == "member"
    assert Membership.objects.filter(group=group, user=member).count() == 2


def test_leaving_the_waitlist_withdraws_the_request(make_group, join_people):
    group = make_group(15)
    (person,), _ = join_people(group, 1)

    services.group_leave(user=person, group=group)

    assert JoinRequest.objects.get(user=person).status == JoinRequest.Status.WITHDRAWN


def test_leaving_a_group_one_is_not_in_is_a_conflict(group, outsider):
    with pytest.raises(Conflict):
        services.group_leave(user=outsider, group=group)


def test_in_an_approval_group_a_freed_seat_makes_the_waitlist_head_pending(
    make_group, join_people, moderator
):
    group = make_group(15, join_policy=Group.JoinPolicy.APPROVAL, moderator=moderator)
    leaver = Membership.objects.active().filter(group=group, role="member").first().user
    (first, second), _ = join_people(group, 2)

    services.group_leave(user=leaver, group=group)

    assert active_members(group) == 14
    assert JoinRequest.objects.get(user=first).status == JoinRequest.Status.PENDING
    assert JoinRequest.objects.get(user=second).status == JoinRequest.Status.WAITLISTED
    assert in_app(first, "group.membership").exists()
    assert in_app(moderator, "group.join_request").filter(title__contains=first.public_name)


# Deciding on requests ----------------------------------------------------------------------


@pytest.fixture
def approval_group(make_group, moderator):
    return make_group(3, join_policy=Group.JoinPolicy.APPROVAL, moderator=moderator)


def test_moderator_approves_a_request_and_the_person_becomes_a_member(
    approval_group, moderator, join_people
):
    (person,), (outcome,) = join_people(approval_group, 1)

    decided = services.join_request_decide(
        actor=moderator, join_request=outcome.request, approve=True
    )

    assert decided.outcome == "member"
    request = JoinRequest.objects.get(pk=outcome.request.pk)
    assert (request.status, request.decided_by) == (JoinRequest.Status.ACCEPTED, moderator)
    assert Membership.objects.active().filter(group=approval_group, user=person).exists()
    assert in_app(person, "group.membership").exists()


def test_moderator_declines_a_request(approval_group, moderator, join_people):
    (person,), (outcome,) = join_people(approval_group, 1)

    assert (
        services.join_request_decide(actor=moderator, join_request=outcome.request, approve=False)
        is None
    )

    assert JoinRequest.objects.get(pk=outcome.request.pk).status == JoinRequest.Status.DECLINED
    assert not Membership.objects.filter(group=approval_group, user=person).exists()
    assert in_app(person, "group.membership").exists()


def test_approving_when_full_puts_the_person_on_the_waitlist(
    approval_group, moderator, join_people, fill_group
):
    _, (outcome,) = join_people(approval_group, 1)
    fill_group(approval_group, 15)

    decided = services.join_request_decide(
        actor=moderator, join_request=outcome.request, approve=True
    )

    assert (decided.outcome, decided.waitlist_position) == ("waitlisted", 1)
    assert active_members(approval_group) == 15


def test_a_request_approved_into_a_full_group_queues_behind_those_already_waiting(
    approval_group, moderator, join_people, fill_group
):
    _, (asked_early,) = join_people(approval_group, 1)  # pending while there was room
    fill_group(approval_group, 15)
    (already_waiting,), _ = join_people(approval_group, 1)

    decided = services.join_request_decide(
        actor=moderator, join_request=asked_early.request, approve=True
    )

    # The place someone was told never gets worse: the waitlist is first come, first served.
    assert decided.waitlist_position == 2
    assert waitlist(approval_group) == [already_waiting.pk, asked_early.request.user_id]


def test_a_request_already_decided_cannot_be_decided_again(approval_group, moderator, join_people):
    _, (outcome,) = join_people(approval_group, 1)
    services.join_request_decide(actor=moderator, join_request=outcome.request, approve=False)

    with pytest.raises(Conflict) as info:
        services.join_request_decide(actor=moderator, join_request=outcome.request, approve=True)
    assert info.value.code == "already_decided"


def test_a_member_cannot_decide_on_requests(approval_group, join_people):
    someone = Membership.objects.active().filter(group=approval_group, role="member").first()
    _, (outcome,) = join_people(approval_group, 1)

    with pytest.raises(PermissionDenied) as info:
        services.join_request_decide(actor=someone.user, join_request=outcome.request, approve=True)

    assert (
        str(info.value) == "Only the group's moderators and its network's organizers can do this."
    )
    request = JoinRequest.objects.get(pk=outcome.request.pk)
    assert (request.status, request.decided_by, request.decided_at) == ("pending", None, None)
    assert not Membership.objects.active().filter(group=approval_group, user=request.user).exists()


# Roles -------------------------------------------------------------------------------------


def test_moderator_makes_a_member_a_moderator(group, moderator, member):
    seat = Membership.objects.active().get(group=group, user=member)

    services.membership_set_role(actor=moderator, membership=seat, role="moderator")

    seat.refresh_from_db()
    assert seat.is_moderator
    assert in_app(member, "group.membership").exists()


def test_the_last_moderator_cannot_be_demoted_by_a_non_organizer(group, moderator):
    seat = Membership.objects.active().get(group=group, user=moderator)

    with pytest.raises(Conflict) as info:
        services.membership_set_role(actor=moderator, membership=seat, role="member")

    assert info.value.code == "last_moderator"
    seat.refresh_from_db()
    assert seat.is_moderator


def test_an_organizer_may_demote_the_last_moderator(group, moderator, organizer):
    seat = Membership.objects.active().get(group=group, user=moderator)

    services.membership_set_role(actor=organizer, membership=seat, role="member")

    seat.refresh_from_db()
    assert not seat.is_moderator


def test_a_moderator_steps_down_once_there_is_another(group, moderator, member):
    services.membership_set_role(
        actor=moderator,
        membership=Membership.objects.active().get(group=group, user=member),
        role="moderator",
    )
    seat = Membership.objects.active().get(group=group, user=moderator)

    services.membership_set_role(actor=moderator, membership=seat, role="member")

    seat.refresh_from_db()
    assert not seat.is_moderator


def test_members_cannot_change_roles_and_unknown_roles_are_refused(group, moderator, member):
    seat = Membership.objects.active().get(group=group, user=moderator)
    with pytest.raises(PermissionDenied):
        services.membership_set_role(actor=member, membership=seat, role="member")
    with pytest.raises(ValidationError):
        services.membership_set_role(actor=moderator, membership=seat, role="king")


# Invitations -------------------------------------------------------------------------------


def test_an_invitation_queues_an_email_to_the_address(group, moderator):
    invitation = services.invitation_create(
        actor=moderator, group=group, email=" Friend@Example.org ", message="Come plant!"
    )

    assert invitation.email == "friend@example.org"
    assert invitation.expires_at > timezone.now() + timedelta(days=13)
    mail = Notification.objects.get(kind="group.invitation")
    assert mail.channel == Notification.Channel.EMAIL
    assert mail.to_email == "friend@example.org"
    assert mail.recipient is None
    assert invitation.token in mail.url
    assert "Come plant!" in mail.body


def test_members_cannot_invite(group, member):
    with pytest.raises(PermissionDenied):
        services.invitation_create(actor=member, group=group, email="friend@example.org")


def test_inviting_a_current_member_is_refused(group, moderator, member):
    with pytest.raises(ValidationError) as info:
        services.invitation_create(actor=moderator, group=group, email=member.email.upper())
    assert "email" in info.value.message_dict


@pytest.fixture
def invitation(group, moderator):
    return services.invitation_create(actor=moderator, group=group, email="friend@example.org")


def test_accepting_an_invitation_makes_a_member(invitation, group):
    person = UserFactory(email="friend@example.org")

    outcome = services.invitation_accept(user=person, token=invitation.token)

    assert outcome.outcome == "member"
    assert Membership.objects.active().filter(group=group, user=person).exists()
    invitation.refresh_from_db()
    assert (invitation.accepted_by, invitation.accepted_at is not None) == (person, True)


def test_accepting_an_invitation_to_an_approval_group_skips_the_approval(approval_group, moderator):
    invitation = services.invitation_create(
        actor=moderator, group=approval_group, email="friend@example.org"
    )

    outcome = services.invitation_accept(user=UserFactory(), token=invitation.token)

    assert outcome.outcome == "member"


def test_accepting_again_by_the_same_person_answers_with_the_same_state(invitation):
    person = UserFactory()
    services.invitation_accept(user=person, token=invitation.token)

    again = services.invitation_accept(user=person, token=invitation.token)

    assert again.outcome == "member"
    assert Membership.objects.filter(user=person).count() == 1


def test_a_used_invitation_cannot_be_used_by_someone_else(invitation):
    services.invitation_accept(user=UserFactory(), token=invitation.token)

    with pytest.raises(Conflict) as info:
        services.invitation_accept(user=UserFactory(), token=invitation.token)
    assert info.value.code == "invitation_used"


def test_an_expired_invitation_is_a_conflict(invitation, group):
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())

    with pytest.raises(Conflict) as info:
        services.invitation_accept(user=UserFactory(), token=invitation.token)

    assert info.value.code == "invitation_expired"
    assert active_members(group) == 1


def test_a_revoked_invitation_is_a_conflict(invitation, moderator, group):
    services.invitation_revoke(actor=moderator, invitation=invitation)

    with pytest.raises(Conflict):
        services.invitation_accept(user=UserFactory(), token=invitation.token)
    assert active_members(group) == 1


def test_accepting_an_invitation_to_a_full_group_joins_the_waitlist(invitation, group, fill_group):
    fill_group(group, 15)
    person = UserFactory()

    outcome = services.invitation_accept(user=person, token=invitation.token)

    assert (outcome.outcome, outcome.waitlist_position) == ("waitlisted", 1)
    assert active_members(group) == 15
    assert waitlist(group) == [person.pk]


def test_an_invitation_brings_someone_into_a_private_network(organizer, outsider):
    private = services.network_create(creator=organizer, name="Inner Circle", is_public=False)
    group = services.group_create(
        organizer=organizer, network=private, name="Quiet", purpose="Meet quietly."
    )
    invitation = services.invitation_create(actor=organizer, group=group, email=outsider.email)

    assert services.invitation_accept(user=outsider, token=invitation.token).outcome == "member"
    assert NetworkMembership.objects.filter(network=private, user=outsider).exists()


def test_an_unknown_token_is_refused(db):
    with pytest.raises(ValidationError):
        services.invitation_accept(user=UserFactory(), token="not-a-token")


# Spin-out ----------------------------------------------------------------------------------


@pytest.fixture
def full_parent(make_group, moderator, join_people):
    """A full open group (moderator + 14) with 20 people waiting, in order."""
    parent = make_group(15, name="Riverbank", moderator=moderator)
    waiting, _ = join_people(parent, 20)
    parent.waiting = waiting
    parent.members = [
        m.user
        for m in Membership.objects.active().filter(group=parent, role="member").order_by("id")
    ]
    return parent


def spin_out(parent, organizer, **kwargs):
    values = {"name": "Riverbank Two", "moderator": parent.members[0]} | kwargs
    return services.group_spin_out(organizer=organizer, parent=parent, **values)


def test_only_organizers_spin_out(full_parent, moderator):
    with pytest.raises(PermissionDenied):
        spin_out(full_parent, moderator)
    assert not Group.objects.filter(parent=full_parent).exists()


def test_spin_out_child_records_its_parent_and_a_leader_unleashed_from_it(full_parent, organizer):
    new_leader = full_parent.members[0]

    child = spin_out(full_parent, organizer, moderator=new_leader)

    assert child.parent == full_parent
    assert child.network == full_parent.network
    assert child.purpose == full_parent.purpose
    seat = Membership.objects.active().get(group=child, user=new_leader)
    assert seat.role == Membership.Role.MODERATOR
    assert seat.unleashed_from == full_parent
    assert Membership.objects.get(group=full_parent, user=new_leader).left_at is not None


def test_a_moderator_from_outside_the_parent_is_no_leader_unleashed_from_it(full_parent, organizer):
    newcomer = UserFactory()
    services.network_add_person(network=full_parent.network, user=newcomer)

    child = spin_out(full_parent, organizer, moderator=newcomer)

    seat = Membership.objects.active().get(group=child, user=newcomer)
    assert seat.is_moderator
    assert seat.unleashed_from is None


def test_spin_out_moderator_must_be_part_of_the_network(full_parent, organizer, outsider):
    with pytest.raises(ValidationError) as info:
        spin_out(full_parent, organizer, moderator=outsider)
    assert "moderator" in info.value.message_dict


def test_spin_out_moves_the_chosen_members_and_the_waitlist_in_order(full_parent, organizer):
    movers = full_parent.members[1:4]

    child = spin_out(full_parent, organizer, move_user_ids=[u.pk for u in movers])

    for person in movers:
        assert Membership.objects.get(group=full_parent, user=person).left_at is not None
        assert Membership.objects.active().filter(group=child, user=person).exists()
    # 1 moderator + 3 movers leave room for the first 11 on the waitlist.
    taken = full_parent.waiting[:11]
    assert active_members(child) == 15
    assert set(
        Membership.objects.active().filter(group=child).values_list("user_id", flat=True)
    ) == {full_parent.members[0].pk, *(u.pk for u in movers), *(u.pk for u in taken)}
    assert set(
        JoinRequest.objects.filter(status=JoinRequest.Status.MOVED).values_list("user", flat=True)
    ) == {u.pk for u in taken}


def test_the_parents_freed_seats_go_to_what_remains_of_its_waitlist(full_parent, organizer):
    movers = full_parent.members[1:4]

    spin_out(full_parent, organizer, move_user_ids=[u.pk for u in movers])

    # The parent lost 4 people; the next 4 waiting (12th to 15th) take their seats in order.
    admitted = full_parent.waiting[11:15]
    assert active_members(full_parent) == 15
    for person in admitted:
        assert Membership.objects.active().filter(group=full_parent, user=person).exists()
        assert in_app(person, "group.membership").exists()
    assert waitlist(full_parent) == [u.pk for u in full_parent.waiting[15:]]


def test_spin_out_without_the_waitlist_leaves_it_with_the_parent(full_parent, organizer):
    child = spin_out(full_parent, organizer, take_waitlist=False)

    assert active_members(child) == 1
    # The moderator's freed seat goes to the first person waiting.
    assert waitlist(full_parent) == [u.pk for u in full_parent.waiting[1:]]


def test_spinning_out_more_than_fifteen_is_refused(full_parent, organizer):
    newcomer = UserFactory()
    services.network_add_person(network=full_parent.network, user=newcomer)
    all_fifteen = (
        Membership.objects.active().filter(group=full_parent).values_list("user_id", flat=True)
    )

    with pytest.raises(ValidationError) as info:
        spin_out(full_parent, organizer, moderator=newcomer, move_user_ids=list(all_fifteen))

    assert "move" in info.value.message_dict
    assert not Group.objects.filter(parent=full_parent).exists()
    assert active_members(full_parent) == 15


def test_only_current_members_can_move(full_parent, organizer):
    with pytest.raises(ValidationError) as info:
        spin_out(full_parent, organizer, move_user_ids=[full_parent.waiting[0].pk])
    assert "move" in info.value.message_dict


def test_spin_out_name_must_be_new_in_the_network(full_parent, organizer):
    with pytest.raises(ValidationError) as info:
        spin_out(full_parent, organizer, name="riverbank")
    assert "name" in info.value.message_dict


@pytest.fixture
def copier_calls():
    calls = []

    def copy_metric_definitions(parent, child):
        calls.append(
            {
                "parent": parent,
                "child": child,
                "in_transaction": connection.in_atomic_block,
                "child_members": active_members(child),
            }
        )

    services.register_spin_out_copier(copy_metric_definitions)
    yield calls
    services.SPIN_OUT_COPIERS.remove(copy_metric_definitions)


def test_a_registered_copier_runs_with_parent_and_child(full_parent, organizer, copier_calls):
    child = spin_out(full_parent, organizer)

    assert len(copier_calls) == 1
    call = copier_calls[0]
    assert (call["parent"].pk, call["child"].pk) == (full_parent.pk, child.pk)
    assert call["in_transaction"]
    assert call["child_members"] == 15


def test_a_failing_copier_undoes_the_whole_spin_out(full_parent, organizer):
    def broken_copier(parent, child):
        raise RuntimeError("narrative copy failed")

    services.register_spin_out_copier(broken_copier)
    try:
        with pytest.raises(RuntimeError):
            spin_out(full_parent, organizer)
    finally:
        services.SPIN_OUT_COPIERS.remove(broken_copier)

    assert not Group.objects.filter(parent=full_parent).exists()
    assert active_members(full_parent) == 15
    assert waitlist(full_parent) == [u.pk for u in full_parent.waiting]


def test_everyone_affected_by_a_spin_out_is_told(full_parent, organizer, moderator):
    new_leader, mover = full_parent.members[0], full_parent.members[1]

    child = spin_out(full_parent, organizer, moderator=new_leader, move_user_ids=[mover.pk])

    assert in_app(new_leader, "group.spin_out").get().title.endswith(child.name)
    assert in_app(mover, "group.spin_out").exists()
    for person in full_parent.waiting[:13]:
        assert in_app(person, "group.spin_out").exists()
    assert in_app(moderator, "group.spin_out").exists()  # the parent's moderator
    assert not in_app(full_parent.waiting[-1], "group.spin_out").exists()


def test_a_waitlisted_moderator_leaves_the_waitlist(full_parent, organizer):
    head = full_parent.waiting[0]

    child = spin_out(full_parent, organizer, moderator=head)

    assert Membership.objects.active().get(group=child, user=head).is_moderator
    assert not JoinRequest.objects.filter(user=head, status__in=JoinRequest.OPEN_STATUSES).exists()
    assert active_members(child) == 15


def test_spin_out_plan_previews_without_moving_anyone(full_parent):
    plan = services.spin_out_plan(
        parent=full_parent,
        moderator=full_parent.members[0],
        move_user_ids=[full_parent.members[1].pk],
        take_waitlist=True,
    )

    assert plan.moderator_from_parent
    assert [m.user for m in plan.movers] == [full_parent.members[1]]
    assert [r.user for r in plan.from_waitlist] == full_parent.waiting[:13]
    assert [r.user for r in plan.staying_on_waitlist] == full_parent.waiting[13:]
    assert plan.size == 15
    assert not plan.errors
    assert active_members(full_parent) == 15
    assert len(waitlist(full_parent)) == 20
