"""The streamed CSV logs: a group's for its moderators, a member's own for that member."""

import csv
from collections.abc import Callable, Iterator
from itertools import chain
from typing import Any

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


def _action_cells(action: Action) -> dict:
    return {
        "description": action.description,
        "effort_minutes": action.effort_minutes,
        "notes": action.notes,
    }


def _measurement_cells(m: Measurement) -> dict:
    return {
        "metric": m.metric.name,
        "value": m.value,
        "unit": m.metric.unit,
        "action_id": m.action_id,
    }


def _rows(
    rows: QuerySet, kind: str, day: str, own: Callable[[Any], dict], *related: str
) -> Iterator[list]:
    """A row of cells per record, by day: the cells every kind has, then the kind's `own`; text
    guarded by `_safe`, the other columns empty."""
    rows = rows.select_related("group", "user", *related).order_by(day, "id")
    for record in rows.iterator(chunk_size=2000):
        cells = {
            "type": kind,
            "id": record.pk,
            "date": getattr(record, day).isoformat(),
            "group": record.group.name,
            "member": record.user.public_name,
            **own(record),
        }
        values = (cells.get(name) for name in HEADER)
        yield [_safe(value) if isinstance(value, str) else value for value in values]


def export_rows(actions: QuerySet[Action], measurements: QuerySet[Measurement]) -> Iterator[str]:
    """CSV lines, streamed from two queries with `iterator()` so memory stays flat."""
    writer = csv.writer(_Echo())
    yield writer.writerow(HEADER)
    for row in chain(
        _rows(actions, "action", "happened_on", _action_cells),
        _rows(measurements, "measurement", "measured_on", _measurement_cells, "metric"),
    ):
        yield writer.writerow(row)
