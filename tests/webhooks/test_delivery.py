"""Events become one delivery per hook, posted exactly once, retried with backoff, and a hook
that keeps failing is switched off with its owner told."""

import hashlib
import hmac
import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from groups import services
from groups.meetings.models import Meeting, Session
from groups.meetings.services import session_close
from groups.webhooks import services as webhook_services
from groups.webhooks.delivery import retry_after_seconds, retry_countdown, webhook_deliver
from groups.webhooks.models import Webhook, WebhookAttempt, WebhookDelivery, WebhookEvent
from groups.webhooks.services import webhook_event, webhook_sweep
from impact.exceptions import DeliveryDeferred
from impact.models import Notification
from narratives.services import help_raise_to_network, help_request_create, question_ask
from tests.factories import UserFactory
from tests.groups.support import STATEMENT

pytestmark = pytest.mark.django_db


def _joined(group, name="Nia Newcomer"):
    """A member joins the group: a "member.joined" event."""
    user = UserFactory(display_name=name)
    services.group_join(user=user, group=group, statement=STATEMENT)
    return user


def _deliver_all() -> list[str]:
    return [
        webhook_deliver(delivery_id=pk)
        for pk in WebhookDelivery.objects.values_list("pk", flat=True)
    ]


def test_an_event_is_posted_once_per_hook_however_often_it_is_delivered(
    receiver, make_hook, group, django_capture_on_commit_callbacks
):
    hook = make_hook(receiver.url())
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _joined(group)
    (delivery,) = WebhookDelivery.objects.filter(hook=hook)

    # Handed to the task after commit (beside the outbox's and the cache's own callbacks).
    assert any("webhook_event" in callback.__qualname__ for callback in callbacks)
    assert webhook_deliver(delivery_id=delivery.pk) == "sent"
    assert webhook_deliver(delivery_id=delivery.pk) == "skipped"
    assert len(receiver.received) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 1)


def test_emitting_the_same_event_twice_writes_one_delivery(make_hook, group):
    hook = make_hook("https://93.184.215.14/hook")

    first = webhook_event(kind="member.joined", key="42", group=group, payload={"member": "A"})
    again = webhook_event(kind="member.joined", key="42", group=group, payload={"member": "A"})

    assert len(first) == 1 and again == []
    assert WebhookDelivery.objects.filter(hook=hook).count() == 1


def test_two_workers_racing_for_one_delivery_post_it_once(receiver, make_hook, group):
    make_hook(receiver.url())
    _joined(group)
    delivery = WebhookDelivery.objects.get()
    # The first worker's claim is held: the second finds nothing to do.
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        claimed_until=timezone.now() + timedelta(minutes=5)
    )

    assert webhook_deliver(delivery_id=delivery.pk) == "skipped"
    assert receiver.received == []


def test_a_failed_post_is_retried_with_growing_waits(receiver, make_hook, group):
    receiver.answers = [500, 502]
    make_hook(receiver.url())
    _joined(group)
    delivery = WebhookDelivery.objects.get()

    with pytest.raises(DeliveryDeferred) as first:
        webhook_deliver(delivery_id=delivery.pk)
    # Not due yet: a task run early (or the sweep) does not post it again.
    assert webhook_deliver(delivery_id=delivery.pk) == "skipped"
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    with pytest.raises(DeliveryDeferred) as second:
        webhook_deliver(delivery_id=delivery.pk)
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    assert webhook_deliver(delivery_id=delivery.pk) == "sent"

    assert (first.value.countdown, second.value.countdown) == (30, 60)
    assert [retry_countdown(n) for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert len(receiver.received) == 3
    log = list(WebhookAttempt.objects.order_by("number").values_list("number", "status_code"))
    assert log == [(1, 500), (2, 502), (3, 200)]
    assert Webhook.objects.get().consecutive_failures == 0  # a success starts the count afresh


def test_a_delivery_gives_up_after_its_attempts(receiver, make_hook, group, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    receiver.answers = [500, 500, 500]
    make_hook(receiver.url())
    _joined(group)
    delivery = WebhookDelivery.objects.get()

    with pytest.raises(DeliveryDeferred):
        webhook_deliver(delivery_id=delivery.pk)
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())

    assert webhook_deliver(delivery_id=delivery.pk) == "failed"
    delivery.refresh_from_db()
    assert delivery.status == "failed" and "500" in delivery.last_error


@pytest.mark.parametrize(("retry_after", "wait"), [("120", 120), ("86400", 3600)])
def test_a_rate_limited_post_waits_as_asked_and_is_no_failure_in_a_row(
    receiver, make_hook, group, settings, retry_after, wait
):
    receiver.answers = [429]
    receiver.answer_headers = {"Retry-After": retry_after}
    hook = make_hook(receiver.url(), consecutive_failures=settings.WEBHOOK_DISABLE_AFTER - 1)
    _joined(group)
    delivery = WebhookDelivery.objects.get()

    with pytest.raises(DeliveryDeferred) as deferred:
        webhook_deliver(delivery_id=delivery.pk)

    assert deferred.value.countdown == wait
    hook.refresh_from_db()
    assert hook.is_active and hook.consecutive_failures == settings.WEBHOOK_DISABLE_AFTER - 1
    delivery.refresh_from_db()
    assert delivery.next_attempt_at > timezone.now() + timedelta(seconds=wait - 5)


def test_retry_after_reads_seconds_and_dates_and_ignores_the_rest():
    soon = timezone.now() + timedelta(seconds=90)

    assert retry_after_seconds("0") == 1
    assert 85 <= retry_after_seconds(soon.strftime("%a, %d %b %Y %H:%M:%S GMT")) <= 90
    assert retry_after_seconds("Wed, 21 Oct 2099 07:28:00 GMT") == 3600
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None


@pytest.mark.parametrize("status", [404, 410])
def test_a_receiver_that_is_gone_fails_at_once_and_counts(
    receiver, make_hook, group, settings, status
):
    receiver.answers = [status]
    hook = make_hook(receiver.url())
    _joined(group)

    assert _deliver_all() == ["failed"]

    assert len(receiver.received) == 1
    assert WebhookDelivery.objects.get().status == "failed"
    hook.refresh_from_db()
    assert hook.consecutive_failures == 1


def test_a_hook_failing_too_often_in_a_row_is_turned_off_and_its_owner_told(
    receiver, make_hook, group, moderator, settings
):
    settings.WEBHOOK_DISABLE_AFTER = 3
    receiver.answers = [500] * 10
    hook = make_hook(receiver.url())
    for name in ("A", "B", "C"):
        _joined(group, name=f"Person {name}")

    outcomes = []
    for pk in WebhookDelivery.objects.order_by("pk").values_list("pk", flat=True):
        try:
            outcomes.append(webhook_deliver(delivery_id=pk))
        except DeliveryDeferred:
            outcomes.append("deferred")

    hook.refresh_from_db()
    assert outcomes == ["deferred", "deferred", "failed"]
    assert not hook.is_active and "500" in hook.disabled_reason
    notice = Notification.objects.get(kind="webhook.disabled", channel="email")
    assert notice.recipient == moderator and "127.0.0.1" in notice.title
    assert notice.url == reverse("groups:webhook_detail", args=[hook.pk])
    # Switched off: the deliveries still waiting are cancelled, and new events pass it by.
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    assert set(_deliver_all()) <= {"cancelled", "skipped"}
    _joined(group, name="Person D")
    assert not WebhookDelivery.objects.filter(status="pending").exists()
    assert len(receiver.received) == 3


def test_the_generic_format_is_signed_with_the_hook_secret(receiver, make_hook, group):
    hook = make_hook(receiver.url(), format=Webhook.Format.GENERIC)
    newcomer = _joined(group)
    _deliver_all()

    (request,) = receiver.received
    stamp, signed = dict(
        part.split("=", 1) for part in request.headers["X-Impact-Signature"].split(",")
    ).values()
    expected = hmac.new(
        hook.secret.encode(), stamp.encode() + b"." + request.body, hashlib.sha256
    ).hexdigest()
    assert hmac.compare_digest(signed, expected)
    assert request.headers["X-Impact-Timestamp"] == stamp
    body = request.json
    event = WebhookEvent.objects.get()
    assert set(body) == {"id", "type", "created", "data"}
    assert body["id"] == str(event.uid) == request.headers["X-Impact-Event-Id"]
    assert body["type"] == "member.joined" == request.headers["X-Impact-Event"]
    assert body["data"]["member"] == newcomer.public_name
    assert body["data"]["group"]["name"] == group.name
    assert body["data"]["url"].startswith("http") and body["data"]["title"]
    # A forged body does not verify.
    forged = hmac.new(hook.secret.encode(), stamp.encode() + b".{}", hashlib.sha256).hexdigest()
    assert forged != signed


def _session_closed(group, moderator, summary_words="Water the willows."):
    meeting = Meeting.objects.create(group=group, starts_at=timezone.now() - timedelta(hours=1))
    session = Session.objects.create(meeting=meeting, group=group)
    return session_close(actor=moderator, session=session, learnings=summary_words)


def _posted(receiver, make_hook, hook_format, group, moderator, words="Water the willows."):
    make_hook(receiver.url(), format=hook_format, events=["session.summary"])
    session = _session_closed(group, moderator, words)
    _deliver_all()
    (request,) = receiver.received
    return request.json, session


def test_slack_gets_text_with_a_mrkdwn_link(receiver, make_hook, group, moderator):
    body, session = _posted(receiver, make_hook, "slack", group, moderator, "Tom <b> & co")

    assert set(body) == {"text"}
    link = reverse("groups:session_detail", args=[session.pk])
    assert f"{link}|Summary of the reflection in River Crew>*" in body["text"]
    assert body["text"].startswith("*<http")
    assert "Tom &lt;b&gt; &amp; co" in body["text"]  # Slack's three escapes


def test_mattermost_gets_text_with_a_markdown_link(receiver, make_hook, group, moderator):
    body, session = _posted(receiver, make_hook, "mattermost", group, moderator)

    link = reverse("groups:session_detail", args=[session.pk])
    assert set(body) == {"text"}
    assert body["text"].startswith("**[Summary of the reflection in River Crew](http")
    assert f"{link})**" in body["text"] and "Water the willows." in body["text"]


def test_matrix_gets_text_and_html_as_hookshot_takes_them(receiver, make_hook, group, moderator):
    body, _session = _posted(receiver, make_hook, "matrix", group, moderator, "Roots <script>")

    assert set(body) == {"text", "html"}
    assert body["html"].startswith('<p><strong><a href="http')
    assert "Summary of the reflection in River Crew</a>" in body["html"]
    assert "<script>" not in body["html"]


@pytest.mark.parametrize("hook_format", ["mattermost", "matrix"])
def test_mattermost_and_matrix_messages_ping_no_whole_room(
    receiver, make_hook, group, moderator, hook_format
):
    words = "@channel @ALL @here @room, and @alice and mail@allotment.example"
    body, _session = _posted(receiver, make_hook, hook_format, group, moderator, words)

    for text in body.values():
        for mention in ("@channel", "@ALL", "@here", "@room"):
            assert mention not in text and f"@\u200b{mention[1:]}" in text
        assert "@alice" in text and "mail@allotment.example" in text


def test_discord_gets_content_of_at_most_2000_characters_and_pings_nobody(
    receiver, make_hook, group, moderator
):
    body, _session = _posted(
        receiver, make_hook, "discord", group, moderator, "@everyone " + "long words " * 600
    )

    assert set(body) == {"content", "allowed_mentions"}
    assert len(body["content"]) <= 2000 and body["content"].endswith("…")
    assert body["allowed_mentions"] == {"parse": []}
    assert body["content"].startswith("**[Summary of the reflection in River Crew](<http")


def test_messages_are_written_in_the_hook_owners_language(receiver, make_hook, group, moderator):
    moderator.language = "de"
    moderator.save(update_fields=["language"])
    make_hook(receiver.url(), format="mattermost", events=["member.joined"])

    _joined(group, name="Nia Newcomer")
    _deliver_all()

    assert "Nia Newcomer ist River Crew beigetreten" in receiver.received[0].json["text"]


# Which hooks get which events ----------------------------------------------------------------


def test_a_network_hook_gets_the_network_events_of_every_group_and_a_group_hook_only_its_own(
    make_hook, group, organizer, network
):
    other = services.group_create(
        organizer=organizer, network=network, name="Bee Keepers", purpose="Bees."
    )
    network_hook = make_hook("https://93.184.215.14/n", group=None, created_by=organizer)
    group_hook = make_hook("https://93.184.215.14/g")
    elsewhere = services.network_create(creator=organizer, name="Elsewhere")
    make_hook("https://93.184.215.14/e", group=None, network=elsewhere, created_by=organizer)

    # Help raised to the network: the whole network may read it (a new member it may not).
    for each in (group, other):
        webhook_event(kind="help.raised", key=each.name, group=each, network_wide=True, payload={})

    got = {
        hook: set(
            WebhookDelivery.objects.filter(hook=hook).values_list("event__group__name", flat=True)
        )
        for hook in (network_hook, group_hook)
    }
    assert got == {network_hook: {"River Crew", "Bee Keepers"}, group_hook: {"River Crew"}}
    assert WebhookDelivery.objects.count() == 3


def test_a_hook_gets_only_the_events_it_asked_for(make_hook, group, member, moderator):
    make_hook("https://93.184.215.14/q", events=["question.new"])

    _joined(group)
    question_ask(actor=member, group=group, text="What would make the river swimmable?")

    assert list(WebhookDelivery.objects.values_list("event__kind", flat=True)) == ["question.new"]


def test_each_service_emits_its_event(make_hook, group, member, moderator, organizer):
    make_hook("https://93.184.215.14/all")

    _joined(group)  # member.joined
    question_ask(actor=member, group=group, text="Who owns the riverbank?")
    help_request = help_request_create(actor=member, group=group, summary="Need a permit")
    help_raise_to_network(actor=member, help_request=help_request)
    help_raise_to_network(actor=member, help_request=help_request)  # raised again: no new event
    _session_closed(group, moderator)
    services.group_spin_out(
        organizer=organizer, parent=group, name="River Crew Two", moderator=member
    )

    kinds = sorted(WebhookEvent.objects.values_list("kind", flat=True))
    assert kinds == sorted(
        ["member.joined", "question.new", "help.raised", "session.summary", "group.spin_out"]
    )
    spun = WebhookEvent.objects.get(kind="group.spin_out").payload
    assert spun["child"]["name"] == "River Crew Two" and spun["group"]["name"] == "River Crew"
    assert spun["child"]["url"].startswith("http")


def test_an_event_no_hook_wants_costs_one_query(group, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert webhook_event(kind="member.joined", key="x", group=group, payload={}) == []
    assert not WebhookEvent.objects.exists()


def test_the_sweep_hands_on_due_unclaimed_deliveries_only(make_hook, group, monkeypatch):
    handed = []
    monkeypatch.setattr(
        webhook_services, "webhook_dispatch", lambda ids: handed.extend(ids) or len(ids)
    )
    make_hook("https://93.184.215.14/a")
    for name in "ABC":
        _joined(group, name=f"Person {name}")
    due, later, claimed = WebhookDelivery.objects.order_by("pk")
    now = timezone.now()
    WebhookDelivery.objects.filter(pk=later.pk).update(next_attempt_at=now + timedelta(hours=1))
    WebhookDelivery.objects.filter(pk=claimed.pk).update(claimed_until=now + timedelta(minutes=5))

    assert webhook_sweep() == 1
    assert handed == [due.pk]


def test_a_test_message_goes_to_that_hook_alone(receiver, make_hook, moderator):
    hook = make_hook(receiver.url(), format="slack")
    make_hook("https://93.184.215.14/other")

    webhook_services.webhook_send_test(actor=moderator, hook=hook)
    _deliver_all()

    assert WebhookDelivery.objects.count() == 1
    assert "this webhook works" in receiver.received[0].json["text"]


def test_the_receiver_sees_json_with_our_headers(receiver, make_hook, group):
    make_hook(receiver.url(), format="discord")
    _joined(group)
    _deliver_all()

    headers = receiver.received[0].headers
    assert headers["Content-Type"] == "application/json"
    assert headers["Host"] == f"127.0.0.1:{receiver.port}"
    json.loads(receiver.received[0].body)


def test_a_broken_tls_answer_is_logged_in_words_and_retried(receiver, make_hook, group):
    # The receiver speaks plain HTTP: the TLS handshake fails.
    make_hook(f"https://127.0.0.1:{receiver.port}/hook")
    _joined(group)

    with pytest.raises(DeliveryDeferred):
        _deliver_all()

    attempt = WebhookAttempt.objects.get()
    assert attempt.status_code is None
    assert attempt.error.startswith("The secure connection failed")


def test_the_log_says_a_refused_redirect_in_generic_words(receiver, make_hook, group):
    make_hook(receiver.url("/redirect/http://10.9.8.7/inside"), events=["member.joined"])
    _joined(group)

    with pytest.raises(DeliveryDeferred):
        _deliver_all()

    error = WebhookAttempt.objects.get().error
    assert "only public addresses can be called" in error and "10.9.8.7" not in error
