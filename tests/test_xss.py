"""Hostile text people type shows as inert text on every page that renders it, and in email."""

from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.core import mail
from django.utils import timezone

from groups import services as groups
from impact.models import Notification
from impact.services import build_email
from metrics import services as metrics
from narratives import services as narratives
from tests.factories import UserFactory

PAYLOADS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">x</a>',
    '"><svg onload=alert(1)>',
    "<iframe src=//evil.example></iframe>",
]


class _Elements(HTMLParser):
    """Every element and attribute the browser would build from a page."""

    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def assert_inert(html: str) -> None:
    parser = _Elements()
    parser.feed(html)
    for tag, attrs in parser.found:
        # Our own scripts come from /static/ (and the JavaScript catalogue from /jsi18n/); a
        # typed <script> would have no such source.
        if tag == "script":
            assert (attrs.get("src") or "").startswith(("/static/", "/jsi18n/")), attrs
        assert tag not in ("iframe", "object", "embed"), tag
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            if name in ("href", "src", "action"):
                assert not (value or "").strip().lower().startswith("javascript:"), (tag, value)


@pytest.fixture
def world(db):
    payload = " ".join(PAYLOADS)
    organizer = UserFactory(display_name=PAYLOADS[0][:80])
    member = UserFactory(display_name=PAYLOADS[1][:80])
    network = groups.network_create(creator=organizer, name=PAYLOADS[3][:100], description=payload)
    group = groups.group_create(
        organizer=organizer,
        network=network,
        name=PAYLOADS[2][:100],
        purpose=payload,
        moderator=organizer,
    )
    groups.group_join(user=member, group=group, statement=payload)
    metric = metrics.metric_define(
        actor=organizer, group=group, name="Trees <b>", unit=PAYLOADS[4][:30]
    )
    action = metrics.action_log(
        user=member,
        group=group,
        description=payload[:200],
        notes=payload,
        happened_on=timezone.localdate(timezone=member.zone),  # the day in the member's calendar
        effort_minutes=30,
        impacts=[(metric.pk, 3)],
    )
    narrative = narratives.narrative_create(
        actor=organizer,
        network=network,
        title=payload[:160],
        horizon_year=timezone.localdate().year + 15,
        opportunity=payload,
        why_now=payload,
        call_to_action=payload,
    )
    narratives.narrative_set_status(actor=organizer, narrative=narrative, status="published")
    question = narratives.question_ask(
        actor=member, group=group, text=payload[:300], details=payload, posed_to_network=True
    )
    narratives.answer_create(actor=organizer, question=question, body=payload)
    help_request = narratives.help_request_create(
        actor=member, group=group, summary=payload[:200], details=payload
    )
    initiative = narratives.initiative_create(
        actor=member,
        group=group,
        title=payload[:160],
        description=payload,
        impact="high",
        speed="fast",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + timedelta(days=200),
    )
    return {
        "member": member,
        "organizer": organizer,
        "network": network,
        "group": group,
        "action": action,
        "narrative": narrative,
        "question": question,
        "help": help_request,
        "initiative": initiative,
        "seat": group.memberships.get(user=member),
    }


def test_every_page_that_shows_user_text_keeps_it_inert(client, world):
    group, network = world["group"], world["network"]
    pages = [
        "/",
        f"/groups/{group.pk}/",
        f"/groups/{group.pk}/impact/",
        f"/groups/{group.pk}/metrics/",
        f"/networks/{network.slug}/",
        f"/networks/{network.slug}/leaderboard/",
        f"/networks/{network.slug}/narrative/",
        f"/networks/{network.slug}/questions/",
        f"/narratives/{world['narrative'].pk}/",
        f"/questions/{world['question'].pk}/",
        f"/groups/{group.pk}/questions/",
        f"/groups/{group.pk}/initiatives/",
        f"/initiatives/{world['initiative'].pk}/",
        f"/groups/{group.pk}/help/",
        f"/help/{world['help'].pk}/",
        f"/actions/{world['action'].pk}/edit/",
        "/notifications/",
        f"/groups/{group.pk}/meetings/",
        f"/networks/{network.slug}/audit/",
        f"/groups/{group.pk}/edit/",
        f"/groups/{group.pk}/members/{world['seat'].pk}/remove/",
        # Search shows what people wrote around the words it marks, and the words typed.
        "/search/?q=alert",
        "/search/?q=script+iframe+svg+onload+javascript",
        "/search/?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    ]
    for user in (world["member"], world["organizer"]):
        client.force_login(user)
        for url in pages:
            response = client.get(url)
            if response.status_code == 200:
                assert_inert(response.content.decode())


def test_emails_keep_user_text_inert(world):
    mail.outbox.clear()
    for row in Notification.objects.filter(channel="email"):
        message = build_email(row)
        html = message.alternatives[0][0] if message.alternatives else ""
        assert_inert(html)
