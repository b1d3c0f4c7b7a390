"""Word .docx: body paragraphs and tables in document order, as Word shows them.

python-docx opens the package, but its paragraph API hides what reviewers see: the numbers Word
generates from numbering definitions (`IV.B.3`, `(a)`), inserted text inside tracked changes,
and text boxes. So the body XML is walked here directly. Before python-docx parses anything, the
package is checked for zip bombs (declared and actual unpacked size) and for DTDs, which Word
never writes and which carry entity-expansion and external-entity attacks.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from docx.package import Package
from lxml import etree

from policy_review.errors import UnreadableInputError
from policy_review.extract.source import SourceFile
from policy_review.extract.structure import (
    Para,
    accept_redline,
    cell_prefix,
    clean_text,
    int_to_letters,
    int_to_roman,
    is_run_in_label,
    outline,
    split_run_in,
)
from policy_review.model import Document, PassageKind, build_document

READ_CHUNK = 1 << 16
MAX_PARTS = 10_000
DTD_MARKERS = (b"<!DOCTYPE", b"<!ENTITY")
MARKER_OVERLAP = 16
MAX_STYLE_CHAIN = 20  # basedOn chains longer than this are cyclic or hostile
MAX_LEVELS = 9
HEADING_STYLE = re.compile(r"^heading\s*(\d)$", re.IGNORECASE)
BODY_TEXT_OUTLINE = 9  # Word's outline level for body text
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
MC_ALTERNATE = f"{{{MC_NS}}}AlternateContent"
MC_CHOICE = f"{{{MC_NS}}}Choice"
MC_FALLBACK = f"{{{MC_NS}}}Fallback"

W_P, W_TBL, W_TR, W_TC = qn("w:p"), qn("w:tbl"), qn("w:tr"), qn("w:tc")
W_R, W_T = qn("w:r"), qn("w:t")
W_SDT, W_SDT_CONTENT, W_CUSTOM_XML = qn("w:sdt"), qn("w:sdtContent"), qn("w:customXml")
W_INS, W_DEL, W_MOVE_TO, W_MOVE_FROM = qn("w:ins"), qn("w:del"), qn("w:moveTo"), qn("w:moveFrom")
W_TXBX = qn("w:txbxContent")
W_PPR, W_RPR, W_VAL = qn("w:pPr"), qn("w:rPr"), qn("w:val")
W_BR, W_TYPE = qn("w:br"), qn("w:type")
W_RENDERED_BREAK = qn("w:lastRenderedPageBreak")
W_SECTION_BREAK = qn("w:sectPr")  # in a paragraph's properties: its section ends there
W_HEADER_REFERENCE = qn("w:headerReference")
R_ID = qn("r:id")
SAME_PAGE_SECTIONS = frozenset({"continuous", "nextColumn"})
W_PAGE_BREAK_BEFORE = qn("w:pageBreakBefore")
TRACKED_INSERT = frozenset({W_INS, W_MOVE_TO})
TRACKED_DELETE = frozenset({W_DEL, W_MOVE_FROM})
TRANSPARENT = frozenset(
    qn(tag) for tag in ("w:hyperlink", "w:smartTag", "w:customXml", "w:fldSimple", "w:dir", "w:bdo")
) | {W_SDT_CONTENT, W_INS, W_MOVE_TO}
RUN_TEXT = {qn("w:t"): None, qn("w:tab"): " ", qn("w:br"): " ", qn("w:cr"): " ",
            qn("w:noBreakHyphen"): "-", qn("w:softHyphen"): ""}  # fmt: skip
FALSE_VALUES = frozenset({"0", "false", "off", "none"})


def _check_package(source: SourceFile) -> None:
    """Refuse zip bombs and DTDs before any XML parser sees the parts."""
    try:
        with zipfile.ZipFile(io.BytesIO(source.data)) as archive:
            _check_parts(archive, source)
    except (zipfile.BadZipFile, ValueError, EOFError, zlib.error) as exc:
        raise UnreadableInputError(f"{source.name}: the Word file is damaged ({exc})") from None


def _check_parts(archive: zipfile.ZipFile, source: SourceFile) -> None:
    """Declared sizes first (cheap), then actual unpacked bytes, since headers can lie."""
    infos = archive.infolist()
    if len(infos) > MAX_PARTS or sum(info.file_size for info in infos) > source.limits.max_bytes:
        raise _bomb(source)
    unpacked = 0
    for info in infos:
        scan = info.filename.endswith((".xml", ".rels"))
        tail = b""
        with archive.open(info) as member:
            while chunk := member.read(READ_CHUNK):
                unpacked += len(chunk)
                if unpacked > source.limits.max_bytes:
                    raise _bomb(source)
                if not scan:
                    continue
                # NULs dropped so UTF-16 parts are searched too
                window = (tail + chunk).replace(b"\x00", b"")
                if any(marker in window for marker in DTD_MARKERS):
                    raise UnreadableInputError(
                        f"{source.name}: the Word file contains an XML DTD ({info.filename}), "
                        "which Word never writes and which can hide entity attacks; refusing "
                        "it. Re-save the file in Word"
                    )
                tail = window[-MARKER_OVERLAP:]


def _bomb(source: SourceFile) -> UnreadableInputError:
    return UnreadableInputError(
        f"{source.name}: the Word file unpacks to more than {source.limits.max_bytes:,} bytes "
        "(possibly a zip bomb); raise --max-bytes if it is genuine"
    )


def _on(element) -> bool:
    """A Word toggle property (`<w:b/>`, `<w:b w:val="0"/>`)."""
    return element is not None and (element.get(W_VAL) or "1").lower() not in FALSE_VALUES


# --- styles and numbering ---------------------------------------------------------------------


@dataclass(slots=True)
class _Style:
    name: str = ""
    based_on: str | None = None
    outline_level: int | None = None
    num_id: str | None = None
    ilvl: int | None = None
    bold: bool = False


def _read_styles(styles_element) -> dict[str, _Style]:
    styles: dict[str, _Style] = {}
    if styles_element is None:
        return styles
    for element in styles_element.iter(qn("w:style")):
        style = _Style()
        if (name := element.find(qn("w:name"))) is not None:
            style.name = name.get(W_VAL) or ""
        if (based := element.find(qn("w:basedOn"))) is not None:
            style.based_on = based.get(W_VAL)
        ppr = element.find(W_PPR)
        if ppr is not None:
            if (level := ppr.find(qn("w:outlineLvl"))) is not None:
                style.outline_level = _int(level.get(W_VAL))
            if (numpr := ppr.find(qn("w:numPr"))) is not None:
                style.num_id, style.ilvl = _numpr(numpr)
        rpr = element.find(W_RPR)
        style.bold = rpr is not None and _on(rpr.find(qn("w:b")))
        styles[element.get(qn("w:styleId")) or ""] = style
    return styles


def _int(value: str | None, default: int | None = None) -> int | None:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _numpr(numpr) -> tuple[str | None, int | None]:
    num_id = numpr.find(qn("w:numId"))
    ilvl = numpr.find(qn("w:ilvl"))
    return (
        None if num_id is None else num_id.get(W_VAL),
        None if ilvl is None else _int(ilvl.get(W_VAL), 0),
    )


def _style_chain(styles: dict[str, _Style], style_id: str | None):
    seen = 0
    while style_id is not None and style_id in styles and seen < MAX_STYLE_CHAIN:
        yield style_id, styles[style_id]
        style_id = styles[style_id].based_on
        seen += 1


@dataclass(slots=True)
class _Level:
    fmt: str = "decimal"
    text: str = "%1."
    start: int = 1
    restart: int | None = None
    legal: bool = False
    style_id: str | None = None


def _read_level(element) -> _Level:
    level = _Level()
    if (fmt := element.find(qn("w:numFmt"))) is not None:
        level.fmt = fmt.get(W_VAL) or "decimal"
    if (text := element.find(qn("w:lvlText"))) is not None:
        level.text = text.get(W_VAL) or ""
    if (start := element.find(qn("w:start"))) is not None:
        level.start = _int(start.get(W_VAL), 1) or 0
    if (restart := element.find(qn("w:lvlRestart"))) is not None:
        level.restart = _int(restart.get(W_VAL))
    level.legal = _on(element.find(qn("w:isLgl")))
    if (style := element.find(qn("w:pStyle"))) is not None:
        level.style_id = style.get(W_VAL)
    return level


def format_number(value: int, fmt: str) -> str:
    """A counter value as Word writes it for the numFmt values directives use."""
    if fmt == "upperRoman":
        return int_to_roman(value)
    if fmt == "lowerRoman":
        return int_to_roman(value).lower()
    if fmt == "upperLetter":
        return int_to_letters(value)
    if fmt == "lowerLetter":
        return int_to_letters(value).lower()
    if fmt == "decimalZero":
        return f"{value:02d}"
    return str(value)


class _Numbering:
    """Word's list counters, replayed in document order to get the numbers it displays."""

    def __init__(self, numbering_element, styles: dict[str, _Style]) -> None:
        self._abstract: dict[str, dict[int, _Level]] = {}
        self._style_links: dict[str, str] = {}
        self._num_abstract: dict[str, str] = {}
        self._overrides: dict[str, dict[int, _Level]] = {}
        self._start_overrides: dict[str, dict[int, int]] = {}
        self._counters: dict[str, list[int | None]] = {}
        self._used: set[str] = set()
        self._styles = styles
        if numbering_element is None:
            return
        for abstract in numbering_element.iter(qn("w:abstractNum")):
            levels = {
                _int(lvl.get(qn("w:ilvl")), 0) or 0: _read_level(lvl)
                for lvl in abstract.iter(qn("w:lvl"))
            }
            abstract_id = abstract.get(qn("w:abstractNumId")) or ""
            self._abstract[abstract_id] = levels
            if (link := abstract.find(qn("w:numStyleLink"))) is not None:
                self._style_links[abstract_id] = link.get(W_VAL) or ""
        for num in numbering_element.iter(qn("w:num")):
            num_id = num.get(qn("w:numId")) or ""
            if (abstract := num.find(qn("w:abstractNumId"))) is not None:
                self._num_abstract[num_id] = abstract.get(W_VAL) or ""
            for override in num.iter(qn("w:lvlOverride")):
                ilvl = _int(override.get(qn("w:ilvl")), 0) or 0
                if (start := override.find(qn("w:startOverride"))) is not None:
                    value = _int(start.get(W_VAL), 1) or 0
                    self._start_overrides.setdefault(num_id, {})[ilvl] = value
                if (lvl := override.find(qn("w:lvl"))) is not None:
                    self._overrides.setdefault(num_id, {})[ilvl] = _read_level(lvl)

    def _abstract_id(self, num_id: str) -> str | None:
        abstract_id = self._num_abstract.get(num_id)
        link = self._style_links.get(abstract_id or "")
        if link:  # the list's definition lives on a numbering style
            for _, style in _style_chain(self._styles, link):
                if style.num_id and style.num_id != num_id:
                    return self._num_abstract.get(style.num_id, abstract_id)
        return abstract_id

    def _level(self, num_id: str, abstract_id: str, ilvl: int) -> _Level:
        override = self._overrides.get(num_id, {}).get(ilvl)
        return override or self._abstract.get(abstract_id, {}).get(ilvl) or _Level()

    def level_for_style(self, num_id: str, style_id: str) -> int:
        abstract_id = self._abstract_id(num_id) or ""
        for ilvl, level in self._abstract.get(abstract_id, {}).items():
            if level.style_id == style_id:
                return ilvl
        return 0

    def next_label(self, num_id: str, ilvl: int) -> tuple[str, tuple, bool] | None:
        """(visible label, sibling style key, is a bullet) for the next item of a list."""
        abstract_id = self._abstract_id(num_id)
        if num_id == "0" or abstract_id is None or abstract_id not in self._abstract:
            return None
        ilvl = min(max(ilvl, 0), MAX_LEVELS - 1)
        counters = self._counters.setdefault(abstract_id, [None] * MAX_LEVELS)
        if num_id not in self._used:
            self._used.add(num_id)
            for level_index, start in self._start_overrides.get(num_id, {}).items():
                if 0 <= level_index < MAX_LEVELS:
                    counters[level_index] = start - 1
        level = self._level(num_id, abstract_id, ilvl)
        current = counters[ilvl]
        counters[ilvl] = level.start if current is None else current + 1
        for deeper in range(ilvl + 1, MAX_LEVELS):
            if self._level(num_id, abstract_id, deeper).restart != 0:
                counters[deeper] = None
        style = ("docx", abstract_id, ilvl)
        if level.fmt == "bullet":
            return "", style, True
        if level.fmt == "none":
            return "", style, False

        def substitute(match: re.Match) -> str:
            index = int(match.group(1)) - 1
            if not 0 <= index < MAX_LEVELS:
                return ""
            shown = self._level(num_id, abstract_id, index)
            value = counters[index] if counters[index] is not None else shown.start
            return format_number(value, "decimal" if level.legal else shown.fmt)

        return re.sub(r"%(\d)", substitute, level.text).strip(), style, False


# --- the body walk ----------------------------------------------------------------------------


@dataclass(slots=True)
class _Walk:
    styles: dict[str, _Style]
    numbering: _Numbering
    paras: list[Para] = field(default_factory=list)
    tracked: bool = False
    comments: bool = False
    pages: _Pages | None = None
    rows: int = 0  # table rows read so far: numbers each row's cells
    # (paragraphs read when a section ended, its section properties): where each section's
    # running header starts to apply
    section_ends: list[tuple[int, object]] = field(default_factory=list)


@dataclass(slots=True)
class _Pages:
    """Page numbers from the document's own page breaks, when it has any.

    Word saves `lastRenderedPageBreak` where its last layout started a page; that covers soft
    breaks and explicit ones, so when a file has it, only it counts. Otherwise (files written by
    other tools) the explicit breaks: `w:br w:type="page"` and `pageBreakBefore`. Without
    either, a Word file has no pages the tool can know, and passages are cited by section.
    """

    rendered: bool
    page: int = 1
    section_ended: bool = False  # the last paragraph ended a section that the next starts a page

    @classmethod
    def of(cls, body) -> _Pages | None:
        if next(body.iter(W_RENDERED_BREAK), None) is not None:
            return cls(rendered=True)
        if any(br.get(W_TYPE) == "page" for br in body.iter(W_BR)):
            return cls(rendered=False)
        if next(body.iter(W_PAGE_BREAK_BEFORE), None) is not None:
            return cls(rendered=False)
        return None

    def is_break(self, element) -> bool:
        if self.rendered:
            return element.tag == W_RENDERED_BREAK
        return element.tag == W_BR and element.get(W_TYPE) == "page"


def _starts_page(section_properties) -> bool:
    """Whether a section break in a paragraph starts the next section on a new page: where a
    file's explicit breaks give its pages, such a break is one of them (a manual whose every
    chapter is a section with its own running header). Section breaks alone do not number
    pages: a file with no other break may have any number of pages between them."""
    kind = section_properties.find(W_TYPE)
    return kind is None or kind.get(W_VAL) not in SAME_PAGE_SECTIONS


def _paragraph_text(paragraph, walk: _Walk) -> tuple[str, bool, str, list, int | None]:
    """(visible text, all of it bold, its bold run-in label or "", text boxes found inside,
    the page it starts on) in accepted-changes view. A page break before any visible text
    moves the whole paragraph."""
    pieces: list[str] = []
    textboxes: list = []
    bold_chars = 0
    chars = 0
    bold_lead = 0  # pieces that open the paragraph in bold (a run-in label's candidates)
    pages = walk.pages
    start_page = None if pages is None else pages.page

    def visit(element, bold_style: bool) -> None:
        nonlocal bold_chars, chars, start_page, bold_lead
        for child in element:
            tag = child.tag
            if tag == W_R:
                rpr = child.find(W_RPR)
                bold = bold_style or (rpr is not None and _on(rpr.find(qn("w:b"))))
                for part in child:
                    if pages is not None and pages.is_break(part):
                        pages.page += 1
                        if not chars:
                            start_page = pages.page
                    if part.tag in RUN_TEXT:
                        text = (part.text or "") if part.tag == W_T else RUN_TEXT[part.tag]
                        pieces.append(text)
                        visible = len(text.strip())
                        if bold and bold_chars == chars:
                            bold_lead = len(pieces)
                        chars += visible
                        bold_chars += visible if bold else 0
                    elif part.tag == qn("w:commentReference"):
                        walk.comments = True
                    elif part.tag != W_RPR:
                        textboxes.extend(_textboxes(part))
            elif tag in TRACKED_DELETE:
                walk.tracked = True
            elif tag in TRACKED_INSERT:
                walk.tracked = True
                visit(child, bold_style)
            elif tag in TRANSPARENT or tag == W_SDT:
                visit(child, bold_style)
            elif tag == W_PPR:
                rpr = child.find(W_RPR)
                if rpr is not None and (rpr.find(W_INS) is not None or rpr.find(W_DEL) is not None):
                    walk.tracked = True
            elif tag == qn("w:commentRangeStart"):
                walk.comments = True
            elif tag == MC_ALTERNATE:
                textboxes.extend(_textboxes(child))

    visit(paragraph, False)
    all_bold = bool(chars) and bold_chars >= chars
    run_in = "" if all_bold else clean_text("".join(pieces[:bold_lead]))
    run_in = run_in if is_run_in_label(run_in) else ""
    return "".join(pieces), all_bold, run_in, textboxes, start_page


def _textboxes(element) -> list:
    """Text box contents under a drawing, taking one branch of each AlternateContent (Word
    stores the same box twice: a modern Choice and a VML Fallback)."""
    if element.tag == W_TXBX:
        return [element]
    if element.tag == MC_ALTERNATE:
        branch = element.find(MC_CHOICE)
        if branch is None:
            branch = element.find(MC_FALLBACK)
        return [] if branch is None else _textboxes(branch)
    found = []
    for child in element:
        found.extend(_textboxes(child))
    return found


def _paragraph(paragraph, walk: _Walk, kind: PassageKind | None) -> None:
    ppr = paragraph.find(W_PPR)
    pages = walk.pages
    explicit_break = ppr is not None and _on(ppr.find(W_PAGE_BREAK_BEFORE))
    if pages is not None and not pages.rendered:
        if (explicit_break or pages.section_ended) and walk.paras:
            pages.page += 1
        section = None if ppr is None else ppr.find(W_SECTION_BREAK)
        pages.section_ended = section is not None and _starts_page(section)
    text, bold, run_in, textboxes, page = _paragraph_text(paragraph, walk)
    style_id = None
    num_id = ilvl = None
    outline_level = None
    if ppr is not None:
        if (style := ppr.find(qn("w:pStyle"))) is not None:
            style_id = style.get(W_VAL)
        if (numpr := ppr.find(qn("w:numPr"))) is not None:
            num_id, ilvl = _numpr(numpr)
        if (level := ppr.find(qn("w:outlineLvl"))) is not None:
            outline_level = _int(level.get(W_VAL))
    heading_level = None
    for chain_id, style in _style_chain(walk.styles, style_id):
        bold = bold or (style.bold and bool(text.strip()))
        if num_id is None and style.num_id is not None:
            num_id, ilvl = style.num_id, style.ilvl
            if ilvl is None:  # the list level that names this style says where it sits
                ilvl = walk.numbering.level_for_style(num_id, chain_id)
        if heading_level is None:
            if match := HEADING_STYLE.match(style.name):
                heading_level = int(match.group(1))
            elif style.name.lower() == "title":
                heading_level = 0
            elif style.outline_level is not None and outline_level is None:
                outline_level = style.outline_level
    if heading_level is None and outline_level is not None and outline_level < BODY_TEXT_OUTLINE:
        heading_level = outline_level + 1
    text = clean_text(text)
    label_style = None
    bullet = False
    if num_id is not None and text:
        numbered = walk.numbering.next_label(num_id, ilvl or 0)
        if numbered is not None:
            label, label_style, bullet = numbered
            if label:
                text = f"{label} {text}"
    if run_in and num_id is None and heading_level is None and kind is None:
        # `Notification.` in bold, then the plain paragraph: the label heads the paragraph
        label, text = split_run_in(run_in, text, page)
        walk.paras.append(label)
    if text:
        walk.paras.append(
            Para(
                text,
                page=page,
                kind=kind,
                heading_level=heading_level,
                emphasis=bold,
                style=label_style,
                bullet=bullet,
            )
        )
    for box in textboxes:
        _blocks(box, walk, kind)
    if ppr is not None and (section := ppr.find(W_SECTION_BREAK)) is not None and kind is None:
        walk.section_ends.append((len(walk.paras), section))


def _table(table, walk: _Walk) -> None:
    """Rows in order; a cell holding only a number or a label is joined to the next cell, as
    the eye reads `IV. | Procedures` or `Issue Date: | 23 February 2012`."""
    for row in table.iter(W_TR):
        if row.getparent() is not table:
            continue
        pending, numbered = "", False
        walk.rows += 1
        number = walk.rows
        for cell in row.findall(W_TC):
            start = len(walk.paras)
            _blocks(cell, walk, PassageKind.TABLE_CELL)
            added = walk.paras[start:]
            for para in added:
                if para.row is None:  # a nested table's cells keep their own rows
                    para.row = number
            role = cell_prefix(added[0].text) if len(added) == 1 else None
            if role is not None:
                pending = f"{pending} {added[0].text}".strip()
                numbered = numbered or role == "marker"
                del walk.paras[start:]
            elif pending and added:
                added[0].text = f"{pending} {added[0].text}"
                added[0].kind = None if numbered else added[0].kind
                pending, numbered = "", False
        if pending:
            walk.paras.append(Para(pending, kind=PassageKind.TABLE_CELL, row=number))


def _blocks(container, walk: _Walk, kind: PassageKind | None) -> None:
    for child in container:
        tag = child.tag
        if tag == W_P:
            _paragraph(child, walk, kind)
        elif tag == W_TBL:
            _table(child, walk)
        elif tag in TRACKED_DELETE:
            walk.tracked = True
        elif tag in TRACKED_INSERT:
            walk.tracked = True
            _blocks(child, walk, kind)
        elif tag in (W_SDT, W_SDT_CONTENT, W_CUSTOM_XML):
            _blocks(child, walk, kind)
        elif tag == MC_ALTERNATE:
            for box in _textboxes(child):
                _blocks(box, walk, kind)


def _edge_texts(document_part, walk: _Walk) -> dict[str, tuple[str, ...]]:
    """Relationship id -> the lines of that header or footer."""
    texts = {}
    for rel in sorted(document_part.rels.values(), key=lambda r: r.rId):
        if rel.is_external or rel.reltype not in (RT.HEADER, RT.FOOTER):
            continue
        part_walk = _Walk(walk.styles, walk.numbering)
        _blocks(_xml(rel.target_part), part_walk, PassageKind.HEADER_FOOTER)
        texts[rel.rId] = tuple(para.text for para in part_walk.paras)
    return texts


def _edge_paras(edges: dict[str, tuple[str, ...]]) -> list[Para]:
    """Header and footer text once each, kept apart from the body."""
    texts = dict.fromkeys(text for lines in edges.values() for text in lines)
    return [Para(text, kind=PassageKind.HEADER_FOOTER) for text in texts]


def _with_section_headers(
    paras: list[Para], walk: _Walk, last_section, edges: dict[str, tuple[str, ...]]
) -> list[Para]:
    """The body with each section's running header where that section starts, when it differs
    from the one before: a Word manual whose every chapter is a section names the chapter in
    its header ("Article 3.14 Missing and Exploited Juveniles"), as a PDF's page header does.
    A section without its own header keeps the previous one (Word's "link to previous")."""
    sections = [*walk.section_ends, (len(paras), last_section)]
    out: list[Para] = []
    start, shown, header = 0, None, ()
    for end, properties in sections:
        if properties is not None:
            for reference in properties.iter(W_HEADER_REFERENCE):
                if reference.get(W_TYPE) in (None, "default"):
                    header = edges.get(reference.get(R_ID), header)
        if shown is not None and header != shown and start < end:
            page = next((p.page for p in paras[start:end] if p.page is not None), None)
            out.extend(Para(text, page=page, kind=PassageKind.HEADER_FOOTER) for text in header)
        shown = header
        out.extend(paras[start:end])
        start = end
    return out


NOTE_PARTS = {RT.FOOTNOTES: "w:footnote", RT.ENDNOTES: "w:endnote"}
NOTE_SEPARATORS = frozenset({"separator", "continuationSeparator", "continuationNotice"})


def _note_paras(document_part, walk: _Walk) -> list[Para]:
    """Footnote and endnote text (statute citations often live there), after the body and
    under no section, since where a note was anchored is not kept."""
    paras: list[Para] = []
    for rel in sorted(document_part.rels.values(), key=lambda r: r.rId):
        if rel.is_external or rel.reltype not in NOTE_PARTS:
            continue
        for note in _xml(rel.target_part).iter(qn(NOTE_PARTS[rel.reltype])):
            if note.get(qn("w:type")) in NOTE_SEPARATORS:
                continue
            start = len(walk.paras)
            _blocks(note, walk, None)
            paras.extend(walk.paras[start:])
            del walk.paras[start:]
    for para in paras:
        para.aside = True
    return paras


def _xml(part):
    """A part's XML root; parts python-docx has no class for (footnotes) are parsed here, with
    the same parser settings (no entity resolution), after the package passed its checks."""
    element = getattr(part, "element", None)
    return element if element is not None else parse_xml(part.blob)


def _comment_count(document_part) -> int:
    for rel in document_part.rels.values():
        if rel.reltype == RT.COMMENTS and not rel.is_external:
            return sum(1 for _ in _xml(rel.target_part).iter(qn("w:comment")))
    return 0


def _part_element(document_part, reltype: str):
    for rel in document_part.rels.values():
        if rel.reltype == reltype and not rel.is_external:
            return _xml(rel.target_part)
    return None


def extract(source: SourceFile, *, format_name: str = "docx") -> Document:
    _check_package(source)
    try:
        package = Package.open(io.BytesIO(source.data))
    except etree.XMLSyntaxError as exc:
        reason = "nested too deeply" if "depth" in str(exc).lower() else "malformed"
        raise UnreadableInputError(
            f"{source.name}: the Word file's XML is {reason} and cannot be read; "
            "re-save it in Word and try again"
        ) from None
    document_part = package.main_document_part
    styles = _read_styles(_part_element(document_part, RT.STYLES))
    numbering = _Numbering(_part_element(document_part, RT.NUMBERING), styles)
    walk = _Walk(styles, numbering)
    warnings: list[str] = []
    body = document_part.element.find(qn("w:body"))
    # Count the text runs before walking them: the walk costs far more than this count.
    source.check_chars(sum(len(run.text or "") for run in document_part.element.iter(W_T)))
    if body is None:
        warnings.append("the Word file has no body text")
    else:
        walk.pages = _Pages.of(body)
        _blocks(body, walk, None)
    page_count = None if walk.pages is None else walk.pages.page
    walk.pages = None  # footnotes and endnotes: where they print is not known
    edge_texts = _edge_texts(document_part, walk)
    if walk.section_ends:
        last_section = None if body is None else body.find(W_SECTION_BREAK)
        walk.paras = _with_section_headers(walk.paras, walk, last_section, edge_texts)
    placed = {p.text for p in walk.paras if p.kind is PassageKind.HEADER_FOOTER}
    edges = [para for para in _edge_paras(edge_texts) if para.text not in placed]
    notes = _note_paras(document_part, walk)
    if walk.tracked:
        warnings.append(
            "the file has unaccepted tracked changes; read as if all were accepted "
            "(insertions kept, deletions dropped)"
        )
    comments = _comment_count(document_part)
    if comments or walk.comments:
        warnings.append(f"{comments or 'some'} comment(s) in the file were ignored")
    if body is not None and not walk.paras:
        warnings.append("no text was found in the Word file")
    paras, redline = accept_redline(edges + walk.paras + notes)
    return build_document(
        source=source.name,
        sha256=source.sha256,
        format=format_name,
        page_count=page_count,
        blocks=outline(paras),
        warnings=tuple(warnings),
        tracked_changes=walk.tracked or redline,
    )
