"""The desk's split and merge forms refuse what no form of theirs sends, and say why."""

from __future__ import annotations

from pathlib import Path

from tests.web.desk import LITHIUM, LOCK, client, gathered, login, post


def test_split_and_merge_refuse_bad_requests_and_merge_two_stories(project: Path) -> None:
    browser = client(gathered(project))
    csrf = login(browser)
    odd = post(browser, "/editions/next/group", csrf, key=LOCK, action="shuffle")
    assert odd.status_code == 400 and "separate, merge" in odd.text
    unknown = post(browser, "/editions/next/group", csrf, key="https://x/none", action="separate")
    assert unknown.status_code == 400 and "not a story waiting" in unknown.text
    itself = post(browser, "/editions/next/group", csrf, key=LOCK, action="merge", into=LOCK)
    assert itself.status_code == 400 and "Choose another story" in itself.text
    merged = post(browser, "/editions/next/group", csrf, key=LOCK, action="merge", into=LITHIUM)
    assert merged.status_code == 303
    page = browser.get(merged.headers["location"]).text
    assert "Merged “Researchers find flaw in popular smart-lock firmware” into “Chile" in page
    assert page.count("<article class='story") == 8  # nine stories, two of them now one
