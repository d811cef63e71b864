"""A group's page (a short overview: this week, the log form, requests to decide, a strip of
its people) and its members' page (everyone with why they joined, roles, the waitlist)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from groups import home_selectors, selectors
from groups.forms import InviteForm, JoinForm
from groups.models import Group, JoinRequest, Membership
from groups.page_parts import group_page_part
from groups.permissions import GroupAccess, Need, group_for_user
from impact.shared import shared


@login_required
@require_safe
def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    group, access = group_for_user(request.user, pk)
    parts = _group_parts(group, access)
    group.size = parts["size"]
    selectors.with_status(group)
    # A plain member's view is all shared; a moderator decides on requests, and someone
    # outside sees their own request.
    personal = access.moderate or not access.member
    facts = home_selectors.group_public_facts(group)
    page = (
        selectors.group_page(group, user=request.user, see_members=False, moderate=access.moderate)
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
            "members": parts["members"],
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


@login_required
@require_safe
def group_members(request: HttpRequest, pk: int) -> HttpResponse:
    """Everyone in the group with why they joined and their role, the waitlist, and for its
    moderators the role and remove controls and the open invitations. Seen by whoever may see
    the group page's members (its members and the network's organizers)."""
    group, access = group_for_user(request.user, pk, need=Need.SEE_MEMBERS)
    page = selectors.group_page(
        group, user=request.user, see_members=True, moderate=access.moderate
    )
    group.size = len(page.members)
    moderators = sum(1 for m in page.members if m.is_moderator)
    # Not the viewer (they leave), not the only moderator (the service refuses both too).
    removable = (
        {
            m.pk
            for m in page.members
            if m.user_id != request.user.pk and not (m.is_moderator and moderators == 1)
        }
        if access.moderate
        else set()
    )
    return render(
        request,
        "groups/group_members.html",
        {"group": group, "access": access, "page": page, "removable": removable},
    )


def _group_parts(group: Group, access: GroupAccess) -> dict:
    """What the group page shows the same way to everyone who looks (with or without seeing
    its members, organizers with spin-out links): its size, the strip of its people, and the
    side's links (waitlist, requests for help, pulse) and lineage. Rendered once per change in
    the group."""
    view = {"see_members": access.see_members, "organize": access.organize, "moderate": False}

    def compute() -> dict:
        members = selectors.group_members(group) if access.see_members else []
        context = {
            "group": group,
            "access": view,
            "waitlist_count": (
                JoinRequest.objects.filter(
                    group=group, status=JoinRequest.Status.WAITLISTED
                ).count()
                if access.see_members
                else 0
            ),
            "help_open": bool(group_page_part("open_help_requests", group))
            if access.see_members
            else False,
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
                render_to_string("groups/_group_members_strip.html", {"members": members})
            ),
            "aside": mark_safe(render_to_string("groups/_group_aside.html", context)),  # noqa: S308
        }

    variant = f"{int(access.see_members)}{int(access.organize)}"
    return shared([f"group:{group.pk}"], f"group-page:{group.pk}:{variant}", compute, zoned=True)
