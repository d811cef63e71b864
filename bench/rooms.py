"""The live meeting room under load: many rooms of 15 at once, every screen a real socket.

    python bench/rooms.py prepare FILE ROOMS     (Django side, against the rooms database)
    python bench/rooms.py load FILE URL ROOMS SECONDS [INTERVAL]

`prepare` makes (once) a network of ROOMS groups of 15 (a moderator and 14 members), gives each
group a reflection meeting that began a minute ago with a fresh room, signs every person in
(a session in the app's own engine) and writes one line per person:

    cookie-name session-key meeting-id role

`load` opens a socket for every person of the first ROOMS meetings (15 per room, as browsers
do: the session cookie and the site's Origin), waits until every screen has its room's state,
then has each room's moderator take the group to the next step every INTERVAL seconds (1). Every other
screen waits for the state that shows that step; the delay from the moderator's send to its
arrival is recorded for each of them. Prints one JSON object on its last line: delays (p50,
p95, max in ms), messages delivered per second, sockets, refused connects.
"""

import asyncio
import json
import os
import random
import sys
import time
from pathlib import Path

STEPS = ["impact", "reflections", "help", "questions", "review", "pulse", "next"]
SIZE = 15
SETTLE = 10  # seconds between the last join and the first move


def out(data) -> None:
    print(json.dumps(data, default=str))


def prepare(path: Path, rooms: int) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "impact.settings")
    import django

    django.setup()
    from datetime import timedelta
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.core.management import call_command
    from django.utils import timezone

    from groups.meetings.models import Meeting, Session
    from groups.models import Group, Membership, Network, NetworkMembership
    from impact.models import User

    started = time.monotonic()
    call_command("migrate", verbosity=0)
    network, _ = Network.objects.get_or_create(
        slug="bench-rooms", defaults={"name": "Bench rooms", "is_public": False}
    )
    have = Group.objects.filter(network=network).count()
    for number in range(have, rooms):
        group = Group.objects.create(
            network=network, name=f"Room {number:03d}", purpose="Bench.", capacity=SIZE
        )
        people = User.objects.bulk_create(
            User(username=f"room{number:03d}-{seat:02d}", display_name=f"Person {seat} of {number}")
            for seat in range(SIZE)
        )
        for person in people:
            person.set_unusable_password()
        User.objects.bulk_update(people, ["password"])
        Membership.objects.bulk_create(
            Membership(group=group, user=person, role="moderator" if seat == 0 else "member")
            for seat, person in enumerate(people)
        )
        NetworkMembership.objects.bulk_create(
            NetworkMembership(network=network, user=person) for person in people
        )
    groups = list(Group.objects.filter(network=network).order_by("name")[:rooms])
    now = timezone.now()
    # A fresh meeting each run: the last run's rooms, sessions and attendance go with it.
    Meeting.objects.filter(group__in=groups).delete()
    meetings = Meeting.objects.bulk_create(
        Meeting(group=group, starts_at=now - timedelta(minutes=1)) for group in groups
    )
    Session.objects.bulk_create(Session(meeting=m, group=m.group) for m in meetings)
    engine = import_module(settings.SESSION_ENGINE)
    lines = []
    seats = Membership.objects.filter(group__in=groups).select_related("user").order_by("id")
    meeting_of = {m.group_id: m.pk for m in meetings}
    for seat in seats:
        session = engine.SessionStore()
        session[SESSION_KEY] = str(seat.user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = seat.user.get_session_auth_hash()
        session.create()
        lines.append(
            f"{settings.SESSION_COOKIE_NAME} {session.session_key} {meeting_of[seat.group_id]} {seat.role}"
        )
    path.write_text("\n".join(lines) + "\n")
    out(
        {
            "rooms": len(groups),
            "people": len(lines),
            "seconds": round(time.monotonic() - started, 1),
        }
    )


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))], 1) if ordered else 0.0


async def load(path: Path, url: str, rooms: int, seconds: float, interval: float) -> dict:
    import websockets

    people: dict[int, list[tuple[str, str, str]]] = {}
    for line in path.read_text().split("\n"):
        if line.strip():
            cookie, key, meeting, role = line.split()
            people.setdefault(int(meeting), []).append((cookie, key, role))
    meetings = sorted(people)[:rooms]
    origin = url.replace("ws://", "http://").split("/ws/")[0]
    sent: dict[tuple[int, str], float] = {}
    delays: list[float] = []
    counts = {"messages": 0, "refused": 0, "sockets": 0, "dropped": 0, "moves": 0}
    ready = asyncio.Event()
    joined = 0
    expected = sum(min(SIZE, len(people[m])) for m in meetings)
    connect_gate = asyncio.Semaphore(40)  # browsers arrive over a few seconds, not at once
    stop_at: list[float] = []

    def one_more_joined() -> None:
        nonlocal joined
        joined += 1
        if joined == expected:
            # The measured time starts when every screen is in and the joins' own news (each
            # join tells everyone already there) has been delivered.
            stop_at.append(time.monotonic() + SETTLE + seconds)
            ready.set()

    async def screen(meeting: int, cookie: str, key: str, role: str) -> None:
        address = f"{url}/ws/meetings/{meeting}/room/"
        try:
            async with connect_gate:
                socket = await websockets.connect(
                    address,
                    additional_headers={"Cookie": f"{cookie}={key}", "Origin": origin},
                    open_timeout=60,
                    max_size=2**20,
                )
                await socket.recv()  # the room's state: this screen is in
        except Exception:
            counts["refused"] += 1
            one_more_joined()
            return
        counts["sockets"] += 1
        one_more_joined()
        try:
            if role == "moderator":
                await ready.wait()
                await asyncio.sleep(SETTLE + random.random() * interval)  # rooms differ
                step = 0
                reader = asyncio.create_task(drain(socket))
                while time.monotonic() < stop_at[0]:
                    step = (step + 1) % len(STEPS)
                    sent[(meeting, STEPS[step])] = time.monotonic()
                    counts["moves"] += 1
                    await socket.send(json.dumps({"type": "move", "step": STEPS[step]}))
                    await asyncio.sleep(interval)
                await asyncio.sleep(2)  # the last move's deliveries
                reader.cancel()
            else:
                await ready.wait()
                deadline = stop_at[0] + 2
                while time.monotonic() < deadline:
                    try:
                        text = await asyncio.wait_for(socket.recv(), deadline - time.monotonic())
                    except TimeoutError:
                        break
                    except websockets.ConnectionClosed:
                        counts["dropped"] += 1
                        break
                    arrived = time.monotonic()
                    if arrived >= measure_from[0]:
                        counts["messages"] += 1
                    message = json.loads(text)
                    at = sent.get((meeting, message.get("step")))
                    if message.get("type") == "state" and at is not None and arrived >= at:
                        # The first state showing the new step since it was sent: this screen
                        # has followed (a step comes round again every seven moves).
                        followed = (meeting, message["step"], at, id(socket))
                        if followed not in seen:
                            seen.add(followed)
                            delays.append((arrived - at) * 1000)
        finally:
            await socket.close()

    async def drain(socket) -> None:
        try:
            async for _ in socket:
                if time.monotonic() >= measure_from[0]:
                    counts["messages"] += 1
        except websockets.ConnectionClosed:
            counts["dropped"] += 1

    seen: set = set()
    measure_from = [float("inf")]
    started = time.monotonic()
    tasks = [
        asyncio.create_task(screen(meeting, *person))
        for meeting in meetings
        for person in people[meeting][:SIZE]
    ]
    await ready.wait()
    connected = time.monotonic() - started
    measure_from[0] = measuring = time.monotonic() + SETTLE
    await asyncio.gather(*tasks)
    elapsed = time.monotonic() - measuring
    return {
        "rooms": len(meetings),
        "sockets": counts["sockets"],
        "refused": counts["refused"],
        "dropped": counts["dropped"],
        "connect_s": round(connected, 1),
        "moves": counts["moves"],
        "interval_s": interval,
        "followed": len(delays),
        "delay_p50_ms": percentile(delays, 0.50),
        "delay_p95_ms": percentile(delays, 0.95),
        "delay_max_ms": round(max(delays), 1) if delays else 0.0,
        "messages_per_s": round(counts["messages"] / elapsed, 1),
    }


def main() -> None:
    step = sys.argv[1] if len(sys.argv) > 1 else ""
    if step == "prepare":
        return prepare(Path(sys.argv[2]), int(sys.argv[3]))
    if step == "load":
        try:
            import uvloop

            uvloop.install()
        except ImportError:
            pass
        result = asyncio.run(
            load(
                Path(sys.argv[2]),
                sys.argv[3],
                int(sys.argv[4]),
                float(sys.argv[5]),
                float(sys.argv[6]) if len(sys.argv) > 6 else 1.0,
            )
        )
        return out(result)
    raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
