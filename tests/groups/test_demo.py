"""`seed_demo` gives the groups a network to show: idempotent, one group full with a waitlist."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from groups.models import Group, JoinRequest, Membership, Network, NetworkMembership
from groups.selectors import groups_with_counts, with_status
from impact.models import User

pytestmark = pytest.mark.django_db


def snapshot():
    groups = [with_status(g) for g in groups_with_counts().order_by("name")]
    return {
        "networks": Network.objects.count(),
        "groups": [(g.name, g.size, g.status, g.waitlist_length, g.pending_count) for g in groups],
        "memberships": Membership.objects.count(),
        "requests": JoinRequest.objects.count(),
    }


def test_seed_demo_builds_a_network_with_a_full_group_and_is_idempotent(settings):
    settings.DEBUG = True

    call_command("seed_demo")
    first = snapshot()
    call_command("seed_demo")

    assert snapshot() == first
    assert first["networks"] == 1
    assert len(first["groups"]) == 3
    full = [g for g in first["groups"] if g[2] == Group.Status.FULL]
    assert len(full) == 1
    name, size, _status, waiting, _pending = full[0]
    assert size == 15 and waiting > 0
    riverbank = Group.objects.get(name=name)
    assert riverbank.memberships.filter(user__username="moderator", role="moderator").exists()
    assert riverbank.memberships.filter(user__username="member", left_at=None).exists()
    assert riverbank.network.memberships.get(user__username="organizer").role == "organizer"


def test_seed_demo_refuses_to_run_without_debug(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError):
        call_command("seed_demo")

    assert not Network.objects.exists()


def test_seed_demo_gives_the_organizer_and_moderator_something_to_act_on_at_home(settings, client):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")

    client.force_login(User.objects.get(username="organizer"))
    needs = client.get(reverse("home")).context["sections"].organizer
    client.force_login(User.objects.get(username="moderator"))
    moderator_home = client.get(reverse("home")).context["sections"]

    assert [g.name for g in needs.full] == ["Riverbank Restorers"]
    assert [g.name for g in needs.waiting] == ["Food Commons"]
    assert {r.group.name for r in moderator_home.requests.requests} == {"Food Commons"}
    assert moderator_home.requests.total == 2
    riverbank = next(s for s in moderator_home.sessions if s.group.name == "Riverbank Restorers")
    assert riverbank.meeting is not None and riverbank.members == 15


def test_seed_demo_history_starts_with_the_network_then_each_groups_founder_then_its_members(
    settings,
):
    settings.DEBUG = True
    call_command("seed_demo")

    network = Network.objects.get()
    for group in Group.objects.all():
        seats = list(group.memberships.order_by("joined_at", "id"))
        founder = seats[0]
        assert network.created_at < group.created_at <= founder.joined_at
        assert founder.role == "moderator"
        assert all(seat.joined_at < timezone.now() - timedelta(days=7) for seat in seats)
    riverbank = Group.objects.get(name="Riverbank Restorers")
    assert riverbank.memberships.order_by("joined_at").first().user.username == "moderator"
    # Nobody joined the network after the first group they joined (or asked to join).
    for person in NetworkMembership.objects.filter(network=network).select_related("user"):
        seats = Membership.objects.filter(user=person.user, group__network=network)
        asked = JoinRequest.objects.filter(user=person.user, group__network=network)
        firsts = [row.joined_at for row in seats] + [row.created_at for row in asked]
        assert person.joined_at <= min(firsts, default=person.joined_at)
    # The waitlist still goes in the order people joined it.
    waiting = list(JoinRequest.objects.filter(status="waitlisted").order_by("waitlisted_at", "id"))
    assert [r.pk for r in waiting] == sorted(r.pk for r in waiting)
    assert all(riverbank.created_at < r.waitlisted_at < timezone.now() for r in waiting)


def test_seed_demo_gives_every_member_and_asker_their_own_join_statement(settings):
    settings.DEBUG = True
    call_command("seed_demo")

    statements = list(Membership.objects.values_list("statement", flat=True)) + list(
        JoinRequest.objects.exclude(status="accepted").values_list("statement", flat=True)
    )

    assert all(len(s) >= 10 for s in statements)
    assert len(set(statements)) == len(statements)
    assert not any(s.startswith("I want to help:") for s in statements)
    # Short and long, as people write them.
    assert max(map(len, statements)) > 2 * min(map(len, statements))
