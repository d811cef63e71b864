"""Celery tasks for the outbox: thin wrappers that take ids and call one service."""

from celery import shared_task

from impact import services
from impact.exceptions import DeliveryDeferred


@shared_task(bind=True, max_retries=None, acks_late=True)
def deliver_notification(self, notification_id: int) -> str:
    try:
        return services.notification_deliver(notification_id=notification_id)
    except DeliveryDeferred as deferred:
        # The service caps the attempts; the sweep also re-sends if this retry is lost.
        raise self.retry(countdown=deferred.countdown, exc=deferred) from deferred


@shared_task
def sweep_outbox() -> int:
    return services.outbox_sweep()
