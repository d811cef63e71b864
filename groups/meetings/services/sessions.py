"""Members' reflections before a meeting, and the moderator's session: notes, next actions, closing with a summary to everyone."""

from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from groups.meetings import live
from groups.meetings.models import (
    Meeting,
    NextAction,
    Reflection,
    Session,
)
from groups.meetings.selectors import reflection_numbers, reflections_open
from groups.meetings.services.reminders import reflection_group_lines
from groups.meetings.services.room import room_session_closed
from groups.meetings.services.schedule import active_members
from groups.models import Membership
from groups.permissions import GroupAccess, Need, require
from groups.webhooks.services import webhook_event
from impact.exceptions import Conflict
from impact.markdown import escape_markdown
from impact.models import User
from impact.services import (
    notify,
)
from narratives.services import question_ask

if TYPE_CHECKING:
    # For the annotation only: groups reaches narratives through its services at run time.
    from narratives.models import Question

REFLECTION_FIELDS = [
    "impact_achieved",
    "learned",
    "new_questions",
    "need_help",
    *Reflection.PULSE_FIELDS,
    "share_pulse",
]


def _pulse_value(value: int | str | None, field: str) -> int | None:
    if value in ("", None):
        return None
    try:
        # Through str: 3.7 or True must not pass as 3 or 1.
        number = None if isinstance(value, bool) else int(str(value).strip())
    except ValueError:
        number = None
    if number is None or not 1 <= number <= 5:
        raise ValidationError({field: _("Choose from 1 to 5.")})
    return number


def reflection_save(
    *, user: User, meeting: Meeting, **fields: str | int | bool | None
) -> Reflection:
    """Save a member's reflection for a meeting: before it and in its live room, until the
    session closes (see `reflections_open`)."""
    require(
        user,
        meeting.group,
        Need.MEMBER,
        message=_("Members of the group answer its reflection prompt."),
    )
    values = {key: fields[key] for key in REFLECTION_FIELDS if key in fields}
    for key in Reflection.PULSE_FIELDS:
        values[key] = _pulse_value(values.get(key), key)
    for key in ["impact_achieved", "learned", "new_questions", "need_help"]:
        values[key] = (values.get(key) or "").strip()
    with transaction.atomic():
        # Under the session's row lock, which closing takes too: a reflection is either in the
        # summary or refused, never saved just after the summary went out without it.
        session = Session.objects.select_for_update().filter(meeting=meeting).first()
        if not reflections_open(meeting, session=session):
            raise ValidationError(_("The meeting is over: reflections can no longer be changed."))
        reflection, _created = Reflection.objects.update_or_create(
            meeting=meeting, user=user, defaults=values
        )
    live.part_changed(meeting.group_id, "reflections")
    return reflection


def session_open(*, actor: User, meeting: Meeting, access: GroupAccess | None = None) -> Session:
    """The meeting's session, opened on first use. `access`: the actor's access to the group
    as the caller checked it (every session service takes it, saving the queries)."""
    require(actor, meeting.group, Need.MODERATE, access=access)
    session, _created = Session.objects.get_or_create(
        meeting=meeting, defaults={"group": meeting.group}
    )
    return session


def _require_open(session: Session) -> None:
    # Re-read: a session object held by a page or the API may be older than its closing, and
    # anything added after the summary went out would never reach the members.
    if Session.objects.filter(pk=session.pk, closed_at__isnull=False).exists():
        raise ValidationError(_("This session is closed."))


def _refuse_stale_notes(
    held: Session, current: Session, base_version: int | None, message: str
) -> None:
    """Other words typed on an older version than `current` (read under its row lock) are
    refused: the caller's `held` session is given the current notes to show beside them."""
    if base_version is None or base_version == current.notes_version:
        return
    held.achieved, held.learnings = current.achieved, current.learnings
    held.notes_version = current.notes_version
    raise Conflict(message)


def session_save(
    *,
    actor: User,
    session: Session,
    achieved: str,
    learnings: str,
    access: GroupAccess | None = None,
    base_version: int | None = None,
) -> Session:
    """Save the session's notes. `base_version`: the notes_version the words were typed on; if
    someone saved other words since, nothing is overwritten (Conflict, with theirs)."""
    require(actor, session.group, Need.MODERATE, access=access)
    achieved, learnings = achieved.strip(), learnings.strip()
    with transaction.atomic():
        current = Session.objects.select_for_update().get(pk=session.pk)
        if current.closed_at is not None:
            raise ValidationError(_("This session is closed."))
        if (current.achieved, current.learnings) != (achieved, learnings):
            _refuse_stale_notes(
                session,
                current,
                base_version,
                _("Someone else changed these notes meanwhile: nothing was overwritten."),
            )
            current.notes_version += 1
            Session.objects.filter(pk=session.pk).update(
                achieved=achieved, learnings=learnings, notes_version=current.notes_version
            )
            live.part_changed(session.group_id, "notes")
    session.achieved, session.learnings = achieved, learnings
    session.notes_version = current.notes_version
    return session


def session_add_next_action(
    *,
    actor: User,
    session: Session,
    owner: User,
    description: str,
    due_on: date | None = None,
    access: GroupAccess | None = None,
) -> NextAction:
    """A next action agreed in the session. Any member may propose one in the room (for
    themselves or another member), as the moderator may from meeting mode."""
    require(
        actor,
        session.group,
        Need.SEE_MEMBERS,
        access=access,
        message=_("Only the group's members add its next actions."),
    )
    _require_open(session)
    description = description.strip()
    if not description:
        raise ValidationError({"description": _("Say what the next action is.")})
    if not Membership.objects.active().filter(group=session.group, user=owner).exists():
        raise ValidationError({"owner": _("The owner must be a member of the group.")})
    item = NextAction.objects.create(
        session=session,
        group=session.group,
        owner=owner,
        description=description[:200],
        due_on=due_on,
    )
    live.part_changed(session.group_id, "next")
    return item


def session_add_question(
    *, actor: User, session: Session, text: str, access: GroupAccess | None = None
) -> "Question":
    """A new question from the session becomes one of the group's powerful questions."""
    require(actor, session.group, Need.MODERATE, access=access)
    _require_open(session)

    question = question_ask(actor=actor, group=session.group, text=text)
    live.part_changed(session.group_id, "questions")
    return question


def session_require_closable(*, session: Session) -> None:
    """Refuse to close a session whose meeting has not started yet."""
    # Closing before the start would leave the meeting under "Coming up", confirmed in
    # calendar feeds and still asking members for reflections nobody reads: a session is
    # closed once its meeting has begun, and then the pages, feed and prompt agree.
    if not session.meeting.has_started:
        raise ValidationError(
            _("The meeting has not started yet: close the session once it has been held.")
        )


def _session_summary(session: Session, next_actions: list[NextAction]) -> str:
    """The summary as Markdown, read line by line: the moderator's notes are Markdown as typed;
    the numbers, names and next actions are escaped, so they show as written."""
    numbers = reflection_numbers(session.meeting)
    lines = [
        _("Impact since the last session:")
        if numbers.period.previous_session is not None
        else _("Impact in the 7 days before the meeting:"),
        *(escape_markdown(line) for line in reflection_group_lines(numbers)),
        "",
    ]
    # Headings, so that a list the moderator typed straight under them is still a list.
    if session.achieved:
        lines += ["### " + _("What we achieved:"), session.achieved, ""]
    if session.learnings:
        lines += ["### " + _("What we learned:"), session.learnings, ""]
    if next_actions:
        lines.append("### " + _("Next actions:"))
        for item in next_actions:
            due = f" ({_('due')} {item.due_on:%d %b})" if item.due_on else ""
            words = escape_markdown(f"{item.owner.public_name}: {item.description}{due}")
            lines.append(f"- {words}")
    return "\n".join(lines).strip() or _("The session was held; nothing was recorded.")


@transaction.atomic
def session_close(
    *,
    actor: User,
    session: Session,
    achieved: str | None = None,
    learnings: str | None = None,
    access: GroupAccess | None = None,
    base_version: int | None = None,
) -> Session:
    """Close the session: save it and send every member the summary. `base_version`: the
    notes' version the closing screen showed; notes saved since by another screen are not
    overwritten (Conflict), and no summary goes out."""
    held = session
    session = (
        Session.objects.select_for_update().select_related("meeting", "group").get(pk=session.pk)
    )
    require(actor, session.group, Need.MODERATE, access=access)
    if session.closed_at is not None:
        return session
    session_require_closable(session=session)
    typed = ((achieved or "").strip(), (learnings or "").strip())
    if (achieved is not None or learnings is not None) and typed != (
        session.achieved,
        session.learnings,
    ):
        _refuse_stale_notes(
            held,
            session,
            base_version,
            _("Someone else changed these notes meanwhile: nothing was sent."),
        )
    if achieved is not None:
        session.achieved = achieved.strip()
    if learnings is not None:
        session.learnings = learnings.strip()
    next_actions = list(session.next_actions.select_related("owner"))

    session.summary = _session_summary(session, next_actions)
    session.closed_at, session.closed_by = timezone.now(), actor
    session.save()
    notify(
        recipients=active_members(session.group),
        kind="meeting.summary",
        key=f"session:{session.pk}",
        title=lambda: _("Summary of the reflection in %(group)s") % {"group": session.group.name},
        # Each member's copy has its headings in their language; the page keeps the closer's.
        body=lambda: _session_summary(session, next_actions),
        url=reverse("groups:session_detail", args=[session.pk]),
        subject=session,
    )
    webhook_event(
        kind="session.summary",
        key=str(session.pk),
        group=session.group,
        payload={
            "session": session.pk,
            "summary": session.summary,
            "url": reverse("groups:session_detail", args=[session.pk]),
        },
    )
    room_session_closed(session)
    return session


def next_action_done(*, user: User, next_action: NextAction, done: bool = True) -> NextAction:
    if next_action.owner_id != user.pk:
        require(
            user,
            next_action.group,
            Need.MODERATE,
            message=_("Only its owner or a moderator can tick off a next action."),
        )
    NextAction.objects.filter(pk=next_action.pk).update(done_at=timezone.now() if done else None)
    next_action.done_at = timezone.now() if done else None
    live.part_changed(next_action.group_id, "review")
    return next_action
