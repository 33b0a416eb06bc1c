"""Many articles at once, each summary with who made it: what the pipeline stores.

The offline summarizer runs in turn (it is quick and CPU-bound). The LLM is asked for up to
`[summarize] concurrency` articles at a time within the edition's budget of calls; an article
it could not summarize (budget spent, timeout, refusal, a malformed answer) gets the offline
summarizer's points, with the reason logged and kept in `Made.note`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

from digest.errors import SummarizeError
from digest.models import Article, Summary
from digest.summarize.extractive import ExtractiveSummarizer
from digest.summarize.settings import (
    Identity,
    SummarizerSettings,
    extractive_identity,
    llm_identity,
)

if TYPE_CHECKING:
    import httpx

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Made:
    """One article's summary as made: None when it cannot be summarized (`note` says why)."""

    key: str
    summary: Summary | None
    identity: Identity  # the summarizer that made it: the offline one when the LLM fell back
    calls: int = 0  # LLM calls spent on it, retries included
    note: str = ""  # why the LLM's points are not the ones kept, or why there are none


def current_identity(settings: SummarizerSettings) -> Identity:
    """The identity a summary made now with these settings gets (when nothing fails)."""
    if settings.kind == "llm":
        from digest.summarize.llm import prompt_for  # httpx: loaded only when an LLM is used

        return llm_identity(settings, prompt_for(settings))
    return extractive_identity(settings)


def summarize_articles(
    articles: Sequence[Article],
    settings: SummarizerSettings,
    environ: Mapping[str, str],
    *,
    budget: int | None = None,
    transport: httpx.BaseTransport | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> list[Made]:
    """Each article's summary, in order. `budget`: LLM calls left for the edition (default
    `[summarize] budget`)."""
    extractive = ExtractiveSummarizer(max_points=settings.max_points, language=settings.language)
    offline = extractive_identity(settings)

    def fallback(article: Article, calls: int = 0, why: str = "") -> Made:
        try:
            return Made(article.key, extractive.summarize(article), offline, calls, why)
        except SummarizeError as exc:
            return Made(article.key, None, offline, calls, f"{why}; {exc}" if why else str(exc))

    if settings.kind != "llm" or not articles:
        return [fallback(article) for article in articles]
    from digest.summarize.llm import Budget, LLMSummarizer

    left = Budget(settings.budget if budget is None else budget)
    llm = LLMSummarizer(
        settings, environ, fallback=extractive, transport=transport, budget=left, sleep=sleep
    )
    try:
        with ThreadPoolExecutor(min(settings.concurrency, len(articles))) as pool:
            answers = list(pool.map(llm.attempt, articles))
    finally:
        llm.close()
    made = []
    for article, (summary, calls, why) in zip(articles, answers, strict=True):
        if summary is not None:
            made.append(Made(article.key, summary, llm.identity, calls))
            continue
        log.warning("%s: %s; using the extractive summarizer", article.url or "article", why)
        made.append(fallback(article, calls, why))
    return made
