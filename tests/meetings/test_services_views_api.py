"""Reflections, RSVPs, meeting mode, sessions, next actions and calendars: services, pages, API."""

from datetime import timedelta

import icalendar
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from groups.meetings import services
from groups.meetings.models import CalendarFeed, Meeting, MeetingResponse, NextAction, Reflection
from groups.meetings.selectors import pulse_history
from impact.models import Notification
from narratives.models import Question
from narratives.services import help_request_create
from tests.factories import UserFactory
from tests.meetings.conftest import join

pytestmark = pytest.mark.django_db

# Fixed query budgets: the same bound must hold for a group of 3 and a group of 15.
PAGE_QUERIES = {
    "meetings": 14,
    "meeting_detail": 14,
    "reflection_edit": 12,
    "meeting_mode": 24,  # reflections, help, questions, last actions, pulse, impact charts
    "session_detail": 10,
    "home": 14,
}
API_QUERIES = 6


@pytest.fixture
def soon(group, moderator):
    """A weekly reflection two days from now."""
    return services.meeting_add(
        actor=moderator,
        group=group,
        starts_at=timezone.now() + timedelta(days=2),
        location="Library",
        is_reflection=True,
    )


@pytest.fixture
def second(group):
    return join(group, display_name="Sam Second")


@pytest.fixture
def other_group_member(make_group):
    """Member of another group in the same (public) network."""
    moderator = UserFactory(display_name="Other Moderator")
    other = make_group(moderator=moderator, name="Compost Club")
    return join(other, display_name="Cara Compost")


def after_start(meeting, time_machine):
    time_machine.move_to(meeting.starts_at + timedelta(minutes=1), tick=False)


def reflect(user, meeting, **fields):
    return services.reflection_save(user=user, meeting=meeting, **fields)


def assert_error(response, status: int, code: str, field: str | None = None):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"detail", "code", "fields"}
    assert body["code"] == code
    if field:
        assert field in body["fields"], body


# Reflections --------------------------------------------------------------------------------


def test_a_member_changes_their_reflection_in_the_meeting_until_the_session_closes(
    soon, member, moderator, time_machine
):
    reflect(member, soon, learned="Plant in autumn.", excited="4")
    reflection = reflect(member, soon, learned="Plant in autumn, water in spring.", excited=5)
    assert (reflection.learned, reflection.excited) == ("Plant in autumn, water in spring.", 5)

    # In the meeting's live room the reflection can still change, and the summary has it.
    after_start(soon, time_machine)
    session = services.session_open(actor=moderator, meeting=soon)
    reflect(member, soon, learned="Ask the neighbours first.")
    services.session_close(actor=moderator, session=session)

    with pytest.raises(ValidationError, match="reflections can no longer be changed"):
        reflect(member, soon, learned="Too late.")
    assert Reflection.objects.get(meeting=soon, user=member).learned == "Ask the neighbours first."


def test_a_meeting_no_one_ran_takes_reflections_until_its_end(soon, member, time_machine):
    time_machine.move_to(soon.ends_at - timedelta(minutes=1), tick=False)
    reflect(member, soon, learned="Just in time.")

    time_machine.move_to(soon.ends_at, tick=False)
    with pytest.raises(ValidationError, match="The meeting is over"):
        reflect(member, soon, learned="Too late.")
    assert Reflection.objects.get(meeting=soon, user=member).learned == "Just in time."


@pytest.mark.parametrize("value", [0, 6, "6", "x", 3.5, "3.5", True])
def test_pulse_answers_are_1_to_5(soon, member, value):
    with pytest.raises(ValidationError) as caught:
        reflect(member, soon, stuck=value)

    assert "stuck" in caught.value.message_dict
    assert not Reflection.objects.exists()


def test_pulse_answers_are_optional(soon, member):
    reflection = reflect(member, soon, learned="Ask early.", excited="", trust_values=None)

    assert reflection.excited is None and reflection.trust_values is None


def test_only_members_reflect(soon, outsider, organizer):
    for person in [outsider, organizer]:
        with pytest.raises(PermissionDenied):
            reflect(person, soon, learned="Not my group.")


def test_the_reflection_form_saves_and_then_locks_when_the_session_closes(
    soon, member, moderator, login, time_machine
):
    client = login(member)
    url = reverse("groups:reflection_edit", args=[soon.pk])
    form = {
        "impact_achieved": "Planted 8 willows.",
        "learned": "Neighbours join when asked.",
        "new_questions": "",
        "need_help": "A permit for the east bank.",
        "excited": "4",
        "stuck": "2",
        "share_pulse": "on",
    }

    response = client.post(url, form)
    assert response.status_code == 302 and response.url == soon.get_absolute_url()
    saved = Reflection.objects.get(meeting=soon, user=member)
    assert (saved.excited, saved.stuck, saved.share_pulse) == (4, 2, True)

    # From the live room, the form goes back to the room.
    after_start(soon, time_machine)
    room = reverse("groups:meeting_room", args=[soon.pk])
    form["learned"] = "Said in the room."
    response = client.post(f"{url}?next={room}", form)
    assert response.status_code == 302 and response.url == room
    response = client.post(url, form | {"next": "https://elsewhere.example/"})
    assert response.status_code == 302 and response.url == soon.get_absolute_url()

    services.session_close(
        actor=moderator, session=services.session_open(actor=moderator, meeting=soon)
    )
    page = client.get(url)
    assert "can no longer be changed" in page.content.decode()
    assert "Save my reflection" not in page.content.decode()
    response = client.post(url, form | {"learned": "Changed after the start."})
    assert response.status_code == 200
    assert Reflection.objects.get(pk=saved.pk).learned == "Said in the room."


def test_the_reflection_form_shows_the_pulse_range_error(soon, member, login):
    response = login(member).post(
        reverse("groups:reflection_edit", args=[soon.pk]), {"excited": "9"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["excited"]
    assert not Reflection.objects.exists()


def test_reflections_are_visible_only_inside_the_group(
    soon, member, outsider, other_group_member, organizer, api, login
):
    reflect(member, soon, learned="Inside knowledge.")
    for person in [outsider, other_group_member]:
        client = login(person)
        for name in ["meeting_detail", "reflection_edit", "meeting_mode", "meeting_ics"]:
            assert client.get(reverse(f"groups:{name}", args=[soon.pk])).status_code == 404
        response = api(person).get(f"/api/meetings/{soon.pk}/reflections/")
        assert_error(response, 404, "not_found")
    # The network's organizer may look after the group, so sees inside it.
    assert api(organizer).get(f"/api/meetings/{soon.pk}/reflections/").status_code == 200


def test_the_api_shows_someone_elses_pulse_only_when_they_share_it(
    soon, member, second, moderator, api
):
    reflect(member, soon, learned="Mine.", excited=2, stuck=5)
    reflect(second, soon, learned="Shared.", excited=4, stuck=1, share_pulse=True)

    with_moderator = api(moderator).get(f"/api/meetings/{soon.pk}/reflections/").json()
    by_user = {row["user"]: row for row in with_moderator}
    assert by_user[member.pk]["learned"] == "Mine."
    assert by_user[member.pk]["excited"] is None and by_user[member.pk]["stuck"] is None
    assert (by_user[second.pk]["excited"], by_user[second.pk]["stuck"]) == (4, 1)

    own = api(member).get(f"/api/meetings/{soon.pk}/reflections/").json()
    assert {row["user"]: row["stuck"] for row in own}[member.pk] == 5
    assert api(member).get(f"/api/meetings/{soon.pk}/my-reflection/").json()["excited"] == 2


def test_my_reflection_in_the_api_is_validated_and_locked_after_the_meeting(
    soon, member, api, time_machine
):
    client = api(member)
    url = f"/api/meetings/{soon.pk}/my-reflection/"
    assert_error(client.get(url), 404, "not_found")

    assert_error(client.put(url, {"excited": 6}, format="json"), 400, "invalid", "excited")
    response = client.put(url, {"learned": "Start small.", "stuck": 3}, format="json")
    assert response.status_code == 200 and response.json()["stuck"] == 3

    after_start(soon, time_machine)
    response = client.put(url, {"learned": "Said in the room."}, format="json")
    assert response.status_code == 200
    time_machine.move_to(soon.ends_at, tick=False)
    assert_error(client.put(url, {"learned": "Later."}, format="json"), 400, "invalid")
    assert Reflection.objects.get(meeting=soon, user=member).learned == "Said in the room."


# RSVP and attendance ------------------------------------------------------------------------


def test_members_say_whether_they_come_on_the_page_and_in_the_api(
    soon, member, second, outsider, login, api
):
    response = login(member).post(reverse("groups:meeting_detail", args=[soon.pk]), {"rsvp": "yes"})
    assert response.status_code == 302
    response = api(second).post(f"/api/meetings/{soon.pk}/rsvp/", {"rsvp": "maybe"}, format="json")
    assert response.status_code == 200 and response.json() == {"rsvp": "maybe"}

    answers = dict(MeetingResponse.objects.filter(meeting=soon).values_list("user_id", "rsvp"))
    assert answers == {member.pk: "yes", second.pk: "maybe"}
    page = login(member).get(reverse("groups:meeting_detail", args=[soon.pk])).content.decode()
    assert "You said: Coming" in page
    # Who is coming: those coming first, then maybe, then no answer; counted above the list.
    assert "1 coming · 1 maybe · 0 can't come · 1 no answer yet" in page
    names = [
        member.public_name,
        second.public_name,
        soon.group.memberships.get(role="moderator").user.public_name,
    ]
    at = [page.index(f"{name} <span") for name in names]
    assert at == sorted(at)
    assert_error(
        api(member).post(f"/api/meetings/{soon.pk}/rsvp/", {"rsvp": "perhaps"}), 400, "invalid"
    )
    assert_error(
        api(outsider).post(f"/api/meetings/{soon.pk}/rsvp/", {"rsvp": "yes"}), 404, "not_found"
    )


def test_no_rsvp_for_a_cancelled_or_started_meeting(soon, member, moderator, api, time_machine):
    services.meeting_cancel(actor=moderator, meeting=soon)
    with pytest.raises(ValidationError):
        services.rsvp_set(user=member, meeting=soon, rsvp="yes")
    assert_error(
        api(member).post(f"/api/meetings/{soon.pk}/rsvp/", {"rsvp": "yes"}), 400, "invalid", "rsvp"
    )

    services.meeting_move(actor=moderator, meeting=soon, starts_at=soon.starts_at)
    after_start(soon, time_machine)
    with pytest.raises(ValidationError):
        services.rsvp_set(user=member, meeting=soon, rsvp="no")
    assert not MeetingResponse.objects.exists()


def test_moderators_record_who_attended(soon, moderator, member, second, api, login, time_machine):
    after_start(soon, time_machine)
    assert_error(
        api(member).post(f"/api/meetings/{soon.pk}/attendance/", {"attended": [member.pk]}),
        403,
        "permission_denied",
    )

    response = api(moderator).post(
        f"/api/meetings/{soon.pk}/attendance/",
        {"attended": [moderator.pk, member.pk]},
        format="json",
    )
    assert response.status_code == 204
    attended = dict(MeetingResponse.objects.filter(meeting=soon).values_list("user_id", "attended"))
    assert attended == {moderator.pk: True, member.pk: True, second.pk: False}

    login(moderator).post(
        reverse("groups:meeting_change", args=[soon.pk]),
        {"action": "attendance", "attended": [second.pk]},
    )
    attended = dict(MeetingResponse.objects.filter(meeting=soon).values_list("user_id", "attended"))
    assert attended == {moderator.pk: False, member.pk: False, second.pk: True}


def test_the_meeting_page_moves_and_cancels_for_moderators_only(soon, moderator, member, login):
    url = reverse("groups:meeting_change", args=[soon.pk])
    assert login(member).post(url, {"action": "cancel"}).status_code == 403

    new_start = (soon.starts_at + timedelta(days=1)).astimezone(moderator.zone)
    login(moderator).post(url, {"starts_at": new_start.strftime("%Y-%m-%dT%H:%M")})
    soon.refresh_from_db()
    assert soon.starts_at == new_start.replace(second=0, microsecond=0)

    login(moderator).post(url, {"action": "cancel"})
    soon.refresh_from_db()
    assert soon.status == Meeting.Status.CANCELLED


# Meeting mode -------------------------------------------------------------------------------


@pytest.fixture
def last_week(group, moderator, member):
    """Last week's closed session, with a next action for the member."""
    past = Meeting.objects.create(group=group, starts_at=timezone.now() - timedelta(days=5))
    session = services.session_open(actor=moderator, meeting=past)
    services.session_add_next_action(
        actor=moderator, session=session, owner=member, description="Call the parks office"
    )
    return services.session_close(actor=moderator, session=session, learnings="Go early.")


def populate(group, meeting, fill_group, size: int) -> None:
    """Fill the group to `size` members, each with a reflection and an RSVP."""
    fill_group(group, size)
    for index, membership in enumerate(group.memberships.filter(left_at=None)):
        Reflection.objects.get_or_create(
            meeting=meeting,
            user=membership.user,
            defaults={"learned": f"Lesson {index}", "excited": 1 + index % 5, "stuck": 2},
        )
        MeetingResponse.objects.get_or_create(meeting=meeting, user=membership.user, rsvp="yes")


def test_meeting_mode_is_for_moderators_only(soon, moderator, organizer, member, outsider, login):
    url = reverse("groups:meeting_mode", args=[soon.pk])

    assert login(outsider).get(url).status_code == 404
    assert login(member).get(url).status_code == 403
    assert login(organizer).get(url).status_code == 200
    assert login(moderator).get(url).status_code == 200


def test_meeting_mode_shows_reflections_who_has_not_answered_help_and_last_actions(
    soon, group, moderator, member, second, last_week, login
):
    third = join(group, display_name="Theo Third")
    fourth = join(group, display_name="Fay Fourth")
    reflect(member, soon, learned="Water the saplings twice.", excited=2, stuck=4)
    reflect(second, soon, need_help="Who has a trailer?", excited=4, stuck=2, share_pulse=True)
    reflect(third, soon, excited=3, stuck=3)
    reflect(fourth, soon, excited=3, stuck=3)
    help_request_create(actor=member, group=group, summary="Need a permit for the east bank")

    page = login(moderator).get(reverse("groups:meeting_mode", args=[soon.pk])).content.decode()

    assert "Water the saplings twice." in page and "Who has a trailer?" in page
    assert "Not answered yet: Mo Moderator" in page
    assert "Need a permit for the east bank" in page
    assert "Call the parks office" in page  # last session's next action, to review
    # Averages over four answers, three kept private; an individual pulse only for whoever
    # shared it.
    assert "Excited 3.0, stuck 3.0 (averages of 5)." in page
    assert "Excited 4/5, stuck 2/5" in page
    assert "Excited 2/5" not in page and "stuck 4/5" not in page


def test_pulse_averages_stay_hidden_until_three_members_answered(
    soon, group, moderator, member, second, login
):
    reflect(member, soon, excited=1, stuck=5)
    reflect(second, soon, excited=5, stuck=1)

    page = login(moderator).get(reverse("groups:meeting_mode", args=[soon.pk])).content.decode()
    (row,) = pulse_history(group)

    assert "averages of 5" not in page
    assert "Averages appear once three members have answered." in page
    assert row["answers"] == 2 and row["excited"] is None and row["stuck"] is None


def test_no_average_gives_away_the_one_or_two_pulses_kept_private(
    soon, group, moderator, member, second, login
):
    """Three answers, two shared by name: the average less those two is the third's."""
    third = join(group, display_name="Theo Third")
    reflect(member, soon, excited=1, stuck=5)
    reflect(second, soon, excited=4, stuck=2, share_pulse=True)
    reflect(third, soon, excited=4, stuck=2, share_pulse=True)

    page = login(moderator).get(reverse("groups:meeting_mode", args=[soon.pk])).content.decode()
    (row,) = pulse_history(group)

    assert "averages of 5" not in page
    assert "they would give away the one or two kept private" in page
    assert row["answers"] == 3 and row["excited"] is None and row["stuck"] is None


def test_with_every_pulse_shared_the_averages_show(soon, group, moderator, member, second):
    third = join(group, display_name="Theo Third")
    for person in (member, second, third):
        reflect(person, soon, excited=3, stuck=2, share_pulse=True)

    (row,) = pulse_history(group)

    assert (row["excited"], row["stuck"]) == (3, 2)


def test_meeting_mode_adds_a_next_action_and_a_question_for_the_group(
    soon, group, moderator, member, login
):
    client = login(moderator)
    url = reverse("groups:meeting_mode", args=[soon.pk])
    client.post(url, {"what": "save", "achieved": "40 trees.", "learnings": "Go early."})

    response = client.post(
        url, {"what": "next_action", "owner": member.pk, "description": "Book the school visit"}
    )
    assert response.status_code == 302
    response = client.post(url, {"what": "question", "text": "How might we water in August?"})
    assert response.status_code == 302

    (item,) = NextAction.objects.filter(session__meeting=soon)
    assert (item.owner, item.group, item.description) == (member, group, "Book the school visit")
    question = Question.objects.get(text="How might we water in August?")
    assert (question.group, question.asked_by, question.status) == (group, moderator, "open")
    page = client.get(url).content.decode()
    assert "How might we water in August?" in page and "Book the school visit" in page


def test_a_rejected_next_action_keeps_the_notes_already_written(soon, moderator, login):
    client = login(moderator)
    url = reverse("groups:meeting_mode", args=[soon.pk])
    client.post(url, {"what": "save", "achieved": "", "learnings": "Go early."})

    response = client.post(url, {"what": "next_action", "owner": "", "description": ""})

    assert response.status_code == 200
    assert response.context["action_form"].errors
    assert response.context["notes"]["learnings"].value() == "Go early."


def test_closing_the_session_sends_every_member_the_summary_once(
    soon, group, moderator, member, second, login, api, time_machine
):
    left = join(group, display_name="Lea Left")
    from groups import services as group_services

    group_services.group_leave(user=left, group=group)
    client = login(moderator)
    url = reverse("groups:meeting_mode", args=[soon.pk])
    client.post(url, {"what": "next_action", "owner": second.pk, "description": "Order saplings"})
    after_start(soon, time_machine)

    response = client.post(
        url,
        {
            "what": "close",
            "confirm": "1",
            "achieved": "40 trees planted.",
            "learnings": "Go early.",
        },
    )

    session = soon.session
    session.refresh_from_db()
    assert response.status_code == 302
    assert response.url == reverse("groups:session_detail", args=[session.pk])
    assert session.closed_at is not None and session.closed_by == moderator
    assert "What we learned:\nGo early." in session.summary
    assert "Sam Second: Order saplings" in session.summary
    summaries = Notification.objects.filter(kind="meeting.summary")
    for channel in [Notification.Channel.EMAIL, Notification.Channel.IN_APP]:
        assert sorted(summaries.filter(channel=channel).values_list("recipient_id", flat=True)) == (
            sorted([moderator.pk, member.pk, second.pk])
        )
    assert all(row.body == session.summary for row in summaries)

    # Closing again (a double click, or the API) sends nothing new and adds nothing.
    services.session_close(actor=moderator, session=session, learnings="Changed.")
    assert summaries.count() == 6
    response = api(moderator).post(
        f"/api/sessions/{session.pk}/next-actions/",
        {"owner": member.pk, "description": "Too late"},
        format="json",
    )
    assert_error(response, 400, "invalid")
    with pytest.raises(ValidationError):
        services.session_add_question(actor=moderator, session=session, text="Too late?")
    assert NextAction.objects.filter(session=session).count() == 1


def test_a_members_next_action_is_on_their_home_page_and_in_the_api_until_done(
    last_week, member, second, outsider, login, api
):
    (item,) = last_week.next_actions.all()
    client = login(member)

    home = client.get("/").content.decode()
    assert "My next actions" in home and "Call the parks office" in home
    listed = api(member).get("/api/next-actions/").json()["results"]
    assert [(row["id"], row["done_at"]) for row in listed] == [(item.pk, None)]
    assert api(second).get("/api/next-actions/").json()["results"] == []

    done_url = reverse("groups:next_action_done", args=[item.pk])
    assert login(outsider).post(done_url).status_code == 404
    assert login(second).post(done_url).status_code == 403
    response = login(member).post(done_url, {"next": "https://evil.example/phish"})
    assert response.status_code == 302 and response.url == "/"

    item.refresh_from_db()
    assert item.done_at is not None
    assert "Call the parks office" not in login(member).get("/").content.decode()


def test_the_api_marks_a_next_action_done(last_week, member, api):
    (item,) = last_week.next_actions.all()

    response = api(member).post(f"/api/next-actions/{item.pk}/done/")

    assert response.status_code == 200 and response.json()["done_at"] is not None
    assert_error(api(member).post("/api/next-actions/999999/done/"), 404, "not_found")
    assert_error(api(member).post("/api/next-actions/abc/done/"), 404, "not_found")


def test_the_session_page_is_for_the_group(last_week, member, outsider, login):
    url = reverse("groups:session_detail", args=[last_week.pk])

    assert login(outsider).get(url).status_code == 404
    page = login(member).get(url).content.decode()
    assert "Go early." in page and "Call the parks office" in page


# Calendars ----------------------------------------------------------------------------------


def test_a_member_downloads_the_meeting_as_ics(soon, member, client, login):
    url = reverse("groups:meeting_ics", args=[soon.pk])
    assert client.get(url).status_code == 302  # signed out: to the login page

    response = login(member).get(url)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    (event,) = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert str(event["uid"]) == f"meeting-{soon.pk}@impact-groups"
    assert event.decoded("dtstart") == soon.starts_at.replace(microsecond=0)
    assert str(event["location"]) == "Library"


def test_the_private_calendar_feed_works_without_login_until_reset(
    soon, group, member, make_group, client, login
):
    elsewhere = make_group(name="Bike Menders")
    from groups import services as group_services
    from tests.groups.support import STATEMENT

    group_services.group_join(user=member, group=elsewhere, statement=STATEMENT)
    there = Meeting.objects.create(group=elsewhere, starts_at=timezone.now() + timedelta(days=3))
    not_mine = Meeting.objects.create(
        group=make_group(name="Seed Library"), starts_at=timezone.now() + timedelta(days=4)
    )
    login(member).post(reverse("groups:calendar_feed_reset"), {"next": "https://evil.example/"})
    old_token = CalendarFeed.objects.get(user=member).token
    client.logout()

    response = client.get(reverse("groups:calendar_feed", args=[old_token]))
    assert response.status_code == 200
    uids = {str(e["uid"]) for e in icalendar.Calendar.from_ical(response.content).walk("VEVENT")}
    assert uids == {f"meeting-{soon.pk}@impact-groups", f"meeting-{there.pk}@impact-groups"}
    assert f"meeting-{not_mine.pk}@" not in response.content.decode()

    response = login(member).post(
        reverse("groups:calendar_feed_reset"), {"reset": "1", "next": "/profile/"}
    )
    assert response.url == "/profile/"
    new_token = CalendarFeed.objects.get(user=member).token
    client.logout()
    assert new_token != old_token
    assert client.get(reverse("groups:calendar_feed", args=[old_token])).status_code == 404
    assert client.get(reverse("groups:calendar_feed", args=[new_token])).status_code == 200


def test_the_feed_of_a_deactivated_account_stops(member, client):
    feed = services.calendar_feed_for(member)
    member.is_active = False
    member.save(update_fields=["is_active"])

    assert client.get(reverse("groups:calendar_feed", args=[feed.token])).status_code == 404


# Pages and lists keep a fixed number of queries --------------------------------------------


@pytest.mark.parametrize("size", [3, 15])
def test_meeting_pages_keep_a_fixed_number_of_queries(
    soon,
    group,
    moderator,
    member,
    last_week,
    fill_group,
    login,
    size,
    django_assert_max_num_queries,
):
    populate(group, soon, fill_group, size)
    help_request_create(actor=member, group=group, summary="Need gloves")
    services.calendar_feed_for(moderator)
    client = login(moderator)
    pages = {
        "meetings": reverse("groups:meetings", args=[group.pk]),
        "meeting_detail": reverse("groups:meeting_detail", args=[soon.pk]),
        "reflection_edit": reverse("groups:reflection_edit", args=[soon.pk]),
        "meeting_mode": reverse("groups:meeting_mode", args=[soon.pk]),
        "session_detail": reverse("groups:session_detail", args=[last_week.pk]),
        "home": "/",
    }
    client.get(pages["meeting_mode"])  # a first visit (it writes nothing: no session yet)

    for name, url in pages.items():
        with django_assert_max_num_queries(PAGE_QUERIES[name]):
            assert client.get(url).status_code == 200, url
    page = client.get(pages["meeting_mode"]).content.decode()
    assert page.count('class="reflection"') == size


@pytest.mark.parametrize("size", [3, 15])
def test_meeting_api_lists_keep_a_fixed_number_of_queries(
    soon,
    group,
    moderator,
    member,
    last_week,
    fill_group,
    api,
    size,
    django_assert_max_num_queries,
):
    populate(group, soon, fill_group, size)
    for week in range(1, size):
        Meeting.objects.create(group=group, starts_at=timezone.now() + timedelta(weeks=week))
    client = api(member)

    for url in [
        "/api/meetings/",
        f"/api/meetings/{soon.pk}/reflections/",
        "/api/sessions/",
        "/api/next-actions/",
        f"/api/groups/{group.pk}/cadence/",
    ]:
        with django_assert_max_num_queries(API_QUERIES):
            response = client.get(url)
        assert response.status_code in (200, 404), url
    assert len(client.get(f"/api/meetings/{soon.pk}/reflections/").json()) == size


# The rest of the API ------------------------------------------------------------------------


def test_the_meetings_api_lists_only_my_groups(soon, member, outsider, make_group, api):
    elsewhere = Meeting.objects.create(
        group=make_group(name="Seed Library"), starts_at=timezone.now() + timedelta(days=1)
    )

    ids = [row["id"] for row in api(member).get("/api/meetings/").json()["results"]]

    assert soon.pk in ids and elsewhere.pk not in ids
    assert api(outsider).get("/api/meetings/").json()["results"] == []
    assert_error(api(outsider).get(f"/api/meetings/{soon.pk}/"), 404, "not_found")
    assert_error(api(member).get("/api/meetings/abc/"), 404, "not_found")
    assert_error(api().get("/api/meetings/"), 401, "not_authenticated")


def test_moving_adding_and_cancelling_in_the_api(soon, group, moderator, member, api):
    later = soon.starts_at + timedelta(hours=2)

    assert_error(
        api(member).post(f"/api/meetings/{soon.pk}/move/", {"starts_at": later.isoformat()}),
        403,
        "permission_denied",
    )
    past = timezone.now() - timedelta(days=1)
    response = api(moderator).post(
        f"/api/meetings/{soon.pk}/move/", {"starts_at": past.isoformat()}
    )
    assert_error(response, 400, "invalid", "starts_at")
    assert_error(
        api(moderator).post(f"/api/meetings/{soon.pk}/move/", {}), 400, "invalid", "starts_at"
    )
    response = api(moderator).post(
        f"/api/meetings/{soon.pk}/move/", {"starts_at": later.isoformat()}
    )
    assert response.status_code == 200
    soon.refresh_from_db()
    assert soon.starts_at == later

    response = api(moderator).post(
        "/api/meetings/",
        {"group": group.pk, "starts_at": later.isoformat(), "duration_minutes": 30},
        format="json",
    )
    assert response.status_code == 201 and response.json()["duration_minutes"] == 30
    assert_error(
        api(member).post("/api/meetings/", {"group": group.pk, "starts_at": later.isoformat()}),
        403,
        "permission_denied",
    )

    response = api(moderator).post(f"/api/meetings/{soon.pk}/cancel/")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"


def test_sessions_in_the_api_open_take_next_actions_and_close(
    soon, moderator, member, second, outsider, api, time_machine
):
    assert_error(api(member).post(f"/api/meetings/{soon.pk}/session/"), 403, "permission_denied")
    assert_error(api(member).get(f"/api/meetings/{soon.pk}/session/"), 404, "not_found")
    opened = api(moderator).post(f"/api/meetings/{soon.pk}/session/").json()
    url = f"/api/sessions/{opened['id']}/"

    response = api(moderator).post(
        url + "next-actions/",
        {"owner": member.pk, "description": "Book the school", "due_on": "2099-01-31"},
        format="json",
    )
    assert response.status_code == 201
    assert_error(
        api(moderator).post(url + "next-actions/", {"owner": outsider.pk, "description": "X"}),
        400,
        "invalid",
        "owner",
    )
    # A member proposes one too (as in the live room), for themselves or another member.
    proposed = api(second).post(url + "next-actions/", {"owner": second.pk, "description": "Me"})
    assert proposed.status_code == 201, proposed.content
    assert_error(api(outsider).get(url), 404, "not_found")

    after_start(soon, time_machine)
    response = api(moderator).post(url + "close/", {"learnings": "Schools say yes."}, format="json")
    body = response.json()
    assert response.status_code == 200 and body["closed_at"] is not None
    assert "Schools say yes." in body["summary"] and "Book the school" in body["summary"]
    assert api(member).get(url).json()["next_actions"][0]["description"] == "Book the school"
    assert Notification.objects.filter(kind="meeting.summary").count() == 2 * 3


def test_the_cadence_api_reads_and_sets_the_cadence(group, moderator, member, outsider, api):
    url = f"/api/groups/{group.pk}/cadence/"
    assert_error(api(member).get(url), 404, "not_found")  # none set yet
    cadence = {
        "weekdays": [1, 3],
        "start_time": "19:00",
        "time_zone": "Europe/Amsterdam",
        "duration_minutes": 60,
        "location": "Library",
        "reminder_offsets": [1440, 60],
        "prompt_hours_before": 48,
    }

    assert_error(api(member).put(url, cadence, format="json"), 403, "permission_denied")
    # The network is public: an outsider may see the group, but not change it.
    assert_error(api(outsider).put(url, cadence, format="json"), 403, "permission_denied")
    response = api(moderator).put(url, cadence | {"time_zone": "Nowhere/City"}, format="json")
    assert_error(response, 400, "invalid", "time_zone")
    response = api(moderator).put(url, cadence | {"reminder_offsets": [5]}, format="json")
    assert_error(response, 400, "invalid", "reminder_offsets")
    response = api(moderator).put(url, cadence | {"weekdays": []}, format="json")
    assert_error(response, 400, "invalid", "weekdays")

    response = api(moderator).put(url, cadence, format="json")
    assert response.status_code == 200
    assert api(member).get(url).json()["weekdays"] == [1, 3]
    assert Meeting.objects.filter(group=group, from_cadence=True).count() == 8


def test_the_openapi_schema_describes_the_meetings_api(api, user):
    response = api(user).get("/api/schema/", HTTP_ACCEPT="application/json")

    paths = response.json()["paths"]
    for path in [
        "/api/meetings/",
        "/api/meetings/{id}/rsvp/",
        "/api/meetings/{id}/attendance/",
        "/api/meetings/{id}/my-reflection/",
        "/api/meetings/{id}/reflections/",
        "/api/sessions/{id}/close/",
        "/api/sessions/{id}/next-actions/",
        "/api/next-actions/",
        "/api/groups/{id}/cadence/",
    ]:
        assert path in paths, path
