"""Page headlines against the page's own candidates (og:title, JSON-LD headline, twitter:title,
<title>), on the extraction set.

Usage: python bench/bench_headlines.py [PATH_TO_EXTRACTION_DIR] [--show]

A headline agrees when its words (case-folded, punctuation ignored) equal one candidate's, or
are a stretch of one candidate between title separators that leaves out only other parts
(the site's name, a section): "X" agrees with "X | BBC News" and "Opinion | X", "BBC News" does
not agree with "X | BBC News" because it must not be the site's name (og:site_name). Mojibake is
counted by ftfy's own detector (`ftfy.badness.is_bad`).
"""

from __future__ import annotations

import gzip
import json
import re
import sys
from pathlib import Path

import lxml.html
from ftfy.badness import is_bad

from digest.errors import SourceError
from digest.gather.decoding import decode_document, without_xml_declaration
from digest.gather.page import extract_page

DEFAULT = Path(__file__).resolve().parent.parent.parent / "shared" / "eval" / "extraction"
WORD = re.compile(r"\w+")
SEPARATOR = re.compile(r"\s+(?:[|\u2013\u2014\u00b7\u2022\u00bb/:-]|::)\s+")


def key(text: str) -> str:
    return " ".join(WORD.findall(text.casefold()))


def candidates(html: bytes) -> tuple[list[str], str | None]:
    tree = lxml.html.fromstring(without_xml_declaration(decode_document(html)))
    found: list[str] = []
    for name in ("og:title", "twitter:title"):
        found += tree.xpath(f'//meta[@property="{name}" or @name="{name}"]/@content')
    found += [t.text_content() for t in tree.iter("title")][:1]
    for script in tree.xpath('//script[@type="application/ld+json"]/text()'):
        found += re.findall(r'"headline"\s*:\s*"((?:[^"\\]|\\.)*)"', str(script))
    site = tree.xpath('//meta[@property="og:site_name"]/@content')
    return [str(c) for c in found if str(c).strip()], (str(site[0]) if site else None)


def agrees(title: str, found: list[str], site: str | None) -> bool:
    mine = key(title)
    if not mine or (site and mine == key(site)):
        return False
    for candidate in found:
        parts = [key(p) for p in SEPARATOR.split(candidate)]
        for first in range(len(parts)):
            for last in range(first, len(parts)):
                if " ".join(p for p in parts[first : last + 1] if p) == mine:
                    return True
    return False


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    data = Path(args[0]) if args else DEFAULT
    rows = [json.loads(line) for line in (data / "gold.jsonl").open(encoding="utf-8")]
    agreed = judged = mojibake = 0
    for row in rows:
        html = gzip.decompress((data / row["file"]).read_bytes())
        found, site = candidates(html)
        try:
            title = extract_page(html, url=row["url"]).title
        except SourceError:
            title = ""
        mojibake += is_bad(title)
        if not found:
            continue
        judged += 1
        ok = agrees(title, found, site)
        agreed += ok
        if not ok and "--show" in sys.argv:
            print(f"{row['id'][:10]} {title!r}\n    candidates: {found[:4]!r} site={site!r}")
    print(f"pages: {len(rows)}  with candidates: {judged}")
    print(
        f"headlines agreeing with the page's candidates: {agreed}/{judged} = {agreed / judged:.1%}"
    )
    print(f"mojibake headlines (ftfy.badness.is_bad): {mojibake}")


if __name__ == "__main__":
    main()
