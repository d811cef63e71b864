"""Writes for webhooks: adding, changing, switching, deleting and testing hooks,
`webhook_event`, the one call the other services make when something worth posting happens,
and `webhook_prune_log`, which keeps the delivery log to its last WEBHOOK_LOG_DAYS."""

import operator
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from functools import reduce

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from groups.models import Group, Network
from groups.permissions import Need, require, require_organizer
from groups.webhooks.addresses import RefusedAddress, check_url
from groups.webhooks.models import Webhook, WebhookDelivery, WebhookEvent
from groups.webhooks.models import new_secret as _new_secret
from impact.models import User
from impact.services.delivery import absolute_url
from impact.services.outbox import hand_to_task

TEST_EVENT = "test"


def _require_owner(actor: User, *, group: Group | None, network: Network) -> None:
    """A group's hooks are its moderators' (and its network's organizers'); a network's are
    its organizers'."""
    if group is not None:
        require(actor, group, Need.MODERATE)
    else:
        require_organizer(actor, network)


def webhook_create(
    *,
    actor: User,
    url: str,
    format: str,
    events: Iterable[str],
    group: Group | None = None,
    network: Network | None = None,
) -> Webhook:
    """Add a hook for a group (its moderators) or a whole network (its organizers)."""
    if group is not None:
        network = group.network
    if network is None:
        raise ValueError("a webhook belongs to a group or a network")
    _require_owner(actor, group=group, network=network)
    events = list(dict.fromkeys(events))
    allowed = Webhook.NETWORK_EVENTS if group is None else Webhook.Event.values
    _check_settings(url=url, format=format, events=events, allowed=allowed)
    return Webhook.objects.create(
        network=network, group=group, created_by=actor, url=url, format=format, events=events
    )


def _check_settings(*, url: str | None, format: str, events: list[str], allowed) -> None:
    """The rules a hook's settings follow, when added and when changed (`url` None: kept)."""
    errors = {}
    if url is not None:
        try:
            check_url(url)
        except RefusedAddress as exc:
            errors["url"] = str(exc)
    if format not in Webhook.Format.values:
        errors["format"] = _("Choose one of the formats.")
    if not events or not set(events) <= set(allowed):
        errors["events"] = _("Choose at least one event to post.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def webhook_update(
    *,
    actor: User,
    hook: Webhook,
    format: str,
    events: Iterable[str],
    url: str | None = None,
    new_secret: bool = False,
    turn_on: bool = False,
) -> Webhook:
    """Change where a hook posts, in which format and what (`url` None or the same: kept).

    The secret stays unless `new_secret` (the receiving end need not change when the address
    does); a new address starts the count of failures afresh, and `turn_on` switches a hook
    that is off on again. Deliveries still waiting go out with the new settings; those of
    events no longer chosen are cancelled.
    """
    _require_owner(actor, group=hook.group, network=hook.network)
    events = list(dict.fromkeys(events))
    # Locked: a worker counting a failure writes the same row (see delivery._count_failure).
    locked = Webhook.objects.select_for_update().get(pk=hook.pk)
    url = url or None
    if url == locked.url:
        url = None
    _check_settings(url=url, format=format, events=events, allowed=hook.allowed_events)
    fields = {"format": format, "events": events}
    if url is not None:
        fields.update(url=url, consecutive_failures=0)
    if new_secret:
        fields["secret"] = _new_secret()
    if turn_on and not locked.is_active:
        fields.update(is_active=True, disabled_reason="", consecutive_failures=0)
    for name, value in fields.items():
        setattr(locked, name, value)
        setattr(hook, name, value)
    locked.save(update_fields=list(fields))
    now = timezone.now()
    WebhookDelivery.objects.filter(hook=hook, status=WebhookDelivery.Status.PENDING).filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    ).exclude(event__kind__in=[*events, TEST_EVENT]).update(
        status=WebhookDelivery.Status.CANCELLED, claimed_until=None
    )
    return hook


def webhook_set_active(*, actor: User, hook: Webhook, active: bool) -> Webhook:
    """Switch a hook off or on again (on: its count of failures starts afresh)."""
    _require_owner(actor, group=hook.group, network=hook.network)
    hook.is_active = active
    hook.consecutive_failures = 0
    hook.disabled_reason = (
        "" if active else _("Turned off by %(name)s.") % {"name": actor.public_name}
    )
    hook.save(update_fields=["is_active", "consecutive_failures", "disabled_reason"])
    return hook


def webhook_roll_secret(*, actor: User, hook: Webhook) -> str:
    """A new secret for the hook, returned once for the page to show."""
    _require_owner(actor, group=hook.group, network=hook.network)
    hook.secret = _new_secret()
    hook.save(update_fields=["secret"])
    return hook.secret


def webhook_delete(*, actor: User, hook: Webhook) -> None:
    _require_owner(actor, group=hook.group, network=hook.network)
    hook.delete()


@transaction.atomic
def webhook_send_test(*, actor: User, hook: Webhook) -> WebhookDelivery:
    """Post a test message to this hook alone (it shows in the log like any delivery)."""
    _require_owner(actor, group=hook.group, network=hook.network)
    if not hook.is_active:
        raise ValidationError(_("Turn the webhook on before sending a test."))
    event = WebhookEvent.objects.create(
        key=f"{TEST_EVENT}:{hook.pk}:{uuid.uuid4().hex}",
        kind=TEST_EVENT,
        network_id=hook.network_id,
        group_id=hook.group_id,
        payload=_payload(hook.group, hook.network, {}),
    )
    delivery = WebhookDelivery.objects.create(hook=hook, event=event)
    transaction.on_commit(lambda: webhook_dispatch([delivery.pk]), robust=True)
    return delivery


def _place(row: Group | Network) -> dict:
    return {"id": row.pk, "name": row.name, "url": absolute_url(row.get_absolute_url())}


def _payload(group: Group | None, network: Network, payload: dict) -> dict:
    data = {"network": _place(network), **({"group": _place(group)} if group else {})}
    data.update(payload)
    # Links go out whole: the receiving chat does not know our address.
    for part in [data, *(value for value in data.values() if isinstance(value, dict))]:
        if part.get("url"):
            part["url"] = absolute_url(part["url"])
    return data


def webhook_event(
    *,
    kind: str,
    key: str,
    payload: dict,
    group: Group | None = None,
    network: Network | None = None,
    group_hooks: bool = True,
    network_wide: bool = False,
) -> list[int]:
    """Post an event to every active hook that asked for it and whose channel may read it.

    The group's hooks get it (unless `group_hooks` is False: they had it already); the
    network's hooks only when it is `network_wide` (the whole network may read it) and of a
    kind a network hook posts (`Webhook.NETWORK_EVENTS`), whatever its stored event list says.

    Called inside the caller's transaction: one row per (event, hook) is written with it and
    handed to delivery after it commits. `key` names the event (a session, a question):
    emitting it again writes nothing. Costs one query when no hook wants it.
    Returns the ids of the deliveries written.
    """
    if kind not in Webhook.Event.values:
        raise ValueError(f"unknown webhook event {kind!r}")
    network_id = group.network_id if group is not None else network.pk
    readers = []
    if group is not None and group_hooks:
        readers.append(Q(group=group))
    if network_wide and kind in Webhook.NETWORK_EVENTS:
        readers.append(Q(group__isnull=True))
    if not readers:
        return []
    hooks = [
        hook
        for hook in Webhook.objects.filter(network_id=network_id, is_active=True).filter(
            reduce(operator.or_, readers)
        )
        if kind in hook.events
    ]
    if not hooks:
        return []
    network = group.network if group is not None else network
    with transaction.atomic():
        event, created = WebhookEvent.objects.get_or_create(
            key=f"{kind}:{key}"[:255],
            defaults={
                "kind": kind,
                "network_id": network_id,
                "group": group,
                "payload": _payload(group, network, payload),
            },
        )
        if not created:
            return []
        deliveries = WebhookDelivery.objects.bulk_create(
            [WebhookDelivery(hook=hook, event=event) for hook in hooks]
        )
    ids = [delivery.pk for delivery in deliveries]
    transaction.on_commit(lambda: webhook_dispatch(ids), robust=True)
    return ids


def webhook_dispatch(ids: Iterable[int]) -> int:
    """Hand deliveries to the task; if the broker is down they stay pending for the sweep."""
    # Imported here: the tasks module calls this one's services. Importing it also registers
    # the task in a web process, where Celery's autodiscovery may not have run.
    from groups.webhooks.tasks import deliver_webhook as task

    ids = list(ids)
    return hand_to_task(
        task, [(delivery_id,) for delivery_id in ids], rows=len(ids), what="webhook deliveries"
    )


def webhook_sweep(*, limit: int = 500) -> int:
    """Hand every due, unclaimed pending delivery to the task again (after an outage)."""
    now = timezone.now()
    ids = list(
        WebhookDelivery.objects.filter(
            status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now
        )
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .order_by("next_attempt_at")
        .values_list("id", flat=True)[:limit]
    )
    return webhook_dispatch(ids)


FINISHED = (
    WebhookDelivery.Status.SENT,
    WebhookDelivery.Status.FAILED,
    WebhookDelivery.Status.CANCELLED,
)


def webhook_prune_log(
    *, days: int | None = None, batch_size: int = 500, now: datetime | None = None
) -> dict[str, int]:
    """Delete finished deliveries (with their attempts) made more than `days` ago
    (WEBHOOK_LOG_DAYS), never one still pending, and shed the events none needs any more.

    One short transaction per batch, rows another transaction holds skipped, so it never
    holds a long lock; running it twice (or in two beats at once) deletes nothing twice.
    Answers how many deliveries and events went.
    """
    days = settings.WEBHOOK_LOG_DAYS if days is None else days
    cutoff = (now or timezone.now()) - timedelta(days=days)
    old = WebhookDelivery.objects.filter(status__in=FINISHED, created_at__lt=cutoff)
    # Their attempts go with them, in one DELETE per batch.
    deliveries = _in_batches(old, batch_size, lambda ids: old.filter(pk__in=ids).delete())
    return {"deliveries": deliveries, "events": _prune_events(cutoff, batch_size)}


def _in_batches(rows, size: int, act: Callable[[list[int]], object]) -> int:
    """Call `act` with the ids of up to `size` of `rows` at a time, each batch in its own
    short transaction and locked for it (rows another transaction holds are skipped), until
    none is left; `act` must take its rows out of `rows`. Answers how many it was given."""
    done = 0
    while True:
        with transaction.atomic():
            batch = rows.select_for_update(skip_locked=True).order_by("pk")
            ids = list(batch.values_list("pk", flat=True)[:size])
            if not ids:
                return done
            act(ids)
        done += len(ids)


def _prune_events(cutoff: datetime, batch_size: int) -> int:
    """Events older than `cutoff` that no delivery needs any more.

    A test message's event goes: its key is new each time. Any other keeps its row, emptied
    of what it said: its key is what makes emitting the event again a no-op (a narrative
    published a second time posts none of its questions twice), so it must outlive the log.
    """
    unused = WebhookEvent.objects.filter(created_at__lt=cutoff).filter(
        ~Exists(WebhookDelivery.objects.filter(event=OuterRef("pk")))
    )
    tests = unused.filter(kind=TEST_EVENT)
    full = unused.exclude(kind=TEST_EVENT).exclude(payload={})
    return _in_batches(
        tests, batch_size, lambda ids: tests.filter(pk__in=ids).delete()
    ) + _in_batches(full, batch_size, lambda ids: full.filter(pk__in=ids).update(payload={}))
