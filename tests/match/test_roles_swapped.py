"""Duties swapped between the call-taker and the officer, read through `review`: a sentence joining
two roles' duties gives each clause its own actor, actors joined by "and" / "or" share the duty,
and a "we"-voice directive (tests/match/combined/pellworth-we-voice-swapped-duties.md, our own
text, labelled before the tool was run on it) gives "we" the role its part's heading names; a
heading naming an actor in a time clause ("Before the Officer Arrives") gives no actor. A duty
given to the wrong role is partial at most, with the wrong_role adjustment and reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policy_review.checklist import load_checklist
from policy_review.cli import main
from policy_review.model import AdjustmentCause, Status
from policy_review.review import review
from tests.match.test_le_cues import case_document

TRAIL = ("Missing Children", "Procedures")
DOCUMENT = Path(__file__).parent / "combined" / "pellworth-we-voice-swapped-duties.md"

# labelled from the text before the tool was run on it
EXPECTED = {
    # a bare step under "Part A - Communications Division"
    "PSAP-Q-CALLER-LOCATION": "found",
    "PSAP-Q-DESCRIPTION": "found",  # "Our call-takers then ask for ..."
    "PSAP-Q-SEARCHED": "partial",  # "we" under "Part B - Patrol Division"
    "PSAP-Q-CUSTODY": "partial",
    "PSAP-Q-ONLINE": "partial",
    "PSAP-Q-RISK": "partial",  # the detective's clause of a sentence shared with the dispatcher
    "PSAP-NOTIFY-SUPERVISOR": "found",  # "Our dispatchers notify the communications supervisor"
    "LE-FR-CIRCUMSTANCES": "partial",  # "we" under "What Our Dispatchers Do": the call-taker's
}


@pytest.fixture(scope="module")
def checklists():
    return {name: load_checklist(name) for name in ("psap-ansi-standard", "le-model-policy")}


def _finding(checklists, element: str, text: str, trail: tuple[str, ...] = TRAIL):
    checklist = checklists[
        "psap-ansi-standard" if element.startswith("PSAP") else "le-model-policy"
    ]
    report = review(case_document(text, trail), (checklist,))
    return next(f for f in report.findings if f.element == element)


def _wrong_role(finding) -> bool:
    return any(
        a.cause is AdjustmentCause.WRONG_ROLE
        for e in finding.evidence
        for a in e.explanation.adjustments
    )


@pytest.mark.parametrize(
    ("element", "text", "expected", "wrong_role"),
    [
        (
            "PSAP-Q-RISK",
            "The dispatcher shall enter the missing child in NCIC, and the detective shall ask the "
            "parents about medical or mental conditions, medications, threats and whether the "
            "child has gone missing before.",
            "partial",
            True,
        ),
        (
            "PSAP-Q-RISK",
            "The detective shall enter the missing child in NCIC, and the dispatcher shall ask the "
            "parents about medical or mental conditions, medications, threats and whether the "
            "child has gone missing before.",
            "found",
            False,
        ),
        (
            "LE-FR-INTERVIEW",
            "The officer shall broadcast the missing child's description, and the call-taker shall "
            "interview the parents and the person who last saw the child.",
            "partial",
            True,
        ),
        (
            "LE-FR-INTERVIEW",
            "The call-taker shall broadcast the missing child's description, and the officer shall "
            "interview the parents and the person who last saw the child.",
            "found",
            False,
        ),
    ],
    ids=["detective-clause", "dispatcher-clause", "call-taker-clause", "officer-clause"],
)
def test_each_clause_has_its_own_actor(checklists, element, text, expected, wrong_role) -> None:
    finding = _finding(checklists, element, text)
    assert finding.status.value == expected, finding.reason
    assert _wrong_role(finding) is wrong_role
    if wrong_role:
        assert "stated as a duty of the" in finding.reason


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Dispatchers and officers shall ask the caller whether the home and the yard of the "
            "missing child have already been searched.",
            "found",
        ),
        (
            "Officers and detectives shall ask the caller whether the home and the yard of the "
            "missing child have already been searched.",
            "partial",
        ),
    ],
    ids=["call-taker-among-the-subjects", "no-call-taker-among-the-subjects"],
)
def test_joined_actors_share_the_duty(checklists, text, expected) -> None:
    finding = _finding(checklists, "PSAP-Q-SEARCHED", text)
    assert finding.status.value == expected, finding.reason


def test_a_few_words_between_determine_and_whether(checklists) -> None:
    """ "determine from the family's answers whether" is a risk assessment like "determine
    whether"; given to the call-taker, it is partial for the officer's element."""
    officer = _finding(
        checklists,
        "LE-FR-CIRCUMSTANCES",
        "The officer shall determine from the family's answers whether the missing child is at "
        "risk.",
    )
    assert officer.status is Status.FOUND, officer.reason
    call_taker = _finding(
        checklists,
        "LE-FR-CIRCUMSTANCES",
        "The call-taker shall determine from the caller's answers whether the missing child is at "
        "risk.",
    )
    assert call_taker.status is Status.PARTIAL, call_taker.reason
    assert _wrong_role(call_taker)


PREARRIVAL = (
    "Tell the caller to search the house again, to leave the missing child's room as it is, "
    "to keep the phone line free and to find a recent photo."
)


@pytest.mark.parametrize(
    ("heading", "expected", "wrong_role"),
    [
        ("Before the Officer Arrives", "found", False),
        ("Patrol Officer Duties", "partial", True),
    ],
    ids=["officer-in-a-time-clause", "officer-heading"],
)
def test_a_heading_naming_an_actor_in_a_time_clause_gives_no_actor(
    checklists, heading, expected, wrong_role
) -> None:
    trail = ("Missing Children", heading)
    finding = _finding(checklists, "PSAP-PREARRIVAL", PREARRIVAL, trail)
    assert finding.status.value == expected, finding.reason
    assert _wrong_role(finding) is wrong_role


def test_the_officer_who_confirms_whether_the_child_is_at_risk(checklists) -> None:
    """The officer confirming with the family whether the child is at risk meets the officer's
    element (the call-taker determining it alone is partial: see above)."""
    finding = _finding(
        checklists,
        "LE-FR-CIRCUMSTANCES",
        "On arrival, the officer will confirm with the family whether the missing child is at "
        "risk.",
    )
    assert finding.status is Status.FOUND, finding.reason
    assert finding.evidence[0].explanation.actors == ("officer",)


def test_the_subject_after_an_opening_phrase_is_the_actor(checklists) -> None:
    """Under an officer's heading, "Before the officer arrives, the dispatcher tells ..." and
    "From the caller's answers, the call-taker determines ..." are the call-taker's duties."""
    trail = ("Missing Children", "Patrol Officer Duties")
    prearrival = _finding(
        checklists,
        "PSAP-PREARRIVAL",
        "Before the officer arrives, the dispatcher tells the caller "
        "to search the house again, to leave the missing child's room as it is, to keep the "
        "phone line free and to find a recent photo.",
        trail,
    )
    assert prearrival.status is Status.FOUND, prearrival.reason
    risk = _finding(
        checklists,
        "LE-FR-CIRCUMSTANCES",
        "From the caller's answers, the call-taker determines "
        "whether the missing child is at risk.",
        trail,
    )
    assert risk.status is Status.PARTIAL, risk.reason
    assert _wrong_role(risk)


def test_a_number_to_call_back_is_the_callback(checklists) -> None:
    finding = _finding(
        checklists,
        "PSAP-Q-CALLER-LOCATION",
        "The call-taker shall record where the caller is, the caller's name and relationship to "
        "the missing child, and a number to call back.",
    )
    assert finding.status is Status.FOUND, finding.reason


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("pellworth") / "report.json"
    argv = [str(DOCUMENT), "--checklist", "psap-ansi-standard", "--checklist", "le-model-policy"]
    assert main(["analyze", *argv, "--format", "json", "-o", str(out)]) == 0
    return {f["element"]: f for f in json.loads(out.read_text())["findings"]}


@pytest.mark.parametrize("element", sorted(EXPECTED))
def test_we_voice_directive_with_swapped_duties(report, element) -> None:
    assert report[element]["status"] == EXPECTED[element], report[element]["reason"]


def test_we_under_a_patrol_heading_is_the_officer(report) -> None:
    explanation = report["PSAP-Q-SEARCHED"]["evidence"][0]["explanation"]
    assert explanation["actors"] == ["officer"]
    assert "duty of the officer" in report["PSAP-Q-SEARCHED"]["reason"]
