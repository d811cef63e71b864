"""The columns of each kind of data both zips hold, once per model: each column's name and what
fills it (a field path for values_list, or an expression).

A map lists every column either zip writes, in the order the files have them; each export takes
it whole, or `without(...)` the columns it leaves out, or `pick(...)` its columns in another
order, and chooses its own rows. People appear only as an id and their public name (`person`):
no map here holds an email address, and the network's zip replaces the reflections' pulse
columns by those their member shared (metrics/exports/network.py)."""

from django.db.models import CharField, Expression, Value
from django.db.models.functions import Coalesce, Concat, NullIf, Trim

from groups.meetings.models import Reflection

Columns = dict[str, str | Expression]


def public_name(prefix: str) -> Expression:
    """User.public_name as SQL, for the user at `prefix` (as in "user__"): display name, else
    full name, else username."""
    full = Trim(
        Concat(f"{prefix}first_name", Value(" "), f"{prefix}last_name", output_field=CharField())
    )
    return Coalesce(
        NullIf(f"{prefix}display_name", Value("")),
        NullIf(full, Value("")),
        f"{prefix}username",
        output_field=CharField(),
    )


def fields(*names: str) -> Columns:
    """Columns named as the model's fields they read."""
    return {name: name for name in names}


def person(field: str, column: str) -> Columns:
    """The user at `field`: their id as `<field>_id` and their public name as `column`."""
    return {f"{field}_id": f"{field}_id", column: public_name(f"{field}__")}


def without(columns: Columns, *names: str) -> Columns:
    """`columns` less the named ones, in the map's order."""
    unknown = set(names) - set(columns)
    if unknown:
        raise KeyError(f"no such columns: {sorted(unknown)}")
    return {name: source for name, source in columns.items() if name not in names}


def pick(columns: Columns, *names: str) -> Columns:
    """The named columns of `columns`, in the order given."""
    return {name: columns[name] for name in names}


NETWORK_MEMBERSHIPS: Columns = {
    **fields("id", "network_id"),
    "network": "network__name",
    **person("user", "name"),
    **fields("role", "joined_at"),
}

MEMBERSHIPS: Columns = {
    **fields("id", "group_id"),
    "group": "group__name",
    "network": "group__network__name",
    **person("user", "name"),
    **fields("role", "statement", "joined_at", "left_at"),
}

RSVPS: Columns = {
    **fields("id", "meeting_id"),
    "meeting_starts_at": "meeting__starts_at",
    "group_id": "meeting__group_id",
    "group": "meeting__group__name",
    **person("user", "name"),
    **fields("rsvp", "attended"),
}

REFLECTIONS: Columns = {
    **fields("id", "meeting_id"),
    "meeting_starts_at": "meeting__starts_at",
    "group_id": "meeting__group_id",
    "group": "meeting__group__name",
    **person("user", "name"),
    **fields("impact_achieved", "learned", "new_questions", "need_help"),
    **fields(*Reflection.PULSE_FIELDS),
    **fields("share_pulse", "updated_at"),
}

NEXT_ACTIONS: Columns = {
    **fields("id", "session_id"),
    "meeting_starts_at": "session__meeting__starts_at",
    "group_id": "group_id",
    "group": "group__name",
    **person("owner", "owner"),
    **fields("description", "due_on", "done_at"),
}

ACTIONS: Columns = {
    **fields("id", "happened_on", "group_id"),
    "group": "group__name",
    **person("user", "name"),
    **fields("description", "effort_minutes", "initiative_id"),
    "initiative": "initiative__title",
    **fields("notes", "created_at", "updated_at"),
}

MEASUREMENTS: Columns = {
    **fields("id", "measured_on", "group_id"),
    "group": "group__name",
    **person("user", "name"),
    "metric_id": "metric_id",
    "metric": "metric__name",
    "unit": "metric__unit",
    **fields("value", "action_id", "created_at"),
}

NARRATIVES: Columns = {
    **fields("id", "network_id", "group_id"),
    **fields("title", "horizon_year", "opportunity", "why_now", "call_to_action", "language"),
    **fields("status", "created_at", "updated_at"),
}

INITIATIVES: Columns = {
    **fields("id", "group_id"),
    **fields("title", "description", "impact", "speed", "starts_on", "ends_on"),
    **fields("status", "created_at"),
}

QUESTIONS: Columns = {
    "id": "id",
    "network": "network__name",
    **fields("group_id", "narrative_id"),
    **person("asked_by", "asked_by"),
    **fields("text", "details", "posed_to_network", "status", "follow_up_of_id"),
    **fields("created_at", "answered_at"),
}

ANSWERS: Columns = {
    **fields("id", "question_id"),
    "question": "question__text",
    **person("author", "author"),
    **fields("group_id", "body", "helpful", "created_at"),
}

HELP_REQUESTS: Columns = {
    **fields("id", "group_id"),
    "group": "group__name",
    **person("asked_by", "asked_by"),
    **fields("summary", "details", "raised_to_network", "status", "created_at", "resolved_at"),
}

HELP_RESPONSES: Columns = {
    **fields("id", "help_request_id"),
    "help_request": "help_request__summary",
    **person("author", "author"),
    **fields("body", "created_at"),
}
