"""The production shape as separate OS processes on the test database and Redis: gunicorn web
instances, Celery workers and Celery beats, all with DEBUG off (test_production_shape.py)."""

import contextlib
import email
import email.policy
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.conf import settings

MESSAGE_SEPARATOR = b"\n" + b"-" * 79 + b"\n"  # Django's file backend ends every message so
START_TIMEOUT = 40
LOG_TAIL = 4000


def _program(name: str) -> str:
    # The venv's own scripts, whichever way pytest was started.
    for folder in (Path(sys.executable).parent, Path(settings.BASE_DIR) / ".venv" / "bin"):
        if (folder / name).exists():
            return str(folder / name)
    return name


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Process:
    """One service in its own process group (a worker's pool goes down with it)."""

    def __init__(self, name: str, command: list[str], env: dict, log_path: Path):
        self.name = name
        self.log_path = log_path
        with log_path.open("wb") as log:
            self.popen = subprocess.Popen(
                command,
                cwd=settings.BASE_DIR,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def alive(self) -> bool:
        return self.popen.poll() is None

    def _signal_group(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signum)

    def kill(self) -> None:
        """SIGKILL to the whole process group, as when the machine under it goes away."""
        self._signal_group(signal.SIGKILL)
        self.popen.wait(timeout=10)

    def stop(self) -> None:
        if self.alive():
            self._signal_group(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(timeout=15)
        # Whatever is left in the group (a pool child whose parent died) goes too.
        self._signal_group(signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=10)


class Web(Process):
    def __init__(self, *args, url: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.url = url


class ProductionShape:
    """Starts services with one shared production environment; stop() ends every one."""

    def __init__(
        self, tmp_path: Path, *, database_url: str, redis_url: str, broker_url: str, **extra
    ):
        self.tmp = tmp_path
        self.processes: list[Process] = []
        self.mail_root = tmp_path / "mail"
        self.static_root = tmp_path / "static"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "impact.settings",
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),  # one key for every machine
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "HTTPS": "0",
            "SITE_URL": "http://127.0.0.1",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "CELERY_BROKER_URL": broker_url,
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "STATIC_ROOT": str(self.static_root),
            "LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
            **{key: str(value) for key, value in extra.items()},
        }

    def _start(self, cls, name: str, command: list[str], **kwargs) -> Process:
        mail_dir = self.mail_root / name
        mail_dir.mkdir(parents=True)
        env = {**self.env, "EMAIL_URL": f"filemail://{mail_dir}", **kwargs.pop("env", {})}
        process = cls(name, command, env, self.tmp / f"{name}.log", **kwargs)
        self.processes.append(process)
        return process

    def collectstatic(self) -> Process:
        """DEBUG off serves hashed, compressed files from a manifest: build it as a deploy would."""
        return self._start(
            Process,
            "collectstatic",
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        )

    def web(self, name: str) -> Web:
        port = free_port()
        command = [
            _program("gunicorn"),
            *("-c", "python:impact.gunicorn"),  # as the image and docker-compose.yml run it
            *("--bind", f"127.0.0.1:{port}", "--workers", "2", "--timeout", "60"),
            *("--error-logfile", "-"),
        ]
        return self._start(Web, name, command, url=f"http://127.0.0.1:{port}")

    def worker(self, name: str, *, app: str = "impact", env: dict | None = None) -> Process:
        command = [
            _program("celery"),
            *("-A", app, "worker", "--loglevel=INFO", "--concurrency=2", "-n", f"{name}@%h"),
        ]
        return self._start(Process, name, command, env=env or {})

    def beat(self, name: str) -> Process:
        command = [
            _program("celery"),
            *("-A", "impact", "beat", "--loglevel=INFO"),
            *("--schedule", str(self.tmp / f"{name}-schedule")),
            *("--pidfile", str(self.tmp / f"{name}.pid")),
        ]
        return self._start(Process, name, command)

    def wait_for_web(self, *webs: Web) -> None:
        def answering(web: Web) -> bool:
            try:
                return requests.get(f"{web.url}/healthz", timeout=5).status_code == 200
            except requests.RequestException:  # not listening yet, or still loading the app
                return False

        self.wait_until(lambda: all(answering(web) for web in webs), "the web instances")

    def wait_until(self, condition, what: str, *, timeout: float = START_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            time.sleep(0.2)
        pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}\n{self.log_tails()}")

    def log_tails(self) -> str:
        return "\n".join(
            f"===== {process.name} ({'running' if process.alive() else 'ended'}) =====\n"
            + process.log()[-LOG_TAIL:]
            for process in self.processes
        )

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.stop()

    def mail(self) -> dict[str, list[email.message.EmailMessage]]:
        """Every message each process wrote, by process name."""
        found = {}
        for folder in sorted(self.mail_root.iterdir()):
            found[folder.name] = [
                email.message_from_bytes(part.lstrip(), policy=email.policy.default)
                for path in sorted(folder.iterdir())
                for part in path.read_bytes().split(MESSAGE_SEPARATOR)
                if part.strip()
            ]
        return found


def count(pattern: str, text: str) -> int:
    return len(re.findall(pattern, text))
