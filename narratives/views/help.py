"""Pages for requests for help."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from groups.permissions import Need, group_for_user
from impact.forms import add_service_errors
from narratives import selectors, services
from narratives.forms import (
    HelpRequestForm,
    ResponseForm,
)
from narratives.permissions import (
    help_for_user,
)


@login_required
@require_http_methods(["GET", "POST"])
def help_list(request: HttpRequest, pk: int) -> HttpResponse:
    group, access = group_for_user(request.user, pk, need=Need.SEE_MEMBERS)
    form = HelpRequestForm(request.POST or None) if access.member else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                help_request = services.help_request_create(
                    actor=request.user, group=group, **form.cleaned_data
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request, _("Your group can see your request now. Asking is a strength.")
                )
                return redirect(help_request)
    return render(
        request,
        "narratives/help_list.html",
        {
            "group": group,
            "access": access,
            "open_requests": selectors.open_help_requests(group),
            "resolved": group.help_requests.filter(status="resolved").select_related("asked_by")[
                :20
            ],
            "form": form,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def help_detail(request: HttpRequest, pk: int) -> HttpResponse:
    help_request, access = help_for_user(request.user, pk)
    form = ResponseForm(request.POST or None) if access.respond else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.help_respond(
                    actor=request.user, help_request=help_request, body=form.cleaned_data["body"]
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Thank you for helping."))
                return redirect(help_request)
    return render(
        request,
        "narratives/help_detail.html",
        {
            "help_request": help_request,
            "access": access,
            "responses": help_request.responses.select_related("author"),
            "form": form,
        },
    )


@login_required
@require_POST
def help_action(request: HttpRequest, pk: int) -> HttpResponse:
    help_request, _access = help_for_user(request.user, pk, need="manage")
    if request.POST.get("action") == "raise":
        services.help_raise_to_network(actor=request.user, help_request=help_request)
        messages.success(request, _("Raised to the network: other groups can respond now."))
    elif request.POST.get("action") == "resolve":
        services.help_resolve(actor=request.user, help_request=help_request)
        messages.success(request, _("Marked resolved. Glad you got unstuck."))
    return redirect(help_request)
