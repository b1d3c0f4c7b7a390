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
