"""`policy-review batch`: per-document reports, ranked indexes, skipping, timeouts, bad files."""

from __future__ import annotations

import csv
import json
import multiprocessing
import os
import signal
import time
from pathlib import Path

import docx
import pytest

import policy_review.batch as batch_module
from policy_review.batch import BatchOptions, agency_type, rank_rows, run_batch
from policy_review.cli import main
from policy_review.extract import ExtractLimits
from policy_review.model import TriageRow

LAW_ENFORCEMENT_TEXT = (
    "Riverbend Police Department General Order 41.2: Missing Children",
    "I. Policy. Officers shall accept every report of a missing child immediately. There is no "
    "waiting period before a report of a missing child is taken.",
    "II. Procedure. The officer shall enter the child into NCIC within two hours of the report "
    "and shall request an AMBER Alert when the child is believed abducted.",
    "III. Supervision. A supervisor shall respond to the scene and coordinate the search.",
)
PSAP_TEXT = (
    "Tri-County Regional 911 Authority Directive 7: Calls About Missing Children",
    "Call-takers shall ask the caller for the child's description, clothing and the place the "
    "child was last seen, and shall broadcast the description to all units.",
    "The communications supervisor shall be notified of every call involving a missing, "
    "abducted or sexually exploited child.",
)
FORK_ONLY = pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(),
    reason="patching the analysis relies on workers forked from the test process",
)


def _write_docx(path: Path, paragraphs: tuple[str, ...]) -> Path:
    document = docx.Document()
    document.add_heading(paragraphs[0], level=1)
    for paragraph in paragraphs[1:]:
        document.add_paragraph(paragraph)
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path


@pytest.fixture
def submissions(tmp_path: Path) -> Path:
    """Four readable directives (two sharing a stem in different folders) and one broken PDF."""
    src = tmp_path / "submissions"
    _write_docx(src / "riverbend" / "policy.docx", LAW_ENFORCEMENT_TEXT)
    _write_docx(src / "tri-county" / "policy.docx", PSAP_TEXT)
    (src / "lakeview.txt").write_text("\n\n".join(LAW_ENFORCEMENT_TEXT[:2]), encoding="utf-8")
    (src / "dispatch notes é.txt").write_text("\n\n".join(PSAP_TEXT), encoding="utf-8")
    (src / "broken.pdf").write_bytes(b"%PDF-1.7\n" + os.urandom(2048))
    (src / "labels.yaml").write_text("checklists: []\n", encoding="utf-8")
    (src / ".DS_Store").write_bytes(b"\x00\x01")
    return src


def _index_rows(out: Path) -> list[dict]:
    return json.loads((out / "index.json").read_text(encoding="utf-8"))["rows"]


def test_batch_command_writes_reports_and_ranked_indexes(submissions, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["batch", str(submissions), "-o", str(out), "--jobs", "2"]) == 0
    summary = capsys.readouterr().err.strip().splitlines()
    assert summary == [
        f"4 analysed, 0 unchanged, 1 failed, 1 not documents; triage queue: {out / 'index.html'}"
    ]

    rows = _index_rows(out)
    assert {row["path"] for row in rows} == {
        "riverbend/policy.docx",
        "tri-county/policy.docx",
        "lakeview.txt",
        "dispatch notes é.txt",
        "broken.pdf",
    }
    broken = rows[0]
    assert broken["path"] == "broken.pdf" and not broken["ok"]
    assert "broken.pdf" in broken["error"] and "\n" not in broken["error"]
    assert broken["html_report"] == ""

    reports = [row for row in rows if row["ok"]]
    assert len({row["html_report"] for row in reports}) == len(reports)
    for row in reports:
        report = json.loads((out / row["json_report"]).read_text(encoding="utf-8"))
        assert report["schema"] == "policy-review/report@1"
        assert report["document"]["sha256"] == row["sha256"]
        assert row["checklists"] == [c["id"] for c in report["checklists"]]
        assert row["critical_missing"] == len(report["summary"]["critical_missing"])
        assert row["agency_type"] in {"law enforcement", "PSAP", "both"}
        assert (out / row["html_report"]).read_text(encoding="utf-8").lstrip().startswith("<")

    with (out / "index.csv").open(encoding="utf-8", newline="") as handle:
        csv_rows = list(csv.DictReader(handle))
    assert [r["path"] for r in csv_rows] == [r["path"] for r in rows]
    assert [int(r["rank"]) for r in csv_rows] == list(range(1, len(rows) + 1))
    index_html = (out / "index.html").read_text(encoding="utf-8")
    for row in reports:
        assert row["html_report"] in index_html


def test_rows_are_ranked_for_triage(submissions, tmp_path):
    result = run_batch(submissions, tmp_path / "out", BatchOptions(jobs=2))
    keys = [
        (row.ok, -row.critical_missing, -row.red_flags, -row.low_confidence) for row in result.rows
    ]
    assert keys == sorted(keys)
    assert [row.to_dict() for row in result.rows] == [
        {k: v for k, v in row.items() if k != "rank"} for row in _index_rows(tmp_path / "out")
    ]


def test_rank_orders_failures_then_critical_missing_red_flags_low_confidence():
    rows = [
        TriageRow(path="ready.pdf", ok=True, critical_missing=0, red_flags=0, low_confidence=0),
        TriageRow(path="flags.pdf", ok=True, critical_missing=2, red_flags=3, low_confidence=0),
        TriageRow(path="unsure.pdf", ok=True, critical_missing=2, red_flags=3, low_confidence=5),
        TriageRow(path="thin.pdf", ok=True, critical_missing=9, red_flags=0, low_confidence=0),
        TriageRow(path="broken.pdf", ok=False, error="corrupt"),
    ]
    ranked = [row.path for row in rank_rows(rows)]
    assert ranked == ["broken.pdf", "thin.pdf", "unsure.pdf", "flags.pdf", "ready.pdf"]


@pytest.mark.parametrize(
    ("checklists", "expected"),
    [
        (("le-model-policy",), "law enforcement"),
        (("psap-ansi-standard", "psap-qa-clause"), "PSAP"),
        (("le-model-policy", "psap-ansi-standard", "psap-qa-clause"), "both"),
    ],
)
def test_agency_type_follows_applied_checklists(checklists, expected):
    assert agency_type(checklists) == expected


def test_rerun_skips_unchanged_files_and_redoes_changed_ones(submissions, tmp_path):
    out = tmp_path / "out"
    first = run_batch(submissions, out, BatchOptions(jobs=2))
    assert (first.analysed, first.skipped, first.failed) == (4, 0, 1)

    again = run_batch(submissions, out, BatchOptions(jobs=2))
    assert (again.analysed, again.skipped, again.failed) == (0, 4, 1)
    assert [row.path for row in again.rows] == [row.path for row in first.rows]

    (submissions / "lakeview.txt").write_text("\n\n".join(LAW_ENFORCEMENT_TEXT), encoding="utf-8")
    changed = run_batch(submissions, out, BatchOptions(jobs=2))
    assert (changed.analysed, changed.skipped) == (1, 3)

    forced = run_batch(submissions, out, BatchOptions(jobs=2, force=True))
    assert (forced.analysed, forced.skipped) == (4, 0)


def test_changed_limits_invalidate_earlier_reports(submissions, tmp_path):
    out = tmp_path / "out"
    run_batch(submissions, out, BatchOptions(jobs=1))
    limits = ExtractLimits(max_pages=5, ocr=False)
    rerun = run_batch(submissions, out, BatchOptions(jobs=1, limits=limits))
    assert rerun.skipped == 0 and rerun.analysed == 4


def test_output_folder_inside_input_is_not_analysed(submissions):
    out = submissions / "reports"
    run_batch(submissions, out, BatchOptions(jobs=2))
    again = run_batch(submissions, out, BatchOptions(jobs=2, force=True))
    assert not any(row.path.startswith("reports/") for row in again.rows)
    assert len(again.rows) == 5


def test_files_that_are_not_documents_are_listed_as_ignored(submissions, tmp_path):
    result = run_batch(submissions, tmp_path / "out", BatchOptions(jobs=2))
    assert result.ignored == ("labels.yaml",)
    assert all(row.path not in {"labels.yaml", ".DS_Store"} for row in result.rows)


def test_csv_cells_cannot_run_as_spreadsheet_formulas(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "=HYPERLINK(1).txt").write_text("\n\n".join(PSAP_TEXT), encoding="utf-8")
    out = tmp_path / "out"
    run_batch(src, out, BatchOptions(jobs=1))
    with (out / "index.csv").open(encoding="utf-8", newline="") as handle:
        (row,) = list(csv.DictReader(handle))
    assert row["path"] == "'=HYPERLINK(1).txt"


def test_progress_is_reported_to_the_caller_and_nothing_printed(submissions, tmp_path, capsys):
    seen = []
    run_batch(submissions, tmp_path / "out", BatchOptions(jobs=2, on_progress=seen.append))
    assert capsys.readouterr().err == ""
    assert [p.done for p in seen] == [0, 1, 2, 3, 4, 5]
    assert seen[-1].total == 5 and seen[-1].failed == 1


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (BatchOptions(jobs=-1), "--jobs"),
        (BatchOptions(timeout_s=0), "--timeout"),
        (BatchOptions(checklist_refs=("no-such-checklist",)), "no-such-checklist"),
    ],
)
def test_bad_options_are_one_clear_error(submissions, tmp_path, options, message):
    with pytest.raises(batch_module.PolicyReviewError, match=message):
        run_batch(submissions, tmp_path / "out", options)


def test_output_folder_must_differ_from_input(submissions, capsys):
    assert main(["batch", str(submissions), "-o", str(submissions)]) == 2
    assert "must differ" in capsys.readouterr().err


def _slow_or_crashing_review(real_review):
    """Stands in for review() inside forked workers: some documents hang or kill their process."""

    def review(document, checklists=None):
        name = Path(document.source).name
        if name.startswith("hang"):
            time.sleep(600)
        if name.startswith("crash"):
            os.kill(os.getpid(), signal.SIGKILL)
        if name.startswith("oom"):
            raise MemoryError
        return real_review(document, checklists)

    return review


@FORK_ONLY
def test_hung_crashed_and_oom_documents_become_error_rows(tmp_path, monkeypatch):
    src = tmp_path / "src"
    src.mkdir()
    for name in ("hang.txt", "crash.txt", "oom.txt", "fine-1.txt", "fine-2.txt", "fine-3.txt"):
        (src / name).write_text("\n\n".join((*PSAP_TEXT, name)), encoding="utf-8")
    monkeypatch.setattr(batch_module, "review", _slow_or_crashing_review(batch_module.review))

    started = time.monotonic()
    result = run_batch(src, tmp_path / "out", BatchOptions(jobs=2, timeout_s=3))
    assert time.monotonic() - started < 30
    rows = {row.path: row for row in result.rows}
    assert "not finished within 3 s" in rows["hang.txt"].error
    assert "crashed" in rows["crash.txt"].error
    assert "out of memory" in rows["oom.txt"].error
    assert all(rows[f"fine-{n}.txt"].ok for n in (1, 2, 3))
    assert (result.analysed, result.failed) == (3, 3)
