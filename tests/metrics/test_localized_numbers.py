"""Numbers follow the language, input included (issue #19): a German member types 2,5 and gets
2.5, sees 2,5 back in the form, and the API keeps its machine form whatever the language."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from metrics.forms import ActionForm, MeasurementForm, MetricForm
from metrics.models import Action, Measurement
from metrics.services import parse_value
from tests.metrics.support import log, today_for
from tests.metrics.test_views import input_value, metric_data, quick_log_data, quick_log_url

pytestmark = pytest.mark.django_db

GERMAN = {"Accept-Language": "de"}


@pytest.fixture(autouse=True)
def bilingual(settings):
    settings.LANGUAGES = [("en", "English"), ("de", "Deutsch"), ("es", "Español")]


def edit_url(action) -> str:
    return reverse("metrics:action_edit", args=[action.pk])


# The one rule ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "typed", "value"),
    [
        # Either mark is the decimal mark, in every language.
        ("en", "2.5", "2.50"),
        ("en", "2,5", "2.50"),
        ("de", "2,5", "2.50"),
        ("de", "2.5", "2.50"),
        ("es", "-3,75", "-3.75"),
        # The language's thousands separator, where it can only be one.
        ("en", "1,250.5", "1250.50"),
        ("de", "1.250,5", "1250.50"),
        ("es", "1.250.000", "1250000.00"),
        ("de", "12.500,00", "12500.00"),
        ("de", "1 250", "1250.00"),
        ("de", "0.250", "0.25"),  # 0 is never a group of thousands
        # The other language's grouping is a decimal mark here.
        ("de", "1,250", "1.25"),
        ("en", "1.250", "1.25"),
    ],
)
def test_a_typed_value_is_read_the_same_way_everywhere(language, typed, value):
    with translation.override(language):
        assert parse_value(typed) == Decimal(value)


@pytest.mark.parametrize(
    ("language", "typed", "message"),
    [
        ("de", "1.250", ["1250", "1,25"]),
        ("es", "-1.250", ["-1250", "-1,25"]),
        ("en", "1,250", ["Did you mean 1250 or 1.25?"]),
    ],
)
def test_a_single_group_of_thousands_is_asked_about_not_guessed(language, typed, message):
    with translation.override(language), pytest.raises(ValidationError) as caught:
        parse_value(typed)
    for part in message:
        assert part in caught.value.message_dict["value"][0]


def test_a_mixed_up_number_is_refused_with_the_usual_message():
    with translation.override("de"), pytest.raises(ValidationError) as caught:
        parse_value("1,250.5")
    assert caught.value.message_dict["value"] == ["Gib eine Zahl ein, zum Beispiel 12 oder 3,5."]


def test_a_machine_value_is_never_read_as_grouped():
    # The API hands the services Decimals: 1.250 is one and a quarter in any language.
    with translation.override("de"):
        assert parse_value(Decimal("1.250")) == Decimal("1.25")
        assert parse_value(3) == Decimal("3.00")


# The forms ---------------------------------------------------------------------------------


def test_every_value_field_is_a_text_input_with_a_decimal_keypad(trees):
    fields = [
        ActionForm(metrics=[trees]).fields[f"impact_{trees.pk}"],
        MeasurementForm().fields["value"],
        MetricForm().fields["target"],
    ]
    for field in fields:
        html = field.widget.render("x", Decimal("2.5"))
        assert 'type="text"' in html and 'inputmode="decimal"' in html, html


def test_values_and_days_in_a_german_form_read_back_as_they_are_written(trees):
    with translation.override("de"):
        form = ActionForm(
            metrics=[trees],
            initial={f"impact_{trees.pk}": Decimal("1250.50"), "happened_on": date(2025, 3, 12)},
        )
        html = form.as_div()
    assert input_value(html, f"impact_{trees.pk}") == "1250,5"
    # A date input takes ISO in every language (the browser shows it its own way).
    assert input_value(html, "happened_on") == "2025-03-12"


# The pages, in German ----------------------------------------------------------------------


def test_a_german_member_logs_2_comma_5_and_sees_it_so(client, group, member, trees):
    client.force_login(member)

    response = client.post(
        quick_log_url(group), quick_log_data(member, trees, "2,5"), headers=GERMAN
    )

    assert response.status_code == 302
    action = Action.objects.get()
    assert action.measurements.get().value == Decimal("2.5")
    impact = client.get(reverse("metrics:group_impact", args=[group.pk]), headers=GERMAN)
    html = impact.content.decode()
    assert 'lang="de"' in html
    assert "2,5 trees" in html and "2.5 trees" not in html
    edit = client.get(edit_url(action), headers=GERMAN).content.decode()
    assert input_value(edit, f"impact_{trees.pk}") == "2,5"
    assert input_value(edit, "happened_on") == today_for(member).isoformat()


def test_a_member_who_chose_german_saves_an_edit_unchanged(client, group, member, trees):
    member.language = "de"
    member.save()
    action = log(member, group, effort=45, impacts=[(trees, "2.5")])
    client.force_login(member)
    page = client.get(edit_url(action)).content.decode()
    shown = {
        name: input_value(page, name)
        for name in ("description", "happened_on", "effort_minutes", f"impact_{trees.pk}")
    }
    assert shown[f"impact_{trees.pk}"] == "2,5"

    # What the form showed is sent straight back: nothing fails, nothing changes.
    response = client.post(edit_url(action), shown | {"notes": ""})

    assert response.status_code == 302
    assert action.measurements.get().value == Decimal("2.50")


def test_a_german_group_of_thousands_stays_in_the_form_with_a_question(
    client, group, member, trees
):
    client.force_login(member)

    response = client.post(
        quick_log_url(group), quick_log_data(member, trees, "1.250"), headers=GERMAN
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "1250" in html and "1,25" in html  # did you mean 1250 or 1,25?
    assert input_value(html, f"impact_{trees.pk}") == "1.250"  # as typed
    assert not Action.objects.exists()


def test_a_german_moderator_sets_a_target_of_12_comma_5(client, group, moderator, trees):
    url = reverse("metrics:metric_edit", args=[group.pk, trees.pk])
    client.force_login(moderator)
    assert input_value(client.get(url, headers=GERMAN).content.decode(), "target") == "100"

    response = client.post(
        url, metric_data(name="Trees planted", unit="trees", target="12,5"), headers=GERMAN
    )

    assert response.status_code == 302
    trees.refresh_from_db()
    assert trees.target == Decimal("12.50")
    assert input_value(client.get(url, headers=GERMAN).content.decode(), "target") == "12,5"


def test_a_german_member_logs_a_measurement_of_8_comma_5(client, group, member, trees):
    client.force_login(member)
    data = {"metric": trees.pk, "value": "8,5", "measured_on": today_for(member).isoformat()}

    response = client.post(
        reverse("metrics:measurement_create", args=[group.pk]), data, headers=GERMAN
    )

    assert response.status_code == 302
    assert Measurement.objects.get().value == Decimal("8.50")


def test_in_english_a_point_works_and_a_comma_is_a_decimal_mark_too(client, group, member, trees):
    client.force_login(member)

    for typed in ("2.5", "2,5"):
        response = client.post(quick_log_url(group), quick_log_data(member, trees, typed))
        assert response.status_code == 302

    values = Measurement.objects.values_list("value", flat=True)
    assert list(values) == [Decimal("2.50"), Decimal("2.50")]
    edit = client.get(edit_url(Action.objects.first())).content.decode()
    assert input_value(edit, f"impact_{trees.pk}") == "2.5"


# The API keeps machine values --------------------------------------------------------------


def test_the_api_keeps_its_machine_form_in_german(api, group, member, trees):
    payload = {
        "group": group.pk,
        "description": "Planted oaks",
        "happened_on": today_for(member).isoformat(),
        "effort_minutes": 40,
        "impacts": [{"metric": trees.pk, "value": "2.5"}],
    }
    client = api(member)

    response = client.post("/api/actions/", payload, format="json", headers=GERMAN)

    assert response.status_code == 201, response.json()
    assert response.json()["measurements"][0]["value"] == "2.50"
    listed = client.get("/api/actions/", headers=GERMAN).json()
    assert listed["results"][0]["measurements"][0]["value"] == "2.50"
    # A typed, localized value is not the API's form, in German too.
    payload["impacts"][0]["value"] = "2,5"
    refused = client.post("/api/actions/", payload, format="json", headers=GERMAN)
    assert refused.status_code == 400
