"""A group's impact page, a member's week and the CSV exports."""

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from groups.meetings.selectors import last_session_day
from groups.models import Group
from groups.permissions import Need, group_for_user
from impact.shared import shared_html
from metrics import charts, exports, selectors
from metrics.models import Action, Measurement
from metrics.views.log import _group_logged_for_last, quick_log_fields

WEEK_ACTIONS = 3  # the latest actions on the group page (short on a phone; the impact page has all)


@login_required
@require_safe
def group_impact(request: HttpRequest, pk: int) -> HttpResponse:
    """The group's impact: a chart per metric, effort, who contributed, recent actions."""
    group, access = group_for_user(request.user, pk, need=Need.SEE_MEMBERS)
    today = timezone.localdate()
    if request.htmx and request.GET.get("part") == "week":
        return _group_week(request, group, access, today=today)
    # Everything but the recent actions (whose edit links are the viewer's own) is the same
    # for everyone who looks on a day: rendered once per change in the group.
    summary = shared_html(
        [f"group:{group.pk}", f"activity:{group.pk}"],
        f"impact-charts:{group.pk}:{today.isoformat()}:{int(access.moderate)}",
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


def _group_week(request, group, access, *, today) -> HttpResponse:
    """The group page's part: each metric so far this week against its target, the latest
    actions, and a link to the charts."""
    summary = shared_html(
        [f"group:{group.pk}", f"activity:{group.pk}"],
        f"impact-week:{group.pk}:{today.isoformat()}:{int(access.moderate)}",
        "metrics/_impact_week_summary.html",
        lambda: {
            "group": group,
            "access": access,
            "series": selectors.group_impact(group, today=today, weeks=2),
        },
    )
    return render(
        request,
        "metrics/_impact_week.html",
        {
            "group": group,
            "access": access,
            "summary": summary,
            "recent": selectors.recent_actions(group, limit=WEEK_ACTIONS),
        },
    )


def _impact_summary(group, access, *, today) -> dict:
    series = selectors.group_impact(group, today=today)
    since = selectors.week_start(today) - timedelta(weeks=11)
    session_day = last_session_day(group)
    return {
        "group": group,
        "access": access,
        "series": [
            (item, charts.weekly_bars(item, today=today, session_day=session_day))
            for item in series
        ],
        "effort": selectors.group_effort(group, since=since),
        "contributors": selectors.group_contributors(group, since=since),
        "since": since,
    }


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
    if request.htmx:  # the home page's part
        return render(request, "metrics/_member_week.html", context)
    return render(request, "metrics/member_week.html", context)  # opened as a page


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
