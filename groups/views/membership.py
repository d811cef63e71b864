"""Seats: joining, leaving, deciding requests, roles, invitations and spin-outs."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from groups import selectors, services
from groups.forms import InviteForm, JoinForm, SpinOutForm
from groups.models import Group, JoinRequest, Membership, seats_free
from groups.permissions import Need, group_for_user
from impact.exceptions import Conflict
from impact.forms import FormErrors, errors_into
from impact.models import User

INVITATION_SESSION_KEY = "pending_invitation"


def _outcome_message(request, outcome: services.JoinOutcome) -> None:
    group = outcome.group.name
    if outcome.outcome == "member":
        messages.success(request, _("You are a member of %(group)s. Welcome!") % {"group": group})
    elif outcome.outcome == "pending":
        messages.info(
            request, _("Your request to join %(group)s is with its moderators.") % {"group": group}
        )
    else:
        messages.info(
            request,
            _(
                "%(group)s is full. You are number %(n)d on the waitlist; we'll tell you when a seat opens."
            )
            % {"group": group, "n": outcome.waitlist_position},
        )


@login_required
@require_http_methods(["GET", "POST"])
def group_join(request: HttpRequest, pk: int) -> HttpResponse:
    # Joining needs what the API's join needs: to see the group. Someone already in it is
    # answered with where they stand, as the API answers them.
    group, access = group_for_user(request.user, pk, need=Need.VIEW)
    if access.member:
        messages.info(request, _("You are already a member of %(group)s.") % {"group": group.name})
        return redirect(group)
    form = JoinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with errors_into(form):
                outcome = services.group_join(
                    user=request.user, group=group, statement=form.cleaned_data["statement"]
                )
        except FormErrors:
            pass
        else:
            _outcome_message(request, outcome)
            return redirect(group)
    group.size = Membership.objects.active().filter(group=group).count()
    full = not seats_free(group.size, group.capacity)
    return render(request, "groups/join.html", {"group": group, "form": form, "full": full})


@login_required
@require_POST
def group_leave(request: HttpRequest, pk: int) -> HttpResponse:
    group, _access = group_for_user(request.user, pk)
    if request.POST.get("confirm") != "1":
        asked = _leave_confirmation(request, group)
        if asked is not None:
            return asked
    try:
        services.group_leave(user=request.user, group=group)
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("You left %(group)s. What you logged there stays.") % {"group": group.name}
        )
    return redirect(group)


def _leave_confirmation(request: HttpRequest, group: Group) -> HttpResponse | None:
    """Ask before leaving (a seat is handed on at once) or giving up a place in the queue."""
    membership = Membership.objects.active().filter(group=group, user=request.user).first()
    waiting = JoinRequest.objects.filter(
        group=group, user=request.user, status__in=JoinRequest.OPEN_STATUSES
    ).first()
    if membership is None and waiting is None:
        return None  # nothing to lose: the service says they are not in the group
    size = Membership.objects.active().filter(group=group).count()
    queue = JoinRequest.objects.filter(group=group, status=JoinRequest.Status.WAITLISTED).count()
    if membership is not None:
        title = _("Leave %(group)s?") % {"group": group.name}
        lines = [_("What you logged in the group stays.")]
        if not seats_free(size, group.capacity) and queue:
            lines.insert(
                0,
                _(
                    "The group is full: your seat goes at once to the next person on the "
                    "waitlist, so you could not simply come back."
                ),
            )
        button = _("Yes, leave the group")
    else:
        title = _("Withdraw from %(group)s?") % {"group": group.name}
        lines = (
            [_("You lose your place on the waitlist; asking again puts you at the end.")]
            if waiting.status == JoinRequest.Status.WAITLISTED
            else [_("The moderators will no longer see your request.")]
        )
        button = _("Yes, withdraw")
    return render(
        request,
        "groups/confirm.html",
        {
            "group": group,
            "title": title,
            "lines": lines,
            "action": reverse("groups:group_leave", args=[group.pk]),
            "fields": {},
            "button": button,
        },
    )


@login_required
@require_POST
def request_decide(request: HttpRequest, pk: int, request_pk: int) -> HttpResponse:
    group, _access = group_for_user(request.user, pk, need=Need.MODERATE)
    join_request = get_object_or_404(JoinRequest, pk=request_pk, group=group)
    approve = request.POST.get("decision") == "approve"
    try:
        outcome = services.join_request_decide(
            actor=request.user, join_request=join_request, approve=approve
        )
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        name = join_request.user.public_name
        if not approve:
            messages.info(request, _("You declined the request from %(name)s.") % {"name": name})
        elif outcome.outcome == "member":
            messages.success(request, _("%(name)s is now a member.") % {"name": name})
        else:
            messages.warning(
                request, _("The group is full, so %(name)s is on the waitlist.") % {"name": name}
            )
    return redirect(group)


@login_required
@require_POST
def member_role(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    group, _access = group_for_user(request.user, pk, need=Need.MODERATE)
    membership = get_object_or_404(
        Membership.objects.active().select_related("user"), pk=membership_pk, group=group
    )
    role = request.POST.get("role", "")
    if (
        membership.is_moderator
        and role == Membership.Role.MEMBER
        and request.POST.get("confirm") != "1"
    ):
        # Taking someone's moderation away is not theirs to undo: ask first.
        name = membership.user.public_name
        return render(
            request,
            "groups/confirm.html",
            {
                "group": group,
                "title": _("Make %(name)s a member again?") % {"name": name},
                "lines": [
                    _(
                        "%(name)s will no longer moderate %(group)s: no more running its "
                        "sessions, deciding on join requests or inviting people. They are told."
                    )
                    % {"name": name, "group": group.name}
                ],
                "action": reverse("groups:member_role", args=[group.pk, membership.pk]),
                "fields": {"role": role},
                "button": _("Yes, make %(name)s a member") % {"name": name},
            },
        )
    try:
        services.membership_set_role(actor=request.user, membership=membership, role=role)
    except (Conflict, ValidationError) as exc:
        messages.error(request, getattr(exc, "message", None) or "; ".join(exc.messages))
    else:
        messages.success(request, _("Role updated."))
    return redirect(group)


@login_required
@require_http_methods(["GET", "POST"])
def group_invite(request: HttpRequest, pk: int) -> HttpResponse:
    group, _access = group_for_user(request.user, pk, need=Need.MODERATE)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with errors_into(form):
                invitation = services.invitation_create(
                    actor=request.user, group=group, **form.cleaned_data
                )
        except FormErrors:
            pass
        else:
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": invitation.email}
            )
            return redirect(group)
    return render(request, "groups/invite.html", {"group": group, "form": form})


@login_required
@require_POST
def invitation_revoke(request: HttpRequest, pk: int, invitation_pk: int) -> HttpResponse:
    group, _access = group_for_user(request.user, pk, need=Need.MODERATE)
    invitation = get_object_or_404(group.invitations, pk=invitation_pk)
    services.invitation_revoke(actor=request.user, invitation=invitation)
    messages.info(request, _("Invitation to %(email)s withdrawn.") % {"email": invitation.email})
    return redirect(group)


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = services.invitation_for_token(token)
    except ValidationError as exc:
        raise Http404 from exc
    if not request.user.is_authenticated:
        # Remember the invitation through sign-up and email confirmation.
        request.session[INVITATION_SESSION_KEY] = token
        return render(request, "groups/invitation.html", {"invitation": invitation, "token": token})
    if request.method == "POST":
        try:
            outcome = services.invitation_accept(user=request.user, token=token)
        except Conflict as exc:
            messages.error(request, exc.message)
        else:
            request.session.pop(INVITATION_SESSION_KEY, None)
            _outcome_message(request, outcome)
            return redirect(outcome.group)
    return render(request, "groups/invitation.html", {"invitation": invitation, "token": token})


@login_required
@require_http_methods(["GET", "POST"])
def group_spin_out(request: HttpRequest, pk: int) -> HttpResponse:
    parent, _access = group_for_user(request.user, pk, need=Need.ORGANIZE)
    members = list(Membership.objects.active().filter(group=parent).select_related("user"))
    waitlisted_ids = JoinRequest.objects.filter(group=parent, status="waitlisted").values("user_id")
    people = (
        User.objects.filter(pk__in=[m.user_id for m in members])
        | User.objects.filter(pk__in=waitlisted_ids)
        | selectors.network_people(parent.network)
    )
    people = people.distinct().order_by("display_name", "username")
    form = SpinOutForm(request.POST or None, parent=parent, members=members, people=people)
    plan = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        plan = services.spin_out_plan(
            parent=parent,
            moderator=data["moderator"],
            move_user_ids=data["move"],
            take_waitlist=data["take_waitlist"],
        )
        for name, error in plan.errors.items():
            form.add_error(name if name in form.fields else None, error)
        if not plan.errors and request.POST.get("confirm") == "1":
            try:
                with errors_into(form):
                    child = services.group_spin_out(
                        organizer=request.user,
                        parent=parent,
                        name=data["name"],
                        purpose=data["purpose"],
                        moderator=data["moderator"],
                        move_user_ids=data["move"],
                        take_waitlist=data["take_waitlist"],
                    )
            except FormErrors:
                plan = None
            else:
                size = Membership.objects.active().filter(group=child).count()
                messages.success(
                    request,
                    ngettext(
                        "%(group)s is spun out of %(parent)s with %(n)d person.",
                        "%(group)s is spun out of %(parent)s with %(n)d people.",
                        size,
                    )
                    % {"group": child.name, "parent": parent.name, "n": size},
                )
                return redirect(child)
        if form.errors:
            plan = None
    parent.size = len(members)
    return render(
        request,
        "groups/spin_out.html",
        {
            "group": parent,
            "form": form,
            "plan": plan,
            "waitlist": JoinRequest.objects.filter(group=parent, status="waitlisted")
            .select_related("user")
            .order_by(*JoinRequest.WAITLIST_ORDER),
            "members": members,
        },
    )
