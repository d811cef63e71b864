"""Meeting mode's notes are Markdown (the form says so): the session page, the room and the
summary render them, text mail shows plain words; and opening meeting mode writes nothing."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse

from groups.meetings.models import Session
from groups.models import Membership
from groups.services import membership_set_role
from impact.models import Notification
from tests.impact import support
from tests.meetings.conftest import mode_url
from tests.meetings.test_services_views_api import PAGE_QUERIES

pytestmark = pytest.mark.django_db

ACHIEVED = "We planted **40 trees**:\n- oaks\n- birches"


def close_with_notes(client, meeting, time_machine, **notes):
    time_machine.move_to(meeting.starts_at + timedelta(minutes=1), tick=False)
    response = client.post(mode_url(meeting), {"what": "close", "confirm": "1", **notes})
    assert response.status_code == 302, response.content.decode()[:2000]
    return Session.objects.get(meeting=meeting)


# A GET writes nothing ---------------------------------------------------------------------------


def test_opening_meeting_mode_creates_no_session(
    soon, moderator, login, django_assert_max_num_queries
):
    client = login(moderator)

    with django_assert_max_num_queries(PAGE_QUERIES["meeting_mode"]):
        response = client.get(mode_url(soon))
    client.get(mode_url(soon))

    assert response.status_code == 200
    assert not Session.objects.filter(meeting=soon).exists()
    page = response.content.decode()
    # Drawn from "no session yet": the notes form, on the version a new session starts from.
    assert 'id="session-notes"' in page
    assert 'name="notes_version" id="notes-version" value="0"' in page
    assert f'data-draft-key="impact:session-notes:meeting-{soon.pk}"' in page
    assert "No next actions yet." in page


def test_the_first_save_opens_the_session(soon, moderator, login):
    client = login(moderator)
    client.get(mode_url(soon))

    response = client.post(
        mode_url(soon), {"what": "save", "notes_version": "0", "learnings": "Go early."}
    )

    assert response.status_code == 302
    assert Session.objects.get(meeting=soon).learnings == "Go early."


def test_a_next_action_before_any_save_opens_the_session(soon, moderator, member, login):
    client = login(moderator)

    client.post(mode_url(soon), {"what": "next_action", "owner": member.pk, "description": "Ask"})

    session = Session.objects.get(meeting=soon)
    assert list(session.next_actions.values_list("description", flat=True)) == ["Ask"]


def test_two_moderators_who_opened_it_before_any_session_still_cannot_overwrite_each_other(
    soon, group, moderator, member, login, client
):
    membership_set_role(
        actor=moderator,
        membership=Membership.objects.get(group=group, user=member),
        role="moderator",
    )
    # Both screens were drawn before any session existed: both carry version 0.
    login(moderator).post(
        mode_url(soon), {"what": "save", "notes_version": "0", "learnings": "Mine first."}
    )

    response = login(member).post(
        mode_url(soon), {"what": "save", "notes_version": "0", "learnings": "Theirs."}
    )

    assert response.status_code == 200
    assert "Someone else" in response.content.decode()
    assert Session.objects.get(meeting=soon).learnings == "Mine first."


# Notes are Markdown -----------------------------------------------------------------------------


def test_the_notes_form_says_markdown_works(soon, moderator, login):
    page = login(moderator).get(mode_url(soon)).content.decode()

    assert page.count("Markdown works (**bold**, lists, links).") == 2


def test_the_summary_renders_the_notes_markdown_everywhere_it_is_shown(
    soon, moderator, member, login, client, time_machine, django_assert_max_num_queries
):
    moderating = login(moderator)
    moderating.post(
        mode_url(soon),
        {"what": "next_action", "owner": member.pk, "description": "Fix the *shed* roof"},
    )
    session = close_with_notes(
        moderating, soon, time_machine, achieved=ACHIEVED, learnings="Water _early_."
    )

    # The summary is Markdown: the notes as typed, everything else escaped to show as written.
    assert "### What we achieved:\nWe planted **40 trees**:\n- oaks" in session.summary
    assert "Fix the \\*shed\\* roof" in session.summary

    with django_assert_max_num_queries(PAGE_QUERIES["session_detail"]):
        detail = moderating.get(reverse("groups:session_detail", args=[session.pk]))
    detail = detail.content.decode()
    assert "We planted <strong>40 trees</strong>:" in detail
    assert "<li>oaks</li>" in detail and "Water <em>early</em>." in detail
    assert "**" not in detail

    closed_room = moderating.get(mode_url(soon)).content.decode()
    assert "Read the summary" in closed_room

    meetings_page = moderating.get(reverse("groups:meetings", args=[soon.group_id]))
    assert "**" not in meetings_page.content.decode()

    # The member's in-app list, HTML mail and text mail.
    as_member = login(member)
    with django_assert_max_num_queries(5):
        listed = as_member.get(reverse("notification_list")).content.decode()
    assert "<strong>40 trees</strong>" in listed and "**" not in listed

    mail.outbox.clear()
    support.deliver_pending_emails()
    (to_member,) = [m for m in mail.outbox if m.to == [member.email]]
    html = to_member.alternatives[0][0]
    assert "We planted <strong>40 trees</strong>:" in html
    assert "<h3>What we achieved:</h3>" in html and "<li>birches</li>" in html
    assert "Fix the *shed* roof" in html and "**" not in html and "###" not in html
    text = to_member.body
    assert "What we achieved:\nWe planted 40 trees:\n\n- oaks\n- birches" in text
    assert "What we learned:\nWater early." in text
    assert f"- {member.public_name}: Fix the *shed* roof" in text
    assert "**" not in text and "###" not in text and "\\*" not in text
    assert Notification.objects.filter(kind="meeting.summary").count() == 4


def test_the_room_and_the_close_confirmation_render_the_notes(
    soon, moderator, member, login, time_machine
):
    moderating = login(moderator)
    moderating.post(mode_url(soon), {"what": "save", "notes_version": "0", "achieved": ACHIEVED})

    room = login(member).get(reverse("groups:meeting_room", args=[soon.pk])).content.decode()
    assert "We planted <strong>40 trees</strong>:" in room and "<li>oaks</li>" in room

    time_machine.move_to(soon.starts_at + timedelta(minutes=1), tick=False)
    confirm = login(moderator).post(
        mode_url(soon), {"what": "close", "notes_version": "1", "achieved": ACHIEVED}
    )
    page = confirm.content.decode()
    assert "Close the session and send the summary?" in page
    assert "We planted <strong>40 trees</strong>:" in page
    # The confirming form still carries the words exactly as typed.
    assert 'value="We planted **40 trees**:' in page
