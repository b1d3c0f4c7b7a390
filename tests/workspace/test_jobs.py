"""The job runner's limits: a document over --max-pages or past the timeout fails alone."""

from __future__ import annotations

import io
import time

import pytest
from workspace_helpers import SAMPLES, write_directive

from policy_review.extract import ExtractLimits
from policy_review.workspace import accounts
from policy_review.workspace.blobs import BlobStore, TooLarge
from policy_review.workspace.jobs import JobRunner, RunnerOptions
from policy_review.workspace.store import JobStatus, Store

WAIT_S = 120
SEVEN_PAGE_PDF = SAMPLES / "lakeview-pd-missing-children.pdf"


def _run_one(tmp_path, path, options: RunnerOptions):
    store = Store(tmp_path / "jobs.db")
    store.migrate()
    blobs = BlobStore(tmp_path / "data")
    user = accounts.add_user(store, "alice", "long enough secret")
    with path.open("rb") as handle:
        stored = blobs.put(handle, max_bytes=options.limits.max_bytes)
    submission_id = store.add_submission(
        agency="A", file_name=path.name, sha256=stored.sha256, size=stored.size, user=user
    )
    runner = JobRunner(store, blobs, options)
    runner.start()
    try:
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            submission = store.submission(submission_id)
            if submission.job_status in (JobStatus.READY, JobStatus.FAILED):
                return submission
            time.sleep(0.1)
        raise AssertionError("the job did not finish")
    finally:
        runner.stop()
        store.close()


def test_a_document_over_max_pages_fails_with_the_reason(tmp_path):
    options = RunnerOptions(limits=ExtractLimits(max_pages=2))
    failed = _run_one(tmp_path, SEVEN_PAGE_PDF, options)
    assert failed.job_status is JobStatus.FAILED
    assert failed.error.startswith(f"{SEVEN_PAGE_PDF.name}: ")
    assert "limit" in failed.error


def test_a_job_past_its_timeout_is_killed_and_fails(tmp_path):
    long_file = write_directive(tmp_path / "long.txt", sections=300)
    failed = _run_one(tmp_path, long_file, RunnerOptions(timeout_s=0.05))
    assert failed.job_status is JobStatus.FAILED
    assert "not finished within 0.05 s" in failed.error


def test_blobs_are_stored_once_read_only_and_refused_past_the_limit(tmp_path):
    blobs = BlobStore(tmp_path)
    first = blobs.put(io.BytesIO(b"same bytes"), max_bytes=100)
    again = blobs.put(io.BytesIO(b"same bytes"), max_bytes=100)
    assert first == again
    path = blobs.path(first.sha256)
    assert path.read_bytes() == b"same bytes"
    assert path.stat().st_mode & 0o222 == 0
    with pytest.raises(TooLarge):
        blobs.put(io.BytesIO(b"x" * 101), max_bytes=100)
    assert [p.name for p in blobs.root.rglob("*") if p.is_file()] == [first.sha256]
