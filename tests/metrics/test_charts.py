"""The weekly charts: a readable scale, the target or the pace that reaches it, the weeks since
the last session and the week still running, and the same numbers in the table view."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from groups.meetings.models import Meeting, Session
from groups.meetings.selectors import group_zone, last_session_day
from metrics import charts
from metrics.models import MetricDefinition
from metrics.selectors import MetricSeries
from tests.metrics.support import log

WEDNESDAY = date(2026, 12, 2)
MONDAYS = [date(2026, 9, 14) + timedelta(weeks=n) for n in range(12)]  # the last: 30 Nov


def series(values, *, aggregation="sum", target=None, target_date=None, current=None, lower=False):
    metric = MetricDefinition(
        name="Trees planted",
        unit="trees",
        aggregation=aggregation,
        target=target,
        target_date=target_date,
        direction="lower" if lower else "higher",
    )
    values = [Decimal(v) for v in values]
    total = sum(values, Decimal(0))
    return MetricSeries(
        metric, weeks=list(zip(MONDAYS, values, strict=True)), current=current or total
    )


@pytest.mark.parametrize(
    ("highest", "top"),
    [
        ("0", "1"),
        ("0.3", "0.5"),
        ("1", "1"),
        ("7", "10"),
        ("67", "100"),
        ("22", "25"),
        ("120", "200"),
        ("4999", "5000"),
    ],
)
def test_the_scale_tops_at_a_round_number_above_the_highest_week(highest, top):
    assert charts.nice_top(Decimal(highest)) == Decimal(top)


def test_bars_are_drawn_against_a_round_scale_with_its_half_marked():
    chart = charts.weekly_bars(series(["0"] * 10 + ["22", "11"]), today=WEDNESDAY)

    assert [str(value) for _at, value in chart.ticks] == ["0", "12.5", "25"]
    assert [c.height for c in chart.columns[-2:]] == [88.0, 44.0]
    assert chart.line is None  # no target


def test_a_phone_labels_every_third_week_counting_from_this_week():
    chart = charts.weekly_bars(series(["1"] * 12), today=WEDNESDAY)

    assert [c.label for c in chart.columns if c.labelled] == ["28 Sep", "19 Oct", "9 Nov", "30 Nov"]
    assert chart.columns[-1].running and not chart.columns[-2].running


def test_a_level_or_an_average_is_held_against_its_target():
    chart = charts.weekly_bars(
        series(["3"] * 12, aggregation="latest", target=Decimal(40)), today=WEDNESDAY
    )

    assert chart.line == charts.Line(Decimal(40), 80.0, pace=False)  # 40 on a scale of 50


def test_a_total_with_a_date_shows_the_weekly_pace_that_reaches_its_target():
    # 100 of 400 done; 10 weeks to the date: 30 a week.
    values = ["0"] * 11 + ["100"]
    chart = charts.weekly_bars(
        series(values, target=Decimal(400), target_date=WEDNESDAY + timedelta(weeks=10)),
        today=WEDNESDAY,
    )

    assert chart.line.pace and chart.line.value == Decimal(30)
    assert chart.line.at == 30.0  # 30 on a scale of 100


@pytest.mark.parametrize(
    "change",
    [
        {"target_date": None},  # no date: no pace, only the progress bar
        {"target_date": WEDNESDAY},  # the date has come
        {"current": Decimal(400)},  # reached
        {"lower": True},  # fewer is better: no pace to keep
    ],
)
def test_a_total_has_no_pace_line_when_there_is_no_pace_to_keep(change):
    options = {"target": Decimal(400), "target_date": WEDNESDAY + timedelta(weeks=10)}
    chart = charts.weekly_bars(series(["10"] * 12, **(options | change)), today=WEDNESDAY)

    assert chart.line is None


def test_the_weeks_since_the_last_session_are_marked():
    session_day = date(2026, 11, 25)  # a Wednesday, in the week of 23 November
    chart = charts.weekly_bars(series(["1"] * 12), today=WEDNESDAY, session_day=session_day)

    assert [c.week for c in chart.columns if c.since_session] == MONDAYS[-2:]
    assert chart.since_session and chart.session_day == session_day


def test_no_session_yet_marks_nothing():
    chart = charts.weekly_bars(series(["1"] * 12), today=WEDNESDAY)

    assert not chart.since_session and not any(c.since_session for c in chart.columns)


# On the page --------------------------------------------------------------------------------


def test_the_impact_page_marks_the_last_session_and_the_pace(
    signed_in, group, member, moderator, trees
):
    trees.target_date = timezone.localdate() + timedelta(weeks=20)
    trees.save()
    log(member, group, impacts=[(trees, "20")])
    held = Meeting.objects.create(group=group, starts_at=timezone.now() - timedelta(days=8))
    Session.objects.create(meeting=held, group=group, closed_at=held.starts_at)
    day = last_session_day(group)

    html = signed_in(member).get(reverse("metrics:group_impact", args=[group.pk])).content.decode()

    assert day == timezone.localtime(held.starts_at, group_zone(group)).date()
    assert f"Since the last session ({day.day} {day:%B %Y})" in html
    assert "4 trees a week reaches the target in time" in html  # 80 left over 20 weeks
    assert html.count('class="since ') >= 2  # the session's week and this one
    assert "(so far)" in html  # the table names the week still running


def test_last_session_day_ignores_a_session_still_open(group):
    held = Meeting.objects.create(group=group, starts_at=timezone.now() - timedelta(days=1))
    Session.objects.create(meeting=held, group=group)

    assert last_session_day(group) is None


def test_the_pace_is_rounded_up_so_that_keeping_it_reaches_the_target():
    # 10 to go in 3 weeks: 3.4 a week (3.3 would end at 9.9).
    chart = charts.weekly_bars(
        series(["0"] * 12, target=Decimal(10), target_date=WEDNESDAY + timedelta(days=21)),
        today=WEDNESDAY,
    )

    assert chart.line.value == Decimal("3.4")


def test_a_target_reads_as_typed_not_as_stored():
    chart = charts.weekly_bars(
        series(["3"] * 12, aggregation="latest", target=Decimal("40.00")), today=WEDNESDAY
    )

    assert f"{chart.line.value:f}" == "40"  # shown as "Target: 40 roofs", not "40.00"


def test_values_below_zero_hang_from_the_zero_line_on_a_scale_that_holds_them():
    chart = charts.weekly_bars(series(["-3"] + ["0"] * 9 + ["22", "11"]), today=WEDNESDAY)

    assert [(at, str(value)) for at, value in chart.ticks] == [
        (0.0, "-5"),
        (16.7, "0"),
        (100.0, "25"),
    ]
    assert chart.zero == 16.7
    first, last = chart.columns[0], chart.columns[-1]
    assert (first.bottom, first.height) == (6.7, 10.0)  # -3 of a span of 30, under the zero
    assert (last.bottom, last.height) == (16.7, 36.7)


def test_a_session_on_a_sunday_leaves_its_week_unmarked():
    sunday = date(2026, 11, 29)

    chart = charts.weekly_bars(series(["1"] * 12), today=WEDNESDAY, session_day=sunday)

    assert [c.week for c in chart.columns if c.since_session] == MONDAYS[-1:]
