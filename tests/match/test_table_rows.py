"""A table row is one statement: a decision table's first cell names the call type, and the
row's other cells say what to ask, do and notify for it."""

from __future__ import annotations

from policy_review.checklist import load_checklist
from policy_review.model import PassageKind, build_document
from policy_review.review import review

TRAIL = ("Child Calls",)
INTRO = "Applies to every call reporting a missing, abducted, lost, found or exploited child."
HEADER = ("If the caller reports", "Nature code", "Ask", "Do", "Notify")
RUNAWAY = (
    "Runaway child (left the home)",
    "10-RUNJ",
    "Child's name, age and DOB; clothing; when and where last seen?",
    "Dispatch nearest unit immediately. BOLO the child's description to on-duty units.",
    "9-1-1 shift supervisor",
)
ABDUCTION = (
    "Child abduction: stranger, parental, or attempted",
    "10-ABDC",
    "Suspect's name if known; vehicle make, model, color, plate; direction of travel.",
    "Dispatch all available units immediately. BOLO child, suspect and vehicle to on-duty units.",
    "9-1-1 shift supervisor; on-call investigator",
)


def _status(rows: bool) -> str:
    blocks = [
        ("Child Calls", 1, TRAIL, PassageKind.HEADING),
        (INTRO, 1, TRAIL, PassageKind.PARAGRAPH),
    ]
    for number, cells in enumerate((HEADER, RUNAWAY, ABDUCTION), start=1):
        row = number if rows else None
        blocks += [(cell, 1, TRAIL, PassageKind.TABLE_CELL, row) for cell in cells]
    document = build_document(
        source="table.docx", sha256="0" * 64, format="docx", page_count=1, blocks=blocks
    )
    report = review(document, (load_checklist("psap-ansi-standard"),))
    return next(f.status.value for f in report.findings if f.element == "PSAP-TYPE-ABDUCTION")


def test_a_rows_first_cell_is_read_with_its_other_cells():
    assert _status(rows=True) == "found"


def test_cells_without_a_row_stay_apart():
    assert _status(rows=False) != "found"


QA_TRAIL = ("Section 9 - Call Review",)
QA_HEADER = ("Calls", "Reviewer", "Deadline")
QA_ROW = (
    "Each abduction, lost child and exploited child call",
    "reviewed by Communications Training Coordinator",
    "no later than 96 hours after the call",
)


def _qa_findings(header: tuple[str, ...] | None) -> dict:
    blocks = [
        (QA_TRAIL[0], 1, QA_TRAIL, PassageKind.HEADING),
        (
            "Missing child calls get a quality review as set out in the table.",
            1,
            QA_TRAIL,
            PassageKind.PARAGRAPH,
        ),
    ]
    rows = [header, QA_ROW] if header else [QA_ROW]
    for number, cells in enumerate(rows, start=1):
        blocks += [(cell, 1, QA_TRAIL, PassageKind.TABLE_CELL, number) for cell in cells]
    document = build_document(
        source="qa.docx", sha256="0" * 64, format="docx", page_count=1, blocks=blocks
    )
    report = review(document, (load_checklist("psap-qa-clause"),))
    return {f.element: f for f in report.findings}


def _qa_statuses(header: tuple[str, ...] | None) -> dict[str, str]:
    return {element: f.status.value for element, f in _qa_findings(header).items()}


def test_a_row_under_a_header_of_labels_is_one_record():
    """ "Calls | Reviewer | Deadline": the deadline cell is the deadline of the review of the
    calls in its row, by the reviewer in its row."""
    findings = _qa_findings(QA_HEADER)
    assert findings["QA-RESPONSIBLE"].status.value == "found"
    assert findings["QA-TIMEFRAME"].status.value == "found"
    # the quote is the row's own text, in the document's order: no column label inside it
    quote = findings["QA-TIMEFRAME"].evidence[0].quote
    assert "no later than 96 hours after the call" in quote
    assert not any(label in quote for label in QA_HEADER)


def test_a_row_whose_header_is_sentences_stays_cell_by_cell():
    """A first row of sentences is no header: its cells do not label the next row's."""
    header = (
        "The reviewer listens to the call.",
        "Scores are kept.",
        "Results go to the Director.",
    )
    assert _qa_statuses(header)["QA-TIMEFRAME"] != "found"


def test_a_row_leaving_its_last_column_blank_is_still_a_record():
    """A 'Done' column left for initials has no text, so no cell: the row is read all the
    same, its cells under the header's first labels."""
    statuses = _qa_statuses((*QA_HEADER, "Done (initials)"))
    assert statuses["QA-TIMEFRAME"] == "found"
