"""LLM mode against a real local HTTP server: good, garbage, 500, timeout -> fallback."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest

from digest.errors import SummarizeError
from digest.models import Article
from digest.summarize import SummarizerSettings, make_summarizer
from digest.summarize.llm import LLMSummarizer, parse_answer
from digest.summarize.shape import MAX_POINT_WORDS, word_count

ARTICLE = Article(
    url="https://example.org/a",
    title="Council approves budget",
    text="World\n\nThe council approved the budget on Tuesday. It raises spending by 3.5%. "
    "Opponents said the plan was rushed.",
    source="Example",
)


LONG_POINT = (
    "The opposition tabled forty amendments during a debate that lasted more than nine hours, "
    "and the governing coalition rejected all of them in a series of votes late on Tuesday."
)
ANSWERS: dict[str, dict[str, Any]] = {
    "misshapen": {
        "headline": "Budget passes",
        "section": None,
        "key_points": [
            "The budget passes.",  # repeats the headline
            LONG_POINT.replace("Tuesday.", "Tuesday, long after the last buses had left town."),
            "He said so on Tuesday.",  # a fragment
        ],
    },
    "mixed": {
        "headline": "Budget passes",
        "section": None,
        "key_points": [
            "Budget passes.",
            "The council approved the budget on Tuesday. It raises spending by 3.5%.",
            LONG_POINT + " It was the longest session this year.",
            "Spending on schools rises by 3.5% next year.",
            "Spending on schools will rise 3.5% in the next year.",
        ],
    },
}


class Handler(BaseHTTPRequestHandler):
    mode: ClassVar[str] = "good"
    seen: ClassVar[list[dict[str, Any]]] = []

    def log_message(self, *args: object) -> None:
        return

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Handler.seen.append({"path": self.path, "auth": self.headers.get("Authorization"), **body})
        if Handler.mode == "500":
            self.send_response(500)
            self.end_headers()
            return
        if Handler.mode == "slow":
            time.sleep(1.0)
        content = (
            json.dumps({"headline": "Budget passes", "section": "Politics",
                        "key_points": ["The council approved the budget.", "Spending rises 3.5%."]})
            if Handler.mode in ("good", "slow")
            else json.dumps(ANSWERS[Handler.mode])
            if Handler.mode in ANSWERS
            else "Sure! Here is a summary: the budget passed."
        )  # fmt: skip
        payload = json.dumps({"choices": [{"message": {"role": "assistant", "content": content}}]})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(payload.encode())


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    httpd.shutdown()
    httpd.server_close()


def _summarizer(base_url: str, timeout: float = 5.0) -> Any:
    settings = SummarizerSettings(
        kind="llm", llm_base_url=base_url, llm_model="tiny", llm_timeout=timeout
    )
    return make_summarizer(settings, {"DIGEST_LLM_API_KEY": "sk-test"})


def test_good_answer_is_used(server: str) -> None:
    Handler.mode = "good"
    Handler.seen.clear()
    summarizer = _summarizer(server)
    assert isinstance(summarizer, LLMSummarizer)
    summary = summarizer.summarize(ARTICLE)
    assert summary.headline == "Budget passes"
    assert summary.section == "Politics"
    assert summary.key_points == ("The council approved the budget.", "Spending rises 3.5%.")
    request = Handler.seen[-1]
    assert request["path"] == "/v1/chat/completions"
    assert request["auth"] == "Bearer sk-test"
    assert request["model"] == "tiny"
    assert "World\n" not in request["messages"][1]["content"]  # cleaned before sending


@pytest.mark.parametrize("mode", ["garbage", "500"])
def test_bad_answers_fall_back_to_extractive(server: str, mode: str) -> None:
    Handler.mode = mode
    summary = _summarizer(server).summarize(ARTICLE)
    assert summary.headline == "Council approves budget"
    assert summary.key_points[0].startswith("The council approved the budget on Tuesday")


def test_timeout_falls_back(server: str) -> None:
    Handler.mode = "slow"
    summary = _summarizer(server, timeout=0.2).summarize(ARTICLE)
    assert summary.headline == "Council approves budget"


def test_unreachable_endpoint_falls_back() -> None:
    summary = _summarizer("http://127.0.0.1:9/v1", timeout=0.5).summarize(ARTICLE)
    assert summary.key_points


@pytest.mark.parametrize(
    "content",
    [
        "not json",
        "[1, 2]",
        '{"headline": "", "key_points": ["a"]}',
        '{"headline": "H", "key_points": []}',
        '{"headline": "H", "key_points": [1]}',
        '{"headline": "H", "section": 3, "key_points": ["a"]}',
    ],
)
def test_parse_answer_rejects_anything_but_the_structure(content: str) -> None:
    with pytest.raises(SummarizeError):
        parse_answer(content, 5)


def test_parse_answer_accepts_fenced_json_and_caps_points() -> None:
    fenced = '```json\n{"headline": "H", "section": null, "key_points": ["a", "b", "c"]}\n```'
    summary = parse_answer(fenced, 2)
    assert summary.key_points == ("a", "b") and summary.section is None


def test_llm_points_get_the_same_shape_as_extractive_ones(server: str) -> None:
    Handler.mode = "mixed"
    summary = _summarizer(server).summarize(ARTICLE)
    assert summary.headline == "Budget passes"
    assert summary.section is None or summary.section == ARTICLE.section
    assert summary.key_points == (
        "The council approved the budget on Tuesday.",
        LONG_POINT,
        "Spending on schools rises by 3.5% next year.",
    )
    assert all(word_count(point) <= MAX_POINT_WORDS for point in summary.key_points)


def test_an_answer_with_no_point_of_the_shape_falls_back(server: str) -> None:
    Handler.mode = "misshapen"
    summary = _summarizer(server).summarize(ARTICLE)
    assert summary.headline == "Council approves budget"  # the extractive summarizer's
    assert summary.key_points[0].startswith("The council approved the budget on Tuesday")
