"""The search scenario of `make bench` (issue #20): many signed-in members searching different
words at once, through the page and the API.

`python bench/run.py --only search` runs it alone against the large database and replaces its
section of RESULTS.md and its entry in results.json. The members are the mixed day's (2,000
members of 500 groups, `bench/mixed_members.py`), each request a member and a word drawn at
random (`bench/search.lua`). Target: p95 under 50 ms.
"""

import json
import os
import subprocess

SEARCH_CONNECTIONS = int(os.environ.get("BENCH_SEARCH_CONNECTIONS", "4"))
SEARCH_DURATION = os.environ.get("BENCH_SEARCH_DURATION", "20s")
# Fresh workers first: each web thread's connection prepares each shape of the statement once
# (some 20 ms), then keeps it. The warm-up's figures are reported beside the measured ones.
SEARCH_WARMUP = os.environ.get("BENCH_SEARCH_WARMUP", "5s")
SEARCH_TARGET_P95_MS = 50
THREADS = min(2, SEARCH_CONNECTIONS)  # wrk needs at least one connection per thread
SEARCH_START, SEARCH_END = "<!-- search:start -->", "<!-- search:end -->"


def search_load(*, root, port: int, members_file, sign_in, sign_out) -> dict:
    """Each way in (page, API) for SEARCH_DURATION on SEARCH_CONNECTIONS connections."""
    signed_in = sign_in("sign-in", members_file)
    print(
        f"Search: {signed_in['members']} members of {signed_in['groups']} groups,"
        f" {SEARCH_CONNECTIONS} connections for {SEARCH_DURATION} per way in:"
    )
    runs = {}
    healthz = _healthz(root, port)
    print(f"  /healthz on the same connections just before: {healthz['rps']} req/s")
    try:
        for kind in ("page", "api"):
            warmup = _wrk(root, port, members_file, kind, SEARCH_WARMUP)
            runs[kind] = _wrk(root, port, members_file, kind, SEARCH_DURATION)
            runs[kind]["warmup_p95_ms"] = warmup["p95_ms"]
            r = runs[kind]
            print(
                f"  {kind:<6} {r['rps']:>8.1f} req/s  p50 {r['p50_ms']:6.1f}  p95 {r['p95_ms']:6.1f}"
                f"  p99 {r['p99_ms']:6.1f} ms  errors {r['errors']}"
                f"  (warm-up {SEARCH_WARMUP}: p95 {warmup['p95_ms']:.1f} ms)"
            )
    finally:
        sign_out("sign-out", members_file)
    return {
        "healthz_before_rps": healthz["rps"],
        "load_average_before": healthz["load_average"],
        "members": signed_in["members"],
        "groups": signed_in["groups"],
        "connections": SEARCH_CONNECTIONS,
        "duration": SEARCH_DURATION,
        "warmup": SEARCH_WARMUP,
        "runs": runs,
        "worst_p95_ms": max(r["p95_ms"] for r in runs.values()),
        "target_p95_ms": SEARCH_TARGET_P95_MS,
    }


def _wrk(root, port: int, members_file, kind: str, duration: str) -> dict:
    """One way in (page or api) for `duration`: wrk's figures."""
    output = subprocess.run(
        [
            "wrk",
            f"-t{THREADS}",
            f"-c{SEARCH_CONNECTIONS}",
            f"-d{duration}",
            "--latency",
            "-s",
            str(root / "bench" / "search.lua"),
            f"http://127.0.0.1:{port}/",
        ],
        env={**os.environ, "BENCH_MEMBERS": str(members_file), "BENCH_SEARCH_PATH": kind},
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    ).stdout
    line = next(line for line in output.splitlines() if line.startswith("BENCH_JSON "))
    return json.loads(line.removeprefix("BENCH_JSON "))


def _healthz(root, port: int) -> dict:
    """/healthz on the search's connections: how fast the machine answers at all right now."""
    load = [round(x, 2) for x in os.getloadavg()]
    output = subprocess.run(
        [
            "wrk",
            f"-t{THREADS}",
            f"-c{SEARCH_CONNECTIONS}",
            "-d5s",
            "--latency",
            "-s",
            str(root / "bench" / "report.lua"),
            f"http://127.0.0.1:{port}/healthz",
        ],
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    ).stdout
    line = next(line for line in output.splitlines() if line.startswith("BENCH_JSON "))
    return json.loads(line.removeprefix("BENCH_JSON ")) | {"load_average": load}


def search_markdown(s: dict) -> list[str]:
    met = "met" if s["worst_p95_ms"] < s["target_p95_ms"] else "NOT met"
    lines = [
        SEARCH_START,
        "## Search: many members searching different words",
        "",
        f"Commit `{s.get('commit', '')}`, {s.get('date', '')}, {s.get('machine', '')}."
        f" {s['members']} members of {s['groups']} groups, each request a member and a word"
        f" drawn at random (`bench/search.lua`), {s['connections']} connections for"
        f" {s['duration']} per way in, after {s.get('warmup', 'no')} of the same unmeasured"
        f" (fresh workers prepare their statements then: its p95 is in the last column)."
        f" Target p95 under {s['target_p95_ms']} ms: {met}."
        f" Just before: /healthz {s.get('healthz_before_rps', '?')} req/s on the same"
        f" connections, load average {s.get('load_average_before', '?')}."
        f" {s.get('conditions', '')}".rstrip(),
        "",
        "| way in | req/s | p50 ms | p95 ms | p99 ms | errors | warm-up p95 ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    paths = {"page": "GET /search/?q=", "api": "GET /api/search/?q= (token)"}
    for kind, r in s["runs"].items():
        lines.append(
            f"| {paths[kind]} | {r['rps']} | {r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']}"
            f" | {r['errors']} | {r.get('warmup_p95_ms', '')} |"
        )
    return [*lines, SEARCH_END]
