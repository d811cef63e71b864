# Impact Groups: the production image, used by docker-compose.yml for web, worker and beat.
#   docker build -t impact-groups .
# Every Python dependency comes from uv.lock with its hashes: the build stage turns the lock into
# hash-pinned requirements and downloads exactly those wheels; the runtime stage installs them
# with no index, so nothing unlocked can slip in. The base is pinned to a patch release; bump it
# on purpose (both stages use it).
ARG PYTHON_IMAGE=python:3.11.17-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    UV_NO_CONFIG=1 \
    UV_PYTHON_DOWNLOADS=never
WORKDIR /build
COPY pyproject.toml uv.lock ./
# uv is locked in uv.lock too (see the Makefile's bootstrap): pip installs that exact version and
# checks its hashes before uv runs.
RUN python -c 'import tomllib; p = next(p for p in tomllib.load(open("uv.lock", "rb"))["package"] if p["name"] == "uv"); print("uv==" + p["version"], *("--hash=" + w["hash"] for w in p["wheels"]))' > uv-requirements.txt \
    && pip install --no-cache-dir --require-hashes --no-deps -r uv-requirements.txt
# Production dependencies only (no dev extra, not the project itself: its code is copied below).
# --locked, not --frozen: the image never builds from a lock that disagrees with pyproject.toml.
# --only-binary: every locked dependency ships manylinux wheels, so the slim base needs no
# compiler; a dependency without one fails the build here instead of compiling by surprise.
RUN mkdir /wheels \
    && uv export --quiet --locked --no-dev --no-emit-project --format requirements-txt \
        --output-file /wheels/requirements.txt \
    && pip wheel --no-cache-dir --require-hashes --only-binary=:all: \
        --wheel-dir /wheels -r /wheels/requirements.txt

# Only the application: manage.py, the apps, templates, static and locale/ (when there is one).
FROM ${PYTHON_IMAGE} AS source
WORKDIR /src
COPY . .
RUN mkdir /app \
    && cp -a manage.py impact groups narratives metrics templates static /app/ \
    && if [ -d locale ]; then cp -a locale /app/; fi

FROM ${PYTHON_IMAGE} AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    STATIC_ROOT=/app/var/static
WORKDIR /app
# The wheels are mounted, not copied, so they add no layer; pip checks the hashes again.
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    pip install --no-cache-dir --no-index --find-links=/wheels --require-hashes \
        -r /wheels/requirements.txt
COPY --from=source /app /app
# The code and the collected static files stay owned by root (read-only for the app); only var/
# (Celery beat's schedule) is writable by the app's user. The code is compiled to bytecode here:
# PYTHONDONTWRITEBYTECODE keeps each process from writing it, so without this every worker
# compiled the whole app from source as it started.
RUN python -m compileall -q -j 0 /app \
    && DEBUG=0 SECRET_KEY=build-only python manage.py collectstatic --noinput \
    && useradd --create-home --uid 10001 --user-group impact \
    && chown impact:impact var
# Numeric, so that orchestrators can check that the user is not root.
USER 10001:10001
EXPOSE 8000
# No curl in slim: Python's urllib asks /healthz (200 once the database answers). The Host
# header is the first of ALLOWED_HOSTS, so the check passes however the site is named.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as u; h = os.environ.get('ALLOWED_HOSTS', '').split(',')[0].strip().lstrip('.').replace('*', '') or 'localhost'; u.urlopen(u.Request('http://127.0.0.1:8000/healthz', headers={'Host': h}), timeout=4)"]
# gunicorn with uvicorn workers (impact/gunicorn.py) serves pages and the live room's sockets;
# it reads WEB_CONCURRENCY (workers) and FORWARDED_ALLOW_IPS from the environment.
# Migrations are not run here: docker-compose.yml's web service runs them before gunicorn.
CMD ["gunicorn", "-c", "python:impact.gunicorn"]
