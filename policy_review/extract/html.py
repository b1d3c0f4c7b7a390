"""HTML policy manuals: headings h1-h6, paragraphs, list items and table cells in page order.

Built on the standard library's tolerant `html.parser` (no DTD, no entity expansion beyond the
HTML named references, no network). Scripts, styles and navigation are skipped; hidden elements
(pop-up glossary definitions) are kept but placed after the paragraph they sit in.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from policy_review.extract.source import SourceFile
from policy_review.extract.structure import (
    Para,
    accept_redline,
    cell_prefix,
    clean_text,
    int_to_letters,
    int_to_roman,
    outline,
)
from policy_review.extract.text import decode_text, text_paragraphs
from policy_review.model import Document, PassageKind, build_document

SKIPPED = frozenset({"script", "style", "nav", "noscript", "template", "head", "svg", "select"})
VOID = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
    "source", "track", "wbr",
})  # fmt: skip
BLOCKS = frozenset({
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details",
    "dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1",
    "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "ol", "p", "pre", "section",
    "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
})  # fmt: skip
HEADINGS = {f"h{n}": n for n in range(1, 7)}
CELLS = frozenset({"td", "th"})
HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.IGNORECASE)
CHARSET_WINDOW = 4096
BOLD_TAGS = frozenset({"b", "strong"})
NAV_MIN_LINKS = 3
NAV_LINK_SHARE = 0.6
"""A block of at least this many links whose link text is most of its text is a navigation bar
("PolicyNet Home Directives Forms Search") even outside <nav>: page chrome, not the directive."""


@dataclass(slots=True)
class _Run:
    """The paragraph being collected, and a number or label cell waiting to prefix the next."""

    pieces: list[str] = field(default_factory=list)
    chars: int = 0
    bold_chars: int = 0
    links: int = 0
    link_chars: int = 0
    prefix: str = ""
    prefix_numbered: bool = False


class _DirectiveParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paras: list[Para] = []
        self._run = _Run()
        self._bold_depth = 0
        self._link_depth = 0
        self._open: list[str] = []  # open block elements, innermost last
        self._lists: list[list] = []  # [type, next value] per open <ol>/<ul>
        self._skip: list[str] = []  # tag whose content is being skipped (with nesting)
        # Hidden elements (pop-up definitions, collapsed sections) are read, but set after the
        # paragraph they interrupt so that its sentences stay whole.
        self._hidden: list[str] = []
        self._hidden_paras: list[Para] = []
        self._deferred: list[Para] = []
        self._visible_run = self._run
        self._rows = 0  # <tr> elements opened so far: numbers each row's cells

    def handle_starttag(self, tag: str, attrs) -> None:
        attributes = dict(attrs)
        if self._skip:
            if tag == self._skip[0] and tag not in VOID:
                self._skip.append(tag)
            return
        if tag in SKIPPED:
            self._skip.append(tag)
            return
        if self._hidden and tag == self._hidden[0] and tag not in VOID:
            self._hidden.append(tag)
        elif (
            tag not in VOID
            and not self._hidden
            and ("hidden" in attributes or HIDDEN_STYLE.search(attributes.get("style") or ""))
        ):
            self._visible_run, self._run = self._run, _Run()
            self._hidden.append(tag)
        if tag in BOLD_TAGS:
            self._bold_depth += 1
        if tag == "a":
            self._link_depth += 1
            self._run.links += 1
        if tag == "br":  # a line break, not a paragraph: wrapped lines are rejoined on flush
            self._run.pieces.append("\n")
            return
        if tag not in BLOCKS:
            return
        self._flush()
        if tag in VOID:
            return
        self._open.append(tag)
        if tag == "tr":
            self._rows += 1
        if tag in ("ol", "ul"):
            start = attributes.get("start") or "1"
            kind = attributes.get("type") or ("1" if tag == "ol" else "")
            self._lists.append([kind, int(start) if start.isdigit() else 1])
        elif tag == "li" and self._lists and self._lists[-1][0]:
            kind, value = self._lists[-1]
            self._lists[-1][1] += 1
            self._run.pieces.append(_list_label(kind, value) + " ")

    def handle_endtag(self, tag: str) -> None:
        if self._skip:
            if tag == self._skip[0]:
                self._skip.pop()
            return
        if tag in BOLD_TAGS:
            self._bold_depth = max(0, self._bold_depth - 1)
        if tag == "a":
            self._link_depth = max(0, self._link_depth - 1)
        if tag in BLOCKS and tag in self._open:
            self._flush()
            while self._open:
                closed = self._open.pop()
                if closed in ("ol", "ul") and self._lists:
                    self._lists.pop()
                if closed == tag:
                    break
        if self._hidden and tag == self._hidden[0]:
            self._hidden.pop()
            if not self._hidden:
                self._end_hidden()

    def _end_hidden(self) -> None:
        self._hidden.append("")  # still hidden while its last text is flushed
        self._flush()
        self._hidden.clear()
        self._deferred.extend(self._hidden_paras)
        self._hidden_paras = []
        self._run = self._visible_run

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        self._run.pieces.append(data.replace("\n", " ").replace("\r", " "))
        visible = len(data.strip())
        self._run.chars += visible
        if self._bold_depth:
            self._run.bold_chars += visible
        if self._link_depth:
            self._run.link_chars += visible

    def _flush(self) -> None:
        run = self._run
        collected = "".join(run.pieces)
        emphasis = bool(run.chars) and run.bold_chars >= run.chars
        navigation = run.links >= NAV_MIN_LINKS and run.link_chars >= NAV_LINK_SHARE * run.chars
        run.pieces.clear()
        run.chars = run.bold_chars = run.links = run.link_chars = 0
        if "\n" in collected:  # lines separated by <br>: paragraphs as in plain text
            for para in text_paragraphs(collected):
                self._add(para.text, emphasis, navigation)
        else:
            self._add(clean_text(collected), emphasis, navigation)

    def _add(self, text: str, emphasis: bool, navigation: bool = False) -> None:
        if not text:
            return
        run = self._run
        context = self._context()
        role = cell_prefix(text)
        if role == "marker" or (role == "label" and context == "cell"):
            run.prefix = f"{run.prefix} {text}".strip()
            run.prefix_numbered = run.prefix_numbered or role == "marker"
            return
        if context == "term":  # a definition list's term opens its definition's sentence
            run.prefix = f"{run.prefix} {text.rstrip(':')}:".strip()
            return
        if run.prefix:
            text = f"{run.prefix} {text}"
            context = "prose" if run.prefix_numbered else context
            run.prefix, run.prefix_numbered = "", False
        if isinstance(context, int):
            para = Para(text, heading_level=context)
        elif context == "cell":
            para = Para(text, kind=PassageKind.TABLE_CELL, emphasis=emphasis, row=self._rows)
        elif context == "item":
            para = Para(text, kind=PassageKind.LIST_ITEM, emphasis=emphasis)
        elif context == "edge" or navigation:
            para = Para(text, kind=PassageKind.HEADER_FOOTER)
        else:
            para = Para(text, emphasis=emphasis)
        if self._hidden:
            para.aside = True
            self._hidden_paras.append(para)
            return
        self.paras.append(para)
        self.paras.extend(self._deferred)
        self._deferred.clear()

    def _context(self) -> int | str:
        for tag in reversed(self._open):
            if tag in HEADINGS:
                return HEADINGS[tag]
            if tag in CELLS:
                return "cell"
            if tag == "li":
                return "item"
            if tag == "dt":
                return "term"
        return "edge" if any(t in ("header", "footer") for t in self._open) else "prose"

    def close(self) -> None:
        super().close()
        if self._hidden:
            self._end_hidden()
        self._flush()
        self.paras.extend(self._deferred)
        self._deferred.clear()


def _list_label(kind: str, value: int) -> str:
    if kind == "a":
        return int_to_letters(value).lower() + "."
    if kind == "A":
        return int_to_letters(value) + "."
    if kind == "i":
        return int_to_roman(value).lower() + "."
    if kind == "I":
        return int_to_roman(value) + "."
    return f"{value}."


def _decode(data: bytes) -> tuple[str, str | None]:
    if not data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        match = META_CHARSET.search(data[:CHARSET_WINDOW])
        if match:
            try:
                encoding = codecs.lookup(match.group(1).decode("ascii")).name
            except LookupError:
                encoding = None
            if encoding and not encoding.startswith("utf-16"):
                try:
                    return data.decode(encoding), None
                except UnicodeDecodeError:
                    pass
    return decode_text(data)


def extract(source: SourceFile) -> Document:
    text, warning = _decode(source.data)
    parser = _DirectiveParser()
    parser.feed(text)
    parser.close()
    source.check_chars(sum(len(para.text) for para in parser.paras))
    paras, redline = accept_redline(parser.paras)
    return build_document(
        source=source.name,
        sha256=source.sha256,
        format="html",
        page_count=None,
        blocks=outline(paras),
        warnings=(warning,) if warning else (),
        tracked_changes=redline,
    )
