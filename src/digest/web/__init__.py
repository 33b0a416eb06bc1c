"""The web face (`digest serve`): the editor's desk, the public pages, subscriber pages, webhooks.

What the rest may use: `create_app` (a Starlette app over one config) and `bind_refusal` (why
`digest serve` must not listen on an address: beyond loopback without DIGEST_EDITOR_TOKEN).
Pages are Jinja2 templates in `web/templates/` with one stylesheet (and the desk's one script)
in `web/static/`; no HTML in Python strings.

Modules: `app` (routes and middleware; /healthz), `public` (the home page, the archive and
its Atom feed), `security` (headers on every
response, trailing-slash redirects, sessions), the editor's desk (`editor`: what its pages
share, /login; `desk_auth`, `desk_pages`, `desk_view`, `desk_results`, `desk_preview`,
`desk_actions`), `tracking` (/r/<token>), `subscriber_pages` and `notices` (the subscriber
pages and their emails), `webhooks` (provider events), `pages` (the template environment).
"""

from digest.web.app import create_app
from digest.web.security import bind_refusal

__all__ = ["bind_refusal", "create_app"]
