"""How production serves the app: gunicorn manages the processes (workers, timeouts, graceful
restarts) and each worker is uvicorn running the ASGI application, so pages and the live
meeting room's sockets share one port. Used by the image, docker-compose.yml, the production-
shape test and the benchmark: `gunicorn -c python:impact.gunicorn` (flags override)."""

import os

from uvicorn_worker import UvicornWorker

# A room's messages are small (the consumer refuses more than 4 KB): a larger frame is refused
# before it is read into memory. Django does not speak ASGI's lifespan protocol.
WS_MAX_SIZE = 64 * 1024


class Worker(UvicornWorker):
    CONFIG_KWARGS = {**UvicornWorker.CONFIG_KWARGS, "ws_max_size": WS_MAX_SIZE, "lifespan": "off"}


wsgi_app = "impact.asgi:application"
worker_class = "impact.gunicorn.Worker"
bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# WEB_CONCURRENCY sets the workers (gunicorn reads it itself); FORWARDED_ALLOW_IPS the proxies
# whose X-Forwarded-* headers are trusted.
# An access log line per request on stdout; GUNICORN_ACCESS_LOG="" turns it off (the benchmark).
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
# A socket stays open for the whole meeting: a worker restarting gracefully gives its rooms
# this long to reconnect elsewhere before it goes.
graceful_timeout = 20
# Not the control socket in the home folder that every gunicorn on a machine would share.
control_socket_disable = True
