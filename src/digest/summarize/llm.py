"""Optional abstractive summarizer: an OpenAI-compatible /chat/completions endpoint.

Never required: any failure (no key, network error, timeout, HTTP error, an answer that is not
the strict JSON asked for) falls back to the extractive summarizer, so a digest is always made.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import httpx

from digest.errors import SummarizeError
from digest.gather import clean_text, repair_text
from digest.models import Article, Summary
from digest.summarize.shape import MAX_POINT_WORDS, shape_points

if TYPE_CHECKING:
    from digest.summarize.settings import Summarizer, SummarizerSettings

__all__ = ["SYSTEM_PROMPT", "LLMSummarizer", "parse_answer"]

log = logging.getLogger(__name__)

SYSTEM_PROMPT = (
    "You summarize one news article for an email digest. Answer with ONE JSON object and "
    'nothing else: {"headline": string, "section": string or null, "key_points": [string, ...]}. '
    "headline: the article's own title, without a site name. section: a one-word news section "
    'such as "World", "Business" or "Sport", or null. key_points: 2 to MAX short, '
    "self-contained sentences stating the article's main facts, taken from the article, "
    f"each ONE sentence of at most {MAX_POINT_WORDS} words that does not repeat the headline "
    "or another point, no questions, no opinions of your own."
)
_MAX_INPUT_CHARS = 12_000


def parse_answer(content: str, max_points: int) -> Summary:
    """Validate the model's answer; anything but the strict structure is a SummarizeError."""
    text = content.strip()
    if text.startswith("```"):
        text = text.strip("`").removeprefix("json").strip()
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SummarizeError(f"LLM answer is not JSON ({exc.msg})") from exc
    if not isinstance(data, dict):
        raise SummarizeError("LLM answer is not a JSON object")
    headline, section, points = data.get("headline"), data.get("section"), data.get("key_points")
    if not isinstance(headline, str) or not headline.strip():
        raise SummarizeError("LLM answer has no headline")
    if section is not None and not isinstance(section, str):
        raise SummarizeError("LLM answer has a section that is not a string")
    if (
        not isinstance(points, list)
        or not points
        or not all(isinstance(p, str) and p.strip() for p in points)
    ):
        raise SummarizeError("LLM answer has no list of key points")
    return Summary(
        headline=" ".join(headline.split()),
        section=section.strip() or None if section else None,
        key_points=tuple(" ".join(p.split()) for p in points[:max_points]),
    )


class LLMSummarizer:
    """Ask the configured model; on any error use `fallback` (and log why)."""

    def __init__(
        self,
        settings: SummarizerSettings,
        environ: Mapping[str, str],
        *,
        fallback: Summarizer,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.settings = settings
        self.api_key = environ.get(settings.llm_api_key_env, "")
        self.fallback = fallback
        self.client = httpx.Client(
            base_url=(settings.llm_base_url or "").rstrip("/") + "/",
            timeout=settings.llm_timeout,
            transport=transport,
        )

    def _request(self, article: Article) -> dict[str, Any]:
        body = clean_text(repair_text(article.text)).text[:_MAX_INPUT_CHARS]
        prompt = SYSTEM_PROMPT.replace("MAX", str(self.settings.max_points))
        return {
            "model": self.settings.llm_model,
            "temperature": 0,
            "response_format": {"type": "json_object"},
            "messages": [
                {"role": "system", "content": prompt},
                {"role": "user", "content": f"Title: {article.title}\n\n{body}"},
            ],
        }

    def ask(self, article: Article) -> Summary:
        """One call to the endpoint; raises SummarizeError on any failure."""
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        try:
            response = self.client.post(
                "chat/completions", json=self._request(article), headers=headers
            )
            response.raise_for_status()
            content = response.json()["choices"][0]["message"]["content"]
        except httpx.TimeoutException as exc:
            raise SummarizeError(f"LLM call timed out after {self.settings.llm_timeout}s") from exc
        except httpx.HTTPError as exc:
            raise SummarizeError(f"LLM call failed: {exc}") from exc
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise SummarizeError("LLM response is not a chat completion") from exc
        if not isinstance(content, str):
            raise SummarizeError("LLM response has no text content")
        summary = parse_answer(content, self.settings.max_points)
        points = shape_points(summary.key_points, summary.headline, self.settings.max_points)
        if not points:
            raise SummarizeError("LLM answer has no key point of the required shape")
        return Summary(summary.headline, summary.section or article.section, points)

    def summarize(self, article: Article) -> Summary:
        try:
            return self.ask(article)
        except SummarizeError as exc:
            log.warning("%s: %s; using the extractive summarizer", article.url or "article", exc)
            return self.fallback.summarize(article)
