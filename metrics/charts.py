"""Small server-side SVG charts: readable on a phone, no JavaScript, with a table beside them."""

from dataclasses import dataclass
from decimal import Decimal

from impact.dates import format_when
from metrics.selectors import MetricSeries

WIDTH, HEIGHT, PAD_TOP, PAD_BOTTOM = 320, 120, 12, 18


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: Decimal


@dataclass
class Chart:
    bars: list[Bar]
    target_y: float | None
    width: int = WIDTH
    height: int = HEIGHT
    baseline: float = HEIGHT - PAD_BOTTOM


def weekly_bars(series: MetricSeries) -> Chart:
    values = [value for _week, value in series.weeks]
    target = series.metric.target
    top = max([*values, Decimal(0)])
    # Show the target line only when it fits a weekly scale (a yearly sum target would flatten bars).
    show_target = target is not None and series.metric.aggregation != "sum" and target > 0
    if show_target:
        top = max(top, target)
    top = top or Decimal(1)
    plot = HEIGHT - PAD_TOP - PAD_BOTTOM
    step = WIDTH / max(len(values), 1)
    bars = []
    for index, (week, value) in enumerate(series.weeks):
        height = float(value / top) * plot if value > 0 else 0
        bars.append(
            Bar(
                x=round(index * step + step * 0.15, 1),
                y=round(HEIGHT - PAD_BOTTOM - height, 1),
                width=round(step * 0.7, 1),
                height=round(height, 1),
                label=format_when(week, "SHORT_MONTH_DAY_FORMAT"),
                value=value,
            )
        )
    target_y = round(HEIGHT - PAD_BOTTOM - float(target / top) * plot, 1) if show_target else None
    return Chart(bars=bars, target_y=target_y)
