"""The delivery log is kept WEBHOOK_LOG_DAYS: older finished deliveries go with their attempts,
in batches, never one still waiting; an event's key outlives its deliveries, so nothing is
ever posted twice; the beat runs it."""

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from groups.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEvent
from groups.webhooks.services import webhook_prune_log, webhook_send_test
from impact.celery import app
from narratives import services as narratives
from tests.webhooks.test_audience import _narrative

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


def _delivery(hook, *, age: timedelta, status="sent", kind="member.joined", key=None, attempts=1):
    at = timezone.now() - age
    event = WebhookEvent.objects.create(
        key=key or f"{kind}:{WebhookEvent.objects.count()}",
        kind=kind,
        network_id=hook.network_id,
        group_id=hook.group_id,
        payload={"text": "Wren joined River Crew."},
        created_at=at,
    )
    delivery = WebhookDelivery.objects.create(
        hook=hook, event=event, status=status, created_at=at, attempts=attempts
    )
    for number in range(1, attempts + 1):
        WebhookAttempt.objects.create(
            hook=hook, delivery=delivery, number=number, at=at, status_code=200
        )
    return delivery


def _left() -> set[int]:
    return set(WebhookDelivery.objects.values_list("pk", flat=True))


def test_old_finished_deliveries_go_with_their_attempts(make_hook):
    hook = make_hook("https://93.184.215.14/h")
    old = [
        _delivery(hook, age=31 * DAY, status=status, attempts=2)
        for status in ("sent", "failed", "cancelled")
    ]
    recent = _delivery(hook, age=29 * DAY, attempts=2)

    done = webhook_prune_log(days=30)

    assert done["deliveries"] == 3
    assert _left() == {recent.pk}
    assert set(WebhookAttempt.objects.values_list("delivery_id", flat=True)) == {recent.pk}
    assert all(not WebhookDelivery.objects.filter(pk=d.pk).exists() for d in old)


def test_a_delivery_still_waiting_or_retrying_stays_however_old(make_hook):
    hook = make_hook("https://93.184.215.14/h")
    waiting = _delivery(hook, age=90 * DAY, status="pending", attempts=0)
    retrying = _delivery(hook, age=90 * DAY, status="pending", attempts=3)

    webhook_prune_log(days=30)

    assert _left() == {waiting.pk, retrying.pk}
    assert WebhookAttempt.objects.filter(delivery=retrying).count() == 3
    assert WebhookEvent.objects.get(pk=waiting.event_id).payload  # still needed: kept whole


def test_it_works_in_batches_and_running_it_again_does_nothing(make_hook):
    hook = make_hook("https://93.184.215.14/h")
    for _ in range(7):
        _delivery(hook, age=40 * DAY)
    recent = _delivery(hook, age=DAY)

    first = webhook_prune_log(days=30, batch_size=3)
    second = webhook_prune_log(days=30, batch_size=3)

    assert first == {"deliveries": 7, "events": 7}
    assert second == {"deliveries": 0, "events": 0}
    assert _left() == {recent.pk}


def test_the_default_is_the_setting(make_hook, settings):
    settings.WEBHOOK_LOG_DAYS = 5
    hook = make_hook("https://93.184.215.14/h")
    old = _delivery(hook, age=6 * DAY)
    recent = _delivery(hook, age=4 * DAY)

    webhook_prune_log()

    assert _left() == {recent.pk} and old.pk not in _left()


def test_an_event_another_hook_still_waits_for_stays_whole(make_hook, group):
    sent_hook = make_hook("https://93.184.215.14/a")
    slow_hook = make_hook("https://93.184.215.14/b")
    done = _delivery(sent_hook, age=40 * DAY, key="member.joined:shared")
    waiting = WebhookDelivery.objects.create(
        hook=slow_hook, event=done.event, status="pending", created_at=done.created_at
    )

    webhook_prune_log(days=30)

    assert _left() == {waiting.pk}
    assert WebhookEvent.objects.get(pk=done.event_id).payload == {"text": "Wren joined River Crew."}


def test_an_unused_event_keeps_its_key_but_not_its_words_and_a_test_goes(make_hook):
    hook = make_hook("https://93.184.215.14/h")
    joined = _delivery(hook, age=40 * DAY, key="member.joined:7")
    test = _delivery(hook, age=40 * DAY, kind="test", key="test:1:abc")
    young = _delivery(hook, age=DAY, key="member.joined:8")
    young.delete()  # its hook's delivery went another way, but the event is recent

    webhook_prune_log(days=30)

    kept = WebhookEvent.objects.get(pk=joined.event_id)
    assert kept.key == "member.joined:7" and kept.payload == {}
    assert not WebhookEvent.objects.filter(pk=test.event_id).exists()
    assert WebhookEvent.objects.get(pk=young.event_id).payload


def test_a_narrative_published_again_after_the_log_is_pruned_posts_nothing_twice(
    make_hook, organizer, network
):
    network_hook = make_hook("https://93.184.215.14/n", group=None, created_by=organizer)
    narrative = _narrative(organizer, network=network)
    narratives.question_ask(actor=organizer, narrative=narrative, text="Is it clean?")
    narratives.narrative_set_status(actor=organizer, narrative=narrative, status="published")
    WebhookDelivery.objects.update(status="sent")

    webhook_prune_log(now=timezone.now() + 60 * DAY)
    for status in ("draft", "published"):
        narratives.narrative_set_status(actor=organizer, narrative=narrative, status=status)

    assert not WebhookDelivery.objects.filter(hook=network_hook).exists()


def test_the_log_page_shows_what_remains(moderator, make_hook, django_assert_max_num_queries):
    hook = make_hook("https://93.184.215.14/h")
    _delivery(hook, age=40 * DAY, status="failed")
    WebhookAttempt.objects.filter(hook=hook).update(status_code=500, error="Old failure.")
    _delivery(hook, age=2 * DAY)
    webhook_prune_log(days=30)
    client = Client()
    client.force_login(moderator)

    with django_assert_max_num_queries(12):
        page = client.get(reverse("groups:webhook_detail", args=[hook.pk]))

    text = page.content.decode()
    assert "Delivered (200)" in text and "Old failure." not in text
    assert "Deliveries are kept for 30 days." in text


def test_a_test_message_sent_just_now_is_kept(moderator, make_hook):
    hook = make_hook("https://93.184.215.14/h")
    delivery = webhook_send_test(actor=moderator, hook=hook)
    WebhookDelivery.objects.update(status="sent")

    webhook_prune_log()

    assert _left() == {delivery.pk}


def test_the_beat_prunes_the_log_with_a_registered_task():
    entries = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if "prune" in e["task"]]

    assert [e["task"] for e in entries] == ["groups.webhooks.tasks.prune_webhook_log"]
    assert entries[0]["schedule"] <= 24 * 3600
    app.loader.import_default_modules()
    assert "groups.webhooks.tasks.prune_webhook_log" in app.tasks


def test_the_task_calls_the_service(make_hook):
    from groups.webhooks.tasks import prune_webhook_log

    hook = make_hook("https://93.184.215.14/h")
    _delivery(hook, age=400 * DAY)

    assert prune_webhook_log.apply().get() == {"deliveries": 1, "events": 1}


@pytest.mark.parametrize(
    ("value", "words"),
    [("0", "at least 1"), ("-3", "at least 1"), ("thirty", "invalid literal"), ("1.5", "")],
)
def test_a_bad_retention_stops_the_app_from_starting(value, words):
    # Another process: the settings are read once, when the module is imported.
    env = {**os.environ, "WEBHOOK_LOG_DAYS": value}
    run = subprocess.run(
        [sys.executable, "-c", "import impact.settings"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert run.returncode != 0 and words in run.stderr
