# ruff: noqa: RUF001
"""Sentence splitters compared: ours, sentencex and pysbd, on correctness and speed.

    .venv/bin/python bench/bench_sentences.py [EVAL_DIR]

Correctness: the hand-labelled cases below (news sentences in eight languages with the traps
issue 27 names: ordinals, abbreviations, initials, the full stops of Chinese and Japanese,
quotes) and the count of cases each splitter gets exactly right. Speed: documents per second
(CPU time, one core) over EVAL_DIR's English dev set and the French and multilingual dev files,
the summarizer's own target being >= 500 articles/s for everything, splitting included.
sentencex and pysbd are optional (not project dependencies): a missing one is skipped.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

from digest.summarize.sentences import split_sentences

CASES: list[tuple[str, str, list[str]]] = [
    (
        "en",
        "The U.S. economy grew 2.5 per cent. Dr. Smith said so. J. K. Rowling spoke at 3 p.m. "
        "on Monday.",
        [
            "The U.S. economy grew 2.5 per cent.",
            "Dr. Smith said so.",
            "J. K. Rowling spoke at 3 p.m. on Monday.",
        ],
    ),
    (
        "en",
        "He lives at No. 10 Downing St. in London. The minister said.The minister left.",
        ["He lives at No. 10 Downing St. in London.", "The minister said.", "The minister left."],
    ),
    (
        "de",
        "Die Bundesregierung hat am 3. Oktober den Haushalt beschlossen. Der 2. Weltkrieg endete "
        "1945. Das gilt z.B. für Berlin. Die Zahl stieg um 3. Die Börse fiel.",
        [
            "Die Bundesregierung hat am 3. Oktober den Haushalt beschlossen.",
            "Der 2. Weltkrieg endete 1945.",
            "Das gilt z.B. für Berlin.",
            "Die Zahl stieg um 3.",
            "Die Börse fiel.",
        ],
    ),
    (
        "fr",
        "Le président M. Dupont est arrivé. « C'est fini. » Puis il est parti vers 20 h.",
        ["Le président M. Dupont est arrivé.", "« C'est fini. »", "Puis il est parti vers 20 h."],
    ),
    (
        "es",
        "¿Qué pasó? El Sr. García llegó a las 3. La reunión empezó tarde.",
        ["¿Qué pasó?", "El Sr. García llegó a las 3.", "La reunión empezó tarde."],
    ),
    (
        "ru",
        "Президент России В. В. Путин заявил о мерах. Это важно. Встреча прошла в 2020 году.",
        [
            "Президент России В. В. Путин заявил о мерах.",
            "Это важно.",
            "Встреча прошла в 2020 году.",
        ],
    ),
    (
        "zh",
        "我们来了。他们走了！真的吗？好。",
        ["我们来了。", "他们走了！", "真的吗？", "好。"],
    ),
    (
        "ja",
        "首相は「対応する。次だ。」と述べた。次に行く。",
        ["首相は「対応する。次だ。」と述べた。", "次に行く。"],
    ),
    ("ar", "هل هذا صحيح؟ نعم هو كذلك. شكرا.", ["هل هذا صحيح؟", "نعم هو كذلك.", "شكرا."]),
]

Splitter = Callable[[str, str], list[str]]


def _ours(text: str, language: str) -> list[str]:
    return split_sentences(text, language)


def _splitters() -> dict[str, Splitter]:
    found: dict[str, Splitter] = {"ours": _ours}
    try:
        from sentencex import segment

        found["sentencex"] = lambda text, lang: [
            s.strip() for s in segment(lang, text) if s.strip()
        ]
    except ImportError:
        print("sentencex not installed: skipped")
    try:
        import pysbd

        cache: dict[str, object] = {}

        def _pysbd(text: str, lang: str) -> list[str]:
            if lang not in cache:
                try:
                    cache[lang] = pysbd.Segmenter(language=lang, clean=False)
                except ValueError:
                    cache[lang] = pysbd.Segmenter(language="en", clean=False)
            segments: list[str] = cache[lang].segment(text)  # type: ignore[attr-defined]
            return [s.strip() for s in segments if s.strip()]

        found["pysbd"] = _pysbd
    except ImportError:
        print("pysbd not installed: skipped")
    return found


def _speed(split: Splitter, docs: list[tuple[str, str]]) -> float:
    started = time.process_time()
    for text, lang in docs:
        for line in text.splitlines():
            split(line, lang)
    return len(docs) / max(time.process_time() - started, 1e-9)


def main() -> int:
    eval_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else None
    docs: list[tuple[str, str]] = []
    if eval_dir is not None:
        for name in (
            "news_summaries_dev.jsonl",
            "multilingual/fr_orangesum_dev.jsonl",
            "multilingual/xlsum_smoke_dev.jsonl",
        ):
            for line in (eval_dir / name).read_text(encoding="utf-8").splitlines():
                row = json.loads(line)
                docs.append((row["text"], row.get("lang", "en")))
    for name, split in _splitters().items():
        right = [lang for lang, text, expected in CASES if split(text, lang) == expected]
        wrong = sorted({lang for lang, _, _ in CASES} - set(right))
        line = f"{name}: {len(right)}/{len(CASES)} cases right (wrong: {', '.join(wrong) or '-'})"
        if docs:
            line += f"; {_speed(split, docs):,.0f} documents/s over {len(docs)} dev documents"
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
