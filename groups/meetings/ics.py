"""iCalendar files: one meeting, or a person's whole feed.

Each event carries what a calendar app needs to keep it right: the group's own time zone (a
VTIMEZONE, so the meeting stays at its wall time across daylight-saving changes), SEQUENCE
(raised when the meeting moves or is cancelled, so apps take the newer copy), STATUS
(cancelled meetings stay in the feed so apps remove them), the agenda as DESCRIPTION and an
alarm at the group's first reminder."""

import zoneinfo
from collections.abc import Iterable
from datetime import UTC, timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Alarm, Calendar, Event

from groups.meetings.models import Cadence, Meeting, NextAction, Room, Session

# What reminders use when a group has no cadence (groups.meetings.services.reminders).
DEFAULT_OFFSETS = [1440, 60]


class _GroupFacts:
    """What the events of many meetings need from their groups, read in three queries."""

    def __init__(self, meetings: list[Meeting]):
        group_ids = {meeting.group_id for meeting in meetings}
        self.cadences = {
            c.group_id: c for c in Cadence.objects.filter(group_id__in=group_ids).order_by()
        }
        # Each group's closed sessions, latest first: "last time" for any of its meetings.
        self.closed: dict[int, list[tuple]] = {}
        for pk, group_id, starts_at in (
            Session.objects.filter(group_id__in=group_ids, closed_at__isnull=False)
            .order_by("-meeting__starts_at")
            .values_list("pk", "group_id", "meeting__starts_at")
        ):
            self.closed.setdefault(group_id, []).append((starts_at, pk))
        wanted = {self.previous_session_id(m) for m in meetings} - {None}
        self.next_actions: dict[int, list[NextAction]] = {}
        for action in (
            NextAction.objects.filter(session_id__in=wanted).select_related("owner").order_by("id")
        ):
            self.next_actions.setdefault(action.session_id, []).append(action)

    def zone(self, meeting: Meeting) -> zoneinfo.ZoneInfo:
        cadence = self.cadences.get(meeting.group_id)
        return cadence.zone if cadence is not None else zoneinfo.ZoneInfo("UTC")

    def first_offset(self, meeting: Meeting) -> int:
        """The earliest reminder the group's members get, in minutes before the start."""
        cadence = self.cadences.get(meeting.group_id)
        offsets = cadence.offsets if cadence is not None else DEFAULT_OFFSETS
        return max(offsets or DEFAULT_OFFSETS)

    def previous_session_id(self, meeting: Meeting) -> int | None:
        """The group's last closed session before the meeting (selectors.previous_session)."""
        for starts_at, pk in self.closed.get(meeting.group_id, []):
            if starts_at < meeting.starts_at:
                return pk
        return None

    def last_actions(self, meeting: Meeting) -> list[NextAction]:
        return self.next_actions.get(self.previous_session_id(meeting), [])


def _description(meeting: Meeting, facts: _GroupFacts) -> str:
    """The agenda as the meeting page and meeting mode show it, with the link to join."""
    lines = []
    if meeting.status == Meeting.Status.CANCELLED:
        lines += [_("This meeting is cancelled."), ""]
    if meeting.is_reflection:
        lines.append(_("Weekly reflection of %(group)s.") % {"group": meeting.group.name})
        steps = [str(label) for _value, label in Room.Step.choices]
        lines.append(_("Agenda: %(steps)s") % {"steps": ", ".join(steps)})
        actions = facts.last_actions(meeting)
        if actions:
            lines += ["", _("Next actions from last time:")]
            for action in actions:
                done = " ✓" if action.done_at else ""
                lines.append(f"- {action.description} ({action.owner.public_name}){done}")
        lines += ["", _("Meeting room: %(url)s") % {"url": _url("groups:meeting_room", meeting)}]
    else:
        lines.append(_("Meeting of %(group)s.") % {"group": meeting.group.name})
    lines.append(
        _("Meeting page: %(url)s") % {"url": settings.SITE_URL + meeting.get_absolute_url()}
    )
    return "\n".join(lines)


def _url(name: str, meeting: Meeting) -> str:
    return settings.SITE_URL + reverse(name, args=[meeting.pk])


def _event(meeting: Meeting, facts: _GroupFacts) -> Event:
    event = Event()
    event.add("uid", f"meeting-{meeting.pk}@impact-groups")
    summary = (
        _("%(group)s: weekly reflection") if meeting.is_reflection else _("%(group)s: meeting")
    )
    event.add("summary", summary % {"group": meeting.group.name})
    # The group's wall time with its zone: a calendar shows it right for every reader.
    zone = facts.zone(meeting)
    event.add("dtstart", meeting.starts_at.astimezone(zone))
    event.add("dtend", meeting.ends_at.astimezone(zone))
    # DTSTAMP is when this file was made: calendar apps compare it to take the newer copy of
    # a moved meeting (the creation time would make every update look like the first file).
    event.add("dtstamp", timezone.now().astimezone(UTC))
    event.add("sequence", meeting.sequence)
    if meeting.location:
        event.add("location", meeting.location)
    event.add("url", settings.SITE_URL + meeting.get_absolute_url())
    event.add("description", _description(meeting, facts))
    cancelled = meeting.status == Meeting.Status.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if not cancelled:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", summary % {"group": meeting.group.name})
        alarm.add("trigger", -timedelta(minutes=facts.first_offset(meeting)))
        event.add_component(alarm)
    return event


def calendar_bytes(meetings: Iterable[Meeting], *, name: str | None = None) -> bytes:
    """The meetings as one calendar, in the active language (a fixed number of queries)."""
    meetings = list(meetings)
    facts = _GroupFacts(meetings)
    calendar = Calendar()
    calendar.add("prodid", "-//Impact Groups//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name or settings.SITE_NAME)
    for meeting in meetings:
        calendar.add_component(_event(meeting, facts))
    # One VTIMEZONE for each zone the events use (RFC 5545 wants it for every TZID).
    calendar.add_missing_timezones()
    return calendar.to_ical()


def reminder_attachments(notification) -> list[tuple[str, bytes, str]]:
    """The .ics file attached to a meeting reminder (used by the outbox's email delivery)."""
    meeting = Meeting.objects.select_related("group").filter(pk=notification.subject_id).first()
    if meeting is None:
        return []
    return [("meeting.ics", calendar_bytes([meeting]), "text/calendar")]
