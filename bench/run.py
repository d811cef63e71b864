"""`make bench`: the app at the scale of a large network, measured the way it is used.

Prepares a large and a small benchmark database (reusing them), starts gunicorn as in
production (DEBUG=0, PostgreSQL, Redis), drives it with wrk on loopback with a signed-in
member, and measures query counts, reminder fan-out and delivery, CSV export memory and
worker memory. Writes bench/results.json and bench/RESULTS.md.
"""

import datetime
import json
import os
import platform
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

# bench/ is on the path when this runs as `python bench/run.py`: the search scenario's module.
from search import SEARCH_END, SEARCH_START, search_load, search_markdown

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
PORT = int(os.environ.get("BENCH_PORT", "8765"))
SMTP_PORT = int(os.environ.get("BENCH_SMTP_PORT", "2526"))
DURATION = os.environ.get("BENCH_DURATION", "10s")
HEALTHZ_DURATION = os.environ.get("BENCH_HEALTHZ_DURATION", "5s")
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
LARGE_DB = os.environ.get("BENCH_DATABASE_URL", "postgres://root@127.0.0.1:5432/impact_bench")
ROOMS_DB = os.environ.get(
    "BENCH_ROOMS_DATABASE_URL", "postgres://root@127.0.0.1:5432/impact_bench_rooms"
)
# The live meeting room: one room of 15 alone, then many rooms of 15 at once.
ROOMS = int(os.environ.get("BENCH_ROOMS", "200"))
ROOMS_SECONDS = float(os.environ.get("BENCH_ROOMS_SECONDS", "20"))
ROOMS_TARGET_P95_MS = 250
# (name, rooms, seconds between moves in each room): every room moving once a second is far
# busier than a meeting (a step lasts minutes); once every 5 s is still a busy room.
ROOM_RUNS = (("one_room", 1, 1.0), ("many_rooms", ROOMS, 1.0), ("many_rooms_calm", ROOMS, 5.0))
SMALL_DB = os.environ.get(
    "BENCH_SMALL_DATABASE_URL", "postgres://root@127.0.0.1:5432/impact_bench_small"
)
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")
BROKER = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/6")
VAR = ROOT / "var" / "bench"
# The mixed day: every stream at once, each request as a member drawn at random.
MIXED_DURATION = os.environ.get("BENCH_MIXED_DURATION", "30s")
MIXED_MEMBERS = int(os.environ.get("BENCH_MIXED_MEMBERS", "2000"))
MIXED_GROUPS = int(os.environ.get("BENCH_MIXED_GROUPS", "500"))
# Connections per stream, 16 in all. wrk keeps every connection busy and gunicorn's 3 workers
# take requests from one queue, so under load each connection gets about the same number of
# requests whatever they cost: a stream's share of requests is about its share of connections
# (the first run, with 2 of 16 for writes, made 14% of requests writes). Writes get 3 (19%);
# the home page, the first a member opens, one more than the other pages.
MIXED_CONNECTIONS = os.environ.get(
    "BENCH_MIXED_CONNECTIONS",
    "home=3,group=2,group_impact=2,my_week=2,network=2,leaderboard=2,action_create=3",
)
MIXED_PAGES = ["home", "group", "group_impact", "my_week", "network", "leaderboard"]
TARGETS = {"ratio_to_healthz": 0.15, "page_p95_ms": 75, "write_share": 0.15, "render_ms": 6}


def env(database: str, **extra) -> dict:
    values = dict(os.environ)
    values.update(
        DEBUG="0",
        HTTPS="0",
        SECRET_KEY="bench-only-secret-key-" + "x" * 40,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=database,
        REDIS_URL=REDIS,
        CELERY_BROKER_URL=BROKER,
        STATIC_ROOT=str(VAR / "static"),
        API_WRITE_RATE="1000000/min",
        EMAIL_URL=f"smtp://127.0.0.1:{SMTP_PORT}",
        LOG_LEVEL="WARNING",
        CONN_MAX_AGE="600",
        SITE_URL=f"http://127.0.0.1:{PORT}",
    )
    values.update(extra)
    return values


def probe(step: str, database: str) -> dict:
    result = subprocess.run(
        [PY, str(ROOT / "bench" / "probe.py"), step],
        env=env(database),
        cwd=ROOT,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def ensure_database(url: str) -> None:
    name = url.rsplit("/", 1)[-1]
    exists = subprocess.run(
        [
            "psql",
            "-h",
            "127.0.0.1",
            "-U",
            "root",
            "-d",
            "postgres",
            "-tAc",
            f"SELECT 1 FROM pg_database WHERE datname='{name}'",
        ],
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    ).stdout.strip()
    if not exists:
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "root", name], check=True)


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 - our own loopback server
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer")


def wrk(
    name: str,
    path: str,
    *,
    headers: list[str],
    method: str = "GET",
    body: str | None = None,
    duration: str = DURATION,
) -> dict:
    command = [
        "wrk",
        "-t2",
        f"-c{CONNECTIONS}",
        f"-d{duration}",
        "--latency",
        "-s",
        str(ROOT / "bench" / "report.lua"),
    ]
    for header in headers:
        command += ["-H", header]
    command.append(f"http://127.0.0.1:{PORT}{path}")
    extra = {"BENCH_METHOD": method}
    if body is not None:
        extra.update(BENCH_BODY=body, BENCH_CONTENT_TYPE="application/json")
    output = subprocess.run(
        command, env={**os.environ, **extra}, stdout=subprocess.PIPE, text=True, check=True
    ).stdout
    line = next(line for line in output.splitlines() if line.startswith("BENCH_JSON "))
    result = json.loads(line.removeprefix("BENCH_JSON "))
    print(
        f"  {name:<20} {result['rps']:>8.1f} req/s  p50 {result['p50_ms']:6.1f} ms  p95 {result['p95_ms']:6.1f} ms  errors {result['errors']}"
    )
    return result


def rss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        status = Path(f"/proc/{pid}/status")
        if status.exists():
            match = re.search(r"VmRSS:\s+(\d+) kB", status.read_text())
            total = max(total, int(match.group(1)) if match else 0)
    return round(total / 1024, 1)


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def start_gunicorn(database: str = LARGE_DB) -> subprocess.Popen:
    return subprocess.Popen(
        [
            str(Path(PY).parent / "gunicorn"),
            *("-c", "python:impact.gunicorn"),  # as production runs it
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            os.environ.get("BENCH_WORKERS", "3"),
            "--log-level",
            "warning",
        ],
        env=env(database, GUNICORN_ACCESS_LOG=""),
        cwd=ROOT,
    )


def stop(*processes: subprocess.Popen | None) -> None:
    for process in processes:
        if process is not None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        if process is not None:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def mixed_members(step: str, path: Path) -> dict:
    command = [PY, str(ROOT / "bench" / "mixed_members.py"), step, str(path)]
    if step == "sign-in":
        command += [str(MIXED_MEMBERS), str(MIXED_GROUPS)]
    result = subprocess.run(
        command, env=env(LARGE_DB), cwd=ROOT, check=True, stdout=subprocess.PIPE, text=True
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def shared_parts_clear() -> int:
    """Drop every shared part, so the mixed day finds only what its own requests rendered."""
    result = subprocess.run(
        [
            PY,
            "-c",
            "import redis,sys; r=redis.Redis.from_url(sys.argv[1]); keys=list(r.scan_iter(match='*shared:part:*', count=1000));"
            " print(len(keys)); [r.delete(*keys[i:i+500]) for i in range(0, len(keys), 500)]",
            REDIS,
        ],
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    return int(result.stdout.strip() or 0)


def mixed_day() -> dict:
    """Every stream at once, one wrk per stream (so each stream's latency histogram is its
    own), with /healthz run just before and just after on the same connections."""
    split = {
        name: int(count)
        for name, count in (item.split("=") for item in MIXED_CONNECTIONS.split(","))
    }
    members_file = VAR / "mixed_members.txt"
    signed_in = mixed_members("sign-in", members_file)
    cleared = shared_parts_clear()
    print(
        f"Mixed day: {signed_in['members']} members of {signed_in['groups']} groups in"
        f" {signed_in['networks']} networks, {sum(split.values())} connections for {MIXED_DURATION}"
        f" ({cleared} shared parts dropped first):"
    )
    try:
        before = wrk("healthz (before)", "/healthz", headers=[], duration=HEALTHZ_DURATION)
        running = {}
        for name, count in split.items():
            running[name] = subprocess.Popen(
                [
                    "wrk",
                    "-t1",
                    f"-c{count}",
                    f"-d{MIXED_DURATION}",
                    "--latency",
                    "-s",
                    str(ROOT / "bench" / "mixed.lua"),
                    f"http://127.0.0.1:{PORT}/",
                ],
                env={**os.environ, "BENCH_STREAM": name, "BENCH_MEMBERS": str(members_file)},
                stdout=subprocess.PIPE,
                text=True,
            )
        streams = {}
        for name, process in running.items():
            output, _ = process.communicate()
            if process.returncode != 0:
                raise RuntimeError(f"wrk for {name} failed: {output}")
            line = next(line for line in output.splitlines() if line.startswith("BENCH_JSON "))
            streams[name] = json.loads(line.removeprefix("BENCH_JSON "))
            streams[name]["connections"] = split[name]
        after = wrk("healthz (after)", "/healthz", headers=[], duration=HEALTHZ_DURATION)
    finally:
        cleaned = mixed_members("sign-out", members_file)
    total_requests = sum(s["requests"] for s in streams.values())
    total_rps = round(sum(s["rps"] for s in streams.values()), 1)
    for name, stream in streams.items():
        stream["share"] = round(stream["requests"] / (total_requests or 1), 3)
        print(
            f"  {name:<20} {stream['connections']:>2} conn {stream['rps']:>8.1f} req/s ({stream['share']:.0%})"
            f"  p50 {stream['p50_ms']:6.1f}  p95 {stream['p95_ms']:6.1f}  p99 {stream['p99_ms']:6.1f} ms"
            f"  errors {stream['errors']}"
        )
    near = (before["rps"] + after["rps"]) / 2
    result = {
        "members": signed_in["members"],
        "groups": signed_in["groups"],
        "networks": signed_in["networks"],
        "connections": sum(split.values()),
        "duration": MIXED_DURATION,
        "shared_parts_dropped": cleared,
        "streams": streams,
        "total_rps": total_rps,
        "total_requests": total_requests,
        "errors": sum(s["errors"] for s in streams.values()),
        "write_share": streams.get("action_create", {}).get("share", 0),
        "healthz_before_rps": before["rps"],
        "healthz_after_rps": after["rps"],
        "healthz_adjacent_rps": round(near, 1),
        "ratio_to_healthz": round(total_rps / (near or 1), 3),
        "worst_page_p95_ms": max(
            streams[name]["p95_ms"] for name in MIXED_PAGES if name in streams
        ),
        "cleanup": cleaned,
    }
    print(
        f"  total {total_rps} req/s, {result['ratio_to_healthz']:.1%} of /healthz"
        f" ({before['rps']} before, {after['rps']} after); writes {result['write_share']:.0%};"
        f" errors {result['errors']}"
    )
    return result


def run_facts() -> dict:
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, stdout=subprocess.PIPE, text=True
    ).stdout.strip()
    return {
        "commit": commit,
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.node()} {os.cpu_count()} cores, {platform.python_implementation()} {platform.python_version()}",
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "conditions": os.environ.get("BENCH_CONDITIONS", ""),
    }


def main_mixed_only() -> None:
    """`bench/run.py --only mixed`: the mixed day alone, with its /healthz runs; it replaces
    the mixed-day section of RESULTS.md and the `mixed` entry of results.json."""
    VAR.mkdir(parents=True, exist_ok=True)
    facts = run_facts()
    print("Preparing the large database (reused when already seeded)...")
    ensure_database(LARGE_DB)
    probe("prepare-large", LARGE_DB)
    subprocess.run(
        [PY, "manage.py", "collectstatic", "--noinput", "-v0"],
        env=env(LARGE_DB),
        cwd=ROOT,
        check=True,
    )
    print("Each page rendered in process for 24 different members...")
    rendered = probe("render", LARGE_DB)
    gunicorn = start_gunicorn()
    try:
        wait_for(f"http://127.0.0.1:{PORT}/healthz")
        mixed = facts | mixed_day() | {"render": rendered}
    finally:
        stop(gunicorn)
    record("mixed", mixed, lambda text: splice_mixed(text, mixed_markdown(mixed)))
    print("Wrote the mixed day to bench/results.json and bench/RESULTS.md")


MIXED_START, MIXED_END = "<!-- mixed-day:start -->", "<!-- mixed-day:end -->"
STREAM_PATHS = {
    "home": "GET /",
    "group": "GET /groups/<id>/",
    "group_impact": "GET /groups/<id>/impact/",
    "my_week": "GET /me/week/",
    "network": "GET /networks/<slug>/",
    "leaderboard": "GET /networks/<slug>/leaderboard/",
    "action_create": "POST /api/actions/ (token)",
}


def mixed_markdown(m: dict) -> list[str]:
    """The mixed day as the headline of RESULTS.md, between markers so a run of it alone can
    replace it."""
    load = ", ".join(str(x) for x in m.get("load_average", []))
    lines = [
        MIXED_START,
        "## Mixed day (headline)",
        "",
        f"Commit `{m['commit']}`, {m['date']}, {m['machine']}; large data;"
        f" {m['connections']} connections for {m['duration']}, every stream at once (one wrk per"
        f" stream). Each request is made as one of {m['members']:,} signed-in members drawn at"
        f" random, from {m['groups']} groups in {m['networks']} networks; every shared part was"
        " dropped before the run and nothing warmed them.",
        f"Load average just before the run: {load}."
        + (f" {m['conditions']}" if m.get("conditions") else ""),
        "",
        "| stream | request | connections | req/s | share of requests | p50 ms | p95 ms | p99 ms | errors |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, s in m["streams"].items():
        lines.append(
            f"| {name} | {STREAM_PATHS.get(name, '')} | {s['connections']} | {s['rps']} "
            f"| {s['share']:.1%} | {s['p50_ms']} | {s['p95_ms']} | {s['p99_ms']} | {s['errors']} |"
        )
    lines += [
        f"| **all** | | {m['connections']} | **{m['total_rps']}** | 100% | | | | **{m['errors']}** |",
        "",
        f"`/healthz` on the same connections just before: {m['healthz_before_rps']} req/s, just after:"
        f" {m['healthz_after_rps']} req/s; the mixed day is **{m['ratio_to_healthz']:.1%}** of their mean"
        f" ({m['healthz_adjacent_rps']} req/s).",
        "",
        "| target (2 cores, 16 connections, large data) | measured | met? |",
        "| --- | --- | --- |",
        f"| all streams together at least {TARGETS['ratio_to_healthz']:.0%} of `/healthz` "
        f"| {m['ratio_to_healthz']:.1%} | {'yes' if m['ratio_to_healthz'] >= TARGETS['ratio_to_healthz'] else 'no'} |",
        f"| p95 under {TARGETS['page_p95_ms']} ms on every page stream | worst {m['worst_page_p95_ms']} ms "
        f"| {'yes' if m['worst_page_p95_ms'] < TARGETS['page_p95_ms'] else 'no'} |",
        f"| no errors | {m['errors']} | {'yes' if m['errors'] == 0 else 'no'} |",
        f"| writes at least {TARGETS['write_share']:.0%} of requests (a condition of the mix) "
        f"| {m['write_share']:.1%} | {'yes' if m['write_share'] >= TARGETS['write_share'] else 'no'} |",
    ]
    if m.get("render"):
        lines += ["", *render_markdown(m["render"])]
    lines.append(MIXED_END)
    return lines


def render_markdown(r: dict) -> list[str]:
    pages = {name: page for name, page in r.items() if name != "members"}
    worst = max(page["scratch"]["median_ms"] for page in pages.values())
    lines = [
        f"Each page rendered in process, one request at a time, for {r['members']} different"
        " members of as many groups (large data, `bench/probe.py render`): cold (every shared"
        " part dropped first), after a write in the member's group (every scope of the group"
        " and its network made new: what they show is rendered again, other groups' parts"
        " stay), and for another member of the same group right after, who finds the parts"
        f" the first one left. Target: at most {TARGETS['render_ms']} ms median after a write;"
        f" worst here {worst} ms ({'met' if worst <= TARGETS['render_ms'] else 'not met'}).",
        "",
        "| page | cold: median ms | queries | after a write: median ms | p90 ms | queries | parts kept: median ms | p90 ms | queries |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]

    def queries(run: dict) -> str:
        return "-".join(map(str, sorted(set(run["queries"]))))

    for name, page in pages.items():
        c, a, b = page["cold"], page["scratch"], page["shared"]
        lines.append(
            f"| {name} | {c['median_ms']} | {queries(c)} | {a['median_ms']} | {a['p90_ms']} "
            f"| {queries(a)} | {b['median_ms']} | {b['p90_ms']} | {queries(b)} |"
        )
    return lines


def splice_mixed(text: str, section: list[str]) -> str:
    """RESULTS.md with its mixed-day section replaced, or put first under the title."""
    block = "\n".join(section)
    if MIXED_START in text and MIXED_END in text:
        head, rest = text.split(MIXED_START, 1)
        return head + block + rest.split(MIXED_END, 1)[1]
    title, _, rest = text.partition("\n")
    return f"{title}\n\n{block}\n\n{rest.lstrip()}"


def rooms_load() -> dict:
    """The live room: every screen a socket through gunicorn's uvicorn workers (bench/rooms.py)."""
    people = VAR / "room-people.txt"
    ensure_database(ROOMS_DB)
    subprocess.run(
        [PY, str(ROOT / "bench" / "rooms.py"), "prepare", str(people), str(ROOMS)],
        env=env(ROOMS_DB),
        cwd=ROOT,
        check=True,
    )
    results = {}
    gunicorn = start_gunicorn(ROOMS_DB)
    try:
        wait_for(f"http://127.0.0.1:{PORT}/healthz")
        for name, rooms, interval in ROOM_RUNS:
            print(f"The live room: {rooms} room(s) of 15, a move every {interval} s...")
            run = subprocess.run(
                [
                    PY,
                    str(ROOT / "bench" / "rooms.py"),
                    "load",
                    str(people),
                    f"ws://127.0.0.1:{PORT}",
                    str(rooms),
                    str(ROOMS_SECONDS),
                    str(interval),
                ],
                cwd=ROOT,
                check=True,
                stdout=subprocess.PIPE,
                text=True,
            )
            results[name] = json.loads(run.stdout.strip().splitlines()[-1])
            # Between runs, the first run's rooms are fresh again for the second.
            subprocess.run(
                [PY, str(ROOT / "bench" / "rooms.py"), "prepare", str(people), str(ROOMS)],
                env=env(ROOMS_DB),
                cwd=ROOT,
                check=True,
                stdout=subprocess.DEVNULL,
            )
    finally:
        stop(gunicorn)
    return results | {
        "target_p95_ms": ROOMS_TARGET_P95_MS,
        "workers": os.environ.get("BENCH_WORKERS", "3"),
    }


ROOMS_START, ROOMS_END = "<!-- rooms:start -->", "<!-- rooms:end -->"


def rooms_markdown(r: dict) -> list[str]:
    lines = [
        ROOMS_START,
        "## The live meeting room",
        "",
        f"Every screen a WebSocket through gunicorn with {r['workers']} uvicorn workers and the "
        "Redis pub/sub channel layer, the load client (one Python process) on the same 2-core "
        "machine. All screens join first (each join tells everyone already in the room); after "
        "10 s each room's moderator takes the group to the next step at the interval shown. The "
        "delay is from the moderator's send to the state showing that step on each of the other "
        "14 screens. When moves come faster than the machine sends them, a screen may skip "
        "straight to a later step, so fewer screens follow than moves x 14.",
        "",
        "| Rooms | A move every | Sockets | Refused | Dropped | Moves | Screens followed | p50 ms | p95 ms | max ms | Messages/s | Joining |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, _rooms, _interval in ROOM_RUNS:
        m = r[name]
        lines.append(
            f"| {m['rooms']} | {m['interval_s']} s | {m['sockets']} | {m['refused']} | {m['dropped']} | "
            f"{m['moves']} | {m['followed']} | {m['delay_p50_ms']} | {m['delay_p95_ms']} | "
            f"{m['delay_max_ms']} | {m['messages_per_s']} | {m['connect_s']} s |"
        )
    lines.append("")
    for name in ("many_rooms", "many_rooms_calm"):
        m = r[name]
        met = m["delay_p95_ms"] < r["target_p95_ms"]
        lines.append(
            f"Target p95 under {r['target_p95_ms']} ms, {m['rooms']} rooms each moving every "
            f"{m['interval_s']} s: " + ("met." if met else f"**not met** ({m['delay_p95_ms']} ms).")
        )
    lines.append(ROOMS_END)
    return lines


def splice(text: str, section: list[str], start: str, end: str) -> str:
    """RESULTS.md with one section replaced, or added at the end."""
    block = "\n".join(section)
    if start in text and end in text:
        head, rest = text.split(start, 1)
        return head + block + rest.split(end, 1)[1]
    return text.rstrip() + "\n\n" + block + "\n"


def record(key: str, value: dict, rewrite) -> None:
    """One part's figures into bench/results.json, and its section of RESULTS.md rewritten."""
    path = ROOT / "bench" / "results.json"
    results = json.loads(path.read_text()) if path.exists() else {}
    results[key] = value
    path.write_text(json.dumps(results, indent=2) + "\n")
    markdown = ROOT / "bench" / "RESULTS.md"
    text = markdown.read_text() if markdown.exists() else "# Benchmark results\n"
    markdown.write_text(rewrite(text))


def main_rooms_only() -> None:
    """`bench/run.py --only rooms`: the live room's load alone; replaces its section."""
    VAR.mkdir(parents=True, exist_ok=True)
    rooms = run_facts() | rooms_load()
    record("rooms", rooms, lambda text: splice(text, rooms_markdown(rooms), ROOMS_START, ROOMS_END))
    print(json.dumps(rooms, indent=2))


def search_run() -> dict:
    """The search scenario (bench/search.py) against the running gunicorn."""
    return search_load(
        root=ROOT,
        port=PORT,
        members_file=VAR / "search_members.txt",
        sign_in=mixed_members,
        sign_out=mixed_members,
    )


def main_search_only() -> None:
    """`bench/run.py --only search`: the search scenario alone; replaces its section."""
    VAR.mkdir(parents=True, exist_ok=True)
    facts = run_facts()
    ensure_database(LARGE_DB)
    probe("prepare-large", LARGE_DB)
    subprocess.run(
        [PY, "manage.py", "collectstatic", "--noinput", "-v0"],
        env=env(LARGE_DB),
        cwd=ROOT,
        check=True,
    )
    gunicorn = start_gunicorn()
    try:
        wait_for(f"http://127.0.0.1:{PORT}/healthz")
        found = facts | search_run()
    finally:
        stop(gunicorn)
    record(
        "search",
        found,
        lambda text: splice(text, search_markdown(found), SEARCH_START, SEARCH_END),
    )
    print("Wrote the search scenario to bench/results.json and bench/RESULTS.md")


def main() -> None:
    if sys.argv[1:] == ["--only", "mixed"]:
        return main_mixed_only()
    if sys.argv[1:] == ["--only", "rooms"]:
        return main_rooms_only()
    if sys.argv[1:] == ["--only", "search"]:
        return main_search_only()
    if sys.argv[1:]:
        raise SystemExit("usage: bench/run.py [--only mixed|rooms|search]")
    VAR.mkdir(parents=True, exist_ok=True)
    facts = run_facts()
    results = {
        **facts,
        "connections": CONNECTIONS,
        "duration": DURATION,
    }
    print("Preparing databases (reused when already seeded)...")
    for url in (LARGE_DB, SMALL_DB):
        ensure_database(url)
    results["seed_large"] = probe("prepare-large", LARGE_DB)
    probe("prepare-small", SMALL_DB)

    subprocess.run(
        [PY, "manage.py", "collectstatic", "--noinput", "-v0"],
        env=env(LARGE_DB),
        cwd=ROOT,
        check=True,
    )
    print("Query counts, small against large:")
    small, large = probe("queries", SMALL_DB), probe("queries", LARGE_DB)
    results["queries"] = {}
    for name in small:
        if name.endswith(("_cached", "_ms")):
            continue
        counts = {"small": small[name], "large": large[name]}
        if f"{name}_cached" in small:
            counts.update(
                small_cached=small[f"{name}_cached"],
                large_cached=large[f"{name}_cached"],
                rendered_ms=large[f"{name}_ms"]["rendered"],
                cached_ms=large[f"{name}_ms"]["cached"],
            )
        results["queries"][name] = counts
        print(
            f"  {name:<20} from scratch {counts['small']:>3} / {counts['large']:>3}"
            + (
                f", with shared parts kept {counts['small_cached']} / {counts['large_cached']}"
                if "small_cached" in counts
                else ""
            )
        )

    sink_file = VAR / "smtp.json"
    sink = subprocess.Popen(
        [PY, str(ROOT / "bench" / "smtp_sink.py"), str(SMTP_PORT), str(sink_file)]
    )
    gunicorn = start_gunicorn()
    workers = None
    try:
        wait_for(f"http://127.0.0.1:{PORT}/healthz")
        print("Each page rendered in process for 24 different members...")
        rendered = probe("render", LARGE_DB)
        results["mixed"] = facts | mixed_day() | {"render": rendered}
        results["search"] = facts | search_run()
        who = probe("login", LARGE_DB)
        cookie = [f"Cookie: sessionid={who['session']}"]
        token = [f"Authorization: Token {who['token']}"]
        print(f"Load: {CONNECTIONS} connections for {DURATION} each, signed in as a member:")
        pages = {
            "healthz": wrk("healthz", "/healthz", headers=[]),
        }
        # Each page is compared with the /healthz runs just before and just after it: on a
        # shared machine the speed drifts by tens of percent within minutes.
        adjacent = {}

        def measured(name: str, path: str, **kwargs) -> dict:
            adjacent[name] = wrk("  (healthz)", "/healthz", headers=[], duration=HEALTHZ_DURATION)
            return wrk(name, path, **kwargs)

        pages |= {
            "member_dashboard": measured("member_dashboard", "/", headers=cookie),
            "member_week": measured("member_week", "/me/week/", headers=cookie),
            "group_dashboard": measured(
                "group_dashboard", f"/groups/{who['group']}/impact/", headers=cookie
            ),
            "network_page": measured(
                "network_page", f"/networks/{who['network']}/", headers=cookie
            ),
            "leaderboard": measured(
                "leaderboard", f"/networks/{who['network']}/leaderboard/", headers=cookie
            ),
            "actions_list_api": measured(
                "actions_list_api", f"/api/actions/?group={who['group']}", headers=token
            ),
            "actions_feed_api": measured("actions_feed_api", "/api/actions/", headers=token),
            "action_create_api": measured(
                "action_create_api",
                "/api/actions/",
                headers=token,
                method="POST",
                body=json.dumps(
                    {
                        "group": who["group"],
                        "description": "Bench action",
                        "happened_on": who["today"],
                        "effort_minutes": 30,
                    }
                ),
            ),
        }
        adjacent["end"] = wrk("  (healthz)", "/healthz", headers=[], duration=HEALTHZ_DURATION)
        floor = pages["healthz"]["rps"] or 1
        names = list(adjacent)
        for name, page in pages.items():
            if name not in adjacent:
                page.update(healthz_before_rps=floor, healthz_after_rps=floor)
            else:
                after = names[names.index(name) + 1]
                page["healthz_before_rps"] = adjacent[name]["rps"]
                page["healthz_after_rps"] = adjacent[after]["rps"]
            # Against the mean of the /healthz runs just before and just after the page.
            near = (page["healthz_before_rps"] + page["healthz_after_rps"]) / 2
            page["healthz_adjacent_rps"] = round(near, 1)
            page["ratio_to_healthz"] = round(page["rps"] / (near or 1), 3)
            page["ratio_to_first_healthz"] = round(page["rps"] / floor, 3)
        results["pages"] = pages
        results["worker_rss_mb"] = rss_mb(children(gunicorn.pid))

        print("Reminder fan-out and delivery:")
        fanout = probe("fanout-dispatch", LARGE_DB)
        workers = subprocess.Popen(
            [
                str(Path(PY).parent / "celery"),
                "-A",
                "impact",
                "worker",
                "--concurrency",
                "2",
                "--loglevel",
                "WARNING",
                "--without-mingle",
                "--without-gossip",
            ],
            env=env(LARGE_DB),
            cwd=ROOT,
        )
        subprocess.run(
            [PY, "-c", "import redis,sys; redis.Redis.from_url(sys.argv[1]).flushdb()", BROKER],
            check=True,
        )
        started = time.monotonic()
        subprocess.run(
            [
                PY,
                "-c",
                "import django,os;os.environ.setdefault('DJANGO_SETTINGS_MODULE','impact.settings');django.setup();from impact.services import outbox_sweep;print(outbox_sweep(limit=100000))",
            ],
            env=env(LARGE_DB),
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        deadline = started + 600
        status = {}
        while time.monotonic() < deadline:
            status = probe("fanout-status", LARGE_DB)
            if status["pending"] == 0:
                break
            time.sleep(2)
        seconds = time.monotonic() - started
        time.sleep(1.5)
        sink_counts = (
            json.loads(sink_file.read_text())
            if sink_file.exists()
            else {"received": 0, "unique": 0}
        )
        results["fanout"] = {
            "recipients": fanout["recipients"],
            "rows": fanout["rows"],
            "dispatch_s": fanout["dispatch_s"],
            "delivered": status.get("sent", 0),
            "delivery_s": round(seconds, 1),
            "delivery_per_s": round(status.get("sent", 0) / seconds, 1) if seconds else 0,
            "duplicates": sink_counts["received"] - sink_counts["unique"],
        }
        print(
            f"  {fanout['rows']} outbox rows in {fanout['dispatch_s']} s; {results['fanout']['delivery_per_s']} emails/s"
        )
        probe("fanout-reset", LARGE_DB)
    finally:
        stop(workers, gunicorn, sink)

    print("Beat jobs (reflection prompts, moderator digest):")
    results["jobs"] = jobs = probe("jobs", LARGE_DB)
    # The prompts were handed to the broker with no worker running: drop them with their rows.
    subprocess.run(
        [PY, "-c", "import redis,sys; redis.Redis.from_url(sys.argv[1]).flushdb()", BROKER],
        check=True,
    )
    print(
        f"  prompts for {jobs['members']} members of {jobs['meetings']} meetings in {jobs['prompts_s']} s;"
        f" next tick {jobs['tick_s']} s ({jobs['tick_written']} written);"
        f" digest for {jobs['digest_groups']} groups in {jobs['digest_s']} s"
    )

    print("CSV export memory:")
    results["export"] = probe("export", LARGE_DB)
    print(f"  peak {results['export']['peak_mb']} MB (growth {results['export']['growth_mb']} MB)")

    results["rooms"] = facts | rooms_load()

    (ROOT / "bench" / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    write_markdown(results)
    print("Wrote bench/results.json and bench/RESULTS.md")


def write_markdown(r: dict) -> None:
    lines = ["# Benchmark results", ""]
    if r.get("mixed"):
        lines += [*mixed_markdown(r["mixed"]), ""]
    if r.get("rooms"):
        lines += [*rooms_markdown(r["rooms"]), ""]
    if r.get("search"):
        lines += [*search_markdown(r["search"]), ""]
    lines += [
        "## One member, one page at a time",
        "",
        f"Commit `{r['commit']}`, {r['date']}, {r['machine']}; {r['connections']} connections, {r['duration']} per page.",
        "Data: 20 networks, 2,000 groups, 25,000 members, 1,000,000 actions, 300,000 measurements.",
        "",
        "| page | req/s | p50 ms | p95 ms | p99 ms | errors | /healthz just before and after, mean req/s | ratio to it | ratio to the first /healthz |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, p in r["pages"].items():
        lines.append(
            f"| {name} | {p['rps']} | {p['p50_ms']} | {p['p95_ms']} | {p['p99_ms']} | {p['errors']} "
            f"| {p['healthz_adjacent_rps']} | {p['ratio_to_healthz']} | {p['ratio_to_first_healthz']} |"
        )
    lines += [
        "",
        "What a page costs for the probe's member when it is rendered from scratch (every shared"
        " part made old first, as after a write in the group) and with its shared parts kept"
        " (`impact/shared.py`), one request at a time, in process:",
        "",
        "| queries per page | from scratch, small data | from scratch, large data | parts kept, small | parts kept, large | from scratch ms | parts kept ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, q in r["queries"].items():
        lines.append(
            f"| {name} | {q['small']} | {q['large']} | {q.get('small_cached', '')} "
            f"| {q.get('large_cached', '')} | {q.get('rendered_ms', '')} | {q.get('cached_ms', '')} |"
        )
    f = r["fanout"]
    lines += [
        "",
        f"Reminder fan-out: {f['rows']} outbox rows for {f['recipients']} members in {f['dispatch_s']} s; "
        f"delivery to a local SMTP sink with 2 worker processes: {f['delivery_per_s']} emails/s, {f['duplicates']} duplicates.",
    ]
    j = r.get("jobs")
    if j:
        lines.append(
            f"Beat jobs: reflection prompts for {j['members']} members of {j['meetings']} meetings "
            f"(all due) in {j['prompts_s']} s, {j['prompts']} emails written; the next tick with "
            f"nothing new in {j['tick_s']} s, {j['tick_written']} written; the moderator digest "
            f"for {j['digest_groups']} groups in {j['digest_s']} s, {j['digests']} emails."
        )
    lines += [
        f"CSV export: peak {r['export']['peak_mb']} MB for the process (group: {r['export']['group']['rows']} rows, "
        f"network: {r['export']['network']['rows']} rows).",
        f"Gunicorn worker memory after the run: {r['worker_rss_mb']} MB.",
    ]
    notes = ROOT / "bench" / "NOTES.md"
    if notes.exists():
        lines += ["", notes.read_text().strip()]
    (ROOT / "bench" / "RESULTS.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
