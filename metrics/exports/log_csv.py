"""The streamed CSV logs: a group's for its moderators, a member's own for that member."""

import csv
from collections.abc import Iterator

from django.db.models import QuerySet

from metrics.models import Action, Measurement

HEADER = [
    "type",
    "id",
    "date",
    "group",
    "member",
    "description",
    "effort_minutes",
    "metric",
    "value",
    "unit",
    "action_id",
    "notes",
]


class _Echo:
    def write(self, value: str) -> str:
        return value


def _safe(text: str) -> str:
    # Spreadsheets run cells that start with these as formulas (CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def export_rows(actions: QuerySet[Action], measurements: QuerySet[Measurement]) -> Iterator[str]:
    """CSV lines, streamed from two queries with `iterator()` so memory stays flat."""
    writer = csv.writer(_Echo())
    yield writer.writerow(HEADER)
    for action in (
        actions.select_related("group", "user")
        .order_by("happened_on", "id")
        .iterator(chunk_size=2000)
    ):
        yield writer.writerow(
            [
                "action",
                action.pk,
                action.happened_on.isoformat(),
                _safe(action.group.name),
                _safe(action.user.public_name),
                _safe(action.description),
                action.effort_minutes,
                "",
                "",
                "",
                "",
                _safe(action.notes),
            ]
        )
    for m in (
        measurements.select_related("group", "user", "metric")
        .order_by("measured_on", "id")
        .iterator(chunk_size=2000)
    ):
        yield writer.writerow(
            [
                "measurement",
                m.pk,
                m.measured_on.isoformat(),
                _safe(m.group.name),
                _safe(m.user.public_name),
                "",
                "",
                _safe(m.metric.name),
                m.value,
                _safe(m.metric.unit),
                m.action_id or "",
                "",
            ]
        )
