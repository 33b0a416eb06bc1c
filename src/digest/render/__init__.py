"""Render stage: Jinja2 -> MJML -> HTML once per edition; per-subscriber personalising after.

What the rest may use: `render_edition` (a Digest -> RenderedEdition with personal tokens),
`personalise` (one subscriber's email from it, cheap), `personal_parts` (the same before the
join, as `PersonalParts`: for an encoder that reuses its work on the shared literals),
`render_for` (the same from scratch: the reference), `RenderSettings` and
`render_settings_from_table` (the [render] table), `contrast_ratio`, `bundled_templates_dir`,
`cut` (feed text cut to a limit as the email cuts it: the desk shows headlines the same way).

Modules: `settings` (the table: theme, brand, logo, text limits, tiers), `view` (what the
templates see: feed text cut to the limits, https pictures, capped "also in", first names),
`tiers` (the lead, top stories and quick hits by section), `templates`
(where they are found: templates_dir, then the theme, then the default; the Jinja
environment), `markers` (tokens and personal blocks), `edition` (compile and personalise).
"""

from digest.render.edition import (
    PersonalParts,
    RenderedEdition,
    personal_parts,
    personalise,
    render_edition,
    render_for,
)
from digest.render.settings import RenderSettings, contrast_ratio, render_settings_from_table
from digest.render.templates import bundled_templates_dir
from digest.render.view import cut

__all__ = [
    "PersonalParts",
    "RenderSettings",
    "RenderedEdition",
    "bundled_templates_dir",
    "contrast_ratio",
    "cut",
    "personal_parts",
    "personalise",
    "render_edition",
    "render_for",
    "render_settings_from_table",
]
