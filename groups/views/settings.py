"""A group's settings in one place (its moderators and its network's organizers): the group's
own fields, when it meets and its reminders, and removing members."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from groups import services
from groups.forms import GroupSettingsForm, RemoveMemberForm
from groups.meetings import services as meeting_services
from groups.meetings.forms import CadenceForm
from groups.models import Group, Membership
from groups.permissions import Need, group_for_user
from impact.exceptions import Conflict
from impact.forms import FormErrors, errors_into
from impact.models import User

CADENCE_PREFIX = "cadence"


@login_required
@require_http_methods(["GET", "POST"])
def group_edit(request: HttpRequest, pk: int) -> HttpResponse:
    group, _access = group_for_user(request.user, pk, need=Need.MODERATE)
    members = list(
        Membership.objects.active().filter(group=group).select_related("user").order_by("joined_at")
    )
    data = request.POST if request.method == "POST" else None
    group_form = GroupSettingsForm(data, group=group, size=len(members))
    cadence_form = CadenceForm.for_group(group, request.user, data, prefix=CADENCE_PREFIX)
    if data is not None and _save(request.user, group, group_form, cadence_form):
        messages.success(request, _("The group's settings are saved."))
        return redirect(group)
    return render(
        request,
        "groups/group_settings.html",
        {
            "group": group,
            "group_form": group_form,
            "cadence_form": cadence_form,
            "has_cadence": getattr(group, "cadence", None) is not None,
            "members": _removable(members, request.user),
        },
    )


def _save(actor: User, group: Group, group_form: GroupSettingsForm, cadence_form) -> bool:
    """Both parts or neither: a cadence the service refuses undoes the group's new name too,
    and the page shows both forms again with everything typed."""
    # A group that has no cadence yet keeps having none while its meeting fields are untouched
    # (the time zone aside: it starts as the viewer's own, which a browser may pick for them).
    changed = set(cadence_form.changed_data)
    if getattr(group, "cadence", None) is None:
        changed.discard("time_zone")
    wants_cadence = bool(changed)
    valid = group_form.is_valid()
    if wants_cadence:
        valid = cadence_form.is_valid() and valid
    if not valid:
        return False
    try:
        with transaction.atomic():
            if group_form.has_changed():
                with errors_into(group_form):
                    services.group_update(actor=actor, group=group, **group_form.cleaned_data)
            if wants_cadence:
                with errors_into(cadence_form):
                    meeting_services.cadence_set(
                        actor=actor, group=group, **cadence_form.cleaned_data
                    )
    except FormErrors:
        return False
    return True


def _removable(members: list[Membership], viewer: User) -> list[tuple[Membership, bool]]:
    """Each member with whether the page offers to remove them: not the viewer (they leave),
    not the group's only moderator (the service refuses both as well)."""
    moderators = sum(1 for m in members if m.is_moderator)
    return [
        (m, m.user_id != viewer.pk and not (m.is_moderator and moderators == 1)) for m in members
    ]


@login_required
@require_http_methods(["GET", "POST"])
def member_remove(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    """Ask, with an optional reason, then remove someone from the group."""
    group, _access = group_for_user(request.user, pk, need=Need.MODERATE)
    membership = get_object_or_404(
        Membership.objects.select_related("user"), pk=membership_pk, group=group
    )
    settings_page = redirect("groups:group_edit", pk=group.pk)
    name = membership.user.public_name
    if membership.left_at is not None:
        messages.info(request, _("%(name)s is no longer in the group.") % {"name": name})
        return settings_page
    form = RemoveMemberForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            with errors_into(form):
                services.membership_remove(
                    actor=request.user, membership=membership, reason=form.cleaned_data["reason"]
                )
        except FormErrors:
            pass
        except Conflict as exc:
            messages.error(request, exc.message)
            return settings_page
        else:
            messages.success(
                request,
                _("%(name)s is no longer a member of %(group)s; they are told.")
                % {"name": name, "group": group.name},
            )
            return settings_page
    return render(
        request,
        "groups/member_remove.html",
        {"group": group, "membership": membership, "form": form},
    )
