"""A local receiver for webhook tests, and the usual cast of the group tests.

The receiver is an http.server on 127.0.0.1 in a thread: loopback is refused by the rules, so
the tests that deliver to it allow 127.0.0.1/32 through WEBHOOK_ALLOW_ADDRESSES, the setting
that exists for this."""

import http.server
import json
import threading
import time
from dataclasses import dataclass, field

import pytest

from groups.webhooks.models import Webhook
from tests.groups.conftest import (  # noqa: F401 (fixtures)
    group,
    member,
    moderator,
    network,
    organizer,
    outsider,
)


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes

    @property
    def json(self):
        return json.loads(self.body)


@dataclass
class Receiver:
    """What the receiver was sent; `answers` are the statuses it gives, in turn (then 200).
    A path under /redirect/ answers 307 to the URL after it ("/redirect/<n>/..." too)."""

    port: int = 0
    received: list[Received] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)
    delay: float = 0.0
    trickle: float = 0.0  # seconds between the answer's bytes
    body_size: int = 2
    answer_headers: dict = field(default_factory=dict)  # sent with every answer (not redirects)

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_ALLOW_ADDRESSES = ["127.0.0.1/32"]
    state = Receiver()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            state.received.append(Received(self.path, dict(self.headers), self.rfile.read(length)))
            if state.delay:
                time.sleep(state.delay)
            if self.path.startswith("/redirect/"):
                self.send_response(307)
                self.send_header("Location", self.path.removeprefix("/redirect/"))
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            status = state.answers.pop(0) if state.answers else 200
            body = b"x" * state.body_size
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            for name, value in state.answer_headers.items():
                self.send_header(name, value)
            self.end_headers()
            if not state.trickle:
                self.wfile.write(body)
                return
            for byte in body:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(state.trickle)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def make_hook(moderator, group):  # noqa: F811 (the fixtures imported above)
    """A hook of the group (its moderator's), by default every event to the local receiver."""

    def make(url: str, *, format=Webhook.Format.GENERIC, events=None, **fields) -> Webhook:
        fields.setdefault("group", group)
        fields.setdefault("network", group.network)
        fields.setdefault("created_by", moderator)
        return Webhook.objects.create(
            url=url,
            format=format,
            events=list(Webhook.Event.values) if events is None else events,
            **fields,
        )

    return make
