"""HTTPS goes to the checked address with the name's SNI, and the certificate is checked
against the name (not the address it was pinned to)."""

import http.server
import ssl
import subprocess
import threading

import pytest

from groups.webhooks import addresses


def _certificate(folder, name: str):
    key, cert = folder / f"{name}.key", folder / f"{name}.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-subj", f"/CN={name}", "-addext", f"subjectAltName=DNS:{name}",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.fixture
def tls_receiver(request, tmp_path, settings, monkeypatch):
    """An HTTPS receiver on 127.0.0.1 with a certificate for hooks.example (or the name given
    as the fixture's parameter), which the client trusts; the names seen through SNI are
    recorded."""
    settings.WEBHOOK_ALLOW_ADDRESSES = ["127.0.0.1/32"]
    cert, key = _certificate(tmp_path, getattr(request, "param", "hooks.example"))
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(cert, key)
    seen_names = []
    server_context.sni_callback = lambda sock, name, ctx: seen_names.append(name)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.socket = server_context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setattr(addresses, "tls_context", lambda: ssl.create_default_context(cafile=cert))
    yield server.server_address[1], seen_names
    server.shutdown()
    server.server_close()


def test_https_reaches_the_pinned_address_with_the_names_sni(tls_receiver, monkeypatch):
    port, seen_names = tls_receiver
    monkeypatch.setattr(addresses, "resolve", lambda host, port: ["127.0.0.1"])

    answer = addresses.post(f"https://hooks.example:{port}/hook", b"{}", {})

    assert answer.status == 204
    assert seen_names == ["hooks.example"]


def test_a_certificate_for_another_name_is_refused(tls_receiver, monkeypatch):
    port, _seen = tls_receiver
    monkeypatch.setattr(addresses, "resolve", lambda host, port: ["127.0.0.1"])

    with pytest.raises(ssl.SSLCertVerificationError):
        addresses.post(f"https://elsewhere.example:{port}/hook", b"{}", {})


@pytest.mark.parametrize("tls_receiver", ["xn--bcher-kva.example"], indirect=True)
def test_an_international_name_goes_out_as_its_ascii_form(tls_receiver, monkeypatch):
    port, seen_names = tls_receiver
    asked = []
    monkeypatch.setattr(
        addresses, "resolve", lambda host, port: asked.append(host) or ["127.0.0.1"]
    )

    answer = addresses.post(f"https://bücher.example:{port}/hook", b"{}", {})

    assert answer.status == 204
    assert asked == seen_names == ["xn--bcher-kva.example"]
