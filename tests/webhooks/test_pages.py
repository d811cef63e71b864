"""The webhook pages: a group's moderators and a network's organizers add hooks, see the
secret once, read the delivery log, switch, test and delete; bad input never breaks a page."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from groups.webhooks.models import Webhook, WebhookAttempt, WebhookDelivery, WebhookEvent

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _add(client, page, **data):
    return client.post(
        page,
        {
            "url": "https://93.184.215.14/hook",
            "format": "generic",
            "events": ["session.summary", "member.joined"],
            **data,
        },
    )


def test_a_moderator_adds_a_hook_and_sees_its_secret_once(moderator, group):
    client = _client(moderator)

    response = _add(client, reverse("groups:group_webhooks", args=[group.pk]))

    hook = Webhook.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("groups:webhook_detail", args=[hook.pk])
    assert (hook.group, hook.created_by, hook.events) == (
        group,
        moderator,
        ["session.summary", "member.joined"],
    )
    first = client.get(response.url).content.decode()
    again = client.get(response.url).content.decode()
    assert hook.secret in first and "X-Impact-Signature" in first
    assert hook.secret not in again and "X-Impact-Signature" in again
    # The header's shape reads as written (a translation is not escaped by itself).
    assert "t=&lt;timestamp&gt;,v1=&lt;signature&gt;" in again
    listing = client.get(reverse("groups:group_webhooks", args=[group.pk])).content.decode()
    assert hook.secret not in listing and "93.184.215.14" in listing


def test_an_organizer_adds_a_network_hook(organizer, network):
    response = _add(
        _client(organizer),
        reverse("groups:network_webhooks", args=[network.slug]),
        events=["help.raised", "group.spin_out"],
    )

    hook = Webhook.objects.get()
    assert response.status_code == 302
    assert hook.group is None and hook.network == network


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"url": "http://127.0.0.1:8000/x"}, "url", "only public addresses"),
        ({"url": "http://169.254.169.254/latest"}, "url", "only public addresses"),
        ({"url": "ftp://93.184.215.14/x"}, "url", "Only http:// and https://"),
        ({"url": "not a url at all"}, "url", "valid URL"),
        ({"url": "https://93.184.215.14/" + "a" * 600}, "url", "at most 500"),
        ({"format": "telegram"}, "format", "valid choice"),
        ({"events": []}, "events", "at least one event"),
        ({"events": ["everything"]}, "events", "valid choice"),
    ],
)
def test_bad_input_gets_a_message_beside_its_field(moderator, group, data, field, words):
    response = _add(_client(moderator), reverse("groups:group_webhooks", args=[group.pk]), **data)

    assert response.status_code == 200
    assert words in str(response.context["form"].errors[field])
    assert not Webhook.objects.exists()


def test_rolling_the_secret_shows_the_new_one_once(moderator, make_hook):
    hook = make_hook("https://93.184.215.14/hook")
    old = hook.secret
    client = _client(moderator)

    response = client.post(reverse("groups:webhook_act", args=[hook.pk]), {"do": "roll"})
    hook.refresh_from_db()

    assert hook.secret != old
    assert hook.secret in client.get(response.url).content.decode()
    assert hook.secret not in client.get(response.url).content.decode()


def test_turning_off_on_and_testing(moderator, make_hook, django_capture_on_commit_callbacks):
    hook = make_hook("https://93.184.215.14/hook")
    client = _client(moderator)
    act = reverse("groups:webhook_act", args=[hook.pk])

    client.post(act, {"do": "disable"})
    hook.refresh_from_db()
    assert not hook.is_active
    client.post(act, {"do": "test"})  # refused while off, with a message
    assert not WebhookDelivery.objects.exists()
    client.post(act, {"do": "enable"})
    with django_capture_on_commit_callbacks(execute=False):
        client.post(act, {"do": "test"})

    hook.refresh_from_db()
    assert hook.is_active
    assert WebhookDelivery.objects.get().event.kind == "test"


@pytest.mark.parametrize("data", [{}, {"do": "explode"}, {"do": ["test", "roll"] * 50}])
def test_a_bad_action_is_answered_with_a_message(moderator, make_hook, data):
    hook = make_hook("https://93.184.215.14/hook")

    response = _client(moderator).post(reverse("groups:webhook_act", args=[hook.pk]), data)

    assert response.status_code == 302


def test_deleting_a_hook_takes_its_log_with_it(moderator, group, make_hook):
    hook = make_hook("https://93.184.215.14/hook")
    client = _client(moderator)

    page = client.get(reverse("groups:webhook_delete", args=[hook.pk]))
    response = client.post(reverse("groups:webhook_delete", args=[hook.pk]))

    assert page.status_code == 200
    assert response.url == reverse("groups:group_webhooks", args=[group.pk])
    assert not Webhook.objects.exists()


def test_the_hook_page_shows_the_delivery_log_in_few_queries(
    moderator, group, make_hook, django_assert_max_num_queries
):
    hook = make_hook("https://93.184.215.14/hook")
    now = timezone.now()
    for n in range(30):
        event = WebhookEvent.objects.create(
            key=f"member.joined:{n}", kind="member.joined", network=group.network, group=group
        )
        delivery = WebhookDelivery.objects.create(hook=hook, event=event)
        WebhookAttempt.objects.create(
            hook=hook,
            delivery=delivery,
            number=1,
            at=now - timedelta(minutes=n),
            status_code=500 if n % 2 else 200,
            error="The receiving end answered 500." if n % 2 else "",
        )
    client = _client(moderator)

    with django_assert_max_num_queries(12):
        page = client.get(reverse("groups:webhook_detail", args=[hook.pk]))

    text = page.content.decode()
    assert page.status_code == 200
    assert text.count("A member joined") >= 30 and "The receiving end answered 500." in text


def test_the_list_page_takes_few_queries_whatever_the_hooks(
    moderator, group, make_hook, django_assert_max_num_queries
):
    for n in range(10):
        make_hook(f"https://93.184.215.{n + 1}/hook")
    client = _client(moderator)

    with django_assert_max_num_queries(12):
        page = client.get(reverse("groups:group_webhooks", args=[group.pk]))

    assert page.content.decode().count("93.184.215.") >= 10


def test_the_settings_and_network_pages_link_the_hooks(moderator, organizer, group, member):
    settings_page = _client(moderator).get(reverse("groups:group_edit", args=[group.pk]))
    network_page = _client(organizer).get(group.network.get_absolute_url())
    members_view = _client(member).get(group.network.get_absolute_url())

    hooks_of_group = reverse("groups:group_webhooks", args=[group.pk])
    hooks_of_network = reverse("groups:network_webhooks", args=[group.network.slug])
    assert hooks_of_group in settings_page.content.decode()
    assert hooks_of_network in network_page.content.decode()
    assert hooks_of_network not in members_view.content.decode()


def test_a_member_cannot_reach_the_hooks_of_their_group(member, group, make_hook, outsider):
    hook = make_hook("https://93.184.215.14/hook")

    assert _client(member).get(reverse("groups:webhook_detail", args=[hook.pk])).status_code == 403
    assert (
        _client(outsider).get(reverse("groups:webhook_detail", args=[hook.pk])).status_code == 404
    )
    assert _client(member).get(reverse("groups:group_webhooks", args=[group.pk])).status_code == 403


def test_a_network_hook_is_its_organizers_alone(organizer, moderator, outsider, network, make_hook):
    hook = make_hook("https://93.184.215.14/n", group=None, network=network, created_by=organizer)
    page = reverse("groups:webhook_detail", args=[hook.pk])

    assert _client(organizer).get(page).status_code == 200
    assert _client(moderator).get(page).status_code == 403  # in the network, not organizing it
    assert _client(outsider).get(page).status_code == 404


# Never stored -----------------------------------------------------------------------------


def test_the_webhook_pages_are_never_stored(moderator, organizer, group, make_hook):
    hook = make_hook("https://93.184.215.14/h")
    client = _client(moderator)
    pages = [
        client.get(reverse("groups:group_webhooks", args=[group.pk])),
        client.get(reverse("groups:webhook_detail", args=[hook.pk])),
        client.post(reverse("groups:webhook_act", args=[hook.pk]), {"do": "roll"}),
        client.get(reverse("groups:webhook_detail", args=[hook.pk])),  # the new secret
        client.get(reverse("groups:webhook_delete", args=[hook.pk])),
        client.get(reverse("groups:webhook_edit", args=[hook.pk])),
        _client(organizer).get(reverse("groups:network_webhooks", args=[group.network.slug])),
    ]

    for page in pages:
        assert "no-store" in page["Cache-Control"], page


def test_the_service_worker_keeps_no_webhook_page_and_nothing_marked_no_store(
    client, group, make_hook
):
    hook = make_hook("https://93.184.215.14/h")
    worker = client.get(reverse("service_worker")).content.decode()
    (line,) = [text for text in worker.splitlines() if text.startswith("const NEVER = [")]
    never = [re.compile(body) for body in re.findall(r"/(\^?[^,\]]*?[^\\])/", line[15:])]

    for url in [
        reverse("groups:group_webhooks", args=[group.pk]),
        reverse("groups:network_webhooks", args=[group.network.slug]),
        reverse("groups:webhook_detail", args=[hook.pk]),
        reverse("groups:webhook_delete", args=[hook.pk]),
        reverse("groups:webhook_edit", args=[hook.pk]),
    ]:
        assert any(rule.search(url) for rule in never), url
    assert not any(rule.search(reverse("groups:group_detail", args=[group.pk])) for rule in never)
    assert '/no-store/i.test(response.headers.get("Cache-Control")' in worker
