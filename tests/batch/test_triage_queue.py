"""The triage queue around a batch: report names, per-file checklists, duplicates, decisions."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import pytest
from test_batch import LAW_ENFORCEMENT_TEXT, PSAP_TEXT

from policy_review.batch import BatchOptions, run_batch
from policy_review.cli import main
from policy_review.model import QueueStatus, TriageRow
from policy_review.render import render_index_html
from policy_review.triage import rank_rows, report_base

LE = "\n\n".join(LAW_ENFORCEMENT_TEXT)
PSAP = "\n\n".join(PSAP_TEXT)


def _rows(out: Path) -> dict[str, dict]:
    data = json.loads((out / "index.json").read_text(encoding="utf-8"))
    return {row["path"]: row for row in data["rows"]}


@pytest.mark.parametrize(
    ("name", "siblings", "expected"),
    [
        ("policy.docx", [], "policy"),
        ("policy.docx", ["policy.pdf"], "policy.docx"),
        ("Policy.docx", ["policy.pdf"], "Policy.docx"),  # case-only clashes too (macOS, Windows)
        ("GO 41.2 (rev).pdf", [], "GO-41.2-rev"),
        ("a b.pdf", ["a-b.pdf"], f"a-b.pdf-{hashlib.sha256(b'a b.pdf').hexdigest()[:8]}"),
    ],
)
def test_report_base_rule(name, siblings, expected):
    assert report_base(name, [name, *siblings]) == expected


def test_analyze_and_batch_name_a_report_the_same(tmp_path, monkeypatch):
    src = tmp_path / "src"
    (src / "riverbend").mkdir(parents=True)
    (src / "riverbend" / "policy.txt").write_text(LE, encoding="utf-8")
    (src / "riverbend" / "policy.md").write_text(PSAP, encoding="utf-8")
    (src / "GO 7 (rev).txt").write_text(PSAP + "\n\nRevision 7.", encoding="utf-8")
    out = tmp_path / "out"
    run_batch(src, out, BatchOptions(jobs=1))
    rows = _rows(out)
    assert rows["riverbend/policy.txt"]["html_report"] == "riverbend/policy.txt.report.html"
    assert rows["GO 7 (rev).txt"]["html_report"] == "GO-7-rev.report.html"

    # analyze writes the name batch gave, so a re-render replaces the report the index links to
    for relative in ("riverbend/policy.txt", "GO 7 (rev).txt"):
        folder = (out / rows[relative]["html_report"]).parent
        assert main(["analyze", str(src / relative), "-o", str(folder)]) == 0
        assert sorted(p.name for p in folder.glob("*.report.html")) == sorted(
            Path(r["html_report"]).name
            for r in rows.values()
            if (out / r["html_report"]).parent == folder
        )
    # ... and keeps its place in the queue: back to the index, on to the next document
    rerendered = (out / "riverbend/policy.txt.report.html").read_text(encoding="utf-8")
    assert '<a href="../index.html">← Back to the triage queue</a>' in rerendered
    assert 'href="../index.html#after=riverbend/policy.txt.report.html"' in rerendered
    monkeypatch.chdir(tmp_path)
    assert main(["analyze", str(src / "GO 7 (rev).txt")]) == 0
    alone = (tmp_path / "GO-7-rev.report.html").read_text(encoding="utf-8")
    assert "Back to the triage queue" not in alone  # not in a batch folder: no queue links


def test_checklists_csv_fixes_the_checklists_per_file_and_index_csv_can_be_edited(tmp_path, capsys):
    src = tmp_path / "src"
    src.mkdir()
    (src / "regional.txt").write_text(PSAP, encoding="utf-8")
    (src / "riverbend.txt").write_text(LE, encoding="utf-8")
    (src / "lakeview.txt").write_text(LE + "\n\nLakeview.", encoding="utf-8")
    (src / "checklists.csv").write_text(
        "file,checklists\n"
        "riverbend.txt,psap-ansi-standard; psap-qa-clause\n"
        "gone.pdf,le-model-policy\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert main(["batch", str(src), "-o", str(out), "--jobs", "1"]) == 0
    err = capsys.readouterr().err
    assert "warning: the checklist choice for gone.pdf matches no file in the batch" in err
    rows = _rows(out)
    chosen = rows["riverbend.txt"]
    assert chosen["checklists"] == ["psap-ansi-standard", "psap-qa-clause"]
    assert chosen["checklists_from"] == "checklists.csv"
    assert "chosen by the user" in (out / chosen["html_report"]).read_text(encoding="utf-8")
    assert rows["regional.txt"]["checklists_from"] == ""
    assert "from checklists.csv" in (out / "index.html").read_text(encoding="utf-8")

    # the index's own checklists column, edited and fed back, is a choice file too
    with (out / "index.csv").open(encoding="utf-8", newline="") as handle:
        table = list(csv.DictReader(handle))
    for row in table:
        row["checklists"] = "le-model-policy" if row["path"] == "regional.txt" else ""
    edited = tmp_path / "edited.csv"
    with edited.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(table[0]))
        writer.writeheader()
        writer.writerows(table)
    (src / "checklists.csv").unlink()
    assert main(["batch", str(src), "-o", str(out), "--checklists-csv", str(edited)]) == 0
    # regional: a choice now; riverbend: its choice gone; lakeview: as before
    assert "2 analysed, 1 unchanged" in capsys.readouterr().err
    rows = _rows(out)
    assert rows["regional.txt"]["checklists"] == ["le-model-policy"]
    assert rows["regional.txt"]["checklists_from"] == "edited.csv"


def test_a_bad_choice_file_is_one_clear_error(tmp_path, capsys):
    src = tmp_path / "src"
    src.mkdir()
    (src / "riverbend.txt").write_text(LE, encoding="utf-8")
    (src / "checklists.csv").write_text("file,checklists\nriverbend.txt,no-such\n", "utf-8")
    assert main(["batch", str(src), "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "checklists.csv, riverbend.txt:" in err[0] and "no-such" in err[0]
    (src / "checklists.csv").write_text("name;ids\nriverbend.txt;x\n", "utf-8")
    assert main(["batch", str(src), "-o", str(tmp_path / "out")]) == 2
    assert "needs a 'file' (or 'path') column" in capsys.readouterr().err


def test_copies_are_analysed_once_and_same_text_files_are_linked(tmp_path):
    src = tmp_path / "src"
    (src / "resubmitted").mkdir(parents=True)
    (src / "riverbend.txt").write_text(LE, encoding="utf-8")
    (src / "resubmitted" / "riverbend copy.txt").write_bytes((src / "riverbend.txt").read_bytes())
    (src / "riverbend.md").write_text(LE.replace(" ", "  "), encoding="utf-8")  # other bytes
    (src / "regional.txt").write_text(PSAP, encoding="utf-8")
    result = run_batch(src, tmp_path / "out", BatchOptions(jobs=1))
    assert result.analysed == 3
    rows = {row.path: row for row in result.rows}
    copy = rows["resubmitted/riverbend copy.txt"]
    assert copy.status is QueueStatus.DUPLICATE
    assert copy.duplicate_of == "riverbend.txt"
    assert copy.html_report == rows["riverbend.txt"].html_report
    assert result.rows[-1] is copy  # ranked apart, after every real submission
    assert rows["riverbend.txt"].same_text_as == "riverbend.md"
    assert rows["riverbend.md"].same_text_as == ""
    assert rows["regional.txt"].same_text_as == ""
    html = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert 'duplicate: a byte-identical copy of <a href="#row-riverbend_txt">' in html
    assert 'Same text as <a href="#row-riverbend_md">riverbend.md</a>' in html

    # the copy's source changes: it is analysed on its own next time
    (src / "resubmitted" / "riverbend copy.txt").write_text(PSAP + "\n\nRevised.", "utf-8")
    again = run_batch(src, tmp_path / "out", BatchOptions(jobs=1))
    assert (again.analysed, again.skipped) == (1, 3)
    assert {r.path: r for r in again.rows}["resubmitted/riverbend copy.txt"].duplicate_of == ""


def test_files_without_a_missing_child_topic_rank_apart_with_their_own_status():
    rows = [
        TriageRow(path="copy.pdf", ok=True, critical_missing=9, duplicate_of="a.pdf"),
        TriageRow(path="notes.txt", ok=True, critical_missing=36, off_topic=True),
        TriageRow(path="a.pdf", ok=True, critical_missing=2),
        TriageRow(path="broken.pdf", ok=False, error="damaged"),
    ]
    ranked = rank_rows(rows)
    assert [row.path for row in ranked] == ["broken.pdf", "a.pdf", "notes.txt", "copy.pdf"]
    assert [row.to_dict()["status"] for row in ranked] == [
        "failed",
        "analysed",
        "off_topic",
        "duplicate",
    ]
    html = render_index_html(ranked)
    assert "not a missing-child directive</span>" in html
    assert "1 ranked apart as not a missing-child directive. 1 ranked apart as duplicate." in html


def test_batch_marks_off_topic_files_and_close_checklist_choices_from_their_reports(tmp_path):
    samples = Path(__file__).resolve().parents[2] / "sample_policies"
    src = tmp_path / "src"
    src.mkdir()
    (src / "notes.txt").write_text("Call Bob about the budget meeting.", encoding="utf-8")
    (src / "riverbend.txt").write_text(LE, encoding="utf-8")
    close = "granby-falls-dispatch-procedure-12-missing-persons.pdf"
    (src / close).write_bytes((samples / close).read_bytes())
    rows = run_batch(src, tmp_path / "out", BatchOptions(jobs=1)).rows
    assert [row.path for row in rows][-1] == "notes.txt"
    by_path = {row.path: row for row in rows}
    assert by_path["notes.txt"].status is QueueStatus.OFF_TOPIC
    assert by_path["riverbend.txt"].status is QueueStatus.ANALYSED
    assert by_path[close].choice_close and not by_path["riverbend.txt"].choice_close


def _decisions_file(path: Path, sha256: str, reviewer: str, *decisions) -> None:
    items = [
        {"checklist": checklist, "element": element, "decision": decision}
        for checklist, element, decision in decisions
    ]
    data = {
        "schema": "policy-review/decisions@1",
        "document": {"sha256": sha256},
        "reviewer": reviewer,
        "decisions": items,
    }
    path.write_text(json.dumps(data), encoding="utf-8")


def test_batch_decisions_column_and_after_review_count(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "riverbend.txt").write_text(LE, encoding="utf-8")
    (src / "regional.txt").write_text(PSAP, encoding="utf-8")
    out = tmp_path / "out"
    first = {row.path: row for row in run_batch(src, out, BatchOptions(jobs=1)).rows}
    riverbend = first["riverbend.txt"]
    report = json.loads((out / riverbend.json_report).read_text(encoding="utf-8"))
    missing = report["summary"]["critical_missing"]
    assert len(missing) >= 2
    decisions = tmp_path / "decisions"
    decisions.mkdir()
    checklist = riverbend.checklists[0]
    _decisions_file(
        decisions / "riverbend.decisions.json",
        riverbend.sha256,
        "Dana Reviewer",
        (checklist, missing[0], "reject"),
        (checklist, missing[1], "accept"),
        (checklist, "X-NOT-THERE", "follow-up"),
    )
    (decisions / "notes.txt").write_text("not JSON, not read", encoding="utf-8")
    result = run_batch(src, out, BatchOptions(jobs=1, decisions_dir=decisions))
    assert result.skipped == 2  # decisions never cost a re-analysis
    rows = {row.path: row for row in result.rows}
    decided = rows["riverbend.txt"]
    assert decided.decisions == "1 agreed, 1 tool wrong, 1 to follow up by Dana Reviewer"
    assert decided.after_review_critical_missing == len(missing) - 1
    assert rows["regional.txt"].decisions == ""
    html = (out / "index.html").read_text(encoding="utf-8")
    assert f"after review: {len(missing) - 1} critical missing" in html

    (decisions / "bad.json").write_text('{"schema": "other"}', encoding="utf-8")
    assert main(["batch", str(src), "-o", str(out), "--decisions", str(decisions)]) == 2
