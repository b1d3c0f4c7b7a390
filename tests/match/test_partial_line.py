"""The line between found and partial, through `review` on small texts: hedged wording after
"shall", list items taking their lead-in's modality, and the parts of a requirement stated across
a list or a section. Our own phrasings, each with its counterpart that must read differently."""

from __future__ import annotations

import json

import pytest

from policy_review.checklist import load_checklist
from policy_review.model import AdjustmentCause, Modality, PassageKind, build_document
from policy_review.render import render_json
from policy_review.review import review
from tests.match.test_le_cues import case_document

MISSING = ("Missing Children",)
RESPONDING = (*MISSING, "Responding Officer")
CALL_TAKING = ("Missing Child Calls", "Call-Taker Questions")

LE_CASES = [
    # ------------------------------------------------------------------ hedged wording
    (
        "hedge-after-shall",
        "LE-FR-VERIFY-SEARCH",
        RESPONDING,
        "The responding officer shall, when practical, search the home, yard and vehicles, "
        "even if the family has already searched.",
        "partial",
    ),
    (
        "no-hedge-after-shall",
        "LE-FR-VERIFY-SEARCH",
        RESPONDING,
        "The responding officer shall search the home, yard and vehicles, even if the family "
        "has already searched.",
        "found",
    ),
    (
        "attempt-as-the-duty",
        "LE-FR-VERIFY-SEARCH",
        RESPONDING,
        "The responding officer shall attempt to search the home, yard and vehicles, even if "
        "the family has already searched.",
        "partial",
    ),
    (
        "attempt-as-a-purpose",
        "LE-FR-VERIFY-SEARCH",
        RESPONDING,
        "The responding officer shall search the home, yard and vehicles, even if the family "
        "has already searched, to attempt to find the child hiding or asleep.",
        "found",
    ),
    (
        "hedged-lead-in",
        "LE-FR-VERIFY-SEARCH",
        RESPONDING,
        [
            "When practical, the responding officer shall:",
            "(a) Search the home, yard and vehicles, even if the family has already searched.",
        ],
        "partial",
    ),
    (
        "staffing-qualifier",
        "LE-FR-VERIFY-SEARCH",
        RESPONDING,
        "The responding officer shall, as staffing allows, search the home, yard and vehicles, "
        "even if the family has already searched.",
        "partial",
    ),
    (
        "time-qualifier-opening-the-sentence",
        "LE-FR-VERIFY-SEARCH",
        RESPONDING,
        "When time allows, the responding officer shall search the home, yard and vehicles, "
        "even if the family has already searched.",
        "partial",
    ),
    (
        "pace-set-by-what-allows-it",
        "LE-FR-VERIFY-SEARCH",
        RESPONDING,
        "The responding officer shall search the home, yard and vehicles as promptly as staffing "
        "and the other demands on the shift allow, even if the family has already searched.",
        "partial",
    ),
    (
        "as-well-as-is-no-pace",
        "LE-FR-VERIFY-SEARCH",
        RESPONDING,
        "The responding officer shall search the home as well as the yard and vehicles the "
        "owner's consent allows, even if the family has already searched.",
        "found",
    ),
    (
        "ideally",
        "LE-FR-VERIFY-SEARCH",
        RESPONDING,
        "The responding officer shall ideally search the home, yard and vehicles, even if the "
        "family has already searched.",
        "partial",
    ),
    (
        "an-item-that-may-not-exist-is-no-hedge",
        "LE-FR-DESCRIPTION-PHOTO",
        RESPONDING,
        "The responding officer shall obtain a detailed description of the child and a recent "
        "photograph, if available.",
        "found",
    ),
    # ------------------------------------------------------------------ 'should'
    (
        "should-meets-the-duty",
        "LE-FR-VERIFY-SEARCH",
        RESPONDING,
        "The responding officer should search the home, yard and vehicles, even if the family "
        "has already searched.",
        "found",
    ),
    (
        "should-in-a-definition",
        "LE-DEF-U-CATCHALL",
        (*MISSING, "Definitions"),
        "Unusual circumstances include any other circumstances that would cause a reasonable "
        "person to conclude that the child should be considered at risk.",
        "found",
    ),
    # ------------------------------------------------------------------ the lead-in's modality
    (
        "permissive-lead-in",
        "LE-FR-VERIFY-SEARCH",
        RESPONDING,
        [
            "The responding officer may:",
            "(a) Search the home, yard and vehicles, even if the family has already searched.",
        ],
        "partial",
    ),
    (
        "mandatory-lead-in",
        "LE-FR-VERIFY-SEARCH",
        RESPONDING,
        [
            "The responding officer shall:",
            "(a) Search the home, yard and vehicles, even if the family has already searched.",
        ],
        "found",
    ),
    (
        "item-states-its-own-duty",
        "LE-FR-VERIFY-SEARCH",
        RESPONDING,
        [
            "The responding officer may:",
            "(a) Call for a K-9 team.",
            "(b) In every case, the officer shall search the home, yard and vehicles, even if "
            "the family has already searched.",
        ],
        "found",
    ),
    # ------------------------------------------------------------------ a core part
    (
        "family-abduction-called-a-crime-only",
        "LE-FAMILY-ABDUCTION",
        (*MISSING, "Case Types"),
        "Family abductions are referred for criminal charges.",
        "partial",
    ),
    (
        "family-abduction-investigated",
        "LE-FAMILY-ABDUCTION",
        (*MISSING, "Case Types"),
        "Family abductions are criminal matters: the investigator will establish the custody "
        "rights of each parent and the intent of the abducting parent, and seek a warrant.",
        "found",
    ),
]

PSAP_CASES = [
    (
        "encouraged-to-broadcast",
        "PSAP-BROADCAST",
        ("Missing Child Calls", "Dispatch"),
        "The dispatcher is encouraged to broadcast the child's description to all units and to "
        "neighboring agencies, and update the broadcast as information comes in.",
        "partial",
    ),
    (
        "as-call-volume-allows",
        "PSAP-BROADCAST",
        ("Missing Child Calls", "Dispatch"),
        "As call volume allows, the dispatcher shall broadcast the child's description to all "
        "units and to neighboring agencies, and update the broadcast as information comes in.",
        "partial",
    ),
    (
        "broadcast-to-own-units",
        "PSAP-BROADCAST",
        ("Missing Child Calls", "Dispatch"),
        "The dispatcher shall broadcast the child's description to all units and update the "
        "broadcast as information comes in.",
        "partial",
    ),
    (
        "broadcast-to-neighbours",
        "PSAP-BROADCAST",
        ("Missing Child Calls", "Dispatch"),
        "The dispatcher shall broadcast the child's description to all units and to neighboring "
        "agencies, and update the broadcast as information comes in.",
        "found",
    ),
    (
        "description-parts-across-the-list",
        "PSAP-Q-DESCRIPTION",
        CALL_TAKING,
        [
            "On every missing child call the call-taker shall obtain:",
            "(a) the child's name, age and date of birth;",
            "(b) the child's physical description and clothing;",
            "(c) whether a recent photo of the child is available.",
        ],
        "found",
    ),
    (
        "description-without-the-photo",
        "PSAP-Q-DESCRIPTION",
        CALL_TAKING,
        [
            "On every missing child call the call-taker shall obtain:",
            "(a) the child's name, age and date of birth;",
            "(b) the child's physical description and clothing.",
        ],
        "partial",
    ),
]


@pytest.fixture(scope="module")
def le_checklist():
    return load_checklist("le-model-policy")


@pytest.fixture(scope="module")
def psap_checklist():
    return load_checklist("psap-ansi-standard")


def _finding(checklist, element, trail, text):
    report = review(case_document(text, trail), (checklist,))
    return next(f for f in report.findings if f.element == element)


def _causes(finding) -> set[AdjustmentCause]:
    return {a.cause for e in finding.evidence for a in e.explanation.adjustments}


@pytest.mark.parametrize(
    ("element", "trail", "text", "expected"),
    [case[1:] for case in LE_CASES],
    ids=[case[0] for case in LE_CASES],
)
def test_le_status(le_checklist, element, trail, text, expected) -> None:
    finding = _finding(le_checklist, element, trail, text)
    assert finding.status.value == expected, finding.reason


@pytest.mark.parametrize(
    ("element", "trail", "text", "expected"),
    [case[1:] for case in PSAP_CASES],
    ids=[case[0] for case in PSAP_CASES],
)
def test_psap_status(psap_checklist, element, trail, text, expected) -> None:
    finding = _finding(psap_checklist, element, trail, text)
    assert finding.status.value == expected, finding.reason


def test_hedge_is_explained(le_checklist) -> None:
    """The cap is data on the quote (cause `hedged`, the words in its detail) and in the reason."""
    _, element, trail, text, _ = LE_CASES[0]
    finding = _finding(le_checklist, element, trail, text)
    assert AdjustmentCause.HEDGED in _causes(finding)
    adjustments = finding.evidence[0].explanation.to_dict()["adjustments"]
    hedged = next(a for a in adjustments if a["cause"] == "hedged")
    assert hedged["cap"] == "partial" and "when practical" in hedged["detail"]
    assert "when practical" in finding.reason


def test_inherited_permission_is_no_red_flag(le_checklist) -> None:
    """An item made optional by its lead-in is capped, not flagged: the flag quotes a 'may' that
    governs the duty's own words."""
    case = next(c for c in LE_CASES if c[0] == "permissive-lead-in")
    finding = _finding(le_checklist, *case[1:4])
    assert AdjustmentCause.PERMISSIVE in _causes(finding)
    assert not finding.red_flags


def test_missing_part_is_named(psap_checklist) -> None:
    case = next(c for c in PSAP_CASES if c[0] == "description-without-the-photo")
    finding = _finding(psap_checklist, *case[1:4])
    parts = {p.id: p.present for e in finding.evidence for p in e.explanation.parts}
    assert parts == {"photo": False}
    assert AdjustmentCause.MISSING_PART in _causes(finding)


def _questions(lines: list[str], heading: str = "Questions on Every Call"):
    """Separate paragraphs under one heading: a list of questions, one per line."""
    trail = ("Missing Child Calls", heading)
    blocks = [(h, 1, trail[: i + 1], PassageKind.HEADING) for i, h in enumerate(trail)]
    blocks += [(line, 1, trail, PassageKind.PARAGRAPH) for line in lines]
    return build_document(
        source="case.txt", sha256="0" * 64, format="text", page_count=1, blocks=blocks
    )


QUESTIONS = [
    'Ask: "When did you last see the child? Where? Who was the child with?"',
    'Ask: "What was the child wearing? How tall is the child? Hair colour?"',
    'Ask: "What is the child\'s name? How old is the child?"',
]


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ('Ask: "Which way did the child go - walking, on a bike, in a car?"', "found"),
        ('Ask: "Has the child gone missing before?"', "partial"),
    ],
    ids=["travel-asked-in-its-own-line", "travel-never-asked"],
)
def test_part_reaches_the_section(psap_checklist, extra, expected) -> None:
    """Direction of travel, asked on its own line among the section's questions, completes the
    last-seen question asked on another."""
    report = review(_questions([*QUESTIONS, extra]), (psap_checklist,))
    finding = next(f for f in report.findings if f.element == "PSAP-Q-LAST-SEEN")
    assert finding.status.value == expected, finding.reason


@pytest.mark.parametrize(
    ("case", "modality"),
    [("should-meets-the-duty", "advisory"), ("should-in-a-definition", "none")],
)
def test_should_is_shown_as_advisory(le_checklist, case, modality) -> None:
    """'should' meets the duty, as the labelled real directives read it, but the quote says how
    it is worded (JSON `modality`: `advisory`); a 'should' about a fact is no advice."""
    found = next(c for c in LE_CASES if c[0] == case)
    finding = _finding(le_checklist, *found[1:4])
    report = json.loads(render_json(review(case_document(found[3], found[2]), (le_checklist,))))
    shown = next(f for f in report["findings"] if f["element"] == found[1])
    assert shown["evidence"][0]["explanation"]["modality"] == modality
    assert not _causes(finding) & {AdjustmentCause.PERMISSIVE, AdjustmentCause.HEDGED}


def test_should_lead_in_is_inherited_as_advisory(le_checklist) -> None:
    finding = _finding(
        le_checklist,
        "LE-FR-VERIFY-SEARCH",
        RESPONDING,
        [
            "The responding officer should:",
            "(a) Search the home, yard and vehicles, even if the family has already searched.",
        ],
    )
    assert finding.status.value == "found"
    assert finding.evidence[0].explanation.modality is Modality.ADVISORY


def test_staffing_hedge_is_explained(le_checklist) -> None:
    case = next(c for c in LE_CASES if c[0] == "staffing-qualifier")
    finding = _finding(le_checklist, *case[1:4])
    assert "as staffing allows" in finding.reason
