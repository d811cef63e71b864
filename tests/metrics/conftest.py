"""The usual cast for metrics tests: organizer, moderator, member, outsider, and metrics."""

import pytest
from rest_framework.test import APIClient

from groups import services as group_services
from metrics import services
from metrics.models import MetricDefinition
from tests.factories import UserFactory
from tests.metrics.support import STATEMENT, join, started_days_ago


@pytest.fixture
def organizer(db):
    return UserFactory(display_name="Olga Organizer")


@pytest.fixture
def network(organizer):
    return group_services.network_create(creator=organizer, name="Green Town")


@pytest.fixture
def moderator(db):
    return UserFactory(display_name="Mo Moderator")


@pytest.fixture
def group(network, organizer, moderator):
    """An open group in a public network, its moderator the first member."""
    group_services.network_add_person(network=network, user=moderator)
    crew = group_services.group_create(
        organizer=organizer,
        network=network,
        name="River Crew",
        purpose="Plant native trees along the river.",
        moderator=moderator,
    )
    # The group has existed for a while: tests log impact on days weeks back, and the log
    # refuses days before a group started.
    return started_days_ago(crew, 200)


@pytest.fixture
def member(group):
    return join(group, display_name="Meri Member")


@pytest.fixture
def other_member(group):
    return join(group, display_name="Anni Another")


@pytest.fixture
def outsider(network):
    """Part of the public network, but not of the group."""
    user = UserFactory(display_name="Otto Outsider")
    group_services.network_add_person(network=network, user=user)
    return user


@pytest.fixture
def other_group(network, organizer):
    sol = UserFactory(display_name="Sol Moderator")
    group_services.network_add_person(network=network, user=sol)
    other = group_services.group_create(
        organizer=organizer,
        network=network,
        name="Solar Crew",
        purpose="Put solar panels on every roof.",
        moderator=sol,
    )
    join(other)
    return other


@pytest.fixture
def private_group(db):
    """A group in a private network none of the usual cast belongs to."""
    boss = UserFactory(display_name="Priya Private")
    hidden = group_services.network_create(creator=boss, name="Hidden Town", is_public=False)
    quiet = UserFactory()
    group_services.network_add_person(network=hidden, user=quiet)
    private = group_services.group_create(
        organizer=boss,
        network=hidden,
        name="Hidden Crew",
        purpose="Something quiet.",
        moderator=quiet,
    )
    insider = UserFactory(display_name="Ida Insider")
    group_services.network_add_person(network=hidden, user=insider)
    group_services.group_join(user=insider, group=private, statement=STATEMENT)
    return private


@pytest.fixture
def trees(group, moderator):
    return services.metric_define(
        actor=moderator, group=group, name="Trees planted", unit="trees", target=100
    )


@pytest.fixture
def litter(group, moderator):
    return services.metric_define(
        actor=moderator,
        group=group,
        name="Litter removed",
        unit="kg",
        aggregation=MetricDefinition.Aggregation.AVERAGE,
    )


@pytest.fixture
def roofs(group, moderator):
    return services.metric_define(
        actor=moderator,
        group=group,
        name="Roofs with solar",
        unit="roofs",
        aggregation=MetricDefinition.Aggregation.LATEST,
        target=40,
    )


@pytest.fixture
def api():
    """api(user) -> an API client authenticated as that person."""

    def client_for(user=None) -> APIClient:
        api_client = APIClient()
        if user is not None:
            api_client.force_authenticate(user)
        return api_client

    return client_for
