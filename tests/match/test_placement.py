"""Where a gap's text belongs: the section whose heading names the element's topic."""

from __future__ import annotations

from policy_review.checklist import load_checklist
from policy_review.model import PassageKind, Status, build_document
from policy_review.review import review

SECTIONS = [
    ("Harbor City Police Department Missing Children", None),
    ("I. Policy", ["Reports of missing children are taken at the front desk, open 24 hours."]),
    ("II. NCIC and State System", ["Records staff maintain the terminal and its audit log."]),
    ("III. Training", ["Officers receive annual training on this order."]),
]


def _document():
    blocks = []
    for heading, paragraphs in SECTIONS:
        trail = () if paragraphs is None else (heading,)
        blocks.append((heading, 1, trail, PassageKind.HEADING))
        for text in paragraphs or ():
            blocks.append((text, 1, trail, PassageKind.PARAGRAPH))
    return build_document(
        source="harbor.txt", sha256="", format="text", page_count=1, blocks=blocks
    )


def test_gaps_name_the_section_whose_heading_fits_not_the_nearest_passage():
    report = review(_document(), (load_checklist("le-model-policy"),))
    by_id = {f.element: f for f in report.findings}
    ncic = by_id["LE-NCIC-2HR"]
    assert ncic.status is not Status.FOUND
    assert ncic.add_to == "II. NCIC and State System"
    assert ncic.to_dict()["add_to"] == "II. NCIC and State System"
    # a gap no heading speaks to is not pinned to an unrelated section
    team = by_id["LE-TEAM-ADAM"]
    assert team.status is Status.MISSING and team.add_to == ""
    assert all(f.add_to == "" for f in report.findings if f.status is Status.FOUND)
