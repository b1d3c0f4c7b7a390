"""Every element of the shared spec is implemented, under its exact id, in its checklist."""

from __future__ import annotations

import pytest
import yaml

from policy_review.checklist import load_checklist
from tests.conftest import SPEC_DIR

if not (SPEC_DIR / "elements.yaml").is_file():
    pytest.skip(f"element catalogue not found at {SPEC_DIR}", allow_module_level=True)
SPEC = yaml.safe_load((SPEC_DIR / "elements.yaml").read_text(encoding="utf-8"))
CHECKLIST_IDS = tuple(SPEC["checklists"])


@pytest.mark.parametrize("checklist_id", CHECKLIST_IDS)
def test_spec_elements_are_implemented(checklist_id: str) -> None:
    checklist = load_checklist(checklist_id)
    implemented = {e.id: e for e in checklist.elements}
    wanted = [e for e in SPEC["elements"] if e["checklist"] == checklist_id]
    for spec in wanted:
        assert spec["id"] in implemented, f"{spec['id']} missing from {checklist_id}"
        assert implemented[spec["id"]].severity.value == spec["severity"], spec["id"]
    assert [e.id for e in checklist.elements][: len(wanted)] == [e["id"] for e in wanted]
    for element in checklist.elements:
        assert element.guidance and element.rationale and element.cues, element.id
