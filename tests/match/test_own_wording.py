"""Directives in agencies' own wording: plain words for the requirement (a parent who "took"
the child, an officer who "lays eyes on" the recovered child), parts a found status needs, and
wording elsewhere that contradicts a requirement. Reviewed through `review()`."""

from __future__ import annotations

import pytest

from policy_review.checklist import load_checklist
from policy_review.review import review
from tests.match.test_le_cues import case_document

RECOVERY = ("Missing Juveniles", "When the child turns up")
PROCEDURES = ("Missing Juveniles", "Procedures")

CASES = [
    pytest.param(
        "LE-REC-VERIFY",
        "An officer has to actually lay eyes on the kid when the kid turns up; a phone call "
        "from the family is not enough.",
        RECOVERY,
        "found",
        id="seen-in-person",
    ),
    pytest.param(
        "LE-FAMILY-ABDUCTION",
        "When a parent or relative took the child, that may be a crime (interference with "
        "custody): work it like one and talk to the prosecutor about a warrant.",
        PROCEDURES,
        "found",
        id="parent-took-the-child",
    ),
    pytest.param(
        "LE-REC-CANCEL",
        "When the child is located, dispatch clears the NCIC entry and cancels the BOLO.",
        RECOVERY,
        "partial",
        id="cancelled-without-telling-ncmec",
    ),
    pytest.param(
        "LE-REC-CANCEL",
        "When the child is located, dispatch clears the NCIC entry and cancels the BOLO, and the "
        "detective notifies NCMEC and the state clearinghouse of the recovery.",
        RECOVERY,
        "found",
        id="cancelled-and-ncmec-told",
    ),
    pytest.param(
        "LE-FOSTER-CARE",
        "Children who walk away from a foster home or group home get the same response; let "
        "their caseworker know.",
        PROCEDURES,
        "partial",
        id="foster-care-without-ncmec",
    ),
]


@pytest.mark.parametrize(("element", "text", "trail", "expect"), CASES)
def test_own_wording(element, text, trail, expect) -> None:
    report = review(case_document(text, trail), (load_checklist("le-model-policy"),))
    finding = next(f for f in report.findings if f.element == element)
    assert finding.status.value == expect, finding.reason


def test_a_red_flagged_element_is_partial_at_most() -> None:
    text = (
        "An officer will be sent to the scene immediately for every missing juvenile report. "
        "Reports of missing juveniles over 15 may be handled as a telephone report."
    )
    report = review(case_document(text, PROCEDURES), (load_checklist("le-model-policy"),))
    finding = next(f for f in report.findings if f.element == "LE-COMM-DISPATCH")
    assert finding.red_flags
    assert finding.status.value == "partial", finding.reason
    assert "contradicts" in finding.reason
