"""Requirements met in an agency's own plain words ("let the sergeant know", "figure out what
happened", "Day 30", "do not clear the entry when the juvenile turns 18"), and the same words
where the requirement's context or second part is absent. Reviewed through `review()`."""

from __future__ import annotations

import pytest

from policy_review.checklist import load_checklist
from policy_review.model import AdjustmentCause, PassageKind, build_document
from policy_review.review import review
from tests.match.test_le_cues import case_document

PROCEDURES = ("Missing Juveniles", "Procedures")
FACTORS = ("Missing Juveniles", "High-risk missing juveniles")
ENTRIES = ("Missing Juveniles", "Records entries")
RECOVERY = ("Missing Juveniles", "When the juvenile is found")
FACTOR_LEAD = "A missing juvenile is high-risk if any one of these is true:"

CASES = [
    pytest.param(
        "LE-COMM-NOTIFY",
        "Dispatch lets the on-duty sergeant know right away about every missing juvenile report.",
        PROCEDURES,
        "found",
        id="lets-the-sergeant-know",
    ),
    pytest.param(
        "LE-FR-CIRCUMSTANCES",
        "The responding officer will figure out what happened and whether anything on the "
        "high-risk list applies to the missing juvenile.",
        PROCEDURES,
        "found",
        id="figure-out-what-happened",
    ),
    pytest.param(
        "LE-FR-RELAY",
        "Officers call the description of the missing juvenile in to dispatch for the "
        "broadcast and the NCIC entry; do not wait until the report is written.",
        PROCEDURES,
        "found",
        id="called-in-to-dispatch",
    ),
    pytest.param(
        "LE-NCIC-30DAY",
        [
            "Missing juvenile entries:",
            "Day 30: the detective updates the NCIC entry with "
            "dental and medical records and a new photo.",
        ],
        ENTRIES,
        "found",
        id="day-thirty",
    ),
    pytest.param(
        "LE-NCIC-NO-AGE-PURGE",
        "Do not clear the NCIC entry of a missing juvenile when the juvenile turns 18.",
        ENTRIES,
        "found",
        id="do-not-clear-at-18",
    ),
    pytest.param(
        "LE-DEF-U-PATTERN",
        [
            FACTOR_LEAD,
            "the juvenile is 13 or younger;",
            "this is not like the child at all and nobody can explain it.",
        ],
        FACTORS,
        "found",
        id="not-like-the-child",
    ),
    pytest.param(
        "LE-DEF-U-COMPANY",
        [
            FACTOR_LEAD,
            "the juvenile is 13 or younger;",
            "the juvenile is with people who could hurt them.",
        ],
        FACTORS,
        "found",
        id="people-who-could-hurt-them",
    ),
    pytest.param(
        "LE-DEF-U-CATCHALL",
        [
            FACTOR_LEAD,
            "the juvenile is 13 or younger;",
            "or anything else that would make a "
            "reasonable officer believe the juvenile is in danger.",
        ],
        FACTORS,
        "found",
        id="reasonable-officer",
    ),
    pytest.param(
        "LE-REC-INTERVIEW",
        "When the juvenile is found, the officer will ask where they were, why they left and "
        "whether anyone harmed them.",
        RECOVERY,
        "found",
        id="whether-anyone-harmed-them",
    ),
    pytest.param(
        "LE-DEF-U-ZONE",
        [
            FACTOR_LEAD,
            "the juvenile is 13 or younger;",
            "the juvenile is out of the area in which a child of that age could be expected to "
            "be safe.",
        ],
        FACTORS,
        "found",
        id="zone-described",
    ),
    pytest.param(
        "LE-TRAINING",
        "All deputies and telecommunicators receive training on this chapter.",
        ("Missing Juveniles", "Training"),
        "partial",
        id="deputies-and-telecommunicators",
    ),
    pytest.param(
        "LE-FR-RELAY",
        "Radio the description of the missing juvenile to dispatch; don't wait for your report.",
        PROCEDURES,
        "found",
        id="radio-to-dispatch-report-not-awaited",
    ),
    pytest.param(
        "LE-FR-RELAY",
        "Radio the description of the missing juvenile to dispatch at once.",
        PROCEDURES,
        "partial",
        id="radio-to-dispatch-at-once",
    ),
    pytest.param(
        "LE-POL-JURISDICTION",
        "The missing juvenile lives in another town? Take the report anyway.",
        PROCEDURES,
        "partial",
        id="lives-in-another-town",
    ),
    pytest.param(
        "LE-POL-INVESTIGATE-ALL",
        "Every report of a missing juvenile gets worked right away and all the way to the end.",
        ("Missing Juveniles", "Policy"),
        "found",
        id="gets-worked-right-away",
    ),
    pytest.param(
        "LE-POL-NO-WAIT",
        'A parent reports a missing juvenile. There is no such thing as "wait a day" here.',
        ("Missing Juveniles", "Policy"),
        "found",
        id="no-such-thing-as-wait",
    ),
    pytest.param(
        "LE-POL-JURISDICTION",
        "It does not matter if the missing juvenile lives in another county: we take the report, "
        "and the watch commander works out with the other agency who keeps the case.",
        ("Missing Juveniles", "Policy"),
        "found",
        id="who-keeps-the-case",
    ),
    pytest.param(
        "LE-DEF-MISSING-CHILD",
        "By a missing juvenile we mean anyone under 18 whose parent or guardian does not know "
        "where they are.",
        ("Missing Juveniles", "Definitions"),
        "found",
        id="parent-does-not-know-where-they-are",
    ),
    # the same plain words without the requirement's topic or its second part
    pytest.param(
        "LE-FR-RELAY",
        "Dispatch additional units to search for the missing juvenile; don't wait for the "
        "description.",
        PROCEDURES,
        "missing",
        id="dispatch-as-a-verb",
    ),
    pytest.param(
        "LE-REC-INTERVIEW",
        "When the juvenile is found, the officer will ask where they were.",
        RECOVERY,
        "partial",
        id="return-interview-without-harm",
    ),
    pytest.param(
        "LE-NCIC-NO-AGE-PURGE",
        "Do not clear the NCIC entry until the report is approved.",
        ENTRIES,
        "missing",
        id="clear-without-age",
    ),
]


def assert_status(checklist: str, element: str, text: str, trail, expect: str) -> None:
    report = review(case_document(text, trail), (load_checklist(checklist),))
    finding = next(f for f in report.findings if f.element == element)
    assert finding.status.value == expect, finding.reason


@pytest.mark.parametrize(("element", "text", "trail", "expect"), CASES)
def test_own_wording_recall(element, text, trail, expect) -> None:
    assert_status("le-model-policy", element, text, trail, expect)


SEARCH = "search the home, the yard, outbuildings and vehicles even if the family has searched them"
ROLE_CASES = [
    pytest.param(
        f"When the dispatcher calls back, you must {SEARCH}.",
        ("Missing Children", "Patrol Officer Responsibilities"),
        "found",
        id="you-after-an-earlier-actor",
    ),
    pytest.param(
        f"If the dispatcher cannot reach the family, {SEARCH}.",
        ("Missing Children", "Patrol Officer Responsibilities"),
        "found",
        id="modal-inside-a-condition",
    ),
    pytest.param(
        "When the call is dispatched, the responding officer searches the home, the yard, "
        "outbuildings and vehicles even if the family has searched them.",
        ("Missing Children", "Call-taker duties"),
        "found",
        id="subject-after-a-leading-condition",
    ),
    pytest.param(
        f"When the officer arrives, the call-taker shall {SEARCH}.",
        ("Missing Children", "Patrol Officer Responsibilities"),
        "partial",
        id="the-named-subject-still-wins",
    ),
]


@pytest.mark.parametrize(("text", "trail", "expect"), ROLE_CASES)
def test_who_is_told_to_search(text, trail, expect) -> None:
    """The search is the officer's duty: a condition's subject or an actor before "you" is not
    the one told; the subject after a leading condition is."""
    assert_status("le-model-policy", "LE-FR-VERIFY-SEARCH", text, trail, expect)


PSAP_CALLS = ("Missing Child Calls", "Call handling")
OFFICER_DUTIES = ("Missing Child Calls", "Officer duties")
CUSTODY = "ask the caller whether there is a custody order or dispute and where the other parent is"
PSAP_CASES = [
    pytest.param(
        "PSAP-NCIC",
        "The call-taker shall enter the missing child into the national computer within two "
        "hours of the report.",
        PSAP_CALLS,
        "found",
        id="national-computer",
    ),
    pytest.param(
        "PSAP-Q-CUSTODY",
        "If a parent or relative took the child, you also ask who has custody and whether there "
        "is a court order.",
        PSAP_CALLS,
        "found",
        id="the-parent-who-took-the-child",
    ),
    pytest.param(
        "PSAP-TYPE-ABDUCTION",
        "Someone took the child: you get the description of the person and any vehicle first "
        "and keep the caller on the line. If a parent or relative took the child, you also ask "
        "about custody.",
        ("Missing Child Calls", "What kind of call"),
        "found",
        id="someone-took-the-child",
    ),
    pytest.param(
        "PSAP-Q-CUSTODY",
        f"The CT shall {CUSTODY}.",
        OFFICER_DUTIES,
        "found",
        id="ct-as-subject",
    ),
    pytest.param(
        "PSAP-Q-CUSTODY",
        f"Units {CUSTODY}; the CT log is kept.",
        OFFICER_DUTIES,
        "partial",
        id="ct-not-a-subject",
    ),
]


@pytest.mark.parametrize(("element", "text", "trail", "expect"), PSAP_CASES)
def test_psap_own_wording(element, text, trail, expect) -> None:
    assert_status("psap-ansi-standard", element, text, trail, expect)


@pytest.mark.parametrize(
    "text",
    [
        "When the juvenile is found, the detective will re-interview the parents about why the "
        "child left and whether the child was abused.",
        "After the child returns, the detective talks to the family about where the child was "
        "and whether anyone harmed the child.",
    ],
    ids=["re-interview-the-parents", "talk-to-the-family"],
)
def test_interviewing_others_is_not_the_return_interview(text) -> None:
    """The return interview is the recovered child's: the family's account is partial at most."""
    report = review(case_document(text, RECOVERY), (load_checklist("le-model-policy"),))
    finding = next(f for f in report.findings if f.element == "LE-REC-INTERVIEW")
    assert finding.status.value == "partial", finding.reason


FOLLOW_UP = (
    "Detectives: the detective assigned goes back over everything patrol got, checks it, and "
    "does the follow-up, including a canvass of the neighborhood."
)
FILLER = (
    "Print this and keep it. Read it twice. Ask your sergeant if something is unclear. "
    "This replaces the old procedure. It is effective today."
)


def _email(subject: str):
    """An e-mail directive: a subject line, no headings, the duty far below the subject."""
    blocks = [(text, 1, (), PassageKind.PARAGRAPH) for text in (subject, "All,", FILLER, FOLLOW_UP)]
    return build_document(
        source="email.txt", sha256="0" * 64, format="text", page_count=1, blocks=blocks
    )


@pytest.mark.parametrize(
    ("subject", "expect"),
    [
        ("Subject: how we handle missing kids", "found"),
        ("Subject: abduction cases", "missing"),
        ("Subject: shift schedule", "missing"),
    ],
    ids=["title-names-the-missing-child", "title-without-a-child", "title-off-topic"],
)
def test_a_subject_line_alone_gives_context(subject, expect) -> None:
    """Only the title names the missing child: the duty counts, and its explanation says where
    the context came from."""
    report = review(_email(subject), (load_checklist("le-model-policy"),))
    finding = next(f for f in report.findings if f.element == "LE-INV-FOLLOWUP")
    assert finding.status.value == expect, finding.reason
    if expect == "found":
        causes = {a.cause for e in finding.evidence for a in e.explanation.adjustments}
        assert AdjustmentCause.TOPIC_ONLY in causes


def _bulletin(lead: str):
    """A roll-call bulletin: a title heading, its lead paragraph, then terse slides."""
    title, slide = ("Roll Call Bulletin 24-07",), ("Roll Call Bulletin 24-07", "Slide 7 - Dispatch")
    blocks = [
        ("Roll Call Bulletin 24-07", 1, title, PassageKind.HEADING),
        (lead, 1, title, PassageKind.PARAGRAPH),
        ("Slide 7 - Dispatch", 1, slide, PassageKind.HEADING),
        ("Dispatch does:", 1, slide, PassageKind.PARAGRAPH),
        ("Gets the name, age and description", 1, slide, PassageKind.LIST_ITEM),
        ("Notifies the shift supervisor", 1, slide, PassageKind.LIST_ITEM),
    ]
    return build_document(
        source="bulletin.txt", sha256="0" * 64, format="text", page_count=1, blocks=blocks
    )


@pytest.mark.parametrize(
    ("lead", "expect"),
    [
        (
            "Missing juveniles: until the order is reissued, this bulletin is the procedure for "
            "missing juvenile reports.",
            "partial",
        ),
        (
            "Vehicle pursuits: until the order is reissued, this bulletin is the procedure.",
            "missing",
        ),
    ],
    ids=["lead-names-missing-juveniles", "lead-off-topic"],
)
def test_a_bulletins_lead_paragraph_gives_context_partial_at_most(lead, expect) -> None:
    report = review(_bulletin(lead), (load_checklist("le-model-policy"),))
    finding = next(f for f in report.findings if f.element == "LE-COMM-NOTIFY")
    assert finding.status.value == expect, finding.reason


def _step_table(who: str):
    """A step table under a communications heading: `# | Who | Action` rows."""
    trail = ("Missing Children", "Communications Center Checklist")
    cells = ["#", "Who", "Action", "1", "Call-taker", "Get the child's name and description.", "2"]
    cells += [who, f"{SEARCH[0].upper()}{SEARCH[1:]}."]
    blocks = [(heading, 1, trail[: i + 1], PassageKind.HEADING) for i, heading in enumerate(trail)]
    blocks += [(cell, 1, trail, PassageKind.TABLE_CELL) for cell in cells]
    return build_document(
        source="table.docx", sha256="0" * 64, format="docx", page_count=1, blocks=blocks
    )


@pytest.mark.parametrize(
    ("who", "expect"),
    [("Patrol officer", "found"), ("Patrol officer notes", "partial")],
    ids=["who-cell-names-the-officer", "not-a-who-cell"],
)
def test_a_step_tables_who_cell_gives_the_actor(who, expect) -> None:
    """The row's Who cell, not the communications heading, says whose the search is."""
    report = review(_step_table(who), (load_checklist("le-model-policy"),))
    finding = next(f for f in report.findings if f.element == "LE-FR-VERIFY-SEARCH")
    assert finding.status.value == expect, finding.reason
