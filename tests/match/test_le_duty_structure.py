"""Law-enforcement duties read from the requirement's structure, through `review`: course-topic
lists, who the step belongs to (lead-in, heading), narrower case sets, and the core part of a
two-part requirement. Our own phrasings, each with its counterpart that must read differently."""

from __future__ import annotations

import pytest

from policy_review.checklist import load_checklist
from policy_review.model import AdjustmentCause
from policy_review.review import review
from tests.match.test_le_cues import case_document

MISSING = ("Missing Children",)

CASES = [
    # -------------------------------------------------------------- course topics are not duties
    (
        "training-list-caps-the-scene",
        "LE-FR-SCENE-EVIDENCE",
        (*MISSING, "Training"),
        [
            "Every member who handles missing child reports will receive training that includes:",
            "(a) Treating the child's home as a potential crime scene.",
            "(b) Securing the child's bedroom, computer and phone.",
        ],
        "partial",
    ),
    (
        "training-heading-caps-items-whose-lead-in-is-hidden",
        "LE-FR-SCENE-EVIDENCE",
        (*MISSING, "Training"),
        [
            "Course content is reviewed each year.",
            "(a) Treating the child's home as a potential crime scene.",
            "(b) Securing the child's bedroom, computer and phone.",
        ],
        "partial",
    ),
    (
        "duty-list-keeps-the-scene",
        "LE-FR-SCENE-EVIDENCE",
        (*MISSING, "Responding Officer"),
        [
            "On every missing child report the responding officer shall:",
            "(a) Treat the child's home as a potential crime scene.",
            "(b) Secure the child's bedroom, computer and phone.",
        ],
        "found",
    ),
    # -------------------------------------------------------------- the supervisor's role
    (
        "supervisor-duties-listed",
        "LE-SUP-RESPOND",
        (*MISSING, "Supervision"),
        [
            "The duties of the shift sergeant in a missing child case include:",
            "(a) Deploying additional officers and a K-9 team as appropriate.",
            "(b) Setting up a command post near the last known location.",
        ],
        "found",
    ),
    (
        "supervisor-only-notified",
        "LE-SUP-RESPOND",
        (*MISSING, "Supervision"),
        "Officers shall notify a supervisor of every missing child report.",
        "partial",
    ),
    (
        "heading-names-the-sergeant-who-responds-and-is-briefed",
        "LE-SUP-RESPOND",
        (*MISSING, "Checklist 3 - Shift Sergeant"),
        "Respond to endangered cases and take a briefing from the first officer.",
        "found",
    ),
    (
        "supervisor-duties-deploy-resources",
        "LE-SUP-RESOURCES",
        (*MISSING, "Supervision"),
        [
            "The responsibilities of the shift supervisor in a missing child case include:",
            "(a) Making sure resources are deployed as the case requires.",
            "(b) Approving the report.",
        ],
        "found",
    ),
    (
        "resources-only-if-required",
        "LE-SUP-RESOURCES",
        (*MISSING, "Supervision"),
        "The supervisor will request a K-9 unit for a missing child if required.",
        "partial",
    ),
    (
        "heading-names-the-sergeant-who-decides-resources",
        "LE-SUP-RESOURCES",
        (*MISSING, "Checklist 3 - Shift Sergeant"),
        "Decide whether more units, a drone, a K-9 team or the FBI are needed.",
        "found",
    ),
    # -------------------------------------------------------------- narrower case sets
    (
        "ncmec-notice-for-children-in-care-only",
        "LE-NCMEC",
        (*MISSING, "Investigations"),
        "The detective shall notify NCMEC when the child is missing from a foster home or a group "
        "home.",
        "partial",
    ),
    (
        "ncmec-notice-for-every-child",
        "LE-NCMEC",
        (*MISSING, "Investigations"),
        "The detective shall notify NCMEC of every missing child, including children missing from "
        "foster care.",
        "found",
    ),
    (
        "home-search-for-young-children-only",
        "LE-FR-VERIFY-SEARCH",
        (*MISSING, "Responding Officer"),
        "If the missing child is under 10 years of age, officers shall search the house, the yard "
        "and any vehicles.",
        "partial",
    ),
    (
        "home-search-for-every-child",
        "LE-FR-VERIFY-SEARCH",
        (*MISSING, "Responding Officer"),
        "Officers shall search the house, the yard and any vehicles even if the family has "
        "already searched them.",
        "found",
    ),
    (
        "missing-status-verified-without-search",
        "LE-FR-VERIFY-SEARCH",
        (*MISSING, "Responding Officer"),
        "Officers shall question the caller to establish whether the child is actually missing.",
        "partial",
    ),
    # -------------------------------------------------------------- meaning, not fixed phrases
    (
        "circumstances-and-risk-in-other-words",
        "LE-FR-CIRCUMSTANCES",
        (*MISSING, "Responding Officer"),
        "The officer shall determine the circumstances and whether the child is endangered.",
        "found",
    ),
    (
        "public-alert-named-for-a-missing-child",
        "LE-AMBER",
        (*MISSING, "Initial Investigation"),
        "Officers shall tell a supervisor at once when a missing child case may qualify for a "
        "public alert.",
        "partial",
    ),
    (
        "contact-is-not-a-request",
        "LE-AMBER",
        (*MISSING, "Supervision"),
        "If the state AMBER Alert plan criteria appear to be met, the supervisor shall contact "
        "the state police.",
        "partial",
    ),
    (
        "liaison-near-family-is-not-the-family-liaison",
        "LE-SUP-MEDIA-FAMILY",
        (*MISSING, "Investigations"),
        "The detective shall keep a close liaison with child welfare when the missing child lives "
        "in a foster family home.",
        "partial",
    ),
    (
        "liaison-to-the-childs-family",
        "LE-SUP-MEDIA-FAMILY",
        (*MISSING, "Investigations"),
        "A member will be assigned as liaison to the missing child's family, and the public "
        "information officer will handle media releases.",
        "found",
    ),
    (
        "recovery-step-under-located-heading",
        "LE-REC-VERIFY",
        (*MISSING, "When the Child Is Located"),
        "An officer shall see the child in person and confirm the child's identity and welfare.",
        "found",
    ),
]


@pytest.fixture(scope="module")
def checklist():
    return load_checklist("le-model-policy")


def _finding(checklist, element, trail, text):
    report = review(case_document(text, trail), (checklist,))
    return next(f for f in report.findings if f.element == element)


@pytest.mark.parametrize(
    ("element", "trail", "text", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_status(checklist, element, trail, text, expected) -> None:
    finding = _finding(checklist, element, trail, text)
    assert finding.status.value == expected, finding.reason


def test_training_topic_cap_is_explained(checklist) -> None:
    """The cap is data on the quote's explanation, and the reason says why."""
    _, element, trail, text, _ = CASES[0]
    finding = _finding(checklist, element, trail, text)
    causes = {a.cause for e in finding.evidence for a in e.explanation.adjustments}
    assert AdjustmentCause.CURRICULUM in causes
    assert "topic of a training list" in finding.reason


@pytest.mark.parametrize(
    ("element", "text", "status", "absent"),
    [
        (
            "LE-INV-SEX-OFFENDERS",
            "Dispatch shall check the state sex offender registry for the area around the child's "
            "home.",
            "partial",
            ["checked"],
        ),
        (
            "LE-INV-SEX-OFFENDERS",
            "The detective shall identify registered sex offenders living near the place the "
            "child was last seen and ensure each one is contacted.",
            "found",
            [],
        ),
        (
            "LE-FOSTER-CARE",
            "When a child is missing from a group home, the detective shall notify the child's "
            "caseworker.",
            "partial",
            ["ncmec"],
        ),
        (
            "LE-REC-CANCEL",
            "When the missing child is located, communications shall cancel the NCIC entry and "
            "all broadcasts.",
            "partial",
            ["notice"],
        ),
        (
            "LE-INV-LONG-TERM",
            "The detective shall re-contact the family of a missing child every 30 days while the "
            "child remains missing.",
            "partial",
            ["review"],
        ),
        (
            "LE-INV-LONG-TERM",
            "Unresolved missing child cases shall be reviewed every 60 days; each review includes "
            "re-interviews of witnesses, DNA and dental records and age-progressed photographs.",
            "found",
            [],
        ),
    ],
)
def test_core_part(checklist, element, text, status, absent) -> None:
    """A two-part requirement is found only with its core part, and the part missing is named."""
    finding = _finding(checklist, element, (*MISSING, "Procedures"), text)
    assert finding.status.value == status, finding.reason
    parts = finding.evidence[0].explanation.parts
    assert [p.id for p in parts if not p.present] == absent


@pytest.mark.parametrize(
    ("text", "status"),
    [
        (
            "Officers shall keep the missing minor's room closed off until detectives arrive.",
            "partial",
        ),
        (
            "Officers shall treat the home as a possible crime scene and secure the missing "
            "child's bedroom, computer and phone.",
            "found",
        ),
    ],
)
def test_scene_needs_the_crime_scene_part(checklist, text, status) -> None:
    """Securing the child's room is half of the scene element; the crime scene is its core."""
    finding = _finding(checklist, "LE-FR-SCENE-EVIDENCE", (*MISSING, "Responding Officer"), text)
    assert finding.status.value == status, finding.reason
