"""The pre-send quality gate: checks one complete message the way a subscriber receives it.

`check_message(raw)` returns one CheckResult per check; the gate fails when any result is not ok.
Results with `warning=True` are shown but do not fail it (SpamAssassin not installed, CSS that
degrades gracefully in some clients).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from urllib.parse import urlsplit

import httpx

from digest.check.css import MAJOR_CLIENTS, CssFinding, css_findings
from digest.check.html import HtmlFacts, html_facts
from digest.check.images import image_check, image_weight_check
from digest.check.result import CheckResult
from digest.check.spam import spam_report, spamassassin_available

CLIP_LIMIT_BYTES = 102 * 1024  # Gmail clips HTML above 102 KB
LINK_TIMEOUT_SECONDS = 5.0
TEXT_TO_HTML_MIN_WORDS = 0.5
REQUIRED_HEADERS = ("From", "To", "Subject", "Date", "Message-ID")
_PLACEHOLDER = re.compile(r"\{\{|\{%|@@dg-|<!--dg-")
_TEXT_URL = re.compile(r"https?://[^\s<>\"]+")
_ALLOWED_SCHEMES = ("http", "https", "mailto", "tel")


def gate_passed(results: Iterable[CheckResult]) -> bool:
    """True when no check failed (warnings do not count)."""
    return all(result.ok for result in results)


def check_message(
    raw: bytes,
    *,
    check_links: bool = False,
    spamassassin: bool = True,
    spamassassin_threshold: float = 1.0,
) -> tuple[CheckResult, ...]:
    """Run every check on a complete RFC 5322 message; see the module docstring."""
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    html_part = message.get_body(("html",))
    text_part = message.get_body(("plain",))
    html = str(html_part.get_content()) if html_part is not None else ""
    text = str(text_part.get_content()) if text_part is not None else ""
    facts = html_facts(html)
    results = [
        _structure(message),
        _size(html, html_part is not None),
        _headers(message),
        _placeholders(html, text),
        _links(facts, text),
    ]
    if check_links:
        with httpx.Client(timeout=LINK_TIMEOUT_SECONDS, follow_redirects=True) as client:
            results += [_reachable(facts, client), image_weight_check(facts, client)]
    results += [
        _anchors(facts),
        image_check(facts),
        _lang(facts),
        _footer(message, facts, text),
        _text_alternative(facts, text),
        _css(facts),
    ]
    if spamassassin:
        results.append(_spam(raw, spamassassin_threshold))
    return tuple(results)


def _structure(message: EmailMessage) -> CheckResult:
    if message.get_content_type() != "multipart/alternative":
        return CheckResult(
            "mime-structure",
            False,
            f"is {message.get_content_type()}, "
            "expected multipart/alternative (text first, HTML last)",
        )
    types = [part.get_content_type() for part in message.iter_parts()]
    ok = types[:1] == ["text/plain"] and types[-1:] == ["text/html"]
    return CheckResult("mime-structure", ok, " then ".join(types) or "no parts")


def _size(html: str, present: bool) -> CheckResult:
    if not present:
        return CheckResult("html-size", False, "no text/html part")
    size = len(html.encode("utf-8"))
    ok = size < CLIP_LIMIT_BYTES
    return CheckResult("html-size", ok, f"{size / 1024:.1f} KB (Gmail clips at 102 KB)")


def _headers(message: EmailMessage) -> CheckResult:
    problems = [f"{name} missing" for name in REQUIRED_HEADERS if not message.get(name)]
    unsubscribe = str(message.get("List-Unsubscribe", ""))
    targets = re.findall(r"<([^>]+)>", unsubscribe)
    if not any(t.startswith("https://") for t in targets):
        problems.append("List-Unsubscribe has no <https://...> URL")
    if not any(t.startswith("mailto:") for t in targets):
        problems.append("List-Unsubscribe has no <mailto:...> address")
    if str(message.get("List-Unsubscribe-Post", "")).strip() != "List-Unsubscribe=One-Click":
        problems.append("List-Unsubscribe-Post is not 'List-Unsubscribe=One-Click'")
    return CheckResult("headers", not problems, "; ".join(problems) or "all required present")


def _placeholders(html: str, text: str) -> CheckResult:
    left = [name for name, body in (("HTML", html), ("text", text)) if _PLACEHOLDER.search(body)]
    detail = f"template placeholders left in {', '.join(left)}" if left else "none left"
    return CheckResult("placeholders", not left, detail)


def link_problem(href: str, ids: set[str]) -> str | None:
    """Why a link target is malformed, or None when it is fine."""
    if not href:
        return "empty href"
    if href.startswith("#"):
        return None if href[1:] in ids else f"{href} points to no element"
    if any(ch.isspace() for ch in href):
        return f"{href!r} contains whitespace"
    parts = urlsplit(href)
    if parts.scheme not in _ALLOWED_SCHEMES:
        return f"{href!r} has scheme {parts.scheme!r}"
    if parts.scheme in ("http", "https") and not parts.hostname:
        return f"{href!r} has no host"
    if parts.scheme == "mailto" and "@" not in parts.path:
        return f"{href!r} has no address"
    return None


def _links(facts: HtmlFacts, text: str) -> CheckResult:
    hrefs = [anchor.href for anchor in facts.anchors] + _TEXT_URL.findall(text)
    problems = sorted({p for href in hrefs if (p := link_problem(href, facts.ids)) is not None})
    if problems:
        return CheckResult("links", False, "; ".join(problems[:5]))
    return CheckResult("links", True, f"{len(set(hrefs))} distinct links well-formed")


def _anchors(facts: HtmlFacts) -> CheckResult:
    """Links to #anchors (a contents menu) do nothing in Gmail for iOS, Outlook for iOS and
    Android, Yahoo mobile and Samsung Email (caniemail "Local anchors"): a warning."""
    local = sorted({a.href for a in facts.anchors if a.href.startswith("#")})
    if not local:
        return CheckResult("local-anchors", True, "no links to #anchors")
    detail = (
        f"{len(local)} links to #anchors ({', '.join(local[:3])}) do nothing in Gmail for iOS, "
        "Outlook mobile, Yahoo mobile and Samsung Email"
    )
    return CheckResult("local-anchors", True, detail, warning=True)


def _status_of(client: httpx.Client, url: str) -> str | None:
    try:
        response = client.head(url)
        if response.status_code in (400, 403, 405, 501):
            with client.stream("GET", url) as streamed:
                response = streamed
        return None if response.status_code < 400 else f"{url} ({response.status_code})"
    except httpx.HTTPError as exc:
        return f"{url} ({type(exc).__name__})"


def _reachable(facts: HtmlFacts, client: httpx.Client) -> CheckResult:
    urls = sorted({a.href for a in facts.anchors if urlsplit(a.href).scheme in ("http", "https")})
    with ThreadPoolExecutor(max_workers=8) as pool:
        failures = [f for f in pool.map(lambda url: _status_of(client, url), urls) if f]
    if failures:
        detail = f"{len(failures)} of {len(urls)} unreachable: " + "; ".join(failures[:5])
        return CheckResult("links-reachable", False, detail)
    return CheckResult("links-reachable", True, f"{len(urls)} links answer")


def _lang(facts: HtmlFacts) -> CheckResult:
    ok = bool(facts.html_lang)
    return CheckResult("html-lang", ok, f"lang={facts.html_lang!r}" if ok else "<html> has no lang")


def _looks_like_address(line: str) -> bool:
    return (
        10 <= len(line) <= 200
        and "," in line
        and any(ch.isdigit() for ch in line)
        and "://" not in line
    )


def _footer_lines(text: str) -> list[str]:
    """The text part's lines after its last mention of unsubscribing (its last 3 lines if none)."""
    lines = [line.strip() for line in text.strip().splitlines()]
    marks = [n for n, line in enumerate(lines) if "unsubscribe" in line.casefold()]
    return lines[marks[-1] + 1 :] if marks else lines[-3:]


def _footer(message: EmailMessage, facts: HtmlFacts, text: str) -> CheckResult:
    unsubscribe_targets = set(
        re.findall(r"<(https://[^>]+)>", str(message.get("List-Unsubscribe", "")))
    )
    has_unsubscribe = any(
        "unsubscribe" in a.text.casefold() or a.href in unsubscribe_targets for a in facts.anchors
    )
    has_address = any(facts.addresses) or any(map(_looks_like_address, _footer_lines(text)))
    problems = []
    if not has_unsubscribe:
        problems.append("no visible unsubscribe link in the HTML")
    if not has_address:
        problems.append("no postal address (<address> in the HTML or a last line of the text)")
    return CheckResult(
        "footer", not problems, "; ".join(problems) or "unsubscribe link and address"
    )


def _text_alternative(facts: HtmlFacts, text: str) -> CheckResult:
    if not text.strip():
        return CheckResult("text-part", False, "no text/plain part")
    html_words, text_words = len(facts.text.split()), len(text.split())
    html_links = {a.href for a in facts.anchors if urlsplit(a.href).scheme in ("http", "https")}
    missing = sorted(url for url in html_links if url not in text)
    problems = []
    if text_words < TEXT_TO_HTML_MIN_WORDS * html_words:
        problems.append(f"{text_words} words against {html_words} in the HTML: looks like a stub")
    if missing:
        problems.append(f"{len(missing)} links only in the HTML: " + ", ".join(missing[:3]))
    detail = "; ".join(problems) or (
        f"{text_words} words ({html_words} in HTML), all {len(html_links)} links present"
    )
    return CheckResult("text-part", not problems, detail)


def _css(facts: HtmlFacts) -> CheckResult:
    findings = css_findings(facts.styles, facts.stylesheets)
    if not findings:
        return CheckResult("css-support", True, "no CSS that major clients lack")
    broken = [f for f in findings if f.breaks_layout]
    shown = broken or list(findings)
    detail = "; ".join(_finding_text(f) for f in shown)
    if broken:
        return CheckResult("css-support", False, "layout breaks: " + detail)
    return CheckResult("css-support", True, "degrades gracefully: " + detail, warning=True)


def _finding_text(finding: CssFinding) -> str:
    lacking = len(finding.unsupported)
    clients = f": {', '.join(finding.unsupported)}" if lacking <= 2 else ""
    return f"{finding.title} (lacking in {lacking} of {len(MAJOR_CLIENTS)} major clients{clients})"


def _spam(raw: bytes, threshold: float) -> CheckResult:
    if not spamassassin_available():
        return CheckResult("spamassassin", True, "spamassassin not installed: not scored", True)
    try:
        report = spam_report(raw)
    except RuntimeError as exc:
        return CheckResult("spamassassin", False, str(exc))
    rules = ", ".join(f"{name} {points:+.1f}" for name, points in report.rules if points) or "none"
    ok = report.score <= threshold
    return CheckResult(
        "spamassassin", ok, f"score {report.score:.1f} (max {threshold:.1f}); {rules}"
    )
