"""Table-driven cue tests for the PSAP checklists: tiny directive text -> status per element.

The table lives in psap_cases.yaml beside this file (several phrasings per element, unlike the
spec's wording; positive, partial and negative cases; red flags). Each case is a one-paragraph
document under a heading trail, reviewed through the public `review()` entry point.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from policy_review.checklist import load_checklist
from policy_review.model import PassageKind, build_document
from policy_review.review import review

CASES_FILE = Path(__file__).with_name("psap_cases.yaml")
CHECKLIST_IDS = ("psap-ansi-standard", "psap-qa-clause")


def _load_cases() -> tuple[dict, list[dict]]:
    data = yaml.safe_load(CASES_FILE.read_text(encoding="utf-8"))
    return data["sections"], data["cases"]


SECTIONS, CASES = _load_cases()


def _case_id(case: dict) -> str:
    words = "-".join(case["text"].split()[:5])
    return f"{case['element']}:{case.get('expect', 'flag')}:{words}"


@pytest.fixture(scope="module")
def checklists():
    return tuple(load_checklist(ref) for ref in CHECKLIST_IDS)


def _finding(text: str, section: list[str], element: str, checklists):
    trail = tuple(section)
    blocks = [(head, None, trail[: i + 1], PassageKind.HEADING) for i, head in enumerate(trail)]
    blocks.append((text, 1, trail, PassageKind.PARAGRAPH))
    document = build_document(
        source="case.txt", sha256="0" * 64, format="text", page_count=1, blocks=blocks
    )
    report = review(document, checklists)
    return next(f for f in report.findings if f.element == element)


@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
def test_case(case: dict, checklists) -> None:
    finding = _finding(case["text"], SECTIONS[case["section"]], case["element"], checklists)
    if "expect" in case:
        assert finding.status.value == case["expect"], finding.reason
    if case.get("red_flag"):
        assert finding.red_flags, f"expected a red flag; {finding.reason}"
    elif finding.status.value != "missing":
        assert not finding.red_flags, [f.reason for f in finding.red_flags]
