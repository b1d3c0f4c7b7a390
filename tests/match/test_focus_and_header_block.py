"""Which sentence of a unit a sub-check reads (body over heading on ties), and the header block
(a Subject table before the first numbered section) as title context for PSAP cues."""

from __future__ import annotations

import pytest

from policy_review.checklist import parse_checklist
from policy_review.model import PassageKind, build_document
from policy_review.review import review

H, P, C = PassageKind.HEADING, PassageKind.PARAGRAPH, PassageKind.TABLE_CELL


def _checklist(concepts: dict, cue: dict, **top) -> object:
    data = {
        "id": "focus-mini",
        "version": "0.0.1",
        "title": "Focus exercise",
        "applies_to": "tests",
        "audience": "psap",
        "detect": {"concepts": [cue["all"][0]], "min_sentences": 1},
        **top,
        "concepts": concepts,
        "elements": [
            {
                "id": "STEP",
                "title": "Step",
                "severity": "critical",
                "group": "calls",
                "requirement": "The step is taken in time.",
                "rationale": "r",
                "guidance": "g",
                "cues": [{"id": "step", **cue}],
            }
        ],
    }
    return parse_checklist(data, "t.yaml")


def _document(blocks) -> object:
    return build_document(
        source="t.txt", sha256="0" * 64, format="text", page_count=2, blocks=blocks
    )


REGISTRY_CHECKLIST = {
    "concepts": {
        "registry": ["state registry", "registry entry"],
        "deferral": ["once the lieutenant approves", "after supervisory approval"],
    },
    "cue": {
        "all": ["registry"],
        "scope": "window",
        "subcheck": {"time_limit": {"max_hours": 2, "conditional": "deferral"}},
    },
}


@pytest.mark.parametrize(
    ("body", "status", "flagged"),
    [
        (
            "Put the youth into the state registry within 2 hours once the lieutenant approves.",
            "partial",
            True,
        ),
        ("Put the youth into the state registry within 2 hours of the first call.", "found", False),
        (
            "Put the youth into the state registry within 90 minutes after supervisory approval.",
            "partial",
            True,
        ),
    ],
)
def test_body_sentence_wins_a_tie_with_its_heading(body, status, flagged) -> None:
    checklist = _checklist(REGISTRY_CHECKLIST["concepts"], REGISTRY_CHECKLIST["cue"])
    document = _document(
        [
            ("C. State Registry Entry", 1, ("C. State Registry Entry",), H),
            (body, 1, ("C. State Registry Entry",), P),
        ]
    )
    finding = review(document, (checklist,)).findings[0]
    assert finding.status.value == status
    assert bool(finding.red_flags) is flagged


DISPATCH_CONCEPTS = {
    "dispatch": ["dispatch"],
    "child": ["missing child", "missing children"],
}
DISPATCH_CUE = {"all": ["dispatch"], "context": ["child"], "level": "partial"}
FILLER = "Staff read this. Staff sign this. Staff file this. Staff keep this. Staff date this."


def _header_table_doc(section_heading: str, subject: str, page: int = 1, extra=()):
    return _document(
        [
            ("LAKE DISTRICT 9-1-1 CENTER", 1, (), H),
            ("SUBJECT", page, (), C),
            (subject, page, (), C),
            *extra,
            (section_heading, page, (section_heading,), H),
            (FILLER, page, (section_heading,), P),
            ("Dispatch a patrol unit at once.", page, (section_heading,), P),
        ]
    )


@pytest.mark.parametrize(
    ("document", "status"),
    [
        (_header_table_doc("I. Field Units", "Missing Children Calls"), "partial"),
        (_header_table_doc("3.1 Field Units", "Missing Children Calls"), "partial"),
        (_header_table_doc("Section 4 Field Units", "Missing Children Calls"), "partial"),
        # the same table without a missing-child subject gives no context
        (_header_table_doc("I. Field Units", "Structure Fires"), "missing"),
        # no numbered section closes the block: it may be body text, so it is not title
        (_header_table_doc("Field Units", "Missing Children Calls"), "missing"),
        # a header block is on the first page
        (_header_table_doc("I. Field Units", "Missing Children Calls", page=2), "missing"),
        # a long paragraph before the first section is body text, and ends the block
        (
            _header_table_doc(
                "I. Field Units",
                "Missing Children Calls",
                extra=(
                    (
                        "Callers often report lost pets and stray animals, and this long note "
                        "explains how such calls are logged and closed by staff.",
                        1,
                        (),
                        P,
                    ),
                ),
            ),
            "missing",
        ),
    ],
)
def test_header_table_before_first_numbered_section_is_title(document, status) -> None:
    checklist = _checklist(DISPATCH_CONCEPTS, DISPATCH_CUE, title_context=True)
    assert review(document, (checklist,)).findings[0].status.value == status


def test_header_table_gives_no_context_without_title_context() -> None:
    checklist = _checklist(DISPATCH_CONCEPTS, DISPATCH_CUE)
    document = _header_table_doc("I. Field Units", "Missing Children Calls")
    assert review(document, (checklist,)).findings[0].status.value == "missing"
