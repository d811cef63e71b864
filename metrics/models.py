from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from groups.models import Group, Network
from impact.shared import ScopedQuerySet
from impact.texts import amount_with_unit_text

MAX_EFFORT_MINUTES = 16 * 60


class MetricDefinition(models.Model):
    """A metric a group (or a whole network) agreed to measure its impact by."""

    cache_scopes = ("group:group", "network:network")

    class Direction(models.TextChoices):
        HIGHER = "higher", _("Higher is better")
        LOWER = "lower", _("Lower is better")

    class Aggregation(models.TextChoices):
        SUM = "sum", _("Sum over the period")
        LATEST = "latest", _("Latest value")
        AVERAGE = "average", _("Average over the period")

    group = models.ForeignKey(
        Group, on_delete=models.CASCADE, null=True, blank=True, related_name="metrics"
    )
    network = models.ForeignKey(
        Network, on_delete=models.CASCADE, null=True, blank=True, related_name="shared_metrics"
    )
    # The network metric a group adopted, or the parent group's metric a spin-out copied.
    source = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="adoptions"
    )
    name = models.CharField(_("name"), max_length=80)
    unit = models.CharField(
        _("unit"), max_length=30, help_text=_("For example: trees, kWh, people.")
    )
    # The unit is typed by people, so the catalogue cannot give its singular ("1 trees");
    # impact.texts.unit_for_amount picks this one for an amount that reads as one.
    unit_singular = models.CharField(
        _("unit for one"),
        max_length=30,
        blank=True,
        help_text=_(
            'Only when it differs from the unit: "tree" for trees, "person" for people. '
            "Leave it blank for kg or kWh."
        ),
    )
    direction = models.CharField(
        _("direction"), max_length=6, choices=Direction.choices, default=Direction.HIGHER
    )
    aggregation = models.CharField(
        _("aggregation"), max_length=7, choices=Aggregation.choices, default=Aggregation.SUM
    )
    allow_negative = models.BooleanField(
        _("values may be negative"),
        default=False,
        help_text=_(
            "Tick for a change or a balance that can go below zero; counts such as trees or kg "
            "never do."
        ),
    )
    target = models.DecimalField(
        _("target"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    target_date = models.DateField(_("target date"), null=True, blank=True)
    description = models.TextField(_("how to measure it"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("metric")
        verbose_name_plural = _("metrics")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(group__isnull=False, network__isnull=True)
                | Q(group__isnull=True, network__isnull=False),
                name="metric_belongs_to_group_or_network",
                violation_error_message=_("A metric belongs to a group or to a network."),
            ),
            models.UniqueConstraint(
                fields=["group", "name"],
                condition=Q(archived_at__isnull=True, group__isnull=False),
                name="unique_active_metric_name_per_group",
                violation_error_message=_("The group already measures a metric with that name."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.unit})"


class MetricChange(models.Model):
    """Who changed a metric definition, when, and what (the record the group agreed on)."""

    cache_scopes = ("group:metric__group", "network:metric__network")

    metric = models.ForeignKey(MetricDefinition, on_delete=models.CASCADE, related_name="changes")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(_("changed"), default=timezone.now)
    changes = models.JSONField(_("changes"), default=dict)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("metric change")
        verbose_name_plural = _("metric changes")
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.metric} @ {self.changed_at:%Y-%m-%d}"

    @property
    def what_changed(self) -> list[str]:
        """What changed, in the reader's words: "created", or the fields by their names."""
        events = {
            "created": pgettext_lazy("metric change", "created"),
            "archived": pgettext_lazy("metric change", "archived"),
        }
        words = []
        for key in self.changes:
            if key in events:
                words.append(str(events[key]))
                continue
            try:
                words.append(str(MetricDefinition._meta.get_field(key).verbose_name))
            except FieldDoesNotExist:
                words.append(key)
        return words


class Action(models.Model):
    """Something a member did for the group, with the effort it took."""

    cache_scopes = ("activity:group",)

    # No single-column indexes on group and user: the (group, day) and (user, day) indexes
    # below serve those lookups too, and every logged action would pay for two more.
    group = models.ForeignKey(
        Group, on_delete=models.CASCADE, related_name="actions", db_index=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="actions", db_index=False
    )
    description = models.CharField(_("what I did"), max_length=200)
    notes = models.TextField(_("notes"), blank=True, help_text=_("Markdown."))
    happened_on = models.DateField(_("day"))
    initiative = models.ForeignKey(
        "narratives.Initiative",
        verbose_name=_("initiative it serves"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions",
    )
    OPEN_INITIATIVE_STATUSES = ("proposed", "active")  # those an action can be logged for
    effort_minutes = models.PositiveIntegerField(
        _("effort (minutes)"),
        validators=[MinValueValidator(1), MaxValueValidator(MAX_EFFORT_MINUTES)],
    )
    created_at = models.DateTimeField(_("logged"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # The idempotency key its sender chose (a phone's offline queue, an API client): a send
    # repeated with the same key finds this row instead of making a second.
    client_key = models.CharField(max_length=64, blank=True, default="", editable=False)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["-happened_on", "-id"]
        indexes = [
            models.Index(fields=["group", "happened_on"], name="action_group_day_idx"),
            models.Index(fields=["user", "happened_on"], name="action_user_day_idx"),
            # The action list API's order within a group (newest logged first, cursor
            # paginated): a group with 50,000 actions reads its page as fast as a small one.
            models.Index(fields=["group", "-created_at", "-id"], name="action_group_logged_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(effort_minutes__gte=1) & Q(effort_minutes__lte=MAX_EFFORT_MINUTES),
                name="action_effort_within_bounds",
                violation_error_message=_("Effort is between 1 minute and 16 hours."),
            ),
            models.UniqueConstraint(
                fields=["user", "client_key"],
                condition=~Q(client_key=""),
                name="action_once_per_client_key",
                violation_error_message=_("This action has already been logged."),
            ),
        ]

    def __str__(self) -> str:
        return self.description

    @classmethod
    def initiatives(cls) -> models.QuerySet:
        """Every initiative: the narratives app's model, reached through the relation so that
        metrics never imports the app built on it."""
        return cls._meta.get_field("initiative").related_model.objects.all()


class Measurement(models.Model):
    """A value of one metric: the impact an action produced, or logged on its own."""

    cache_scopes = ("activity:group",)

    # Like Action: the (metric, day) and (group, day) indexes serve the single-column lookups.
    metric = models.ForeignKey(
        MetricDefinition, on_delete=models.PROTECT, related_name="measurements", db_index=False
    )
    group = models.ForeignKey(
        Group, on_delete=models.CASCADE, related_name="measurements", db_index=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="measurements"
    )
    action = models.ForeignKey(
        Action, on_delete=models.CASCADE, null=True, blank=True, related_name="measurements"
    )
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    measured_on = models.DateField(_("day"))
    created_at = models.DateTimeField(_("logged"), default=timezone.now)
    # As on Action: a send repeated with the same key finds this row.
    client_key = models.CharField(max_length=64, blank=True, default="", editable=False)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        ordering = ["-measured_on", "-id"]
        indexes = [
            models.Index(fields=["metric", "measured_on"], name="measurement_metric_day_idx"),
            models.Index(fields=["group", "measured_on"], name="measurement_group_day_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "client_key"],
                condition=~Q(client_key=""),
                name="measurement_once_per_client_key",
                violation_error_message=_("This measurement has already been logged."),
            )
        ]

    def __str__(self) -> str:
        return amount_with_unit_text(self.value, self.metric)


class EntryRevision(models.Model):
    """The history of an action or measurement: what it was before each edit or deletion."""

    cache_scopes = ("group:group",)

    class Kind(models.TextChoices):
        ACTION = "action", _("Action")
        MEASUREMENT = "measurement", _("Measurement")

    kind = models.CharField(max_length=12, choices=Kind.choices)
    entry_id = models.PositiveBigIntegerField()
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="+")
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    operation = models.CharField(max_length=10)  # "update" or "delete"
    before = models.JSONField(default=dict)
    at = models.DateTimeField(default=timezone.now)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("entry revision")
        verbose_name_plural = _("entry revisions")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["kind", "entry_id"], name="revision_entry_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.entry_id} {self.operation}"

    @property
    def before_happened_on(self) -> date | None:
        """The day the entry was for before the change (kept in JSON as an ISO date), as a
        date, so pages show it in the reader's language."""
        day = self.before.get("happened_on") or self.before.get("measured_on")
        return date.fromisoformat(day) if day else None


ZERO = Decimal("0")


class GroupRanking(models.Model):
    """Whether a group takes part in its network's leaderboard (no row: it does)."""

    cache_scopes = ("group:group",)

    group = models.OneToOneField(Group, on_delete=models.CASCADE, related_name="ranking")
    ranked = models.BooleanField(_("show on the network leaderboard"), default=True)
    changed_at = models.DateTimeField(_("changed"), auto_now=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("leaderboard setting")
        verbose_name_plural = _("leaderboard settings")

    def __str__(self) -> str:
        return f"{self.group}: {'ranked' if self.ranked else 'not ranked'}"
