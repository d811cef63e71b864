"""Pages for opportunity narratives: a network's, writing, editing, publishing and adopting one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from groups.models import NetworkMembership
from groups.permissions import Need, group_for_user, network_for_user
from impact.forms import add_service_errors
from narratives import selectors, services
from narratives.forms import (
    NarrativeForm,
    QuestionForm,
)
from narratives.models import Narrative
from narratives.permissions import (
    narrative_for_user,
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
