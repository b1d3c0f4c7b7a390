"""Table-driven cases (partial_cases.yaml): a requirement met only in part is partial, not
found; checked with the same function as judge_cases.yaml."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.match.test_judge_cases import CHECKS
from tests.match.test_judge_cases import test_case as check_case

CASES = yaml.safe_load(Path(__file__).with_name("partial_cases.yaml").read_text(encoding="utf-8"))[
    "cases"
]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_partial_case(case: dict) -> None:
    check_case(case)


def test_every_partial_case_checks_something() -> None:
    assert all(any(case.get(key) for key in CHECKS) for case in CASES)
