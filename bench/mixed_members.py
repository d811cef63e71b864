"""Django-side steps of the mixed-day benchmark, run in a subprocess against the large database.

    python bench/mixed_members.py sign-in FILE [MEMBERS] [GROUPS]
    python bench/mixed_members.py sign-out FILE

`sign-in` draws MEMBERS different members (2,000) from GROUPS groups (500) picked at random,
signs each in the way `django.contrib.auth.login` does (a session in the app's own session
engine) and gives each an API token, then writes one line per member for wrk's Lua script:

    cookie-name session-key token group-id network-slug today

(`today` is the member's own date, the day an action is logged for: a day in the future of
the member's time zone would be refused). `sign-out` deletes those sessions and the actions
the load logged. Each prints one JSON object on its last line.
"""

import json
import os
import random
import sys
from importlib import import_module
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "impact.settings")

import django

django.setup()

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.core.cache import cache
from django.utils import timezone
from rest_framework.authtoken.models import Token

from groups.models import Membership

# The POST stream's description: `probe.py fanout-reset` deletes these too.
BENCH_DESCRIPTION = "Bench action"
SEED = 15  # the same members every run, so runs compare


def out(data) -> None:
    print(json.dumps(data, default=str))


def sign_in(path: Path, members: int, groups: int) -> None:
    now = timezone.now()
    per_group = -(-members // groups)  # ceiling: 2,000 members from 500 groups is 4 each
    seats = (
        Membership.objects.active()
        .filter(role="member")
        .select_related("group__network", "user")
        .order_by("group_id", "id")
    )
    by_group: dict[int, list] = {}
    for seat in seats:
        by_group.setdefault(seat.group_id, []).append(seat)
    # A group needs enough members, and must have started on every member's calendar today.
    eligible = [
        group_id
        for group_id, group_seats in by_group.items()
        if len(group_seats) >= per_group
        and all(
            timezone.localtime(s.group.created_at, s.user.zone).date()
            <= timezone.localtime(now, s.user.zone).date()
            for s in group_seats
        )
    ]
    rng = random.Random(SEED)
    rng.shuffle(eligible)
    if len(eligible) < groups:
        raise SystemExit(f"only {len(eligible)} groups have {per_group} members; {groups} needed")
    chosen, seen = [], set()
    for group_id in eligible:
        if len(chosen) >= members:
            break
        fresh = [s for s in by_group[group_id] if s.user_id not in seen]
        if len(fresh) < per_group:
            continue
        for seat in rng.sample(fresh, per_group):
            chosen.append(seat)
            seen.add(seat.user_id)
    chosen = chosen[:members]
    used_groups = {seat.group_id for seat in chosen}
    if len(chosen) < members or len(used_groups) < groups:
        raise SystemExit(f"drew {len(chosen)} members from {len(used_groups)} groups")

    # What `login()` stores in a session, in the session engine the app uses (cached_db with
    # Redis: written to PostgreSQL and to the cache, as a real sign-in writes it).
    store = import_module(settings.SESSION_ENGINE).SessionStore
    have_token = set(Token.objects.filter(user_id__in=seen).values_list("user_id", flat=True))
    # bulk_create skips Token.save(), which is where a key is made.
    Token.objects.bulk_create(
        [
            Token(user=seat.user, key=Token.generate_key())
            for seat in chosen
            if seat.user_id not in have_token
        ]
    )
    tokens = dict(Token.objects.filter(user_id__in=seen).values_list("user_id", "key"))
    lines = []
    for seat in chosen:
        user = seat.user
        session = store()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        today = timezone.localtime(now, user.zone).date()
        lines.append(
            " ".join(
                [
                    settings.SESSION_COOKIE_NAME,
                    session.session_key,
                    tokens[user.pk],
                    str(seat.group_id),
                    seat.group.network.slug,
                    today.isoformat(),
                ]
            )
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    out(
        {
            "members": len(chosen),
            "groups": len(used_groups),
            "networks": len({seat.group.network_id for seat in chosen}),
            "session_engine": settings.SESSION_ENGINE,
            "file": str(path),
        }
    )


def sign_out(path: Path) -> None:
    from django.contrib.sessions.models import Session

    from metrics.models import Action

    keys = [line.split()[1] for line in path.read_text().splitlines() if line.strip()]
    sessions, _ = Session.objects.filter(session_key__in=keys).delete()
    store = import_module(settings.SESSION_ENGINE).SessionStore
    cache_prefix = getattr(store, "cache_key_prefix", None)
    if cache_prefix:
        cache.delete_many([cache_prefix + key for key in keys])
    actions, _ = Action.objects.filter(description=BENCH_DESCRIPTION).delete()
    out({"sessions": sessions, "bench_actions": actions})


if __name__ == "__main__":
    step, file = sys.argv[1], Path(sys.argv[2])
    if step == "sign-in":
        sign_in(
            file,
            int(sys.argv[3]) if len(sys.argv) > 3 else 2000,
            int(sys.argv[4]) if len(sys.argv) > 4 else 500,
        )
    elif step == "sign-out":
        sign_out(file)
    else:
        raise SystemExit(f"unknown step {step}")
