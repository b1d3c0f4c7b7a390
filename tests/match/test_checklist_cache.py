"""A loaded checklist, and a batch's reports made with a checklist of the user's, are redone
when any file the checklist is read from changes: its YAML or its actor vocabulary."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from policy_review.batch import BatchOptions, run_batch
from policy_review.checklist import load_checklist
from policy_review.errors import ChecklistError
from policy_review.resources import bundled_dir


@pytest.fixture
def own_checklist(tmp_path: Path) -> Path:
    """A copy of the LE checklist beside a copy of its actor vocabulary (`roles/actors.yaml`)."""
    folder = tmp_path / "checklists"
    (folder / "roles").mkdir(parents=True)
    bundled = bundled_dir("checklists")
    shutil.copy(bundled / "roles" / "actors.yaml", folder / "roles" / "actors.yaml")
    return Path(shutil.copy(bundled / "le-model-policy.yaml", folder / "le-model-policy.yaml"))


def test_an_edited_actor_vocabulary_is_read_again(own_checklist: Path) -> None:
    checklist = load_checklist(own_checklist)
    assert checklist.sources == (
        str(own_checklist),
        str(own_checklist.parent / "roles/actors.yaml"),
    )
    assert load_checklist(own_checklist) is checklist  # unchanged: parsed once
    (own_checklist.parent / "roles" / "actors.yaml").write_text("actors: {}\n", encoding="utf-8")
    with pytest.raises(ChecklistError, match="exactly `actors` and `concepts`"):
        load_checklist(own_checklist)


def test_a_batch_redoes_its_reports_when_the_actor_vocabulary_changes(
    own_checklist: Path, tmp_path: Path
) -> None:
    src = tmp_path / "submissions"
    src.mkdir()
    (src / "pd.txt").write_text(
        "Missing Children\n\nOfficers shall enter the missing child into NCIC within two hours.",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    options = BatchOptions(checklist_refs=(str(own_checklist),), jobs=1)
    assert run_batch(src, out, options).analysed == 1
    assert run_batch(src, out, options).skipped == 1
    actors = own_checklist.parent / "roles" / "actors.yaml"
    actors.write_text(actors.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    again = run_batch(src, out, options)
    assert (again.analysed, again.skipped) == (1, 0)
