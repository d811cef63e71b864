"""End-to-end tests: Debian's Chromium driven by pytest-playwright against a live server."""

import os
import socket
import threading
import time
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; Django would otherwise refuse
# the ORM calls the tests make between browser steps.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from playwright.sync_api import expect

# make test runs the browsers beside a busy suite on 2 cores: a live room's update can take a
# few seconds there. A passing check is no slower for it; only a failing one waits longer.
expect.set_options(timeout=15_000)

CHROMIUM = Path("/usr/bin/chromium")
RESULTS_DIR = Path(__file__).resolve().parents[2] / "test-results"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Launch the system Chromium; a browser is never downloaded."""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: install Debian's chromium package (make system-deps)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def results_dir() -> Path:
    RESULTS_DIR.mkdir(exist_ok=True)
    return RESULTS_DIR


class AsgiServer:
    """The app as production serves it (uvicorn running the ASGI application: pages and the
    live room's sockets) in a thread, on the test database and the Redis channel layer. It can
    be restarted on the same port, as a deploy restarts the web service."""

    def __init__(self):
        from channels.auth import AuthMiddlewareStack
        from channels.routing import ProtocolTypeRouter, URLRouter
        from channels.security.websocket import AllowedHostsOriginValidator
        from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

        from impact.asgi import http_application
        from impact.routing import websocket_urlpatterns

        # As impact.asgi builds it, with the test's hosts allowed (read when it is built), and
        # static files from the apps' folders, as pytest-django's live server serves them.
        self.app = ProtocolTypeRouter(
            {
                "http": ASGIStaticFilesHandler(http_application),
                "websocket": AllowedHostsOriginValidator(
                    AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
                ),
            }
        )
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = self.thread = None

    def start(self) -> None:
        import uvicorn
        from channels.layers import channel_layers

        # The layer's connections belong to the loop that opened them: this server's.
        channel_layers.backends.clear()
        config = uvicorn.Config(
            self.app, host="127.0.0.1", port=self.port, lifespan="off", log_level="warning"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                pytest.fail("the ASGI server did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        from channels.layers import channel_layers

        self.server.should_exit = True
        self.thread.join(10)
        channel_layers.backends.clear()

    def restart(self) -> None:
        self.stop()
        self.start()


@pytest.fixture
def asgi_server(transactional_db, settings):
    from django.db import connections

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "127.0.0.1"]
    # The server's threads close their database connections after each request and socket
    # message, so none is left open on the test database when it is dropped.
    database = connections.settings["default"]
    kept_for = database["CONN_MAX_AGE"]
    database["CONN_MAX_AGE"] = 0
    server = AsgiServer()
    server.start()
    yield server
    server.stop()
    database["CONN_MAX_AGE"] = kept_for


@pytest.fixture
def demo(transactional_db):
    """The demo data `make run` loads, and the pages the main journeys reach in it."""
    from groups.demo import seed_groups
    from groups.meetings.demo import seed_meetings
    from groups.models import Group, Network
    from impact.demo import seed_users
    from metrics.demo import seed_metrics
    from narratives.demo import seed_narratives
    from narratives.models import Question

    users = seed_users()
    seed_groups(users)
    seed_metrics(users)
    seed_narratives(users)
    seed_meetings(users)
    return {
        "group": Group.objects.get(name="Riverbank Restorers"),
        "network": Network.objects.get(name="Regenerative Futures"),
        "question": Question.objects.filter(group__isnull=False).first(),
    }
