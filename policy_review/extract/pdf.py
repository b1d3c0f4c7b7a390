"""PDF text through pypdfium2: fast (about 1,600 pages/s here) and faithful, with line positions
and type size/weight read only at line ends so layout cues cost little."""

from __future__ import annotations

import ctypes
import io
import math
import re
from dataclasses import dataclass, field
from itertools import accumulate, islice

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from policy_review.errors import UnreadableInputError
from policy_review.extract import ocr
from policy_review.extract.source import SourceFile
from policy_review.extract.structure import (
    COLUMN_MIN_GUTTER,
    HF_ZONE,
    LABEL_MAX_WORDS,
    Line,
    Page,
    Table,
    accept_redline,
    assemble_pages,
    cell_prefix,
    clean_text,
    is_run_in_label,
    order_columns,
    outline,
)
from policy_review.extract.text import text_paragraphs
from policy_review.model import Document, build_document

MIN_TEXT_CHARS = 8  # fewer letters/digits than this on a page means no usable text layer
SCAN_COVERAGE = 0.5  # an image over half the page may be a scanned page...
STAMP_MAX_WORDS = 40  # ... when the text layer holds no more than a stamp or a page header
BOLD_WEIGHT = 600
BOLD_NAME_HINTS = ("bold", "black", "heavy", "semibold", "demi")
FONT_NAME_BUFFER = 128
GAP_PROBE = 1.5  # points past a gap where the first character of the next piece is looked up
TABLE_MIN_ROWS = 3  # rows cut by wide gaps before a page is searched for ruled tables
MAX_TABLE_PAGES = 50  # pages per document searched for tables, bounding the time it takes
RULING_TOLERANCE = 0.5  # points a segment may slant and still count as a horizontal/vertical rule
_IDENTITY = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
SAME_ROW_SHARE = 0.5  # rectangles whose middles are this close (share of height) share a row
_ALNUM = re.compile(r"[^\W_]")


@dataclass(slots=True)
class _Reading:
    """What was read from each page, and which pages needed OCR or were blank."""

    pages: list[Page] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    blank: list[int] = field(default_factory=list)
    scanned: list[int] = field(default_factory=list)
    ocr_pages: list[int] = field(default_factory=list)


def extract(source: SourceFile) -> Document:
    pdf = _open(source)
    tables = _TableFinder(source.data)
    try:
        page_count = len(pdf)
        if page_count > source.limits.max_pages:
            raise UnreadableInputError(
                f"{source.name}: {page_count} pages is more than the limit of "
                f"{source.limits.max_pages}; raise it with --max-pages if this is intended"
            )
        reading = _Reading()
        for index in range(page_count):
            _read_into(reading, pdf, index, source, tables)
    finally:
        pdf.close()
        tables.close()
    warnings = reading.warnings
    if reading.scanned and not source.limits.ocr:
        warnings.append(
            f"OCR is off: {_pages_label(reading.scanned)} without a usable text layer not read"
        )
    elif reading.ocr_pages:
        label = _pages_label(reading.ocr_pages)
        warnings.append(f"{label} read by OCR: check quotes against the page")
    if reading.blank and len(reading.blank) < page_count:
        verb = "is" if len(reading.blank) == 1 else "are"
        warnings.append(f"{_pages_label(reading.blank)} {verb} blank")
    if not any(page.lines for page in reading.pages):
        warnings.append("no text was found in this PDF")
    paras, redline = accept_redline(assemble_pages(reading.pages))
    return build_document(
        source=source.name,
        sha256=source.sha256,
        format="pdf",
        page_count=page_count,
        blocks=outline(paras),
        warnings=tuple(warnings),
        ocr_pages=tuple(reading.ocr_pages),
        blank_pages=tuple(reading.blank),
        tracked_changes=redline,
    )


def _read_into(reading: _Reading, pdf, index: int, source: SourceFile, tables) -> None:
    """Read one page: its text layer, ruled tables where rows suggest them, OCR for scans."""
    number = index + 1
    try:
        page = pdf[index]
    except pdfium.PdfiumError:
        reading.warnings.append(f"page {number} could not be read and was skipped")
        return
    try:
        try:
            read, table_like = _read_page(page, number)
        except pdfium.PdfiumError:
            reading.warnings.append(f"the text of page {number} could not be read")
            read, table_like = None, False
        if read is not None and table_like and tables.pages_left and _has_ruling_grid(page):
            read.tables = tables.find(index)
        if _looks_scanned(page, read):
            reading.scanned.append(number)
            recognised = _ocr(page, number, source, reading.warnings)
            if recognised is not None:
                reading.ocr_pages.append(number)
                read = recognised
        elif read is None:
            reading.blank.append(number)
        if read is not None:
            reading.pages.append(read)
    finally:
        page.close()


def _pages_label(numbers) -> str:
    numbers = list(numbers)
    if len(numbers) == 1:
        return f"page {numbers[0]}"
    return "pages " + ", ".join(str(n) for n in numbers)


def _open(source: SourceFile) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(source.data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise UnreadableInputError(
                f"{source.name}: the PDF is password-protected; save an unprotected copy and "
                "try again"
            ) from None
        raise UnreadableInputError(
            f"{source.name}: the PDF is damaged or incomplete and cannot be read; "
            "re-export or re-download it"
        ) from None


class _TableFinder:
    """pdfplumber's ruled-table finder, run only on pages whose rows are cut by wide gaps (it
    costs a few tenths of a second a page; pypdfium2 reads a whole page in a millisecond)."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._pdf = None
        self.pages_left = MAX_TABLE_PAGES

    def find(self, index: int) -> list[Table]:
        import pdfplumber

        self.pages_left -= 1
        try:
            if self._pdf is None:
                self._pdf = pdfplumber.open(io.BytesIO(self._data))
            found = self._pdf.pages[index].find_tables()
            tables = [(table.bbox, table.extract()) for table in found]
        except MemoryError:
            raise
        except Exception:  # a table search that fails leaves the page as plain lines
            return []
        return [
            Table(
                top, bottom, left, right, [[_cell_paragraphs(cell) for cell in row] for row in rows]
            )
            for (left, top, right, bottom), rows in tables
            if len(rows) >= TABLE_MIN_ROWS - 1 and max(len(row) for row in rows) > 1
        ]

    def close(self) -> None:
        if self._pdf is not None:
            self._pdf.close()


def _has_ruling_grid(page: pdfium.PdfPage) -> bool:
    """Whether the page's vector paths draw at least TABLE_MIN_ROWS distinct horizontal and
    vertical rule positions: a ruled table that pdfplumber keeps (two rows, two columns) needs
    three of each, so a "no" here safely spares its whole-page parse. Positions are counted
    finer than pdfplumber snaps them, which can only say "yes" more often."""
    horizontal: set[int] = set()
    vertical: set[int] = set()
    _collect_rulings(page.raw, None, _IDENTITY, horizontal, vertical)
    return len(horizontal) >= TABLE_MIN_ROWS and len(vertical) >= TABLE_MIN_ROWS


def _compose(inner: tuple, outer: tuple) -> tuple:
    """The matrix applying `inner` then `outer` (PDF's a b c d e f order)."""
    a, b, c, d, e, f = inner
    oa, ob, oc, od, oe, of = outer
    return (
        a * oa + b * oc,
        a * ob + b * od,
        c * oa + d * oc,
        c * ob + d * od,
        e * oa + f * oc + oe,
        e * ob + f * od + of,
    )


def _collect_rulings(page_raw, form_raw, outer: tuple, horizontal: set, vertical: set) -> None:
    """Rule positions of every path on the page, descending into form XObjects."""
    if form_raw is None:
        count = pdfium_c.FPDFPage_CountObjects(page_raw)
    else:
        count = pdfium_c.FPDFFormObj_CountObjects(form_raw)
    fs_matrix = pdfium_c.FS_MATRIX()
    x, y = ctypes.c_float(), ctypes.c_float()
    for index in range(max(count, 0)):
        if form_raw is None:
            obj = pdfium_c.FPDFPage_GetObject(page_raw, index)
        else:
            obj = pdfium_c.FPDFFormObj_GetObject(form_raw, index)
        kind = pdfium_c.FPDFPageObj_GetType(obj)
        if kind not in (pdfium_c.FPDF_PAGEOBJ_PATH, pdfium_c.FPDF_PAGEOBJ_FORM):
            continue
        if pdfium_c.FPDFPageObj_GetMatrix(obj, fs_matrix):
            own = (fs_matrix.a, fs_matrix.b, fs_matrix.c, fs_matrix.d, fs_matrix.e, fs_matrix.f)
        else:
            own = _IDENTITY
        matrix = _compose(own, outer)
        if kind == pdfium_c.FPDF_PAGEOBJ_FORM:
            _collect_rulings(page_raw, obj, matrix, horizontal, vertical)
            continue
        a, b, c, d, e, f = matrix
        start = previous = None
        for segment_index in range(pdfium_c.FPDFPath_CountSegments(obj)):
            segment = pdfium_c.FPDFPath_GetPathSegment(obj, segment_index)
            if not pdfium_c.FPDFPathSegment_GetPoint(segment, x, y):
                continue
            point = (a * x.value + c * y.value + e, b * x.value + d * y.value + f)
            if pdfium_c.FPDFPathSegment_GetType(segment) == pdfium_c.FPDF_SEGMENT_MOVETO:
                start = point
            elif previous is not None:
                _add_ruling(previous, point, horizontal, vertical)
            if pdfium_c.FPDFPathSegment_GetClose(segment) and start is not None:
                _add_ruling(point, start, horizontal, vertical)
            previous = point


def _add_ruling(p: tuple, q: tuple, horizontal: set, vertical: set) -> None:
    """Record an axis-aligned segment's position in half points."""
    if abs(p[1] - q[1]) <= RULING_TOLERANCE and abs(p[0] - q[0]) > RULING_TOLERANCE:
        horizontal.add(round(p[1] * 2))
    elif abs(p[0] - q[0]) <= RULING_TOLERANCE and abs(p[1] - q[1]) > RULING_TOLERANCE:
        vertical.add(round(p[0] * 2))


def _cell_paragraphs(cell: str | None) -> list[str]:
    return [para.text for para in text_paragraphs(cell or "")]


def _looks_scanned(page: pdfium.PdfPage, read: Page | None) -> bool:
    """No usable text but an image: a scan. Also a page-sized image under only a few words of
    text, which is a scan with a stamp or a partial OCR layer added on top. (Images are only
    looked at when the text is thin: walking page objects costs more than reading the text.)"""
    if read is not None and any(  # counting stops at the first lines that hold enough words
        words >= STAMP_MAX_WORDS
        for words in accumulate(len(line.text.split()) for line in read.lines)
    ):
        return False
    coverage = _image_coverage(page)
    return coverage > 0 if read is None else coverage >= SCAN_COVERAGE


def _image_coverage(page: pdfium.PdfPage) -> float:
    """Share of the page covered by images (overlaps counted twice, capped at 1)."""
    width, height = page.get_size()
    covered = 0.0
    for image in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=3):
        left, bottom, right, top = image.get_bounds()
        covered += max(0.0, right - left) * max(0.0, top - bottom)
    return min(1.0, covered / (width * height)) if width and height else 0.0


def _ocr(page: pdfium.PdfPage, number: int, source: SourceFile, warnings: list[str]):
    if not source.limits.ocr:
        return None
    result = ocr.ocr_page(page, number)
    if isinstance(result, str):
        warnings.append(result)
        return None
    if not result.lines:
        warnings.append(f"OCR found no text on page {number}")
        return None
    return result


def _read_page(page: pdfium.PdfPage, number: int) -> tuple[Page | None, bool]:
    """Lines of the page's text layer (None when it has no usable text: scanned or blank),
    and whether enough of its rows are cut by wide gaps to be worth a table search.

    pdfium joins text on one baseline into one line even across a column gutter; its text
    rectangles show where such gaps are, and only those lines are split (character by
    character), so that `order_columns` can put side-by-side columns back in reading order.
    """
    textpage = page.get_textpage()
    try:
        text = textpage.get_text_range()
        if next(islice(_ALNUM.finditer(text), MIN_TEXT_CHARS - 1, None), None) is None:
            return None, False
        left, bottom, right, top = page.get_bbox()
        chars = _Characters(textpage)
        gaps = _gap_rectangles(textpage)
        rows: list[list[Line]] = []
        position = 0
        for raw in text.split("\r\n"):
            start = position
            position += len(raw) + 2
            stripped = raw.strip()
            if not stripped:
                continue
            first = start + len(raw) - len(raw.lstrip())
            last = first + len(stripped) - 1
            rows.append(_line_segments(chars, stripped, first, last, top, gaps))
        height = top - bottom
        split_rows = sum(
            1
            for row in rows
            if len(row) > 1
            and cell_prefix(row[0].text) is None
            and HF_ZONE * height < row[0].top < (1 - HF_ZONE) * height  # not a running header
        )
        page_read = Page(number, right - left, top - bottom, order_columns(rows))
        return page_read, split_rows >= TABLE_MIN_ROWS
    finally:
        textpage.close()


class _Characters:
    """What a page's lines need to know about single characters, asked of pdfium's C API
    directly: the Python wrappers allocate result structures on every call, and a page asks
    a few questions for each of its lines. Lives as long as its text page."""

    def __init__(self, textpage: pdfium.PdfTextPage) -> None:
        self.textpage = textpage
        self.raw = textpage.raw
        count = textpage.count_chars()
        # The text indexes of get_text_range() are character indexes unless pdfium left some
        # characters (control or NUL codes) out of the text; the last one's text index tells.
        self._same_indexes = (
            count > 0
            and pdfium_c.FPDFText_GetTextIndexFromCharIndex(self.raw, count - 1) == count - 1
        )
        self._box = pdfium_c.FS_RECTF()
        self._matrix = pdfium_c.FS_MATRIX()
        self._font_name = ctypes.create_string_buffer(FONT_NAME_BUFFER)
        self._bold_names: dict[bytes, bool] = {}

    def char_index(self, text_index: int) -> int:
        if self._same_indexes:
            return text_index
        return pdfium_c.FPDFText_GetCharIndexFromTextIndex(self.raw, text_index)

    def text_index(self, char_index: int) -> int:
        if self._same_indexes:
            return char_index
        return pdfium_c.FPDFText_GetTextIndexFromCharIndex(self.raw, char_index)

    def line_box(self, first: int, last: int) -> tuple[float, float, float, float]:
        """(left, bottom, right, top) of a line from the loose boxes of its first and last
        characters. A loose box spans the font's ascent to descent, so its height tracks the
        type size even when a PDF draws at "size 1" scaled by the text matrix."""
        raw, box = self.raw, self._box
        if not pdfium_c.FPDFText_GetLooseCharBox(raw, first, box):
            raise pdfium.PdfiumError(f"no box for character {first}")
        left, bottom, top = box.left, box.bottom, box.top
        if not pdfium_c.FPDFText_GetLooseCharBox(raw, last, box):
            raise pdfium.PdfiumError(f"no box for character {last}")
        return left, min(bottom, box.bottom), box.right, max(top, box.top)

    def type_size(self, first: int, last: int) -> float:
        """Type size in points of a run of characters: font size times the text matrix's scale.

        Loose glyph boxes are no measure: some fonts give each glyph (and a bold face) its own
        box height, which made one paragraph's lines look like changes of type size. Some PDFs
        draw at "size 1" scaled by the matrix, so the font size alone is no measure either.
        """
        raw, matrix = self.raw, self._matrix
        for char in range(first, last + 1):
            if chr(pdfium_c.FPDFText_GetUnicode(raw, char)).isspace():
                continue
            size = pdfium_c.FPDFText_GetFontSize(raw, char)
            if pdfium_c.FPDFText_GetMatrix(raw, char, matrix):
                size *= math.sqrt(abs(matrix.a * matrix.d - matrix.b * matrix.c))
            return round(size, 1)
        return 0.0

    def is_bold(self, index: int) -> bool:
        """Bold by the font's weight, or by its name where the weight is not given."""
        if pdfium_c.FPDFText_GetFontWeight(self.raw, index) >= BOLD_WEIGHT:
            return True
        buffer = self._font_name
        length = pdfium_c.FPDFText_GetFontInfo(self.raw, index, buffer, FONT_NAME_BUFFER, None)
        # pdfium leaves the buffer untouched when the name does not fit: read it as no name.
        name = buffer.raw[: length - 1] if 0 < length <= FONT_NAME_BUFFER else b""
        bold = self._bold_names.get(name)
        if bold is None:
            lowered = name.decode("latin-1").lower()
            bold = self._bold_names[name] = any(hint in lowered for hint in BOLD_NAME_HINTS)
        return bold


def _gap_rectangles(textpage: pdfium.PdfTextPage) -> list[tuple[float, float, float]]:
    """(row middle y, gap start x, gap end x) for each wide gap between text rectangles on one
    row: the only places where a line may hold side-by-side columns."""
    raw = textpage.raw
    left, top, right, bottom = (ctypes.c_double() for _ in range(4))
    boxes = []
    for index in range(textpage.count_rects()):
        if not pdfium_c.FPDFText_GetRect(raw, index, left, top, right, bottom):
            raise pdfium.PdfiumError(f"no text rectangle {index}")
        boxes.append((left.value, bottom.value, right.value, top.value))
    boxes.sort(key=lambda box: -(box[1] + box[3]) / 2)
    rows: list[list] = []
    for box in boxes:
        middle = (box[1] + box[3]) / 2
        if rows and abs(rows[-1][0] - middle) <= (box[3] - box[1]) * SAME_ROW_SHARE:
            rows[-1][1].append(box)
        else:
            rows.append([middle, [box]])
    gaps = []
    for middle, row in rows:
        if len(row) == 1:  # most rows: one line of text, no gap
            continue
        row.sort(key=lambda box: box[0])
        for before, after in zip(row, row[1:], strict=False):
            if after[0] - before[2] >= COLUMN_MIN_GUTTER:
                gaps.append((middle, before[2], after[0]))
    return gaps


def _line_segments(chars: _Characters, text: str, first: int, last: int, page_top: float, gaps):
    """The line as one segment, or as several where a wide gap (a possible gutter) cuts it."""
    first_char = chars.char_index(first)
    last_char = chars.char_index(last)
    if first_char < 0 or last_char < 0:
        cleaned = clean_text(text)
        return [Line(cleaned, 0.0, 0.0, 0.0, 0.0)] if cleaned else []
    box = chars.line_box(first_char, last_char)
    left, low, right, high = box
    pieces = (
        _pieces(chars, text, first, first_char, last_char, box, gaps)
        if gaps
        else [(0, len(text), left, right, first_char, last_char)]
    )
    segments = []
    for start, end, piece_left, piece_right, piece_first, piece_last in pieces:
        cleaned = clean_text(text[start:end])
        if cleaned:
            bold = chars.is_bold(piece_first)
            segments.append(
                Line(
                    cleaned,
                    top=page_top - high,
                    bottom=page_top - low,
                    left=piece_left,
                    right=piece_right,
                    size=chars.type_size(piece_first, piece_last),
                    bold=bold,
                    run_in=_run_in(chars, text, first, start, end, cleaned) if bold else "",
                )
            )
    return segments


RUN_IN_END = re.compile(r"[.:](?=\s+[A-Z(])")
"""Where a run-in label may end: a full stop or colon before the body's first word."""


def _run_in(chars: _Characters, text: str, first: int, start: int, end: int, cleaned: str) -> str:
    """The bold label opening a piece of a line (`Notification.` before plain `The officer
    shall ...`): its last character bold, the body's first character not; "" when none."""
    match = RUN_IN_END.search(text, start, end)
    if match is None or len(text[start : match.end()].split()) > LABEL_MAX_WORDS:
        return ""  # (a quick no before any character is looked up)
    body = match.end() + len(text[match.end() : end]) - len(text[match.end() : end].lstrip())
    label_last = chars.char_index(first + match.start())
    body_first = chars.char_index(first + body)
    if label_last < 0 or body_first < 0:
        return ""
    if not chars.is_bold(label_last) or chars.is_bold(body_first):
        return ""
    label = clean_text(text[start : match.end()])
    if not is_run_in_label(label) or not cleaned.startswith(label) or label == cleaned:
        return ""
    return label


def _pieces(chars: _Characters, text: str, first: int, first_char: int, last_char: int, box, gaps):
    """(start, end offset into the text, left x, right x, first char, last char) of each piece
    of a line cut where a gap on the page starts text that follows a gutter on this line."""
    left, low, right, high = box
    cuts = [(0, left, first_char)]  # (offset into text, left x, first char) of each piece
    textpage = chars.textpage
    for middle, gap_left, gap_right in gaps:
        if not (low <= middle <= high and left < gap_left < right):
            continue
        char = textpage.get_index(gap_right + GAP_PROBE, middle, GAP_PROBE, (high - low) / 2)
        if char is None or not _starts_after_gap(textpage, char, first_char, last_char):
            continue  # the gap belongs to a neighbouring line
        offset = chars.text_index(char) - first
        if 0 < offset < len(text):
            cuts.append((offset, gap_right, char))
    cuts.sort()
    pieces = []
    for index, (start, piece_left, char) in enumerate(cuts):
        if index + 1 < len(cuts):
            end, next_left, next_char = cuts[index + 1]
            piece_right = _gap_left_of(next_left, gaps)
            pieces.append((start, end, piece_left, piece_right, char, next_char - 1))
        else:
            pieces.append((start, len(text), piece_left, right, char, last_char))
    return pieces


def _starts_after_gap(textpage, char: int, first_char: int, last_char: int) -> bool:
    """Whether `char`, on this line, follows the previous visible character by a gutter."""
    if not first_char < char <= last_char:
        return False
    raw = textpage.raw
    previous = char - 1
    while previous > first_char and (
        pdfium_c.FPDFText_IsGenerated(raw, previous)
        or chr(pdfium_c.FPDFText_GetUnicode(raw, previous)).isspace()
    ):
        previous -= 1
    gap = textpage.get_charbox(char)[0] - textpage.get_charbox(previous)[2]
    return gap >= COLUMN_MIN_GUTTER


def _gap_left_of(next_left: float, gaps) -> float:
    """Right edge of a piece: where the gap that starts the next piece begins."""
    return next((gap[1] for gap in gaps if gap[2] == next_left), next_left)
