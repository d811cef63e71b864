"""The beat jobs: meeting reminders, weekly reflection prompts and the moderators' digest.

Idempotent: every message has a dedupe key in the outbox, so beat firing twice, two
workers racing or a worker dying mid-run never sends anything twice, and a rerun picks up
what is still useful."""

import logging
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from groups.meetings.models import (
    Meeting,
    Reflection,
)
from groups.meetings.selectors import ReflectionNumbers, reflection_numbers_for
from groups.models import Group, Membership
from impact.dates import format_when
from impact.models import EmailOptOut, Notification, User
from impact.services import (
    Message,
    notify_each,
    outbox_key,
    outbox_keys_taken,
)
from impact.texts import amount_text, unit_for_amount
from metrics.periods import PeriodNumbers
from metrics.selectors import last_action_days

if TYPE_CHECKING:
    # For the annotation only: groups reaches metrics through its public modules at run time.
    from metrics.models import MetricDefinition

logger = logging.getLogger(__name__)


PROMPT = "meeting.prompt"


def local_time_for(user: User, moment: datetime) -> str:
    """A moment as the person reads it: their own time zone, with the zone named, in the active
    language (the callers write each person's text under their language)."""
    return f"{format_when(moment, 'DAY_DATETIME_FORMAT', zone=user.zone)} ({user.time_zone})"


def _upcoming(now: datetime, horizon: timedelta) -> QuerySet[Meeting]:
    return Meeting.objects.filter(
        status=Meeting.Status.SCHEDULED, starts_at__gt=now, starts_at__lte=now + horizon
    ).select_related("group", "group__cadence")


def _offsets_for(meeting: Meeting) -> list[int]:
    cadence = getattr(meeting.group, "cadence", None)
    return cadence.offsets if cadence is not None else [1440, 60]


def reminders_send(*, now: datetime | None = None) -> int:
    """Send each member one reminder per offset before each meeting, while it is still useful.

    A reminder for offset o is due from o before the start; after downtime it is still sent
    while less than half of o has passed (a day-before reminder until 12 hours before), never
    once the meeting has started. Everything due is written in one bulk pass (a fixed number
    of queries however many groups meet), each member's copy in their own time zone.
    """
    now = now or timezone.now()
    due = []
    for meeting in _upcoming(now, timedelta(days=8)):
        for offset in _offsets_for(meeting):
            starts_reminding = meeting.starts_at - timedelta(minutes=offset)
            if starts_reminding <= now < starts_reminding + timedelta(minutes=offset / 2):
                due.append((meeting, offset))
    if not due:
        return 0
    members: dict[int, list[User]] = {}
    for membership in (
        Membership.objects.active()
        .filter(group_id__in={meeting.group_id for meeting, _offset in due})
        .select_related("user")
    ):
        members.setdefault(membership.group_id, []).append(membership.user)
    texts: dict[tuple[int, str, str], tuple[str, str]] = {}
    messages = []
    for meeting, offset in due:
        key = f"{meeting.pk}:{meeting.starts_at.timestamp():.0f}:{offset}"
        for member in members.get(meeting.group_id, []):
            # Everyone in one time zone and language reads the same words: render them once.
            cache_key = (meeting.pk, member.time_zone, member.writing_language)
            if cache_key not in texts:
                with translation.override(member.writing_language):
                    when = local_time_for(member, meeting.starts_at)
                    lines = [_("When: %(when)s") % {"when": when}]
                    if meeting.location:
                        lines.append(_("Where: %(where)s") % {"where": meeting.location})
                    lines.append(_("The calendar file is attached."))
                    title = _("%(group)s meets %(when)s") % {
                        "group": meeting.group.name,
                        "when": when,
                    }
                texts[cache_key] = (title, "\n".join(lines))
            title, body = texts[cache_key]
            messages.append(
                Message(member, key, title, body, meeting.get_absolute_url(), subject=meeting)
            )
    with transaction.atomic():
        written = notify_each(kind="meeting.reminder", messages=messages, in_app=False)
    logger.info(
        "Meeting reminders: %d reminder(s) due, %d email(s) written", len(due), len(written)
    )
    return len(written)


def reminder_still_due(notification: Notification) -> bool:
    """A queued reminder is sent only while its meeting is on, at the time it announced."""
    meeting = Meeting.objects.filter(pk=notification.subject_id).only("starts_at", "status").first()
    if meeting is None or meeting.status != Meeting.Status.SCHEDULED:
        return False
    if meeting.starts_at <= timezone.now():
        return False
    # The dedupe key carries the start the reminder was written for: meeting:start:offset.
    announced = notification.dedupe_key.split(":")[2:3]
    return announced == [f"{meeting.starts_at.timestamp():.0f}"]


class _NumberLines:
    """Number lines of a prompt or summary: the patterns are translated once and each value
    (and each moment in each time zone) formatted once: a prompt run writes tens of thousands
    of these lines."""

    def __init__(self) -> None:
        self.actions = _("Actions: %(n)d (before: %(m)d)")
        self.minutes: dict[int, str] = {}
        self.impact_pattern = _("%(metric)s: %(amount)s (before: %(before)s)")
        self.formatted: dict = {}

    def when(self, member: User, moment: datetime) -> str:
        """local_time_for(), once per moment and time zone (meetings often share both)."""
        key = (moment, member.time_zone)
        if key not in self.formatted:
            self.formatted[key] = local_time_for(member, moment)
        return self.formatted[key]

    def _minutes_pattern(self, n: int) -> str:
        if n not in self.minutes:
            self.minutes[n] = ngettext(
                "Effort: %(n)d minute (before: %(m)d)", "Effort: %(n)d minutes (before: %(m)d)", n
            )
        return self.minutes[n]

    def number(self, value: Decimal) -> str:
        key = (type(value), value)
        if key not in self.formatted:
            self.formatted[key] = amount_text(value)
        return self.formatted[key]

    def impact(self, metric: "MetricDefinition", value: Decimal, before: Decimal) -> str:
        return self.impact_pattern % {
            "metric": metric.name,
            "amount": f"{self.number(value)} {unit_for_amount(value, metric)}".strip(),
            "before": self.number(before),
        }

    def effort(self, now: PeriodNumbers, before: PeriodNumbers) -> list[str]:
        return [
            self.actions % {"n": now.actions, "m": before.actions},
            self._minutes_pattern(now.minutes) % {"n": now.minutes, "m": before.minutes},
        ]


def reflection_group_lines(
    numbers: ReflectionNumbers, lines: _NumberLines | None = None
) -> list[str]:
    """The group's numbers for a reflection period: the same lines in the prompt and summary."""
    lines = lines or _NumberLines()
    return lines.effort(numbers.group, numbers.group_before) + [
        lines.impact(metric, value, before) for metric, value, before in numbers.rows()
    ]


class _PromptText:
    """One meeting's prompt: what every member reads alike is rendered once, the times once
    per time zone, and only each member's own numbers per member."""

    def __init__(self, numbers: ReflectionNumbers, meeting: Meeting, lines: _NumberLines) -> None:
        self.numbers, self.meeting, self.lines = numbers, meeting, lines
        if numbers.period.previous_session is not None:
            self.heading = _(
                "Since the last session, %(when)s, compared with the same length of time before it:"
            )
        else:
            self.heading = _(
                "In the 7 days before the meeting, from %(when)s, compared with the 7 days before:"
            )
        self.you = _("You:")
        self.the_group = [_("The group:"), *reflection_group_lines(numbers, lines)]
        self.questions = [
            _("What impact did you achieve since the last session?"),
            _("What did you learn?"),
            _("Which new questions emerged?"),
            _("Where are you stuck and need help?"),
        ]
        self.meeting_line = _("Meeting: %(when)s")
        self.times: dict[str, tuple[str, str]] = {}

    def _times(self, member: User) -> tuple[str, str]:
        if member.time_zone not in self.times:
            self.times[member.time_zone] = (
                self.heading % {"when": self.lines.when(member, self.numbers.period.since)},
                self.meeting_line % {"when": self.lines.when(member, self.meeting.starts_at)},
            )
        return self.times[member.time_zone]

    def body(self, member: User) -> str:
        heading, meeting_line = self._times(member)
        now, before = self.numbers.member(member.pk)
        mine = self.lines.effort(now, before) + [
            self.lines.impact(metric, value, earlier)
            for metric, value, earlier in self.numbers.member_rows(member.pk)
        ]
        return "\n".join(
            [
                heading,
                "",
                self.you,
                *mine,
                "",
                *self.the_group,
                "",
                *self.questions,
                "",
                meeting_line,
            ]
        )


def _prompt_meetings_due(now: datetime) -> dict[int, int]:
    """The group of each reflection meeting whose prompt window is open, by meeting id."""
    due = {}
    for pk, group_id, starts_at, hours in (
        _upcoming(now, timedelta(days=8))
        .filter(is_reflection=True)
        .values_list("pk", "group_id", "starts_at", "group__cadence__prompt_hours_before")
    ):
        if now >= starts_at - timedelta(hours=48 if hours is None else hours):
            due[pk] = group_id
    return due


def _prompts_waiting(due: dict[int, int]) -> dict[int, list[int]]:
    """The members of each due meeting whose prompt is not in the outbox yet, by meeting id.

    Read before anything is computed for them, as plain ids (no User objects): a tick with
    nothing new costs the two queries here (members with their opt-outs, the prompt keys
    taken), whatever the number of members.
    """
    members: dict[int, list[tuple[int, bool]]] = {}
    for group_id, user_id, is_active, email, opted_out in (
        Membership.objects.active()
        .filter(group_id__in=set(due.values()))
        .annotate(
            opted_out=Exists(EmailOptOut.objects.filter(user_id=OuterRef("user_id"), kind=PROMPT))
        )
        .values_list("group_id", "user_id", "user__is_active", "user__email", "opted_out")
    ):
        if is_active:
            # Whether their prompt has an email row: an address, and prompts not turned off.
            members.setdefault(group_id, []).append((user_id, bool(email) and not opted_out))
    wanted = {}
    for meeting_id, group_id in due.items():
        for user_id, by_email in members.get(group_id, []):
            keys = [outbox_key(PROMPT, f"{meeting_id}", user_id, "in_app")]
            if by_email:
                keys.append(outbox_key(PROMPT, f"{meeting_id}", user_id, "email"))
            wanted[meeting_id, user_id] = keys
    taken = outbox_keys_taken(key for keys in wanted.values() for key in keys)
    waiting: dict[int, list[int]] = {}
    for (meeting_id, user_id), keys in wanted.items():
        if not taken.issuperset(keys):
            waiting.setdefault(meeting_id, []).append(user_id)
    return waiting


def prompts_send(*, now: datetime | None = None) -> int:
    """Send each member the reflection prompt: the period since the last session in numbers.

    Members who already have theirs are left out before anything is computed; the numbers
    of every meeting still waiting are read together (a fixed number of queries for all
    meetings and members) and each member's copy differs only in their own numbers and
    their time zone. Returns how many prompt emails this run wrote.
    """

    now = now or timezone.now()
    due = _prompt_meetings_due(now)
    if not due:
        return 0
    waiting = _prompts_waiting(due)
    if not waiting:
        return 0
    meetings = list(
        Meeting.objects.filter(pk__in=list(waiting))
        .select_related("group", "group__cadence")
        .order_by("pk")
    )
    users = User.objects.in_bulk({user_id for user_ids in waiting.values() for user_id in user_ids})
    numbers_of = reflection_numbers_for(meetings)
    # Each member reads their prompt in their language: the shared parts once per language.
    lines: dict[str, _NumberLines] = {}
    texts: dict[tuple[int, str], tuple[str, _PromptText]] = {}
    messages = []
    for meeting in meetings:
        url = reverse("groups:reflection_edit", args=[meeting.pk])
        for user_id in waiting[meeting.pk]:
            if user_id not in users:
                continue
            member = users[user_id]
            language = member.writing_language
            with translation.override(language):
                if (meeting.pk, language) not in texts:
                    text = _PromptText(
                        numbers_of[meeting.pk],
                        meeting,
                        lines.setdefault(language, _NumberLines()),
                    )
                    title = _("Reflect on your week before %(group)s meets") % {
                        "group": meeting.group.name
                    }
                    texts[meeting.pk, language] = (title, text)
                title, text = texts[meeting.pk, language]
                messages.append(
                    Message(member, f"{meeting.pk}", title, text.body(member), url, meeting)
                )
    with transaction.atomic():
        written = notify_each(kind=PROMPT, messages=messages)
    logger.info(
        "Reflection prompts: %d meeting(s) due, %d member(s) waiting, %d email(s) written",
        len(numbers_of),
        len(messages),
        len(written),
    )
    return len(written)


def quiet_members(group: Group, *, today: date) -> dict[str, list[User]]:
    """Who the moderators may want to reach out to: quiet, new without an action, stuck."""
    memberships = list(Membership.objects.active().filter(group=group).select_related("user"))
    return quiet_members_for({group.pk: memberships}, today=today)[group.pk]


def quiet_members_for(
    memberships: dict[int, list[Membership]], *, today: date
) -> dict[int, dict[str, list[User]]]:
    """quiet_members() for many groups at once, from their active memberships: two queries."""
    last_action = last_action_days(list(memberships))
    latest_stuck = {}
    for group_id, user_id, stuck in (
        Reflection.objects.filter(meeting__group_id__in=list(memberships), stuck__isnull=False)
        .order_by("meeting__starts_at")
        .values_list("meeting__group_id", "user_id", "stuck")
    ):
        latest_stuck[group_id, user_id] = stuck
    found = {}
    for group_id, seats in memberships.items():
        result = found[group_id] = {"quiet": [], "new_without_action": [], "stuck": []}
        for membership in seats:
            user, last = membership.user, last_action.get((group_id, membership.user_id))
            joined = membership.joined_at.date()
            if last is None and joined <= today - timedelta(days=7):
                result[
                    "new_without_action" if joined > today - timedelta(days=30) else "quiet"
                ].append(user)
            elif last is not None and last < today - timedelta(days=14):
                result["quiet"].append(user)
            if latest_stuck.get((group_id, user.pk), 0) >= 4:
                result["stuck"].append(user)
    return found


def digest_send(*, now: datetime | None = None) -> int:
    """Once a week, tell each group's moderators who went quiet, who is new and idle, who is stuck.

    Every group at once: a fixed number of queries however many groups. Returns how many
    digest emails this run wrote.
    """
    now = now or timezone.now()
    today = now.date()
    iso_year, iso_week, _day = today.isocalendar()
    memberships: dict[int, list[Membership]] = {}
    for membership in (
        Membership.objects.active()
        .filter(group__in=Membership.objects.active().filter(role="moderator").values("group_id"))
        .select_related("user", "group")
    ):
        memberships.setdefault(membership.group_id, []).append(membership)

    def labels() -> dict[str, str]:
        return {
            "quiet": _("No action in 14 days"),
            "new_without_action": _("New, no first action after their first week"),
            "stuck": _("Said they are stuck"),
        }

    messages = []
    for group_id, found in quiet_members_for(memberships, today=today).items():
        if not any(found.values()):
            continue
        group = memberships[group_id][0].group

        def title(group=group) -> str:
            return _("Who in %(group)s could use a nudge") % {"group": group.name}

        def body(found=found) -> str:
            named = labels()
            lines = [
                f"{named[key]}: {', '.join(u.public_name for u in users)}"
                for key, users in found.items()
                if users
            ]
            return "\n".join([*lines, "", _("Challenge the passive, support the frustrated.")])

        url = reverse("groups:group_detail", args=[group.pk])
        # Written in each moderator's language (notify_each calls title and body under it).
        messages += [
            Message(seat.user, f"{group.pk}:{iso_year}-{iso_week}", title, body, url, group)
            for seat in memberships[group_id]
            if seat.role == "moderator"
        ]
    with transaction.atomic():
        written = notify_each(kind="meeting.digest", messages=messages)
    logger.info(
        "Moderator digest: %d group(s), %d moderator copies, %d email(s) written",
        len(memberships),
        len(messages),
        len(written),
    )
    return len(written)
