"""The template environment of the web face: Jinja2 pages over one stylesheet.

Templates live in `templates/` beside this module and the stylesheet in `static/`; both ship as
package data. Autoescaping is on for `.html` templates, so views hand over plain values and
never build markup themselves; StrictUndefined turns a misspelt variable into an error rather
than a silent blank.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"

environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
templates = Jinja2Templates(env=environment)


def render(
    request: Request, name: str, context: Mapping[str, object], status: int = 200
) -> HTMLResponse:
    """The template `name` filled from `context` (the request gives templates `url_for`)."""
    return templates.TemplateResponse(request, name, dict(context), status_code=status)


def static_mount() -> Mount:
    """/static, named `static` so base.html can link the stylesheet with url_for."""
    return Mount("/static", app=StaticFiles(directory=STATIC), name="static")
