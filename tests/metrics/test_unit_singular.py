"""A metric's unit for one (issue 18, "1 trees"): the unit is typed by people, so the catalogue
cannot give its singular; the metric keeps one, and one helper picks it for an amount."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from metrics import services
from metrics.models import MetricChange, MetricDefinition
from tests.metrics.support import log

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
METRICS = "/api/metrics/"
TOO_LONG = "t" * 31


def words(singular: str = "tree") -> MetricDefinition:
    return MetricDefinition(name="Trees planted", unit="trees", unit_singular=singular)


@pytest.fixture
def one_tree(group, moderator):
    return services.metric_define(
        actor=moderator, group=group, name="Trees planted", unit="trees", unit_singular="tree"
    )


# The helper -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", [1, 1.0, Decimal("1"), Decimal("1.00"), "1", "1.0", Decimal("1.004"), -1]
)
def test_an_amount_that_reads_as_one_takes_the_unit_for_one(value):
    from impact.texts import unit_for_amount

    assert unit_for_amount(value, words()) == "tree"


@pytest.mark.parametrize("value", [0, 2, 1.5, Decimal("0.99"), Decimal("1.01"), "2", None, ""])
def test_any_other_amount_takes_the_unit(value):
    from impact.texts import unit_for_amount

    assert unit_for_amount(value, words()) == "trees"


def test_without_a_unit_for_one_the_unit_is_written_for_one_too():
    from impact.texts import amount_with_unit_text

    kg = MetricDefinition(name="Litter", unit="kg")

    assert amount_with_unit_text(1, kg) == "1 kg"
    assert amount_with_unit_text(Decimal("2.50"), kg) == "2.5 kg"


def test_one_is_read_in_the_readers_language():
    from impact.texts import amount_with_unit_text, unit_for_amount

    with translation.override("de"):
        assert unit_for_amount("1,0", words("Baum")) == "Baum"
        assert unit_for_amount("1,5", words("Baum")) == "trees"
        assert amount_with_unit_text(Decimal("1.5"), words("Baum")) == "1,5 trees"


def test_the_template_filters_write_the_amount_with_its_word():
    template = Template(
        "{% load impact_tags %}{{ one|amount_with_unit:metric }} / {{ two|amount_with_unit:metric }}"
        " / <b>{{ one|amount }}</b> {{ one|amount_unit:metric }}"
    )

    html = template.render(Context({"one": Decimal("1.00"), "two": 2, "metric": words()}))

    assert html == "1 tree / 2 trees / <b>1</b> tree"


def test_a_reflection_prompts_number_line_says_1_tree():
    from groups.meetings.services.reminders import _NumberLines

    lines = _NumberLines()

    assert (
        lines.impact(words(), Decimal("1.00"), Decimal("2")) == "Trees planted: 1 tree (before: 2)"
    )
    assert lines.impact(words(), Decimal("3"), Decimal("1")) == "Trees planted: 3 trees (before: 1)"


# Pages ------------------------------------------------------------------------------------


def test_the_group_pages_week_says_1_tree_and_2_trees(
    signed_in, group, member, one_tree, litter, django_assert_max_num_queries
):
    log(member, group, description="Planted one oak", impacts=[(one_tree, "1"), (litter, "1")])
    log(member, group, description="Planted two birches", impacts=[(one_tree, "2")])
    url = reverse("metrics:group_impact", args=[group.pk]) + "?part=week"
    client = signed_in(member)

    with django_assert_max_num_queries(14):
        response = client.get(url, headers=HTMX)

    html = response.content.decode()
    assert "· 1 tree</span>" in html and "· 2 trees</span>" in html  # the latest actions
    assert "<strong>3</strong> trees" in html  # this week so far
    assert "1 kg" in html and "1 trees" not in html


def test_the_impact_page_says_1_tree_so_far_this_week(
    signed_in, group, member, one_tree, django_assert_max_num_queries
):
    log(member, group, impacts=[(one_tree, "1")])
    url = reverse("metrics:group_impact", args=[group.pk])
    client = signed_in(member)

    with django_assert_max_num_queries(20):
        html = client.get(url).content.decode()

    assert "1 tree in all" in html and "· 1 tree</span>" in html
    assert "1 trees" not in html


def test_an_initiatives_page_says_1_tree_in_its_totals_and_actions(
    signed_in, group, member, moderator, one_tree, django_assert_max_num_queries
):
    from datetime import timedelta

    from django.utils import timezone

    from metrics.services import action_log
    from narratives.services import initiative_create

    today = timezone.localdate()
    initiative = initiative_create(
        actor=moderator,
        group=group,
        title="Plant 300 willows",
        impact="high",
        speed="fast",
        starts_on=today,
        ends_on=today + timedelta(days=200),
    )
    action_log(
        user=member,
        group=group,
        description="Planted a willow",
        happened_on=today,
        effort_minutes=30,
        impacts=[(one_tree.pk, "1")],
        initiative=initiative,
    )
    url = reverse("narratives:initiative_detail", args=[initiative.pk])
    client = signed_in(member)

    with django_assert_max_num_queries(16):
        html = client.get(url).content.decode()

    assert "<dd>1 tree</dd>" in html and "· 1 tree</span>" in html
    assert "1 trees" not in html


# The form, the API and the history --------------------------------------------------------


def metric_data(**overrides) -> dict:
    return {
        "name": "Trees planted",
        "unit": "trees",
        "unit_singular": "tree",
        "direction": "higher",
        "aggregation": "sum",
        "target": "",
        "target_date": "",
        "description": "",
    } | overrides


def test_a_moderator_sets_the_unit_for_one_on_the_metric_form(signed_in, group, moderator):
    client = signed_in(moderator)
    page = client.get(reverse("metrics:metric_list", args=[group.pk])).content.decode()
    assert 'name="unit_singular"' in page and 'maxlength="30"' in page

    response = client.post(reverse("metrics:metric_list", args=[group.pk]), metric_data())

    assert response.status_code == 302
    assert MetricDefinition.objects.get(group=group).unit_singular == "tree"


def test_a_unit_for_one_too_long_is_explained_on_its_field_and_kept(signed_in, group, moderator):
    response = signed_in(moderator).post(
        reverse("metrics:metric_list", args=[group.pk]), metric_data(unit_singular=TOO_LONG)
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["unit_singular"] == ["Keep the unit for one under 30 characters."]
    assert f'value="{TOO_LONG}"' in response.content.decode()
    assert not MetricDefinition.objects.exists()


def test_the_service_strips_and_checks_the_unit_for_one(group, moderator):
    metric = services.metric_define(
        actor=moderator, group=group, name="People", unit="people", unit_singular=" person "
    )
    assert metric.unit_singular == "person"

    with pytest.raises(Exception) as raised:
        services.metric_update(actor=moderator, metric=metric, unit_singular=TOO_LONG)
    assert raised.value.message_dict == {
        "unit_singular": ["Keep the unit for one under 30 characters."]
    }

    services.metric_update(actor=moderator, metric=metric, unit_singular="")
    metric.refresh_from_db()
    assert metric.unit_singular == ""


def test_the_history_names_the_unit_for_one(signed_in, group, moderator, one_tree):
    services.metric_update(actor=moderator, metric=one_tree, unit_singular="sapling")

    change = MetricChange.objects.filter(metric=one_tree).order_by("-pk").first()
    assert change.changes == {"unit_singular": ["tree", "sapling"]}
    assert change.what_changed == ["unit for one"]
    with translation.override("de"):
        assert change.what_changed == ["Einheit in der Einzahl"]


def test_the_api_takes_and_gives_the_unit_for_one(api, group, moderator):
    payload = {"group": group.pk, "name": "People", "unit": "people", "unit_singular": "person"}

    response = api(moderator).post(METRICS, payload, format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["unit_singular"] == "person"
    assert MetricDefinition.objects.get(pk=response.json()["id"]).unit_singular == "person"


def test_the_api_explains_a_unit_for_one_too_long(api, group, moderator):
    payload = {"group": group.pk, "name": "People", "unit": "people", "unit_singular": TOO_LONG}

    response = api(moderator).post(METRICS, payload, format="json")

    assert response.status_code == 400
    assert response.json()["fields"] == {
        "unit_singular": ["Keep the unit for one under 30 characters."]
    }


def test_a_shared_metric_and_its_adoption_keep_the_unit_for_one(
    signed_in, group, moderator, network, organizer
):
    response = signed_in(organizer).post(
        reverse("metrics:network_leaderboard", args=[network.slug]),
        {
            "name": "Neighbours involved",
            "unit": "people",
            "unit_singular": "person",
            "direction": "higher",
            "aggregation": "sum",
        },
    )
    assert response.status_code == 302
    shared = MetricDefinition.objects.get(network=network)

    adopted = services.metric_adopt(actor=moderator, group=group, network_metric=shared)

    assert (shared.unit_singular, adopted.unit_singular) == ("person", "person")


def test_a_spin_out_copies_the_unit_for_one(group, other_group, one_tree):
    services.copy_metrics_to_spin_out(group, other_group)

    assert MetricDefinition.objects.get(group=other_group).unit_singular == "tree"


# The migration ----------------------------------------------------------------------------


def test_the_migration_adds_the_column_blank_for_existing_metrics(group, moderator, one_tree):
    # Django's foreign keys are checked at commit: fire those checks now, as a table with
    # pending checks cannot be altered.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    def columns() -> set[str]:
        with connection.cursor() as cursor:
            table = connection.introspection.get_table_description(
                cursor, "metrics_metricdefinition"
            )
        return {column.name for column in table}

    executor = MigrationExecutor(connection)
    executor.migrate([("metrics", "0007_client_key")])
    assert "unit_singular" not in columns()

    executor = MigrationExecutor(connection)
    executor.migrate([("metrics", "0008_metric_unit_singular")])

    assert "unit_singular" in columns()
    one_tree.refresh_from_db()
    assert one_tree.unit_singular == ""
