"""Click tracking, off unless the operator turns it on: `[tracking] clicks = true`.

With it on, each story's link in an edition points at `<base_url>/r/<token>`, where the token
signs (edition id, the story's URL) with itsdangerous under a salt naming the list. `digest
serve` counts the click and redirects only to a URL carried by a token it signed, and for a
stored edition only to one whose token that edition contains. Clicks are counted per story,
never per person (the token is the same for every recipient), and there is no open pixel.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from itsdangerous import BadSignature, URLSafeSerializer

from digest.errors import ConfigError
from digest.models import Digest, Newsletter, Section
from digest.subscribers import list_key

MAX_TOKEN = 4096  # a longer token was not made here


@dataclass(frozen=True)
class TrackingSettings:
    """The [tracking] table."""

    clicks: bool = False


def tracking_settings_from_table(
    table: Mapping[str, Any], key: str = "tracking"
) -> TrackingSettings:
    """Validate [tracking]; errors name the key ("tracking.clicks")."""
    for name in table:
        if name != "clicks":
            raise ConfigError(f"{key}.{name}: unknown key (expected clicks)")
    clicks = table.get("clicks", False)
    if not isinstance(clicks, bool):
        raise ConfigError(f"{key}.clicks: must be true or false, got {clicks!r}")
    return TrackingSettings(clicks=clicks)


def _serializer(secret: str, newsletter: Newsletter) -> URLSafeSerializer:
    return URLSafeSerializer(
        secret,
        salt=f"digest.click:{list_key(newsletter)}",
        signer_kwargs={"digest_method": hashlib.sha256},
    )


def trackable(url: str) -> bool:
    """Only web links are tracked (and ever redirected to)."""
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def click_token(secret: str, newsletter: Newsletter, edition_id: str, url: str) -> str:
    return str(_serializer(secret, newsletter).dumps([edition_id, url]))


def click_target(secret: str, newsletter: Newsletter, token: str) -> tuple[str, str] | None:
    """(edition id, URL) of a token signed here; None for anything else."""
    if not token or len(token) > MAX_TOKEN or not token.isascii():
        return None
    try:
        value = _serializer(secret, newsletter).loads(token)
    except (BadSignature, ValueError, UnicodeDecodeError):
        return None
    match value:
        case [str(edition_id), str(url)] if trackable(url):
            return edition_id, url
    return None


def tracked(digest: Digest, newsletter: Newsletter, secret: str) -> Digest:
    """The digest with each story's web link going through `/r/<token>`; "also in" links stay
    as they are (they name the articles an edition uses)."""
    base = newsletter.base_url.rstrip("/")

    def link(url: str) -> str:
        if not trackable(url):
            return url
        return f"{base}/r/{click_token(secret, newsletter, digest.edition_id, url)}"

    sections = tuple(
        Section(s.name, tuple(dataclasses.replace(t, url=link(t.url)) for t in s.stories))
        for s in digest.sections
    )
    return dataclasses.replace(digest, sections=sections)
