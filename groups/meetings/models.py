"""Meetings, the weekly reflection session and what comes out of it (app label: groups)."""

import secrets
import zoneinfo
from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from groups.models import Group
from impact.shared import ScopedQuerySet

WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


# A meeting lasts 15 minutes to 8 hours, whether from the cadence or added on its own.
MEETING_MINUTES_MIN, MEETING_MINUTES_MAX = 15, 480
MEETING_MINUTES = [MinValueValidator(MEETING_MINUTES_MIN), MaxValueValidator(MEETING_MINUTES_MAX)]


class Cadence(models.Model):
    """When a group meets: weekdays and a local start time in the group's time zone."""

    cache_scopes = ("group:group",)

    group = models.OneToOneField(Group, on_delete=models.CASCADE, related_name="cadence")
    weekdays = models.CharField(
        _("weekdays"), max_length=20, help_text=_("0 is Monday, comma separated.")
    )
    start_time = models.TimeField(_("local start time"))
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"),
        default=60,
        validators=MEETING_MINUTES,
    )
    location = models.CharField(_("place or video link"), max_length=300, blank=True)
    reminder_offsets = models.CharField(
        _("reminders (minutes before)"),
        max_length=50,
        default="1440,60",
        help_text=_("Comma separated; 1440 is a day, 60 an hour."),
    )
    prompt_hours_before = models.PositiveSmallIntegerField(
        _("reflection prompt (hours before)"), default=48, validators=[MaxValueValidator(168)]
    )
    active = models.BooleanField(_("active"), default=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting cadence")
        verbose_name_plural = _("meeting cadences")

    def __str__(self) -> str:
        return f"{self.group}: {self.weekdays} {self.start_time:%H:%M} {self.time_zone}"

    @property
    def weekday_list(self) -> list[int]:
        return sorted({int(day) for day in self.weekdays.split(",") if day.strip().isdigit()})

    @property
    def offsets(self) -> list[int]:
        return sorted(
            {
                int(o)
                for o in self.reminder_offsets.split(",")
                if o.strip().isdigit() and int(o) > 0
            },
            reverse=True,
        )

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class Meeting(models.Model):
    cache_scopes = ("group:group",)

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CANCELLED = "cancelled", _("Cancelled")

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="meetings")
    starts_at = models.DateTimeField(_("starts"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), default=60, validators=MEETING_MINUTES
    )
    location = models.CharField(_("place or video link"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED
    )
    is_reflection = models.BooleanField(_("weekly reflection"), default=True)
    from_cadence = models.BooleanField(default=False)
    # The slot the cadence generated this meeting for: moving the meeting keeps the slot, so
    # the cadence never re-creates a meeting a moderator moved.
    cadence_slot = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # iCalendar's SEQUENCE: raised each time the meeting moves or is cancelled, so calendar
    # apps take the newer copy of the event.
    sequence = models.PositiveIntegerField(default=0)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "cadence_slot"],
                name="one_meeting_per_cadence_slot",
                violation_error_message=_("The group already has a meeting at that time."),
            )
        ]
        indexes = [models.Index(fields=["status", "starts_at"], name="meeting_due_idx")]

    def __str__(self) -> str:
        return f"{self.group} {self.starts_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("groups:meeting_detail", args=[self.pk])

    @property
    def ends_at(self):
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def has_started(self) -> bool:
        return timezone.now() >= self.starts_at


class MeetingResponse(models.Model):
    cache_scopes = ("group:meeting__group",)

    class Rsvp(models.TextChoices):
        YES = "yes", _("Coming")
        MAYBE = "maybe", _("Maybe")
        NO = "no", _("Can't come")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="responses")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meeting_responses"
    )
    rsvp = models.CharField(_("coming?"), max_length=5, choices=Rsvp.choices, blank=True)
    attended = models.BooleanField(_("attended"), null=True, blank=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting response")
        verbose_name_plural = _("meeting responses")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "user"],
                name="one_response_per_meeting",
                violation_error_message=_("You have already answered for this meeting."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.meeting}: {self.rsvp}"


PULSE = [MinValueValidator(1), MaxValueValidator(5)]


class Reflection(models.Model):
    """A member's answer to the weekly reflection prompt, with an optional pulse."""

    cache_scopes = ("group:meeting__group",)

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="reflections")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reflections"
    )
    impact_achieved = models.TextField(_("impact I achieved"), blank=True)
    learned = models.TextField(_("what I learned"), blank=True)
    new_questions = models.TextField(_("new questions"), blank=True)
    need_help = models.TextField(_("where I need help"), blank=True)
    excited = models.PositiveSmallIntegerField(
        _("how excited I am"), null=True, blank=True, validators=PULSE
    )
    stuck = models.PositiveSmallIntegerField(
        _("how stuck I am"), null=True, blank=True, validators=PULSE
    )
    trust_humility = models.PositiveSmallIntegerField(
        _("humility"), null=True, blank=True, validators=PULSE
    )
    trust_values = models.PositiveSmallIntegerField(
        _("values and integrity"), null=True, blank=True, validators=PULSE
    )
    trust_commitment = models.PositiveSmallIntegerField(
        _("commitment to impact"), null=True, blank=True, validators=PULSE
    )
    trust_excitement = models.PositiveSmallIntegerField(
        _("excitement about impact"), null=True, blank=True, validators=PULSE
    )
    share_pulse = models.BooleanField(
        _("show my pulse to the group by name"),
        default=False,
        help_text=_("Otherwise the group only sees averages."),
    )
    updated_at = models.DateTimeField(auto_now=True)
    objects = ScopedQuerySet.as_manager()

    PULSE_FIELDS = [
        "excited",
        "stuck",
        "trust_humility",
        "trust_values",
        "trust_commitment",
        "trust_excitement",
    ]

    class Meta:
        verbose_name = _("reflection")
        verbose_name_plural = _("reflections")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "user"],
                name="one_reflection_per_meeting",
                violation_error_message=_(
                    "You have already written a reflection for this meeting."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} for {self.meeting}"


class Session(models.Model):
    """The reflection session held at a meeting: what the group learned and decided."""

    cache_scopes = ("group:group",)

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="session")
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="sessions")
    started_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    achieved = models.TextField(_("what we achieved"), blank=True)
    learnings = models.TextField(_("what we learned"), blank=True)
    summary = models.TextField(_("summary"), blank=True)
    # Counts saves of the notes: an edit made on an older version is not saved over a newer one.
    notes_version = models.PositiveIntegerField(default=0)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("reflection session")
        verbose_name_plural = _("reflection sessions")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"Session {self.meeting}"


class NextAction(models.Model):
    """A next action agreed in a session, tracked on its owner's dashboard until done."""

    cache_scopes = ("group:group",)

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="next_actions")
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="next_actions")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="next_actions"
    )
    description = models.CharField(_("next action"), max_length=200)
    due_on = models.DateField(_("due"), null=True, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("next action")
        verbose_name_plural = _("next actions")
        ordering = ["done_at", "due_on", "id"]
        indexes = [models.Index(fields=["owner", "done_at"], name="next_action_owner_idx")]

    def __str__(self) -> str:
        return self.description


def new_feed_token() -> str:
    return secrets.token_urlsafe(24)


class CalendarFeed(models.Model):
    """A private, revocable calendar feed with all of a person's groups' meetings."""

    cache_scopes = ()

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(default=timezone.now)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"Calendar of {self.user}"


class Room(models.Model):
    """The live room of a reflection session: the step the group is on, its timer (held here,
    so every screen and every late joiner counts down the same) and who facilitates."""

    cache_scopes = ()

    class Step(models.TextChoices):
        # The agenda's sections, in order; each value is its section's id on the room's page.
        IMPACT = "impact", _("Impact")
        REFLECTIONS = "reflections", _("Reflections")
        HELP = "help", _("Stuck and help")
        QUESTIONS = "questions", _("Questions")
        REVIEW = "review", _("Last actions")
        PULSE = "pulse", _("Pulse")
        NEXT = "next", _("Next actions")

    session = models.OneToOneField(Session, on_delete=models.CASCADE, related_name="room")
    step = models.CharField(max_length=20, choices=Step.choices, default=Step.IMPACT)
    # A running timer has an end; a paused one keeps the seconds it had left; neither: no timer.
    timer_ends_at = models.DateTimeField(null=True, blank=True)
    timer_left = models.PositiveIntegerField(null=True, blank=True)
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # A member the facilitator named, who may take over while no moderator is in the room.
    stand_in = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Counts every change, so a client that reconnects knows whether it missed one.
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting room")
        verbose_name_plural = _("meeting rooms")

    def __str__(self) -> str:
        return f"Room of {self.session}"


class RoomPresence(models.Model):
    """Who is in a room (one row per person, counting their open screens) and whether they
    are ready to move on from the step the group is on. `seen_at` is renewed while a screen is
    open (its heartbeat): screens a crashed process never closed stop counting after a while."""

    cache_scopes = ()

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="presences")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    screens = models.PositiveSmallIntegerField(default=0)
    ready_on = models.CharField(max_length=20, blank=True)
    joined_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(default=timezone.now)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("room presence")
        verbose_name_plural = _("room presences")
        constraints = [
            models.UniqueConstraint(
                fields=["room", "user"],
                name="one_presence_per_room",
                violation_error_message=_("This person is already in the room."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.room}"
