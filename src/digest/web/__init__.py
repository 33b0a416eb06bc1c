"""The web face (`digest serve`): the editor's desk, the public pages, subscriber pages, webhooks.

What the rest may use: `create_app` (a Starlette app over one config), `app_from_environment`
(the same for `digest serve --workers`: each process loads $DIGEST_CONFIG), `bind_refusal` (why
`digest serve` must not listen on an address: beyond loopback without DIGEST_EDITOR_TOKEN),
`web_settings_from_table` (the [web] table), `clean_name` (an editor's name as the desk
keeps it: for `digest editors`).
Pages are Jinja2 templates in `web/templates/` with one stylesheet (and the desk's one script)
in `web/static/`; no HTML in Python strings.

Modules: `app` (routes and middleware; /healthz), `public` (the home page, the archive and its
Atom feed), `security` (headers on every response, trailing-slash redirects), the editor's desk
(`editor`: what its pages share; `desk_auth`, `desk_pages`, `desk_view`, `desk_results`,
`desk_preview`, `desk_actions`, `desk_changes` (versioned changes), `desk_add_story` (a
story added by URL), `desk_send` (send now or schedule the approved edition), `desk_login`,
`desk_accounts` (editor accounts, invitations)), `sessions` (server-side sessions), `tracking`
(/r/<token>), the subscriber pages (`subscriber_site`: what they share; `subscriber_pages`,
`preferences_pages`) and `notices` (their emails), `webhooks` (provider events), `pages` (the
template environment), `settings` ([web]), `connections` (the client address behind trusted
proxies, the body deadline).
"""

from digest.web.app import app_from_environment, create_app
from digest.web.desk_auth import clean_name
from digest.web.security import bind_refusal
from digest.web.settings import web_settings_from_table

__all__ = [
    "app_from_environment",
    "bind_refusal",
    "clean_name",
    "create_app",
    "web_settings_from_table",
]
