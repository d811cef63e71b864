"""Writes and jobs for meetings, reflections and sessions.

- schedule.py: the cadence, single meetings, who comes and who came
- sessions.py: members' reflections, the moderator's session and its next actions
- reminders.py: the beat jobs (reminders, reflection prompts, the moderators' digest)

The jobs are idempotent: every message has a dedupe key in the outbox, so beat firing twice,
two workers racing or a worker dying mid-run never sends anything twice, and a rerun picks up
what is still useful.
"""

from groups.meetings.services.reminders import (
    PROMPT,
    digest_send,
    local_time_for,
    prompts_send,
    quiet_members,
    quiet_members_for,
    reflection_group_lines,
    reminder_still_due,
    reminders_send,
)
from groups.meetings.services.schedule import (
    MIN_REMINDER_OFFSET,
    SCHEDULE_WEEKS,
    active_members,
    attendance_record,
    cadence_set,
    cadence_slots,
    calendar_feed_for,
    meeting_add,
    meeting_cancel,
    meeting_move,
    rsvp_set,
    schedule_fill,
)
from groups.meetings.services.sessions import (
    REFLECTION_FIELDS,
    next_action_done,
    reflection_save,
    session_add_next_action,
    session_add_question,
    session_close,
    session_open,
    session_require_closable,
    session_save,
)

__all__ = [
    "MIN_REMINDER_OFFSET",
    "PROMPT",
    "REFLECTION_FIELDS",
    "SCHEDULE_WEEKS",
    "active_members",
    "attendance_record",
    "cadence_set",
    "cadence_slots",
    "calendar_feed_for",
    "digest_send",
    "local_time_for",
    "meeting_add",
    "meeting_cancel",
    "meeting_move",
    "next_action_done",
    "prompts_send",
    "quiet_members",
    "quiet_members_for",
    "reflection_group_lines",
    "reflection_save",
    "reminder_still_due",
    "reminders_send",
    "rsvp_set",
    "schedule_fill",
    "session_add_next_action",
    "session_add_question",
    "session_close",
    "session_open",
    "session_require_closable",
    "session_save",
]
