"""Plain text and Markdown: paragraphs split on blank lines, headings from `#` or numbering."""

from __future__ import annotations

import codecs
import re

from policy_review.extract.source import SourceFile
from policy_review.extract.structure import (
    SENTENCE_END,
    SHORT_LINE_SHARE,
    Para,
    accept_redline,
    clean_text,
    heading_cue,
    join_lines,
    opens_item,
    opens_wrapped_item,
    outline,
)
from policy_review.model import Document, build_document

BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
CONTROL_BYTES = frozenset(range(32)) - {9, 10, 12, 13}
MAX_CONTROL_SHARE = 0.01
UTF16_NUL_SHARE = 0.3  # BOM-less UTF-16 text has a NUL in about every other byte
WRAP_PERCENTILE = 0.9  # the usual width of a hard-wrapped line: most lines are no longer
MARKDOWN_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
MARKDOWN_RULE = re.compile(r"^\s*([-*_=])(\s*\1){2,}\s*$")


def _bom_encoding(data: bytes) -> str | None:
    for bom, encoding in BOMS:
        if data.startswith(bom):
            return encoding
    return None


def _bomless_utf16(data: bytes) -> str | None:
    sample = data[:4096]
    if len(sample) < 2:
        return None
    odd, even = sample[1::2], sample[0::2]
    if odd.count(0) >= UTF16_NUL_SHARE * len(odd) and even.count(0) < len(even) * 0.05:
        return "utf-16-le"
    if even.count(0) >= UTF16_NUL_SHARE * len(even) and odd.count(0) < len(odd) * 0.05:
        return "utf-16-be"
    return None


def looks_like_text(sample: bytes) -> bool:
    """Bytes that decode as text and hold almost no control characters."""
    if _bom_encoding(sample) or _bomless_utf16(sample):
        return True
    if not sample or b"\x00" in sample:
        return False
    controls = sum(1 for byte in sample if byte in CONTROL_BYTES)
    return controls <= MAX_CONTROL_SHARE * len(sample)


def decode_text(data: bytes) -> tuple[str, str | None]:
    """(text, warning): UTF-8 or a BOM's encoding; else cp1252/latin-1 with a warning."""
    encoding = _bom_encoding(data) or _bomless_utf16(data)
    if encoding:
        return data.decode(encoding, errors="replace"), None
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError:
        pass
    for fallback in ("cp1252", "latin-1"):
        try:
            text = data.decode(fallback)
        except UnicodeDecodeError:
            continue
        return text, f"not UTF-8: read as {fallback}; check accented characters in quotes"
    raise AssertionError("latin-1 decodes any bytes")  # pragma: no cover


def text_paragraphs(text: str) -> list[Para]:
    """Paragraphs of plain text, split at blank lines. Without blank lines, a numbered or
    bulleted line still starts a paragraph, a lone heading-like line is its own, and a short
    line ending a sentence (hard-wrapped text) ends one."""
    paras: list[Para] = []
    current: list[str] = []
    lines = [clean_text(raw) for raw in text.splitlines()]
    lengths = sorted(len(line) for line in lines if line)
    wrap_width = lengths[int(len(lengths) * WRAP_PERCENTILE)] if lengths else 0

    def flush() -> None:
        if current:
            paras.append(Para(clean_text(join_lines(current))))
            current.clear()

    for raw, line in zip(text.splitlines(), lines, strict=True):
        if not line or MARKDOWN_RULE.match(raw):
            flush()
            continue
        if match := MARKDOWN_HEADING.match(line):
            flush()
            paras.append(Para(clean_text(match.group(2)), heading_level=len(match.group(1))))
            continue
        previous_full = bool(current) and len(current[-1]) >= SHORT_LINE_SHARE * wrap_width
        if (
            opens_wrapped_item(current[-1], line, previous_full=previous_full)
            if current
            else opens_item(line)
        ) or (len(current) == 1 and heading_cue(current[0], emphasis=False, numbered=False)):
            flush()
        current.append(line)
        if line.endswith(SENTENCE_END) and len(line) < SHORT_LINE_SHARE * wrap_width:
            flush()
    flush()
    return paras


def extract(source: SourceFile) -> Document:
    text, warning = decode_text(source.data)
    source.check_chars(len(text))
    paras, redline = accept_redline(text_paragraphs(text))
    return build_document(
        source=source.name,
        sha256=source.sha256,
        format="text",
        page_count=None,
        blocks=outline(paras),
        warnings=(warning,) if warning else (),
        tracked_changes=redline,
    )
