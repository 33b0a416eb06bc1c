"""What the desk's forms do to the next edition: story choices, splits and merges of stories,
rewrites, subject and intro, a test send, approve or hold, summarize again with the configured
summarizer, gather now.

Each action is library code (`digest.editorial`, the state's editorial store: the same that
`digest edit` uses) run in a worker thread. A done action answers 303 back to the page with a
one-line result shown once; a refused one shows the page again with the reason, 4xx (a value
no form of the desk sends, such as an unknown story or action, is a plain 400 page).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from digest import editorial
from digest.errors import DeliveryError, DigestError, InputError, PermanentDeliveryError
from digest.models import Digest
from digest.render import cut
from digest.state import Action, State
from digest.web.desk_changes import (
    Conflict,
    Op,
    fixed_op,
    rewrite_op,
    seen_version,
    story_op,
    versioned,
)
from digest.web.desk_pages import VIEWS, dashboard_context, next_context

if TYPE_CHECKING:
    from digest.web.editor import Desk

CHOICES: dict[str, Action | None] = {"drop": "drop", "restore": None, "pin": "pin", "unpin": None}
DONE = {
    "drop": "Dropped “{}”.",
    "restore": "“{}” is back in the running.",
    "pin": "Pinned “{}”: it stays in and goes on top.",
    "unpin": "Unpinned “{}”.",
    "up": "Moved “{}” up.",
    "down": "Moved “{}” down.",
    "top": "“{}” now leads the edition.",
}


POST: dict[str, Any] = {"methods": ["POST"]}
log = logging.getLogger("digest.desk")


class Refused(Exception):
    """A request no desk form sends: answered with a plain 400 page."""


def back(desk: Desk, request: Request, form: dict[str, str], text: str) -> Response:
    """303 back to the page the form came from, with the one-line result shown once."""
    desk.flash(request, text)
    if form.get("return") == "/":
        return RedirectResponse("/", 303)
    view = form.get("view", "")
    query = "?" + urlencode({"view": view}) if view in dict(VIEWS) else ""
    return RedirectResponse(f"/editions/next{query}", 303)


async def again(
    desk: Desk, request: Request, form: dict[str, str], error: str, status: int
) -> Response:
    """The page the form came from, with the reason it was refused."""

    def gather() -> dict[str, Any]:
        with desk.state() as st:
            if form.get("return") == "/":
                return dashboard_context(desk, st)
            return next_context(desk, st, form.get("view", "desktop"), "")

    context = await run_in_threadpool(gather)
    name = "desk_dashboard.html" if form.get("return") == "/" else "desk_next.html"
    title = desk.cfg.newsletter.title if form.get("return") == "/" else "Next edition"
    context.update(title=title, test_to=form.get("email", ""), add_url=form.get("url", ""))
    return desk.page(request, name, context, status, error=error)


def action_routes(desk: Desk) -> list[Route]:
    def acting(
        do: Callable[[State, str, dict[str, str]], str],
        op: Callable[[dict[str, str]], Op] | None = None,
    ) -> Callable[[Request], Any]:
        """A POST handler around `do(state, editor, form) -> the result to show`; with `op`,
        a versioned change of the next edition (`desk_changes`)."""

        async def handler(request: Request) -> Response:
            checked = await desk.guarded(request)
            if isinstance(checked, Response):
                return checked
            editor, form = checked

            def run() -> str:
                with desk.state() as st:
                    if op is None:
                        return do(st, editor, form)
                    return versioned(
                        st, op(form), form, editor, desk.clock, lambda: do(st, editor, form)
                    )

            try:
                text = await run_in_threadpool(run)
            except Refused as exc:
                return desk.refuse(request, 400, "Not done", str(exc))
            except Conflict as exc:
                return await again(desk, request, form, str(exc), 409)
            except InputError as exc:
                return await again(desk, request, form, str(exc), 400)
            except PermanentDeliveryError as exc:  # the address, not the provider
                return await again(desk, request, form, str(exc), 400)
            except DeliveryError as exc:
                return await again(desk, request, form, str(exc), 502)
            except DigestError as exc:
                return await again(desk, request, form, f"Not done: {exc}", 503)
            if form.get("email"):
                request.session["test_to"] = form["email"]
            return back(desk, request, form, text)

        return handler

    def waiting(st: State, key: str) -> str:
        """The key of an article that may still go into the next edition."""
        cfg = desk.cfg
        if not key or not st.articles.is_waiting(key, desk.clock(), cfg.newsletter.lookback_hours):
            raise Refused("That is not a story waiting for the next edition.")
        return key

    def built(st: State) -> Digest | None:
        found, _ = editorial.next_edition(desk.cfg, st, desk.clock(), desk.environ)
        return found.digest if found else None

    def title(st: State, key: str, digest: Digest | None) -> str:
        """The story's headline as the edition shows it, else its article's title."""
        stories = digest.stories if digest else ()
        headline = next((s.headline for s in stories if s.article_key == key), None)
        if headline is None:
            waiting = st.articles.unsent(desk.clock(), desk.cfg.newsletter.lookback_hours)
            headline = next((a.title for a in waiting if a.key == key), key)
        return cut(headline, desk.headline_chars)

    def story(st: State, editor: str, form: dict[str, str]) -> str:
        action, key = form.get("action", ""), waiting(st, form.get("key", ""))
        if action not in DONE:
            raise Refused("The action must be one of: " + ", ".join(DONE) + ".")
        digest = built(st)
        headline = title(st, key, digest)
        if action in CHOICES:
            st.editorial.choose(key, CHOICES[action], desk.clock())
        elif digest is None or not editorial.move(
            st, digest, key, editorial.PLACES[action], desk.clock()
        ):
            raise InputError(f"“{headline}” cannot move {action} from where it is.")
        after = built(st)
        subject = (
            f" Subject: {after.subject}"
            if after and digest and after.subject != digest.subject
            else ""
        )
        return DONE[action].format(headline) + subject

    def group(st: State, editor: str, form: dict[str, str]) -> str:
        """Split an article off its story, or merge a story into another (this edition)."""
        action, key = form.get("action", ""), waiting(st, form.get("key", ""))
        digest = built(st)
        if action == "separate":
            st.groups.separate(key, desk.clock())
            return f"Split “{title(st, key, digest)}” off: it is a story of its own."
        if action != "merge":
            raise Refused("The action must be one of: separate, merge.")
        into = waiting(st, form.get("into", ""))
        if into == key:
            raise InputError("Choose another story to merge this one into.")
        st.groups.merge(key, into, desk.clock())
        return f"Merged “{title(st, key, digest)}” into “{title(st, into, digest)}”."

    def rewrite(st: State, editor: str, form: dict[str, str]) -> str:
        key = waiting(st, form.get("key", ""))
        if form.get("action") == "reset":
            st.editorial.edit_story(key, headline=None, key_points=None, now=desk.clock())
            return f"“{title(st, key, built(st))}” has the summarizer's words again."
        points = form.get("points", "").splitlines()
        editorial.rewrite(st, key, form.get("headline", ""), points, desk.clock())
        return f"Saved “{title(st, key, built(st))}”."

    def subject(st: State, editor: str, form: dict[str, str]) -> str:
        text = "" if form.get("action") == "reset" else form.get("subject", "")
        before = built(st)
        automatic = st.editorial.subject() is None
        if automatic and before is not None and " ".join(text.split()) == before.subject:
            return f"Subject unchanged (automatic): {before.subject}"
        editorial.set_subject(st, text, desk.clock())
        digest = built(st)
        shown = digest.subject if digest else ""
        return f"Subject saved: {shown}" if text.strip() else f"Subject is automatic: {shown}"

    def intro(st: State, editor: str, form: dict[str, str]) -> str:
        editorial.set_intro(st, form.get("intro", ""), desk.clock())
        return "Intro saved." if form.get("intro", "").strip() else "Intro removed."

    def test(st: State, editor: str, form: dict[str, str]) -> str:
        address = form.get("email", "").strip()
        if not address:
            raise InputError("Give the address to send the test to.")
        try:
            sent = editorial.send_test(
                desk.cfg, st, desk.environ, address, desk.clock(), gather_first=False
            )
        except (InputError, DeliveryError) as exc:
            raise type(exc)(f"Test not sent: {exc}") from exc
        if sent is None:
            raise InputError("Nothing to send: no story waits for the next edition.")
        log.info("desk test send by %s: %s", editor, sent)  # who sent which test
        return f"{sent[0].upper()}{sent[1:]}, by {editor}."

    def approve(st: State, editor: str, form: dict[str, str]) -> str:
        seen, version = form.get("seen") or None, seen_version(form)
        digest = editorial.approve(
            desk.cfg, st, desk.clock(), desk.environ, editor=editor, seen=seen, version=version
        )
        if digest is None:
            raise InputError("Nothing to approve: no story waits for the next edition.")
        return f"Approved version {version}: “{digest.subject}” ({len(digest.stories)} stories)."

    def hold(st: State, editor: str, form: dict[str, str]) -> str:
        digest = editorial.hold(
            desk.cfg, st, desk.clock(), desk.environ, editor=editor, version=seen_version(form)
        )
        if digest is None:
            raise InputError("Nothing to hold: no story waits for the next edition.")
        return "Held: it will not go out until it is approved."

    def resummarize(st: State, editor: str, form: dict[str, str]) -> str:
        done = editorial.resummarize(desk.cfg, st, desk.clock(), desk.environ)
        if not done.articles:
            return "Every summary is already the configured summarizer's."
        text = f"Summarized {done.articles} again: {done.current} by the configured summarizer"
        return text + (f"; fell back: {'; '.join(done.notes)}." if done.notes else ".")

    def gather(st: State, editor: str, form: dict[str, str]) -> str:
        from digest import pipeline

        settings = pipeline.stage_settings(desk.cfg)
        result = pipeline.gather(desk.cfg, st, settings, desk.clock(), environ=desk.environ)
        failed = [s.name for s in result.statuses if s.status == "error"]
        text = f"Gathered {len(result.articles)} article(s) from {len(result.statuses)} source(s)"
        return text + (f"; failed: {', '.join(failed)}." if failed else ".")

    return [
        Route("/editions/next/stories", acting(story, story_op), methods=["POST"]),
        Route("/editions/next/story", acting(rewrite, rewrite_op), methods=["POST"]),
        Route("/editions/next/group", acting(group), methods=["POST"]),
        Route("/editions/next/subject", acting(subject, fixed_op("subject", "subject")), **POST),
        Route("/editions/next/intro", acting(intro, fixed_op("intro", "intro")), **POST),
        Route("/editions/next/test", acting(test), methods=["POST"]),
        Route("/editions/next/approve", acting(approve, fixed_op("approve", "decision")), **POST),
        Route("/editions/next/hold", acting(hold, fixed_op("hold", "decision")), **POST),
        Route("/editions/next/summaries", acting(resummarize), methods=["POST"]),
        Route("/gather", acting(gather), methods=["POST"]),
    ]
