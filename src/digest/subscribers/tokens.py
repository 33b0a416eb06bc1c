"""Signed links: opaque tokens bound to one subscriber and one list, and the old HMAC links.

A link token is `<uid>.<signature>`: the subscriber's random id (never the address) signed with
itsdangerous under a salt that names the list, so a token of one newsletter is worthless for
another that shares the secret. A confirmation token signs the nonce of one sign-up instead;
the nonce is single-use and its age is checked against the stored sign-up time.

Links in editions sent before these tokens carry `?e=<address>&t=<hmac>`; `verify_token` keeps
them working.
"""

from __future__ import annotations

import hashlib
import hmac

from itsdangerous import BadSignature, Signer, URLSafeTimedSerializer

from digest.models import Newsletter

MAX_TOKEN = 200


def list_key(newsletter: Newsletter) -> str:
    """What tokens are bound to: the List-Id when configured, else the newsletter's base URL."""
    return newsletter.list_id or newsletter.base_url


def _signer(secret: str, purpose: str, key: str) -> Signer:
    return Signer(secret, salt=f"digest.{purpose}:{key}", digest_method=hashlib.sha256)


def _unsign(signer: Signer, token: str) -> str | None:
    if not token or len(token) > MAX_TOKEN or not token.isascii():
        return None
    try:
        return signer.unsign(token).decode("ascii")
    except (BadSignature, UnicodeDecodeError):
        return None


def link_token(secret: str, key: str, uid: str) -> str:
    """The token of a subscriber's unsubscribe, preferences and resubscribe links."""
    return _signer(secret, "link", key).sign(uid).decode("ascii")


def link_uid(secret: str, key: str, token: str) -> str | None:
    """The subscriber id a link token was issued for; None when altered or foreign."""
    return _unsign(_signer(secret, "link", key), token)


def confirm_token(secret: str, key: str, nonce: str) -> str:
    return _signer(secret, "confirm", key).sign(nonce).decode("ascii")


def confirm_nonce(secret: str, key: str, token: str) -> str | None:
    return _unsign(_signer(secret, "confirm", key), token)


def address_token(secret: str, key: str, uid: str, new_email: str) -> str:
    """The token of a link that moves subscriber `uid` to `new_email`, sent to that address:
    following it proves the new address is theirs. Dated, so its age can be checked."""
    return _serializer(secret, key).dumps([uid, new_email])


def address_change(secret: str, key: str, token: str, max_age: int) -> tuple[str, str] | None:
    """(uid, new address) of an address-change token not older than `max_age` seconds."""
    if not token or len(token) > 4 * MAX_TOKEN or not token.isascii():
        return None
    try:
        uid, email = _serializer(secret, key).loads(token, max_age=max_age)
    except (BadSignature, ValueError, TypeError):  # itsdangerous' expiry is a BadSignature
        return None
    return (uid, email) if isinstance(uid, str) and isinstance(email, str) else None


def _serializer(secret: str, key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=f"digest.address:{key}")


def unsubscribe_token(secret: str, email: str) -> str:
    """The HMAC of an address that links sent before opaque tokens carry (`?e=&t=`)."""
    digest = hmac.new(secret.encode(), email.lower().encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


def verify_token(secret: str, email: str, token: str) -> bool:
    """True when `token` is the old-style HMAC of `email`; any other text is simply False
    (bytes are compared: `compare_digest` raises on non-ASCII str)."""
    expected = unsubscribe_token(secret, email).encode("ascii")
    return hmac.compare_digest(expected, token.encode("utf-8", "replace"))


def address_hash(salt: str, email: str) -> str:
    """A keyed hash of an address: what is kept of a forgotten person, and rate-limit keys."""
    return hmac.new(salt.encode(), email.strip().lower().encode(), hashlib.sha256).hexdigest()
