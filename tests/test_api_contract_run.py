"""The whole contract run (issue 14): Schemathesis with every check and its stateful phase,
against a live server, as a member and as a moderator. Any failure it reports fails the test
with Schemathesis's own report, which names the operation and the request to reproduce it.

The run is Schemathesis's command line against pytest-django's live server (DEBUG off, the
test database): the same tool and options a developer runs by hand (see the README). Each run
works in its own temporary directory, since the command line writes a `.schemathesis` folder
where it runs."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.throttling import ScopedRateThrottle

from groups import services as group_services
from impact.api.throttles import WriteRateThrottle
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
CONFIG = Path(__file__).with_name("schemathesis.toml")
# Per operation and phase; fewer in the SQLite pass. The seed makes every run the same.
MAX_EXAMPLES = os.environ.get("CONTRACT_MAX_EXAMPLES", "10")


@pytest.fixture
def people(monkeypatch):
    """A group with a moderator and a member, each with an API token."""
    # The run makes thousands of writes a minute; the rate limits have their own tests.
    for throttle in (WriteRateThrottle, ScopedRateThrottle):
        monkeypatch.setattr(throttle, "THROTTLE_RATES", {"token": None, "write": None})
    organizer, moderator, member = UserFactory(), UserFactory(), UserFactory()
    network = group_services.network_create(creator=organizer, name="Contract Town")
    group_services.network_add_person(network=network, user=moderator)
    group = group_services.group_create(
        organizer=organizer,
        network=network,
        name="Contract keepers",
        purpose="Say exactly what we do.",
        moderator=moderator,
    )
    group_services.group_join(user=member, group=group, statement="I want to help, every week.")
    return {
        "member": Token.objects.create(user=member).key,
        "moderator": Token.objects.create(user=moderator).key,
    }


@pytest.mark.parametrize("role", ["member", "moderator"])
def test_the_api_does_what_its_schema_says(live_server, people, role, tmp_path):
    run = subprocess.run(
        [
            str(SCHEMATHESIS),
            f"--config-file={CONFIG}",
            "run",
            f"{live_server.url}/api/schema/",
            "--checks=all",
            "--phases=examples,coverage,fuzzing,stateful",
            f"--header=Authorization: Token {people[role]}",
            f"--max-examples={MAX_EXAMPLES}",
            "--seed=14",
            "--workers=1",
            "--no-color",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert run.returncode == 0, run.stdout[-20000:] + run.stderr[-5000:]
