"""Faults with real services: Redis stopped and started again, database connections cut.

Redis: a private redis-server the test starts, stops and starts again (the shared one keeps
serving the rest of the suite). PostgreSQL: the app's connections are terminated from the
server side, which is what a restart does to them, while the test keeps its own.
"""

import json
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from groups.meetings.models import Meeting, Session
from impact.models import Notification
from impact.services import outbox_sweep
from tests.impact import support
from tests.impact.test_worker import _test_database_url

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

REDIS_SERVER = shutil.which("redis-server")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivateRedis:
    def __init__(self, port: int):
        self.port, self.process = port, None
        self.url = f"redis://127.0.0.1:{port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture
def private_redis():
    if REDIS_SERVER is None:
        pytest.skip("redis-server is not installed, so the test cannot stop and start it")
    server = PrivateRedis(_free_port())
    server.start()
    yield server
    if server.process.poll() is None:
        server.stop()


def test_with_redis_down_the_app_works_and_every_message_goes_out_once_it_is_back(
    client, private_redis, tmp_path, group, member, moderator
):
    meeting = Meeting.objects.create(group=group, starts_at=timezone.now() - timedelta(minutes=5))
    with support.broker_at(private_redis.url):
        private_redis.stop()

        # The broker is down: pages load, members log, moderators close the session.
        client.force_login(member)
        assert client.get(f"/groups/{group.pk}/").status_code == 200
        logged = client.post(
            f"/groups/{group.pk}/actions/new/",
            {
                "description": "Planted oaks",
                "happened_on": timezone.localdate(),
                "effort_minutes": 30,
            },
        )
        assert logged.status_code == 302
        client.force_login(moderator)
        closed = client.post(
            f"/meetings/{meeting.pk}/run/",
            {"what": "close", "learnings": "Water first.", "achieved": ""},
        )
        assert closed.status_code == 302
        health = client.get("/healthz").json()
        assert health["broker"] == "unavailable" and health["database"] == "ok"
        summaries = list(
            Notification.objects.filter(kind="meeting.summary", channel="email").values_list(
                "id", flat=True
            )
        )
        assert len(summaries) == 2 and set(
            Notification.objects.filter(pk__in=summaries).values_list("status", flat=True)
        ) == {"pending"}

        # Redis is back: the sweep hands everything over and a real worker sends it, once each.
        private_redis.start()
        with support.running_worker(tmp_path, private_redis.url) as worker:
            Notification.objects.filter(pk__in=summaries).update(next_attempt_at=timezone.now())
            assert outbox_sweep() >= len(summaries)
            outbox_sweep()  # a second sweep (beat firing twice) must not send anything twice
            worker.wait_until(
                lambda: (
                    set(
                        Notification.objects.filter(pk__in=summaries).values_list(
                            "status", flat=True
                        )
                    )
                    == {"sent"}
                ),
                "the summaries to be sent",
            )
            worker.wait_until(worker.queue_drained, "the queue to drain")
        # Other mail waiting in the outbox (the join notice) goes out too; the summaries once each.
        messages = [
            m
            for m in worker.messages()
            if "reflection" in m.split("Subject: ", 1)[1].split("\n")[0]
        ]
        assert len(messages) == 2
        assert sorted(m.split("To: ", 1)[1].split()[0] for m in messages) == sorted(
            [member.email, moderator.email]
        )
    assert Session.objects.get(meeting=meeting).closed_at is not None


def test_the_app_reconnects_after_the_database_drops_its_connections(tmp_path):
    """A gunicorn app keeps serving after PostgreSQL cut its connections (as on a restart)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    import os

    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "CONN_MAX_AGE": "600",
        "DEBUG": "0",
        "HTTPS": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECRET_KEY": "fault-test-" + "x" * 50,
        "STATIC_ROOT": str(tmp_path / "static"),
    }
    gunicorn = Path(settings.BASE_DIR) / ".venv" / "bin" / "gunicorn"
    server = subprocess.Popen(
        [str(gunicorn), "impact.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/healthz"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                first = urllib.request.urlopen(url, timeout=2)
                break
            except (urllib.error.URLError, ConnectionError):
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        assert first.status == 200
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            assert cursor.fetchall(), "the app held no connection to cut"
        second = urllib.request.urlopen(url, timeout=5)
        assert second.status == 200 and json.loads(second.read())["database"] == "ok"
    finally:
        server.terminate()
        server.wait(timeout=15)
