"""PDF: highlight annotations with pop-up notes over each quote; page content is never touched.

pypdfium2 reads every character and its box; the quote's characters are found by aligning the
extracted text with that character stream, and one quadrilateral per line is written with
pikepdf. The page content streams are copied as they are, so the text reads back identically.
On OCRed pages Tesseract's word boxes stand in for the characters. A quote that cannot be
located gets a note icon in the page margin instead.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import pikepdf
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from pikepdf import Array, Dictionary, Name, String

from policy_review.annotate.align import Alignment
from policy_review.annotate.notes import AUTHOR, Note, NoteKind
from policy_review.errors import UnreadableInputError
from policy_review.extract import ocr
from policy_review.model import Document

NOTE_COLOURS = {
    NoteKind.EVIDENCE: (1.0, 0.9, 0.2),  # yellow
    NoteKind.RED_FLAG: (1.0, 0.45, 0.45),  # red
    NoteKind.MISSING: (0.55, 0.75, 1.0),  # blue note icon on page 1
}
HIGHLIGHT_OPACITY = 0.45
POPUP_WIDTH, POPUP_HEIGHT = 220.0, 140.0
ICON_SIZE = 18.0
ICON_MARGIN = 8.0
ANNOTATION_PRINTABLE = 4  # /F flag bit: print the annotation
SAME_LINE_OVERLAP = 0.5  # a character overlapping this share of a line's height is on it


@dataclass(frozen=True, slots=True)
class PdfResult:
    data: bytes
    anchored: int  # notes highlighted on their own quote
    in_margin: int  # notes shown as margin icons (the missing list, quotes on OCRed pages)


@dataclass(slots=True)
class _Chars:
    """Every page's characters in reading order: stream text, and (page, char index) each."""

    text: list[str] = field(default_factory=list)
    places: list[tuple[int, int] | None] = field(default_factory=list)
    boxes: dict[int, list] = field(default_factory=dict)


def _read_chars(pdf: pdfium.PdfDocument, ocr_pages: frozenset[int]) -> _Chars:
    """Text-layer characters with their boxes; on OCRed pages, Tesseract's words (read again,
    the same way) with each character standing in its word's box."""
    chars = _Chars()
    for page_index in range(len(pdf)):
        page = pdf[page_index]
        boxes: list = []
        if page_index + 1 in ocr_pages:
            words = ocr.ocr_words(page, page_index + 1)
            for word, box in words if isinstance(words, list) else ():
                for char in word:
                    chars.text.append(char)
                    chars.places.append((page_index, len(boxes)))
                chars.text.append(" ")
                chars.places.append(None)
                boxes.append(box)
        else:
            textpage = page.get_textpage()
            raw = textpage.raw
            for index in range(pdfium_c.FPDFText_CountChars(raw)):
                code = pdfium_c.FPDFText_GetUnicode(raw, index)
                chars.text.append(chr(code) if 0 < code < 0x110000 else " ")
                chars.places.append((page_index, index))
                boxes.append(textpage.get_charbox(index))
            textpage.close()
        chars.boxes[page_index] = boxes
        chars.text.append(" ")
        chars.places.append(None)
        page.close()
    return chars


def _line_quads(boxes: list[tuple[float, float, float, float]]) -> list[tuple[float, ...]]:
    """One (left, bottom, right, top) rectangle per line of character boxes."""
    lines: list[list[float]] = []
    for left, bottom, right, top in boxes:
        if right <= left or top <= bottom:
            continue
        if lines:
            line = lines[-1]
            overlap = min(top, line[3]) - max(bottom, line[1])
            if overlap >= SAME_LINE_OVERLAP * min(top - bottom, line[3] - line[1]):
                line[0], line[1] = min(line[0], left), min(line[1], bottom)
                line[2], line[3] = max(line[2], right), max(line[3], top)
                continue
        lines.append([left, bottom, right, top])
    return [tuple(line) for line in lines]


def _highlights(chars: _Chars, start: int, end: int) -> dict[int, list[tuple[float, ...]]]:
    """Per page, the line rectangles covering the visible characters of [start, end)."""
    per_page: dict[int, list] = {}
    for position in range(start, end):
        place = chars.places[position]
        if place is None or chars.text[position].isspace():
            continue
        page_index, index = place
        per_page.setdefault(page_index, []).append(chars.boxes[page_index][index])
    return {page: quads for page, boxes in per_page.items() if (quads := _line_quads(boxes))}


def _appearance(pdf: pikepdf.Pdf, rect, quads, colour) -> pikepdf.Stream:
    """A multiply-blended fill of the quads, so every viewer draws the highlight the same."""
    commands = [f"{c:.3f}" for c in colour] + ["rg"]
    for left, bottom, right, top in quads:
        commands += [f"{left:.2f} {bottom:.2f} {right - left:.2f} {top - bottom:.2f} re"]
    commands.append("f")
    content = ("/GS0 gs " + " ".join(commands)).encode()
    stream = pikepdf.Stream(pdf, content)
    stream.Type, stream.Subtype = Name.XObject, Name.Form
    stream.BBox = Array(rect)
    stream.Resources = Dictionary(
        ExtGState=Dictionary(GS0=Dictionary(Type=Name.ExtGState, BM=Name.Multiply, ca=1.0))
    )
    return stream


def _add_annotation(pdf: pikepdf.Pdf, page, annotation: Dictionary, popup_at) -> None:
    annotation = pdf.make_indirect(annotation)
    x, y = popup_at
    popup = pdf.make_indirect(
        Dictionary(
            Type=Name.Annot,
            Subtype=Name.Popup,
            Rect=Array([x, y - POPUP_HEIGHT, x + POPUP_WIDTH, y]),
            Parent=annotation,
            Open=False,
        )
    )
    annotation.Popup = popup
    if Name.Annots not in page.obj:
        page.obj.Annots = pdf.make_indirect(Array())
    page.obj.Annots.append(annotation)
    page.obj.Annots.append(popup)


def _common(note: Note, rect, colour) -> dict:
    return {
        "Type": Name.Annot,
        "Rect": Array(rect),
        "Contents": String("\n".join(note.paragraphs)),
        "T": String(AUTHOR),
        "C": Array(colour),
        "F": ANNOTATION_PRINTABLE,
    }


def annotate_pdf(data: bytes, document: Document, notes: tuple[Note, ...]) -> PdfResult:
    """The PDF with a highlight and pop-up per note; the pages' content streams are unchanged."""
    try:
        reader = pdfium.PdfDocument(data)
        pdf = pikepdf.open(io.BytesIO(data))
    except (pdfium.PdfiumError, pikepdf.PdfError) as exc:
        raise UnreadableInputError(
            f"{document.source}: the PDF cannot be annotated ({exc})"
        ) from None
    chars = _read_chars(reader, frozenset(document.ocr_pages))
    reader.close()
    alignment = Alignment(document.text, "".join(chars.text))
    anchored = in_margin = 0
    icons_on_page: dict[int, int] = {}
    for note in notes:
        colour = NOTE_COLOURS[note.kind]
        quads_by_page = {}
        for anchor in note.anchors:
            span = alignment.target_span(anchor.start, anchor.end)
            if span and (quads_by_page := _highlights(chars, *span)):
                break
        if quads_by_page:
            anchored += 1
            for page_index, quads in quads_by_page.items():
                rect = [
                    min(q[0] for q in quads),
                    min(q[1] for q in quads),
                    max(q[2] for q in quads),
                    max(q[3] for q in quads),
                ]
                points = []
                for left, bottom, right, top in quads:
                    points += [left, top, right, top, left, bottom, right, bottom]
                page = pdf.pages[page_index]
                annotation = Dictionary(
                    Subtype=Name.Highlight,
                    QuadPoints=Array(points),
                    CA=HIGHLIGHT_OPACITY,
                    AP=Dictionary(N=_appearance(pdf, rect, quads, colour)),
                    **_common(note, rect, colour),
                )
                _add_annotation(pdf, page, annotation, (rect[2], rect[3]))
            continue
        in_margin += 1
        page_number = next((a.page for a in note.anchors if a.page), None) or 1
        page_index = min(max(page_number - 1, 0), len(pdf.pages) - 1)
        page = pdf.pages[page_index]
        left, bottom, right, top = (float(v) for v in page.mediabox)
        stacked = icons_on_page.get(page_index, 0)
        icons_on_page[page_index] = stacked + 1
        y = top - ICON_MARGIN - stacked * (ICON_SIZE + ICON_MARGIN)
        rect = [left + ICON_MARGIN, y - ICON_SIZE, left + ICON_MARGIN + ICON_SIZE, y]
        annotation = Dictionary(Subtype=Name.Text, Name=Name.Comment, **_common(note, rect, colour))
        _add_annotation(pdf, page, annotation, (rect[2], rect[3]))
    out = io.BytesIO()
    pdf.save(out)
    pdf.close()
    return PdfResult(out.getvalue(), anchored, in_margin)
