"""Table-driven cases (template_wording_cases.yaml): requirements in the wording of policy-manual
templates, and their partial line; checked with the same function as judge_cases.yaml."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.match.test_judge_cases import CHECKS
from tests.match.test_judge_cases import test_case as check_case

CASES = yaml.safe_load(
    Path(__file__).with_name("template_wording_cases.yaml").read_text(encoding="utf-8")
)["cases"]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_template_wording_case(case: dict) -> None:
    check_case(case)


def test_every_template_case_checks_something() -> None:
    assert all(any(case.get(key) for key in CHECKS) for case in CASES)
