"""Desk changes as versioned operations: every form names the edition version it was made on.

A change made on an older version is applied when it commutes with everything done since
(two moves of different stories, rewrites of different stories, a subject and an intro) and
refused otherwise, naming the other change, its editor and its time. Approve and hold are
ordered: a decision is refused when another decision came after the version it was made on,
and an approval is refused after any change at all, so it names exactly the version the
editor saw; so is a send from the desk (`desk_send`). The check, the change and the
version's bump are one transaction (`VersionLog.begin` holds the edition's row), so two
editors never both pass a check made before the other's change was written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from digest.errors import InputError
from digest.state import Change, State

PLACING = frozenset({"drop", "restore", "pin", "unpin", "up", "down", "top"})
WORDING = frozenset({"save", "reset"})
DECISIONS = frozenset({"approve", "hold"})


class Conflict(InputError):
    """The edition changed since the form was made, in a way this change does not commute
    with: the editor looks again (the page shown with the refusal is the current one)."""


@dataclass(frozen=True)
class Op:
    """What a form changes: the operation's name and what it touches (a story's place or
    words, the subject, the intro, the decision)."""

    name: str
    target: str


def story_op(form: dict[str, str]) -> Op:
    action = form.get("action", "")
    return Op(action, "place:" + form.get("key", ""))


def rewrite_op(form: dict[str, str]) -> Op:
    action = "reset" if form.get("action") == "reset" else "save"
    return Op(action, "words:" + form.get("key", ""))


def fixed_op(name: str, target: str) -> Callable[[dict[str, str]], Op]:
    return lambda form: Op(name, target)


def clashes(op: Op, other: Change) -> bool:
    """Whether `op`, made before `other` was, must not be applied after it."""
    if op.name in ("approve", "send"):
        return True  # an approval, and a send, are of the exact version seen
    if op.name == "hold" or other.op in DECISIONS:
        return op.name in DECISIONS and other.op in DECISIONS
    return other.target == op.target


def seen_version(form: dict[str, str]) -> int:
    value = form.get("version", "")
    if not value.isascii() or not value.isdigit() or len(value) > 18:
        raise Conflict("That form has no edition version: reload the page and try again.")
    return int(value)


def versioned(
    st: State,
    op: Op,
    form: dict[str, str],
    editor: str,
    now: Callable[[], datetime],
    change: Callable[[], str],
) -> str:
    """Run `change` (it returns the line shown to the editor) as one versioned operation."""
    base = seen_version(form)
    with st.db.transaction():
        current = st.versions.begin()
        if base > current:
            raise Conflict("That form names a version this edition never had: reload the page.")
        for other in st.versions.since(base):
            if clashes(op, other):
                who = other.editor or "another editor"
                raise Conflict(
                    f"Not done: the edition was changed by {who} at "
                    f"{other.at:%H:%M:%S} since you loaded it ({other.summary}). "
                    "Look again, then try again."
                )
        text = change()
        st.versions.record(op.name, op.target, editor, text, now())
    return text
