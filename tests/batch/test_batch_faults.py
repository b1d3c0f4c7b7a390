"""Fault injection: a batch killed anywhere (parent or worker, kill -9, SIGTERM, SIGHUP) leaves an
output folder whose index, manifest and reports agree, releases it, and resumes where it stopped.

The batch parent runs in a process forked from the test (already warm, so each start costs
milliseconds); it is killed either at a seeded random moment or right after a chosen number of
documents, and every worker must die with it.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import random
import signal
import time
from pathlib import Path

import pytest

from policy_review.batch import BatchOptions, run_batch
from policy_review.cli import main

pytestmark = pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods() or not Path("/proc").is_dir(),
    reason="kills forked batch parents and finds their workers through /proc",
)

DOCUMENTS = 8
SEED = 15
RANDOM_KILLS = 3
KILL_WINDOW_S = (0.05, 1.0)
WORKER_KILL_WINDOW_S = 0.1
WORKERS_GONE_S = 5.0
DIRECTIVE = (
    "Riverbend Police Department General Order {n}: Missing Children\n\n"
    "I. Policy. Officers shall accept every report of a missing child immediately. There is no "
    "waiting period before a report of a missing child is taken.\n\n"
    "II. Procedure. The officer shall enter the child into NCIC within two hours of the report "
    "and shall request an AMBER Alert when the child is believed abducted.\n\n"
    "III. Version {version}. A supervisor shall respond to the scene and coordinate the search."
)


@pytest.fixture(scope="module", autouse=True)
def warm_parent(tmp_path_factory):
    """Build the pipeline, checklists and matchers here, once, so every forked batch starts warm."""
    src = tmp_path_factory.mktemp("warm")
    (src / "warm.txt").write_text(DIRECTIVE.format(n=0, version=0), encoding="utf-8")
    assert run_batch(src, src / "out", BatchOptions(jobs=1)).analysed == 1


def _write_sources(src: Path, version: int) -> None:
    src.mkdir(exist_ok=True)
    for n in range(DOCUMENTS):
        text = DIRECTIVE.format(n=n, version=version) + (" Every officer shall assist." * 40 * n)
        (src / f"directive-{n:02d}.txt").write_text(text, encoding="utf-8")


def _start_batch(src: Path, out: Path, *, force=False, die_after: int | None = None, sig=None):
    """A batch parent in its own process group (its workers join it); it kills itself with
    `sig` once `die_after` documents are done, when asked."""

    def progress(state) -> None:
        if die_after is not None and state.done >= die_after:
            os.kill(os.getpid(), sig)

    def target() -> None:
        os.setpgrp()
        options = BatchOptions(jobs=2, force=force, on_progress=progress)
        run_batch(src, out, options)

    process = multiprocessing.get_context("fork").Process(target=target)
    process.start()
    return process


def _group_members(pgid: int) -> list[int]:
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields_after_name = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        state, group = fields_after_name[0], int(fields_after_name[2])
        if group == pgid and state != "Z":
            members.append(int(entry.name))
    return members


def _assert_workers_gone(pgid: int) -> None:
    deadline = time.monotonic() + WORKERS_GONE_S
    while _group_members(pgid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _group_members(pgid) == [], "batch workers outlived their parent"


def _assert_consistent(out: Path) -> dict:
    """Every row that links a report links the report of the bytes the row's sha256 names, in
    the manifest and in each index; returns the manifest."""
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    tables = [manifest["rows"]]
    if (out / "index.json").exists():
        tables.append(json.loads((out / "index.json").read_text(encoding="utf-8"))["rows"])
    for rows in tables:
        for row in rows:
            if row["json_report"]:
                report = json.loads((out / row["json_report"]).read_text(encoding="utf-8"))
                assert report["document"]["sha256"] == row["sha256"], row["path"]
                assert (out / row["html_report"]).is_file()
    return manifest


def test_random_kills_of_the_parent_never_leave_a_row_linking_another_version(tmp_path):
    src, out = tmp_path / "src", tmp_path / "out"
    _write_sources(src, version=1)
    assert run_batch(src, out, BatchOptions(jobs=2)).analysed == DOCUMENTS
    _write_sources(src, version=2)  # every file changes: a --force rerun rewrites every report
    rng = random.Random(SEED)
    for _ in range(RANDOM_KILLS):
        batch = _start_batch(src, out, force=True)
        time.sleep(rng.uniform(*KILL_WINDOW_S))
        os.kill(batch.pid, signal.SIGKILL)
        batch.join()
        _assert_workers_gone(batch.pid)
        _assert_consistent(out)
    result = run_batch(src, out, BatchOptions(jobs=2))  # the lock was released with the parent
    assert result.failed == 0 and len(result.rows) == DOCUMENTS
    manifest = _assert_consistent(out)
    assert manifest["pending"] == []
    assert not list(out.glob(".*.partial"))  # what killed writers left is cleared
    reports = sorted(path.name for path in out.glob("*.report.json"))
    assert reports == sorted(row.json_report for row in result.rows)


def test_killing_a_worker_at_random_costs_one_error_row_and_the_folder_stays_consistent(
    tmp_path,
):
    src, out = tmp_path / "src", tmp_path / "out"
    _write_sources(src, version=1)
    rng = random.Random(SEED)
    batch = _start_batch(src, out)
    deadline = time.monotonic() + WORKERS_GONE_S
    workers: list[int] = []
    while not workers and time.monotonic() < deadline:
        workers = [pid for pid in _group_members(batch.pid) if pid != batch.pid]
        time.sleep(0.01)
    time.sleep(rng.uniform(0.0, WORKER_KILL_WINDOW_S))
    assert batch.is_alive(), "the batch finished before a worker could be killed"
    with contextlib.suppress(ProcessLookupError):  # that worker had just been stopped
        os.kill(rng.choice(workers), signal.SIGKILL)
    batch.join(timeout=60)
    assert batch.exitcode == 0
    manifest = _assert_consistent(out)
    rows = manifest["rows"]
    assert len(rows) == DOCUMENTS
    assert sum(not row["ok"] for row in rows) <= 1  # the killed worker's document, if it had one
    assert all("crashed" in row["error"] for row in rows if not row["ok"])


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM, signal.SIGHUP])
def test_workers_die_with_their_parent(tmp_path, sig):
    src, out = tmp_path / "src", tmp_path / "out"
    _write_sources(src, version=1)
    batch = _start_batch(src, out, die_after=1, sig=sig)
    batch.join(timeout=60)
    assert batch.exitcode == -sig
    _assert_workers_gone(batch.pid)
    _assert_consistent(out)


def test_kill_then_resume_analyses_only_what_was_left(tmp_path):
    src, out = tmp_path / "src", tmp_path / "out"
    _write_sources(src, version=1)
    half = DOCUMENTS // 2
    batch = _start_batch(src, out, die_after=half, sig=signal.SIGKILL)
    batch.join(timeout=60)
    _assert_workers_gone(batch.pid)
    done = len(_assert_consistent(out)["rows"])
    assert half <= done < DOCUMENTS
    result = run_batch(src, out, BatchOptions(jobs=2))
    assert (result.skipped, result.analysed) == (done, DOCUMENTS - done)
    _assert_consistent(out)


def test_a_second_batch_into_a_folder_in_use_is_refused(tmp_path, capsys):
    src, out = tmp_path / "src", tmp_path / "out"
    _write_sources(src, version=1)
    release = multiprocessing.get_context("fork").Event()

    def target() -> None:
        run_batch(src, out, BatchOptions(jobs=1, on_progress=lambda _: release.wait(30)))

    first = multiprocessing.get_context("fork").Process(target=target)
    first.start()
    try:
        deadline = time.monotonic() + WORKERS_GONE_S
        while not (out / "manifest.json").exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert main(["batch", str(src), "-o", str(out)]) == 2
        (line,) = capsys.readouterr().err.strip().splitlines()
        assert f"in use by another batch (process {first.pid})" in line
    finally:
        release.set()
        first.join(timeout=60)
    assert first.exitcode == 0
