"""Celery tasks for the outbox: thin wrappers that take ids and call one service."""

from celery import shared_task
from django.core.mail import get_connection

from impact import services
from impact.exceptions import DeliveryDeferred


@shared_task(bind=True, max_retries=None, acks_late=True)
def deliver_notification(self, notification_id: int) -> str:
    try:
        return services.notification_deliver(notification_id=notification_id)
    except DeliveryDeferred as deferred:
        # The service caps the attempts; the sweep also re-sends if this retry is lost.
        raise self.retry(countdown=deferred.countdown, exc=deferred) from deferred


@shared_task(acks_late=True)
def deliver_notifications(notification_ids: list[int]) -> int:
    """Deliver a batch over one mail-server session; a row that must wait is retried alone."""
    try:
        connection = get_connection()
        connection.open()
    except services.TRANSIENT_ERRORS:
        # The mail server is away: hand each row to the single-row task and its retries.
        for notification_id in notification_ids:
            deliver_notification.apply_async((notification_id,), countdown=30)
        return 0
    try:
        sent, deferred = services.notifications_deliver_batch(
            ids=notification_ids, connection=connection
        )
    finally:
        connection.close()
    for notification_id, countdown in deferred:
        deliver_notification.apply_async((notification_id,), countdown=countdown)
    return sent


@shared_task
def sweep_outbox() -> int:
    return services.outbox_sweep()
