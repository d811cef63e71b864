"""Pages for powerful questions: the network's board, a group's questions, one question and its answers."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from groups.models import NetworkMembership
from groups.permissions import Need, group_for_user, network_for_user
from impact.forms import add_service_errors
from narratives import selectors, services
from narratives.forms import (
    AnswerForm,
    FollowUpForm,
    QuestionForm,
)
from narratives.models import Answer, Narrative
from narratives.permissions import (
    in_a_group_of,
    question_for_user,
)


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
        + (
            " "
            + ngettext(
                "%(n)d follow-up question raised.",
                "%(n)d follow-up questions raised.",
                len(created),
            )
            % {"n": len(created)}
            if created
            else ""
        ),
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
