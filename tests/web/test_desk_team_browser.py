"""Two editors at one desk in Debian's Chromium: two browser contexts (two sessions) load the
next edition, then each changes it from the page they loaded. Over repeated rounds of moves of
different stories, rewrites of one story and approve against hold or approve, every change an
editor is told was done is in the edition afterwards, and every other change was refused with
the name of the editor whose change came first: no silent loss."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.web.desk import TOKEN
from tests.web.test_desk_browser import browser, opened, served  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser

ROUNDS = 3
DONE_OR_REFUSED = re.compile(r"Moved|now leads|Saved|Approved version|Held:|changed by")


def editor(chromium: Any, base: str, name: str) -> Any:
    page = opened(chromium, 1280)
    page.goto(f"{base}/editions/next")
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Editor token").fill(TOKEN)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name=re.compile("^Next edition")).wait_for()
    return page


def said(page: Any) -> str:
    """The one-line result of the form just sent."""
    from playwright.sync_api import expect

    flash = page.locator("#flash .flash")
    expect(flash).to_have_text(DONE_OR_REFUSED)
    return str(flash.inner_text())


def order(page: Any) -> list[str]:
    page.reload()
    keys: list[str] = page.locator("article.story").evaluate_all(
        "els => els.map(e => e.dataset.key)"
    )
    return keys


def done(text: str) -> bool:
    """The editor was told the change was made (a refusal names the other change)."""
    return "changed by" not in text


def story(page: Any, key: str) -> Any:
    return page.locator(f"article.story[data-key='{key}']")


def rewrite(page: Any, key: str, headline: str) -> str:
    card = story(page, key)
    card.locator("summary", has_text=re.compile(r"^Edit")).click()  # not the Grouping one
    card.locator("input[name=headline]").fill(headline)
    card.get_by_role("button", name=re.compile("^Save")).click()
    return said(page)


def test_two_editors_never_lose_each_others_changes(
    served: tuple[str, Any],  # noqa: F811
    browser: Any,  # noqa: F811
) -> None:
    base, _ = served
    ada, grace = editor(browser, base, "Ada Lovelace"), editor(browser, base, "Grace Hopper")
    losses: list[str] = []
    refused = 0
    for n in range(ROUNDS):
        first, second = (ada, grace) if n % 2 == 0 else (grace, ada)
        first_name = "Ada Lovelace" if first is ada else "Grace Hopper"

        # Moves of two different stories, both made on the same version: both apply.
        keys = order(first)
        order(second)
        story(first, keys[2]).locator("button[value=top]").click()
        one = said(first)
        story(second, keys[4]).locator("button[value=top]").click()
        two = said(second)
        after = order(first)
        if done(two) and after[0] != keys[4]:
            losses.append(f"round {n}: the second move was said done and lost")
        if done(one) and keys[2] not in after[:2]:
            losses.append(f"round {n}: the first move was lost")
        assert done(one) and done(two), (one, two)  # moves of two stories commute

        # Two rewrites of one story: the second, made on the older version, is refused.
        key = order(first)[1]
        order(second)
        one = rewrite(first, key, f"Round {n} as the first editor wrote it")
        two = rewrite(second, key, f"Round {n} as the second editor wrote it")
        shown = story(first, key).locator("h3").inner_text() if order(first) else ""
        if done(two) and "second editor" not in shown:
            losses.append(f"round {n}: the second rewrite was said saved and lost")
        if done(one) and done(two):
            losses.append(f"round {n}: both rewrites of one story were said saved")
        if not done(two):
            refused += 1
            assert f"changed by {first_name}" in two and "first editor" in two, two
            assert "first editor" in shown

        # Approve against a hold, then against an approval, made on the same version (the
        # moves above changed what the last round approved: both buttons are there again).
        for answer in ("hold", "approve"):
            order(first)
            order(second)
            first.get_by_role("button", name=re.compile("^Approve as")).click()
            one = said(first)
            if answer == "hold":
                second.get_by_role("button", name="Hold", exact=True).click()
            else:
                second.get_by_role("button", name=re.compile("^Approve as")).click()
            two = said(second)
            assert "Approved version" in one, one
            assert not done(two), two  # the second of two decisions is refused
            refused += 1
            order(first)
            assert "Approved</strong> by " + first_name in first.content()
            if answer == "hold":  # held again, for the two approvals
                first.get_by_role("button", name="Hold", exact=True).click()
                assert "Held:" in said(first)
    assert losses == []
    assert refused == ROUNDS * 3
    # A refusal is a 409 answer, which Chromium logs; nothing else may go wrong in the pages.
    errors = [e for e in ada.errors + grace.errors if "status of 409" not in e]
    assert errors == []
