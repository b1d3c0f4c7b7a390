"""What a batch writes can be trusted: one source per output folder, no stale reports, links not
followed out of the folder, CSV that survives any file name, one-line errors, writability first."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest

from policy_review.batch import BatchOptions, SkippedLink, run_batch
from policy_review.cli import main

DIRECTIVE = (
    "Riverbend Police Department General Order 41.2: Missing Children\n\n"
    "I. Policy. Officers shall accept every report of a missing child immediately.\n\n"
    "II. Procedure. The officer shall enter the child into NCIC within two hours of the report."
)
SECRET = "root:x:0:0:the secret line of a file outside the folder"


def _folder(path: Path, *names: str) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    for name in names:  # distinct texts: copies of one text are analysed once
        (path / name).write_text(f"{DIRECTIVE}\n\nIII. Filed as {name}.", encoding="utf-8")
    return path


def _rows(out: Path) -> dict[str, dict]:
    rows = json.loads((out / "index.json").read_text(encoding="utf-8"))["rows"]
    return {row["path"]: row for row in rows}


def test_an_output_folder_holding_another_sources_results_is_refused_unless_forced(
    tmp_path, capsys
):
    first = _folder(tmp_path / "first", "shared-name.txt", "only-first.txt")
    second = _folder(tmp_path / "second", "shared-name.txt")
    out = tmp_path / "out"
    assert main(["batch", str(first), "-o", str(out)]) == 0
    before = (out / "shared-name.report.json").read_bytes()
    capsys.readouterr()

    assert main(["batch", str(second), "-o", str(out)]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert "holds the results of another folder" in line and "--force" in line
    assert (out / "shared-name.report.json").read_bytes() == before
    assert set(_rows(out)) == {"shared-name.txt", "only-first.txt"}

    assert main(["batch", str(second), "-o", str(out), "--force"]) == 0
    assert set(_rows(out)) == {"shared-name.txt"}
    assert sorted(p.name for p in out.glob("*.report.*")) == [
        "shared-name.report.html",
        "shared-name.report.json",
    ]


def test_reports_of_files_that_left_or_changed_are_removed(tmp_path):
    src = _folder(tmp_path / "src", "stays.txt", "leaves.txt", "changes.txt")
    out = tmp_path / "out"
    run_batch(src, out, BatchOptions(jobs=1))
    (src / "leaves.txt").unlink()
    (src / "changes.txt").write_text(DIRECTIVE + "\n\nIII. A new paragraph.", encoding="utf-8")
    (src / "changes.txt").rename(src / "renamed.txt")

    result = run_batch(src, out, BatchOptions(jobs=1))
    assert {row.path for row in result.rows} == {"stays.txt", "renamed.txt"}
    assert (result.skipped, result.analysed) == (1, 1)
    linked = {name for row in result.rows for name in (row.html_report, row.json_report)}
    assert {p.relative_to(out).as_posix() for p in out.rglob("*.report.*")} == linked


def test_symbolic_links_are_not_followed_out_of_the_folder(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "passwd.txt").write_text(SECRET, encoding="utf-8")
    src = _folder(tmp_path / "src", "policy.txt")
    (src / "sub").mkdir()
    (src / "passwd.txt").symlink_to(outside / "passwd.txt")
    (src / "outside-folder").symlink_to(outside)
    (src / "dangling.txt").symlink_to(tmp_path / "missing.txt")
    (src / "loop.txt").symlink_to(src / "loop.txt")
    (src / "sub" / "inside.txt").symlink_to(src / "policy.txt")
    (src / "inner-folder").symlink_to(src / "sub")
    out = tmp_path / "out"

    result = run_batch(src, out, BatchOptions(jobs=1))
    rows = {row.path: row for row in result.rows}
    assert rows["passwd.txt"].error == SkippedLink.OUTSIDE
    assert rows["outside-folder"].error == SkippedLink.OUTSIDE
    assert rows["dangling.txt"].error == SkippedLink.DANGLING
    assert rows["loop.txt"].error == SkippedLink.LOOP
    assert rows["inner-folder"].error == SkippedLink.FOLDER
    assert rows["sub/inside.txt"].ok and rows["policy.txt"].ok
    assert len(rows) == 7
    for written in out.iterdir():
        assert "secret line" not in written.read_text(encoding="utf-8", errors="replace")


HOSTILE_NAMES = ("carriage\rreturn.txt", "line\nfeed.txt", 'say "hi", twice.txt', "esc\x1b[31m.txt")


def test_csv_keeps_one_row_per_file_whatever_its_name(tmp_path):
    src = _folder(tmp_path / "src", *HOSTILE_NAMES)
    out = tmp_path / "out"
    run_batch(src, out, BatchOptions(jobs=1))
    with (out / "index.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert sorted(row["path"] for row in rows) == sorted(HOSTILE_NAMES)
    assert all(row["ok"] == "True" for row in rows)


def test_printed_names_have_control_characters_escaped(tmp_path, capsys):
    bad = tmp_path / "evil\n\x1b[2Jname\r.txt"
    bad.write_bytes(b"")
    assert main(["analyze", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "\r" not in err and "\x1b" not in err
    assert "evil\\n\\e[2Jname\\r.txt" in err

    out = tmp_path / "out\nput"
    assert main(["batch", str(_folder(tmp_path / "src", "a.txt")), "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "out\\nput" in err


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs a folder no one can write")
def test_an_output_folder_that_cannot_be_written_is_refused_before_any_work(
    tmp_path, capsys, monkeypatch
):
    import policy_review.batch as batch_module

    def must_not_run(*args, **kwargs):
        raise AssertionError("analysis started before the output folder was checked")

    monkeypatch.setattr(batch_module, "_run_tasks", must_not_run)
    src = _folder(tmp_path / "src", "a.txt")
    read_only = Path("/proc/self") if os.geteuid() == 0 else tmp_path / "read-only"
    if os.geteuid() != 0:
        read_only.mkdir(mode=0o555)
    assert main(["batch", str(src), "-o", str(read_only)]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert "cannot write to the output folder" in line


@pytest.mark.parametrize("command", ["analyze", "batch"])
@pytest.mark.parametrize("value", ["inf", "nan", "0", "-1"])
def test_a_timeout_that_is_not_a_finite_positive_number_is_a_usage_error(
    tmp_path, capsys, command, value
):
    src = _folder(tmp_path / "src", "a.txt")
    target = [str(src / "a.txt")] if command == "analyze" else [str(src), "-o", str(tmp_path)]
    assert main([command, *target, "--timeout", value]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert "--timeout must be a positive, finite number" in line
