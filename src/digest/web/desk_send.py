"""Send the approved next edition from the desk, now or at a chosen time: a confirmation page
that names the audience ("Send to 1,234 subscribers now?"), then the send itself.

Only an approved edition is sent, and only the version approved: the confirmation form names
the edition version it was made on, and the send is a versioned change that clashes with any
change since (`desk_changes`), so a second click, or a second editor's confirmation, is
refused naming the first. The edition is stored the way `digest prepare` stores it
(`pipeline.run` with approval required: nothing gathered, the approved fingerprint checked,
the quality gate, one pending delivery per recipient) inside that change's transaction; the
send then runs after the answer, in a worker thread, through `dispatch.send_pending`, the
same exactly-once loop as `digest send`. A send cut short (the server stopped) is resumed by
`digest send`, `digest worker` or the scheduler's next tick, like any unfinished edition.

A scheduled send is stored the same way at once, every recipient held in one batch until the
chosen time (as local-time delivery holds a zone's): the scheduler's tick (`digest schedule`)
or a `digest worker` queues and sends it then. The time must come before the next scheduled
run and within the edition's retry window ([delivery] retry_hours), so editions never go
out of order and a late send still gets its retries.
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from digest import dispatch, editorial, pipeline
from digest.config import Config
from digest.deliver import send_settings_from_table
from digest.errors import DigestError, InputError, QualityGateError
from digest.state import State
from digest.subscribers import wants_any
from digest.web.desk_actions import again
from digest.web.desk_changes import Conflict, Op, versioned
from digest.web.desk_view import when

if TYPE_CHECKING:
    from digest.web.editor import Desk

log = logging.getLogger("digest.desk")
NOT_APPROVED = "Only an approved edition is sent from the desk: approve it first."


def audience_size(desk: Desk, st: State) -> tuple[int, dict[str, Any]]:
    """How many subscribers the next edition goes to, and what the confirmation shows of it."""
    cfg, now = desk.cfg, desk.clock()
    built, _ = editorial.next_edition(cfg, st, now, desk.environ)
    if built is None:
        return 0, {}
    sections = built.rendered.section_names
    people = dispatch.audience(cfg, st, now).subscribers
    count = sum(s.active and s.frequency == "daily" and wants_any(s, sections) for s in people)
    approval = editorial.approval(st, built.digest)
    return count, {
        "subject": built.digest.subject,
        "stories": len(built.digest.stories),
        "edition_id": built.digest.edition_id,
        "approval": approval,
        "approved_at": when(approval.at, cfg.schedule.zone),
    }


def approved_only(cfg: Config) -> Config:
    """The config with approval required: a run stores only the approved edition, as it
    stands, and gathers nothing first."""
    return dataclasses.replace(
        cfg, schedule=dataclasses.replace(cfg.schedule, require_approval=True)
    )


class BadTime(InputError):
    """The time given to schedule a send for is not one (400, not a conflict)."""


def latest(desk: Desk, now: datetime) -> datetime:
    """The last moment a send may be scheduled for: before the next scheduled run, within
    the retry window of an edition stored now."""
    from digest.schedule import next_runs

    retry = send_settings_from_table(desk.cfg.table("delivery")).retry_hours
    limit = now + timedelta(hours=retry)
    following = next_runs(desk.cfg, now).get("daily")
    return min(limit, following) if following is not None else limit


def send_time(desk: Desk, value: str) -> datetime:
    """The form's "YYYY-MM-DDTHH:MM", on the newsletter's wall clock; InputError when it is
    not a time to schedule for."""
    zone, now = desk.cfg.schedule.zone, desk.clock()
    try:
        moment = datetime.fromisoformat(value.strip()).replace(tzinfo=zone)
    except ValueError:
        raise BadTime("Pick the date and time to send it at.") from None
    if moment <= now:
        raise BadTime(f"{when(moment, zone)} has passed: pick a later time, or send it now.")
    if moment > (limit := latest(desk, now)):
        raise BadTime(
            f"Pick a time up to {when(limit, zone)}: the next scheduled run, or the end of "
            "the edition's retry window ([delivery] retry_hours), comes then."
        )
    return moment


def send_routes(desk: Desk) -> list[Route]:
    async def confirm(request: Request) -> Response:
        signed = desk.signed_in(request)
        if isinstance(signed, Response):
            return signed

        def gather() -> dict[str, Any]:
            with desk.state() as st:
                count, shown = audience_size(desk, st)
                now, zone = desk.clock(), desk.cfg.schedule.zone
                return {
                    **shown,
                    "count": count,
                    "edition_version": st.versions.current(),
                    "zone": desk.cfg.schedule.timezone,
                    "local_at": desk.cfg.schedule.deliver_at_local or "",
                    "earliest": now.astimezone(zone).strftime("%Y-%m-%dT%H:%M"),
                    "latest": latest(desk, now).astimezone(zone).strftime("%Y-%m-%dT%H:%M"),
                }

        context = await run_in_threadpool(gather)
        if not context.get("subject"):
            text = "Nothing to send: no story waits for the next edition."
            return desk.refuse(request, 409, "Nothing to send", text)
        if context["approval"].status != "approved":
            return desk.refuse(request, 409, "Not approved", NOT_APPROVED)
        context.update(title="Send the next edition", nav="next")
        return desk.page(request, "desk_send.html", context)

    def prepare(st: State, editor: str, at: datetime | None) -> tuple[str, str]:
        """Store the approved edition with its recipients pending, or held until `at`: (its
        id, the result)."""
        count, shown = audience_size(desk, st)
        if not shown:
            raise InputError("Nothing to send: no story waits for the next edition.")
        if shown["approval"].status != "approved":
            raise InputError(NOT_APPROVED)
        options = pipeline.RunOptions(prepare_only=True, send_at=at)
        report = pipeline.run(
            approved_only(desk.cfg), st, desk.clock(), desk.environ, options=options
        )
        if not report.prepared or report.edition_id is None:
            raise InputError("Not sent: " + "; ".join(report.notes or ("nothing was stored",)))
        waiting = report.pending + report.scheduled
        log.info("desk send of %s by %s to %d at %s", report.edition_id, editor, waiting, at)
        people = f"{count:,} subscriber{'' if count == 1 else 's'}"
        if at is None:
            return report.edition_id, f"Sending “{shown['subject']}” to {people}, by {editor}."
        moment = f"{when(at, desk.cfg.schedule.zone)} ({desk.cfg.schedule.timezone})"
        text = f"Scheduled “{shown['subject']}” for {moment}, to {people}, by {editor}."
        return report.edition_id, text

    def deliver(edition_id: str) -> None:
        """After the answer: the send loop of `digest send`, on this edition."""
        try:
            with desk.state() as st:
                report = dispatch.send_pending(
                    desk.cfg, st, desk.clock(), desk.environ, edition_id=edition_id
                )
        except (DigestError, OSError) as exc:  # `digest send` or the scheduler goes on with it
            log.warning("desk send of %s stopped: %s", edition_id, exc)
            return
        log.info(
            "desk send of %s: %d sent, %d failed, %d pending",
            edition_id,
            report.sent,
            report.failed,
            report.pending,
        )

    async def send(request: Request) -> Response:
        checked = await desk.guarded(request)
        if isinstance(checked, Response):
            return checked
        editor, form = checked
        scheduled = request.url.path.endswith("/schedule")

        def run() -> tuple[str, str]:
            stored: list[str] = []
            at = send_time(desk, form.get("at", "")) if scheduled else None
            with desk.state() as st:

                def change() -> str:
                    edition_id, text = prepare(st, editor, at)
                    stored.append(edition_id)
                    return text

                text = versioned(st, Op("send", "decision"), form, editor, desk.clock, change)
            return stored[0], text

        try:
            edition_id, text = await run_in_threadpool(run)
        except BadTime as exc:
            return await again(desk, request, form, str(exc), 400)
        except (Conflict, InputError) as exc:
            return await again(desk, request, form, str(exc), 409)
        except QualityGateError as exc:  # the desk does not force it: `digest run --force` can
            return await again(desk, request, form, f"Not sent: {exc}", 422)
        except DigestError as exc:
            return await again(desk, request, form, f"Not sent: {exc}", 503)
        desk.flash(request, text)
        later = None if scheduled else BackgroundTask(deliver, edition_id)
        return RedirectResponse(f"/editions/{edition_id}", 303, background=later)

    return [
        Route("/editions/next/send", confirm, methods=["GET"]),
        Route("/editions/next/send", send, methods=["POST"]),
        Route("/editions/next/schedule", send, methods=["POST"]),
    ]
