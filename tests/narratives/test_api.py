"""The narratives API: the same rules as the pages, one error shape, bounded queries on lists."""

import pytest
from django.urls import reverse
from django.utils import timezone

from impact.models import Notification
from narratives import services
from narratives.models import (
    Answer,
    HelpRequest,
    Initiative,
    Narrative,
    NarrativeRevision,
    Question,
)
from tests.narratives.conftest import join, narrative_fields, window

pytestmark = pytest.mark.django_db

# The same bound for one of each thing and for many (see test_list_queries_do_not_grow).
NARRATIVE_LIST_QUERIES = 2
QUESTION_LIST_QUERIES = 2
ANSWER_LIST_QUERIES = 7
INITIATIVE_LIST_QUERIES = 3
HELP_LIST_QUERIES = 2
HELP_RESPONSES_QUERIES = 5


def assert_error(response, status: int, code: str | None = None, fields=()):
    """Every error has the one shape: {"detail", "code", "fields"}."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"detail", "code", "fields"}
    assert body["detail"]
    if code:
        assert body["code"] == code
    for name in fields:
        assert body["fields"][name], body
    return body


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def dated(fields: dict) -> dict:
    return {
        key: value.isoformat() if key.endswith("_on") else value for key, value in fields.items()
    }


def initiative_payload(group, **overrides) -> dict:
    return {
        "group": group.pk,
        "title": "Plant 300 willows",
        "impact": "high",
        "speed": "fast",
        **dated(window()),
    } | overrides


# Narratives --------------------------------------------------------------------------------


def test_drafts_are_listed_for_their_authors_only(
    api, organizer, moderator, member, other_member, outsider, network, group, narrative
):
    draft = services.narrative_create(
        actor=organizer, network=network, **narrative_fields(title="Network draft")
    )
    group_draft = services.narrative_create(
        actor=moderator, group=group, **narrative_fields(title="Group draft")
    )
    group_published = services.narrative_create(
        actor=moderator, group=group, **narrative_fields(title="Group published")
    )
    services.narrative_set_status(actor=moderator, narrative=group_published, status="published")
    url = reverse("api-narrative-list")

    def titles(person):
        return {n["title"] for n in results(api(person).get(url))}

    assert titles(organizer) == {narrative.title, draft.title, group_draft.title, "Group published"}
    assert titles(moderator) == {narrative.title, group_draft.title, "Group published"}
    assert titles(member) == {narrative.title, "Group published"}
    assert titles(other_member) == {narrative.title}
    assert titles(outsider) == {narrative.title}  # a public network's published narrative
    assert api(member).get(reverse("api-narrative-detail", args=[draft.pk])).status_code == 404
    assert api().get(url).status_code in (401, 403)


def test_organizer_creates_a_draft_narrative_with_a_fear_hint(api, organizer, network):
    response = api(organizer).post(
        reverse("api-narrative-list"),
        {"network": network.slug, **narrative_fields(why_now="Before the crisis hits.")},
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "draft" and body["network"] == network.slug
    assert body["fear_words"] == ["crisis"]
    assert Narrative.objects.get().created_by == organizer


def test_creating_a_narrative_checks_who_and_what(api, member, moderator, network, group):
    assert_error(
        api(member).post(
            reverse("api-narrative-list"),
            {"network": network.slug, **narrative_fields()},
            format="json",
        ),
        403,
        "permission_denied",
    )
    assert_error(
        api(member).post(
            reverse("api-narrative-list"), {"group": group.pk, **narrative_fields()}, format="json"
        ),
        403,
    )
    for bad in ({"horizon_year": 2000}, {"title": ""}, {"opportunity": "  "}):
        body = assert_error(
            api(moderator).post(
                reverse("api-narrative-list"),
                {"group": group.pk, **narrative_fields(**bad)},
                format="json",
            ),
            400,
            "invalid",
            fields=list(bad),
        )
        assert set(body["fields"]) == set(bad)
    assert_error(
        api(moderator).post(
            reverse("api-narrative-list"),
            {"group": group.pk, "network": network.slug, **narrative_fields()},
            format="json",
        ),
        400,
        fields=["network"],
    )
    assert not Narrative.objects.exists()


def test_updating_a_narrative_keeps_a_revision(api, organizer, member, narrative):
    url = reverse("api-narrative-detail", args=[narrative.pk])

    response = api(organizer).patch(url, {"title": "Rivers alive"}, format="json")

    assert response.status_code == 200 and response.json()["title"] == "Rivers alive"
    assert NarrativeRevision.objects.get(before__title="Living rivers by 2040").editor == organizer
    assert_error(api(member).patch(url, {"title": "Mine"}, format="json"), 403)
    assert_error(
        api(organizer).patch(url, {"horizon_year": 1990}, format="json"),
        400,
        fields=["horizon_year"],
    )
    assert Narrative.objects.get().title == "Rivers alive"


def test_publish_and_draft_through_the_status_action(api, organizer, member, network):
    narrative = services.narrative_create(actor=organizer, network=network, **narrative_fields())
    url = reverse("api-narrative-status", args=[narrative.pk])

    assert api(organizer).post(url, {"status": "published"}).json()["status"] == "published"
    assert_error(api(member).post(url, {"status": "draft"}), 403)
    assert_error(api(organizer).post(url, {"status": "gone"}), 400, fields=["status"])
    assert Narrative.objects.get().status == "published"


# Questions ---------------------------------------------------------------------------------


def test_group_only_questions_are_hidden_from_other_groups(
    api, organizer, member, other_member, outsider, group_question, posed_question, narrative
):
    from_narrative = services.question_ask(
        actor=organizer, narrative=narrative, text="What would it take?"
    )
    url = reverse("api-question-list")

    def texts(person):
        return {q["text"] for q in results(api(person).get(url))}

    everyone = {posed_question.text, from_narrative.text}
    assert texts(member) == everyone | {group_question.text}
    assert texts(organizer) == everyone | {group_question.text}
    assert texts(other_member) == everyone
    assert texts(outsider) == everyone
    assert_error(
        api(other_member).get(reverse("api-question-detail", args=[group_question.pk])), 404
    )


def test_a_draft_narratives_questions_are_hidden_from_the_list(api, organizer, member, network):
    draft = services.narrative_create(actor=organizer, network=network, **narrative_fields())
    question = services.question_ask(actor=organizer, narrative=draft, text="Not yet?")

    assert results(api(member).get(reverse("api-question-list"))) == []
    assert [q["id"] for q in results(api(organizer).get(reverse("api-question-list")))] == [
        question.pk
    ]


def test_members_ask_a_question_and_others_cannot(api, member, other_member, group, narrative):
    url = reverse("api-question-list")

    response = api(member).post(
        url, {"group": group.pk, "text": "Who has a trailer?", "posed_to_network": True}
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["asked_by"] == member.pk and body["network"] == group.network_id
    assert body["posed_to_network"] and body["answer_count"] == 0
    assert_error(api(other_member).post(url, {"group": group.pk, "text": "Me?"}), 403)
    assert_error(api(member).post(url, {"group": group.pk, "text": " "}), 400, fields=["text"])
    assert_error(api(member).post(url, {"text": "Of what?"}), 400, fields=["group"])
    assert_error(
        api(member).post(url, {"group": group.pk, "narrative": narrative.pk, "text": "Both?"}),
        400,
        fields=["narrative"],
    )
    assert Question.objects.count() == 1


def test_answers_are_posted_and_listed(api, member, other_member, outsider, posed_question):
    url = reverse("api-question-answers", args=[posed_question.pk])

    response = api(other_member).post(url, {"body": "Willows and alders."})

    assert response.status_code == 201, response.content
    assert response.json()["author"] == other_member.pk
    assert response.json()["author_name"] == other_member.public_name
    assert [a["body"] for a in api(member).get(url).json()] == ["Willows and alders."]
    assert Notification.objects.filter(recipient=member, kind="narratives.answer").exists()
    assert_error(api(outsider).post(url, {"body": "Me too."}), 403)
    assert_error(api(other_member).post(url, {"body": ""}), 400, fields=["body"])
    detail = api(member).get(reverse("api-question-detail", args=[posed_question.pk]))
    assert detail.json()["answer_count"] == 1


def test_group_only_answers_are_404_for_other_groups(api, other_member, group_question):
    url = reverse("api-question-answers", args=[group_question.pk])

    assert_error(api(other_member).get(url), 404, "not_found")
    assert_error(api(other_member).post(url, {"body": "Hi"}), 404)


def test_the_asker_marks_an_answer_helpful(api, member, moderator, other_member, posed_question):
    answer = services.answer_create(actor=other_member, question=posed_question, body="Willows.")
    url = reverse("api-question-helpful", args=[posed_question.pk, answer.pk])

    assert_error(api(moderator).post(url, {}), 403)
    assert api(member).post(url, {}).json()["helpful"] is True
    assert Answer.objects.get().helpful
    assert api(member).post(url, {"helpful": False}).json()["helpful"] is False
    assert_error(
        api(member).post(reverse("api-question-helpful", args=[posed_question.pk, 10**8]), {}),
        404,
    )


def test_marking_answered_returns_the_follow_ups_and_closes_answering(
    api, member, other_member, posed_question
):
    response = api(member).post(
        reverse("api-question-answered", args=[posed_question.pk]),
        {"follow_ups": ["Where do we get cuttings?", "Who waters them?"]},
        format="json",
    )

    assert response.status_code == 200, response.content
    assert [(q["text"], q["follow_up_of"]) for q in response.json()] == [
        ("Where do we get cuttings?", posed_question.pk),
        ("Who waters them?", posed_question.pk),
    ]
    assert Question.objects.get(pk=posed_question.pk).status == "answered"
    assert_error(
        api(other_member).post(
            reverse("api-question-answers", args=[posed_question.pk]), {"body": "Late."}
        ),
        400,
        fields=["body"],
    )
    assert_error(
        api(other_member).post(reverse("api-question-answered", args=[posed_question.pk]), {}),
        403,
    )


def test_posing_a_question_to_the_network(api, member, other_member, group_question):
    assert_error(
        api(other_member).post(reverse("api-question-pose", args=[group_question.pk])), 404
    )

    response = api(member).post(reverse("api-question-pose", args=[group_question.pk]))

    assert response.json()["posed_to_network"] is True
    detail = api(other_member).get(reverse("api-question-detail", args=[group_question.pk]))
    assert detail.status_code == 200


# Initiatives -------------------------------------------------------------------------------


def test_initiatives_are_listed_for_their_groups_members(
    api, member, moderator, other_member, outsider, organizer, group, propose
):
    initiative = propose(group, member)
    url = reverse("api-initiative-list")

    for person in (member, moderator, organizer):
        assert [i["id"] for i in results(api(person).get(url))] == [initiative.pk]
    for person in (other_member, outsider):
        assert results(api(person).get(url)) == []
        assert_error(api(person).get(reverse("api-initiative-detail", args=[initiative.pk])), 404)
    assert results(api(member).get(url))[0]["quadrant"] == "high_fast"


def test_members_propose_and_moderators_start(api, member, moderator, other_member, group):
    url = reverse("api-initiative-list")

    response = api(member).post(url, initiative_payload(group), format="json")

    assert response.status_code == 201, response.content
    initiative = Initiative.objects.get()
    assert response.json()["status"] == "proposed"
    assert_error(api(member).post(url, initiative_payload(group, status="active")), 403)
    assert_error(api(other_member).post(url, initiative_payload(group)), 403)
    status_url = reverse("api-initiative-set-status", args=[initiative.pk])
    assert_error(api(member).post(status_url, {"status": "active"}), 403)
    assert api(moderator).post(status_url, {"status": "active"}).json()["status"] == "active"


def test_an_initiative_outside_six_to_twelve_months_is_refused(api, member, group):
    starts = timezone.localdate()
    payload = initiative_payload(
        group,
        starts_on=starts.isoformat(),
        ends_on=services.add_months(starts, 13).isoformat(),
    )

    assert_error(api(member).post(reverse("api-initiative-list"), payload), 400, fields=["ends_on"])


def test_a_fourth_active_initiative_is_a_400_on_status(api, moderator, group, propose):
    for n in range(3):
        propose(group, moderator, title=f"Active {n}", status="active")
    waiting = propose(group, moderator, title="Waiting")

    body = assert_error(
        api(moderator).post(
            reverse("api-initiative-set-status", args=[waiting.pk]), {"status": "active"}
        ),
        400,
        "invalid",
        fields=["status"],
    )
    assert "at most 3" in body["fields"]["status"][0]
    assert_error(
        api(moderator).post(
            reverse("api-initiative-list"),
            initiative_payload(group, title="Fifth", status="active"),
        ),
        400,
        fields=["status"],
    )
    assert Initiative.objects.filter(status="active").count() == 3


# Help requests -----------------------------------------------------------------------------


def test_help_requests_are_listed_for_the_group_and_once_raised_for_the_network(
    api, member, moderator, other_member, outsider, organizer, group
):
    url = reverse("api-help-request-list")
    response = api(member).post(url, {"group": group.pk, "summary": "How do I get permission?"})
    assert response.status_code == 201, response.content
    help_request = HelpRequest.objects.get()

    assert [h["id"] for h in results(api(moderator).get(url))] == [help_request.pk]
    assert [h["id"] for h in results(api(organizer).get(url))] == [help_request.pk]
    assert results(api(other_member).get(url)) == []
    assert_error(api(other_member).post(url, {"group": group.pk, "summary": "Me?"}), 403)
    assert_error(api(member).post(url, {"group": group.pk, "summary": ""}), 400, fields=["summary"])

    assert_error(
        api(other_member).post(
            reverse("api-help-request-raise-to-network", args=[help_request.pk])
        ),
        404,
    )
    raised = api(member).post(reverse("api-help-request-raise-to-network", args=[help_request.pk]))
    assert raised.json()["raised_to_network"] is True
    assert [h["id"] for h in results(api(other_member).get(url))] == [help_request.pk]
    assert results(api(outsider).get(url)) == []


def test_responses_and_resolving(api, member, moderator, other_member, group):
    help_request = services.help_request_create(actor=member, group=group, summary="Stuck.")
    url = reverse("api-help-request-responses", args=[help_request.pk])

    response = api(moderator).post(url, {"body": "I did it last year."})

    assert response.status_code == 201, response.content
    assert response.json()["author"] == moderator.pk
    assert [r["body"] for r in api(member).get(url).json()] == ["I did it last year."]
    assert_error(api(other_member).post(url, {"body": "Me!"}), 404)
    resolve = reverse("api-help-request-resolve", args=[help_request.pk])
    assert_error(api(join(group)).post(resolve), 403)
    assert api(member).post(resolve).json()["status"] == "resolved"
    assert_error(api(moderator).post(url, {"body": "Late."}), 400, fields=["body"])


# Bounded queries ---------------------------------------------------------------------------


@pytest.fixture(params=[1, 8], ids=["little", "much"])
def lots(request, organizer, moderator, member, other_member, group, narrative, propose):
    size = request.param
    posed = None
    for n in range(size):
        person = join(group)
        services.question_ask(actor=organizer, narrative=narrative, text=f"Narrative q {n}?")
        services.question_ask(actor=person, group=group, text=f"Group-only {n}?")
        posed = services.question_ask(
            actor=person, group=group, text=f"Posed {n}?", posed_to_network=True
        )
        for responder in (other_member, moderator):
            services.answer_create(actor=responder, question=posed, body=f"Answer {n}")
        own = services.narrative_create(
            actor=moderator, group=group, **narrative_fields(title=f"Group {n}")
        )
        services.narrative_set_status(actor=moderator, narrative=own, status="published")
        propose(group, person, title=f"Init {n}", speed="slow" if n % 2 else "fast")
        help_request = services.help_request_create(actor=person, group=group, summary=f"H{n}")
        services.help_raise_to_network(actor=person, help_request=help_request)
        services.help_respond(actor=other_member, help_request=help_request, body="Me!")
        services.help_respond(actor=moderator, help_request=help_request, body="Me too!")
    return {"question": posed, "help_request": HelpRequest.objects.first(), "size": size}


def test_list_queries_do_not_grow(
    lots, api, member, moderator, organizer, other_member, django_assert_max_num_queries
):
    endpoints = [
        (reverse("api-narrative-list"), NARRATIVE_LIST_QUERIES),
        (reverse("api-question-list"), QUESTION_LIST_QUERIES),
        (reverse("api-question-answers", args=[lots["question"].pk]), ANSWER_LIST_QUERIES),
        (reverse("api-initiative-list"), INITIATIVE_LIST_QUERIES),
        (reverse("api-help-request-list"), HELP_LIST_QUERIES),
        (
            reverse("api-help-request-responses", args=[lots["help_request"].pk]),
            HELP_RESPONSES_QUERIES,
        ),
    ]
    for person in (member, moderator, organizer, other_member):
        client = api(person)
        for url, bound in endpoints:
            with django_assert_max_num_queries(bound):
                response = client.get(url)
            assert response.status_code == 200, (url, response.content)
    body = api(member).get(reverse("api-question-list")).json()
    assert body["count"] == 3 * lots["size"]
