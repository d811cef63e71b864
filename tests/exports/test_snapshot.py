"""A zip is read in one snapshot: what is written while it streams is not in it, its tables
agree, and a download abandoned half way leaves no transaction open.

These tests commit (the writer and the watcher are other connections, which see only what
is committed), so they run outside the test transaction."""

import gc
import threading
import tracemalloc

import psycopg2
import pytest
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone

from metrics import services as metrics
from metrics.models import Action
from tests.exports.conftest import Export

pytestmark = pytest.mark.django_db(transaction=True)

URL = reverse("metrics:my_data_export")


def _in_another_thread(work) -> None:
    """Run `work` on a connection of its own, committed before this returns."""
    failures = []

    def run():
        try:
            work()
        except Exception as error:  # handed to the test, which fails with it
            failures.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=30)
    assert not thread.is_alive()
    assert not failures, failures


def _read_until(chunks, name: bytes) -> bytes:
    """The stream up to and including the chunk that holds the zip entry `name` (an entry's
    header and data leave together, once the entry is written)."""
    read = b""
    for chunk in chunks:
        read += chunk
        if name in read:
            return read
    raise AssertionError(f"{name!r} is not in the zip")


def _state_of(backend_pid: int) -> str | None:
    """The backend's state as another connection sees it in pg_stat_activity."""
    settings = connection.settings_dict
    watcher = psycopg2.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        password=settings["PASSWORD"],
        host=settings["HOST"],
        port=settings["PORT"] or None,
    )
    try:
        with watcher.cursor() as cursor:
            cursor.execute("SELECT state FROM pg_stat_activity WHERE pid = %s", [backend_pid])
            row = cursor.fetchone()
            return row[0] if row else None
    finally:
        watcher.close()


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def test_an_action_logged_mid_download_is_in_none_of_its_tables(lives, member, group, signed_in):
    client = signed_in(member)
    trees = lives["trees"]
    response = client.get(URL)
    chunks = iter(response.streaming_content)
    # The actions' CSV is read; their JSON and the measurements are still to come.
    read = _read_until(chunks, b"csv/actions.csv")
    assert b"json/actions.json" not in read

    def log_an_action():
        metrics.action_log(
            user=member,
            group=group,
            description="Logged while the zip streamed",
            happened_on=timezone.localdate(),
            effort_minutes=15,
            impacts=[(trees.pk, 9)],
        )

    _in_another_thread(log_an_action)
    export = Export(read + b"".join(chunks))

    csv_actions, json_actions = export.csv("actions"), export.json("actions")
    assert [a["description"] for a in json_actions] == ['=HYPERLINK("http://evil.example")']
    assert [int(a["id"]) for a in csv_actions] == [a["id"] for a in json_actions]
    measurements = export.json("measurements")
    assert [m["value"] for m in measurements] == ["4.00"]
    assert {m["action_id"] for m in measurements} <= {a["id"] for a in json_actions}
    # The write did commit: the next download holds it, in both files.
    later = Export(b"".join(client.get(URL).streaming_content))
    assert len(later.csv("actions")) == len(later.json("actions")) == 2
    assert sorted(m["value"] for m in later.json("measurements")) == ["4.00", "9.00"]


def test_the_network_zip_counts_agree_with_its_rows_when_a_session_closes_mid_download(
    lives, network, group, organizer, moderator, signed_in
):
    """The sessions are read before the next actions: a session closed and its next action
    agreed meanwhile appear in neither."""
    from groups.meetings.models import Meeting, NextAction, Session

    client = signed_in(organizer)
    response = client.get(reverse("metrics:network_export", args=[network.slug]))
    chunks = iter(response.streaming_content)
    read = _read_until(chunks, b"json/sessions.json")

    def close_a_session():
        meeting = Meeting.objects.create(group=group, starts_at=timezone.now())
        session = Session.objects.create(
            meeting=meeting, group=group, closed_at=timezone.now(), summary="Closed meanwhile"
        )
        NextAction.objects.create(
            session=session, group=group, owner=moderator, description="Agreed meanwhile"
        )

    _in_another_thread(close_a_session)
    export = Export(read + b"".join(chunks))

    sessions = {s["id"] for s in export.json("sessions")}
    assert [s["summary"] for s in export.json("sessions")] == ["We planted 40 trees."]
    next_actions = export.json("next_actions")
    assert [n["description"] for n in next_actions] == ["Order more saplings"]
    assert {n["session_id"] for n in next_actions} <= sessions
    assert len(export.csv("next_actions")) == len(next_actions)
    assert {m["id"] for m in export.json("meetings")} == {lives["past"].pk}


def test_a_download_abandoned_half_way_leaves_no_transaction_open(lives, member, signed_in):
    client = signed_in(member)
    pid = _backend_pid()
    response = client.get(URL)
    chunks = iter(response.streaming_content)
    _read_until(chunks, b"csv/actions.csv")
    # Between two chunks the download's transaction waits on the client.
    assert _state_of(pid) == "idle in transaction"
    assert connection.in_atomic_block

    # The client goes away: the server closes the response (PEP 3333's close()).
    response.close()

    assert _state_of(pid) == "idle"
    assert not connection.in_atomic_block
    assert connection.get_autocommit()
    # The same connection serves the next request, which reads a whole zip.
    export = Export(b"".join(client.get(URL).streaming_content))
    assert len(export.json("actions")) == 1
    assert _backend_pid() == pid
    assert _state_of(pid) == "idle"


def test_a_download_dropped_without_being_closed_ends_its_transaction_too(lives, member, signed_in):
    """A generator collected before its end is closed by Python: the same rollback."""
    client = signed_in(member)
    pid = _backend_pid()
    response = client.get(URL)
    chunks = iter(response.streaming_content)
    _read_until(chunks, b"csv/actions.csv")
    assert _state_of(pid) == "idle in transaction"

    del chunks, response
    gc.collect()

    assert _state_of(pid) == "idle"
    assert not connection.in_atomic_block
    assert len(Export(b"".join(client.get(URL).streaming_content)).json("actions")) == 1


def test_the_whole_zip_is_read_in_one_read_only_repeatable_read_transaction(
    lives, member, signed_in
):
    client = signed_in(member)
    response = client.get(URL)
    chunks = iter(response.streaming_content)
    _read_until(chunks, b"csv/profile.csv")

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('transaction_isolation'), "
            "current_setting('transaction_read_only')"
        )
        assert cursor.fetchone() == ("repeatable read", "on")
    b"".join(chunks)
    assert connection.get_autocommit()


def test_inside_the_snapshot_rows_still_come_a_chunk_at_a_time(
    member, twenty_thousand_actions, signed_in
):
    """The transaction's server-side cursors (WITHOUT HOLD: nothing is copied at a commit)
    keep memory flat: 20,000 actions stream with a fraction of what holding them takes."""
    client = signed_in(member)
    cursors_seen = set()
    for _chunk in client.get(URL).streaming_content:
        with connection.cursor() as cursor:
            cursor.execute("SELECT is_holdable FROM pg_cursors WHERE name LIKE '_django_curs_%'")
            cursors_seen.update(holdable for (holdable,) in cursor.fetchall())
    assert cursors_seen == {False}  # a server-side cursor, open between chunks, not held

    gc.collect()
    tracemalloc.start()
    held = list(Action.objects.filter(user=member))
    holding = tracemalloc.get_traced_memory()[0]
    del held
    gc.collect()
    tracemalloc.stop()

    response = client.get(URL)
    gc.collect()
    tracemalloc.start()
    sent = sum(len(chunk) for chunk in response.streaming_content)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()

    print(f"20,000 actions in one snapshot: zip {sent:,} bytes, peak {peak:,}, holding {holding:,}")
    assert sent > 500_000
    assert peak < holding / 3, f"peak {peak:,} bytes while holding the rows takes {holding:,}"
