"""Changing a hook: its address, format and events, by the same rules as adding one; the
secret stays unless a new one is asked for (then shown once); a hook that was turned off is
fixed by a new address and turned on again."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from groups.webhooks import services
from groups.webhooks.models import Webhook, WebhookDelivery, WebhookEvent

pytestmark = pytest.mark.django_db

OLD_URL = "https://93.184.215.14/old/key"
NEW_URL = "https://93.184.215.15/new/key"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _edit(client, hook, **data):
    return client.post(
        reverse("groups:webhook_edit", args=[hook.pk]),
        {"url": NEW_URL, "format": "slack", "events": ["member.joined"], **data},
    )


# The service ------------------------------------------------------------------------------


def test_a_new_address_format_and_events_keep_the_secret(moderator, make_hook):
    hook = make_hook(OLD_URL, format="generic")
    secret = hook.secret

    services.webhook_update(
        actor=moderator, hook=hook, url=NEW_URL, format="discord", events=["help.raised"]
    )
    hook.refresh_from_db()

    assert (hook.url, hook.format, hook.events) == (NEW_URL, "discord", ["help.raised"])
    assert hook.secret == secret


def test_no_address_keeps_the_old_one_and_a_new_secret_is_made_when_asked(moderator, make_hook):
    hook = make_hook(OLD_URL)
    secret = hook.secret

    services.webhook_update(
        actor=moderator, hook=hook, url=None, format="slack", events=["member.joined"],
        new_secret=True,
    )  # fmt: skip
    hook.refresh_from_db()

    assert hook.url == OLD_URL and hook.format == "slack"
    assert hook.secret != secret and len(hook.secret) == 64


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"url": "http://127.0.0.1:8000/x"}, "url"),
        ({"url": "http://169.254.169.254/latest"}, "url"),
        ({"url": "ftp://93.184.215.14/x"}, "url"),
        ({"format": "telegram"}, "format"),
        ({"events": []}, "events"),
        ({"events": ["everything"]}, "events"),
    ],
)
def test_the_rules_of_adding_hold_when_changing(moderator, make_hook, changes, field):
    hook = make_hook(OLD_URL)
    args = {"url": NEW_URL, "format": "generic", "events": ["member.joined"], **changes}

    with pytest.raises(ValidationError) as caught:
        services.webhook_update(actor=moderator, hook=hook, **args)
    hook.refresh_from_db()

    assert field in caught.value.message_dict
    assert hook.url == OLD_URL and hook.events == list(Webhook.Event.values)


def test_a_network_hook_takes_only_what_the_whole_network_may_read(organizer, network, make_hook):
    hook = make_hook(OLD_URL, group=None, network=network, created_by=organizer)

    with pytest.raises(ValidationError) as caught:
        services.webhook_update(
            actor=organizer, hook=hook, format="generic", events=["session.summary"]
        )

    assert "events" in caught.value.message_dict


def test_a_member_may_not_change_a_hook(member, make_hook):
    hook = make_hook(OLD_URL)

    with pytest.raises(PermissionDenied):
        services.webhook_update(actor=member, hook=hook, format="slack", events=["member.joined"])


def test_a_hook_turned_off_gets_a_new_address_and_is_turned_on(moderator, make_hook):
    hook = make_hook(
        OLD_URL, is_active=False, consecutive_failures=10, disabled_reason="No answer in time."
    )

    services.webhook_update(
        actor=moderator, hook=hook, url=NEW_URL, format="generic", events=["member.joined"],
        turn_on=True,
    )  # fmt: skip
    hook.refresh_from_db()

    assert hook.is_active and hook.consecutive_failures == 0 and hook.disabled_reason == ""


def test_a_new_address_alone_leaves_a_hook_off_but_counts_failures_afresh(moderator, make_hook):
    hook = make_hook(OLD_URL, is_active=False, consecutive_failures=10, disabled_reason="Gone.")

    services.webhook_update(
        actor=moderator, hook=hook, url=NEW_URL, format="generic", events=["member.joined"]
    )
    hook.refresh_from_db()

    assert not hook.is_active and hook.disabled_reason == "Gone."
    assert hook.consecutive_failures == 0


def test_waiting_deliveries_of_events_no_longer_chosen_are_cancelled(moderator, group, make_hook):
    hook = make_hook(OLD_URL)
    waiting = {}
    for kind in ("member.joined", "session.summary", "test"):
        event = WebhookEvent.objects.create(
            key=f"{kind}:1", kind=kind, network=group.network, group=group
        )
        waiting[kind] = WebhookDelivery.objects.create(hook=hook, event=event)

    services.webhook_update(
        actor=moderator, hook=hook, url=NEW_URL, format="generic", events=["member.joined"]
    )

    statuses = {kind: WebhookDelivery.objects.get(pk=d.pk).status for kind, d in waiting.items()}
    assert statuses == {
        "member.joined": "pending",  # goes to the new address
        "session.summary": "cancelled",
        "test": "pending",
    }


# The page ---------------------------------------------------------------------------------


def test_the_page_shows_the_settings_but_not_the_address_in_few_queries(
    moderator, make_hook, django_assert_max_num_queries
):
    hook = make_hook(OLD_URL, format="discord", events=["help.raised"])
    client = _client(moderator)

    with django_assert_max_num_queries(10):
        page = client.get(reverse("groups:webhook_edit", args=[hook.pk]))

    text = page.content.decode()
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    assert page.context["form"]["format"].value() == "discord"
    assert page.context["form"]["events"].value() == ["help.raised"]
    assert "93.184.215.14" in text and "/old/key" not in text  # the address carries its key
    assert "turn_on" not in page.context["form"].fields  # it is on


def test_saving_keeps_the_secret_and_says_so(moderator, make_hook, django_assert_max_num_queries):
    hook = make_hook(OLD_URL)
    secret = hook.secret
    client = _client(moderator)

    with django_assert_max_num_queries(16):
        response = _edit(client, hook)
    hook.refresh_from_db()
    page = client.get(response.url).content.decode()

    assert response.status_code == 302
    assert response.url == reverse("groups:webhook_detail", args=[hook.pk])
    assert (hook.url, hook.format, hook.events, hook.secret) == (
        NEW_URL,
        "slack",
        ["member.joined"],
        secret,
    )
    assert "its secret is the same" in page and secret not in page


def test_an_empty_address_keeps_the_old_one(moderator, make_hook):
    hook = make_hook(OLD_URL)

    response = _edit(_client(moderator), hook, url="", format="mattermost")
    hook.refresh_from_db()

    assert response.status_code == 302
    assert hook.url == OLD_URL and hook.format == "mattermost"


def test_a_new_secret_is_shown_once_and_never_stored(moderator, make_hook):
    hook = make_hook(OLD_URL)
    old = hook.secret
    client = _client(moderator)

    response = _edit(client, hook, new_secret="on")
    hook.refresh_from_db()
    first = client.get(response.url)
    again = client.get(response.url)

    assert hook.secret != old
    assert hook.secret in first.content.decode() and "no-store" in first["Cache-Control"]
    assert hook.secret not in again.content.decode()


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"url": "http://127.0.0.1:8000/typed"}, "url", "only public addresses"),
        ({"url": "http://10.1.2.3/typed"}, "url", "only public addresses"),
        ({"url": "ftp://93.184.215.14/typed"}, "url", "Only http:// and https://"),
        ({"url": "not a url at all typed"}, "url", "valid URL"),
        ({"url": "https://93.184.215.14/typed" + "a" * 600}, "url", "at most 500"),
        ({"format": "telegram"}, "format", "valid choice"),
        ({"events": []}, "events", "at least one event"),
        ({"events": ["everything"]}, "events", "valid choice"),
        ({"events": ["session.summary"] * 500}, None, None),
    ],
)
def test_bad_input_keeps_what_was_typed_beside_a_message(moderator, make_hook, data, field, words):
    hook = make_hook(OLD_URL)
    typed = {"url": "https://93.184.215.15/typed", "format": "matrix", **data}

    response = _edit(_client(moderator), hook, **typed)
    hook.refresh_from_db()

    if field is None:  # the same event many times over is still one choice
        assert response.status_code == 302 and hook.events == ["session.summary"]
        return
    assert response.status_code == 200
    assert words in str(response.context["form"].errors[field])
    assert "typed" in response.content.decode() or field != "url"
    assert response.context["form"]["format"].value() == typed["format"]
    assert hook.url == OLD_URL and hook.format == "generic"


def test_a_refused_address_reads_as_on_the_page_that_adds(moderator, group, make_hook):
    hook = make_hook(OLD_URL)
    client = _client(moderator)
    bad = "http://192.168.1.10/typed"

    added = client.post(
        reverse("groups:group_webhooks", args=[group.pk]),
        {"url": bad, "format": "generic", "events": ["member.joined"]},
    )
    changed = _edit(client, hook, url=bad)

    assert added.context["form"].errors["url"] == changed.context["form"].errors["url"]


def test_a_hook_turned_off_is_fixed_from_its_page(moderator, make_hook):
    hook = make_hook(OLD_URL, is_active=False, consecutive_failures=10, disabled_reason="Gone.")
    client = _client(moderator)

    detail = client.get(reverse("groups:webhook_detail", args=[hook.pk])).content.decode()
    form = client.get(reverse("groups:webhook_edit", args=[hook.pk])).context["form"]
    response = _edit(client, hook, turn_on="on")
    hook.refresh_from_db()

    assert reverse("groups:webhook_edit", args=[hook.pk]) in detail
    assert "turn_on" in form.fields
    assert response.status_code == 302
    assert hook.is_active and hook.url == NEW_URL


def test_an_organizer_changes_a_network_hook_and_a_moderator_may_not(
    organizer, moderator, outsider, network, make_hook
):
    hook = make_hook(OLD_URL, group=None, network=network, created_by=organizer)
    data = {"events": ["help.raised", "group.spin_out"]}

    assert _edit(_client(moderator), hook, **data).status_code == 403
    assert _edit(_client(outsider), hook, **data).status_code == 404
    assert _edit(_client(organizer), hook, **data).status_code == 302
    hook.refresh_from_db()
    assert hook.events == ["help.raised", "group.spin_out"]
