"""The cast for export tests: a group with a little of everything, and a zip reader."""

import csv
import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.utils import timezone

from groups.meetings.models import Meeting, MeetingResponse, NextAction, Reflection, Session
from impact.services import notify
from metrics import services as metrics
from metrics.models import Action
from narratives.models import Answer, HelpRequest, HelpResponse, Question
from tests.factories import UserFactory
from tests.groups import conftest as group_fixtures

organizer = group_fixtures.organizer
network = group_fixtures.network
moderator = group_fixtures.moderator
group = group_fixtures.group
member = group_fixtures.member
outsider = group_fixtures.outsider
make_group = group_fixtures.make_group
fill_group = group_fixtures.fill_group
other_organizer = group_fixtures.other_organizer


class Export:
    """A downloaded zip: its names, README and each table as CSV rows and as JSON."""

    def __init__(self, content: bytes):
        self.zip = zipfile.ZipFile(io.BytesIO(content))
        assert self.zip.testzip() is None  # every entry's CRC checks out

    @property
    def names(self) -> list[str]:
        return self.zip.namelist()

    @property
    def readme(self) -> str:
        return self.zip.read("README.txt").decode()

    def csv(self, table: str) -> list[dict]:
        text = self.zip.read(f"csv/{table}.csv").decode()
        return list(csv.DictReader(io.StringIO(text)))

    def json(self, table: str) -> list[dict]:
        return json.loads(self.zip.read(f"json/{table}.json"))


@pytest.fixture
def twenty_thousand_actions(group, member) -> None:
    """Enough of one member's actions that holding them all would show in memory."""
    Action.objects.bulk_create(
        (
            Action(
                group=group,
                user=member,
                description=f"Planted tree number {n} along the river bank",
                notes="Dug, planted, watered and staked. " * 3,
                happened_on=timezone.localdate(),
                effort_minutes=n % 90 + 1,
            )
            for n in range(20_000)
        ),
        batch_size=5000,
    )


def download(client, url: str) -> Export:
    response = client.get(url)
    assert response.status_code == 200, response
    assert response["Content-Type"] == "application/zip"
    return Export(b"".join(response.streaming_content))


@pytest.fixture
def lives(group, network, moderator, member, organizer):
    """A month in the group: the member's action, measurement, reflection (pulse not shared),
    RSVP, next action, help request, question and notification; another member's reflection
    with a shared pulse; a measured metric."""
    today = timezone.localdate()
    trees = metrics.metric_define(actor=moderator, group=group, name="Trees", unit="trees")
    action = metrics.action_log(
        user=member,
        group=group,
        description='=HYPERLINK("http://evil.example")',
        happened_on=today,
        effort_minutes=30,
        impacts=[(trees.pk, 4)],
        notes="Planted oaks by the bridge.",
    )
    friend = UserFactory(display_name="Fia Friend")
    from groups import services as group_services
    from tests.groups.support import STATEMENT

    group_services.group_join(user=friend, group=group, statement=STATEMENT)
    metrics.action_log(
        user=friend, group=group, description="Friend's walk", happened_on=today, effort_minutes=5
    )
    past = Meeting.objects.create(group=group, starts_at=timezone.now() - timedelta(days=2))
    Reflection.objects.create(
        meeting=past, user=member, learned="Roots need water", excited=4, stuck=2
    )
    Reflection.objects.create(
        meeting=past, user=friend, learned="Spades are heavy", excited=5, share_pulse=True
    )
    MeetingResponse.objects.create(meeting=past, user=member, rsvp="yes", attended=True)
    session = Session.objects.create(
        meeting=past, group=group, closed_at=past.starts_at, summary="We planted 40 trees."
    )
    NextAction.objects.create(
        session=session, group=group, owner=member, description="Order more saplings"
    )
    help_request = HelpRequest.objects.create(
        group=group, asked_by=member, summary="Stuck on permits"
    )
    HelpResponse.objects.create(help_request=help_request, author=moderator, body="Ask the council")
    question = Question.objects.create(
        network=network, group=group, asked_by=member, text="How do we reach the school?"
    )
    Answer.objects.create(question=question, author=moderator, body="Through the parents")
    notify(
        recipients=[member],
        kind="group.membership",
        key="export-test",
        title="Welcome to the river",
        email=False,
    )
    return {"action": action, "friend": friend, "past": past, "trees": trees}
