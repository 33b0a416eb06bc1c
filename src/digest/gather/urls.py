"""Canonical article URLs, so a story reached through tracking-parameter variants is one story."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = ["canonical_url"]

_TRACKING = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|gbraid|wbraid|msclkid|yclid|mc_cid|mc_eid|igshid|_ga|_gl"
    r"|ref|ref_src|ref_url|cmpid|ncid|ocid|spm|sr_share|share|smid|taid|guccounter|mkt_tok"
    r"|__twitter_impression|at_medium|at_campaign|rss|feature|source|via)$",
    re.IGNORECASE,
)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def canonical_url(url: str) -> str:
    """Strip tracking parameters and the fragment, lower-case scheme and host, drop default port.

    Other query parameters keep their order (some sites route articles by them). A string that
    is not an http(s) URL comes back stripped but otherwise unchanged.
    """
    url = url.strip()
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return url
    host = parts.hostname.lower().rstrip(".")
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    query = ""
    if parts.query:
        query = urlencode(
            [
                (k, v)
                for k, v in parse_qsl(parts.query, keep_blank_values=True)
                if not _TRACKING.match(k)
            ]
        )
    return urlunsplit((scheme, netloc, parts.path or "/", query, ""))
