"""Meeting mode: the moderator's screen for running the reflection session (each part swapped in\nplace with htmx), its autosaved notes, the closed session and its next actions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from groups.meetings import selectors, services
from groups.meetings.forms import (
    NextActionForm,
    SessionNotesForm,
    SessionQuestionForm,
)
from groups.meetings.models import (
    Meeting,
    Session,
)
from groups.meetings.views.meetings import _redirect_back
from groups.meetings.views.room import room_page
from groups.permissions import (
    Need,
    meeting_for_user,
    next_action_for_user,
    session_for_user,
)
from impact.exceptions import Conflict
from impact.forms import add_service_errors
from narratives.selectors import group_questions


def _session_close_or_confirm(request, session, notes, members, access) -> HttpResponse | None:
    """Close on a confirmed POST; otherwise keep the notes and ask first (None: show errors).
    Both steps carry the notes' version: closing never sends out notes another moderator has
    changed since they were typed here."""
    try:
        services.session_require_closable(session=session)
        if request.POST.get("confirm") != "1":
            # The summary mails everyone and cannot be taken back: save what was typed, then
            # ask, with the notes carried in the confirming form.
            _save_notes(request, session, access, notes.cleaned_data)
            return render(
                request,
                "groups/meetings/session_close_confirm.html",
                {"session": session, "notes": notes, "recipients": len(members)},
            )
        services.session_close(
            actor=request.user,
            session=session,
            access=access,
            base_version=_notes_version(request),
            **notes.cleaned_data,
        )
    except ValidationError as exc:
        add_service_errors(notes, exc)
        return None
    except Conflict as exc:
        notes.add_error(None, _conflict_text(exc, session))
        return None
    messages.success(request, _("Session closed. Everyone gets the summary."))
    return redirect("groups:session_detail", pk=session.pk)


def _notes_version(request) -> int | None:
    base = request.POST.get("notes_version", "")
    return int(base) if base.isascii() and base.isdigit() else None


def _conflict_text(exc: Conflict, session: Session) -> str:
    """The conflict, with the other screen's words: seen here, they can be combined."""
    theirs = " / ".join(text for text in (session.achieved, session.learnings) if text)
    return f"{exc.message} " + (_("Theirs: %(words)s") % {"words": theirs} if theirs else "")


def _save_notes(request, session: Session, access, notes: dict) -> None:
    """Save the notes as typed on the version the form carries (Conflict if it is stale)."""
    services.session_save(
        actor=request.user,
        session=session,
        access=access,
        base_version=_notes_version(request),
        **notes,
    )


# Meeting mode's fragments: with htmx each add or edit swaps only its own part of the screen,
# so the notes being typed, the running timers and the scroll position stay as they are.
MEETING_MODE_FRAGMENTS = {
    "next_action": "groups/meetings/_mm_next_actions.html",
    "question": "groups/meetings/_mm_questions.html",
    "save": "groups/meetings/_mm_notes_status.html",
}


def _meeting_mode_fragment(request, what: str, context: dict, status: int = 200) -> HttpResponse:
    return render(request, MEETING_MODE_FRAGMENTS[what], context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_mode(request: HttpRequest, pk: int) -> HttpResponse:
    """The moderator's screen for running the reflection session."""
    meeting, access = meeting_for_user(request.user, pk, need=Need.MODERATE)
    if request.method == "POST":
        session = services.session_open(actor=request.user, meeting=meeting, access=access)
    else:
        session = _session_or_none_yet(meeting)
    what = request.POST.get("what") if request.method == "POST" else None
    # A partial answer needs only its own rows: the whole screen's reads wait for a full page.
    partial = request.htmx and what in MEETING_MODE_FRAGMENTS
    data = {} if partial else selectors.meeting_mode(meeting)
    members = services.active_members(meeting.group) if partial else data["members"]
    # Only the notes form's own buttons bind it: a failed next action or question must not
    # show (and then save) empty notes over the ones already written.
    notes = SessionNotesForm(
        request.POST if what in ("save", "close") else None,
        initial={"achieved": session.achieved, "learnings": session.learnings},
    )
    action_form = NextActionForm(members=members)
    question_form = SessionQuestionForm()
    fragment = {"meeting": meeting, "session": session}
    if request.method == "POST" and session.closed_at is None:
        if what == "next_action":
            action_form = NextActionForm(request.POST, members=members)
            if action_form.is_valid():
                try:
                    services.session_add_next_action(
                        actor=request.user,
                        session=session,
                        access=access,
                        **action_form.cleaned_data,
                    )
                except ValidationError as exc:
                    add_service_errors(action_form, exc)
                else:
                    if not partial:
                        messages.success(request, _("Next action added."))
                        return redirect("groups:meeting_mode", pk=meeting.pk)
                    action_form = NextActionForm(members=members)
                    action_form.fields["owner"].widget.attrs["autofocus"] = True
                    fragment["added"] = True
        elif what == "question":
            question_form = SessionQuestionForm(request.POST)
            if question_form.is_valid():
                try:
                    services.session_add_question(
                        actor=request.user,
                        session=session,
                        text=question_form.cleaned_data["text"],
                        access=access,
                    )
                except ValidationError as exc:
                    add_service_errors(question_form, exc)
                else:
                    if not partial:
                        messages.success(
                            request, _("Question added to the group's powerful questions.")
                        )
                        return redirect("groups:meeting_mode", pk=meeting.pk)
                    question_form = SessionQuestionForm()
                    question_form.fields["text"].widget.attrs["autofocus"] = True
                    fragment["added"] = True
        elif notes.is_bound and notes.is_valid():
            if what == "close":
                closing = _session_close_or_confirm(
                    request, session, notes, data["members"], access
                )
                if closing is not None:
                    return closing
            else:
                try:
                    _save_notes(request, session, access, notes.cleaned_data)
                except Conflict as exc:
                    if partial:
                        fragment["conflict"] = True
                        return _meeting_mode_fragment(request, what, fragment, status=409)
                    notes.add_error(None, _conflict_text(exc, session))
                else:
                    if not partial:
                        messages.success(request, _("Saved."))
                        return redirect("groups:meeting_mode", pk=meeting.pk)
                    fragment["saved"] = True
    elif request.method == "POST" and partial:
        fragment["closed"] = True
    if partial:
        if what == "next_action":
            fragment |= {"action_form": action_form, "next_actions": _next_actions(session)}
        elif what == "question":
            fragment |= {"question_form": question_form, "questions": _open_questions(meeting)}
        return _meeting_mode_fragment(request, what, fragment)

    return room_page(
        request,
        meeting,
        session,
        access,
        data=data,
        notes=notes,
        action_form=action_form,
        question_form=question_form,
    )


def _session_or_none_yet(meeting: Meeting) -> Session:
    """The meeting's session, or (none yet) an unsaved one to draw the page from: opening the
    page writes nothing; the first save, next action or question opens the session."""
    session = Session.objects.filter(meeting=meeting).first()
    return session or Session(meeting=meeting, group=meeting.group)


def _next_actions(session: Session):
    return session.next_actions.select_related("owner")


def _open_questions(meeting: Meeting) -> list:

    return list(group_questions(meeting.group).filter(status="open")[:10])


@login_required
@require_POST
def session_draft(request: HttpRequest, pk: int) -> HttpResponse:
    """Save meeting mode's notes as they are typed (the same text twice changes nothing)."""
    meeting, access = meeting_for_user(request.user, pk, need=Need.MODERATE)
    session = services.session_open(actor=request.user, meeting=meeting, access=access)
    # A field the request leaves out keeps what is saved: a draft never blanks the other note.
    form = SessionNotesForm(
        {
            "achieved": request.POST.get("achieved", session.achieved),
            "learnings": request.POST.get("learnings", session.learnings),
        }
    )
    form.full_clean()  # two optional text fields: always valid, cleaned (stripped) here
    context = {"meeting": meeting, "session": session, "draft": True}
    try:
        _save_notes(request, session, access, form.cleaned_data)
    except Conflict:
        # Another screen saved other words: the typed ones stay in this browser, theirs are
        # shown beside them, and the next save (on the newer version) keeps what is typed.
        if not request.htmx:
            messages.error(request, _("Someone else changed these notes meanwhile."))
            return redirect("groups:meeting_mode", pk=meeting.pk)
        context["conflict"] = True
        return render(request, "groups/meetings/_mm_notes_status.html", context, status=409)
    except ValidationError as exc:
        # Closed meanwhile (another screen, the API): the summary has gone out already.
        if not request.htmx:
            messages.error(request, " ".join(exc.messages))
            return redirect("groups:meeting_mode", pk=meeting.pk)
        context["closed"] = True
        return render(request, "groups/meetings/_mm_notes_status.html", context, status=409)
    if not request.htmx:
        messages.success(request, _("Saved."))
        return redirect("groups:meeting_mode", pk=meeting.pk)
    context["saved"] = True
    return render(request, "groups/meetings/_mm_notes_status.html", context)


@login_required
@require_safe
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session, access = session_for_user(request.user, pk)
    return render(
        request,
        "groups/meetings/session_detail.html",
        {
            "session": session,
            "access": access,
            "next_actions": session.next_actions.select_related("owner"),
        },
    )


@login_required
@require_POST
def next_action_done(request: HttpRequest, pk: int) -> HttpResponse:
    item, _access = next_action_for_user(request.user, pk)
    item = services.next_action_done(
        user=request.user, next_action=item, done=request.POST.get("done") != "0"
    )
    if request.htmx:
        # Meeting mode ticks off last session's actions in place: just the one row comes back.
        return render(
            request,
            "groups/meetings/_mm_previous_action.html",
            {"a": item, "back": request.POST.get("next", "")},
        )
    messages.success(request, _("Nice work."))
    return _redirect_back(request, "home")
