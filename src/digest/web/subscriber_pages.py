"""The pages a subscriber sees: sign-up, confirmation, preferences, unsubscribe, resubscribe.

Links carry an opaque token (`?t=`) bound to the subscriber and the list; links from editions
sent before carry `?e=<address>&t=<hmac>` and keep working. A GET never changes anything (mail
scanners fetch links): each page has a button. POST /unsubscribe with the body
`List-Unsubscribe=One-Click` (RFC 8058) unsubscribes at once with 200. Browser forms must come
from this site (the Origin header, when sent, is checked). A bad token of any shape is a 4xx
page. The sign-up answer is the same whatever the address's state.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode, urlsplit
from zoneinfo import available_timezones

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from digest.config import Config
from digest.errors import DeliveryError, DigestError, InputError
from digest.render import render_settings_from_table
from digest.state import State, SubscriberRecord
from digest.subscribers import (
    FREQUENCIES,
    INACTIVE,
    check_confirmation,
    confirm,
    confirm_nonce,
    confirm_token,
    import_folder,
    link_request,
    link_token,
    link_uid,
    list_key,
    pause,
    resubscribe,
    save_preferences,
    sign_up,
    subscriber_settings_from_table,
    unsubscribe,
    verify_token,
)
from digest.web.notices import Notice, notice_message, send_notice
from digest.web.pages import environment, render

ONE_CLICK = b"List-Unsubscribe=One-Click"
PAUSE_WEEKS = (1, 2, 4, 8)


@dataclass(frozen=True)
class Link:
    """Whom a personal link is for: the address, the stored subscriber (None for an old-style
    link to an address not on the list) and the query that links onwards (a fresh token)."""

    email: str
    record: SubscriberRecord | None
    query: str


def time_zones() -> tuple[str, ...]:
    """Region/City zones people pick from (no Etc/ offsets or legacy aliases)."""
    return tuple(
        sorted(
            zone
            for zone in available_timezones()
            if "/" in zone and not zone.startswith(("Etc/", "SystemV/", "posix/", "right/"))
        )
    )


def subscriber_routes(
    cfg: Config, environ: Mapping[str, str], open_state: Callable[[], State]
) -> list[Route]:
    """The subscriber-facing routes; settings are validated here, when the app is made."""
    settings = subscriber_settings_from_table(cfg.table("subscribers"))
    brand = render_settings_from_table(cfg.table("render"), base_dir=cfg.base_dir).brand_color
    newsletter = cfg.newsletter
    key = list_key(newsletter)
    sections = sorted({s.section for s in cfg.sources if s.section})
    zones = time_zones()
    base = urlsplit(newsletter.base_url)

    def page(
        request: Request, name: str, context: Mapping[str, object], status: int = 200
    ) -> Response:
        return render(request, name, {"newsletter": newsletter.title, **context}, status)

    def notice(
        request: Request,
        title: str,
        text: str,
        status: int = 200,
        link: tuple[str, str] = ("", ""),
        role: str = "status",
    ) -> Response:
        context = {"title": title, "message": text, "role": role}
        context.update(link_url=link[0], link_text=link[1])
        return page(request, "notice.html", context, status)

    def invalid(request: Request) -> Response:
        text = "This link is not valid. Use the link in your latest email, or ask for a new one."
        return notice(request, "Link not valid", text, 400, ("/preferences", "Get a new link"))

    def secret(st: State) -> str:
        return st.link_secret(environ.get("DIGEST_SECRET"))

    def own_origin(request: Request) -> bool:
        origin = request.headers.get("origin")
        if origin is None:
            return True
        allowed = {f"{request.url.scheme}://{request.url.netloc}", f"{base.scheme}://{base.netloc}"}
        return origin in allowed

    def client(request: Request) -> str:
        return request.client.host if request.client else "unknown"

    def onward(st: State, record: SubscriberRecord) -> str:
        return urlencode({"t": link_token(secret(st), key, record.uid)})

    def stored(st: State, email: str) -> SubscriberRecord | None:
        """The subscriber of an old-style link; the CSV folder is imported first when the
        address is not stored yet (a database from before the list moved into it)."""
        record = st.subscribers.get(email)
        if record is None:
            try:
                import_folder(st, cfg.subscribers_dir, now=datetime.now(UTC))
            except DigestError:
                return None
            record = st.subscribers.get(email)
        return record

    def resolve(request: Request, st: State) -> Link | None:
        params = request.query_params
        token = params.get("t", "")
        if "e" in params:
            email = params.get("e", "")
            if not (email and token and verify_token(secret(st), email, token)):
                return None
            record = stored(st, email)
            return Link(email, record, onward(st, record) if record else urlencode(params))
        uid = link_uid(secret(st), key, token)
        found = st.subscribers.by_uid(uid) if uid else None
        return Link(found.email, found, onward(st, found)) if found else None

    async def send(to: str, message: Notice) -> None:
        built = notice_message(cfg, brand, to, message, datetime.now(UTC))
        await run_in_threadpool(send_notice, cfg, environ, built)

    def preferences_notice(st: State, record: SubscriberRecord, first: str) -> Notice:
        return Notice(
            kind="preferences-link",
            subject=f"Your {newsletter.title} preferences",
            lines=(first, "Use the button to choose sections, how often, or to unsubscribe."),
            button="Manage preferences",
            url=f"{newsletter.base_url}/preferences?{onward(st, record)}",
            footnote="If you did not ask for this, you can ignore this email.",
        )

    def chosen_sections(form: Mapping[str, object], current: tuple[str, ...]) -> tuple[str, ...]:
        """The form's choice: () is "everything"; ticking nothing under "only" is an error."""
        ticked = tuple(s for s in sections if form.get(f"s:{s}"))
        choice = form.get("choice") or ("pick" if ticked else "")
        if choice == "everything":
            return ()
        if choice == "pick" and ticked:
            return ticked
        raise InputError("Tick at least one section, or choose Everything.")

    async def subscribe_form(request: Request) -> Response:
        context = {"error": "", "email": "", "name": "", "sections": sections, "current": ()}
        return page(request, "subscribe.html", context)

    async def subscribe(request: Request) -> Response:
        if not own_origin(request):
            return notice(request, "Not allowed", "This form must be sent from this site.", 403)
        form = {k: str(v) for k, v in (await request.form()).items()}
        email, name = form.get("email", "").strip(), form.get("name", "")
        sent = f"If {email} can subscribe, a confirmation link is on its way. It works for "
        sent += f"{settings.confirm_hours} hours; check your spam folder if it does not arrive."
        if form.get("website"):  # the honeypot: only a bot fills a field nobody sees
            return notice(request, "Check your inbox", sent)
        try:
            picked = chosen_sections(form, ())
            st = open_state()
            try:
                now = datetime.now(UTC)
                result = sign_up(
                    st, email, name=name, sections=picked, ip=client(request),
                    settings=settings, now=now,
                )  # fmt: skip
                message = None
                if result.action == "confirm" and result.record and result.nonce:
                    token = confirm_token(secret(st), key, result.nonce)
                    message = Notice(
                        kind="confirm",
                        subject=f"Confirm your subscription to {newsletter.title}",
                        lines=(f"Someone, we hope you, asked to send {newsletter.title} to "
                               f"{result.record.email}.",),
                        button="Confirm subscription",
                        url=f"{newsletter.base_url}/confirm?t={token}",
                        footnote=f"The link works for {settings.confirm_hours} hours. If you did "
                        "not sign up, ignore this email and nothing happens.",
                    )  # fmt: skip
                elif result.action == "notice" and result.record:
                    first = f"{result.record.email} already gets {newsletter.title}."
                    message = preferences_notice(st, result.record, first)
            finally:
                st.close()
        except InputError as exc:
            failed: dict[str, object] = {"error": str(exc), "email": email, "name": name}
            failed.update(sections=sections, current=())
            return page(request, "subscribe.html", failed, 400)
        if result.action == "limited":
            response = notice(
                request,
                "Try again later",
                "Too many sign-ups from your network: try again in an hour.",
                429,
            )
            response.headers["Retry-After"] = "3600"
            return response
        if message is not None and result.record is not None:
            try:
                await send(result.record.email, message)
            except DeliveryError:
                return notice(
                    request, "Not sent", "We could not send the email: try again later.", 503
                )
        return notice(request, "Check your inbox", sent)

    async def confirm_page(request: Request) -> Response:
        st = open_state()
        try:
            token = request.query_params.get("t", "")
            nonce = confirm_nonce(secret(st), key, token)
            if nonce is None:
                return invalid(request)
            now = datetime.now(UTC)
            if request.method == "POST":
                if not own_origin(request):
                    return notice(
                        request, "Not allowed", "This form must be sent from this site.", 403
                    )
                result = confirm(st, nonce, settings=settings, now=now)
            else:
                result = check_confirmation(st, nonce, settings=settings, now=now)
            record = result.record
            prefs = (
                ("/preferences?" + onward(st, record), "Choose sections") if record else ("", "")
            )
        finally:
            st.close()
        again = ("/subscribe", "Sign up again")
        if result.outcome == "ready" and record is not None:
            return page(request, "confirm.html", {"email": record.email, "token": token})
        if result.outcome in ("confirmed", "already") and record is not None:
            text = f"{record.email} gets {newsletter.title} from the next edition."
            return notice(request, "You are subscribed", text, link=prefs)
        if result.outcome == "expired":
            text = f"This link was good for {settings.confirm_hours} hours and has expired."
            return notice(request, "Link expired", text, 410, again)
        if result.outcome == "used":
            return notice(request, "Link already used", "This link was already used.", 410, again)
        return invalid(request)

    async def unsubscribe_page(request: Request) -> Response:
        params = request.query_params
        if request.method == "GET" and "t" not in params and "e" not in params:
            return page(
                request, "unsubscribe_help.html", {"title": "How to unsubscribe", "error": ""}
            )
        body = await request.body() if request.method == "POST" else b""
        one_click = ONE_CLICK in body
        if request.method == "POST" and not one_click and not own_origin(request):
            return notice(request, "Not allowed", "This form must be sent from this site.", 403)
        st = open_state()
        try:
            link = resolve(request, st)
            if link is None:
                return invalid(request)
            record = link.record
            if request.method == "GET" and (record is None or record.status not in INACTIVE):
                return page(request, "unsubscribe.html", {"email": link.email, "query": link.query})
            if request.method == "POST":
                source = "one-click unsubscribe" if one_click else "unsubscribe page"
                unsubscribe(st, link.email, source=source, now=datetime.now(UTC))
                record = st.subscribers.get(link.email)
        finally:
            st.close()
        context = {
            "email": link.email,
            "query": link.query,
            "can_resubscribe": record is not None and record.status == "unsubscribed",
        }
        return page(request, "unsubscribed.html", context)

    async def resubscribe_page(request: Request) -> Response:
        if not own_origin(request):
            return notice(request, "Not allowed", "This form must be sent from this site.", 403)
        st = open_state()
        try:
            link = resolve(request, st)
            if link is None or link.record is None:
                return invalid(request)
            record = link.record
            resubscribe(st, record, now=datetime.now(UTC))
            record = st.subscribers.by_id(record.id) or record
        finally:
            st.close()
        prefs = ("/preferences?" + link.query, "Your preferences")
        if record.status == "active":
            text = f"Welcome back: {record.email} gets {newsletter.title} again."
            return notice(request, "Resubscribed", text, link=prefs)
        text = f"{record.email} is {record.status}: sign up again to confirm the address."
        return notice(request, "Sign up again", text, 409, ("/subscribe", "Sign up"))

    def preferences_context(
        link: Link, record: SubscriberRecord, **extra: object
    ) -> dict[str, object]:
        now = datetime.now(UTC)
        paused = record.paused_until if record.paused(now) else None
        context: dict[str, object] = {
            "email": record.email,
            "query": link.query,
            "sections": sections,
            "current": record.sections,
            "frequency": record.frequency,
            "timezone": record.timezone or "",
            "zones": zones,
            "default_zone": cfg.schedule.timezone,
            "paused_until": f"{paused:%A %d %B %Y}" if paused else "",
            "saved": False,
            "error": "",
        }
        context.update(extra)
        return context

    async def preferences_page(request: Request) -> Response:
        params = request.query_params
        if request.method == "GET" and "t" not in params and "e" not in params:
            help_page = {"title": "Your preferences", "error": ""}
            return page(request, "unsubscribe_help.html", help_page)
        if request.method == "POST" and not own_origin(request):
            return notice(request, "Not allowed", "This form must be sent from this site.", 403)
        form = {k: str(v) for k, v in (await request.form()).items()}
        st = open_state()
        try:
            link = resolve(request, st)
            if link is None:
                return invalid(request)
            record = link.record
            if record is None:
                text = f"{link.email} is not on the list of {newsletter.title}."
                return notice(request, "Not subscribed", text, 404, ("/subscribe", "Subscribe"))
            if record.status in INACTIVE:
                context: dict[str, object] = {
                    "email": record.email,
                    "query": link.query,
                    "can_resubscribe": record.status == "unsubscribed",
                }
                return page(request, "unsubscribed.html", context)
            if record.status == "pending":
                text = "Confirm your subscription first: the link is in the email we sent you."
                return notice(request, "Not confirmed yet", text)
            if request.method == "GET":
                saved = params.get("saved") == "1"
                return page(
                    request, "preferences.html", preferences_context(link, record, saved=saved)
                )
            now = datetime.now(UTC)
            action = form.get("action", "save")
            if action == "pause":
                weeks = int(form.get("weeks", "0")) if form.get("weeks", "").isdigit() else 0
                if weeks not in PAUSE_WEEKS:
                    error = "Choose how many weeks to pause."
                    return page(
                        request,
                        "preferences.html",
                        preferences_context(link, record, error=error),
                        400,
                    )
                pause(st, record, now + timedelta(weeks=weeks), now=now)
            elif action == "resume":
                pause(st, record, None, now=now)
            else:
                try:
                    picked = chosen_sections(form, record.sections)
                except InputError as exc:
                    shown = preferences_context(link, record, error=str(exc))
                    return page(request, "preferences.html", shown, 400)
                frequency = form.get("frequency", record.frequency)
                zone = form.get("timezone", record.timezone or "")
                if frequency not in FREQUENCIES or (zone and zone not in zones):
                    error = "Choose daily or weekly, and a time zone from the list."
                    return page(
                        request,
                        "preferences.html",
                        preferences_context(link, record, error=error),
                        400,
                    )
                save_preferences(
                    st, record, sections=picked, frequency=frequency, timezone=zone or None, now=now
                )
        finally:
            st.close()
        return RedirectResponse(f"/preferences?{link.query}&saved=1", 303)

    async def link_by_email(request: Request) -> Response:
        if not own_origin(request):
            return notice(request, "Not allowed", "This form must be sent from this site.", 403)
        form = {k: str(v) for k, v in (await request.form()).items()}
        email = form.get("email", "").strip()
        st = open_state()
        try:
            try:
                ok, record = link_request(
                    st, email, ip=client(request), settings=settings, now=datetime.now(UTC)
                )
            except InputError as exc:
                context = {"title": "Your preferences", "error": str(exc)}
                return page(request, "unsubscribe_help.html", context, 400)
            message = (
                preferences_notice(st, record, "Here is the link you asked for.")
                if record
                else None
            )
        finally:
            st.close()
        if not ok:
            response = notice(
                request,
                "Try again later",
                "Too many requests from your network: try again in an hour.",
                429,
            )
            response.headers["Retry-After"] = "3600"
            return response
        if message is not None and record is not None:
            try:
                await send(record.email, message)
            except DeliveryError:
                return notice(
                    request, "Not sent", "We could not send the email: try again later.", 503
                )
        text = f"If {email} is on the list, a link to its preferences is on its way."
        return notice(request, "Check your inbox", text)

    async def brand_css(request: Request) -> Response:
        css = environment.get_template("brand.css").render(brand=brand)
        return Response(css, media_type="text/css")

    return [
        Route("/subscribe", subscribe_form, methods=["GET"]),
        Route("/subscribe", subscribe, methods=["POST"]),
        Route("/confirm", confirm_page, methods=["GET", "POST"]),
        Route("/unsubscribe", unsubscribe_page, methods=["GET", "POST"]),
        Route("/resubscribe", resubscribe_page, methods=["POST"]),
        Route("/preferences", preferences_page, methods=["GET", "POST"]),
        Route("/preferences/link", link_by_email, methods=["POST"]),
        Route("/brand.css", brand_css, name="brand_css"),
    ]
