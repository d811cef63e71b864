"""A group's metrics, the network's shared metrics, and the network leaderboard."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from groups.models import Group, NetworkMembership
from groups.permissions import Need, group_for_user, network_for_user
from impact.forms import add_service_errors
from impact.shared import shared, shared_many
from metrics import selectors, services
from metrics.forms import MeasurementForm, MetricForm, NetworkMetricForm
from metrics.models import GroupRanking, MetricDefinition


@login_required
@require_http_methods(["GET", "POST"])
def metric_list(request: HttpRequest, pk: int) -> HttpResponse:
    group, access = group_for_user(request.user, pk, need=Need.SEE_MEMBERS)
    form = MetricForm(request.POST or None) if access.moderate else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.metric_define(actor=request.user, group=group, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Metric added."))
                return redirect("metrics:metric_list", pk=group.pk)
    return _metric_list_page(request, group, access, form=form)


def _metric_list_page(request, group, access, *, form=None, measurement_form=None):
    """The metrics page; a form with errors comes back bound, with what was typed."""
    metrics = list(
        MetricDefinition.objects.filter(group=group, archived_at__isnull=True).prefetch_related(
            "changes__changed_by"
        )
    )
    adopted = {m.source_id for m in metrics}
    shared = [
        m
        for m in MetricDefinition.objects.filter(
            network_id=group.network_id, archived_at__isnull=True
        )
        if m.pk not in adopted
    ]
    ranking = GroupRanking.objects.filter(group=group).first()
    if measurement_form is None and access.member and metrics:
        measurement_form = MeasurementForm(
            metrics=MetricDefinition.objects.filter(pk__in=[m.pk for m in metrics])
        )
    return render(
        request,
        "metrics/metric_list.html",
        {
            "group": group,
            "access": access,
            "metrics": metrics,
            "form": form,
            "shared": shared,
            "ranked": ranking is None or ranking.ranked,
            "measurement_form": measurement_form,
        },
    )


@login_required
@require_POST
def metric_archive(request: HttpRequest, pk: int, metric_pk: int) -> HttpResponse:
    group, _access = group_for_user(request.user, pk, need=Need.MODERATE)
    metric = get_object_or_404(MetricDefinition, pk=metric_pk, group=group)
    services.metric_archive(actor=request.user, metric=metric)
    messages.info(
        request, _("%(name)s is no longer measured; its history stays.") % {"name": metric.name}
    )
    return redirect("metrics:metric_list", pk=group.pk)


@login_required
@require_http_methods(["GET", "POST"])
def network_leaderboard(request: HttpRequest, slug: str) -> HttpResponse:
    """Groups compared on the network's shared metrics; organizers define those metrics here."""
    network, role = network_for_user(request.user, slug)
    is_organizer = role == NetworkMembership.Role.ORGANIZER
    form = NetworkMetricForm(request.POST or None) if is_organizer else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.network_metric_define(
                    actor=request.user, network=network, **form.cleaned_data
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Shared metric added. Groups can now adopt it."))
                return redirect("metrics:network_leaderboard", slug=network.slug)
    shared_metrics = list(
        MetricDefinition.objects.filter(network=network, archived_at__isnull=True)
    )
    chosen = next(
        (m for m in shared_metrics if str(m.pk) == request.GET.get("metric")),
        shared_metrics[0] if shared_metrics else None,
    )
    table = _leaderboard_table(network, chosen) if chosen else ""
    return render(
        request,
        "metrics/leaderboard.html",
        {
            "network": network,
            "shared": shared_metrics,
            "chosen": chosen,
            "table": table,
            "form": form,
        },
    )


def _leaderboard_table(network, metric) -> str:
    """The ranking on one shared metric. Each group's row is rendered once per change in that
    group and kept, with its place in the order, for everyone who looks that day; a view
    renders only the rows of groups that logged something since, and sorts."""
    today = timezone.localdate()
    group_ids = shared(
        [f"network:{network.pk}"],
        f"leaderboard-group-ids:{metric.pk}",
        lambda: [group.pk for group in selectors.leaderboard_groups(metric)],
    )
    language = translation.get_language()
    # A row shows the group and its numbers, and colours them by the metric's direction: kept
    # under the group and its activity, keyed by how the metric is summed and read.
    how = f"{metric.pk}:{metric.aggregation}:{metric.direction}"
    keys = {f"leaderboard-place:{how}:{pk}:{today.isoformat()}:{language}": pk for pk in group_ids}
    order = selectors.leaderboard_order(metric)

    def render_rows(stale: list[str]) -> dict:
        groups = Group.objects.in_bulk([keys[key] for key in stale])
        # A group deleted since the list was kept has no row (the list follows on its bump).
        stale = [key for key in stale if keys[key] in groups]
        rows = selectors.leaderboard_rows(metric, [groups[keys[key]] for key in stale], today=today)
        return {
            key: (
                order(row),
                render_to_string("metrics/_leaderboard_row.html", {"row": row, "chosen": metric}),
            )
            for key, row in zip(stale, rows, strict=True)
        }

    found = shared_many(
        {key: [f"group:{pk}", f"activity:{pk}"] for key, pk in keys.items()},
        render_rows,
    )
    ranked = sorted(found.values(), key=lambda pair: pair[0])
    return render_to_string(
        "metrics/_leaderboard_table.html",
        {"chosen": metric, "rows": [mark_safe(html) for _place, html in ranked]},  # noqa: S308 - our own template's output
    )


@login_required
@require_POST
def metric_adopt(request: HttpRequest, pk: int, metric_pk: int) -> HttpResponse:
    group, _access = group_for_user(request.user, pk, need=Need.MODERATE)
    shared = get_object_or_404(MetricDefinition, pk=metric_pk, network_id=group.network_id)
    try:
        services.metric_adopt(actor=request.user, group=group, network_metric=shared)
    except ValidationError as exc:
        # Typically the group already measures a metric of that name.
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The group now measures %(name)s.") % {"name": shared.name})
    return redirect("metrics:metric_list", pk=group.pk)


@login_required
@require_POST
def group_ranking(request: HttpRequest, pk: int) -> HttpResponse:
    group, _access = group_for_user(request.user, pk, need=Need.MODERATE)
    ranked = request.POST.get("ranked") == "1"
    services.group_ranking_set(actor=request.user, group=group, ranked=ranked)
    messages.success(
        request,
        _("The group is on the network leaderboard.")
        if ranked
        else _("The group is no longer ranked on the network leaderboard."),
    )
    return redirect("metrics:metric_list", pk=group.pk)


@login_required
@require_http_methods(["GET", "POST"])
def metric_edit(request: HttpRequest, pk: int, metric_pk: int) -> HttpResponse:
    group, _access = group_for_user(request.user, pk, need=Need.MODERATE)
    metric = get_object_or_404(
        MetricDefinition, pk=metric_pk, group=group, archived_at__isnull=True
    )
    form = MetricForm(request.POST or None, instance=metric)
    if request.method == "POST" and form.is_valid():
        try:
            services.metric_update(actor=request.user, metric=metric, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Metric saved; the change is in its history."))
            return redirect("metrics:metric_list", pk=group.pk)
    return render(
        request, "metrics/metric_edit.html", {"group": group, "metric": metric, "form": form}
    )
