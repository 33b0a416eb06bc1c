"""Render stage: templates, escaping, personalisation equal to a full render, golden files.

Regenerate the golden files after an intended template change with:
    DIGEST_REGEN_GOLDEN=1 .venv/bin/python -m pytest tests/render/test_edition.py
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import pytest

from digest.errors import ConfigError, RenderError
from digest.models import (
    Digest,
    Link,
    Newsletter,
    Section,
    Subscriber,
)
from digest.render import (
    RenderedEdition,
    RenderSettings,
    personalise,
    render_edition,
    render_for,
    render_settings_from_table,
)
from digest.render.settings import contrast_ratio
from tests.render.sample import SUBSCRIBERS, links_for, load_sample, visible_text

GOLDEN = Path(__file__).parents[1] / "golden"
NASTY = "Tom & Jerry <b>bold</b> <script>x</script>"


@pytest.fixture(scope="module")
def sample() -> tuple[Digest, Newsletter]:
    return load_sample()


@pytest.mark.parametrize("subscriber", SUBSCRIBERS, ids=lambda s: s.email)
def test_personalise_equals_full_render(
    sample: tuple[Digest, Newsletter], subscriber: Subscriber
) -> None:
    digest, newsletter = sample
    settings = RenderSettings()
    edition = render_edition(digest, newsletter, settings)
    links = links_for(subscriber)
    fast = personalise(edition, subscriber, links)
    full = render_for(digest, newsletter, settings, subscriber, links)
    assert fast.html == full.html
    assert fast.text == full.text
    assert fast.subject == full.subject == digest.subject
    assert "@@dg-" not in fast.html + fast.text
    assert "<!--dg-" not in fast.html + fast.text


def test_section_choice_keeps_only_chosen_sections(sample: tuple[Digest, Newsletter]) -> None:
    digest, newsletter = sample
    edition = render_edition(digest, newsletter, RenderSettings())
    subscriber = SUBSCRIBERS[2]
    email = personalise(edition, subscriber, links_for(subscriber))
    html_text = visible_text(email.html)
    for section in digest.sections:
        for story in section.stories:
            shown = section.name in ("World", "Sport")
            assert (story.headline in html_text) is shown, story.headline
            assert (story.headline in email.text) is shown, story.headline
    assert "3 stories" in html_text and "3 stories" in email.text
    assert "In this edition" not in html_text, "no table of contents for 3 stories"
    assert "IN THIS EDITION" not in email.text


def test_no_chosen_section_present_says_so(sample: tuple[Digest, Newsletter]) -> None:
    digest, newsletter = sample
    edition = render_edition(digest, newsletter, RenderSettings())
    email = personalise(edition, SUBSCRIBERS[4], links_for(SUBSCRIBERS[4]))
    assert "no stories in the sections you chose" in visible_text(email.html)
    assert "no stories in the sections you chose" in email.text
    assert "0 stories" in email.text
    assert digest.stories[0].headline not in email.text


def test_full_digest_has_every_part(sample: tuple[Digest, Newsletter]) -> None:
    digest, newsletter = sample
    subscriber = SUBSCRIBERS[0]
    links = links_for(subscriber)
    email = render_for(digest, newsletter, RenderSettings(), subscriber, links)
    seen = visible_text(email.html)
    assert digest.preheader in seen and "View in browser" in seen
    assert newsletter.title in seen and "Thursday 27 November 2025" in seen
    assert "6 stories · 1 min read" in seen
    assert "Hi Ann," in seen and digest.intro is not None and digest.intro in seen
    assert "In this edition" in seen, "table of contents with more than 4 stories"
    assert "Unsubscribe" in seen and "Manage preferences" in seen
    assert newsletter.address in seen and f"because {subscriber.email} subscribed" in seen
    for story in digest.stories:
        assert story.headline in seen and story.headline in email.text
        assert f'href="{story.url}"' in email.html and story.url in email.text
        for point in story.key_points:
            assert point in seen
            assert " ".join(point.split()) in " ".join(email.text.split())
    for link in digest.stories[0].also_in:
        assert link.url in email.html and link.url in email.text
    for url in (links.unsubscribe_url, links.preferences_url, links.browser_url):
        assert url in email.text
        assert f'href="{url.replace("&", "&amp;")}"' in email.html
    assert "Rosenberg: Trump-Putin Call Viewed as a Win in Russia" in seen


def test_html_properties(sample: tuple[Digest, Newsletter]) -> None:
    digest, newsletter = sample
    html = render_for(
        digest, newsletter, RenderSettings(), SUBSCRIBERS[0], links_for(SUBSCRIBERS[0])
    ).html
    assert re.search(r'<html lang="en" dir="ltr"', html)
    assert '<meta name="color-scheme" content="light dark"' in html
    assert "prefers-color-scheme: dark" in html
    assert "fonts.googleapis.com" not in html, "no web font import"
    tables = re.findall(r"<table\b[^>]*>", html)
    assert tables and all('role="presentation"' in t for t in tables)
    assert 'style="display:none' not in html, "preheader is visible, not a hidden preview"
    assert "max-width:600px" in html


def test_feed_text_is_escaped_in_html_and_text(sample: tuple[Digest, Newsletter]) -> None:
    digest, newsletter = sample
    first = digest.sections[0]
    story = replace(
        first.stories[0],
        headline=NASTY,
        key_points=(NASTY,),
        also_in=(Link(title=NASTY, url="javascript:alert(1)"),),
    )
    digest = replace(
        digest,
        intro=NASTY,
        sections=(replace(first, name=NASTY, stories=(story,)), *digest.sections[1:]),
    )
    subscriber = Subscriber(email="x@example.com", name=NASTY)
    email = render_for(digest, newsletter, RenderSettings(), subscriber, links_for(subscriber))
    assert "<script>" not in email.html and "<b>bold</b>" not in email.html
    assert "Tom &amp; Jerry &lt;b&gt;bold&lt;/b&gt; &lt;script&gt;x&lt;/script&gt;" in email.html
    assert visible_text(email.html).count(NASTY) >= 5, "headline, toc, point, intro, greeting"
    assert "javascript:" not in email.html and "javascript:" not in email.text
    assert f"\n{NASTY}\n" in email.text, "the text part shows the headline as typed"
    assert f"Hi {NASTY}," in email.text


def test_unsafe_story_url_renders_unlinked(sample: tuple[Digest, Newsletter]) -> None:
    digest, newsletter = sample
    first = digest.sections[0]
    story = replace(first.stories[0], url="javascript:alert(1)")
    digest = replace(digest, sections=(replace(first, stories=(story,)),))
    email = render_for(
        digest, newsletter, RenderSettings(), SUBSCRIBERS[0], links_for(SUBSCRIBERS[0])
    )
    assert story.headline in visible_text(email.html)
    assert "javascript" not in email.html and "Read more" not in email.html


def test_rtl_language_sets_direction(sample: tuple[Digest, Newsletter]) -> None:
    digest, newsletter = sample
    newsletter = replace(newsletter, language="ar")
    html = render_for(
        digest, newsletter, RenderSettings(), SUBSCRIBERS[0], links_for(SUBSCRIBERS[0])
    ).html
    assert '<html lang="ar" dir="rtl"' in html
    assert "text-align:right" in html


def test_settings_reach_the_html(sample: tuple[Digest, Newsletter]) -> None:
    digest, newsletter = sample
    settings = RenderSettings(
        brand_color="#7c2d12",
        logo_url="https://cdn.example.org/logo.png",
        font_family="Georgia, serif",
    )
    html = render_for(digest, newsletter, settings, SUBSCRIBERS[0], links_for(SUBSCRIBERS[0])).html
    assert "color:#7c2d12" in html and "#1d4ed8" not in html
    assert re.search(
        r'<img alt="The Morning Digest"[^>]*src="https://cdn.example.org/logo.png"', html
    )
    assert "font-family:Georgia, serif" in html


def test_override_folder_replaces_one_template(
    tmp_path: Path, sample: tuple[Digest, Newsletter]
) -> None:
    digest, newsletter = sample
    (tmp_path / "digest.txt.j2").write_text(
        "{{ personal.greeting }} OVERRIDDEN {{ newsletter.title }}\n"
        "{{ personal.unsubscribe_url }}\n"
    )
    settings = RenderSettings(templates_dir=tmp_path)
    subscriber = SUBSCRIBERS[1]
    edition = render_edition(digest, newsletter, settings)
    email = personalise(edition, subscriber, links_for(subscriber))
    assert email.text.startswith(f"Hi {subscriber.name}, OVERRIDDEN The Morning Digest\n")
    assert digest.stories[0].headline in visible_text(email.html), "HTML still bundled"


def test_broken_override_names_the_file_and_line(
    tmp_path: Path, sample: tuple[Digest, Newsletter]
) -> None:
    digest, newsletter = sample
    (tmp_path / "digest.txt.j2").write_text("line one\n{{ no_such_name.attr }}\n")
    with pytest.raises(RenderError, match=r"digest\.txt\.j2:2"):
        render_edition(digest, newsletter, RenderSettings(templates_dir=tmp_path))
    (tmp_path / "digest.txt.j2").write_text("{% for x in %}\n")
    with pytest.raises(RenderError, match=r"digest\.txt\.j2:1"):
        render_edition(digest, newsletter, RenderSettings(templates_dir=tmp_path))


def test_full_digest_stays_under_gmail_clip(sample: tuple[Digest, Newsletter]) -> None:
    digest, newsletter = sample
    long_point = "A key point of realistic length that says what happened and why it matters. " * 2
    stories = [
        replace(story, headline=f"{story.headline} ({n})", key_points=(long_point,) * 4)
        for n in range(newsletter.max_stories * 3)
        for story in digest.stories[:1]
    ]
    big = replace(digest, sections=(Section(name="World", stories=tuple(stories)),))
    html = render_for(
        big, newsletter, RenderSettings(), SUBSCRIBERS[1], links_for(SUBSCRIBERS[1])
    ).html
    assert len(html.encode()) < 102 * 1024, f"{len(html.encode())} bytes for 30 stories"


def test_contrast_of_template_colours() -> None:
    pairs = [
        ("#1f2937", "#ffffff"),
        ("#4b5563", "#ffffff"),
        ("#4b5563", "#f3f4f6"),
        ("#1d4ed8", "#ffffff"),
        ("#f3f4f6", "#1f2937"),
        ("#d1d5db", "#1f2937"),
        ("#93c5fd", "#1f2937"),
        ("#d1d5db", "#111827"),
        ("#1f2937", "#f3f4f6"),
    ]
    for foreground, background in pairs:
        assert contrast_ratio(foreground, background) >= 4.5, (foreground, background)
    template_colours = set()
    for path in (Path(__file__).parents[2] / "templates" / "email").rglob("*.j2"):
        template_colours |= set(re.findall(r"#[0-9a-f]{6}\b", path.read_text()))
    text_colours = {
        c
        for c in template_colours
        if c not in ("#ffffff", "#f3f4f6", "#111827", "#e5e7eb", "#1f2937")
    }
    assert text_colours <= {fg for fg, _ in pairs} | {"#111827"}, (
        "every text colour is checked above"
    )


def test_render_settings_from_table(tmp_path: Path) -> None:
    (tmp_path / "mine").mkdir()
    settings = render_settings_from_table(
        {
            "templates_dir": "mine",
            "brand_color": "#0F766E",
            "logo_url": "https://x.example/l.png",
            "font_family": "Georgia, serif",
        },
        base_dir=tmp_path,
    )
    assert settings == RenderSettings(
        templates_dir=(tmp_path / "mine").resolve(),
        brand_color="#0f766e",
        logo_url="https://x.example/l.png",
        font_family="Georgia, serif",
    )
    assert render_settings_from_table({}, base_dir=tmp_path) == RenderSettings()


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"colour": "#000000"}, r"render\.colour: unknown key"),
        ({"brand_color": 12}, r"render\.brand_color: must be a string"),
        ({"brand_color": "blue"}, r"render\.brand_color: must be a hex colour"),
        (
            {"brand_color": "#93c5fd"},
            r"render\.brand_color: #93c5fd on white has contrast 1\.\d\d:1",
        ),
        ({"templates_dir": "missing"}, r"render\.templates_dir: folder .*missing does not exist"),
        ({"logo_url": "ftp://x/l.png"}, r"render\.logo_url: must be an http\(s\) URL"),
        ({"font_family": "Arial; color:red"}, r"render\.font_family: must be a CSS font list"),
    ],
)
def test_render_settings_errors_name_the_key(
    tmp_path: Path, table: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        render_settings_from_table(table, base_dir=tmp_path)


def test_golden_files(sample: tuple[Digest, Newsletter]) -> None:
    digest, newsletter = sample
    subscriber = SUBSCRIBERS[0]
    email = render_for(digest, newsletter, RenderSettings(), subscriber, links_for(subscriber))
    produced = {"digest.html": email.html, "digest.txt": email.text}
    if os.environ.get("DIGEST_REGEN_GOLDEN") == "1":
        GOLDEN.mkdir(exist_ok=True)
        for name, content in produced.items():
            (GOLDEN / name).write_text(content, encoding="utf-8")
    for name, content in produced.items():
        expected = (GOLDEN / name).read_text(encoding="utf-8")
        assert content == expected, (
            f"{name} differs from tests/golden/{name}; if intended, regenerate with "
            "DIGEST_REGEN_GOLDEN=1 .venv/bin/python -m pytest tests/render/test_edition.py"
        )


def test_edition_survives_a_json_round_trip(sample: tuple[Digest, Newsletter]) -> None:
    """The pipeline stores the edition as JSON and personalises it later, maybe in another run."""
    digest, newsletter = sample
    edition = render_edition(digest, newsletter, RenderSettings())
    stored = json.loads(json.dumps(asdict(edition)))
    revived = RenderedEdition(
        **{k: tuple(v) if isinstance(v, list) else v for k, v in stored.items()}
    )
    assert revived == edition
    for subscriber in SUBSCRIBERS:
        links = links_for(subscriber)
        assert personalise(revived, subscriber, links) == personalise(edition, subscriber, links)
