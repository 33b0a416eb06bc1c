"""How editions did, as the desk shows it: a row per edition, a small chart of the last 12
drawn on the server as SVG (the template `desk_chart.html` draws what `chart` measures), and
the clicks on each story of one edition.

The counts are `state.results`, the same queries `digest status` prints.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import tzinfo
from html import escape

from digest.models import Newsletter
from digest.state import EditionRecord, EditionResult, State
from digest.tracking import click_token
from digest.web.desk_view import when

CHART_EDITIONS = 12
MIN_SLOTS = 6  # fewer editions keep bars this wide
WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 56, 8, 24, 44


@dataclass(frozen=True)
class ResultRow:
    """One edition's counts for the tables; `waiting` are pending or scheduled recipients."""

    id: str
    made: str
    day: str
    subject: str
    kind: str
    status: str
    sent: int
    failed: int
    bounced: int
    complained: int
    unsubscribed: int
    clicks: int
    waiting: int
    reasons: tuple[tuple[str, int], ...]


def result_row(result: EditionResult, zone: tzinfo) -> ResultRow:
    record = result.record
    return ResultRow(
        id=record.id,
        made=when(record.created, zone),
        day=record.created.astimezone(zone).strftime("%d %b"),
        subject=record.subject,
        kind=record.kind,
        status="sent" if record.status == "done" else "sending",
        sent=result.sent,
        failed=result.failed,
        bounced=result.bounced,
        complained=result.complained,
        unsubscribed=result.unsubscribed,
        clicks=result.clicks,
        waiting=result.pending + result.scheduled,
        reasons=result.failed_by_reason,
    )


@dataclass(frozen=True)
class Bar:
    """One edition's bar: delivered at the bottom, failed stacked on it; a dot for clicks."""

    x: float
    width: float
    sent_y: float
    sent_h: float
    failed_y: float
    failed_h: float
    label_x: float
    label: str
    title: str
    clicks_y: float


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    right: int
    base: float
    bars: tuple[Bar, ...]
    ticks: tuple[tuple[float, str], ...]
    clicks: bool
    clicks_line: str  # SVG polyline points


def _nice(value: int) -> int:
    """The smallest of 1, 2, 5 x 10^k at or above `value` (an axis' top)."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    return int(next(step * power for step in (1, 2, 5, 10) if step * power >= value))


def chart(rows: Sequence[ResultRow], clicks: bool) -> Chart | None:
    """The last CHART_EDITIONS editions, oldest on the left; None when there are none."""
    shown = list(reversed(rows[:CHART_EDITIONS]))
    if not shown:
        return None
    top = _nice(max(max(r.sent + r.failed, r.clicks) for r in shown))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    base = TOP + plot_h
    slot = plot_w / max(len(shown), MIN_SLOTS)
    bars = []
    for n, row in enumerate(shown):
        x = LEFT + n * slot + slot * 0.2
        sent_h = plot_h * row.sent / top
        failed_h = plot_h * row.failed / top
        title = f"{row.id}: {row.sent} sent, {row.failed} failed"
        title += f", {row.clicks} clicks" if clicks else ""
        bars.append(
            Bar(
                x=round(x, 1),
                width=round(slot * 0.6, 1),
                sent_y=round(base - sent_h, 1),
                sent_h=round(sent_h, 1),
                failed_y=round(base - sent_h - failed_h, 1),
                failed_h=round(failed_h, 1),
                label_x=round(x + slot * 0.3, 1),
                label=row.day,
                title=title,
                clicks_y=round(base - plot_h * row.clicks / top, 1),
            )
        )
    ticks = tuple((round(base - plot_h * f, 1), f"{round(top * f):,}") for f in (0, 0.5, 1))
    line = " ".join(f"{b.label_x},{b.clicks_y}" for b in bars)
    return Chart(WIDTH, HEIGHT, LEFT, RIGHT, base, tuple(bars), ticks, clicks, line)


@dataclass(frozen=True)
class StoryClicks:
    """An article of a sent edition: its clicks, or `tracked` False when its link was not
    tracked (click tracking off, or an "also in" link)."""

    title: str
    source: str
    section: str
    url: str
    tracked: bool
    clicks: int


def story_clicks(
    state: State, record: EditionRecord, newsletter: Newsletter, secret: str
) -> tuple[StoryClicks, ...]:
    """The edition's articles in edition order (where the stored email first links to each;
    "also in" articles after the stories); a link was tracked when the stored edition carries
    its signed token."""
    counts = state.clicks.of(record.id)
    html = str(record.rendered.get("html", ""))
    found = []
    for key, title, source, section in state.results.articles_of(record.id):
        token = click_token(secret, newsletter, record.id, key)
        at = [i for i in (html.find(token), html.find(escape(key))) if i >= 0]
        story = StoryClicks(
            title=title,
            source=source,
            section=section,
            url=key,
            tracked=token in html,
            clicks=counts.get(key, 0),
        )
        found.append((min(at, default=len(html)), story))
    return tuple(story for _, story in sorted(found, key=lambda pair: pair[0]))
