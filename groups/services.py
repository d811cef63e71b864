"""Writes for networks and groups. The 15-member cap lives here, under a row lock on the group."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from groups.audit import audit
from groups.models import (
    GROUP_HARD_CAP,
    Group,
    Invitation,
    JoinRequest,
    Membership,
    Network,
    NetworkMembership,
    capacity_problem,
    seats_free,
)
from groups.permissions import (
    DENIED,
    Need,
    can_view_network,
    network_role,
    require,
    require_organizer,
)
from groups.selectors import waitlist_position
from impact.exceptions import Conflict
from impact.models import User
from impact.services import notify, notify_address, register_account_deletion_hook

INVITATION_DAYS = 14
JOIN_STATEMENT_MIN_LENGTH = 10  # characters, spaces at either end aside

# Later features copy what a spun-out group starts with (metric definitions, the adopted
# narrative). Each app registers a function (parent, child) -> None in its AppConfig.ready();
# they run inside the spin-out transaction.
SPIN_OUT_COPIERS: list[Callable[[Group, Group], None]] = []


def register_spin_out_copier(func: Callable[[Group, Group], None]) -> Callable:
    if func not in SPIN_OUT_COPIERS:
        SPIN_OUT_COPIERS.append(func)
    return func


@dataclass
class JoinOutcome:
    """What asking to join led to: 'member', 'pending' or 'waitlisted'."""

    outcome: str
    group: Group
    membership: Membership | None = None
    request: JoinRequest | None = None
    waitlist_position: int | None = None


# Networks ---------------------------------------------------------------------------------


def _unique_slug(name: str) -> str:
    base = slugify(name)[:120] or "network"
    slug, n = base, 2
    while Network.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def network_create(
    *, creator: User, name: str, description: str = "", is_public: bool = True
) -> Network:
    """Start a network; its creator becomes its first organizer."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the network a name.")})
    network = Network.objects.create(
        name=name, slug=_unique_slug(name), description=description.strip(), is_public=is_public
    )
    NetworkMembership.objects.create(
        network=network, user=creator, role=NetworkMembership.Role.ORGANIZER
    )
    return network


def network_add_person(
    *, network: Network, user: User, role: str = NetworkMembership.Role.PARTICIPANT
) -> NetworkMembership:
    """Make someone part of a network (an organizer role is never downgraded here)."""
    membership, created = NetworkMembership.objects.get_or_create(
        network=network, user=user, defaults={"role": role}
    )
    if not created and role == NetworkMembership.Role.ORGANIZER and membership.role != role:
        membership.role = role
        membership.save(update_fields=["role"])
    return membership


# Groups -----------------------------------------------------------------------------------


def _validate_group_fields(
    *, network: Network, name: str, purpose: str, capacity: int, exclude=None
):
    errors = {}
    if not name.strip():
        errors["name"] = _("Give the group a name.")
    elif (
        Group.objects.filter(network=network, name__iexact=name.strip())
        .exclude(pk=exclude)
        .exists()
    ):
        errors["name"] = ValidationError(
            _("This network already has a group with that name."), code="unique"
        )
    if not purpose.strip():
        errors["purpose"] = _("Say in a sentence what this group acts on together.")
    if problem := capacity_problem(capacity):
        errors["capacity"] = problem
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def group_create(
    *,
    organizer: User,
    network: Network,
    name: str,
    purpose: str,
    capacity: int = GROUP_HARD_CAP,
    join_policy: str = Group.JoinPolicy.OPEN,
    moderator: User | None = None,
) -> Group:
    """Create a group in a network (organizers only), optionally with its first moderator."""
    require_organizer(organizer, network)
    _validate_group_fields(network=network, name=name, purpose=purpose, capacity=capacity)
    if moderator is not None and not _in_network(moderator, network):
        raise ValidationError({"moderator": _not_in_network_message()})
    group = Group.objects.create(
        network=network,
        name=name.strip(),
        purpose=purpose.strip(),
        capacity=capacity,
        join_policy=join_policy,
    )
    if moderator is not None:
        network_add_person(network=network, user=moderator)
        Membership.objects.create(group=group, user=moderator, role=Membership.Role.MODERATOR)
    return group


def _in_network(user: User, network: Network) -> bool:
    return NetworkMembership.objects.filter(network=network, user=user).exists()


def _not_in_network_message() -> str:
    # Nobody is made a moderator of a network they never joined (the API takes any user id).
    return _("Choose someone who is part of this network.")


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
    audit(group=group, verb="member.joined", actor=user, target=user.public_name, role=role)
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


def _notify_moderators_of_join(group, user, statement, *, membership=None, request=None):
    moderators = [m for m in _moderator_users(group) if m.pk != user.pk]
    if membership is not None:
        title = _("%(name)s joined %(group)s") % {"name": user.public_name, "group": group.name}
        key = f"member:{membership.pk}"
    else:
        title = _("%(name)s asks to join %(group)s") % {
            "name": user.public_name,
            "group": group.name,
        }
        key = f"request:{request.pk}"
    notify(
        recipients=moderators,
        kind="group.join_request",
        key=key,
        title=title,
        body=_("Why they want in: %(statement)s") % {"statement": statement},
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
        audit(group=group, verb="member.left", actor=user, target=user.public_name)
        _fill_free_seats(group)


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
    url = reverse("groups:group_detail", args=[group.pk])
    if group.join_policy == Group.JoinPolicy.OPEN:
        for request in waiting[:free]:
            _admit(group, request.user, statement=request.statement)
            request.status, request.decided_at = JoinRequest.Status.ACCEPTED, now
            request.save(update_fields=["status", "decided_at"])
            notify(
                recipients=[request.user],
                kind="group.membership",
                key=f"seat:{request.pk}",
                title=_("A seat opened: you are now a member of %(group)s") % {"group": group.name},
                body=_(
                    "You waited on the list and a seat is yours. Say hello and log your first action this week."
                ),
                url=url,
                subject=group,
            )
        return
    # Approval groups: the head of the waitlist goes to the moderators for a decision.
    pending = JoinRequest.objects.filter(group=group, status=JoinRequest.Status.PENDING).count()
    for request in waiting[: max(free - pending, 0)]:
        request.status = JoinRequest.Status.PENDING
        request.save(update_fields=["status"])
        notify(
            recipients=[request.user],
            kind="group.membership",
            key=f"offer:{request.pk}",
            title=_("A seat opened in %(group)s") % {"group": group.name},
            body=_("You are at the front of the waitlist; a moderator will confirm your place."),
            url=url,
            subject=group,
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
        url = reverse("groups:group_detail", args=[group.pk])
        if not approve:
            request.status, request.decided_at, request.decided_by = (
                JoinRequest.Status.DECLINED,
                now,
                actor,
            )
            request.save(update_fields=["status", "decided_at", "decided_by"])
            notify(
                recipients=[request.user],
                kind="group.membership",
                key=f"declined:{request.pk}",
                title=_("Your request to join %(group)s was declined") % {"group": group.name},
                body=_("Other groups in the network may be a better fit; ask an organizer."),
                url=reverse("groups:network_detail", args=[group.network.slug]),
                subject=group,
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
        request.status, request.decided_at, request.decided_by = (
            JoinRequest.Status.ACCEPTED,
            now,
            actor,
        )
        request.save(update_fields=["status", "decided_at", "decided_by"])
        notify(
            recipients=[request.user],
            kind="group.membership",
            key=f"accepted:{request.pk}",
            title=_("Welcome to %(group)s") % {"group": group.name},
            body=_(
                "Your request was accepted. Show your commitment: log your first action this week."
            ),
            url=url,
            subject=group,
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
            role=role,
        )
        notify(
            recipients=[membership.user],
            kind="group.membership",
            key=f"role:{membership.pk}:{role}:{timezone.now().timestamp()}",
            title=_("You are now a %(role)s of %(group)s")
            % {"role": membership.get_role_display().lower(), "group": group.name},
            url=reverse("groups:group_detail", args=[group.pk]),
            subject=group,
        )
        return membership


# Invitations ------------------------------------------------------------------------------


def invitation_create(*, actor: User, group: Group, email: str, message: str = "") -> Invitation:
    """Invite an email address to a group; the link expires and works once."""
    email = email.strip().lower()
    with transaction.atomic():
        require(actor, group, Need.MODERATE)
        if Membership.objects.active().filter(group=group, user__email__iexact=email).exists():
            raise ValidationError({"email": _("This person is already a member of the group.")})
        invitation = Invitation.objects.create(
            group=group,
            email=email,
            message=message.strip(),
            invited_by=actor,
            expires_at=timezone.now() + timedelta(days=INVITATION_DAYS),
        )
        body = _(
            "%(name)s invites you to join %(group)s, an impact group in %(network)s.\n\n"
            "What the group acts on: %(purpose)s"
        ) % {
            "name": actor.public_name,
            "group": group.name,
            "network": group.network.name,
            "purpose": group.purpose,
        }
        if invitation.message:
            body += "\n\n" + _("Their message: %(message)s") % {"message": invitation.message}
        body += "\n\n" + _("The invitation is valid for %(days)d days.") % {"days": INVITATION_DAYS}
        notify_address(
            to_email=email,
            kind="group.invitation",
            key=f"invitation:{invitation.pk}",
            title=_("You're invited to join %(group)s") % {"group": group.name},
            body=body,
            url=reverse("groups:invitation_accept", args=[invitation.token]),
            subject=invitation,
        )
    return invitation


def invitation_for_token(token: str) -> Invitation:
    invitation = (
        Invitation.objects.select_related("group__network", "invited_by")
        .filter(token=token)
        .first()
    )
    if invitation is None:
        raise ValidationError(_("This invitation link is not valid."), code="invalid")
    return invitation


def invitation_accept(*, user: User, token: str) -> JoinOutcome:
    """Use an invitation: a seat if one is free (whatever the join policy), else the waitlist."""
    with transaction.atomic():
        invitation = invitation_for_token(token)
        group, size = _lock(invitation.group)
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at is not None:
            if invitation.accepted_by_id == user.pk:
                state = _current_state(user, group)
                if state is not None:
                    return state
            raise Conflict(_("This invitation has already been used."), code="invitation_used")
        if invitation.revoked_at is not None or invitation.expires_at <= timezone.now():
            raise Conflict(
                _("This invitation has expired. Ask for a new one."), code="invitation_expired"
            )
        invitation.accepted_at, invitation.accepted_by = timezone.now(), user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        network_add_person(network=group.network, user=user)
        existing = _current_state(user, group)
        if existing is not None and existing.outcome == "member":
            return existing
        statement = _("Invited by %(name)s") % {
            "name": invitation.invited_by.public_name if invitation.invited_by else "?"
        }
        if seats_free(size, group.capacity):
            if existing is not None:
                existing.request.status = JoinRequest.Status.ACCEPTED
                existing.request.decided_at = timezone.now()
                existing.request.save(update_fields=["status", "decided_at"])
            membership = _admit(group, user, statement=statement)
            _notify_moderators_of_join(group, user, statement, membership=membership)
            return JoinOutcome("member", group, membership=membership)
        if existing is not None:
            return existing
        request = JoinRequest.objects.create(
            group=group,
            user=user,
            statement=statement,
            status=JoinRequest.Status.WAITLISTED,
            waitlisted_at=timezone.now(),
        )
        return JoinOutcome(
            "waitlisted", group, request=request, waitlist_position=waitlist_position(request)
        )


def invitation_revoke(*, actor: User, invitation: Invitation) -> None:
    require(actor, invitation.group, Need.MODERATE)
    Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(
        revoked_at=timezone.now()
    )


# Spin-out ---------------------------------------------------------------------------------


@dataclass
class SpinOutPlan:
    """Who ends up in the new group, worked out before anything moves (the preview)."""

    moderator: User
    moderator_from_parent: bool
    movers: list[Membership] = field(default_factory=list)
    from_waitlist: list[JoinRequest] = field(default_factory=list)
    staying_on_waitlist: list[JoinRequest] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return 1 + len(self.movers) + len(self.from_waitlist)


def spin_out_plan(
    *, parent: Group, moderator: User, move_user_ids: Iterable[int], take_waitlist: bool
) -> SpinOutPlan:
    """Work out a spin-out: the moderator, the members who move, the waitlist taken in order."""
    move_ids = {int(pk) for pk in move_user_ids} - {moderator.pk}
    active = list(Membership.objects.active().filter(group=parent).select_related("user"))
    by_user = {m.user_id: m for m in active}
    plan = SpinOutPlan(moderator=moderator, moderator_from_parent=moderator.pk in by_user)
    if not plan.moderator_from_parent and not _in_network(moderator, parent.network):
        plan.errors["moderator"] = _not_in_network_message()
    unknown = move_ids - by_user.keys()
    if unknown:
        plan.errors["move"] = _("Only current members of the group can move with the spin-out.")
    plan.movers = [
        by_user[pk]
        for pk in sorted(move_ids & by_user.keys(), key=lambda pk: by_user[pk].joined_at)
    ]
    if plan.size > GROUP_HARD_CAP:
        plan.errors["move"] = _("A group holds at most %(cap)d people: move fewer members.") % {
            "cap": GROUP_HARD_CAP
        }
    if take_waitlist:
        waiting = list(
            JoinRequest.objects.filter(group=parent, status=JoinRequest.Status.WAITLISTED)
            .exclude(user=moderator)
            .select_related("user")
            .order_by(*JoinRequest.WAITLIST_ORDER)
        )
        room = seats_free(plan.size, GROUP_HARD_CAP)
        plan.from_waitlist, plan.staying_on_waitlist = waiting[:room], waiting[room:]
    return plan


def group_spin_out(
    *,
    organizer: User,
    parent: Group,
    name: str,
    purpose: str = "",
    moderator: User,
    move_user_ids: Iterable[int] = (),
    take_waitlist: bool = True,
) -> Group:
    """Spin a new group out of a (usually full) one, in one transaction with the parent locked."""
    with transaction.atomic():
        parent, _size = _lock(parent)
        require_organizer(organizer, parent.network)
        purpose = purpose.strip() or parent.purpose
        _validate_group_fields(
            network=parent.network, name=name, purpose=purpose, capacity=GROUP_HARD_CAP
        )
        plan = spin_out_plan(
            parent=parent,
            moderator=moderator,
            move_user_ids=move_user_ids,
            take_waitlist=take_waitlist,
        )
        if plan.errors:
            raise ValidationError(plan.errors)
        now = timezone.now()
        child = Group.objects.create(
            network=parent.network,
            name=name.strip(),
            purpose=purpose,
            capacity=GROUP_HARD_CAP,
            join_policy=parent.join_policy,
            parent=parent,
        )
        parent_seat = Membership.objects.active().filter(group=parent, user=moderator).first()
        leaving = [m.pk for m in plan.movers] + ([parent_seat.pk] if parent_seat else [])
        Membership.objects.filter(pk__in=leaving).update(left_at=now)
        network_add_person(network=parent.network, user=moderator)
        Membership.objects.create(
            group=child,
            user=moderator,
            role=Membership.Role.MODERATOR,
            statement=parent_seat.statement if parent_seat else "",
            unleashed_from=parent if plan.moderator_from_parent else None,
        )
        Membership.objects.bulk_create(
            [Membership(group=child, user=m.user, statement=m.statement) for m in plan.movers]
            + [
                Membership(group=child, user=r.user, statement=r.statement)
                for r in plan.from_waitlist
            ]
        )
        JoinRequest.objects.filter(pk__in=[r.pk for r in plan.from_waitlist]).update(
            status=JoinRequest.Status.MOVED, decided_at=now, decided_by=organizer
        )
        JoinRequest.objects.filter(
            group=parent, user=moderator, status__in=JoinRequest.OPEN_STATUSES
        ).update(status=JoinRequest.Status.MOVED, decided_at=now, decided_by=organizer)
        for copier in SPIN_OUT_COPIERS:
            copier(parent, child)
        audit(
            group=parent,
            verb="group.spun_out",
            actor=organizer,
            target=child.name,
            moderator=moderator.public_name,
            moved=len(plan.movers),
            from_waitlist=len(plan.from_waitlist),
        )
        _fill_free_seats(parent)
        _notify_spin_out(parent, child, plan)
    return child


def _notify_spin_out(parent: Group, child: Group, plan: SpinOutPlan) -> None:
    url = reverse("groups:group_detail", args=[child.pk])
    notify(
        recipients=[plan.moderator],
        kind="group.spin_out",
        key=f"{child.pk}:moderator",
        title=_("You moderate the new group %(group)s") % {"group": child.name},
        body=_(
            "%(group)s was spun out of %(parent)s with you as its moderator. Schedule its first meeting."
        )
        % {"group": child.name, "parent": parent.name},
        url=url,
        subject=child,
    )
    notify(
        recipients=[m.user for m in plan.movers] + [r.user for r in plan.from_waitlist],
        kind="group.spin_out",
        key=f"{child.pk}:member",
        title=_("You are now a member of %(group)s") % {"group": child.name},
        body=_("%(group)s was spun out of %(parent)s, and you are one of its first members.")
        % {"group": child.name, "parent": parent.name},
        url=url,
        subject=child,
    )
    notify(
        recipients=[u for u in _moderator_users(parent) if u.pk != plan.moderator.pk],
        kind="group.spin_out",
        key=f"{child.pk}:parent",
        title=_("%(group)s was spun out of your group") % {"group": child.name},
        body=_("%(count)d people now form %(group)s.") % {"count": plan.size, "group": child.name},
        url=url,
        subject=child,
    )


@register_account_deletion_hook
def remove_person_from_groups(user: User) -> None:
    """Someone deleting their account leaves every group (seats go to the waitlist) and their
    private meeting data goes; the actions they logged stay with the group."""
    from groups.meetings.models import CalendarFeed, MeetingResponse, NextAction, Reflection

    for membership in Membership.objects.active().filter(user=user).select_related("group"):
        group_leave(user=user, group=membership.group)
    JoinRequest.objects.filter(user=user, status__in=JoinRequest.OPEN_STATUSES).update(
        status=JoinRequest.Status.WITHDRAWN, decided_at=timezone.now()
    )
    Reflection.objects.filter(user=user).delete()
    MeetingResponse.objects.filter(user=user).delete()
    CalendarFeed.objects.filter(user=user).delete()
    NextAction.objects.filter(owner=user, done_at__isnull=True).delete()
