"""A page's headline: its candidates (og:title, JSON-LD headline, twitter:title, <title>, <h1>)
agreed between them, never the site's name.

Each candidate is split at title separators (" | ", " - ", en and em dashes, " · ", " » ", " :: ");
every run of neighbouring parts is a reading ("Covid-19 - what we know so far | BBC News" gives
"Covid-19 - what we know so far", "BBC News", ...). A reading scores by how many kinds of
candidate agree with it; parts that name the site (og:site_name, the JSON-LD publisher, the
host name) or a section ("Opinion") count against it; then the more trusted kind of candidate
(og:title first, <h1> last: a lone <h1> is often the site's banner); then the longer reading.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from lxml import etree

from digest.gather.clean import SECTION_LABELS
from digest.gather.unicode import one_line

__all__ = ["page_headline"]

_SEPARATOR = re.compile(r"\s+(?:[|\u2013\u2014\u00b7\u2022\u00bb/-]|::)\s+")
_KINDS = ("og", "jsonld", "twitter", "title", "h1")  # most trusted first
_MAX_H1 = 5
_HOST_NOISE = frozenset({"www", "com", "org", "net", "co", "uk", "de", "news", "blog", "m"})
_WORD = re.compile(r"\w+")
_EDGE = " |\u2013\u2014\u00b7\u2022\u00bb/-:"
# Labels a title wears beside its headline besides the cleaner's section names.
_LABELS = SECTION_LABELS | {
    "editorial", "comment", "commentary", "column", "review", "letters", "obituary",
    "explainer", "live", "video", "podcast", "blog", "breaking", "exclusive",
}  # fmt: skip


def _key(text: str) -> str:
    return "".join(_WORD.findall(text.casefold()))


def _meta(tree: etree._Element, name: str) -> str | None:
    for value in tree.xpath(f'//meta[@property="{name}" or @name="{name}"]/@content'):
        if str(value).strip():
            return str(value)
    return None


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def _json_ld(tree: etree._Element) -> tuple[str | None, str | None]:
    """The first JSON-LD headline and publisher name."""
    headline = publisher = None
    for script in tree.xpath('//script[@type="application/ld+json"]/text()'):
        try:
            document = json.loads(str(script), strict=False)
        except ValueError:
            continue
        for node in _walk(document):
            if headline is None and isinstance(node.get("headline"), str):
                headline = node["headline"]
            owner = node.get("publisher")
            if publisher is None and isinstance(owner, dict) and isinstance(owner.get("name"), str):
                publisher = owner["name"]
    return headline, publisher


def _candidates(tree: etree._Element) -> list[tuple[int, str]]:
    headline, _ = _json_ld(tree)
    found = [
        (0, _meta(tree, "og:title")),
        (1, headline),
        (2, _meta(tree, "twitter:title")),
        (3, next((t.text_content() for t in tree.iter("title")), None)),
    ]
    found += [(4, h.text_content()) for h in list(tree.iter("h1"))[:_MAX_H1]]
    return [(kind, line) for kind, raw in found if raw and (line := one_line(raw))]


def _site_names(tree: etree._Element, url: str | None, sitename: str | None) -> set[str]:
    names = {_meta(tree, "og:site_name"), _meta(tree, "application-name"), sitename}
    names.add(_json_ld(tree)[1])
    # A "site name" of many words is a headline some metadata copied (trafilatura falls back
    # to the title): it would veto the headline itself.
    return {_key(name) for name in names if name and _key(name) and len(name.split()) <= 6}


def _host_labels(url: str | None) -> set[str]:
    host = urlsplit(url).hostname or "" if url else ""
    return {label for label in host.split(".") if len(label) >= 3 and label not in _HOST_NOISE}


def _is_site(part: str, sites: set[str], hosts: set[str]) -> bool:
    key = _key(part)
    if not key:
        return True
    if key in sites or key in _LABELS or part.strip().casefold() in _LABELS:
        return True
    if len(part.split()) > 4:
        return False
    # "BBC News" on bbc.co.uk, "Diario HOY" on hoy.com.py, "Kabar tentang ..." on kabarislamia
    first = _key(part.split()[0])
    return any(
        host in key or key in host or (len(first) >= 4 and host.startswith(first)) for host in hosts
    )


def _readings(text: str) -> Iterator[tuple[str, int]]:
    """Every run of neighbouring parts, with the parts it holds (text as written)."""
    cuts = list(_SEPARATOR.finditer(text))
    starts = [0] + [m.end() for m in cuts]
    ends = [m.start() for m in cuts] + [len(text)]
    for first in range(len(starts)):
        for last in range(first, len(ends)):
            yield text[starts[first] : ends[last]].strip(), last - first + 1


def page_headline(tree: etree._Element, *, url: str | None, sitename: str | None) -> str | None:
    """The headline the page's own candidates agree on, or None when it names none."""
    candidates = _candidates(tree)
    if not candidates:
        return None
    sites = _site_names(tree, url, sitename)
    hosts = _host_labels(url)
    support: dict[str, dict[int, float]] = {}
    readings: dict[str, tuple[str, int, int]] = {}  # key -> (text, junk parts, best kind)
    for kind, text in candidates:
        parts = len(_SEPARATOR.split(text))
        for reading, held in _readings(text):
            key = _key(reading)
            pieces = _SEPARATOR.split(reading)
            junk = sum(_is_site(piece, sites, hosts) for piece in pieces)
            if not key or junk == len(pieces):
                continue  # only the site's (or a section's) name: never a headline
            # A whole candidate, or one with only the site's name left out, agrees fully; a
            # mere stretch of one half as much (a kicker in <h1> must not outvote the rest).
            left_out = parts - held
            whole = left_out == 0 or left_out == _junk_outside(text, reading, sites, hosts)
            weight = 1.0 if whole else 0.5
            votes = support.setdefault(key, {})
            votes[kind] = max(votes.get(kind, 0.0), weight)
            known = readings.get(key)
            if known is None or kind < known[2]:
                readings[key] = (reading, junk, kind)
    if not readings:
        return None
    best = max(
        readings,
        key=lambda k: (
            sum(support[k].values()),
            -readings[k][1],
            -readings[k][2],
            len(readings[k][0]),
        ),
    )
    return readings[best][0]


def _junk_outside(text: str, reading: str, sites: set[str], hosts: set[str]) -> int:
    """How many of the parts a reading leaves out of its candidate name the site or a section."""
    start = text.find(reading)
    chunks = (text[:start], text[start + len(reading) :])
    pieces = [p.strip(_EDGE) for chunk in chunks for p in _SEPARATOR.split(chunk)]
    return sum(_is_site(piece, sites, hosts) for piece in pieces if _key(piece))
