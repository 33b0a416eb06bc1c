"""`digest summarize` and `digest extract`: one document in, one JSON object out, no state;
`digest summarize --refresh` summarizes the stored articles again on purpose."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from digest.cli.output import Context, now_utc, opened_state, print_problems, read_text


@click.command(short_help="Summarize articles as JSON, or --refresh.")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--jsonl",
    "jsonl",
    type=click.Path(dir_okay=False, path_type=Path),
    help='Read {"id","text","title"?} lines; write {"id","headline","section","key_points"}.',
)
@click.option(
    "--refresh",
    is_flag=True,
    help="Summarize again the next edition's articles whose stored summary another "
    "summarizer or other [summarize] settings made.",
)
@click.option("--all", "everything", is_flag=True, help="With --refresh: every article again.")
@click.option("--weekly", is_flag=True, help="With --refresh: the weekly edition's articles.")
@click.pass_obj
def summarize(
    obj: Context,
    files: tuple[Path, ...],
    jsonl: Path | None,
    refresh: bool,
    everything: bool,
    weekly: bool,
) -> None:
    """Summarize articles: one JSON object per file (text, HTML or Markdown).

    With --refresh, summarize again the stored articles waiting for the next edition whose
    summary was made by another summarizer, model or settings (an LLM's fallbacks included):
    what to run after changing [summarize]. Builds never do it by themselves.

    \b
    Examples:
      digest summarize article.txt
      digest summarize --jsonl stories.jsonl > summaries.jsonl
      digest summarize --refresh
    """
    import json

    from digest.summarize import summarize_document, summarize_jsonl

    if refresh:
        if files or jsonl:
            raise click.UsageError("--refresh takes no FILE or --jsonl")
        refresh_stored(obj, everything=everything, weekly=weekly)
        return
    if everything or weekly:
        raise click.UsageError("--all and --weekly go with --refresh")
    if bool(files) == bool(jsonl):
        raise click.UsageError("give FILE... or --jsonl IN.jsonl (one of them), or --refresh")
    if jsonl is not None:
        with read_text(jsonl).open(encoding="utf-8") as lines:
            for record in summarize_jsonl(lines, name=str(jsonl)):
                sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        return
    for file in files:
        text = read_text(file).read_text(encoding="utf-8", errors="replace")
        summary = summarize_document(text, fmt=document_format(file, text))
        record = {
            "headline": summary.headline,
            "section": summary.section,
            "key_points": list(summary.key_points),
        }
        click.echo(json.dumps(record, ensure_ascii=False))


def refresh_stored(obj: Context, *, everything: bool, weekly: bool) -> None:
    """`digest summarize --refresh`: what was summarized again, and why any fell back."""
    import os

    from digest import editorial

    cfg = obj.config
    kind = "weekly" if weekly else "daily"
    with opened_state(cfg) as state:
        done = editorial.resummarize(cfg, state, now_utc(), os.environ, kind, everything=everything)
    if not done.waiting:
        click.echo(f"no article waits for the next {kind} edition")
        return
    if not done.articles:
        click.echo(f"every summary of the next {kind} edition is the configured summarizer's")
        return
    click.echo(
        f"summarized {done.articles} article(s) of the next {kind} edition again: "
        f"{done.current} by the configured summarizer"
    )
    for note in done.notes:
        click.echo(f"  fell back: {note}")
    print_problems(done.problems)


def document_format(file: Path, text: str) -> Any:
    suffix = file.suffix.lower()
    if suffix in (".html", ".htm") or text.lstrip()[:15].lower().startswith(("<!doctype", "<html")):
        return "html"
    if suffix in (".md", ".markdown"):
        return "markdown"
    return "text"


@click.command(short_help="Extract the main article of pages as JSON.")
@click.argument("targets", nargs=-1, required=True)
def extract(targets: tuple[str, ...]) -> None:
    """Extract the main article of pages: JSON with title, section, published, url, text.

    \b
    Example:
      digest extract examples/sources/world-putin-call.html
    """
    import json

    from digest.gather import extract_page

    for target in targets:
        content_type = None
        if target.startswith(("http://", "https://")):
            content, url, content_type = fetch_url(target)
        else:
            content, url = read_text(Path(target)).read_bytes(), None
        article = extract_page(content, url=url, source=target, content_type=content_type)
        record = {
            "title": article.title,
            "section": article.section,
            "published": article.published.isoformat() if article.published else None,
            "url": article.url,
            "text": article.text,
        }
        click.echo(json.dumps(record, ensure_ascii=False))


def fetch_url(url: str) -> tuple[bytes, str, str | None]:
    """One GET with the gatherer's limits (size cap, redirects, retries on transients): the
    body, the final URL and the Content-Type (its charset decodes the page)."""
    import asyncio

    from digest.gather import Fetcher, FetchSettings, new_client

    async def get() -> tuple[bytes, str, str | None]:
        settings = FetchSettings()
        async with new_client(settings) as client:
            fetched = await Fetcher(client, settings).fetch(url)
        return fetched.body, fetched.url, fetched.content_type

    return asyncio.run(get())
