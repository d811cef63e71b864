"""Django-side steps of the benchmark, run in a subprocess against one database.

    python bench/probe.py prepare-large | prepare-small | login | queries | render | fanout-dispatch |
                          fanout-reset | jobs | export
Each prints one JSON object on its last line.
"""

import json
import os
import resource
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "impact.settings")

import django

django.setup()

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token

from groups.meetings.models import Meeting
from groups.models import Membership
from impact.models import Notification

FANOUT_PREFIX = "meeting.reminder:"


def out(data) -> None:
    print(json.dumps(data, default=str))


def subject() -> dict:
    """The member the benchmark signs in as: in the busiest group of the first network."""
    membership = (
        Membership.objects.active()
        .filter(role="member")
        .select_related("group__network", "user")
        .order_by("group__network__slug", "group_id", "id")
        .first()
    )
    return {"user": membership.user, "group": membership.group, "network": membership.group.network}


def login() -> None:
    who = subject()
    user = who["user"]
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    token, _ = Token.objects.get_or_create(user=user)
    out(
        {
            "session": session.session_key,
            "token": token.key,
            "group": who["group"].pk,
            "network": who["network"].slug,
            "today": str(timezone.localdate()),
        }
    )


PAGES = {
    "member_dashboard": lambda w: ("get", "/"),
    "member_week": lambda w: ("get", "/me/week/"),
    "group_dashboard": lambda w: ("get", f"/groups/{w['group'].pk}/impact/"),
    "network_page": lambda w: ("get", f"/networks/{w['network'].slug}/"),
    "leaderboard": lambda w: ("get", f"/networks/{w['network'].slug}/leaderboard/"),
    "actions_list_api": lambda w: ("get", f"/api/actions/?group={w['group'].pk}"),
    # The same list without a group: the latest actions of every group the person can read.
    "actions_feed_api": lambda w: ("get", "/api/actions/"),
}


def scopes_of(who: dict) -> set[str]:
    """Every scope a member's pages read: bumped, nothing shared is kept for them."""
    group, network = who["group"].pk, who["network"].pk
    return {f"group:{group}", f"activity:{group}", f"network:{network}"}


def queries() -> None:
    """Queries per page when it is rendered from scratch (every shared part made old first,
    as after a write in the group) and with the shared parts kept, with the time of each in
    this process."""
    who = subject()
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(who["user"])
    counts = {}
    for name, page in PAGES.items():
        method, url = page(who)
        client.get(url)  # warm the process (imports, templates) the same way in both databases
        rendered = _measure(client, method, url, bump=scopes_of(who))
        cached = _measure(client, method, url, bump=set())
        counts[name] = rendered["queries"]
        counts[f"{name}_cached"] = cached["queries"]
        counts[f"{name}_ms"] = {"rendered": rendered["ms"], "cached": cached["ms"]}
    body = {
        "group": who["group"].pk,
        "description": "Bench",
        "happened_on": str(timezone.localdate()),
        "effort_minutes": 30,
    }
    with CaptureQueriesContext(connection) as captured:
        response = client.post("/api/actions/", body, content_type="application/json")
    assert response.status_code == 201, response.content
    counts["action_create_api"] = len(captured)
    out(counts)


RENDER_PAGES = {
    "home": lambda w: "/",
    "group": lambda w: f"/groups/{w['group'].pk}/",
    "group_impact": lambda w: f"/groups/{w['group'].pk}/impact/",
    "my_week": lambda w: "/me/week/",
    "network": lambda w: f"/networks/{w['network'].slug}/",
    "leaderboard": lambda w: f"/networks/{w['network'].slug}/leaderboard/",
}


def render_members(count: int) -> list[dict]:
    """`count` members (role member) of as many different groups, drawn with a fixed seed,
    each with `peer`: another member of the same group, in the same time zone where the group
    has one (parts that show moments are kept per time zone)."""
    import random

    seats = list(
        Membership.objects.active()
        .filter(role="member")
        .order_by("group_id", "id")
        .distinct("group_id")
        .values_list("pk", flat=True)
    )
    chosen = random.Random(15).sample(seats, min(count, len(seats)))
    members = []
    for seat in Membership.objects.filter(pk__in=chosen).select_related("group__network", "user"):
        others = (
            Membership.objects.active()
            .filter(group=seat.group_id)
            .exclude(user=seat.user_id)
            .select_related("user")
            .order_by("id")
        )
        peer = next((m for m in others if m.user.time_zone == seat.user.time_zone), others[0])
        members.append(
            {
                "user": seat.user,
                "peer": peer.user,
                "group": seat.group,
                "network": seat.group.network,
            }
        )
    return members


def drop_shared_parts() -> None:
    from django.core.cache import cache

    client = cache._cache.get_client(None, write=True)
    keys = list(client.scan_iter(match="*shared:part:*", count=1000))
    for start in range(0, len(keys), 500):
        client.delete(*keys[start : start + 500])


def render() -> None:
    """Each dashboard page rendered in this process for RENDER_MEMBERS different members (of
    as many groups), three times each: cold (every shared part dropped first, nothing kept
    anywhere), after a write in the member's group (every scope of the group and its network
    bumped first, so what they show is rendered again and the rest of the network's parts
    stay), and for another member of the same group right after, who finds the parts the
    first one left. Median, 90th percentile and query counts (fewest, most) of each."""
    from impact import shared

    count = int(os.environ.get("RENDER_MEMBERS", "24"))
    members = render_members(count + 1)
    warm, members = members[0], members[1:]
    results = {"members": len(members)}
    for name, page in RENDER_PAGES.items():
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(warm["user"])
        client.get(page(warm))  # imports and templates, as in a process that served before
        runs = {"cold": ([], []), "scratch": ([], []), "shared": ([], [])}
        for who in members:
            for run, user in (
                ("cold", who["user"]),
                ("scratch", who["user"]),
                ("shared", who["peer"]),
            ):
                if run == "cold":
                    drop_shared_parts()
                elif run == "scratch":
                    shared.bump(scopes_of(who))
                client.force_login(user)
                times, counts = runs[run]
                started = time.perf_counter()
                with CaptureQueriesContext(connection) as captured:
                    response = client.get(page(who))
                times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, (name, response.status_code)
                counts.append(len(captured))
        results[name] = {}
        for run, (times, counts) in runs.items():
            times.sort()
            results[name][run] = {
                "median_ms": round(times[len(times) // 2], 2),
                "p90_ms": round(times[int(len(times) * 0.9)], 2),
                "queries": [min(counts), max(counts)],
            }
    out(results)


def _measure(client, method: str, url: str, *, bump: set[str]) -> dict:
    """Queries of one request, and its median time over a few, rendered or from the cache."""
    from impact import shared

    times = []
    for attempt in range(7):
        shared.bump(bump)
        started = time.perf_counter()
        if attempt == 0:
            with CaptureQueriesContext(connection) as captured:
                response = getattr(client, method)(url)
            assert response.status_code == 200, (url, response.status_code)
            count = len(captured)  # now: the next request's start empties the query log
        else:
            getattr(client, method)(url)
        times.append((time.perf_counter() - started) * 1000)
    return {"queries": count, "ms": round(sorted(times)[len(times) // 2], 2)}


def fanout_reset() -> None:
    deleted, _ = Notification.objects.filter(kind="meeting.reminder").delete()
    # The load test's own actions go too, so the next run measures the same data.
    from metrics.models import Action

    actions, _ = Action.objects.filter(description__in=["Bench action", "Bench"]).delete()
    out({"deleted": deleted, "bench_actions": actions})


def move_next_meetings(now, **fields) -> list[int]:
    """Every group's next meeting gets `fields` (a start time, say) and is scheduled; returns
    the groups' ids."""
    nxt = {}
    for meeting in (
        Meeting.objects.filter(starts_at__gt=now)
        .order_by("group_id", "starts_at")
        .values("pk", "group_id")
    ):
        nxt.setdefault(meeting["group_id"], meeting["pk"])
    Meeting.objects.filter(pk__in=list(nxt.values())).update(status="scheduled", **fields)
    return list(nxt)


def fanout_dispatch() -> None:
    """Put every group's next meeting 50 minutes from now and time the reminder fan-out."""
    from groups.meetings.services import reminders_send

    fanout_reset_quiet()
    now = timezone.now()
    groups = move_next_meetings(now, starts_at=now + timedelta(minutes=50))
    recipients = Membership.objects.active().filter(group_id__in=groups).count()
    started = time.perf_counter()
    reminders_send(now=now)
    seconds = time.perf_counter() - started
    rows = Notification.objects.filter(kind="meeting.reminder").count()
    out({"recipients": recipients, "rows": rows, "dispatch_s": round(seconds, 2)})


def fanout_reset_quiet() -> None:
    Notification.objects.filter(kind="meeting.reminder").delete()


def fanout_status() -> None:
    rows = Notification.objects.filter(kind="meeting.reminder")
    out(
        {
            "pending": rows.filter(status="pending").count(),
            "sent": rows.filter(status="sent").count(),
            "failed": rows.filter(status="failed").count(),
        }
    )


JOB_KINDS = ["meeting.prompt", "meeting.digest"]


def jobs_reset() -> None:
    Notification.objects.filter(kind__in=JOB_KINDS).delete()


def timed(job, **kwargs) -> tuple[float, int]:
    started = time.perf_counter()
    written = job(**kwargs)
    seconds = time.perf_counter() - started
    return round(seconds, 2), written


def jobs() -> None:
    """The beat jobs at scale: every group's next meeting is a reflection inside its prompt
    window, timed once with every prompt due, once more on the next tick with nothing new,
    and the moderator digest over every group."""
    from groups.meetings.services import digest_send, prompts_send

    jobs_reset()
    now = timezone.now()
    groups = move_next_meetings(now, starts_at=now + timedelta(hours=24), is_reflection=True)
    members = Membership.objects.active().filter(group_id__in=groups).count()
    due_s, prompts = timed(prompts_send, now=now)
    tick_s, again = timed(prompts_send, now=now + timedelta(minutes=15))
    digest_s, digests = timed(digest_send, now=now)
    result = {
        "meetings": len(groups),
        "members": members,
        "prompts": prompts,
        "prompts_s": due_s,
        "tick_written": again,
        "tick_s": tick_s,
        "digest_groups": Membership.objects.active()
        .filter(role="moderator")
        .values("group_id")
        .distinct()
        .count(),
        "digests": digests,
        "digest_s": digest_s,
    }
    jobs_reset()
    out(result)


def export() -> None:
    """Peak memory while streaming the CSV of the biggest group and of the largest network."""
    from metrics.exports import export_rows
    from metrics.models import Action, Measurement

    results = {}
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    group_id = (
        Action.objects.values("group_id")
        .order_by()
        .annotate(n=django.db.models.Count("id"))
        .order_by("-n")
        .first()["group_id"]
    )
    network_id = (
        Action.objects.values("group__network_id")
        .order_by()
        .annotate(n=django.db.models.Count("id"))
        .order_by("-n")
        .first()["group__network_id"]
    )
    for name, actions, measurements in [
        (
            "group",
            Action.objects.filter(group_id=group_id),
            Measurement.objects.filter(group_id=group_id),
        ),
        (
            "network",
            Action.objects.filter(group__network_id=network_id),
            Measurement.objects.filter(group__network_id=network_id),
        ),
    ]:
        started, size, lines = time.perf_counter(), 0, 0
        for line in export_rows(actions, measurements):
            size += len(line)
            lines += 1
        results[name] = {
            "rows": lines - 1,
            "mb": round(size / 1e6, 1),
            "seconds": round(time.perf_counter() - started, 1),
        }
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    results["peak_mb"] = round(peak / 1024, 1)
    results["growth_mb"] = round((peak - base) / 1024, 1)
    out(results)


def prepare(scale: str) -> None:
    call_command("migrate", verbosity=0)
    if scale == "large":
        from impact.demo_large import is_seeded

        if is_seeded():
            out({"seeded": "reused"})
            return
    settings.DEBUG = True  # seed_demo refuses to run without it (it creates known passwords)
    started = time.perf_counter()
    call_command("seed_demo", scale=scale, stdout=sys.stderr)
    if connection.vendor == "postgresql":
        # What autovacuum will have done by the time people read a database this size: the
        # planner's statistics, and the search indexes' pending lists folded in.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
    out({"seeded": scale, "seconds": round(time.perf_counter() - started, 1)})


if __name__ == "__main__":
    step = sys.argv[1]
    {
        "prepare-large": lambda: prepare("large"),
        "prepare-small": lambda: prepare("small"),
        "login": login,
        "queries": queries,
        "render": render,
        "fanout-dispatch": fanout_dispatch,
        "fanout-status": fanout_status,
        "fanout-reset": fanout_reset,
        "jobs": jobs,
        "export": export,
    }[step]()
