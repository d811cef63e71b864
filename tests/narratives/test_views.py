"""The narrative pages: who sees what, the forms, sanitised Markdown, and bounded queries."""

import html
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from metrics import services as metric_services
from narratives import services
from narratives.models import Answer, HelpRequest, Initiative, Narrative, Question
from tests.narratives.conftest import join, narrative_fields

pytestmark = pytest.mark.django_db

# One bound per page, the same for a little data and for much (see the *_queries_ tests):
# a query per question, answer, initiative or response would break it.
NETWORK_NARRATIVE_QUERIES = 8
NARRATIVE_PAGE_QUERIES = 7
NARRATIVE_FORM_QUERIES = 5
BOARD_QUERIES = 9
GROUP_QUESTIONS_QUERIES = 11
QUESTION_PAGE_QUERIES = 11
INITIATIVES_QUERIES = 10
INITIATIVE_PAGE_QUERIES = 10
HELP_LIST_QUERIES = 8
HELP_PAGE_QUERIES = 8

SCRIPT = "<script>alert(1)</script>"


def text(response) -> str:
    """The page's visible text with whitespace collapsed."""
    body = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", html.unescape(body))


def messages_of(response) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m)) for m in response.context["messages"]]


def assert_harmless(response):
    """No raw script tag reached the page; a script written in Markdown never runs."""
    content = response.content.decode()
    assert "<script>alert(1)" not in content
    assert "alert(1)</script>" not in content


# The network's narrative -------------------------------------------------------------------


@pytest.mark.parametrize("who", ["organizer", "moderator", "member", "outsider", "other_member"])
def test_everyone_who_sees_the_network_reads_its_published_narrative(
    request, signed_in, narrative, who
):
    client = signed_in(request.getfixturevalue(who))

    response = client.get(reverse("narratives:network_narrative", args=[narrative.network.slug]))

    assertContains(response, narrative.title)
    assertContains(response, "<strong>full of life</strong>", html=True)
    assertContains(response, narrative.call_to_action)


@pytest.mark.parametrize(
    ("who", "sees_help"),
    [
        ("organizer", True),
        ("moderator", True),
        ("member", True),
        ("other_member", True),
        ("outsider", False),
    ],
)
def test_everyone_who_sees_the_network_reads_its_questions_board(
    request, signed_in, narrative, group_question, posed_question, member, group, who, sees_help
):
    help_request = services.help_request_create(actor=member, group=group, summary="Stuck.")
    services.help_raise_to_network(actor=member, help_request=help_request)

    response = signed_in(request.getfixturevalue(who)).get(
        reverse("narratives:questions_board", args=[narrative.network.slug])
    )

    assertContains(response, posed_question.text)
    assertNotContains(response, group_question.text)
    assert (help_request.get_absolute_url() in response.content.decode()) == sees_help


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("organizer", 200),
        ("moderator", 200),
        ("member", 200),
        ("other_member", 404),
        ("outsider", 404),
    ],
)
def test_a_help_request_is_seen_by_its_group_until_raised(
    request, signed_in, member, group, who, status
):
    help_request = services.help_request_create(
        actor=member, group=group, summary="Stuck.", details="Forty *saplings*."
    )

    response = signed_in(request.getfixturevalue(who)).get(help_request.get_absolute_url())

    assert response.status_code == status
    if status == 200:
        assertContains(response, "<em>saplings</em>", html=True)


def test_drafts_are_listed_for_organizers_only(signed_in, organizer, member, network):
    draft = services.narrative_create(
        actor=organizer, network=network, **narrative_fields(title="Secret draft")
    )
    url = reverse("narratives:network_narrative", args=[network.slug])

    assertContains(signed_in(organizer).get(url), draft.get_absolute_url())
    page = signed_in(member).get(url)
    assertContains(page, "No narrative yet")
    assertNotContains(page, "Secret draft")
    assertNotContains(page, reverse("narratives:network_narrative_create", args=[network.slug]))


def test_a_draft_is_seen_by_its_authors_only(request, signed_in, organizer, network):
    draft = services.narrative_create(actor=organizer, network=network, **narrative_fields())

    assert signed_in(organizer).get(draft.get_absolute_url()).status_code == 200
    for person in ("member", "moderator", "other_member", "outsider"):
        response = signed_in(request.getfixturevalue(person)).get(draft.get_absolute_url())
        assert response.status_code == 404


@pytest.mark.parametrize("who", ["moderator", "member", "outsider"])
def test_only_organizers_open_the_network_narrative_form(request, signed_in, network, who):
    url = reverse("narratives:network_narrative_create", args=[network.slug])

    assert signed_in(request.getfixturevalue(who)).get(url).status_code == 403


def test_organizer_writes_a_narrative_and_publishes_it(signed_in, organizer, network):
    client = signed_in(organizer)
    url = reverse("narratives:network_narrative_create", args=[network.slug])

    response = client.post(url, narrative_fields())

    narrative = Narrative.objects.get()
    assertRedirects(response, narrative.get_absolute_url())
    assert narrative.status == "draft" and narrative.network == network
    client.post(
        reverse("narratives:narrative_status", args=[narrative.pk]), {"status": "published"}
    )
    assert Narrative.objects.get().status == "published"
    assertContains(
        client.get(reverse("narratives:network_narrative", args=[network.slug])), narrative.title
    )


def test_the_narrative_form_keeps_what_was_typed_on_error(signed_in, organizer, network):
    fields = narrative_fields(horizon_year=timezone.localdate().year + 1)

    response = signed_in(organizer).post(
        reverse("narratives:network_narrative_create", args=[network.slug]), fields
    )

    assert response.status_code == 200
    assert response.context["form"].errors["horizon_year"]
    assertContains(response, 'value="Living rivers by 2040"')
    assertContains(response, "people swim in it again")
    assert not Narrative.objects.exists()


def test_the_fear_hint_is_a_warning_and_the_narrative_still_saves(signed_in, organizer, network):
    fields = narrative_fields(opportunity="Climate disasters threaten us; we must survive.")

    response = signed_in(organizer).post(
        reverse("narratives:network_narrative_create", args=[network.slug]), fields, follow=True
    )

    narrative = Narrative.objects.get()
    assert narrative.opportunity == fields["opportunity"]
    warnings = [message for level, message in messages_of(response) if level == "warning"]
    assert len(warnings) == 1
    assert "disasters, threaten, survive" in warnings[0]
    assert "opportunity" in warnings[0]
    assert ("success", "Draft saved. Add its powerful questions, then publish it.") in (
        messages_of(response)
    )


def test_editing_keeps_history_and_hints_again(signed_in, organizer, narrative):
    client = signed_in(organizer)

    response = client.post(
        reverse("narratives:narrative_edit", args=[narrative.pk]),
        narrative_fields(title="Rivers alive", call_to_action="Act before the collapse."),
        follow=True,
    )

    assert Narrative.objects.get().title == "Rivers alive"
    assert any(level == "warning" for level, _m in messages_of(response))
    assertContains(response, "was “Living rivers by 2040”")


def test_the_edit_form_keeps_what_was_typed_on_error(signed_in, organizer, narrative):
    response = signed_in(organizer).post(
        reverse("narratives:narrative_edit", args=[narrative.pk]),
        narrative_fields(title="A new title", opportunity=""),
    )

    assert response.context["form"].errors["opportunity"]
    assertContains(response, 'value="A new title"')
    assert Narrative.objects.get().title == "Living rivers by 2040"


def test_an_unknown_status_is_an_error_message_not_a_crash(signed_in, organizer, narrative):
    response = signed_in(organizer).post(
        reverse("narratives:narrative_status", args=[narrative.pk]), {"status": "gone"}, follow=True
    )

    assert response.status_code == 200
    assert [level for level, _m in messages_of(response)] == ["error"]
    assert Narrative.objects.get().status == "published"


def test_a_script_in_a_narrative_is_harmless(signed_in, organizer, member, network):
    narrative = services.narrative_create(
        actor=organizer,
        network=network,
        **narrative_fields(
            opportunity=(
                f"Rivers alive.\n\n{SCRIPT}\n\nAnd <b onclick='x()'>{SCRIPT}</b> too. "
                "[Click](javascript:alert(1))"
            ),
            why_now=f"Now {SCRIPT}",
        ),
    )
    services.narrative_set_status(actor=organizer, narrative=narrative, status="published")

    for person, url in (
        (member, narrative.get_absolute_url()),
        (member, reverse("narratives:network_narrative", args=[network.slug])),
        (organizer, reverse("narratives:narrative_edit", args=[narrative.pk])),
    ):
        response = signed_in(person).get(url)
        assert response.status_code == 200
        assert_harmless(response)
        assert "<b onclick" not in response.content.decode()
        assert 'href="javascript:' not in response.content.decode()
    assertContains(signed_in(member).get(narrative.get_absolute_url()), "Rivers alive.")


def test_moderators_write_their_groups_narrative_for_its_members_only(
    signed_in, moderator, member, other_member, group
):
    url = reverse("narratives:group_narrative_create", args=[group.pk])
    assert signed_in(member).get(url).status_code == 403

    signed_in(moderator).post(url, narrative_fields(title="Our river"))
    narrative = Narrative.objects.get(group=group)
    questions_page = reverse("narratives:group_questions", args=[group.pk])
    assertContains(signed_in(moderator).get(questions_page), narrative.get_absolute_url())
    assertNotContains(signed_in(member).get(questions_page), narrative.get_absolute_url())
    assert signed_in(member).get(narrative.get_absolute_url()).status_code == 404  # a draft
    signed_in(moderator).post(
        reverse("narratives:narrative_status", args=[narrative.pk]), {"status": "published"}
    )

    assertContains(signed_in(member).get(narrative.get_absolute_url()), "Our river")
    assert signed_in(other_member).get(narrative.get_absolute_url()).status_code == 404


def test_narrative_authors_add_questions_on_its_page(signed_in, organizer, member, narrative):
    client = signed_in(organizer)

    client.post(
        reverse("narratives:narrative_question", args=[narrative.pk]),
        {"text": "What would it take for every street?"},
    )

    question = Question.objects.get()
    assert question.narrative == narrative and question.is_network_wide
    assertContains(signed_in(member).get(narrative.get_absolute_url()), question.text)
    response = signed_in(member).post(
        reverse("narratives:narrative_question", args=[narrative.pk]), {"text": "Mine?"}
    )
    assert response.status_code == 403


# Questions ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("member", 200),
        ("moderator", 200),
        ("organizer", 200),
        ("outsider", 403),
        ("other_member", 403),
    ],
)
def test_the_groups_questions_page_is_for_its_members_and_organizers(
    request, signed_in, group, group_question, who, status
):
    response = signed_in(request.getfixturevalue(who)).get(
        reverse("narratives:group_questions", args=[group.pk])
    )

    assert response.status_code == status
    if status == 200:
        assertContains(response, group_question.text)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("member", 200),
        ("moderator", 200),
        ("organizer", 200),
        ("outsider", 404),
        ("other_member", 404),
    ],
)
def test_a_group_only_question_is_404_for_other_groups(
    request, signed_in, group_question, who, status
):
    response = signed_in(request.getfixturevalue(who)).get(group_question.get_absolute_url())

    assert response.status_code == status


@pytest.mark.parametrize(
    ("who", "can_answer"),
    [
        ("member", True),
        ("moderator", True),
        ("organizer", True),
        ("outsider", False),
        ("other_member", True),
    ],
)
def test_a_posed_question_is_seen_across_the_network_and_answered_by_its_groups(
    request, signed_in, posed_question, who, can_answer
):
    response = signed_in(request.getfixturevalue(who)).get(posed_question.get_absolute_url())

    assertContains(response, posed_question.text)
    assert (response.context["form"] is not None) == can_answer


def test_the_board_lists_network_questions_unanswered_first_with_their_group(
    signed_in, other_member, member, group, group_question, posed_question, narrative, organizer
):
    from_narrative = services.question_ask(
        actor=organizer, narrative=narrative, text="What would it take for every street?"
    )
    services.answer_create(actor=other_member, question=posed_question, body="Willows.")

    response = signed_in(other_member).get(
        reverse("narratives:questions_board", args=[group.network.slug])
    )

    page = text(response)
    assert group_question.text not in page
    assert page.index(from_narrative.text) < page.index(posed_question.text)
    assert f"from {group.name} · 1 answer" in page
    assert "from the network's narrative · 0 answers" in page


def test_members_ask_in_their_group_and_pose_it_to_the_network(
    signed_in, member, group, other_member
):
    client = signed_in(member)

    response = client.post(
        reverse("narratives:group_questions", args=[group.pk]),
        {"text": "Who has a trailer for saplings?", "details": ""},
    )

    question = Question.objects.get()
    assertRedirects(response, question.get_absolute_url())
    assert not question.posed_to_network
    assertContains(client.get(question.get_absolute_url()), "Pose it to the whole network")
    client.post(reverse("narratives:question_pose", args=[question.pk]))
    assert Question.objects.get().posed_to_network
    assert signed_in(other_member).get(question.get_absolute_url()).status_code == 200


def test_the_question_form_keeps_what_was_typed_on_error(signed_in, member, group):
    response = signed_in(member).post(
        reverse("narratives:group_questions", args=[group.pk]),
        {"text": "x" * 301, "details": "Why I ask: the river rose."},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["text"]
    assertContains(response, "Why I ask: the river rose.")
    assert not Question.objects.exists()


def test_outsiders_cannot_post_to_a_groups_questions(signed_in, outsider, other_member, group):
    for person in (outsider, other_member):
        response = signed_in(person).post(
            reverse("narratives:group_questions", args=[group.pk]), {"text": "Hello?"}
        )
        assert response.status_code == 403
    assert not Question.objects.exists()


def test_an_answer_is_posted_and_the_asker_sees_it_and_marks_it_helpful(
    signed_in, member, other_member, posed_question
):
    response = signed_in(other_member).post(
        posed_question.get_absolute_url(), {"body": "Willows and **alders**."}
    )
    assertRedirects(response, posed_question.get_absolute_url())
    answer = Answer.objects.get()
    page = signed_in(other_member).get(posed_question.get_absolute_url())
    assertNotContains(page, reverse("narratives:answer_helpful", args=[answer.pk]))

    client = signed_in(member)
    page = client.get(posed_question.get_absolute_url())
    assertContains(page, "<strong>alders</strong>", html=True)
    assertContains(page, reverse("narratives:answer_helpful", args=[answer.pk]))
    client.post(reverse("narratives:answer_helpful", args=[answer.pk]))

    assert Answer.objects.get().helpful
    assertContains(client.get(posed_question.get_absolute_url()), "helpful-badge")


def test_only_the_asker_may_mark_helpful_through_the_page(
    signed_in, moderator, other_member, posed_question
):
    answer = services.answer_create(actor=other_member, question=posed_question, body="Willows.")

    response = signed_in(moderator).post(reverse("narratives:answer_helpful", args=[answer.pk]))

    assert response.status_code == 403
    assert not Answer.objects.get().helpful


def test_the_answer_form_keeps_what_was_typed_on_error(signed_in, other_member, posed_question):
    response = signed_in(other_member).post(posed_question.get_absolute_url(), {"body": "x" * 5001})

    assert response.context["form"].errors["body"]
    assertContains(response, "xxxxxxxxxx")
    assert not Answer.objects.exists()


def test_a_script_in_an_answer_is_harmless(signed_in, member, other_member, posed_question):
    services.answer_create(
        actor=other_member, question=posed_question, body=f"Try this: {SCRIPT}\n\n{SCRIPT}"
    )

    response = signed_in(member).get(posed_question.get_absolute_url())

    assert_harmless(response)
    assertContains(response, "Try this:")


def test_marking_answered_with_follow_ups_links_them(signed_in, member, posed_question):
    client = signed_in(member)

    client.post(
        reverse("narratives:question_answered", args=[posed_question.pk]),
        {"follow_ups": "Where do we get cuttings?\r\n\r\nWho waters them in July?"},
    )

    posed_question.refresh_from_db()
    assert posed_question.status == "answered"
    page = client.get(posed_question.get_absolute_url())
    assert page.context["form"] is None
    follow_up = Question.objects.get(text="Who waters them in July?")
    assertContains(page, follow_up.get_absolute_url())
    assertContains(client.get(follow_up.get_absolute_url()), posed_question.get_absolute_url())


def test_a_too_long_follow_up_is_an_error_message_and_the_question_stays_open(
    signed_in, member, posed_question
):
    response = signed_in(member).post(
        reverse("narratives:question_answered", args=[posed_question.pk]),
        {"follow_ups": "Short one?\n" + "x" * 301},
        follow=True,
    )

    assert response.status_code == 200
    assert [level for level, _m in messages_of(response)] == ["error"]
    assert Question.objects.get(pk=posed_question.pk).status == "open"
    assert not Question.objects.filter(follow_up_of=posed_question).exists()


def test_answering_an_answered_question_is_refused(signed_in, member, other_member, posed_question):
    services.question_mark_answered(actor=member, question=posed_question)

    response = signed_in(other_member).post(posed_question.get_absolute_url(), {"body": "Late."})

    assert response.status_code == 403
    assert not Answer.objects.exists()


def test_moderators_adopt_a_narrative_for_their_group(signed_in, moderator, group, narrative):
    own = services.narrative_create(actor=moderator, group=group, **narrative_fields(title="Ours"))
    services.narrative_set_status(actor=moderator, narrative=own, status="published")
    client = signed_in(moderator)

    response = client.post(reverse("narratives:narrative_adopt", args=[group.pk, own.pk]))

    assertRedirects(response, reverse("narratives:group_questions", args=[group.pk]))
    assert group.adoption.narrative == own
    assert client.get(response.url).context["narrative"] == own


def test_members_cannot_adopt(signed_in, member, group, narrative):
    response = signed_in(member).post(
        reverse("narratives:narrative_adopt", args=[group.pk, narrative.pk])
    )

    assert response.status_code == 403


# Initiatives -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("member", 200),
        ("moderator", 200),
        ("organizer", 200),
        ("outsider", 403),
        ("other_member", 403),
    ],
)
def test_the_initiatives_page_is_for_the_groups_members(
    request, signed_in, group, member, propose, who, status
):
    initiative = propose(group, member)

    response = signed_in(request.getfixturevalue(who)).get(
        reverse("narratives:initiatives", args=[group.pk])
    )

    assert response.status_code == status
    detail = signed_in(request.getfixturevalue(who)).get(initiative.get_absolute_url())
    assert detail.status_code == (200 if status == 200 else 404)


def test_the_two_by_two_puts_each_initiative_in_its_quadrant_high_fast_first(
    signed_in, moderator, member, group, propose
):
    for impact, speed in (("low", "slow"), ("low", "fast"), ("high", "slow"), ("high", "fast")):
        propose(group, moderator, title=f"Init {impact} {speed}", impact=impact, speed=speed)
    propose(group, moderator, title="Init high fast active", status="active")

    response = signed_in(member).get(reverse("narratives:initiatives", args=[group.pk]))

    content = response.content.decode()
    quadrants = re.findall(
        r'<section class="quadrant quadrant-([a-z-]+)".*?</section>', content, re.S
    )
    assert quadrants == ["high-fast", "high-slow", "low-fast", "low-slow"]
    for impact, speed in (("low", "slow"), ("low", "fast"), ("high", "slow"), ("high", "fast")):
        section = re.search(
            rf'<section class="quadrant quadrant-{impact}-{speed}".*?</section>', content, re.S
        ).group(0)
        assert f"Init {impact} {speed}" in section
        others = {f"Init {i} {s}" for i in ("high", "low") for s in ("fast", "slow")}
        assert not any(o in section for o in others - {f"Init {impact} {speed}"})
    high_fast = re.search(
        r'<section class="quadrant quadrant-high-fast".*?</section>', content, re.S
    )
    assert "first" in high_fast.group(0)
    assert high_fast.group(0).index("Init high fast active<") < high_fast.group(0).index(
        "Init high fast<"
    )
    assert "1 of at most 3 active" in text(response)
    assert 'value="active"' not in content  # members do not start initiatives


def test_moderators_see_start_and_drop_buttons_and_a_fourth_start_is_explained(
    signed_in, moderator, group, propose
):
    for n in range(3):
        propose(group, moderator, title=f"Active {n}", status="active")
    waiting = propose(group, moderator, title="Waiting")
    client = signed_in(moderator)
    assertContains(client.get(reverse("narratives:initiatives", args=[group.pk])), 'value="active"')

    response = client.post(
        reverse("narratives:initiative_status", args=[waiting.pk]),
        {"status": "active"},
        follow=True,
    )

    assert Initiative.objects.get(pk=waiting.pk).status == "proposed"
    assert [level for level, _m in messages_of(response)] == ["error"]
    assert "at most 3 initiatives" in messages_of(response)[0][1]


def test_members_cannot_start_initiatives_through_the_page(signed_in, member, group, propose):
    initiative = propose(group, member)

    response = signed_in(member).post(
        reverse("narratives:initiative_status", args=[initiative.pk]), {"status": "active"}
    )

    assert response.status_code == 403
    assert Initiative.objects.get().status == "proposed"


def test_members_propose_an_initiative_and_the_form_keeps_what_was_typed(signed_in, member, group):
    client = signed_in(member)
    starts = timezone.localdate() + timedelta(days=7)
    fields = {
        "title": "Monthly litter picks",
        "description": "With the school.",
        "impact": "low",
        "speed": "fast",
        "starts_on": starts.isoformat(),
        "ends_on": (starts + timedelta(days=30)).isoformat(),
    }

    response = client.post(reverse("narratives:initiatives", args=[group.pk]), fields)

    assert response.context["form"].errors["ends_on"]
    assertContains(response, 'value="Monthly litter picks"')
    assertContains(response, "With the school.")
    assert not Initiative.objects.exists()

    fields["ends_on"] = (starts + timedelta(days=200)).isoformat()
    response = client.post(reverse("narratives:initiatives", args=[group.pk]), fields)
    assertRedirects(response, reverse("narratives:initiatives", args=[group.pk]))
    assert Initiative.objects.get().quadrant == "low_fast"


def test_the_initiative_page_lists_the_actions_logged_against_it(
    signed_in, moderator, member, group, propose
):
    trees = metric_services.metric_define(actor=moderator, group=group, name="Trees", unit="trees")
    initiative = propose(group, moderator, status="active", metrics=[trees])
    today = timezone.localdate()
    metric_services.action_log(
        user=member,
        group=group,
        description="Planted willows by the bridge",
        happened_on=today,
        effort_minutes=90,
        impacts=[(trees.pk, "12")],
        initiative=initiative,
    )
    metric_services.action_log(
        user=member,
        group=group,
        description="Something else entirely",
        happened_on=today,
        effort_minutes=30,
    )

    response = signed_in(member).get(initiative.get_absolute_url())

    page = text(response)
    assert "Planted willows by the bridge" in page
    assert "Something else entirely" not in page
    assert "Trees 12 trees" in page
    assert "90 min" in page


# Help requests -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("member", 200),
        ("moderator", 200),
        ("organizer", 200),
        ("outsider", 403),
        ("other_member", 403),
    ],
)
def test_the_help_page_is_for_the_groups_members(request, signed_in, group, who, status):
    response = signed_in(request.getfixturevalue(who)).get(
        reverse("narratives:help_list", args=[group.pk])
    )

    assert response.status_code == status


def test_open_help_requests_are_listed_until_resolved(signed_in, member, moderator, group):
    client = signed_in(member)
    response = client.post(
        reverse("narratives:help_list", args=[group.pk]),
        {"summary": "How do I get permission to plant?", "details": "40 saplings."},
    )
    help_request = HelpRequest.objects.get()
    assertRedirects(response, help_request.get_absolute_url())
    help_url = reverse("narratives:help_list", args=[group.pk])

    page = signed_in(moderator).get(help_url)
    assert list(page.context["open_requests"]) == [help_request]
    signed_in(moderator).post(
        help_request.get_absolute_url(), {"body": "Write to the parks office."}
    )
    assertContains(signed_in(moderator).get(help_url), "1 response")

    signed_in(member).post(
        reverse("narratives:help_action", args=[help_request.pk]), {"action": "resolve"}
    )
    page = signed_in(moderator).get(help_url)
    assert list(page.context["open_requests"]) == []
    assertContains(page, "Nobody is stuck right now.")
    assert list(page.context["resolved"]) == [help_request]


def test_the_help_form_keeps_what_was_typed_on_error(signed_in, member, group):
    response = signed_in(member).post(
        reverse("narratives:help_list", args=[group.pk]), {"summary": "", "details": "My notes."}
    )

    assert response.context["form"].errors["summary"]
    assertContains(response, "My notes.")


def test_a_raised_request_reaches_the_board_and_other_groups_respond(
    signed_in, member, other_member, outsider, group
):
    help_request = services.help_request_create(actor=member, group=group, summary="Stuck.")
    assert signed_in(other_member).get(help_request.get_absolute_url()).status_code == 404

    signed_in(member).post(
        reverse("narratives:help_action", args=[help_request.pk]), {"action": "raise"}
    )

    board = reverse("narratives:questions_board", args=[group.network.slug])
    assertContains(signed_in(other_member).get(board), help_request.get_absolute_url())
    # Outside the network's groups the request cannot be opened, so it is not listed.
    assertNotContains(signed_in(outsider).get(board), help_request.get_absolute_url())
    response = signed_in(other_member).post(help_request.get_absolute_url(), {"body": "Me!"})
    assertRedirects(response, help_request.get_absolute_url())
    assert help_request.responses.get().author == other_member
    assert signed_in(outsider).get(help_request.get_absolute_url()).status_code == 404


def test_other_members_cannot_resolve_a_request(signed_in, member, group):
    help_request = services.help_request_create(actor=member, group=group, summary="Stuck.")
    colleague = join(group)

    response = signed_in(colleague).post(
        reverse("narratives:help_action", args=[help_request.pk]), {"action": "resolve"}
    )

    assert response.status_code == 403
    assert HelpRequest.objects.get().status == "open"


# Bounded queries: the same bound for one item and for many ---------------------------------


def fill_network(group, other_group, *, size, member, moderator, other_member, organizer):
    """`size` questions (group-only and posed), answers, initiatives and help requests."""
    narrative = services.narrative_create(
        actor=organizer, network=group.network, **narrative_fields()
    )
    services.narrative_set_status(actor=organizer, narrative=narrative, status="published")
    people = [join(group) for _ in range(size)]
    for n, person in enumerate(people):
        services.question_ask(actor=organizer, narrative=narrative, text=f"Narrative q {n}?")
        services.question_ask(actor=person, group=group, text=f"Group-only {n}?")
        posed = services.question_ask(
            actor=person, group=group, text=f"Posed {n}?", posed_to_network=True
        )
        for responder in (other_member, moderator):
            services.answer_create(actor=responder, question=posed, body=f"Answer {n}")
        help_request = services.help_request_create(actor=person, group=group, summary=f"H{n}")
        services.help_raise_to_network(actor=person, help_request=help_request)
        services.help_respond(actor=other_member, help_request=help_request, body="Me!")
        services.help_respond(actor=moderator, help_request=help_request, body="Me too!")
        services.initiative_create(
            actor=moderator,
            group=group,
            title=f"Init {n}",
            impact="high" if n % 2 else "low",
            speed="fast" if n % 3 else "slow",
            starts_on=timezone.localdate(),
            ends_on=services.add_months(timezone.localdate(), 8),
            status="done" if n % 4 == 3 else "proposed",
        )
    return narrative


@pytest.fixture(params=[1, 8], ids=["little", "much"])
def filled(request, group, other_group, member, moderator, other_member, organizer, propose):
    size = request.param
    narrative = fill_network(
        group,
        other_group,
        size=size,
        member=member,
        moderator=moderator,
        other_member=other_member,
        organizer=organizer,
    )
    initiative = propose(group, moderator, title="Logged against", status="active")
    for n in range(size):
        metric_services.action_log(
            user=member,
            group=group,
            description=f"Action {n}",
            happened_on=timezone.localdate(),
            effort_minutes=30,
            initiative=initiative,
        )
    posed = Question.objects.filter(posed_to_network=True).first()
    return {
        "narrative": narrative,
        "question": posed,
        "initiative": initiative,
        "help_request": HelpRequest.objects.first(),
        "size": size,
    }


def test_page_queries_do_not_grow_with_data(
    filled,
    signed_in,
    member,
    moderator,
    organizer,
    other_member,
    group,
    django_assert_max_num_queries,
):
    network = group.network
    group_people = (member, moderator, organizer)
    network_people = (*group_people, other_member)
    pages = [
        # url, bound, who may open it
        (
            reverse("narratives:network_narrative", args=[network.slug]),
            NETWORK_NARRATIVE_QUERIES,
            network_people,
        ),
        (filled["narrative"].get_absolute_url(), NARRATIVE_PAGE_QUERIES, network_people),
        (
            reverse("narratives:narrative_edit", args=[filled["narrative"].pk]),
            NARRATIVE_FORM_QUERIES,
            (organizer,),
        ),
        (reverse("narratives:questions_board", args=[network.slug]), BOARD_QUERIES, network_people),
        (
            reverse("narratives:group_questions", args=[group.pk]),
            GROUP_QUESTIONS_QUERIES,
            group_people,
        ),
        (filled["question"].get_absolute_url(), QUESTION_PAGE_QUERIES, network_people),
        (reverse("narratives:initiatives", args=[group.pk]), INITIATIVES_QUERIES, group_people),
        (filled["initiative"].get_absolute_url(), INITIATIVE_PAGE_QUERIES, group_people),
        (reverse("narratives:help_list", args=[group.pk]), HELP_LIST_QUERIES, group_people),
        # Raised to the network, so the other group's member may open it too.
        (filled["help_request"].get_absolute_url(), HELP_PAGE_QUERIES, network_people),
    ]
    for url, bound, people in pages:
        for person in people:
            client = signed_in(person)
            with django_assert_max_num_queries(bound):
                response = client.get(url)
            assert response.status_code == 200, (url, person)
