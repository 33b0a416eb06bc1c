"""The gate's image checks: what every <img> must say about itself, and (with the link check)
how heavy each one is.

Every image needs an alt text (a reader with images off, or a screen reader, gets it), an
https source (webmail shows a mixed-content warning for plain http, and a plain-http fetch
tells the network who reads) and a width of at most 600 px (the column). Without a height the
text below an image jumps when it loads: a warning. The byte size is known only by asking the
image's server, so it is checked with the links (`digest check --links`).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import httpx

from digest.check.html import HtmlFacts
from digest.check.result import CheckResult

IMAGE_MAX_WIDTH = 600
IMAGE_MAX_BYTES = 1024 * 1024  # a picture heavier than this is slow on a phone's network


def _number(value: str | None) -> int | None:
    return int(value) if value is not None and value.strip().isdigit() else None


def image_check(facts: HtmlFacts) -> CheckResult:
    """alt, https and width on every image; a missing height only warns."""
    problems: list[str] = []
    unsized: list[str] = []
    for image in facts.images:
        src = str(image.get("src") or "")
        if image.get("alt") is None:
            problems.append(f"no alt on {src}")
        if urlsplit(src).scheme.lower() != "https":
            problems.append(f"{src or 'an image'} is not https")
        width = _number(image.get("width"))
        if width is None:
            problems.append(f"no width on {src}")
        elif width > IMAGE_MAX_WIDTH:
            problems.append(f"{src} is {width} px wide (at most {IMAGE_MAX_WIDTH})")
        if _number(image.get("height")) is None:
            unsized.append(src)
    if problems:
        return CheckResult("images", False, "; ".join(problems[:5]))
    count = len(facts.images)
    if unsized:
        detail = f"{count} images; no height on {', '.join(unsized[:3])} (text jumps on load)"
        return CheckResult("images", True, detail, warning=True)
    return CheckResult("images", True, f"{count} images, all https with alt, width and height")


def _bytes_of(client: httpx.Client, url: str) -> str | None:
    """Why the image at `url` is too heavy or unreachable, or None. The size from HEAD's
    Content-Length, else by reading at most one byte more than the cap."""
    try:
        response = client.head(url)
        declared = response.headers.get("content-length", "")
        if response.status_code < 400 and declared.isdigit():
            size = int(declared)
        else:
            with client.stream("GET", url) as streamed:
                if streamed.status_code >= 400:
                    return f"{url} ({streamed.status_code})"
                size = 0
                for chunk in streamed.iter_bytes():
                    size += len(chunk)
                    if size > IMAGE_MAX_BYTES:
                        break
    except httpx.HTTPError as exc:
        return f"{url} ({type(exc).__name__})"
    if size > IMAGE_MAX_BYTES:
        return f"{url} is over {IMAGE_MAX_BYTES // 1024} KB"
    return None


def image_weight_check(facts: HtmlFacts, client: httpx.Client) -> CheckResult:
    urls = sorted({str(image.get("src")) for image in facts.images if image.get("src")})
    with ThreadPoolExecutor(max_workers=8) as pool:
        failures = [f for f in pool.map(lambda url: _bytes_of(client, url), urls) if f]
    if failures:
        return CheckResult("images-weight", False, "; ".join(failures[:5]))
    return CheckResult(
        "images-weight", True, f"{len(urls)} images, each at most {IMAGE_MAX_BYTES // 1024} KB"
    )
