from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from groups.models import NetworkMembership
from groups.permissions import Need, group_for_user, network_for_user
from impact.forms import add_service_errors
from narratives import selectors, services
from narratives.forms import (
    AnswerForm,
    FollowUpForm,
    HelpRequestForm,
    InitiativeForm,
    NarrativeForm,
    QuestionForm,
    ResponseForm,
)
from narratives.models import Answer, Initiative, Narrative
from narratives.permissions import (
    help_for_user,
    in_a_group_of,
    initiative_for_user,
    narrative_for_user,
    question_for_user,
)


def _fear_hint(request, narrative_or_data) -> None:
    get = (
        narrative_or_data.get
        if isinstance(narrative_or_data, dict)
        else lambda k: getattr(narrative_or_data, k)
    )
    words = services.fear_words(
        get("title"), get("opportunity"), get("why_now"), get("call_to_action")
    )
    if words:
        messages.warning(
            request,
            _(
                "A gentle hint: this narrative leans on threat words (%(words)s). Fear makes people "
                "guard what they have and trust less; an opportunity they can help shape draws them "
                "in. Consider describing what could become possible instead."
            )
            % {"words": ", ".join(words)},
        )


@login_required
@require_safe
def network_narrative(request: HttpRequest, slug: str) -> HttpResponse:
    network, role = network_for_user(request.user, slug)
    is_organizer = role == NetworkMembership.Role.ORGANIZER
    narrative = selectors.network_narrative(network)
    drafts = Narrative.objects.filter(network=network, status="draft") if is_organizer else []
    return render(
        request,
        "narratives/network_narrative.html",
        {
            "network": network,
            "narrative": narrative,
            "questions": narrative.questions.select_related("asked_by") if narrative else [],
            "drafts": drafts,
            "is_organizer": is_organizer,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def narrative_create(
    request: HttpRequest, slug: str | None = None, pk: int | None = None
) -> HttpResponse:
    if slug is not None:
        network, _role = network_for_user(request.user, slug, organize=True)
        owner = {"network": network}
        back = network.get_absolute_url()
    else:
        group, _access = group_for_user(request.user, pk, need=Need.MODERATE)
        owner = {"group": group}
        back = group.get_absolute_url()
    form = NarrativeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            narrative = services.narrative_create(actor=request.user, **owner, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            _fear_hint(request, narrative)
            messages.success(
                request, _("Draft saved. Add its powerful questions, then publish it.")
            )
            return redirect(narrative)
    return render(request, "narratives/narrative_form.html", {"form": form, "back": back, **owner})


@login_required
@require_safe
def narrative_detail(request: HttpRequest, pk: int) -> HttpResponse:
    narrative, access = narrative_for_user(request.user, pk)
    return render(
        request,
        "narratives/narrative_detail.html",
        {
            "narrative": narrative,
            "access": access,
            "questions": narrative.questions.select_related("asked_by").order_by(
                "status", "-created_at"
            ),
            "question_form": QuestionForm() if access.edit else None,
            "revisions": narrative.revisions.select_related("editor")[:10] if access.edit else [],
            "fear_words": services.fear_words(
                narrative.title, narrative.opportunity, narrative.why_now, narrative.call_to_action
            )
            if access.edit
            else [],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def narrative_edit(request: HttpRequest, pk: int) -> HttpResponse:
    narrative, _access = narrative_for_user(request.user, pk, need="edit")
    form = NarrativeForm(request.POST or None, instance=narrative)
    if request.method == "POST" and form.is_valid():
        try:
            services.narrative_update(actor=request.user, narrative=narrative, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            _fear_hint(request, form.cleaned_data)
            messages.success(request, _("Saved. The earlier version is in the history."))
            return redirect(narrative)
    return render(
        request,
        "narratives/narrative_form.html",
        {"form": form, "narrative": narrative, "back": narrative.get_absolute_url()},
    )


@login_required
@require_POST
def narrative_status(request: HttpRequest, pk: int) -> HttpResponse:
    narrative, _access = narrative_for_user(request.user, pk, need="edit")
    try:
        services.narrative_set_status(
            actor=request.user, narrative=narrative, status=request.POST.get("status", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("Published.") if narrative.status == "published" else _("Back to draft.")
        )
    return redirect(narrative)


@login_required
@require_POST
def narrative_adopt(request: HttpRequest, pk: int, narrative_pk: int) -> HttpResponse:
    group, _access = group_for_user(request.user, pk, need=Need.MODERATE)
    narrative = get_object_or_404(Narrative, pk=narrative_pk)
    try:
        services.narrative_adopt(actor=request.user, group=group, narrative=narrative)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("%(group)s has adopted “%(title)s”.")
            % {"group": group.name, "title": narrative.title},
        )
    return redirect("narratives:group_questions", pk=group.pk)


@login_required
@require_POST
def narrative_question(request: HttpRequest, pk: int) -> HttpResponse:
    narrative, _access = narrative_for_user(request.user, pk, need="edit")
    form = QuestionForm(request.POST)
    if form.is_valid():
        try:
            services.question_ask(actor=request.user, narrative=narrative, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Question added."))
    else:
        messages.error(request, _("Write the question (under 300 characters)."))
    return redirect(narrative)


@login_required
@require_safe
def questions_board(request: HttpRequest, slug: str) -> HttpResponse:
    network, role = network_for_user(request.user, slug)
    # Raised requests are for the network's groups (help_access): list them only to those
    # who can open them.
    sees_help = role == NetworkMembership.Role.ORGANIZER or in_a_group_of(request.user, network.pk)
    return render(
        request,
        "narratives/questions_board.html",
        {
            "network": network,
            "questions": selectors.questions_board(network),
            "help_requests": selectors.network_help_requests(network) if sees_help else None,
            "narrative": selectors.network_narrative(network),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def group_questions(request: HttpRequest, pk: int) -> HttpResponse:
    """The group's narrative and powerful questions; members ask new ones here."""
    group, access = group_for_user(request.user, pk, need=Need.SEE_MEMBERS)
    form = QuestionForm(request.POST or None) if access.member or access.organize else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                question = services.question_ask(
                    actor=request.user, group=group, **form.cleaned_data
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Question asked."))
                return redirect(question)
    adoptable = (
        Narrative.objects.filter(status="published", network=group.network)
        | Narrative.objects.filter(status="published", group=group)
        if access.moderate
        else Narrative.objects.none()
    )
    # Without this list a moderator's saved draft could only be found again by its address.
    own_drafts = (
        Narrative.objects.filter(status="draft", group=group)
        if access.moderate
        else Narrative.objects.none()
    )
    return render(
        request,
        "narratives/group_questions.html",
        {
            "group": group,
            "access": access,
            "narrative": selectors.group_narrative(group),
            "questions": selectors.group_questions(group, with_drafts=access.moderate),
            "form": form,
            "adoptable": adoptable,
            "own_drafts": own_drafts,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def question_detail(request: HttpRequest, pk: int) -> HttpResponse:
    question, access = question_for_user(request.user, pk)
    form = AnswerForm(request.POST or None) if access.answer else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.answer_create(
                    actor=request.user, question=question, body=form.cleaned_data["body"]
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request, _("Thank you: your answer is posted and the asker is told.")
                )
                return redirect(question)
    return render(
        request,
        "narratives/question_detail.html",
        {
            "question": question,
            "access": access,
            "answers": question.answers.select_related("author", "group"),
            "form": form,
            "follow_up_form": FollowUpForm()
            if access.manage and question.status == "open"
            else None,
            "follow_ups": question.follow_ups.all(),
        },
    )


@login_required
@require_POST
def answer_helpful(request: HttpRequest, pk: int) -> HttpResponse:
    answer = get_object_or_404(Answer.objects.select_related("question"), pk=pk)
    question, _access = question_for_user(request.user, answer.question_id, need="helpful")
    services.answer_mark_helpful(
        actor=request.user, answer=answer, helpful=request.POST.get("helpful") != "0"
    )
    return redirect(question)


@login_required
@require_POST
def question_answered(request: HttpRequest, pk: int) -> HttpResponse:
    question, _access = question_for_user(request.user, pk, need="manage")
    form = FollowUpForm(request.POST)
    follow_ups = form.cleaned_data["follow_ups"].splitlines() if form.is_valid() else []
    try:
        created = services.question_mark_answered(
            actor=request.user, question=question, follow_ups=follow_ups
        )
    except ValidationError as exc:
        # A follow-up over 300 characters: nothing is saved, the question stays open.
        messages.error(request, " ".join(exc.messages))
        return redirect(question)
    messages.success(
        request,
        _("Marked answered.")
        + (" " + _("%(n)d follow-up question(s) raised.") % {"n": len(created)} if created else ""),
    )
    return redirect(question)


@login_required
@require_POST
def question_pose(request: HttpRequest, pk: int) -> HttpResponse:
    question, _access = question_for_user(request.user, pk, need="manage")
    services.question_pose_to_network(actor=request.user, question=question)
    messages.success(
        request, _("Posed to the whole network: every group can now see and answer it.")
    )
    return redirect(question)


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
