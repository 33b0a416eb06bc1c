"""Grouping: one event in different words is one story; different events stay apart, in any
language, in any input order; candidate pairs come from the blocked sparse product."""

from __future__ import annotations

import json
import random
from collections import Counter
from datetime import datetime
from itertools import combinations

import numpy as np
import pytest

from digest.compose import cluster_articles, linkage
from digest.compose.features import FeatureSettings, tfidf_matrix
from digest.models import Article
from tests.conftest import REPO

WINDOW = REPO / "tests" / "data" / "compose" / "window.jsonl"


def art(url: str, title: str, text: str = "", source: str = "A") -> Article:
    return Article(url=url, title=title, text=text, source=source)


def window() -> tuple[list[Article], list[str]]:
    rows = [json.loads(line) for line in WINDOW.read_text(encoding="utf-8").splitlines()]
    articles = [
        Article(
            url=r["url"],
            title=r["title"],
            text="",
            source=r["outlet"],
            published=datetime.fromisoformat(r["published"]),
        )
        for r in rows
    ]
    return articles, [r["cluster"] for r in rows]


def b_cubed(groups: list[list[int]], gold: list[str]) -> tuple[float, float]:
    """B-cubed precision and recall, averaged over articles."""
    label = {i: n for n, group in enumerate(groups) for i in group}
    pred_size = Counter(label.values())
    gold_size = Counter(gold)
    cells = Counter((gold[i], label[i]) for i in range(len(gold)))
    precision = sum(c * c / pred_size[p] for (_, p), c in cells.items()) / len(gold)
    recall = sum(c * c / gold_size[g] for (g, _), c in cells.items()) / len(gold)
    return precision, recall


# name: ([(title, opening, outlet), ...], the groups expected)
CASES = {
    "one event in different words is one story": ([
        ("Peru's Congress removes President Boluarte", "Lawmakers voted to remove Dina Boluarte from office late on Thursday.", "Japan Today"),  # noqa: E501
        ("Flood waters recede in northern Italy", "Rivers fell overnight after a week of rain in Emilia-Romagna.", "ANSA"),  # noqa: E501
        ("Boluarte ousted as Peru lawmakers vote to remove her", "Peru's Congress voted to remove President Dina Boluarte.", "MercoPress"),  # noqa: E501
        ("Bank of England holds rates at 4%", "The Bank of England kept its main rate unchanged on Thursday.", "BBC"),  # noqa: E501
    ], [[0, 2], [1], [3]]),
    "two events that share a name stay apart": ([
        ("Trump signs order raising tariffs on steel", "President Trump signed an order raising tariffs on imported steel to 50 percent.", "A"),  # noqa: E501
        ("Trump plays golf at his Scottish resort", "Donald Trump spent the weekend playing golf at Turnberry in Scotland.", "B"),  # noqa: E501
        ("Steel tariffs rise to 50% under Trump order", "An executive order signed by Trump lifts the tariff on steel imports to 50 percent.", "C"),  # noqa: E501
    ], [[0, 2], [1]]),
    "Chinese and Japanese group by character pairs": ([
        ("日本銀行が政策金利を据え置き", "日本銀行は金融政策決定会合で政策金利の据え置きを決めた。", "NHK"),  # noqa: E501
        ("大阪で震度5弱の地震", "大阪府北部で震度5弱の揺れを観測した。", "Kyodo"),
        ("日銀、政策金利据え置きを決定", "日本銀行は政策金利を据え置くと発表した。", "Nikkei"),
        ("中国央行下调存款准备金率", "中国人民银行宣布下调存款准备金率0.5个百分点。", "Xinhua"),
        ("人民银行宣布降准0.5个百分点", "中国人民银行决定下调金融机构存款准备金率。", "Caixin"),
    ], [[0, 2], [1], [3, 4]]),
    "German and French group by word prefixes": ([
        ("Bundestag beschließt Rentenreform", "Der Bundestag hat am Freitag die Rentenreform beschlossen.", "Tagesschau"),  # noqa: E501
        ("Rentenreform: Bundestag stimmt zu", "Mit großer Mehrheit stimmte der Bundestag der Reform der Renten zu.", "Spiegel"),  # noqa: E501
        ("Le Louvre fermé après un vol de bijoux", "Le musée du Louvre est resté fermé dimanche après le vol.", "Le Monde"),  # noqa: E501
        ("Vol au Louvre : le musée reste fermé", "Des bijoux ont été volés au Louvre, le musée est fermé.", "France 24"),  # noqa: E501
    ], [[0, 1], [2, 3]]),
}  # fmt: skip


@pytest.mark.parametrize("name", CASES)
def test_examples_group_as_an_editor_would(name: str) -> None:
    rows, groups = CASES[name]
    articles = [art(f"https://{n}.example/story", *row) for n, row in enumerate(rows)]
    assert cluster_articles(articles) == groups


def test_unrelated_stories_stay_apart_and_empty_input() -> None:
    articles = [
        art("a", "Storm Ciara closes schools across Wales", "Schools shut on Monday."),
        art("b", "Chip maker reports record quarterly profit", "Sales of AI chips doubled."),
        art("c", "Police search for missing hiker in the Alps", "The 34-year-old left Zermatt."),
        art("d", "Orchestra premieres new symphony in Vienna", "Critics praised the finale."),
    ]
    assert cluster_articles(articles) == [[0], [1], [2], [3]]
    assert cluster_articles([]) == []
    assert cluster_articles(articles[:1]) == [[0]]


def test_real_window_quality_and_any_input_order() -> None:
    articles, gold = window()
    groups = cluster_articles(articles)
    precision, recall = b_cubed(groups, gold)
    assert precision >= 0.85 and recall >= 0.65, (precision, recall)
    today = {frozenset(articles[i].url for i in group) for group in groups}
    rng = random.Random(7)
    for _ in range(3):
        shuffled = articles[:]
        rng.shuffle(shuffled)
        again = {frozenset(shuffled[i].url for i in g) for g in cluster_articles(shuffled)}
        assert again == today


def test_blocked_candidates_equal_every_pair_above_the_floor(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    articles, _ = window()
    matrix = tfidf_matrix(articles, FeatureSettings())
    monkeypatch.setattr(linkage, "_BLOCK", 16)  # many blocks, a last one partly filled
    found = linkage.candidate_pairs(matrix, floor=0.05, max_df=1.0, min_df_cap=len(articles))
    dense = (matrix @ matrix.T).toarray()
    expected = {(i, j) for i, j in combinations(range(len(articles)), 2) if dense[i, j] >= 0.05}
    assert set(found) == expected
    assert all(np.isclose(found[p], dense[p]) for p in expected)


def test_average_link_does_not_chain() -> None:
    # A-B and B-C are close, A-C is not: single linkage would make one group of three.
    pairs = {(0, 1): 0.9, (1, 2): 0.5}
    assert linkage.average_link(3, pairs, 0.4) == [[0, 1], [2]]
    assert linkage.average_link(3, pairs, 0.2) == [[0, 1, 2]]
    assert linkage.average_link(3, {}, 0.2) == [[0], [1], [2]]


def test_an_editors_splits_and_merges_apply_over_the_groups() -> None:
    from digest.compose.regroup import Regrouping, regrouped

    keys = ["a", "b", "c", "d", "e"]
    found = [[0, 1, 2], [3], [4]]
    assert regrouped(found, keys, Regrouping()) == found
    split = Regrouping(apart=frozenset({"b"}))
    assert regrouped(found, keys, split) == [[0, 2], [1], [3], [4]]
    both = Regrouping(apart=frozenset({"b"}), together=(("b", "e"), ("d", "a"), ("x", "a")))
    assert regrouped(found, keys, both) == [[0, 2, 3], [1, 4]]


def test_articles_a_week_apart_are_not_one_story() -> None:
    """A feed that still lists last year's story beside today's ("Palestinians stream back to
    northern Gaza", January 2025, next to February 2026's Gaza stories)."""
    from datetime import UTC, timedelta

    now = datetime(2026, 2, 17, 12, tzinfo=UTC)
    titles = [
        "Rebels enter Goma as Congolese troops retreat",
        "Rwanda-backed rebels enter Goma, Congo's safe-haven city",
        "Goma falls to M23 rebels as Congolese troops retreat",
    ]

    def at(n: int, when: datetime | None) -> Article:
        text = f"{titles[n]}: residents of Goma reported gunfire after M23 rebels entered."
        return Article(f"https://{n}.example/goma", titles[n], text, f"Outlet {n}", published=when)

    assert cluster_articles([at(0, now), at(1, now - timedelta(days=2))]) == [[0, 1]]
    assert cluster_articles([at(0, now), at(1, now - timedelta(days=30))]) == [[0], [1]]
    naive = (now - timedelta(days=1)).replace(tzinfo=None)  # a date without a zone is UTC
    assert cluster_articles([at(0, now), at(1, naive), at(2, None)]) == [[0, 1, 2]]


def test_between_texts_the_term_shared_most_counts_half() -> None:
    """Rows 0 and 1 share one term ("Germany") and a little else; rows 0 and 2 share it too
    but row 2 has no text: the pair of two texts loses half of its largest shared term."""
    from scipy import sparse

    rows = np.array([[0.8, 0.6, 0.0, 0.0], [0.8, 0.2, 0.565685, 0.0], [0.8, 0.0, 0.0, 0.6]])
    matrix = sparse.csr_matrix(rows / np.linalg.norm(rows, axis=1)[:, None])
    dense = (matrix @ matrix.T).toarray()
    texts = np.array([True, True, False])
    found = linkage.candidate_pairs(
        matrix, floor=0.0, max_df=1.0, min_df_cap=3, texts=texts, single=0.5
    )
    top = matrix[0, 0] * matrix[1, 0]
    assert np.isclose(found[(0, 1)], dense[0, 1] - 0.5 * top)
    assert np.isclose(found[(0, 2)], dense[0, 2]), "a headline without a text is as before"
    plain = linkage.candidate_pairs(matrix, floor=0.0, max_df=1.0, min_df_cap=3)
    assert all(np.isclose(plain[p], dense[p]) for p in plain)


def test_two_texts_whose_headlines_name_nothing_of_the_other_count_half() -> None:
    from digest.compose.features import tfidf

    articles = [
        art("a", "Takaichi will be reappointed as Japan's prime minister",
            "Japanese Prime Minister Sanae Takaichi last week won a landslide election that gave "
            "her a strong public mandate, and parliament will confirm her on Wednesday."),
        art("b", "Bangladesh's new prime minister is sworn in after a landslide",
            "Bangladesh's new prime minister has been sworn in after his party's landslide win "
            "in parliamentary elections last week, the first since the 2024 uprising."),
        art("c", "Japan's parliament confirms Takaichi",
            "Lawmakers in Tokyo confirmed Sanae Takaichi as prime minister on Wednesday."),
        art("d", "Bangladesh: new cabinet named", ""),
    ]  # fmt: skip
    found = tfidf(articles, FeatureSettings())
    pairs = {(0, 1): 0.3, (0, 2): 0.3, (1, 3): 0.3}
    apart = linkage.names_apart(pairs, found.matrix, found.heads, found.texts, 0.5)
    assert apart == {(0, 1): 0.15, (0, 2): 0.3, (1, 3): 0.3}, "d has no text: as before"
    assert linkage.names_apart(pairs, found.matrix, found.heads, found.texts, 1.0) == pairs
