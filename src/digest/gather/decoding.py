"""Bytes of a page or feed to text: the HTTP charset, a BOM, then the document's declaration.

Every claim is verified before it is believed. Publishers often declare ISO-8859-1 (in the
header or the document) and send UTF-8; bytes that decode as UTF-8 and hold non-ASCII are
UTF-8 whatever the declaration says, because text in a single-byte charset almost never forms
valid multi-byte UTF-8 sequences by accident. A claim of UTF-8 that does not decode, or no claim
at all on bytes that are not UTF-8, is settled by charset-normalizer (the field's detector, the
one requests uses); cp1252 is the last resort, as browsers do for Latin-1.
"""

from __future__ import annotations

import codecs
import re
from typing import Literal

__all__ = ["declared_charset", "decode_document", "utf8_xml"]

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# "<?" in UTF-16/32 without a BOM (XML 1.0 appendix F).
_UNMARKED = (
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00<\x00?", "utf-16-be"),
    (b"<\x00?\x00", "utf-16-le"),
)
_XML_DECLARATION = re.compile(rb"^\s*<\?xml[^>]{0,200}?encoding\s*=\s*[\"']([\w.:-]+)[\"']")
_META_CHARSET = re.compile(rb"<meta[^>]{0,300}?charset\s*=\s*[\"']?\s*([\w.:-]+)", re.IGNORECASE)
_XML_DECL_TEXT = re.compile(r"^\s*<\?xml[^>]{0,300}?\?>")
# Single-byte and legacy labels whose claim UTF-8 bytes overrule.
_UNICODE = ("utf-8", "utf-16", "utf-32")


def _normal(label: str | None) -> str | None:
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("\"'").lower()).name
    except LookupError:
        return None
    # WHATWG: a Latin-1 or ASCII label means windows-1252 (the curly quotes a CMS writes).
    return "cp1252" if name in ("latin-1", "iso8859-1", "ascii") else name


def http_charset(content_type: str | None) -> str | None:
    """The charset parameter of a Content-Type header, normalised, or None."""
    if not content_type or "charset=" not in content_type.lower():
        return None
    value = content_type.lower().split("charset=", 1)[1].split(";")[0]
    return _normal(value)


def declared_charset(body: bytes, kind: Literal["html", "xml"]) -> str | None:
    """What the document says of itself: its XML declaration, or a <meta> charset."""
    head = body[:4096]
    match = _XML_DECLARATION.match(head)
    if match is None and kind == "html":
        match = _META_CHARSET.search(head)
    return _normal(match.group(1).decode("ascii", "replace")) if match else None


def _bom(body: bytes) -> tuple[str, int] | None:
    for mark, name in _BOMS:
        if body.startswith(mark):
            return name, len(mark)
    for start, name in _UNMARKED:
        if body.startswith(start):
            return name, 0
    return None


def _utf8(body: bytes) -> str | None:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _detected(body: bytes) -> str:
    from charset_normalizer import from_bytes

    best = from_bytes(body[:200_000]).best()
    encoding = _normal(best.encoding) if best is not None else None
    return body.decode(encoding or "cp1252", errors="replace")


def decode_document(
    body: bytes, content_type: str | None = None, *, kind: Literal["html", "xml"] = "html"
) -> str:
    """The document as text (any BOM removed), by the order the module docstring gives."""
    bom = _bom(body)
    if bom is not None:  # a byte-order mark is proof; a header or declaration is only a claim
        name, size = bom
        return body[size:].decode(name, errors="replace")
    claim = http_charset(content_type) or declared_charset(body, kind)
    if claim is not None and claim.startswith(_UNICODE[1:]):
        return body.decode(claim, errors="replace")
    text = _utf8(body)
    if text is not None:  # valid UTF-8: right for a UTF-8 claim, and overrules any other
        return text
    if claim is not None and claim != "utf-8":
        try:
            return body.decode(claim)
        except UnicodeDecodeError:
            pass
    if kind == "xml" and claim is None:
        # XML without a declaration is UTF-8 by definition: keep what decodes.
        return body.decode("utf-8", errors="replace")
    return _detected(body)


def without_xml_declaration(text: str) -> str:
    """Text with a leading <?xml ...?> removed (lxml refuses one in a str)."""
    return _XML_DECL_TEXT.sub("", text, count=1) if text.lstrip().startswith("<?xml") else text


def utf8_xml(body: bytes, content_type: str | None) -> bytes:
    """The document re-encoded as UTF-8 with a declaration that says so (for lxml)."""
    if _bom(body) is None and http_charset(content_type) in (None, "utf-8"):
        declared = declared_charset(body, "xml")
        if declared in (None, "utf-8") and _utf8(body) is not None:
            return body  # already what it claims: the common case costs one validation
    text = without_xml_declaration(decode_document(body, content_type, kind="xml"))
    return b'<?xml version="1.0" encoding="utf-8"?>' + text.encode("utf-8")
