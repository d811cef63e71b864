"""Pages for meetings, reflections and sessions.

- meetings.py: a group's meetings and cadence, a meeting, reflections, calendar feeds
- meeting_mode.py: the moderator's screen for running the session, its drafts, the session record
- room.py: the live room's page (shared by meeting mode) and its moves as plain form posts
"""

from groups.meetings.views.meeting_mode import (
    MEETING_MODE_FRAGMENTS,
    meeting_mode,
    next_action_done,
    session_detail,
    session_draft,
)
from groups.meetings.views.meetings import (
    calendar_feed,
    calendar_feed_reset,
    meeting_add,
    meeting_change,
    meeting_detail,
    meeting_ics,
    meetings_page,
    reflection_edit,
)
from groups.meetings.views.room import meeting_room, room_act

__all__ = [
    "MEETING_MODE_FRAGMENTS",
    "calendar_feed",
    "calendar_feed_reset",
    "meeting_add",
    "meeting_change",
    "meeting_detail",
    "meeting_ics",
    "meeting_mode",
    "meeting_room",
    "meetings_page",
    "next_action_done",
    "reflection_edit",
    "room_act",
    "session_detail",
    "session_draft",
]
