"""Line-level cleaner for extracted article text.

trafilatura and feeds leave web chrome in the text: a section label standing alone on top,
chatbot residue, comment prompts, navigation words, newsletter calls to action, share buttons,
"ALSO READ" teasers, "Follow @x" lines and cookie notices. Each kind of chrome is one row of
`RULES`: a regular expression that must match the *whole* (stripped) line, plus a word limit,
so that a real sentence that merely mentions a newsletter or a comment is never removed.

`repair_text` undoes what scraping did *inside* lines, before the line rules run: mojibake
("\u00e2\u20ac\u2122" for "\u2019"), "?" where a charset conversion lost a curly quote,
apostrophe, dash or emoji, teasers glued into a paragraph ("...said.ALSO READ: ..."), embed
signatures, photo credits and picture references ("(Photo: HT/Getty Images)", "(pictured)").
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
    "repair_text",
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
        r"(would you like me to\b.*\?"
        r"|would you like (any|a|more|further|another|other) (\w+ ){0,2}(changes?|edits?|help"
        r"|details|information|revisions?|refinements?|adjustments?|versions?|summary|examples?"
        r"|tips|suggestions?|tweaks?)\b.*\?"
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
        r"(subscribe|sign up|register)\b.*\b(newsletter|updates|inbox|alerts|to stay)\b.*"
        r"|(subscribe|sign up|register)( now| today| here)?( for free)?[.!]?"
        r"|(get|receive) (our|the) (\w+ )?(newsletter|daily briefing)\b.*"
        r"|click here to (subscribe|sign up|register|get|download|read|see|watch|follow)\b.*"
        r"|thanks?( you)? for (signing up|subscribing|registering|reading)\b.*",
        max_words=20,
    ),
    _rule(
        "more",
        r"you (may|might) (also )?(like|enjoy|be interested in)\b.*"
        r"|(popular|trending|more|most read) (on|at|from) [\w .&'-]+"
        r"|(like|liked|enjoy|enjoyed) this (story|article|post)\?.*"
        r"|share (it|this( story| article)?) with a friend\b.*",
        max_words=12,
    ),
    _rule(
        "copyright",
        r"(\u00a9|\(c\)|copyright \u00a9|copyright \(c\)|copyright \d{4}).*"
        r"|\d{4} [^.]{1,60}\. all rights reserved\b.*",
        max_words=30,
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
        r"(\s*[:|]|\s+[\-\u2013\u2014])\s*(?-i:[^\sa-z]).*",
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


# What may wrap a chrome line without changing what it says.
_WRAPPING = " -\u2013\u2014\u2022*\u00b7>\u00bb\u203a<\u00ab[](){}|:_=~#"


def _words(line: str) -> int:
    return len(line.split())


def is_chrome(line: str) -> str | None:
    """Return the name of the rule a stripped line matches, or None for a real line.

    Rules match the line's words: bullets, dashes and brackets around them ("- Next",
    "[Related: ...]", "Read more \u00bb") do not hide a line's meaning.
    """
    core = line.strip(_WRAPPING)
    for text in (line, core) if core != line else (line,):
        if not text or _ANY_RULE.fullmatch(text) is None:
            continue
        words = _words(text)
        for rule in RULES:
            if words <= rule.max_words and rule.pattern.fullmatch(text):
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


# ---------------------------------------------------------------- inside a line

# Mojibake: UTF-8 bytes decoded as cp1252 or Latin-1 ("\u00e2\u20ac\u2122" for a right quote).
# ftfy repairs this and much more, but it is not a dependency and costs import time on every
# `digest summarize`; the one case scraped news shows is undone exactly by re-encoding each
# run of such characters and decoding it as UTF-8 (a run that does not decode stays as it is).
_CONT = (
    "\\u0080-\\u00bf\\u0152\\u0153\\u0160\\u0161\\u0178\\u017d\\u017e\\u0192\\u02c6\\u02dc"
    "\\u2013\\u2014\\u2018-\\u201a\\u201c-\\u201e\\u2020-\\u2022\\u2026\\u2030\\u2039\\u203a"
    "\\u20ac\\u2122"
)
_MOJIBAKE = re.compile(
    rf"(?:[\u00c2-\u00df][{_CONT}]|[\u00e0-\u00ef][{_CONT}]{{2}}|[\u00f0-\u00f4][{_CONT}]{{3}})+"
)


def _unmangle(match: re.Match[str]) -> str:
    run = match.group(0)
    try:
        raw = b"".join(bytes([ord(ch)]) if ord(ch) < 256 else ch.encode("cp1252") for ch in run)
        return raw.decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return run


# Inline chrome. A teaser ("...said.READ | Other story headlineNext paragraph") runs from its
# label to where the next paragraph was glued on (a lower-case letter right before a capital)
# or to the end of the line; it becomes a paragraph break, and so does an embed's signature.
_AFTER_END = r"(?:(?<=[.!?\"'\u201d\u2019)])|^)[ \t]*"
_TEASER = re.compile(
    rf"{_AFTER_END}(?:(?:(?:ALSO|Also) )?(?:READ|Read)(?: MORE| More| more| ALSO| also)?"
    r"|WATCH|Watch)(?:[ \t?]*[:|][ \t?]*)+"
    rf"|{_AFTER_END}(?:ALSO READ|READ)\??(?=[ \t]?[A-Z0-9\u20b9?])",
    re.MULTILINE,
)
_TEASER_END = re.compile(r"(?<=[a-z0-9)\]%])(?=[A-Z](?:[a-z]|\s))|(?<=[a-z0-9])\?(?=[A-Z\"])|$")
_EMBED = re.compile(
    r"[ \t]*(?:pic\.twitter\.com/\w+|https?://t\.co/\w+)"
    r"|[ \t]*(?:[?\u2014\u2013-][ \t]?)?(?:A post shared by )?(?:[\w.'?-]+ ){1,5}\(@\w+\) "
    r"(?:on )?[A-Z][a-z]{2,8} \d{1,2}, \d{4}(?: at \d{1,2}:\d{2} ?[ap]m [A-Z]{2,4})?"
)
_SCROLL = re.compile(r"\bScroll down for (?:video|videos|more)\b[ .:]*", re.IGNORECASE)
# Photo credits and picture references: "(Photo: HT/Getty Images)", "(pictured)", "(left)".
_CREDIT = re.compile(
    r"[ \t]*\((?:"
    r"(?:[^()]{0,40}[/ ?])?(?:photos?|images?|pictures?|pic|photograph)(?:[:/ ?][^()]{0,50})?"
    r"|(?:with )?inputs? from [^()]{0,60}|with [^()]{0,40} inputs"
    r"|(?:far |top |bottom |second from |from )?(?:left|right|centre|center|above|below|inset)"
    r"(?:,? (?:and|to) (?:left|right|centre|center))?"
    r"|(?:not )?pictured(?:[ ,][^()]{0,60})?"
    r"|[^()]{1,40}/(?:AP|AFP|Reuters|Getty Images?|PA|EPA|PTI)"
    r")\)",
    re.IGNORECASE,
)


def _drop_teasers(text: str) -> str:
    out: list[str] = []
    begin = 0
    for match in _TEASER.finditer(text):
        if match.start() < begin:
            continue
        end = _TEASER_END.search(text, match.end())
        stop = end.end() if end is not None else len(text)
        if stop - match.end() > 300:
            continue  # too long for a teaser: a real paragraph that happens to start so
        out.append(text[begin : match.start()])
        out.append("\n")
        begin = stop
    out.append(text[begin:])
    return "".join(out)


# "?" for a character a charset conversion lost: curly quotes, apostrophes, dashes, non-breaking
# spaces, emoji. Two or more unmistakable traces ("India?s", "said.?The", "?because") mark a
# text as damaged; only then is each "?" read from its neighbours, and one that closes no quote
# and follows a word stays a question mark.
_LOST_TRACE = re.compile(r"[A-Za-z]\?[A-Za-z]|[.,;:!]\?[ A-Z]|(?:^|\s)\?[A-Za-z]", re.MULTILINE)
_SUFFIX = re.compile(r"(?:s|t|re|ve|ll|d|m)\b")
_QMARKS = re.compile(r"\?+")


def _restore_line(line: str) -> str:
    out: list[str] = []
    begin = 0
    open_quote = False
    for match in _QMARKS.finditer(line):
        before = line[match.start() - 1] if match.start() else " "
        after = line[match.end()] if match.end() < len(line) else " "
        run = len(match.group(0))
        if before.isalpha() and after.isalpha():
            fix = "\u2019" if _SUFFIX.match(line, match.end()) else " "
        elif before.isspace() and after.isspace():
            fix = "" if run > 1 else "\u2013"
        elif run > 1 and not before.isalnum():
            fix = ""  # a row of lost emoji
        elif before.isspace() or before in "(-\u2013\u2014":
            if after.isdigit():
                continue  # a lost currency sign ("?100 crore"): nothing safe to put instead
            fix, open_quote = "\u201c", True
        elif before in ".!?" and after.isalpha():
            fix, open_quote = " \u201c", True  # "said.?Over time": a new paragraph's quote
        elif before in ".,;:!" or open_quote:
            fix, open_quote = "\u201d", False
        elif before == "s" and line[match.end() + 1 : match.end() + 2].islower():
            fix = "\u2019"  # "the villagers? suspicion": a plural's possessive
        else:
            continue  # a real question
        out.append(line[begin : match.start()])
        out.append(fix)
        begin = match.end()
    out.append(line[begin:])
    return "".join(out)


def repair_text(text: str) -> str:
    """Undo what scraping did inside lines: mojibake, inline chrome, "?" for lost characters."""
    if "\u00c2" in text or "\u00c3" in text or "\u00e2" in text:
        text = _MOJIBAKE.sub(_unmangle, text)
    if "READ" in text or "Read" in text or "Watch" in text or "WATCH" in text:
        text = _drop_teasers(text)
    if "(@" in text or "t.co/" in text or "twitter.com/" in text:
        text = _EMBED.sub("\n", text)
    if "(" in text:
        text = _CREDIT.sub("", text)
    if "Scroll down" in text:
        text = _SCROLL.sub("", text)
    if "?" in text and len(_LOST_TRACE.findall(text, 0, 20_000)) >= 2:
        text = "\n".join(_restore_line(line) for line in text.split("\n"))
    return text


def clean_text(text: str) -> Cleaned:
    """Drop chrome lines and a leading section label; paragraphs joined by blank lines.

    Line by line only: what scraping did inside a line is `repair_text`'s job (run it first).
    """
    if "  " in text or "\t" in text or "\u00a0" in text:  # a scan is far cheaper than a sub
        text = _SPACES.sub(" ", text)
    lines = [raw.strip() for raw in text.splitlines()]
    kept = [line for line in lines if line and is_chrome(line) is None]
    section: str | None = None
    while kept and (label := section_label(kept[0])) is not None:
        section = section or label
        kept.pop(0)
    return Cleaned(text="\n\n".join(kept), section=section)
