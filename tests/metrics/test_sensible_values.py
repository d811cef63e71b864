"""Values that make sense, or a clear message: signs, days and targets, in the service, the
pages, the API and the admin alike."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from groups import services as group_services
from metrics import services
from metrics.admin import MeasurementAdminForm, MetricDefinitionAdminForm
from metrics.forms import ActionForm
from metrics.models import Action, Measurement, MetricDefinition
from tests.factories import UserFactory
from tests.metrics.support import log, started_days_ago, today_for

pytestmark = pytest.mark.django_db

MEASUREMENTS = "/api/measurements/"
METRICS = "/api/metrics/"


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


@pytest.fixture
def balance(group, moderator):
    """A metric whose values may go below zero."""
    return services.metric_define(
        actor=moderator, group=group, name="Energy balance", unit="kWh", allow_negative=True
    )


# Signs ------------------------------------------------------------------------------------


def test_a_new_metric_refuses_negative_values_unless_it_allows_them(group, moderator):
    metric = services.metric_define(actor=moderator, group=group, name="Trees", unit="trees")

    assert metric.allow_negative is False


def test_a_negative_measurement_is_refused_naming_the_metric(group, member, trees):
    with pytest.raises(ValidationError) as excinfo:
        services.measurement_log(
            user=member, group=group, metric=trees, value="-100", measured_on=today_for(member)
        )

    assert errors_of(excinfo) == {"value": ["Trees planted cannot be negative: enter 0 or more."]}
    assert not Measurement.objects.exists()


def test_a_metric_that_allows_negatives_takes_them(group, member, balance):
    measurement = services.measurement_log(
        user=member, group=group, metric=balance, value="-12,5", measured_on=today_for(member)
    )

    assert measurement.value == Decimal("-12.50")


def test_a_negative_impact_of_an_action_is_refused_and_nothing_is_written(group, member, trees):
    with pytest.raises(ValidationError) as excinfo:
        log(member, group, impacts=[(trees, "-3")])

    assert list(errors_of(excinfo)) == [f"impact_{trees.pk}"]
    assert not Action.objects.exists()


def test_zero_is_a_value_like_any_other(group, member, trees):
    action = log(member, group, impacts=[(trees, "0")])

    assert action.measurements.get().value == Decimal("0.00")


# Days -------------------------------------------------------------------------------------


def test_a_measurement_before_the_group_started_is_refused_with_the_start_day(group, member, trees):
    started_days_ago(group, 10)

    with pytest.raises(ValidationError) as excinfo:
        services.measurement_log(
            user=member,
            group=group,
            metric=trees,
            value=5,
            measured_on=today_for(member) - timedelta(days=30),
        )

    (message,) = errors_of(excinfo)["measured_on"]
    assert "before River Crew started" in message


def test_a_measurement_more_than_a_year_back_is_refused(group, member, trees):
    started_days_ago(group, 2000)

    with pytest.raises(ValidationError) as excinfo:
        services.measurement_log(
            user=member,
            group=group,
            metric=trees,
            value=5,
            measured_on=today_for(member) - timedelta(days=366),
        )

    assert errors_of(excinfo) == {
        "measured_on": ["The day is more than a year ago: log what happened within the last year."]
    }


def test_a_measurement_a_year_back_to_the_day_is_taken(group, member, trees):
    started_days_ago(group, 2000)

    measurement = services.measurement_log(
        user=member,
        group=group,
        metric=trees,
        value=5,
        measured_on=today_for(member) - timedelta(days=365),
    )

    assert measurement.pk


def test_the_day_the_group_started_counts_in_the_members_own_calendar(group, trees):
    # Created "now": in Tokyo and in Los Angeles the group started on each one's own today.
    started_days_ago(group, 0)
    for zone in ["Asia/Tokyo", "America/Los_Angeles"]:
        person = UserFactory(time_zone=zone)
        group_services.network_add_person(network=group.network, user=person)
        group_services.group_join(user=person, group=group, statement="I want in, every week.")

        services.measurement_log(
            user=person, group=group, metric=trees, value=1, measured_on=today_for(person)
        )

    assert Measurement.objects.count() == 2


def test_an_action_with_impact_before_the_group_started_is_refused(group, member, trees):
    started_days_ago(group, 3)
    day = today_for(member) - timedelta(days=20)

    with pytest.raises(ValidationError) as excinfo:
        log(member, group, day=day, impacts=[(trees, 4)])

    assert list(errors_of(excinfo)) == ["happened_on"]
    # Without impact, the action itself is only held to "not in the future".
    assert log(member, group, day=day).pk


def test_an_edit_may_not_move_measured_impact_before_the_group_started(group, member, trees):
    started_days_ago(group, 3)
    action = log(member, group, impacts=[(trees, 4)])

    with pytest.raises(ValidationError) as excinfo:
        services.action_update(
            user=member, action=action, happened_on=today_for(member) - timedelta(days=20)
        )

    assert list(errors_of(excinfo)) == ["happened_on"]


def test_an_old_entry_can_still_be_corrected_while_its_day_stays(group, member, trees):
    action = log(member, group, day=today_for(member) - timedelta(days=100), impacts=[(trees, 4)])
    started_days_ago(group, 1)  # the day is now before the start: it was not when logged

    services.action_update(user=member, action=action, description="Planted 4 oaks")

    action.refresh_from_db()
    assert action.description == "Planted 4 oaks"


# Targets ----------------------------------------------------------------------------------


def test_a_negative_target_is_refused_unless_the_metric_allows_negatives(group, moderator):
    with pytest.raises(ValidationError) as excinfo:
        services.metric_define(actor=moderator, group=group, name="T", unit="t", target="-50")
    assert list(errors_of(excinfo)) == ["target"]

    metric = services.metric_define(
        actor=moderator, group=group, name="B", unit="kWh", target="-50", allow_negative=True
    )
    assert metric.target == Decimal("-50.00")


@pytest.mark.parametrize("days_ahead", [0, -1, -9000])
def test_a_target_date_that_is_not_in_the_future_is_refused(group, moderator, days_ahead):
    with pytest.raises(ValidationError) as excinfo:
        services.metric_define(
            actor=moderator,
            group=group,
            name="Trees",
            unit="trees",
            target=100,
            target_date=today_for(moderator) + timedelta(days=days_ahead),
        )

    assert errors_of(excinfo) == {
        "target_date": ["The target date lies in the future: pick a day after today."]
    }


def test_a_passed_target_may_stay_while_the_metric_changes_but_not_be_set_again(
    group, moderator, trees
):
    past = today_for(moderator) - timedelta(days=30)
    MetricDefinition.objects.filter(pk=trees.pk).update(target_date=past)

    services.metric_update(actor=moderator, metric=trees, name="Oaks planted", target_date=past)
    with pytest.raises(ValidationError) as excinfo:
        services.metric_update(actor=moderator, metric=trees, target=200, target_date=past)

    assert list(errors_of(excinfo)) == ["target_date"]
    trees.refresh_from_db()
    assert (trees.name, trees.target) == ("Oaks planted", Decimal("100.00"))


def test_switching_negatives_off_is_refused_while_the_target_is_negative(group, moderator, balance):
    services.metric_update(actor=moderator, metric=balance, target="-20")

    with pytest.raises(ValidationError) as excinfo:
        services.metric_update(actor=moderator, metric=balance, allow_negative=False)

    assert list(errors_of(excinfo)) == ["target"]


def test_an_adopted_network_metric_keeps_whether_negatives_are_allowed(
    group, moderator, organizer, balance
):
    shared = services.network_metric_define(
        actor=organizer, network=group.network, name="Net CO2", unit="t", allow_negative=True
    )

    adopted = services.metric_adopt(actor=moderator, group=group, network_metric=shared)

    assert adopted.allow_negative is True


# Pages ------------------------------------------------------------------------------------


def test_the_metric_form_offers_negative_values_and_keeps_input_on_a_past_target_date(
    signed_in, group, moderator, django_assert_max_num_queries
):
    client = signed_in(moderator)
    yesterday = today_for(moderator) - timedelta(days=1)

    with django_assert_max_num_queries(20):
        response = client.post(
            reverse("metrics:metric_list", args=[group.pk]),
            {
                "name": "Trees planted",
                "unit": "trees",
                "direction": "higher",
                "aggregation": "sum",
                "target": "600",
                "target_date": yesterday.isoformat(),
            },
        )

    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="allow_negative"' in page
    assert "The target date lies in the future: pick a day after today." in page
    assert 'value="Trees planted"' in page and 'value="600"' in page
    assert not MetricDefinition.objects.filter(group=group).exists()


def test_a_negative_value_on_the_metrics_page_is_explained_beside_it_and_kept(
    signed_in, group, member, trees, django_assert_max_num_queries
):
    client = signed_in(member)

    with django_assert_max_num_queries(20):
        response = client.post(
            reverse("metrics:measurement_create", args=[group.pk]),
            {"metric": trees.pk, "value": "-100", "measured_on": "1900-01-01"},
        )

    assert response.status_code == 200
    page = response.content.decode()
    assert "Trees planted cannot be negative: enter 0 or more." in page
    assert 'value="-100"' in page and 'value="1900-01-01"' in page
    assert not Measurement.objects.exists()


def test_a_day_before_the_group_on_the_metrics_page_names_the_day_field(
    signed_in, group, member, trees, django_assert_max_num_queries
):
    client = signed_in(member)

    with django_assert_max_num_queries(20):
        response = client.post(
            reverse("metrics:measurement_create", args=[group.pk]),
            {"metric": trees.pk, "value": "5", "measured_on": "1900-01-01"},
        )

    page = response.content.decode()
    assert "before River Crew started" in page
    # The message sits with the day field, not at the top of the page.
    day_group = re.search(r"id_measured_on_error[^<]*>(.*?)</", page, re.S)
    assert day_group is not None


def test_the_quick_log_explains_a_negative_impact_beside_its_field(
    signed_in, group, member, trees, django_assert_max_num_queries
):
    client = signed_in(member)

    with django_assert_max_num_queries(15):
        response = client.post(
            reverse("metrics:action_create", args=[group.pk]),
            {
                "description": "Cut trees",
                "happened_on": today_for(member).isoformat(),
                "effort_minutes": "45",
                f"impact_{trees.pk}": "-4",
            },
            headers={"HX-Request": "true"},
        )

    page = response.content.decode()
    assert "Trees planted cannot be negative" in page
    assert 'value="-4"' in page
    assert not Action.objects.exists()


# The API ----------------------------------------------------------------------------------


def test_the_api_refuses_a_negative_measurement_with_the_field_named(
    api, group, member, trees, django_assert_max_num_queries
):
    with django_assert_max_num_queries(10):
        response = api(member).post(
            MEASUREMENTS,
            {"group": group.pk, "metric": trees.pk, "value": "-100", "measured_on": "1900-01-01"},
            format="json",
        )

    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"detail", "code", "fields"}
    assert body["fields"] == {"value": ["Trees planted cannot be negative: enter 0 or more."]}


def test_the_api_refuses_a_negative_impact_of_an_action_on_impacts(
    api, group, member, trees, django_assert_max_num_queries
):
    with django_assert_max_num_queries(10):
        response = api(member).post(
            "/api/actions/",
            {
                "group": group.pk,
                "description": "Cut trees",
                "happened_on": today_for(member).isoformat(),
                "effort_minutes": 30,
                "impacts": [{"metric": trees.pk, "value": "-4"}],
            },
            format="json",
        )

    assert response.status_code == 400
    assert response.json()["fields"] == {
        "impacts": ["Trees planted cannot be negative: enter 0 or more."]
    }
    assert not Action.objects.exists()


def test_the_api_refuses_impact_dated_before_the_group_started(api, group, member, trees):
    response = api(member).post(
        "/api/actions/",
        {
            "group": group.pk,
            "description": "Planted oaks",
            "happened_on": "1900-01-01",
            "effort_minutes": 30,
            "impacts": [{"metric": trees.pk, "value": "4"}],
        },
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["happened_on"]


def test_the_api_refuses_a_measurement_before_the_group_started(
    api, group, member, trees, django_assert_max_num_queries
):
    with django_assert_max_num_queries(10):
        response = api(member).post(
            MEASUREMENTS,
            {"group": group.pk, "metric": trees.pk, "value": "5", "measured_on": "1900-01-01"},
            format="json",
        )

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["measured_on"]


def test_the_api_defines_a_metric_that_allows_negatives_and_refuses_past_targets(
    api, group, moderator, django_assert_max_num_queries
):
    client = api(moderator)
    with django_assert_max_num_queries(15):
        created = client.post(
            METRICS,
            {"group": group.pk, "name": "Balance", "unit": "kWh", "allow_negative": True},
            format="json",
        )
    assert created.status_code == 201
    assert created.json()["allow_negative"] is True

    with django_assert_max_num_queries(15):
        refused = client.post(
            METRICS,
            {
                "group": group.pk,
                "name": "Trees",
                "unit": "trees",
                "target": "-50",
                "target_date": "2001-01-01",
            },
            format="json",
        )
    assert refused.status_code == 400
    assert set(refused.json()["fields"]) == {"target", "target_date"}


def test_the_schema_documents_whether_a_metric_allows_negatives(api, member):
    schema = api(member).get(reverse("api-schema"), {"format": "json"}).json()

    metric = schema["components"]["schemas"]["Metric"]["properties"]
    assert metric["allow_negative"]["type"] == "boolean"
    assert "allow_negative" in schema["components"]["schemas"]["MetricRequest"]["properties"]
    assert "allow_negative" in schema["components"]["schemas"]["PatchedMetricRequest"]["properties"]


# The admin --------------------------------------------------------------------------------


def test_the_admin_holds_measurements_to_the_same_rules(group, member, trees):
    form = MeasurementAdminForm(
        data={
            "metric": trees.pk,
            "group": group.pk,
            "user": member.pk,
            "value": "-100",
            "measured_on": "1900-01-01",
            "created_at": "2026-01-01 10:00",
        }
    )

    assert not form.is_valid()
    assert set(form.errors) == {"value", "measured_on"}


def test_the_admin_holds_metric_targets_to_the_same_rules(group):
    form = MetricDefinitionAdminForm(
        data={
            "group": group.pk,
            "name": "Trees",
            "unit": "trees",
            "direction": "higher",
            "aggregation": "sum",
            "target": "-50",
            "target_date": "2001-01-01",
            "created_at": "2026-01-01 10:00",
        }
    )

    assert not form.is_valid()
    assert {"target", "target_date"} <= set(form.errors)


def test_the_admin_page_refuses_a_negative_measurement(
    client, group, member, trees, django_assert_max_num_queries
):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    now = timezone.localtime()

    with django_assert_max_num_queries(20):
        response = client.post(
            reverse("admin:metrics_measurement_add"),
            {
                "metric": trees.pk,
                "group": group.pk,
                "user": member.pk,
                "value": "-100",
                "measured_on": now.date().isoformat(),
                "created_at_0": now.date().isoformat(),
                "created_at_1": "10:00:00",
            },
        )

    assert response.status_code == 200
    assert "Trees planted cannot be negative" in response.content.decode()
    assert not Measurement.objects.exists()


# The effort field -------------------------------------------------------------------------


def test_the_effort_field_lets_a_browser_accept_every_whole_number_of_minutes():
    attrs = ActionForm().fields["effort_minutes"].widget.attrs
    field = ActionForm().fields["effort_minutes"]
    step = int(attrs["step"])
    low = field.min_value

    # A browser refuses a number unless (value - min) is a multiple of step.
    for minutes in [1, 5, 10, 15, 20, 25, 30, 45, 60, 90, 120, 960]:
        assert (minutes - low) % step == 0, minutes
    assert ActionForm().fields["effort_minutes"].initial == 30


def test_the_quick_log_page_renders_an_effort_input_a_browser_accepts_30_in(
    signed_in, group, member, django_assert_max_num_queries
):
    client = signed_in(member)

    with django_assert_max_num_queries(12):
        page = client.get(reverse("metrics:action_create", args=[group.pk])).content.decode()

    tag = re.search(r'<input[^>]*name="effort_minutes"[^>]*>', page).group(0)
    step = int(re.search(r'step="(\d+)"', tag).group(1))
    low = int(re.search(r'min="(\d+)"', tag).group(1))
    assert (30 - low) % step == 0 and (45 - low) % step == 0
