"""Pages through the ASGI application as the server runs them (impact/asgi.py): on long-lived
threads, each keeping its database connection, and streamed while they are made."""

import threading

import pytest
from asgiref.testing import ApplicationCommunicator
from django.db import connection, connections
from django.http import HttpResponse, StreamingHttpResponse
from django.urls import path

from impact.asgi import pages
from tests.meetings.test_room import run

streamed_on = threading.Event()


def backend_pid(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return HttpResponse(str(cursor.fetchone()[0]))


def two_parts(request):
    def parts():
        yield b"first part "
        # Only once the client has the first part: a server that reads the whole response
        # before it sends any (Django's ASGI handler does with a generator) never gets here.
        if not streamed_on.wait(timeout=5):
            yield b"sent only at the end"
            return
        yield b"second part"

    return StreamingHttpResponse(parts(), content_type="text/plain")


urlpatterns = [path("pid/", backend_pid), path("parts/", two_parts)]


def scope(url: str) -> dict:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": url,
        "raw_path": url.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }


async def get(app, url: str) -> list[dict]:
    communicator = ApplicationCommunicator(app, scope(url))
    await communicator.send_input({"type": "http.request", "body": b"", "more_body": False})
    messages = [await communicator.receive_output(5)]
    while messages[-1]["type"] != "http.response.body" or messages[-1].get("more_body"):
        messages.append(await communicator.receive_output(5))
    await communicator.wait(5)
    return messages


@pytest.fixture
def app(transactional_db, settings):
    settings.ROOT_URLCONF = __name__
    settings.ALLOWED_HOSTS = ["testserver"]
    database = connections.settings["default"]
    kept_for = database["CONN_MAX_AGE"]
    database["CONN_MAX_AGE"] = 60
    application = pages(1)
    yield application
    # The thread's kept connection is closed, so the test database can be dropped.
    application.executor.submit(connections.close_all).result()
    application.executor.shutdown()
    database["CONN_MAX_AGE"] = kept_for


def test_a_page_thread_keeps_its_database_connection_between_requests(app):
    async def three_requests():
        return {(await get(app, "/pid/"))[1]["body"] for _ in range(3)}

    assert len(run(three_requests)) == 1


def test_a_streamed_response_is_sent_while_it_is_being_made(settings):
    settings.ROOT_URLCONF = __name__
    settings.ALLOWED_HOSTS = ["testserver"]
    streamed_on.clear()
    app = pages(1)
    start, first, rest = run(lambda: stream(app))
    app.executor.shutdown()

    assert start["status"] == 200
    assert first["body"] == b"first part "
    assert rest == b"second part"


async def stream(app):
    communicator = ApplicationCommunicator(app, scope("/parts/"))
    await communicator.send_input({"type": "http.request", "body": b"", "more_body": False})

    start = await communicator.receive_output(5)
    first = await communicator.receive_output(5)
    streamed_on.set()
    rest = b""
    while True:
        message = await communicator.receive_output(5)
        rest += message.get("body", b"")
        if not message.get("more_body"):
            break
    return start, first, rest


def test_a_worker_loads_its_views_and_layout_as_it_starts():
    """A fresh process that loads the application has every view module and the layout before
    its first request (impact.asgi.warm_up), so the first people to reach it do not wait."""
    import os
    import subprocess
    import sys

    check = (
        "import sys, impact.asgi\n"
        "from django.template import engines\n"
        "loaders = engines['django'].engine.template_loaders\n"
        "kept = [name for loader in loaders for name in getattr(loader, 'get_template_cache', {})]\n"
        "print(all(m in sys.modules for m in "
        "('impact.urls', 'groups.meetings.views', 'metrics.views', 'impact.search.views')),"
        " 'base.html' in kept)\n"
    )
    env = {**os.environ, "DEBUG": "0", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "localhost"}
    out = subprocess.run(
        [sys.executable, "-c", check], env=env, capture_output=True, text=True, timeout=120
    )
    assert out.stdout.split() == ["True", "True"], out.stderr[-2000:]
