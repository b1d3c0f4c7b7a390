"""Table-driven cases (judge_cases.yaml): roles, parts, cross-references, red flags that need the
contradiction, relevant near misses and unseen wording, checked through `review` and the
structured Explanation on each quote."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from policy_review.checklist import load_checklist
from policy_review.review import review
from tests.match.test_le_cues import case_document

CASES = yaml.safe_load(Path(__file__).with_name("judge_cases.yaml").read_text(encoding="utf-8"))[
    "cases"
]
CHECKS = (
    "expect",
    "flags",
    "flag_quote_has",
    "reason_has",
    "actors",
    "actor_source",
    "parts_missing",
    "no_near_miss",
)


def _findings(case: dict) -> dict:
    document = case_document(case["text"], tuple(case["section"]))
    report = review(document, (load_checklist(case["checklist"]),))
    return {f.element: f for f in report.findings}


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_case(case: dict) -> None:
    findings = _findings(case)
    for element, status in case.get("expect", {}).items():
        assert findings[element].status.value == status, f"{element}: {findings[element].reason}"
    for element, flagged in case.get("flags", {}).items():
        reasons = [(flag.reason, flag.quote) for flag in findings[element].red_flags]
        assert bool(reasons) == flagged, f"{element}: red flags {reasons}"
    for element, word in case.get("flag_quote_has", {}).items():
        assert all(word in flag.quote.split() for flag in findings[element].red_flags)
    for element, words in case.get("reason_has", {}).items():
        assert words in findings[element].reason, findings[element].reason
    for element, actors in case.get("actors", {}).items():
        assert list(findings[element].evidence[0].explanation.actors) == actors
    for element, source in case.get("actor_source", {}).items():
        assert findings[element].evidence[0].explanation.actor_source.value == source
    for element, absent in case.get("parts_missing", {}).items():
        parts = findings[element].evidence[0].explanation.parts
        assert [p.id for p in parts if not p.present] == absent
    for element in case.get("no_near_miss", ()):
        assert findings[element].near_miss is None, findings[element].near_miss


def test_every_case_checks_something() -> None:
    assert all(any(case.get(key) for key in CHECKS) for case in CASES)
