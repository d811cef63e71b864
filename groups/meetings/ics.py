"""iCalendar files: one meeting, or a person's whole feed."""

from collections.abc import Iterable

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from groups.meetings.models import Meeting


def _event(meeting: Meeting) -> Event:
    event = Event()
    event.add("uid", f"meeting-{meeting.pk}@impact-groups")
    summary = (
        _("%(group)s: weekly reflection") if meeting.is_reflection else _("%(group)s: meeting")
    )
    event.add("summary", summary % {"group": meeting.group.name})
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.ends_at)
    # DTSTAMP is when this file was made: calendar apps compare it to take the newer copy of
    # a moved meeting (the creation time would make every update look like the first file).
    event.add("dtstamp", timezone.now())
    if meeting.location:
        event.add("location", meeting.location)
    event.add("url", settings.SITE_URL + meeting.get_absolute_url())
    event.add("status", "CANCELLED" if meeting.status == Meeting.Status.CANCELLED else "CONFIRMED")
    return event


def calendar_bytes(meetings: Iterable[Meeting], *, name: str | None = None) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Impact Groups//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name or settings.SITE_NAME)
    for meeting in meetings:
        calendar.add_component(_event(meeting))
    return calendar.to_ical()


def reminder_attachments(notification) -> list[tuple[str, bytes, str]]:
    """The .ics file attached to a meeting reminder (used by the outbox's email delivery)."""
    meeting = Meeting.objects.select_related("group").filter(pk=notification.subject_id).first()
    if meeting is None:
        return []
    return [("meeting.ics", calendar_bytes([meeting]), "text/calendar")]
