"""Outgoing webhooks: the hook, each event, one delivery per (event, hook), each attempt."""

import secrets
import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from groups.models import Group, Network
from impact.shared import ScopedQuerySet


def new_secret() -> str:
    return secrets.token_hex(32)


class Webhook(models.Model):
    """Where a group's (or a whole network's) events are posted, and in which shape."""

    cache_scopes = ()  # shown on its owners' pages only, never on a shared part

    class Format(models.TextChoices):
        # Names, the same in every language (translated as themselves).
        SLACK = "slack", _("Slack")
        MATTERMOST = "mattermost", _("Mattermost")
        MATRIX = "matrix", _("Matrix (hookshot)")
        DISCORD = "discord", _("Discord")
        GENERIC = "generic", _("Signed JSON (any other service)")

    class Event(models.TextChoices):
        SESSION_SUMMARY = "session.summary", _("Session summary")
        QUESTION = "question.new", _("New powerful question")
        HELP = "help.raised", _("Help raised to the network")
        SPIN_OUT = "group.spin_out", _("Spin-out")
        MEMBER_JOINED = "member.joined", _("A member joined")

    # What a network's hook may post: news the whole network may read. A group's own news
    # (session summaries, new members, questions not posed to the network) is read by its
    # members and organizers only, so it goes to that group's hooks alone.
    NETWORK_EVENTS = (Event.HELP, Event.SPIN_OUT, Event.QUESTION)

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="webhooks")
    # Empty: the network's hook, which receives the events of every group in it.
    group = models.ForeignKey(
        Group, on_delete=models.CASCADE, null=True, blank=True, related_name="webhooks"
    )
    # Whose language its messages are written in, and who is told when it is disabled.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    url = models.URLField(_("URL"), max_length=500)
    format = models.CharField(_("format"), max_length=12, choices=Format.choices)
    events = models.JSONField(_("events"), default=list)
    # Kept (the signature is made with it) but shown only once, when made.
    secret = models.CharField(max_length=64, default=new_secret)
    is_active = models.BooleanField(_("active"), default=True)
    disabled_reason = models.CharField(_("why it is off"), max_length=300, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["network", "is_active"], name="webhook_network_idx")]

    def __str__(self) -> str:
        return f"{self.get_format_display()} → {self.host}"

    @property
    def host(self) -> str:
        """The URL's host alone: chat webhook URLs carry their credential in the path."""
        return urlsplit(self.url).hostname or ""

    @property
    def allowed_events(self) -> tuple[str, ...]:
        return self.NETWORK_EVENTS if self.group_id is None else tuple(self.Event.values)

    def event_labels(self) -> list[str]:
        labels = dict(self.Event.choices)
        allowed = self.allowed_events
        return [str(labels[e]) for e in self.events if e in labels and e in allowed]


class WebhookEvent(models.Model):
    """Something that happened, once: its key makes emitting it twice a no-op."""

    cache_scopes = ()

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    key = models.CharField(max_length=255, unique=True)
    kind = models.CharField(max_length=40)
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    group = models.ForeignKey(
        Group, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")
        # The log's pruning reads old events by age (migration 0012).
        indexes = [models.Index(fields=["created_at"], name="webhook_event_created_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.uid}"


class WebhookDelivery(models.Model):
    """One event to one hook: the outbox row its delivery works from (unique per pair)."""

    cache_scopes = ()

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    hook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # A worker that claims a row holds it until then; a claim left by a dead worker expires.
    claimed_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "hook"],
                name="webhook_delivery_once",
                violation_error_message=_("This event is already on its way to this webhook."),
            )
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="pending"),
                name="webhook_delivery_due_idx",
            ),
            # The log's pruning reads finished deliveries by age (migration 0012).
            models.Index(fields=["created_at"], name="webhook_delivery_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.hook_id} ({self.status})"


class WebhookAttempt(models.Model):
    """One try at a delivery, for the log on the hook's page."""

    cache_scopes = ()

    hook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="attempts")
    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log"
    )
    number = models.PositiveSmallIntegerField()
    at = models.DateTimeField(default=timezone.now)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["hook", "-at"], name="webhook_attempt_log_idx")]

    def __str__(self) -> str:
        return f"{self.delivery_id} #{self.number}: {self.status_code or self.error}"

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
