"""Search through the page and the API: who finds what, filters, highlighting and bad input."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from impact.markdown import markdown_words
from impact.search.selectors import KINDS, Search, mark_words, marked
from metrics.models import Action
from tests.factories import (
    GroupFactory,
    MembershipFactory,
    NetworkFactory,
    UserFactory,
)
from tests.search.conftest import WORD

pytestmark = pytest.mark.django_db

GROUP_KINDS = ["narrative", "question", "answer", "help", "initiative", "action", "session"]


def found(user, q=WORD, **kwargs) -> dict[str, int]:
    search = Search(user=user, q=q, **kwargs)
    return {key: n for key, n in search.counts.items() if n}


def test_a_member_finds_every_kind_of_their_group(cast, items):
    counts = found(cast["member"])
    assert counts == {key: 1 for key in [*GROUP_KINDS, "group", "network"]}


@pytest.mark.parametrize("role", ["outsider", "neighbour"])
def test_a_private_groups_things_stay_hidden_from_those_outside_it(cast, items, role):
    counts = found(cast[role])
    for key in GROUP_KINDS:
        assert key not in counts, key
    # Its name and its network are seen as the group and network pages decide: by the
    # network's people, not by someone outside the private network.
    if role == "neighbour":
        assert counts == {"group": 1, "network": 1}
    else:
        assert counts == {}


def test_the_networks_organizer_finds_its_groups_things(cast, items):
    assert set(found(cast["organizer"])) >= set(GROUP_KINDS)


def test_results_come_ranked_with_their_links_and_words_marked(cast, items):
    search = Search(user=cast["member"], q=WORD)
    results = search[0:20]
    assert len(results) == len(search) == 9
    assert {r.kind for r in results} == set(KINDS)
    action = next(r for r in results if r.kind == "action")
    assert action.url == reverse("metrics:group_impact", args=[cast["group"].pk])
    assert "<mark>" in action.title and WORD in action.title.lower()
    ranks = [r.rank for r in results]
    assert ranks == sorted(ranks, reverse=True)


def test_every_kind_shows_its_link_its_place_and_its_date(cast, items):
    """What each result shows comes with the search's own statement: the same as the thing's
    own page would say (on SQLite too, where a raw row holds dates as text)."""
    group, network = cast["group"], cast["group"].network
    shown = {r.kind: r for r in Search(user=cast["member"], q=WORD)[0:20]}
    question, session = items["question"], items["session"]

    def place(result):
        return result.url, result.group_id, result.group_name, result.network_name, result.when

    for key in ["narrative", "help", "initiative"]:
        item = items[key]
        network_name = network.name if key == "narrative" and item.network_id else ""
        assert place(shown[key]) == (
            item.get_absolute_url(),
            group.pk,
            group.name,
            network_name,
            item.created_at,
        ), key
    assert place(shown["question"]) == (
        question.get_absolute_url(),
        group.pk,
        group.name,
        network.name,
        question.created_at,
    )
    assert place(shown["answer"]) == (
        question.get_absolute_url(),
        group.pk,
        group.name,
        network.name,
        items["answer"].created_at,
    )
    assert shown["answer"].title == question.text
    assert place(shown["action"]) == (
        reverse("metrics:group_impact", args=[group.pk]),
        group.pk,
        group.name,
        "",
        items["action"].happened_on,
    )
    assert place(shown["session"]) == (
        reverse("groups:session_detail", args=[session.pk]),
        group.pk,
        group.name,
        "",
        session.meeting.starts_at,
    )
    assert shown["session"].title == "Reflection session"
    assert place(shown["group"]) == (group.get_absolute_url(), group.pk, "", network.name, None)
    assert place(shown["network"]) == (network.get_absolute_url(), None, "", "", None)
    assert all(WORD in r.snippet.lower() or WORD in r.title.lower() for r in shown.values())


def test_the_kind_filter_counts_every_kind_but_lists_one(cast, items):
    search = Search(user=cast["member"], q=WORD, kinds=["help"])
    assert len(search) == 1
    assert [r.kind for r in search[0:20]] == ["help"]
    assert search.counts["action"] == 1


def test_the_group_filter_keeps_to_that_group(cast, items):
    in_other = found(cast["organizer"], group_id=cast["other"].pk)
    assert in_other == {}
    in_group = found(cast["organizer"], group_id=cast["group"].pk)
    assert "network" not in in_group and "action" in in_group


def test_nothing_for_an_empty_query_or_the_signed_out(cast, items):
    from django.contrib.auth.models import AnonymousUser

    assert found(cast["member"], q="   ") == {}
    assert found(AnonymousUser()) == {}


def test_user_text_is_escaped_and_only_marks_come_through():
    html = marked(mark_words('<script>alert("zephyr")</script> zephyr', ["zephyr"]))
    assert "<script>" not in html
    assert html.count("<mark>") == 2 and "&lt;script&gt;" in html


def test_the_page_shows_results_in_few_queries(
    cast, items, signed_in, django_assert_max_num_queries
):
    client = signed_in(cast["member"])
    # Every kind on the page (one query each), the search statement (its SET, PREPARE and
    # EXECUTE, in a savepoint here), the person's groups, and what every page reads.
    with django_assert_max_num_queries(24):
        response = client.get(reverse("search:search"), {"q": WORD})
    assert response.status_code == 200
    body = response.content.decode()
    assert "<mark>" in body
    assert items["help"].get_absolute_url() in body


def test_the_page_shows_each_results_kind_link_place_and_date(cast, items, signed_in):
    from django.utils.formats import date_format

    client = signed_in(cast["member"])
    body = client.get(reverse("search:search"), {"q": WORD}).content.decode()
    results = {r.kind: r for r in Search(user=cast["member"], q=WORD)[0:20]}
    listed = body[body.index('<ol class="plain-list search-results">') :].split("</li>")
    for kind, result in results.items():
        (item,) = [i for i in listed if f'<span class="pill">{KINDS[kind].label}</span>' in i]
        assert f'<a href="{result.url}">' in item, item
        place = result.group_name or result.network_name
        when = date_format(result.when, "DATE_FORMAT") if result.when else ""
        assert " · ".join(part for part in (place, when) if part) in item, item
        assert f"<strong>{result.title or when}</strong>" in item, item
        if result.snippet:
            assert f"<span>{result.snippet}</span>" in item, item
    action = results["action"]
    assert action.when == items["action"].happened_on and cast["group"].name == action.group_name


def test_the_page_without_words_is_a_form(cast, signed_in, django_assert_max_num_queries):
    client = signed_in(cast["member"])
    with django_assert_max_num_queries(6):
        response = client.get(reverse("search:search"))
    assert response.status_code == 200


def test_the_page_says_what_is_wrong_with_bad_input(cast, signed_in):
    client = signed_in(cast["member"])
    response = client.get(reverse("search:search"), {"q": "x" * 201, "kind": "spaceship"})
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"q", "kind"}


def test_the_signed_out_are_sent_to_sign_in(client):
    response = client.get(reverse("search:search"), {"q": WORD})
    assert response.status_code == 302


def test_the_api_answers_a_page_of_results(cast, items, api, django_assert_max_num_queries):
    with django_assert_max_num_queries(20):
        response = api(cast["member"]).get("/api/search/", {"q": WORD, "kind": "action"})
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["count"] == 1 and data["kinds"]["help"] == 1
    (result,) = data["results"]
    assert result["kind"] == "action" and result["id"] == items["action"].pk
    assert result["group"] == cast["group"].pk


def test_the_api_gives_each_result_as_its_fields_would(cast, items, api):
    """The serializer writes a result in one step; the fields it declares (the schema) would
    give the same."""
    from rest_framework import serializers

    from impact.search.api import SearchResultSerializer

    expected = [
        serializers.Serializer.to_representation(SearchResultSerializer(), result)
        for result in Search(user=cast["member"], q=WORD)[0:20]
    ]
    response = api(cast["member"]).get("/api/search/", {"q": WORD})
    assert response.status_code == 200, response.content
    assert response.json()["results"] == expected
    assert len(expected) == len(KINDS)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"q": WORD, "kind": "spaceship"}, "kind"),
        ({"q": WORD, "group": "abc"}, "group"),
        ({"q": "x" * 201}, "q"),
    ],
)
def test_the_api_refuses_bad_input_with_a_field_message(cast, api, params, field):
    response = api(cast["member"]).get("/api/search/", params)
    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_a_group_the_person_may_not_see_answers_like_a_missing_one(cast, items, api):
    """Nothing found, the counts all nought: as the other list endpoints filtered by a group
    (an id of the right form is a valid request; whether it exists is not told)."""
    hidden = api(cast["outsider"]).get("/api/search/", {"q": WORD, "group": cast["group"].pk})
    missing = api(cast["outsider"]).get("/api/search/", {"q": WORD, "group": 987654})
    assert hidden.status_code == missing.status_code == 200
    assert hidden.json() == missing.json()
    assert hidden.json()["count"] == 0 and set(hidden.json()["kinds"].values()) == {0}


@pytest.mark.parametrize("role", ["outsider", "neighbour"])
def test_the_api_hides_a_private_groups_things(cast, items, api, role):
    data = api(cast[role]).get("/api/search/", {"q": WORD}).json()
    kinds = {r["kind"] for r in data["results"]}
    assert not kinds & set(GROUP_KINDS)
    assert not {k for k, n in data["kinds"].items() if n} & set(GROUP_KINDS)


def test_the_api_turns_the_signed_out_away(api):
    assert api().get("/api/search/", {"q": WORD}).status_code == 401


def test_empty_words_are_an_empty_page(cast, api):
    data = api(cast["member"]).get("/api/search/").json()
    assert data["count"] == 0 and data["results"] == []


@pytest.mark.skipif(connection.vendor == "sqlite", reason="PostgreSQL only")
def test_stemming_and_accents_follow_the_language(cast, items):
    member = cast["member"]
    items["help"].details = "Wir brauchen Hilfe bei den Vogelzählungen am Fluss."
    items["help"].save()
    assert found(member, q="vogelzahlung", language="de").get("help") == 1
    # English stems: "walks" finds "walk".
    assert found(member, q="walks", language="en").get("action") == 1


def test_people_of_the_same_shape_share_a_statement_but_not_its_answers(cast, items):
    """The statement is compiled once per shape (here: one group each) with stand-ins; each
    person's own ids must replace them, or one would read the other's group."""
    neighbour_group = cast["other"]
    Search(user=cast["neighbour"], q="entirely")  # compiled as the neighbour's shape
    assert len(Search(user=cast["neighbour"], q="entirely")) == 1  # the other group's purpose
    assert found(cast["member"])["action"] == 1
    neighbours = Search(user=cast["neighbour"], q=WORD)
    assert neighbours.counts["action"] == 0 and neighbours.group_ids == [neighbour_group.pk]


@pytest.mark.skipif(connection.vendor == "sqlite", reason="the prepared statement")
def test_people_in_three_and_in_four_groups_share_a_statement_each_with_their_own_groups(db):
    """Group ids are padded to a power of two, so fewer shapes are prepared per connection;
    the padding repeats a person's own id and never reads another group."""
    network = NetworkFactory()
    groups = [GroupFactory(network=network, name=f"Kestrel team {n}") for n in range(5)]
    three, four = UserFactory(), UserFactory()
    for group in groups[:3]:
        MembershipFactory(group=group, user=three)
    for group in groups[1:5]:
        MembershipFactory(group=group, user=four)
    for group in groups:
        Action.objects.create(
            group=group,
            user=four,
            description=f"Kestrel count {group.name}",
            happened_on=date(2026, 5, 1),
            effort_minutes=30,
        )

    searches = [Search(user=person, q="kestrel", kinds=["action"]) for person in (three, four)]
    statements = [search._statement(20, 0)[0] for search in searches]

    assert statements[0] == statements[1]
    assert [search.counts["action"] for search in searches] == [3, 4]
    seen = [{r.group_id for r in search[0:20]} for search in searches]
    assert seen == [{g.pk for g in groups[:3]}, {g.pk for g in groups[1:5]}]


def test_only_a_kinds_newest_matches_are_ranked_and_paged_but_all_are_counted(
    cast, items, monkeypatch
):
    from impact.search import selectors
    from metrics.models import Action

    for n in range(3):
        Action.objects.create(
            group=cast["group"],
            user=cast["member"],
            description=f"{WORD} number {n}",
            happened_on=items["action"].happened_on,
            effort_minutes=5,
        )
    monkeypatch.setattr(selectors, "RANKED", 2)
    selectors._compiled.cache_clear()
    try:
        search = Search(user=cast["member"], q=WORD, kinds=["action"])
        assert search.counts["action"] == 4
        assert len(search) == len(search[0:20]) == 2
    finally:
        selectors._compiled.cache_clear()


def test_a_nul_in_the_words_is_a_field_message_not_a_server_error(cast, api, signed_in):
    response = api(cast["member"]).get("/api/search/", {"q": "tree\x00s"})
    assert response.status_code == 400 and "q" in response.json()["fields"]
    assert signed_in(cast["member"]).get("/search/", {"q": "a\x00b"}).status_code == 200
    assert Search(user=cast["member"], q="\x00").counts["action"] == 0


def test_what_a_group_shares_with_its_network_is_found_by_the_network(cast, items):
    """Raised help and posed questions (with their answers) are read network-wide, as their
    own pages allow: the neighbour finds them, someone outside the network does not."""
    items["help"].raised_to_network = True
    items["help"].save()
    items["question"].posed_to_network = True
    items["question"].save()

    neighbour = found(cast["neighbour"])
    assert {"help", "question", "answer"} <= set(neighbour)
    assert "action" not in neighbour and "session" not in neighbour
    assert not {"help", "question", "answer"} & set(found(cast["outsider"]))


@pytest.mark.parametrize("page", ["①", "²", "-1", "0", "9999999", "abc"])
def test_any_page_number_answers_a_page_not_a_server_error(cast, items, api, signed_in, page):
    """str.isdigit() took "①" and "²", which int() refuses: a 500 on the page and the API."""
    assert signed_in(cast["member"]).get(
        reverse("search:search"), {"q": WORD, "page": page}
    ).status_code in (200, 404)
    assert api(cast["member"]).get("/api/search/", {"q": WORD, "page": page}).status_code in (
        200,
        404,
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the prepared statement")
def test_a_search_that_fits_on_one_page_runs_its_statement_once(cast, items, signed_in):
    """The paginator slices the last page to the count; that slice is served from the rows
    already read, not by running the search again."""
    client = signed_in(cast["member"])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("search:search"), {"q": WORD})
    assert response.status_code == 200
    runs = [q["sql"] for q in queries.captured_queries if "EXECUTE " in q["sql"]]
    assert len(runs) == 1, [q["sql"][:80] for q in queries.captured_queries]


def test_excerpts_show_the_words_of_markdown_not_its_marks(
    cast, items, signed_in, django_assert_max_num_queries
):
    narrative, answer = items["narrative"], items["answer"]
    narrative.opportunity = (
        f"By **2041** our **{WORD}** [river crew](https://x.example) keeps _watch_."
    )
    narrative.save()
    answer.body = f"See the **{WORD}** [rota](https://x.example/rota) and `tools`."
    answer.save()

    results = {r.kind: r for r in Search(user=cast["member"], q=WORD)[0:20]}

    assert f"<mark>{WORD}</mark> river crew keeps watch" in results["narrative"].snippet
    assert f"<mark>{WORD}</mark> rota and tools" in results["answer"].snippet
    for result in results.values():
        for mark in ("**", "](", "x.example", "`", "_watch_"):
            assert mark not in result.snippet, (result.kind, result.snippet)
    client = signed_in(cast["member"])
    with django_assert_max_num_queries(25):
        body = client.get(reverse("search:search"), {"q": WORD}).content.decode()
    assert f"<mark>{WORD}</mark> river crew keeps watch" in body and "**" not in body


@pytest.mark.skipif(connection.vendor == "sqlite", reason="ts_headline")
def test_a_plain_bodys_excerpt_from_the_statement_is_the_one_cut_from_its_words(cast, items):
    """A plain body's excerpt comes with the statement; cut again from its words (the way a
    Markdown body's is) it would be the same, line breaks as spaces."""
    session = items["session"]
    session.summary = f"We met at dawn.\n\nThe {WORD} moved\nto the north bank, at last."
    session.save()
    search = Search(user=cast["member"], q=WORD)

    result = next(r for r in search[0:20] if r.kind == "session")

    (again,) = search._marked_snippets([markdown_words(session.summary)])
    assert result.snippet == marked(again)
    assert f"<mark>{WORD}</mark> moved to the north bank" in result.snippet
    assert "\n" not in result.snippet
