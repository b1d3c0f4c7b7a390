"""Structured sub-checks: durations, ages, actors and list coverage, through a tiny checklist."""

from __future__ import annotations

import pytest

from policy_review.checklist import parse_checklist
from policy_review.model import PassageKind, build_document
from policy_review.review import review

MINI = {
    "id": "subcheck-mini",
    "version": "0.0.1",
    "title": "Sub-check exercise",
    "applies_to": "tests",
    "audience": "psap",
    "detect": {"concepts": ["review"], "min_sentences": 1},
    "concepts": {
        "review": ["review", "audit", "evaluate"],
        "qa_role": [
            "quality assurance coordinator",
            "communications supervisor",
            "training officer",
        ],
        "staff": ["staff", "management", "personnel"],
        "promptly": ["promptly", "as soon as possible"],
        "periodic": ["periodically", "regularly", "monthly"],
        "shift_end": ["end of shift", "end of the shift"],
        "abduction": ["abduct*", "kidnap*"],
        "lost": ["lost child", "lost children", "wander*"],
        "icac": ["internet crimes against children", "online enticement"],
        "elevated": ["elevated response", "atypical response"],
        "child": ["child", "juvenile", "minor"],
        "every_minor": ["every missing child", "all missing juveniles"],
    },
    "elements": [
        {
            "id": "TIME",
            "title": "Review time limit",
            "severity": "critical",
            "group": "QA",
            "requirement": "Reviewed within 5 days.",
            "rationale": "r",
            "guidance": "g",
            "cues": [
                {
                    "id": "timed",
                    "all": ["review"],
                    "subcheck": {
                        "time_limit": {
                            "max_hours": 720,
                            "vague": "periodic",
                            "also_found": "shift_end",
                            "over_limit": "partial",
                        }
                    },
                }
            ],
        },
        {
            "id": "ACTOR",
            "title": "Who reviews",
            "severity": "critical",
            "group": "QA",
            "requirement": "A named role reviews.",
            "rationale": "r",
            "guidance": "g",
            "cues": [
                {
                    "id": "who",
                    "all": ["review"],
                    "subcheck": {
                        "actor": {"roles": "qa_role", "action": "review", "generic": "staff"}
                    },
                }
            ],
        },
        {
            "id": "TYPES",
            "title": "Call types",
            "severity": "critical",
            "group": "QA",
            "requirement": "All four types.",
            "rationale": "r",
            "guidance": "g",
            "cues": [
                {
                    "id": "types",
                    "all": ["review"],
                    "scope": "passage",
                    "subcheck": {
                        "coverage": {
                            "items": {
                                "abduction": "abduction",
                                "lost": "lost",
                                "icac": "icac",
                                "elevated": "elevated",
                            }
                        }
                    },
                }
            ],
        },
        {
            "id": "AGE",
            "title": "Age",
            "severity": "critical",
            "group": "definitions",
            "requirement": "13 or younger.",
            "rationale": "r",
            "guidance": "g",
            "cues": [
                {
                    "id": "age",
                    "any": ["child", "every_minor"],
                    "subcheck": {"age_limit": {"at_least": 13, "broader": "every_minor"}},
                }
            ],
        },
    ],
}


@pytest.fixture(scope="module")
def checklist():
    return parse_checklist(MINI, "mini.yaml")


def _status(checklist, element: str, text: str) -> str:
    blocks = [(text, 1, ("QA",), PassageKind.PARAGRAPH)]
    document = build_document(
        source="t.txt", sha256="0" * 64, format="text", page_count=1, blocks=blocks
    )
    return next(
        f for f in review(document, (checklist,)).findings if f.element == element
    ).status.value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Calls are reviewed within 72 hours.", "found"),
        (
            "Each call will be audited no later than five (5) business days after it is received.",
            "found",
        ),
        ("The supervisor reviews the call by the end of the shift.", "found"),
        ("Calls are reviewed periodically.", "partial"),
        ("Calls are reviewed within 90 days.", "partial"),
        ("Calls are reviewed.", "missing"),
        ("The child was missing for 72 hours before calls were reviewed.", "missing"),
    ],
)
def test_time_limit(checklist, text: str, expected: str) -> None:
    assert _status(checklist, "TIME", text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The Quality Assurance Coordinator shall review every missing child call.", "found"),
        ("Missing child calls are evaluated by the communications supervisor.", "found"),
        ("Missing child calls will be reviewed.", "partial"),
        ("Management will review missing child calls.", "partial"),
    ],
)
def test_actor(checklist, text: str, expected: str) -> None:
    assert _status(checklist, "ACTOR", text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "We review all abduction, lost child and internet crimes against children calls and "
            "any call with an elevated response.",
            "found",
        ),
        ("We review kidnapping calls and calls about children who wandered off.", "partial"),
        ("We review ten percent of calls at random.", "missing"),
    ],
)
def test_coverage(checklist, text: str, expected: str) -> None:
    assert _status(checklist, "TYPES", text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The child is thirteen years of age or younger.", "found"),
        ("The child is under the age of 14.", "found"),
        ("A juvenile aged 12 and under.", "partial"),
        ("The child is younger than ten.", "partial"),
        ("Every missing child is treated as at risk.", "found"),
        ("The child is in danger.", "missing"),
    ],
)
def test_age_limit(checklist, text: str, expected: str) -> None:
    assert _status(checklist, "AGE", text) == expected


def _dispatch_checklist(**top) -> dict:
    return {
        **{k: v for k, v in MINI.items() if k not in ("elements", "concepts")},
        **top,
        "detect": {"concepts": ["dispatch"], "min_sentences": 1},
        "concepts": {
            "dispatch": ["dispatch"],
            "child": ["missing child", "missing children"],
            "soon": ["/within \\d+ minutes/"],
        },
        "elements": [
            {
                "id": "DISPATCH",
                "title": "Dispatch",
                "severity": "critical",
                "group": "calls",
                "requirement": "A unit is dispatched for a missing child.",
                "rationale": "r",
                "guidance": "g",
                "cues": [
                    {
                        "id": "weak-but-timed",
                        "level": "partial",
                        "all": ["dispatch"],
                        "context": ["child"],
                        "subcheck": {"time_limit": {"max_hours": 1}},
                    }
                ],
            }
        ],
    }


def _title_doc():
    blocks = [
        ("Missing Children Procedures", 1, (), PassageKind.PARAGRAPH),
        ("V. Units", 1, ("V. Units",), PassageKind.HEADING),
        (
            "Filler sentence one. Filler two. Filler three. Filler four. Filler five.",
            1,
            ("V. Units",),
            PassageKind.PARAGRAPH,
        ),
        ("A patrol unit is dispatched within 5 minutes.", 1, ("V. Units",), PassageKind.PARAGRAPH),
    ]
    return build_document(
        source="t.txt", sha256="0" * 64, format="text", page_count=1, blocks=blocks
    )


@pytest.mark.parametrize(("title_context", "expected"), [(True, "partial"), (False, "missing")])
def test_title_context_is_opt_in_and_partial_caps_the_subcheck(title_context, expected) -> None:
    checklist = parse_checklist(_dispatch_checklist(title_context=title_context), "t.yaml")
    assert review(_title_doc(), (checklist,)).findings[0].status.value == expected


def test_list_labels_do_not_use_up_the_look_back(checklist) -> None:
    blocks = [
        ("Review of missing child calls:", 1, ("QA",), PassageKind.PARAGRAPH),
        ("1.", 1, ("QA",), PassageKind.LIST_ITEM),
        ("2.", 1, ("QA",), PassageKind.LIST_ITEM),
        ("3.", 1, ("QA",), PassageKind.LIST_ITEM),
        ("4. The child is thirteen years of age or younger.", 1, ("QA",), PassageKind.LIST_ITEM),
    ]
    document = build_document(
        source="t.txt", sha256="0" * 64, format="text", page_count=1, blocks=blocks
    )
    finding = next(f for f in review(document, (checklist,)).findings if f.element == "AGE")
    assert finding.status.value == "found"
    assert finding.evidence[0].quote.startswith("4. The child")
