"""The benchmark's large data seeds on the current schema (its raw SQL names every column a
constraint requires), shown here at a small size."""

import io

import pytest
from django.db import connection

from impact import demo_large
from metrics.models import Action, Measurement

pytestmark = pytest.mark.django_db


@pytest.fixture
def small(monkeypatch):
    sizes = {
        "NETWORKS": 2,
        "GROUPS_PER_NETWORK": 3,
        "MEMBERS_PER_GROUP": 5,
        "USERS": 40,
        "ACTIONS": 60,
        "MEASUREMENTS": 20,
        "BUSY_GROUP_ACTIONS": 20,
        "DAYS": 30,
    }
    for name, value in sizes.items():
        monkeypatch.setattr(demo_large, name, value)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the large data is for PostgreSQL")
@pytest.mark.usefixtures("small")
def test_the_large_data_seeds_and_seeds_once():
    out = io.StringIO()

    demo_large.seed_large(stdout=out)
    demo_large.seed_large(stdout=out)

    assert Action.objects.count() == 60
    assert Measurement.objects.count() == 20
    assert set(Measurement.objects.values_list("client_key", flat=True)) == {""}
    assert "already there" in out.getvalue()
