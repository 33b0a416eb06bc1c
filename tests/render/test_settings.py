"""The [render] table: every key read and validated, errors that name the key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from digest.errors import ConfigError
from digest.render import RenderSettings, render_settings_from_table
from digest.render.settings import THEME_TIERS, Tiers, contrast_ratio, readable_on


def test_render_settings_from_table(tmp_path: Path) -> None:
    (tmp_path / "mine").mkdir()
    settings = render_settings_from_table(
        {
            "templates_dir": "mine",
            "theme": "compact",
            "brand_color": "#0F766E",
            "logo_url": "https://x.example/l.png",
            "logo_width": 200,
            "logo_height": 48,
            "logo_alt": "  Morning   Digest ",
            "font_family": "Georgia, serif",
            "max_headline_chars": 120,
            "max_point_chars": 300,
            "max_also_in": 5,
            "top_stories": 3,
            "lead_points": 4,
            "top_points": 3,
            "thumbnails": False,
        },
        base_dir=tmp_path,
    )
    assert settings == RenderSettings(
        templates_dir=(tmp_path / "mine").resolve(),
        theme="compact",
        brand_color="#0f766e",
        logo_url="https://x.example/l.png",
        logo_width=200,
        logo_height=48,
        logo_alt="Morning Digest",
        font_family="Georgia, serif",
        max_headline_chars=120,
        max_point_chars=300,
        max_also_in=5,
        top_stories=3,
        lead_points=4,
        top_points=3,
        thumbnails=False,
    )
    assert settings.tiers == Tiers(top_stories=3, lead_points=4, top_points=3, thumbnails=False)
    assert render_settings_from_table({}, base_dir=tmp_path) == RenderSettings()
    defaults = RenderSettings()
    assert (defaults.theme, defaults.max_headline_chars, defaults.max_point_chars) == (
        "default",
        200,
        400,
    )
    assert defaults.max_also_in == 2


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
        ({"theme": "fancy"}, r"render\.theme: no bundled theme 'fancy'"),
        ({"theme": 3}, r"render\.theme: must be a string"),
        ({"logo_width": 100}, r"render\.logo_width: set render\.logo_url too"),
        (
            {"logo_url": "https://x.example/l.png", "logo_width": "100"},
            r"render\.logo_width: must be a whole number",
        ),
        (
            {"logo_url": "https://x.example/l.png", "logo_width": 900},
            r"render\.logo_width: must be between 16 and 552, got 900",
        ),
        (
            {"logo_url": "https://x.example/l.png", "logo_alt": " "},
            r"render\.logo_alt: must be 1 to 200 characters",
        ),
        ({"max_headline_chars": 10}, r"render\.max_headline_chars: must be between 40 and"),
        ({"max_point_chars": True}, r"render\.max_point_chars: must be a whole number"),
        ({"max_also_in": -1}, r"render\.max_also_in: must be between 0 and 20"),
    ],
)
def test_render_settings_errors_name_the_key(
    tmp_path: Path, table: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        render_settings_from_table(table, base_dir=tmp_path)


def test_unknown_theme_error_lists_the_bundled_ones(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as raised:
        render_settings_from_table({"theme": "fancy"}, base_dir=tmp_path)
    assert raised.value.hint is not None and "compact, default" in raised.value.hint


def test_readable_on_lightens_just_enough() -> None:
    dark_card = "#1f2937"
    for colour in ("#1d4ed8", "#7c2d12", "#0f766e", "#000000", "#123"):
        shade = readable_on(colour, dark_card)
        assert contrast_ratio(shade, dark_card) >= 4.5
    assert readable_on("#ffffff", dark_card) == "#ffffff"
    assert readable_on("#93c5fd", dark_card) == "#93c5fd", "already readable: unchanged"
    assert readable_on("#93c5fd", "#ffffff") == "#ffffff", "no lighter tint reads on white"


def test_tiers_come_from_the_theme_unless_overridden() -> None:
    assert RenderSettings().tiers == THEME_TIERS["default"]
    assert RenderSettings(theme="compact").tiers == THEME_TIERS["compact"]
    assert THEME_TIERS["default"] != THEME_TIERS["compact"]
    mixed = RenderSettings(theme="compact", top_points=3).tiers
    assert mixed == Tiers(
        top_stories=THEME_TIERS["compact"].top_stories,
        lead_points=THEME_TIERS["compact"].lead_points,
        top_points=3,
        thumbnails=THEME_TIERS["compact"].thumbnails,
    )


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("top_stories", 51, "render.top_stories: must be between 0 and 50, got 51"),
        ("lead_points", "3", "render.lead_points: must be a whole number"),
        ("top_points", -1, "render.top_points: must be between 0 and 6"),
        ("thumbnails", "yes", "render.thumbnails: must be true or false, got str 'yes'"),
    ],
)
def test_bad_tier_values_name_the_key(tmp_path: Path, key: str, value: Any, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        render_settings_from_table({key: value}, base_dir=tmp_path)
