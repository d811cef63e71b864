"""A hook posts only what its chat's readers may read: a group's hooks get the group's news, a
network's hooks only what the whole network may read (help raised to it, questions posed to
it, spin-outs), and no hook gets a draft narrative's questions."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from groups import services
from groups.webhooks.models import Webhook, WebhookDelivery, WebhookEvent
from groups.webhooks.services import webhook_event
from narratives import services as narratives
from tests.factories import UserFactory
from tests.groups.support import STATEMENT

pytestmark = pytest.mark.django_db


def _hooks(make_hook, organizer):
    """A group hook and a network hook, each asking for every event."""
    group_hook = make_hook("https://93.184.215.14/g")
    network_hook = make_hook("https://93.184.215.14/n", group=None, created_by=organizer)
    return group_hook, network_hook


def _got(hook) -> list[str]:
    return sorted(WebhookDelivery.objects.filter(hook=hook).values_list("event__kind", flat=True))


def _narrative(actor, **where):
    return narratives.narrative_create(
        actor=actor,
        title="A swimmable river",
        opportunity="Kids swim in the river again.",
        horizon_year=timezone.localdate().year + 15,
        **where,
    )


def test_a_groups_own_news_goes_to_its_hooks_and_never_to_the_networks(
    make_hook, organizer, group, member
):
    group_hook, network_hook = _hooks(make_hook, organizer)

    services.group_join(user=UserFactory(), group=group, statement=STATEMENT)
    narratives.question_ask(actor=member, group=group, text="Who owns the riverbank?")
    webhook_event(kind="session.summary", key="s1", group=group, payload={}, network_wide=True)

    assert _got(group_hook) == ["member.joined", "question.new", "session.summary"]
    assert _got(network_hook) == []


def test_a_question_posed_to_the_network_reaches_the_network_hooks_once(
    make_hook, organizer, group, member
):
    group_hook, network_hook = _hooks(make_hook, organizer)
    question = narratives.question_ask(actor=member, group=group, text="Who owns the bank?")
    assert _got(network_hook) == []  # the group's alone until posed

    narratives.question_pose_to_network(actor=member, question=question)
    narratives.question_pose_to_network(actor=member, question=question)  # posed again: nothing

    assert _got(group_hook) == ["question.new"]
    assert _got(network_hook) == ["question.new"]
    posed = narratives.question_ask(
        actor=member, group=group, text="Who else swims?", posed_to_network=True
    )
    assert WebhookDelivery.objects.filter(event__payload__question=posed.pk).count() == 2


def test_help_raised_to_the_network_reaches_the_network_hooks(make_hook, organizer, group, member):
    group_hook, network_hook = _hooks(make_hook, organizer)
    help_request = narratives.help_request_create(actor=member, group=group, summary="A permit")

    narratives.help_raise_to_network(actor=member, help_request=help_request)

    assert _got(group_hook) == _got(network_hook) == ["help.raised"]


def test_a_draft_narratives_questions_are_posted_nowhere(
    make_hook, organizer, moderator, group, network
):
    _hooks(make_hook, organizer)
    group_draft = _narrative(moderator, group=group)
    network_draft = _narrative(organizer, network=network)

    for actor, draft in ((moderator, group_draft), (organizer, network_draft)):
        question = narratives.question_ask(actor=actor, narrative=draft, text="Is it clean?")
        narratives.question_pose_to_network(actor=actor, question=question)

    assert not WebhookEvent.objects.exists()


def test_a_published_network_narratives_question_reaches_the_network_hooks(
    make_hook, organizer, group, network
):
    group_hook, network_hook = _hooks(make_hook, organizer)
    narrative = _narrative(organizer, network=network)
    narratives.narrative_set_status(actor=organizer, narrative=narrative, status="published")

    narratives.question_ask(actor=organizer, narrative=narrative, text="Is it clean?")

    assert _got(network_hook) == ["question.new"] and _got(group_hook) == []


def test_a_network_hook_is_offered_and_keeps_only_network_events(organizer, network, group):
    client = Client()
    client.force_login(organizer)
    page = reverse("groups:network_webhooks", args=[network.slug])

    form = client.get(page).content.decode()
    refused = client.post(
        page,
        {"url": "https://93.184.215.14/h", "format": "generic", "events": ["member.joined"]},
    )
    assert refused.status_code == 200 and not Webhook.objects.exists()
    added = client.post(
        page,
        {"url": "https://93.184.215.14/h", "format": "generic", "events": ["help.raised"]},
    )

    assert 'value="session.summary"' not in form and 'value="member.joined"' not in form
    assert 'value="help.raised"' in form and 'value="question.new"' in form
    assert added.status_code == 302
    assert list(Webhook.objects.values_list("events", flat=True)) == [["help.raised"]]


def test_a_narratives_questions_are_posted_when_it_is_published_and_only_once(
    make_hook, organizer, group, network
):
    """Asked while the narrative was a draft (its authors' alone), its questions reach the
    network's chat when it is published; publishing it again posts nothing twice."""
    group_hook, network_hook = _hooks(make_hook, organizer)
    narrative = _narrative(organizer, network=network)
    narratives.question_ask(actor=organizer, narrative=narrative, text="Is it clean?")
    narratives.question_ask(actor=organizer, narrative=narrative, text="Who swims first?")
    assert _got(network_hook) == []

    for status in ("published", "draft", "published"):
        narratives.narrative_set_status(actor=organizer, narrative=narrative, status=status)

    assert _got(network_hook) == ["question.new", "question.new"] and _got(group_hook) == []
