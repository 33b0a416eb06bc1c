"""Signed personal links: the HMAC that proves an unsubscribe or preferences link is genuine."""

from __future__ import annotations

import hashlib
import hmac


def unsubscribe_token(secret: str, email: str) -> str:
    """An HMAC that proves an unsubscribe link was issued for this address."""
    digest = hmac.new(secret.encode(), email.lower().encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


def verify_token(secret: str, email: str, token: str) -> bool:
    return hmac.compare_digest(unsubscribe_token(secret, email), token)
