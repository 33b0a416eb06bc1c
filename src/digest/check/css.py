"""Which CSS features an email uses that major email clients do not support.

The support table `css_support.json` is derived from caniemail (MIT, Rémi Parmentier) by
`build_support_table()`: for each CSS feature, the major client platforms whose latest test says
"not supported" (partial support is not kept: nearly every property is partial somewhere).
Regenerate it from a caniemail.json snapshot with
`python -c "from digest.check.css import write_support_table as w; w('PATH/caniemail.json')"`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

TABLE_PATH = Path(__file__).with_name("css_support.json")
MAJOR_CLIENTS = (
    "apple-mail/macos",
    "apple-mail/ios",
    "gmail/desktop-webmail",
    "gmail/ios",
    "gmail/android",
    "outlook/windows",
    "outlook/macos",
    "outlook/outlook-com",
    "outlook/ios",
    "outlook/android",
    "yahoo/desktop-webmail",
    "samsung-email/android",
)
# Where these are unsupported the email falls apart (no fallback); the others degrade gracefully
# (dark-mode queries, rounded corners, wrapping hints) and are reported as warnings.
LAYOUT_CRITICAL = frozenset(
    {
        "css-display-flex",
        "css-display-grid",
        "css-position",
        "css-float",
        "css-at-import",
        "css-at-font-face",
        "css-variables",
        "css-unit-calc",
        "css-function-clamp",
        "css-function-min",
        "css-function-max",
        "css-background-image",
        "css-grid-template",
        "css-flex-direction",
        "css-flex-wrap",
        "css-transform",
        "css-left-right-top-bottom",
        "css-inset",
        "css-z-index",
    }
)
_AT_RULES = ("media", "font-face", "import", "keyframes", "supports")
_FUNCTIONS = {
    "calc": "css-unit-calc",
    "clamp": "css-function-clamp",
    "min": "css-function-min",
    "max": "css-function-max",
    "var": "css-variables",
    "light-dark": "css-function-light-dark",
    "linear-gradient": "css-linear-gradient",
    "radial-gradient": "css-radial-gradient",
}
_DECLARATION = re.compile(r"(?<![\w-])([a-zA-Z-]+)\s*:\s*([^;{}]+)")
_AT_RULE = re.compile(r"@([a-z-]+)")
_PSEUDO = re.compile(r"(?<![:\w])(::?)([a-z-]+)(?=[\s,{.:)\[]|$)")
_FUNCTION = re.compile(r"(?<![\w-])([a-z-]+)\(")


@dataclass(frozen=True)
class CssFinding:
    """A CSS feature the email uses and the major clients that lack it."""

    feature: str
    title: str
    unsupported: tuple[str, ...]

    @property
    def breaks_layout(self) -> bool:
        """True for features without a graceful fallback: the layout breaks where unsupported."""
        return self.feature in LAYOUT_CRITICAL


def build_support_table(caniemail: dict[str, Any]) -> dict[str, Any]:
    """Reduce caniemail's data to CSS features with gaps in major clients, plus property aliases."""
    features: dict[str, Any] = {}
    aliases: dict[str, str] = {}
    for feature in caniemail["features"]:
        slug = feature["slug"]
        if feature["category"] != "css":
            continue
        for keyword in (feature.get("keywords") or "").split(","):
            keyword = keyword.strip()
            if re.fullmatch(r"[a-z]+(-[a-z]+)+", keyword) and f"css-{keyword}" != slug:
                aliases.setdefault(keyword, slug)
        unsupported = []
        for client in MAJOR_CLIENTS:
            family, platform = client.split("/")
            results = feature["stats"].get(family, {}).get(platform, {})
            if not results:
                continue
            latest = str(list(results.values())[-1]).split()[0]
            if latest == "n":
                unsupported.append(client)
        if unsupported:
            features[slug] = {"title": feature["title"], "unsupported": unsupported}
    return {
        "_source": f"caniemail {caniemail.get('source', '')} {caniemail.get('source_commit', '')}",
        "_license": "MIT, Copyright (c) 2019 Remi Parmentier (caniemail)",
        "major_clients": list(MAJOR_CLIENTS),
        "aliases": dict(sorted(aliases.items())),
        "features": features,
    }


def write_support_table(caniemail_json: str | Path) -> None:
    """Regenerate css_support.json from a caniemail.json snapshot."""
    data = json.loads(Path(caniemail_json).read_text(encoding="utf-8"))
    table = build_support_table(data)
    TABLE_PATH.write_text(json.dumps(table, indent=1, sort_keys=True) + "\n", encoding="utf-8")


@lru_cache(maxsize=1)
def support_table() -> dict[str, Any]:
    table: dict[str, Any] = json.loads(TABLE_PATH.read_text(encoding="utf-8"))
    return table


def _property_feature(prop: str, known: set[str], aliases: dict[str, str]) -> str:
    if f"css-{prop}" in known:
        return f"css-{prop}"
    if prop in aliases:
        return aliases[prop]
    if prop in ("left", "right", "top", "bottom"):
        return "css-left-right-top-bottom"
    if prop.endswith("-radius"):
        return "css-border-radius"
    parts = prop.split("-")
    while len(parts) > 1:
        parts.pop()
        if f"css-{'-'.join(parts)}" in known:
            return f"css-{'-'.join(parts)}"
    return f"css-{prop}"


def features_used(styles: list[str], stylesheets: list[str]) -> set[str]:
    """caniemail feature slugs used by inline `style` values and `<style>` blocks."""
    table = support_table()
    known = set(table["features"]) | {f"css-{a}" for a in table["aliases"]}
    aliases: dict[str, str] = table["aliases"]
    used: set[str] = set()
    for css in [*styles, *stylesheets]:
        css = re.sub(r"@[a-z-]+[^{;]*", "", css)  # at-rule preludes: "(min-width:480px)" is no rule
        for prop, value in _DECLARATION.findall(css):
            prop = prop.lower()
            if prop.startswith(("-", "mso-")):
                continue  # vendor or Outlook-only: aimed at the client that understands it
            used.add(_property_feature(prop, known, aliases))
            value = value.lower()
            if prop == "display" and value.strip().split()[0] in ("flex", "grid", "none"):
                used.add(f"css-display-{value.strip().split()[0]}")
            if "!important" in value:
                used.add("css-important")
            used.update(_FUNCTIONS[f] for f in _FUNCTION.findall(value) if f in _FUNCTIONS)
    for css in stylesheets:
        if "prefers-color-scheme" in css:
            used.add("css-at-media-prefers-color-scheme")
        for rule in _AT_RULE.findall(css):
            if rule in _AT_RULES:
                used.add(f"css-at-{rule}")
        for selector in re.findall(r"([^{}]+)\{", css):
            if selector.strip().startswith("@"):
                continue
            for colons, name in _PSEUDO.findall(selector):
                kind = "element" if colons == "::" else "class"
                used.add(f"css-pseudo-{kind}-{name}")
    return used


def css_findings(styles: list[str], stylesheets: list[str]) -> tuple[CssFinding, ...]:
    """The used features that some major client does not (fully) support, sorted by slug."""
    features: dict[str, Any] = support_table()["features"]
    findings = []
    for slug in sorted(features_used(styles, stylesheets)):
        entry = features.get(slug)
        if entry is None:
            continue
        findings.append(
            CssFinding(
                feature=slug,
                title=entry["title"],
                unsupported=tuple(entry["unsupported"]),
            )
        )
    return tuple(findings)
