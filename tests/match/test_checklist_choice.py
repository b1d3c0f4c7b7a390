"""Automatic checklist choice for police policies that also cover the communications center.

A police policy with one communications section stays a law-enforcement policy; a combined
policy that gives the communications center a part of its own (several sections of call-taking,
dispatch and QA duties) also gets the PSAP checklists. Built through `review()` on small
documents with nested heading trails.
"""

from __future__ import annotations

from policy_review.model import PassageKind, build_document
from policy_review.review import review

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
