"""Running the app: health check, demo data and the production settings check."""

import os
import secrets
import subprocess
import sys
from unittest import mock

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import OperationalError, connection

from impact.demo import DEMO_PASSWORD
from impact.models import User

# Health check ------------------------------------------------------------------------------


def test_healthz_reports_database_and_broker_ok(client, db, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_stays_up_but_reports_a_broker_outage(client, db, broker_down):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "database": "ok", "broker": "unavailable"}


def test_healthz_is_503_when_the_database_does_not_answer(client, db):
    with mock.patch.object(
        connection, "cursor", side_effect=OperationalError("server closed the connection")
    ):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"
    assert response.json()["status"] == "unavailable"


def test_healthz_only_answers_get(client, db):
    assert client.post("/healthz").status_code == 405


# Demo data ---------------------------------------------------------------------------------


@pytest.fixture
def debug_on(settings):
    settings.DEBUG = True


def test_seed_demo_twice_keeps_one_set_of_demo_users_whose_logins_work(
    client, db, debug_on, capsys
):
    call_command("seed_demo")
    first = set(User.objects.values_list("pk", "username"))
    member = User.objects.get(username="member")
    member.set_password("changed-by-someone")
    member.save()

    call_command("seed_demo")

    assert set(User.objects.values_list("pk", "username")) == first
    demo = ["member", "moderator", "organizer"]
    assert User.objects.filter(username__in=demo).count() == 3
    assert "impact-demo" in capsys.readouterr().out
    for username in demo:
        response = client.post("/accounts/login/", {"login": username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, username
        assert client.session["_auth_user_id"] == str(User.objects.get(username=username).pk)
        client.logout()
    assert User.objects.get(username="organizer").is_superuser


def test_seed_demo_refuses_when_debug_is_off(db):
    assert not settings.DEBUG

    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")

    assert not User.objects.exists()


# Production settings -----------------------------------------------------------------------


def test_deploy_check_passes_with_production_settings(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_URL", "DJANGO_", "PYTEST_", "HTTPS", "SECURE_"))
    }
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(60)[:60],
        ALLOWED_HOSTS="example.org",
    )

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output
    assert "WARNING" not in output
