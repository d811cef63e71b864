"""Seats in a group: joining, leaving, requests and the waitlist, roles.

The 15-member cap lives here: every change of membership takes the group's row lock first
(`_lock`) and asks `seats_free` with the count it reads under that lock."""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from groups.audit import audit
from groups.meetings import live
from groups.meetings.models import CalendarFeed, MeetingResponse, NextAction, Reflection
from groups.models import (
    Group,
    JoinRequest,
    Membership,
    NetworkMembership,
    seats_free,
)
from groups.permissions import (
    DENIED,
    Need,
    can_view_network,
    network_role,
    require,
)
from groups.selectors import waitlist_position
from groups.services.networks import network_add_person
from groups.webhooks.services import webhook_event
from impact.exceptions import Conflict
from impact.models import User
from impact.services import notify, register_account_deletion_hook
from impact.services.outbox import Text

JOIN_STATEMENT_MIN_LENGTH = 10  # characters, spaces at either end aside


@dataclass
class JoinOutcome:
    """What asking to join led to: 'member', 'pending' or 'waitlisted'."""

    outcome: str
    group: Group
    membership: Membership | None = None
    request: JoinRequest | None = None
    waitlist_position: int | None = None


def _lock(group: Group) -> tuple[Group, int]:
    """Lock the group row and count its active members.

    Every change of membership takes this lock first, so simultaneous joins are serialized
    and the count they see is the truth (SQLite serializes writers with BEGIN IMMEDIATE).
    Only the group row is locked (`of`): a plain FOR UPDATE through select_related would also
    lock the network row and serialize every join in the whole network. NO KEY UPDATE still
    excludes other joins but lets other apps insert rows that point at the group meanwhile.
    """
    locked = (
        Group.objects.select_for_update(of=("self",), no_key=True)
        .select_related("network")
        .get(pk=group.pk)
    )
    return locked, Membership.objects.active().filter(group=locked).count()


def _moderator_users(group: Group) -> list[User]:
    return [
        m.user
        for m in Membership.objects.active()
        .filter(group=group, role=Membership.Role.MODERATOR)
        .select_related("user")
    ]


def _admit(
    group: Group, user: User, *, statement: str, role: str = Membership.Role.MEMBER
) -> Membership:
    network_add_person(network=group.network, user=user)
    membership = Membership.objects.create(group=group, user=user, role=role, statement=statement)
    audit(
        group=group,
        verb="member.joined",
        actor=user,
        target=user.public_name,
        person=user,
        role=role,
    )
    webhook_event(
        kind="member.joined",
        key=str(membership.pk),
        group=group,
        payload={"member": user.public_name, "role": role, "url": group.get_absolute_url()},
    )
    return membership


def group_join(*, user: User, group: Group, statement: str) -> JoinOutcome:
    """Ask to join: a seat (open group), a pending request (approval) or the waitlist if full."""
    statement = statement.strip()
    if len(statement) < JOIN_STATEMENT_MIN_LENGTH:
        raise ValidationError(
            {"statement": _("Tell the group in a sentence or two why you want to join.")}
        )
    try:
        with transaction.atomic():
            group, size = _lock(group)
            existing = _current_state(user, group)
            if existing is not None:
                return existing
            if not can_view_network(user, group.network, network_role(user, group.network)):
                raise PermissionDenied(DENIED[Need.VIEW])
            if seats_free(size, group.capacity) and group.join_policy == Group.JoinPolicy.OPEN:
                membership = _admit(group, user, statement=statement)
                _notify_moderators_of_join(group, user, statement, membership=membership)
                return JoinOutcome("member", group, membership=membership)
            status = (
                JoinRequest.Status.PENDING
                if seats_free(size, group.capacity)
                else JoinRequest.Status.WAITLISTED
            )
            request = JoinRequest.objects.create(
                group=group,
                user=user,
                statement=statement,
                status=status,
                waitlisted_at=timezone.now() if status == JoinRequest.Status.WAITLISTED else None,
            )
            network_add_person(network=group.network, user=user)
            if status == JoinRequest.Status.PENDING:
                _notify_moderators_of_join(group, user, statement, request=request)
                return JoinOutcome("pending", group, request=request)
            return JoinOutcome(
                "waitlisted", group, request=request, waitlist_position=waitlist_position(request)
            )
    except IntegrityError:
        # A second click from the same person raced the first: answer with what now stands.
        state = _current_state(user, group)
        if state is None:
            raise
        return state


def _current_state(user: User, group: Group) -> JoinOutcome | None:
    membership = Membership.objects.active().filter(group=group, user=user).first()
    if membership is not None:
        return JoinOutcome("member", group, membership=membership)
    request = JoinRequest.objects.filter(
        group=group, user=user, status__in=JoinRequest.OPEN_STATUSES
    ).first()
    if request is None:
        return None
    if request.status == JoinRequest.Status.PENDING:
        return JoinOutcome("pending", group, request=request)
    return JoinOutcome(
        "waitlisted", group, request=request, waitlist_position=waitlist_position(request)
    )


def _tell(
    person: User,
    group: Group,
    *,
    key: str,
    title: Text,
    body: Text = "",
    url: str | None = None,
) -> None:
    """A note to one person about their place in a group (to the group's page unless `url`),
    written in their language."""
    notify(
        recipients=[person],
        kind="group.membership",
        key=key,
        title=title,
        body=body,
        url=url or reverse("groups:group_detail", args=[group.pk]),
        subject=group,
    )


def _decide(request: JoinRequest, status: str, *, now: datetime, by: User | None = None) -> None:
    """Record a decision on a request: accepted or declined, when, and by whom (a seat that
    opened decides by itself)."""
    request.status, request.decided_at = status, now
    if by is None:
        request.save(update_fields=["status", "decided_at"])
        return
    request.decided_by = by
    request.save(update_fields=["status", "decided_at", "decided_by"])


def _notify_moderators_of_join(
    group: Group,
    user: User,
    statement: str,
    *,
    membership: Membership | None = None,
    request: JoinRequest | None = None,
) -> None:
    moderators = [m for m in _moderator_users(group) if m.pk != user.pk]
    names = {"name": user.public_name, "group": group.name}
    if membership is not None:
        key = f"member:{membership.pk}"

        def title() -> str:
            return _("%(name)s joined %(group)s") % names
    else:
        key = f"request:{request.pk}"

        def title() -> str:
            return _("%(name)s asks to join %(group)s") % names

    notify(
        recipients=moderators,
        kind="group.join_request",
        key=key,
        title=title,
        body=lambda: _("Why they want in: %(statement)s") % {"statement": statement},
        url=reverse("groups:group_detail", args=[group.pk]),
        subject=group,
    )


def group_leave(*, user: User, group: Group) -> None:
    """Leave a group (what they logged stays); the first on the waitlist gets the seat."""
    with transaction.atomic():
        group, _size = _lock(group)
        membership = Membership.objects.active().filter(group=group, user=user).first()
        if membership is None:
            # Not a member: leaving the waitlist or withdrawing a request is the same wish.
            withdrawn = JoinRequest.objects.filter(
                group=group, user=user, status__in=JoinRequest.OPEN_STATUSES
            ).update(status=JoinRequest.Status.WITHDRAWN, decided_at=timezone.now())
            if not withdrawn:
                raise Conflict(_("You are not in this group."), code="not_a_member")
            return
        membership.left_at = timezone.now()
        membership.save(update_fields=["left_at"])
        audit(group=group, verb="member.left", actor=user, target=user.public_name, person=user)
        _fill_free_seats(group)
        live.people_left(group.pk, [user.pk])


REMOVAL_REASON_MAX_LENGTH = 500


def membership_remove(*, actor: User, membership: Membership, reason: str = "") -> Membership:
    """A moderator (or organizer) removes someone from the group, with an optional reason they
    are told; their seat goes to the waitlist and their live room screens close."""
    reason = reason.strip()
    if len(reason) > REMOVAL_REASON_MAX_LENGTH:
        raise ValidationError(
            {
                "reason": _("Keep the reason under %(n)d characters.")
                % {"n": REMOVAL_REASON_MAX_LENGTH}
            }
        )
    with transaction.atomic():
        group, _size = _lock(membership.group)
        require(actor, group, Need.MODERATE)
        membership = (
            Membership.objects.select_for_update(of=("self",))
            .select_related("user")
            .get(pk=membership.pk)
        )
        if membership.group_id != group.pk or membership.left_at is not None:
            raise Conflict(_("This person is no longer in the group."), code="not_a_member")
        if membership.user_id == actor.pk:
            raise Conflict(
                _("You cannot remove yourself: leave the group instead."), code="remove_self"
            )
        if (
            membership.is_moderator
            and not Membership.objects.active()
            .filter(group=group, role=Membership.Role.MODERATOR)
            .exclude(pk=membership.pk)
            .exists()
        ):
            raise Conflict(
                _("A group needs a moderator: appoint another one first."),
                code="last_moderator",
            )
        person = membership.user
        membership.left_at = timezone.now()
        membership.save(update_fields=["left_at"])
        details = {"reason": reason} if reason else {}
        audit(
            group=group,
            verb="member.removed",
            actor=actor,
            target=person.public_name,
            person=person,
            **details,
        )
        _fill_free_seats(group)
        _tell(
            person,
            group,
            key=f"removed:{membership.pk}",
            title=lambda: _("You were removed from %(group)s") % {"group": group.name},
            body=lambda: (
                _("The moderator's reason: %(reason)s") % {"reason": reason}
                if reason
                else _("A moderator removed you from the group. What you logged there stays.")
            ),
            url=reverse("groups:network_detail", args=[group.network.slug]),
        )
        live.people_left(group.pk, [person.pk])
        return membership


def _fill_free_seats(group: Group) -> None:
    """Offer free seats to the waitlist in order. Call with the group locked."""
    free = seats_free(Membership.objects.active().filter(group=group).count(), group.capacity)
    if not free:
        return
    waiting = list(
        JoinRequest.objects.filter(group=group, status=JoinRequest.Status.WAITLISTED)
        .select_related("user")
        .order_by(*JoinRequest.WAITLIST_ORDER)
    )
    now = timezone.now()
    if group.join_policy == Group.JoinPolicy.OPEN:
        for request in waiting[:free]:
            _admit(group, request.user, statement=request.statement)
            _decide(request, JoinRequest.Status.ACCEPTED, now=now)
            _tell(
                request.user,
                group,
                key=f"seat:{request.pk}",
                title=lambda: (
                    _("A seat opened: you are now a member of %(group)s") % {"group": group.name}
                ),
                body=lambda: _(
                    "You waited on the list and a seat is yours. Say hello and log your first action this week."
                ),
            )
        return
    # Approval groups: the head of the waitlist goes to the moderators for a decision.
    pending = JoinRequest.objects.filter(group=group, status=JoinRequest.Status.PENDING).count()
    for request in waiting[: max(free - pending, 0)]:
        request.status = JoinRequest.Status.PENDING
        request.save(update_fields=["status"])
        _tell(
            request.user,
            group,
            key=f"offer:{request.pk}",
            title=lambda: _("A seat opened in %(group)s") % {"group": group.name},
            body=lambda: _(
                "You are at the front of the waitlist; a moderator will confirm your place."
            ),
        )
        _notify_moderators_of_join(group, request.user, request.statement, request=request)


def join_request_decide(
    *, actor: User, join_request: JoinRequest, approve: bool
) -> JoinOutcome | None:
    """A moderator or organizer accepts or declines a pending request (the cap still holds)."""
    with transaction.atomic():
        group, size = _lock(join_request.group)
        require(actor, group, Need.MODERATE)
        request = (
            JoinRequest.objects.select_for_update().select_related("user").get(pk=join_request.pk)
        )
        if request.status not in JoinRequest.OPEN_STATUSES:
            raise Conflict(_("This request was already decided."), code="already_decided")
        now = timezone.now()
        if not approve:
            _decide(request, JoinRequest.Status.DECLINED, now=now, by=actor)
            _tell(
                request.user,
                group,
                key=f"declined:{request.pk}",
                title=lambda: (
                    _("Your request to join %(group)s was declined") % {"group": group.name}
                ),
                body=lambda: _(
                    "Other groups in the network may be a better fit; ask an organizer."
                ),
                url=reverse("groups:network_detail", args=[group.network.slug]),
            )
            return None
        if not seats_free(size, group.capacity):
            if request.status != JoinRequest.Status.WAITLISTED:
                # Someone offered a seat from the waitlist keeps their old place in it.
                request.status = JoinRequest.Status.WAITLISTED
                request.waitlisted_at = request.waitlisted_at or now
                request.save(update_fields=["status", "waitlisted_at"])
            return JoinOutcome(
                "waitlisted", group, request=request, waitlist_position=waitlist_position(request)
            )
        membership = _admit(group, request.user, statement=request.statement)
        _decide(request, JoinRequest.Status.ACCEPTED, now=now, by=actor)
        _tell(
            request.user,
            group,
            key=f"accepted:{request.pk}",
            title=lambda: _("Welcome to %(group)s") % {"group": group.name},
            body=lambda: _(
                "Your request was accepted. Show your commitment: log your first action this week."
            ),
        )
        return JoinOutcome("member", group, membership=membership)


def _admission_problem(group: Group, user: User, size: int) -> str | None:
    if Membership.objects.active().filter(group=group, user=user).exists():
        return _("%(name)s is already a member of %(group)s.") % {
            "name": user.public_name,
            "group": group.name,
        }
    if not seats_free(size, group.capacity):
        return _(
            "%(group)s is full (%(n)d of %(cap)d seats): spin out a new group or free a seat first."
        ) % {"group": group.name, "n": size, "cap": group.capacity}
    return None


def membership_add_problem(*, group: Group, user: User) -> str | None:
    """Why staff could not add this person to the group now (advisory: the add re-checks)."""
    return _admission_problem(group, user, Membership.objects.active().filter(group=group).count())


def membership_add_by_staff(
    *, actor: User, group: Group, user: User, role: str = Membership.Role.MEMBER
) -> Membership:
    """Staff seat a person in a group directly (the admin), under the same lock and cap."""
    if not actor.is_staff:
        raise PermissionDenied(_("Only staff can add people to a group directly."))
    if role not in Membership.Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    with transaction.atomic():
        group, size = _lock(group)
        problem = _admission_problem(group, user, size)
        if problem is not None:
            raise Conflict(problem, code="cannot_add")
        membership = _admit(group, user, statement="", role=role)
        # A request or waitlist place of theirs is settled by the seat.
        JoinRequest.objects.filter(
            group=group, user=user, status__in=JoinRequest.OPEN_STATUSES
        ).update(status=JoinRequest.Status.ACCEPTED, decided_at=timezone.now(), decided_by=actor)
        return membership


def membership_set_role(*, actor: User, membership: Membership, role: str) -> Membership:
    """Make a member a moderator or back (moderators and organizers)."""
    if role not in Membership.Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    with transaction.atomic():
        group, _size = _lock(membership.group)
        require(actor, group, Need.MODERATE)
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        if membership.left_at is not None:
            raise Conflict(_("This person has left the group."), code="not_a_member")
        if role == Membership.Role.MEMBER and membership.is_moderator:
            others = Membership.objects.active().filter(group=group, role=Membership.Role.MODERATOR)
            if (
                others.exclude(pk=membership.pk).count() == 0
                and not NetworkMembership.objects.filter(
                    network=group.network, user=actor, role=NetworkMembership.Role.ORGANIZER
                ).exists()
            ):
                raise Conflict(
                    _("A group needs a moderator: appoint another one first."),
                    code="last_moderator",
                )
        membership.role = role
        membership.save(update_fields=["role"])
        audit(
            group=group,
            verb="role.changed",
            actor=actor,
            target=membership.user.public_name,
            person=membership.user,
            role=role,
        )
        _tell(
            membership.user,
            group,
            key=f"role:{membership.pk}:{role}:{timezone.now().timestamp()}",
            # Whole sentences: a role's name is not a word to lower-case and slot in.
            title=lambda: (
                (
                    _("You are now a moderator of %(group)s")
                    if role == Membership.Role.MODERATOR
                    else _("You are now a member of %(group)s")
                )
                % {"group": group.name}
            ),
        )
        return membership


@register_account_deletion_hook
def remove_person_from_groups(user: User) -> None:
    """Someone deleting their account leaves every group (seats go to the waitlist) and their
    private meeting data goes; the actions they logged stay with the group."""

    for membership in Membership.objects.active().filter(user=user).select_related("group"):
        group_leave(user=user, group=membership.group)
    JoinRequest.objects.filter(user=user, status__in=JoinRequest.OPEN_STATUSES).update(
        status=JoinRequest.Status.WITHDRAWN, decided_at=timezone.now()
    )
    Reflection.objects.filter(user=user).delete()
    MeetingResponse.objects.filter(user=user).delete()
    CalendarFeed.objects.filter(user=user).delete()
    NextAction.objects.filter(owner=user, done_at__isnull=True).delete()
