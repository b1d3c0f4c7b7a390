"""`evaluate`: metrics against labelled documents, through the library and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from policy_review.checklist import load_checklist
from policy_review.cli import main
from policy_review.evaluate import evaluate_directories, format_evaluation

GOOD = (
    "Missing Children Policy\n\n"
    "Every report of a missing child will be investigated promptly and thoroughly.\n\n"
    "Officers shall enter the missing child into NCIC within two hours of the report.\n"
)


def _labelled_dir(tmp_path: Path) -> Path:
    (tmp_path / "pd.txt").write_text(GOOD, encoding="utf-8")
    elements = {e.id: "missing" for e in load_checklist("le-model-policy").elements}
    elements["LE-POL-INVESTIGATE-ALL"] = "found"
    elements["LE-NCIC-2HR"] = "found"
    elements["LE-TRAINING"] = "found"  # the tool will (rightly) miss this: one false negative
    labels = {"checklists": ["le-model-policy"], "elements": elements, "red_flags": []}
    (tmp_path / "pd.labels.yaml").write_text(yaml.safe_dump(labels), encoding="utf-8")
    return tmp_path


def test_metrics_on_a_small_labelled_folder(tmp_path: Path) -> None:
    evaluation = evaluate_directories([_labelled_dir(tmp_path)], ocr=False)
    overall = evaluation.overall
    assert overall.pairs == len(load_checklist("le-model-policy").elements)
    assert overall.fn == 1 and overall.tp == 2
    assert evaluation.per_element["LE-TRAINING"].fn == 1
    assert "LE-TRAINING" in [e for e, _ in evaluation.weakest]
    text = format_evaluation(evaluation)
    assert "OVERALL" in text and "pd.txt" in text and "LE-TRAINING" in text


def test_three_way_confusion_counts_every_judgement(tmp_path: Path) -> None:
    folder = _labelled_dir(tmp_path)
    labels = yaml.safe_load((folder / "pd.labels.yaml").read_text(encoding="utf-8"))
    labels["elements"]["LE-NCIC-2HR"] = "partial"  # the text meets it: labelled partial, found
    (folder / "pd.labels.yaml").write_text(yaml.safe_dump(labels), encoding="utf-8")
    overall = evaluate_directories([folder], ocr=False).overall
    found, partial, missing = overall.confusion
    total = len(load_checklist("le-model-policy").elements)
    assert sum(map(sum, overall.confusion)) == total
    assert partial == (1, 0, 0) and overall.partial_reported_found == 1.0
    assert found[2] == 1  # LE-TRAINING labelled found, reported missing
    assert overall.to_dict()["three_way"]["partial"] == {"found": 1, "partial": 0, "missing": 0}
    text = format_evaluation(evaluate_directories([folder], ocr=False))
    assert "labelled partial reported found 100%" in text


def test_cli_json_output(tmp_path: Path, capsys) -> None:
    assert main(["evaluate", str(_labelled_dir(tmp_path)), "--format", "json", "--no-ocr"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {"overall", "documents", "per_element", "weakest", "red_flags"} <= set(data)
    assert data["documents"][0]["checklists"] == ["le-model-policy"]


def test_folder_without_labels_is_a_clear_error(tmp_path: Path, capsys) -> None:
    assert main(["evaluate", str(tmp_path)]) == 2
    assert "no labelled documents" in capsys.readouterr().err


def test_bad_label_status_is_an_error_naming_the_file(tmp_path: Path, capsys) -> None:
    folder = _labelled_dir(tmp_path)
    labels = yaml.safe_load((folder / "pd.labels.yaml").read_text(encoding="utf-8"))
    labels["elements"]["LE-NCIC-2HR"] = "maybe"
    (folder / "pd.labels.yaml").write_text(yaml.safe_dump(labels), encoding="utf-8")
    assert main(["evaluate", str(folder), "--no-ocr"]) == 2
    err = capsys.readouterr().err
    assert "pd.labels.yaml" in err and "LE-NCIC-2HR" in err and "'maybe'" in err


def test_real_directives_meet_the_accuracy_targets(real_corpus: Path) -> None:
    """Issue 3 'done means': presence F1 >= 0.85 and false assurance <= 5% on real directives."""
    evaluation = evaluate_directories([real_corpus], ocr=False)
    assert not [d.error for d in evaluation.documents if d.error]
    assert evaluation.overall.f1 >= 0.85
    assert evaluation.overall.false_assurance_rate <= 0.05
