"""One date and time style everywhere: day before month, the month as a word, a 24-hour clock."""

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import timezone, translation
from django.utils.formats import number_format

from impact.dates import format_for, format_when
from impact.texts import amount_text, effort_text

MOMENT = datetime(2026, 12, 3, 14, 30, tzinfo=UTC)  # a Thursday


@pytest.fixture(autouse=True)
def in_2026(time_machine):
    """The day-named formats leave out the year of the reader's current year: read in 2026."""
    time_machine.move_to(datetime(2026, 12, 1, 9, 0, tzinfo=UTC), tick=False)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("DATE_FORMAT", "3 December 2026"),
        ("SHORT_DATE_FORMAT", "3 Dec 2026"),
        ("TIME_FORMAT", "14:30"),
        ("DATETIME_FORMAT", "3 December 2026, 14:30"),
        ("SHORT_DATETIME_FORMAT", "3 Dec 2026, 14:30"),
        ("MONTH_DAY_FORMAT", "3 December"),
        ("DAY_DATE_FORMAT", "Thursday 3 December"),
        ("DAY_DATETIME_FORMAT", "Thursday 3 December, 14:30"),
        ("SHORT_MONTH_DAY_FORMAT", "3 Dec"),
    ],
)
def test_every_named_format_reads_day_month_year_with_a_24_hour_clock(name, expected):
    with timezone.override(UTC):
        assert format_when(MOMENT, name) == expected


def test_djangos_own_date_filter_and_plain_output_follow_the_same_style():
    template = Template(
        '{{ day }} · {{ moment|date:"DATETIME_FORMAT" }} · {{ moment|time:"TIME_FORMAT" }}'
    )

    with timezone.override(UTC):
        rendered = template.render(Context({"day": date(2026, 12, 1), "moment": MOMENT}))

    assert rendered == "1 December 2026 · 3 December 2026, 14:30 · 14:30"


def test_the_when_filter_shows_a_moment_in_the_readers_time_zone():
    template = Template('{% load impact_tags %}{{ moment|when:"DAY_DATETIME_FORMAT" }}')

    with timezone.override(ZoneInfo("Asia/Kolkata")):
        assert template.render(Context({"moment": MOMENT})) == "Thursday 3 December, 20:00"


def test_texts_written_in_python_take_the_recipients_time_zone():
    kolkata = ZoneInfo("Asia/Kolkata")

    assert format_when(MOMENT, "DAY_DATETIME_FORMAT", zone=kolkata) == "Thursday 3 December, 20:00"
    assert format_when(None) == ""


@pytest.mark.parametrize(
    ("language", "name", "expected"),
    [
        ("en", "DAY_DATETIME_FORMAT", "Friday 1 January 2027, 18:00"),
        ("en", "DAY_DATE_FORMAT", "Friday 1 January 2027"),
        ("de", "DAY_DATETIME_FORMAT", "Freitag, 1. Januar 2027, 18:00"),
        ("es", "DAY_DATETIME_FORMAT", "viernes 1 de enero de 2027, 18:00"),
    ],
)
def test_a_day_in_another_year_names_its_year(language, name, expected):
    with translation.override(language):
        assert format_when(datetime(2027, 1, 1, 18, 0, tzinfo=UTC), name, zone=UTC) == expected


def test_the_year_is_the_readers_own_on_new_years_eve(time_machine):
    """At 20:00 on 31 December in UTC it is already the new year in Kolkata: a meeting on
    1 January reads without its year there, with it in UTC."""
    time_machine.move_to(datetime(2026, 12, 31, 20, 0, tzinfo=UTC), tick=False)
    meeting = datetime(2027, 1, 1, 12, 0, tzinfo=UTC)

    kolkata = format_when(meeting, "DAY_DATETIME_FORMAT", zone=ZoneInfo("Asia/Kolkata"))

    assert kolkata == "Friday 1 January, 17:30"
    assert format_when(meeting, "DAY_DATETIME_FORMAT", zone=UTC) == "Friday 1 January 2027, 12:00"


def test_a_format_string_in_place_of_a_name_is_refused():
    with pytest.raises(ValueError, match="not a format name"):
        format_for("l j F, H:i")


def test_a_language_without_our_own_formats_falls_back_to_djangos():
    with translation.override("fr"):
        assert format_when(date(2026, 12, 3), "DAY_DATE_FORMAT") == "3 décembre 2026"


@pytest.mark.parametrize(
    ("language", "name", "expected"),
    [
        ("de", "DATE_FORMAT", "3. Dezember 2026"),
        ("de", "DAY_DATETIME_FORMAT", "Donnerstag, 3. Dezember, 14:30"),
        ("de", "SHORT_MONTH_DAY_FORMAT", "3. Dez"),
        ("es", "DATE_FORMAT", "3 de diciembre de 2026"),
        ("es", "DAY_DATETIME_FORMAT", "jueves 3 de diciembre, 14:30"),
        ("es", "SHORT_MONTH_DAY_FORMAT", "3 dic"),
    ],
)
def test_german_and_spanish_read_dates_their_own_way(language, name, expected):
    moment = datetime(2026, 12, 3, 14, 30, tzinfo=ZoneInfo("UTC"))
    with translation.override(language):
        assert format_when(moment, name, zone=ZoneInfo("UTC")) == expected


@pytest.mark.parametrize(("language", "expected"), [("en", "1,250.5"), ("de", "1.250,5")])
def test_numbers_take_the_languages_separators(language, expected):
    with translation.override(language):
        assert number_format(Decimal("1250.5"), force_grouping=True) == expected


@pytest.mark.parametrize(
    ("minutes", "expected"),
    [
        (1, "1 minute"),
        (45, "45 minutes"),
        (60, "1 hour"),
        (90, "1.5 hours"),
        (120, "2 hours"),
        (0, "0 minutes"),
    ],
)
def test_effort_is_said_in_minutes_or_hours_with_the_right_plural(minutes, expected):
    assert effort_text(minutes) == expected


@pytest.mark.parametrize(
    ("value", "language", "expected"),
    [
        (Decimal("2.50"), "en", "2.5"),
        (Decimal("2.50"), "de", "2,5"),
        (Decimal("2.25"), "es", "2,25"),
        (Decimal("12.00"), "de", "12"),
        (Decimal("0.005"), "en", "0.01"),
        (Decimal("-3.10"), "de", "-3,1"),
        (Decimal("100"), "en", "100"),
        (7, "de", "7"),
        (None, "en", ""),
    ],
)
def test_an_amount_reads_as_typed_in_the_language(value, language, expected):
    """The pages, mails and forms show an impact of 2.5 as people typed it: "2,5", not "2,50"."""
    with translation.override(language):
        assert amount_text(value) == expected
