"""`evaluate` never passes on garbage: every bad labels file is one error line naming it, rc 2."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from policy_review.checklist import load_checklist
from policy_review.cli import main

TEXT = (
    "Missing Children Policy\n\n"
    "Every report of a missing child will be investigated promptly and thoroughly.\n\n"
    "Officers shall enter the missing child into NCIC within two hours of the report.\n"
)
CHECKLIST = "le-model-policy"


def _labels(**overrides) -> dict:
    elements = {e.id: "missing" for e in load_checklist(CHECKLIST).elements}
    elements["LE-POL-INVESTIGATE-ALL"] = "found"
    elements["LE-NCIC-2HR"] = "found"
    return {"checklists": [CHECKLIST], "elements": elements, "red_flags": [], **overrides}


def _folder(tmp_path: Path, labels: dict | str | bytes, document: str | bytes = TEXT) -> Path:
    folder = tmp_path / "set"
    folder.mkdir(parents=True)
    if isinstance(document, bytes):
        (folder / "pd.txt").write_bytes(document)
    else:
        (folder / "pd.txt").write_text(document, encoding="utf-8")
    path = folder / "pd.labels.yaml"
    if isinstance(labels, bytes):
        path.write_bytes(labels)
    else:
        text = labels if isinstance(labels, str) else yaml.safe_dump(labels, sort_keys=False)
        path.write_text(text, encoding="utf-8")
    return folder


def _run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["evaluate", *args, "--no-ocr"])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _assert_one_line_error(code: int, err: str, *needles: str) -> None:
    assert code == 2
    assert err.startswith("policy-review: error: ") and err.count("\n") == 1, err
    assert "internal error" not in err and "Traceback" not in err
    for needle in needles:
        assert needle in err, err


@pytest.mark.parametrize(
    "garbage",
    [
        b"\x00\xff\xfe binary \x80\x81",  # not UTF-8
        "elements: [unclosed\n",  # not YAML
        "just a string\n",  # YAML, not a mapping
        "checklists: [le-model-policy]\n",  # no elements
        "checklists: [le-model-policy]\nelements: {}\n",  # elements, but none labelled
        "checklists: []\nelements: {LE-NCIC-2HR: found}\n",  # no checklist
        "checklists: [no-such-list]\nelements: {LE-NCIC-2HR: found}\n",  # unknown checklist
        "checklists: [le-model-policy]\nelements: {NOT-AN-ELEMENT: found}\n",  # unknown element
        "checklists: [le-model-policy]\nelements: {LE-NCIC-2HR: found}\nchapters: [[5, 2]]\n",
        "checklists: [le-model-policy]\nelements: {LE-NCIC-2HR: found}\ncolour: blue\n",
        "checklists: [le-model-policy]\nelements: {LE-NCIC-2HR: {page: 3}}\n",  # no status
        "a: &a [x, x, x, x, x, x, x, x, x, x]\n"  # an alias bomb: 10**8 values
        + "".join(
            f"{c}: &{c} [{', '.join([f'*{p}'] * 10)}]\n"
            for p, c in zip("abcdefg", "bcdefgh", strict=True)
        ),
        "[" * 5000 + "]" * 5000 + "\n",  # nested too deeply
    ],
)
def test_garbage_labels_are_an_error_naming_the_file(tmp_path: Path, capsys, garbage) -> None:
    code, out, err = _run(capsys, str(_folder(tmp_path, garbage)))
    _assert_one_line_error(code, err, "pd.labels.yaml")
    assert out == ""  # nothing that looks like a score


def test_a_list_valued_label_is_a_user_error_not_a_type_error(tmp_path: Path, capsys) -> None:
    labels = _labels()
    labels["elements"]["LE-NCIC-2HR"] = ["found", "partial"]
    code, _, err = _run(capsys, str(_folder(tmp_path, labels)))
    _assert_one_line_error(code, err, "pd.labels.yaml", "LE-NCIC-2HR", "list")


def test_an_empty_folder_is_an_error(tmp_path: Path, capsys) -> None:
    code, out, err = _run(capsys, str(tmp_path))
    _assert_one_line_error(code, err, "no labelled documents")
    assert out == ""


def test_labels_without_their_document_are_an_error(tmp_path: Path, capsys) -> None:
    folder = _folder(tmp_path, _labels())
    (folder / "pd.txt").unlink()
    code, _, err = _run(capsys, str(folder))
    _assert_one_line_error(code, err, "pd.labels.yaml", "no document")


def test_zero_judgements_is_an_error_never_a_perfect_score(tmp_path: Path, capsys) -> None:
    """The only labelled document cannot be read: nothing was judged, so nothing can pass."""
    folder = _folder(tmp_path, _labels(), document=b"%PDF-1.4 truncated")
    (folder / "pd.txt").rename(folder / "pd.pdf")
    code, out, err = _run(capsys, str(folder))
    _assert_one_line_error(code, err, "no element judgements", "pd.pdf")
    assert "1.00" not in out


def test_one_unreadable_document_among_good_ones_fails_the_run(tmp_path: Path, capsys) -> None:
    folder = _folder(tmp_path, _labels())
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 truncated")
    (folder / "broken.labels.yaml").write_text(yaml.safe_dump(_labels()), encoding="utf-8")
    code, out, err = _run(capsys, str(folder))
    _assert_one_line_error(code, err, "1 of 2 labelled documents", "broken.pdf")
    assert "broken.pdf: ERROR" in out  # the figures are still shown, but the gate fails


def _overall(capsys, folder: Path) -> dict:
    code, out, err = _run(capsys, str(folder), "--format", "json")
    assert code == 0, err
    return json.loads(out)["overall"]


def test_mapping_labels_score_like_plain_labels(tmp_path: Path, capsys) -> None:
    """`ID: {status: found, page: 3, anchor: "..."}`, the form real labels use, is accepted."""
    plain = _overall(capsys, _folder(tmp_path / "a", _labels()))
    labels = _labels()
    labels["elements"] = {
        element: {"status": status, "page": 3, "anchor": "the child into NCIC"}
        for element, status in labels["elements"].items()
    }
    assert _overall(capsys, _folder(tmp_path / "b", labels)) == plain
    assert plain["pairs"] == len(labels["elements"])


def test_labels_with_a_byte_order_mark_are_read(tmp_path: Path, capsys) -> None:
    plain = _overall(capsys, _folder(tmp_path / "a", _labels()))
    with_bom = b"\xef\xbb\xbf" + yaml.safe_dump(_labels()).encode("utf-8")
    assert _overall(capsys, _folder(tmp_path / "b", with_bom)) == plain


def test_red_flag_precision_and_recall_against_the_labels(tmp_path: Path, capsys) -> None:
    """A labelled flag the tool does not raise is a miss: recall 0; no flag raised: no precision."""
    folder = _folder(tmp_path, _labels(red_flags=["LE-NCIC-2HR"]))
    code, out, _ = _run(capsys, str(folder), "--format", "json")
    flags = json.loads(out)["red_flags"]
    assert code == 0
    assert (flags["tp"], flags["fn"], flags["fp"]) == (0, 1, 0)
    assert flags["recall"] == 0.0 and flags["precision"] is None
    _, text, _ = _run(capsys, str(folder))
    assert "red flags: precision n/a  recall 0.00" in text


def test_manual_labels_measure_evidence_outside_the_labelled_chapters(
    tmp_path: Path, capsys, real_corpus: Path
) -> None:
    """Labels with `chapters:` report the share of evidence quoted from other pages."""
    source = real_corpus / "neiu-pd-il-315-missing-persons"
    labels = yaml.safe_load(source.with_suffix(".labels.yaml").read_text(encoding="utf-8"))
    shares = {}
    for name, chapters in (("all", [[1, 99]]), ("first", [[1, 1]])):
        folder = tmp_path / name
        folder.mkdir()
        shutil.copy(source.with_suffix(".pdf"), folder / "manual.pdf")
        union = {**labels, "chapters": chapters, "union_of": ["neiu-pd-il-315-missing-persons"]}
        (folder / "manual.labels.yaml").write_text(yaml.safe_dump(union), encoding="utf-8")
        code, out, err = _run(capsys, str(folder), "--format", "json")
        assert code == 0, err
        shares[name] = json.loads(out)["sets"][str(folder)]["out_of_span_evidence"]
    assert shares["all"]["outside_labelled_chapters"] == 0 and shares["all"]["paged_quotes"] > 0
    first = shares["first"]
    assert 0 < first["outside_labelled_chapters"] < first["paged_quotes"]
    assert first["share"] == round(first["outside_labelled_chapters"] / first["paged_quotes"], 3)


def test_psap_elements_of_combined_directives_are_reported_apart(tmp_path: Path, capsys) -> None:
    labels = _labels()
    labels["checklists"].append("psap-ansi-standard")
    labels["elements"].update(
        {e.id: "missing" for e in load_checklist("psap-ansi-standard").elements}
    )
    code, out, err = _run(capsys, str(_folder(tmp_path, labels)), "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    psap = len(load_checklist("psap-ansi-standard").elements)
    assert data["psap_in_combined_directives"]["pairs"] == psap
    assert set(data["per_audience"]) == {"law-enforcement", "psap"}
