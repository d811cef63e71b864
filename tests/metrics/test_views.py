"""Pages: the quick log (with and without htmx), impact, edits, metrics, leaderboard, exports."""

import csv
import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.http import StreamingHttpResponse
from django.urls import reverse

from groups import services as group_services
from metrics import services
from metrics.exports import HEADER
from metrics.models import Action, EntryRevision, GroupRanking, Measurement, MetricDefinition
from tests.metrics.support import bulk_log, log, today_for

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def quick_log_url(group) -> str:
    return reverse("metrics:action_create", args=[group.pk])


def quick_log_data(person, metric=None, value="", **overrides) -> dict:
    data = {
        "description": "Planted oaks by the bridge",
        "happened_on": today_for(person).isoformat(),
        "effort_minutes": "45",
    }
    if metric is not None:
        data[f"impact_{metric.pk}"] = value
    return data | overrides


def input_value(html: str, name: str) -> str | None:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert tag, f"no input named {name}"
    value = re.search(r'value="([^"]*)"', tag.group(0))
    return value.group(1) if value else None


# The quick log ---------------------------------------------------------------------------


def test_quick_log_without_javascript_redirects_to_the_group_with_a_message(
    signed_in, group, member, trees
):
    client = signed_in(member)

    response = client.post(quick_log_url(group), quick_log_data(member, trees, "12"))

    assert response.status_code == 302
    assert response.url == group.get_absolute_url()
    action = Action.objects.get()
    assert (action.user, action.effort_minutes) == (member, 45)
    assert action.measurements.get().value == Decimal("12.00")
    assert "Logged: Planted oaks by the bridge" in client.get(response.url).content.decode()


def test_quick_log_with_htmx_answers_with_a_fresh_form_and_tells_the_page(
    signed_in, group, member, trees
):
    client = signed_in(member)

    response = client.post(
        quick_log_url(group), quick_log_data(member, trees, "12,5"), headers=HTMX
    )

    assert response.status_code == 200
    assert response["HX-Trigger"] == "impact-logged"
    html = response.content.decode()
    assert "<html" not in html  # the partial only
    assert 'role="status"' in html and "Logged: Planted oaks by the bridge" in html
    assert input_value(html, "description") is None  # the form starts afresh
    assert input_value(html, f"impact_{trees.pk}") is None
    assert input_value(html, "happened_on") == today_for(member).isoformat()
    assert Measurement.objects.get().value == Decimal("12.50")


@pytest.mark.parametrize("typed", ["twelve", "NaN", "1e99", "12.5.1"])
def test_a_bad_value_is_explained_next_to_its_field_and_stays_in_the_form(
    signed_in, group, member, trees, typed
):
    client = signed_in(member)

    response = client.post(quick_log_url(group), quick_log_data(member, trees, typed), headers=HTMX)

    assert response.status_code == 200
    assert "HX-Trigger" not in response
    html = response.content.decode()
    field = f"impact_{trees.pk}"
    assert input_value(html, field) == typed
    assert f'id="id_{field}_error"' in html  # the message belongs to that field
    assert 'aria-invalid="true"' in html
    assert re.search(r"Enter a number|too large", html)
    assert input_value(html, "description") == "Planted oaks by the bridge"
    assert not Action.objects.exists()


def test_a_day_in_the_future_is_explained_on_the_day_field(signed_in, group, member):
    client = signed_in(member)
    tomorrow = (today_for(member) + timedelta(days=1)).isoformat()

    response = client.post(
        quick_log_url(group), quick_log_data(member, happened_on=tomorrow), headers=HTMX
    )

    html = response.content.decode()
    assert 'id="id_happened_on_error"' in html and "in the future" in html
    assert input_value(html, "happened_on") == tomorrow
    assert not Action.objects.exists()


def test_someone_in_the_network_but_not_in_the_group_gets_403(signed_in, group, outsider):
    client = signed_in(outsider)

    assert client.get(quick_log_url(group)).status_code == 403
    assert client.post(quick_log_url(group), quick_log_data(outsider)).status_code == 403
    assert not Action.objects.exists()


def test_an_outsider_of_a_private_network_does_not_learn_the_group_exists(
    signed_in, private_group, outsider
):
    client = signed_in(outsider)

    assert client.get(quick_log_url(private_group)).status_code == 404
    assert client.post(quick_log_url(private_group), quick_log_data(outsider)).status_code == 404
    impact = reverse("metrics:group_impact", args=[private_group.pk])
    assert client.get(impact).status_code == 404


def test_someone_signed_out_is_sent_to_sign_in(client, group):
    response = client.get(quick_log_url(group))

    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_the_quick_log_page_works_without_javascript(
    signed_in, group, member, trees, django_assert_max_num_queries
):
    client = signed_in(member)

    with django_assert_max_num_queries(8):
        response = client.get(quick_log_url(group))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'method="post"' in html and f'name="impact_{trees.pk}"' in html
    assert 'inputmode="decimal"' in html


# The impact page --------------------------------------------------------------------------


@pytest.mark.parametrize("actions", [5, 200])
def test_the_impact_page_draws_a_chart_and_a_table_per_metric_in_few_queries(
    signed_in,
    group,
    moderator,
    member,
    trees,
    litter,
    roofs,
    django_assert_max_num_queries,
    actions,
):
    bulk_log(group, [moderator, member], actions, metrics=[trees, litter, roofs], days=80)
    client = signed_in(member)

    with django_assert_max_num_queries(16):
        response = client.get(reverse("metrics:group_impact", args=[group.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('<div class="chart" role="img"') == 3  # one chart per metric
    assert html.count('<table class="table">') == 3
    assert "Show as a table" in html
    assert "Trees planted" in html and "Roofs with solar" in html


def test_a_logged_value_shows_in_the_charts_table_view(signed_in, group, member, trees):
    log(member, group, impacts=[(trees, "17")])
    client = signed_in(member)

    response = client.get(reverse("metrics:group_impact", args=[group.pk]), headers=HTMX)

    html = response.content.decode()
    assert "<html" not in html and 'id="impact"' in html
    table = html[html.index("<tbody>", html.index("Trees planted")) :]
    assert "<td>17</td>" in table[: table.index("</tbody>")]
    assert "17 of 100 trees (17% of the target)" in html
    assert ": 1 action, 30 minutes of effort." in html


def test_the_group_pages_week_shows_each_metric_so_far_and_the_latest_actions(
    signed_in, group, member, trees, litter, django_assert_max_num_queries
):
    bulk_log(group, [member], 30, metrics=[trees, litter], days=20)
    log(member, group, description="Planted by the mill", impacts=[(trees, "7")])
    client = signed_in(member)
    url = reverse("metrics:group_impact", args=[group.pk]) + "?part=week"

    with django_assert_max_num_queries(14):
        response = client.get(url, headers=HTMX)

    html = response.content.decode()
    assert "<html" not in html and "Latest actions" in html
    current = Measurement.objects.filter(metric=trees).aggregate(total=Sum("value"))["total"]
    assert f"{current.normalize():f} of 100 (100%)" in html  # the progress to the target
    assert html.count("<li><strong>") == 3  # the three latest actions
    assert "Planted by the mill" in html
    assert "Charts, who did what and every action" in html


def test_the_impact_page_is_for_members_and_organizers(signed_in, group, organizer, outsider):
    url = reverse("metrics:group_impact", args=[group.pk])

    assert signed_in(organizer).get(url).status_code == 200
    assert signed_in(outsider).get(url).status_code == 403


# Editing and deleting actions -------------------------------------------------------------


@pytest.fixture
def logged(group, member, trees):
    return log(member, group, effort=30, description="Watered trees", impacts=[(trees, 3)])


def edit_url(action) -> str:
    return reverse("metrics:action_edit", args=[action.pk])


def test_the_author_edits_an_action_and_sees_the_history(
    signed_in, group, member, trees, logged, django_assert_max_num_queries
):
    client = signed_in(member)
    data = quick_log_data(member, trees, "5", description="Watered all the trees", notes="**Hot**")

    response = client.post(edit_url(logged), data)

    assert response.status_code == 302
    assert response.url == reverse("metrics:group_impact", args=[group.pk])
    logged.refresh_from_db()
    assert (logged.description, logged.effort_minutes, logged.notes) == (
        "Watered all the trees",
        45,
        "**Hot**",
    )
    assert logged.measurements.get().value == Decimal("5.00")
    with django_assert_max_num_queries(10):
        page = client.get(edit_url(logged))
    html = page.content.decode()
    assert "History" in html and "Watered trees" in html
    # The stored 5.00 as typed, without trailing zeros (2,5 in German: test_localized_numbers).
    assert input_value(html, f"impact_{trees.pk}") == "5"


def test_a_moderator_corrects_an_action_and_is_told_it_is_someone_elses(
    signed_in, moderator, member, logged
):
    client = signed_in(moderator)

    page = client.get(edit_url(logged))
    assert "You are correcting an entry by Meri Member" in page.content.decode()
    response = client.post(edit_url(logged), quick_log_data(member, effort_minutes="20"))

    assert response.status_code == 302
    assert EntryRevision.objects.get(entry_id=logged.pk).editor == moderator


def test_another_member_may_not_edit_or_delete_an_action(signed_in, other_member, logged):
    client = signed_in(other_member)

    assert client.get(edit_url(logged)).status_code == 403
    assert client.post(edit_url(logged), quick_log_data(other_member)).status_code == 403
    delete = reverse("metrics:action_delete", args=[logged.pk])
    assert client.post(delete).status_code == 403
    assert Action.objects.filter(pk=logged.pk).exists()


def test_an_outsider_of_a_private_network_gets_404_for_its_actions(
    signed_in, private_group, outsider
):
    person = private_group.memberships.filter(role="member").first().user
    action = log(person, private_group)

    assert signed_in(outsider).get(edit_url(action)).status_code == 404


def test_the_author_deletes_an_action(signed_in, group, member, logged):
    client = signed_in(member)

    response = client.post(reverse("metrics:action_delete", args=[logged.pk]))

    assert response.status_code == 302
    assert not Action.objects.exists() and not Measurement.objects.exists()
    assert EntryRevision.objects.get(entry_id=logged.pk).operation == "delete"


def test_deleting_needs_a_post(signed_in, member, logged):
    response = signed_in(member).get(reverse("metrics:action_delete", args=[logged.pk]))

    assert response.status_code == 405


# Metrics, adoption and ranking ------------------------------------------------------------


def metric_data(**overrides) -> dict:
    return {
        "name": "Bags of litter",
        "unit": "bags",
        "direction": "higher",
        "aggregation": "sum",
        "target": "",
        "target_date": "",
        "description": "",
    } | overrides


@pytest.mark.parametrize("metrics", [1, 12])
def test_the_metric_list_shows_each_metric_with_its_history_in_few_queries(
    signed_in, group, moderator, network, organizer, django_assert_max_num_queries, metrics
):
    for n in range(metrics):
        metric = services.metric_define(actor=moderator, group=group, name=f"M{n}", unit="u")
        services.metric_update(actor=moderator, metric=metric, unit="units")
    services.network_metric_define(actor=organizer, network=network, name="Shared", unit="p")
    client = signed_in(moderator)

    with django_assert_max_num_queries(12):
        response = client.get(reverse("metrics:metric_list", args=[group.pk]))

    html = response.content.decode()
    assert html.count('class="card metric-card"') == metrics
    assert "Add a metric" in html and "Adopt" in html and "Log a value on its own" in html


def test_a_metrics_history_names_what_changed_in_the_readers_language(signed_in, group, moderator):
    metric = services.metric_define(actor=moderator, group=group, name="Trees", unit="trees")
    services.metric_update(actor=moderator, metric=metric, unit="saplings", target="40")
    moderator.language = "de"
    moderator.save()

    html = signed_in(moderator).get(reverse("metrics:metric_list", args=[group.pk]))
    history = html.content.decode().split('class="plain-list small"')[1].split("</ul>")[0]

    assert "angelegt" in history and "Einheit, Ziel" in history
    assert "created" not in history and "unit" not in history


def test_a_moderator_adds_a_metric(signed_in, group, moderator):
    response = signed_in(moderator).post(
        reverse("metrics:metric_list", args=[group.pk]), metric_data(target="50")
    )

    assert response.status_code == 302
    metric = MetricDefinition.objects.get(group=group)
    assert (metric.name, metric.target) == ("Bags of litter", Decimal("50.00"))
    assert metric.changes.get().changed_by == moderator


def test_a_duplicate_metric_name_is_explained_on_the_form(signed_in, group, moderator, trees):
    response = signed_in(moderator).post(
        reverse("metrics:metric_list", args=[group.pk]), metric_data(name="TREES PLANTED")
    )

    assert response.status_code == 200
    assert "already measures a metric with that name" in response.content.decode()
    assert MetricDefinition.objects.filter(group=group).count() == 1


def test_a_plain_member_sees_the_metrics_but_cannot_change_them(
    signed_in, group, member, trees, network, organizer
):
    shared = services.network_metric_define(
        actor=organizer, network=network, name="Shared", unit="p"
    )
    client = signed_in(member)

    page = client.get(reverse("metrics:metric_list", args=[group.pk])).content.decode()
    assert "Trees planted" in page and "Add a metric" not in page and "Adopt" not in page
    urls = [
        reverse("metrics:metric_list", args=[group.pk]),
        reverse("metrics:metric_edit", args=[group.pk, trees.pk]),
        reverse("metrics:metric_archive", args=[group.pk, trees.pk]),
        reverse("metrics:metric_adopt", args=[group.pk, shared.pk]),
        reverse("metrics:group_ranking", args=[group.pk]),
    ]
    for url in urls:
        assert client.post(url, metric_data() | {"ranked": "0"}).status_code == 403, url
    assert client.get(urls[1]).status_code == 403
    assert MetricDefinition.objects.filter(group=group).count() == 1
    assert not GroupRanking.objects.exists()


def test_a_moderator_edits_a_metric_and_the_change_is_recorded(signed_in, group, moderator, trees):
    url = reverse("metrics:metric_edit", args=[group.pk, trees.pk])
    client = signed_in(moderator)
    assert client.get(url).status_code == 200

    response = client.post(url, metric_data(name="Trees planted", unit="trees", target="250"))

    assert response.status_code == 302
    trees.refresh_from_db()
    assert trees.target == Decimal("250.00")
    assert trees.changes.first().changes == {"target": ["100.00", "250.00"]}


def test_a_moderator_archives_a_metric(signed_in, group, moderator, trees):
    response = signed_in(moderator).post(
        reverse("metrics:metric_archive", args=[group.pk, trees.pk])
    )

    assert response.status_code == 302
    trees.refresh_from_db()
    assert trees.archived_at is not None
    edit = reverse("metrics:metric_edit", args=[group.pk, trees.pk])
    assert signed_in(moderator).get(edit).status_code == 404


def test_a_moderator_adopts_a_shared_metric_once(signed_in, group, moderator, network, organizer):
    shared = services.network_metric_define(
        actor=organizer, network=network, name="Neighbours involved", unit="people"
    )
    client = signed_in(moderator)
    url = reverse("metrics:metric_adopt", args=[group.pk, shared.pk])

    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 302

    assert MetricDefinition.objects.get(group=group).source == shared
    page = client.get(reverse("metrics:metric_list", args=[group.pk])).content.decode()
    assert "Adopt" not in page


def test_adopting_a_shared_metric_whose_name_is_taken_explains_why(
    signed_in, group, moderator, network, organizer, trees
):
    shared = services.network_metric_define(
        actor=organizer, network=network, name="Trees planted", unit="trees"
    )
    client = signed_in(moderator)

    response = client.post(reverse("metrics:metric_adopt", args=[group.pk, shared.pk]), follow=True)

    assert response.status_code == 200
    assert "already measures a metric with that name" in response.content.decode()
    assert MetricDefinition.objects.filter(group=group).count() == 1


def test_a_moderator_takes_the_group_off_the_leaderboard(signed_in, group, moderator):
    client = signed_in(moderator)
    url = reverse("metrics:group_ranking", args=[group.pk])

    client.post(url, {"ranked": "0"})
    assert GroupRanking.objects.get(group=group).ranked is False
    page = client.get(reverse("metrics:metric_list", args=[group.pk])).content.decode()
    assert "Show it on the leaderboard" in page

    client.post(url, {"ranked": "1"})
    assert GroupRanking.objects.get(group=group).ranked is True


def test_a_member_logs_a_value_on_its_own(signed_in, group, member, trees):
    client = signed_in(member)
    url = reverse("metrics:measurement_create", args=[group.pk])
    data = {"metric": trees.pk, "value": "8", "measured_on": today_for(member).isoformat()}

    assert client.post(url, data).status_code == 302
    assert Measurement.objects.get().value == Decimal("8.00")

    response = client.post(url, data | {"value": "lots"}, follow=True)
    assert "Enter a number" in response.content.decode()
    assert Measurement.objects.count() == 1


# The leaderboard --------------------------------------------------------------------------


@pytest.mark.parametrize("actions", [5, 200])
def test_the_leaderboard_page_compares_groups_in_few_queries(
    signed_in,
    network,
    organizer,
    group,
    other_group,
    member,
    django_assert_max_num_queries,
    actions,
):
    shared = services.network_metric_define(
        actor=organizer, network=network, name="Neighbours involved", unit="people"
    )
    for crew in (group, other_group):
        metric = services.metric_adopt(actor=organizer, group=crew, network_metric=shared)
        people = [m.user for m in crew.memberships.all()]
        bulk_log(crew, people, actions, metrics=[metric], start=today_for(member), days=50)
    client = signed_in(member)

    # Nothing kept yet: every group's row is rendered, in one set of queries for all.
    with django_assert_max_num_queries(10):
        response = client.get(reverse("metrics:network_leaderboard", args=[network.slug]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "River Crew" in html and "Solar Crew" in html
    assert "Add a shared metric" not in html


def test_an_organizer_shares_a_metric_from_the_leaderboard(signed_in, network, organizer, member):
    url = reverse("metrics:network_leaderboard", args=[network.slug])

    response = signed_in(organizer).post(url, metric_data(name="Neighbours involved"))

    assert response.status_code == 302
    assert MetricDefinition.objects.get(network=network).name == "Neighbours involved"
    assert signed_in(member).post(url, metric_data(name="Other")).status_code == 403


def test_the_leaderboard_of_a_private_network_is_hidden_from_outsiders(
    signed_in, private_group, outsider
):
    url = reverse("metrics:network_leaderboard", args=[private_group.network.slug])

    assert signed_in(outsider).get(url).status_code == 404


# My week ----------------------------------------------------------------------------------


@pytest.mark.parametrize("actions", [5, 200])
def test_my_week_shows_my_numbers_and_the_quick_log_in_few_queries(
    signed_in, group, member, trees, django_assert_max_num_queries, actions
):
    bulk_log(group, [member], actions, metrics=[trees], start=today_for(member), days=14)
    client = signed_in(member)

    with django_assert_max_num_queries(8):
        response = client.get(reverse("metrics:member_week"), headers=HTMX)

    html = response.content.decode()
    assert "My week" in html and 'id="quick-log"' in html
    assert "Trees planted" in html


def test_the_home_page_loads_my_week(signed_in, group, member):
    html = signed_in(member).get("/").content.decode()

    assert f'hx-get="{reverse("metrics:member_week")}"' in html


def test_my_week_switches_the_quick_log_to_another_of_my_groups(
    signed_in, group, other_group, member
):
    group_services.group_join(user=member, group=other_group, statement="Me too, on roofs.")
    client = signed_in(member)

    response = client.get(reverse("metrics:member_week"), {"group": other_group.pk}, headers=HTMX)

    html = response.content.decode()
    assert quick_log_url(other_group) in html and "My week" not in html


# CSV exports ------------------------------------------------------------------------------


def read_csv(response) -> list[list[str]]:
    assert isinstance(response, StreamingHttpResponse)
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


@pytest.mark.parametrize("actions", [5, 200])
def test_a_moderator_exports_the_groups_log_as_streamed_csv(
    signed_in, group, moderator, member, trees, django_assert_max_num_queries, actions
):
    bulk_log(group, [moderator, member], actions, metrics=[trees])
    services.measurement_log(
        user=member, group=group, metric=trees, value=3, measured_on=today_for(member)
    )
    client = signed_in(moderator)

    with django_assert_max_num_queries(7):
        response = client.get(reverse("metrics:group_export", args=[group.pk]))
        rows = read_csv(response)

    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert rows[0] == HEADER
    assert [row[0] for row in rows[1:]].count("action") == actions
    assert [row[0] for row in rows[1:]].count("measurement") == actions + 1
    assert len(rows) == 1 + 2 * actions + 1


def test_a_plain_member_cannot_export_the_groups_log(signed_in, group, member):
    response = signed_in(member).get(reverse("metrics:group_export", args=[group.pk]))

    assert response.status_code == 403


def test_my_export_has_only_my_rows(signed_in, group, member, other_member, trees):
    mine = log(member, group, description="Mine", impacts=[(trees, 2)])
    log(other_member, group, description="Theirs", impacts=[(trees, 9)])

    rows = read_csv(signed_in(member).get(reverse("metrics:my_export")))

    assert rows[0] == HEADER
    assert [(row[0], row[1]) for row in rows[1:]] == [
        ("action", str(mine.pk)),
        ("measurement", str(mine.measurements.get().pk)),
    ]
    assert {row[4] for row in rows[1:]} == {"Meri Member"}


@pytest.mark.parametrize("text", ['=HYPERLINK("http://evil")', "+1+2", "-2+3", "@SUM(A1)"])
def test_a_cell_that_a_spreadsheet_would_run_as_a_formula_is_neutralised(
    signed_in, group, member, text
):
    log(member, group, description=text)

    rows = read_csv(signed_in(member).get(reverse("metrics:my_export")))

    assert rows[1][5] == "'" + text
