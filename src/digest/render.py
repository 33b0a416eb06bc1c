"""Render stage: Jinja2 -> MJML -> HTML once per edition, then cheap per-subscriber personalising.

The edition is compiled with placeholders: personal values become tokens (`@@dg-<nonce>:name@@`)
and every block that depends on the subscriber (each section, the table of contents, the "nothing
for you today" notice) sits between marker comments. `personalise()` drops the blocks a subscriber
does not get, substitutes the escaped values and strips the markers; `render_for()` renders the
same templates with the real values, and both give the same bytes (tested). The nonce is a hash
of the inputs, so feed text cannot contain a marker or token (it would have to hold its own hash).

Templates: `digest.mjml.j2` (autoescaped) and `digest.txt.j2` with their `partials/`, looked up
first in `RenderSettings.templates_dir`, then in the bundled folder.
"""

from __future__ import annotations

import hashlib
import re
import textwrap
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape
from mjml import mjml2html

from digest.errors import RenderError
from digest.models import Digest, Newsletter, PersonalLinks, RenderedEmail, Subscriber
from digest.render_settings import RenderSettings, render_settings_from_table
from digest.render_view import (
    PERSONAL_FIELDS,
    TOC_MIN_STORIES,
    PersonalView,
    SectionView,
    chosen,
    date_label,
    personal_view,
    section_views,
    text_direction,
)

__all__ = [
    "RenderSettings",
    "RenderedEdition",
    "bundled_templates_dir",
    "personalise",
    "render_edition",
    "render_for",
    "render_settings_from_table",
]

HTML_TEMPLATE = "digest.mjml.j2"
TEXT_TEMPLATE = "digest.txt.j2"
TEXT_WIDTH = 72

# ("text", literal) | ("token", field name) | ("begin", block key) | ("end", block key)
Segment = tuple[str, str]


@dataclass(frozen=True)
class RenderedEdition:
    """One edition compiled once; `html`/`text` still hold tokens and block markers."""

    edition_id: str
    subject: str
    html: str
    text: str
    nonce: str
    section_keys: tuple[str, ...]
    section_names: tuple[str, ...]
    section_stories: tuple[int, ...]
    section_words: tuple[int, ...]


def bundled_templates_dir() -> Path:
    """The shipped templates: package data when installed, else <repo>/templates/email."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "templates" / "email", here.parents[1] / "templates" / "email"):
        if (candidate / HTML_TEMPLATE).is_file():
            return candidate
    raise RenderError(
        f"bundled templates not found next to {here}",
        hint="reinstall digest, or set [render] templates_dir to a folder with the templates",
    )


class _Marks:
    """Marker comments that delimit personal blocks; valid in HTML and inert in MJML."""

    def __init__(self, nonce: str) -> None:
        self.nonce = nonce

    def begin(self, key: str) -> Markup:
        return Markup(f"<!--dg-{self.nonce}:begin:{key}-->")

    def end(self, key: str) -> Markup:
        return Markup(f"<!--dg-{self.nonce}:end:{key}-->")


def _nl2br(value: str) -> Markup:
    return Markup("<br>").join(escape(line) for line in value.splitlines())


def _wrap(value: str, indent: str = "", first: str | None = None) -> str:
    return textwrap.fill(
        " ".join(value.split()),
        width=TEXT_WIDTH,
        initial_indent=indent if first is None else first,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )


@lru_cache(maxsize=16)
def _environment(templates_dir: Path | None) -> jinja2.Environment:
    folders = [str(bundled_templates_dir())]
    if templates_dir is not None:
        folders.insert(0, str(templates_dir))
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(folders),
        autoescape=jinja2.select_autoescape(enabled_extensions=("mjml.j2",), default=False),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["nl2br"] = _nl2br
    env.filters["wrap"] = _wrap
    return env


def _nonce(digest: Digest, newsletter: Newsletter, settings: RenderSettings) -> str:
    return hashlib.sha256(repr((digest, newsletter, settings)).encode()).hexdigest()[:12]


def _template(env: jinja2.Environment, name: str) -> jinja2.Template:
    try:
        return env.get_template(name)
    except jinja2.TemplateSyntaxError as exc:
        raise RenderError(f"{exc.filename or exc.name}:{exc.lineno}: {exc.message}") from exc
    except jinja2.TemplateNotFound as exc:
        raise RenderError(f"template {exc.name} not found in {env.loader}") from exc


def _render_template(env: jinja2.Environment, name: str, context: dict[str, Any]) -> str:
    template = _template(env, name)
    try:
        return template.render(context)
    except jinja2.TemplateError as exc:
        raise RenderError(f"{_template_location(exc, template)}: {exc}") from exc


def _template_location(exc: BaseException, template: jinja2.Template) -> str:
    """'file.j2:line' of the innermost template frame in the traceback (Jinja rewrites it so)."""
    where = str(template.filename)
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith(".j2"):
            where = f"{tb.tb_frame.f_code.co_filename}:{tb.tb_lineno}"
        tb = tb.tb_next
    return where


def _compile(
    digest: Digest,
    newsletter: Newsletter,
    settings: RenderSettings,
    sections: tuple[SectionView, ...],
    personal: PersonalView,
    *,
    show_toc: bool,
    show_empty: bool,
    nonce: str,
) -> tuple[str, str]:
    """Render both templates and compile the MJML; markers and tokens stay in."""
    direction = text_direction(newsletter.language)
    context: dict[str, Any] = {
        "digest": digest,
        "newsletter": newsletter,
        "settings": settings,
        "lang": newsletter.language,
        "dir": direction,
        "align": "right" if direction == "rtl" else "left",
        "list_padding": "0 20px 0 0" if direction == "rtl" else "0 0 0 20px",
        "date_label": date_label(digest.created),
        "sections": sections,
        "show_toc": show_toc,
        "show_empty": show_empty,
        "personal": personal,
        "mark": _Marks(nonce),
    }
    env = _environment(settings.templates_dir)
    mjml_source = _render_template(env, HTML_TEMPLATE, context)
    text = _render_template(env, TEXT_TEMPLATE, context)
    try:
        html = mjml2html(mjml_source, fonts={})
    except Exception as exc:  # MRML raises plain exceptions with its parser message
        raise RenderError(f"{HTML_TEMPLATE}: MJML did not compile: {exc}") from exc
    return html, text


@lru_cache(maxsize=64)
def _marker_pattern(nonce: str) -> re.Pattern[str]:
    return re.compile(rf"<!--dg-{nonce}:(?:begin|end):[\w-]+-->\n?")


@lru_cache(maxsize=64)
def _segment_pattern(nonce: str) -> re.Pattern[str]:
    return re.compile(rf"<!--dg-{nonce}:(begin|end):([\w-]+)-->\n?|@@dg-{nonce}:(\w+)@@")


@lru_cache(maxsize=8)
def _segments(content: str, nonce: str) -> tuple[Segment, ...]:
    """Split compiled output into literals, tokens and block markers, once per edition.

    Cached on the content: a str caches its hash, so later subscribers of the same edition
    (even one revived from storage) pay a dict lookup, and RenderedEdition stays plain data.
    """
    segments: list[Segment] = []
    position = 0
    for found in _segment_pattern(nonce).finditer(content):
        if found.start() > position:
            segments.append(("text", content[position : found.start()]))
        if found[3]:
            segments.append(("token", found[3]))
        else:
            segments.append((found[1], found[2]))
        position = found.end()
    segments.append(("text", content[position:]))
    return tuple(segments)


def _assemble(segments: tuple[Segment, ...], drop: set[str], values: dict[str, str]) -> str:
    """Join the segments, skipping dropped blocks (up to their first matching end marker)."""
    parts: list[str] = []
    skipping: str | None = None
    for kind, value in segments:
        if skipping is not None:
            if kind == "end" and value == skipping:
                skipping = None
        elif kind == "text":
            parts.append(value)
        elif kind == "token":
            parts.append(values[value])
        elif kind == "begin" and value in drop:
            skipping = value
    return "".join(parts)


def _strip_markers(content: str, nonce: str) -> str:
    return _marker_pattern(nonce).sub("", content)


def render_edition(
    digest: Digest, newsletter: Newsletter, settings: RenderSettings
) -> RenderedEdition:
    """Compile the edition once (Jinja2 -> MJML -> HTML) with placeholders for personal parts."""
    nonce = _nonce(digest, newsletter, settings)
    sections = section_views(digest)
    tokens = PersonalView(**{f: Markup(f"@@dg-{nonce}:{f}@@") for f in PERSONAL_FIELDS})
    total = sum(len(view.stories) for view in sections)
    html, text = _compile(
        digest,
        newsletter,
        settings,
        sections,
        tokens,
        show_toc=total >= TOC_MIN_STORIES,
        show_empty=True,
        nonce=nonce,
    )
    return RenderedEdition(
        edition_id=digest.edition_id,
        subject=digest.subject,
        html=html,
        text=text,
        nonce=nonce,
        section_keys=tuple(view.key for view in sections),
        section_names=tuple(view.name for view in sections),
        section_stories=tuple(len(view.stories) for view in sections),
        section_words=tuple(view.words for view in sections),
    )


def personalise(
    edition: RenderedEdition, subscriber: Subscriber, links: PersonalLinks
) -> RenderedEmail:
    """Fill a compiled edition for one subscriber: same as `render_for`, far cheaper."""
    wanted = {name.casefold() for name in subscriber.sections}
    keep = [not wanted or name.casefold() in wanted for name in edition.section_names]
    count = sum(n for n, k in zip(edition.section_stories, keep, strict=True) if k)
    words = sum(n for n, k in zip(edition.section_words, keep, strict=True) if k)
    drop = [key for key, k in zip(edition.section_keys, keep, strict=True) if not k]
    if count < TOC_MIN_STORIES:
        drop.append("toc")
    if count > 0:
        drop.append("empty")
    values = personal_view(subscriber, links, count, words)
    html_values = {f: str(escape(getattr(values, f))) for f in PERSONAL_FIELDS}
    text_values = {f: str(getattr(values, f)) for f in PERSONAL_FIELDS}
    html = _assemble(_segments(edition.html, edition.nonce), set(drop), html_values)
    text = _assemble(_segments(edition.text, edition.nonce), set(drop), text_values)
    return RenderedEmail(subject=edition.subject, html=html, text=text)


def render_for(
    digest: Digest,
    newsletter: Newsletter,
    settings: RenderSettings,
    subscriber: Subscriber,
    links: PersonalLinks,
) -> RenderedEmail:
    """Render the whole email for one subscriber from scratch: the reference `personalise` meets."""
    nonce = _nonce(digest, newsletter, settings)
    sections = chosen(section_views(digest), subscriber)
    count = sum(len(view.stories) for view in sections)
    words = sum(view.words for view in sections)
    html, text = _compile(
        digest,
        newsletter,
        settings,
        sections,
        personal_view(subscriber, links, count, words),
        show_toc=count >= TOC_MIN_STORIES,
        show_empty=count == 0,
        nonce=nonce,
    )
    return RenderedEmail(
        subject=digest.subject,
        html=_strip_markers(html, nonce),
        text=_strip_markers(text, nonce),
    )
