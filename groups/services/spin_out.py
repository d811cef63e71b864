"""Spin-out: a new group from a full one, with the members who move and the waitlist's head."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from groups.audit import audit
from groups.meetings import live
from groups.models import (
    GROUP_HARD_CAP,
    Group,
    JoinRequest,
    Membership,
    seats_free,
)
from groups.permissions import (
    require_organizer,
)
from groups.services.membership import _fill_free_seats, _lock, _moderator_users
from groups.services.networks import (
    _in_network,
    _not_in_network_message,
    _validate_group_fields,
    network_add_person,
)
from groups.webhooks.services import webhook_event
from impact.models import User
from impact.services import notify

# Later features copy what a spun-out group starts with (metric definitions, the adopted
# narrative). Each app registers a function (parent, child) -> None in its AppConfig.ready();
# they run inside the spin-out transaction.
SPIN_OUT_COPIERS: list[Callable[[Group, Group], None]] = []


def register_spin_out_copier(func: Callable[[Group, Group], None]) -> Callable:
    if func not in SPIN_OUT_COPIERS:
        SPIN_OUT_COPIERS.append(func)
    return func


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
        live.people_left(
            parent.pk, [m.user_id for m in plan.movers] + ([moderator.pk] if parent_seat else [])
        )
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
        webhook_event(
            kind="group.spin_out",
            key=str(child.pk),
            group=parent,
            network_wide=True,
            payload={
                "child": {"id": child.pk, "name": child.name, "url": child.get_absolute_url()},
                "size": plan.size,
                "url": child.get_absolute_url(),
            },
        )
    return child


def _notify_spin_out(parent: Group, child: Group, plan: SpinOutPlan) -> None:
    url = reverse("groups:group_detail", args=[child.pk])
    notify(
        recipients=[plan.moderator],
        kind="group.spin_out",
        key=f"{child.pk}:moderator",
        title=lambda: _("You moderate the new group %(group)s") % {"group": child.name},
        body=lambda: (
            _(
                "%(group)s was spun out of %(parent)s with you as its moderator. Schedule its first meeting."
            )
            % {"group": child.name, "parent": parent.name}
        ),
        url=url,
        subject=child,
    )
    notify(
        recipients=[m.user for m in plan.movers] + [r.user for r in plan.from_waitlist],
        kind="group.spin_out",
        key=f"{child.pk}:member",
        title=lambda: _("You are now a member of %(group)s") % {"group": child.name},
        body=lambda: (
            _("%(group)s was spun out of %(parent)s, and you are one of its first members.")
            % {"group": child.name, "parent": parent.name}
        ),
        url=url,
        subject=child,
    )
    notify(
        recipients=[u for u in _moderator_users(parent) if u.pk != plan.moderator.pk],
        kind="group.spin_out",
        key=f"{child.pk}:parent",
        title=lambda: _("%(group)s was spun out of your group") % {"group": child.name},
        body=lambda: (
            ngettext(
                "%(count)d person now forms %(group)s.",
                "%(count)d people now form %(group)s.",
                plan.size,
            )
            % {"count": plan.size, "group": child.name}
        ),
        url=url,
        subject=child,
    )
