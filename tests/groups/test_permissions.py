"""Every group page and endpoint, asked by every kind of person, answers as the rules say.

The URLs are discovered (pages from the URL resolver, endpoints from the OpenAPI schema), so a
new page or endpoint without a row in these tables fails the walk until someone decides who
may use it.
"""

import functools
import re
from datetime import time, timedelta

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import transaction
from django.http import Http404
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from groups import services
from groups.meetings.models import Cadence, CalendarFeed, Meeting, NextAction, Reflection, Session
from groups.models import Group
from groups.permissions import group_for_user
from groups.webhooks.models import Webhook
from tests.factories import JoinRequestFactory, MembershipFactory, UserFactory
from tests.groups.support import STATEMENT

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous",
    "outsider",  # signed in, not part of the private network
    "neighbour",  # in the network, member of another group
    "member",
    "moderator",
    "other_organizer",  # organizer of another network
    "organizer",
)
LOGIN = "login"  # a redirect to the sign-in page
_ = None  # a method the route does not take: checked to be 405 for anyone signed in

# Pages: {url name: {method: expected answer per role, in the order of ROLES}}.
# POSTs carry valid data (the world's page_post_data), so a 302 means the action went through.
PAGES = {
    "home": {
        "GET": (200, 200, 200, 200, 200, 200, 200),
        "POST": (405, 405, 405, 405, 405, 405, 405),
    },
    "groups:network_list": {
        "GET": (LOGIN, 200, 200, 200, 200, 200, 200),
        "POST": (LOGIN, 405, 405, 405, 405, 405, 405),
    },
    "groups:network_create": {
        "GET": (LOGIN, 200, 200, 200, 200, 200, 200),
        "POST": (LOGIN, 302, 302, 302, 302, 302, 302),
    },
    "groups:network_detail": {
        "GET": (LOGIN, 404, 200, 200, 200, 404, 200),
        "POST": (LOGIN, 405, 405, 405, 405, 405, 405),
    },
    "groups:network_audit": {
        "GET": (LOGIN, 404, 403, 403, 403, 404, 200),
        "POST": (LOGIN, 405, 405, 405, 405, 405, 405),
    },
    "groups:group_create": {
        "GET": (LOGIN, 404, 403, 403, 403, 404, 200),
        "POST": (LOGIN, 404, 403, 403, 403, 404, 302),
    },
    "groups:group_detail": {
        "GET": (LOGIN, 404, 200, 200, 200, 404, 200),
        "POST": (LOGIN, 405, 405, 405, 405, 405, 405),
    },
    # Who is in it, as the group page shows it: its members and the network's organizers;
    # others in the network are told so (403), anyone else does not learn the group exists.
    "groups:group_members": {
        "GET": (LOGIN, 404, 403, 200, 200, 404, 200),
        "POST": (LOGIN, 405, 405, 405, 405, 405, 405),
    },
    # A group's settings, and removing someone from it: its moderators' and organizers'.
    "groups:group_edit": {
        "GET": (LOGIN, 404, 403, 403, 200, 404, 200),
        "POST": (LOGIN, 404, 403, 403, 302, 404, 302),
    },
    "groups:member_remove": {
        "GET": (LOGIN, 404, 403, 403, 200, 404, 200),
        "POST": (LOGIN, 404, 403, 403, 302, 404, 302),
    },
    "groups:group_join": {
        # A member or moderator is taken to the group, as the API answers them with their state.
        "GET": (LOGIN, 404, 200, 302, 302, 404, 200),
        "POST": (LOGIN, 404, 302, 302, 302, 404, 302),
    },
    "groups:group_leave": {
        "GET": (LOGIN, 405, 405, 405, 405, 405, 405),
        # Someone not in the group is told so on the group page they came from.
        "POST": (LOGIN, 404, 302, 302, 302, 404, 302),
    },
    "groups:group_invite": {
        "GET": (LOGIN, 404, 403, 403, 200, 404, 200),
        "POST": (LOGIN, 404, 403, 403, 302, 404, 302),
    },
    "groups:group_spin_out": {
        "GET": (LOGIN, 404, 403, 403, 403, 404, 200),
        "POST": (LOGIN, 404, 403, 403, 403, 404, 302),
    },
    "groups:request_decide": {
        "GET": (LOGIN, 405, 405, 405, 405, 405, 405),
        "POST": (LOGIN, 404, 403, 403, 302, 404, 302),
    },
    "groups:member_role": {
        "GET": (LOGIN, 405, 405, 405, 405, 405, 405),
        "POST": (LOGIN, 404, 403, 403, 302, 404, 302),
    },
    "groups:invitation_revoke": {
        "GET": (LOGIN, 405, 405, 405, 405, 405, 405),
        "POST": (LOGIN, 404, 403, 403, 302, 404, 302),
    },
    # The token is the permission: whoever holds the link may use it (once).
    "groups:invitation_accept": {
        "GET": (200, 200, 200, 200, 200, 200, 200),
        "POST": (200, 302, 302, 302, 302, 302, 302),
    },
    # Meetings and reflections are the group's own: others in the network get 404 or 403.
    "groups:meetings": {
        "GET": (LOGIN, 404, 403, 200, 200, 404, 200),
        "POST": (LOGIN, 404, 403, 403, 302, 404, 302),
    },
    "groups:meeting_add": {
        "GET": (LOGIN, 405, 405, 405, 405, 405, 405),
        "POST": (LOGIN, 404, 403, 403, 302, 404, 302),
    },
    "groups:meeting_detail": {
        "GET": (LOGIN, 404, 404, 200, 200, 404, 200),
        "POST": (LOGIN, 404, 404, 302, 302, 404, 302),
    },
    "groups:meeting_ics": {
        "GET": (LOGIN, 404, 404, 200, 200, 404, 200),
        "POST": (LOGIN, 405, 405, 405, 405, 405, 405),
    },
    "groups:meeting_change": {
        "GET": (LOGIN, 405, 405, 405, 405, 405, 405),
        "POST": (LOGIN, 404, 404, 403, 302, 404, 302),
    },
    # Reflections are written by members; an organizer who is not in the group reads them in
    # meeting mode but has none of their own.
    "groups:reflection_edit": {
        "GET": (LOGIN, 404, 404, 200, 200, 404, 403),
        "POST": (LOGIN, 404, 404, 302, 302, 404, 403),
    },
    "groups:meeting_mode": {
        "GET": (LOGIN, 404, 404, 403, 200, 404, 200),
        "POST": (LOGIN, 404, 404, 403, 302, 404, 302),
    },
    # Meeting mode's notes saved as drafts while typed: the moderators' (organizer's) alone.
    "groups:session_draft": {
        "GET": (LOGIN, 405, 405, 405, 405, 405, 405),
        "POST": (LOGIN, 404, 404, 403, 302, 404, 302),
    },
    # The live room: every member's; moderators (and organizers) are taken to meeting mode.
    "groups:meeting_room": {
        "GET": (LOGIN, 404, 404, 200, 302, 404, 302),
        "POST": (LOGIN, 405, 405, 405, 405, 405, 405),
    },
    # The room's moves as form posts: a member may say they are ready.
    "groups:room_act": {
        "GET": (LOGIN, 405, 405, 405, 405, 405, 405),
        "POST": (LOGIN, 404, 404, 302, 302, 404, 302),
    },
    "groups:session_detail": {
        "GET": (LOGIN, 404, 404, 200, 200, 404, 200),
        "POST": (LOGIN, 405, 405, 405, 405, 405, 405),
    },
    "groups:next_action_done": {
        "GET": (LOGIN, 405, 405, 405, 405, 405, 405),
        "POST": (LOGIN, 404, 404, 302, 302, 404, 302),
    },
    # The secret token is the credential, so calendar apps can fetch it without a session.
    "groups:calendar_feed": {
        "GET": (200, 200, 200, 200, 200, 200, 200),
        "POST": (405, 405, 405, 405, 405, 405, 405),
    },
    "groups:calendar_feed_reset": {
        "GET": (LOGIN, 405, 405, 405, 405, 405, 405),
        "POST": (LOGIN, 302, 302, 302, 302, 302, 302),
    },
    # Webhooks: a group's are its moderators' (and organizers'), a network's its organizers'.
    "groups:group_webhooks": {
        "GET": (LOGIN, 404, 403, 403, 200, 404, 200),
        "POST": (LOGIN, 404, 403, 403, 302, 404, 302),
    },
    "groups:network_webhooks": {
        "GET": (LOGIN, 404, 403, 403, 403, 404, 200),
        "POST": (LOGIN, 404, 403, 403, 403, 404, 302),
    },
    # A hook by id (the world's is the group's): hidden from who may not see its members.
    "groups:webhook_detail": {
        "GET": (LOGIN, 404, 404, 403, 200, 404, 200),
        "POST": (LOGIN, 405, 405, 405, 405, 405, 405),
    },
    "groups:webhook_act": {
        "GET": (LOGIN, 405, 405, 405, 405, 405, 405),
        "POST": (LOGIN, 404, 404, 403, 302, 404, 302),
    },
    "groups:webhook_edit": {
        "GET": (LOGIN, 404, 404, 403, 200, 404, 200),
        "POST": (LOGIN, 404, 404, 403, 302, 404, 302),
    },
    "groups:webhook_delete": {
        "GET": (LOGIN, 404, 404, 403, 200, 404, 200),
        "POST": (LOGIN, 404, 404, 403, 302, 404, 302),
    },
}

# Endpoints: {OpenAPI path: {method: expected answer per role}}.
API = {
    "/api/groups/": {
        "GET": (401, 200, 200, 200, 200, 200, 200),
        # A private network one is not part of answers like a network that does not exist.
        "POST": (401, 404, 403, 403, 403, 404, 201),
    },
    "/api/groups/{id}/": {
        "GET": (401, 404, 200, 200, 200, 404, 200),
        "POST": (401, _, _, _, _, _, _),
        "PATCH": (401, 404, 403, 403, 200, 404, 200),
    },
    "/api/groups/{id}/join/": {
        "GET": (401, _, _, _, _, _, _),
        "POST": (401, 404, 200, 200, 200, 404, 200),
    },
    "/api/groups/{id}/leave/": {
        "GET": (401, _, _, _, _, _, _),
        "POST": (401, 404, 409, 204, 204, 404, 409),
    },
    "/api/groups/{id}/spin-out/": {
        "GET": (401, _, _, _, _, _, _),
        "POST": (401, 404, 403, 403, 403, 404, 201),
    },
    "/api/groups/{id}/members/": {
        "GET": (401, 404, 403, 200, 200, 404, 200),
        "POST": (401, _, _, _, _, _, _),
    },
    "/api/groups/{id}/waitlist/": {
        "GET": (401, 404, 403, 200, 200, 404, 200),
        "POST": (401, _, _, _, _, _, _),
    },
    "/api/groups/{id}/requests/": {
        "GET": (401, 404, 403, 403, 200, 404, 200),
        "POST": (401, _, _, _, _, _, _),
    },
    "/api/groups/{id}/requests/{request_pk}/decide/": {
        "GET": (401, _, _, _, _, _, _),
        "POST": (401, 404, 403, 403, 200, 404, 200),
    },
    "/api/groups/{id}/invitations/": {
        "GET": (401, 404, 403, 403, 200, 404, 200),
        "POST": (401, 404, 403, 403, 201, 404, 201),
    },
    "/api/networks/": {
        "GET": (401, 200, 200, 200, 200, 200, 200),
        "POST": (401, 201, 201, 201, 201, 201, 201),
    },
    "/api/networks/{slug}/": {
        "GET": (401, 404, 200, 200, 200, 404, 200),
        "POST": (401, _, _, _, _, _, _),
    },
    "/api/invitations/{token}/accept/": {
        "GET": (401, _, _, _, _, _, _),
        "POST": (401, 200, 200, 200, 200, 200, 200),
    },
    "/api/groups/{id}/cadence/": {
        "GET": (401, 404, 403, 200, 200, 404, 200),
        "PUT": (401, 404, 403, 403, 200, 404, 200),
    },
    "/api/meetings/": {
        "GET": (401, 200, 200, 200, 200, 200, 200),
        "POST": (401, 404, 403, 403, 201, 404, 201),
    },
    "/api/meetings/{id}/": {
        "GET": (401, 404, 404, 200, 200, 404, 200),
        "POST": (401, _, _, _, _, _, _),
    },
    "/api/meetings/{id}/move/": {
        "GET": (401, _, _, _, _, _, _),
        "POST": (401, 404, 404, 403, 200, 404, 200),
    },
    "/api/meetings/{id}/cancel/": {
        "GET": (401, _, _, _, _, _, _),
        "POST": (401, 404, 404, 403, 200, 404, 200),
    },
    "/api/meetings/{id}/rsvp/": {
        "GET": (401, _, _, _, _, _, _),
        "POST": (401, 404, 404, 200, 200, 404, 403),
    },
    "/api/meetings/{id}/attendance/": {
        "GET": (401, _, _, _, _, _, _),
        "POST": (401, 404, 404, 403, 204, 404, 204),
    },
    # Only the member has a reflection in the world, so the moderator's own is not found.
    "/api/meetings/{id}/my-reflection/": {
        "GET": (401, 404, 404, 200, 404, 404, 403),
        "PUT": (401, 404, 404, 200, 200, 404, 403),
    },
    "/api/meetings/{id}/reflections/": {
        "GET": (401, 404, 404, 200, 200, 404, 200),
        "POST": (401, _, _, _, _, _, _),
    },
    "/api/meetings/{id}/session/": {
        "GET": (401, 404, 404, 200, 200, 404, 200),
        "POST": (401, 404, 404, 403, 200, 404, 200),
    },
    "/api/sessions/": {
        "GET": (401, 200, 200, 200, 200, 200, 200),
        "POST": (401, _, _, _, _, _, _),
    },
    "/api/sessions/{id}/": {
        "GET": (401, 404, 404, 200, 200, 404, 200),
        "POST": (401, _, _, _, _, _, _),
    },
    "/api/sessions/{id}/next-actions/": {
        # Any member proposes next actions (in the live room too).
        "GET": (401, _, _, _, _, _, _),
        "POST": (401, 404, 404, 201, 201, 404, 201),
    },
    "/api/sessions/{id}/close/": {
        "GET": (401, _, _, _, _, _, _),
        "POST": (401, 404, 404, 403, 200, 404, 200),
    },
    "/api/next-actions/": {
        "GET": (401, 200, 200, 200, 200, 200, 200),
        "POST": (401, _, _, _, _, _, _),
    },
    "/api/next-actions/{id}/done/": {
        "GET": (401, _, _, _, _, _, _),
        "POST": (401, 404, 404, 200, 200, 404, 200),
    },
}
API_PREFIXES = (
    "/api/groups/",
    "/api/networks/",
    "/api/invitations/",
    "/api/meetings/",
    "/api/sessions/",
    "/api/next-actions/",
)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """A private network: an approval group with a member, a pending request and an invitation;
    a neighbouring group; someone outside; the organizer of another network.

    Built once per module (and xdist worker) inside a transaction that is rolled back when the
    module is done: each case of the walks runs in its own savepoint inside it (pytest-django's
    `db`), so every request still starts from exactly this world. Each role signs in once here;
    a case's client carries that session."""
    with django_db_blocker.unblock(), transaction.atomic():
        built = _build_world()
        built["sessions"] = _sessions(built["people"])
        yield built
        transaction.set_rollback(True)


def _sessions(people: dict) -> dict:
    """A session key per role (None: signed out), made by signing in as that role's person."""
    sessions = {}
    for role, person in people.items():
        sessions[role] = None
        if person is not None:
            client = Client()
            client.force_login(person)
            sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return sessions


def _build_world() -> dict:
    organizer = UserFactory(display_name="Olga Organizer")
    moderator = UserFactory(display_name="Mo Moderator")
    outsider = UserFactory(display_name="Otto Outsider")  # signed up, part of no network
    other_organizer = UserFactory(display_name="Oona Elsewhere")
    services.network_create(creator=other_organizer, name="Elsewhere")
    network = services.network_create(creator=organizer, name="Inner Circle", is_public=False)
    services.network_add_person(network=network, user=moderator)
    target = services.group_create(
        organizer=organizer,
        network=network,
        name="Target",
        purpose="The group every request is about.",
        join_policy=Group.JoinPolicy.APPROVAL,
        moderator=moderator,
    )
    member_seat = MembershipFactory(group=target, user=UserFactory(display_name="Mira Member"))
    pending = JoinRequestFactory(
        group=target, status="pending", user=UserFactory(display_name="Rhea Requester")
    )
    neighbours = services.group_create(
        organizer=organizer, network=network, name="Neighbours", purpose="Next door."
    )
    neighbour = MembershipFactory(group=neighbours, user=UserFactory(display_name="Nell")).user
    invitation = services.invitation_create(actor=moderator, group=target, email="g@example.org")
    cadence_time = {
        "weekdays": "3",
        "start_time": "19:00",
        "time_zone": "Europe/Amsterdam",
        "duration_minutes": "60",
        "reminder_offsets": ["1440", "60"],
        "prompt_hours_before": "48",
    }
    soon = timezone.now() + timedelta(days=3)
    meeting = Meeting.objects.create(group=target, starts_at=soon, is_reflection=True)
    Reflection.objects.create(meeting=meeting, user=member_seat.user, learned="Roots need water.")
    session = Session.objects.create(meeting=meeting, group=target)
    next_action = NextAction.objects.create(
        session=session, group=target, owner=member_seat.user, description="Call the council"
    )
    # A session is closed once its meeting has started: the close endpoint gets a held one.
    held = Meeting.objects.create(group=target, starts_at=timezone.now() - timedelta(hours=1))
    held_session = Session.objects.create(meeting=held, group=target)
    Cadence.objects.create(group=target, weekdays="3", start_time=time(19, 0))
    feed = CalendarFeed.objects.create(user=member_seat.user)
    hook = Webhook.objects.create(
        network=network,
        group=target,
        created_by=moderator,
        url="https://93.184.215.14/hook",
        format=Webhook.Format.SLACK,
        events=Webhook.Event.values,
    )
    later = (soon + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    people = {
        "anonymous": None,
        "outsider": outsider,
        "neighbour": neighbour,
        "member": member_seat.user,
        "moderator": moderator,
        "other_organizer": other_organizer,
        "organizer": organizer,
    }
    url_values = {
        "slug": network.slug,
        "pk": target.pk,
        "id": target.pk,
        "request_pk": pending.pk,
        "membership_pk": member_seat.pk,
        "invitation_pk": invitation.pk,
        "token": invitation.token,
    }
    # Meeting URLs name their own objects; a dict per URL name keeps the shared keys apart.
    meeting_values = {"pk": meeting.pk, "id": meeting.pk}
    per_url_values = {
        "groups:meeting_detail": meeting_values,
        "groups:meeting_ics": meeting_values,
        "groups:meeting_change": meeting_values,
        "groups:reflection_edit": meeting_values,
        "groups:meeting_mode": meeting_values,
        "groups:session_draft": meeting_values,
        "groups:meeting_room": meeting_values,
        "groups:room_act": meeting_values,
        "groups:session_detail": {"pk": session.pk},
        "groups:next_action_done": {"pk": next_action.pk},
        "groups:calendar_feed": {"token": feed.token},
        "groups:webhook_detail": {"pk": hook.pk},
        "groups:webhook_act": {"pk": hook.pk},
        "groups:webhook_edit": {"pk": hook.pk},
        "groups:webhook_delete": {"pk": hook.pk},
        "/api/meetings/{id}/": meeting_values,
        "/api/meetings/{id}/move/": meeting_values,
        "/api/meetings/{id}/cancel/": meeting_values,
        "/api/meetings/{id}/rsvp/": meeting_values,
        "/api/meetings/{id}/attendance/": meeting_values,
        "/api/meetings/{id}/my-reflection/": meeting_values,
        "/api/meetings/{id}/reflections/": meeting_values,
        "/api/meetings/{id}/session/": meeting_values,
        "/api/sessions/{id}/": {"id": session.pk},
        "/api/sessions/{id}/next-actions/": {"id": session.pk},
        "/api/sessions/{id}/close/": {"id": held_session.pk},
        "/api/next-actions/{id}/done/": {"id": next_action.pk},
    }
    page_post_data = {
        "groups:network_create": {"name": "Brand New Network"},
        "groups:group_create": {
            "name": "Brand New",
            "purpose": "Act together.",
            "capacity": "15",
            "join_policy": "open",
        },
        "groups:group_edit": {
            "name": "Target",
            "purpose": "The group every request is about, and more.",
            "capacity": "12",
            "join_policy": "approval",
            **{f"cadence-{key}": value for key, value in cadence_time.items()},
        },
        "groups:member_remove": {"reason": "Moved away."},
        "groups:group_join": {"statement": STATEMENT},
        "groups:group_invite": {"email": "new@example.org"},
        "groups:group_spin_out": {
            "name": "Spun Out",
            "moderator": member_seat.user_id,
            "take_waitlist": "on",
            "confirm": "1",
        },
        "groups:request_decide": {"decision": "approve"},
        "groups:group_leave": {"confirm": "1"},
        "groups:member_role": {"role": "moderator"},
        "groups:meetings": {**cadence_time, "weekdays": ["3"]},
        "groups:meeting_add": {"starts_at": later, "duration_minutes": "60"},
        "groups:meeting_detail": {"rsvp": "yes"},
        "groups:meeting_change": {"starts_at": later},
        "groups:reflection_edit": {"learned": "Roots need more water."},
        "groups:meeting_mode": {"what": "save", "learnings": "Water first."},
        "groups:session_draft": {"learnings": "Water first."},
        "groups:room_act": {"do": "ready", "ready": "1"},
        "groups:group_webhooks": {
            "url": "https://93.184.215.14/hook",
            "format": "generic",
            "events": ["session.summary", "member.joined"],
        },
        "groups:network_webhooks": {
            "url": "https://93.184.215.14/hook",
            "format": "discord",
            "events": ["help.raised"],
        },
        "groups:webhook_act": {"do": "disable"},
        "groups:webhook_edit": {
            "url": "https://93.184.215.15/hook",
            "format": "slack",
            "events": ["member.joined"],
        },
    }
    api_post_data = {
        "/api/groups/": {"network": network.pk, "name": "Brand New", "purpose": "Act."},
        "/api/groups/{id}/": {"purpose": "The group every request is about, and more."},
        "/api/groups/{id}/join/": {"statement": STATEMENT},
        "/api/groups/{id}/spin-out/": {"name": "Spun Out", "moderator": member_seat.user_id},
        "/api/groups/{id}/requests/{request_pk}/decide/": {"approve": True},
        "/api/groups/{id}/invitations/": {"email": "new@example.org"},
        "/api/networks/": {"name": "Brand New Network"},
        "/api/groups/{id}/cadence/": {
            "weekdays": [3],
            "start_time": "19:00",
            "time_zone": "Europe/Amsterdam",
            "duration_minutes": 60,
            "location": "",
            "reminder_offsets": [1440, 60],
            "prompt_hours_before": 48,
        },
        "/api/meetings/": {"group": target.pk, "starts_at": (soon + timedelta(days=2)).isoformat()},
        "/api/meetings/{id}/move/": {"starts_at": (soon + timedelta(days=1)).isoformat()},
        "/api/meetings/{id}/rsvp/": {"rsvp": "yes"},
        "/api/meetings/{id}/attendance/": {"attended": [member_seat.user_id]},
        "/api/meetings/{id}/my-reflection/": {"learned": "Roots need more water."},
        "/api/sessions/{id}/next-actions/": {
            "owner": member_seat.user_id,
            "description": "Plant the willows",
        },
        "/api/sessions/{id}/close/": {"learnings": "Water first."},
    }
    private_names = [member_seat.user.public_name, moderator.public_name, "Rhea Requester"]
    return {
        "people": people,
        "url_values": url_values,
        "page_post_data": page_post_data,
        "api_post_data": api_post_data,
        "per_url_values": per_url_values,
        "target": target,
        "private_names": private_names,
    }


def url_patterns() -> dict[str, URLPattern]:
    """Every URL pattern by its full name (namespace:name); `full_route` is its whole path."""
    found = {}

    def walk(patterns, namespace, prefix):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry.url_patterns, inner, prefix + str(entry.pattern))
            else:
                entry.full_route = prefix + str(entry.pattern)
                found[f"{namespace}{entry.name}"] = entry

    walk(get_resolver().url_patterns, "", "")
    return found


def _clients_by_role(people: dict, client_class, sign_in) -> dict:
    """A client per role, signed in as that role's person (None: signed out)."""
    clients = {}
    for role, person in people.items():
        clients[role] = client_class()
        if person is not None:
            sign_in(clients[role], person)
    return clients


def signed_in_clients(people: dict) -> dict[str, Client]:
    return _clients_by_role(people, Client, Client.force_login)


def api_clients(people: dict) -> dict[str, APIClient]:
    return _clients_by_role(people, APIClient, APIClient.force_authenticate)


def role_cases(table: dict) -> list:
    """One case per URL, method and role of a table, named by all three (and what is expected)."""
    return [
        pytest.param(key, method, role, want, id=f"{key} {method} {role}")
        for key, methods in table.items()
        for method, expected in methods.items()
        for role, want in zip(ROLES, expected, strict=True)
    ]


def page_client(world: dict, role: str) -> Client:
    """A fresh client with the role's session from the world (none for the signed out)."""
    client = Client()
    if world["sessions"][role] is not None:
        client.cookies[settings.SESSION_COOKIE_NAME] = world["sessions"][role]
    return client


def api_client(world: dict, role: str) -> APIClient:
    client = APIClient()
    if world["people"][role] is not None:
        client.force_authenticate(world["people"][role])
    return client


@functools.cache
def _patterns() -> dict[str, URLPattern]:
    return url_patterns()


def page_url(name: str, values: dict) -> str:
    pattern = _patterns()[name]
    return reverse(name, kwargs={key: values[key] for key in pattern.pattern.converters})


def api_url(path: str, values: dict) -> str:
    return re.sub(r"{(\w+)}", lambda m: str(values[m.group(1)]), path)


def page_answer(world: dict, role: str, method: str, url: str, body: dict):
    """The answer one role gets to one request on a page: a status, or LOGIN."""
    return answer(rolled_back(getattr(page_client(world, role), method.lower()), url, body))


def group_page_patterns() -> dict[str, URLPattern]:
    """Every page of the groups app by its full name: the whole `groups` namespace, and any
    other URL served by a groups view (the home page). The API is walked from its schema."""
    return {
        name: pattern
        for name, pattern in url_patterns().items()
        if name.startswith("groups:")
        or (
            pattern.callback.__module__.startswith("groups.")
            and not pattern.callback.__module__.endswith(".apis")
            and not pattern.full_route.startswith("api/")
        )
    }


def api_routes() -> dict[str, set[str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {
        path: {method.upper() for method in operations}
        for path, operations in schema["paths"].items()
        if path.startswith(API_PREFIXES)
    }


def rolled_back(send, *args, **kwargs):
    """Send one request inside a savepoint that is undone: every request starts from the world.

    The shared cache is emptied too, since what the request put there (a session it saved, a
    page it rendered) would otherwise outlive the rows it was made from."""
    with transaction.atomic():
        response = send(*args, **kwargs)
        transaction.set_rollback(True)
    cache.clear()
    return response


def answer(response):
    if response.status_code == 302 and response.url.startswith(reverse("account_login")):
        return LOGIN
    return response.status_code


def test_every_group_page_and_endpoint_has_a_row_in_the_tables():
    pages = group_page_patterns()
    routes = api_routes()
    assert "groups:group_detail" in pages and "/api/groups/{id}/join/" in routes

    # A page or endpoint nobody has decided about fails here.
    assert set(pages) == set(PAGES), f"pages without a row: {set(pages) ^ set(PAGES)}"
    assert set(routes) == set(API), f"endpoints without a row: {set(routes) ^ set(API)}"
    for path, methods in routes.items():
        assert methods <= set(API[path]), f"{path} takes {methods}: add them to the table"
        for method in methods:
            assert all(API[path][method][1:]), f"{method} {path} is served but expected 405"


@pytest.mark.parametrize(("name", "method", "role", "want"), role_cases(PAGES))
def test_each_group_page_answers_each_role_as_the_rules_say(world, name, method, role, want):
    url = page_url(name, {**world["url_values"], **world["per_url_values"].get(name, {})})
    body = world["page_post_data"].get(name, {}) if method == "POST" else {}

    assert page_answer(world, role, method, url, body) == want, f"{role} {method} {url}"


@pytest.mark.parametrize(("path", "method", "role", "want"), role_cases(API))
def test_each_group_endpoint_answers_each_role_as_the_rules_say(world, path, method, role, want):
    want = 405 if want is None else want
    url = api_url(path, {**world["url_values"], **world["per_url_values"].get(path, {})})
    data = world["api_post_data"].get(path, {}) if method in ("POST", "PUT", "PATCH") else None

    send = getattr(api_client(world, role), method.lower())
    response = rolled_back(send, url, data, format="json")

    assert response.status_code == want, f"{role} {method} {url}: {response.content[:300]}"
    if response.status_code >= 400:
        assert set(response.json()) == {"detail", "code", "fields"}, response.content


def test_others_in_the_network_see_a_group_but_not_who_is_in_it(world):
    target = world["target"]
    for role, sees_names in [("neighbour", False), ("member", True), ("organizer", True)]:
        client = Client()
        client.force_login(world["people"][role])

        page = client.get(target.get_absolute_url()).content.decode()

        assert target.name in page and target.purpose in page
        assert "2/15" in page
        for name in world["private_names"][:2]:
            assert (name in page) is sees_names, (role, name)
        # Pending requests are for those who decide on them.
        assert ("Rhea Requester" in page) is (role == "organizer"), role


def test_the_group_list_hides_groups_of_private_networks_from_outsiders(world):
    for role, sees in [("outsider", False), ("other_organizer", False), ("neighbour", True)]:
        client = APIClient()
        client.force_authenticate(world["people"][role])

        names = {g["name"] for g in client.get(reverse("api-group-list")).json()["results"]}

        assert ("Target" in names) is sees, role


# group_for_user: the access-checked fetch every group page and endpoint starts with ---------


@pytest.mark.parametrize(
    "who, queries, answer",
    [
        ("member", 1, "moderate=False"),  # the seat brings the group, network and role
        ("moderator", 1, "moderate=True"),
        ("organizer", 2, "moderate=True"),  # no seat: the group with the network role
        ("outsider", 2, "moderate=False"),  # a public network: may see, may not moderate
    ],
)
def test_group_for_user_reads_one_row_for_a_member_and_two_for_anyone_else(
    request, group, member, who, queries, answer, django_assert_num_queries
):
    person = request.getfixturevalue(who)

    with django_assert_num_queries(queries):
        fetched, access = group_for_user(person, group.pk)

    assert fetched == group and fetched.network.name == "Green Town"
    assert f"moderate={access.moderate}" == answer
    assert access.member == (who in ("member", "moderator"))


def test_group_for_user_answers_404_alike_for_a_missing_and_a_hidden_group(outsider):
    hidden_network = services.network_create(
        creator=UserFactory(), name="Quiet", description="", is_public=False
    )
    hidden = services.group_create(
        organizer=hidden_network.memberships.get().user,
        network=hidden_network,
        name="Behind doors",
        purpose="Private.",
    )

    for pk in (hidden.pk, hidden.pk + 1000, "x"):
        with pytest.raises(Http404):
            group_for_user(outsider, pk)
    with pytest.raises(Http404):
        group_for_user(AnonymousUser(), hidden.pk)
