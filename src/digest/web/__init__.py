"""The web face (`digest serve`): the editor's desk, the archive, subscriber pages.

What the rest may use: `create_app` (a Starlette app over one config). Pages are Jinja2
templates in `web/templates/` with one stylesheet in `web/static/`; no HTML in Python strings.

Modules: `app` (routes for the archive, one-click unsubscribe and preferences), `editor` (the
editor's desk), `pages` (the template environment).
"""

from digest.web.app import create_app

__all__ = ["create_app"]
