"""Gather stage: fetch feeds and pages, extract and clean articles.

What the rest may use: `gather_sources` (the pipeline's entry), `extract_page` (for
`digest extract`) and `parse_feed` (one feed document to its articles; both are a contract
with checks outside the repository), `clean_text` and `repair_text` (the cleaner the
summarizer also runs),
`FetchSettings` and `fetch_settings_from_table` (the [gather] table), `Fetcher`, `new_client`
and `HttpCache` (conditional HTTP fetching), `canonical_url`.

Modules: `settings` (the table), `fetch` (HTTP with caps, retries and validators), `feeds`,
`fastfeed`, `jsonfeed` and `items` (feed parsing), `page` and `headline` (article pages),
`decoding` (bytes to text), `dates` (every date format), `unicode` (mojibake, bidi controls),
`markup` (sanitising), `clean` (chrome and boilerplate), `urls`, `gather` (all sources at once).
"""

from typing import TYPE_CHECKING, Any

from digest.gather.clean import Cleaned, clean_text, repair_text

if TYPE_CHECKING:
    from digest.gather.feeds import parse_feed
    from digest.gather.fetch import Fetcher, HttpCache, new_client
    from digest.gather.gather import GatherResult, SourceStatus, gather_sources
    from digest.gather.page import extract_page
    from digest.gather.settings import FetchSettings, fetch_settings_from_table
    from digest.gather.urls import canonical_url

__all__ = [
    "Cleaned",
    "FetchSettings",
    "Fetcher",
    "GatherResult",
    "HttpCache",
    "SourceStatus",
    "canonical_url",
    "clean_text",
    "extract_page",
    "fetch_settings_from_table",
    "gather_sources",
    "new_client",
    "parse_feed",
    "repair_text",
]

# The fetching and extraction modules pull in httpx, trafilatura and lxml (about 0.2 s); they
# load on first use, so `digest summarize`, which needs only the cleaner, does not pay for them.
_LAZY = {
    "Fetcher": "fetch",
    "HttpCache": "fetch",
    "new_client": "fetch",
    "GatherResult": "gather",
    "SourceStatus": "gather",
    "gather_sources": "gather",
    "extract_page": "page",
    "parse_feed": "feeds",
    "FetchSettings": "settings",
    "fetch_settings_from_table": "settings",
    "canonical_url": "urls",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"digest.gather.{module}"), name)
    globals()[name] = value
    return value
