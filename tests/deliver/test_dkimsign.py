"""DKIM signatures made with `cryptography`, each checked by dkimpy's verifier (its own
pure-Python RSA, and libsodium for Ed25519: no code shared with the signer) on the exact bytes."""

from __future__ import annotations

import base64
import importlib.util
import random

import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from dkim.canonicalization import Relaxed, Simple

from digest.deliver.dkimsign import DkimSigner, relaxed_header, simple_body
from digest.errors import ConfigError
from tests.conftest import require

from .factories import message

RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
ED_KEY = ed25519.Ed25519PrivateKey.generate()


def pem(key: rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def rsa_record() -> bytes:
    public = RSA_KEY.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)


def ed_record() -> bytes:
    public = ED_KEY.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return b"v=DKIM1; k=ed25519; p=" + base64.b64encode(public)


def verified(raw: bytes, record: bytes) -> bool:
    asked: list[bytes] = []

    def dns(name: bytes, timeout: int = 5) -> bytes:
        asked.append(name)
        return record

    ok = bool(dkim.verify(raw, dnsfunc=dns))
    assert asked == [b"s1._domainkey.brief.example.org."]
    return ok


ODD = (
    b"From: Morning Brief <news@brief.example.org>\r\n"
    b"To: reader@example.com\r\n"
    b"Subject:   A folded\r\n\t  subject  with  runs of\t space \r\n"
    b"X-Other: not signed\r\n"
    b"subject: a second Subject, signed too\r\n"
    b"Date: Mon, 04 May 2026 07:00:00 +0000\r\n"
    b"MIME-Version: 1.0\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"\r\n"
    b"Body  with\tspaces  \r\ntrailing tab\t\r\n\r\n.dot line\r\n\r\n\r\n"
)


@pytest.mark.parametrize("raw", [message("reader@example.com").raw, ODD], ids=["edition", "odd"])
def test_rsa_signatures_verify_with_dkimpy(raw: bytes) -> None:
    signer = DkimSigner("s1", "brief.example.org", pem(RSA_KEY))
    signed = signer.sign(raw)
    assert signed.endswith(raw) and signed.startswith(b"DKIM-Signature: v=1; a=rsa-sha256;")
    assert verified(signed, rsa_record())
    assert verified(signer.sign(raw), rsa_record()), "the second message, from the cached tags"
    tampered = signed.replace(b"Subject:", b"Subject: Re:", 1)
    assert not verified(tampered, rsa_record())
    assert not verified(signed[:-40] + signed[-40:].replace(b"e", b"a"), rsa_record())


def test_list_unsubscribe_fields_are_signed() -> None:
    raw = message("reader@example.com").raw
    signed = DkimSigner("s1", "brief.example.org", pem(RSA_KEY)).sign(raw)
    head = signed.split(b"\r\n\r\n")[0].replace(b"\r\n ", b" ")
    tags = dict(
        part.strip().split(b"=", 1) for part in head.split(b"\r\n")[0][16:].split(b";") if part
    )
    assert b"list-unsubscribe:list-unsubscribe-post" in tags[b"h"]
    assert tags[b"h"].startswith(b"from:to:subject:date:message-id")
    changed = signed.replace(b"List-Unsubscribe=One-Click", b"nothing")
    assert changed != signed and not verified(changed, rsa_record())


@pytest.mark.parametrize("form", ["pem", "seed"])
def test_ed25519_signatures_verify_with_dkimpy(form: str) -> None:
    """RFC 8463: Ed25519 over the SHA-256 of the canonical header text."""
    require(
        importlib.util.find_spec("nacl") is not None, "PyNaCl (dkimpy verifies Ed25519 with it)"
    )
    seed = ED_KEY.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    key = pem(ED_KEY) if form == "pem" else base64.b64encode(seed) + b"\n"
    signer = DkimSigner("s1", "brief.example.org", key)
    assert signer.algorithm == "ed25519-sha256"
    raw = message("reader@example.com").raw
    assert verified(signer.sign(raw), ed_record())
    assert not verified(signer.sign(raw).replace(b"Hello", b"Hallo"), ed_record())


def test_canonical_forms_match_dkimpys_on_random_text() -> None:
    """Byte-identical to dkimpy's canonicalisation (relaxed headers, simple bodies),
    whitespace runs and empty lines at the end included."""
    rng = random.Random(22)
    pieces = [b" ", b"\t", b"  ", b"\r\n", b"\r\n\r\n", b"a", b"word", b"=20", b".", b" \r\n"]
    for _ in range(2000):
        text = b"".join(rng.choice(pieces) for _ in range(rng.randrange(0, 30)))
        assert simple_body(text) == Simple.canonicalize_body(text), text
        value = text.replace(b"\r\n", b"\r\n ")
        [(name, want)] = Relaxed.canonicalize_headers([(b"Sub-Ject ", value)])
        assert relaxed_header(b"Sub-Ject ", value) == name + b":" + want.rstrip(b"\r\n"), value


def test_keys_that_cannot_sign_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="dkim_key_file: not a PEM"):
        DkimSigner("s1", "brief.example.org", b"-----BEGIN NONSENSE-----\n")
    curve = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    with pytest.raises(ConfigError, match="RSA or Ed25519 keys only"):
        DkimSigner("s1", "brief.example.org", curve)
