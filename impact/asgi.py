"""The ASGI entry point: pages over HTTP, and the live meeting room over WebSocket.

Served by uvicorn (`make run`; under gunicorn's process manager in production). Pages run
Django's WSGI handler on a fixed pool of threads in each process (a2wsgi); the room's sockets are
Channels consumers on the same event loop. A socket is opened only from the site's own pages (the
origin is checked against ALLOWED_HOSTS) and carries the signed-in person from the session cookie.

Why not Django's ASGI handler for pages: it runs each request in a new thread of its own, and a
database connection belongs to its thread, so none could be kept between requests. Every page
opened a PostgreSQL connection and planned its statements again (a third of its time), and a
response streamed from a generator (the exports) was read whole into memory before its first
byte. A thread of the pool keeps its connection (CONN_MAX_AGE, with health checks) and streams a
response piece by piece, waiting while the client reads."""

import os

from a2wsgi import WSGIMiddleware
from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.template.loader import get_template
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "impact.settings")
# Django is set up before anything imports a model (the routes' consumers do).
django_wsgi = get_wsgi_application()


def warm_up() -> None:
    """Load at boot what a worker's first requests would otherwise load: the URL configuration
    with every view module behind it, and the layout. A fresh worker's first page took about a
    second, most of it importing views, and the requests that reached it meanwhile queued
    behind it: after each deploy or worker restart, and in the benchmark whenever a new
    connection first reached a worker."""
    get_resolver().url_patterns  # noqa: B018 - imports impact.urls and every view module
    get_template("base.html")


warm_up()


def pages(threads: int) -> WSGIMiddleware:
    """Django's WSGI handler run on `threads` long-lived threads for the ASGI server."""
    return WSGIMiddleware(django_wsgi, workers=threads)


http_application = pages(settings.WEB_THREADS)

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from impact.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": http_application,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)
