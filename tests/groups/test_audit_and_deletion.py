"""The audit log organizers read, and deleting an account without erasing the group's history."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from groups import services
from groups.meetings.models import Meeting, Reflection
from groups.models import AuditEvent, JoinRequest, Membership
from impact.services import account_delete
from metrics import services as metric_services
from metrics.models import Action
from tests.factories import PASSWORD, UserFactory
from tests.groups.support import STATEMENT, waitlist

pytestmark = pytest.mark.django_db


def test_joins_role_changes_spin_outs_and_metric_changes_are_audited(
    group, member, moderator, organizer
):
    membership = Membership.objects.get(group=group, user=member)
    services.membership_set_role(actor=moderator, membership=membership, role="moderator")
    metric = metric_services.metric_define(actor=moderator, group=group, name="Trees", unit="trees")
    metric_services.metric_update(actor=moderator, metric=metric, unit="saplings")
    services.group_spin_out(organizer=organizer, parent=group, name="Seedlings", moderator=member)

    verbs = list(AuditEvent.objects.filter(network=group.network).values_list("verb", flat=True))

    for verb in [
        "member.joined",
        "role.changed",
        "metric.defined",
        "metric.changed",
        "group.spun_out",
    ]:
        assert verb in verbs
    spun = AuditEvent.objects.get(verb="group.spun_out")
    assert spun.actor == organizer and spun.target == "Seedlings"


def test_only_the_networks_organizers_read_its_audit_log(
    client, group, member, moderator, organizer, django_assert_max_num_queries
):
    url = reverse("groups:network_audit", args=[group.network.slug])
    client.force_login(moderator)
    assert client.get(url).status_code == 403

    client.force_login(organizer)
    with django_assert_max_num_queries(8):
        response = client.get(url)

    assert response.status_code == 200
    assert member.public_name in response.content.decode()


def test_a_deleted_account_leaves_its_groups_and_its_actions_stay_anonymous(group, member):
    day = timezone.localdate()
    metric_services.action_log(
        user=member, group=group, description="Planted oaks", happened_on=day, effort_minutes=30
    )
    meeting = Meeting.objects.create(group=group, starts_at=timezone.now() + timedelta(days=2))
    Reflection.objects.create(meeting=meeting, user=member, learned="Private thoughts")

    account_delete(user=member, password=PASSWORD)

    member.refresh_from_db()
    assert not member.is_active and member.email == "" and not member.has_usable_password()
    assert member.public_name == "A former member"
    assert not Membership.objects.active().filter(user=member).exists()
    assert not Reflection.objects.filter(user=member).exists()
    action = Action.objects.get(description="Planted oaks")
    assert action.user.public_name == "A former member"


def test_a_deleted_members_seat_goes_to_the_waitlist(fill_group, group):
    fill_group(group, 15)
    leaving = Membership.objects.active().filter(group=group, role="member").first().user
    waiting = UserFactory()
    services.group_join(user=waiting, group=group, statement=STATEMENT)
    assert waitlist(group) == [waiting.pk]

    account_delete(user=leaving, password=PASSWORD)

    assert Membership.objects.active().filter(group=group, user=waiting).exists()
    assert not JoinRequest.objects.filter(user=waiting, status="waitlisted").exists()


def test_deleting_needs_the_password_and_the_page_signs_out(client, member):
    client.force_login(member)
    url = reverse("account_delete")

    wrong = client.post(url, {"password": "not it"})
    assert wrong.status_code == 200 and "That is not your password" in wrong.content.decode()
    member.refresh_from_db()
    assert member.is_active

    right = client.post(url, {"password": PASSWORD})
    assert right.status_code == 302
    assert client.get(reverse("profile")).status_code == 302
