"""A session closes once its meeting has started, with a confirmation first; a single meeting
that cannot be added keeps what was typed and names the field at fault."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from groups.meetings import services
from groups.meetings.models import Meeting, Session
from impact.models import Notification
from tests.meetings.test_services_views_api import PAGE_QUERIES, assert_error, populate

pytestmark = pytest.mark.django_db


def summaries():
    return Notification.objects.filter(kind="meeting.summary")


# Closing before the meeting -------------------------------------------------------------------


def test_a_session_cannot_be_closed_before_its_meeting_starts(soon, moderator, member):
    session = services.session_open(actor=moderator, meeting=soon)

    with pytest.raises(ValidationError, match="has not started yet"):
        services.session_close(actor=moderator, session=session, learnings="Too soon.")

    session.refresh_from_db()
    assert session.closed_at is None and session.learnings == ""
    assert not summaries().exists()
    # So the meeting is still what it was: coming up, and open for reflections.
    services.reflection_save(user=member, meeting=soon, learned="Still time to answer.")


def test_a_session_closes_once_its_meeting_has_started(soon, moderator, time_machine):
    session = services.session_open(actor=moderator, meeting=soon)
    time_machine.move_to(soon.starts_at + timedelta(minutes=1), tick=False)

    closed = services.session_close(actor=moderator, session=session, learnings="Go early.")

    assert closed.closed_at is not None and summaries().exists()


def test_meeting_mode_offers_no_close_button_before_the_start_and_refuses_a_forged_close(
    soon, moderator, login, django_assert_max_num_queries
):
    client = login(moderator)
    url = reverse("groups:meeting_mode", args=[soon.pk])

    with django_assert_max_num_queries(PAGE_QUERIES["meeting_mode"]):
        page = client.get(url).content.decode()
    assert "Close the session and send the summary" not in page
    assert "Once the meeting has started you can close the session" in page

    response = client.post(
        url, {"what": "close", "confirm": "1", "achieved": "", "learnings": "Typed notes."}
    )
    assert response.status_code == 200
    assert "has not started yet" in response.content.decode()
    assert response.context["notes"]["learnings"].value() == "Typed notes."
    assert Session.objects.get(meeting=soon).closed_at is None
    assert not summaries().exists()


def test_the_api_refuses_to_close_before_the_meeting_starts(soon, moderator, api):
    session = services.session_open(actor=moderator, meeting=soon)

    response = api(moderator).post(f"/api/sessions/{session.pk}/close/", {}, format="json")

    assert_error(response, 400, "invalid")
    assert "has not started yet" in str(response.json())
    assert not summaries().exists()


def test_an_early_close_leaves_the_meeting_coming_up_confirmed_and_prompting(
    soon, moderator, member, login, api
):
    session = services.session_open(actor=moderator, meeting=soon)
    api(moderator).post(f"/api/sessions/{session.pk}/close/", {}, format="json")

    feed = services.calendar_feed_for(member)
    calendar = login(member).get(reverse("groups:calendar_feed", args=[feed.token]))
    meetings_page = login(member).get(reverse("groups:meetings", args=[soon.group_id]))

    assert b"STATUS:CONFIRMED" in calendar.content
    assert soon in list(meetings_page.context["upcoming"])
    assert login(member).get(reverse("groups:reflection_edit", args=[soon.pk])).status_code == 200


# Closing asks first ----------------------------------------------------------------------------


def test_closing_in_meeting_mode_asks_first_and_keeps_the_notes(
    soon, group, moderator, member, fill_group, login, time_machine, django_assert_max_num_queries
):
    populate(group, soon, fill_group, 6)
    time_machine.move_to(soon.starts_at + timedelta(minutes=5), tick=False)
    client = login(moderator)
    url = reverse("groups:meeting_mode", args=[soon.pk])
    assert "Close the session and send the summary" in client.get(url).content.decode()
    notes = {"achieved": "40 trees planted.", "learnings": 'Water "first".\nThen mulch.'}

    with django_assert_max_num_queries(PAGE_QUERIES["meeting_mode"]):
        asked = client.post(url, {"what": "close", **notes})

    page = asked.content.decode()
    assert asked.status_code == 200
    assert "Close the session and send the summary?" in page
    assert "all 6 members" in page
    assert 'name="confirm" value="1"' in page
    assert 'value="Water &quot;first&quot;.\nThen mulch."' in page
    session = Session.objects.get(meeting=soon)
    # Nothing was sent, but nothing typed is lost if the moderator goes back.
    assert session.closed_at is None and session.learnings == notes["learnings"]
    assert not summaries().exists()

    closed = client.post(url, {"what": "close", "confirm": "1", **notes})

    session.refresh_from_db()
    assert closed.status_code == 302
    assert closed.url == reverse("groups:session_detail", args=[session.pk])
    assert session.closed_at is not None and session.achieved == "40 trees planted."
    assert summaries().filter(channel=Notification.Channel.EMAIL).count() == 6


# Adding a single meeting -------------------------------------------------------------------------


def test_adding_a_meeting_in_the_past_names_the_field_in_the_service(group, moderator):
    with pytest.raises(ValidationError) as caught:
        services.meeting_add(
            actor=moderator, group=group, starts_at=timezone.now() - timedelta(days=1)
        )

    assert set(caught.value.message_dict) == {"starts_at"}


def test_the_page_keeps_a_past_meeting_as_typed_with_the_error_beside_its_time(
    group, moderator, login, django_assert_max_num_queries
):
    yesterday = (timezone.now() - timedelta(days=1)).astimezone(moderator.zone)
    typed = {
        "starts_at": yesterday.strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": "90",
        "location": "The old mill",
        "is_reflection": "on",
    }
    client = login(moderator)

    with django_assert_max_num_queries(PAGE_QUERIES["meetings"]):
        response = client.post(reverse("groups:meeting_add", args=[group.pk]), typed)

    form = response.context["meeting_form"]
    assert response.status_code == 200
    assert form.errors == {"starts_at": ["Choose a time in the future."]}
    assert (form["location"].value(), form["duration_minutes"].value()) == ("The old mill", "90")
    page = response.content.decode()
    assert 'value="The old mill"' in page and "Choose a time in the future." in page
    assert "Check the meeting's time and duration" not in page
    # The cadence form on that page still saves to the meetings page, not to this URL.
    assert f'action="{reverse("groups:meetings", args=[group.pk])}"' in page
    assert not Meeting.objects.filter(group=group).exists()


def test_an_unreadable_meeting_time_is_named_too(group, moderator, login):
    response = login(moderator).post(
        reverse("groups:meeting_add", args=[group.pk]),
        {"starts_at": "next tuesday", "duration_minutes": "5", "location": "Hall"},
    )

    form = response.context["meeting_form"]
    assert set(form.errors) == {"starts_at", "duration_minutes"}
    assert form["location"].value() == "Hall"


def test_the_api_answers_a_past_meeting_with_a_400_on_starts_at(group, moderator, api):
    response = api(moderator).post(
        "/api/meetings/",
        {"group": group.pk, "starts_at": (timezone.now() - timedelta(days=1)).isoformat()},
        format="json",
    )

    assert_error(response, 400, "invalid", "starts_at")
    assert not Meeting.objects.filter(group=group).exists()
