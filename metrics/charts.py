"""A metric's weeks as a bar chart drawn in HTML and CSS: real text for the axes at every
width (no stretched SVG lettering), no JavaScript, and a table beside it for screen readers.

The chart is laid out here, in percentages of its plot, so the template only places boxes:
a scale rounded to a readable top, the target (or, for a total with a date, the pace a week
that reaches it), the weeks since the group's last session and the week still running.
"""

import math
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal

from impact.dates import format_when
from metrics.models import MetricDefinition
from metrics.selectors import MetricSeries

# On a phone a label fits under every third week; it is counted from the newest week.
LABEL_EVERY = 3


@dataclass(frozen=True)
class Column:
    week: date
    label: str
    value: Decimal
    bottom: float  # where the bar starts, percent of the plot from its bottom (the zero line,
    height: float  # or below it for a value under zero) and how tall it is, percent of the plot
    labelled: bool  # labelled on a phone too (every LABEL_EVERY-th week from the newest)
    since_session: bool  # the week holds days after the group's last session
    running: bool  # this week, not over yet


@dataclass(frozen=True)
class Line:
    """A level across the chart: the target, or the weekly pace that reaches a total's target."""

    value: Decimal
    at: float  # percent of the plot, from the bottom
    pace: bool  # True: the amount a week needed from now on to reach the target by its date


@dataclass(frozen=True)
class Chart:
    columns: list[Column]
    # (percent from the bottom, value): 0, half and the top (the lowest, 0 and the top with values
    # below zero), without trailing zeros ("12.5")
    ticks: list[tuple[float, Decimal]]
    zero: float  # the zero line, percent of the plot from its bottom (above 0 with values below)
    line: Line | None
    session_day: date | None  # the day of the group's last session

    @property
    def since_session(self) -> bool:
        return any(column.since_session for column in self.columns)

    @property
    def running_value(self) -> bool:
        """Whether the week still running has anything yet (drawn hatched: "so far")."""
        return any(column.running and column.value > 0 for column in self.columns)


def nice_top(value: Decimal) -> Decimal:
    """The smallest of 1, 2, 2.5, 5 (times a power of ten) at least `value`: a scale whose
    halves read as plain numbers."""
    if value <= 0:
        return Decimal(1)
    power = Decimal(10) ** math.floor(math.log10(value))
    for step in (1, 2, Decimal("2.5"), 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power  # pragma: no cover - the loop ends at 10


def target_line(series: MetricSeries, *, today: date) -> Line | None:
    """What the weekly bars are held against.

    A level or an average has a target of the same kind as each week's value. A total's target
    is for its whole life; with a date, a week's share of it is what is left divided by the
    weeks left (shown only while some is left and the date is ahead). A total where lower is
    better has no weekly pace.
    """
    metric = series.metric
    target = metric.target
    if target is None or target <= 0:
        return None
    if metric.aggregation != MetricDefinition.Aggregation.SUM:
        return Line(target.normalize(), 0, pace=False)
    if (
        metric.direction != MetricDefinition.Direction.HIGHER
        or metric.target_date is None
        or metric.target_date <= today
        or series.current >= target
    ):
        return None
    weeks_left = math.ceil((metric.target_date - today).days / 7)
    # Rounded up: a week at the pace shown, every week, reaches the target.
    pace = (target - series.current) / weeks_left
    return Line(pace.quantize(Decimal("0.1"), rounding=ROUND_CEILING).normalize(), 0, pace=True)


def weekly_bars(series: MetricSeries, *, today: date, session_day: date | None = None) -> Chart:
    """The chart of `series`' weeks; `session_day`: the day of the group's last session."""
    line = target_line(series, today=today)
    values = [value for _week, value in series.weeks]
    highest = max([*values, line.value if line else Decimal(0), Decimal(0)])
    lowest = min([*values, Decimal(0)])  # below zero only for a metric that allows it
    low = -nice_top(-lowest) if lowest < 0 else Decimal(0)
    high = nice_top(highest) if highest > 0 or low == 0 else Decimal(0)
    scale = _Scale(low, high)
    running = today - timedelta(days=today.weekday())
    count = len(series.weeks)
    columns = [
        Column(
            week=week,
            label=format_when(week, "SHORT_MONTH_DAY_FORMAT"),
            value=value,
            bottom=scale.at(min(value, Decimal(0))),
            height=round(scale.at(abs(value) + low), 1),
            labelled=(count - 1 - index) % LABEL_EVERY == 0,
            # The week holds days after the session (a session on its Sunday: none).
            since_session=session_day is not None and week + timedelta(days=6) > session_day,
            running=week == running,
        )
        for index, (week, value) in enumerate(series.weeks)
    ]
    if line is not None:
        line = Line(line.value, scale.at(line.value), line.pace)
    if low < 0:
        ticks = [(0.0, low.normalize()), (scale.at(Decimal(0)), Decimal(0))]
        ticks += [(100.0, high.normalize())] if high > 0 else []
    else:
        ticks = [(0.0, Decimal(0)), (50.0, (high / 2).normalize()), (100.0, high.normalize())]
    return Chart(
        columns=columns,
        ticks=ticks,
        zero=scale.at(Decimal(0)),
        line=line,
        session_day=session_day,
    )


@dataclass(frozen=True)
class _Scale:
    low: Decimal
    high: Decimal

    def at(self, value: Decimal) -> float:
        """Where `value` lies on the plot, in percent from its bottom."""
        return round(float((value - self.low) / (self.high - self.low)) * 100, 1)
