"""Hostile inputs through the real command line, as subprocesses, so any traceback is visible.

Every case must end in exit 0 with a report, or exit 2 with exactly one line on stderr; within
CASE_TIMEOUT_S, under a MEMORY_LIMIT_BYTES address-space limit, with its input byte-identical.
The runs happen once per session, two at a time; each test then checks one (case, command).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from make_hostile import (
    SMALL_LIMIT_BYTES,
    SMALL_LIMIT_PAGES,
    Case,
    hostile_cases,
    write_hostile_files,
)

REPO_ROOT = Path(__file__).resolve().parents[2]

CASE_TIMEOUT_S = 60
BATCH_TIMEOUT_S = 90
PER_DOCUMENT_TIMEOUT_S = 30
MEMORY_LIMIT_BYTES = 2 * 2**30
PARALLEL_RUNS = 2
ERROR_PREFIX = "policy-review: error:"
# `python -m policy_review`, but with an address-space limit set first (no preexec_fn: the runs
# are started from threads, where preexec_fn is unsafe)
LAUNCHER = (
    "import resource, runpy, sys\n"
    f"resource.setrlimit(resource.RLIMIT_AS, ({MEMORY_LIMIT_BYTES}, {MEMORY_LIMIT_BYTES}))\n"
    "runpy.run_module('policy_review', run_name='__main__', alter_sys=True)\n"
)
DOCUMENT_SUFFIXES = {".pdf", ".docx", ".doc", ".rtf", ".html", ".htm", ".txt", ".md"}

CASES = hostile_cases()


@dataclass(frozen=True)
class Run:
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    report: str = ""

    @property
    def everything(self) -> str:
        return self.stdout + self.stderr + self.report


def run_cli(
    args: list[str],
    *,
    cwd: Path,
    env: dict[str, str] | None = None,
    timeout_s: float = CASE_TIMEOUT_S,
) -> Run:
    """`python -m policy_review ARGS` under the memory limit; an overrun is a Run, not a crash."""
    environment = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "OMP_THREAD_LIMIT": "1"}
    environment.update(env or {})
    started = time.monotonic()
    try:
        done = subprocess.run(
            [sys.executable, "-c", LAUNCHER, *args],
            cwd=cwd,
            env=environment,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=timeout_s,
        )
    except subprocess.TimeoutExpired:
        return Run(-1, "", f"killed: not finished within {timeout_s} s", time.monotonic() - started)
    return Run(done.returncode, done.stdout, done.stderr, time.monotonic() - started)


def _digests(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.fixture(scope="session")
def hostile_dir(tmp_path_factory) -> tuple[Path, list[str], dict[str, str]]:
    folder = tmp_path_factory.mktemp("hostile")
    missing_tools = write_hostile_files(folder)
    return folder, missing_tools, _digests(folder)


def _run_case(case: Case, command: str, folder: Path, work: Path) -> Run:
    cwd = work / f"{case.id}-{command}"
    cwd.mkdir()
    args = [command, str(folder / case.path), *case.args]
    report_path = cwd / "report.html"
    if command == "analyze":
        args += ["-o", str(report_path)]
    run = run_cli(args, cwd=cwd, env=case.env)
    report = report_path.read_text(encoding="utf-8") if report_path.exists() else ""
    return Run(run.returncode, run.stdout, run.stderr, run.seconds, report)


@pytest.fixture(scope="session")
def hostile_runs(hostile_dir, tmp_path_factory) -> dict[tuple[str, str], Run]:
    folder, missing_tools, _ = hostile_dir
    work = tmp_path_factory.mktemp("hostile-runs")
    jobs = [
        (case, command)
        for case in CASES
        if case.requires not in missing_tools
        for command in ("analyze", "extract")
    ]
    with ThreadPoolExecutor(PARALLEL_RUNS) as pool:
        runs = pool.map(lambda job: _run_case(*job, folder, work), jobs)
        return {(case.id, command): run for (case, command), run in zip(jobs, runs, strict=True)}


@pytest.fixture(scope="session")
def batch_run(hostile_dir, hostile_runs, tmp_path_factory) -> tuple[Run, dict]:
    """Batch over the whole hostile folder, after the single runs (the machine has 2 cores)."""
    folder, _, _ = hostile_dir
    out = tmp_path_factory.mktemp("hostile-batch") / "out"
    args = [
        "batch",
        str(folder),
        "-o",
        str(out),
        "--jobs",
        "2",
        "--max-bytes",
        str(SMALL_LIMIT_BYTES),
        "--max-pages",
        str(SMALL_LIMIT_PAGES),
        "--timeout",
        str(PER_DOCUMENT_TIMEOUT_S),
    ]
    run = run_cli(args, cwd=out.parent, timeout_s=BATCH_TIMEOUT_S)
    index = out / "index.json"
    rows = json.loads(index.read_text(encoding="utf-8"))["rows"] if index.exists() else []
    return run, {row["path"]: row for row in rows}


@pytest.mark.parametrize("command", ["analyze", "extract"])
@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_hostile_input_ends_in_report_or_one_clear_error(case, command, hostile_dir, hostile_runs):
    _, missing_tools, _ = hostile_dir
    if case.requires in missing_tools:
        pytest.skip(f"{case.requires} is not installed (apt-get install {case.requires})")
    run = hostile_runs[case.id, command]
    assert "Traceback" not in run.stdout + run.stderr, run.stderr
    assert run.seconds < CASE_TIMEOUT_S
    allowed = {"ok": {0}, "error": {2}, "either": {0, 2}}[case.expect]
    assert run.returncode in allowed, f"exit {run.returncode}; stderr: {run.stderr.strip()}"
    if run.returncode == 2:
        lines = run.stderr.strip().splitlines()
        assert len(lines) == 1, run.stderr
        assert lines[0].startswith(ERROR_PREFIX), lines[0]
        assert "internal error" not in lines[0], lines[0]
        assert str(case.path.name) in lines[0] or case.path.stem in lines[0], (
            f"the error line should name the file: {lines[0]}"
        )
    elif command == "analyze":
        assert run.report.strip(), "exit 0 but no HTML report written"
    elif case.text:
        assert case.text in run.stdout, run.stdout[:500]
    if case.hint:
        assert case.hint.lower() in run.stderr.lower(), run.stderr
    for secret in case.forbidden:
        assert secret not in run.everything
    if command == "analyze":
        for markup in case.forbidden_in_html:
            assert markup not in run.report
        for literal in case.required_in_html:
            assert literal in run.report


def test_batch_over_hostile_folder_reports_good_files_and_error_rows(hostile_dir, batch_run):
    folder, missing_tools, _ = hostile_dir
    run, rows = batch_run
    assert "Traceback" not in run.stdout + run.stderr, run.stderr
    assert run.returncode == 0, run.stderr
    assert len(run.stderr.strip().splitlines()) == 1, run.stderr
    checked = 0
    for case in CASES:
        if not case.in_batch or case.requires in missing_tools:
            continue
        relative = displayable(case.path.as_posix())
        if case.path.suffix.lower() not in DOCUMENT_SUFFIXES:
            assert relative not in rows, f"{relative} is not a document and should be ignored"
            continue
        row = rows[relative]
        checked += 1
        if case.expect == "ok":
            assert row["ok"], f"{relative}: {row['error']}"
        elif case.expect == "error":
            assert not row["ok"], f"{relative} should be an error row"
            assert row["error"] and "\n" not in row["error"]
            assert "internal error" not in row["error"], row["error"]
        for secret in case.forbidden:
            assert secret not in json.dumps(row)
    assert checked >= len(CASES) // 2


def displayable(name: str) -> str:
    """How a file name that is not UTF-8 appears in the index (undecodable bytes as U+FFFD)."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def run_out_dir(run: Run) -> Path | None:
    """The output folder named in the batch summary line ('... triage queue: PATH')."""
    marker = "triage queue: "
    line = run.stderr.strip()
    return Path(line.split(marker, 1)[1]).parent if marker in line else None


def test_batch_reports_of_good_files_are_readable(hostile_dir, batch_run):
    run, rows = batch_run
    out = run_out_dir(run)
    assert out is not None, run.stderr
    good = [row for row in rows.values() if row["ok"]]
    assert good
    for row in good:
        html = (out / row["html_report"]).read_text(encoding="utf-8")
        report = json.loads((out / row["json_report"]).read_text(encoding="utf-8"))
        assert report["schema"] == "policy-review/report@1"
        assert "<script>alert('pr-injected')" not in html
    assert (out / "index.html").is_file() and (out / "index.csv").is_file()


def test_inputs_are_byte_identical_after_every_run(hostile_dir, hostile_runs, batch_run):
    folder, _, before = hostile_dir
    assert _digests(folder) == before
