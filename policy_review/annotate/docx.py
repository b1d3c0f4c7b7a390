"""Word: the agency's own file back with the review as native comments, nothing else changed.

Comments are anchored on the runs holding each quote. A quote rarely starts or ends on a run
boundary, so the boundary runs are split in two (same properties on both halves): the text of
every paragraph stays exactly what it was, which is checked before the file is written.
"""

from __future__ import annotations

import copy
import io
from dataclasses import dataclass, field

from docx import Document as open_docx
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.text.run import Run

from policy_review.annotate.align import Alignment
from policy_review.annotate.notes import AUTHOR, AUTHOR_INITIALS, Note, NoteKind
from policy_review.errors import PolicyReviewError, UnreadableInputError
from policy_review.model import Document

W_P, W_R, W_T, W_RPR = qn("w:p"), qn("w:r"), qn("w:t"), qn("w:rPr")
W_DEL_TEXT = qn("w:delText")
SKIPPED = frozenset(qn(tag) for tag in ("w:del", "w:moveFrom", "w:pPr", "w:txbxContent"))
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
ONE_CHAR = {qn(tag): " " for tag in ("w:tab", "w:br", "w:cr")} | {qn("w:noBreakHyphen"): "-"}
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
QUOTE_PREVIEW_CHARS = 160


@dataclass(frozen=True, slots=True)
class DocxResult:
    data: bytes
    anchored: int  # notes anchored on their own quote
    on_title: int  # notes placed on the title (the missing list, and quotes not located)


@dataclass(slots=True)
class _Stream:
    """The body's visible text (accepted-changes view) with, per character, the run child that
    holds it and the offset inside it; paragraphs are separated by one unowned space."""

    text: list[str] = field(default_factory=list)
    nodes: list = field(default_factory=list)
    offsets: list[int] = field(default_factory=list)

    def add(self, char: str, node, offset: int) -> None:
        self.text.append(char)
        self.nodes.append(node)
        self.offsets.append(offset)


def _read_runs(container, stream: _Stream) -> None:
    for child in container:
        if child.tag in SKIPPED:
            continue
        if child.tag == W_R:
            for part in child:
                if part.tag == W_T:
                    for offset, char in enumerate(part.text or ""):
                        stream.add(char, part, offset)
                elif part.tag in ONE_CHAR:
                    stream.add(ONE_CHAR[part.tag], part, 0)
        else:  # hyperlinks, insertions, content controls, smart tags hold runs
            _read_runs(child, stream)


def _body_stream(body) -> _Stream:
    stream = _Stream()
    for paragraph in body.iter(W_P):
        if any(a.tag == MC_FALLBACK for a in paragraph.iterancestors()):
            continue  # the same text box is also in the Choice branch
        if stream.text:
            stream.add(" ", None, 0)
        _read_runs(paragraph, stream)
    return stream


def paragraph_texts(root) -> list[str]:
    """Every paragraph's text, deleted text included: the invariant annotation must keep."""
    texts = []
    for paragraph in root.iter(W_P):
        pieces = []
        for node in paragraph.iter(W_T, W_DEL_TEXT, *ONE_CHAR):
            pieces.append(node.text or "" if node.tag in (W_T, W_DEL_TEXT) else ONE_CHAR[node.tag])
        texts.append("".join(pieces))
    return texts


def _split(stream: _Stream, position: int):
    """Make `position` (a character of the stream) start a run; return that run."""
    node, offset = stream.nodes[position], stream.offsets[position]
    run = node.getparent()
    content = [c for c in run if c.tag != W_RPR]
    if offset == 0 and content and content[0] is node:
        return run
    new_run = OxmlElement("w:r")
    for name, value in run.attrib.items():
        new_run.set(name, value)
    rpr = run.find(W_RPR)
    if rpr is not None:
        new_run.append(copy.deepcopy(rpr))
    moving = content[content.index(node) :]
    if offset:
        right = OxmlElement("w:t")
        right.text = node.text[offset:]
        node.text = node.text[:offset]
        for part in (node, right):
            part.set(XML_SPACE, "preserve")
        moving[0] = right
        index = position
        while index < len(stream.nodes) and stream.nodes[index] is node:
            stream.nodes[index] = right
            stream.offsets[index] -= offset
            index += 1
    for part in moving:
        new_run.append(part)
    run.addnext(new_run)
    return new_run


def _owned(stream: _Stream, start: int, end: int) -> tuple[int, int] | None:
    """The first and last characters of [start, end) that belong to a run."""
    owned = [i for i in range(start, end) if stream.nodes[i] is not None]
    return (owned[0], owned[-1]) if owned else None


def _first_paragraph(stream: _Stream) -> tuple[int, int] | None:
    """The first and last characters of the first paragraph with text."""
    first = next((i for i, node in enumerate(stream.nodes) if node is not None), None)
    if first is None:
        return None
    last = first
    while last + 1 < len(stream.nodes) and stream.nodes[last + 1] is not None:
        last += 1
    return first, last


def _anchor_runs(stream: _Stream, first: int, last: int) -> tuple:
    """Split at both ends (the end first, so the start's node is still where it was)."""
    if last + 1 < len(stream.nodes) and stream.nodes[last + 1] is not None:
        _split(stream, last + 1)
    first_run = _split(stream, first)
    return first_run, stream.nodes[last].getparent()


def annotate_docx(data: bytes, document: Document, notes: tuple[Note, ...]) -> DocxResult:
    """The file with one Word comment per note; raises if any paragraph's text would change."""
    try:
        word = open_docx(io.BytesIO(data))
    except (ValueError, KeyError) as exc:
        raise UnreadableInputError(
            f"{document.source}: python-docx cannot open this Word file for writing ({exc}); "
            "re-save it as a .docx document"
        ) from None
    root = word.element
    before = paragraph_texts(root)
    body = root.find(qn("w:body"))
    stream = _body_stream(body)
    text = "".join(stream.text)
    alignment = Alignment(document.text, text)

    def locate(start: int, end: int) -> tuple[int, int] | None:
        span = alignment.target_span(start, end)
        return _owned(stream, *span) if span else None

    title_passage = document.title_passage
    title = locate(title_passage.start, title_passage.end) if title_passage else None
    if title is None:
        title = _first_paragraph(stream)
    placed: list[tuple[tuple[int, int], tuple[str, ...]]] = []
    anchored = on_title = 0
    for note in notes:
        span = next(
            (found for a in note.anchors if (found := locate(a.start, a.end)) is not None), None
        )
        if span is not None:
            anchored += 1
            placed.append((span, note.paragraphs))
            continue
        if title is None:
            raise PolicyReviewError(f"{document.source}: the Word file has no text to comment on")
        on_title += 1
        lost = ()
        if note.kind is not NoteKind.MISSING and note.anchors:
            quote = note.anchors[0].quote[:QUOTE_PREVIEW_CHARS]
            lost = (f"(The quote could not be located in the file: “{quote}”)",)
        placed.append((title, note.paragraphs + lost))
    for (first, last), paragraphs in placed:
        first_run, last_run = _anchor_runs(stream, first, last)
        comment = word.add_comment(
            [Run(first_run, None), Run(last_run, None)],
            text=paragraphs[0],
            author=AUTHOR,
            initials=AUTHOR_INITIALS,
        )
        for paragraph in paragraphs[1:]:
            comment.add_paragraph(paragraph)
    if paragraph_texts(root) != before:
        raise PolicyReviewError(
            f"{document.source}: annotating would have changed the document's text; "
            "nothing was written (please report this file)"
        )
    out = io.BytesIO()
    word.save(out)
    return DocxResult(out.getvalue(), anchored, on_title)
