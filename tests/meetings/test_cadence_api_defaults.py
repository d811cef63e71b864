"""PUT /api/groups/{id}/cadence/ with only what the schema requires (found by the API fuzzing
in the SQLite pass: a cadence without a time zone was a 500)."""

import pytest

from groups.meetings.models import Cadence

pytestmark = pytest.mark.django_db


def test_a_cadence_without_a_time_zone_takes_the_models_default(group, moderator, api):
    url = f"/api/groups/{group.pk}/cadence/"
    required = {"weekdays": [2], "start_time": "18:30", "reminder_offsets": [60]}

    response = api(moderator).put(url, required, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["time_zone"] == "UTC"
    assert Cadence.objects.get(group=group).time_zone == "UTC"


def test_a_cadence_without_weekdays_is_a_field_error(group, moderator, api):
    url = f"/api/groups/{group.pk}/cadence/"

    response = api(moderator).put(
        url, {"reminder_offsets": [], "start_time": "00:00:00Z", "weekdays": []}, format="json"
    )

    assert response.status_code == 400, response.content
    assert "weekdays" in response.json()["fields"]
