"""`digest status`: the next run of each kind of edition, recent editions and their delivery
counts, source health, editions waiting for approval; `--json` prints the same for scripts."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

import click

from digest.cli.output import Context, console, new_table, now_utc, opened_state, styled

if TYPE_CHECKING:
    from digest.config import Config
    from digest.state import State


def _time(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def collect(cfg: Config, state: State, now: datetime) -> dict[str, Any]:
    """Everything `digest status` shows, as JSON-ready data."""
    from digest.schedule import next_runs

    zone = cfg.schedule.zone
    schedule = cfg.schedule
    crons = schedule.crons
    editions = []
    for result in state.results.recent(20):  # the editor's desk shows the same counts
        record = result.record
        editions.append(
            {
                "id": record.id,
                "kind": record.kind,
                "created": _time(record.created),
                "stories": record.stories,
                "status": record.status,
                "sent": result.sent,
                "failed": result.failed,
                "pending": result.pending,
                "bounced": result.bounced,
                "complained": result.complained,
                "unsubscribed": result.unsubscribed,
                "scheduled": result.scheduled,
            }
        )
    health = state.sources.health()
    sources = []
    for source in cfg.sources:
        seen = health.get(source.name)
        sources.append(
            {
                "name": source.name,
                "status": seen.status if seen else "never gathered",
                "articles": seen.articles if seen else None,
                "checked_at": _time(seen.checked_at) if seen else None,
                "last_ok_at": _time(seen.last_ok_at) if seen else None,
                "error": seen.error if seen else None,
            }
        )
    return {
        "schedule": {
            "timezone": schedule.timezone,
            "next": {
                kind: {
                    "cron": crons[kind],
                    "local": moment.astimezone(zone).isoformat(),
                    "utc": moment.isoformat(),
                }
                for kind, moment in next_runs(cfg, now).items()
            },
            "deliver_at_local": schedule.deliver_at_local,
            "next_local_delivery": _time(state.batches.next_send()),
            "require_approval": schedule.require_approval,
            "approval_deadline": str(schedule.approval_deadline)
            if schedule.approval_deadline
            else None,
            "on_deadline": schedule.on_deadline,
            "scheduler_started": _time(state.firings.last_start()),
        },
        "editions": editions,
        "sources": sources,
        "approvals": [
            {
                "kind": f.kind,
                "slot": f.slot,
                "due": _time(f.due),
                "deadline": _time(f.deadline),
                "at_deadline": schedule.on_deadline if f.deadline else None,
                "note": f.note,
            }
            for f in state.firings.waiting()
        ],
        "decisions": [
            {"kind": f.kind, "slot": f.slot, "decision": f.decision, "edition": f.edition_id}
            for f in state.firings.decisions(10)
        ],
        "firings": [
            {
                "kind": f.kind,
                "slot": f.slot,
                "status": f.status,
                "edition": f.edition_id,
                "note": f.note,
            }
            for f in state.firings.recent(10)
        ],
        "provider": cfg.provider,
    }


def _short(value: str | None) -> str:
    """An ISO time as YYYY-MM-DD HH:MM (with its offset dropped), or an empty cell."""
    return value[:16].replace("T", " ") if value else ""


def _brief(value: str | None, year: str) -> str:
    """An ISO time in 11 characters for a narrow column: MM-DD HH:MM in `year`, else the date
    (`--json` has the whole time)."""
    if not value:
        return ""
    return value[5:16].replace("T", " ") if value.startswith(year) else value[:10]


def show(data: dict[str, Any], now: datetime) -> None:
    """Tables that fit 80 columns; the edition's kind shows in its id (YYYY-MM-DD or
    YYYY-Www), and bounces and complaints share a column."""
    year = f"{now.year:04d}-"
    schedule = data["schedule"]
    table = new_table(
        f"Schedule ({schedule['timezone']})", ("edition", "cron", "next (local)", "next (UTC)")
    )
    for kind, run in schedule["next"].items():
        table.add_row(kind, run["cron"], _short(run["local"]), _short(run["utc"]))
    console.print(table)
    if schedule["deliver_at_local"]:
        later = schedule["next_local_delivery"]
        console.print(
            f"delivery at {schedule['deliver_at_local']} in each subscriber's zone; "
            f"next batch: {_short(later) + ' UTC' if later else 'none waiting'}"
        )
    sources = new_table(
        "Sources (last gather)", ("source", "status", "articles", "checked", "last ok", "error")
    )
    for source in data["sources"]:
        if source["checked_at"] is None:
            sources.add_row(source["name"], "never gathered", "", "", "", "")
            continue
        style = "red" if source["status"] == "error" else "green"
        sources.add_row(
            source["name"],
            styled(source["status"], style),
            str(source["articles"]),
            _brief(source["checked_at"], year),
            _brief(source["last_ok_at"], year) or "never",
            source["error"] or "",
        )
    console.print(sources)
    columns = ("edition", "created", "stories", "status", "sent", "failed", "pending")
    editions = new_table("Editions", (*columns, "bounced", "complaints"), fold=False)
    for e in data["editions"]:
        pending = str(e["pending"] + e["scheduled"])
        editions.add_row(
            e["id"],
            _brief(e["created"], year),
            str(e["stories"]),
            e["status"],
            *(str(e[k]) for k in ("sent", "failed")),
            pending,
            str(e["bounced"]),
            str(e["complained"]),
        )
    console.print(editions)
    if data["approvals"]:
        waiting = new_table("Waiting for approval", ("edition", "due", "deadline", "then"))
        for a in data["approvals"]:
            then = a["at_deadline"] or "waits for the next firing"
            waiting.add_row(a["kind"], _short(a["due"]), _short(a["deadline"]) or "none", then)
        console.print(waiting)
    if data["decisions"]:
        decided = new_table("Decided at the approval deadline", ("edition", "due", "decision"))
        for d in data["decisions"]:
            decided.add_row(d["edition"] or d["kind"], d["slot"].replace("T", " "), d["decision"])
        console.print(decided)
    console.print(f"sources: {len(data['sources'])}; provider: {data['provider']}")


@click.command(short_help="Show schedule, editions, sources, approvals.")
@click.option("--json", "as_json", is_flag=True, help="Print the same as one JSON object.")
@click.pass_obj
def status(obj: Context, as_json: bool) -> None:
    """Show the next run of each kind of edition (local time and UTC), recent editions with
    their delivery counts, each source's last gather, and editions waiting for approval.

    \b
    Example:
      digest status --json
    """
    cfg = obj.config
    now = now_utc()
    with opened_state(cfg) as state:
        data = collect(cfg, state, now)
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    show(data, now)
