"""The SMTP provider against a real aiosmtpd server on 127.0.0.1."""

from __future__ import annotations

import base64
import shutil
import ssl
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dkim
import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword

from digest.deliver import make_provider
from digest.deliver.smtp import SmtpProvider
from digest.errors import ConfigError, PermanentDeliveryError
from tests.conftest import require

from .factories import message
from .smtp_server import RecordingHandler, start


def smtp(port: int, **options: Any) -> Any:
    table = {"host": "127.0.0.1", "port": port, "security": "none", **options}
    environ = {"DIGEST_SMTP_PASSWORD": "s3cret"}
    return make_provider("smtp", table, base_dir=Path("."), environ=environ)


@pytest.mark.parametrize("pipelining", [False, True], ids=["one command a time", "pipelined"])
def test_sends_over_reused_connections(
    smtp_server: tuple[RecordingHandler, int], pipelining: bool
) -> None:
    handler, port = smtp_server
    handler.pipelining = pipelining
    provider = smtp(port, connections=3)
    emails = [f"user{i}@example.com" for i in range(12)]
    results = []
    for start_at in range(0, 12, 3):
        results += provider.send([message(e) for e in emails[start_at : start_at + 3]])
    provider.close()
    assert [r.status for r in results] == ["sent"] * 12
    assert [r.to for r in results] == emails
    assert all(r.provider_id and "queued as" in r.provider_id for r in results)
    assert handler.recipients() == {e: 1 for e in emails}
    assert handler.ehlos == 3
    for parsed in handler.parsed():
        assert [p.get_content_type() for p in parsed.iter_parts()] == ["text/plain", "text/html"]
        assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


@pytest.mark.parametrize("pipelining", [False, True], ids=["one command a time", "pipelined"])
def test_4xx_retries_5xx_fails_and_drop_reconnects(
    smtp_server: tuple[RecordingHandler, int], pipelining: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    handler, port = smtp_server
    handler.pipelining = pipelining
    pipelined: list[str] = []
    original = SmtpProvider._pipelined
    monkeypatch.setattr(
        SmtpProvider,
        "_pipelined",
        lambda self, conn, message, *rest: (
            pipelined.append(message.to) or original(self, conn, message, *rest)
        ),
    )
    provider = smtp(port, connections=1)
    assert provider.send([message("warmup@example.com")])[0].status == "sent"
    batch = [message(f"{e}@example.com") for e in ("busy1", "bounce1", "reject1", "drop1", "ok1")]
    busy, bounce, reject, drop, ok = provider.send(batch)
    provider.close()
    assert (busy.status, busy.error) == ("retry", "smtp: 451 4.3.0 Try again later")
    assert bounce.status == "failed" and "550 5.1.1" in (bounce.error or "")
    assert reject.status == "failed" and "554 5.7.1" in (reject.error or "")
    assert drop.status == "sent" and handler.dropped == 1
    assert ok.status == "sent"
    assert handler.recipients() == {
        "warmup@example.com": 1,
        "drop1@example.com": 1,
        "ok1@example.com": 1,
    }
    assert bool(pipelined) == pipelining


def test_server_down_is_a_retry_not_a_crash() -> None:
    handler = RecordingHandler()
    controller = start(handler)
    port = controller.port
    controller.stop()
    provider = smtp(port, connections=2, timeout=2)
    results = provider.send([message("a@example.com"), message("b@example.com")])
    provider.close()
    assert [r.status for r in results] == ["retry", "retry"]
    assert all("connect" in (r.error or "") for r in results)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    require(shutil.which("openssl") is not None, "openssl (to make a test certificate)")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def authenticator(
    server: Any, session: Any, envelope: Any, mechanism: str, data: Any
) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"digest", b"s3cret")
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def tls_server(
    certificate: tuple[Path, Path], request: pytest.FixtureRequest
) -> Iterator[tuple[RecordingHandler, int]]:
    cert, key = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    handler = RecordingHandler()
    if request.param == "starttls":
        kwargs = {"tls_context": context, "require_starttls": True, "auth_require_tls": True}
    else:
        # aiosmtpd does not count implicit TLS as TLS for auth_require_tls; the socket is TLS.
        kwargs = {"ssl_context": context, "auth_require_tls": False}
    controller = start(handler, authenticator=authenticator, **kwargs)
    yield handler, controller.port
    controller.stop()


@pytest.mark.parametrize("tls_server", ["starttls", "tls"], indirect=True)
def test_tls_and_auth(
    tls_server: tuple[RecordingHandler, int],
    certificate: tuple[Path, Path],
    request: pytest.FixtureRequest,
) -> None:
    handler, port = tls_server
    security = request.node.callspec.params["tls_server"]
    provider = smtp(port, security=security, username="digest", ca_file=str(certificate[0]))
    assert provider.send([message("secure@example.com")])[0].status == "sent"
    provider.close()
    assert handler.recipients() == {"secure@example.com": 1}

    wrong = make_provider(
        "smtp",
        {
            "host": "127.0.0.1",
            "port": port,
            "security": security,
            "username": "digest",
            "ca_file": str(certificate[0]),
        },
        base_dir=Path("."),
        environ={"DIGEST_SMTP_PASSWORD": "wrong"},
    )
    with pytest.raises(PermanentDeliveryError, match="refused the login"):
        wrong.send([message("secure2@example.com")])
    wrong.close()


def test_username_without_password_env_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="DIGEST_SMTP_PASSWORD"):
        make_provider("smtp", {"username": "u"}, base_dir=Path("."), environ={})


def test_dkim_signature_covers_list_unsubscribe(
    smtp_server: tuple[RecordingHandler, int], tmp_path: Path
) -> None:
    require(shutil.which("openssl") is not None, "openssl (to make a DKIM key)")
    handler, port = smtp_server
    key = tmp_path / "dkim.pem"
    subprocess.run(["openssl", "genrsa", "-out", str(key), "2048"], check=True, capture_output=True)
    public = subprocess.run(
        ["openssl", "rsa", "-in", str(key), "-pubout", "-outform", "DER"],
        check=True,
        capture_output=True,
    ).stdout
    record = b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)
    provider = smtp(
        port, dkim_selector="s1", dkim_domain="brief.example.org", dkim_key_file=str(key)
    )
    assert provider.send([message("signed@example.com")])[0].status == "sent"
    provider.close()
    raw = handler.messages[0][1]
    assert raw.startswith(b"DKIM-Signature:")
    signed = dkim.DKIM(raw)
    assert signed.verify(dnsfunc=lambda name, timeout=5: record)
    tags = raw.split(b"\r\n\r\n")[0].replace(b"\r\n", b"").replace(b" ", b"").lower()
    assert b"list-unsubscribe:list-unsubscribe-post" in tags or (
        b"list-unsubscribe" in tags and b"list-unsubscribe-post" in tags
    )
    tampered = raw.replace(
        b"List-Unsubscribe-Post: List-Unsubscribe=One-Click", b"List-Unsubscribe-Post: nothing"
    )
    assert not dkim.DKIM(tampered).verify(dnsfunc=lambda name, timeout=5: record)


def test_dkim_settings_that_cannot_sign_name_their_key(tmp_path: Path) -> None:
    key = tmp_path / "dkim.pem"
    key.write_text("not a key\n")
    table = {"dkim_selector": "s1", "dkim_domain": "brief.example.org", "dkim_key_file": str(key)}
    with pytest.raises(ConfigError, match=r"dkim_key_file: not a PEM .* \(read from .*dkim.pem\)"):
        make_provider("smtp", table, base_dir=Path("."), environ={})
    table["dkim_domain"] = "brief example.org"
    with pytest.raises(ConfigError, match=r"delivery.smtp.dkim_domain: 'brief example.org'"):
        make_provider("smtp", table, base_dir=Path("."), environ={})


def test_half_configured_dkim_names_the_missing_key() -> None:
    with pytest.raises(ConfigError, match=r"delivery.smtp.dkim_key_file"):
        make_provider(
            "smtp", {"dkim_selector": "s", "dkim_domain": "d"}, base_dir=Path("."), environ={}
        )


def test_credits_hold_back_messages_until_answers_are_recorded(
    smtp_server: tuple[RecordingHandler, int],
) -> None:
    """A send process's connections send no more than its credits before the ledger has
    recorded their answers (and given the credits back): what a kill can leave unrecorded."""
    handler, port = smtp_server
    provider = smtp(port, connections=3)
    credits = threading.Semaphore(2)
    groups = provider.send_iter([message(f"c{n}@example.com") for n in range(6)], credits)
    answered = []
    while len(answered) < 2:
        answered += next(groups)
    assert len(handler.messages) == 2  # the other four wait for credits, none has left
    credits.release(len(answered))  # what the send loop does once it has committed them
    for group in groups:
        answered += group
        credits.release(len(group))
    provider.close()
    assert sorted(index for index, _ in answered) == list(range(6))
    assert len(handler.messages) == 6
