"""The live meeting room's socket, through Channels' communicator against the real Redis
channel layer: who may join, what each person may do, and what hostile messages get."""

import asyncio
import json
import threading
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from channels.layers import channel_layers
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from groups import services as group_services
from groups.meetings import services
from groups.meetings.models import Meeting, MeetingResponse, Room, RoomPresence, Session
from groups.meetings.routing import websocket_urlpatterns
from groups.meetings.services import room as room_services
from impact.exceptions import Conflict
from tests.factories import UserFactory
from tests.groups.support import STATEMENT

pytestmark = pytest.mark.django_db(transaction=True)

ROUTER = URLRouter(websocket_urlpatterns)


@pytest.fixture(autouse=True)
def _fresh_channel_layer():
    """Each test runs its screens in its own event loop; Redis layer's connections belong to
    the loop that opened them, so each test starts with a new layer."""
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture
def room_world():
    """A group meeting now: a moderator, a second moderator, two members; a neighbour in the
    network's other group, the network's organizer, an outsider and another network's
    organizer."""
    organizer = UserFactory(display_name="Olga Organizer")
    network = group_services.network_create(creator=organizer, name="Green Town")
    moderator = UserFactory(display_name="Mo Moderator")
    group_services.network_add_person(network=network, user=moderator)
    group = group_services.group_create(
        organizer=organizer, network=network, name="River", purpose="Rivers.", moderator=moderator
    )
    members = [UserFactory(display_name=name) for name in ("Ana Lima", "Ben Ode", "Cy Moss")]
    for person in members:
        group_services.group_join(user=person, group=group, statement=STATEMENT)
    second = members[2]
    group_services.membership_set_role(
        actor=moderator, membership=group.memberships.get(user=second), role="moderator"
    )
    other = group_services.group_create(
        organizer=organizer, network=network, name="Solar", purpose="Sun.", moderator=organizer
    )
    neighbour = UserFactory()
    group_services.group_join(user=neighbour, group=other, statement=STATEMENT)
    other_organizer = UserFactory()
    group_services.network_create(creator=other_organizer, name="Elsewhere")
    meeting = Meeting.objects.create(group=group, starts_at=timezone.now() - timedelta(minutes=5))
    other_meeting = Meeting.objects.create(group=other, starts_at=timezone.now())
    return {
        "meeting": meeting,
        "other_meeting": other_meeting,
        "group": group,
        "anonymous": AnonymousUser(),
        "outsider": UserFactory(),
        "neighbour": neighbour,
        "member": members[0],
        "member2": members[1],
        "moderator": moderator,
        "moderator2": second,
        "organizer": organizer,
        "other_organizer": other_organizer,
    }


class Screen:
    """One screen in a room: a communicator signed in as `user`."""

    def __init__(self, user, meeting_pk: int):
        self.ws = WebsocketCommunicator(ROUTER, f"/ws/meetings/{meeting_pk}/room/")
        self.ws.scope["user"] = user

    async def open(self) -> dict | None:
        connected, _code = await self.ws.connect()
        return await self.ws.receive_json_from(timeout=10) if connected else None

    async def send(self, **message) -> None:
        await self.ws.send_json_to(message)

    async def next(self, kind: str, timeout: float = 10) -> dict:
        """The next message of `kind` (states and errors may come in between)."""
        while True:
            message = await self.ws.receive_json_from(timeout=timeout)
            if message["type"] == kind:
                return message

    async def state_where(self, test) -> dict:
        """The first state for which `test(state)` holds (screens see every change, in order,
        including the joins that came before)."""
        while not test(state := await self.next("state")):
            pass
        return state

    async def close(self) -> None:
        await self.ws.disconnect()


def run(scenario):
    """Run the screens' coroutine in a thread of its own: the test's thread may hold another
    event loop (pytest-playwright's, once a browser test has run in this process)."""
    outcome = {}

    def target():
        try:
            outcome["value"] = asyncio.run(scenario())
        except BaseException as exc:  # re-raised in the test's thread
            outcome["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


@pytest.mark.parametrize(
    ("role", "joins"),
    [
        ("anonymous", False),
        ("outsider", False),
        ("neighbour", False),
        ("other_organizer", False),
        ("member", True),
        ("moderator", True),
        ("organizer", True),
    ],
)
def test_each_role_joins_the_room_as_the_rules_say(room_world, role, joins):
    async def scenario():
        screen = Screen(room_world[role], room_world["meeting"].pk)
        state = await screen.open()
        await screen.close()
        return state

    state = run(scenario)
    assert (state is not None) is joins
    if joins:
        assert state["type"] == "state" and state["step"] == "impact"


def test_a_member_who_joins_is_present_and_recorded_as_attending(room_world):
    member, meeting = room_world["member"], room_world["meeting"]

    async def scenario():
        moderator = Screen(room_world["moderator"], meeting.pk)
        await moderator.open()
        screen = Screen(member, meeting.pk)
        await screen.open()
        seen = await moderator.state_where(lambda s: len(s["present"]) == 2)
        await screen.close()
        gone = await moderator.state_where(lambda s: len(s["present"]) == 1)
        await moderator.close()
        return seen, gone

    seen, gone = run(scenario)
    assert member.pk in [p["id"] for p in seen["present"]]
    assert member.pk not in [p["id"] for p in gone["present"]]
    assert MeetingResponse.objects.get(meeting=meeting, user=member).attended is True


def test_the_moderator_moves_the_group_and_every_screen_follows(room_world):
    meeting = room_world["meeting"]

    async def scenario():
        screens = [Screen(room_world[who], meeting.pk) for who in ("moderator", "member")]
        for screen in screens:
            await screen.open()
        await screens[0].send(type="move", step="questions")
        states = [await s.state_where(lambda s: s["step"] == "questions") for s in screens]
        for screen in screens:
            await screen.close()
        return states

    states = run(scenario)
    assert [s["step"] for s in states] == ["questions", "questions"]
    assert states[0]["facilitator"]["id"] == room_world["moderator"].pk


def test_a_member_cannot_move_the_group_or_run_its_timer(room_world):
    meeting = room_world["meeting"]

    async def scenario():
        screen = Screen(room_world["member"], meeting.pk)
        await screen.open()
        await screen.send(type="move", step="pulse")
        moved = await screen.next("error")
        await screen.send(type="timer", action="start", minutes=5)
        timed = await screen.next("error")
        await screen.close()
        return moved, timed

    moved, timed = run(scenario)
    assert "moderator" in moved["message"] and "moderator" in timed["message"]
    room = Room.objects.get(session__meeting=meeting)
    assert room.step == "impact" and room.timer_ends_at is None


def test_the_timer_is_held_by_the_server_so_a_late_joiner_sees_the_time_left(room_world):
    meeting = room_world["meeting"]

    async def scenario():
        moderator = Screen(room_world["moderator"], meeting.pk)
        await moderator.open()
        await moderator.send(type="timer", action="start", minutes=5)
        await moderator.next("state")
        late = Screen(room_world["member"], meeting.pk)
        state = await late.open()
        await moderator.send(type="timer", action="pause")
        paused = await late.next("state")
        while paused["timer"]["running"]:
            paused = await late.next("state")
        await late.close()
        await moderator.close()
        return state, paused

    state, paused = run(scenario)
    assert state["timer"]["running"] and 290 <= state["timer"]["left"] <= 300
    assert not paused["timer"]["running"] and 290 <= paused["timer"]["left"] <= 300


def test_members_mark_themselves_ready_and_the_moderator_sees_who(room_world):
    meeting, member = room_world["meeting"], room_world["member"]

    async def scenario():
        moderator = Screen(room_world["moderator"], meeting.pk)
        await moderator.open()
        screen = Screen(member, meeting.pk)
        await screen.open()
        await screen.send(type="ready", ready=True)
        state = await moderator.next("state")
        while not any(p["ready"] for p in state["present"]):
            state = await moderator.next("state")
        await moderator.send(type="move", step="reflections")
        moved = await moderator.next("state")
        await screen.close()
        await moderator.close()
        return state, moved

    state, moved = run(scenario)
    assert [p["id"] for p in state["present"] if p["ready"]] == [member.pk]
    assert not any(p["ready"] for p in moved["present"])  # ready for the last step only


def test_facilitation_is_taken_over_only_on_request(room_world):
    meeting = room_world["meeting"]

    async def scenario():
        first = Screen(room_world["moderator"], meeting.pk)
        await first.open()
        await first.send(type="move", step="help")
        await first.next("state")
        second = Screen(room_world["moderator2"], meeting.pk)
        await second.open()
        await second.send(type="move", step="pulse")
        refused = await second.next("error")
        await second.send(type="take_over")
        taken = await second.next("state")
        while taken["facilitator"]["id"] != room_world["moderator2"].pk:
            taken = await second.next("state")
        # The first moderator's screen reconnecting does not take it back...
        await first.close()
        again = Screen(room_world["moderator"], meeting.pk)
        rejoined = await again.open()
        # ...asking does.
        await again.send(type="take_over")
        back = await again.next("state")
        while back["facilitator"]["id"] != room_world["moderator"].pk:
            back = await again.next("state")
        await second.close()
        await again.close()
        return refused, taken, rejoined, back

    refused, _taken, rejoined, back = run(scenario)
    assert "take over" in refused["message"]
    assert rejoined["facilitator"]["id"] == room_world["moderator2"].pk
    assert back["facilitator"]["id"] == room_world["moderator"].pk


def test_the_named_member_takes_over_only_while_the_facilitator_is_away(room_world):
    meeting, member = room_world["meeting"], room_world["member"]

    async def scenario():
        moderator = Screen(room_world["moderator"], meeting.pk)
        await moderator.open()
        await moderator.send(type="stand_in", user=member.pk)
        await moderator.next("state")
        screen = Screen(member, meeting.pk)
        await screen.open()
        await screen.send(type="take_over")
        refused = await screen.next("error")
        await moderator.close()
        await screen.send(type="take_over")
        taken = await screen.next("state")
        while (taken["facilitator"] or {}).get("id") != member.pk:
            taken = await screen.next("state")
        await screen.close()
        return refused, taken

    refused, taken = run(scenario)
    assert "moderator" in refused["message"]
    assert taken["facilitator"]["id"] == member.pk


def test_hostile_messages_get_an_error_frame_or_a_closed_socket(room_world):
    meeting, moderator = room_world["meeting"], room_world["moderator"]
    stranger = room_world["neighbour"]

    async def scenario():
        screen = Screen(moderator, meeting.pk)
        await screen.open()
        answers = []
        for text in ("{not json", "[1, 2]", json.dumps({"type": "drop_tables"})):
            await screen.ws.send_to(text_data=text)
            answers.append(await screen.next("error"))
        await screen.send(type="stand_in", user=stranger.pk)  # another group's person
        answers.append(await screen.next("error"))
        await screen.send(type="timer", action="start", minutes=10**9)
        answers.append(await screen.next("error"))
        await screen.send(type="move", step={"$ne": 1})
        answers.append(await screen.next("error"))
        await screen.ws.send_to(text_data="x" * 1_000_000)
        big = await screen.ws.receive_output(timeout=10)
        while big["type"] != "websocket.close":
            big = await screen.ws.receive_output(timeout=10)
        return answers, big

    answers, big = run(scenario)
    assert [a["type"] for a in answers] == ["error"] * 6
    assert big["code"] == 1009
    assert Room.objects.get(session__meeting=meeting).stand_in_id is None


def test_a_flood_of_messages_is_slowed_then_closed(room_world):
    meeting = room_world["meeting"]

    async def scenario():
        screen = Screen(room_world["member"], meeting.pk)
        await screen.open()
        for _ in range(60):
            await screen.send(type="ping")
        kinds = []
        while True:
            output = await screen.ws.receive_output(timeout=10)
            if output["type"] == "websocket.close":
                return kinds, output["code"]
            kinds.append(json.loads(output["text"])["type"])

    kinds, code = run(scenario)
    assert "pong" in kinds and "error" in kinds
    assert code == 4429


def test_changes_to_the_room_are_limited_more_tightly_than_other_messages(room_world):
    meeting = room_world["meeting"]

    async def scenario():
        screen = Screen(room_world["member"], meeting.pk)
        await screen.open()
        for n in range(10):
            await screen.send(type="ready", ready=n % 2 == 0)
        await screen.send(type="ping")
        slowed = 0
        while (message := await screen.ws.receive_json_from(timeout=10))["type"] != "pong":
            slowed += message == {"type": "error", "message": "Slow down."}
        await screen.close()
        return slowed

    # A burst of five changes goes through (one more a second); the rest are refused, while
    # the screen's other messages are still answered.
    assert 3 <= run(scenario) <= 5


def test_another_groups_meeting_is_refused_and_its_changes_never_arrive(room_world):
    meeting, other = room_world["meeting"], room_world["other_meeting"]

    async def scenario():
        screen = Screen(room_world["member"], meeting.pk)
        await screen.open()
        intruder = Screen(room_world["member"], other.pk)
        refused = await intruder.open()
        await screen.close()
        return refused

    assert run(scenario) is None


def test_closing_the_session_ends_the_room_for_everyone(room_world):
    meeting, moderator = room_world["meeting"], room_world["moderator"]

    async def scenario():
        screen = Screen(room_world["member"], meeting.pk)
        await screen.open()

        def close():
            session = services.session_open(actor=moderator, meeting=meeting)
            services.session_close(actor=moderator, session=session)

        await database_sync_to_async(close)()
        state = await screen.next("state")
        while not state["closed"]:
            state = await screen.next("state")
        output = await screen.ws.receive_output(timeout=10)
        return state, output

    state, output = run(scenario)
    assert state["closed"] and output["type"] == "websocket.close"


def _add_next_action(world):
    session = services.session_open(actor=world["moderator"], meeting=world["meeting"])
    services.session_add_next_action(
        actor=world["moderator"], session=session, owner=world["member"], description="Call"
    )


def _reflect_in_the_meeting(world):
    services.reflection_save(
        user=world["member2"], meeting=world["meeting"], learned="Said in the room."
    )


@pytest.mark.parametrize(
    ("add", "part"), [(_add_next_action, "next"), (_reflect_in_the_meeting, "reflections")]
)
def test_what_anyone_adds_tells_every_screen_to_fetch_that_part(room_world, add, part):
    meeting, member = room_world["meeting"], room_world["member"]

    async def scenario():
        screen = Screen(member, meeting.pk)
        await screen.open()
        await database_sync_to_async(add)(room_world)
        changed = await screen.next("changed")
        await screen.close()
        return changed

    assert run(scenario) == {"type": "changed", "part": part}


def test_a_member_adds_from_the_room_page_and_a_bad_entry_keeps_its_reason(room_world, client):
    meeting, member = room_world["meeting"], room_world["member"]
    client.force_login(member)
    url = f"/meetings/{meeting.pk}/room/act/"
    owner = room_world["member2"].pk
    htmx = {"HX-Request": "true"}
    asked = client.post(url, {"do": "question", "text": "Who owns the bank?"}, headers=htmx)
    raised = client.post(url, {"do": "help", "summary": "No permit yet"}, headers=htmx)
    proposed = client.post(
        url, {"do": "next_action", "owner": owner, "description": "Ask the council"}, headers=htmx
    )
    assert [asked.status_code, raised.status_code, proposed.status_code] == [204, 204, 204]
    refused = client.post(url, {"do": "next_action", "owner": "", "description": ""}, headers=htmx)
    assert refused.status_code == 400 and refused.content
    stranger = room_world["outsider"].pk
    refused = client.post(
        url, {"do": "next_action", "owner": stranger, "description": "X"}, headers=htmx
    )
    assert refused.status_code == 400
    # Without the room's script: the post comes back to the room with the reason shown.
    back = client.post(url, {"do": "question", "text": ""}, follow=True)
    assert back.redirect_chain[-1][0] == f"/meetings/{meeting.pk}/room/"
    session = Session.objects.get(meeting=meeting)
    assert list(session.next_actions.values_list("description", flat=True)) == ["Ask the council"]
    assert meeting.group.questions.filter(text="Who owns the bank?").exists()
    assert meeting.group.help_requests.filter(summary="No permit yet").exists()


def test_the_room_page_answers_each_role_with_a_bounded_number_of_queries(
    room_world, client, django_assert_max_num_queries
):
    meeting = room_world["meeting"]
    client.force_login(room_world["member"])
    # Meeting mode's reads, the room's state (room, presences) and the member's form.
    with django_assert_max_num_queries(18):
        page = client.get(f"/meetings/{meeting.pk}/room/")
    assert page.status_code == 200 and b'id="room-bar"' in page.content
    # The member writes their reflection from the room, and comes back to it.
    reflection_link = f"/meetings/{meeting.pk}/reflection/?next=/meetings/{meeting.pk}/room/"
    assert b"Write my reflection" in page.content
    assert reflection_link.encode() in page.content.replace(b"%2F", b"/")
    client.force_login(room_world["moderator"])
    assert client.get(f"/meetings/{meeting.pk}/room/").status_code == 302
    client.force_login(room_world["neighbour"])
    assert client.get(f"/meetings/{meeting.pk}/room/").status_code == 404


def test_a_screen_that_dies_on_a_hostile_frame_still_leaves_the_room(room_world):
    meeting, member = room_world["meeting"], room_world["member"]

    async def scenario():
        screen = Screen(member, meeting.pk)
        await screen.open()
        await screen.ws.send_to(text_data="[" * 3000)  # deep nesting: a RecursionError
        error = await screen.next("error")
        await screen.close()
        return error

    assert run(scenario)["type"] == "error"
    assert not RoomPresence.objects.filter(user=member, screens__gt=0).exists()


def test_a_member_removed_mid_meeting_can_no_longer_move_the_group(room_world):
    meeting, moderator, member = (room_world[k] for k in ("meeting", "moderator", "member"))
    room = room_services.room_open(user=moderator, meeting=meeting)
    room_services.room_name_stand_in(actor=moderator, room=room, user_id=member.pk)
    room_services.room_take_over(actor=member, room=room)  # the facilitator is not here
    group_services.group_leave(user=member, group=meeting.group)
    with pytest.raises((Http404, PermissionDenied)):
        room_services.room_move(actor=member, room=room, step="pulse")
    assert Room.objects.get(pk=room.pk).step == "impact"


def test_a_member_who_leaves_the_group_is_put_out_of_its_room_at_once(room_world):
    meeting, member, member2 = (room_world[k] for k in ("meeting", "member", "member2"))

    async def scenario():
        leaving, staying = Screen(member, meeting.pk), Screen(member2, meeting.pk)
        await leaving.open()
        await staying.open()
        await database_sync_to_async(group_services.group_leave)(user=member, group=meeting.group)
        told = await leaving.next("closed")
        output = await leaving.ws.receive_output(timeout=10)
        # The others stay, and see the room without them.
        state = await staying.state_where(
            lambda s: member.pk not in [p["id"] for p in s["present"]]
        )
        await staying.close()
        return told, output, state

    told, output, state = run(scenario)
    assert told["message"] == "You are no longer in this group."
    assert output == {"type": "websocket.close", "code": 4403}
    assert member2.pk in [p["id"] for p in state["present"]]


def test_a_member_a_moderator_removes_is_put_out_of_its_room_at_once(room_world):
    meeting, member, moderator = (room_world[k] for k in ("meeting", "member", "moderator"))
    seat = meeting.group.memberships.get(user=member, left_at__isnull=True)

    async def scenario():
        removed = Screen(member, meeting.pk)
        await removed.open()
        await database_sync_to_async(group_services.membership_remove)(
            actor=moderator, membership=seat, reason="Moved away."
        )
        told = await removed.next("closed")
        output = await removed.ws.receive_output(timeout=10)
        return told, output

    told, output = run(scenario)
    assert told["message"] == "You are no longer in this group."
    assert output == {"type": "websocket.close", "code": 4403}


def test_screens_a_dead_process_never_closed_stop_counting(room_world, time_machine):
    meeting, member = room_world["meeting"], room_world["member"]
    room = room_services.room_enter(user=member, meeting=meeting)
    room_services.room_enter(user=member, meeting=meeting)  # two screens; the process dies
    here = lambda: [p["id"] for p in room_services.room_state(room.pk)["present"]]  # noqa: E731
    assert here() == [member.pk]

    time_machine.move_to(timezone.now() + room_services.PRESENCE_TIMEOUT, tick=False)
    assert here() == []
    # Back on one screen: it counts one, so closing it leaves the room.
    room_services.room_enter(user=member, meeting=meeting)
    assert RoomPresence.objects.get(room=room, user=member).screens == 1
    room_services.room_leave(user=member, room=room)
    assert here() == []


def test_an_open_screens_heartbeat_keeps_its_person_here(room_world, monkeypatch):
    meeting, member = room_world["meeting"], room_world["member"]
    monkeypatch.setattr(room_services, "HEARTBEAT", timedelta(0))  # every ping renews

    async def scenario():
        screen = Screen(member, meeting.pk)
        await screen.open()
        # Asleep for longer than the timeout (and a count that went wrong on the way).
        lapsed = timezone.now() - room_services.PRESENCE_TIMEOUT
        await database_sync_to_async(RoomPresence.objects.filter(user=member).update)(
            seen_at=lapsed, screens=0
        )
        await screen.send(type="ping")
        seen = {}  # the pong and the room's new state, in whichever order they come
        while "pong" not in seen or not seen.get("state", {}).get("present"):
            message = await screen.ws.receive_json_from(timeout=10)
            seen[message["type"]] = message
        await screen.close()
        return seen["state"], seen["pong"]

    state, pong = run(scenario)
    assert [p["id"] for p in state["present"]] == [member.pk] and pong == {"type": "pong"}


def test_attendance_is_recorded_once_the_meeting_has_begun(room_world):
    member, group = room_world["member"], room_world["group"]
    later = Meeting.objects.create(group=group, starts_at=timezone.now() + timedelta(days=7))
    room_services.room_enter(user=member, meeting=later)
    assert not MeetingResponse.objects.filter(meeting=later, attended=True).exists()
    cancelled = Meeting.objects.create(
        group=group, starts_at=timezone.now(), status=Meeting.Status.CANCELLED
    )
    with pytest.raises(ValidationError):
        room_services.room_enter(user=member, meeting=cancelled)


def test_closing_with_notes_older_than_another_screens_sends_nothing(room_world):
    meeting, moderator, second = (room_world[k] for k in ("meeting", "moderator", "moderator2"))
    session = services.session_open(actor=moderator, meeting=meeting)
    services.session_save(actor=second, session=session, achieved="Theirs", learnings="")
    stale = Session.objects.get(pk=session.pk).notes_version - 1
    with pytest.raises(Conflict):
        services.session_close(
            actor=moderator, session=session, achieved="Mine", learnings="", base_version=stale
        )
    session.refresh_from_db()
    assert session.closed_at is None and session.achieved == "Theirs"


def test_adding_minutes_to_a_timer_that_ran_out_counts_from_now(room_world, time_machine):
    meeting, moderator = room_world["meeting"], room_world["moderator"]
    room = room_services.room_open(user=moderator, meeting=meeting)
    room_services.room_timer(actor=moderator, room=room, action="start", minutes=2)
    time_machine.move_to(timezone.now() + timedelta(minutes=10))
    room = room_services.room_timer(actor=moderator, room=room, action="extend", minutes=5)
    assert 295 <= room_services.room_timer_left(room) <= 300


def test_the_room_speaks_the_persons_language(room_world, settings):
    settings.LANGUAGES = [("en", "English"), ("de", "Deutsch"), ("es", "Español")]
    meeting, moderator = room_world["meeting"], room_world["moderator"]
    moderator.language = "de"

    async def scenario():
        screen = Screen(moderator, meeting.pk)
        await screen.open()
        await screen.ws.send_to(text_data="{not json")
        return await screen.next("error")

    assert run(scenario) == {"type": "error", "message": "Kein JSON."}


def test_signed_in_without_a_choice_the_room_follows_the_browser(settings):
    from django.contrib.auth.models import AnonymousUser

    from groups.meetings.consumers import socket_language

    settings.LANGUAGES = [("en", "English"), ("de", "Deutsch"), ("es", "Español")]
    scope = {"user": AnonymousUser(), "headers": [(b"accept-language", b"es-ES,es;q=0.9")]}
    assert socket_language(scope) == "es"
    scope["headers"].append((b"cookie", b"django_language=de"))
    assert socket_language(scope) == "de"
    assert socket_language({"user": AnonymousUser(), "headers": []}) == "en"
