"""A group's meetings and cadence, one meeting (RSVP, changes), members' reflections and calendar feeds."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from groups.meetings import ics, selectors, services
from groups.meetings.forms import (
    CadenceForm,
    MeetingForm,
    MoveForm,
    ReflectionForm,
    RsvpForm,
)
from groups.meetings.models import (
    CalendarFeed,
    Meeting,
    MeetingResponse,
    Reflection,
    Session,
)
from groups.permissions import (
    Need,
    group_for_user,
    meeting_for_user,
)
from impact.forms import add_service_errors
from impact.http import safe_next
from impact.ids import parse_id


def _redirect_back(request: HttpRequest, default: str) -> HttpResponse:
    """Back to the page the form was on; never to another site (an open redirect)."""
    return redirect(safe_next(request) or default)


@login_required
@require_http_methods(["GET", "POST"])
def meetings_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A group's cadence, upcoming meetings, past sessions and the pulse over time."""
    group, access = group_for_user(request.user, pk, need=Need.SEE_MEMBERS)
    form = (
        CadenceForm.for_group(group, request.user, request.POST or None)
        if access.moderate
        else None
    )
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.cadence_set(actor=request.user, group=group, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Cadence saved: the next four weeks of meetings are in the calendar."),
                )
                return redirect("groups:meetings", pk=group.pk)
    return _render_meetings_page(
        request, group, access, form=form, meeting_form=MeetingForm() if access.moderate else None
    )


def _render_meetings_page(request, group, access, *, form, meeting_form) -> HttpResponse:
    cadence = getattr(group, "cadence", None)
    return render(
        request,
        "groups/meetings/meetings.html",
        {
            "group": group,
            "access": access,
            "cadence": cadence,
            "form": form,
            "meeting_form": meeting_form,
            "upcoming": selectors.upcoming_meetings(group),
            # Every past session, newest first, a page at a time.
            "sessions": Paginator(
                Session.objects.filter(group=group, closed_at__isnull=False)
                .select_related("meeting")
                .order_by("-meeting__starts_at"),
                12,
            ).get_page(request.GET.get("page")),
            "pulse_history": selectors.pulse_history(group),
            "feed": CalendarFeed.objects.filter(user=request.user).first(),
        },
    )


@login_required
@require_POST
def meeting_add(request: HttpRequest, pk: int) -> HttpResponse:
    group, access = group_for_user(request.user, pk, need=Need.MODERATE)
    form = MeetingForm(request.POST)
    if form.is_valid():
        try:
            meeting = services.meeting_add(actor=request.user, group=group, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Meeting added."))
            return redirect(meeting)
    # Show the page again with what was typed and the error beside the field at fault.
    return _render_meetings_page(
        request, group, access, form=CadenceForm.for_group(group, request.user), meeting_form=form
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting, access = meeting_for_user(request.user, pk)
    if request.method == "POST":
        form = RsvpForm(request.POST)
        if access.member and form.is_valid():
            try:
                services.rsvp_set(
                    user=request.user, meeting=meeting, rsvp=form.cleaned_data["rsvp"]
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("Thanks for letting the group know."))
        return redirect(meeting)
    responses = {r.user_id: r for r in MeetingResponse.objects.filter(meeting=meeting)}
    members = services.active_members(meeting.group)
    session = Session.objects.filter(meeting=meeting).first()
    return render(
        request,
        "groups/meetings/meeting_detail.html",
        {
            "meeting": meeting,
            "access": access,
            "mine": responses.get(request.user.pk),
            "members": [(u, responses.get(u.pk)) for u in members],
            "coming": selectors.who_is_coming(members, responses),
            "my_reflection": Reflection.objects.filter(meeting=meeting, user=request.user).first(),
            "reflection_count": Reflection.objects.filter(meeting=meeting).count(),
            "move_form": MoveForm() if access.moderate and not meeting.has_started else None,
            "session": session,
            "reflections_open": selectors.reflections_open(meeting, session=session),
        },
    )


@login_required
@require_safe
def meeting_ics(request: HttpRequest, pk: int) -> HttpResponse:
    meeting, _access = meeting_for_user(request.user, pk)
    response = HttpResponse(
        ics.calendar_bytes([meeting]), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.ics"'
    return response


@login_required
@require_POST
def meeting_change(request: HttpRequest, pk: int) -> HttpResponse:
    meeting, _access = meeting_for_user(request.user, pk, need=Need.MODERATE)
    if request.POST.get("action") == "cancel":
        services.meeting_cancel(actor=request.user, meeting=meeting)
        messages.info(request, _("Meeting cancelled."))
    elif request.POST.get("action") == "attendance":
        # A value that names nobody is skipped, as the service skips people not in the group.
        attended = [parse_id(value) for value in request.POST.getlist("attended")]
        services.attendance_record(
            actor=request.user,
            meeting=meeting,
            attended_user_ids=[pk for pk in attended if pk is not None],
        )
        messages.success(request, _("Attendance saved."))
    else:
        form = MoveForm(request.POST)
        if form.is_valid():
            try:
                services.meeting_move(
                    actor=request.user, meeting=meeting, starts_at=form.cleaned_data["starts_at"]
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(
                    request, _("Meeting moved; members will be reminded of the new time.")
                )
        else:
            messages.error(request, _("Choose the new date and time."))
    return redirect(meeting)


@login_required
@require_http_methods(["GET", "POST"])
def reflection_edit(request: HttpRequest, pk: int) -> HttpResponse:
    meeting, _access = meeting_for_user(request.user, pk, need=Need.MEMBER)
    reflection = Reflection.objects.filter(meeting=meeting, user=request.user).first()
    form = ReflectionForm(request.POST or None, instance=reflection)
    locked = not selectors.reflections_open(meeting)
    # From the live room, back to the room; from anywhere else, to the meeting.
    back = safe_next(request)
    if request.method == "POST" and not locked and form.is_valid():
        try:
            services.reflection_save(user=request.user, meeting=meeting, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("Your reflection is saved; you can change it until the session closes.")
            )
            return redirect(back or meeting.get_absolute_url())
    # The numbers the prompt sent: the period since the last session, theirs and the group's.
    numbers = selectors.reflection_numbers(meeting)
    mine, mine_before = numbers.member(request.user.pk)
    return render(
        request,
        "groups/meetings/reflection.html",
        {
            "meeting": meeting,
            "form": form,
            "locked": locked,
            "back": back,
            "numbers": numbers,
            "mine": mine,
            "mine_before": mine_before,
            "mine_rows": numbers.member_rows(request.user.pk),
        },
    )


@require_safe
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """A private feed for calendar apps: the token is the credential."""
    # A deactivated account's link stops working with it.
    feed = get_object_or_404(
        CalendarFeed.objects.select_related("user"), token=token, user__is_active=True
    )
    meetings = (
        Meeting.objects.filter(
            group__memberships__user=feed.user,
            group__memberships__left_at__isnull=True,
            starts_at__gte=timezone.now() - timedelta(days=60),
        )
        .select_related("group")
        .distinct()
    )
    # A calendar app asks without the person's session: write in the language they chose.
    with translation.override(feed.user.writing_language):
        calendar = ics.calendar_bytes(
            meetings, name=f"{settings.SITE_NAME}: {feed.user.public_name}"
        )
    return HttpResponse(calendar, content_type="text/calendar; charset=utf-8")


@login_required
@require_POST
def calendar_feed_reset(request: HttpRequest) -> HttpResponse:
    services.calendar_feed_for(request.user, reset=request.POST.get("reset") == "1")
    messages.success(
        request,
        _("Your calendar link is ready. Keep it to yourself: anyone with it sees your meetings."),
    )
    return _redirect_back(request, "profile")
