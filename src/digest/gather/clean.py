"""Line-level cleaner for extracted article text.

trafilatura and feeds leave web chrome in the text: a section label standing alone on top,
chatbot residue, comment prompts, navigation words, newsletter calls to action, share buttons,
"ALSO READ" teasers, "Follow @x" lines and cookie notices. Each kind of chrome is one row of
`RULES`: a regular expression that must match the *whole* (stripped) line, plus a word limit,
so that a real sentence that merely mentions a newsletter or a comment is never removed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "RULES",
    "SECTION_LABELS",
    "Cleaned",
    "Rule",
    "clean_text",
    "is_chrome",
    "section_label",
]


@dataclass(frozen=True)
class Cleaned:
    """Cleaned text (paragraphs separated by blank lines) and a leading section label, if any."""

    text: str
    section: str | None


@dataclass(frozen=True)
class Rule:
    """One kind of chrome: `pattern` must match the whole line; longer lines are kept."""

    name: str
    pattern: re.Pattern[str]
    max_words: int = 12


def _rule(name: str, pattern: str, max_words: int = 12) -> Rule:
    return Rule(name, re.compile(pattern, re.IGNORECASE), max_words)


_SOCIAL = r"(facebook|twitter|x|instagram|linkedin|whatsapp|pinterest|reddit|telegram|email|e-mail)"

RULES: tuple[Rule, ...] = (
    _rule(
        "chatbot",
        r"(would you like (me to|any|a|more|further|another)\b.*\?"
        r"|let me know if you(('d| would) like| want| need)\b.*"
        r"|(sure|certainly|of course)[!,.] here('s| is)\b.*"
        r"|here('s| is) (a|the|your) (revised|rewritten|refined|polished|updated|shorter|longer)"
        r" version\b.*"
        r"|i hope (this|that) helps( you)?[.!]*"
        r"|feel free to ask\b.*)",
        max_words=25,
    ),
    _rule(
        "comments",
        r"(leave|add|post|write) a (comment|reply)\.?|comments?|\d+ comments?|show comments"
        r"|view( all)? comments|join the (conversation|discussion)|comments are closed\.?"
        r"|you must be logged in to post a comment\.?",
    ),
    _rule(
        "navigation",
        r"(live ?tv|watch live|newsletters?|home|menu|search|sign in|log ?in|sign up|register"
        r"|skip to( main)? content|back to top|trending( now)?|latest( news)?|most (read|popular)"
        r"|related( articles| stories| content)?|more (stories|news|from [\w ]+)|top stories"
        r"|advertisement|advertising|sponsored( content)?|ad|close|open menu|toggle navigation"
        r"|previous( article)?|next( article)?|continue reading|read more|load more)[.:]?",
        max_words=5,
    ),
    _rule(
        "subscribe",
        r"(subscribe|sign up|register)\b.*\b(newsletter|updates|inbox|email|alerts|to stay|today"
        r"|now|free)\b.*"
        r"|(get|receive) (our|the) (\w+ )?(newsletter|daily briefing)\b.*"
        r"|subscribe( now| today| here)?[.!]?",
        max_words=20,
    ),
    _rule(
        "share",
        rf"(share|tweet|pin|email)( this( article| story| page)?)?( on {_SOCIAL})?[.:]?"
        rf"|{_SOCIAL}|copy link|print( this( article| page))?|share via\b.*",
        max_words=6,
    ),
    _rule(
        "teaser",
        r"(also read|read more|read also|see also|related|recommended|more on this|watch|listen)"
        r"\s*[:|\-\u2013\u2014].*",
        max_words=30,
    ),
    _rule(
        "follow",
        r"follow (@\w+|us)\b.*(for more|on (twitter|x|facebook|instagram|linkedin|threads|bluesky))"
        r"\b.*|follow (@\w+|us)( on \w+)?[.!]?",
        max_words=20,
    ),
    _rule(
        "cookies",
        r"(we use cookies|this (web)?site uses cookies|by (continuing|using) (to (use|browse) )?"
        r"(this|our) (web)?site\b.*\bcookies"
        r"|accept( all)? cookies|cookie (policy|settings|preferences)|manage cookies).*",
        max_words=60,
    ),
)

SECTION_LABELS: frozenset[str] = frozenset(
    label.lower()
    for label in (
        "World", "World News", "US", "U.S.", "UK", "Europe", "Asia", "Africa", "Americas",
        "Middle East", "Australia", "China", "India", "Politics", "Business", "Economy",
        "Markets", "Finance", "Money", "Tech", "Technology", "Science", "Health", "Climate",
        "Environment", "Sport", "Sports", "Football", "Entertainment", "Culture", "Arts",
        "Books", "Music", "Film", "Movies", "TV", "Travel", "Lifestyle", "Style", "Food",
        "Opinion", "Analysis", "Education", "Media", "Local", "National", "International",
        "News", "Breaking News", "Latest News", "Top Stories", "Features", "Innovation",
        "World Politics", "Science & Tech", "Science and Technology",
    )
)  # fmt: skip

_CRUMB_SEP = r"\s*[>/\u00bb\u203a|]\s*"
_BREADCRUMB = re.compile(rf"[\w .&'-]{{1,30}}({_CRUMB_SEP}[\w .&'-]{{1,30}}){{1,3}}")
_SPACES = re.compile(r"[ \t\u00a0]{2,}|[\t\u00a0]")  # single spaces stay as they are


# Every rule in one alternation: a line that none of them matches (nearly every line) is
# settled by a single regex call; only a match goes through the table row by row.
_ANY_RULE = re.compile("|".join(f"(?:{rule.pattern.pattern})" for rule in RULES), re.IGNORECASE)


def _words(line: str) -> int:
    return len(line.split())


def is_chrome(line: str) -> str | None:
    """Return the name of the rule a stripped line matches, or None for a real line."""
    if _ANY_RULE.fullmatch(line) is None:
        return None
    words = _words(line)
    for rule in RULES:
        if words <= rule.max_words and rule.pattern.fullmatch(line):
            return rule.name
    return None


def section_label(line: str) -> str | None:
    """A stand-alone section label ("World", "News > World") yields its last part."""
    if line.lower() in SECTION_LABELS:
        return line
    if _BREADCRUMB.fullmatch(line):
        last = re.split(_CRUMB_SEP, line)[-1].strip()
        if last.lower() in SECTION_LABELS:
            return last
    return None


def clean_text(text: str) -> Cleaned:
    """Drop chrome lines and a leading section label; paragraphs joined by blank lines."""
    if "  " in text or "\t" in text or "\u00a0" in text:  # a scan is far cheaper than a sub
        text = _SPACES.sub(" ", text)
    lines = [raw.strip() for raw in text.splitlines()]
    kept = [line for line in lines if line and is_chrome(line) is None]
    section: str | None = None
    while kept and (label := section_label(kept[0])) is not None:
        section = section or label
        kept.pop(0)
    return Cleaned(text="\n\n".join(kept), section=section)
