"""The ASGI entry point: pages over HTTP, and the live meeting room over WebSocket.

Served by uvicorn (`make run`; under gunicorn's process manager in production). A socket is
opened only from the site's own pages (the origin is checked against ALLOWED_HOSTS) and carries
the signed-in person from the session cookie."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "impact.settings")
# Django is set up before anything imports a model (the routes' consumers do).
http_application = get_asgi_application()

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
