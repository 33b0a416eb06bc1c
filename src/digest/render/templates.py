"""Where the email templates come from and the Jinja2 environment that renders them.

The shipped templates are `templates/email/` of the repository; the wheel carries them as
`digest/render/email_templates/` (see pyproject.toml), so one folder is the source of truth.
Its top level is the default theme; `themes/<name>/` holds another theme's files, only those
that differ from the default. A template is looked up by name in the operator's
`[render] templates_dir` first, then in the chosen theme, then in the default theme.
"""

from __future__ import annotations

import textwrap
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape

from digest.errors import RenderError
from digest.files import shipped_folder

HTML_TEMPLATE = "digest.mjml.j2"
TEXT_TEMPLATE = "digest.txt.j2"
TEXT_WIDTH = 72
DEFAULT_THEME = "default"
THEMES_FOLDER = "themes"


def bundled_templates_dir() -> Path:
    """The shipped templates: package data when installed, else <repo>/templates/email."""
    here = Path(__file__).resolve().parent
    found = shipped_folder(
        here / "email_templates", here.parents[2] / "templates" / "email", HTML_TEMPLATE
    )
    if found is None:
        raise RenderError(
            f"bundled templates not found next to {here}",
            hint="reinstall digest-newsletter, or set [render] templates_dir to a folder "
            "with the templates",
        )
    return found


def bundled_themes() -> tuple[str, ...]:
    """The names of the shipped themes: "default" and each folder under themes/."""
    folder = bundled_templates_dir() / THEMES_FOLDER
    names = sorted(p.name for p in folder.iterdir() if p.is_dir() and not p.name.startswith("_"))
    return (DEFAULT_THEME, *names) if folder.is_dir() else (DEFAULT_THEME,)


def _nl2br(value: str) -> Markup:
    return Markup("<br>").join(escape(line) for line in value.splitlines())


def _wrap(value: str, indent: str = "", first: str | None = None) -> str:
    """Fill to the text width. A word longer than a line is broken (text without spaces, such
    as Chinese, must wrap too), unless the text holds such a long URL: that stays whole."""
    words = value.split()
    long_url = any(len(word) > TEXT_WIDTH // 2 and "://" in word for word in words)
    return textwrap.fill(
        " ".join(words),
        width=TEXT_WIDTH,
        initial_indent=indent if first is None else first,
        subsequent_indent=indent,
        break_long_words=not long_url,
        break_on_hyphens=False,
    )


def _link(url: str, label: str) -> str:
    """'label url' on one line when it fits in the text width, else the URL on the next line,
    indented two more spaces than the label.

    A URL is never broken (a reader copies it whole), so its own line may run past 72 columns.
    """
    line = f"{label} {url}"
    if len(line) <= TEXT_WIDTH:
        return line
    indent = label[: len(label) - len(label.lstrip())]
    return f"{label}\n{indent}  {url}"


def _nobreak(value: str) -> str:
    """Spaces made non-breaking, so a short label ("· 5 min read") never splits across lines
    (CSS white-space is unsupported in Outlook for Windows and Samsung Email)."""
    return value.replace(" ", "\u00a0")


@lru_cache(maxsize=16)
def environment(templates_dir: Path | None, theme: str = DEFAULT_THEME) -> jinja2.Environment:
    """The environment for one override folder and theme (cached: compiled templates stay)."""
    bundled = bundled_templates_dir()
    folders = [str(bundled)]
    if theme != DEFAULT_THEME:
        if not (bundled / THEMES_FOLDER / theme).is_dir():
            raise RenderError(f"theme {theme!r} not found in {bundled / THEMES_FOLDER}")
        folders.insert(0, str(bundled / THEMES_FOLDER / theme))
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
    env.filters["link"] = _link
    env.filters["nobreak"] = _nobreak
    return env


def _template(env: jinja2.Environment, name: str) -> jinja2.Template:
    try:
        return env.get_template(name)
    except jinja2.TemplateSyntaxError as exc:
        raise RenderError(f"{exc.filename or exc.name}:{exc.lineno}: {exc.message}") from exc
    except jinja2.TemplateNotFound as exc:
        raise RenderError(f"template {exc.name} not found in {env.loader}") from exc


def render_template(env: jinja2.Environment, name: str, context: dict[str, Any]) -> str:
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
