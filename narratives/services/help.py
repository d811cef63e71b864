"""Requests for help: asked of the group, raised to the network, answered and resolved."""

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from groups.models import Group, Membership
from groups.permissions import Need, require
from groups.webhooks.services import webhook_event
from impact.markdown import NOTICE_LENGTH, markdown_excerpt
from impact.models import User
from impact.services import notify
from narratives.models import (
    HelpRequest,
    HelpResponse,
)
from narratives.permissions import help_access

if TYPE_CHECKING:
    # For the annotation only: at run time metrics.models is imported where it is used.
    pass
from narratives.services.questions import _check_text


@transaction.atomic
def help_request_create(
    *, actor: User, group: Group, summary: str, details: str = ""
) -> HelpRequest:
    """Ask the group for help; its moderators and members see it until it is resolved."""
    require(actor, group, Need.MEMBER, message=_("Members ask their group for help."))
    summary = _check_text(summary, "summary", _("Say in a line where you are stuck."), 200)
    help_request = HelpRequest.objects.create(
        group=group, asked_by=actor, summary=summary, details=details.strip()
    )
    others = [
        m.user
        for m in Membership.objects.active()
        .filter(group=group)
        .exclude(user=actor)
        .select_related("user")
    ]
    notify(
        recipients=others,
        kind="narratives.help",
        key=f"help:{help_request.pk}",
        title=lambda: (
            _("%(name)s asks for help: %(summary)s")
            % {"name": actor.public_name, "summary": summary}
        ),
        body=markdown_excerpt(details, NOTICE_LENGTH),
        url=reverse("narratives:help_detail", args=[help_request.pk]),
        subject=help_request,
        email=False,
    )
    return help_request


@transaction.atomic
def help_raise_to_network(*, actor: User, help_request: HelpRequest) -> HelpRequest:
    if not help_access(actor, help_request).manage:
        raise PermissionDenied
    HelpRequest.objects.filter(pk=help_request.pk).update(raised_to_network=True)
    help_request.raised_to_network = True
    webhook_event(
        kind="help.raised",
        key=str(help_request.pk),
        group=help_request.group,
        network_wide=True,
        payload={
            "help_request": help_request.pk,
            "summary": help_request.summary,
            "url": reverse("narratives:help_detail", args=[help_request.pk]),
        },
    )
    return help_request


@transaction.atomic
def help_respond(*, actor: User, help_request: HelpRequest, body: str) -> HelpResponse:
    access = help_access(actor, help_request)
    if not access.view:
        raise PermissionDenied
    if not access.respond:
        raise ValidationError({"body": _("This request is resolved.")})
    body = _check_text(body, "body", _("Write your response."), 5000)
    response = HelpResponse.objects.create(help_request=help_request, author=actor, body=body)
    if help_request.asked_by and help_request.asked_by_id != actor.pk:
        notify(
            recipients=[help_request.asked_by],
            kind="narratives.help",
            key=f"help-response:{response.pk}",
            title=lambda: (
                _("%(name)s responded to your request for help") % {"name": actor.public_name}
            ),
            body=markdown_excerpt(body, NOTICE_LENGTH),
            url=reverse("narratives:help_detail", args=[help_request.pk]),
            subject=help_request,
        )
    return response


def help_resolve(*, actor: User, help_request: HelpRequest) -> HelpRequest:
    if not help_access(actor, help_request).manage:
        raise PermissionDenied
    HelpRequest.objects.filter(pk=help_request.pk).update(
        status=HelpRequest.Status.RESOLVED, resolved_at=timezone.now()
    )
    help_request.status = HelpRequest.Status.RESOLVED
    return help_request
