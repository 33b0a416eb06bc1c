"""digest's feed articles against feedparser's reading of the same real feeds.

Usage: python bench/compare_feeds.py [FEEDS_DIR] [--show]
(default ../shared/eval/feeds; reads `real/manifest.jsonl` and the feed-rs fixtures).

For each item both read (matched by position: both keep the feed's order), it compares:
- title: feedparser's title (HTML titles to text by lxml) with digest's, spaces normalised;
- date: feedparser's published/updated (its own parser) with digest's, to the minute;
- text: share of feedparser's words (content, else summary, as text) that digest's title and
  text hold; below 0.8 is a disagreement (digest's cleaner drops chrome, so 1.0 is not expected);
- markup and glue: digest text holding a tag that feedparser's text has not, or a sentence
  glued to the next ("end.Next") where feedparser's text has a break between them.
Each disagreement is printed with both readings (--show) so a person can say who is right.
"""

from __future__ import annotations

import calendar
import json
import re
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import feedparser
import lxml.html

from digest.errors import SourceError
from digest.gather import parse_feed
from digest.models import Article

DEFAULT = Path(__file__).resolve().parent.parent.parent / "shared" / "eval" / "feeds"
WORD = re.compile(r"\w+")
TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?>")
GLUE = re.compile(r"[a-z]{2}[.!?][A-Z][a-z]")


def html_text(markup: str) -> str:
    if not markup.strip():
        return ""
    try:
        root = lxml.html.fragment_fromstring(markup, create_parent="div")
    except Exception:
        return markup
    for bad in root.xpath("//script|//style"):
        bad.drop_tree()
    for block in root.xpath("//p|//div|//br|//li|//td|//h1|//h2|//h3|//h4|//tr"):
        block.tail = "\n" + (block.tail or "")
    return str(root.text_content())


def reference(entry: Any) -> tuple[str, datetime | None, str]:
    detail = entry.get("title_detail") or {}
    title = entry.get("title", "")
    if detail.get("type", "text/plain") != "text/plain":
        title = html_text(title)
    struct = entry.get("published_parsed") or entry.get("updated_parsed")
    when = datetime.fromtimestamp(calendar.timegm(struct), UTC) if struct else None
    # feedparser's first content, else its summary; a plain-text "content" (media:description,
    # itunes:summary) shorter than the summary is a caption or a cut-off copy, passed over.
    summary = entry.get("summary", "")
    contents = [
        c.get("value", "")
        for c in entry.get("content") or []
        if c.get("value")
        and (
            c.get("type") != "text/plain"
            or (len(c["value"]) > len(summary) and "media_content" not in entry)
        )
    ]
    text = html_text(contents[0] if contents else entry.get("summary", ""))
    return " ".join(title.split()), when, text


def feeds(root: Path) -> list[tuple[Path, str]]:
    found = []
    for line in (root / "real" / "manifest.jsonl").open(encoding="utf-8"):
        row = json.loads(line)
        found.append((root / row["file"], row["url"]))
    for path in sorted(root.glob("feed-rs-fixtures/*/*.xml")):
        found.append((path, "https://feed-rs.example/" + path.name))
    return found


def compare(show: bool, root: Path) -> Counter[str]:
    counts: Counter[str] = Counter()
    for path, url in feeds(root):
        body = path.read_bytes()
        parsed = feedparser.parse(body, response_headers={"content-location": url})
        try:
            ours: list[Article] = parse_feed(body, url=url, content_type=None, source="bench")
        except SourceError as exc:
            counts["feed unreadable by digest"] += bool(parsed.entries)
            if show and parsed.entries:
                print(f"{path.name}: digest cannot read: {exc}")
            continue
        counts["feeds"] += 1
        by_link: dict[str, list[Article]] = {}
        for article in ours:  # several items may share a link: matched in feed order
            by_link.setdefault(article.url, []).append(article)
        for entry in parsed.entries:
            title, when, text = reference(entry)
            same = by_link.get(_canonical(entry.get("link", ""), url)) or [None]
            mine = same.pop(0) if len(same) > 1 else same[0]
            if mine is None:
                counts["items feedparser has, digest not"] += 1
                if show:
                    print(f"{path.name}: missing {entry.get('link')!r} {title!r}")
                continue
            counts["items"] += 1
            problems = _differences(mine, title, when, text)
            for kind, detail in problems:
                counts[kind] += 1
                if show:
                    print(f"{path.name} [{kind}] {detail}")
    return counts


def _canonical(link: str, base: str) -> str:
    from urllib.parse import urljoin

    from digest.gather.urls import canonical_url

    try:
        return canonical_url(urljoin(base, link.strip()))
    except ValueError:
        return link


def _differences(
    mine: Article, title: str, when: datetime | None, text: str
) -> list[tuple[str, str]]:
    found = []
    if title and mine.title != title:
        found.append(("title", f"digest {mine.title!r} / feedparser {title!r}"))
    if when and (mine.published is None or abs((mine.published - when).total_seconds()) >= 60):
        found.append(("date", f"digest {mine.published} / feedparser {when} ({mine.title!r})"))
    theirs = Counter(w.casefold() for w in WORD.findall(text))
    held = Counter(w.casefold() for w in WORD.findall(mine.title + " " + mine.text))
    if sum(theirs.values()) >= 5:
        recall = sum((theirs & held).values()) / sum(theirs.values())
        if recall < 0.8:
            found.append(("text", f"{recall:.2f} of feedparser's words ({mine.title!r})"))
    tags = [t for t in TAG.findall(mine.text) if t not in text]  # code samples show "<T>"
    if tags:
        found.append(("markup in text", f"{tags[:3]!r} in {mine.title!r}"))
    for glued in GLUE.finditer(mine.text):
        pair = glued.group(0)
        if pair not in text:  # feedparser's text breaks there: digest glued two blocks
            found.append(("glued blocks", f"{pair!r} in {mine.title!r}"))
            break
    return found


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    root = Path(args[0]) if args else DEFAULT
    counts = compare("--show" in sys.argv, root)
    for key, value in sorted(counts.items()):
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()
