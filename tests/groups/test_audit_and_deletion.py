"""The audit log organizers read, and deleting an account without erasing the group's history."""

import re
from datetime import timedelta
from html import unescape

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


def audit_page_text(client, network) -> str:
    """The audit page's rows as text, with the markup between cells and words taken out."""
    html = client.get(reverse("groups:network_audit", args=[network.slug])).content.decode()
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    return unescape(" ".join(re.sub(r"<[^>]+>", " ", body).split()))


def test_the_audit_log_reads_each_change_as_a_sentence(
    client, group, member, moderator, organizer, join_people, django_assert_max_num_queries
):
    membership = Membership.objects.get(group=group, user=member)
    services.membership_set_role(actor=moderator, membership=membership, role="moderator")
    services.membership_set_role(actor=organizer, membership=membership, role="member")
    stayer, leaver = UserFactory(display_name="Sam Stayer"), UserFactory(display_name="Lea Leaver")
    for person in (stayer, leaver):
        services.group_join(user=person, group=group, statement=STATEMENT)
    services.group_leave(user=leaver, group=group)
    services.group_update(actor=moderator, group=group, capacity=3, purpose="Clean the banks.")
    join_people(group, 2)  # the group is full: both wait
    metric = metric_services.metric_define(actor=moderator, group=group, name="Trees", unit="trees")
    metric_services.metric_update(actor=moderator, metric=metric, unit="saplings", name="Saplings")
    metric.refresh_from_db()
    metric_services.metric_archive(actor=moderator, metric=metric)
    services.group_spin_out(
        organizer=organizer,
        parent=group,
        name="River Two",
        moderator=member,
        move_user_ids=[stayer.pk],
        take_waitlist=True,
    )
    removed = UserFactory(display_name="Rita Removed")
    services.group_join(user=removed, group=group, statement=STATEMENT)
    services.membership_remove(
        actor=moderator,
        membership=Membership.objects.get(group=group, user=removed, left_at=None),
        reason="Moved away.",
    )
    client.force_login(organizer)

    with django_assert_max_num_queries(8):
        text = audit_page_text(client, group.network)

    for sentence in [
        "Meri Member joined River Crew.",
        "Mo Moderator made Meri Member a moderator of River Crew.",
        "Olga Organizer made Meri Member a member of River Crew, no longer a moderator.",
        "Mo Moderator changed River Crew: the purpose and the seats from 15 to 3.",
        "Lea Leaver left River Crew.",
        "Mo Moderator added the metric “Trees” to River Crew.",
        "Mo Moderator changed the metric “Saplings” of River Crew: name and unit.",
        "Mo Moderator stopped measuring “Saplings” in River Crew.",
        "Olga Organizer spun River Two out of River Crew, with Meri Member as its moderator, "
        "and moved 1 member and 2 people from the waitlist to it.",
        "Mo Moderator removed Rita Removed from River Crew, saying: “Moved away.”",
    ]:
        assert sentence in text
    assert "from_waitlist" not in text and "moved:" not in text


def test_the_audit_log_names_a_new_settings_and_join_policy_in_words(client, group, organizer):
    services.group_update(
        actor=organizer, group=group, name="River Keepers", join_policy="approval"
    )
    client.force_login(organizer)

    text = audit_page_text(client, group.network)

    assert (
        "Olga Organizer changed River Keepers: the name from “River Crew” to “River Keepers” "
        "and joining from open to by approval."
    ) in text


def test_a_verb_without_a_sentence_still_reads_as_words(client, group, organizer):
    AuditEvent.objects.create(
        network=group.network,
        group=group,
        verb="narrative.rewritten_twice",
        target="Our river",
        details={"section_count": "3"},
    )
    client.force_login(organizer)

    text = audit_page_text(client, group.network)

    assert (
        "Someone: narrative rewritten twice in River Crew, about Our river (section count: 3)."
        in text
    )


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
