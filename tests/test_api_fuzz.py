"""Schemathesis against our own OpenAPI schema: generated requests, signed in as a member and
as an organizer, never get a server error or an answer that does not match the schema.

Each request commits on its own, as in production, so one rejected value cannot poison the
requests after it."""

import os

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error, response_schema_conformance

from groups import services as group_services
from tests.factories import UserFactory


@pytest.fixture
def api_schema(transactional_db, settings):
    from impact.wsgi import application

    settings.ALLOWED_HOSTS = ["testserver", "localhost"]
    # Like Django's test client: requests must not close the test's database connection.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield schemathesis.openapi.from_wsgi("/api/schema/", application)
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture
def tokens(transactional_db, settings):
    settings.ALLOWED_HOSTS = ["testserver", "localhost"]
    """A member of a group and the organizer of its network, each with an API token."""
    organizer, member = UserFactory(), UserFactory()
    network = group_services.network_create(creator=organizer, name="Fuzz Town")
    group = group_services.group_create(
        organizer=organizer, network=network, name="Fuzzers", purpose="Act on odd input."
    )
    group_services.group_join(user=member, group=group, statement="I want to help, every week.")
    return {
        "member": Token.objects.create(user=member).key,
        "organizer": Token.objects.create(user=organizer).key,
    }


FUZZ = settings(
    # The same examples every run: CI must not pass or fail by the luck of the draw.
    derandomize=True,
    # Fewer in `make test-sqlite`, the second, shorter pass on the embedded database.
    max_examples=int(os.environ.get("FUZZ_MAX_EXAMPLES", "8")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _call(case, token: str) -> None:
    case.call_and_validate(
        headers={"Authorization": f"Token {token}", "Host": "localhost"},
        checks=[not_a_server_error, response_schema_conformance],
    )


@schema.parametrize()
@FUZZ
def test_generated_requests_as_a_member_never_break_the_api(case, tokens):
    _call(case, tokens["member"])


@schema.parametrize()
@FUZZ
def test_generated_requests_as_an_organizer_never_break_the_api(case, tokens):
    _call(case, tokens["organizer"])
