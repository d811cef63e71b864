"""Only public addresses are called: by literal, after DNS (every answer), on every redirect,
and at the one address that was checked."""

import time

import pytest
from django.test import override_settings

from groups.webhooks import addresses
from groups.webhooks.addresses import RefusedAddress, check_url
from groups.webhooks.forms import WebhookForm

REFUSED = [
    "127.0.0.1",  # loopback
    "127.8.9.10",
    "10.0.0.1",  # private ranges
    "10.255.255.254",
    "172.16.0.1",
    "172.31.255.1",
    "192.168.1.1",
    "100.64.0.1",  # carrier-grade NAT
    "100.127.255.254",
    "169.254.1.1",  # link-local
    "169.254.169.254",  # cloud metadata
    "168.63.129.16",  # Azure's platform address (public, yet inside every Azure network)
    "0.0.0.0",
    "0.1.2.3",
    "224.0.0.1",  # multicast
    "239.255.255.250",
    "240.0.0.1",  # reserved
    "255.255.255.255",
    "::1",
    "::",
    "fc00::1",  # unique local
    "fd12:3456::1",
    "fd00:ec2::254",  # AWS metadata over IPv6
    "fe80::1",  # link-local
    "ff02::1",  # multicast
    "::ffff:127.0.0.1",  # IPv4-mapped
    "::ffff:10.0.0.1",
    "::ffff:169.254.169.254",
    "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
    "2002:a00:1::1",  # 6to4 of 10.0.0.1
]
PUBLIC = ["93.184.215.14", "1.1.1.1", "2606:4700:4700::1111"]


def _literal(address: str) -> str:
    return f"https://[{address}]/hook" if ":" in address else f"https://{address}/hook"


@pytest.fixture
def dns(monkeypatch):
    """Stub the DNS: dns["hooks.example"] = [addresses]; counts the lookups."""
    answers, asked = {}, []

    def resolve(host, port):
        asked.append(host)
        if host not in answers:
            raise OSError("no such name")
        return answers[host]

    monkeypatch.setattr(addresses, "resolve", resolve)
    answers["asked"] = asked
    return answers


@pytest.mark.parametrize("address", REFUSED)
def test_a_private_address_is_refused_as_a_literal(address):
    with pytest.raises(RefusedAddress, match="only public addresses can be called"):
        check_url(_literal(address))


@pytest.mark.parametrize("address", REFUSED)
def test_a_name_resolving_to_a_private_address_is_refused(dns, address):
    dns["hooks.example"] = [address]

    with pytest.raises(RefusedAddress, match="only public addresses can be called"):
        check_url("https://hooks.example/services/T000/B000/incoming-path")


@pytest.mark.parametrize("address", REFUSED[:6])
def test_one_private_answer_among_public_ones_is_enough_to_refuse(dns, address):
    dns["hooks.example"] = ["93.184.215.14", address]

    with pytest.raises(RefusedAddress):
        check_url("https://hooks.example/hook")


@pytest.mark.parametrize("address", PUBLIC)
def test_a_public_address_is_taken_and_pinned(dns, address):
    dns["hooks.example"] = [address]

    target = check_url("https://hooks.example:8443/hook?x=1")

    assert (target.host, target.port, target.path, target.address) == (
        "hooks.example",
        8443,
        "/hook?x=1",
        address,
    )


@pytest.mark.parametrize(
    "url",
    [
        "ftp://hooks.example/x",
        "file:///etc/passwd",
        "gopher://hooks.example/",
        "javascript:alert(1)",
        "https://user:secret@hooks.example/x",
        "https:///nohost",
        "https://hooks.example:99999/x",
    ],
)
def test_other_schemes_credentials_and_broken_urls_are_refused(dns, url):
    dns["hooks.example"] = ["93.184.215.14"]

    with pytest.raises(RefusedAddress):
        check_url(url)


def test_a_name_that_does_not_resolve_is_refused(dns):
    with pytest.raises(RefusedAddress, match="only public addresses can be called"):
        check_url("https://nowhere.example/hook")


def test_an_unknown_name_and_a_private_one_get_the_same_words_and_only_the_log_says_which(
    dns, caplog
):
    dns["intranet.example"] = ["10.1.2.3"]
    caplog.set_level("INFO", logger="groups.webhooks.addresses")

    with pytest.raises(RefusedAddress) as private:
        check_url("https://intranet.example/hook")
    with pytest.raises(RefusedAddress) as unknown:
        check_url("https://nowhere.example/hook")

    assert str(private.value) == str(unknown.value)
    assert "10.1.2.3" not in str(private.value) and "intranet" not in str(private.value)
    assert "intranet.example resolves to the refused address 10.1.2.3" in caplog.text
    assert "nowhere.example does not resolve" in caplog.text


def test_the_allowance_setting_lets_only_its_ranges_through(settings):
    settings.WEBHOOK_ALLOW_ADDRESSES = ["127.0.0.1/32"]

    check_url("http://127.0.0.1:9/hook")
    with pytest.raises(RefusedAddress):
        check_url("http://127.0.0.2:9/hook")
    with pytest.raises(RefusedAddress):
        check_url("http://169.254.169.254/latest/meta-data/")


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1/hook", "https://[::ffff:10.0.0.1]/x", "http://169.254.169.254/"]
)
def test_the_form_refuses_a_private_url_with_a_clear_message(url):
    form = WebhookForm({"url": url, "format": "slack", "events": ["member.joined"]})

    assert not form.is_valid()
    assert "only public addresses can be called" in form.errors["url"][0]


def test_the_form_takes_a_public_url():
    form = WebhookForm(
        {"url": "https://93.184.215.14/hook", "format": "discord", "events": ["help.raised"]}
    )

    assert form.is_valid(), form.errors


# Connecting: the checked address, each redirect checked, short timeouts, capped answers -----


def test_the_request_goes_to_the_checked_address_with_the_name_as_host(dns, receiver):
    dns["hooks.example"] = ["127.0.0.1"]

    answer = addresses.post(f"http://hooks.example:{receiver.port}/hook", b"{}", {})

    assert answer.status == 200
    assert receiver.received[0].headers["Host"] == f"hooks.example:{receiver.port}"
    # One lookup, at the check: the connection does not ask the DNS again (a second answer,
    # say a private address, could not take its place).
    assert dns["asked"] == ["hooks.example"]


def test_an_international_name_is_checked_and_sent_in_its_ascii_form(dns, receiver):
    dns["xn--bcher-kva.example"] = ["127.0.0.1"]

    assert check_url("https://BÜCHER.example/hook").host == "xn--bcher-kva.example"
    answer = addresses.post(f"http://bücher.example:{receiver.port}/hook", b"{}", {})

    assert answer.status == 200
    assert receiver.received[0].headers["Host"] == f"xn--bcher-kva.example:{receiver.port}"
    with pytest.raises(RefusedAddress):
        check_url("https://b\u00fccher..example/hook")  # an empty label has no ASCII form


def test_a_name_that_changes_its_answer_after_the_check_is_not_asked_again(
    dns, receiver, monkeypatch
):
    answers = iter([["127.0.0.1"], ["10.0.0.1"]])
    monkeypatch.setattr(addresses, "resolve", lambda host, port: next(answers))

    addresses.post(f"http://rebind.example:{receiver.port}/hook", b"{}", {})

    assert len(receiver.received) == 1
    assert next(answers) == ["10.0.0.1"]  # never used


@pytest.mark.parametrize(
    "target", ["http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/", "http://[::1]/"]
)
def test_a_redirect_to_a_refused_address_is_not_followed(receiver, target):
    with pytest.raises(RefusedAddress, match="only public addresses can be called"):
        addresses.post(receiver.url(f"/redirect/{target}"), b"{}", {})

    assert [r.path for r in receiver.received] == [f"/redirect/{target}"]


def test_redirects_are_followed_three_times_and_no_more(receiver):
    three = receiver.url("/redirect//redirect//redirect//hook")
    four = receiver.url("/redirect//redirect//redirect//redirect//hook")

    assert addresses.post(three, b"{}", {}).status == 200
    assert receiver.received[-1].path == "/hook"
    with pytest.raises(RefusedAddress, match="redirects"):
        addresses.post(four, b"{}", {})


def test_only_the_first_64_kb_of_an_answer_are_read(receiver):
    receiver.body_size = 1024 * 1024

    answer = addresses.post(receiver.url(), b"{}", {})

    assert len(answer.body) == addresses.MAX_RESPONSE_BYTES


def test_a_slow_receiver_times_out(receiver, monkeypatch):
    monkeypatch.setattr(addresses, "TOTAL_TIMEOUT", 0.3)
    receiver.delay = 1.0

    with pytest.raises(TimeoutError):
        addresses.post(receiver.url(), b"{}", {})


def test_an_answer_trickled_a_byte_at_a_time_cannot_outlast_the_deadline(receiver, monkeypatch):
    monkeypatch.setattr(addresses, "TOTAL_TIMEOUT", 0.5)
    receiver.body_size, receiver.trickle = 100, 0.05  # five seconds in all

    started = time.monotonic()
    with pytest.raises(TimeoutError):
        addresses.post(receiver.url(), b"{}", {})

    assert time.monotonic() - started < 1.0


@override_settings(WEBHOOK_ALLOW_ADDRESSES=[])
def test_without_the_allowance_the_local_receiver_is_refused(receiver):
    with pytest.raises(RefusedAddress):
        addresses.post(receiver.url(), b"{}", {})
    assert receiver.received == []
