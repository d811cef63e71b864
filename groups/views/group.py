"""A group's page: what everyone who may see it sees, with each person's own parts."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from groups import home_selectors, selectors
from groups.forms import InviteForm, JoinForm
from groups.meetings import selectors as meeting_selectors
from groups.models import Group, Membership
from groups.page_parts import group_page_part
from groups.permissions import group_for_user
from impact.shared import shared


@login_required
@require_safe
def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    group, access = group_for_user(request.user, pk)
    parts = _group_parts(group, access)
    group.size = parts["size"]
    selectors.with_status(group)
    # A plain member's view is all shared; a moderator's has forms on every member, and
    # someone outside sees their own request.
    personal = access.moderate or not access.member
    facts = home_selectors.group_public_facts(group)
    page = (
        selectors.group_page(
            group, user=request.user, see_members=access.moderate, moderate=access.moderate
        )
        if personal
        else selectors.GroupPage()
    )
    return render(
        request,
        "groups/group_detail.html",
        {
            "group": group,
            "access": access,
            "page": page,
            "members": (
                render_to_string(
                    "groups/_group_members.html",
                    {"members": page.members, "access": access, "group": group},
                    request=request,
                )
                if access.moderate
                else parts["members"]
            ),
            "aside": parts["aside"],
            # Someone outside: when and where it meets and how active it is. Its members and
            # organizers: the week at a glance, which begins with the next meeting.
            "facts": None if access.see_members else facts,
            "week": facts if access.see_members else None,
            "join_form": JoinForm() if access.join and page.my_request is None else None,
            "invite_form": InviteForm() if access.moderate else None,
            "log_fields": group_page_part("quick_log_fields", group) if access.member else None,
        },
    )


def _group_parts(group: Group, access) -> dict:
    """What the group page shows the same way to everyone who looks (with or without seeing
    its members, organizers with spin-out links): its size, its members without the
    moderators' forms, its waitlist, pulse, requests for help and lineage. Rendered once per
    change in the group."""
    view = {"see_members": access.see_members, "organize": access.organize, "moderate": False}

    def compute() -> dict:
        members = selectors.group_members(group) if access.see_members else []
        context = {
            "group": group,
            "access": view,
            "waitlist": selectors.waitlist(group) if access.see_members else [],
            "pulse_history": meeting_selectors.pulse_history(group, limit=6)
            if access.see_members
            else [],
            "help_requests": (
                group_page_part("open_help_requests", group) or [] if access.see_members else []
            ),
            "leaders_unleashed": group.leaders_unleashed.count(),
            "children": list(group.children.all()),
        }
        return {
            "size": (
                len(members)
                if access.see_members
                else Membership.objects.active().filter(group=group).count()
            ),
            "members": mark_safe(  # noqa: S308 - our own template's output
                render_to_string(
                    "groups/_group_members.html",
                    {"members": members, "access": view, "group": group},
                )
            ),
            "aside": mark_safe(render_to_string("groups/_group_aside.html", context)),  # noqa: S308
        }

    variant = f"{int(access.see_members)}{int(access.organize)}"
    return shared([f"group:{group.pk}"], f"group-page:{group.pk}:{variant}", compute, zoned=True)
