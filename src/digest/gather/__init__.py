"""Gather stage: fetch feeds and pages, extract and clean articles.

Entry points: gather_sources() for the pipeline, extract_page() for `digest extract`.
"""

from digest.gather.clean import Cleaned, clean_text
from digest.gather.fetch import HttpCache
from digest.gather.gather import GatherResult, SourceStatus, gather_sources
from digest.gather.page import extract_page
from digest.gather.settings import FetchSettings, fetch_settings_from_table
from digest.gather.urls import canonical_url

__all__ = [
    "Cleaned",
    "FetchSettings",
    "GatherResult",
    "HttpCache",
    "SourceStatus",
    "canonical_url",
    "clean_text",
    "extract_page",
    "fetch_settings_from_table",
    "gather_sources",
]
