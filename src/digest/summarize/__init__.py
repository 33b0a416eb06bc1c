"""Summarize stage: each article's headline, section and 2-5 key points.

What the rest may use: `summarize_articles` (many articles at once, each a `Made`: the summary
with the `Identity` of the summarizer that made it, what the state stores), `current_identity`
(what the settings would make now), `make_summarizer` (the configured Summarizer, one article
at a time), `SummarizerSettings` and `summarizer_settings_from_table` (the [summarize] table),
`summarize_document` and `summarize_jsonl` (the CLI's entry points), and `split_sentences`.

Modules: `settings` (the table and the Summarizer protocol), `extractive` (the offline default),
`features` and `model` (its candidates and learned weights, `weights.json`), `compress`
(sentence compression), `headline` (titles, and a headline for an untitled article), `shape`
(the point shape every summarizer's output meets), `sentences` (the rule-based splitter), `llm`
(the optional OpenAI-compatible summarizer: bounded, budgeted, retried), `batch` (many
articles, the LLM's calls in parallel), `documents` (files).
"""

from __future__ import annotations

from collections.abc import Mapping

from digest.summarize.batch import Made, current_identity, summarize_articles
from digest.summarize.documents import summarize_document, summarize_jsonl
from digest.summarize.extractive import ExtractiveSummarizer
from digest.summarize.headline import split_headline
from digest.summarize.sentences import split_sentences
from digest.summarize.settings import (
    Identity,
    Summarizer,
    SummarizerSettings,
    summarizer_settings_from_table,
)

__all__ = [
    "ExtractiveSummarizer",
    "Identity",
    "Made",
    "Summarizer",
    "SummarizerSettings",
    "current_identity",
    "make_summarizer",
    "split_headline",
    "split_sentences",
    "summarize_articles",
    "summarize_document",
    "summarize_jsonl",
    "summarizer_settings_from_table",
]


def make_summarizer(settings: SummarizerSettings, environ: Mapping[str, str]) -> Summarizer:
    """The summarizer the settings ask for; the LLM one falls back to the extractive one."""
    extractive = ExtractiveSummarizer(max_points=settings.max_points, language=settings.language)
    if settings.kind == "llm":
        from digest.summarize.llm import LLMSummarizer

        return LLMSummarizer(settings, environ, fallback=extractive)
    return extractive
