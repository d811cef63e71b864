"""Faults with real services: Redis stopped and started again, database connections cut.

Each test runs a private server of its own, so stopping it leaves the shared ones serving the
rest of the suite: a redis-server, and a PostgreSQL cluster made with initdb that a gunicorn
app uses while the test stops and starts it.
"""

import glob
import json
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.utils import timezone

from groups.meetings.models import Meeting, Session
from impact.models import Notification
from impact.services import outbox_sweep
from tests.impact import support

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
    client, private_redis, tmp_path, group, member, moderator, settings
):
    meeting = Meeting.objects.create(group=group, starts_at=timezone.now() - timedelta(minutes=5))
    # The private Redis is the cache (sessions, shared parts of pages, rate limits) and the
    # broker.
    settings.CACHES = {
        **settings.CACHES,
        "default": {**settings.CACHES["default"], "LOCATION": private_redis.url},
    }
    client.force_login(member)
    assert client.get(f"/groups/{group.pk}/").status_code == 200  # parts kept while Redis is up
    with support.broker_at(private_redis.url):
        private_redis.stop()

        # Redis is down: pages load, members log, moderators close the session.
        assert client.get("/").status_code == 200
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
            {"what": "close", "confirm": "1", "learnings": "Water first.", "achieved": ""},
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


PG_BIN = next(
    (
        Path(found).parent
        for found in [
            shutil.which("initdb"),
            *sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb")),
        ]
        if found and Path(found).with_name("pg_ctl").exists()
    ),
    None,
)


class PrivatePostgres:
    """A throwaway PostgreSQL cluster on a free port. PostgreSQL refuses to run as root, so
    when the tests do, the server runs as the `postgres` account (which owns the data folder)."""

    def __init__(self):
        self.port = _free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="impact-pg-"))
        self.data = self.folder / "data"
        self.url = f"postgres://root@127.0.0.1:{self.port}/impact"
        self.prefix: list[str] = []
        if os.geteuid() == 0:
            account = pwd.getpwnam("postgres")
            os.chown(self.folder, account.pw_uid, account.pw_gid)
            self.prefix = ["runuser", "-u", "postgres", "--"]

    def _run(self, *command: str) -> None:
        subprocess.run(
            [*self.prefix, *command], check=True, capture_output=True, timeout=60, cwd=self.folder
        )

    def create(self) -> None:
        self._run(str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "root", "--auth=trust")
        self.start()
        admin = psycopg2.connect(host="127.0.0.1", port=self.port, user="root", dbname="postgres")
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute("CREATE DATABASE impact")
        admin.close()

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",  # the server's own output goes to a file, not to the pipe run() waits on
            str(self.folder / "server.log"),
            "-w",
            "start",
        )

    def stop(self) -> None:
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture
def private_postgres():
    if PG_BIN is None:
        pytest.skip("PostgreSQL's initdb and pg_ctl are not installed, so the test cannot run one")
    if os.geteuid() == 0 and not shutil.which("runuser"):
        pytest.skip("running as root without runuser: PostgreSQL cannot be started as root")
    server = PrivatePostgres()
    try:
        server.create()
        yield server
    finally:
        server.remove()


MAKE_PERSON = """
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from rest_framework.authtoken.models import Token
from impact.models import User
user = User.objects.create_user(username="pat", email="pg@example.org", password="x")
session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.create()
print(Token.objects.create(user=user).key, session.session_key)
"""


def _get(url: str, token: str = "", session: str = "") -> tuple[int, bytes]:
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"Token {token}")
    if session:
        request.add_header("Cookie", f"sessionid={session}")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _get_json(url: str, token: str = "") -> tuple[int, dict]:
    status, body = _get(url, token)
    return status, json.loads(body)


def test_the_app_reconnects_after_postgresql_restarts_under_it(tmp_path, private_postgres):
    """A gunicorn app on its own PostgreSQL: while the server is down /healthz says so (503,
    never a crash); once it is back the same processes serve reads and writes again."""
    env = {
        **os.environ,
        "DATABASE_URL": private_postgres.url,
        "CONN_MAX_AGE": "600",
        "DEBUG": "0",
        "HTTPS": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECRET_KEY": "fault-test-" + "x" * 50,
        "STATIC_ROOT": str(tmp_path / "static"),
    }
    manage = [str(Path(settings.BASE_DIR) / ".venv" / "bin" / "python"), "manage.py"]
    subprocess.run(
        [*manage, "migrate", "--no-input"],
        cwd=settings.BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    subprocess.run(
        [*manage, "collectstatic", "--no-input", "-v0"],
        cwd=settings.BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    # A person with an API token and a signed-in browser session, made by the app itself.
    made = subprocess.run(
        [*manage, "shell", "-c", MAKE_PERSON],
        cwd=settings.BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    token, session = made.stdout.split()[-2:]
    port = _free_port()
    gunicorn = Path(settings.BASE_DIR) / ".venv" / "bin" / "gunicorn"
    server = subprocess.Popen(
        [str(gunicorn), "impact.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, body = _get_json(f"{base}/healthz")
                break
            # A worker still importing the app on a busy machine answers late: a read timeout.
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        assert status in (200, 503) and body["database"] == "ok"
        # The worker now holds a connection, which the restart will break.
        assert _get_json(f"{base}/api/me/", token)[0] == 200
        assert _get(f"{base}/profile/", session=session)[0] == 200

        private_postgres.stop()
        status, body = _get_json(f"{base}/healthz")
        assert (status, body["status"], body["database"]) == (503, "unavailable", "unavailable")
        status, body = _get_json(f"{base}/api/me/", token)
        assert (status, body["code"]) == (503, "unavailable"), body
        status, page = _get(f"{base}/profile/", session=session)
        assert status == 503 and b"back in a moment" in page, page[:300]

        private_postgres.start()
        status, body = _get_json(f"{base}/healthz")
        assert body["database"] == "ok", body
        status, me = _get_json(f"{base}/api/me/", token)
        assert status == 200 and me["email"] == "pg@example.org", me
        assert _get(f"{base}/profile/", session=session)[0] == 200
        assert server.poll() is None, "gunicorn had to restart"
    finally:
        server.terminate()
        server.wait(timeout=15)
