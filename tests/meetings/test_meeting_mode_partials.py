"""Meeting mode keeps what is on the screen: each add or edit answers htmx with just its own
fragment (the full page or a redirect without JavaScript), and the notes are saved as drafts
while they are typed, by the moderators alone."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from groups.meetings import services
from groups.meetings.models import Meeting, NextAction, Session
from narratives.models import Question
from tests.meetings.conftest import mode_url

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
# A fragment checks the moderator and reads the session, its rows and the members for the owner
# choice (one query, however many): far fewer than the whole screen's
# tests.meetings.test_services_views_api.PAGE_QUERIES["meeting_mode"].
FRAGMENT_QUERIES = 16


@pytest.fixture
def session(soon, moderator):
    return services.session_open(actor=moderator, meeting=soon)


def draft_url(meeting) -> str:
    return reverse("groups:session_draft", args=[meeting.pk])


def is_fragment(content: str) -> bool:
    return "<html" not in content and "<body" not in content


# Next actions -------------------------------------------------------------------------------


def test_adding_a_next_action_with_htmx_answers_with_the_list_fragment_only(
    soon, session, moderator, member, login, django_assert_max_num_queries
):
    client = login(moderator)
    data = {"what": "next_action", "owner": member.pk, "description": "Ring the council"}

    with django_assert_max_num_queries(FRAGMENT_QUERIES):
        response = client.post(mode_url(soon), data, headers=HTMX)

    content = response.content.decode()
    assert response.status_code == 200 and is_fragment(content)
    assert content.startswith('<div id="next-actions">')
    assert "Next action added." in content and "Ring the council" in content
    # The notes form and the timers live outside the fragment: the answer leaves them alone.
    assert "session-notes" not in content and "timer" not in content
    assert NextAction.objects.get(session=session).owner == member


def test_adding_a_next_action_without_javascript_redirects_back_to_meeting_mode(
    soon, session, moderator, member, login
):
    client = login(moderator)
    data = {"what": "next_action", "owner": member.pk, "description": "Ring the council"}

    response = client.post(mode_url(soon), data)

    assert response.status_code == 302 and response.url == mode_url(soon)
    assert NextAction.objects.filter(session=session, description="Ring the council").exists()


def test_a_refused_next_action_comes_back_in_the_fragment_with_what_was_typed(
    soon, session, moderator, outsider, login
):
    client = login(moderator)
    data = {"what": "next_action", "owner": outsider.pk, "description": "Borrow a trailer"}

    response = client.post(mode_url(soon), data, headers=HTMX)

    content = response.content.decode()
    assert response.status_code == 200 and is_fragment(content)
    assert 'value="Borrow a trailer"' in content
    assert "Select a valid choice" in content
    assert "Next action added." not in content
    assert not NextAction.objects.filter(session=session).exists()


def test_a_next_action_for_a_closed_session_is_refused_in_the_fragment(
    soon, session, moderator, member, login
):
    Session.objects.filter(pk=session.pk).update(closed_at=timezone.now())
    client = login(moderator)
    data = {"what": "next_action", "owner": member.pk, "description": "Too late"}

    content = client.post(mode_url(soon), data, headers=HTMX).content.decode()

    assert "This session is closed." in content and "Add next action" not in content
    assert not NextAction.objects.filter(session=session).exists()


# Questions ------------------------------------------------------------------------------------


def test_adding_a_question_with_htmx_answers_with_the_questions_fragment(
    soon, session, moderator, login, django_assert_max_num_queries
):
    client = login(moderator)

    with django_assert_max_num_queries(FRAGMENT_QUERIES):
        response = client.post(
            mode_url(soon), {"what": "question", "text": "What would it take?"}, headers=HTMX
        )

    content = response.content.decode()
    assert is_fragment(content) and content.startswith('<div id="session-questions">')
    assert "Question added to the group" in content and "What would it take?" in content
    assert Question.objects.filter(group=soon.group, text="What would it take?").exists()


def test_an_empty_question_is_refused_in_the_fragment(soon, session, moderator, login):
    client = login(moderator)

    content = client.post(
        mode_url(soon), {"what": "question", "text": ""}, headers=HTMX
    ).content.decode()

    assert is_fragment(content) and "This field is required." in content
    assert not Question.objects.filter(group=soon.group).exists()


def test_adding_a_question_without_javascript_redirects(soon, session, moderator, login):
    response = login(moderator).post(mode_url(soon), {"what": "question", "text": "How far?"})

    assert response.status_code == 302 and response.url == mode_url(soon)


# Ticking off last session's actions -------------------------------------------------------------


@pytest.fixture
def last_action(group, moderator, member):
    """A next action from last week's closed session."""
    held = Meeting.objects.create(group=group, starts_at=timezone.now() - timedelta(days=5))
    last = Session.objects.create(meeting=held, group=group, closed_at=timezone.now())
    return NextAction.objects.create(
        session=last, group=group, owner=member, description="Measure the river"
    )


def test_ticking_off_last_sessions_action_in_meeting_mode_swaps_only_its_row(
    soon, session, last_action, moderator, login, django_assert_max_num_queries
):
    client = login(moderator)
    page = client.get(mode_url(soon)).content.decode()
    assert f'id="previous-action-{last_action.pk}"' in page and "Mark done" in page
    url = reverse("groups:next_action_done", args=[last_action.pk])

    with django_assert_max_num_queries(8):
        response = client.post(url, {"done": "1", "next": mode_url(soon)}, headers=HTMX)

    content = response.content.decode()
    assert is_fragment(content)
    assert content.startswith(f'<li id="previous-action-{last_action.pk}">')
    assert "Not done after all" in content and f'value="{mode_url(soon)}"' in content
    last_action.refresh_from_db()
    assert last_action.done_at is not None

    client.post(url, {"done": "0", "next": mode_url(soon)}, headers=HTMX)
    last_action.refresh_from_db()
    assert last_action.done_at is None


def test_ticking_off_without_javascript_goes_back_to_meeting_mode(
    soon, session, last_action, moderator, login
):
    url = reverse("groups:next_action_done", args=[last_action.pk])

    response = login(moderator).post(url, {"done": "1", "next": mode_url(soon)})

    assert response.status_code == 302 and response.url == mode_url(soon)


# Notes drafts ---------------------------------------------------------------------------------


def test_the_moderator_saves_a_draft_as_it_is_typed(
    soon, session, moderator, login, django_assert_max_num_queries
):
    client = login(moderator)

    with django_assert_max_num_queries(FRAGMENT_QUERIES):
        response = client.post(
            draft_url(soon), {"achieved": "8 willows", "learnings": "Plant early"}, headers=HTMX
        )

    assert response.status_code == 200
    assert response.content.decode().startswith("Draft saved at")
    session.refresh_from_db()
    assert (session.achieved, session.learnings) == ("8 willows", "Plant early")


def test_saving_the_same_draft_twice_changes_nothing(soon, session, moderator, login):
    client = login(moderator)
    for _attempt in range(2):
        response = client.post(draft_url(soon), {"achieved": "8 willows"}, headers=HTMX)
        assert response.status_code == 200

    assert Session.objects.filter(meeting=soon).count() == 1
    session.refresh_from_db()
    assert session.achieved == "8 willows"


def test_a_draft_of_one_note_keeps_the_other(soon, session, moderator, login):
    services.session_save(actor=moderator, session=session, achieved="Kept", learnings="Old")

    login(moderator).post(draft_url(soon), {"learnings": "New"}, headers=HTMX)

    session.refresh_from_db()
    assert (session.achieved, session.learnings) == ("Kept", "New")


def test_the_meeting_mode_page_shows_the_saved_draft_and_the_close_sends_it(
    soon, session, moderator, login, time_machine
):
    client = login(moderator)
    client.post(draft_url(soon), {"achieved": "Drafted win", "learnings": "Drafted lesson"})

    page = client.get(mode_url(soon)).content.decode()
    assert "Drafted win" in page and "Drafted lesson" in page
    assert 'hx-trigger="input changed delay:800ms"' in page and "js/meeting_mode.js" in page

    time_machine.move_to(soon.starts_at + timedelta(minutes=1), tick=False)
    closed = services.session_close(actor=moderator, session=session)
    assert "Drafted lesson" in closed.summary and "Drafted win" in closed.summary


def test_a_draft_without_javascript_saves_and_goes_back_to_meeting_mode(
    soon, session, moderator, login
):
    response = login(moderator).post(draft_url(soon), {"learnings": "Water first"})

    assert response.status_code == 302 and response.url == mode_url(soon)
    session.refresh_from_db()
    assert session.learnings == "Water first"


def test_members_and_outsiders_cannot_save_drafts(soon, session, member, outsider, login):
    assert (
        login(member).post(draft_url(soon), {"learnings": "Mine"}, headers=HTMX).status_code == 403
    )
    assert (
        login(outsider).post(draft_url(soon), {"learnings": "Mine"}, headers=HTMX).status_code
        == 404
    )
    session.refresh_from_db()
    assert session.learnings == ""


def test_a_draft_for_a_closed_session_is_refused_and_says_why(soon, session, moderator, login):
    Session.objects.filter(pk=session.pk).update(closed_at=timezone.now(), learnings="Sent")
    client = login(moderator)

    response = client.post(draft_url(soon), {"learnings": "Late words"}, headers=HTMX)

    assert response.status_code == 409
    assert "this session is closed" in response.content.decode()
    session.refresh_from_db()
    assert session.learnings == "Sent"
    without_js = client.post(draft_url(soon), {"learnings": "Late words"})
    assert without_js.status_code == 302


def test_save_notes_with_htmx_answers_with_the_status_line(soon, session, moderator, login):
    client = login(moderator)
    data = {"what": "save", "achieved": "A", "learnings": "B"}

    response = client.post(mode_url(soon), data, headers=HTMX)

    assert response.status_code == 200 and response.content.decode().startswith("Saved at")
    session.refresh_from_db()
    assert (session.achieved, session.learnings) == ("A", "B")
    assert client.post(mode_url(soon), data).status_code == 302


# An autosave while the moderator types: the access checked on the way in is the one the
# services use, so nobody's role is read twice.
DRAFT_QUERIES = 10  # 8 before the notes were read under a row lock (a savepoint and the lock)


def test_an_autosave_checks_the_moderator_once(
    soon, session, moderator, login, django_assert_max_num_queries
):
    client = login(moderator)
    client.post(draft_url(soon), {"achieved": "8"}, headers=HTMX)

    with django_assert_max_num_queries(DRAFT_QUERIES):
        response = client.post(draft_url(soon), {"achieved": "8 willows"}, headers=HTMX)

    assert response.status_code == 200
