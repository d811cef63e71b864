"""My groups (the home page), networks, a network's page and audit log, new groups."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from groups import home_selectors, selectors, services
from groups.audit import audit_sentence
from groups.forms import GroupForm, NetworkForm
from groups.meetings import selectors as meeting_selectors
from groups.models import Group, NetworkMembership
from groups.permissions import network_for_user
from groups.views.membership import INVITATION_SESSION_KEY
from impact.forms import FormErrors, errors_into
from impact.ids import parse_id
from impact.selectors import notifications_for_user
from impact.shared import shared_html


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "impact/landing.html")
    rows = selectors.my_groups(request.user)
    for row in rows:
        selectors.with_status(row.group)
    networks = list(selectors.visible_networks(request.user)[:12])
    next_meeting = meeting_selectors.next_meeting_for(request.user)
    return render(
        request,
        "groups/home.html",
        {
            "rows": rows,
            "sections": home_selectors.home_sections(request.user, rows=rows),
            "networks": networks,
            "recent_notifications": notifications_for_user(user=request.user)[:5],
            "next_meeting": next_meeting,
            "next_actions": list(meeting_selectors.open_next_actions(request.user)[:10]),
            "pending_invitation": request.session.get(INVITATION_SESSION_KEY),
        },
    )


@login_required
@require_safe
def network_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "groups/network_list.html", {"networks": selectors.visible_networks(request.user)}
    )


@login_required
@require_http_methods(["GET", "POST"])
def network_create(request: HttpRequest) -> HttpResponse:
    form = NetworkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with errors_into(form):
                network = services.network_create(creator=request.user, **form.cleaned_data)
        except FormErrors:
            pass
        else:
            messages.success(request, _("Your network is ready. Create its first group."))
            return redirect(network)
    return render(request, "groups/network_form.html", {"form": form})


@login_required
@require_safe
def network_detail(request: HttpRequest, slug: str) -> HttpResponse:
    network, role = network_for_user(request.user, slug)
    is_organizer = role == NetworkMembership.Role.ORGANIZER
    # The groups, the family tree and the organizers are the same for everyone who looks
    # (organizers see more columns): rendered once per change in the network.
    body = shared_html(
        [f"network:{network.pk}"],
        f"network-page:{network.pk}:{int(is_organizer)}",
        "groups/_network_body.html",
        lambda: _network_body(network, is_organizer=is_organizer),
    )
    return render(
        request,
        "groups/network_detail.html",
        {"network": network, "is_organizer": is_organizer, "role": role, "body": body},
    )


def _network_body(network, *, is_organizer: bool) -> dict:
    groups = list(selectors.groups_with_counts(network.groups.all()).order_by("created_at", "id"))
    for group in groups:
        selectors.with_status(group)
    return {
        "network": network,
        "groups": groups,
        "lineage": selectors.network_lineage(groups),
        "is_organizer": is_organizer,
        "full_groups": [g for g in groups if g.status == Group.Status.FULL],
        "leaders_total": sum(g.leaders_unleashed_count for g in groups),
        "organizers": list(
            selectors.network_people(network, role=NetworkMembership.Role.ORGANIZER)
        ),
    }


@login_required
@require_http_methods(["GET", "POST"])
def group_create(request: HttpRequest, slug: str) -> HttpResponse:
    network, _role = network_for_user(request.user, slug, organize=True)
    form = GroupForm(request.POST or None, people=selectors.network_people(network))
    if request.method == "POST" and form.is_valid():
        try:
            with errors_into(form):
                group = services.group_create(
                    organizer=request.user, network=network, **form.cleaned_data
                )
        except FormErrors:
            pass
        else:
            messages.success(request, _("%(group)s is created.") % {"group": group.name})
            return redirect(group)
    return render(request, "groups/group_form.html", {"form": form, "network": network})


@login_required
@require_safe
def network_audit(request: HttpRequest, slug: str) -> HttpResponse:
    """The network's audit log (organizers): membership, roles, spin-outs, metric definitions."""
    from django.core.paginator import Paginator

    network, _role = network_for_user(request.user, slug, organize=True)
    events = network.audit_events.select_related("group", "actor")
    if request.GET.get("group"):
        group_id = parse_id(request.GET["group"])  # no such group: no events
        events = events.filter(group_id=group_id) if group_id else events.none()
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    for event in page:
        event.sentence = audit_sentence(event)
    return render(request, "groups/audit.html", {"network": network, "page": page})
