"""The notification outbox: one row per recipient and channel, each email sent at most once."""

import json
import logging
import smtplib
import threading
import time
from datetime import timedelta
from unittest import mock

import pytest
import redis
import time_machine
from celery.exceptions import Retry
from django.conf import settings
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from impact import services
from impact.exceptions import DeliveryDeferred
from impact.models import EmailOptOut, Notification
from impact.services import outbox
from impact.tasks import deliver_notification, sweep_outbox
from tests.factories import UserFactory
from tests.impact import support

# The mail server is the one thing outside the machine: tests make Django's backend fail.
LOCMEM_SEND = "django.core.mail.backends.locmem.EmailBackend.send_messages"


def notify_membership(recipients, *, key="seat:1", **kwargs):
    return services.notify(
        recipients=recipients,
        kind="group.membership",
        key=key,
        title="A seat opened for you",
        body="You are now a member of Compost Crew.",
        url="/notifications/",
        **kwargs,
    )


def rows_for(user, channel):
    return Notification.objects.filter(recipient=user, channel=channel)


def broker_queue():
    return redis.Redis.from_url(settings.CELERY_BROKER_URL)


# Writing rows ------------------------------------------------------------------------------


def test_notify_writes_a_sent_in_app_row_and_a_pending_email_row_per_recipient(user, other_user):
    ids = notify_membership([user, other_user])

    for person in (user, other_user):
        (in_app,) = rows_for(person, Notification.Channel.IN_APP)
        assert in_app.status == Notification.Status.SENT
        assert in_app.sent_at is not None
        assert in_app.is_unread
        (email,) = rows_for(person, Notification.Channel.EMAIL)
        assert email.status == Notification.Status.PENDING
        assert email.attempts == 0
        assert email.address == person.email
    assert sorted(ids) == sorted(
        Notification.objects.filter(channel=Notification.Channel.EMAIL).values_list("id", flat=True)
    )


def test_notifying_twice_with_the_same_key_writes_nothing_new(user):
    first = notify_membership([user])
    second = notify_membership([user])

    assert Notification.objects.count() == 2
    assert len(first) == 1
    # Nothing new, nothing reported: the row still pending is the sweep's to hand on again.
    assert second == []

    notify_membership([user], key="seat:2")
    assert Notification.objects.count() == 4


def test_notify_reports_only_the_rows_it_wrote(
    user, other_user, monkeypatch, django_capture_on_commit_callbacks
):
    handed = []
    monkeypatch.setattr(outbox, "outbox_dispatch", lambda ids: handed.append(list(ids)))
    with django_capture_on_commit_callbacks(execute=True):
        (first,) = notify_membership([user])
    assert handed == [[first]]  # the new row goes to delivery after commit

    handed.clear()
    with django_capture_on_commit_callbacks(execute=True):
        ids = notify_membership([user, other_user])

    # The first person's rows were written before: only the second person's email counts,
    # and only it is handed to delivery.
    assert ids == list(
        rows_for(other_user, Notification.Channel.EMAIL).values_list("id", flat=True)
    )
    assert handed == [ids]
    assert Notification.objects.count() == 4

    handed.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert notify_membership([user, other_user]) == []
    assert handed == []


def test_one_call_with_the_same_key_twice_writes_and_reports_it_once(user):
    ids = services.notify_each(
        kind="group.membership",
        messages=[
            services.Message(user, "seat:1", "First"),
            services.Message(user, "seat:1", "Second"),
        ],
    )

    assert len(ids) == 1
    assert Notification.objects.get(pk=ids[0]).title == "First"


def test_opted_out_kind_gets_no_email_row_but_still_the_in_app_row(user, other_user):
    EmailOptOut.objects.create(user=user, kind="group.membership")

    ids = notify_membership([user, other_user])

    assert rows_for(user, Notification.Channel.IN_APP).count() == 1
    assert not rows_for(user, Notification.Channel.EMAIL).exists()
    assert ids == list(
        rows_for(other_user, Notification.Channel.EMAIL).values_list("id", flat=True)
    )


def test_inactive_people_and_people_without_email_get_no_email(db):
    inactive = UserFactory(is_active=False)
    no_email = UserFactory(email="")

    notify_membership([inactive, no_email])

    assert not Notification.objects.filter(recipient=inactive).exists()
    assert not rows_for(no_email, Notification.Channel.EMAIL).exists()
    assert rows_for(no_email, Notification.Channel.IN_APP).count() == 1


def test_notify_refuses_an_unknown_kind(user):
    with pytest.raises(ValueError, match="unknown notification kind"):
        services.notify(recipients=[user], kind="nope", key="x", title="x")


def test_mail_to_an_address_is_deduplicated_whatever_its_case(db):
    first = services.notify_address(
        to_email="Guest@Example.org", kind="group.invitation", key="invite:1", title="Join us"
    )
    again = services.notify_address(
        to_email="guest@example.org", kind="group.invitation", key="invite:1", title="Join us"
    )

    assert len(first) == 1
    assert again == []
    assert Notification.objects.get().to_email == "Guest@Example.org"


# Delivering once ---------------------------------------------------------------------------


def test_delivering_one_row_twice_sends_exactly_one_email(user, mailoutbox):
    (email_id,) = notify_membership([user])

    assert services.notification_deliver(notification_id=email_id) == "sent"
    assert services.notification_deliver(notification_id=email_id) == "skipped"

    assert len(mailoutbox) == 1
    row = Notification.objects.get(pk=email_id)
    assert row.status == Notification.Status.SENT
    assert row.sent_at is not None
    assert row.attempts == 1
    assert row.claimed_until is None


def test_delivering_an_in_app_row_or_a_missing_row_sends_nothing(user, mailoutbox):
    notify_membership([user])
    in_app = rows_for(user, Notification.Channel.IN_APP).get()

    assert services.notification_deliver(notification_id=in_app.pk) == "skipped"
    assert services.notification_deliver(notification_id=10**9) == "skipped"
    assert mailoutbox == []


def test_two_workers_racing_for_one_row_send_exactly_one_email(transactional_db, mailoutbox):
    user = UserFactory()
    with transaction.atomic():
        (email_id,) = notify_membership([user])
    workers = 4
    start = threading.Barrier(workers)
    outcomes: list[str] = []
    errors: list[BaseException] = []
    real_send = LocmemBackend.send_messages

    def slow_send(backend, messages):
        # The winner is still "sending" while the others try to claim the row.
        time.sleep(0.2)
        return real_send(backend, messages)

    def worker():
        try:
            start.wait(timeout=10)
            outcomes.append(services.notification_deliver(notification_id=email_id))
        except BaseException as exc:  # reported by the main thread, which fails on it
            errors.append(exc)
        finally:
            connection.close()  # each thread opened its own connection

    with mock.patch(LOCMEM_SEND, autospec=True, side_effect=slow_send):
        threads = [threading.Thread(target=worker) for _ in range(workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)

    assert errors == []
    assert sorted(outcomes) == ["sent"] + ["skipped"] * (workers - 1)
    assert len(mailoutbox) == 1
    assert Notification.objects.get(pk=email_id).status == Notification.Status.SENT


# Broker outage -----------------------------------------------------------------------------


def test_broker_down_at_commit_keeps_the_row_pending_until_the_sweep_sends_it(
    transactional_db, mailoutbox, caplog
):
    user = UserFactory()
    caplog.set_level(logging.WARNING)

    with support.broker_at(support.UNREACHABLE_BROKER):
        started = time.monotonic()
        with transaction.atomic():
            (email_id,) = notify_membership([user])
        elapsed = time.monotonic() - started

    # The on-commit hook is "robust": an exception escaping outbox_dispatch would be logged
    # by Django at ERROR level instead of the service's own warning.
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert any("stay pending" in r.getMessage() for r in caplog.records)
    assert elapsed < 3, f"a request waited {elapsed:.1f}s for a dead broker"
    row = Notification.objects.get(pk=email_id)
    assert (row.status, row.attempts) == (Notification.Status.PENDING, 0)
    assert mailoutbox == []

    # The broker is back: the periodic sweep hands the row to a worker.
    queue = broker_queue()
    queue.delete("celery")
    assert services.outbox_sweep() == 1
    (message,) = [json.loads(raw) for raw in queue.lrange("celery", 0, -1)]
    assert message["headers"]["task"] == "impact.tasks.deliver_notification"
    assert message["headers"]["argsrepr"] == f"({email_id},)"

    assert services.notification_deliver(notification_id=email_id) == "sent"
    assert len(mailoutbox) == 1
    assert services.outbox_sweep() == 0


def test_dispatch_with_the_broker_down_returns_quickly_and_hands_nothing(broker_down, caplog):
    started = time.monotonic()
    assert services.outbox_dispatch([1, 2, 3]) == 0
    assert time.monotonic() - started < 3
    assert "stay pending" in caplog.text


def test_sweep_leaves_rows_that_are_claimed_or_not_yet_due(user, celery_eager, mailoutbox):
    due, claimed, later = (notify_membership([user], key=f"k{n}")[0] for n in range(3))
    now = timezone.now()
    Notification.objects.filter(pk=claimed).update(claimed_until=now + timedelta(minutes=5))
    Notification.objects.filter(pk=later).update(next_attempt_at=now + timedelta(minutes=5))

    assert services.outbox_sweep() == 1

    assert Notification.objects.get(pk=due).status == Notification.Status.SENT
    assert Notification.objects.get(pk=claimed).status == Notification.Status.PENDING
    assert Notification.objects.get(pk=later).status == Notification.Status.PENDING
    assert len(mailoutbox) == 1


# Mail server errors ------------------------------------------------------------------------


def test_transient_smtp_error_defers_the_row_with_growing_backoff(user, mailoutbox):
    (email_id,) = notify_membership([user])
    base = settings.OUTBOX_RETRY_BASE_SECONDS

    with mock.patch(LOCMEM_SEND, side_effect=smtplib.SMTPServerDisconnected("went away")):
        with pytest.raises(DeliveryDeferred) as first:
            services.notification_deliver(notification_id=email_id)
        row = Notification.objects.get(pk=email_id)
        assert first.value.countdown == base
        assert row.status == Notification.Status.PENDING
        assert row.attempts == 1
        assert row.claimed_until is None
        assert "SMTPServerDisconnected" in row.last_error
        assert row.next_attempt_at > timezone.now() + timedelta(seconds=base - 5)

        # Not due yet: a duplicate task does nothing.
        assert services.notification_deliver(notification_id=email_id) == "skipped"

        with (
            time_machine.travel(row.next_attempt_at, tick=False),
            pytest.raises(DeliveryDeferred) as second,
        ):
            services.notification_deliver(notification_id=email_id)
    assert second.value.countdown == 2 * base
    assert Notification.objects.get(pk=email_id).attempts == 2
    assert mailoutbox == []


def test_delivery_task_reschedules_itself_after_a_transient_error(user, mailoutbox):
    (email_id,) = notify_membership([user])
    queue = broker_queue()
    queue.delete("celery")

    # Run it as a worker would: with a task request (called directly, retry just re-raises).
    deliver_notification.push_request(
        id="task-1", retries=0, is_eager=False, called_directly=False, args=[email_id], kwargs={}
    )
    try:
        with (
            mock.patch(LOCMEM_SEND, side_effect=smtplib.SMTPServerDisconnected("went away")),
            pytest.raises(Retry) as retry,
        ):
            deliver_notification.run(email_id)
    finally:
        deliver_notification.pop_request()

    assert retry.value.when == settings.OUTBOX_RETRY_BASE_SECONDS
    (message,) = [json.loads(raw) for raw in queue.lrange("celery", 0, -1)]
    assert message["headers"]["argsrepr"] == f"({email_id},)"
    assert message["headers"]["eta"] is not None  # held back by the worker until then
    assert message["headers"]["retries"] == 1


def test_delivery_task_and_sweep_task_call_the_services(user, mailoutbox):
    first, second = (notify_membership([user], key=f"k{n}")[0] for n in range(2))

    assert deliver_notification(first) == "sent"
    with support.celery_eager():
        assert sweep_outbox() == 1

    assert Notification.objects.get(pk=second).status == Notification.Status.SENT
    assert len(mailoutbox) == 2


def test_row_fails_with_its_error_after_the_last_attempt(user, settings, mailoutbox):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    (email_id,) = notify_membership([user])
    outcomes = []

    with mock.patch(LOCMEM_SEND, side_effect=ConnectionRefusedError("smtp down")):
        for _ in range(3):
            due = Notification.objects.get(pk=email_id).next_attempt_at
            with time_machine.travel(due, tick=False):
                try:
                    outcomes.append(services.notification_deliver(notification_id=email_id))
                except DeliveryDeferred:
                    outcomes.append("deferred")

    assert outcomes == ["deferred", "deferred", "failed"]
    row = Notification.objects.get(pk=email_id)
    assert row.status == Notification.Status.FAILED
    assert row.attempts == 3
    assert "smtp down" in row.last_error
    assert mailoutbox == []


def test_permanent_smtp_error_fails_the_row_at_once(user, mailoutbox):
    (email_id,) = notify_membership([user])
    refused = smtplib.SMTPRecipientsRefused({user.email: (550, b"no such mailbox")})

    with mock.patch(LOCMEM_SEND, side_effect=refused):
        assert services.notification_deliver(notification_id=email_id) == "failed"

    row = Notification.objects.get(pk=email_id)
    assert (row.status, row.attempts) == (Notification.Status.FAILED, 1)
    assert "no such mailbox" in row.last_error


def test_row_is_cancelled_when_the_recipient_opted_out_after_it_was_written(user, mailoutbox):
    (email_id,) = notify_membership([user])
    EmailOptOut.objects.create(user=user, kind="group.membership")

    assert services.notification_deliver(notification_id=email_id) == "cancelled"

    assert Notification.objects.get(pk=email_id).status == Notification.Status.CANCELLED
    assert mailoutbox == []


def test_row_is_cancelled_when_the_recipient_was_deactivated(user, mailoutbox):
    (email_id,) = notify_membership([user])
    user.is_active = False
    user.save()

    assert services.notification_deliver(notification_id=email_id) == "cancelled"
    assert mailoutbox == []


# The email itself --------------------------------------------------------------------------


def test_email_has_text_and_html_parts_and_a_list_unsubscribe_header(user, mailoutbox):
    (email_id,) = notify_membership([user])
    services.notification_deliver(notification_id=email_id)

    (message,) = mailoutbox
    assert message.to == [user.email]
    assert message.subject == "[Impact Groups] A seat opened for you"
    assert "You are now a member of Compost Crew." in message.body
    assert f"{settings.SITE_URL}/notifications/" in message.body
    ((html, mimetype),) = message.alternatives
    assert mimetype == "text/html"
    assert "You are now a member of Compost Crew." in html
    assert user.public_name in html
    unsubscribe = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert unsubscribe.startswith(f"{settings.SITE_URL}/notifications/unsubscribe/")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe in message.body
    assert unsubscribe in html


def test_account_mail_cannot_be_unsubscribed_from(db, mailoutbox):
    (email_id,) = services.notify_address(
        to_email="someone@example.org", kind="account", key="reset:1", title="Reset", body="x"
    )
    services.notification_deliver(notification_id=email_id)

    (message,) = mailoutbox
    assert "List-Unsubscribe" not in message.extra_headers
    assert "/notifications/unsubscribe/" not in message.body


def unsubscribe_path(user, mailoutbox):
    (email_id,) = notify_membership([user])
    services.notification_deliver(notification_id=email_id)
    url = mailoutbox[-1].extra_headers["List-Unsubscribe"].strip("<>")
    return url.removeprefix(settings.SITE_URL)


def test_unsubscribe_link_asks_first_then_turns_that_kind_off(
    client, user, mailoutbox, django_assert_max_num_queries
):
    path = unsubscribe_path(user, mailoutbox)

    with django_assert_max_num_queries(1):
        page = client.get(path)
    assert page.status_code == 200
    assert "Turn it off" in page.content.decode()
    assert not EmailOptOut.objects.filter(user=user).exists()

    # Mail clients POST without a session or CSRF token (RFC 8058 one-click).
    done = client.post(path)
    assert done.status_code == 200
    assert "Your place in a group" in done.content.decode()
    assert list(EmailOptOut.objects.filter(user=user).values_list("kind", flat=True)) == [
        "group.membership"
    ]
    assert client.post(path).status_code == 200  # a second click is harmless


def test_tampered_unsubscribe_token_gives_400_and_changes_nothing(client, user, mailoutbox):
    path = unsubscribe_path(user, mailoutbox)
    token = path.rstrip("/").rsplit("/", 1)[-1]
    tampered = reverse(
        "email_unsubscribe", args=[token[:-2] + ("AA" if token[-2:] != "AA" else "BB")]
    )

    assert client.get(tampered).status_code == 400
    response = client.post(tampered)
    assert response.status_code == 400
    assert "not valid" in response.content.decode()
    assert not EmailOptOut.objects.exists()


# Admin -------------------------------------------------------------------------------------


def test_admin_retry_action_requeues_a_failed_row_and_sends_it(
    admin_client, user, mailoutbox, celery_eager, django_capture_on_commit_callbacks
):
    (email_id,) = notify_membership([user])
    Notification.objects.filter(pk=email_id).update(
        status=Notification.Status.FAILED, attempts=5, last_error="SMTPRecipientsRefused"
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:impact_notification_changelist"),
            {"action": "retry_delivery", "_selected_action": [email_id]},
        )

    assert response.status_code == 302
    row = Notification.objects.get(pk=email_id)
    assert row.status == Notification.Status.SENT
    assert row.attempts == 1
    assert len(mailoutbox) == 1


def test_retry_leaves_sent_rows_and_rows_a_worker_is_sending_alone(
    user, django_capture_on_commit_callbacks
):
    sent, in_flight, failed = (notify_membership([user], key=f"k{n}")[0] for n in range(3))
    Notification.objects.filter(pk=sent).update(status=Notification.Status.SENT)
    Notification.objects.filter(pk=in_flight).update(
        claimed_until=timezone.now() + timedelta(minutes=5), attempts=1
    )
    Notification.objects.filter(pk=failed).update(status=Notification.Status.FAILED)

    with django_capture_on_commit_callbacks() as callbacks:
        assert services.notifications_retry(ids=[sent, in_flight, failed]) == 1

    assert len(callbacks) == 1
    assert Notification.objects.get(pk=sent).status == Notification.Status.SENT
    assert Notification.objects.get(pk=in_flight).claimed_until is not None
    assert Notification.objects.get(pk=failed).status == Notification.Status.PENDING


def test_notifications_admin_changelist_loads_for_a_superuser(
    admin_client, django_assert_max_num_queries
):
    people = UserFactory.create_batch(3)
    notify_membership(people)
    services.notify_address(
        to_email="guest@example.org", kind="group.invitation", key="i", title="t"
    )

    with django_assert_max_num_queries(8):
        response = admin_client.get(reverse("admin:impact_notification_changelist"))

    assert response.status_code == 200
    assert "guest@example.org" in response.content.decode()
    assert people[0].email in response.content.decode()


def test_the_outbox_insert_writes_every_column_but_the_ones_left_empty():
    """PostgreSQL's outbox insert names its columns by hand: a field added to Notification must
    be added there too (or to the columns a new row leaves empty), not silently left NULL."""
    from impact.models import Notification
    from impact.services.outbox import _OUTBOX_COLUMNS

    written = {name for name, _type in _OUTBOX_COLUMNS}
    left_empty = {"id", "claimed_until", "read_at"}
    columns = {field.column for field in Notification._meta.concrete_fields}
    assert written | left_empty == columns
    assert not written & left_empty
