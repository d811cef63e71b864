"""The metrics API: same rules as the pages, one error shape, filters and cursor pagination."""

from datetime import timedelta

import pytest

from groups import services as group_services
from metrics import services
from metrics.models import Action, Measurement, MetricChange, MetricDefinition
from tests.metrics.support import TODAY, bulk_log, log, today_for

pytestmark = pytest.mark.django_db

ACTIONS = "/api/actions/"
MEASUREMENTS = "/api/measurements/"
METRICS = "/api/metrics/"


def action_payload(group, person, **overrides) -> dict:
    return {
        "group": group.pk,
        "description": "Planted oaks",
        "happened_on": today_for(person).isoformat(),
        "effort_minutes": 40,
    } | overrides


def assert_error_shape(body: dict, field: str, code: str = "invalid") -> None:
    assert set(body) == {"detail", "code", "fields"}
    assert body["code"] == code
    assert isinstance(body["fields"][field], list) and body["fields"][field]


# /api/actions/ ----------------------------------------------------------------------------


def test_a_member_posts_an_action_with_its_impact(api, group, member, trees, litter):
    payload = action_payload(
        group,
        member,
        impacts=[{"metric": trees.pk, "value": "12"}, {"metric": litter.pk, "value": "2.5"}],
    )

    response = api(member).post(ACTIONS, payload, format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["user"] == member.pk and body["effort_minutes"] == 40
    assert sorted((m["metric"], m["value"]) for m in body["measurements"]) == sorted(
        [(trees.pk, "12.00"), (litter.pk, "2.50")]
    )
    assert Action.objects.get().measurements.count() == 2


def test_a_day_in_the_future_is_a_400_on_happened_on(api, group, member):
    tomorrow = today_for(member) + timedelta(days=1)

    response = api(member).post(
        ACTIONS, action_payload(group, member, happened_on=tomorrow.isoformat()), format="json"
    )

    assert response.status_code == 400
    body = response.json()
    assert_error_shape(body, "happened_on")
    assert "future" in body["fields"]["happened_on"][0]
    assert not Action.objects.exists()


def test_another_groups_metric_is_a_404_naming_the_field(api, group, other_group, member):
    theirs = services.metric_define(
        actor=other_group.memberships.get(role="moderator").user,
        group=other_group,
        name="Panels",
        unit="panels",
    )

    response = api(member).post(
        ACTIONS,
        action_payload(group, member, impacts=[{"metric": theirs.pk, "value": "1"}]),
        format="json",
    )

    assert response.status_code == 404
    assert_error_shape(response.json(), "impacts", "not_found")
    assert not Action.objects.exists()


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"effort_minutes": 0}, "effort_minutes"),
        ({"effort_minutes": 961}, "effort_minutes"),
        ({"description": ""}, "description"),
        ({"happened_on": "yesterday"}, "happened_on"),
        ({"impacts": [{"metric": 1, "value": "NaN"}]}, "impacts"),
        ({"impacts": [{"metric": 1, "value": "1e20"}]}, "impacts"),
        ({"group": 0}, "group"),  # cannot exist: bad input, unlike a group one may not see
        ({"group": "river crew"}, "group"),
    ],
)
def test_invalid_input_is_a_400_with_the_field_named(api, group, member, trees, overrides, field):
    payload = action_payload(group, member) | overrides

    response = api(member).post(ACTIONS, payload, format="json")

    assert response.status_code == 400
    assert_error_shape(response.json(), field)


def test_someone_outside_the_group_gets_403(api, group, outsider):
    response = api(outsider).post(ACTIONS, action_payload(group, outsider), format="json")

    assert response.status_code == 403
    assert set(response.json()) == {"detail", "code", "fields"}


def test_an_outsider_of_a_private_network_gets_404(api, private_group, outsider):
    response = api(outsider).post(ACTIONS, action_payload(private_group, outsider), format="json")

    assert response.status_code == 404


def test_a_group_that_does_not_exist_answers_like_a_hidden_one(api, group, member):
    payload = action_payload(group, member) | {"group": 987654}

    response = api(member).post(ACTIONS, payload, format="json")

    assert response.status_code == 404
    assert not Action.objects.exists()


def test_logging_an_action_reads_the_seat_with_the_group_and_writes_one_row(
    api, group, member, django_assert_num_queries
):
    client = api(member)  # signed in already: no token to look up

    with django_assert_num_queries(2):  # the seat with its group and network role; the insert
        response = client.post(ACTIONS, action_payload(group, member), format="json")

    assert response.status_code == 201
    assert response.json()["measurements"] == []


def test_the_api_needs_someone_signed_in(api, group, member):
    assert api().get(ACTIONS).status_code in (401, 403)


def test_actions_are_filtered_by_group_member_and_days(
    api, group, other_group, organizer, moderator, member
):
    day = TODAY
    mine_old = log(member, group, day=day - timedelta(days=20))
    mine_new = log(member, group, day=day)
    theirs = log(moderator, group, day=day - timedelta(days=5))
    client = api(member)

    def ids(**params):
        response = client.get(ACTIONS, params)
        assert response.status_code == 200
        return [row["id"] for row in response.json()["results"]]

    assert set(ids(group=group.pk)) == {mine_old.pk, mine_new.pk, theirs.pk}
    assert set(ids(user=member.pk)) == {mine_old.pk, mine_new.pk}
    assert set(ids(since=(day - timedelta(days=6)).isoformat())) == {mine_new.pk, theirs.pk}
    assert set(ids(until=(day - timedelta(days=6)).isoformat())) == {mine_old.pk}
    assert ids(group=other_group.pk) == []
    assert client.get(ACTIONS, {"since": "soon"}).status_code == 400


def test_i_only_see_actions_of_groups_i_can_read(
    api, group, other_group, organizer, member, private_group
):
    log(member, group)
    elsewhere = other_group.memberships.filter(role="member").first().user
    log(elsewhere, other_group)
    hidden = private_group.memberships.filter(role="member").first().user
    log(hidden, private_group)

    def groups_seen(person):
        return {row["group"] for row in api(person).get(ACTIONS).json()["results"]}

    assert groups_seen(member) == {group.pk}
    assert groups_seen(organizer) == {group.pk, other_group.pk}  # every group of the network
    group_services.group_leave(user=elsewhere, group=other_group)
    assert groups_seen(elsewhere) == set()  # a group one left is closed again


def test_the_action_log_pages_with_a_cursor(api, group, moderator, member):
    bulk_log(group, [moderator, member], 60)
    client = api(member)

    first = client.get(ACTIONS).json()
    second = client.get(first["next"]).json()

    assert len(first["results"]) == 50 and len(second["results"]) == 10
    assert second["next"] is None and second["previous"]
    seen = [row["id"] for row in first["results"] + second["results"]]
    assert sorted(seen) == sorted(Action.objects.values_list("id", flat=True))


@pytest.mark.parametrize("actions", [5, 200])
def test_the_action_list_takes_the_same_few_queries_with_little_or_much_data(
    api, group, moderator, member, trees, litter, django_assert_max_num_queries, actions
):
    bulk_log(group, [moderator, member], actions, metrics=[trees, litter])
    client = api(member)

    with django_assert_max_num_queries(3):
        response = client.get(ACTIONS)

    assert len(response.json()["results"]) == min(actions, 50)
    assert all(len(row["measurements"]) == 2 for row in response.json()["results"])


# /api/measurements/ -----------------------------------------------------------------------


def test_a_member_posts_a_measurement_on_its_own(api, group, member, trees):
    payload = {
        "group": group.pk,
        "metric": trees.pk,
        "value": "7.5",
        "measured_on": today_for(member).isoformat(),
    }

    response = api(member).post(MEASUREMENTS, payload, format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["value"] == "7.50" and response.json()["action"] is None
    assert Measurement.objects.get().user == member


def test_a_measurement_follows_the_same_rules_as_the_page(
    api, group, other_group, member, outsider, trees
):
    theirs = services.metric_define(
        actor=other_group.memberships.get(role="moderator").user,
        group=other_group,
        name="Panels",
        unit="panels",
    )
    today = today_for(member)
    good = {"group": group.pk, "metric": trees.pk, "value": "1", "measured_on": today.isoformat()}

    response = api(member).post(MEASUREMENTS, good | {"metric": theirs.pk}, format="json")
    assert response.status_code == 404
    assert_error_shape(response.json(), "metric", "not_found")
    tomorrow = (today + timedelta(days=1)).isoformat()
    response = api(member).post(MEASUREMENTS, good | {"measured_on": tomorrow}, format="json")
    assert_error_shape(response.json(), "measured_on")
    assert api(outsider).post(MEASUREMENTS, good, format="json").status_code == 403
    assert not Measurement.objects.exists()


@pytest.mark.parametrize("actions", [5, 200])
def test_measurements_are_filtered_by_metric_and_days_in_few_queries(
    api, group, member, trees, litter, django_assert_max_num_queries, actions
):
    bulk_log(group, [member], actions, metrics=[trees, litter], days=30)
    client = api(member)
    since = (TODAY - timedelta(days=9)).isoformat()

    with django_assert_max_num_queries(3):
        response = client.get(MEASUREMENTS, {"metric": trees.pk, "since": since})

    rows = response.json()["results"]
    assert rows and {row["metric"] for row in rows} == {trees.pk}
    assert min(row["measured_on"] for row in rows) >= since
    expected = Measurement.objects.filter(metric=trees, measured_on__gte=since).count()
    assert len(rows) == min(expected, 50)
    until = (TODAY - timedelta(days=3)).isoformat()
    older = client.get(MEASUREMENTS, {"until": until, "user": member.pk}).json()["results"]
    assert older and max(row["measured_on"] for row in older) <= until


# /api/metrics/ ----------------------------------------------------------------------------


def test_a_moderator_creates_a_metric_and_the_change_is_recorded(api, group, moderator):
    payload = {"group": group.pk, "name": "Bags of litter", "unit": "bags", "target": "30"}

    response = api(moderator).post(METRICS, payload, format="json")

    assert response.status_code == 201, response.json()
    metric = MetricDefinition.objects.get(pk=response.json()["id"])
    assert metric.target == 30 and metric.group == group
    assert MetricChange.objects.get(metric=metric).changed_by == moderator


def test_a_plain_member_cannot_create_a_metric(api, group, member):
    response = api(member).post(
        METRICS, {"group": group.pk, "name": "Bags", "unit": "bags"}, format="json"
    )

    assert response.status_code == 403
    assert not MetricDefinition.objects.exists()


def test_a_metric_without_a_group_is_a_400_not_a_crash(api, moderator, group):
    response = api(moderator).post(METRICS, {"name": "Bags", "unit": "bags"}, format="json")

    assert response.status_code == 400
    assert_error_shape(response.json(), "group")


def test_a_duplicate_metric_name_is_a_409_on_name(api, group, moderator, trees):
    response = api(moderator).post(
        METRICS, {"group": group.pk, "name": "trees planted", "unit": "trees"}, format="json"
    )

    assert response.status_code == 409  # taken: a conflict with what is stored
    assert_error_shape(response.json(), "name", "unique")


def test_patching_a_metric_records_the_change(api, moderator, member, trees):
    url = f"{METRICS}{trees.pk}/"

    assert api(member).patch(url, {"unit": "bushes"}, format="json").status_code == 403
    response = api(moderator).patch(url, {"unit": "saplings"}, format="json")

    assert response.status_code == 200, response.json()
    assert response.json()["unit"] == "saplings"
    assert trees.changes.first().changes == {"unit": ["trees", "saplings"]}
    assert trees.changes.first().changed_by == moderator


def test_patching_a_target_date_without_a_target_is_a_400(api, moderator, group):
    metric = services.metric_define(actor=moderator, group=group, name="Bags", unit="bags")

    response = api(moderator).patch(
        f"{METRICS}{metric.pk}/", {"target_date": "2030-01-01"}, format="json"
    )

    assert response.status_code == 400
    assert_error_shape(response.json(), "target")


def test_i_see_the_metrics_of_my_groups_only(api, group, other_group, member, trees):
    services.metric_define(
        actor=other_group.memberships.get(role="moderator").user,
        group=other_group,
        name="Panels",
        unit="panels",
    )

    response = api(member).get(METRICS)

    names = [row["name"] for row in response.json()["results"]]
    assert names == ["Trees planted"]
    assert api(member).get(f"{METRICS}{trees.pk}/").status_code == 200
