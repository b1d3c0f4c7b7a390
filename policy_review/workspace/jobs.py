"""The job runner: claims queued submissions from the database and analyses them in workers.

The queue lives in the database, so nothing is lost when the server stops: at start-up, jobs a
stopped server left `analysing` are queued again (and failed after MAX_ATTEMPTS, in case the
file itself brings the server down). A worker that overruns its timeout or dies is killed and
replaced, and its submission fails with a one-line reason, so nothing stays `analysing`.

Workers are forked from a forkserver that has already imported the analysis code, so a fresh
worker starts warm and never inherits the web server's threads.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.connection import wait

from policy_review.bounded import isolate_worker
from policy_review.errors import PolicyReviewError
from policy_review.extract import ExtractLimits
from policy_review.extract.source import DEFAULT_DOCUMENT_TIMEOUT_S, printable
from policy_review.workspace.blobs import BlobStore
from policy_review.workspace.store import Job, Store

MAX_ATTEMPTS = 3
"""Starts of one job a stopped server may interrupt before the job is failed instead."""
IDLE_POLL_S = 0.5
"""How often an idle runner looks for queued jobs it was not told about (another process)."""
ERROR_BACKOFF_S = 2.0
"""Pause after an unexpected error (the database away, say) before trying again."""
MAX_REASON_CHARS = 300
WORKER_ADDRESS_SPACE_BYTES = 4 * 2**30
"""Per-worker memory ceiling: a document needing more fails alone instead of starving the host."""
_ANALYSIS_MODULE = "policy_review.workspace.analysis"

INTERRUPTED_REASON = (
    f"the server stopped during each of {MAX_ATTEMPTS} attempts to analyse this file; "
    "it may be too large or malformed (lower --max-pages or --max-bytes)"
)


@dataclass(frozen=True, slots=True)
class RunnerOptions:
    workers: int = 1
    limits: ExtractLimits = field(default_factory=ExtractLimits)
    timeout_s: float = DEFAULT_DOCUMENT_TIMEOUT_S


def one_line(reason: str) -> str:
    line = " ".join(printable(reason).split()) or "unknown error"
    return line if len(line) <= MAX_REASON_CHARS else line[: MAX_REASON_CHARS - 1] + "…"


class JobRunner:
    """A thread in the server that keeps `options.workers` analysis processes busy."""

    def __init__(self, store: Store, blobs: BlobStore, options: RunnerOptions) -> None:
        self._store = store
        self._blobs = blobs
        self._options = options
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._workers: list[_Worker] = []

    def start(self) -> None:
        self._store.requeue_interrupted(MAX_ATTEMPTS, INTERRUPTED_REASON)
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([_ANALYSIS_MODULE])
        self._workers = [_Worker(context, self._options) for _ in range(self._options.workers)]
        self._thread = threading.Thread(target=self._run, name="policy-review-jobs", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Look at the queue now (a file was just uploaded)."""
        self._wake.set()

    def stop(self) -> None:
        """Stop the workers; what they were analysing goes back to the queue for next time."""
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join()
        unfinished = [w.job.submission_id for w in self._workers if w.job is not None]
        for worker in self._workers:
            worker.stop()
        with contextlib.suppress(Exception):  # best effort: start-up requeues them anyway
            self._store.release(unfinished)

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                self._step()
            except Exception:  # the runner must outlive a database hiccup; jobs stay queued
                self._stopping.wait(ERROR_BACKOFF_S)

    def _step(self) -> None:
        for worker in self._workers:
            if worker.job is None and not self._stopping.is_set():
                job = self._store.claim_next()
                if job is None:
                    break
                worker.assign(job, self._blobs.path(job.sha256), self._options)
        busy = [worker for worker in self._workers if worker.job is not None]
        if not busy:
            self._wake.wait(IDLE_POLL_S)
            self._wake.clear()
            return
        until_deadline = min(worker.deadline for worker in busy) - time.monotonic()
        wait(
            [w.connection for w in busy] + [w.process.sentinel for w in busy],
            max(0.0, min(until_deadline, IDLE_POLL_S)),
        )
        for worker in busy:
            job, outcome = worker.collect(self._options.timeout_s)
            if job is None:
                continue
            if isinstance(outcome, str):
                self._store.fail(job.submission_id, outcome)
            else:
                self._store.finish(job.submission_id, outcome)


class _Worker:
    """One warm analysis process, killed and replaced when it overruns or dies."""

    def __init__(self, context, options: RunnerOptions) -> None:
        self._context = context
        self.job: Job | None = None
        self.deadline = 0.0
        self._start(options)

    def _start(self, options: RunnerOptions) -> None:
        parent_end, child_end = self._context.Pipe()
        self.process = self._context.Process(
            target=_worker_main, args=(child_end, options.limits), daemon=True
        )
        self.process.start()
        child_end.close()
        self.connection = parent_end
        self._options = options

    def assign(self, job: Job, path, options: RunnerOptions) -> None:
        try:
            self.connection.send((str(path), job.file_name))
        except OSError:  # the idle worker was killed from outside (the OOM killer, say)
            self._restart()
            self.connection.send((str(path), job.file_name))
        self.job = job
        self.deadline = time.monotonic() + options.timeout_s

    def collect(self, timeout_s: float):
        """(job, AnalysisResult or failure reason) once the job is over, else (None, None)."""
        job = self.job
        if job is None:
            return None, None
        if self.connection.poll():
            try:
                outcome = self.connection.recv()
            except (EOFError, OSError):
                outcome = None
            if outcome is not None:
                self.job = None
                return job, outcome
        if not self.process.is_alive():
            reason = (
                "the analysis process ran out of memory or crashed on this file; "
                "lower --max-bytes or --max-pages"
            )
        elif time.monotonic() >= self.deadline:
            reason = (
                f"not finished within {timeout_s:g} s; the file may be huge or malformed "
                "(raise --timeout, or lower --max-pages)"
            )
        else:
            return None, None
        self._restart()
        return job, reason

    def _restart(self) -> None:
        self.stop()
        self.job = None
        self._start(self._options)

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.connection.close()


def _worker_main(connection, limits: ExtractLimits) -> None:
    """Analyse (path, file name) requests until the runner hangs up; answers are results or a
    one-line reason. Dies with its parent, so a killed server leaves no analysis running."""
    # Workers fork from a forkserver: their parent is it, and it ends with the server.
    isolate_worker(os.getppid(), address_space_bytes=WORKER_ADDRESS_SPACE_BYTES)
    from policy_review.workspace.analysis import analyse_upload

    while True:
        try:
            path, file_name = connection.recv()
        except (EOFError, OSError):
            return
        try:
            outcome = analyse_upload(path, file_name, limits)
        except PolicyReviewError as exc:
            outcome = one_line(str(exc))
        except MemoryError:
            outcome = "ran out of memory; lower --max-bytes or --max-pages"
        except Exception as exc:  # a bug must fail one submission, never the worker
            outcome = one_line(f"internal error: {type(exc).__name__}: {exc}")
        connection.send(outcome)
