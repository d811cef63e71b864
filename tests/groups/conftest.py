"""The usual cast for group tests, and a factory that fills a group to any size."""

import itertools

import pytest
from rest_framework.test import APIClient

from groups import services
from groups.models import GROUP_HARD_CAP, Group, Membership
from tests.factories import MembershipFactory, UserFactory
from tests.groups.support import STATEMENT


@pytest.fixture
def organizer(db):
    return UserFactory(display_name="Olga Organizer")


@pytest.fixture
def network(organizer):
    return services.network_create(
        creator=organizer, name="Green Town", description="A town where rivers are alive."
    )


@pytest.fixture
def moderator(db):
    return UserFactory(display_name="Mo Moderator")


@pytest.fixture
def group(network, organizer, moderator):
    """An open group in the public network, with its moderator as the first member."""
    services.network_add_person(network=network, user=moderator)
    return services.group_create(
        organizer=organizer,
        network=network,
        name="River Crew",
        purpose="Plant native trees along the river.",
        moderator=moderator,
    )


@pytest.fixture
def member(group):
    user = UserFactory(display_name="Meri Member")
    services.group_join(user=user, group=group, statement=STATEMENT)
    return user


@pytest.fixture
def outsider(db):
    """Signed up, but part of no network."""
    return UserFactory(display_name="Otto Outsider")


@pytest.fixture
def other_organizer(db):
    """Organizer of another network: no say over this one."""
    user = UserFactory(display_name="Oona Elsewhere")
    services.network_create(creator=user, name="Elsewhere")
    return user


@pytest.fixture
def api():
    """An API client signed in as whoever is passed: api(user)."""

    def client_for(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return client_for


@pytest.fixture
def fill_group():
    """Top a group up to `size` active members with factories (fast); returns the new people."""

    def fill(group: Group, size: int) -> list:
        have = Membership.objects.active().filter(group=group).count()
        assert size <= group.capacity, "a group never holds more than its capacity"
        return [MembershipFactory(group=group).user for _ in range(size - have)]

    return fill


@pytest.fixture
def join_people():
    """`n` new people ask to join through the service, in order; returns (users, outcomes)."""

    def join(group: Group, n: int, *, statement: str = STATEMENT):
        users = [UserFactory() for _ in range(n)]
        outcomes = [services.group_join(user=u, group=group, statement=statement) for u in users]
        return users, outcomes

    return join


@pytest.fixture
def make_group(network, organizer, fill_group):
    """make_group(size, join_policy=..., capacity=..., moderator=...): a group with `size` members.

    With a moderator the moderator is one of the `size`; `via_services` fills through
    group_join instead of factories.
    """
    counter = itertools.count(1)

    def make(
        size: int = 0,
        *,
        name: str | None = None,
        join_policy: str = Group.JoinPolicy.OPEN,
        capacity: int = GROUP_HARD_CAP,
        moderator=None,
        in_network=None,
        via_services: bool = False,
    ) -> Group:
        target = in_network or network
        group = services.group_create(
            organizer=organizer if in_network is None else _organizer_of(target),
            network=target,
            name=name or f"Group {next(counter)}",
            purpose="Grow and share food on unused city land.",
            capacity=capacity,
            join_policy=join_policy,
            moderator=_ensure_in_network(moderator, target),
        )
        if via_services:
            # Open groups admit people directly; join through the service to get there.
            assert join_policy == Group.JoinPolicy.OPEN
            have = Membership.objects.active().filter(group=group).count()
            for _ in range(size - have):
                services.group_join(user=UserFactory(), group=group, statement=STATEMENT)
        else:
            fill_group(group, size)
        return group

    return make


def _organizer_of(network):
    return network.memberships.filter(role="organizer").first().user


def _ensure_in_network(user, network):
    if user is not None:
        services.network_add_person(network=network, user=user)
    return user
