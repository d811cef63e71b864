"""Writes for accounts and the notification outbox."""

import logging
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import connection, models, transaction
from django.db.models import F, Q
from django.template.loader import select_template
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from impact.celery import app
from impact.exceptions import DeliveryDeferred
from impact.kinds import KINDS
from impact.models import EmailOptOut, Notification, User

logger = logging.getLogger(__name__)

DISPATCH_BATCH = 50
UNSUBSCRIBE_SALT = "impact.email-unsubscribe"
# Errors worth another try: the mail server or the network may be back in a minute.
TRANSIENT_ERRORS = (
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
    smtplib.SMTPHeloError,
    ConnectionError,
    TimeoutError,
)


# Accounts ---------------------------------------------------------------------------------


def user_update_profile(*, user: User, display_name: str, time_zone: str) -> User:
    """Change how a person is shown to others and the time zone they see times in."""
    changed = {"display_name", "time_zone"}
    user.display_name = display_name.strip()
    user.time_zone = time_zone
    # Validate only what changes: an older account whose username or email would fail
    # today's rules must still be able to fix its display name.
    user.clean_fields(exclude=[f.name for f in user._meta.fields if f.name not in changed])
    user.save(update_fields=sorted(changed))
    return user


def email_preferences_set(*, user: User, enabled_kinds: Iterable[str]) -> None:
    """Keep email for the given kinds and turn off every other optional kind."""
    enabled = set(enabled_kinds)
    unknown = enabled - KINDS.keys()
    if unknown:
        raise ValidationError({"kinds": _("Unknown kind: %s") % ", ".join(sorted(unknown))})
    off = {key for key, kind in KINDS.items() if kind.optional and key not in enabled}
    with transaction.atomic():
        EmailOptOut.objects.filter(user=user).exclude(kind__in=off).delete()
        EmailOptOut.objects.bulk_create(
            [EmailOptOut(user=user, kind=kind) for kind in sorted(off)], ignore_conflicts=True
        )


def email_unsubscribe_token(*, user: User, kind: str) -> str:
    return signing.dumps({"u": user.pk, "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def email_unsubscribe_check(*, token: str) -> tuple[User, str]:
    """The person and kind a signed unsubscribe link is for; ValidationError if it is not ours."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        user = User.objects.get(pk=data["u"])
        kind = KINDS[data["k"]]
    except (signing.BadSignature, KeyError, TypeError, User.DoesNotExist) as exc:
        raise ValidationError(_("This unsubscribe link is not valid.")) from exc
    return user, kind.key


def email_unsubscribe(*, token: str) -> tuple[User, str]:
    """Turn off one kind of email from a signed link; raises ValidationError if it is not ours."""
    user, key = email_unsubscribe_check(token=token)
    kind = KINDS[key]
    if kind.optional:
        EmailOptOut.objects.get_or_create(user=user, kind=kind.key)
    return user, kind.key


# Outbox -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Message:
    """One person's copy of a notification (its text may be theirs alone: their time zone)."""

    recipient: User
    key: str
    title: str
    body: str = ""
    url: str = ""
    subject: models.Model | None = None


def notify(
    *,
    recipients: Iterable[User],
    kind: str,
    key: str,
    title: str,
    body: str = "",
    url: str = "",
    subject: models.Model | None = None,
    email: bool = True,
    in_app: bool = True,
) -> list[int]:
    """Write one outbox row per recipient and channel, in the caller's transaction.

    `key` names the purpose (for example a meeting and an offset): together with the kind,
    recipient and channel it makes the dedupe key, so calling twice writes nothing new.
    Email rows are handed to the delivery task after the transaction commits.
    Returns the ids of the email rows this call wrote (none when every key was already taken).
    """
    return notify_each(
        kind=kind,
        messages=[Message(user, key, title, body, url, subject) for user in recipients],
        email=email,
        in_app=in_app,
    )


def notify_each(
    *, kind: str, messages: Iterable[Message], email: bool = True, in_app: bool = True
) -> list[int]:
    """notify() for many people at once, each with their own text: a fixed number of queries
    whatever the count (a reminder fan-out to every member of every group)."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    messages = [m for m in messages if m.recipient.is_active]
    if not messages:
        return []
    opted_out = set(
        EmailOptOut.objects.filter(
            user_id__in={m.recipient.pk for m in messages}, kind=kind
        ).values_list("user_id", flat=True)
    )
    now = timezone.now()
    rows = []
    for message in messages:
        user = message.recipient
        common = {
            "recipient": user,
            "kind": kind,
            "title": message.title[:200],
            "body": message.body,
            "url": message.url,
        }
        if message.subject is not None:
            common["subject_type"] = ContentType.objects.get_for_model(message.subject)
            common["subject_id"] = message.subject.pk
        if in_app:
            rows.append(
                Notification(
                    **common,
                    channel=Notification.Channel.IN_APP,
                    dedupe_key=outbox_key(kind, message.key, user.pk, "in_app"),
                    status=Notification.Status.SENT,
                    sent_at=now,
                )
            )
        if email and user.email and user.pk not in opted_out:
            rows.append(
                Notification(
                    **common,
                    channel=Notification.Channel.EMAIL,
                    dedupe_key=outbox_key(kind, message.key, user.pk, "email"),
                )
            )
    return _write_outbox(rows)


def notify_address(
    *,
    to_email: str,
    kind: str,
    key: str,
    title: str,
    body: str = "",
    url: str = "",
    subject: models.Model | None = None,
) -> list[int]:
    """Queue an email to an address that may have no account yet (an invitation)."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    row = Notification(
        to_email=to_email,
        kind=kind,
        title=title[:200],
        body=body,
        url=url,
        channel=Notification.Channel.EMAIL,
        dedupe_key=outbox_key(kind, key, to_email.lower(), "email"),
    )
    if subject is not None:
        row.subject_type = ContentType.objects.get_for_model(subject)
        row.subject_id = subject.pk
    return _write_outbox([row])


def outbox_key(kind: str, key: str, recipient, channel: str) -> str:
    """The dedupe key of one outbox row: its kind, purpose, recipient and channel."""
    return f"{kind}:{key}:{recipient}:{channel}"[:255]


def outbox_keys_taken(keys: Iterable[str]) -> set[str]:
    """Those of these dedupe keys the outbox already holds (what was already sent or queued)."""
    keys = list(dict.fromkeys(keys))
    if not keys:
        return set()
    if connection.vendor == "postgresql":
        # All the keys as one array parameter, each looked up in the key's unique index:
        # building (and parsing) an IN list of tens of thousands of keys took seconds.
        table = connection.ops.quote_name(Notification._meta.db_table)
        with connection.cursor() as cursor:
            # The table name is the model's, never input; the keys go as a parameter.
            cursor.execute(f"SELECT dedupe_key FROM {table} WHERE dedupe_key = ANY(%s)", [keys])  # noqa: S608
            return {key for (key,) in cursor.fetchall()}
    taken: set[str] = set()
    for start in range(0, len(keys), 5000):
        taken.update(
            Notification.objects.filter(dedupe_key__in=keys[start : start + 5000]).values_list(
                "dedupe_key", flat=True
            )
        )
    return taken


def _write_outbox(rows: list[Notification]) -> list[int]:
    if connection.vendor == "postgresql":
        ids = _insert_outbox_rows(rows)
    else:
        ids = _bulk_create_outbox_rows(rows)
    if ids:
        transaction.on_commit(lambda: outbox_dispatch(ids), robust=True)
    return ids


def _bulk_create_outbox_rows(rows: list[Notification]) -> list[int]:
    # A key already in the outbox means this purpose is done: only the others are written,
    # counted and handed to delivery (rows still pending are the sweep's).
    taken = outbox_keys_taken(row.dedupe_key for row in rows)
    new: dict[str, Notification] = {}
    for row in rows:
        if row.dedupe_key not in taken:
            new.setdefault(row.dedupe_key, row)
    if not new:
        return []
    # ignore_conflicts: a run racing this one may take a key since the check; then both
    # report the row and hand it to delivery, whose claim still sends it once.
    Notification.objects.bulk_create(list(new.values()), ignore_conflicts=True, batch_size=2000)
    email_keys = [key for key, row in new.items() if row.channel == Notification.Channel.EMAIL]
    ids = []
    for start in range(0, len(email_keys), 5000):
        ids += Notification.objects.filter(
            dedupe_key__in=email_keys[start : start + 5000], status=Notification.Status.PENDING
        ).values_list("id", flat=True)
    return ids


# The outbox columns _insert_outbox_rows writes (the others are NULL: claimed_until, read_at),
# with their PostgreSQL array types.
_OUTBOX_COLUMNS = [
    ("to_email", "varchar"),
    ("kind", "varchar"),
    ("channel", "varchar"),
    ("subject_id", "bigint"),
    ("dedupe_key", "varchar"),
    ("title", "varchar"),
    ("body", "text"),
    ("url", "varchar"),
    ("status", "varchar"),
    ("attempts", "smallint"),
    ("last_error", "text"),
    ("created_at", "timestamptz"),
    ("next_attempt_at", "timestamptz"),
    ("sent_at", "timestamptz"),
    ("recipient_id", "bigint"),
    ("subject_type_id", "integer"),
]


def _insert_outbox_rows(rows: list[Notification]) -> list[int]:
    """The rows whose key is not taken yet, written in one statement per 5,000 (each column
    as one array parameter); returns the ids of the email rows written, as PostgreSQL reports
    them: a key already in the outbox, or taken by a run racing this one, is neither written
    nor reported."""
    new: dict[str, Notification] = {}
    for row in rows:
        new.setdefault(row.dedupe_key, row)
    rows = list(new.values())
    table = connection.ops.quote_name(Notification._meta.db_table)
    names = ", ".join(connection.ops.quote_name(name) for name, _type in _OUTBOX_COLUMNS)
    arrays = ", ".join(f"%s::{type_}[]" for _name, type_ in _OUTBOX_COLUMNS)
    # The table and column names are the model's, never input; the values go as parameters.
    sql = (
        f"INSERT INTO {table} ({names}) SELECT * FROM unnest({arrays}) "  # noqa: S608
        "ON CONFLICT (dedupe_key) DO NOTHING RETURNING id, dedupe_key"
    )
    ids = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            batch = rows[start : start + 5000]
            cursor.execute(
                sql,
                [[getattr(row, name) for row in batch] for name, _type in _OUTBOX_COLUMNS],
            )
            ids.extend(
                pk
                for pk, key in cursor.fetchall()
                if new[key].channel == Notification.Channel.EMAIL
            )
    return ids


def outbox_dispatch(ids: Iterable[int]) -> int:
    """Hand rows to the delivery task; if the broker is down they stay pending for the sweep."""
    # The tasks by name: impact.tasks calls this module's services, so this module does not
    # import it (impact.apps does, in every process, so the names are registered).
    deliver_notification = app.tasks["impact.tasks.deliver_notification"]
    deliver_notifications = app.tasks["impact.tasks.deliver_notifications"]
    ids = list(ids)
    handed = 0
    if not ids:
        return handed
    # A handful goes one task per row; a fan-out goes in batches that share one SMTP session.
    if len(ids) > DISPATCH_BATCH:
        task, messages = (
            deliver_notifications,
            [
                (ids[start : start + DISPATCH_BATCH],)
                for start in range(0, len(ids), DISPATCH_BATCH)
            ],
        )
    else:
        task, messages = deliver_notification, [(notification_id,) for notification_id in ids]
    try:
        with app.producer_or_acquire() as producer:
            # One quick try: without it kombu's reconnect loop holds a web request for
            # seconds while the broker is down (retry=False does not cover connecting).
            producer.connection.ensure_connection(max_retries=1, interval_start=0, timeout=2)
            for args in messages:
                task.apply_async(args, producer=producer, retry=False)
                handed += len(args[0]) if isinstance(args[0], list) else 1
    except Exception as exc:
        logger.warning(
            "Broker unavailable (%r); %d notification(s) stay pending for the sweep",
            exc,
            len(ids) - handed,
        )
    return handed


def outbox_sweep(*, limit: int = 500) -> int:
    """Hand every due, unclaimed pending email row to delivery again (after an outage)."""
    now = timezone.now()
    ids = list(
        Notification.objects.filter(
            status=Notification.Status.PENDING,
            channel=Notification.Channel.EMAIL,
            next_attempt_at__lte=now,
        )
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .order_by("next_attempt_at")
        .values_list("id", flat=True)[:limit]
    )
    return outbox_dispatch(ids)


def _claim_expiry(now):
    # Until then no other worker takes the row; then the sweep hands it out again (its worker
    # may have died after claiming it).
    return now + timedelta(seconds=settings.OUTBOX_CLAIM_SECONDS)


def _claimable(now) -> Q:
    return Q(
        channel=Notification.Channel.EMAIL,
        status=Notification.Status.PENDING,
        next_attempt_at__lte=now + timedelta(seconds=1),
    ) & (Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))


def notification_deliver(*, notification_id: int, connection=None) -> str:
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


def notifications_deliver_batch(*, ids: Iterable[int], connection) -> tuple[int, list]:
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


def _attempt(notification, *, opted_out: bool, connection, now, attachments=None) -> str:
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
    }
    with translation.override(settings.LANGUAGE_CODE):
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
        subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + notification.title,
        body=text,
        to=[notification.address],
        headers=headers,
    )
    message.attach_alternative(html, "text/html")
    if kind.attachments:
        # A batch reminding a whole group of one meeting builds its calendar file once.
        cache_key = (notification.kind, notification.subject_type_id, notification.subject_id)
        if attachments is None or cache_key not in attachments:
            files = import_string(kind.attachments)(notification)
            if attachments is not None:
                attachments[cache_key] = files
        else:
            files = attachments[cache_key]
        for filename, content, mimetype in files:
            message.attach(filename, content, mimetype)
    return message


def notifications_mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    """Mark some (or all) of a person's in-app notifications read; returns how many changed."""
    qs = Notification.objects.filter(
        recipient=user, channel=Notification.Channel.IN_APP, read_at__isnull=True
    )
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())


def notifications_retry(*, ids: Iterable[int]) -> int:
    """Put failed or pending email rows back in the queue now (an admin's second chance)."""
    with transaction.atomic():
        now = timezone.now()
        rows = Notification.objects.filter(
            pk__in=list(ids),
            channel=Notification.Channel.EMAIL,
            status__in=[Notification.Status.FAILED, Notification.Status.PENDING],
        ).exclude(
            # A worker holds this row and may be sending it right now: releasing its claim
            # would let a second worker send the same email.
            claimed_until__gte=now
        )
        retry_ids = list(rows.values_list("id", flat=True))
        rows.update(
            status=Notification.Status.PENDING,
            attempts=0,
            claimed_until=None,
            next_attempt_at=now,
        )
        transaction.on_commit(lambda: outbox_dispatch(retry_ids), robust=True)
    return len(retry_ids)


# Account deletion -------------------------------------------------------------------------

# Apps register what deleting an account means for their data (leave groups, drop private
# reflections); each runs inside the deletion's transaction.
ACCOUNT_DELETION_HOOKS: list = []


def register_account_deletion_hook(func):
    if func not in ACCOUNT_DELETION_HOOKS:
        ACCOUNT_DELETION_HOOKS.append(func)
    return func


@transaction.atomic
def account_delete(*, user: User, password: str) -> None:
    """Delete a person's account: private data goes, what they logged stays, by "a former member"."""
    if not user.check_password(password):
        raise ValidationError({"password": _("That is not your password.")})
    from allauth.account.models import EmailAddress
    from rest_framework.authtoken.models import Token

    for hook in ACCOUNT_DELETION_HOOKS:
        hook(user)
    EmailAddress.objects.filter(user=user).delete()
    Token.objects.filter(user=user).delete()
    Notification.objects.filter(recipient=user).delete()
    EmailOptOut.objects.filter(user=user).delete()
    user.username = f"former-member-{user.pk}"
    user.email = ""
    user.first_name = user.last_name = ""
    user.display_name = _("A former member")
    user.is_active = False
    user.is_staff = user.is_superuser = False
    user.set_unusable_password()
    user.save()
