"""`policy-review compare`: versions of sample and real directives, built by editing their text."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from policy_review.cli import main
from policy_review.compare import DiffOp, word_diff

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ROOT / "sample_policies" / "src"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CHICAGO_2012 = (
    ROOT.parent / "shared" / "corpus" / "real" / "chicago-pd-s04-05-missing-found-persons-2012.docx"
)
MARLOW = "marlow-county-so-policy-332-missing-children"
PINE_RIDGE = "pine-ridge-consolidated-dispatch-sop-ops-31"


def _source(name: str) -> str:
    return (SOURCES / f"{name}.txt").read_text(encoding="utf-8")


def _without_section(text: str, heading: str) -> str:
    """The text with one '#' section (its heading line up to the next heading) removed."""
    lines = text.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith("#") and heading in line)
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("#")), len(lines))
    return "".join(lines[:start] + lines[end:])


def _compare(tmp_path: Path, old_text: str, new_text: str, *extra: str) -> dict:
    old, new = tmp_path / "old-2019.md", tmp_path / "new.md"
    old.write_text(old_text, encoding="utf-8")
    new.write_text(new_text, encoding="utf-8")
    out = tmp_path / "cmp.json"
    assert main(["compare", str(old), str(new), "--format", "json", "-o", str(out), *extra]) == 0
    return json.loads(out.read_text(encoding="utf-8"))


def _changed(data: dict) -> dict[str, str]:
    return {e["element"]: e["change"] for e in data["elements"] if e["change"] != "unchanged"}


def test_self_compare_is_all_unchanged(tmp_path):
    text = _source(MARLOW)
    data = _compare(tmp_path, text, text)
    assert _changed(data) == {}
    assert not any(e["reworded"] for e in data["elements"])
    assert data["sections"] == {"compared": True, "added": [], "removed": []}
    assert data["summary"]["sentence"] == "No element changed since the 2019 version."
    assert data["schema"] == "policy-review/compare@1"
    assert data["old"]["sha256"] == data["new"]["sha256"]


def test_renumbered_headings_give_no_change_at_all(tmp_path):
    old = _source(MARLOW)
    new = re.sub(r"\b332\.", "410.", old).replace("Policy 332", "Policy 410")
    data = _compare(tmp_path, old, new)
    assert _changed(data) == {}
    assert not any(e["reworded"] for e in data["elements"])
    assert data["sections"]["added"] == [] and data["sections"]["removed"] == []
    assert data["summary"]["red_flags_added"] == data["summary"]["red_flags_removed"] == 0


def test_weakened_deadline(tmp_path):
    old = _source(MARLOW)
    new = (
        old.replace(
            "no later than two hours after the report is first received", "as soon as practical"
        )
        .replace("within two hours", "as soon as practical")
        .replace("within 2 hours of report", "as soon as practical")
    )
    data = _compare(tmp_path, old, new)
    assert _changed(data) == {"LE-NCIC-2HR": "weakened"}
    ncic = next(e for e in data["elements"] if e["element"] == "LE-NCIC-2HR")
    edited = ["deleted", "no later than two hours after the report is first received."]
    assert edited in ncic["diff"]
    assert ["inserted", "as soon as practical."] in ncic["diff"]
    assert data["summary"]["weakened"] == 1 and data["summary"]["critical_lost"] == []


def test_removed_section(tmp_path):
    old = _source(MARLOW)
    data = _compare(tmp_path, old, _without_section(old, "332.15 TRAINING"))
    assert _changed(data) == {"LE-TRAINING": "lost"}
    assert data["summary"]["critical_lost"] == ["LE-TRAINING"]
    assert data["sections"]["removed"] == ["332.15 TRAINING"]
    assert data["summary"]["sentence"].startswith(
        "1 critical element lost since the 2019 version (LE-TRAINING)"
    )


def test_added_qa_clause(tmp_path):
    new = _source(PINE_RIDGE)
    data = _compare(tmp_path, _without_section(new, "Section 6 - Quality Assurance"), new)
    changes = _changed(data)
    qa = [e for e in data["elements"] if e["checklist"] == "psap-qa-clause"]
    improved = {"gained", "strengthened"}
    assert qa and all(changes.get(e["element"], "gained") in improved for e in qa)
    assert sum(1 for e in qa if e["change"] in improved) >= 3
    assert set(changes.values()) <= improved
    assert data["sections"]["added"] == ["Section 6 - Quality Assurance"]
    assert "chosen for the new version" in data["checklist_note"]


@pytest.mark.skipif(not CHICAGO_2012.exists(), reason="development corpus not beside the repo")
def test_real_2012_directive_and_its_revision(tmp_path):
    out = tmp_path / "chicago.json"
    revision = FIXTURES / "chicago-pd-s04-05-missing-found-persons-2020-revision.md"
    args = ["compare", str(CHICAGO_2012), str(revision), "--format", "json", "-o", str(out)]
    assert main(args) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    changes = _changed(data)
    # What the revision did on purpose: a two-hour NCIC entry and a broadcast added, the
    # tender-age definition raised to under fourteen, the no-wait rule stated, AMBER dropped.
    assert changes["LE-NCIC-2HR"] == "gained"
    assert changes["LE-COMM-BROADCAST"] == "gained"
    assert changes["LE-DEF-U-AGE13"] == "strengthened"
    assert changes["LE-POL-NO-WAIT"] == "strengthened"
    assert changes["LE-AMBER"] == "lost"
    assert "lost since the 2012 version (LE-AMBER)" in data["summary"]["sentence"]
    assert "ADDENDA:" in data["sections"]["removed"]


def test_json_reports_compare_like_documents(tmp_path):
    old_text = _source(MARLOW)
    new_text = _without_section(old_text, "332.15 TRAINING")
    from_docs = _compare(tmp_path, old_text, new_text)
    reports = []
    for name in ("old-2019.md", "new.md"):
        report = tmp_path / f"{name}.json"
        assert main(["analyze", str(tmp_path / name), "--format", "json", "-o", str(report)]) == 0
        reports.append(str(report))
    out = tmp_path / "from-json.json"
    assert main(["compare", *reports, "--format", "json", "-o", str(out)]) == 0
    from_json = json.loads(out.read_text(encoding="utf-8"))
    assert from_json["elements"] == from_docs["elements"]
    assert from_json["sections"] == {"compared": False, "added": [], "removed": []}


def test_html_marks_words_without_colour_alone_and_escapes(tmp_path):
    old = _source(MARLOW)
    new = old.replace("within two hours", "<script>alert(1)</script> within six hours")
    (tmp_path / "old.md").write_text(old, encoding="utf-8")
    (tmp_path / "new.md").write_text(new, encoding="utf-8")
    out = tmp_path / "cmp.html"
    assert (
        main(["compare", str(tmp_path / "old.md"), str(tmp_path / "new.md"), "-o", str(out)]) == 0
    )
    html = out.read_text(encoding="utf-8")
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html
    assert '<span class="visually-hidden">inserted: </span>' in html
    assert '<span class="visually-hidden">deleted: </span>' in html
    assert 'id="f-change"' in html and "Content-Security-Policy" in html


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"schema": "something/else"}', "not a usable JSON report"),
        ('{"schema": "policy-review/report@1"}', "missing or malformed field"),
        ("[[[[", "not a usable JSON report"),
    ],
)
def test_bad_report_json_is_one_line(tmp_path, capsys, content, message):
    bad = tmp_path / "old.json"
    bad.write_text(content, encoding="utf-8")
    new = tmp_path / "new.md"
    new.write_text(_source(MARLOW), encoding="utf-8")
    assert main(["compare", str(bad), str(new), "-o", str(tmp_path / "x.html")]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_missing_file_and_overwriting_an_input_are_refused(tmp_path, capsys):
    new = tmp_path / "new.md"
    new.write_text(_source(MARLOW), encoding="utf-8")
    assert main(["compare", str(tmp_path / "nope.pdf"), str(new)]) == 2
    assert "no such file" in capsys.readouterr().err
    old = tmp_path / "old.md"
    old.write_text(_source(MARLOW), encoding="utf-8")
    before = old.read_bytes()
    assert main(["compare", str(old), str(new), "-o", str(old)]) == 2
    assert "refusing to overwrite" in capsys.readouterr().err
    assert old.read_bytes() == before


def test_word_diff_merges_runs():
    assert word_diff("enter within two hours of the call", "enter as soon as practical") == (
        (DiffOp.SAME, "enter"),
        (DiffOp.DELETED, "within two hours of the call"),
        (DiffOp.INSERTED, "as soon as practical"),
    )
    assert word_diff("same words", "same words") == ((DiffOp.SAME, "same words"),)
