"""Optional abstractive summarizer: an OpenAI-compatible /chat/completions endpoint.

Never required: any failure (no key, network error, timeout, HTTP error, an answer that is not
the strict JSON asked for, the edition's budget of calls spent) falls back to the extractive
summarizer, so a digest is always made, and the reason is logged. A 429 or 5xx answer is
retried with a doubling delay, never shorter than the server's Retry-After. The prompt names
the language the points must be written in: the article's own, else the newsletter's.
"""

from __future__ import annotations

import email.utils
import json
import logging
import threading
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import httpx

from digest.errors import SummarizeError
from digest.gather import clean_text, repair_text
from digest.models import Article, Summary
from digest.summarize.settings import llm_identity
from digest.summarize.shape import MAX_POINT_WORDS, shape_points

if TYPE_CHECKING:
    from digest.summarize.settings import Identity, Summarizer, SummarizerSettings

__all__ = ["SYSTEM_PROMPT", "Budget", "LLMSummarizer", "parse_answer", "prompt_for"]

log = logging.getLogger(__name__)

SYSTEM_PROMPT = (
    "You summarize one news article for an email digest. Answer with ONE JSON object and "
    'nothing else: {"headline": string, "section": string or null, "key_points": [string, ...]}. '
    "headline: the article's own title, without a site name. section: a one-word news section "
    'such as "World", "Business" or "Sport", or null. key_points: 2 to MAX short, '
    "self-contained sentences stating the article's main facts, taken from the article, "
    f"each ONE sentence of at most {MAX_POINT_WORDS} words that does not repeat the headline "
    "or another point, no questions, no opinions of your own. Write the headline and the key "
    "points in the language whose BCP 47 code is LANGUAGE."
)
_MAX_INPUT_CHARS = 12_000
MAX_RETRY_AFTER = 60.0  # a longer wait than this is not worth holding an edition for
RETRIED = frozenset({429, 500, 502, 503, 504})


class Budget:
    """The LLM calls one edition may still make, shared by the threads summarizing it."""

    def __init__(self, calls: int) -> None:
        self.calls = max(0, calls)
        self._lock = threading.Lock()

    def take(self) -> bool:
        """One call from the budget; False when none is left."""
        with self._lock:
            if self.calls <= 0:
                return False
            self.calls -= 1
            return True


class _Retry(SummarizeError):
    """A 429 or 5xx answer: worth another attempt, after `retry_after` seconds if given."""

    def __init__(self, message: str, retry_after: float | None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def retry_after(response: httpx.Response) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP-date), if any."""
    value = response.headers.get("retry-after", "").strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        return max(0.0, when.timestamp() - time.time())


def prompt_for(settings: SummarizerSettings) -> str:
    """The system prompt for these settings; LANGUAGE is filled per article."""
    return SYSTEM_PROMPT.replace("MAX", str(settings.max_points))


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
    """Ask the configured model; on any error use `fallback` (and log why).

    Safe to share between threads: one connection pool sized to `[summarize] concurrency`.
    `budget` is the calls left for the edition (None: no limit); `sleep` waits between
    attempts (a test passes one that only records the delay).
    """

    def __init__(
        self,
        settings: SummarizerSettings,
        environ: Mapping[str, str],
        *,
        fallback: Summarizer,
        transport: httpx.BaseTransport | None = None,
        budget: Budget | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self.api_key = environ.get(settings.llm_api_key_env, "")
        self.fallback = fallback
        self.budget = budget
        self.sleep = sleep
        self.prompt = prompt_for(settings)
        self.identity: Identity = llm_identity(settings, self.prompt)
        pool = settings.concurrency
        self.client = httpx.Client(
            base_url=(settings.llm_base_url or "").rstrip("/") + "/",
            timeout=settings.llm_timeout,
            limits=httpx.Limits(max_connections=pool, max_keepalive_connections=pool),
            transport=transport,
        )

    def _request(self, article: Article) -> dict[str, Any]:
        body = clean_text(repair_text(article.text)).text[:_MAX_INPUT_CHARS]
        language = article.language or self.settings.language
        return {
            "model": self.settings.llm_model,
            "temperature": 0,
            "response_format": {"type": "json_object"},
            "messages": [
                {"role": "system", "content": self.prompt.replace("LANGUAGE", language)},
                {"role": "user", "content": f"Title: {article.title}\n\n{body}"},
            ],
        }

    def ask(self, article: Article) -> Summary:
        """One call to the endpoint; raises SummarizeError on any failure (`_Retry` when
        another attempt may succeed)."""
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        try:
            response = self.client.post(
                "chat/completions", json=self._request(article), headers=headers
            )
            if response.status_code in RETRIED:
                raise _Retry(f"LLM answered HTTP {response.status_code}", retry_after(response))
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

    def attempt(self, article: Article) -> tuple[Summary | None, int, str]:
        """(the model's summary or None, the calls it took, why there is none), retrying a
        429 or 5xx answer while the retries and the budget last."""
        delay, last = self.settings.retry_backoff, self.settings.retries + 1
        for calls in range(1, last + 1):
            if self.budget is not None and not self.budget.take():
                return None, calls - 1, "the edition's budget of LLM calls is spent"
            try:
                return self.ask(article), calls, ""
            except _Retry as exc:
                wait = max(delay, exc.retry_after or 0.0)
                if calls == last or wait > MAX_RETRY_AFTER:
                    return None, calls, f"{exc} after {calls} attempt(s)"
                self.sleep(wait)
                delay *= 2
            except SummarizeError as exc:
                return None, calls, str(exc)
        raise AssertionError("unreachable: the last try returns")  # pragma: no cover

    def summarize(self, article: Article) -> Summary:
        summary, _, reason = self.attempt(article)
        if summary is not None:
            return summary
        log.warning("%s: %s; using the extractive summarizer", article.url or "article", reason)
        return self.fallback.summarize(article)

    def close(self) -> None:
        self.client.close()
