"""Download my data: a zip of everything the person wrote and everything about them."""

import gc
import tracemalloc

import pytest
from django.urls import reverse
from django.utils import timezone

from metrics.exports.personal import personal_tables
from metrics.models import Action
from tests.exports.conftest import Export, download

pytestmark = pytest.mark.django_db

URL = reverse("metrics:my_data_export")


def test_the_zip_holds_each_kind_as_csv_and_json_and_a_readme_naming_them(lives, member, signed_in):
    export = download(signed_in(member), URL)

    tables = [table.name for table in personal_tables(member)]
    assert export.names == [
        "README.txt",
        *[f"{kind}/{name}.{kind}" for name in tables for kind in ("csv", "json")],
    ]
    for table in personal_tables(member):
        assert f"csv/{table.name}.csv, json/{table.name}.json" in export.readme
        csv_rows, json_rows = export.csv(table.name), export.json(table.name)
        assert len(csv_rows) == len(json_rows), table.name
        assert all(list(row) == table.header for row in csv_rows + json_rows), table.name


def test_it_holds_what_the_person_wrote_and_what_is_about_them(lives, member, signed_in):
    export = download(signed_in(member), URL)

    assert [p["display_name"] for p in export.json("profile")] == ["Meri Member"]
    assert [m["group"] for m in export.json("memberships")] == ["River Crew"]
    history = export.json("membership_history")
    assert any(e["verb"] == "member.joined" and e["target"] == "Meri Member" for e in history)
    (action,) = export.json("actions")
    assert action["notes"] == "Planted oaks by the bridge."
    assert [(m["metric"], m["value"]) for m in export.json("measurements")] == [("Trees", "4.00")]
    (reflection,) = export.json("reflections")
    assert (reflection["learned"], reflection["excited"], reflection["stuck"]) == (
        "Roots need water",
        4,
        2,
    )
    assert reflection["share_pulse"] is False
    assert [(r["rsvp"], r["attended"]) for r in export.json("rsvps")] == [("yes", True)]
    assert [n["description"] for n in export.json("next_actions")] == ["Order more saplings"]
    assert [h["summary"] for h in export.json("help_requests")] == ["Stuck on permits"]
    assert [q["text"] for q in export.json("questions")] == ["How do we reach the school?"]
    assert "Welcome to the river" in {n["title"] for n in export.json("notifications")}


def test_it_holds_nothing_of_anyone_else(lives, member, signed_in):
    export = download(signed_in(member), URL)

    everything = "".join(export.zip.read(name).decode() for name in export.names[1:])
    assert "Friend's walk" not in everything
    assert "Spades are heavy" not in everything
    assert "Ask the council" not in everything  # the moderator's help, not hers
    assert "Fia Friend" not in everything


def test_csv_cells_that_would_run_as_formulas_are_guarded_and_json_keeps_the_text(
    lives, member, signed_in
):
    export = download(signed_in(member), URL)

    assert export.csv("actions")[0]["description"] == '\'=HYPERLINK("http://evil.example")'
    assert export.json("actions")[0]["description"] == '=HYPERLINK("http://evil.example")'


def test_the_readme_is_in_the_persons_language(lives, member, signed_in):
    member.language = "de"
    member.save(update_fields=["language"])

    export = download(signed_in(member), URL)

    assert "Deine Daten: Meri Member" in export.readme
    assert "csv/actions.csv, json/actions.json" in export.readme


def test_the_number_of_queries_does_not_grow_with_the_rows(
    lives, member, group, signed_in, django_assert_max_num_queries
):
    client = signed_in(member)
    tables = len(personal_tables(member))
    # Two reads per table (CSV and JSON) and the request's own few.
    with django_assert_max_num_queries(2 * tables + 6):
        download(client, URL)
    Action.objects.bulk_create(
        Action(
            group=group,
            user=member,
            description=f"Walk {n}",
            happened_on=timezone.localdate(),
            effort_minutes=10,
        )
        for n in range(50)
    )
    with django_assert_max_num_queries(2 * tables + 6):
        assert len(download(client, URL).json("actions")) == 51


def test_memory_stays_flat_while_20000_actions_stream(member, twenty_thousand_actions, signed_in):
    """The zip of 20,000 actions is written with a fraction of the memory that holding them
    would take: rows are read in chunks and the zip leaves as it is written."""
    client = signed_in(member)

    gc.collect()
    tracemalloc.start()
    held = list(Action.objects.filter(user=member))
    holding = tracemalloc.get_traced_memory()[0]
    del held
    gc.collect()
    tracemalloc.stop()

    response = client.get(URL)
    gc.collect()
    tracemalloc.start()
    sent = 0
    for chunk in response.streaming_content:
        sent += len(chunk)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()

    print(f"20,000 actions: zip {sent:,} bytes, peak {peak:,} bytes, holding {holding:,} bytes")
    assert sent > 500_000  # the zip really holds them
    assert peak < holding / 3, f"peak {peak:,} bytes while holding the rows takes {holding:,}"


def test_the_api_gives_the_same_zip_to_a_token_and_401_to_no_one(lives, member, client):
    from rest_framework.test import APIClient

    assert client.get("/api/me/export/").status_code == 401
    api = APIClient()
    api.force_authenticate(member)

    response = api.get("/api/me/export/", HTTP_ACCEPT="application/zip")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    export = Export(b"".join(response.streaming_content))
    assert [p["display_name"] for p in export.json("profile")] == ["Meri Member"]


def test_someone_of_the_same_name_never_gets_anothers_history(
    lives, group, moderator, member, signed_in
):
    """The audit line names the person as they were called; names are not unique, so a twin
    (or someone renamed to match) must not get another's removal and its reason."""
    from groups import services as group_services
    from groups.models import Membership
    from tests.factories import UserFactory
    from tests.groups.support import STATEMENT

    twin = UserFactory(display_name="Meri Member")
    group_services.network_add_person(network=group.network, user=twin)
    group_services.group_join(user=twin, group=group, statement=STATEMENT)
    group_services.membership_remove(
        actor=moderator,
        membership=Membership.objects.active().get(group=group, user=twin),
        reason="Posted spam in the group chat",
    )

    history = download(signed_in(member), URL).json("membership_history")
    theirs = download(signed_in(twin), URL).json("membership_history")

    assert not any(e["verb"] == "member.removed" for e in history)
    assert not any("spam" in str(e["details"]) for e in history)
    assert [e["verb"] for e in theirs if e["verb"] == "member.removed"] == ["member.removed"]
