"""Summarize stage: each article's headline, section and 2-5 key points.

What the rest may use: `make_summarizer` (the configured Summarizer), `SummarizerSettings` and
`summarizer_settings_from_table` (the [summarize] table), `summarize_document` and
`summarize_jsonl` (the CLI's entry points), and `split_sentences`.

Modules: `settings` (the table and the Summarizer protocol), `extractive` (the offline default),
`features` and `model` (its candidates and learned weights, `weights.json`), `compress`
(sentence compression), `headline` (titles, and a headline for an untitled article), `shape`
(the point shape every summarizer's output meets), `sentences` (the rule-based splitter), `llm`
(the optional OpenAI-compatible summarizer), `documents` (files).
"""

from __future__ import annotations

from collections.abc import Mapping

from digest.summarize.documents import summarize_document, summarize_jsonl
from digest.summarize.extractive import ExtractiveSummarizer
from digest.summarize.headline import split_headline
from digest.summarize.sentences import split_sentences
from digest.summarize.settings import (
    Summarizer,
    SummarizerSettings,
    summarizer_settings_from_table,
)

__all__ = [
    "ExtractiveSummarizer",
    "Summarizer",
    "SummarizerSettings",
    "make_summarizer",
    "split_headline",
    "split_sentences",
    "summarize_document",
    "summarize_jsonl",
    "summarizer_settings_from_table",
]


def make_summarizer(settings: SummarizerSettings, environ: Mapping[str, str]) -> Summarizer:
    """The summarizer the settings ask for; the LLM one falls back to the extractive one."""
    extractive = ExtractiveSummarizer(max_points=settings.max_points)
    if settings.kind == "llm":
        from digest.summarize.llm import LLMSummarizer

        return LLMSummarizer(settings, environ, fallback=extractive)
    return extractive
