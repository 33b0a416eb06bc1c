"""The [render] config table: theme and templates, brand colour, logo, font, text limits, tiers.

Validation lives here so that a bad value is reported at load time with the key that holds it
("render.brand_color: ..."), never as a broken email later.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from digest.errors import ConfigError
from digest.render.templates import DEFAULT_THEME, bundled_themes

DEFAULT_FONT = "-apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"
MIN_CONTRAST = 4.5
WHITE = "#ffffff"
CONTENT_WIDTH = 552  # the 600 px column less 24 px padding on each side
# (smallest, largest) accepted for each integer key
_INT_RANGES = {
    "logo_width": (16, CONTENT_WIDTH),
    "logo_height": (16, 240),
    "max_headline_chars": (40, 2000),
    "max_point_chars": (80, 4000),
    "max_also_in": (0, 20),
    "top_stories": (0, 50),
    "lead_points": (0, 6),
    "top_points": (0, 6),
}

_HEX_COLOR = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
_FONT_FORBIDDEN = re.compile(r"[;\"<>{}\\]")


@dataclass(frozen=True)
class Tiers:
    """How many stories each tier holds and how much of each it shows.

    The lead (one story: standfirst, then `lead_points` points), then `top_stories` top stories
    (headline, source, reading time, `top_points` points, a thumbnail when `thumbnails`), then
    every other story as a quick hit (one line: the linked headline and the source).
    """

    top_stories: int
    lead_points: int
    top_points: int
    thumbnails: bool


# Each bundled theme's tiers; [render] top_stories, lead_points, top_points and thumbnails
# override them one by one. A theme not listed (an override folder's) gets the default's.
THEME_TIERS = {
    "default": Tiers(top_stories=6, lead_points=3, top_points=2, thumbnails=True),
    "compact": Tiers(top_stories=4, lead_points=2, top_points=1, thumbnails=False),
}


@dataclass(frozen=True)
class RenderSettings:
    """How the email looks; every field has a default that passes the quality gate."""

    templates_dir: Path | None = None
    theme: str = DEFAULT_THEME
    brand_color: str = "#1d4ed8"
    logo_url: str | None = None
    logo_width: int = 160
    logo_height: int | None = None
    logo_alt: str | None = None
    font_family: str = DEFAULT_FONT
    max_headline_chars: int = 200
    max_point_chars: int = 400
    max_also_in: int = 2  # the 40-outlet wire story: 2 named, "and 37 more" (issue 21)
    top_stories: int | None = None  # None: the theme's (THEME_TIERS), as the three below
    lead_points: int | None = None
    top_points: int | None = None
    thumbnails: bool | None = None

    @property
    def tiers(self) -> Tiers:
        theme = THEME_TIERS.get(self.theme, THEME_TIERS[DEFAULT_THEME])
        return Tiers(
            top_stories=theme.top_stories if self.top_stories is None else self.top_stories,
            lead_points=theme.lead_points if self.lead_points is None else self.lead_points,
            top_points=theme.top_points if self.top_points is None else self.top_points,
            thumbnails=theme.thumbnails if self.thumbnails is None else self.thumbnails,
        )


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.03928 else float(((c + 0.055) / 1.055) ** 2.4)


def relative_luminance(color: str) -> float:
    """WCAG 2 relative luminance of a #rgb or #rrggbb colour."""
    digits = _six_digits(color)
    r, g, b = (int(digits[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio between two colours (1.0 to 21.0)."""
    a, b = relative_luminance(foreground), relative_luminance(background)
    lighter, darker = max(a, b), min(a, b)
    return (lighter + 0.05) / (darker + 0.05)


def readable_on(color: str, background: str, minimum: float = MIN_CONTRAST) -> str:
    """`color`, blended towards white just enough to reach `minimum` contrast on `background`.

    Gives the dark-mode shade of the brand colour: the same hue, light enough to read on a dark
    card. Returns white when no blend is enough (then the background is too light for any tint).
    """
    digits = _six_digits(color)
    r, g, b = (int(digits[i : i + 2], 16) for i in (0, 2, 4))
    for step in range(21):
        mix = step / 20
        shade = "#" + "".join(f"{round(c + (255 - c) * mix):02x}" for c in (r, g, b))
        if contrast_ratio(shade, background) >= minimum:
            return shade
    return WHITE


def _six_digits(color: str) -> str:
    digits = color.lstrip("#")
    return "".join(ch * 2 for ch in digits) if len(digits) == 3 else digits


def render_settings_from_table(
    table: Mapping[str, Any],
    *,
    base_dir: Path,
    themes: Iterable[str] | None = None,
    key: str = "render",
) -> RenderSettings:
    """Build RenderSettings from a [render] table; raise ConfigError naming the bad key.

    `templates_dir` is resolved against `base_dir` (the config file's folder) and must exist;
    `theme` must be one of `themes` (default: the bundled themes).
    """
    known = {f.name for f in fields(RenderSettings)}
    for name in table:
        if name not in known:
            raise ConfigError(
                f"{key}.{name}: unknown key",
                hint=f"known keys in [{key}]: {', '.join(sorted(known))}",
            )
    defaults = RenderSettings()
    logo_url = _logo_url(table.get("logo_url"), f"{key}.logo_url")
    if logo_url is None:
        for name in ("logo_width", "logo_height", "logo_alt"):
            if name in table:
                raise ConfigError(f"{key}.{name}: set {key}.logo_url too, or remove the key")
    numbers = {
        name: _integer(table[name], f"{key}.{name}", *bounds)
        for name, bounds in _INT_RANGES.items()
        if name in table
    }
    return replace(
        defaults,
        templates_dir=_templates_dir(table.get("templates_dir"), base_dir, f"{key}.templates_dir"),
        theme=_theme(
            table.get("theme", defaults.theme),
            tuple(bundled_themes() if themes is None else themes),
            f"{key}.theme",
        ),
        brand_color=_brand_color(
            table.get("brand_color", defaults.brand_color), f"{key}.brand_color"
        ),
        logo_url=logo_url,
        logo_alt=_logo_alt(table.get("logo_alt"), f"{key}.logo_alt"),
        font_family=_font_family(
            table.get("font_family", defaults.font_family), f"{key}.font_family"
        ),
        thumbnails=_boolean(table.get("thumbnails"), f"{key}.thumbnails"),
        **numbers,
    )


def _require_str(value: object, name: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{name}: must be a string, got {type(value).__name__} {value!r}")
    return value


def _integer(value: object, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"{name}: must be a whole number, got {type(value).__name__} {value!r}")
    if not low <= value <= high:
        raise ConfigError(f"{name}: must be between {low} and {high}, got {value}")
    return value


def _boolean(value: object, name: str) -> bool | None:
    if value is not None and not isinstance(value, bool):
        raise ConfigError(f"{name}: must be true or false, got {type(value).__name__} {value!r}")
    return value


def _theme(value: object, themes: tuple[str, ...], name: str) -> str:
    theme = _require_str(value, name).strip()
    if theme not in themes:
        raise ConfigError(
            f"{name}: no bundled theme {theme!r}",
            hint=f"bundled themes: {', '.join(sorted(themes))}; to change single templates, "
            "put your own files in a folder and name it in templates_dir",
        )
    return theme


def _logo_alt(value: object, name: str) -> str | None:
    if value is None:
        return None
    alt = " ".join(_require_str(value, name).split())
    if not alt or len(alt) > 200:
        raise ConfigError(f"{name}: must be 1 to 200 characters of text, got {value!r}")
    return alt


def _templates_dir(value: object, base_dir: Path, name: str) -> Path | None:
    if value is None:
        return None
    folder = (base_dir / _require_str(value, name)).resolve()
    if not folder.is_dir():
        raise ConfigError(
            f"{name}: folder {folder} does not exist",
            hint="create it with your own digest.mjml.j2 / digest.txt.j2, or remove the key",
        )
    return folder


def _brand_color(value: object, name: str) -> str:
    color = _require_str(value, name).strip()
    if not _HEX_COLOR.fullmatch(color):
        raise ConfigError(f"{name}: must be a hex colour like '#1d4ed8', got {color!r}")
    ratio = contrast_ratio(color, WHITE)
    if ratio < MIN_CONTRAST:
        raise ConfigError(
            f"{name}: {color} on white has contrast {ratio:.2f}:1, links need at least "
            f"{MIN_CONTRAST}:1",
            hint="pick a darker shade of the colour",
        )
    return color.lower()


def _logo_url(value: object, name: str) -> str | None:
    if value is None:
        return None
    url = _require_str(value, name).strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in url):
        raise ConfigError(f"{name}: must be an http(s) URL of an image, got {url!r}")
    return url


def _font_family(value: object, name: str) -> str:
    font = _require_str(value, name).strip()
    if not font or _FONT_FORBIDDEN.search(font):
        raise ConfigError(
            f'{name}: must be a CSS font list like "Georgia, serif" '
            f'(no ; " < > {{ }} or backslash), got {font!r}'
        )
    return font
