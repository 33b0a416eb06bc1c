"""The extractive summarizer: the sample article, config validation, JSONL, bad input."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from digest.errors import ConfigError, InputError, SummarizeError
from digest.models import Article
from digest.summarize import (
    ExtractiveSummarizer,
    SummarizerSettings,
    make_summarizer,
    summarize_document,
    summarize_jsonl,
    summarizer_settings_from_table,
)
from digest.summarize.features import FeatureRows, build_candidates, candidate_features
from digest.summarize.headline import WHOLE_SENTENCE_WORDS
from digest.summarize.model import Scores, load_model
from digest.summarize.sentences import split_sentences
from digest.summarize.shape import (
    MAX_POINT_WORDS,
    content,
    fits,
    is_fragment,
    word_count,
)

DATA = Path(__file__).parents[1] / "data"
CHROME = ("Would you like", "Leave A Comment", "Live Tv", "Newsletter", "Subscribe")


@pytest.fixture(scope="module")
def sample() -> str:
    return (DATA / "article-world-putin-call.txt").read_text(encoding="utf-8")


def test_sample_article_headline_section_and_key_points(sample: str) -> None:
    summary = summarize_document(sample)
    assert summary.headline == "Rosenberg: Trump-Putin Call Viewed as a Win in Russia"
    assert summary.section == "World"
    points = summary.key_points
    assert 3 <= len(points) <= 5
    text = " ".join(points)
    assert "30-day ceasefire" in text
    for point in points:
        assert not any(chrome.lower() in point.lower() for chrome in CHROME), point
        assert not point.endswith("?"), point
        assert point[:1].isupper() or point[:1] in "\u201c\"'", point
        assert point.rstrip("\u201d\"'\u2019").endswith((".", "!", "\u2026")), point
    assert "Why is Moscow Celebrating" not in text
    assert len(set(points)) == len(points)


def test_sample_article_covers_conditions_and_economic_offers(sample: str) -> None:
    points = summarize_document(sample).key_points
    text = " ".join(points)
    assert "terms for peace" in text and "military aid" in text and "mobilization" in text
    assert "aluminum" in text or "rare earth" in text
    assert "The key question now is whether" not in text


def test_title_given_is_kept_and_site_suffix_dropped(sample: str) -> None:
    summary = summarize_document(sample, title="Rosenberg: Trump-Putin Call | World News")
    assert summary.headline == "Rosenberg: Trump-Putin Call"


def test_markdown_and_html_inputs(sample: str) -> None:
    body = "\n\n".join(sample.splitlines()[4:40])
    markdown = f"# Rosenberg: Trump-Putin Call Viewed as a Win in Russia\n\n{body}"
    summary = summarize_document(markdown, fmt="markdown")
    assert summary.headline == "Rosenberg: Trump-Putin Call Viewed as a Win in Russia"
    assert summary.key_points
    paragraphs = "".join(f"<p>{line}</p>" for line in sample.splitlines()[4:40] if line.strip())
    html = (
        "<html><head><title>Trump-Putin call | Site</title></head><body><nav>Home Menu</nav>"
        f"<article><h1>Trump-Putin call seen as a win</h1>{paragraphs}</article></body></html>"
    )
    summary = summarize_document(html, fmt="html")
    assert summary.key_points
    assert all("<" not in point for point in summary.key_points)


def test_settings_from_table_validates_keys_and_types() -> None:
    assert summarizer_settings_from_table({}) == SummarizerSettings()
    settings = summarizer_settings_from_table({"max_points": 4, "llm_timeout": 5})
    assert settings.max_points == 4 and settings.llm_timeout == 5.0
    with pytest.raises(ConfigError, match=r"summarize\.kind"):
        summarizer_settings_from_table({"kind": "abstract"})
    with pytest.raises(ConfigError, match=r"summarize\.colour: unknown key"):
        summarizer_settings_from_table({"colour": "red"})
    with pytest.raises(ConfigError, match=r"summarize\.max_points"):
        summarizer_settings_from_table({"max_points": "3"})
    with pytest.raises(ConfigError, match=r"summarize\.kind"):
        summarizer_settings_from_table({"kind": "llm"})


def test_max_points_is_respected(sample: str) -> None:
    summarizer = make_summarizer(SummarizerSettings(max_points=2), {})
    article = Article(url="u", title="T", text=sample, source="s")
    assert len(summarizer.summarize(article).key_points) <= 2


def test_jsonl_round_trip_and_errors_as_records() -> None:
    lines = [
        json.dumps(
            {
                "id": 1,
                "text": "Prices rose 3.5 per cent in May. Analysts expected less. "
                "The bank may raise rates again.",
                "title": "Prices rise",
            }
        ),
        "",
        json.dumps({"id": "empty", "text": ""}),
    ]
    out = list(summarize_jsonl(lines, name="in.jsonl"))
    assert out[0]["id"] == 1 and out[0]["headline"] == "Prices rise"
    assert out[0]["key_points"] and set(out[0]) == {"id", "headline", "section", "key_points"}
    assert out[1]["id"] == "empty" and "error" in out[1]


def test_jsonl_section_is_the_records_else_the_label_on_top() -> None:
    body = "Prices rose 3.5 per cent in May. The bank may raise its rates again."
    lines = [
        json.dumps({"id": 1, "text": body, "title": "Prices rise", "section": "Business"}),
        json.dumps({"id": 2, "text": f"World\n\n{body}"}),
        json.dumps({"id": 3, "text": body, "section": 7}),
    ]
    with pytest.raises(InputError, match=r"in\.jsonl:3: .*section"):
        list(summarize_jsonl(lines, name="in.jsonl"))
    first, second = list(summarize_jsonl(lines[:2], name="in.jsonl"))
    assert first["section"] == "Business" and second["section"] == "World"
    assert second["headline"] == "Prices rose 3.5 per cent in May"
    assert second["key_points"] == ["The bank may raise its rates again."]


@pytest.mark.parametrize(
    ("line", "message"),
    [("{not json", r"in\.jsonl:2: invalid JSON"), ('{"id": 1}', r"in\.jsonl:2: expected")],
)
def test_jsonl_malformed_line_names_file_and_line(line: str, message: str) -> None:
    good = json.dumps({"id": 0, "text": "One fact is here. Another fact is there."})
    with pytest.raises(InputError, match=message):
        list(summarize_jsonl([good, line], name="in.jsonl"))


def _summarize(text: str, title: str = "") -> tuple[str, ...]:
    article = Article(url="u", title=title, text=text, source="s")
    return ExtractiveSummarizer().summarize(article).key_points


def test_empty_text_is_a_clear_error() -> None:
    with pytest.raises(SummarizeError, match=r"empty|no title"):
        summarize_document("   \n ")


def test_title_only_is_a_clear_error() -> None:
    with pytest.raises(SummarizeError, match="no sentence"):
        _summarize("", title="A headline only")


def test_one_sentence_article() -> None:
    assert _summarize("The council approved the new budget on Tuesday.") == (
        "The council approved the new budget on Tuesday.",
    )


def test_one_megabyte_stays_fast() -> None:
    paragraph = (
        "The minister said the plan would cost 2.5 billion pounds over ten years. "
        "Critics in the U.S. and Europe said it was too little, too late. "
    )
    text = "\n".join(paragraph + f"Paragraph {i} adds detail." for i in range(1_000_000 // 160))
    started = time.perf_counter()
    points = _summarize(text, title="Plan")
    assert points and all(len(point) <= 401 for point in points)
    assert time.perf_counter() - started < 30  # a guard against quadratic blow-ups, not a bench


def test_non_english_text() -> None:
    text = (
        "Die Regierung hat am Montag einen neuen Haushalt vorgestellt. Er sieht höhere Ausgaben "
        "für Bildung vor. Die Opposition kritisierte den Plan scharf. "
        "Москва объявила о новых переговорах. Они начнутся в среду."  # noqa: RUF001
    )
    points = _summarize(text, title="Haushalt")
    assert 2 <= len(points) <= 5


def test_html_soup_as_text_does_not_crash() -> None:
    soup = "<div><p>Breaking: <b>markets</b> fell 3.2% today.</p><script>x=1</script><p>Oil rose."
    summary = summarize_document(soup, fmt="html")
    assert summary.key_points


def test_text_without_sentence_punctuation() -> None:
    text = "\n".join(
        f"officials said the flood barrier number {i} held through the night and the river fell"
        for i in range(6)
    )
    points = _summarize(text, title="Flood barriers hold")
    assert points and all(len(point) <= 401 for point in points)


def test_glued_sentences_abbreviations_and_decimals() -> None:
    text = (
        "Dr. Jones of the U.S. Navy said the ship costs $1.5 billion.The order was "
        "signed at No. 10 on Friday.Officials expect delivery in 2027."
    )
    points = _summarize(text, title="Navy order")
    joined = " ".join(points)
    assert "Dr. Jones of the U.S. Navy said the ship costs $1.5 billion." in points
    assert "No. 10" in joined


def test_list_joins_its_lead_in_and_the_sentence_it_points_back_to() -> None:
    body = (
        "The mayor set out her plan on Monday. These include:\n"
        "\u2022 Lower bus fares\n- More night buses.\n* A new tram line\n"
        "The council votes next week."
    )
    texts = [c.text for c in build_candidates(body)]
    assert texts == [
        "The mayor set out her plan on Monday: lower bus fares, more night buses, "
        "and a new tram line.",
        "The council votes next week.",
    ]
    assert [c.is_list for c in build_candidates(body)] == [True, False]


def test_sectioned_article_gives_each_part_a_point_and_lists_their_own() -> None:
    text = "\n\n".join(
        [
            "Harbour plan approved",
            "The city council approved a 40 million euro plan to rebuild the old harbour.",
            "Work starts in spring and should take three years, officials said.",
            "What changes for residents?",
            "The question now is whether rents near the water will rise.",
            "Residents will lose 200 parking spaces along the quay. Instead, they get a "
            "new garage behind the station.",
            "Fishermen keep their moorings.",
            "Who pays",
            "The regional government pays half. It set two conditions:",
            "- Opening the quay to the public",
            "- Keeping the fish market",
        ]
    )
    points = summarize_document(text).key_points
    joined = " ".join(points)
    assert points[0].startswith("The city council approved")
    assert "parking spaces" in joined and "instead, they get a new garage" in joined
    assert (
        "The regional government pays half; it set two conditions: opening the quay to the "
        "public and keeping the fish market." in points
    )
    assert "question now is whether" not in joined
    assert 3 <= len(points) <= 5


def test_lazy_scores_match_the_full_feature_table() -> None:
    cands = build_candidates(
        "Prices rose 3.5 per cent in May. Analysts expected less.\n"
        "\u201cWe are worried,\u201d one trader said. The bank may raise rates again."
    )
    model = load_model()
    lazy = Scores(FeatureRows(cands, "Prices rise"), model)
    full = [model.score(row) for row in candidate_features(cands, "Prices rise")]
    assert [lazy[i] for i in reversed(range(len(cands)))] == full[::-1]


# ---------------------------------------------------------------- scraped news, point shape


@pytest.fixture(scope="module")
def scraped() -> list[dict[str, str | None]]:
    lines = (DATA / "summarize" / "scraped.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def test_scraped_stories_give_points_of_the_required_shape(
    scraped: list[dict[str, str | None]],
) -> None:
    for record in scraped:
        for title in {record["title"] or "", ""}:
            article = Article(url="u", title=title, text=str(record["text"]), source="s")
            summary = ExtractiveSummarizer().summarize(article)
            points = summary.key_points
            # one point when every other sentence leans back or is a quotation nobody speaks
            assert 1 <= len(points) <= 4, (record["id"], points)
            assert len(summary.headline.split()) <= WHOLE_SENTENCE_WORDS or title
            assert "\u2026" not in summary.headline
            bags: list[frozenset[str]] = []
            for point in points:
                assert word_count(point) <= MAX_POINT_WORDS, point
                assert split_sentences(point) == [point], point
                assert not is_fragment(point), point
                assert not re.search(r"[A-Za-z]\?[A-Za-z]|\?\|| \?[A-Za-z]", point), point
                assert not re.search(r"READ|pic\.twitter|\(@", point), point
                assert fits(point, content(summary.headline), bags) is not None, point
                bags.append(content(point))


def test_lost_quote_sentences_are_not_dropped_as_questions(
    scraped: list[dict[str, str | None]],
) -> None:
    record = next(r for r in scraped if r["id"] == "inshorts-202")
    article = Article(url="u", title=str(record["title"]), text=str(record["text"]), source="s")
    candidates = ExtractiveSummarizer().prepare(article)[2]
    texts = [c.text for c in candidates]
    assert any(t.startswith("\u201cAfter learning to negotiate, the bots relied") for t in texts)
    assert not any(t.endswith("?") for t in texts)


def test_mojibake_and_inline_boilerplate_never_reach_a_point() -> None:
    text = (
        "The city council approved a \u00a340 million plan to rebuild the old harbour on "
        "Monday.ALSO READ: Ten best beaches in EuropeWork starts in spring and should take "
        "three years (Photo: HT/Getty Images), the mayor\u2019s office said. "
        "Residents will lose 200 parking spaces along the quay."
    )
    mangled = text.encode("utf-8").decode("cp1252")
    points = _summarize(mangled, title="Harbour plan approved")
    joined = " ".join(points)
    assert "\u00a340 million" in joined and "\u00e2\u20ac" not in joined and "\u00c2" not in joined
    assert "ALSO READ" not in joined and "beaches" not in joined and "Photo" not in joined
    assert "Work starts in spring and should take three years." in points


def test_html_page_reports_the_section_extract_finds() -> None:
    html = (DATA / "gather" / "putin-call.html").read_text(encoding="utf-8")
    summary = summarize_document(html, fmt="html")
    assert summary.section == "World"
    assert summary.headline == "Rosenberg: Trump-Putin Call Viewed as a Win in Russia"
    assert any("30-day ceasefire" in point for point in summary.key_points)


def test_points_are_no_longer_than_the_limit_on_a_story_of_long_sentences() -> None:
    sentence = (
        "The regional government, which has governed the province for a decade, said on "
        "Monday that it would pay half of the cost of the new harbour, including the quay and "
        "the fish market, after months of talks with the city council and the port authority."
    )
    text = "\n\n".join(sentence.replace("half", share) for share in ("half", "a third", "all"))
    for point in _summarize(text, title="Who pays for the harbour"):
        assert word_count(point) <= MAX_POINT_WORDS, point
