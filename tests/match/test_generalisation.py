"""Table-driven generalisation cases for le-model-policy (generalisation_cases.yaml beside it).

Each case states the status of one or more elements, and whether a red flag is reported, for a
tiny directive: wording close to an element that must not satisfy it (alert criteria read as
unusual circumstances, a caller "instructed" read as training, "regardless of age" read as a purge
rule, prohibitions read as red flags), with positive controls in different words.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from policy_review.checklist import load_checklist
from policy_review.extract import load_document
from policy_review.model import PassageKind, build_document
from policy_review.review import review
from tests.match.test_le_cues import SECTIONS, case_document

CASES = yaml.safe_load(
    Path(__file__).with_name("generalisation_cases.yaml").read_text(encoding="utf-8")
)["cases"]


@pytest.fixture(scope="module")
def findings_of():
    checklist = load_checklist("le-model-policy")

    def run(case: dict) -> dict:
        document = case_document(case["text"], tuple(SECTIONS[case["section"]]))
        return {f.element: f for f in review(document, (checklist,)).findings}

    return run


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_case(case: dict, findings_of) -> None:
    findings = findings_of(case)
    for element, status in case.get("expect", {}).items():
        assert findings[element].status.value == status, f"{element}: {findings[element].reason}"
    for element, flagged in case.get("flags", {}).items():
        reasons = [flag.reason for flag in findings[element].red_flags]
        assert bool(reasons) == flagged, f"{element}: red flags {reasons}"


def test_every_case_checks_something() -> None:
    assert all(case.get("expect") or case.get("flags") for case in CASES)


def test_a_permissive_flag_quotes_the_word_it_is_about(findings_of) -> None:
    """The reason names the modal the text used ('can'), not a stock 'may'."""
    [case] = [c for c in CASES if c["name"] == "can-for-a-duty-is-permissive"]
    [flag] = findings_of(case)["LE-NCIC-2HR"].red_flags
    assert "('can')" in flag.reason


def test_a_factor_list_under_its_own_heading_defines_the_unusual_circumstances() -> None:
    """No colon lead-in: the heading "Endangered factors (any one is enough)" leads its items as
    one would, so five factors listed under it define the elevated-risk circumstances."""
    from policy_review.model import PassageKind, build_document

    trail = ("II. Definitions", "Endangered factors (any one is enough)")
    items = [
        "1. The child is 13 years of age or younger.",
        "2. The child has a developmental or cognitive disability, autism, or a mental incapacity.",
        "3. The child depends on prescribed medication to stay well.",
        "4. The child is believed to be with a person who could endanger the child.",
        "5. Foul play or abduction is suspected.",
    ]
    blocks = [
        (trail[0], 1, trail[:1], PassageKind.HEADING),
        (trail[1], 1, trail, PassageKind.HEADING),
    ]
    blocks += [(text, 1, trail, PassageKind.LIST_ITEM) for text in items]
    document = build_document(
        source="case.txt", sha256="0" * 64, format="text", page_count=1, blocks=blocks
    )
    findings = {
        f.element: f for f in review(document, (load_checklist("le-model-policy"),)).findings
    }
    assert findings["LE-DEF-UNUSUAL"].status.value == "found"


def test_an_item_closing_on_a_full_stop_leads_the_items_nested_under_it(tmp_path) -> None:
    """No colon and no heading: a lettered definition item "C. CATEGORY ONE - ... at high risk when
    any one (1) of the following is true. One is enough." leads the items a.-e. set under it,
    so they define the elevated-risk circumstances (the list before it, under a colon, is the
    case types)."""
    from policy_review.extract import load_document

    text = "\n\n".join(
        [
            "Missing Youngsters",
            "III. DEFINITIONS",
            "  A. MISSING YOUNGSTER - anyone under 18 whose whereabouts are unknown.",
            "  B. KINDS OF CASES - For reports, cases are classed as:",
            "    1. Runaway - a youngster who left home without permission.",
            "    2. Abducted - a youngster taken without lawful authority.",
            "  C. CATEGORY ONE - A missing youngster is at high risk when any one (1) of the"
            " following is true. One is enough; nobody waits for a second.",
            "    a. The youngster is twelve (12) years of age or younger.",
            "    b. The youngster has an intellectual or developmental disability.",
            "    c. The youngster needs prescription medication to stay alive.",
            "    d. The youngster is believed to be with a person who could endanger him or her.",
            "    e. There is reason to believe the youngster is the victim of foul play.",
            "  D. ECC - the county's 9-1-1 centre.",
        ]
    )
    path = tmp_path / "order.txt"
    path.write_text(text + "\n", encoding="utf-8")
    findings = {
        f.element: f
        for f in review(load_document(path), (load_checklist("le-model-policy"),)).findings
    }
    assert findings["LE-DEF-UNUSUAL"].status.value == "found", findings["LE-DEF-UNUSUAL"].reason


@pytest.mark.parametrize(
    ("parts", "reference"),
    [(("III", "A", "B"), "any condition in III.B"), (("3", "a", "b"), "each question in 3.b")],
    ids=["roman-capital", "numeral-lower-case"],
)
def test_a_reference_to_the_directives_own_risk_definition_names_it(
    tmp_path, parts, reference
) -> None:
    """ "Ask whether any condition in III.B applies" ("asks each question in 3.b") checks for
    the at-risk circumstances that III.B (3.b) defines, though the sentence names none of them."""
    number, first, second = parts
    text = (
        f"{number}. DEFINITIONS\n\n"
        f"{first}. Missing child - a person under 18 whose whereabouts are unknown.\n\n"
        f"{second}. Endangered missing child - a missing child for whom any one of these"
        " applies:\n\n"
        "1. The child is 13 years of age or younger.\n\n"
        "2. The child needs medication he or she does not have.\n\n"
        "IV. COMMUNICATIONS SECTION\n\n"
        "A. The call-taker will obtain the child's name, description and clothing, and where and"
        f" when the child was last seen, and will ask {reference}.\n"
    )
    path = tmp_path / "order.txt"
    path.write_text(text, encoding="utf-8")
    report = review(load_document(path), (load_checklist("le-model-policy"),))
    finding = next(f for f in report.findings if f.element == "LE-COMM-INTAKE")
    assert finding.status.value == "found", finding.reason


def test_factor_lines_under_a_heading_naming_the_risk_class_define_it() -> None:
    """A slide whose title names the class ("Slide 6 — ENDANGERED: any one line") and whose
    lines are the factors is the definition, though no lead-in introduces them; the dash is no
    word of the title."""
    trail = ("Slide 6 — ENDANGERED: any one line",)
    lines = (
        "Age 13 or younger",
        "Autism or other developmental disability",
        "Needs medication they do not have with them",
        "With an adult who might hurt them",
        "Anything else a reasonable officer would see as danger",
    )
    blocks = [
        ("Slide 5 — First hour", 1, ("Slide 5 — First hour",), PassageKind.HEADING),
        ("Take the report in person.", 1, ("Slide 5 — First hour",), PassageKind.PARAGRAPH),
        (trail[0], 1, trail, PassageKind.HEADING),
        *((line, 1, trail, PassageKind.PARAGRAPH) for line in lines),
    ]
    document = build_document(
        source="deck.txt", sha256="0" * 64, format="text", page_count=1, blocks=blocks
    )
    findings = {
        f.element: f for f in review(document, (load_checklist("le-model-policy"),)).findings
    }
    assert findings["LE-DEF-UNUSUAL"].status.value == "found", findings["LE-DEF-UNUSUAL"].reason


def test_an_accreditation_tag_after_a_rule_is_not_cut_into_its_quote(tmp_path) -> None:
    """ "... within two hours. [CALEA 41.2.5a]": the sentence splitter leaves the tag's opening
    bracket on the rule's sentence; the quote ends with the rule, the tag opens the next."""
    from policy_review.extract import load_document

    path = tmp_path / "od.txt"
    path.write_text(
        "Missing Children\n\n6. NCIC ENTRY\n\n"
        "6.1 The trooper shall enter the child in NCIC within two hours of the report."
        " [CALEA 41.2.5a] 6.2 The Records Unit validates the entry. [ALEAP 8.14]\n",
        encoding="utf-8",
    )
    report = review(load_document(path), (load_checklist("le-model-policy"),))
    quotes = [e.quote for f in report.findings for e in f.evidence]
    assert any(q.endswith("within two hours of the report.") for q in quotes), quotes
    assert not any(q.rstrip().endswith(("[", "(")) for q in quotes), quotes


def test_steps_under_a_case_closing_heading_are_recovery_steps() -> None:
    """Under "Closing the Case" the child is back: seeing the child and talking with the child
    there are the recovery checks, without the word "located" or "returned"."""
    checklist = load_checklist("le-model-policy")
    text = [
        "Before the case is closed:",
        "A deputy has to see the child in person and confirm that it is the right child and"
        " that the child is OK.",
        "Talk with the child, privately where you can: why they left, where they went, who they"
        " were with, and whether anyone hurt them.",
    ]
    document = case_document(text, ("Missing Children", "Closing the Case"))
    findings = {f.element: f for f in review(document, (checklist,)).findings}
    assert findings["LE-REC-VERIFY"].status.value == "found", findings["LE-REC-VERIFY"].reason
    assert findings["LE-REC-INTERVIEW"].status.value == "found", findings["LE-REC-INTERVIEW"].reason


def test_a_section_about_adults_is_no_evidence_for_a_child_and_names_no_child_factor() -> None:
    """Under "Vulnerable Adults" the at-risk factors are an adult's; a heading naming children
    beside adults ("Missing Adults and Juveniles") keeps them for both."""
    checklist = load_checklist("le-model-policy")
    items = [
        "A missing person is endangered when any of the following applies:",
        "1. He or she is dependent on a prescribed medication, and going without it may be"
        " life-threatening.",
        "2. He or she is believed to be in a life-threatening situation.",
    ]

    def statuses(heading: str) -> dict[str, str]:
        document = case_document(items, ("Missing Persons", heading))
        findings = review(document, (checklist,)).findings
        return {f.element: f.status.value for f in findings}

    adults = statuses("3.12.6 Vulnerable Adults")
    assert adults["LE-DEF-U-DRUG"] == "missing"
    assert adults["LE-DEF-U-LIFE"] == "missing"
    both = statuses("3.12.6 Endangered Adults and Juveniles")
    assert both["LE-DEF-U-DRUG"] != "missing"
