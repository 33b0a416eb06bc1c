"""A subscriber's preferences: name, sections, how often (only where a weekly edition exists),
time zone, pause, a new address (confirmed at that address), and the preferences link by email.

The weekly choice is offered only when `[schedule] weekly_cron` makes a weekly edition; a
reader who chose weekly before it was removed gets the daily edition (see the audience). An
address from the publisher's own CSV list is not changed here: the next import would bring the
old one back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from digest.errors import InputError
from digest.state import State, SubscriberRecord
from digest.subscribers import (
    FREQUENCIES,
    INACTIVE,
    address_change,
    address_token,
    change_address,
    link_request,
    moved_address,
    pause,
    save_preferences,
)
from digest.web.notices import Notice
from digest.web.subscriber_site import Link, Mail, SubscriberSite

PAUSE_WEEKS = (1, 2, 4, 8)
# Subscribers not from an imported list: signed up on the web, or added with the CLI.
OWN_ADDRESSES = ("web", "operator")


def chosen_sections(form: Mapping[str, str], sections: Sequence[str]) -> tuple[str, ...]:
    """The form's choice: () is "everything"; ticking nothing under "only" is an error."""
    ticked = tuple(s for s in sections if form.get(f"s:{s}"))
    choice = form.get("choice") or ("pick" if ticked else "")
    if choice == "everything":
        return ()
    if choice == "pick" and ticked:
        return ticked
    raise InputError("Tick at least one section, or choose Everything.")


class PreferencesPages:
    """The preferences routes over one `SubscriberSite`."""

    def __init__(self, site: SubscriberSite) -> None:
        self.site = site

    def routes(self) -> list[Route]:
        return [
            Route("/preferences", self.preferences_page, methods=["GET", "POST"]),
            Route("/preferences/link", self.link_by_email, methods=["POST"]),
            Route("/preferences/address", self.address_page, methods=["GET", "POST"]),
        ]

    @staticmethod
    def from_csv(record: SubscriberRecord) -> bool:
        """The address comes from an imported list (its origin is the list's name)."""
        return record.origin not in OWN_ADDRESSES

    def context(self, link: Link, record: SubscriberRecord, **extra: object) -> dict[str, object]:
        site = self.site
        now = datetime.now(UTC)
        paused = record.paused_until if record.paused(now) else None
        context: dict[str, object] = {
            "email": record.email,
            "name": record.name,
            "query": link.query,
            "sections": site.sections,
            "current": record.sections,
            "frequency": record.frequency,
            "weekly_offered": site.weekly_offered,
            "timezone": record.timezone or "",
            "zones": site.zones,
            "default_zone": site.cfg.schedule.timezone,
            "paused_until": f"{paused:%A %d %B %Y}" if paused else "",
            "address_locked": self.from_csv(record),
            "saved": False,
            "error": "",
        }
        context.update(extra)
        return context

    async def preferences_page(self, request: Request) -> Response:
        site = self.site
        params = request.query_params
        if request.method == "GET" and "t" not in params and "e" not in params:
            help_page = {"title": "Your preferences", "error": ""}
            return site.page(request, "unsubscribe_help.html", help_page)
        form: dict[str, str] = {}
        if request.method == "POST":
            if not site.own_origin(request):
                return site.refused(request)
            read = await site.form(request)
            if read is None:
                return site.unreadable(request)
            form = read
        answer: list[Mail] = []

        def work(state: State) -> Response:
            link = site.resolve(params, state)
            if link is None:
                return site.invalid(request)
            record = link.record
            if record is None:
                text = f"{link.email} is not on the list of {site.newsletter.title}."
                return site.notice(
                    request, "Not subscribed", text, 404, ("/subscribe", "Subscribe")
                )
            if record.status in INACTIVE:
                context: dict[str, object] = {
                    "email": record.email,
                    "query": link.query,
                    "can_resubscribe": record.status == "unsubscribed",
                }
                return site.page(request, "unsubscribed.html", context)
            if record.status == "pending":
                text = "Confirm your subscription first: the link is in the email we sent you."
                return site.notice(request, "Not confirmed yet", text)
            if request.method == "GET":
                shown = self.context(link, record, saved=params.get("saved") == "1")
                return site.page(request, "preferences.html", shown)
            return self.change(request, state, link, record, form, answer)

        response = await site.in_thread(work)
        return site.mail_after(response, answer[0] if answer else None)

    def change(
        self,
        request: Request,
        state: State,
        link: Link,
        record: SubscriberRecord,
        form: Mapping[str, str],
        mail: list[Mail],
    ) -> Response:
        """Apply one preferences form: pause, resume, a new address, or the saved choices."""
        site = self.site
        now = datetime.now(UTC)
        action = form.get("action", "save")

        def again(error: str) -> Response:
            shown = self.context(link, record, error=error)
            return site.page(request, "preferences.html", shown, 400)

        if action == "pause":
            weeks = int(form.get("weeks", "0")) if form.get("weeks", "").isdigit() else 0
            if weeks not in PAUSE_WEEKS:
                return again("Choose how many weeks to pause.")
            pause(state, record, now + timedelta(weeks=weeks), now=now)
        elif action == "resume":
            pause(state, record, None, now=now)
        elif action == "address":
            if self.from_csv(record):
                return again("Your address comes from the publisher's list: reply to an edition.")
            try:
                address = moved_address(state, record, form.get("new_email", ""))
            except InputError as exc:
                return again(str(exc))
            mail.append((address, self.address_notice(state, record, address)))
            text = (
                f"We sent a link to {address}. Your address changes when you follow it; "
                f"until then {site.newsletter.title} goes to {record.email}."
            )
            return site.notice(request, "Check your new inbox", text)
        else:
            try:
                picked = chosen_sections(form, site.sections)
            except InputError as exc:
                return again(str(exc))
            frequency = form.get("frequency", record.frequency)
            offered = FREQUENCIES if site.weekly_offered else ("daily", record.frequency)
            zone = form.get("timezone", record.timezone or "")
            if frequency not in offered or (zone and zone not in site.zones):
                return again("Choose how often from the list, and a time zone from the list.")
            name = form.get("name", record.name)
            if len(name) > 80:
                return again("A name of at most 80 characters, please.")
            save_preferences(
                state, record, sections=picked, frequency=frequency, timezone=zone or None,
                now=now, name=name,
            )  # fmt: skip
        return RedirectResponse(f"/preferences?{link.query}&saved=1", 303)

    def address_notice(self, state: State, record: SubscriberRecord, address: str) -> Notice:
        site = self.site
        token = address_token(site.secret(state), site.key, record.uid, address)
        title = site.newsletter.title
        return site.confirm_notice(
            "address-change",
            f"Confirm your new address for {title}",
            f"Someone, we hope you, asked to move {title} from {record.email} to this address.",
            "Use this address",
            f"/preferences/address?t={token}",
            "ask for this",
        )

    async def address_page(self, request: Request) -> Response:
        site = self.site
        post = request.method == "POST"
        if post and not site.own_origin(request):
            return site.refused(request)
        token = request.query_params.get("t", "")

        def work(state: State) -> Response:
            max_age = site.settings.confirm_hours * 3600
            found = address_change(site.secret(state), site.key, token, max_age)
            record = state.subscribers.by_uid(found[0]) if found else None
            if found is None or record is None or record.status in INACTIVE:
                return site.invalid(request)
            if not post:
                context = {"email": record.email, "new_email": found[1], "token": token}
                return site.page(request, "address.html", context)
            try:
                address = change_address(state, record, found[1], now=datetime.now(UTC))
            except InputError as exc:
                return site.notice(request, "Not changed", str(exc), 409, role="alert")
            moved = state.subscribers.by_id(record.id) or record
            prefs = ("/preferences?" + site.onward(state, moved), "Your preferences")
            text = f"{site.newsletter.title} goes to {address} from now on."
            return site.notice(request, "Address changed", text, link=prefs)

        return await site.in_thread(work)

    async def link_by_email(self, request: Request) -> Response:
        site = self.site
        if not site.own_origin(request):
            return site.refused(request)
        form = await site.form(request)
        if form is None:
            return site.unreadable(request)
        email = form.get("email", "").strip()
        client = site.client(request)

        def work(state: State) -> tuple[bool, Mail | None]:
            ok, record = link_request(
                state, email, ip=client, settings=site.settings, now=datetime.now(UTC)
            )
            if record is None:
                return ok, None
            notice = site.preferences_notice(state, record, "Here is the link you asked for.")
            return ok, (record.email, notice)

        try:
            ok, mail = await site.in_thread(work)
        except InputError as exc:
            context = {"title": "Your preferences", "error": str(exc)}
            return site.page(request, "unsubscribe_help.html", context, 400)
        if not ok:
            return site.too_many(request)
        text = f"If {email} is on the list, a link to its preferences is on its way."
        return site.mail_after(site.notice(request, "Check your inbox", text), mail)
