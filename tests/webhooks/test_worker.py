"""A real Celery worker posts a webhook after commit, retries a 500 with backoff, and posts
each event to each hook once."""

import re

import pytest

from groups import services
from groups.webhooks.models import WebhookDelivery
from tests.factories import UserFactory
from tests.groups.support import STATEMENT
from tests.impact.support import running_worker
from tests.meetings.test_worker import broker_url  # noqa: F401 (fixture)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(tmp_path, broker_url, monkeypatch):  # noqa: F811 (the fixture imported above)
    # The worker is another process: it reads these from the environment.
    monkeypatch.setenv("WEBHOOK_ALLOW_ADDRESSES", "127.0.0.1/32")
    monkeypatch.setenv("WEBHOOK_RETRY_BASE_SECONDS", "1")
    with running_worker(tmp_path, broker_url) as handle:
        yield handle


def test_a_real_worker_posts_after_commit_and_retries_a_500_once_due(
    worker, receiver, make_hook, group
):
    receiver.answers = [500]
    hook = make_hook(receiver.url(), format="slack", events=["member.joined"])

    services.group_join(user=UserFactory(display_name="Wren"), group=group, statement=STATEMENT)
    delivery = WebhookDelivery.objects.get(hook=hook)
    worker.wait_until(
        lambda: WebhookDelivery.objects.filter(pk=delivery.pk, status="sent").exists(),
        "the delivery to be sent",
    )
    worker.wait_until(worker.queue_drained, "the queue to drain")

    assert len(receiver.received) == 2  # the 500, then the retry a second later
    assert all("Wren joined River Crew" in r.json["text"] for r in receiver.received)
    finished = re.findall(r"deliver_webhook\[[^\]]+\] (?:succeeded|retry)", worker.log())
    assert len(finished) == 2, worker.log()[-3000:]
