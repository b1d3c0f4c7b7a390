"""Automatic checklist choice for police policies that also cover the communications center.

A police policy with one communications section stays a law-enforcement policy; a combined
policy that gives the communications center a part of its own (several sections of call-taking,
dispatch and QA duties) also gets the PSAP checklists. Built through `review()` on small
documents with nested heading trails.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from policy_review.extract import load_document
from policy_review.model import ChoiceMargin, PassageKind, build_document
from policy_review.review import choose_checklists, review

PATROL_DUTIES = (
    "The deputy shall respond in person to every report of a missing child.",
    "The deputy shall interview the parents and search the home.",
    "The patrol sergeant shall respond to the scene and assign the detective.",
    "The detective shall contact the family every week until the child is found.",
    "Deputies shall enter the child into NCIC within two hours.",
    "The sergeant shall request a search team when the child is at risk.",
)
PATROL_REPEAT = 5
"""Police duties fill most of the document, as in a real policy."""
CENTER_SECTIONS = {
    "Call Taking": (
        "The telecommunicator shall follow these steps.",
        "Ask for the child's name, age and description.",
        "Ask where and when the child was last seen.",
        "Ask who the child was with.",
    ),
    "Call Priority": (
        "Every missing child call is coded as a priority call.",
        "Keep the caller on the line while a deputy is dispatched.",
        "Stay on the line until the deputy arrives.",
        "The call taker updates the responding deputy by radio.",
    ),
    "Broadcast and Notifications": (
        "Broadcast the description to all units at once.",
        "Notify the shift supervisor of the call.",
        "Repeat the broadcast every hour until the child is found.",
        "Log every broadcast in the incident record.",
    ),
    "Quality Assurance": (
        "Every missing child call is reviewed within 24 hours.",
        "The reviewer checks that every question was asked.",
        "Findings are discussed with the employee within a week.",
        "New employees are trained on these steps before working alone.",
    ),
}


def _document(center_sections: dict[str, tuple[str, ...]], center_part: str | None):
    blocks = [("Missing Children", 1, (), PassageKind.HEADING)]
    trail = ("Part A - Sworn Members",)
    blocks.append((trail[0], 1, trail, PassageKind.HEADING))
    blocks += [(text, 1, trail, PassageKind.PARAGRAPH) for text in PATROL_DUTIES * PATROL_REPEAT]
    if center_part:
        blocks.append((center_part, 1, (center_part,), PassageKind.HEADING))
    for heading, texts in center_sections.items():
        trail = ((center_part,) if center_part else ()) + (heading,)
        blocks.append((heading, 1, trail, PassageKind.HEADING))
        blocks += [(text, 1, trail, PassageKind.PARAGRAPH) for text in texts]
    return build_document(
        source="combined.txt", sha256="0" * 64, format="text", page_count=1, blocks=blocks
    )


def test_combined_policy_with_a_communications_center_part_gets_psap_checklists() -> None:
    report = review(_document(CENTER_SECTIONS, "Part B - Communications Center"))
    audiences = {ref.id for ref in report.checklists}
    assert "le-model-policy" in audiences
    assert {"psap-ansi-standard", "psap-qa-clause"} <= audiences
    assert "under headings naming the communications center" in report.selection_reason


def test_police_policy_with_one_communications_section_stays_law_enforcement() -> None:
    one_section = {"Communications Center": CENTER_SECTIONS["Call Taking"]}
    report = review(_document(one_section, None))
    assert [ref.id for ref in report.checklists] == ["le-model-policy"]


# ---------------------------------------------------------------- title block, standards, margin


CALL_TAKING = (
    "The call-taker shall ask for the child's name, age and description.",
    "The call-taker shall ask where and when the child was last seen.",
)
POLICE_WORK = (
    "Responding units handle the search of the area around the home.",
    "Each report is reviewed for completeness before the shift ends.",
    "A photograph of the child is obtained from the family.",
    "Officers canvass the neighbourhood and speak with the neighbours.",
    "The school and the child's friends are contacted the same day.",
    "The case stays open until the child is located and seen in person.",
)
"""Mostly neutral procedure with a few police sentences: PSAP terms stay well under 12%."""


def _directive(title_lines: tuple[str, ...], body: tuple[str, ...]):
    blocks = [(line, 1, (), PassageKind.HEADING) for line in title_lines]
    trail = ("Procedure",)
    blocks.append(("Procedure", 1, trail, PassageKind.HEADING))
    blocks += [(text, 1, trail, PassageKind.PARAGRAPH) for text in body]
    return build_document(
        source="d.txt", sha256="0" * 64, format="text", page_count=1, blocks=blocks
    )


BODY = CALL_TAKING * 2 + POLICE_WORK * 6
"""4 call-taker sentences of 40 (10%, under the 12% of a PSAP directive), 6 police ones."""


def test_title_block_naming_a_911_authority_makes_it_a_psap_directive() -> None:
    plain = review(_directive(("Missing Children",), BODY))
    assert [c.id for c in plain.checklists] == ["le-model-policy"]

    report = review(_directive(("Lakes Regional 911 Authority", "Missing Children"), BODY))
    assert [c.id for c in report.checklists] == ["psap-ansi-standard", "psap-qa-clause"]
    assert "title block names a 911 / communications center" in report.selection_reason
    assert report.choice.margin is ChoiceMargin.CLOSE
    assert report.choice.alternative == ("le-model-policy",)
    assert {f.checklist for f in report.choice.alternative_findings} == {"le-model-policy"}
    data = report.to_dict()["checklist_choice"]
    assert data["margin"] == "close"
    assert data["alternative_summary"]["missing"] >= 1
    psap = next(s for s in data["signals"] if s["audience"] == "psap")
    assert psap["title"] is True


def test_a_title_block_naming_a_police_agency_and_a_911_center_is_a_joint_directive() -> None:
    """Issued by a sheriff's office and a 911 authority together, a bulletin whose police roles
    carry a third of the duties is also a police policy; the 911 authority's own title alone
    keeps it a PSAP directive (the test above)."""
    body = CALL_TAKING * 3 + PATROL_DUTIES * 2 + (NEUTRAL,) * 26
    own = review(_directive(("Lakes Regional 911 Authority", "Missing Children"), body))
    assert [c.id for c in own.checklists] == ["psap-ansi-standard", "psap-qa-clause"]
    joint = ("Lakes County Sheriff's Office & Lakes Regional 911 Authority", "Missing Children")
    report = review(_directive(joint, body))
    assert [c.id for c in report.checklists] == [
        "le-model-policy",
        "psap-ansi-standard",
        "psap-qa-clause",
    ]
    assert "police roles carry" in report.selection_reason


def test_adopting_the_apco_standard_makes_it_a_psap_directive() -> None:
    adopts = ("This procedure adopts APCO ANS 1.101.3-2015 in full.",)
    report = review(_directive(("Missing Children",), adopts + BODY))
    assert "psap-ansi-standard" in {c.id for c in report.checklists}
    assert "adopts a PSAP standard (1 sentence)" in report.selection_reason


NEUTRAL = "A photograph of the child is obtained from the family."
OFFICER = "Officers canvass the neighbourhood and speak with the neighbours."
CALL_TAKER = "The call-taker shall ask where and when the child was last seen."


def test_the_reason_never_contradicts_the_choice() -> None:
    """Whatever the mix, a police choice with as many PSAP as police sentences says why, and a
    PSAP choice says so; the grid includes such police choices."""
    explained = 0
    for call_takers, officers in ((6, 5), (6, 6), (3, 8), (9, 5)):
        body = (CALL_TAKER,) * call_takers + (OFFICER,) * officers + (NEUTRAL,) * 44
        report = review(_directive(("Missing Children",), body))
        ids = {c.id for c in report.checklists}
        signals = {s.audience: s for s in report.choice.signals}
        psap, police = signals["psap"].sentences, signals["law-enforcement"].sentences
        if ids == {"le-model-policy"} and psap >= police:
            assert "under the 12% of a PSAP directive" in report.selection_reason
            explained += 1
        if "psap-ansi-standard" in ids:
            assert "PSAP/communications directive" in report.selection_reason.split("(")[0]
    assert explained >= 1


def test_user_choice_is_marked_as_such() -> None:
    from policy_review.checklist import load_checklist

    report = review(_directive(("Missing Children",), BODY), (load_checklist("le-model-policy"),))
    assert report.choice.margin is ChoiceMargin.USER
    assert json.loads(json.dumps(report.to_dict()))["checklist_choice"]["margin"] == "user"


REPO = Path(__file__).resolve().parents[2]
LABELLED = sorted(
    [
        *(REPO / "sample_policies").glob("*.labels.yaml"),
        *(REPO.parent / "shared" / "corpus" / "real").glob("*.labels.yaml"),
    ]
)


@pytest.mark.parametrize("labels", LABELLED, ids=lambda p: p.name.removesuffix(".labels.yaml"))
def test_automatic_choice_matches_the_labels(labels: Path) -> None:
    stem = labels.name.removesuffix(".labels.yaml")
    documents = [p for p in labels.parent.glob(f"{stem}.*") if not p.name.endswith(".yaml")]
    expected = sorted(yaml.safe_load(labels.read_text())["checklists"])
    for path in documents:
        chosen, reason = choose_checklists(load_document(path))
        assert sorted(c.id for c in chosen) == expected, (path.name, reason)


def test_a_close_choice_shows_the_other_verdicts_in_html(tmp_path) -> None:
    from policy_review.render import render_html

    report = review(_directive(("Lakes Regional 911 Authority", "Missing <Children>"), BODY))
    page = render_html(report)
    assert "The checklist choice was close" in page
    assert "Verdicts with le-model-policy" in page
    assert "LE-NCIC-2HR" in page
    assert "Missing <Children>" not in page


# ---------------------------------------------------------------- who the text tells to act

MEMO_HEADER = (
    "TO: All Sworn Personnel; Communications Division",
    "FROM: Chief of Police",
    "DISTRIBUTION: Patrol Bureau, Communications Division, Records Unit.",
    "Paragraph 5 (Communications Division) is amended as follows.",
)
MEMO_DUTIES = (
    "The telecommunicator will ask the caller the intake questions.",
    "An officer will be dispatched to every report for an in-person response.",
    "The responding officer will search the residence, yard and vehicles.",
    "The officer will take the report whether or not a custody order exists.",
    "The shift supervisor will contact the other agency.",
    "Investigators will consider whether a runaway has been exploited.",
    "The detective will re-contact the family every month.",
)


def _memo():
    blocks = [("MEMORANDUM", 1, (), PassageKind.HEADING)]
    blocks += [(line, 1, (), PassageKind.PARAGRAPH) for line in MEMO_HEADER]
    blocks += [(text, 1, (), PassageKind.PARAGRAPH) for text in MEMO_DUTIES * 2]
    return build_document(
        source="memo.txt", sha256="0" * 64, format="text", page_count=1, blocks=blocks
    )


def test_a_police_memo_addressed_to_its_communications_division_is_not_a_911_directive() -> None:
    """The addressee and distribution lines and a paragraph title name the Communications
    Division (PSAP terms well over 12% of the sentences), but call-takers carry 2 of the 14
    duties and officers, investigators and detectives 10: the memo is a police order."""
    report = review(_memo())
    assert [c.id for c in report.checklists] == ["le-model-policy"]
    signals = {s.audience: s for s in report.choice.signals}
    assert signals["psap"].share >= 0.12
    assert signals["psap"].duties == 2 and signals["law-enforcement"].duties == 10
    assert "call-taker roles carry 2 of the 14 duties" in report.selection_reason
    assert report.choice.margin is ChoiceMargin.CLOSE
    assert set(report.choice.alternative) == {"psap-ansi-standard", "psap-qa-clause"}


WE_SECTIONS = {
    "When the call comes in (our dispatchers)": (
        "Our dispatchers ask where and when the child was last seen.",
        "Our dispatchers ask for the child's name, age and clothing.",
        "Our dispatchers send an officer right away at Priority 1.",
        "Our dispatchers put out a BOLO to all units and neighboring agencies.",
        "Our dispatchers tell the caller to keep the phone line free.",
        "Our dispatchers check CAD for earlier calls at the address.",
    ),
    "What our officers do": (
        "We talk to whoever called us and to the parents.",
        "We search the home, the yard and the cars ourselves.",
        "We get a detailed description and a recent photo.",
        "We radio the description to our dispatchers right away.",
    ),
    "What our investigators do": (
        "We check what the officer gathered and carry on with interviews.",
        "We look at registered sex offenders living near the home.",
        "We contact the family every month while the case is open.",
    ),
}


def _we_directive(sections: dict[str, tuple[str, ...]]):
    blocks = [("How We Handle a Missing Child", 1, (), PassageKind.HEADING)]
    blocks.append(("Our response follows APCO ANS 1.101.3-2015.", 1, (), PassageKind.PARAGRAPH))
    for heading, texts in sections.items():
        blocks.append((heading, 1, (heading,), PassageKind.HEADING))
        blocks += [(text, 1, (heading,), PassageKind.PARAGRAPH) for text in texts * 2]
    return build_document(
        source="we.txt", sha256="0" * 64, format="text", page_count=1, blocks=blocks
    )


def test_a_we_voice_department_with_its_own_dispatchers_gets_every_checklist() -> None:
    """ "We" sentences under headings naming officers and investigators are police duties
    (14 of 26): the department's directive is a police policy as well as a PSAP directive."""
    report = review(_we_directive(WE_SECTIONS))
    assert {c.id for c in report.checklists} == {
        "le-model-policy",
        "psap-ansi-standard",
        "psap-qa-clause",
    }
    assert "police roles carry 14 of the 26 duties" in report.selection_reason


def test_a_close_choice_with_every_checklist_applied_offers_none_in_html() -> None:
    """Police duties just past a third added the police checklist: the choice is close, but
    there is no other checklist to offer, so the page says what was close instead of an empty
    list of alternatives."""
    from policy_review.render import render_html

    report = review(_we_directive(WE_SECTIONS))
    assert report.choice.margin is ChoiceMargin.CLOSE and not report.choice.alternative
    page = render_html(report)
    assert "The checklist choice was close" in page
    assert "could also be read against" not in page
    assert "Every checklist is applied" in page


def test_a_911_directive_with_a_few_officer_duties_stays_a_psap_directive() -> None:
    """Officers' duties under their own heading, but under a third of the duties handed out."""
    sections = {
        "When the call comes in (our dispatchers)": WE_SECTIONS[
            "When the call comes in (our dispatchers)"
        ],
        "What our officers do": WE_SECTIONS["What our officers do"][:2],
    }
    report = review(_we_directive(sections))
    assert [c.id for c in report.checklists] == ["psap-ansi-standard", "psap-qa-clause"]
