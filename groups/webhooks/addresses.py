"""Which addresses a webhook may call, and an HTTP POST that only ever reaches those.

A hook's URL is someone's input, and the worker that calls it sits inside our network: a URL
naming (or resolving to, or redirecting to) a private, loopback, link-local or metadata
address would let them reach what only we should. So every address a name resolves to is
checked, the connection goes to the checked address itself (a second DNS answer cannot swap
it), and each redirect is checked the same way before it is followed.
"""

import http.client
import ipaddress
import logging
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

CONNECT_TIMEOUT = 3.0  # seconds to open the connection
TOTAL_TIMEOUT = 10.0  # seconds for the whole request, redirects included
MAX_RESPONSE_BYTES = 64 * 1024  # what is read of an answer; the rest is left unread
MAX_REDIRECTS = 3

logger = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Never called, whatever Python's own flags say of them (some of these are "global").
REFUSED_NETWORKS = [
    ipaddress.ip_network(cidr)
    for cidr in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",  # link-local, with the cloud metadata address 169.254.169.254
        "168.63.129.16/32",  # Azure's platform address (its DNS, health probes, agent)
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.168.0.0/16",
        "198.18.0.0/15",
        "224.0.0.0/4",
        "240.0.0.0/4",
        "::/128",
        "::1/128",
        "fc00::/7",  # unique local, with AWS's metadata address fd00:ec2::254
        "fe80::/10",
        "ff00::/8",
    )
]
NAT64 = ipaddress.ip_network("64:ff9b::/96")


class RefusedAddress(Exception):
    """The URL may not be called; the message says why, in words for its owner."""


def _refused(host: str, why: str) -> RefusedAddress:
    """The same words whether the name is unknown or private: which names our DNS knows, and
    where they lead, is not for a hook's owner to learn. The reason is logged for us."""
    logger.info("Webhook URL refused: %s %s", host, why)
    return RefusedAddress(_("This URL cannot be used: only public addresses can be called."))


def allowed_networks() -> list:
    """WEBHOOK_ALLOW_ADDRESSES: CIDRs let through despite the rules (tests' local receivers)."""
    return [ipaddress.ip_network(cidr, strict=False) for cidr in settings.WEBHOOK_ALLOW_ADDRESSES]


def _embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries (mapped, 6to4, NAT64), whose rules then apply."""
    if address.version != 6:
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def address_is_public(address: IPAddress) -> bool:
    """True for an address on the public internet that none of the refused ranges hold."""
    if any(address in network for network in allowed_networks()):
        return True
    inner = _embedded_ipv4(address)
    if inner is not None:
        return address_is_public(inner)
    if any(
        address in network for network in REFUSED_NETWORKS if network.version == address.version
    ):
        return False
    return address.is_global and not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def resolve(host: str, port: int) -> list[str]:
    """Every address the name resolves to (tests replace this to stub the DNS answer)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


@dataclass(frozen=True)
class Target:
    """A URL split into what the connection needs, with the one address it goes to."""

    scheme: str
    host: str
    port: int
    path: str
    address: str


def check_url(url: str) -> Target:
    """The checked target of a URL: http(s) only, every address of its host public.
    Raises RefusedAddress with the reason."""
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise RefusedAddress(_("This is not a valid URL.")) from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RefusedAddress(_("Only http:// and https:// URLs can be used."))
    if parts.username or parts.password:
        raise RefusedAddress(_("Put no user name or password in the URL."))
    host = parts.hostname.rstrip(".")
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        try:
            # An international name is looked up, sent as Host and as SNI in its ASCII form.
            host = host.encode("idna").decode("ascii")
        except UnicodeError as exc:
            raise RefusedAddress(_("This is not a valid URL.")) from exc
        try:
            addresses = [ipaddress.ip_address(a.split("%", 1)[0]) for a in resolve(host, port)]
        except (OSError, UnicodeError, ValueError) as exc:
            raise _refused(host, f"does not resolve ({exc!r})") from exc
    if not addresses:
        raise _refused(host, "resolves to nothing")
    for address in addresses:
        if not address_is_public(address):
            raise _refused(host, f"resolves to the refused address {address}")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(parts.scheme, host, port, path, str(addresses[0]))


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the checked address, whatever the name resolves to now."""

    def __init__(self, target: Target, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = target.address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), CONNECT_TIMEOUT)
        self.sock.settimeout(self.timeout)


def tls_context() -> ssl.SSLContext:
    """The system's trusted authorities, with the name checked (tests trust their own)."""
    return ssl.create_default_context()


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """TLS to the checked address, with the name's SNI and certificate check."""

    def __init__(self, target: Target, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout, context=tls_context())
        self._address = target.address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), CONNECT_TIMEOUT)
        sock.settimeout(self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    retry_after: str | None = None  # the Retry-After header, as sent


def post(url: str, body: bytes, headers: dict[str, str]) -> Answer:
    """POST the body to a checked URL, following at most MAX_REDIRECTS redirects (each
    checked). Raises RefusedAddress, OSError (connection, timeout) or http.client errors."""
    deadline = time.monotonic() + TOTAL_TIMEOUT
    for _hop in range(MAX_REDIRECTS + 1):
        target = check_url(url)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(f"webhook took longer than {TOTAL_TIMEOUT}s")
        kind = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
        connection = kind(target, timeout=min(remaining, TOTAL_TIMEOUT))
        try:
            host = f"[{target.host}]" if ":" in target.host else target.host
            if target.port != (443 if target.scheme == "https" else 80):
                host = f"{host}:{target.port}"
            connection.putrequest("POST", target.path, skip_host=True, skip_accept_encoding=True)
            for name, value in {
                "Host": host,
                "Content-Type": "application/json",
                "Content-Length": str(len(body)),
                **headers,
            }.items():
                connection.putheader(name, value)
            connection.endheaders(body)
            response = connection.getresponse()
            content = _read_capped(response, connection.sock, deadline)
            location = response.getheader("Location")
            retry_after = response.getheader("Retry-After")
        finally:
            connection.close()
        if response.status in (301, 302, 303, 307, 308) and location:
            url = urljoin(url, location)
            continue
        return Answer(response.status, content, retry_after)
    raise RefusedAddress(_("Too many redirects (more than %(n)d).") % {"n": MAX_REDIRECTS})


def _read_capped(response: http.client.HTTPResponse, sock, deadline: float) -> bytes:
    """At most MAX_RESPONSE_BYTES of the answer, by the deadline: each read may wait only for
    what is left of the time (an answer trickled a byte at a time cannot hold the worker)."""
    chunks, size = [], 0
    while size < MAX_RESPONSE_BYTES:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"webhook took longer than {TOTAL_TIMEOUT}s")
        if sock is not None:
            sock.settimeout(left)
        chunk = response.read1(min(16384, MAX_RESPONSE_BYTES - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)
