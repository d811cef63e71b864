from django.conf import settings
from django.conf.locale import LANG_INFO
from django.db import models
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from groups.models import Group, Network
from impact.links import id_url
from impact.shared import ScopedQuerySet


def written_language_choices() -> list[tuple[str, str]]:
    """Every language Django knows, each named in itself: people write in any language, not
    only in those the site speaks."""
    named = [(code, info["name_local"]) for code, info in LANG_INFO.items() if "name_local" in info]
    return sorted(named, key=lambda choice: (choice[1].casefold(), choice[0]))


def current_writing_language() -> str:
    """The language the writer uses the site in (de-at counts as de if only de is known)."""
    known = {code for code, _name in written_language_choices()}
    active = (translation.get_language() or settings.LANGUAGE_CODE).lower()
    for code in (active, active.split("-")[0], settings.LANGUAGE_CODE):
        if code in known:
            return code
    return "en"


class Narrative(models.Model):
    """An opportunity-based narrative: a call to action about a future the reader can shape."""

    cache_scopes = ("network:network", "group:group")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    network = models.ForeignKey(
        Network, on_delete=models.CASCADE, null=True, blank=True, related_name="narratives"
    )
    group = models.ForeignKey(
        Group, on_delete=models.CASCADE, null=True, blank=True, related_name="own_narratives"
    )
    title = models.CharField(_("title"), max_length=160)
    horizon_year = models.PositiveSmallIntegerField(
        _("horizon year"), help_text=_("Where could things be 10 to 20 years from now?")
    )
    opportunity = models.TextField(_("the opportunity"), help_text=_("Markdown."))
    why_now = models.TextField(_("why it matters now"), blank=True, help_text=_("Markdown."))
    call_to_action = models.TextField(
        _("call to action"), blank=True, help_text=_("What the reader can do. Markdown.")
    )
    # Shown as written, never translated: the page says which language that is (and tells
    # screen readers, through lang=).
    language = models.CharField(
        _("written in"),
        max_length=10,
        choices=written_language_choices,
        default=current_writing_language,
        help_text=_("The language you write the narrative in."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("narrative")
        verbose_name_plural = _("narratives")
        ordering = ["-updated_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(network__isnull=False, group__isnull=True)
                | Q(network__isnull=True, group__isnull=False),
                name="narrative_belongs_to_network_or_group",
                violation_error_message=_("A narrative belongs to a network or to a group."),
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return id_url("narratives:narrative_detail", self.pk)

    @property
    def network_id_for_access(self) -> int:
        return self.network_id if self.network_id else self.group.network_id


class NarrativeRevision(models.Model):
    """A narrative as it was before an edit, with who changed it and when."""

    cache_scopes = ("network:narrative__network", "group:narrative__group")

    narrative = models.ForeignKey(Narrative, on_delete=models.CASCADE, related_name="revisions")
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    edited_at = models.DateTimeField(default=timezone.now)
    before = models.JSONField(default=dict)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("narrative revision")
        verbose_name_plural = _("narrative revisions")
        ordering = ["-edited_at", "-id"]

    def __str__(self) -> str:
        return f"{self.narrative} @ {self.edited_at:%Y-%m-%d %H:%M}"


class Adoption(models.Model):
    """The narrative a group has adopted (without one it follows its network's)."""

    cache_scopes = ("group:group",)

    group = models.OneToOneField(Group, on_delete=models.CASCADE, related_name="adoption")
    narrative = models.ForeignKey(Narrative, on_delete=models.CASCADE, related_name="adoptions")
    adopted_at = models.DateTimeField(default=timezone.now)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("adopted narrative")
        verbose_name_plural = _("adopted narratives")

    def __str__(self) -> str:
        return f"{self.group} → {self.narrative}"


class Question(models.Model):
    """A powerful question: open, focusing, often a request for help."""

    cache_scopes = ("group:group", "network:network")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ANSWERED = "answered", _("Answered")

    narrative = models.ForeignKey(
        Narrative, on_delete=models.CASCADE, null=True, blank=True, related_name="questions"
    )
    group = models.ForeignKey(
        Group, on_delete=models.CASCADE, null=True, blank=True, related_name="questions"
    )
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="questions")
    text = models.CharField(_("question"), max_length=300)
    details = models.TextField(_("details"), blank=True, help_text=_("Markdown."))
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="questions"
    )
    posed_to_network = models.BooleanField(
        _("posed to the whole network"),
        default=False,
        help_text=_("Members of every group in the network can see and answer it."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    follow_up_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="follow_ups"
    )
    created_at = models.DateTimeField(_("asked"), default=timezone.now)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("powerful question")
        verbose_name_plural = _("powerful questions")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["network", "status", "-created_at"], name="question_board_idx")
        ]

    def __str__(self) -> str:
        return self.text

    def get_absolute_url(self) -> str:
        return id_url("narratives:question_detail", self.pk)

    @property
    def is_network_wide(self) -> bool:
        """Network narratives' questions and posed questions are seen by the whole network."""
        return self.posed_to_network or self.group_id is None


class Answer(models.Model):
    cache_scopes = ("group:group", "group:question__group", "network:question__network")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="answers"
    )
    group = models.ForeignKey(
        Group, on_delete=models.SET_NULL, null=True, blank=True, related_name="answers_given"
    )
    body = models.TextField(_("answer"), help_text=_("Markdown."))
    helpful = models.BooleanField(_("marked helpful"), default=False)
    created_at = models.DateTimeField(default=timezone.now)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Answer to {self.question_id}"


class Initiative(models.Model):
    """One of the 2-3 things a group commits to now (6-12 months) to move toward the opportunity."""

    cache_scopes = ("group:group",)

    class Impact(models.TextChoices):
        HIGH = "high", _("High impact")
        LOW = "low", _("Low impact")

    class Speed(models.TextChoices):
        FAST = "fast", _("Fast to show impact")
        SLOW = "slow", _("Slow to show impact")

    class Status(models.TextChoices):
        # One context for the four: they are read side by side and must agree (Spanish:
        # feminine, as "iniciativa"), where "Done" alone is also a button.
        PROPOSED = "proposed", pgettext_lazy("initiative status", "Proposed")
        ACTIVE = "active", pgettext_lazy("initiative status", "Active")
        DONE = "done", pgettext_lazy("initiative status", "Done")
        DROPPED = "dropped", pgettext_lazy("initiative status", "Dropped")

    MAX_ACTIVE = 3

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="initiatives")
    title = models.CharField(_("title"), max_length=160)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))
    impact = models.CharField(_("potential impact"), max_length=4, choices=Impact.choices)
    speed = models.CharField(_("time to tangible impact"), max_length=4, choices=Speed.choices)
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED
    )
    metrics = models.ManyToManyField(
        "metrics.MetricDefinition",
        blank=True,
        related_name="initiatives",
        verbose_name=_("metrics it should move"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("initiative")
        verbose_name_plural = _("initiatives")
        ordering = ["status", "-created_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return id_url("narratives:initiative_detail", self.pk)

    @property
    def quadrant(self) -> str:
        return f"{self.impact}_{self.speed}"


class HelpRequest(models.Model):
    """A member asking the group (and perhaps the network) for help where they are stuck."""

    cache_scopes = ("group:group",)

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        RESOLVED = "resolved", _("Resolved")

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="help_requests")
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="help_requests"
    )
    summary = models.CharField(_("where I am stuck"), max_length=200)
    details = models.TextField(_("details"), blank=True, help_text=_("Markdown."))
    raised_to_network = models.BooleanField(_("raised to the network"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("help request")
        verbose_name_plural = _("help requests")
        ordering = ["status", "-created_at"]
        indexes = [models.Index(fields=["group", "status"], name="help_group_status_idx")]

    def __str__(self) -> str:
        return self.summary

    def get_absolute_url(self) -> str:
        return id_url("narratives:help_detail", self.pk)


class HelpResponse(models.Model):
    cache_scopes = ("group:help_request__group",)
    help_request = models.ForeignKey(
        HelpRequest, on_delete=models.CASCADE, related_name="responses"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField(_("response"), help_text=_("Markdown."))
    created_at = models.DateTimeField(default=timezone.now)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("help response")
        verbose_name_plural = _("help responses")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Response to {self.help_request_id}"
