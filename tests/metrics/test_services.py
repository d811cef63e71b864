"""Writes for metrics, actions and measurements: the rules, validation and the history kept."""

import datetime as dt
from datetime import date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection
from django.utils import timezone

from groups import services as group_services
from groups.models import Membership
from metrics import services
from metrics.models import (
    Action,
    EntryRevision,
    GroupRanking,
    Measurement,
    MetricChange,
    MetricDefinition,
)
from metrics.selectors import network_leaderboard
from tests.factories import UserFactory
from tests.metrics.support import TODAY, join, log, today_for

pytestmark = pytest.mark.django_db


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


# Metric definitions -----------------------------------------------------------------------


def test_moderator_defines_a_metric_and_the_change_is_recorded(group, moderator):
    metric = services.metric_define(
        actor=moderator,
        group=group,
        name="  Trees planted ",
        unit="trees",
        target="600",
        target_date=date.today() + timedelta(days=180),
        description="Count saplings in the ground.",
    )

    assert metric.name == "Trees planted"
    assert metric.target == Decimal("600.00")
    assert metric.direction == MetricDefinition.Direction.HIGHER
    assert metric.aggregation == MetricDefinition.Aggregation.SUM
    change = MetricChange.objects.get(metric=metric)
    assert change.changed_by == moderator
    assert change.changes["created"]["name"] == "Trees planted"
    assert change.changes["created"]["target"] == "600.00"


def test_network_organizer_may_define_a_groups_metrics(group, organizer):
    metric = services.metric_define(actor=organizer, group=group, name="Trees", unit="trees")

    assert metric.changes.get().changed_by == organizer


def test_plain_member_cannot_define_a_metric(group, member):
    with pytest.raises(PermissionDenied):
        services.metric_define(actor=member, group=group, name="Trees", unit="trees")

    assert not MetricDefinition.objects.exists()


@pytest.mark.parametrize("name", ["Trees planted", "trees PLANTED", "  Trees planted  "])
def test_a_second_active_metric_with_the_same_name_is_refused_on_name(
    group, moderator, trees, name
):
    with pytest.raises(ValidationError) as excinfo:
        services.metric_define(actor=moderator, group=group, name=name, unit="trees")

    assert list(errors_of(excinfo)) == ["name"]


def test_an_archived_metrics_name_can_be_used_again(group, moderator, trees):
    services.metric_archive(actor=moderator, metric=trees)

    again = services.metric_define(actor=moderator, group=group, name="Trees planted", unit="t")

    assert again.pk != trees.pk


def test_a_target_date_without_a_target_is_refused(group, moderator):
    with pytest.raises(ValidationError) as excinfo:
        services.metric_define(
            actor=moderator, group=group, name="Trees", unit="trees", target_date=date(2026, 1, 1)
        )

    assert "target" in errors_of(excinfo)


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"name": "", "unit": "trees"}, "name"),
        ({"name": "x" * 81, "unit": "trees"}, "name"),
        ({"name": "Trees", "unit": " "}, "unit"),
        ({"name": "Trees", "unit": "u" * 31}, "unit"),
        ({"name": "Trees", "unit": "trees", "direction": "sideways"}, "direction"),
        ({"name": "Trees", "unit": "trees", "aggregation": "median"}, "aggregation"),
        ({"name": "Trees", "unit": "trees", "target": "lots"}, "target"),
    ],
)
def test_an_incomplete_metric_is_refused_with_a_message_on_the_field(
    group, moderator, fields, field
):
    with pytest.raises(ValidationError) as excinfo:
        services.metric_define(actor=moderator, group=group, **fields)

    assert field in errors_of(excinfo)


def test_metric_update_records_what_changed_who_changed_it_and_when(trees, moderator):
    services.metric_update(actor=moderator, metric=trees, unit="saplings", target="150")

    trees.refresh_from_db()
    assert trees.unit == "saplings" and trees.target == Decimal("150.00")
    change = trees.changes.first()
    assert change.changed_by == moderator
    assert change.changes == {"unit": ["trees", "saplings"], "target": ["100.00", "150.00"]}


def test_metric_update_that_changes_nothing_records_nothing(trees, moderator):
    services.metric_update(actor=moderator, metric=trees, unit="trees")

    assert trees.changes.count() == 1  # only "created"


def test_metric_update_by_a_plain_member_is_refused(trees, member):
    with pytest.raises(PermissionDenied):
        services.metric_update(actor=member, metric=trees, unit="bushes")

    trees.refresh_from_db()
    assert trees.unit == "trees"


def test_metric_update_cannot_take_another_metrics_name(group, moderator, trees, litter):
    with pytest.raises(ValidationError) as excinfo:
        services.metric_update(actor=moderator, metric=litter, name="trees planted")

    assert "name" in errors_of(excinfo)


def test_archiving_keeps_the_history_and_stops_new_values(group, moderator, member, trees):
    log(member, group, impacts=[(trees, 5)])

    services.metric_archive(actor=moderator, metric=trees)

    trees.refresh_from_db()
    assert trees.archived_at is not None
    assert trees.changes.first().changes == {"archived": True}
    assert Measurement.objects.filter(metric=trees).count() == 1
    with pytest.raises(ValidationError) as excinfo:
        log(member, group, impacts=[(trees, 5)])
    assert "impacts" in errors_of(excinfo)


def test_archiving_needs_a_moderator(trees, member):
    with pytest.raises(PermissionDenied):
        services.metric_archive(actor=member, metric=trees)


# Network metrics --------------------------------------------------------------------------


def test_only_the_networks_organizers_define_shared_metrics(network, organizer, moderator):
    with pytest.raises(PermissionDenied):
        services.network_metric_define(actor=moderator, network=network, name="People", unit="p")

    shared = services.network_metric_define(
        actor=organizer, network=network, name="Neighbours involved", unit="people"
    )

    assert shared.network == network and shared.group is None
    assert shared.changes.get().changed_by == organizer
    with pytest.raises(ValidationError) as excinfo:
        services.network_metric_define(
            actor=organizer, network=network, name="neighbours involved", unit="people"
        )
    assert "name" in errors_of(excinfo)


@pytest.fixture
def shared(network, organizer):
    return services.network_metric_define(
        actor=organizer, network=network, name="Neighbours involved", unit="people"
    )


def test_adopting_a_shared_metric_twice_gives_the_same_metric(group, moderator, shared):
    first = services.metric_adopt(actor=moderator, group=group, network_metric=shared)
    second = services.metric_adopt(actor=moderator, group=group, network_metric=shared)

    assert first == second
    assert first.source == shared and first.group == group
    assert (first.name, first.unit) == ("Neighbours involved", "people")
    assert MetricDefinition.objects.filter(group=group).count() == 1


def test_adopting_needs_a_moderator_even_when_already_adopted(group, moderator, member, shared):
    with pytest.raises(PermissionDenied):
        services.metric_adopt(actor=member, group=group, network_metric=shared)
    services.metric_adopt(actor=moderator, group=group, network_metric=shared)

    with pytest.raises(PermissionDenied):
        services.metric_adopt(actor=member, group=group, network_metric=shared)


def test_another_networks_metric_cannot_be_adopted(group, moderator):
    elsewhere_boss = UserFactory()
    elsewhere = group_services.network_create(creator=elsewhere_boss, name="Elsewhere")
    foreign = services.network_metric_define(
        actor=elsewhere_boss, network=elsewhere, name="Bikes", unit="bikes"
    )

    with pytest.raises(ValidationError) as excinfo:
        services.metric_adopt(actor=moderator, group=group, network_metric=foreign)

    assert "metric" in errors_of(excinfo)
    assert not MetricDefinition.objects.filter(group=group).exists()


def test_a_group_metric_cannot_be_adopted_as_if_it_were_shared(group, other_group, moderator):
    theirs = services.metric_define(
        actor=other_group.memberships.get(role="moderator").user,
        group=other_group,
        name="Panels",
        unit="panels",
    )

    with pytest.raises(ValidationError):
        services.metric_adopt(actor=moderator, group=group, network_metric=theirs)


# Spin-out ---------------------------------------------------------------------------------


def test_a_spun_out_group_starts_with_its_parents_metrics(
    group, organizer, moderator, member, trees, litter, shared
):
    adopted = services.metric_adopt(actor=moderator, group=group, network_metric=shared)
    services.metric_archive(actor=moderator, metric=litter)

    child = group_services.group_spin_out(
        organizer=organizer, parent=group, name="River Crew Two", moderator=member
    )

    copies = {m.name: m for m in MetricDefinition.objects.filter(group=child)}
    assert set(copies) == {"Trees planted", "Neighbours involved"}
    assert copies["Trees planted"].source == trees
    assert copies["Trees planted"].target == trees.target
    # The copy of an adopted metric is still that network metric's adoption...
    assert copies["Neighbours involved"].source == adopted.source == shared
    assert (
        services.metric_adopt(actor=member, group=child, network_metric=shared)
        == (copies["Neighbours involved"])
    )
    assert {row.group for row in network_leaderboard(shared, today=TODAY)} == {group, child}
    # ...and the copies have a history like any metric.
    records = MetricChange.objects.filter(metric__group=child)
    assert [r.changes["created"]["spun_out_of"] for r in records] == [group.pk, group.pk]
    assert Measurement.objects.filter(group=child).count() == 0


# Action log -------------------------------------------------------------------------------


def test_member_logs_an_action_with_its_measurements(group, member, trees, litter):
    day = today_for(member) - timedelta(days=2)

    action = log(member, group, day=day, effort=45, impacts=[(trees, "12"), (litter, "3,5")])

    assert (action.user, action.group, action.happened_on) == (member, group, day)
    assert action.effort_minutes == 45
    values = {m.metric: (m.value, m.measured_on, m.user) for m in action.measurements.all()}
    assert values == {
        trees: (Decimal("12.00"), day, member),
        litter: (Decimal("3.50"), day, member),
    }


def test_someone_outside_the_group_cannot_log_in_it(group, outsider):
    with pytest.raises(PermissionDenied):
        log(outsider, group)

    assert not Action.objects.exists()


def test_a_seat_read_by_the_access_check_saves_the_membership_query(
    group, member, django_assert_num_queries
):
    seat = Membership.objects.get(group=group, user=member)

    with django_assert_num_queries(1):  # the insert alone
        log(member, group, seat=seat)


@pytest.mark.parametrize("whose", ["someone_elses", "left", "other_groups"])
def test_a_seat_that_is_not_the_persons_current_one_in_the_group_proves_nothing(
    group, other_group, member, outsider, whose
):
    """Passing a seat is a shortcut, never a way in: anything but the person's own active seat
    in this group is checked against the database, which refuses an outsider."""
    seat = {
        "someone_elses": lambda: Membership.objects.get(group=group, user=member),
        "left": lambda: Membership.objects.create(
            group=group, user=outsider, left_at=timezone.now()
        ),
        "other_groups": lambda: Membership.objects.create(group=other_group, user=outsider),
    }[whose]()

    with pytest.raises(PermissionDenied):
        log(outsider, group, seat=seat)

    assert not Action.objects.exists()


def test_a_member_who_left_can_no_longer_log(group, member):
    group_services.group_leave(user=member, group=group)

    with pytest.raises(PermissionDenied):
        log(member, group)


NEAR_MIDNIGHT = [
    # 23:30 UTC on the 10th: already the 11th in Auckland, still the 10th in Los Angeles.
    (dt.datetime(2025, 3, 10, 23, 30, tzinfo=dt.UTC), "Pacific/Auckland", date(2025, 3, 11), True),
    (
        dt.datetime(2025, 3, 10, 23, 30, tzinfo=dt.UTC),
        "America/Los_Angeles",
        date(2025, 3, 11),
        False,
    ),
    # 00:30 UTC on the 11th: the 11th in UTC, but Los Angeles is still on the 10th.
    (
        dt.datetime(2025, 3, 11, 0, 30, tzinfo=dt.UTC),
        "America/Los_Angeles",
        date(2025, 3, 11),
        False,
    ),
    (
        dt.datetime(2025, 3, 11, 0, 30, tzinfo=dt.UTC),
        "America/Los_Angeles",
        date(2025, 3, 10),
        True,
    ),
    (dt.datetime(2025, 3, 11, 0, 30, tzinfo=dt.UTC), "Pacific/Auckland", date(2025, 3, 12), False),
]


@pytest.mark.parametrize("now, zone, day, accepted", NEAR_MIDNIGHT)
def test_the_future_is_judged_in_the_members_own_time_zone(group, now, zone, day, accepted):
    person = join(group, time_zone=zone)
    assert now.astimezone(ZoneInfo(zone)).date() in (day, day - timedelta(days=1))

    with time_machine.travel(now, tick=False):
        if accepted:
            assert log(person, group, day=day).happened_on == day
        else:
            with pytest.raises(ValidationError) as excinfo:
                log(person, group, day=day)
            assert list(errors_of(excinfo)) == ["happened_on"]


@pytest.mark.parametrize("effort", [0, -5, 961, 10_000, None, "half an hour"])
def test_effort_outside_1_to_960_minutes_is_refused(group, member, effort):
    with pytest.raises(ValidationError) as excinfo:
        services.action_log(
            user=member,
            group=group,
            description="Watered the trees",
            happened_on=today_for(member),
            effort_minutes=effort,
        )

    assert list(errors_of(excinfo)) == ["effort_minutes"]


@pytest.mark.parametrize("effort", [1, 960])
def test_effort_at_the_bounds_is_accepted(group, member, effort):
    assert log(member, group, effort=effort).effort_minutes == effort


@pytest.mark.parametrize("description", ["", "   ", "x" * 201])
def test_an_action_needs_a_short_description(group, member, description):
    with pytest.raises(ValidationError) as excinfo:
        log(member, group, description=description)

    assert "description" in errors_of(excinfo)


@pytest.mark.parametrize(
    "value, message",
    [
        ("twelve", "Enter a number"),
        ("", "Enter a number"),
        ("1.2.3", "Enter a number"),
        ("NaN", "Enter a number"),
        ("sNaN", "Enter a number"),
        ("Infinity", "too large"),
        ("-inf", "too large"),
        ("1e11", "too large"),
        ("123456789012345", "too large"),
    ],
)
def test_a_value_that_is_not_a_sane_number_is_refused_on_its_metric(
    group, member, trees, value, message
):
    with pytest.raises(ValidationError) as excinfo:
        log(member, group, impacts=[(trees, value)])

    errors = errors_of(excinfo)
    assert list(errors) == [f"impact_{trees.pk}"]
    assert message in errors[f"impact_{trees.pk}"][0]
    assert not Action.objects.exists()


def test_a_value_is_kept_to_two_decimals(group, member, trees):
    action = log(member, group, impacts=[(trees, "2.499")])

    assert action.measurements.get().value == Decimal("2.50")


def test_another_groups_metric_is_refused(group, other_group, member):
    theirs = services.metric_define(
        actor=other_group.memberships.get(role="moderator").user,
        group=other_group,
        name="Panels",
        unit="panels",
    )

    with pytest.raises(ValidationError) as excinfo:
        log(member, group, impacts=[(theirs, 3)])

    assert list(errors_of(excinfo)) == ["impacts"]
    assert not Action.objects.exists()


def test_a_network_metric_not_adopted_is_refused(group, member, shared):
    with pytest.raises(ValidationError) as excinfo:
        log(member, group, impacts=[(shared, 3)])

    assert list(errors_of(excinfo)) == ["impacts"]


def test_one_bad_value_among_good_ones_logs_nothing(group, member, trees, litter):
    with pytest.raises(ValidationError):
        log(member, group, impacts=[(trees, 4), (litter, "lots")])

    assert not Action.objects.exists() and not Measurement.objects.exists()


def test_a_measurement_failing_in_the_database_leaves_no_action_behind(group, member, trees):
    # A real failure inside PostgreSQL while the measurements are written (the trigger lives
    # only in this test's transaction).
    with connection.cursor() as cursor:
        cursor.execute(
            """
            CREATE FUNCTION pg_temp.refuse_measurement() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION 'measurement refused'; END $$ LANGUAGE plpgsql;
            CREATE TRIGGER refuse_measurement BEFORE INSERT ON metrics_measurement
            FOR EACH ROW EXECUTE FUNCTION pg_temp.refuse_measurement();
            """
        )

    with pytest.raises(DatabaseError):
        log(member, group, impacts=[(trees, 4)])

    assert not Action.objects.exists()


def test_member_logs_a_measurement_on_its_own(group, member, trees):
    day = today_for(member)

    measurement = services.measurement_log(
        user=member, group=group, metric=trees, value="7", measured_on=day
    )

    assert (measurement.value, measurement.action, measurement.measured_on) == (
        Decimal("7.00"),
        None,
        day,
    )


def test_a_measurement_on_its_own_follows_the_same_rules(
    group, other_group, member, outsider, trees
):
    today = today_for(member)
    with pytest.raises(PermissionDenied):
        services.measurement_log(
            user=outsider, group=group, metric=trees, value=1, measured_on=today
        )
    with pytest.raises(ValidationError) as excinfo:
        services.measurement_log(
            user=member, group=group, metric=trees, value=1, measured_on=today + timedelta(days=2)
        )
    assert "measured_on" in errors_of(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        services.measurement_log(
            user=member, group=group, metric=trees, value="NaN", measured_on=today
        )
    assert "value" in errors_of(excinfo)
    theirs = services.metric_define(
        actor=other_group.memberships.get(role="moderator").user,
        group=other_group,
        name="Panels",
        unit="panels",
    )
    with pytest.raises(ValidationError) as excinfo:
        services.measurement_log(
            user=member, group=group, metric=theirs, value=1, measured_on=today
        )
    assert "metric" in errors_of(excinfo)
    assert not Measurement.objects.exists()


# Edits and deletions keep a history ----------------------------------------------------------


@pytest.fixture
def logged(group, member, trees, litter):
    return log(
        member,
        group,
        day=today_for(member) - timedelta(days=1),
        effort=30,
        description="Planted oaks",
        impacts=[(trees, 12), (litter, 2)],
    )


def test_the_author_edits_an_action_and_the_earlier_version_is_kept(logged, member, trees, litter):
    day = logged.happened_on - timedelta(days=1)

    services.action_update(
        user=member,
        action=logged,
        description="Planted oaks and ash",
        happened_on=day,
        effort_minutes=60,
        impacts=[(trees.pk, "15")],
    )

    logged.refresh_from_db()
    assert (logged.description, logged.effort_minutes, logged.happened_on) == (
        "Planted oaks and ash",
        60,
        day,
    )
    assert [(m.metric, m.value, m.measured_on) for m in logged.measurements.all()] == [
        (trees, Decimal("15.00"), day)
    ]
    revision = EntryRevision.objects.get(entry_id=logged.pk, kind="action")
    assert (revision.editor, revision.operation) == (member, "update")
    assert revision.before["description"] == "Planted oaks"
    assert revision.before["effort_minutes"] == "30"
    assert sorted(revision.before["measurements"], key=lambda m: m["metric"]) == sorted(
        [{"metric": trees.pk, "value": "12.00"}, {"metric": litter.pk, "value": "2.00"}],
        key=lambda m: m["metric"],
    )


def test_a_moderator_corrects_a_members_action(logged, moderator, member):
    services.action_update(user=moderator, action=logged, effort_minutes=20)

    logged.refresh_from_db()
    assert logged.effort_minutes == 20 and logged.user == member
    assert EntryRevision.objects.get(entry_id=logged.pk).editor == moderator


def test_another_member_cannot_edit_or_delete_an_action(logged, other_member):
    with pytest.raises(PermissionDenied):
        services.action_update(user=other_member, action=logged, effort_minutes=5)
    with pytest.raises(PermissionDenied):
        services.action_delete(user=other_member, action=logged)

    logged.refresh_from_db()
    assert logged.effort_minutes == 30
    assert not EntryRevision.objects.exists()


def test_an_edit_cannot_move_an_action_into_the_future(logged, member):
    with pytest.raises(ValidationError) as excinfo:
        services.action_update(
            user=member, action=logged, happened_on=today_for(member) + timedelta(days=3)
        )

    assert "happened_on" in errors_of(excinfo)
    assert not EntryRevision.objects.exists()


def test_an_edit_keeps_the_values_of_metrics_archived_since(
    logged, member, moderator, trees, litter
):
    services.metric_archive(actor=moderator, metric=litter)

    services.action_update(
        user=member, action=logged, description="Planted oaks", impacts=[(trees.pk, "13")]
    )

    values = {m.metric: m.value for m in logged.measurements.all()}
    assert values == {trees: Decimal("13.00"), litter: Decimal("2.00")}


def test_deleting_an_action_keeps_what_it_was_including_its_measurements(
    logged, member, trees, litter
):
    pk = logged.pk

    services.action_delete(user=member, action=logged)

    assert not Action.objects.filter(pk=pk).exists()
    assert not Measurement.objects.filter(action_id=pk).exists()
    revision = EntryRevision.objects.get(entry_id=pk, kind="action")
    assert (revision.operation, revision.editor) == ("delete", member)
    assert revision.before["description"] == "Planted oaks"
    assert {m["metric"]: m["value"] for m in revision.before["measurements"]} == {
        trees.pk: "12.00",
        litter.pk: "2.00",
    }


def test_a_moderator_may_delete_a_members_action(logged, moderator):
    services.action_delete(user=moderator, action=logged)

    assert EntryRevision.objects.get(entry_id=logged.pk).editor == moderator


def test_deleting_a_measurement_keeps_what_it_was(group, member, other_member, trees):
    measurement = services.measurement_log(
        user=member, group=group, metric=trees, value=4, measured_on=today_for(member)
    )
    with pytest.raises(PermissionDenied):
        services.measurement_delete(user=other_member, measurement=measurement)

    services.measurement_delete(user=member, measurement=measurement)

    revision = EntryRevision.objects.get(kind="measurement", entry_id=measurement.pk)
    assert revision.before == {
        "metric": trees.pk,
        "value": "4.00",
        "measured_on": str(measurement.measured_on),
    }
    assert not Measurement.objects.exists()


# Leaderboard opt-out ----------------------------------------------------------------------


def test_a_moderator_takes_the_group_off_the_leaderboard_and_back(group, moderator, member):
    with pytest.raises(PermissionDenied):
        services.group_ranking_set(actor=member, group=group, ranked=False)

    services.group_ranking_set(actor=moderator, group=group, ranked=False)
    assert GroupRanking.objects.get(group=group).ranked is False
    services.group_ranking_set(actor=moderator, group=group, ranked=True)
    assert GroupRanking.objects.get(group=group).ranked is True
