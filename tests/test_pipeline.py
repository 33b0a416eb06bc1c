"""End to end: `digest run` on the bundled sources into a temporary outbox, .eml parsed back."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest

from digest import dispatch, pipeline
from digest.config import Config, load_config
from digest.editions import fingerprint, store_edition
from digest.editorial import approve
from digest.errors import ConfigError, QualityGateError, StateError
from digest.state import State, open_state
from digest.state.lock import exclusive
from digest.subscribers import load_subscribers

NOW = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)
HEADLINE = "Rosenberg: Trump-Putin Call Viewed as a Win in Russia"
CHROME = (
    "Would you like any refinements to this version?",
    "Leave A Comment",
    "Live Tv",
    "Subscribe to our newsletter to stay",
)


WEEKLY = {"DIGEST_SCHEDULE__WEEKLY_CRON": "0 7 * * mon"}  # a weekly edition is configured


def setup(project: Path, environ: dict[str, str] | None = None) -> tuple[Config, State]:
    cfg = load_config(project / "config.toml", environ or {})
    return cfg, open_state(cfg.state_database)


def parse(path: Path) -> EmailMessage:
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def test_run_delivers_one_valid_message_per_active_subscriber(project: Path) -> None:
    cfg, state = setup(project)
    report = pipeline.run(cfg, state, NOW, {})
    assert report.edition_id == "2026-11-27"
    assert report.sent == 3 and report.failed == 0
    assert report.stories >= 7
    folder = project / "outbox"
    files = sorted(folder.glob("2026-11-27--*.eml"))
    recipients = set()
    for file in files:
        message = parse(file)
        for header in ("From", "To", "Subject", "Date", "Message-ID", "List-Unsubscribe"):
            assert message[header], f"{file.name} lacks {header}"
        assert message.get_content_type() == "multipart/alternative"
        parts = [part.get_content_type() for part in message.iter_parts()]
        assert parts == ["text/plain", "text/html"]
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        assert HEADLINE in text
        assert HEADLINE in html
        for line in CHROME:
            assert line not in text and line not in html
        recipients.add(str(message["To"]))
    assert len(files) == 3
    assert str(parse(files[0])["Subject"]).startswith(HEADLINE)  # the fullest story leads
    assert {r.split("<")[-1].rstrip(">") for r in recipients} == {
        "ada@example.com",
        "grace@example.com",
        "linus@example.org",
    }
    assert "Trump-Putin" in (folder / "2026-11-27" / "digest.html").read_text()


def test_sections_follow_subscriber_choice(project: Path) -> None:
    cfg, state = setup(project)
    pipeline.run(cfg, state, NOW, {})
    bodies = {
        str(parse(f)["To"]): parse(f).get_body(("plain",)).get_content()
        for f in (project / "outbox").glob("2026-11-27--*.eml")
    }
    linus = next(text for to, text in bodies.items() if "linus" in to)
    ada = next(text for to, text in bodies.items() if "ada" in to)
    assert "Heat pumps" in linus and "Heat pumps" in ada
    assert "smart-lock" not in linus and "smart-lock" in ada


def test_second_run_has_nothing_new_and_sends_nothing(project: Path) -> None:
    cfg, state = setup(project)
    pipeline.run(cfg, state, NOW, {})
    later = pipeline.run(cfg, state, NOW + timedelta(hours=1), {})
    assert later.edition_id is None and later.sent == 0
    assert "nothing new to send" in later.notes
    assert len(list((project / "outbox").glob("*.eml"))) == 3


def test_dry_run_stores_and_sends_nothing(project: Path) -> None:
    cfg, state = setup(project)
    report = pipeline.run(cfg, state, NOW, {}, dry_run=True)
    assert report.dry_run and report.edition_id == "2026-11-27" and report.sent == 0
    assert not (project / "outbox").exists()
    assert state.editions.recent() == []
    assert pipeline.run(cfg, state, NOW, {}).sent == 3


def test_unsubscribed_by_link_is_never_enqueued(project: Path) -> None:
    cfg, state = setup(project)
    state.ledger.suppress("grace@example.com", "unsubscribed")
    report = pipeline.run(cfg, state, NOW, {})
    assert report.sent == 2
    assert not any("grace" in p.name for p in (project / "outbox").glob("*.eml"))


def test_interrupted_edition_is_finished_by_send_for_pending_only(project: Path) -> None:
    cfg, state = setup(project)
    settings = pipeline.stage_settings(cfg)
    built, _ = pipeline.build(cfg, state, settings, NOW, {})
    assert built is not None
    subscribers = load_subscribers(cfg.subscribers_dir)
    store_edition(cfg.newsletter, state, built, subscribers, state.link_secret(None), NOW)
    state.ledger.mark_sent("2026-11-27", "ada@example.com", "sent-before-the-crash")
    report = dispatch.send_pending(cfg, state, NOW, {})
    assert report.sent == 3  # the edition's total, ada included
    names = [p.name for p in (project / "outbox").glob("2026-11-27--*.eml")]
    assert len(names) == 2 and not any("ada" in n for n in names)
    assert state.editions.unfinished() is None
    assert dispatch.send_pending(cfg, state, NOW, {}).sent == 0


def test_same_inputs_give_the_same_digest(project: Path, tmp_path: Path) -> None:
    cfg, state = setup(project)
    settings = pipeline.stage_settings(cfg)
    first, _ = pipeline.build(cfg, state, settings, NOW, {})
    second, _ = pipeline.build(cfg, state, settings, NOW, {})
    assert first is not None and second is not None
    assert first.digest == second.digest
    assert first.rendered == second.rendered


def test_quality_gate_refuses_to_send_unless_forced(project: Path) -> None:
    custom = project / "templates" / "partials"
    custom.mkdir(parents=True)
    (custom / "footer.mjml.j2").write_text(
        "<mj-section><mj-column><mj-text>Thanks for reading.</mj-text></mj-column></mj-section>\n"
    )
    config = project / "config.toml"
    config.write_text(
        config.read_text().replace("[render]\n", '[render]\ntemplates_dir = "templates"\n')
    )
    cfg, state = setup(project)
    with pytest.raises(QualityGateError, match="failed the quality gate: footer"):
        pipeline.run(cfg, state, NOW, {})
    assert state.editions.recent() == [] and not (project / "outbox").exists()
    assert pipeline.run(cfg, state, NOW, {}, force=True).sent == 3


def test_a_broken_source_is_a_problem_not_a_failure(project: Path) -> None:
    (project / "examples" / "sources" / "tech.atom").write_bytes(b"\x00\xff not a feed <<<")
    cfg, state = setup(project)
    report = pipeline.run(cfg, state, NOW, {})
    assert report.sent == 3
    assert [p.subject for p in report.problems if p.stage == "gather"] == ["Tech Brief"]


def test_list_id_and_feedback_id_from_config(project: Path) -> None:
    config = project / "config.toml"
    config.write_text(
        config.read_text().replace(
            'language = "en"',
            'language = "en"\nlist_id = "Morning <morning.example.com>"\nfeedback_id = "d:m:ex"',
        )
    )
    cfg, state = setup(project)
    pipeline.run(cfg, state, NOW, {})
    message = parse(next((project / "outbox").glob("2026-11-27--*.eml")))
    assert message["List-Id"] == "Morning <morning.example.com>"
    assert message["Feedback-ID"] == "d:m:ex"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Precedence"] == "bulk"


def test_markup_in_a_feed_reaches_the_email_as_typed_text(project: Path) -> None:
    feed = project / "examples" / "sources" / "tech.atom"
    title = "Tom &amp; Jerry &lt;b&gt;bold&lt;/b&gt; &lt;script&gt;x&lt;/script&gt;"
    feed.write_text(
        feed.read_text().replace(
            "<title>Open-source database adds vector search without a plugin</title>",
            f"<title type='text'>{title}</title>",
        )
    )
    cfg, state = setup(project)
    pipeline.run(cfg, state, NOW, {})
    message = parse(next((project / "outbox").glob("2026-11-27--ada*.eml")))
    html = message.get_body(("html",)).get_content()
    text = message.get_body(("plain",)).get_content()
    assert "<script>" not in html and "&amp;amp;" not in html
    assert "Tom &amp; Jerry &lt;b&gt;bold&lt;/b&gt; &lt;script&gt;x&lt;/script&gt;" in html
    assert "Tom & Jerry <b>bold</b> <script>x</script>" in text


def add_source(project: Path, name: str, file: str, body: str) -> None:
    (project / "examples" / "sources" / file).write_text(body)
    config = project / "config.toml"
    source = f'[[sources]]\nname = "{name}"\nurl = "examples/sources/{file}"\nkind = "feed"\n\n'
    config.write_text(config.read_text().replace("[summarize]", source + "[summarize]", 1))


def test_other_outlets_coverage_is_consumed_with_the_story(project: Path) -> None:
    world = (project / "examples" / "sources" / "world.xml").read_text()
    add_source(
        project,
        "Other Outlet",
        "other.xml",
        world.replace("news.example.org", "other.example.net")
        .replace("World News (sample)", "Other Outlet")
        .replace("Baltic states agree joint plan to", "Baltic navies team up to")
        .replace("Chile's lithium auction draws", "Carmakers place")
        .replace("Rosenberg: Trump-Putin Call Viewed as a Win in Russia", "Moscow hails call")
        .replace("signed an agreement on Tuesday", "agreed on Tuesday")
        .replace("closed with 14 bids", "ended with 14 offers"),
    )
    cfg, state = setup(project)
    first = pipeline.run(cfg, state, NOW, {})
    assert first.stories == 9
    record = state.editions.get("2026-11-27")
    assert record is not None and "other.example.net" in record.browser_html
    later = pipeline.run(cfg, state, NOW + timedelta(hours=1), {})
    assert later.edition_id is None and "nothing new to send" in later.notes


def test_editor_pins_drops_and_writes_the_intro(project: Path) -> None:
    config = project / "config.toml"
    config.write_text(config.read_text().replace("max_stories = 10", "max_stories = 3"))
    cfg, state = setup(project)
    settings = pipeline.stage_settings(cfg)
    pipeline.gather(cfg, state, settings, NOW)
    keys = {a.title: a.key for a in state.articles.unsent(NOW, 48)}
    state.editorial.choose(
        keys["Ancient DNA shows early farmers reached Britain in two waves"], "pin", NOW
    )
    state.editorial.choose(keys[HEADLINE], "drop", NOW)
    state.editorial.set_intro("A short week & a long read.", NOW)
    built, _ = pipeline.build(cfg, state, settings, NOW, {}, gather_first=False)
    assert built is not None
    headlines = [s.headline for s in built.digest.stories]
    assert built.digest.subject.startswith("Ancient DNA")  # pinned: the lead story
    assert any(h.startswith("Ancient DNA") for h in headlines) and HEADLINE not in headlines
    assert len(headlines) == 3 and built.digest.intro == "A short week & a long read."
    report = pipeline.run(cfg, state, NOW, {})
    assert report.stories == 3
    assert state.editorial.intro() is None
    assert state.editorial.actions() == {keys[HEADLINE]: "drop"}  # still unsent, still dropped


def test_with_required_approval_only_the_approved_edition_is_sent(project: Path) -> None:
    config = project / "config.toml"
    config.write_text(
        config.read_text().replace("require_approval = false", "require_approval = true")
    )
    cfg, state = setup(project)
    pipeline.gather(cfg, state, pipeline.stage_settings(cfg), NOW)
    waiting = pipeline.run(cfg, state, NOW, {})
    assert waiting.sent == 0 and "waits for an editor's approval" in waiting.notes[0]
    assert state.editions.recent() == []
    approved = approve(cfg, state, NOW, {})
    assert approved is not None
    state.editorial.set_intro("Changed after approval", NOW)
    assert pipeline.run(cfg, state, NOW, {}).sent == 0  # what was approved is not this
    state.editorial.set_intro(None, NOW)
    report = pipeline.run(cfg, state, NOW, {})
    assert report.sent == 3 and report.stories == len(approved.stories)
    assert not state.editorial.is_approved(fingerprint(approved))  # consumed


def test_a_bad_provider_setting_stops_the_run_before_anything_is_stored(project: Path) -> None:
    environ = {"DIGEST_DELIVERY__PROVIDER": "postmark"}
    cfg, state = setup(project, environ)
    with pytest.raises(ConfigError, match="POSTMARK_SERVER_TOKEN"):
        pipeline.run(cfg, state, NOW, environ)
    assert state.editions.recent() == []
    assert pipeline.run(
        cfg, state, NOW, {**environ, "POSTMARK_SERVER_TOKEN": "t"}, dry_run=True
    ).dry_run


def test_a_second_run_on_the_same_state_is_refused_while_one_runs(project: Path) -> None:
    cfg, state = setup(project)
    with (
        exclusive(cfg.state_database, "run", "test"),
        pytest.raises(StateError, match="another `digest run` is already running"),
    ):
        pipeline.run(cfg, state, NOW, {})
    assert pipeline.run(cfg, state, NOW, {}).sent == 3


def test_the_weekly_edition_is_the_weeks_best_for_weekly_subscribers_only(project: Path) -> None:
    (project / "subscribers" / "subscribers.csv").write_text(
        "email,name,sections,frequency,timezone,status\n"
        "day@example.com,Day,,daily,,active\nweek@example.com,Week,,weekly,,active\n"
    )
    cfg, state = setup(project, {"DIGEST_NEWSLETTER__MAX_STORIES": "3", **WEEKLY})
    daily = pipeline.run(cfg, state, NOW, {})
    weekly = pipeline.run(
        cfg, state, NOW + timedelta(hours=1), {}, options=pipeline.RunOptions(kind="weekly")
    )
    assert (daily.kind, daily.edition_id, daily.sent) == ("daily", "2026-11-27", 1)
    assert (weekly.kind, weekly.edition_id, weekly.sent) == ("weekly", "2026-W48", 1)
    record = state.editions.get("2026-W48")
    assert record is not None and record.kind == "weekly"
    (day,) = (project / "outbox").glob("2026-11-27--*.eml")
    (week,) = (project / "outbox").glob("2026-W48--*.eml")
    assert "day@example.com" in str(parse(day)["To"]) and "week@" in str(parse(week)["To"])
    # The same ranking over the same week: the daily's three lead stories lead the weekly.
    assert parse(week)["Subject"] == parse(day)["Subject"]
    again = pipeline.run(
        cfg, state, NOW + timedelta(hours=2), {}, options=pipeline.RunOptions(kind="weekly")
    )
    assert again.edition_id == "2026-W48-2"  # a second weekly: the week's next best, no repeat
    (second,) = (project / "outbox").glob("2026-W48-2--*.eml")
    assert parse(second)["Subject"] != parse(week)["Subject"]
    assert pipeline.run(cfg, state, NOW + timedelta(hours=2), {}).stories == 3  # daily's rest


def test_a_weekly_reader_gets_the_daily_edition_while_there_is_no_weekly_one(
    project: Path,
) -> None:
    """No weekly_cron: the weekly reader is not left without mail; once a weekly edition is
    made by hand (`digest run --weekly`), weekly readers get that one instead."""
    (project / "subscribers" / "subscribers.csv").write_text(
        "email,name,sections,frequency,timezone,status\n"
        "day@example.com,Day,,daily,,active\nweek@example.com,Week,,weekly,,active\n"
    )
    cfg, state = setup(project, {"DIGEST_NEWSLETTER__MAX_STORIES": "3"})
    assert "weekly" not in cfg.schedule.crons
    first = pipeline.run(cfg, state, NOW - timedelta(days=1), {})
    assert (first.edition_id, first.sent) == ("2026-11-26", 2)
    by_hand = pipeline.run(cfg, state, NOW, {}, options=pipeline.RunOptions(kind="weekly"))
    assert (by_hand.edition_id, by_hand.sent) == ("2026-W48", 1)
    daily = pipeline.run(cfg, state, NOW + timedelta(hours=1), {})
    assert (daily.edition_id, daily.sent) == ("2026-11-27", 1)
    (sent,) = (project / "outbox").glob("2026-11-27--*.eml")
    assert "day@example.com" in str(parse(sent)["To"])


def test_a_stop_before_storing_leaves_nothing_half_done(project: Path) -> None:
    cfg, state = setup(project)
    report = pipeline.run(cfg, state, NOW, {}, options=pipeline.RunOptions(stop=lambda: "SIGTERM"))
    assert report.interrupted == "SIGTERM" and report.edition_id is None
    assert state.editions.recent() == [] and not (project / "outbox").exists()
    assert pipeline.run(cfg, state, NOW, {}).sent == 3


def test_a_run_counts_its_sources_so_the_cli_can_fail_when_all_failed(project: Path) -> None:
    for feed in (project / "examples" / "sources").iterdir():
        feed.write_bytes(b"\x00\xff not a feed <<<")
    cfg, state = setup(project)
    report = pipeline.run(cfg, state, NOW, {})
    assert (report.sources, report.sources_failed) == (4, 4) and report.every_source_failed
