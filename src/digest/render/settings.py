"""The [render] config table: which templates, brand colour, logo and font.

Validation lives here so that a bad value is reported at load time with the key that holds it
("render.brand_color: ..."), never as a broken email later.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from digest.errors import ConfigError

DEFAULT_FONT = "-apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"
MIN_CONTRAST = 4.5
WHITE = "#ffffff"

_HEX_COLOR = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
_FONT_FORBIDDEN = re.compile(r"[;\"<>{}\\]")


@dataclass(frozen=True)
class RenderSettings:
    """How the email looks; every field has a default that passes the quality gate."""

    templates_dir: Path | None = None
    brand_color: str = "#1d4ed8"
    logo_url: str | None = None
    font_family: str = DEFAULT_FONT


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.03928 else float(((c + 0.055) / 1.055) ** 2.4)


def relative_luminance(color: str) -> float:
    """WCAG 2 relative luminance of a #rgb or #rrggbb colour."""
    digits = color.lstrip("#")
    if len(digits) == 3:
        digits = "".join(ch * 2 for ch in digits)
    r, g, b = (int(digits[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio between two colours (1.0 to 21.0)."""
    a, b = relative_luminance(foreground), relative_luminance(background)
    lighter, darker = max(a, b), min(a, b)
    return (lighter + 0.05) / (darker + 0.05)


def render_settings_from_table(
    table: Mapping[str, Any], *, base_dir: Path, key: str = "render"
) -> RenderSettings:
    """Build RenderSettings from a [render] table; raise ConfigError naming the bad key.

    `templates_dir` is resolved against `base_dir` (the config file's folder) and must exist.
    """
    known = {"templates_dir", "brand_color", "logo_url", "font_family"}
    for name in table:
        if name not in known:
            raise ConfigError(
                f"{key}.{name}: unknown key",
                hint=f"known keys in [{key}]: {', '.join(sorted(known))}",
            )
    defaults = RenderSettings()
    templates_dir = _templates_dir(table.get("templates_dir"), base_dir, f"{key}.templates_dir")
    brand_color = _brand_color(table.get("brand_color", defaults.brand_color), f"{key}.brand_color")
    logo_url = _logo_url(table.get("logo_url"), f"{key}.logo_url")
    font_family = _font_family(table.get("font_family", defaults.font_family), f"{key}.font_family")
    return RenderSettings(
        templates_dir=templates_dir,
        brand_color=brand_color,
        logo_url=logo_url,
        font_family=font_family,
    )


def _require_str(value: object, name: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{name}: must be a string, got {type(value).__name__} {value!r}")
    return value


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
