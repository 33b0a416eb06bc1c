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

import pytest
from markupsafe import escape

from digest.errors import RenderError
from digest.gather.feeds import parse_feed
from digest.models import (
    Digest,
    Link,
    Newsletter,
    Section,
    SourceConfig,
    Story,
    Subscriber,
)
from digest.render import (
    RenderedEdition,
    RenderSettings,
    personalise,
    render_edition,
    render_for,
)
from digest.render.settings import contrast_ratio
from digest.render.view import palette
from tests.render.sample import (
    LONG_POINT,
    SUBSCRIBERS,
    links_for,
    load_sample,
    sized_digest,
    visible_text,
)

GOLDEN = Path(__file__).parents[1] / "golden"
NASTY = "Tom & Jerry <b>bold</b> <script>x</script>"


@pytest.fixture(scope="module")
def sample() -> tuple[Digest, Newsletter]:
    return load_sample()


@pytest.mark.parametrize("theme", ["default", "compact"])
@pytest.mark.parametrize("subscriber", SUBSCRIBERS, ids=lambda s: s.email)
def test_personalise_equals_full_render(
    sample: tuple[Digest, Newsletter], subscriber: Subscriber, theme: str
) -> None:
    """Byte-identical for every subscriber (the lead's section chosen or not) and theme."""
    digest, newsletter = sample
    settings = RenderSettings(theme=theme)
    edition = render_edition(digest, newsletter, settings)
    links = links_for(subscriber)
    fast = personalise(edition, subscriber, links)
    full = render_for(digest, newsletter, settings, subscriber, links)
    assert fast.html == full.html
    assert fast.text == full.text
    assert fast.subject == full.subject == digest.subject
    assert "@@dg-" not in fast.html + fast.text
    assert "<!--dg-" not in fast.html + fast.text


@pytest.mark.parametrize("top_stories", [0, 2, 5])
@pytest.mark.parametrize("subscriber", SUBSCRIBERS, ids=lambda s: s.email)
def test_personalise_equals_full_render_with_quick_hits(
    subscriber: Subscriber, top_stories: int
) -> None:
    """With quick hits from several sections: a subscriber's own quick hits, their count in
    the contents, and no "Quick hits" heading when none of their sections has one."""
    digest, newsletter = sized_digest(14)
    newsletter = replace(newsletter, reply_to="desk@digest.example.org")
    settings = RenderSettings(top_stories=top_stories)
    links = links_for(subscriber)
    fast = personalise(render_edition(digest, newsletter, settings), subscriber, links)
    full = render_for(digest, newsletter, settings, subscriber, links)
    assert fast == full
    seen = visible_text(full.html)
    chosen = [
        story
        for story in digest.stories
        if not subscriber.sections
        or story.section.casefold() in {name.casefold() for name in subscriber.sections}
    ]
    assert all(story.headline in seen for story in chosen)
    assert ("Reply to this email" in seen) and ("Reply to this email" in full.text)


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
    assert newsletter.title in seen and "Thursday 27 November 2025" in seen
    assert "6 stories · 1 min read" in seen
    assert "Hi Ann," in seen and digest.intro is not None and digest.intro in seen
    assert "In this edition" in seen, "table of contents with more than 4 stories"
    assert "Unsubscribe" in seen and "Manage preferences" in seen and "View in browser" in seen
    assert newsletter.address in seen and f"because {subscriber.email} subscribed" in seen
    for story in digest.stories:
        assert story.headline in seen and story.headline in email.text
        assert f'href="{story.url}"' in email.html and story.url in email.text
        assert f"{story.source} · {-(-story.word_count // 200)} min read" in seen
        for point in story.key_points:
            assert point in seen
            assert " ".join(point.split()) in " ".join(email.text.split())
    for link in digest.stories[0].also_in:
        assert link.url in email.html and link.url in email.text
    for url in (links.unsubscribe_url, links.preferences_url, links.browser_url):
        assert url in email.text
        assert f'href="{url.replace("&", "&amp;")}"' in email.html
    for story in digest.stories:  # one visible link style on every story
        assert re.search(
            rf'<a href="{re.escape(story.url)}" class="dg-link"[^>]*>Read more at {story.source}',
            email.html,
        )
    assert "Forwarded this? Subscribe at digest.example.org/subscribe" in seen
    assert "https://digest.example.org/subscribe" in email.text
    assert "Reply to this email" not in seen, "no Reply-To configured"
    assert len(re.findall(r"<h1\b", email.html)) == 1


def test_lead_story_comes_first_with_a_standfirst(sample: tuple[Digest, Newsletter]) -> None:
    """The top-ranked story (Digest.lead, set by compose) leads, wherever its section is."""
    digest, newsletter = sample
    lead = digest.stories[3]
    subscriber = SUBSCRIBERS[0]
    email = render_for(
        replace(digest, lead=3), newsletter, RenderSettings(), subscriber, links_for(subscriber)
    )
    seen = visible_text(email.html)
    top = seen.index("Top story")
    assert seen.index(lead.headline, top) < seen.index("World", top), "before every section"
    assert seen.count(lead.headline) == 1, "as the lead, not again"
    assert seen.index("In this edition") < seen.index("Central bank holds") < top
    assert seen.index(lead.key_points[0]) > seen.index(lead.headline, top)
    assert re.search(rf"<h2[^>]*><a href=\"{re.escape(lead.url)}\"", email.html)
    text = email.text
    assert text.index("TOP STORY") < text.index(lead.headline, text.index("TOP STORY"))
    assert text.index("TOP STORY") < text.index("\nWORLD\n")


def test_lead_leaves_with_its_section(sample: tuple[Digest, Newsletter]) -> None:
    digest, newsletter = sample
    subscriber = SUBSCRIBERS[3]  # Business only; the lead is in World
    email = render_for(digest, newsletter, RenderSettings(), subscriber, links_for(subscriber))
    assert "Top story" not in visible_text(email.html) and "TOP STORY" not in email.text
    assert digest.stories[0].headline not in email.text


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
    assert "max-width:600px" in html
    hidden = re.findall(r'<div style="display:none;[^"]*"[^>]*>([^<]*)</div>', html)
    assert len(hidden) == 1 and hidden[0].startswith(digest.preheader), "a hidden preheader"
    assert "color:#ffffff;line-height:1px" not in html, "not mj-preview's low-contrast div"
    assert 'href="#' not in html and " id=" not in html, "no local anchors"


def test_also_in_names_at_most_two_outlets() -> None:
    digest, newsletter = sized_digest(9, outlets=40)
    subscriber = SUBSCRIBERS[0]
    email = render_for(digest, newsletter, RenderSettings(), subscriber, links_for(subscriber))
    shown = [f"https://outlet{k}.example.net/story/{k}" for k in (1, 2)]
    assert all(url in email.html and url in email.text for url in shown)
    assert "outlet3.example.net" not in email.html + email.text
    assert "and 38 more" in visible_text(email.html) and "and 38 more" in email.text
    settings = RenderSettings(max_also_in=1)
    fewer = render_for(digest, newsletter, settings, subscriber, links_for(subscriber))
    assert "outlet2.example.net" not in fewer.html and "and 39 more" in fewer.text


def test_overlong_feed_text_is_cut_at_a_word(sample: tuple[Digest, Newsletter]) -> None:
    """One 1 MB feed title once made a 989 KB email that the size gate stopped."""
    digest, newsletter = sample
    first = digest.sections[0]
    huge = "Headline words " * 70_000
    point = "A key point that goes on and on " * 200
    story = replace(first.stories[0], headline=huge, key_points=(point,))
    digest = replace(digest, sections=(replace(first, stories=(story,)), *digest.sections[1:]))
    email = render_for(
        digest, newsletter, RenderSettings(), SUBSCRIBERS[0], links_for(SUBSCRIBERS[0])
    )
    assert len(email.html.encode()) < 40 * 1024
    seen = visible_text(email.html)
    cut_headline = re.search(r"(Headline words[^…]*)…", seen)
    assert cut_headline and len(cut_headline[1]) + 1 <= 200
    assert cut_headline[1].endswith("words"), "cut after a whole word"
    cut_point = re.search(r"(A key point[^…]*)…", seen)
    assert cut_point and len(cut_point[1]) + 1 <= 400
    assert point.startswith(cut_point[1] + " "), "cut after a whole word"


def test_greeting_uses_the_first_name(sample: tuple[Digest, Newsletter]) -> None:
    digest, newsletter = sample
    subscriber = Subscriber(email="ada@example.com", name="Ada Lovelace")
    email = render_for(digest, newsletter, RenderSettings(), subscriber, links_for(subscriber))
    assert "Hi Ada," in visible_text(email.html) and "\nHi Ada,\n" in email.text
    assert "Lovelace" not in email.text
    nameless = Subscriber(email="x@example.com")
    email = render_for(digest, newsletter, RenderSettings(), nameless, links_for(nameless))
    assert "\nHello,\n" in email.text


def test_text_part_reads_in_a_terminal() -> None:
    """Title, contents, every story with its points and URL, footer; at most 72 columns except
    a line that is one URL (never broken)."""
    digest, newsletter = sized_digest(9, outlets=40)
    email = render_for(
        digest, newsletter, RenderSettings(), SUBSCRIBERS[0], links_for(SUBSCRIBERS[0])
    )
    lines = email.text.splitlines()
    assert lines[0] == newsletter.title.upper() and lines[1] == "Thursday 27 November 2025"
    for line in lines:
        assert len(line) <= 72 or re.fullmatch(r"\s*https?://\S+", line), line
    assert "IN THIS EDITION" in email.text
    for story in digest.stories:
        assert story.url in email.text
        for point in story.key_points:
            assert " ".join(point.split()) in " ".join(email.text.split())
    assert email.text.rstrip().endswith(newsletter.address)
    assert "Unsubscribe:" in email.text and "View in browser:" in email.text
    assert digest.preheader[:30] not in email.text, "no preheader fragment"


def test_compact_theme_gives_headlines_and_one_line(sample: tuple[Digest, Newsletter]) -> None:
    digest, newsletter = sample
    subscriber = SUBSCRIBERS[0]
    links = links_for(subscriber)
    compact = render_for(digest, newsletter, RenderSettings(theme="compact"), subscriber, links)
    default = render_for(digest, newsletter, RenderSettings(), subscriber, links)
    seen = visible_text(compact.html)
    assert "In this edition" not in seen and "IN THIS EDITION" not in compact.text
    quick = digest.sections[1].stories[1]  # Business's second: after four top stories
    for story in digest.stories:
        assert story.headline in seen and f'href="{story.url}"' in compact.html
        shown = () if story is quick else story.key_points[:1]
        assert all((point in seen) == (point in shown) for point in story.key_points)
    assert seen.index("Quick hits") < seen.index(quick.headline)
    assert len(compact.html) < len(default.html)
    assert "Unsubscribe" in seen and newsletter.address in seen


def test_own_templates_override_the_theme_by_name(
    tmp_path: Path, sample: tuple[Digest, Newsletter]
) -> None:
    digest, newsletter = sample
    (tmp_path / "partials").mkdir()
    (tmp_path / "partials" / "story.txt.j2").write_text("MINE {{ story.headline }}\n")
    settings = RenderSettings(theme="compact", templates_dir=tmp_path)
    email = render_for(digest, newsletter, settings, SUBSCRIBERS[0], links_for(SUBSCRIBERS[0]))
    assert f"MINE {digest.stories[1].headline}" in email.text
    assert "In this edition" not in visible_text(email.html), "the rest still compact"


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
        sections=(
            replace(first, name=NASTY, stories=(story, first.stories[1])),
            *digest.sections[1:],
        ),
    )
    subscriber = Subscriber(email="x@example.com", name=NASTY)
    email = render_for(digest, newsletter, RenderSettings(), subscriber, links_for(subscriber))
    assert "<script>" not in email.html and "<b>bold</b>" not in email.html
    assert "Tom &amp; Jerry &lt;b&gt;bold&lt;/b&gt; &lt;script&gt;x&lt;/script&gt;" in email.html
    assert visible_text(email.html).count(NASTY) >= 4, "headline, standfirst, intro, section"
    assert 'alt="Tom &amp; Jerry &lt;b&gt;bold&lt;/b&gt;' in email.html, "the image's text"
    assert "javascript:" not in email.html and "javascript:" not in email.text
    assert f"\n{NASTY}\n" in email.text, "the text part shows the headline as typed"
    assert "Hi Tom," in email.text, "the first name, as typed"


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
    (logo,) = re.findall(r"<img [^>]*logo.png[^>]*>", html)
    assert 'src="https://cdn.example.org/logo.png"' in logo and 'alt="The Morning Digest"' in logo
    assert 'width="160"' in logo and "height=" not in logo
    assert "font-family:Georgia, serif" in html
    sized = replace(settings, logo_width=240, logo_height=60, logo_alt="Morning & Co")
    html = render_for(digest, newsletter, sized, SUBSCRIBERS[0], links_for(SUBSCRIBERS[0])).html
    (logo,) = re.findall(r"<img [^>]*logo.png[^>]*>", html)
    assert 'width="240" height="60"' in logo
    for theme in ("default", "compact"):  # the logo is the one h1: screen readers keep it
        themed = replace(sized, theme=theme)
        html = render_for(
            digest, newsletter, themed, SUBSCRIBERS[0], links_for(SUBSCRIBERS[0])
        ).html
        (heading,) = re.findall(r"<h1\b[^>]*>.*?</h1>", html, re.S)
        assert (
            re.search(
                r'<img src="https://cdn.example.org/logo.png" alt="Morning &amp; Co"', heading
            )
            and 'alt="Morning &amp; Co"' in logo
        )


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
    assert email.text.startswith("Hi Tom, OVERRIDDEN The Morning Digest\n")
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


@pytest.mark.parametrize("theme", ["default", "compact"])
def test_thirty_stories_stay_under_gmail_clip(theme: str) -> None:
    """3 x max_stories, long points, the lead covered by 40 outlets, long headlines."""
    digest, newsletter = sized_digest(30, outlets=40)
    long = " ".join(["A headline of realistic length about what happened"] * 2)
    sections = tuple(
        replace(
            section,
            stories=tuple(replace(s, key_points=(*s.key_points, LONG_POINT), headline=f"{long} {n}")
                          for n, s in enumerate(section.stories)),
        )
        for section in digest.sections
    )  # fmt: skip
    digest = replace(digest, sections=sections)
    settings = RenderSettings(theme=theme)
    html = render_for(digest, newsletter, settings, SUBSCRIBERS[1], links_for(SUBSCRIBERS[1])).html
    assert len(html.encode()) < 102 * 1024, f"{len(html.encode())} bytes for 30 stories"


# Every colour the templates print text in, with the backgrounds it stands on (light, then dark
# mode). The dark-mode link colour is computed from the brand colour (view.palette).
TEXT_ON_BACKGROUND = [
    ("#111827", "#ffffff"),
    ("#1f2937", "#ffffff"),
    ("#4b5563", "#ffffff"),
    ("#4b5563", "#f3f4f6"),
    ("#1f2937", "#f3f4f6"),
    ("#1f2937", "#e5e7eb"),  # a picture's text in its box while it does not load
    ("#1d4ed8", "#ffffff"),
    ("#1d4ed8", "#f3f4f6"),
    ("#ffffff", "#1d4ed8"),
    ("#f3f4f6", "#1f2937"),
    ("#f3f4f6", "#111827"),
    ("#d1d5db", "#1f2937"),
    ("#d1d5db", "#111827"),
]
BACKGROUNDS = {"#ffffff", "#f3f4f6", "#111827", "#1f2937"}
BORDERS = {"#e5e7eb", "#d1d5db", "#4b5563"}


def test_contrast_of_template_colours() -> None:
    for foreground, background in TEXT_ON_BACKGROUND:
        assert contrast_ratio(foreground, background) >= 4.5, (foreground, background)
    template_colours = set()
    for path in (Path(__file__).parents[2] / "templates" / "email").rglob("*.j2"):
        template_colours |= set(re.findall(r"#[0-9a-f]{6}\b", path.read_text()))
    text_colours = {fg for fg, _ in TEXT_ON_BACKGROUND}
    assert template_colours <= text_colours | BACKGROUNDS | BORDERS, "every colour is checked"
    for brand in ("#1d4ed8", "#7c2d12", "#0f766e", "#000000"):
        dark = palette(RenderSettings(brand_color=brand)).brand_dark
        assert contrast_ratio(dark, "#1f2937") >= 4.5 and contrast_ratio(dark, "#111827") >= 4.5


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


FEEDS = Path(__file__).parents[1] / "data" / "gather" / "feeds" / "real"


@pytest.mark.parametrize(
    ("name", "url"),
    [
        ("7be307059415227d.xml", "https://feeds.npr.org/1001/rss.xml"),  # NPR: media:content
        ("e8fa5b64a4b41322.xml", "https://en.mercopress.com/rss"),  # MercoPress: enclosure
    ],
)
def test_a_feed_items_picture_leads_with_its_text_and_box(name: str, url: str) -> None:
    """A real feed's first item, gathered as the pipeline does, becomes the lead with its
    picture: an https source, the 552x311 box, the headline as its text."""
    source = SourceConfig(name="Feed", url=url, kind="feed")
    article = parse_feed(
        (FEEDS / name).read_bytes(), url=url, content_type="application/rss+xml", source=source
    )[0]
    assert article.image_url and article.image_url.startswith("https://")
    story = Story(
        headline=article.title,
        url=article.url,
        source=article.source,
        key_points=(article.text[:200],),
        section="World",
        image_url=article.image_url,
    )
    digest, newsletter = load_sample()
    digest = replace(digest, sections=(Section(name="World", stories=(story,)),), lead=0)
    subscriber = SUBSCRIBERS[0]
    email = render_for(digest, newsletter, RenderSettings(), subscriber, links_for(subscriber))
    (picture,) = re.findall(r'<img class="dg-img"[^>]*>', email.html)
    assert f'src="{escape(article.image_url)}"' in picture
    assert f'alt="{escape(article.title)}"' in picture
    assert 'width="552" height="311"' in picture
    plain = replace(story, image_url=article.image_url.replace("https://", "http://", 1))
    digest = replace(digest, sections=(Section(name="World", stories=(plain,)),))
    email = render_for(digest, newsletter, RenderSettings(), subscriber, links_for(subscriber))
    assert "<img" not in email.html, "no picture from a plain-http URL"


def test_text_part_follows_the_tiers() -> None:
    digest, newsletter = sized_digest(14)
    subscriber = SUBSCRIBERS[0]
    settings = RenderSettings(top_stories=4)
    text = render_for(digest, newsletter, settings, subscriber, links_for(subscriber)).text
    order = ["IN THIS EDITION", "TOP STORY", "\nWORLD\n", "QUICK HITS", "Forwarded this?"]
    places = [text.index(mark) for mark in order]
    assert places == sorted(places)
    contents = text[places[0] : places[1]]
    assert contents.count("\n - ") == 1 + 4 and "and 9 more in Quick hits" in contents
    quick = text[places[3] : places[4]]
    assert quick.count("\n- ") == 9
    assert "  * " not in quick, "a quick hit is one line and its link, no points"
    lead = digest.stories[0]
    assert f"{lead.url}" in text[places[1] : places[2]]
    assert all(story.url in text for story in digest.stories)
