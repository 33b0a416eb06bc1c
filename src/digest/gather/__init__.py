"""Gather stage: fetch feeds and pages, extract and clean articles.

What the rest may use: `gather_sources` (the pipeline's entry), `extract_page` (for
`digest extract`), `clean_text` (the line-level cleaner the summarizer also runs),
`FetchSettings` and `fetch_settings_from_table` (the [gather] table), `Fetcher`, `new_client`
and `HttpCache` (conditional HTTP fetching), `canonical_url`.

Modules: `settings` (the table), `fetch` (HTTP with caps, retries and validators), `feeds`,
`fastfeed`, `jsonfeed` and `items` (feed parsing), `page` (article pages), `markup`
(sanitising), `clean` (chrome and boilerplate), `urls`, `gather` (all sources at once).
"""

from digest.gather.clean import Cleaned, clean_text
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
]
