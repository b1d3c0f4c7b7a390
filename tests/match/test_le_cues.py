"""Table-driven cue tests for le-model-policy: tiny directive text -> status per element.

The table lives in le_cases.yaml beside this file (several phrasings per element, unlike the
spec's wording; found, partial and missing cases; red flags). Each case is a small document
under a heading trail, reviewed through the public `review()` entry point.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from policy_review.checklist import load_checklist
from policy_review.model import PassageKind, build_document
from policy_review.review import review

CASES_FILE = Path(__file__).with_name("le_cases.yaml")
DATA = yaml.safe_load(CASES_FILE.read_text(encoding="utf-8"))
SECTIONS, CASES = DATA["sections"], DATA["cases"]


def _case_id(case: dict) -> str:
    text = case["text"] if isinstance(case["text"], str) else " ".join(case["text"])
    words = "-".join(text.split()[:5])
    return f"{case['element']}:{case.get('expect', 'flag')}:{words}"


@pytest.fixture(scope="module")
def checklist():
    return load_checklist("le-model-policy")


def case_document(texts: str | list[str], trail: tuple[str, ...]):
    """Headings for the trail, then the text: one paragraph, or a lead-in plus list items."""
    blocks = [(heading, 1, trail[: i + 1], PassageKind.HEADING) for i, heading in enumerate(trail)]
    if isinstance(texts, str):
        blocks.append((texts, 1, trail, PassageKind.PARAGRAPH))
    else:
        blocks.append((texts[0], 1, trail, PassageKind.PARAGRAPH))
        blocks += [(t, 1, trail, PassageKind.LIST_ITEM) for t in texts[1:]]
    return build_document(
        source="case.txt", sha256="0" * 64, format="text", page_count=1, blocks=blocks
    )


@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
def test_case(case: dict, checklist) -> None:
    document = case_document(case["text"], tuple(SECTIONS[case["section"]]))
    report = review(document, (checklist,))
    finding = next(f for f in report.findings if f.element == case["element"])
    if "expect" in case:
        assert finding.status.value == case["expect"], finding.reason
    if case.get("red_flag"):
        assert finding.red_flags, f"expected a red flag; {finding.reason}"


def test_every_element_has_found_and_missing_cases(checklist) -> None:
    """Each element is exercised both ways, so no cue is untested or trivially always-on."""
    expected = {(c["element"], c.get("expect")) for c in CASES}
    for element in checklist.elements:
        assert (element.id, "found") in expected, element.id
        has_negative = (element.id, "missing") in expected or any(
            c["element"] == element.id and c.get("red_flag") for c in CASES
        )
        assert has_negative, element.id
