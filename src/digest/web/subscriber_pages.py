"""The pages a subscriber sees: sign-up, confirmation, unsubscribe, resubscribe (preferences are
in `preferences_pages`).

Links carry an opaque token (`?t=`) bound to the subscriber and the list; links from editions
sent before carry `?e=<address>&t=<hmac>` and keep working. A GET never changes anything (mail
scanners fetch links): each page has a button. POST /unsubscribe with the body
`List-Unsubscribe=One-Click` (RFC 8058) unsubscribes at once with 200. Browser forms must come
from this site (the Origin header, when sent, is checked; the sign-up form may also come from
`[web] signup_origins`, an embedded form). Forms are decoded strictly: a body that is not UTF-8
is a 400, never a stored address of replacement characters. A bad token of any shape is a 4xx
page. The sign-up answer is the same whatever the address's state, and takes the same time:
its mail goes out after the answer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from digest.config import Config
from digest.errors import InputError
from digest.state import State
from digest.subscribers import (
    INACTIVE,
    check_confirmation,
    confirm,
    confirm_nonce,
    confirm_token,
    resubscribe,
    sign_up,
    unsubscribe,
)
from digest.web.pages import environment
from digest.web.preferences_pages import PreferencesPages, chosen_sections
from digest.web.settings import WebSettings
from digest.web.subscriber_site import Mail, SubscriberSite
from digest.web.webhooks import read_body

ONE_CLICK = b"List-Unsubscribe=One-Click"
MAX_ONE_CLICK = 64 * 1024  # an RFC 8058 body is one short field, multipart or urlencoded


@dataclass(frozen=True)
class SignUpAnswer:
    """What a sign-up comes to: the page's status and error, and the mail to send after it."""

    error: str = ""
    limited: bool = False
    mail: Mail | None = None


class SubscriberPages:
    """Sign-up, confirmation, unsubscribe and resubscribe over one `SubscriberSite`."""

    def __init__(self, site: SubscriberSite) -> None:
        self.site = site

    async def subscribe_form(self, request: Request) -> Response:
        context = {"error": "", "email": "", "name": "", "sections": self.site.sections}
        return self.site.page(request, "subscribe.html", {**context, "current": ()})

    async def subscribe(self, request: Request) -> Response:
        site = self.site
        if not site.own_origin(request, also=site.web.signup_origins):
            return site.refused(request)
        form = await site.form(request)
        if form is None:
            return site.unreadable(request)
        email, name = form.get("email", "").strip(), form.get("name", "")
        sent = (
            f"Almost there: we sent a link to {email} to confirm your subscription (if that "
            f"address is already subscribed, the email has a link to your preferences instead). "
            f"The link works for {site.settings.confirm_hours} hours; if nothing arrives in a "
            "few minutes, look in your spam folder."
        )
        if form.get("website"):  # the honeypot: only a bot fills a field nobody sees
            return site.notice(request, "Check your inbox", sent)
        client = site.client(request)
        answer = await site.in_thread(lambda st: self._sign_up(st, form, email, name, client))
        if answer.error:
            failed: dict[str, object] = {"error": answer.error, "email": email, "name": name}
            failed.update(sections=site.sections, current=())
            return site.page(request, "subscribe.html", failed, 400)
        if answer.limited:
            return site.too_many(request)
        return site.mail_after(site.notice(request, "Check your inbox", sent), answer.mail)

    def _sign_up(
        self, state: State, form: Mapping[str, str], email: str, name: str, client: str
    ) -> SignUpAnswer:
        site, newsletter = self.site, self.site.newsletter
        try:
            picked = chosen_sections(form, site.sections)
            result = sign_up(
                state, email, name=name, sections=picked, ip=client, settings=site.settings,
                now=datetime.now(UTC),
            )  # fmt: skip
        except InputError as exc:
            return SignUpAnswer(error=str(exc))
        if result.action == "limited":
            return SignUpAnswer(limited=True)
        record = result.record
        if result.action == "confirm" and record and result.nonce:
            token = confirm_token(site.secret(state), site.key, result.nonce)
            message = site.confirm_notice(
                "confirm",
                f"Confirm your subscription to {newsletter.title}",
                f"Someone, we hope you, asked to send {newsletter.title} to {record.email}.",
                "Confirm subscription",
                f"/confirm?t={token}",
                "sign up",
            )
            return SignUpAnswer(mail=(record.email, message))
        if result.action == "notice" and record:
            first = f"{record.email} already gets {newsletter.title}."
            return SignUpAnswer(mail=(record.email, site.preferences_notice(state, record, first)))
        return SignUpAnswer()

    async def confirm_page(self, request: Request) -> Response:
        site = self.site
        post = request.method == "POST"
        if post and not site.own_origin(request):
            return site.refused(request)
        token = request.query_params.get("t", "")

        def work(state: State) -> Response:
            nonce = confirm_nonce(site.secret(state), site.key, token)
            if nonce is None:
                return site.invalid(request)
            now = datetime.now(UTC)
            if post:
                result = confirm(state, nonce, settings=site.settings, now=now)
            else:
                result = check_confirmation(state, nonce, settings=site.settings, now=now)
            record = result.record
            again = ("/subscribe", "Sign up again")
            if result.outcome == "ready" and record is not None:
                context = {"email": record.email, "token": token}
                return site.page(request, "confirm.html", context)
            if result.outcome in ("confirmed", "already") and record is not None:
                prefs = ("/preferences?" + site.onward(state, record), "Choose sections")
                text = f"{record.email} gets {site.newsletter.title} from the next edition."
                return site.notice(request, "You are subscribed", text, link=prefs)
            if result.outcome == "expired":
                hours = site.settings.confirm_hours
                text = f"This link was good for {hours} hours and has expired."
                return site.notice(request, "Link expired", text, 410, again)
            if result.outcome == "used":
                text = "This link was already used."
                return site.notice(request, "Link already used", text, 410, again)
            return site.invalid(request)

        return await site.in_thread(work)

    async def unsubscribe_page(self, request: Request) -> Response:
        site = self.site
        params = request.query_params
        if request.method == "GET" and "t" not in params and "e" not in params:
            context = {"title": "How to unsubscribe", "error": ""}
            return site.page(request, "unsubscribe_help.html", context)
        body = b""
        if request.method == "POST":
            body = await read_body(request, MAX_ONE_CLICK) or b""
        one_click = ONE_CLICK in body
        if request.method == "POST" and not one_click and not site.own_origin(request):
            return site.refused(request)

        def work(state: State) -> Response:
            link = site.resolve(params, state)
            if link is None:
                return site.invalid(request)
            record = link.record
            if request.method == "GET" and (record is None or record.status not in INACTIVE):
                context = {"email": link.email, "query": link.query}
                return site.page(request, "unsubscribe.html", context)
            if request.method == "POST":
                source = "one-click unsubscribe" if one_click else "unsubscribe page"
                unsubscribe(state, link.email, source=source, now=datetime.now(UTC))
                record = state.subscribers.get(link.email)
            done: dict[str, object] = {
                "email": link.email,
                "query": link.query,
                "can_resubscribe": record is not None and record.status == "unsubscribed",
            }
            return site.page(request, "unsubscribed.html", done)

        return await site.in_thread(work)

    async def resubscribe_page(self, request: Request) -> Response:
        site = self.site
        if not site.own_origin(request):
            return site.refused(request)
        params = request.query_params

        def work(state: State) -> Response:
            link = site.resolve(params, state)
            if link is None or link.record is None:
                return site.invalid(request)
            record = link.record
            resubscribe(state, record, now=datetime.now(UTC))
            record = state.subscribers.by_id(record.id) or record
            prefs = ("/preferences?" + link.query, "Your preferences")
            title = site.newsletter.title
            if record.status == "active":
                text = f"Welcome back: {record.email} gets {title} again."
                return site.notice(request, "Resubscribed", text, link=prefs)
            text = f"{record.email} is {record.status}: sign up again to confirm the address."
            return site.notice(request, "Sign up again", text, 409, ("/subscribe", "Sign up"))

        return await site.in_thread(work)

    async def brand_css(self, request: Request) -> Response:
        css = environment.get_template("brand.css").render(brand=self.site.brand)
        return Response(css, media_type="text/css")


def subscriber_routes(
    cfg: Config,
    environ: Mapping[str, str],
    open_state: Callable[[], State],
    web: WebSettings | None = None,
) -> list[Route]:
    """The subscriber-facing routes; settings are validated here, when the app is made."""
    site = SubscriberSite(cfg, environ, open_state, web or WebSettings())
    pages, preferences = SubscriberPages(site), PreferencesPages(site)
    return [
        Route("/subscribe", pages.subscribe_form, methods=["GET"]),
        Route("/subscribe", pages.subscribe, methods=["POST"]),
        Route("/confirm", pages.confirm_page, methods=["GET", "POST"]),
        Route("/unsubscribe", pages.unsubscribe_page, methods=["GET", "POST"]),
        Route("/resubscribe", pages.resubscribe_page, methods=["POST"]),
        *preferences.routes(),
        Route("/brand.css", pages.brand_css, name="brand_css"),
    ]
