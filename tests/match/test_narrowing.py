"""Duties stated for some children only, and training curricula read as duties: a condition
("if the child is under 10", "when foul play is suspected", a list's lead-in, a heading) confines
a duty meant for every missing child, and a topic under "Training shall include:" is not a duty
to act. Checked through `review`, on the structured Explanation of each quote."""

from __future__ import annotations

import pytest

from policy_review.checklist import load_checklist, parse_checklist
from policy_review.cli import main
from policy_review.errors import ChecklistError
from policy_review.match.engine import FOUND_BASE_SCORE
from policy_review.model import (
    AdjustmentCause,
    ConditionSource,
    PassageKind,
    Status,
    build_document,
)
from policy_review.review import review
from tests.match.test_checklist_schema import _worked_example

PROCEDURES = ("Missing Children", "IV. Procedures")


def _finding(element: str, texts: str | list[str], trail=PROCEDURES):
    """Headings for the trail, then a paragraph, or a lead-in and its list items."""
    texts = [texts] if isinstance(texts, str) else texts
    blocks = [(heading, 1, trail[: i + 1], PassageKind.HEADING) for i, heading in enumerate(trail)]
    blocks.append((texts[0], 1, trail, PassageKind.PARAGRAPH))
    blocks += [(text, 1, trail, PassageKind.LIST_ITEM) for text in texts[1:]]
    document = build_document(
        source="case.txt", sha256="0" * 64, format="text", page_count=1, blocks=blocks
    )
    report = review(document, (load_checklist("le-model-policy"),))
    return next(f for f in report.findings if f.element == element)


def _causes(finding) -> set[AdjustmentCause]:
    return {a.cause for e in finding.evidence for a in e.explanation.adjustments}


LIMITED = [
    pytest.param(
        "LE-FR-VERIFY-SEARCH",
        "If the missing child is under 10, officers shall search the home, yard and vehicles, "
        "even if the family already searched.",
        PROCEDURES,
        ConditionSource.SENTENCE,
        "under 10",
        id="age-below-every-child-in-the-sentence",
    ),
    pytest.param(
        "LE-NCMEC",
        "When foul play is suspected, the investigator shall notify NCMEC (1-800-THE-LOST) of "
        "the missing child and request its assistance.",
        PROCEDURES,
        ConditionSource.SENTENCE,
        "When foul play is suspected",
        id="case-condition-in-the-sentence",
    ),
    pytest.param(
        "LE-NCMEC",
        "In critical cases the investigator shall notify NCMEC (1-800-THE-LOST) of the missing "
        "child and request its assistance.",
        PROCEDURES,
        ConditionSource.SENTENCE,
        "In critical cases",
        id="some-cases-named-by-their-noun",
    ),
    pytest.param(
        "LE-FR-VERIFY-SEARCH",
        [
            "For children twelve and under, the responding officer shall:",
            "a. search the child's home, yard and vehicles even if the family already searched;",
        ],
        PROCEDURES,
        ConditionSource.LEAD_IN,
        "twelve and under",
        id="age-in-the-lead-in",
    ),
    pytest.param(
        "LE-NCMEC",
        "The investigator shall notify NCMEC (1-800-THE-LOST) of the missing child and request "
        "its assistance.",
        ("Missing Children", "IV. Procedures", "C. Endangered Juveniles"),
        ConditionSource.HEADING,
        "Endangered Juveniles",
        id="case-named-by-the-heading",
    ),
    pytest.param(
        "LE-SUP-RESPOND",
        "The shift supervisor shall respond to the scene of every at-risk missing child report.",
        PROCEDURES,
        ConditionSource.SENTENCE,
        "every at-risk missing child report",
        id="quantified-children-of-a-kind",
    ),
    pytest.param(
        "LE-NCMEC",
        "The investigator shall notify NCMEC (1-800-THE-LOST) of all high-risk missing children "
        "and request its assistance.",
        PROCEDURES,
        ConditionSource.SENTENCE,
        "all high-risk missing children",
        id="quantified-children-of-a-kind-plural",
    ),
    pytest.param(
        "LE-INV-FOLLOWUP",
        "A detective will be assigned to every case in which the child is in danger.",
        PROCEDURES,
        ConditionSource.SENTENCE,
        "every case in which the child is in danger",
        id="relative-clause-of-the-case",
    ),
    pytest.param(
        "LE-NCMEC",
        "The investigator shall notify NCMEC (1-800-THE-LOST) of calls that involve foul play "
        "and request its assistance.",
        PROCEDURES,
        ConditionSource.SENTENCE,
        "calls that involve foul play",
        id="relative-that-clause-of-the-case",
    ),
]


@pytest.mark.parametrize(("element", "text", "trail", "source", "words"), LIMITED)
def test_a_duty_for_some_children_is_partial(element, text, trail, source, words) -> None:
    finding = _finding(element, text, trail)
    assert finding.status.value == "partial", finding.reason
    explanation = finding.evidence[0].explanation
    # one `limited_cases` adjustment when the narrowing caps a cue that read found; under a
    # partial-level cue it changes nothing, and the condition alone says it (no zero adjustment)
    limited = [a for a in explanation.adjustments if a.cause is AdjustmentCause.LIMITED_CASES]
    read_found = explanation.base == FOUND_BASE_SCORE
    assert [(a.delta < 0, a.cap) for a in limited] == (
        [(True, Status.PARTIAL)] if read_found else []
    )
    assert explanation.condition is not None
    assert explanation.condition.source is source
    assert words in explanation.condition.text
    assert words in finding.reason  # the reason is built from the explanation
    data = finding.evidence[0].to_dict()["explanation"]
    assert data["condition"] == {"text": explanation.condition.text, "source": source.value}


EVERY_CHILD = [
    pytest.param(
        "LE-FR-VERIFY-SEARCH",
        "Officers shall search the home, yard and vehicles of every missing child, including "
        "when foul play is suspected, even if the family already searched.",
        id="including-adds-cases",
    ),
    pytest.param(
        "LE-NCMEC",
        "When a child is reported missing or abducted, the investigator shall notify NCMEC "
        "(1-800-THE-LOST) and request its assistance.",
        id="one-alternative-of-every-child",
    ),
    pytest.param(
        "LE-NCMEC",
        "If the missing person is under 21 years of age, the investigator shall notify NCMEC "
        "(1-800-THE-LOST) and request its assistance.",
        id="an-age-covering-every-child",
    ),
    pytest.param(
        "LE-FR-VERIFY-SEARCH",
        "The officer shall determine if the child is endangered and shall search the home, "
        "yard and vehicles, even if the family already searched.",
        id="if-asking-a-question",
    ),
    pytest.param(
        "LE-NCMEC",
        "When critical information is developed, the investigator shall notify NCMEC "
        "(1-800-THE-LOST) of the missing child and request its assistance.",
        id="a-condition-naming-no-children",
    ),
    pytest.param(
        "LE-FR-VERIFY-SEARCH",
        "Officers shall search the home, yard and vehicles, even if the family already "
        "searched; if foul play is suspected, the home is also treated as a crime scene.",
        id="a-condition-of-another-clause",
    ),
    pytest.param(
        "LE-SUP-RESPOND",
        "The shift supervisor shall respond to the scene of every missing child report and "
        "document each at-risk indicator.",
        id="quantified-factor-not-children",
    ),
    pytest.param(
        "LE-SUP-RESPOND",
        "The shift supervisor shall respond to the scene of every missing child report, "
        "including all endangered missing children.",
        id="including-all-of-a-kind",
    ),
    pytest.param(
        "LE-SUP-RESPOND",
        "The shift supervisor shall respond to the scene of every missing or endangered child "
        "report.",
        id="quantified-alternative-of-every-child",
    ),
    pytest.param(
        "LE-INV-FOLLOWUP",
        "A detective will be assigned to conduct the follow-up investigation of every case in "
        "which the child is in danger and of every other missing child case.",
        id="coordinated-case-phrase-naming-no-children",
    ),
    pytest.param(
        "LE-NCMEC",
        "The investigator shall notify NCMEC (1-800-THE-LOST) of the missing child, request its "
        "assistance and pass on any reports that the child may be in danger.",
        id="that-opening-what-is-reported-is-no-relative-clause",
    ),
]


@pytest.mark.parametrize(("element", "text"), EVERY_CHILD)
def test_a_duty_for_every_child_stays_found(element, text) -> None:
    finding = _finding(element, text)
    assert finding.status.value == "found", finding.reason
    assert AdjustmentCause.LIMITED_CASES not in _causes(finding)


def test_a_requirement_about_some_cases_is_not_narrowed_by_them() -> None:
    """A factor (`for_cases: any`) is itself a condition: naming foul play is its subject."""
    finding = _finding(
        "LE-DEF-U-FOULPLAY",
        [
            "A missing child is at risk when any of the following apply:",
            "a. the child may be a victim of foul play, abduction or sexual exploitation, "
            "including child sex trafficking;",
        ],
        ("Missing Children", "II. Definitions"),
    )
    assert finding.status.value == "found", finding.reason
    assert AdjustmentCause.LIMITED_CASES not in _causes(finding)


CURRICULUM_LIST = [
    "Training on this policy shall include:",
    "a. treating the home as a crime scene and securing the child's room, computer and "
    "belongings as evidence;",
]


def test_a_training_topic_is_not_a_duty() -> None:
    finding = _finding("LE-FR-SCENE-EVIDENCE", CURRICULUM_LIST)
    assert finding.status.value == "partial", finding.reason
    assert AdjustmentCause.CURRICULUM in _causes(finding)
    assert "training list" in finding.reason


def test_a_list_under_a_training_heading_is_a_curriculum() -> None:
    finding = _finding(
        "LE-FR-SCENE-EVIDENCE",
        ["The course covers:", CURRICULUM_LIST[1]],
        ("Missing Children", "VII. Training"),
    )
    assert finding.status.value == "partial", finding.reason
    assert AdjustmentCause.CURRICULUM in _causes(finding)


def test_the_same_step_as_a_duty_is_found() -> None:
    finding = _finding(
        "LE-FR-SCENE-EVIDENCE",
        ["The responding officer shall:", CURRICULUM_LIST[1]],
    )
    assert finding.status.value == "found", finding.reason
    assert AdjustmentCause.CURRICULUM not in _causes(finding)


def test_a_document_title_naming_training_is_not_a_curriculum() -> None:
    """A roll-call training bulletin that doubles as procedure: its title names training, its
    sections state duties."""
    finding = _finding(
        "LE-FR-SCENE-EVIDENCE",
        ["The responding officer shall:", CURRICULUM_LIST[1]],
        ("Roll Call Training Bulletin 24-07", "Slide 8 - First officer does"),
    )
    assert finding.status.value == "found", finding.reason
    assert AdjustmentCause.CURRICULUM not in _causes(finding)


def test_the_training_element_still_reads_its_heading() -> None:
    finding = _finding(
        "LE-TRAINING",
        "All personnel, including newly hired employees, shall receive training on this policy "
        "and on missing and exploited children.",
        ("Missing Children", "VII. Training"),
    )
    assert finding.status.value == "found", finding.reason
    assert AdjustmentCause.CURRICULUM not in _causes(finding)


def test_narrowing_keys_are_checked() -> None:
    data = _worked_example()
    data["narrowing"] = {"cases": "no_such_concept", "all_ages": "seventeen"}
    data["elements"][0]["for_cases"] = "some"
    with pytest.raises(ChecklistError) as raised:
        parse_checklist(data, "mini.yaml")
    message = str(raised.value)
    assert "narrowing: cases: unknown concept 'no_such_concept'" in message
    assert "all_ages must be a whole number" in message
    assert "for_cases must be 'any'" in message


def test_cue_keys_for_cases_and_yields_to_are_checked() -> None:
    data = _worked_example()
    cue = data["elements"][0]["cues"][0]
    cue["for_cases"] = ["foster_care"]
    cue["yields_to"] = ["no-such-cue"]
    with pytest.raises(ChecklistError) as raised:
        parse_checklist(data, "mini.yaml")
    message = str(raised.value)
    assert "a cue's for_cases can only be 'any'" in message
    assert "yields_to names no other cue 'no-such-cue'" in message


def test_the_html_report_shows_the_cases_under_each_quote(tmp_path) -> None:
    """The condition confining a duty is a row of the quote's "Why this quote" in the HTML."""
    source = tmp_path / "pd.txt"
    source.write_text(
        "Missing Children\n\nFor children twelve and under, the responding officer shall search "
        "the child's home, yard and vehicles even if the family already searched.\n",
        encoding="utf-8",
    )
    html = tmp_path / "pd.html"
    assert main(["analyze", str(source), "--checklist", "le-model-policy", "-o", str(html)]) == 0
    page = html.read_text(encoding="utf-8")
    assert "<dt>Cases</dt><dd>stated only for some children: “twelve and under”" in page
