"""An entry sent twice with the same idempotency key is made once: a phone's offline queue or
an API client retrying after an answer that never arrived never doubles an action."""

import threading
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from impact.exceptions import Conflict
from metrics import services
from metrics.models import Action, Measurement
from tests.metrics.support import today_for
from tests.metrics.test_api import ACTIONS, MEASUREMENTS, action_payload


def key() -> str:
    return str(uuid.uuid4())


def log(member, group, client_key, description="Planted oaks", impacts=()):
    return services.action_log(
        user=member,
        group=group,
        description=description,
        happened_on=today_for(member),
        effort_minutes=30,
        impacts=impacts,
        client_key=client_key,
    )


def test_the_same_key_twice_makes_one_action_with_its_impact(group, member, trees):
    sent = key()
    first = log(member, group, sent, impacts=[(trees.pk, "12")])
    again = log(member, group, sent, impacts=[(trees.pk, "12")])

    assert again.pk == first.pk and getattr(again, "replayed", False)
    assert Action.objects.count() == 1 and Measurement.objects.count() == 1
    # Without a key (or with another), every send is an action of its own.
    log(member, group, None)
    log(member, group, key())
    assert Action.objects.count() == 3


def test_a_key_is_one_persons_own(group, member, other_member):
    sent = key()
    log(member, group, sent)
    log(other_member, group, sent)
    assert Action.objects.count() == 2


def test_the_same_key_for_something_else_is_refused(group, member):
    sent = key()
    log(member, group, sent)
    with pytest.raises(Conflict, match="already used for a different entry"):
        log(member, group, sent, description="Something else")
    assert Action.objects.count() == 1


@pytest.mark.parametrize("bad", ["", "short", "x" * 65, "has space!", "é" * 10])
def test_a_malformed_key_is_refused_by_name(group, member, bad):
    with pytest.raises(ValidationError) as caught:
        log(member, group, bad)
    assert "idempotency_key" in caught.value.message_dict
    assert not Action.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_sends_racing_with_one_key_make_one_action(group, member):
    sent, made, errors = key(), [], []
    barrier = threading.Barrier(6)

    def send():
        try:
            barrier.wait()
            made.append(log(member, group, sent).pk)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors and len(set(made)) == 1
    assert Action.objects.filter(client_key=sent).count() == 1


def test_the_api_answers_a_repeated_send_with_the_first_action(api, group, member, trees):
    client, sent = api(member), key()
    payload = action_payload(group, member, impacts=[{"metric": trees.pk, "value": "3"}])
    first = client.post(ACTIONS, payload, format="json", headers={"Idempotency-Key": sent})
    again = client.post(ACTIONS, payload, format="json", headers={"Idempotency-Key": sent})

    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"] and again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Action.objects.count() == 1 and Measurement.objects.count() == 1

    other = client.post(
        ACTIONS,
        payload | {"description": "Other"},
        format="json",
        headers={"Idempotency-Key": sent},
    )
    assert other.status_code == 409 and other.json()["code"] == "idempotency_key_reused"
    bad = client.post(ACTIONS, payload, format="json", headers={"Idempotency-Key": "no"})
    assert bad.status_code == 400 and "idempotency_key" in bad.json()["fields"]


def test_the_api_makes_a_measurement_once_per_key(api, group, member, trees):
    client, sent = api(member), key()
    payload = {
        "group": group.pk,
        "metric": trees.pk,
        "value": "4",
        "measured_on": today_for(member).isoformat(),
    }
    answers = [
        client.post(MEASUREMENTS, payload, format="json", headers={"Idempotency-Key": sent})
        for _ in range(2)
    ]
    assert [a.status_code for a in answers] == [201, 201]
    assert answers[0].json()["id"] == answers[1].json()["id"]
    assert Measurement.objects.count() == 1


def test_the_quick_log_form_sent_twice_logs_once(client, group, member):
    client.force_login(member)
    form = {
        "description": "Mended the fence",
        "happened_on": today_for(member).isoformat(),
        "effort_minutes": "30",
        "idempotency_key": key(),
    }
    url = reverse("metrics:action_create", args=[group.pk])
    answers = [client.post(url, form, headers={"HX-Request": "true"}) for _ in range(2)]

    assert all(a.status_code == 200 and a["HX-Trigger"] == "impact-logged" for a in answers)
    assert Action.objects.filter(description="Mended the fence").count() == 1
    # Each form the page draws carries a fresh key for the next action.
    assert form["idempotency_key"] not in answers[1].content.decode()
