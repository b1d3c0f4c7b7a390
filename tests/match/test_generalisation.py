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
