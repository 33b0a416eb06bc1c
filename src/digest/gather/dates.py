"""One date parser for feeds and pages: RFC 822, ISO 8601 / W3C-DTF, and what publishers write.

The common shapes are read directly (Python's ISO parser, one RFC 822 regular expression): a
feed of a hundred items must not pay a general parser's cost per item. Everything else goes to
python-dateutil (the field's general parser, already here through htmldate), with a zone table
that gives abbreviations their real offsets; feedparser's parser is the last resort for the
exotic formats in its corpus (Korean, Greek, Hungarian, ...). dateparser is never imported:
compiling its 208 locales costs seconds on first use. Naive times are taken as UTC.
"""

from __future__ import annotations

import calendar
import re
from datetime import UTC, datetime, timedelta, timezone
from functools import cache

__all__ = ["ZONES", "parse_date"]

# Abbreviations in feeds and pages, with their offsets in hours. Ambiguous ones take the reading
# news sources use most: IST is India (+5:30), BST British Summer Time, CST US Central.
ZONES: dict[str, float] = {
    "UT": 0, "UTC": 0, "GMT": 0, "Z": 0, "WET": 0, "WEST": 1, "BST": 1, "IST": 5.5,
    "CET": 1, "CEST": 2, "MET": 1, "MEST": 2, "EET": 2, "EEST": 3, "MSK": 3, "WAT": 1,
    "CAT": 2, "SAST": 2, "EAT": 3, "PKT": 5, "NPT": 5.75, "ICT": 7, "WIB": 7, "HKT": 8,
    "SGT": 8, "PHT": 8, "AWST": 8, "JST": 9, "KST": 9, "ACST": 9.5, "ACDT": 10.5,
    "AEST": 10, "AEDT": 11, "NZST": 12, "NZDT": 13, "EST": -5, "EDT": -4, "CST": -6,
    "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7, "AKST": -9, "AKDT": -8,
    "HST": -10, "AST": -4, "ADT": -3, "NST": -3.5, "NDT": -2.5, "BRT": -3, "ART": -3,
}  # fmt: skip
_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_abbr) if m}
_RFC822 = re.compile(
    r"(?:[A-Za-z]{3,9},?\s+)?(\d{1,2})\s+([A-Za-z]{3})[A-Za-z]*\.?\s+(\d{2,4})"
    r"\s+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?\s*([+-]\d{2}:?\d{2}|[A-Za-z]{1,5})?\s*$"
)
_YEAR_MONTH = re.compile(r"(\d{4})(?:-(\d{2}))?$")  # W3C-DTF's reduced precisions
_DEFAULTS = (datetime(1904, 1, 1), datetime(1908, 2, 2))
_TZINFOS = {name: int(hours * 3600) for name, hours in ZONES.items()}


@cache
def _zone(token: str | None) -> timezone | None:
    """A numeric offset or a known abbreviation; None for an unknown name."""
    if not token:
        return UTC
    if token[0] in "+-":
        digits = token[1:].replace(":", "")
        minutes = int(digits[:2]) * 60 + int(digits[2:])
        return timezone(timedelta(minutes=minutes if token[0] == "+" else -minutes))
    hours = ZONES.get(token.upper())
    return None if hours is None else timezone(timedelta(hours=hours))


def _rfc822(value: str) -> datetime | None:
    match = _RFC822.match(value)
    if match is None:
        return None
    day, month, year, hour, minute, second, zone = match.groups()
    number = _MONTHS.get(month.lower())
    tz = _zone(zone)
    if number is None or tz is None:
        return None
    full_year = int(year)
    if len(year) == 2:  # RFC 822's two-digit years; "0001" is a placeholder, not 2001
        full_year += 2000 if full_year < 50 else 1900
    return datetime(full_year, number, int(day), int(hour), int(minute), int(second or 0), 0, tz)


def _iso(value: str) -> datetime | None:
    if value.endswith(("z", "Z")) and len(value) <= 10:
        value = value[:-1]
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        pass
    match = _YEAR_MONTH.match(value)
    if match is not None:
        return datetime(int(match.group(1)), int(match.group(2) or 1), 1)
    return None


def _general(value: str) -> datetime | None:
    """dateutil's reading, when the text names a whole date (dateutil fills a missing day or
    year from its default: two different defaults expose that)."""
    import warnings

    from dateutil import parser

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # an unknown zone name: the time is then taken as UTC
        try:
            first = parser.parse(value, tzinfos=_TZINFOS, default=_DEFAULTS[0])
            second = parser.parse(value, tzinfos=_TZINFOS, default=_DEFAULTS[1])
        except (ValueError, OverflowError, TypeError, parser.ParserError):
            return None
    return first if first.date() == second.date() else None


def _feedparser(value: str) -> datetime | None:
    from feedparser.datetimes import _parse_date

    struct = _parse_date(value)
    if not struct:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(struct), UTC)
    except (OverflowError, ValueError, OSError):
        return None


def parse_date(value: str | None) -> datetime | None:
    """An aware UTC datetime from any date a feed or page writes, or None."""
    if not value or not (value := value.strip()):
        return None
    try:
        parsed = _iso(value) if value[:4].isdigit() and "/" not in value else None
        parsed = parsed or _rfc822(value) or _general(value) or _feedparser(value)
    except (ValueError, OverflowError):  # a day 31 of February, an hour 25
        parsed = None
    if parsed is None or parsed.year < 1900:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
