"""Write the review into a copy of the agency's own file: Word comments or PDF highlights.

`annotate` takes the file's bytes, the Document read from them and the Report on it, and
returns the new file's bytes; it never writes anything itself (the CLI does, never over the
input).
"""

from __future__ import annotations

from dataclasses import dataclass

from policy_review.annotate.notes import NoteKind, build_notes
from policy_review.errors import PolicyReviewError, UnsupportedFormatError
from policy_review.model import Report
from policy_review.render import Decisions

ANNOTATABLE_FORMATS = {"docx": ".docx", "pdf": ".pdf"}


@dataclass(frozen=True, slots=True)
class Annotated:
    """The annotated file and how its notes were placed."""

    data: bytes
    format: str
    suffix: str
    notes: int
    anchored: int  # on their own quote
    elsewhere: int  # on the title / in the margin: the missing list and quotes not located
    red_flags: int
    missing: int


def annotate(data: bytes, report: Report, *, decisions: Decisions | None = None) -> Annotated:
    """The annotated copy of `data`, the file `report.document` was read from."""
    document = report.document
    if document.format not in ANNOTATABLE_FORMATS:
        works = " and ".join(ANNOTATABLE_FORMATS.values())
        raise UnsupportedFormatError(
            f"{document.source}: annotate works on {works} files, and this is "
            f"{document.format}; save it as .docx or PDF and try again"
        )
    if decisions is not None and decisions.sha256 != document.sha256:
        raise PolicyReviewError(
            f"the decisions file {decisions.source} was exported for another document "
            f"(sha256 {decisions.sha256[:12]}…, this one is {document.sha256[:12]}…)"
        )
    notes = build_notes(report, decisions)
    if document.format == "docx":
        from policy_review.annotate.docx import annotate_docx

        result = annotate_docx(data, document, notes)
        anchored, elsewhere = result.anchored, result.on_title
    else:
        from policy_review.annotate.pdf import annotate_pdf

        result = annotate_pdf(data, document, notes)
        anchored, elsewhere = result.anchored, result.in_margin
    return Annotated(
        data=result.data,
        format=document.format,
        suffix=ANNOTATABLE_FORMATS[document.format],
        notes=len(notes),
        anchored=anchored,
        elsewhere=elsewhere,
        red_flags=sum(1 for n in notes if n.kind is NoteKind.RED_FLAG),
        missing=sum(len(n.elements) for n in notes if n.kind is NoteKind.MISSING),
    )
