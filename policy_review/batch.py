"""Batch triage: analyse every directive under a folder in warm worker processes, rank the results.

Each document runs in a worker process that the batch can kill, so a hung, huge or hostile file
costs at most `timeout_s` and becomes one error row; the rest of the batch goes on. Workers are
forked after the spaCy pipeline and checklist matchers are built, so every worker starts warm.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import gc
import hashlib
import io
import json
import math
import multiprocessing
import os
import stat
import tempfile
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from enum import StrEnum
from multiprocessing.connection import wait
from pathlib import Path, PurePosixPath

from policy_review import __version__
from policy_review.bounded import isolate_worker
from policy_review.checklist import available_checklists, load_checklist
from policy_review.errors import PolicyReviewError
from policy_review.extract import ExtractLimits, load_document, sniff_format
from policy_review.extract.source import DEFAULT_DOCUMENT_TIMEOUT_S, printable
from policy_review.model import (
    ChoiceMargin,
    DirectiveTopic,
    PassageKind,
    Report,
    TriageRow,
    build_document,
)
from policy_review.render import render_html, render_index_html, render_json
from policy_review.review import review
from policy_review.triage import (
    DOCUMENT_SUFFIXES,
    REPORT_HTML_SUFFIX,
    REPORT_JSON_SUFFIX,
    apply_decisions,
    batch_report_bases,
    duplicate_row,
    find_choices_file,
    first_copies,
    link_same_text,
    load_decisions_folder,
    match_choices,
    queue_links,
    rank_rows,
    read_checklist_choices,
)

try:
    import fcntl
except ImportError:  # Windows: no flock; see _OutputLock
    fcntl = None

LOW_CONFIDENCE = 0.8
"""Findings below this confidence need a person to look; the triage queue counts them. Confidence
is a measured probability (calibration.py): below 0.8, more than one in five such statuses is
wrong (measured 0.55-0.6 exact agreement on the development sets)."""

MANIFEST_NAME = "manifest.json"
LOCK_NAME = ".policy-review.lock"
"""Held (flock) by the batch writing into the folder; a second batch into it is refused."""
PARTIAL_SUFFIX = ".partial"
REPORT_SUFFIXES = (REPORT_HTML_SUFFIX, REPORT_JSON_SUFFIX)
MANIFEST_SCHEMA = "policy-review/batch-manifest@1"
INDEX_SCHEMA = "policy-review/batch-index@1"

SNIFFED_DOCUMENT_FORMATS = frozenset({"pdf", "docx", "doc", "rtf"})
"""Files with another name are queued only when their bytes are unmistakably a document."""
IGNORED_NAME_PREFIXES = (".", "~$")
"""Hidden files and Word lock files are never submissions."""

WORKER_ADDRESS_SPACE_BYTES = 4 * 2**30
"""Per-worker memory ceiling: a document needing more fails alone instead of starving the host."""
WORKER_GC_THRESHOLD = 50_000
"""Allocations between young-generation collections in a worker (Python's default is 700): one
document allocates millions of short-lived objects, and the default spent ~5% of the batch in
the collector; with this, well under 1%, for a few MB more between collections."""
MAX_REASON_CHARS = 300
HASH_CHUNK_BYTES = 2**20
CSV_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
"""Spreadsheets execute cells that start like a formula; file names are untrusted, so quote them."""

AGENCY_TYPES = {
    (True, False): "law enforcement",
    (False, True): "PSAP",
    (True, True): "both",
    (False, False): "other",
}
LAW_ENFORCEMENT_PREFIX = "le-"
PSAP_PREFIX = "psap-"


class SkippedLink(StrEnum):
    """Why a symbolic link in the source folder was not analysed (the text of its error row)."""

    OUTSIDE = "skipped: a symbolic link to outside the folder; links are not followed out of it"
    DANGLING = "skipped: a symbolic link to nothing (its target does not exist)"
    LOOP = "skipped: a symbolic link that loops back on itself"
    FOLDER = "skipped: a symbolic link to a folder; analyse the folder itself"
    UNREADABLE = "skipped: a symbolic link that cannot be followed"


@dataclass(frozen=True, slots=True)
class BatchOptions:
    """How to run a batch; `jobs=0` means one worker per CPU core."""

    checklist_refs: tuple[str, ...] = ()
    limits: ExtractLimits = field(default_factory=ExtractLimits)
    jobs: int = 0
    force: bool = False
    timeout_s: float = DEFAULT_DOCUMENT_TIMEOUT_S
    template_dir: Path | None = None
    on_progress: Callable[[BatchProgress], None] | None = None
    checklists_csv: Path | None = None
    decisions_dir: Path | None = None


@dataclass(frozen=True, slots=True)
class BatchProgress:
    """Where a running batch is; handed to `BatchOptions.on_progress` (the CLI draws it)."""

    done: int
    total: int
    failed: int
    current: str
    elapsed_s: float


@dataclass(frozen=True, slots=True)
class BatchResult:
    """What a batch did; `rows` in triage order; `ignored`: files that are not documents."""

    analysed: int
    skipped: int
    failed: int
    index_path: Path
    rows: tuple[TriageRow, ...]
    ignored: tuple[str, ...] = ()
    unmatched_choices: tuple[str, ...] = ()
    """Names in the checklist choice file that match no queued file."""


@dataclass(frozen=True, slots=True)
class _Task:
    source: Path
    relative: str
    name: str
    sha256: str
    size: int
    checklist_refs: tuple[str, ...] = ()
    checklists_from: str = ""


def run_batch(src_dir: Path, out_dir: Path, options: BatchOptions) -> BatchResult:
    """Analyse every directive under `src_dir`; write reports, a manifest and triage indexes.

    The manifest is rewritten as each document finishes, so a killed batch resumes where it
    stopped; the indexes list only rows whose reports are of the bytes the row's SHA-256 names.
    """
    src_dir, out_dir = Path(src_dir), Path(out_dir)
    _check_options(src_dir, out_dir, options)
    checklists = _load_checklists(options.checklist_refs)
    settings = _settings(options, checklists)
    choices_file = find_choices_file(src_dir, options.checklists_csv)
    choices = read_checklist_choices(choices_file) if choices_file else {}
    decisions = load_decisions_folder(options.decisions_dir) if options.decisions_dir else {}
    _prepare_output(out_dir)
    with _OutputLock(out_dir) as lock:
        source = str(src_dir.resolve())
        previous = _read_manifest(out_dir)
        if previous.source not in (None, source) and not options.force:
            raise PolicyReviewError(
                f"{out_dir} holds the results of another folder ({previous.source}); "
                "choose another output folder, or use --force to replace them"
            )
        _remove_partials(out_dir)
        sources, links, ignored = _find_documents(src_dir, exclude=out_dir)
        chosen, unmatched = match_choices(choices, [relative for _, relative in sources])
        _check_choices(chosen, choices_file)
        reusable = (
            previous.ok_rows()
            if not options.force and previous.source == source and previous.settings == settings
            else {}
        )
        tasks, reused, unreadable, copies = _plan(sources, reusable, out_dir, chosen, choices_file)
        manifest = _Manifest(
            out_dir, source, settings, [*reused, *unreadable, *links], [t.name for t in tasks]
        )
        manifest.save()
        # Before any report is overwritten: the indexes name only rows whose reports stay.
        _write_indexes(out_dir, rank_rows(manifest.rows), options.template_dir)
        new_rows = _run_tasks(tasks, checklists, options, out_dir, manifest.add, (lock.fd,))
        rows = _with_queue_links(manifest.rows, copies, decisions, out_dir)
        ranked = tuple(rank_rows(rows))
        _remove_stale_reports(out_dir, previous, tasks, ranked)
        manifest.finish(ranked)
        index_path = _write_indexes(out_dir, ranked, options.template_dir)
    return BatchResult(
        analysed=sum(1 for row in new_rows if row.ok),
        skipped=len(reused),
        failed=sum(1 for row in ranked if not row.ok),
        index_path=index_path,
        rows=ranked,
        ignored=tuple(ignored),
        unmatched_choices=tuple(unmatched),
    )


def _check_choices(chosen: dict[str, tuple[str, ...]], choices_file: Path | None) -> None:
    """Every checklist a choice file names must load, before any document is analysed."""
    for relative, refs in chosen.items():
        for ref in refs:
            try:
                load_checklist(ref)
            except PolicyReviewError as exc:
                raise PolicyReviewError(f"{choices_file}, {relative}: {exc}") from None


def _with_queue_links(
    rows: list[TriageRow], copies: dict[str, str], decisions: dict, out_dir: Path
) -> list[TriageRow]:
    """Rows for byte-identical copies, near duplicates linked, and reviewers' decisions."""
    by_path = {row.path: row for row in rows}
    rows = rows + [
        duplicate_row(by_path[original], copy)
        for copy, original in copies.items()
        if original in by_path
    ]
    return [
        apply_decisions(
            row,
            decisions.get(row.sha256),
            out_dir / row.json_report if row.json_report else None,
        )
        for row in link_same_text(rows)
    ]


def _plan(
    sources: list[tuple[Path, str]],
    previous: dict[str, TriageRow],
    out_dir: Path,
    chosen: dict[str, tuple[str, ...]],
    choices_file: Path | None,
) -> tuple[list[_Task], list[TriageRow], list[TriageRow], dict[str, str]]:
    """Split the files into work to do, earlier rows still valid, files we cannot read, and
    byte-identical copies of another file (path -> the path analysed in their place)."""
    names = batch_report_bases([relative for _, relative in sources])
    hashed: list[tuple[Path, str, str, int]] = []
    unreadable: list[TriageRow] = []
    for source, relative in sources:
        try:
            hashed.append((source, relative, _sha256(source), source.stat().st_size))
        except OSError as exc:
            reason = f"cannot read {relative}: {exc.strerror or exc}"
            unreadable.append(_error_row(relative, "", reason))
    copies = first_copies({relative: digest for _, relative, digest, _ in hashed})
    todo: list[tuple] = []
    reused: list[TriageRow] = []
    for source, relative, digest, size in hashed:
        if relative in copies:
            continue
        refs = chosen.get(relative, ())
        choice_from = choices_file.name if refs and choices_file else ""
        earlier = previous.get(relative)
        if (
            earlier is not None
            and earlier.sha256 == digest
            and earlier.checklists_from == choice_from
            and (not refs or earlier.checklists == refs)
            and _reports_exist(out_dir, earlier)
        ):
            reused.append(earlier)
        else:
            todo.append((source, relative, digest, size, refs, choice_from))
    # A new report never takes the name of a report that stays (the names of a folder's files
    # are worked out from today's files, the kept reports' from earlier ones).
    taken = {row.html_report.removesuffix(REPORT_HTML_SUFFIX).casefold() for row in reused}
    tasks = []
    for source, relative, digest, size, refs, choice_from in todo:
        name = names[relative]
        if name.casefold() in taken:
            name = f"{name}-{_short_hash(relative)}"
        tasks.append(_Task(source, relative, name, digest, size, refs, choice_from))
    return tasks, reused, unreadable, copies


def agency_type(checklist_ids: Sequence[str]) -> str:
    """Which kind of agency the applied checklists describe: law enforcement, PSAP or both."""
    law_enforcement = any(ref.startswith(LAW_ENFORCEMENT_PREFIX) for ref in checklist_ids)
    psap = any(ref.startswith(PSAP_PREFIX) for ref in checklist_ids)
    return AGENCY_TYPES[(law_enforcement, psap)]


# --- inputs ---------------------------------------------------------------------------------


def _check_options(src_dir: Path, out_dir: Path, options: BatchOptions) -> None:
    if not src_dir.is_dir():
        raise PolicyReviewError(f"{src_dir} is not a folder")
    if options.jobs < 0:
        raise PolicyReviewError("--jobs must be 0 (all cores) or a positive number")
    if not (math.isfinite(options.timeout_s) and options.timeout_s > 0):
        raise PolicyReviewError("--timeout must be a positive, finite number of seconds")
    if out_dir.resolve() == src_dir.resolve():
        raise PolicyReviewError("the output folder must differ from the folder being analysed")


def _load_checklists(refs: tuple[str, ...]):
    """Explicit checklists, or None to let review() choose per document."""
    if not refs:
        return None
    return tuple(load_checklist(ref) for ref in refs)


def _settings(options: BatchOptions, checklists) -> dict:
    """Everything besides a file's bytes that changes its report; a change re-analyses it."""
    applied = checklists if checklists is not None else available_checklists()
    custom = {}
    for ref, checklist in zip(options.checklist_refs, checklists or (), strict=True):
        if Path(ref).is_file():  # a checklist of the user's: every file it was read from
            digest = hashlib.sha256()
            for source in checklist.sources:
                digest.update(Path(source).read_bytes())
            custom[ref] = digest.hexdigest()
    return {
        "tool_version": __version__,
        "checklists": sorted([c.id, str(c.version)] for c in applied),
        "custom_checklist_sha256": custom,
        "limits": {
            "max_pages": options.limits.max_pages,
            "max_bytes": options.limits.max_bytes,
            "max_chars": options.limits.max_chars,
            "ocr": options.limits.ocr,
        },
    }


def _find_documents(
    src_dir: Path, *, exclude: Path
) -> tuple[list[tuple[Path, str]], list[TriageRow], list[str]]:
    """Regular files under `src_dir`, sorted, as (path to read, relative posix path); an error
    row per symbolic link not followed; and the files that are not documents.

    Links are followed only to files inside the folder (read at their resolved place), so a
    link to /etc/passwd is never analysed and quoted in a report."""
    root = src_dir.resolve()
    excluded = exclude.resolve()
    found: list[tuple[Path, str]] = []
    links: list[TriageRow] = []
    ignored: list[str] = []

    def relative_of(path: Path) -> str:
        return printable(path.relative_to(root).as_posix())

    for current, dirs, files in os.walk(root):
        current_path = Path(current)
        kept = []
        for name in sorted(dirs):
            path = current_path / name
            if name.startswith(IGNORED_NAME_PREFIXES):
                continue
            if path.is_symlink():
                _, problem = _link_target(path, root)
                links.append(_error_row(relative_of(path), "", problem or SkippedLink.FOLDER))
            elif path.resolve() != excluded:
                kept.append(name)
        dirs[:] = kept
        for name in sorted(files):
            path = current_path / name
            if name.startswith(IGNORED_NAME_PREFIXES):
                continue
            relative = relative_of(path)
            readable = path
            if path.is_symlink():
                target, problem = _link_target(path, root)
                if target is None:
                    links.append(_error_row(relative, "", problem))
                    continue
                readable = target
            if not _is_regular_file(readable):
                continue
            if _is_document(readable):
                found.append((readable, relative))
            else:
                ignored.append(relative)
    return found, links, ignored


def _link_target(link: Path, root: Path) -> tuple[Path | None, SkippedLink | None]:
    """The file a link inside `root` leads to, or why it is not followed."""
    try:
        target = link.resolve(strict=True)
    except FileNotFoundError:
        return None, SkippedLink.DANGLING
    except RuntimeError:  # Python < 3.13 reports a loop this way
        return None, SkippedLink.LOOP
    except OSError as exc:
        return None, SkippedLink.LOOP if exc.errno == errno.ELOOP else SkippedLink.UNREADABLE
    if not target.is_relative_to(root):
        return None, SkippedLink.OUTSIDE
    if target.is_dir():
        return None, SkippedLink.FOLDER
    return target, None


def _is_regular_file(path: Path) -> bool:
    """Only regular files: a FIFO or device in a submission folder would block a reader forever."""
    try:
        return stat.S_ISREG(path.stat().st_mode)
    except OSError:
        return False


def _is_document(path: Path) -> bool:
    if path.suffix.lower() in DOCUMENT_SUFFIXES:
        return True
    try:
        return sniff_format(path) in SNIFFED_DOCUMENT_FORMATS
    except PolicyReviewError:
        return False


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(HASH_CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def _short_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:8]


# --- workers --------------------------------------------------------------------------------


def _run_tasks(
    tasks: list[_Task],
    checklists,
    options: BatchOptions,
    out_dir: Path,
    on_row: Callable[[TriageRow], None],
    private_fds: tuple[int, ...],
) -> list[TriageRow]:
    """Feed tasks to warm workers one at a time; kill and replace a worker that overruns.
    `on_row` gets each row as it comes; `private_fds` (the folder lock) are closed in workers."""
    if not tasks:
        return []
    context = multiprocessing.get_context(
        "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    )
    jobs = min(options.jobs or _usable_cpus(), len(tasks))
    # largest first, so the last document to finish is a small one and no worker idles long
    pending = deque(sorted(tasks, key=lambda task: -task.size))
    rows: list[TriageRow] = []
    workers: list[_Worker] = []
    started = time.monotonic()
    failed = 0

    def report(current: str) -> None:
        if options.on_progress is not None:
            elapsed = time.monotonic() - started
            options.on_progress(BatchProgress(len(rows), len(tasks), failed, current, elapsed))

    report("loading checklists…")
    try:
        _warm_up(checklists, options)
        # Workers fork from here: freezing the warm objects (spaCy, matchers) keeps the collector's
        # full passes from walking them in every document (~55 ms each) and keeps pages shared.
        gc.freeze()

        def inherited() -> tuple[int, ...]:
            """Descriptors a new worker must close: another worker's pipe end kept open in a
            sibling would hide the parent's death from that worker."""
            return (*private_fds, *(w.connection.fileno() for w in workers if w.running))

        spec = _WorkerSpec(context, checklists, options, out_dir, inherited)
        for _ in range(jobs):
            workers.append(_Worker(spec))
        while pending or any(worker.task for worker in workers):
            for worker in workers:
                if worker.task is None and pending:
                    worker.assign(pending.popleft(), options.timeout_s)
            busy = [worker for worker in workers if worker.task is not None]
            wait_s = max(0.0, min(worker.deadline for worker in busy) - time.monotonic())
            wait([w.connection for w in busy] + [w.process.sentinel for w in busy], wait_s)
            for worker in busy:
                row = worker.collect(options.timeout_s)
                if row is not None:
                    on_row(row)
                    rows.append(row)
                    failed += not row.ok
                    report(row.path)
    finally:
        for worker in workers:
            worker.stop()
    return rows


def _usable_cpus() -> int:
    """Cores this process may run on (a container or taskset may allow fewer than exist)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # macOS and Windows have no affinity call
        return os.cpu_count() or 1


def _warm_up(checklists, options: BatchOptions) -> None:
    """Build the spaCy pipeline, matchers and templates once, before workers fork from us."""
    sample = build_document(
        source="warm-up",
        sha256="",
        format="text",
        page_count=None,
        blocks=[
            (
                "This directive sets out the procedure for every report.",
                None,
                (),
                PassageKind.PARAGRAPH,
            )
        ],
    )
    report = review(sample, checklists if checklists is not None else available_checklists())
    render_html(report, template_dir=options.template_dir)
    render_json(report)
    if checklists is None:
        review(sample, None)


@dataclass(frozen=True, slots=True)
class _WorkerSpec:
    """What every worker is started with; `inherited` lists descriptors it must close."""

    context: object
    checklists: object
    options: BatchOptions
    out_dir: Path
    inherited: Callable[[], tuple[int, ...]]


class _Worker:
    """One analysis process that stays warm across documents and can be killed on a timeout."""

    def __init__(self, spec: _WorkerSpec) -> None:
        self._spec = spec
        self.task: _Task | None = None
        self.deadline = 0.0
        self.running = False
        self._start()

    def _start(self) -> None:
        spec = self._spec
        parent_end, child_end = spec.context.Pipe()
        forked = spec.context.get_start_method() == "fork"
        close = (*spec.inherited(), parent_end.fileno()) if forked else ()
        self.process = spec.context.Process(
            target=_worker_main,
            args=(child_end, close, os.getpid(), spec.checklists, spec.options, spec.out_dir),
            daemon=True,
        )
        self.process.start()
        child_end.close()
        self.connection = parent_end
        self.running = True

    def assign(self, task: _Task, timeout_s: float) -> None:
        try:
            self.connection.send(task)
        except OSError:  # the idle worker was killed from outside (e.g. the OOM killer)
            self._restart()
            self.connection.send(task)
        self.task = task
        self.deadline = time.monotonic() + timeout_s

    def collect(self, timeout_s: float) -> TriageRow | None:
        """The finished row, an error row if the process died or overran, else None (busy)."""
        task = self.task
        if task is None:
            return None
        if self.connection.poll():
            try:
                row = self.connection.recv()
            except (EOFError, OSError):
                row = None
            if row is not None:
                self.task = None
                return row
        if not self.process.is_alive():
            code = self.process.exitcode
            reason = (
                "ran out of memory or crashed while being analysed; "
                "lower --max-bytes or --max-pages"
                if code is not None and code < 0
                else f"the analysis process stopped unexpectedly (exit code {code})"
            )
        elif time.monotonic() >= self.deadline:
            reason = (
                f"not finished within {timeout_s:g} s; the file may be huge or malformed "
                "(raise --timeout, or lower --max-pages)"
            )
        else:
            return None
        self._restart()
        return _error_row(task.relative, task.sha256, reason)

    def _restart(self) -> None:
        self.stop()
        self.task = None
        self._start()

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.connection.close()
        self.running = False


def _worker_main(
    connection,
    inherited_fds: tuple[int, ...],
    parent_pid: int,
    checklists,
    options: BatchOptions,
    out_dir: Path,
) -> None:
    """Worker loop: the parent owns Ctrl+C and the terminal; library chatter is discarded. The
    worker ends with its parent, and holds no descriptor of the parent's (the folder lock, the
    parent's ends of the pipes), so a dead parent releases the folder at once."""
    isolate_worker(parent_pid, address_space_bytes=WORKER_ADDRESS_SPACE_BYTES)
    for fd in inherited_fds:
        with contextlib.suppress(OSError):  # already closed by the fork machinery
            os.close(fd)
    gc.set_threshold(WORKER_GC_THRESHOLD)
    while True:
        try:
            task = connection.recv()
        except (EOFError, OSError):
            return
        connection.send(_analyse(task, checklists, options, out_dir))


def _analyse(task: _Task, checklists, options: BatchOptions, out_dir: Path) -> TriageRow:
    """One document to reports on disk and a triage row; every failure becomes an error row."""
    try:
        document = load_document(task.source, limits=options.limits)
        if task.checklist_refs:
            checklists = tuple(load_checklist(ref) for ref in task.checklist_refs)
        report = review(document, checklists)
        html_name = f"{task.name}{REPORT_HTML_SUFFIX}"
        json_name = f"{task.name}{REPORT_JSON_SUFFIX}"
        queue = queue_links(html_name)
        html = render_html(report, template_dir=options.template_dir, queue=queue)
        _make_folder((out_dir / html_name).parent)
        _write_atomic(out_dir / html_name, html)
        _write_atomic(out_dir / json_name, render_json(report))
    except PolicyReviewError as exc:
        return _error_row(task.relative, task.sha256, str(exc))
    except MemoryError:
        return _error_row(
            task.relative, task.sha256, "ran out of memory; lower --max-bytes or --max-pages"
        )
    except Exception as exc:  # a bug must cost one row, never the batch
        return _error_row(
            task.relative, task.sha256, f"internal error: {type(exc).__name__}: {exc}"
        )
    return _report_row(task, report, html_name, json_name)


def _report_row(task: _Task, report: Report, html_name: str, json_name: str) -> TriageRow:
    summary = report.summary
    text = report.document.text
    checklist_ids = tuple(ref.id for ref in report.checklists)
    return TriageRow(
        path=task.relative,
        ok=True,
        sha256=task.sha256,
        agency_type=agency_type(checklist_ids),
        checklists=checklist_ids,
        pages=report.document.page_count,
        found=summary.found,
        partial=summary.partial,
        missing=summary.missing,
        critical_missing=len(summary.critical_missing),
        red_flags=summary.red_flags,
        low_confidence=sum(1 for f in report.findings if f.confidence < LOW_CONFIDENCE),
        ocr_pages=len(report.document.ocr_pages),
        extraction_warnings=len(report.document.warnings),
        html_report=html_name,
        json_report=json_name,
        text_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest() if text else "",
        checklists_from=task.checklists_from,
        off_topic=report.scope is not None
        and report.scope.topic is DirectiveTopic.NOT_MISSING_CHILD,
        choice_close=report.choice is not None and report.choice.margin is ChoiceMargin.CLOSE,
    )


def _error_row(relative: str, sha256: str, reason: str) -> TriageRow:
    line = " ".join(printable(reason).split()) or "unknown error"
    if len(line) > MAX_REASON_CHARS:
        line = line[: MAX_REASON_CHARS - 1] + "…"
    return TriageRow(path=relative, ok=False, error=line, sha256=sha256)


# --- outputs --------------------------------------------------------------------------------


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PolicyReviewError(f"cannot create {folder}: {exc.strerror or exc}") from None


def _prepare_output(out_dir: Path) -> None:
    """Create the output folder and prove it writable before any work (a read-only folder
    must not be found after an hour of analysis)."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PolicyReviewError(f"cannot create {out_dir}: {exc.strerror or exc}") from None
    try:
        with tempfile.TemporaryFile(dir=out_dir) as probe:
            probe.write(b"policy-review")
    except OSError as exc:
        raise PolicyReviewError(
            f"cannot write to the output folder {out_dir}: {exc.strerror or exc}"
        ) from None


class _OutputLock:
    """An exclusive lock on the output folder for the whole batch (released by the kernel when
    the process dies, so a crash never leaves it locked)."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.fd = -1

    def __enter__(self) -> _OutputLock:
        path = self.out_dir / LOCK_NAME
        try:
            self.fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise PolicyReviewError(f"cannot lock {self.out_dir}: {exc.strerror or exc}") from None
        try:
            if fcntl is not None:  # without flock (Windows) two batches are not kept apart
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.read(self.fd, 32).decode("ascii", "replace").strip() or "?"
            os.close(self.fd)
            raise PolicyReviewError(
                f"{self.out_dir} is in use by another batch (process {holder}); wait for it "
                "to finish, or choose another output folder"
            ) from None
        os.ftruncate(self.fd, 0)
        os.write(self.fd, str(os.getpid()).encode("ascii"))
        return self

    def __exit__(self, *exc_info) -> None:
        os.close(self.fd)


def _remove_partials(out_dir: Path) -> None:
    """Half-written files of a killed batch (never read: every write is a rename)."""
    for partial in out_dir.rglob(f".*{PARTIAL_SUFFIX}"):
        partial.unlink(missing_ok=True)


def _remove_stale_reports(
    out_dir: Path, previous: _Previous, tasks: Sequence[_Task], rows: Sequence[TriageRow]
) -> None:
    """Delete the reports this tool wrote that no row links any more: of files that left the
    folder or became unreadable, of older versions, of another source replaced with --force."""
    candidates = {name for row in previous.rows for name in (row.html_report, row.json_report)}
    bases = [*previous.pending, *(task.name for task in tasks)]
    candidates.update(base + suffix for base in bases for suffix in REPORT_SUFFIXES)
    linked = {name for row in rows for name in (row.html_report, row.json_report)}
    for name in candidates - linked:
        path = PurePosixPath(name)
        inside = name and not path.is_absolute() and ".." not in path.parts
        if inside and name.endswith(REPORT_SUFFIXES):
            (out_dir / name).unlink(missing_ok=True)


def _write_atomic(path: Path, text: str) -> None:
    """Write beside the target and rename, so a killed worker never leaves half a report."""
    partial = path.with_name(f".{path.name}.{os.getpid()}{PARTIAL_SUFFIX}")
    try:
        # errors="replace": a file name that is not UTF-8 may be quoted in the report
        partial.write_text(text, encoding="utf-8", errors="replace")
        os.replace(partial, path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise PolicyReviewError(f"cannot write {path}: {exc.strerror or exc}") from None


def _reports_exist(out_dir: Path, row: TriageRow) -> bool:
    return (
        row.ok
        and bool(row.html_report)
        and (out_dir / row.html_report).is_file()
        and (out_dir / row.json_report).is_file()
    )


@dataclass(frozen=True, slots=True)
class _Previous:
    """What the output folder's manifest says of the last run; empty when there is none."""

    source: str | None = None
    settings: dict | None = None
    rows: tuple[TriageRow, ...] = ()
    pending: tuple[str, ...] = ()  # report names a killed run may have written unrecorded

    def ok_rows(self) -> dict[str, TriageRow]:
        # copies are worked out afresh each run: the file they copied may have changed
        return {row.path: row for row in self.rows if row.ok and not row.duplicate_of}


def _read_manifest(out_dir: Path) -> _Previous:
    """The previous run's manifest; anything odd in it means everything is redone."""
    try:
        data = json.loads((out_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
        if data.get("schema") != MANIFEST_SCHEMA:
            return _Previous()
        return _Previous(
            source=data.get("source"),
            settings=data.get("settings"),
            rows=tuple(TriageRow.from_dict(entry) for entry in data["rows"]),
            pending=tuple(str(name) for name in data.get("pending", ())),
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return _Previous()


class _Manifest:
    """The rows known to be true, rewritten atomically after each document: what a rerun
    resumes from. `pending` names the reports being written, so a rerun after a crash can
    remove those whose file has left the folder."""

    def __init__(
        self, out_dir: Path, source: str, settings: dict, rows: list[TriageRow], pending: list
    ) -> None:
        self.out_dir, self.source, self.settings = out_dir, source, settings
        self.rows = rows
        self.pending = pending

    def add(self, row: TriageRow) -> None:
        self.rows.append(row)
        self.save()

    def finish(self, rows: Sequence[TriageRow]) -> None:
        """The run is complete: its final rows (copies, decisions and links worked in)."""
        self.rows, self.pending = list(rows), []
        self.save()

    def save(self) -> None:
        manifest = {
            "schema": MANIFEST_SCHEMA,
            "source": self.source,
            "settings": self.settings,
            "rows": [row.to_dict() for row in self.rows],
            "pending": self.pending,
        }
        text = json.dumps(manifest, indent=2, ensure_ascii=False)
        _write_atomic(self.out_dir / MANIFEST_NAME, text)


def _csv_cell(value):
    if isinstance(value, str) and value.startswith(CSV_FORMULA_PREFIXES):
        return "'" + value
    return value


def _index_csv(rows: Sequence[TriageRow]) -> str:
    columns = ["rank", "status", *(f.name for f in fields(TriageRow))]
    buffer = io.StringIO()
    # QUOTE_ALL: a CR in a file name is not a line end to the csv module when it writes "\n"
    # line ends, so minimal quoting let a CR split the row for every reader
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow(columns)
    for rank, row in enumerate(rows, start=1):
        data = row.to_dict()
        data["checklists"] = " ".join(row.checklists)
        writer.writerow([rank, *(_csv_cell(data[name]) for name in columns[1:])])
    return buffer.getvalue()


def _index_json(rows: Sequence[TriageRow]) -> str:
    data = {
        "schema": INDEX_SCHEMA,
        "tool": {"name": "policy-review", "version": __version__},
        "low_confidence_below": LOW_CONFIDENCE,
        "rows": [{"rank": rank, **row.to_dict()} for rank, row in enumerate(rows, start=1)],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _write_indexes(out_dir: Path, rows: Sequence[TriageRow], template_dir: Path | None) -> Path:
    _write_atomic(out_dir / "index.csv", _index_csv(rows))
    _write_atomic(out_dir / "index.json", _index_json(rows))
    index_path = out_dir / "index.html"
    _write_atomic(index_path, render_index_html(rows, template_dir=template_dir))
    return index_path
