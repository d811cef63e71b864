"""The reflection period is "since the last session", the same in the prompt, meeting mode and
the summary: a Berlin group with a member west (New York) and east (Tokyo), across the spring
daylight-saving change, with a summed metric and a level that carries over."""

import re
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from groups.meetings import selectors, services
from groups.meetings.models import Meeting
from groups.meetings.services.reminders import _NumberLines
from metrics.models import Action, Measurement, MetricDefinition
from metrics.periods import PeriodNumbers
from tests.meetings.conftest import emails, join

pytestmark = pytest.mark.django_db

# Europe moves its clocks on Sunday 30 March 2025: the Berlin group meets on Tuesdays at
# 19:00, which is 18:00 UTC until then and 17:00 UTC after.
LAST_SESSION_AT = datetime(2025, 3, 25, 18, 0, tzinfo=UTC)  # 19:00 CET
MEETING_AT = datetime(2025, 4, 1, 17, 0, tzinfo=UTC)  # 19:00 CEST
PROMPT_AT = MEETING_AT - timedelta(hours=48)  # Monday 31 March 02:00 in Tokyo


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def spring(request, clock):
    """The group (made on 3 March 2025), its Tuesday cadence and the cast."""
    clock(utc(2025, 3, 3, 9))
    group = request.getfixturevalue("group")
    moderator = request.getfixturevalue("moderator")
    moderator.time_zone = "America/Los_Angeles"
    moderator.save(update_fields=["time_zone"])
    clock(utc(2025, 3, 17, 9))
    services.cadence_set(
        actor=moderator,
        group=group,
        weekdays=[1],
        start_time=time(19, 0),
        time_zone="Europe/Berlin",
    )
    tokyo = join(group, time_zone="Asia/Tokyo", display_name="Tomo Tokyo")
    new_york = join(group, time_zone="America/New_York", display_name="Nia York")
    waste = MetricDefinition.objects.create(group=group, name="Waste collected", unit="kg")
    roofs = MetricDefinition.objects.create(
        group=group,
        name="Roofs with solar",
        unit="roofs",
        aggregation=MetricDefinition.Aggregation.LATEST,
    )
    return {
        "group": group,
        "moderator": moderator,
        "tokyo": tokyo,
        "new_york": new_york,
        "waste": waste,
        "roofs": roofs,
        "clock": clock,
        "meeting": Meeting.objects.get(group=group, starts_at=MEETING_AT),
        "last": Meeting.objects.get(group=group, starts_at=LAST_SESSION_AT),
    }


def log(cast, user, day: date, minutes: int, logged_at: datetime, waste=None) -> Action:
    """An action (and its waste) dated `day` by its author, logged at the instant `logged_at`."""
    action = Action.objects.create(
        group=cast["group"],
        user=user,
        description="Cleared the bank",
        happened_on=day,
        effort_minutes=minutes,
        created_at=logged_at,
    )
    if waste is not None:
        measure(cast, user, cast["waste"], day, waste, logged_at, action=action)
    return action


def measure(cast, user, metric, day: date, value, logged_at: datetime, action=None) -> None:
    Measurement.objects.create(
        metric=metric,
        group=cast["group"],
        user=user,
        action=action,
        value=Decimal(str(value)),
        measured_on=day,
        created_at=logged_at,
    )


def hold_last_session(cast) -> None:
    cast["clock"](LAST_SESSION_AT + timedelta(minutes=45))
    session = services.session_open(actor=cast["moderator"], meeting=cast["last"])
    services.session_close(actor=cast["moderator"], session=session, learnings="Start early.")


@pytest.fixture
def six_weeks(spring):
    """Entries around the last session (25 March) and the meeting (1 April)."""
    cast = spring
    moderator, tokyo, new_york = cast["moderator"], cast["tokyo"], cast["new_york"]
    # Long before either period: never counted.
    log(cast, tokyo, date(2025, 3, 10), 60, utc(2025, 3, 10, 12), waste=100)
    measure(cast, moderator, cast["roofs"], date(2025, 3, 5), 4, utc(2025, 3, 5, 12))
    # The period before: 18 March 19:00 UTC up to the last session.
    log(cast, new_york, date(2025, 3, 20), 60, utc(2025, 3, 20, 23), waste=7)
    # On the session's day, logged before it started.
    log(cast, moderator, date(2025, 3, 25), 30, utc(2025, 3, 25, 10), waste=5)
    hold_last_session(cast)
    # Since the last session: on its day after it, through the clock change, to the prompt.
    log(cast, moderator, date(2025, 3, 25), 30, utc(2025, 3, 25, 20), waste=8)
    log(cast, tokyo, date(2025, 3, 26), 60, utc(2025, 3, 26, 2), waste=10)
    measure(cast, new_york, cast["roofs"], date(2025, 3, 27), 7, utc(2025, 3, 27, 12))
    log(cast, new_york, date(2025, 3, 28), 45, utc(2025, 3, 28, 22), waste=12.5)
    # Tokyo's Monday, which has just begun there when the prompt goes out.
    log(cast, tokyo, date(2025, 3, 31), 20, utc(2025, 3, 30, 16, 30), waste=2)
    return cast


GROUP_LINES = [
    "Actions: 4 (before: 2)",
    "Effort: 155 minutes (before: 90)",
    "Roofs with solar: 7 roofs (before: 4)",
    "Waste collected: 32.5 kg (before: 12)",
]


def group_block(text: str) -> list[str]:
    """The group's numbers as a prompt or a summary writes them: the lines after the heading."""
    lines = text.splitlines()
    heading = "The group:" if "The group:" in lines else "Impact since the last session:"
    start = lines.index(heading) + 1
    end = next((i for i in range(start, len(lines)) if not lines[i]), len(lines))
    return lines[start:end]


def impact_text(page: str) -> str:
    """Meeting mode's "Impact since last time" as a person reads it."""
    section = re.search(r'<section id="impact".*?</section>', page, re.S).group(0)
    return " ".join(re.sub(r"<[^>]+>", " ", section).split())


def test_prompt_meeting_mode_and_summary_report_the_same_period_since_the_last_session(
    six_weeks, client, django_assert_max_num_queries
):
    cast = six_weeks
    cast["clock"](PROMPT_AT)
    assert services.prompts_send() == 3

    tokyo = emails("meeting.prompt", recipient=cast["tokyo"]).get().body
    new_york = emails("meeting.prompt", recipient=cast["new_york"]).get().body
    # Each reads the start of the period in their own zone: 18:00 UTC on 25 March.
    assert tokyo.startswith("Since the last session, Wednesday 26 March, 03:00 (Asia/Tokyo)")
    assert new_york.startswith("Since the last session, Tuesday 25 March, 14:00 (America/New_York)")
    assert "Meeting: Wednesday 2 April, 02:00 (Asia/Tokyo)" in tokyo
    assert "Meeting: Tuesday 1 April, 13:00 (America/New_York)" in new_york
    # Tokyo's own week is the one they lived, not the hour-old Monday.
    assert "You:\nActions: 2 (before: 0)\nEffort: 80 minutes (before: 0)\n" in tokyo
    assert "Waste collected: 12 kg (before: 0)\n\nThe group:" in tokyo
    assert "You:\nActions: 1 (before: 1)\nEffort: 45 minutes (before: 60)\n" in new_york
    assert "Waste collected: 12.5 kg (before: 7)\n\nThe group:" in new_york
    # The group's numbers are the same for everyone, wherever they read them.
    assert group_block(tokyo) == group_block(new_york) == GROUP_LINES

    # During the meeting someone logs what they do right now: that belongs to the next period.
    cast["clock"](MEETING_AT + timedelta(minutes=30))
    log(cast, cast["moderator"], date(2025, 4, 1), 15, timezone.now(), waste=3)
    measure(cast, cast["moderator"], cast["roofs"], date(2025, 4, 1), 9, timezone.now())
    client.force_login(cast["moderator"])
    url = reverse("groups:meeting_mode", args=[cast["meeting"].pk])
    # Saving notes opens the session (opening the page writes nothing).
    client.post(url, {"what": "save", "notes_version": "0"})
    # The meeting pages test allows 24 without metrics: the period adds six (zone, metrics,
    # actions, sums, two levels) and the progress to target reads the charts' five.
    with django_assert_max_num_queries(28):
        page = client.get(url).content.decode()
    text = impact_text(page)
    # The moderator reads the period's start in Los Angeles time (PDT since 9 March).
    assert "Since the last session, Tuesday 25 March, 11:00, compared with" in text
    assert "Actions 4 before 2" in text
    assert "Effort 2.6 hours before 1.5 hours" in text
    assert "Roofs with solar 7 roofs before 4" in text
    assert "Waste collected 32.5 kg before 12" in text

    session = cast["meeting"].session
    session = services.session_close(actor=cast["moderator"], session=session)
    assert session.summary.startswith("Impact since the last session:\n")
    assert group_block(session.summary) == GROUP_LINES
    summary = emails("meeting.summary", subject_id=session.pk, recipient=cast["tokyo"]).get()
    assert group_block(summary.body) == GROUP_LINES
    # No possessive built from the group's name ("Riverbank Restorers's").
    assert summary.title == f"Summary of the reflection in {cast['meeting'].group.name}"


def test_a_level_carries_over_into_a_period_without_a_measurement(six_weeks):
    cast = six_weeks
    cast["clock"](PROMPT_AT)
    # Nobody measured the roofs in the period before; they stood at 4 since 5 March.
    numbers = selectors.reflection_numbers(cast["meeting"])
    roofs = {metric.name: (now, before) for metric, now, before in numbers.rows()}
    assert roofs["Roofs with solar"] == (Decimal("7"), Decimal("4"))
    # The next period has no roofs measurement yet either: still 7, not 0.
    cast["clock"](MEETING_AT + timedelta(minutes=45))
    services.session_close(
        actor=cast["moderator"],
        session=services.session_open(actor=cast["moderator"], meeting=cast["meeting"]),
    )
    following = Meeting.objects.get(group=cast["group"], starts_at=MEETING_AT + timedelta(days=7))
    numbers = selectors.reflection_numbers(following)
    rows = {metric.name: (now, before) for metric, now, before in numbers.rows()}
    assert rows["Roofs with solar"] == (Decimal("7"), Decimal("7"))
    assert rows["Waste collected"] == (Decimal("0"), Decimal("32.50"))


def test_without_an_earlier_session_the_period_is_the_seven_days_before_the_meeting(spring):
    cast = spring
    log(cast, cast["tokyo"], date(2025, 3, 27), 30, utc(2025, 3, 27, 3), waste=1)
    log(cast, cast["tokyo"], date(2025, 3, 21), 40, utc(2025, 3, 21, 3), waste=2)
    cast["clock"](PROMPT_AT)

    numbers = selectors.reflection_numbers(cast["meeting"])

    assert numbers.period.previous_session is None
    assert numbers.period.until - numbers.period.since == timedelta(days=7)
    assert (numbers.group.actions, numbers.group_before.actions) == (1, 1)
    assert services.prompts_send() == 3
    body = emails("meeting.prompt", recipient=cast["new_york"]).get().body
    assert body.startswith(
        "In the 7 days before the meeting, from Tuesday 25 March, 13:00 (America/New_York)"
    )
    assert "The group:\nActions: 1 (before: 1)\nEffort: 30 minutes (before: 40)" in body


def test_the_prompt_job_reads_a_fixed_number_of_queries_however_many_members(six_weeks, fill_group):
    cast = six_weeks
    cast["clock"](PROMPT_AT)
    with CaptureQueriesContext(connection) as three:
        assert services.prompts_send() == 3
    emails("meeting.prompt").delete()
    fill_group(cast["group"], 15)
    for membership in cast["group"].memberships.filter(left_at=None):
        log(cast, membership.user, date(2025, 3, 29), 10, utc(2025, 3, 29, 12), waste=1)
    with CaptureQueriesContext(connection) as fifteen:
        assert services.prompts_send() == 15
    # The first run also reads the content type once; the members add nothing.
    assert len(fifteen) <= len(three)


def test_a_second_run_sends_no_prompt_twice(six_weeks):
    cast = six_weeks
    cast["clock"](PROMPT_AT)
    assert services.prompts_send() == 3
    cast["clock"](PROMPT_AT + timedelta(hours=1))
    services.prompts_send()
    assert emails("meeting.prompt").count() == 3


def numbers_text(page: str, css_class: str) -> str:
    block = re.search(rf'<dl class="stats {css_class}">.*?</dl>', page, re.S).group(0)
    return " ".join(re.sub(r"<[^>]+>", " ", block).split())


def test_the_reflection_page_shows_the_prompts_numbers_in_the_readers_zone(
    six_weeks, client, django_assert_max_num_queries
):
    cast = six_weeks
    cast["clock"](PROMPT_AT)
    services.prompts_send()
    prompt = emails("meeting.prompt", recipient=cast["tokyo"]).get()
    client.force_login(cast["tokyo"])

    with django_assert_max_num_queries(16):
        page = client.get(prompt.url).content.decode()

    assert "Since the last session, Wednesday 26 March, 03:00, compared with" in page
    assert numbers_text(page, "my-numbers") == (
        "Actions 2 before 0 Effort 1.3 hours before 0 minutes Waste collected 12 kg before 0"
    )
    assert numbers_text(page, "group-numbers") == (
        "Actions 4 before 2 Effort 2.6 hours before 1.5 hours "
        "Roofs with solar 7 roofs before 4 Waste collected 32.5 kg before 12"
    )


def test_an_average_metric_is_the_average_of_every_value_in_the_period(six_weeks):
    cast = six_weeks
    mood = MetricDefinition.objects.create(
        group=cast["group"],
        name="Mood on the bank",
        unit="of 5",
        aggregation=MetricDefinition.Aggregation.AVERAGE,
    )
    for user, day, value in [
        (cast["tokyo"], date(2025, 3, 26), 4),
        (cast["tokyo"], date(2025, 3, 27), 5),
        (cast["new_york"], date(2025, 3, 28), 2),
        (cast["new_york"], date(2025, 3, 21), 3),  # the period before
    ]:
        measure(cast, user, mood, day, value, utc(day.year, day.month, day.day, 12))
    cast["clock"](PROMPT_AT)

    numbers = selectors.reflection_numbers(cast["meeting"])

    rows = {metric.name: (now, before) for metric, now, before in numbers.rows()}
    assert rows["Mood on the bank"] == (Decimal("3.67"), Decimal("3.00"))
    mine = {m.name: (now, before) for m, now, before in numbers.member_rows(cast["tokyo"].pk)}
    assert mine["Mood on the bank"] == (Decimal("4.50"), Decimal("0"))


def test_the_prompt_job_reads_the_same_numbers_as_meeting_mode_and_the_summary(
    six_weeks, make_group, moderator
):
    cast = six_weeks
    mood = MetricDefinition.objects.create(
        group=cast["group"], name="Mood", aggregation=MetricDefinition.Aggregation.AVERAGE
    )
    measure(cast, cast["tokyo"], mood, date(2025, 3, 26), 4, utc(2025, 3, 26, 12))
    measure(cast, cast["tokyo"], mood, date(2025, 3, 21), 3, utc(2025, 3, 21, 12))
    # A second group, with no session yet, meeting the same day: its own first period.
    other = make_group(3, moderator=moderator)
    services.cadence_set(
        actor=moderator, group=other, weekdays=[1], start_time=time(8, 0), time_zone="UTC"
    )
    elsewhere = Meeting.objects.get(group=other, starts_at=utc(2025, 4, 1, 8))
    for member in other.memberships.filter(left_at=None).select_related("user"):
        Action.objects.create(
            group=other,
            user=member.user,
            description="Door to door",
            happened_on=date(2025, 3, 30),
            effort_minutes=20,
        )
    cast["clock"](PROMPT_AT)
    meetings = [cast["meeting"], elsewhere]

    together = selectors.reflection_numbers_for(meetings)

    assert together == {m.pk: selectors.reflection_numbers(m) for m in meetings}
    assert together[cast["meeting"].pk].period.previous_session is not None
    assert together[elsewhere.pk].group.actions == 3


def test_a_tick_with_nothing_new_writes_nothing_and_reads_a_few_queries_however_many_members(
    six_weeks, fill_group, django_assert_max_num_queries
):
    from impact.models import Notification

    cast = six_weeks
    cast["clock"](PROMPT_AT)
    assert services.prompts_send() == 3
    rows = Notification.objects.count()
    cast["clock"](PROMPT_AT + timedelta(minutes=15))
    # Meetings due, their members (with their opt-outs), the prompt keys already taken.
    with django_assert_max_num_queries(3):
        assert services.prompts_send() == 0
    assert Notification.objects.count() == rows

    newcomers = fill_group(cast["group"], 15)
    assert services.prompts_send() == len(newcomers)  # only theirs
    assert emails("meeting.prompt").count() == 15
    rows = Notification.objects.count()
    cast["clock"](PROMPT_AT + timedelta(minutes=30))
    with django_assert_max_num_queries(3):
        assert services.prompts_send() == 0
    assert Notification.objects.count() == rows


def test_a_member_who_turned_prompts_off_is_not_recounted_every_tick(
    six_weeks, django_assert_max_num_queries
):
    from impact.services import email_preferences_set

    cast = six_weeks
    email_preferences_set(user=cast["tokyo"], enabled_kinds=[])
    cast["clock"](PROMPT_AT)
    assert services.prompts_send() == 2
    with django_assert_max_num_queries(3):
        assert services.prompts_send() == 0
    # Turning them on again while the prompt is still useful brings the email.
    email_preferences_set(user=cast["tokyo"], enabled_kinds=["meeting.prompt"])
    assert services.prompts_send() == 1
    assert emails("meeting.prompt", recipient=cast["tokyo"]).count() == 1


def test_a_tick_with_nothing_new_reads_as_few_queries_for_many_meetings_as_for_one(
    six_weeks, make_group, moderator, django_assert_max_num_queries
):
    from impact.models import Notification

    cast = six_weeks
    # Three more groups meeting the same day, with no session yet, one without email.
    for _ in range(3):
        other = make_group(4, moderator=moderator)
        services.cadence_set(
            actor=moderator, group=other, weekdays=[1], start_time=time(8, 0), time_zone="UTC"
        )
        Meeting.objects.filter(group=other).update(is_reflection=True)
    quiet = other.memberships.filter(role="member").first().user
    quiet.email = ""
    quiet.save(update_fields=["email"])
    cast["clock"](PROMPT_AT)
    # The first group's 3, each other group's 4 (its moderator among them), one without email.
    assert services.prompts_send() == 3 + 3 * 4 - 1
    rows = Notification.objects.count()

    cast["clock"](PROMPT_AT + timedelta(minutes=15))
    with django_assert_max_num_queries(3):
        assert services.prompts_send() == 0
    assert Notification.objects.count() == rows
    # The member without email has the prompt in the app, and only there.
    assert Notification.objects.filter(recipient=quiet, kind="meeting.prompt").count() == 1


def test_a_single_minute_of_effort_reads_in_the_singular():
    lines = _NumberLines().effort(PeriodNumbers(actions=1, minutes=1), PeriodNumbers(minutes=30))

    assert lines == ["Actions: 1 (before: 0)", "Effort: 1 minute (before: 30)"]
