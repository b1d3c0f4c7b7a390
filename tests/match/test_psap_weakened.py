"""911-centre duties stated in a weakened form, read through `review`: an instruction list or
records check naming only some of the parts its requirement names, a close-out without the outcome
recorded, a duty the text gives to a field role, a supervisor told only of a call review's results,
and NCMEC's 1-800-THE-LOST read as a lost child. Each is partial (or unmet); the complete wording
stays found. Our own wording, not any sample document's."""

from __future__ import annotations

import pytest

from policy_review.checklist import load_checklist
from policy_review.review import review
from tests.match.test_le_cues import case_document

TRAIL = ("Missing Child Calls", "Call-Taker Procedures")


@pytest.fixture(scope="module")
def checklist():
    return load_checklist("psap-ansi-standard")


def _status(checklist, element: str, text: str | list[str], trail=TRAIL) -> str:
    report = review(case_document(text, trail), (checklist,))
    finding = next(f for f in report.findings if f.element == element)
    return finding.status.value


@pytest.mark.parametrize(
    ("element", "text", "expected"),
    [
        # pre-arrival: three of the four named instructions, then all four
        (
            "PSAP-PREARRIVAL",
            "Until a deputy arrives, the call-taker shall tell the caller to keep the phone line"
            " open, to leave the child's bedroom untouched and to have a recent photograph ready.",
            "partial",
        ),
        (
            "PSAP-PREARRIVAL",
            "Until a deputy arrives, the call-taker shall tell the caller to search the home again,"
            " to keep the phone line open, to leave the child's bedroom untouched and to have a"
            " recent photograph ready.",
            "found",
        ),
        # close-out: broadcast and NCIC cleared, the outcome not recorded; then recorded
        (
            "PSAP-CLOSE",
            "When the child is located, the dispatcher shall cancel the attempt-to-locate"
            " broadcast and clear the NCIC record.",
            "partial",
        ),
        (
            "PSAP-CLOSE",
            "When the child is located, the dispatcher shall cancel the attempt-to-locate"
            " broadcast, clear the NCIC record and document the outcome in the incident.",
            "found",
        ),
        # records: one kind of record relayed; then three kinds
        (
            "PSAP-RECORDS",
            "While units respond, the dispatcher shall query NCIC for the child and pass any"
            " result to the responding officers.",
            "partial",
        ),
        (
            "PSAP-RECORDS",
            "While units respond, the dispatcher shall query NCIC, the sex offender registry and"
            " prior calls at the address for the child and pass any result to the responding"
            " officers.",
            "found",
        ),
        # a duty the text gives to a field role, not the 911 centre
        (
            "PSAP-EXPLOIT-EVIDENCE",
            "When a child is being exploited online, the detective shall tell the parent not to"
            " delete or forward any image or message, to leave the phone as it is, and to report"
            " it to the NCMEC CyberTipline.",
            "partial",
        ),
        (
            "PSAP-AMBER",
            "The patrol sergeant shall request an AMBER Alert when the child meets the state"
            " criteria: an abduction, a child 17 or younger, a risk of serious harm and enough"
            " description to broadcast.",
            "partial",
        ),
        (
            "PSAP-AMBER",
            "The telecommunicator shall know the state AMBER Alert criteria: an abduction, a child"
            " 17 or younger, a risk of serious harm and enough description to broadcast.",
            "found",
        ),
        # the hotline's mnemonic is no lost child
        (
            "PSAP-TYPE-LOST",
            "The telecommunicator shall give the family the NCMEC hotline, 1-800-THE-LOST, and"
            " notify the on-duty supervisor.",
            "missing",
        ),
    ],
)
def test_weakened_duty(checklist, element: str, text: str, expected: str) -> None:
    assert _status(checklist, element, text) == expected


def test_review_results_reported_to_supervisor_are_no_call_notification(checklist) -> None:
    """A call review whose findings reach the communications supervisor does not notify the
    supervisor of a missing-child call."""
    text = (
        "Each missing child call is scored on the review form, including the notifications made."
        " Any step missed is covered in remedial training and reported to the communications"
        " supervisor."
    )
    trail = ("Missing Child Calls", "Call Review")
    assert _status(checklist, "PSAP-NOTIFY-SUPERVISOR", text, trail) != "found"
