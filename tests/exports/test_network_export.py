"""A network's export for its organizers: everything its groups hold, and of people's
reflections only what their group sees."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from groups.meetings.models import Meeting, Reflection
from metrics import services as metrics
from metrics.exports.network import network_tables
from tests.exports.conftest import download
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def url(network) -> str:
    return reverse("metrics:network_export", args=[network.slug])


def test_an_organizer_gets_every_kind_of_the_networks_data(lives, network, organizer, signed_in):
    export = download(signed_in(organizer), url(network))

    for table in network_tables(network):
        assert f"csv/{table.name}.csv" in export.names
        assert f"json/{table.name}.json" in export.names
        assert f"csv/{table.name}.csv, json/{table.name}.json" in export.readme
        assert len(export.csv(table.name)) == len(export.json(table.name)), table.name
    assert [g["name"] for g in export.json("groups")] == ["River Crew"]
    assert {a["name"] for a in export.json("actions")} == {"Meri Member", "Fia Friend"}
    assert [s["summary"] for s in export.json("sessions")] == ["We planted 40 trees."]
    assert {m["name"] for m in export.json("metric_definitions")} == {"Trees"}
    assert [q["text"] for q in export.json("questions")] == ["How do we reach the school?"]
    assert [a["body"] for a in export.json("answers")] == ["Through the parents"]
    assert [h["summary"] for h in export.json("help_requests")] == ["Stuck on permits"]
    assert [n["description"] for n in export.json("next_actions")] == ["Order more saplings"]
    assert export.csv("actions")[0]["description"].startswith("'=")  # guarded in the CSV


def test_reflections_show_a_pulse_by_name_only_where_it_was_shared(
    lives, network, organizer, signed_in
):
    export = download(signed_in(organizer), url(network))

    by_name = {r["name"]: r for r in export.json("reflections")}
    assert by_name["Meri Member"]["learned"] == "Roots need water"  # the group reads the words
    assert (by_name["Meri Member"]["excited"], by_name["Meri Member"]["stuck"]) == (None, None)
    assert by_name["Fia Friend"]["excited"] == 5
    csv_row = next(r for r in export.csv("reflections") if r["name"] == "Meri Member")
    assert csv_row["excited"] == ""
    # Two answers: too few for an average that would not give away who said what.
    (averages,) = export.json("pulse_averages")
    assert (averages["answers"], averages["excited"]) == (2, None)
    assert "excited_n" not in averages


def test_no_ones_email_address_is_in_it(lives, network, organizer, member, signed_in):
    """People are named by their public name only (metrics/exports/columns.py: `person`)."""
    export = download(signed_in(organizer), url(network))

    everything = "".join(export.zip.read(name).decode() for name in export.names)
    assert member.email and member.email not in everything
    assert "@example.org" not in everything
    assert not any("email" in table.header for table in network_tables(network))


def test_a_meetings_average_pulse_shows_once_it_gives_nobodys_away(
    lives, group, network, organizer, signed_in
):
    """Meri keeps her pulse (4) to herself, her friend shares his (5). A third answer kept
    private is not enough: the average less the friend's would be the two others' together.
    With a fourth, three answers are private and the average shows."""
    from groups import services as group_services
    from tests.groups.support import STATEMENT

    for name, excited in (("Tess Third", 3), ("Finn Fourth", 4)):
        person = UserFactory(display_name=name)
        group_services.group_join(user=person, group=group, statement=STATEMENT)
        Reflection.objects.create(meeting=lives["past"], user=person, excited=excited)
        (averages,) = download(signed_in(organizer), url(network)).json("pulse_averages")
        if name == "Tess Third":
            assert averages["answers"] == 3 and averages["excited"] is None

    assert averages["answers"] == 4
    assert averages["excited"] == 4.0  # (4 + 5 + 3 + 4) / 4
    assert averages["stuck"] is None  # one answer to that question only


def test_nothing_of_another_network_is_in_it(lives, network, organizer, other_organizer, signed_in):
    from groups import services as group_services

    elsewhere = group_services.network_create(creator=other_organizer, name="Far Away")
    far = group_services.group_create(
        organizer=other_organizer,
        network=elsewhere,
        name="Far Crew",
        purpose="Something far away.",
        moderator=other_organizer,
    )
    metrics.action_log(
        user=other_organizer,
        group=far,
        description="Far-away deed",
        happened_on=timezone.localdate(),
        effort_minutes=10,
    )
    Meeting.objects.create(group=far, starts_at=timezone.now() + timedelta(days=1))

    export = download(signed_in(organizer), url(network))

    everything = "".join(export.zip.read(name).decode() for name in export.names[1:])
    assert "Far-away deed" not in everything and "Far Crew" not in everything
    assert len(export.json("meetings")) == 1


def test_only_the_networks_organizers_may_download_it(
    lives, network, member, moderator, outsider, signed_in
):
    for person, status in [(member, 403), (moderator, 403)]:
        assert signed_in(person).get(url(network)).status_code == status
    network.is_public = False
    network.save(update_fields=["is_public"])
    assert signed_in(outsider).get(url(network)).status_code == 404


def test_the_network_page_offers_the_export_to_organizers_only(
    lives, network, organizer, member, signed_in
):
    page = reverse("groups:network_detail", args=[network.slug])

    assert url(network) in signed_in(organizer).get(page).content.decode()
    assert url(network) not in signed_in(member).get(page).content.decode()


def test_the_queries_are_two_per_table_whatever_the_rows(
    lives, network, organizer, signed_in, django_assert_max_num_queries
):
    client = signed_in(organizer)
    with django_assert_max_num_queries(2 * len(network_tables(network)) + 6):
        download(client, url(network))
