"""The rules of narratives, powerful questions, initiatives and help requests, at the service layer."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from groups import services as group_services
from impact.models import Notification
from narratives import selectors, services
from narratives.models import (
    Adoption,
    Answer,
    HelpRequest,
    Initiative,
    Narrative,
    NarrativeRevision,
    Question,
)
from narratives.permissions import (
    help_for_user,
    initiative_for_user,
    narrative_for_user,
    question_access,
    question_for_user,
)
from tests.factories import UserFactory
from tests.groups.support import run_together
from tests.narratives.conftest import join, narrative_fields, window

pytestmark = pytest.mark.django_db


def this_year() -> int:
    return timezone.localdate().year


def notifications(user, kind: str, channel: str = "in_app"):
    return Notification.objects.filter(recipient=user, kind=kind, channel=channel)


# Narratives --------------------------------------------------------------------------------


def test_organizer_writes_a_network_narrative_as_a_draft(organizer, network):
    narrative = services.narrative_create(actor=organizer, network=network, **narrative_fields())

    assert narrative.status == Narrative.Status.DRAFT
    assert narrative.network == network and narrative.group is None
    assert narrative.created_by == organizer


@pytest.mark.parametrize("who", ["moderator", "member", "outsider", "other_organizer"])
def test_only_organizers_write_the_network_narrative(request, network, who):
    with pytest.raises(PermissionDenied):
        services.narrative_create(
            actor=request.getfixturevalue(who), network=network, **narrative_fields()
        )

    assert not Narrative.objects.exists()


@pytest.mark.parametrize("who", ["moderator", "organizer"])
def test_moderators_and_organizers_write_a_group_narrative(request, group, who):
    narrative = services.narrative_create(
        actor=request.getfixturevalue(who), group=group, **narrative_fields()
    )

    assert narrative.group == group and narrative.network is None


@pytest.mark.parametrize("who", ["member", "outsider", "other_moderator"])
def test_members_and_others_cannot_write_a_group_narrative(request, group, other_group, who):
    with pytest.raises(PermissionDenied):
        services.narrative_create(
            actor=request.getfixturevalue(who), group=group, **narrative_fields()
        )


@pytest.mark.parametrize(
    ("years_ahead", "valid"), [(4, False), (5, True), (15, True), (30, True), (31, False)]
)
def test_horizon_year_looks_far_enough_ahead(organizer, network, years_ahead, valid):
    fields = narrative_fields(horizon_year=this_year() + years_ahead)

    if valid:
        services.narrative_create(actor=organizer, network=network, **fields)
    else:
        with pytest.raises(ValidationError) as caught:
            services.narrative_create(actor=organizer, network=network, **fields)
        assert set(caught.value.message_dict) == {"horizon_year"}


def test_a_narrative_needs_a_title_and_an_opportunity(organizer, network):
    with pytest.raises(ValidationError) as caught:
        services.narrative_create(
            actor=organizer, network=network, **narrative_fields(title="  ", opportunity="")
        )

    assert set(caught.value.message_dict) == {"title", "opportunity"}


def test_update_keeps_the_version_before_with_who_and_when(organizer, narrative):
    before = narrative.title

    services.narrative_update(actor=organizer, narrative=narrative, title="Rivers alive by 2040")

    narrative.refresh_from_db()
    assert narrative.title == "Rivers alive by 2040"
    revision = NarrativeRevision.objects.get(narrative=narrative, before__title=before)
    assert revision.editor == organizer
    assert revision.before["opportunity"] == narrative.opportunity
    assert revision.edited_at <= timezone.now()


def test_a_failed_update_keeps_no_revision_and_no_change(organizer, narrative):
    with pytest.raises(ValidationError):
        services.narrative_update(actor=organizer, narrative=narrative, horizon_year=1999)

    narrative.refresh_from_db()
    assert narrative.horizon_year == this_year() + 15
    assert not narrative.revisions.filter(before__has_key="title").exists()


def test_members_cannot_edit_the_network_narrative(moderator, member, narrative):
    for person in (moderator, member):
        with pytest.raises(PermissionDenied):
            services.narrative_update(actor=person, narrative=narrative, title="Mine now")


def test_publish_and_back_to_draft_are_recorded(organizer, network):
    narrative = services.narrative_create(actor=organizer, network=network, **narrative_fields())

    services.narrative_set_status(actor=organizer, narrative=narrative, status="published")
    assert Narrative.objects.get(pk=narrative.pk).status == "published"
    services.narrative_set_status(actor=organizer, narrative=narrative, status="draft")

    assert Narrative.objects.get(pk=narrative.pk).status == "draft"
    assert [r.before for r in narrative.revisions.order_by("id")] == [
        {"status": "draft"},
        {"status": "published"},
    ]
    with pytest.raises(ValidationError):
        services.narrative_set_status(actor=organizer, narrative=narrative, status="archived")


def test_a_group_follows_its_networks_published_narrative_until_it_adopts_one(
    organizer, network, group, moderator, narrative
):
    assert selectors.group_narrative(group) == narrative
    own = services.narrative_create(actor=moderator, group=group, **narrative_fields(title="Ours"))
    services.narrative_set_status(actor=moderator, narrative=own, status="published")

    services.narrative_adopt(actor=moderator, group=group, narrative=own)

    assert selectors.group_narrative(group) == own


def test_only_published_narratives_of_the_same_network_can_be_adopted(
    organizer, network, group, moderator, other_organizer
):
    draft = services.narrative_create(actor=organizer, network=network, **narrative_fields())
    elsewhere_network = other_organizer.network_memberships.get().network
    elsewhere = services.narrative_create(
        actor=other_organizer, network=elsewhere_network, **narrative_fields()
    )
    services.narrative_set_status(actor=other_organizer, narrative=elsewhere, status="published")

    for narrative in (draft, elsewhere):
        with pytest.raises(ValidationError):
            services.narrative_adopt(actor=moderator, group=group, narrative=narrative)
    assert not Adoption.objects.exists()


def test_members_cannot_choose_the_groups_narrative(member, group, narrative):
    with pytest.raises(PermissionDenied):
        services.narrative_adopt(actor=member, group=group, narrative=narrative)


def test_an_adopted_narrative_taken_back_to_draft_is_not_shown_to_the_group(
    organizer, group, moderator, narrative
):
    own = services.narrative_create(actor=moderator, group=group, **narrative_fields(title="Ours"))
    services.narrative_set_status(actor=moderator, narrative=own, status="published")
    services.narrative_adopt(actor=moderator, group=group, narrative=own)

    services.narrative_set_status(actor=moderator, narrative=own, status="draft")

    assert selectors.group_narrative(group) == narrative


def test_a_spun_out_group_starts_with_its_parents_adopted_narrative(
    organizer, group, moderator, member, narrative
):
    services.narrative_adopt(actor=moderator, group=group, narrative=narrative)

    child = group_services.group_spin_out(
        organizer=organizer, parent=group, name="River Crew Two", moderator=member
    )

    assert Adoption.objects.get(group=child).narrative == narrative
    assert selectors.group_narrative(child) == narrative


def test_a_spun_out_group_gets_its_own_copy_of_the_parents_own_narrative(
    organizer, group, moderator, member
):
    own = services.narrative_create(actor=moderator, group=group, **narrative_fields(title="Ours"))
    services.narrative_set_status(actor=moderator, narrative=own, status="published")
    services.narrative_adopt(actor=moderator, group=group, narrative=own)

    child = group_services.group_spin_out(
        organizer=organizer, parent=group, name="River Crew Two", moderator=member
    )

    copy = selectors.group_narrative(child)
    assert copy.group == child and copy.pk != own.pk
    assert (copy.title, copy.opportunity, copy.status) == ("Ours", own.opportunity, "published")
    # The new group's moderator (no longer in the parent) can open and edit it.
    _narrative, access = narrative_for_user(member, copy.pk, need="edit")
    assert access.edit


def test_fear_words_finds_threat_words_in_any_form_and_not_opportunity_words():
    found = services.fear_words(
        "Climate DISASTERS threaten our town.", "We fear collapse and must survive the crisis."
    )

    assert found == ["disasters", "threaten", "fear", "collapse", "survive", "crisis"]
    assert services.fear_words("Rivers threatened by floods") == ["threatened"]
    assert (
        services.fear_words(
            "An opportunity: by 2040 our rivers thrive, food grows on every corner and "
            "neighbours share the energy they make. Close the gap, grow together, lasting joy."
        )
        == []
    )
    assert services.fear_words("", None) == []


# Questions ---------------------------------------------------------------------------------


def test_members_ask_their_groups_questions(member, group):
    question = services.question_ask(
        actor=member, group=group, text="  What would it take?  ", details="Some *context*."
    )

    assert (question.group, question.network, question.asked_by) == (group, group.network, member)
    assert question.text == "What would it take?"
    assert not question.posed_to_network and not question.is_network_wide


@pytest.mark.parametrize("who", ["outsider", "other_member"])
def test_people_outside_the_group_cannot_ask_its_questions(request, group, who):
    with pytest.raises(PermissionDenied):
        services.question_ask(
            actor=request.getfixturevalue(who), group=group, text="What would it take?"
        )


def test_a_question_needs_text_under_300_characters(member, group):
    for text in ("   ", "x" * 301):
        with pytest.raises(ValidationError) as caught:
            services.question_ask(actor=member, group=group, text=text)
        assert set(caught.value.message_dict) == {"text"}


def test_the_narratives_authors_add_its_questions(organizer, moderator, narrative):
    question = services.question_ask(
        actor=organizer, narrative=narrative, text="What would it take for every street?"
    )

    assert question.narrative == narrative and question.group is None
    assert question.is_network_wide
    with pytest.raises(PermissionDenied):
        services.question_ask(actor=moderator, narrative=narrative, text="Can I add one?")


def test_a_group_question_cannot_be_pinned_to_a_narrative(member, group, narrative):
    with pytest.raises(ValidationError) as caught:
        services.question_ask(actor=member, group=group, narrative=narrative, text="Sneaky?")

    assert set(caught.value.message_dict) == {"narrative"}
    assert not narrative.questions.exists()


def test_the_asker_or_a_moderator_poses_a_question_to_the_network(
    member, moderator, group, group_question, other_member
):
    with pytest.raises(PermissionDenied):
        services.question_pose_to_network(actor=other_member, question=group_question)

    services.question_pose_to_network(actor=member, question=group_question)

    group_question.refresh_from_db()
    assert group_question.posed_to_network and group_question.is_network_wide
    assert list(selectors.questions_board(group.network)) == [group_question]


def test_anyone_in_a_group_of_the_network_answers_a_network_wide_question(
    posed_question, other_member, other_group
):
    answer = services.answer_create(
        actor=other_member, question=posed_question, body="Willows and alders."
    )

    assert answer.author == other_member and answer.group == other_group


@pytest.mark.parametrize("who", ["outsider", "other_organizer"])
def test_people_in_no_group_of_the_network_cannot_answer(request, posed_question, network, who):
    person = request.getfixturevalue(who)
    group_services.network_add_person(network=network, user=person)  # sees the network

    with pytest.raises(PermissionDenied):
        services.answer_create(actor=person, question=posed_question, body="Willows.")


@pytest.mark.parametrize("who", ["outsider", "other_member"])
def test_only_the_groups_members_answer_a_group_only_question(request, group_question, who):
    with pytest.raises(PermissionDenied):
        services.answer_create(
            actor=request.getfixturevalue(who), question=group_question, body="Try alders."
        )

    assert not Answer.objects.exists()


def test_an_answer_is_credited_to_the_questions_group_when_the_author_is_in_it(
    group, group_question, other_group
):
    both = join(other_group)
    group_services.group_join(user=both, group=group, statement="I help both groups, gladly.")

    answer = services.answer_create(actor=both, question=group_question, body="Ask the school.")

    assert answer.group == group


def test_answering_an_answered_question_asks_for_a_follow_up_instead(
    member, posed_question, other_member
):
    services.question_mark_answered(actor=member, question=posed_question)

    with pytest.raises(ValidationError) as caught:
        services.answer_create(actor=other_member, question=posed_question, body="Late idea.")

    assert set(caught.value.message_dict) == {"body"}


def test_the_asker_is_notified_of_each_answer(member, posed_question, other_member):
    answer = services.answer_create(
        actor=other_member, question=posed_question, body="Willows root fast."
    )

    note = notifications(member, "narratives.answer").get()
    assert note.url == posed_question.get_absolute_url()
    assert "Willows root fast." in note.body
    assert note.subject_id == posed_question.pk
    assert notifications(member, "narratives.answer", "email").count() == 1
    assert answer.pk


def test_answering_my_own_question_notifies_nobody(member, posed_question):
    services.answer_create(actor=member, question=posed_question, body="Found it myself.")

    assert not Notification.objects.filter(kind="narratives.answer").exists()


def test_only_the_asker_marks_an_answer_helpful(
    member, moderator, organizer, posed_question, other_member
):
    answer = services.answer_create(actor=other_member, question=posed_question, body="Willows.")

    for person in (other_member, moderator, organizer):
        with pytest.raises(PermissionDenied):
            services.answer_mark_helpful(actor=person, answer=answer)
    services.answer_mark_helpful(actor=member, answer=answer)

    assert Answer.objects.get(pk=answer.pk).helpful
    services.answer_mark_helpful(actor=member, answer=answer, helpful=False)
    assert not Answer.objects.get(pk=answer.pk).helpful


def test_marking_answered_raises_linked_follow_ups(member, posed_question, other_member):
    follow_ups = services.question_mark_answered(
        actor=member,
        question=posed_question,
        follow_ups=["Where do we get willow cuttings?", "  ", "Who waters them in July?"],
    )

    posed_question.refresh_from_db()
    assert posed_question.status == Question.Status.ANSWERED and posed_question.answered_at
    assert [f.text for f in follow_ups] == [
        "Where do we get willow cuttings?",
        "Who waters them in July?",
    ]
    assert {f.follow_up_of_id for f in follow_ups} == {posed_question.pk}
    assert all(f.posed_to_network and f.group_id == posed_question.group_id for f in follow_ups)
    assert set(posed_question.follow_ups.all()) == set(follow_ups)
    with pytest.raises(PermissionDenied):
        services.question_mark_answered(actor=other_member, question=follow_ups[0])


def test_a_draft_narratives_questions_are_for_its_authors_only(
    organizer, network, member, moderator
):
    draft = services.narrative_create(actor=organizer, network=network, **narrative_fields())
    question = services.question_ask(actor=organizer, narrative=draft, text="What would it take?")

    assert list(selectors.questions_board(network)) == []
    with pytest.raises(Http404):
        question_for_user(member, question.pk)
    assert question_for_user(organizer, question.pk)[1].manage

    services.narrative_set_status(actor=organizer, narrative=draft, status="published")
    assert list(selectors.questions_board(network)) == [question]
    assert question_for_user(member, question.pk)[1].answer


# Initiatives -------------------------------------------------------------------------------


def test_members_propose_initiatives(member, group, propose):
    initiative = propose(group, member)

    assert initiative.status == Initiative.Status.PROPOSED
    assert initiative.created_by == member and initiative.quadrant == "high_fast"


@pytest.mark.parametrize("who", ["outsider", "other_member"])
def test_people_outside_the_group_cannot_propose(request, group, propose, who):
    with pytest.raises(PermissionDenied):
        propose(group, request.getfixturevalue(who))


@pytest.mark.parametrize(
    ("starts", "ends", "valid"),
    [
        (date(2031, 1, 15), date(2031, 7, 15), True),  # six months
        (date(2031, 1, 15), date(2032, 1, 15), True),  # twelve months
        (date(2031, 8, 31), date(2032, 2, 29), True),  # six months, to February's last day
        (date(2031, 1, 15), date(2031, 7, 14), False),  # a day short of six months
        (date(2031, 1, 1), date(2032, 1, 31), False),  # thirteen months
        (date(2031, 1, 15), date(2031, 1, 15), False),
        (date(2031, 7, 15), date(2031, 1, 15), False),
    ],
)
def test_an_initiative_runs_six_to_twelve_months(member, group, propose, starts, ends, valid):
    if valid:
        propose(group, member, starts_on=starts, ends_on=ends)
    else:
        with pytest.raises(ValidationError) as caught:
            propose(group, member, starts_on=starts, ends_on=ends)
        assert set(caught.value.message_dict) == {"ends_on"}


def test_an_initiative_needs_a_title_impact_speed_and_window(member, group):
    with pytest.raises(ValidationError) as caught:
        services.initiative_create(
            actor=member, group=group, title="", impact="huge", speed="", starts_on=None
        )

    assert set(caught.value.message_dict) == {"title", "impact", "speed", "starts_on"}


def test_an_initiative_moves_metrics_of_its_own_group_only(moderator, group, other_group, propose):
    from metrics import services as metric_services

    ours = metric_services.metric_define(actor=moderator, group=group, name="Trees", unit="trees")
    theirs = metric_services.metric_define(
        actor=other_group.memberships.get().user, group=other_group, name="Panels", unit="panels"
    )

    initiative = propose(group, moderator, metrics=[ours])
    assert list(initiative.metrics.all()) == [ours]
    with pytest.raises(ValidationError) as caught:
        propose(group, moderator, title="Other", metrics=[theirs.pk])
    assert set(caught.value.message_dict) == {"metrics"}


def test_only_moderators_start_finish_and_drop_initiatives(
    member, moderator, organizer, group, propose
):
    initiative = propose(group, member)

    for status in ("active", "done", "dropped"):
        with pytest.raises(PermissionDenied):
            services.initiative_set_status(actor=member, initiative=initiative, status=status)
    with pytest.raises(PermissionDenied):
        propose(group, member, title="Start it myself", status="active")

    for actor, status in ((moderator, "active"), (organizer, "done"), (moderator, "dropped")):
        services.initiative_set_status(actor=actor, initiative=initiative, status=status)
        assert Initiative.objects.get(pk=initiative.pk).status == status
    with pytest.raises(ValidationError):
        services.initiative_set_status(actor=moderator, initiative=initiative, status="paused")
    with pytest.raises(ValidationError) as caught:
        propose(group, moderator, title="Odd", status="paused")
    assert set(caught.value.message_dict) == {"status"}


def test_a_fourth_active_initiative_is_refused_on_its_status(moderator, group, propose):
    for n in range(3):
        propose(group, moderator, title=f"Active {n}", status="active")
    fourth = propose(group, moderator, title="Fourth")

    with pytest.raises(ValidationError) as caught:
        services.initiative_set_status(actor=moderator, initiative=fourth, status="active")
    assert set(caught.value.message_dict) == {"status"}
    with pytest.raises(ValidationError) as caught:
        propose(group, moderator, title="Fifth", status="active")
    assert set(caught.value.message_dict) == {"status"}

    assert Initiative.objects.filter(group=group, status="active").count() == 3


def test_finishing_one_makes_room_and_another_groups_initiatives_do_not_count(
    moderator, other_moderator, group, other_group, propose
):
    active = [propose(group, moderator, title=f"A{n}", status="active") for n in range(3)]
    propose(other_group, other_moderator, title="Theirs", status="active")
    waiting = propose(group, moderator, title="Next")

    services.initiative_set_status(actor=moderator, initiative=active[0], status="done")
    services.initiative_set_status(actor=moderator, initiative=waiting, status="active")
    services.initiative_set_status(actor=moderator, initiative=waiting, status="active")  # again

    assert Initiative.objects.filter(group=group, status="active").count() == 3


def test_the_two_by_two_places_each_live_initiative_active_first(moderator, group, propose):
    propose(group, moderator, title="B proposed", impact="high", speed="fast")
    propose(group, moderator, title="Z active", impact="high", speed="fast", status="active")
    propose(group, moderator, title="Slow big", impact="high", speed="slow")
    propose(group, moderator, title="Quick small", impact="low", speed="fast")
    propose(group, moderator, title="Slow small", impact="low", speed="slow")
    propose(group, moderator, title="Dropped", impact="low", speed="slow", status="dropped")

    grid = {key: [i.title for i in items] for key, items in selectors.quadrants(group).items()}

    assert grid == {
        "high_fast": ["Z active", "B proposed"],
        "high_slow": ["Slow big"],
        "low_fast": ["Quick small"],
        "low_slow": ["Slow small"],
    }


# Help requests -----------------------------------------------------------------------------


def test_a_member_asks_the_group_for_help_and_the_group_is_told_in_the_app(
    member, moderator, group
):
    colleague = join(group)

    help_request = services.help_request_create(
        actor=member, group=group, summary="How do I get permission?", details="40 saplings."
    )

    assert help_request.status == HelpRequest.Status.OPEN
    assert {n.recipient for n in Notification.objects.filter(kind="narratives.help")} == {
        moderator,
        colleague,
    }
    assert not Notification.objects.filter(kind="narratives.help", channel="email").exists()
    assert list(selectors.open_help_requests(group)) == [help_request]


@pytest.mark.parametrize("who", ["outsider", "other_member", "organizer"])
def test_only_members_ask_their_group_for_help(request, group, who):
    with pytest.raises(PermissionDenied):
        services.help_request_create(
            actor=request.getfixturevalue(who), group=group, summary="Stuck."
        )


def test_group_members_respond_and_the_asker_is_told(member, moderator, group):
    help_request = services.help_request_create(actor=member, group=group, summary="Stuck.")

    services.help_respond(actor=moderator, help_request=help_request, body="I did it last year.")

    assert help_request.responses.get().author == moderator
    assert notifications(member, "narratives.help").count() == 1


def test_other_groups_respond_only_once_the_request_is_raised(
    member, moderator, group, other_member
):
    help_request = services.help_request_create(actor=member, group=group, summary="Stuck.")
    with pytest.raises(PermissionDenied):
        services.help_respond(actor=other_member, help_request=help_request, body="Me!")
    with pytest.raises(PermissionDenied):
        services.help_raise_to_network(actor=other_member, help_request=help_request)

    services.help_raise_to_network(actor=moderator, help_request=help_request)
    services.help_respond(actor=other_member, help_request=help_request, body="Me!")

    assert HelpRequest.objects.get(pk=help_request.pk).raised_to_network
    assert list(selectors.network_help_requests(group.network)) == [help_request]


def test_the_asker_raises_their_own_request_to_the_network(member, group, outsider):
    help_request = services.help_request_create(actor=member, group=group, summary="Stuck.")

    services.help_raise_to_network(actor=member, help_request=help_request)

    with pytest.raises(PermissionDenied):
        services.help_respond(actor=outsider, help_request=help_request, body="Not mine.")


def test_resolving_takes_a_request_off_the_open_list(member, moderator, group):
    help_request = services.help_request_create(actor=member, group=group, summary="Stuck.")
    other = join(group)
    with pytest.raises(PermissionDenied):
        services.help_resolve(actor=other, help_request=help_request)

    services.help_resolve(actor=member, help_request=help_request)

    assert HelpRequest.objects.get(pk=help_request.pk).resolved_at
    assert list(selectors.open_help_requests(group)) == []
    with pytest.raises(ValidationError):
        services.help_respond(actor=moderator, help_request=help_request, body="Late.")


# Fetch helpers: outsiders get 404, not a hint -------------------------------------------------


def test_outsiders_get_404_from_the_fetch_helpers(
    member, moderator, group, group_question, propose, outsider, other_member, organizer, network
):
    draft = services.narrative_create(actor=organizer, network=network, **narrative_fields())
    initiative = propose(group, member)
    help_request = services.help_request_create(actor=member, group=group, summary="Stuck.")

    for person in (outsider, other_member):
        with pytest.raises(Http404):
            narrative_for_user(person, draft.pk)
        with pytest.raises(Http404):
            question_for_user(person, group_question.pk)
        with pytest.raises(Http404):
            initiative_for_user(person, initiative.pk)
        with pytest.raises(Http404):
            help_for_user(person, help_request.pk)
    with pytest.raises(Http404):
        question_for_user(member, 10**9)


def test_members_pass_the_fetch_helpers_but_not_the_moderator_checks(
    member, group, group_question, propose, narrative
):
    initiative = propose(group, member)

    assert narrative_for_user(member, narrative.pk)[1].view
    assert question_for_user(member, group_question.pk)[1].helpful
    assert initiative_for_user(member, initiative.pk)[0] == initiative
    with pytest.raises(PermissionDenied):
        narrative_for_user(member, narrative.pk, need="edit")
    with pytest.raises(PermissionDenied):
        initiative_for_user(member, initiative.pk, need="moderate")


def test_a_private_networks_narrative_is_hidden_from_people_outside_it(other_organizer):
    secret = group_services.network_create(
        creator=other_organizer, name="Secret Garden", is_public=False
    )
    narrative = services.narrative_create(
        actor=other_organizer, network=secret, **narrative_fields()
    )
    services.narrative_set_status(actor=other_organizer, narrative=narrative, status="published")

    with pytest.raises(Http404):
        narrative_for_user(UserFactory(), narrative.pk)


def test_an_initiative_window_helper_adds_calendar_months():
    assert services.add_months(date(2031, 8, 31), 6) == date(2032, 2, 29)
    assert services.add_months(date(2031, 1, 31), 1) == date(2031, 2, 28)
    assert services.add_months(date(2031, 11, 15), 12) == date(2032, 11, 15)
    assert window(6, starts=date(2031, 3, 1))["ends_on"] == date(2031, 9, 1)
    assert window()["starts_on"] > timezone.localdate() - timedelta(days=1)


# Concurrency: the limit of three holds when five moderators press "Start" at once -----------


@pytest.mark.django_db(transaction=True)
def test_five_simultaneous_starts_leave_exactly_three_active(moderator, group, propose):
    propose(group, moderator, title="Already active", status="active")
    proposed = [propose(group, moderator, title=f"Proposal {n}") for n in range(5)]

    # Each thread has its own PostgreSQL connection; the group row lock serialises them.
    results, errors = run_together(
        len(proposed),
        lambda i: services.initiative_set_status(
            actor=moderator, initiative=proposed[i], status="active"
        ),
    )

    assert Initiative.objects.filter(group=group, status="active").count() == 3
    assert sum(r is not None for r in results) == 2
    assert len(errors) == 3
    assert all(isinstance(e, ValidationError) and "status" in e.message_dict for e in errors)


def test_a_groups_moderators_still_manage_its_question_once_posed_to_the_network(
    moderator, posed_question
):
    assert question_access(moderator, posed_question).manage
    services.question_mark_answered(actor=moderator, question=posed_question)
    posed_question.refresh_from_db()
    assert posed_question.status == Question.Status.ANSWERED
