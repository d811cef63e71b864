"""The account and notification pages (the impact app's own), walked with every kind of person."""

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse

from impact.models import Notification
from impact.services import email_unsubscribe_token, notify
from tests.groups.test_permissions import LOGIN, ROLES, answer, rolled_back
from tests.groups.test_permissions import world as world  # the shared fixture

pytestmark = pytest.mark.django_db

SIGNED_IN = (LOGIN, *[200] * 6)
NOT_ALLOWED = (LOGIN, *[405] * 6)
PAGES = {
    "healthz": {"GET": (200, *[200] * 6), "POST": (405, *[405] * 6)},
    "profile": {"GET": SIGNED_IN, "POST": (LOGIN, *[302] * 6)},
    # A wrong password is a form error, never a deletion.
    "account_delete": {"GET": SIGNED_IN, "POST": SIGNED_IN},
    "notification_list": {"GET": SIGNED_IN, "POST": NOT_ALLOWED},
    "notification_menu": {"GET": SIGNED_IN, "POST": NOT_ALLOWED},
    "notifications_read_all": {"GET": NOT_ALLOWED, "POST": (LOGIN, *[302] * 6)},
    "notification_settings": {"GET": SIGNED_IN, "POST": (LOGIN, *[302] * 6)},
    # Someone else's notification does not exist for you.
    "notification_open": {"GET": NOT_ALLOWED, "POST": (LOGIN, 404, 404, 302, 404, 404, 404)},
    # The signed token is the credential: mail clients use it without a session.
    "email_unsubscribe": {"GET": (200, *[200] * 6), "POST": (200, *[200] * 6)},
}


def impact_pages() -> dict:
    found = {}

    def walk(patterns):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns)
            elif getattr(entry.callback, "__module__", "") == "impact.views":
                found[entry.name] = entry

    walk(get_resolver().url_patterns)
    return found


def test_every_account_page_answers_each_role_as_the_rules_say(world):
    member = world["people"]["member"]
    with transaction.atomic():
        notify(recipients=[member], kind="welcome", key="walk", title="Welcome", email=False)
    notification = Notification.objects.get(recipient=member, kind="welcome", channel="in_app")
    values = {"pk": notification.pk, "token": email_unsubscribe_token(user=member, kind="welcome")}
    data = {
        "profile": {"display_name": "New name", "time_zone": "Europe/Paris"},
        "account_delete": {"password": "not the password"},
        "notification_settings": {"kinds": ["welcome"]},
    }
    pages = impact_pages()
    assert set(pages) == set(PAGES), f"pages without a row: {set(pages) ^ set(PAGES)}"
    clients = {}
    for role, person in world["people"].items():
        clients[role] = Client()
        if person is not None:
            clients[role].force_login(person)
    wrong = []
    for name, pattern in pages.items():
        url = reverse(name, kwargs={key: values[key] for key in pattern.pattern.converters})
        for method, expected in PAGES[name].items():
            body = data.get(name, {}) if method == "POST" else {}
            for role, want in zip(ROLES, expected, strict=True):
                response = rolled_back(getattr(clients[role], method.lower()), url, body)
                if answer(response) != want:
                    wrong.append(f"{role:16} {method:5} {url}: {answer(response)}, expected {want}")
    assert not wrong, "\n" + "\n".join(wrong)
