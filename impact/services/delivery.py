"""Sending the outbox's email rows: a claim per row so two workers never send the same one,
retries for transient errors, and a final failure an admin can see."""

import logging
import smtplib
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import select_template
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.module_loading import import_string

from impact.exceptions import DeliveryDeferred
from impact.kinds import KINDS
from impact.models import EmailOptOut, Notification
from impact.services.accounts import email_unsubscribe_token

logger = logging.getLogger(__name__)


# Errors worth another try: the mail server or the network may be back in a minute.
TRANSIENT_ERRORS = (
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
    smtplib.SMTPHeloError,
    ConnectionError,
    TimeoutError,
)


def _claim_expiry(now: datetime) -> datetime:
    # Until then no other worker takes the row; then the sweep hands it out again (its worker
    # may have died after claiming it).
    return now + timedelta(seconds=settings.OUTBOX_CLAIM_SECONDS)


def _claimable(now: datetime) -> Q:
    return Q(
        channel=Notification.Channel.EMAIL,
        status=Notification.Status.PENDING,
        next_attempt_at__lte=now + timedelta(seconds=1),
    ) & (Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))


def notification_deliver(
    *, notification_id: int, connection: BaseEmailBackend | None = None
) -> str:
    """Send one email row at most once; answers 'sent', 'skipped', 'cancelled' or 'failed'.

    Raises DeliveryDeferred on a transient error while attempts remain.
    """
    now = timezone.now()
    # The claim is one conditional UPDATE: of two workers racing for a row, only one wins it.
    claimed = Notification.objects.filter(_claimable(now), pk=notification_id).update(
        claimed_until=_claim_expiry(now), attempts=F("attempts") + 1
    )
    if not claimed:
        return "skipped"
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    opted_out = (
        notification.recipient_id is not None
        and EmailOptOut.objects.filter(
            user_id=notification.recipient_id, kind=notification.kind
        ).exists()
    )
    outcome = _attempt(notification, opted_out=opted_out, connection=connection, now=now)
    if outcome == "sent":
        _finish(notification, Notification.Status.SENT, error="")
    return outcome


def notifications_deliver_batch(
    *, ids: Iterable[int], connection: BaseEmailBackend
) -> tuple[int, list]:
    """Deliver many email rows over one mail session: a fixed number of queries, and one more
    per email to record it as sent.

    Returns how many were sent and the (id, countdown) of rows that must be retried later.
    """
    now = timezone.now()
    with transaction.atomic():
        # Of two workers handed the same rows, the second skips what the first has locked
        # and, once it commits, what it has claimed.
        claimed = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(_claimable(now), pk__in=list(ids))
            .values_list("id", flat=True)
        )
        Notification.objects.filter(pk__in=claimed).update(
            claimed_until=_claim_expiry(now), attempts=F("attempts") + 1
        )
    rows = list(Notification.objects.filter(pk__in=claimed).select_related("recipient"))
    opted_out = set(
        EmailOptOut.objects.filter(
            user_id__in={row.recipient_id for row in rows if row.recipient_id},
            kind__in={row.kind for row in rows},
        ).values_list("user_id", "kind")
    )
    sent, deferred, attachments = [], [], {}
    for row in rows:
        try:
            outcome = _attempt(
                row,
                opted_out=(row.recipient_id, row.kind) in opted_out,
                connection=connection,
                now=now,
                attachments=attachments,
            )
        except DeliveryDeferred as wait:
            deferred.append((row.pk, wait.countdown))
            continue
        if outcome == "sent":
            # Recorded as soon as it is out, not once the whole batch is: a worker that dies
            # mid-batch leaves at most the email it was sending unrecorded, so when its claim
            # expires and the sweep hands its rows to another worker, the emails already sent
            # are not sent again.
            _finish(row, Notification.Status.SENT, error="")
            sent.append(row.pk)
    return len(sent), deferred


def _attempt(
    notification: Notification,
    *,
    opted_out: bool,
    connection: BaseEmailBackend | None,
    now: datetime,
    attachments: dict | None = None,
) -> str:
    """Send one claimed row: 'sent' (the caller records it), 'cancelled' or 'failed' (recorded
    here); raises DeliveryDeferred on a transient error while attempts remain."""
    recipient = notification.recipient
    kind = KINDS.get(notification.kind)
    stale = kind is not None and kind.still_due and not import_string(kind.still_due)(notification)
    if stale or (
        recipient is not None and (not recipient.is_active or not recipient.email or opted_out)
    ):
        _finish(notification, Notification.Status.CANCELLED, error="stale" if stale else "")
        return "cancelled"
    try:
        message = build_email(notification, attachments=attachments)
        if connection is not None:
            message.connection = connection
        message.send()
    except TRANSIENT_ERRORS as exc:
        if notification.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
            _finish(notification, Notification.Status.FAILED, error=repr(exc))
            logger.error("Notification %s failed for good: %r", notification.pk, exc)
            return "failed"
        countdown = settings.OUTBOX_RETRY_BASE_SECONDS * 2 ** (notification.attempts - 1)
        Notification.objects.filter(pk=notification.pk).update(
            claimed_until=None,
            next_attempt_at=now + timedelta(seconds=countdown),
            last_error=repr(exc),
        )
        raise DeliveryDeferred(countdown) from exc
    except Exception as exc:
        # Not worth retrying (a refused address, a broken template): show it in the admin.
        logger.exception("Notification %s could not be delivered", notification.pk)
        _finish(notification, Notification.Status.FAILED, error=repr(exc))
        return "failed"
    return "sent"


def _finish(notification: Notification, status: str, *, error: str) -> None:
    Notification.objects.filter(pk=notification.pk).update(
        status=status,
        claimed_until=None,
        last_error=error,
        sent_at=timezone.now() if status == Notification.Status.SENT else None,
    )


def absolute_url(path: str) -> str:
    if path.startswith(("http://", "https://")):
        return path
    return settings.SITE_URL + path


def email_subject(title: str) -> str:
    """Every email's subject: the site's name, then the title ("[Impact Groups] ...")."""
    return f"[{settings.SITE_NAME}] {title}"


def build_email(
    notification: Notification, *, attachments: dict | None = None
) -> EmailMultiAlternatives:
    """Render a notification as a text and HTML email with a one-click way to turn it off."""
    recipient = notification.recipient
    kind = KINDS[notification.kind]
    unsubscribe_url = ""
    if recipient is not None and kind.optional:
        token = email_unsubscribe_token(user=recipient, kind=notification.kind)
        unsubscribe_url = absolute_url(reverse("email_unsubscribe", args=[token]))
    context = {
        "notification": notification,
        "recipient": recipient,
        "kind": kind,
        "link": absolute_url(notification.url) if notification.url else "",
        "unsubscribe_url": unsubscribe_url,
        "preferences_url": absolute_url(reverse("notification_settings")),
        "site_url": settings.SITE_URL,
        "site_name": settings.SITE_NAME,
        "support_email": settings.SUPPORT_EMAIL,
    }
    if recipient is not None:
        language = recipient.writing_language
    else:
        language = notification.language or settings.LANGUAGE_CODE
    with translation.override(language):
        text = select_template(
            [f"emails/{notification.kind}.txt", "emails/notification.txt"]
        ).render(context)
        html = select_template(
            [f"emails/{notification.kind}.html", "emails/notification.html"]
        ).render(context)
    headers = {}
    if unsubscribe_url:
        # RFC 8058: mail clients offer their own unsubscribe button that POSTs to this link.
        headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message = EmailMultiAlternatives(
        subject=email_subject(notification.title),
        body=text,
        to=[notification.address],
        headers=headers,
    )
    message.attach_alternative(html, "text/html")
    if kind.attachments:
        # A batch reminding a whole group of one meeting builds its calendar file once per
        # language (the file's words are the recipient's too).
        cache_key = (
            notification.kind,
            notification.subject_type_id,
            notification.subject_id,
            language,
        )
        if attachments is None or cache_key not in attachments:
            with translation.override(language):
                files = import_string(kind.attachments)(notification)
            if attachments is not None:
                attachments[cache_key] = files
        else:
            files = attachments[cache_key]
        for filename, content, mimetype in files:
            message.attach(filename, content, mimetype)
    return message
