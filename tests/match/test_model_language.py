"""Suggested wording (`model_language`): every element has it, in the agency's voice, its own
words, and the reports show it where the agency reads what to add."""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import pytest
import yaml

from policy_review.checklist import available_checklists, load_checklist
from policy_review.errors import ChecklistError
from policy_review.model import Status
from policy_review.render import render_html
from tests.conftest import SPEC_DIR

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "render"))
from render_builders import make_finding, make_report  # noqa: E402

MAX_SENTENCES = 3
COPIED_WORDS = 9  # a run of this many words shared with the spec's requirement text is copying
ELEMENTS = [(c.id, e) for c in available_checklists() for e in c.elements]


@pytest.mark.parametrize(("checklist_id", "element"), ELEMENTS, ids=lambda v: getattr(v, "id", v))
def test_every_element_has_suggested_wording(checklist_id, element) -> None:
    wording = element.model_language
    assert wording, f"{checklist_id} {element.id} has no model_language"
    sentences = [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", wording) if s]
    assert 1 <= len(sentences) <= MAX_SENTENCES, element.id
    assert wording != element.guidance and wording != element.requirement


def _runs(text: str, size: int) -> set[tuple[str, ...]]:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


def test_suggested_wording_is_not_copied_from_the_spec() -> None:
    spec_path = SPEC_DIR / "elements.yaml"
    if not spec_path.is_file():
        pytest.skip(f"element catalogue not found at {spec_path}")
    spec = {e["id"]: e for e in yaml.safe_load(spec_path.read_text(encoding="utf-8"))["elements"]}
    for _, element in ELEMENTS:
        source = " ".join(str(v) for v in spec.get(element.id, {}).values())
        shared = _runs(element.model_language, COPIED_WORDS) & _runs(source, COPIED_WORDS)
        assert not shared, (element.id, shared)


def test_empty_suggested_wording_is_a_schema_error(tmp_path) -> None:
    path = Path(load_checklist("psap-qa-clause").path)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["elements"][0]["model_language"] = " "
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(data), encoding="utf-8")
    shutil.copytree(path.parent / "roles", tmp_path / "roles")  # the actor vocabulary it names
    with pytest.raises(ChecklistError, match="model_language: expected a non-empty string"):
        load_checklist(bad)


def test_html_report_shows_suggested_wording_under_what_to_add() -> None:
    wording = "Members shall enter the child into NCIC within two hours <b>now</b>."
    report = make_report(
        findings=(make_finding("LE-NCIC-2HR", Status.MISSING, model_language=wording),)
    )
    html = render_html(report, generated_at="2026-01-01")
    block = html.split("<h6>What to add</h6>", 1)[1].split("</div>", 1)[0]
    assert "Suggested wording" in block
    assert "&lt;b&gt;now&lt;/b&gt;" in block  # escaped like every other text
    assert report.findings[0].to_dict()["model_language"] == wording
