"""Plain text and Markdown: paragraphs split on blank lines, headings from `#` or numbering."""

from __future__ import annotations

import codecs
import re
from collections import Counter

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
from policy_review.model import Document, PassageKind, build_document

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
# a printout's page number: "PAGE 2 OF 7", "Page 3", "- 4 -", "5 of 12" at the line's end
PAGE_NUMBER = re.compile(
    r"\bpage\s+(\d+)(?:\s+of\s+\d+)?\b|^-\s*(\d+)\s*-$|\b(\d+)\s+of\s+\d+$", re.IGNORECASE
)


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


def _shape(line: str) -> str:
    return re.sub(r"\d+", "#", line)


def _page_number(line: str) -> int | None:
    match = PAGE_NUMBER.search(line)
    return int(next(group for group in match.groups() if group)) if match else None


def _running_shapes(lines: list[str]) -> frozenset[str]:
    """Shapes (digits aside) of the lines a printout repeats on each page with its number: its
    running header or footer, printed wherever the page broke, mid-paragraph included."""
    shapes = Counter(_shape(line) for line in lines if line and _page_number(line) is not None)
    return frozenset(shape for shape, count in shapes.items() if count >= 2)


def text_paragraphs(text: str) -> list[Para]:
    """Paragraphs of plain text, split at blank lines. Without blank lines, a numbered or
    bulleted line still starts a paragraph, a lone heading-like line is its own, and a short
    line ending a sentence (hard-wrapped text) ends one. A running page header or footer is
    set apart and gives the pages; the paragraph it interrupted goes on after it."""
    paras: list[Para] = []
    current: list[str] = []
    raw_lines = text.splitlines()
    lines = [clean_text(raw) for raw in raw_lines]
    lengths = sorted(len(line) for line in lines if line)
    wrap_width = lengths[int(len(lengths) * WRAP_PERCENTILE)] if lengths else 0
    running = _running_shapes(lines)
    page: int | None = None
    if running:
        first = next(i for i, line in enumerate(lines) if line and _shape(line) in running)
        # "PAGE 1" printed under page 1's text is a footer; a first mark of page 2 heads page 2
        footer = _page_number(lines[first]) == 1 and any(lines[:first])
        page = 1
    started = page
    bridging = False  # after a running line: blank lines do not end the interrupted paragraph

    def flush() -> None:
        if current:
            paras.append(Para(clean_text(join_lines(current)), page=started))
            current.clear()

    for raw, line in zip(raw_lines, lines, strict=True):
        if line and _shape(line) in running:
            number = _page_number(line) or 0
            printed_on = page if footer else number
            paras.append(Para(line, page=printed_on, kind=PassageKind.HEADER_FOOTER))
            page = number + 1 if footer else number
            bridging = True
            continue
        if not line and bridging:
            continue
        bridging = False
        if not line or MARKDOWN_RULE.match(raw):
            flush()
            continue
        if not current:
            started = page
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
    pages = [para.page for para in paras if para.page is not None]
    return build_document(
        source=source.name,
        sha256=source.sha256,
        format="text",
        page_count=max(pages) if pages else None,
        blocks=outline(paras),
        warnings=(warning,) if warning else (),
        tracked_changes=redline,
    )
