"""The pre-send quality gate on complete messages: the sample passes, each defect is caught."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from digest.check import CheckResult, check_message, gate_passed, link_problem
from digest.check.css import css_findings
from digest.deliver import message_for
from digest.models import RenderedEmail, Subscriber
from digest.render import RenderSettings, render_edition, render_for
from tests.conftest import require
from tests.render.sample import SUBSCRIBERS, build_message, links_for, load_sample, sized_digest


def _sample_email() -> RenderedEmail:
    digest, newsletter = load_sample()
    subscriber = SUBSCRIBERS[0]
    return render_for(digest, newsletter, RenderSettings(), subscriber, links_for(subscriber))


def _raw(email: RenderedEmail | None = None) -> bytes:
    _, newsletter = load_sample()
    return build_message(email or _sample_email(), newsletter, SUBSCRIBERS[0])


def _by_name(results: tuple[CheckResult, ...]) -> dict[str, CheckResult]:
    return {result.name: result for result in results}


def _check(raw: bytes, **options: bool) -> dict[str, CheckResult]:
    return _by_name(check_message(raw, spamassassin=False, **options))


def _with_html(html_change: tuple[str, str], text: str | None = None) -> bytes:
    email = _sample_email()
    old, new = html_change
    assert old in email.html
    return _raw(RenderedEmail(email.subject, email.html.replace(old, new, 1), text or email.text))


def test_sample_passes_every_check() -> None:
    results = _check(_raw())
    failed = {name: r.detail for name, r in results.items() if not r.ok}
    assert not failed
    assert gate_passed(results.values())
    assert results["css-support"].warning, "dark-mode queries degrade gracefully: a warning"
    assert "links" in results and "text-part" in results and "footer" in results


def test_sample_spamassassin_score_at_most_one() -> None:
    require(shutil.which("spamassassin") is not None, "spamassassin")
    result = _by_name(check_message(_raw()))["spamassassin"]
    assert result.ok and not result.warning, result.detail
    score = float(result.detail.split()[1])
    assert score <= 1.0, result.detail


def test_spam_threshold_is_applied() -> None:
    require(shutil.which("spamassassin") is not None, "spamassassin")
    result = _by_name(check_message(_raw(), spamassassin_threshold=-50.0))["spamassassin"]
    assert not result.ok and "max -50.0" in result.detail


def test_missing_spamassassin_is_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    result = _by_name(check_message(_raw()))["spamassassin"]
    assert result.ok and result.warning and "not installed" in result.detail


def _without_header(raw: bytes, name: str, value: str | None = None) -> bytes:
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    del message[name]
    if value is not None:
        message[name] = value
    return message.as_bytes()


@pytest.mark.parametrize(
    ("header", "value", "expected"),
    [
        ("List-Unsubscribe-Post", None, "List-Unsubscribe-Post is not"),
        ("List-Unsubscribe", "<https://digest.example.org/u/1>", "no <mailto:...>"),
        ("List-Unsubscribe", "<mailto:u@digest.example.org>", "no <https://...>"),
        ("Date", None, "Date missing"),
        ("Message-ID", None, "Message-ID missing"),
    ],
)
def test_bad_headers_fail(header: str, value: str | None, expected: str) -> None:
    result = _check(_without_header(_raw(), header, value))["headers"]
    assert not result.ok and expected in result.detail


def test_stub_text_part_fails() -> None:
    email = _sample_email()
    stub = "Your email client cannot show HTML. View in browser: https://digest.example.org/e/1\n"
    result = _check(_raw(RenderedEmail(email.subject, email.html, stub)))["text-part"]
    assert not result.ok and "stub" in result.detail and "links only in the HTML" in result.detail


def test_html_only_message_fails_structure_and_text() -> None:
    message = EmailMessage()
    for name, value in BytesParser(policy=policy.default).parsebytes(_raw()).items():
        if not name.lower().startswith(("content-", "mime-")):
            message[name] = value
    message.set_content(_sample_email().html, subtype="html")
    results = _check(message.as_bytes())
    assert not results["mime-structure"].ok and not results["text-part"].ok


@pytest.mark.parametrize(
    ("image", "problem"),
    [
        ('<img src="https://cdn.example.org/x.png" width="10" height="5">', "no alt on"),
        ('<img src="http://cdn.example.org/x.png" alt="" width="10" height="5">', "not https"),
        ('<img src="https://cdn.example.org/x.png" alt="x" height="5">', "no width"),
        ('<img src="https://cdn.example.org/x.png" alt="x" width="900" height="5">', "900 px"),
    ],
)
def test_image_without_alt_https_or_width_fails(image: str, problem: str) -> None:
    result = _check(_with_html(("<h1 ", image + "<h1 ")))["images"]
    assert not result.ok and problem in result.detail and "cdn.example.org/x.png" in result.detail


def test_image_without_height_warns_and_story_pictures_pass() -> None:
    image = '<img src="https://cdn.example.org/x.png" alt="Logo" width="160">'
    result = _check(_with_html(("<h1 ", image + "<h1 ")))["images"]
    assert result.ok and result.warning and "no height" in result.detail
    digest, newsletter = load_sample()
    email = render_for(
        digest, newsletter, RenderSettings(), SUBSCRIBERS[0], links_for(SUBSCRIBERS[0])
    )
    result = _check(_raw(email))["images"]
    assert result.ok and not result.warning and result.detail.startswith("2 images"), result.detail


def test_html_over_the_clip_limit_fails() -> None:
    padding = "<p>" + "padding words " * 8000 + "</p>"
    result = _check(_with_html(("</address>", "</address>" + padding)))["html-size"]
    assert not result.ok and "KB" in result.detail


@pytest.mark.parametrize(
    ("href", "problem"),
    [
        ("javascript:alert(1)", "scheme 'javascript'"),
        ("https:///no-host", "has no host"),
        ("https://example.com/a b", "whitespace"),
        ("#nowhere", "points to no element"),
        ("mailto:", "has no address"),
        ("", "empty href"),
    ],
)
def test_malformed_links_fail(href: str, problem: str) -> None:
    raw = _with_html(('href="https://news.example.com', f'href="{href}" data-x="'))
    result = _check(raw)["links"]
    assert not result.ok and problem in result.detail
    assert link_problem("https://example.com/ok?a=1&b=2", set()) is None
    assert link_problem("#story-1", {"story-1"}) is None


def test_links_to_anchors_warn() -> None:
    assert _check(_raw())["local-anchors"] == CheckResult(
        "local-anchors", True, "no links to #anchors"
    )
    raw = _with_html(("<h1 ", '<p><a href="#top">Back to top</a></p><h1 id="top" '))
    result = _check(raw)["local-anchors"]
    assert result.ok and result.warning and "#top" in result.detail


def test_footer_without_postal_address_fails() -> None:
    email = _sample_email()
    html = email.html.replace("<address", "<div").replace("</address>", "</div>")
    text = email.text.rsplit("\n\n", 1)[0] + "\n"
    assert text.rstrip().endswith("editions/2025-11-27")
    result = _check(_raw(RenderedEmail(email.subject, html, text)))["footer"]
    assert not result.ok and "no postal address" in result.detail
    assert "unsubscribe link" not in result.detail


def test_footer_without_unsubscribe_link_fails() -> None:
    email = _sample_email()
    link = links_for(SUBSCRIBERS[0]).unsubscribe_url.replace("&", "&amp;")
    html = email.html.replace(f'<a href="{link}"', '<a href="https://digest.example.org/"')
    html = html.replace(">Unsubscribe<", ">Leave<")
    result = _check(_raw(RenderedEmail(email.subject, html, email.text)))["footer"]
    assert not result.ok and "no visible unsubscribe link" in result.detail


def test_leftover_placeholders_fail() -> None:
    result = _check(_with_html(("Hi Ann,", "Hi {{ name }},")))["placeholders"]
    assert not result.ok and "HTML" in result.detail


def test_layout_breaking_css_fails_and_graceful_css_warns() -> None:
    result = _check(_with_html(('<h1 style="', '<h1 style="display:flex;position:absolute;')))
    css = result["css-support"]
    assert not css.ok and "position" in css.detail
    findings = {f.feature for f in css_findings(["border-radius:4px;opacity:0.5"], [])}
    assert findings == {"css-border-radius", "css-opacity"}
    assert css_findings(["color:#111;font-weight:700"], []) == ()


HEAVY = 1024 * 1024 + 1  # bytes: one over the gate's cap


class _Handler(BaseHTTPRequestHandler):
    def do_HEAD(self) -> None:
        if self.path in ("/no-head", "/heavy-no-head.jpg"):
            self.send_response(405)
        else:
            self.send_response(404 if self.path == "/missing" else 200)
            if self.path == "/heavy.jpg":
                self.send_header("Content-Length", str(HEAVY))
        self.end_headers()

    def do_GET(self) -> None:
        self.send_response(404 if self.path == "/missing" else 200)
        self.end_headers()
        self.wfile.write(b"x" * HEAVY if self.path.startswith("/heavy") else b"ok")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def local_site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _links_only(*hrefs: str, images: tuple[str, ...] = ()) -> bytes:
    html = "".join(f'<p><a href="{href}">link {n}</a></p>' for n, href in enumerate(hrefs))
    html += "".join(f'<img src="{src}" alt="" width="10" height="10">' for src in images)
    message = EmailMessage()
    message["Subject"] = "links"
    message.set_content("text " + " ".join(hrefs) + "\n")
    message.add_alternative(f'<html lang="en"><body>{html}</body></html>', subtype="html")
    return message.as_bytes()


def test_reachable_links_pass_and_broken_ones_fail(local_site: str) -> None:
    good = _check(_links_only(f"{local_site}/a", f"{local_site}/no-head"), check_links=True)
    assert good["links-reachable"].ok, good["links-reachable"].detail
    bad = _check(_links_only(f"{local_site}/a", f"{local_site}/missing"), check_links=True)
    result = bad["links-reachable"]
    assert not result.ok and "/missing (404)" in result.detail and "1 of 2" in result.detail
    assert "links-reachable" not in _check(_links_only(f"{local_site}/a"))


def test_heavy_images_fail_with_the_link_check(local_site: str) -> None:
    light = _links_only(f"{local_site}/a", images=(f"{local_site}/light.jpg",))
    assert _check(light, check_links=True)["images-weight"].ok
    for name in ("heavy.jpg", "heavy-no-head.jpg"):  # Content-Length, or read to the cap
        heavy = _links_only(f"{local_site}/a", images=(f"{local_site}/{name}",))
        result = _check(heavy, check_links=True)["images-weight"]
        assert not result.ok and f"/{name} is over 1024 KB" in result.detail
    assert "images-weight" not in _check(light)


EDITIONS = {"1 story": (1, 0), "9 stories": (9, 0), "30 stories": (30, 0), "40 outlets": (9, 40)}


@pytest.mark.parametrize("theme", ["default", "compact"])
@pytest.mark.parametrize("edition", EDITIONS)
def test_editions_of_every_size_pass_the_gate(edition: str, theme: str) -> None:
    """The message `digest check` builds (deliver.message_for) for each size passes every
    check, SpamAssassin included (at most 0.0, the gate allows 1.0; a 40-outlet story once failed on
    MPART_ALT_DIFF_COUNT)."""
    require(shutil.which("spamassassin") is not None, "spamassassin")
    stories, outlets = EDITIONS[edition]
    digest, newsletter = sized_digest(stories, outlets=outlets)
    rendered = render_edition(digest, newsletter, RenderSettings(theme=theme))
    reader = Subscriber(email="ada@example.com", name="Ada Lovelace")
    message = message_for(newsletter, rendered, reader, "s" * 32, digest.created)
    results = _by_name(check_message(message.raw, spamassassin=theme == "default"))
    failed = {name: r.detail for name, r in results.items() if not r.ok}
    assert not failed
    assert "Hi Ada," in message.text
    if theme == "default":
        spam = results["spamassassin"]
        assert not spam.warning and float(spam.detail.split()[1]) <= 0.0, spam.detail
        assert "MPART_ALT_DIFF" not in spam.detail and "HTML_FONT_LOW_CONTRAST" not in spam.detail
