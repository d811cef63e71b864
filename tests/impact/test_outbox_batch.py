"""Batch delivery: a fan-out goes out over one mail session, still exactly once per row."""

import smtplib
import threading

import pytest
from django.core import mail
from django.core.mail import get_connection
from django.db import connection, transaction

from impact import services
from impact.models import EmailOptOut, Notification
from impact.tasks import deliver_notifications
from tests.factories import UserFactory


def _reminders(people, key="fanout"):
    with transaction.atomic():
        return services.notify(
            recipients=people, kind="welcome", key=key, title="Hello", body="Hi", in_app=False
        )


@pytest.mark.django_db
def test_a_batch_sends_every_row_once_and_marks_it_sent(django_assert_max_num_queries):
    people = UserFactory.create_batch(12)
    ids = _reminders(people)
    mail.outbox.clear()

    # A fixed number, and one per email to record it as sent the moment it is out (a worker
    # dying mid-batch must not leave sent emails looking unsent: they would go out twice).
    with django_assert_max_num_queries(6 + len(people)):
        sent, deferred = services.notifications_deliver_batch(ids=ids, connection=get_connection())

    assert sent == 12 and deferred == []
    assert len(mail.outbox) == 12
    assert set(Notification.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"sent"}
    # Handing the same rows over again sends nothing.
    assert services.notifications_deliver_batch(ids=ids, connection=get_connection()) == (0, [])
    assert len(mail.outbox) == 12


@pytest.mark.django_db
def test_a_batch_cancels_rows_of_people_who_turned_the_kind_off_since():
    keen, changed_mind = UserFactory(), UserFactory()
    ids = _reminders([keen, changed_mind])
    EmailOptOut.objects.create(user=changed_mind, kind="welcome")
    mail.outbox.clear()

    deliver_notifications(ids)

    assert [m.to for m in mail.outbox] == [[keen.email]]
    assert Notification.objects.get(recipient=changed_mind, channel="email").status == "cancelled"


@pytest.mark.django_db
def test_a_transient_error_defers_only_the_row_it_hit(monkeypatch):
    people = UserFactory.create_batch(3)
    ids = _reminders(people)
    backend = get_connection()
    calls = {"n": 0}
    original = backend.send_messages

    def flaky(messages):
        calls["n"] += 1
        if calls["n"] == 2:
            raise smtplib.SMTPServerDisconnected("gone")
        return original(messages)

    monkeypatch.setattr(backend, "send_messages", flaky)

    sent, deferred = services.notifications_deliver_batch(ids=ids, connection=backend)

    assert sent == 2 and len(deferred) == 1
    row = Notification.objects.get(pk=deferred[0][0])
    assert row.status == "pending" and row.claimed_until is None and "gone" in row.last_error


@pytest.mark.django_db(transaction=True)
def test_two_workers_handed_the_same_batch_send_each_email_once():
    people = UserFactory.create_batch(20)
    ids = _reminders(people, key="race")
    mail.outbox.clear()
    barrier = threading.Barrier(2)
    results = []

    def worker():
        try:
            barrier.wait(timeout=10)
            results.append(
                services.notifications_deliver_batch(ids=ids, connection=get_connection())
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(sent for sent, _deferred in results) == 20
    assert len(mail.outbox) == 20
    assert len({m.to[0] for m in mail.outbox}) == 20
