"""Pages for a group's initiatives."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from groups.permissions import Need, group_for_user
from impact.forms import add_service_errors
from narratives import selectors, services
from narratives.forms import (
    InitiativeForm,
)
from narratives.models import Initiative
from narratives.permissions import (
    initiative_for_user,
)


@login_required
@require_http_methods(["GET", "POST"])
def initiatives(request: HttpRequest, pk: int) -> HttpResponse:
    """The group's initiatives on the impact/speed two-by-two; members propose, moderators start."""
    group, access = group_for_user(request.user, pk, need=Need.SEE_MEMBERS)
    form = (
        InitiativeForm(request.POST or None, group=group)
        if access.member or access.moderate
        else None
    )
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            data = dict(form.cleaned_data)
            metrics = data.pop("metrics", [])
            try:
                services.initiative_create(actor=request.user, group=group, metrics=metrics, **data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Initiative proposed."))
                return redirect("narratives:initiatives", pk=group.pk)
    return render(
        request,
        "narratives/initiatives.html",
        {
            "group": group,
            "access": access,
            "grid": selectors.quadrants(group),
            "finished": Initiative.objects.filter(group=group, status__in=["done", "dropped"]),
            "active_count": Initiative.objects.filter(group=group, status="active").count(),
            "max_active": Initiative.MAX_ACTIVE,
            "form": form,
        },
    )


@login_required
@require_safe
def initiative_detail(request: HttpRequest, pk: int) -> HttpResponse:
    initiative, access = initiative_for_user(request.user, pk)
    return render(
        request,
        "narratives/initiative_detail.html",
        {"initiative": initiative, "access": access, "log": selectors.initiative_log(initiative)},
    )


@login_required
@require_POST
def initiative_status(request: HttpRequest, pk: int) -> HttpResponse:
    initiative, _access = initiative_for_user(request.user, pk, need=Need.MODERATE)
    try:
        services.initiative_set_status(
            actor=request.user, initiative=initiative, status=request.POST.get("status", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("%(title)s is now %(status)s.")
            % {"title": initiative.title, "status": initiative.get_status_display().lower()},
        )
    if request.POST.get("next") == "detail":
        return redirect(initiative)
    return redirect("narratives:initiatives", pk=initiative.group_id)
