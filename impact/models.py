import functools
import importlib.resources
import importlib.util
import pathlib
import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as BaseUserManager
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from impact.shared import ScopedQuerySet


def time_zone_choices() -> list[tuple[str, str]]:
    """Every zone the database accepts (the model's rule): aliases too, so no saved one fails."""
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


# The areas of the zones people pick from ("Europe/Berlin"); not "Etc/GMT+5", "US/Pacific", ...
ZONE_AREAS = (
    "Africa",
    "America",
    "Antarctica",
    "Arctic",
    "Asia",
    "Atlantic",
    "Australia",
    "Europe",
    "Indian",
    "Pacific",
)


@functools.cache
def common_time_zones() -> tuple[str, ...]:
    """The zones a form offers: tzdata's zone.tab (one canonical name per place, as pytz's
    common_timezones), and UTC; never "Factory", "localtime" or an old alias ("Asia/Calcutta")."""
    available = zoneinfo.available_timezones()
    listed: set[str] = set()
    for table in _zone_tables():
        try:
            lines = table.read_text(encoding="utf-8").splitlines()
        except OSError:
            continue
        listed = {
            line.split("\t")[2]
            for line in lines
            if line and not line.startswith("#") and line.count("\t") >= 2
        }
        if listed:
            break
    if not listed:  # no zone.tab anywhere: Area/City names at least
        listed = {name for name in available if name.split("/")[0] in ZONE_AREAS and "/" in name}
    areas = sorted(name for name in listed & available if name.split("/")[0] in ZONE_AREAS)
    return (*areas, "UTC")


def _zone_tables():
    """Where zone.tab may be: the tzdata package's copy, then the system's zone folders."""
    if importlib.util.find_spec("tzdata") is not None:
        yield importlib.resources.files("tzdata").joinpath("zoneinfo", "zone.tab")
    for folder in zoneinfo.TZPATH:
        yield pathlib.Path(folder, "zone.tab")


def is_real_time_zone(name: str) -> bool:
    """A zone a person may be in: any tz database name (an alias too, as a browser may name it:
    Chrome says "Asia/Calcutta"), not the placeholders "Factory" and "localtime"."""
    return name in zoneinfo.available_timezones() and name not in ("Factory", "localtime")


def common_time_zone_choices(keep: str | None = None) -> list[tuple[str, str]]:
    """The common zones as a form's choices, with `keep` (a saved zone that is not among them)
    added, so that saving the form never changes it unseen."""
    names = list(common_time_zones())
    if keep and keep not in names and is_real_time_zone(keep):
        names = [*sorted([*names[:-1], keep]), "UTC"]
    return [(name, name.replace("_", " ")) for name in names]


def language_choices() -> list[tuple[str, str]]:
    """The languages the site speaks (settings.LANGUAGES), each named in itself."""
    return list(settings.LANGUAGES)


class UserManager(BaseUserManager.from_queryset(ScopedQuerySet)):
    """Django's user manager (create_user, natural keys), with bulk writes that bump the pages
    the people show on."""


class User(AbstractUser):
    """A person using the app; what others see is the display name, shown in their time zone."""

    # Their name shows on the pages of their groups and networks too.
    cache_scopes = (
        "group:group_memberships__group",
        "group:join_requests__group",  # on a group's waitlist before they are in it
        "network:network_memberships__network",
    )
    cache_scopes_ignore = {"last_login"}  # saved on every sign-in; shown on no shared part

    display_name = models.CharField(_("display name"), max_length=80, blank=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, choices=time_zone_choices, default="UTC"
    )
    # Empty: the browser's language decides, as it does for someone signed out.
    language = models.CharField(_("language"), max_length=10, choices=language_choices, blank=True)

    objects = UserManager()

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    def __str__(self) -> str:
        return self.public_name

    @property
    def public_name(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    @property
    def initials(self) -> str:
        """Up to two letters for an avatar: "Mina Member" is "MM"."""
        return "".join(word[0] for word in self.public_name.split()[:2]).upper() or "?"

    @property
    def chosen_language(self) -> str:
        """The language they chose, if the site speaks it; "" to follow their browser."""
        return self.language if self.language in dict(settings.LANGUAGES) else ""

    @property
    def writing_language(self) -> str:
        """The language to write to them in (mail, notifications): their choice, else the
        site's default, since no browser is there to ask."""
        return self.chosen_language or settings.LANGUAGE_CODE

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class Notification(models.Model):
    """One message to one person on one channel: the outbox row delivery works from."""

    cache_scopes = ()  # a person's own: on no part shared with others

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        IN_APP = "in_app", _("In the app")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
        null=True,
        blank=True,
    )
    # For mail to someone without an account yet (an invitation); otherwise the recipient's.
    to_email = models.EmailField(_("to email"), blank=True)
    # The language its words were written in, for mail to an address: the mail around them
    # (greeting, footer) is written in it too. A recipient's own choice decides otherwise.
    language = models.CharField(_("language"), max_length=10, blank=True)
    kind = models.CharField(_("kind"), max_length=50)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    subject_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    dedupe_key = models.CharField(_("dedupe key"), max_length=255, unique=True)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)

    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    # A worker that claims a row holds it until then; a claim left by a dead worker expires.
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="pending", channel="email"),
                name="notification_due_idx",
            ),
            models.Index(
                fields=["recipient", "channel", "-created_at"], name="notification_inbox_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.kind} → {self.address}"

    @property
    def address(self) -> str:
        if self.recipient_id:
            return self.recipient.email
        return self.to_email

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


class EmailOptOut(models.Model):
    """A kind of email a person has turned off (no row: they get it)."""

    cache_scopes = ()

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_opt_outs"
    )
    kind = models.CharField(_("kind"), max_length=50)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("email opt-out")
        verbose_name_plural = _("email opt-outs")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="unique_email_opt_out")
        ]

    def __str__(self) -> str:
        return f"{self.user} ✕ {self.kind}"
