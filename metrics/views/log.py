"""Logging actions and measurements (the quick log), and correcting, deleting and restoring them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from groups.models import Group
from groups.page_parts import register_group_page_part
from groups.permissions import Need, group_for_user
from impact.exceptions import Conflict
from impact.forms import add_service_errors
from impact.shared import shared_html
from metrics import services
from metrics.forms import ActionForm, MeasurementForm, MetricForm
from metrics.models import Action, EntryRevision, MetricDefinition
from metrics.views.definitions import _metric_list_page


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
                client_key=request.POST.get("idempotency_key") or None,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except Conflict as exc:
            form.add_error(None, exc.message)
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
