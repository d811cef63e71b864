"""The live meeting room's pages: the room as a member sees it, and the room's moves as plain
form posts, for a screen without JavaScript or whose socket cannot connect (the socket and
these call the same services)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from groups.meetings import selectors
from groups.meetings.forms import NextActionForm
from groups.meetings.models import Meeting, Room, Session
from groups.meetings.services import active_members, session_add_next_action
from groups.meetings.services import room as room_services
from groups.permissions import GroupAccess, Need, meeting_for_user
from impact.http import safe_next
from metrics.selectors import group_impact


def room_page(
    request: HttpRequest,
    meeting: Meeting,
    session: Session | None,
    access: GroupAccess,
    *,
    data: dict | None = None,
    notes: Form | None = None,
    action_form: Form | None = None,
    question_form: Form | None = None,
) -> HttpResponse:
    """The room's page: the agenda's sections, and for moderators meeting mode's forms."""
    data = data if data is not None else selectors.meeting_mode(meeting)
    # The period's numbers come from the one reflection selector (the prompt and the summary
    # read the same); progress to target is over the metric's whole life, as on the charts.
    progress = {
        series.metric.pk: series.progress
        for series in group_impact(meeting.group, today=timezone.localdate(), weeks=1)
    }
    impact = [
        {"metric": metric, "value": value, "before": before, "progress": progress.get(metric.pk)}
        for metric, value, before in data["numbers"].rows()
    ]
    # An unsaved session (meeting mode before anything was saved) has no next actions yet.
    next_actions = session.next_actions.select_related("owner") if session and session.pk else []
    if action_form is None:  # a member's room: they propose next actions too
        action_form = NextActionForm(members=data["members"])
    return render(
        request,
        "groups/meetings/meeting_mode.html",
        {
            "meeting": meeting,
            "session": session,
            "notes": notes,
            "action_form": action_form,
            "question_form": question_form,
            "next_actions": next_actions,
            "impact": impact,
            # A member writes or changes their reflection from the room until the session closes.
            "my_reflection": (
                any(r.user_id == request.user.pk for r in data["reflections"])
                if access.member and not (session and session.closed_at)
                else None
            ),
            **room_context(request, meeting, access),
            **data,
        },
    )


def room_context(request: HttpRequest, meeting: Meeting, access: GroupAccess) -> dict:
    """What the room's bar shows when the page is drawn (the socket keeps it current)."""
    state = room_services.room_state_of(meeting)
    return {
        "room": state,
        "steps": Room.Step.choices,
        # Moderators, and whoever facilitates now (a stand-in who took over).
        "moderates": access.moderate,
        "can_drive": access.moderate or (state["facilitator"] or {}).get("id") == request.user.pk,
        "socket_path": f"/ws/meetings/{meeting.pk}/room/",
    }


@login_required
@require_safe
def meeting_room(request: HttpRequest, pk: int) -> HttpResponse:
    """The meeting's live room, for every member: where the group is, the timer, who is here."""
    meeting, access = meeting_for_user(request.user, pk, need=Need.SEE_MEMBERS)
    if access.moderate:
        return redirect("groups:meeting_mode", pk=meeting.pk)
    session = Session.objects.filter(meeting=meeting).first()
    return room_page(request, meeting, session, access)


def _add_next_action(user, room: Room, post) -> None:
    form = NextActionForm(post, members=active_members(room.session.group))
    if not form.is_valid():
        raise ValidationError([e for errors in form.errors.values() for e in errors])
    session_add_next_action(actor=user, session=room.session, **form.cleaned_data)


def _whole_number(text: str) -> int | None:
    try:
        return int(text) if text.isascii() else None
    except ValueError:
        return None


def _name_stand_in(user, room: Room, post) -> None:
    room_services.room_name_stand_in(
        actor=user, room=room, user_id=_whole_number(post.get("user", ""))
    )


ROOM_MOVES = {
    "move": lambda user, room, post: room_services.room_move(
        actor=user, room=room, step=post.get("step", "")
    ),
    "timer": lambda user, room, post: room_services.room_timer(
        actor=user,
        room=room,
        action=post.get("action", ""),
        minutes=_whole_number(post.get("minutes", "")),
    ),
    "ready": lambda user, room, post: room_services.room_ready(
        user=user, room=room, ready=post.get("ready") == "1"
    ),
    "take_over": lambda user, room, post: room_services.room_take_over(actor=user, room=room),
    # What members add from their own screen.
    "question": lambda user, room, post: room_services.room_add_question(
        actor=user, room=room, text=post.get("text", "")
    ),
    "help": lambda user, room, post: room_services.room_raise_hand(
        actor=user, room=room, summary=post.get("summary", "")
    ),
    "next_action": _add_next_action,
    "stand_in": _name_stand_in,
}


@login_required
@require_POST
def room_act(request: HttpRequest, pk: int) -> HttpResponse:
    """A move in the room sent as a form (no JavaScript, or no socket): done, then back."""
    meeting, access = meeting_for_user(request.user, pk, need=Need.SEE_MEMBERS)
    back = safe_next(request)
    move = ROOM_MOVES.get(request.POST.get("do", ""))
    # From the room's script: done is 204 (the room shows the change), refused is 400 with why.
    answer_briefly = bool(request.htmx)
    try:
        room = room_services.room_open(user=request.user, meeting=meeting, access=access)
        if move is None:
            raise ValidationError("")
        move(request.user, room, request.POST)
    except (ValidationError, PermissionDenied) as exc:
        messages_of = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
        text = " ".join(m for m in messages_of if m) or _("That did not work.")
        if answer_briefly:
            return HttpResponse(text, status=400, content_type="text/plain; charset=utf-8")
        messages.error(request, text)
    else:
        if answer_briefly:
            return HttpResponse(status=204)
    return redirect(back) if back else redirect("groups:meeting_room", pk=meeting.pk)
