"""Render an edition: Jinja2 -> MJML -> HTML once, then cheap per-subscriber personalising.

`render_edition` compiles the edition with personal tokens and block markers (see `markers`);
`personalise()` drops the blocks a subscriber does not get, substitutes the escaped values and
strips the markers; `render_for()` renders the same templates with the real values, and both
give the same bytes (tested). `personal_parts()` is `personalise()` before the join, for the
delivery stage's encoder, which encodes the edition's literals once for every subscriber.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape
from mjml import mjml2html

from digest.errors import RenderError
from digest.models import Digest, Newsletter, PersonalLinks, RenderedEmail, Subscriber
from digest.render.markers import Marks, Piece, pieces, segments, strip_markers
from digest.render.settings import RenderSettings
from digest.render.templates import HTML_TEMPLATE, TEXT_TEMPLATE, environment, render_template
from digest.render.tiers import TOC_MIN_STORIES, EditionView, chosen, edition_view
from digest.render.view import (
    PERSONAL_FIELDS,
    PersonalView,
    date_label,
    logo_view,
    palette,
    personal_view,
    text_direction,
)


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
    section_quick: tuple[int, ...] = ()  # quick hits per section (none in an older edition)


def _nonce(digest: Digest, newsletter: Newsletter, settings: RenderSettings) -> str:
    return hashlib.sha256(repr((digest, newsletter, settings)).encode()).hexdigest()[:12]


def _compile(
    digest: Digest,
    newsletter: Newsletter,
    settings: RenderSettings,
    edition: EditionView,
    personal: PersonalView,
    *,
    show_toc: bool,
    show_empty: bool,
    show_quick: bool,
    nonce: str,
) -> tuple[str, str]:
    """Render both templates and compile the MJML; markers and tokens stay in."""
    direction = text_direction(newsletter.language)
    context: dict[str, Any] = {
        "digest": digest,
        "newsletter": newsletter,
        "settings": settings,
        "palette": palette(settings),
        "logo": logo_view(settings, newsletter),
        "lang": newsletter.language,
        "dir": direction,
        "align": "right" if direction == "rtl" else "left",
        "list_padding": "0 20px 0 0" if direction == "rtl" else "0 0 0 20px",
        "date_label": date_label(digest.created),
        "lead": edition.lead,
        "lead_key": edition.lead_key,
        "sections": edition.sections,
        "show_toc": show_toc,
        "show_empty": show_empty,
        "show_quick": show_quick,
        "signup_url": f"{newsletter.base_url.rstrip('/')}/subscribe",
        "reply_to": newsletter.reply_to is not None,
        "personal": personal,
        "mark": Marks(nonce),
    }
    env = environment(settings.templates_dir, settings.theme)
    mjml_source = render_template(env, HTML_TEMPLATE, context)
    text = render_template(env, TEXT_TEMPLATE, context)
    try:
        html = mjml2html(mjml_source, fonts={})
    except Exception as exc:  # MRML raises plain exceptions with its parser message
        raise RenderError(f"{HTML_TEMPLATE}: MJML did not compile: {exc}") from exc
    return html, text


def render_edition(
    digest: Digest, newsletter: Newsletter, settings: RenderSettings
) -> RenderedEdition:
    """Compile the edition once (Jinja2 -> MJML -> HTML) with placeholders for personal parts."""
    nonce = _nonce(digest, newsletter, settings)
    edition = edition_view(digest, settings)
    tokens = PersonalView(**{f: Markup(f"@@dg-{nonce}:{f}@@") for f in PERSONAL_FIELDS})
    html, text = _compile(
        digest,
        newsletter,
        settings,
        edition,
        tokens,
        show_toc=edition.count >= TOC_MIN_STORIES,
        show_empty=True,
        show_quick=edition.quick_count > 0,
        nonce=nonce,
    )
    return RenderedEdition(
        edition_id=digest.edition_id,
        subject=digest.subject,
        html=html,
        text=text,
        nonce=nonce,
        section_keys=tuple(view.key for view in edition.sections),
        section_names=tuple(view.name for view in edition.sections),
        section_stories=tuple(view.count for view in edition.sections),
        section_words=tuple(view.words for view in edition.sections),
        section_quick=tuple(len(view.quick) for view in edition.sections),
    )


@dataclass(frozen=True)
class PersonalParts:
    """One subscriber's email as the pieces it is joined from: the edition's literals (shared
    by every subscriber) and the personal values, for encoders that reuse work on the former."""

    subject: str
    html: tuple[Piece, ...]
    text: tuple[Piece, ...]

    def email(self) -> RenderedEmail:
        return RenderedEmail(
            subject=self.subject,
            html="".join([text for text, _ in self.html]),
            text="".join([text for text, _ in self.text]),
        )


def personalise(
    edition: RenderedEdition, subscriber: Subscriber, links: PersonalLinks
) -> RenderedEmail:
    """Fill a compiled edition for one subscriber: same as `render_for`, far cheaper."""
    return personal_parts(edition, subscriber, links).email()


def personal_parts(
    edition: RenderedEdition, subscriber: Subscriber, links: PersonalLinks
) -> PersonalParts:
    """`personalise`, before joining: what each body is made of for this subscriber."""
    wanted = {name.casefold() for name in subscriber.sections}
    keep = [not wanted or name.casefold() in wanted for name in edition.section_names]
    count = sum(n for n, k in zip(edition.section_stories, keep, strict=True) if k)
    words = sum(n for n, k in zip(edition.section_words, keep, strict=True) if k)
    quick = sum(n for n, k in zip(edition.section_quick, keep, strict=False) if k)
    drop = [key for key, k in zip(edition.section_keys, keep, strict=True) if not k]
    if count < TOC_MIN_STORIES:
        drop.append("toc")
    if count > 0:
        drop.append("empty")
    if quick == 0:
        drop.append("quick")
    values = personal_view(subscriber, links, count, words, quick)
    html_values = {f: str(escape(getattr(values, f))) for f in PERSONAL_FIELDS}
    text_values = {f: str(getattr(values, f)) for f in PERSONAL_FIELDS}
    dropped = set(drop)
    return PersonalParts(
        subject=edition.subject,
        html=tuple(pieces(segments(edition.html, edition.nonce), dropped, html_values)),
        text=tuple(pieces(segments(edition.text, edition.nonce), dropped, text_values)),
    )


def render_for(
    digest: Digest,
    newsletter: Newsletter,
    settings: RenderSettings,
    subscriber: Subscriber,
    links: PersonalLinks,
) -> RenderedEmail:
    """Render the whole email for one subscriber from scratch: the reference `personalise` meets."""
    nonce = _nonce(digest, newsletter, settings)
    edition = chosen(edition_view(digest, settings), subscriber)
    html, text = _compile(
        digest,
        newsletter,
        settings,
        edition,
        personal_view(subscriber, links, edition.count, edition.words, edition.quick_count),
        show_toc=edition.count >= TOC_MIN_STORIES,
        show_empty=edition.count == 0,
        show_quick=edition.quick_count > 0,
        nonce=nonce,
    )
    return RenderedEmail(
        subject=digest.subject,
        html=strip_markers(html, nonce),
        text=strip_markers(text, nonce),
    )
