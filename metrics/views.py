from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from groups.models import Group, NetworkMembership
from groups.page_parts import register_group_page_part
from groups.permissions import Need, group_for_user, network_for_user
from impact.exceptions import Conflict
from impact.forms import add_service_errors
from impact.shared import shared, shared_html, shared_many
from metrics import charts, exports, selectors, services
from metrics.forms import ActionForm, MeasurementForm, MetricForm, NetworkMetricForm
from metrics.models import Action, EntryRevision, GroupRanking, Measurement, MetricDefinition


def action_form_for(group, *, data=None, today=None, initial=None, with_notes=False) -> ActionForm:
    return ActionForm(
        data,
        initial=initial,
        metrics=MetricDefinition.objects.filter(group=group, archived_at__isnull=True),
        initiatives=Action.initiatives().filter(
            group=group, status__in=Action.OPEN_INITIATIVE_STATUSES
        ),
        today=today or timezone.localdate(),
        with_notes=with_notes,
    )


@register_group_page_part("quick_log_fields")
def quick_log_fields(group, *, today=None) -> SafeString:
    """The quick log's empty fields: the same for every member of the group on a day, so
    rendered once per change to its metrics or initiatives (a form with errors is rendered
    from the form itself)."""
    today = today or timezone.localdate()
    return shared_html(
        [f"group:{group.pk}"],
        f"quick-log:{group.pk}:{today.isoformat()}",
        "metrics/_quick_log_fields.html",
        lambda: {"form": action_form_for(group, today=today)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_create(request: HttpRequest, pk: int) -> HttpResponse:
    """The quick log: a full page without JavaScript, a swapped-in form with htmx."""
    group, access = group_for_user(request.user, pk, need=Need.MEMBER)
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
                initiative=form.cleaned_data.get("initiative"),
                seat=access.membership,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if not request.htmx:
                messages.success(request, _("Logged: %(what)s") % {"what": logged.description})
                return redirect(group)
            form = action_form_for(group)
    template = "metrics/_quick_log.html" if request.htmx else "metrics/action_form.html"
    context = {"group": group, "form": form, "logged": logged}
    if not form.is_bound:
        context["fields"] = quick_log_fields(group)
    response = render(request, template, context)
    if logged is not None:
        response["HX-Trigger"] = "impact-logged"
    return response


@login_required
@require_safe
def group_impact(request: HttpRequest, pk: int) -> HttpResponse:
    """The group's impact: a chart per metric, effort, who contributed, recent actions."""
    group, access = group_for_user(request.user, pk, need=Need.SEE_MEMBERS)
    today = timezone.localdate()
    # Everything but the recent actions (whose edit links are the viewer's own) is the same
    # for everyone who looks on a day: rendered once per change in the group.
    summary = shared_html(
        [f"group:{group.pk}", f"activity:{group.pk}"],
        f"impact:{group.pk}:{today.isoformat()}:{int(access.moderate)}",
        "metrics/_impact_summary.html",
        lambda: _impact_summary(group, access, today=today),
    )
    return render(
        request,
        "metrics/_impact.html" if request.htmx else "metrics/impact.html",
        {
            "group": group,
            "access": access,
            "summary": summary,
            "recent": selectors.recent_actions(group),
        },
    )


def _impact_summary(group, access, *, today) -> dict:
    series = selectors.group_impact(group, today=today)
    since = selectors.week_start(today) - timedelta(weeks=11)
    return {
        "group": group,
        "access": access,
        "series": [(item, charts.weekly_bars(item)) for item in series],
        "effort": selectors.group_effort(group, since=since),
        "contributors": selectors.group_contributors(group, since=since),
        "since": since,
    }


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
@require_safe
def member_week(request: HttpRequest) -> HttpResponse:
    """My week in numbers against last week, and the quick log for one of my groups."""
    groups = list(
        Group.objects.filter(
            memberships__user=request.user, memberships__left_at__isnull=True
        ).order_by("name")
    )
    chosen = next((g for g in groups if str(g.pk) == request.GET.get("group")), None)
    if chosen is None and groups:
        chosen = _group_logged_for_last(request.user, groups) or groups[0]
    today = timezone.localdate()
    context = {
        "week": selectors.member_week(request.user, today=today),
        "groups": groups,
        "group": chosen,
        "fields": quick_log_fields(chosen, today=today) if chosen else None,
    }
    if request.htmx and request.GET.get("group"):
        return render(request, "metrics/_quick_log.html", context)
    return render(request, "metrics/_member_week.html", context)


def _group_logged_for_last(user, groups: list[Group]) -> Group | None:
    """Of the groups a person is still in, the one their latest action was logged for."""
    if len(groups) < 2:
        return None
    last = (
        Action.objects.filter(user=user, group__in=[g.pk for g in groups])
        .order_by("-created_at", "-id")
        .values_list("group_id", flat=True)
        .first()
    )
    return next((g for g in groups if g.pk == last), None)


def _editable_action(request, pk: int) -> Action:
    """An action the person may edit: their own, or any in a group they moderate (404 otherwise)."""
    action = get_object_or_404(Action.objects.select_related("group", "user"), pk=pk)
    _group, access = group_for_user(request.user, action.group_id, need=Need.SEE_MEMBERS)
    if action.user_id != request.user.pk and not access.moderate:
        raise PermissionDenied
    return action


@login_required
@require_http_methods(["GET", "POST"])
def action_edit(request: HttpRequest, pk: int) -> HttpResponse:
    action = _editable_action(request, pk)
    metrics = MetricDefinition.objects.filter(group=action.group, archived_at__isnull=True)
    initial = {
        "description": action.description,
        "happened_on": action.happened_on,
        "effort_minutes": action.effort_minutes,
        "notes": action.notes,
    } | {f"impact_{m.metric_id}": m.value for m in action.measurements.all()}
    form = ActionForm(request.POST or None, initial=initial, metrics=metrics, with_notes=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.action_update(
                user=request.user,
                action=action,
                description=form.cleaned_data["description"],
                happened_on=form.cleaned_data["happened_on"],
                effort_minutes=form.cleaned_data["effort_minutes"],
                notes=form.cleaned_data["notes"],
                impacts=form.impacts(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved. The earlier version is kept in the history."))
            return redirect("metrics:group_impact", pk=action.group_id)
    history = EntryRevision.objects.filter(kind="action", entry_id=action.pk).select_related(
        "editor"
    )
    return render(
        request, "metrics/action_edit.html", {"action": action, "form": form, "history": history}
    )


@login_required
@require_POST
def action_delete(request: HttpRequest, pk: int) -> HttpResponse:
    action = _editable_action(request, pk)
    revision = services.action_delete(user=request.user, action=action)
    messages.info(request, _("Deleted: %(what)s") % {"what": action.description})
    # No confirmation first: the next page offers to undo it for a while instead.
    return redirect("metrics:action_restore", pk=revision.pk)


@login_required
@require_http_methods(["GET", "POST"])
def action_restore(request: HttpRequest, pk: int) -> HttpResponse:
    """A deleted action, with "Undo" while it can still be restored (its author or moderators)."""
    revision = get_object_or_404(
        EntryRevision.objects.select_related("group"), pk=pk, kind="action", operation="delete"
    )
    _group, access = group_for_user(request.user, revision.group_id, need=Need.SEE_MEMBERS)
    if revision.before.get("user") != request.user.pk and not access.moderate:
        raise PermissionDenied
    if request.method == "POST":
        try:
            action = services.action_restore(user=request.user, revision=revision)
        except (ValidationError, Conflict) as exc:
            messages.error(request, getattr(exc, "message", None) or " ".join(exc.messages))
            return redirect("metrics:action_restore", pk=revision.pk)
        messages.success(request, _("Restored: %(what)s") % {"what": action.description})
        return redirect("metrics:group_impact", pk=action.group_id)
    restored = Action.objects.filter(pk=revision.entry_id).exists()
    return render(
        request,
        "metrics/action_deleted.html",
        {
            "revision": revision,
            "group": revision.group,
            "restored": restored,
            "can_undo": not restored and services.action_restorable(revision),
            "undo_until": revision.at + services.ACTION_RESTORE_GRACE,
        },
    )


def _csv_response(rows, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_safe
def group_export(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    """The group's actions and measurements as CSV (moderators and organizers)."""
    group, _access = group_for_user(request.user, pk, need=Need.MODERATE)
    rows = exports.export_rows(
        Action.objects.filter(group=group), Measurement.objects.filter(group=group)
    )
    return _csv_response(rows, f"impact-group-{group.pk}-{timezone.localdate():%Y%m%d}.csv")


@login_required
@require_safe
def my_export(request: HttpRequest) -> StreamingHttpResponse:
    """Everything I logged, in every group, as CSV."""
    rows = exports.export_rows(
        Action.objects.filter(user=request.user), Measurement.objects.filter(user=request.user)
    )
    return _csv_response(rows, f"my-impact-{timezone.localdate():%Y%m%d}.csv")


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


@login_required
@require_POST
def measurement_create(request: HttpRequest, pk: int) -> HttpResponse:
    group, access = group_for_user(request.user, pk, need=Need.MEMBER)
    metrics = MetricDefinition.objects.filter(group=group, archived_at__isnull=True)
    form = MeasurementForm(request.POST, metrics=metrics)
    if form.is_valid():
        try:
            services.measurement_log(
                user=request.user, group=group, seat=access.membership, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Value logged."))
            return redirect("metrics:metric_list", pk=group.pk)
    # The page again with the message beside the field at fault and what was typed kept.
    metric_form = MetricForm() if access.moderate else None
    return _metric_list_page(request, group, access, form=metric_form, measurement_form=form)
