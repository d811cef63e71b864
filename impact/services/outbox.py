"""The notification outbox: every message is one row with a dedupe key, written in the
caller's transaction and handed to Celery after commit (the sweep hands on what the broker missed)."""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.db.models import Q
from django.utils import timezone, translation

from impact.celery import app
from impact.kinds import KINDS
from impact.models import EmailOptOut, Notification, User

logger = logging.getLogger(__name__)


DISPATCH_BATCH = 50


# A text, or what writes it in the language active when called (the recipient's).
Text = str | Callable[[], str]


def _written(text: Text) -> str:
    return str(text() if callable(text) else text)


@dataclass(frozen=True)
class Message:
    """One person's copy of a notification (its text may be theirs alone: their time zone).

    `title` and `body` may be callables: each is then written in the recipient's language
    (User.writing_language), whoever triggered it.
    """

    recipient: User
    key: str
    title: Text
    body: Text = ""
    url: str = ""
    subject: models.Model | None = None


def notify(
    *,
    recipients: Iterable[User],
    kind: str,
    key: str,
    title: Text,
    body: Text = "",
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
        with translation.override(user.writing_language):
            title, body = _written(message.title), _written(message.body)
        common = {
            "recipient": user,
            "kind": kind,
            "title": title[:200],
            "body": body,
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
    """Queue an email to an address that may have no account yet (an invitation).

    Its title and body are already written, in the active language: the mail around them
    is written in that language too."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    row = Notification(
        to_email=to_email,
        language=translation.get_language() or "",
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


def outbox_key(kind: str, key: str, recipient: int | str, channel: str) -> str:
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
    ("language", "varchar"),
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
    if not ids:
        return 0
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
    return hand_to_task(task, messages, rows=len(ids), what="notification(s)")


def hand_to_task(task, messages: list[tuple], *, rows: int, what: str) -> int:
    """Send `task` once per argument tuple over one producer; returns how many rows went
    (a tuple whose first argument is a list carries that many). If the broker is down the
    rest stay pending in their table for its sweep."""
    handed = 0
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
            "Broker unavailable (%r); %d %s stay pending for the sweep", exc, rows - handed, what
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
