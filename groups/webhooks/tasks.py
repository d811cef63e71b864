"""Celery jobs for webhooks: thin wrappers that take ids and call one service."""

from celery import shared_task

from groups.webhooks.delivery import webhook_deliver
from groups.webhooks.services import webhook_prune_log, webhook_sweep
from impact.exceptions import DeliveryDeferred


@shared_task(bind=True, max_retries=None, acks_late=True)
def deliver_webhook(self, delivery_id: int) -> str:
    try:
        return webhook_deliver(delivery_id=delivery_id)
    except DeliveryDeferred as deferred:
        # The service caps the attempts; the sweep also re-sends if this retry is lost.
        raise self.retry(countdown=deferred.countdown, exc=deferred) from deferred


@shared_task
def sweep_webhooks() -> int:
    return webhook_sweep()


@shared_task
def prune_webhook_log() -> dict[str, int]:
    return webhook_prune_log()
