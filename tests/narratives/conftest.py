"""The narratives cast: two groups of one network, a published narrative, questions, initiatives.

The people and groups come from the groups tests' fixtures (built through groups.services,
with the fast password hasher); what narratives add is built through narratives.services.
"""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from groups import services as group_services
from narratives import services
from narratives.models import Initiative, Narrative, Question
from tests.factories import UserFactory
from tests.groups import conftest as groups_conftest
from tests.groups.support import STATEMENT

# The usual cast comes from the groups tests (pytest finds fixtures by name in this module):
# an organizer and their public network, a group with its moderator and a member, an outsider
# in no network, another network's organizer, an API client, and the fast password hasher.
organizer = groups_conftest.organizer
network = groups_conftest.network
moderator = groups_conftest.moderator
group = groups_conftest.group
member = groups_conftest.member
outsider = groups_conftest.outsider
other_organizer = groups_conftest.other_organizer
api = groups_conftest.api


def join(group, **user_fields):
    """A new person joins the (open) group through the service."""
    user = UserFactory(**user_fields)
    group_services.group_join(user=user, group=group, statement=STATEMENT)
    return user


def narrative_fields(**overrides) -> dict:
    """Valid narrative fields, opportunity-framed, 15 years out."""
    return {
        "title": "Living rivers by 2040",
        "horizon_year": timezone.localdate().year + 15,
        "opportunity": "Every river in town is **full of life** and people swim in it again.",
        "why_now": "Neighbours are ready, and saplings cost less than ever.",
        "call_to_action": "Plant one tree with us this season.",
    } | overrides


def window(months: int = 9, *, starts: date | None = None) -> dict:
    """A start and end `months` apart (by the calendar), starting next week by default."""
    starts = starts or timezone.localdate() + timedelta(days=7)
    return {"starts_on": starts, "ends_on": services.add_months(starts, months)}


@pytest.fixture
def other_moderator(network):
    user = UserFactory(display_name="Sol Moderator")
    group_services.network_add_person(network=network, user=user)
    return user


@pytest.fixture
def other_group(network, organizer, other_moderator):
    """Group B of the same network."""
    return group_services.group_create(
        organizer=organizer,
        network=network,
        name="Solar Crew",
        purpose="Put solar panels on every roof in our street.",
        moderator=other_moderator,
    )


@pytest.fixture
def other_member(other_group):
    """A member of group B: same network, not the group the question came from."""
    return join(other_group, display_name="Bea Bmember")


@pytest.fixture
def narrative(organizer, network):
    """The network's narrative, published."""
    narrative = services.narrative_create(actor=organizer, network=network, **narrative_fields())
    return services.narrative_set_status(
        actor=organizer, narrative=narrative, status=Narrative.Status.PUBLISHED
    )


@pytest.fixture
def group_question(member, group) -> Question:
    """A question for the group only."""
    return services.question_ask(
        actor=member, group=group, text="What would it take to plant 300 willows this spring?"
    )


@pytest.fixture
def posed_question(member, group) -> Question:
    """A group's question posed to the whole network."""
    return services.question_ask(
        actor=member,
        group=group,
        text="Which native trees survive a flood season best?",
        posed_to_network=True,
    )


@pytest.fixture
def propose():
    """propose(group, actor, title=..., impact=..., speed=..., status=...): an initiative."""

    def make(group, actor, **fields) -> Initiative:
        values = {
            "title": "Plant 300 willows",
            "impact": Initiative.Impact.HIGH,
            "speed": Initiative.Speed.FAST,
            **window(),
        } | fields
        return services.initiative_create(actor=actor, group=group, **values)

    return make
