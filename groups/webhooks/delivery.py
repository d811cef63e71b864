"""Sending one webhook delivery: a claim so two workers never post the same one, a log line
per attempt, retries with backoff, and a hook switched off (its owner told) once it has
failed too often in a row."""

import http.client
import logging
import ssl
import time
from datetime import UTC, timedelta
from email.utils import parsedate_to_datetime

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from groups.webhooks import addresses
from groups.webhooks.formats import request_body, request_headers
from groups.webhooks.models import Webhook, WebhookAttempt, WebhookDelivery
from impact.exceptions import DeliveryDeferred
from impact.services import notify

logger = logging.getLogger(__name__)

MAX_RETRY_AFTER = 3600  # the longest a Retry-After makes us wait, in seconds


def _claimable(now) -> Q:
    return Q(
        status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now + timedelta(seconds=1)
    ) & (Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))


def retry_countdown(attempts: int) -> int:
    """Seconds before the next try after `attempts` failed ones: 30 s, 1 min, 2 min, ..."""
    return settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** (attempts - 1)


def webhook_deliver(*, delivery_id: int) -> str:
    """Post one delivery at most once; answers 'sent', 'skipped', 'cancelled' or 'failed'.

    Raises DeliveryDeferred after a failed attempt while attempts remain.
    """
    now = timezone.now()
    # One conditional UPDATE: of two workers racing for a delivery, only one wins it.
    claimed = WebhookDelivery.objects.filter(_claimable(now), pk=delivery_id).update(
        claimed_until=now + timedelta(seconds=settings.OUTBOX_CLAIM_SECONDS),
        attempts=F("attempts") + 1,
    )
    if not claimed:
        return "skipped"
    delivery = WebhookDelivery.objects.select_related("hook__created_by", "event").get(
        pk=delivery_id
    )
    hook = delivery.hook
    if not hook.is_active:
        _finish(delivery, WebhookDelivery.Status.CANCELLED, error="")
        return "cancelled"
    owner = hook.created_by
    # The message, and the words of the log, in the language of the hook's owner.
    with translation.override(owner.writing_language if owner else settings.LANGUAGE_CODE):
        status_code, error, duration_ms, retry_after = _post(hook, delivery)
    WebhookAttempt.objects.create(
        hook=hook,
        delivery=delivery,
        number=delivery.attempts,
        status_code=status_code,
        error=error[:300],
        duration_ms=duration_ms,
    )
    if not error:
        _finish(delivery, WebhookDelivery.Status.SENT, error="")
        if hook.consecutive_failures:
            Webhook.objects.filter(pk=hook.pk).update(consecutive_failures=0)
        return "sent"
    # Rate limited: the receiving end works and says when to come back; not a failure in a
    # row (that would switch a busy hook off), though the delivery's attempts still run out.
    limited = status_code == 429
    disabled = False if limited else _count_failure(hook, error)
    # Gone (404, 410): trying again will not bring it back.
    gone = status_code in (404, 410)
    if disabled or gone or delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
        _finish(delivery, WebhookDelivery.Status.FAILED, error=error)
        return "failed"
    countdown = retry_countdown(delivery.attempts)
    if limited and retry_after is not None:
        countdown = retry_after
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        claimed_until=None, next_attempt_at=now + timedelta(seconds=countdown), last_error=error
    )
    raise DeliveryDeferred(countdown)


def _post(hook: Webhook, delivery: WebhookDelivery) -> tuple[int | None, str, int, int | None]:
    """One try: (the answer's status code, what went wrong or "", milliseconds taken, seconds
    the answer's Retry-After asks us to wait, capped)."""
    body = request_body(hook, delivery.event)
    headers = request_headers(hook, delivery.event, body, int(time.time()))
    status_code, error, retry_after = None, "", None
    started = time.monotonic()
    try:
        answer = addresses.post(hook.url, body, headers)
        status_code = answer.status
        if not 200 <= status_code < 300:
            error = _("The receiving end answered %(code)d.") % {"code": status_code}
            retry_after = retry_after_seconds(answer.retry_after)
    except addresses.RefusedAddress as exc:
        error = str(exc)
    except (OSError, http.client.HTTPException, ValueError) as exc:
        error = _failure_words(exc)
    return status_code, error, int((time.monotonic() - started) * 1000), retry_after


def retry_after_seconds(value: str | None) -> int | None:
    """A Retry-After header (seconds, or an HTTP date) as seconds from now, between 1 and
    MAX_RETRY_AFTER; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        seconds = int(value)
    else:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = int((when - timezone.now()).total_seconds())
    return min(max(seconds, 1), MAX_RETRY_AFTER)


def _failure_words(exc: Exception) -> str:
    if isinstance(exc, TimeoutError):
        return _("No answer in time.")
    if isinstance(exc, ConnectionRefusedError):
        return _("The connection was refused.")
    if isinstance(exc, ssl.SSLError):
        return _("The secure connection failed (%(reason)s).") % {"reason": exc.reason or exc}
    return _("The connection failed (%(reason)s).") % {"reason": f"{type(exc).__name__}: {exc}"}


def _count_failure(hook: Webhook, error: str) -> bool:
    """One more failure in a row; True when this one switched the hook off."""
    with transaction.atomic():
        hook = (
            Webhook.objects.select_for_update(of=("self",))
            .select_related("created_by")
            .get(pk=hook.pk)
        )
        hook.consecutive_failures += 1
        turn_off = hook.is_active and hook.consecutive_failures >= settings.WEBHOOK_DISABLE_AFTER
        if turn_off:
            hook.is_active = False
            hook.disabled_reason = error[:300]
        hook.save(update_fields=["consecutive_failures", "is_active", "disabled_reason"])
        if turn_off:
            _tell_owner(hook, error)
    return turn_off


def _tell_owner(hook: Webhook, error: str) -> None:
    if hook.created_by is None:
        return
    failures = hook.consecutive_failures
    notify(
        recipients=[hook.created_by],
        kind="webhook.disabled",
        key=f"webhook:{hook.pk}:{timezone.now():%Y%m%d%H%M%S}",
        title=lambda: _("Your webhook to %(host)s was turned off") % {"host": hook.host},
        body=lambda: (
            _(
                "It failed %(count)d times in a row (the last time: %(error)s). Turn it on again "
                "on its page once the receiving end works."
            )
            % {"count": failures, "error": error}
        ),
        url=reverse("groups:webhook_detail", args=[hook.pk]),
    )


def _finish(delivery: WebhookDelivery, status: str, *, error: str) -> None:
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=status,
        claimed_until=None,
        last_error=error,
        sent_at=timezone.now() if status == WebhookDelivery.Status.SENT else None,
    )
