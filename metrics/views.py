from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from groups.models import Group
from groups.permissions import group_for_user
from metrics import charts, selectors, services
from metrics.forms import ActionForm, MetricForm
from metrics.models import MetricDefinition


def _apply_errors(form, exc: ValidationError) -> None:
    for name, errors in (
        exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]
    ):
        form.add_error(name if name in form.fields else None, errors)


def action_form_for(group, *, data=None, today=None) -> ActionForm:
    metrics = MetricDefinition.objects.filter(group=group, archived_at__isnull=True)
    return ActionForm(data, metrics=metrics, today=today or timezone.localdate(), prefix=None)


@login_required
@require_http_methods(["GET", "POST"])
def action_create(request: HttpRequest, pk: int) -> HttpResponse:
    """The quick log: a full page without JavaScript, a swapped-in form with htmx."""
    group, _access = group_for_user(request.user, pk, need="member")
    form = action_form_for(group, data=request.POST or None)
    logged = None
    if request.method == "POST" and form.is_valid():
        try:
            logged = services.action_log(
                user=request.user,
                group=group,
                description=form.cleaned_data["description"],
                happened_on=form.cleaned_data["happened_on"],
                effort_minutes=form.cleaned_data["effort_minutes"],
                impacts=form.impacts(),
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            if not request.htmx:
                messages.success(request, _("Logged: %(what)s") % {"what": logged.description})
                return redirect(group)
            form = action_form_for(group)
    template = "metrics/_quick_log.html" if request.htmx else "metrics/action_form.html"
    response = render(request, template, {"group": group, "form": form, "logged": logged})
    if logged is not None:
        response["HX-Trigger"] = "impact-logged"
    return response


@login_required
def group_impact(request: HttpRequest, pk: int) -> HttpResponse:
    """The group's impact: a chart per metric, effort, who contributed, recent actions."""
    group, access = group_for_user(request.user, pk, need="see_members")
    today = timezone.localdate()
    series = selectors.group_impact(group, today=today)
    since = selectors.week_start(today) - timedelta(weeks=11)
    effort = selectors.group_effort(group, since=since)
    return render(
        request,
        "metrics/_impact.html" if request.htmx else "metrics/impact.html",
        {
            "group": group,
            "access": access,
            "series": [(item, charts.weekly_bars(item)) for item in series],
            "effort": effort,
            "contributors": selectors.group_contributors(group, since=since),
            "recent": selectors.recent_actions(group),
            "since": since,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def metric_list(request: HttpRequest, pk: int) -> HttpResponse:
    group, access = group_for_user(request.user, pk, need="see_members")
    form = MetricForm(request.POST or None) if access.moderate else None
    if request.method == "POST":
        if form is None:
            return redirect("metrics:metric_list", pk=group.pk)
        if form.is_valid():
            try:
                services.metric_define(actor=request.user, group=group, **form.cleaned_data)
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("Metric added."))
                return redirect("metrics:metric_list", pk=group.pk)
    metrics = MetricDefinition.objects.filter(
        group=group, archived_at__isnull=True
    ).prefetch_related("changes__changed_by")
    return render(
        request,
        "metrics/metric_list.html",
        {"group": group, "access": access, "metrics": metrics, "form": form},
    )


@login_required
@require_POST
def metric_archive(request: HttpRequest, pk: int, metric_pk: int) -> HttpResponse:
    group, _access = group_for_user(request.user, pk, need="moderate")
    metric = get_object_or_404(MetricDefinition, pk=metric_pk, group=group)
    services.metric_archive(actor=request.user, metric=metric)
    messages.info(
        request, _("%(name)s is no longer measured; its history stays.") % {"name": metric.name}
    )
    return redirect("metrics:metric_list", pk=group.pk)


@login_required
def member_week(request: HttpRequest) -> HttpResponse:
    """My week in numbers against last week, and the quick log for one of my groups."""
    groups = list(
        Group.objects.filter(memberships__user=request.user, memberships__left_at__isnull=True).order_by("name")
    )
    chosen = next((g for g in groups if str(g.pk) == request.GET.get("group")), groups[0] if groups else None)
    today = timezone.localdate()
    context = {
        "week": selectors.member_week(request.user, today=today),
        "groups": groups,
        "group": chosen,
        "form": action_form_for(chosen, today=today) if chosen else None,
    }
    if request.htmx and request.GET.get("group"):
        return render(request, "metrics/_quick_log.html", context)
    return render(request, "metrics/_member_week.html", context)
