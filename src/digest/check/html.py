"""Read what the quality gate needs out of an email's HTML: links, images, ids, CSS, visible text.

Uses the stdlib HTMLParser, which treats Outlook's conditional comments as comments, so markup
aimed only at Outlook (`<!--[if mso]>`) is not inspected.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

_INVISIBLE = frozenset({"head", "style", "script", "title", "template"})
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)


@dataclass
class Anchor:
    href: str
    text: str = ""


@dataclass
class HtmlFacts:
    """Everything the checks look at, gathered in one parse."""

    anchors: list[Anchor] = field(default_factory=list)
    images: list[dict[str, str | None]] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    styles: list[str] = field(default_factory=list)
    stylesheets: list[str] = field(default_factory=list)
    text_parts: list[str] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)
    html_lang: str | None = None

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.text_parts).split())


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.facts = HtmlFacts()
        self._stack: list[str] = []
        self._anchor: Anchor | None = None
        self._address: list[str] | None = None

    def _hidden(self) -> bool:
        return any(tag in _INVISIBLE for tag in self._stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "html":
            self.facts.html_lang = values.get("lang")
        if values.get("id"):
            self.facts.ids.add(str(values["id"]))
        if values.get("style"):
            self.facts.styles.append(str(values["style"]))
        if tag == "img":
            self.facts.images.append(values)
        elif tag == "a" and values.get("href") is not None:
            self._anchor = Anchor(href=str(values["href"]).strip())
            self.facts.anchors.append(self._anchor)
        elif tag == "address":
            self._address = []
        if tag not in _VOID:
            self._stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID and self._stack and self._stack[-1] == tag:
            self._stack.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._anchor = None
        elif tag == "address" and self._address is not None:
            self.facts.addresses.append(" ".join(" ".join(self._address).split()))
            self._address = None
        if tag in self._stack:
            while self._stack and self._stack.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if self._stack and self._stack[-1] == "style":
            self.facts.stylesheets.append(data)
            return
        if self._hidden():
            return
        self.facts.text_parts.append(data)
        if self._anchor is not None:
            self._anchor.text += data
        if self._address is not None:
            self._address.append(data)


def html_facts(html: str) -> HtmlFacts:
    """Parse an email's HTML once and return what the checks need."""
    collector = _Collector()
    collector.feed(html)
    collector.close()
    return collector.facts
