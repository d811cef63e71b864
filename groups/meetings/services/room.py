"""The live meeting room: who is here, the step the group is on, the step's timer and who
facilitates. The sockets and the room's page both call these; each change bumps the room's
version and sends every screen the room's new state after commit."""

import json
from datetime import timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from groups.meetings import live
from groups.meetings.models import Meeting, MeetingResponse, Room, RoomPresence, Session
from groups.models import Membership
from groups.permissions import GroupAccess, Need, require
from impact.models import User
from narratives.services import help_request_create, question_ask

if TYPE_CHECKING:
    from narratives.models import HelpRequest, Question

TIMER_MINUTES_MAX = 60
TIMER_ACTIONS = ("start", "pause", "resume", "extend", "stop")
# An open screen renews its person's presence at least this often (room_seen)...
HEARTBEAT = timedelta(minutes=2)
# ...and a presence not renewed for this long counts no longer: the screens of a process that
# died without closing them (a crash, a killed worker) leave the room on their own.
PRESENCE_TIMEOUT = timedelta(minutes=5)


def _here() -> Q:
    """Presences that count: an open screen, renewed lately."""
    return Q(screens__gt=0, seen_at__gte=timezone.now() - PRESENCE_TIMEOUT)


def _take_part(user: User, meeting: Meeting, access: GroupAccess | None) -> GroupAccess:
    return require(
        user,
        meeting.group,
        Need.SEE_MEMBERS,
        access=access,
        message=_("Only the group's members take part in its meetings."),
    )


def room_open(*, user: User, meeting: Meeting, access: GroupAccess | None = None) -> Room:
    """The meeting's room (with its session), opened on first use by anyone taking part."""
    _take_part(user, meeting, access)
    if not meeting.is_reflection or meeting.status != Meeting.Status.SCHEDULED:
        raise ValidationError(_("Only a scheduled weekly reflection has a meeting room."))
    session, _created = Session.objects.get_or_create(
        meeting=meeting, defaults={"group": meeting.group}
    )
    if session.closed_at is not None:
        raise ValidationError(_("This session is closed."))
    room, _created = Room.objects.get_or_create(session=session)
    return room


def room_enter(*, user: User, meeting: Meeting, access: GroupAccess | None = None) -> Room:
    """Someone opens the meeting's room: they are present (once per open screen) and, once the
    meeting has begun, a member is recorded as having attended (unless a moderator already
    said otherwise). The room opens early, for the moderator to prepare."""
    access = _take_part(user, meeting, access)
    with transaction.atomic():
        room = room_open(user=user, meeting=meeting, access=access)
        presence, _created = RoomPresence.objects.get_or_create(room=room, user=user)
        # Locked: two screens of one person opening at once count two.
        presence = RoomPresence.objects.select_for_update().get(pk=presence.pk)
        here = presence.screens > 0 and presence.seen_at >= timezone.now() - PRESENCE_TIMEOUT
        # Counts left by screens that stopped renewing (a dead process's) are dropped here.
        screens = F("screens") + 1 if here else 1
        RoomPresence.objects.filter(pk=presence.pk).update(screens=screens, seen_at=timezone.now())
        if access.member and meeting.has_started:
            response, _created = MeetingResponse.objects.get_or_create(meeting=meeting, user=user)
            MeetingResponse.objects.filter(pk=response.pk, attended__isnull=True).update(
                attended=True
            )
        if not here:  # a second screen of someone already here changes nothing
            _changed(room)
    return room


def room_seen(*, user: User, room: Room) -> None:
    """An open screen's heartbeat: its person is still here. Someone whose presence had lapsed
    (a screen asleep for a while) is shown again."""
    with transaction.atomic():
        lapsed = not RoomPresence.objects.filter(_here(), room=room, user=user).exists()
        # The screen beating is open, whatever the count says: at least one.
        renewed = RoomPresence.objects.filter(room=room, user=user).update(
            seen_at=timezone.now(), screens=Greatest(F("screens"), 1)
        )
        if renewed and lapsed:
            _changed(room)


def room_leave(*, user: User, room: Room) -> None:
    """A screen in the room closed (its socket went away)."""
    with transaction.atomic():
        RoomPresence.objects.filter(room=room, user=user).update(
            screens=Greatest(F("screens") - 1, 0)
        )
        if not RoomPresence.objects.filter(_here(), room=room, user=user).exists():
            _changed(room)


def _locked(room: Room) -> Room:
    return Room.objects.select_for_update().select_related("session__group").get(pk=room.pk)


def _present(room: Room, user_id: int | None) -> bool:
    return (
        user_id is not None
        and RoomPresence.objects.filter(_here(), room=room, user_id=user_id).exists()
    )


def _require_driver(actor: User, room: Room, access: GroupAccess | None) -> None:
    """The facilitator moves the group along; with none, any moderator does and becomes it.
    A moderator who is not the facilitator takes over first (room_take_over), on purpose."""
    if room.facilitator_id == actor.pk:
        # Checked again on every move: someone removed from the group mid-meeting stops here.
        require(actor, room.session.group, Need.SEE_MEMBERS)
        return
    if room.facilitator_id is None:
        require(actor, room.session.group, Need.MODERATE, access=access)
        room.facilitator = actor
        return
    raise ValidationError(
        _("%(name)s is facilitating: take over first to move the group along.")
        % {"name": room.facilitator.public_name}
    )


def _require_open(room: Room) -> None:
    if room.session.closed_at is not None:
        raise ValidationError(_("This session is closed."))


@transaction.atomic
def room_move(*, actor: User, room: Room, step: str, access: GroupAccess | None = None) -> Room:
    """The facilitator takes the group to another step of the agenda (its timer stops)."""
    room = _locked(room)
    _require_open(room)
    _require_driver(actor, room, access)
    if step not in Room.Step.values:
        raise ValidationError({"step": _("Choose a step of the agenda.")})
    room.step, room.timer_ends_at, room.timer_left = step, None, None
    _changed(room, save=True)
    return room


@transaction.atomic
def room_timer(
    *,
    actor: User,
    room: Room,
    action: str,
    minutes: int | None = None,
    access: GroupAccess | None = None,
) -> Room:
    """Start, pause, resume, extend or stop the step's timer. The room holds it, so every
    screen, and anyone who joins late or reloads, counts down the same."""
    room = _locked(room)
    _require_open(room)
    _require_driver(actor, room, access)
    now = timezone.now()
    if action not in TIMER_ACTIONS:
        raise ValidationError({"action": _("Start, pause, resume, extend or stop the timer.")})
    if action in ("start", "extend"):
        if not isinstance(minutes, int) or isinstance(minutes, bool):
            raise ValidationError({"minutes": _("Say how many minutes.")})
        if not 1 <= minutes <= TIMER_MINUTES_MAX:
            raise ValidationError(
                {"minutes": _("Choose from 1 to %(n)d minutes.") % {"n": TIMER_MINUTES_MAX}}
            )
    left = room_timer_left(room, now)
    if action == "start":
        room.timer_ends_at, room.timer_left = now + timedelta(minutes=minutes), None
    elif action == "extend":
        if room.timer_ends_at is not None:
            # From now if it has run out already: "5 more minutes" means five from here.
            room.timer_ends_at = max(room.timer_ends_at, now) + timedelta(minutes=minutes)
        else:
            room.timer_left = (left or 0) + minutes * 60
    elif action == "pause" and room.timer_ends_at is not None:
        room.timer_ends_at, room.timer_left = None, left
    elif action == "resume" and room.timer_left is not None:
        room.timer_ends_at, room.timer_left = now + timedelta(seconds=room.timer_left), None
    elif action == "stop":
        room.timer_ends_at, room.timer_left = None, None
    _changed(room, save=True)
    return room


def room_timer_left(room: Room, now=None) -> int | None:
    """Whole seconds left on the step's timer (running or paused), or None without one."""
    if room.timer_ends_at is not None:
        now = now or timezone.now()
        return max(0, int((room.timer_ends_at - now).total_seconds() + 0.999))
    return room.timer_left


@transaction.atomic
def room_ready(*, user: User, room: Room, ready: bool) -> None:
    """Someone in the room is (or is no longer) ready to move on from the current step."""
    room = _locked(room)
    _require_open(room)
    require(user, room.session.group, Need.SEE_MEMBERS)
    presence, _created = RoomPresence.objects.get_or_create(room=room, user=user)
    ready_on = room.step if ready else ""
    if presence.ready_on == ready_on:
        return  # no change: nothing to tell fifteen screens
    RoomPresence.objects.filter(pk=presence.pk).update(ready_on=ready_on)
    _changed(room, save=True)


@transaction.atomic
def room_take_over(*, actor: User, room: Room, access: GroupAccess | None = None) -> Room:
    """Take over the facilitation. A moderator may at any time (and this is how the first one
    gets it back: only ever by asking); the member the facilitator named may while no
    moderator facilitates from the room."""
    room = _locked(room)
    _require_open(room)
    if room.facilitator_id == actor.pk:
        return room
    if actor.pk == room.stand_in_id and not _present(room, room.facilitator_id):
        require(actor, room.session.group, Need.SEE_MEMBERS)
    else:
        require(
            actor,
            room.session.group,
            Need.MODERATE,
            access=access,
            message=_(
                "Only a moderator, or the member the facilitator named while the facilitator"
                " is away, can take over."
            ),
        )
    room.facilitator = actor
    _changed(room, save=True)
    return room


@transaction.atomic
def room_name_stand_in(
    *, actor: User, room: Room, user_id: int | None, access: GroupAccess | None = None
) -> Room:
    """The facilitator names a member who may take over if the facilitator drops out."""
    room = _locked(room)
    _require_open(room)
    _require_driver(actor, room, access)
    if user_id is not None and not (
        Membership.objects.active().filter(group=room.session.group, user_id=user_id).exists()
    ):
        raise ValidationError({"user": _("Choose a member of the group.")})
    room.stand_in_id = user_id
    _changed(room, save=True)
    return room


def _changed(room: Room, *, save: bool = False) -> None:
    """Count the change and send every screen the new state once it is committed."""
    if save:
        room.version += 1
        room.save()
    else:
        Room.objects.filter(pk=room.pk).update(version=F("version") + 1)
    room_pk = room.pk

    def message() -> dict:
        # Encoded once here, not once per screen: a room of 15 gets the same text 15 times.
        state = room_state(room_pk)
        return {
            "type": "room.state",
            "meeting": state["meeting"],
            "closed": state["closed"],
            "text": json.dumps(state),
        }

    live.tell_room(room.session.group_id, message)


def room_session_closed(session: Session) -> None:
    """The session closed: every screen in its room is told, and the room ends."""
    room = Room.objects.filter(session=session).first()
    if room is not None:
        _changed(room)


def room_state_of(meeting: Meeting) -> dict:
    """The room's state as a page draws it: the room's own, or where a room not yet opened
    starts (the first step, no timer, no one here)."""
    room = Room.objects.filter(session__meeting=meeting).only("pk").first()
    if room is not None:
        return room_state(room.pk)
    return {
        "type": "state",
        "meeting": meeting.pk,
        "version": 0,
        "step": Room.Step.IMPACT,
        "closed": False,
        "timer": {"left": None, "running": False},
        "facilitator": None,
        "stand_in": None,
        "present": [],
    }


def room_state(room_pk: int) -> dict:
    """What every screen shows of the room: the step, the timer, who is here and ready, who
    facilitates. Read at the moment it is sent, so late messages never show an old state."""
    room = Room.objects.select_related("facilitator", "session").get(pk=room_pk)
    present = (
        RoomPresence.objects.filter(_here(), room=room)
        .select_related("user")
        .order_by("joined_at", "pk")
    )
    left = room_timer_left(room)
    return {
        "type": "state",
        "meeting": room.session.meeting_id,
        "version": room.version,
        "step": room.step,
        "closed": room.session.closed_at is not None,
        "timer": {"left": left, "running": room.timer_ends_at is not None and bool(left)},
        "facilitator": _person(room.facilitator),
        "stand_in": room.stand_in_id,
        "present": [{**_person(p.user), "ready": p.ready_on == room.step} for p in present],
    }


def _person(user: User | None) -> dict | None:
    if user is None:
        return None
    return {"id": user.pk, "name": user.public_name, "initials": user.initials}


def room_add_question(*, actor: User, room: Room, text: str) -> "Question":
    """A member asks a new powerful question during the meeting; every screen shows it."""
    _require_open(room)
    question = question_ask(actor=actor, group=room.session.group, text=text)
    live.part_changed(room.session.group_id, "questions")
    return question


def room_raise_hand(*, actor: User, room: Room, summary: str) -> "HelpRequest":
    """A member raises their hand: a help request to the group, shown in the room at once."""
    _require_open(room)
    help_request = help_request_create(actor=actor, group=room.session.group, summary=summary)
    live.part_changed(room.session.group_id, "help")
    return help_request
