"""The multi-machine shape, proven on one machine.

Two gunicorn instances, two Celery workers and two Celery beats (as a careless operator might
run them) as separate processes with DEBUG off, on the test database and Redis. People signed
in on one web instance are recognised on the other, every member gets each summary, reminder
and prompt exactly once, and a worker killed mid-batch leaves its emails to the other worker:
none lost, none sent twice.
"""

import re
from collections import Counter
from datetime import timedelta

import pytest
import redis
import requests
from django.conf import global_settings, settings
from django.db import transaction
from django.utils import timezone

from groups.meetings import services as meetings
from groups.meetings.models import Meeting
from impact import services
from impact.models import Notification
from tests.factories import GroupFactory, MembershipFactory, UserFactory
from tests.impact.production import ProductionShape, count
from tests.impact.test_worker import _test_database_url

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-good-test-password"  # the factory's, hashed with the production hasher here
GROUP = "River Keepers"
MEMBERS = 12  # the moderator and eleven members
FAN_OUT = 200  # people mailed in the kill phase: four batches of services.DISPATCH_BATCH
GATE_PASSES = 5  # messages each process of the doomed worker sends before it stalls
CLAIM_SECONDS = 10  # how long a dead worker's rows stay held before the sweep hands them out
# Beat's intervals scaled down: sweep 0.3 s, reminders 1.5 s, prompts 4.5 s (60, 300, 900 s).
BEAT_SCALE = 0.005
JOBS = {
    "meeting-reminders": "groups.meetings.tasks.send_meeting_reminders",
    "reflection-prompts": "groups.meetings.tasks.send_reflection_prompts",
}
PURPOSES = {  # what each email is, from its subject
    "summary": f"Summary of the reflection in {GROUP}",
    "reminder": f"{GROUP} meets ",
    "prompt": f"Reflect on your week before {GROUP} meets",
}


@pytest.fixture(autouse=True)
def _production_password_hashing(settings):
    """The web processes check passwords with the production hashers, so the people who sign
    in there get their passwords hashed the production way (the suite hashes fast)."""
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS


@pytest.fixture
def shape(tmp_path, transactional_db):
    """The services, started by the test; all stopped (and their logs shown on failure) after."""
    broker_url, redis_url = settings.CELERY_BROKER_URL, settings.REDIS_URL
    if not broker_url.startswith("redis://") or not redis_url.startswith("redis://"):
        pytest.skip("the production shape needs REDIS_URL and CELERY_BROKER_URL on Redis")
    assert broker_url != redis_url, "the tests clear the cache: the broker needs its own db"
    broker = redis.Redis.from_url(broker_url)
    broker.flushdb()
    production = ProductionShape(
        tmp_path,
        database_url=_test_database_url(),
        redis_url=redis_url,
        broker_url=broker_url,
        BEAT_SCHEDULE_SCALE=BEAT_SCALE,
        OUTBOX_CLAIM_SECONDS=CLAIM_SECONDS,
    )
    try:
        yield production
    finally:
        production.stop()
        # Shown by pytest only when the test failed.
        print(production.log_tails())
        broker.flushdb()


def sign_in(web, username: str) -> requests.Session:
    """A browser signing in through the login form, CSRF token and all."""
    browser = requests.Session()
    form = browser.get(f"{web.url}/accounts/login/", timeout=20)
    assert form.status_code == 200, form.text[:2000]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    answer = browser.post(
        f"{web.url}/accounts/login/",
        data={"csrfmiddlewaretoken": token, "login": username, "password": PASSWORD},
        allow_redirects=False,
        timeout=20,
    )
    assert answer.status_code == 302, answer.text[:2000]
    assert "sessionid" in browser.cookies
    return browser


def post(browser: requests.Session, url: str, payload: dict) -> requests.Response:
    """An API write with the browser's session, which DRF checks for a CSRF token."""
    headers = {"X-CSRFToken": browser.cookies["csrftoken"]}
    return browser.post(url, json=payload, headers=headers, timeout=20)


def purpose(message) -> str:
    subject = message["Subject"].removeprefix(settings.ACCOUNT_EMAIL_SUBJECT_PREFIX)
    return next((name for name, start in PURPOSES.items() if subject.startswith(start)), subject)


def mail_counts(shape) -> Counter:
    """(recipient, purpose) -> how many emails were written, by every process together."""
    return Counter(
        (message["To"], purpose(message))
        for messages in shape.mail().values()
        for message in messages
    )


def emails(**filters):
    return Notification.objects.filter(channel=Notification.Channel.EMAIL, **filters)


def job_runs(shape, job: str, *, beats, workers) -> tuple[list[int], int]:
    """How often each beat sent the job, and how many runs of it the workers finished."""
    sent = [count(rf"Sending due task {job} ", beat.log()) for beat in beats]
    finished = sum(count(rf"{re.escape(JOBS[job])}\[[^\]]+\] succeeded", w.log()) for w in workers)
    return sent, finished


def test_two_of_everything_send_each_email_once_even_when_a_worker_dies(shape):
    # The first worker runs the project's app as it is; the second is the same app whose mail
    # backend can be made to stall (tests/impact/mail_gate.py), so that it dies mid-batch.
    gate = shape.tmp / "gate"
    static = shape.collectstatic()
    survivor = shape.worker("worker1")
    doomed = shape.worker("worker2", app="tests.impact.mail_gate", env={"MAIL_GATE": str(gate)})
    workers = [survivor, doomed]

    # The group: a moderator, two members who sign in, nine more in several time zones.
    group = GroupFactory(name=GROUP)
    moderator = UserFactory(username="mo")
    ana = UserFactory(username="ana")
    ben = UserFactory(username="ben", time_zone="Asia/Kolkata")
    others = [
        UserFactory(password=None, time_zone=zone)
        for zone in ["Europe/Berlin", "America/New_York", "Australia/Sydney"] * 3
    ]
    members = [moderator, ana, ben, *others]
    assert len(members) == MEMBERS
    for person in members:
        MembershipFactory(
            group=group, user=person, role="moderator" if person is moderator else "member"
        )
    # Last hour's reflection, whose session the moderator runs; the next one is in a day, so
    # its day-before reminder and its reflection prompt are due now.
    held = Meeting.objects.create(
        group=group, starts_at=timezone.now() - timedelta(hours=1), is_reflection=True
    )
    meetings.meeting_add(
        actor=moderator,
        group=group,
        starts_at=timezone.now() + timedelta(days=1, minutes=-5),
        location="The old mill",
        is_reflection=True,
    )

    shape.wait_until(lambda: not static.alive(), "collectstatic", timeout=90)
    assert static.popen.returncode == 0, static.log()
    web1, web2 = shape.web("web1"), shape.web("web2")
    shape.wait_for_web(web1, web2)

    # Signed in on one instance, recognised on the other with the same cookie.
    ana_browser = sign_in(web1, "ana")
    me = ana_browser.get(f"{web2.url}/api/me/", timeout=20)
    assert me.status_code == 200 and me.json()["username"] == "ana", me.text[:2000]
    page = ana_browser.get(f"{web2.url}/groups/{group.pk}/", timeout=20)
    assert page.status_code == 200 and GROUP in page.text
    assert requests.get(f"{web2.url}/api/me/", timeout=20).status_code in (401, 403)

    # Ana logs an action on one instance; Ben, with an API token from the other, sees it.
    logged = post(
        ana_browser,
        f"{web1.url}/api/actions/",
        {
            "group": group.pk,
            "description": "Cleared the riverbank",
            "happened_on": timezone.localdate().isoformat(),
            "effort_minutes": 90,
        },
    )
    assert logged.status_code == 201, logged.text[:2000]
    token = requests.post(
        f"{web2.url}/api/auth/token/", data={"username": "ben", "password": PASSWORD}, timeout=20
    )
    assert token.status_code == 200, token.text[:2000]
    ben_api = {"Authorization": f"Token {token.json()['token']}"}
    for web in (web1, web2):
        listed = requests.get(
            f"{web.url}/api/actions/", params={"group": group.pk}, headers=ben_api, timeout=20
        )
        assert listed.status_code == 200, listed.text[:2000]
        assert [row["description"] for row in listed.json()["results"]] == ["Cleared the riverbank"]

    # The moderator opens the session on one instance and closes it on the other (twice).
    mo_browser = sign_in(web2, "mo")
    opened = post(mo_browser, f"{web2.url}/api/meetings/{held.pk}/session/", {})
    assert opened.status_code == 200, opened.text[:2000]
    session_url = f"{web1.url}/api/sessions/{opened.json()['id']}"
    added = post(
        mo_browser,
        f"{session_url}/next-actions/",
        {"owner": ana.pk, "description": "Ask the council about bins"},
    )
    assert added.status_code == 201, added.text[:2000]
    for _twice in range(2):
        closed = post(mo_browser, f"{session_url}/close/", {"achieved": "A clean riverbank"})
        assert closed.status_code == 200, closed.text[:2000]

    # Two beats, each with its own schedule file, both sending the reminder and prompt jobs.
    beats = [shape.beat("beat1"), shape.beat("beat2")]
    expected = {(person.email, name) for person in members for name in PURPOSES}

    def every_job_sent_twice_by_each_beat() -> bool:
        return all(min(job_runs(shape, job, beats=beats, workers=workers)[0]) >= 2 for job in JOBS)

    def all_mail_out() -> bool:
        return not emails(status=Notification.Status.PENDING).exists() and expected <= set(
            mail_counts(shape)
        )

    shape.wait_until(every_job_sent_twice_by_each_beat, "both beats to send both jobs twice")
    shape.wait_until(all_mail_out, "every summary, reminder and prompt", timeout=60)
    # The jobs keep running while they are due: let the workers finish every run sent so far.
    sent_so_far = {job: sum(job_runs(shape, job, beats=beats, workers=workers)[0]) for job in JOBS}
    shape.wait_until(
        lambda: all(
            job_runs(shape, job, beats=beats, workers=workers)[1] >= sent_so_far[job]
            for job in JOBS
        ),
        "the workers to finish every job run sent",
    )
    shape.wait_until(all_mail_out, "the outbox to empty again")

    counts = mail_counts(shape)
    assert {key: n for key, n in counts.items() if key in expected} == dict.fromkeys(expected, 1)
    assert sum(counts.values()) == emails(status=Notification.Status.SENT).count()
    assert set(emails().values_list("status", flat=True)) == {Notification.Status.SENT}
    phase_one = {job: job_runs(shape, job, beats=beats, workers=workers) for job in JOBS}

    # A fan-out of four batches. Each process of the second worker sends a few of its
    # batch's emails and then stalls in the middle of it.
    people = UserFactory.create_batch(FAN_OUT, password=None)
    gate.write_text(str(GATE_PASSES))
    with transaction.atomic():
        ids = services.notify(
            recipients=people,
            kind="group.membership",
            key="kill-test",
            title="A seat opened for you",
            in_app=False,
        )
    assert len(ids) == FAN_OUT
    shape.wait_until(
        lambda: any(gate.parent.glob("gate-held-*")), "the second worker to stall mid-batch"
    )
    stalled_on = {
        address
        for marker in gate.parent.glob("gate-held-*")
        for address in marker.read_text().split(",")
    }
    # Before the kill: it holds rows it has not sent (claimed, pending), and it has already
    # sent some of the batch it is in.
    holding = emails(
        pk__in=ids, status=Notification.Status.PENDING, claimed_until__gt=timezone.now()
    )
    assert holding.filter(recipient__email__in=stalled_on).count() == len(stalled_on)
    addresses = {person.email for person in people}
    assert len({m["To"] for m in shape.mail()["worker2"]} & addresses) >= GATE_PASSES
    assert "impact.tasks.deliver_notifications" in doomed.log()

    doomed.kill()
    assert not doomed.alive()
    held_at_kill = set(
        holding.filter(claimed_until__gt=timezone.now()).values_list("id", flat=True)
    )

    shape.wait_until(
        lambda: not emails(pk__in=ids, status=Notification.Status.PENDING).exists(),
        "the other worker to deliver the dead worker's rows",
        timeout=CLAIM_SECONDS + 45,
    )
    by_process = shape.mail()
    fan_out = Counter(
        m["To"] for messages in by_process.values() for m in messages if m["To"] in addresses
    )
    assert fan_out == Counter(addresses)
    assert set(emails(pk__in=ids).values_list("status", flat=True)) == {"sent"}
    # What the dead worker had sent was not sent again; what it stalled on, the survivor sent.
    from_doomed = {m["To"] for m in by_process["worker2"]} & addresses
    from_survivor = {m["To"] for m in by_process["worker1"]} & addresses
    assert from_doomed | from_survivor == addresses
    assert not from_doomed & from_survivor
    # Every row the dead worker held was claimed a second time, and sent, by the survivor.
    reclaimed = emails(pk__in=ids, attempts=2)
    assert stalled_on <= set(reclaimed.values_list("recipient__email", flat=True)) <= from_survivor
    assert set(reclaimed.values_list("id", flat=True)) <= held_at_kill
    # Its messages were never handed back (a worker killed whole cannot reject them; Redis
    # restores them after the visibility timeout, an hour, and then they find nothing to do):
    # the outbox sweep, once the dead worker's claims expired, is what delivered its rows.
    assert redis.Redis.from_url(settings.CELERY_BROKER_URL).hlen("unacked") >= 1
    assert not emails(status=Notification.Status.PENDING).exists()
    counts = mail_counts(shape)
    assert sum(counts.values()) == emails(status=Notification.Status.SENT).count()
    assert max(counts.values()) == 1

    print(
        f"members {MEMBERS}, phase one mails {len(expected)}, job runs {phase_one}, "
        f"fan-out {FAN_OUT}, sent by the doomed worker before it died {len(from_doomed)}, "
        f"rows it held and the survivor sent {reclaimed.count()}, mails by process "
        f"{ {name: len(messages) for name, messages in by_process.items()} }"
    )
