"""The triage queue around a batch: report names, per-file checklist choices, duplicates,
ranking and reviewers' decisions. Pure functions over paths and rows; batch.py runs them.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path, PurePosixPath
from urllib.parse import quote

from policy_review.errors import PolicyReviewError
from policy_review.model import QueueStatus, TriageRow
from policy_review.render import Decisions, QueueLinks, load_decisions, reviewed_status

BATCH_MARKERS = ("manifest.json", "index.html")
"""A folder holding both is a batch's output folder: reports written into it join its queue."""
REPORT_HTML_SUFFIX = ".report.html"
REPORT_JSON_SUFFIX = ".report.json"
MAX_NAME_CHARS = 150
NAME_HASH_CHARS = 8
DOCUMENT_SUFFIXES = frozenset({".pdf", ".docx", ".doc", ".rtf", ".html", ".htm", ".txt", ".md"})
"""Files named like a directive: always queued by a batch, and the siblings a report name must
stay apart from."""

CHOICES_FILE_NAME = "checklists.csv"
CHOICE_FILE_COLUMNS = ("file", "path")
CHOICE_CHECKLISTS_COLUMN = "checklists"
_CHOICE_SEPARATORS = re.compile(r"[\s,;]+")
CSV_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
"""Spreadsheets execute cells that start like a formula; index.csv quotes such file names with
a leading apostrophe, which reading it back as a choice file removes."""

QUEUE_ORDER = {status: position for position, status in enumerate(QueueStatus)}
DECIDED = ("accept", "reject")
DECISION_WORDS = {"accept": "agreed", "reject": "tool wrong", "follow-up": "to follow up"}
"""How the index's decisions column counts each decision (see render.DECISION_MEANINGS)."""

_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


# --- report names ---------------------------------------------------------------------------


def _safe(name: str) -> str:
    return _UNSAFE_NAME.sub("-", name).strip("-.") or "document"


def _name_hash(name: str) -> str:
    return hashlib.sha256(name.encode("utf-8", "surrogateescape")).hexdigest()[:NAME_HASH_CHARS]


def report_base(file_name: str, siblings: Iterable[str] = ()) -> str:
    """The one naming rule for a document's reports, shared by `analyze` and `batch`.

    `policy.docx` -> `policy` (then `.report.html` / `.report.json`): the file name without its
    extension, with anything but letters, digits, `.`, `_` and `-` made `-`. When another
    document in the same folder (`siblings`: file names) would get the same name (`policy.pdf`
    beside `policy.docx`, or names differing only in case), the extension stays (`policy.docx`);
    a name still shared, or longer than MAX_NAME_CHARS, gets 8 hex digits of the file name's
    SHA-256. Batch reports sit in the folders their files sit in under the batch folder.
    """
    name = PurePosixPath(file_name).name

    def plain(other: str) -> str:
        return _safe(PurePosixPath(other).stem).casefold()

    def full(other: str) -> str:
        return _safe(other).casefold()

    others = [s for s in dict.fromkeys(siblings) if s != name]
    base = _safe(PurePosixPath(name).stem)
    if any(plain(other) == base.casefold() for other in others):
        base = _safe(name)
        if any(full(other) == base.casefold() for other in others):
            base = f"{base}-{_name_hash(name)}"
    if len(base) > MAX_NAME_CHARS:
        base = f"{base[:MAX_NAME_CHARS]}-{_name_hash(name)}"
    return base


def document_siblings(path: Path) -> list[str]:
    """Names of the files named like a directive in `path`'s folder (for `report_base`)."""
    try:
        return sorted(
            entry.name
            for entry in path.parent.iterdir()
            if entry.suffix.lower() in DOCUMENT_SUFFIXES and entry.is_file()
        )
    except OSError:
        return []


def batch_report_bases(relatives: Sequence[str]) -> dict[str, str]:
    """Report base path (`folder/name`, no suffix) per queued file, mirroring its folder."""
    by_folder: dict[str, list[str]] = {}
    for relative in relatives:
        path = PurePosixPath(relative)
        by_folder.setdefault(str(path.parent), []).append(path.name)
    bases = {}
    for relative in relatives:
        path = PurePosixPath(relative)
        folders = [_safe(part) for part in path.parent.parts]
        name = report_base(path.name, by_folder[str(path.parent)])
        bases[relative] = "/".join([*folders, name])
    return bases


def queue_links(report_path: str) -> QueueLinks:
    """A batch report's links, from its path relative to the batch output folder: back to the
    index, and on to the next document through the index (which knows the final ranking)."""
    index = "../" * (len(PurePosixPath(report_path).parts) - 1) + "index.html"
    return QueueLinks(index_href=index, next_href=f"{index}#after={quote(report_path)}")


def queue_links_for(report: Path) -> QueueLinks | None:
    """The queue links for a report `analyze` writes into a batch's output folder (say
    `-o triage/a/`), so a re-rendered report keeps them; None anywhere else."""
    target = report.resolve()
    for root in target.parents:
        if all((root / marker).is_file() for marker in BATCH_MARKERS):
            return queue_links(target.relative_to(root).as_posix())
    return None


# --- per-file checklist choice --------------------------------------------------------------


def find_choices_file(src_dir: Path, explicit: Path | None) -> Path | None:
    """`--checklists-csv FILE`, else `checklists.csv` in the batch folder, else none."""
    if explicit is not None:
        if not explicit.is_file():
            raise PolicyReviewError(f"checklist choice file {explicit} does not exist")
        return explicit
    default = src_dir / CHOICES_FILE_NAME
    return default if default.is_file() else None


def read_checklist_choices(path: Path) -> dict[str, tuple[str, ...]]:
    """File -> checklist ids (or YAML paths) from a CSV with a `file` (or `path`) column and a
    `checklists` column (ids separated by spaces, commas or semicolons). An index.csv from an
    earlier batch has both, so its `checklists` column can be edited and the batch re-run.
    Rows with an empty `checklists` cell are left to the automatic choice."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            header = [name.strip().lower() for name in reader.fieldnames or ()]
            file_column = next((c for c in CHOICE_FILE_COLUMNS if c in header), None)
            if file_column is None or CHOICE_CHECKLISTS_COLUMN not in header:
                raise PolicyReviewError(
                    f"{path}: a checklist choice file needs a 'file' (or 'path') column and a "
                    f"'checklists' column; its header is {', '.join(header) or 'empty'}"
                )
            reader.fieldnames = header
            choices: dict[str, tuple[str, ...]] = {}
            for row in reader:
                file_name = _unquote_formula((row.get(file_column) or "").strip())
                cell = row[CHOICE_CHECKLISTS_COLUMN] or ""
                refs = tuple(ref for ref in _CHOICE_SEPARATORS.split(cell) if ref)
                if file_name and refs:
                    choices[file_name] = refs
            return choices
    except OSError as exc:
        raise PolicyReviewError(f"cannot read {path}: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise PolicyReviewError(f"{path} is not a readable UTF-8 CSV file: {exc}") from None


def _unquote_formula(cell: str) -> str:
    if cell.startswith("'") and cell[1:].startswith(CSV_FORMULA_PREFIXES):
        return cell[1:]
    return cell


def match_choices(
    choices: Mapping[str, tuple[str, ...]], relatives: Sequence[str]
) -> tuple[dict[str, tuple[str, ...]], list[str]]:
    """Choices keyed by queued path, and the names that matched no queued file.

    A name matches the path under the batch folder, or, written without a folder, the one
    queued file of that name (a name shared by files in several folders must give the folder).
    """
    by_name: dict[str, list[str]] = {}
    for relative in relatives:
        by_name.setdefault(PurePosixPath(relative).name, []).append(relative)
    queued = set(relatives)
    matched: dict[str, tuple[str, ...]] = {}
    unmatched: list[str] = []
    for name, refs in choices.items():
        key = name.replace("\\", "/")
        key = key[2:] if key.startswith("./") else key
        if key in queued:
            matched[key] = refs
        elif "/" not in key and len(by_name.get(key, ())) == 1:
            matched[by_name[key][0]] = refs
        else:
            unmatched.append(name)
    return matched, unmatched


# --- duplicates and ranking -----------------------------------------------------------------


def _original_first(relative: str) -> tuple[int, str]:
    """Of several copies, the one nearest the batch folder's top, then by path, is the one
    analysed (or linked to): a deterministic choice that does not depend on file times."""
    return relative.count("/"), relative


def first_copies(digests: Mapping[str, str]) -> dict[str, str]:
    """Path -> the path of the byte-identical file analysed in its place, for every file
    that is a copy; files with no earlier copy are not in the result."""
    first: dict[str, str] = {}
    copies: dict[str, str] = {}
    for relative in sorted(digests, key=_original_first):
        digest = digests[relative]
        if not digest:
            continue
        if digest in first:
            copies[relative] = first[digest]
        else:
            first[digest] = relative
    return copies


def duplicate_row(original: TriageRow, path: str) -> TriageRow:
    """A copy's row: the original's verdicts and reports, ranked apart and pointing to it."""
    return dataclasses.replace(original, path=path, duplicate_of=original.path, same_text_as="")


def link_same_text(rows: Iterable[TriageRow]) -> list[TriageRow]:
    """Mark analysed rows whose extracted text equals an earlier row's (other bytes, same
    words: a PDF and a Word copy, a re-save) with that row's path."""
    first: dict[str, str] = {}
    linked = []
    for row in sorted(rows, key=lambda r: _original_first(r.path)):
        same = ""
        if row.status is QueueStatus.ANALYSED and row.text_sha256:
            same = first.setdefault(row.text_sha256, row.path)
            same = "" if same == row.path else same
        linked.append(dataclasses.replace(row, same_text_as=same))
    return linked


def rank_rows(rows: Iterable[TriageRow]) -> list[TriageRow]:
    """Triage order: unreadable files first (they need a person), then the furthest from
    ready; files that are not missing-child directives and copies of other files last."""
    return sorted(
        rows,
        key=lambda row: (
            QUEUE_ORDER[row.status],
            -row.critical_missing,
            -row.red_flags,
            -row.low_confidence,
            row.path,
        ),
    )


# --- reviewers' decisions -------------------------------------------------------------------


def load_decisions_folder(folder: Path) -> dict[str, Decisions]:
    """Every decisions@1 file (`*.json`) under `folder`, by document sha256; when a document
    has several, the most recently changed file wins (a reviewer exported again)."""
    if not folder.is_dir():
        raise PolicyReviewError(f"decisions folder {folder} is not a folder")
    found: dict[str, tuple[float, Decisions]] = {}
    for path in sorted(folder.rglob("*.json")):
        if not path.is_file():
            continue
        decisions = load_decisions(path)
        changed = path.stat().st_mtime
        earlier = found.get(decisions.sha256)
        if earlier is None or changed >= earlier[0]:
            found[decisions.sha256] = (changed, decisions)
    return {sha256: decisions for sha256, (_, decisions) in found.items()}


def apply_decisions(
    row: TriageRow, decisions: Decisions | None, report_json: Path | None
) -> TriageRow:
    """The row's decisions column and its critical elements missing after review, recomputed
    from the JSON report's findings with the same rule as the HTML report's summary."""
    if decisions is None or not row.ok:
        return dataclasses.replace(row, decisions="", after_review_critical_missing=None)
    chosen = {(d.checklist, d.element): d.decision for d in decisions.items}
    counts = {value: sum(1 for d in chosen.values() if d == value) for value in DECISION_WORDS}
    parts = [f"{n} {DECISION_WORDS[value]}" for value, n in counts.items() if n]
    reviewer = f" by {decisions.reviewer}" if decisions.reviewer else ""
    summary = (", ".join(parts) or "notes only") + reviewer
    after = None
    findings = _report_findings(report_json) if report_json is not None else None
    if findings is not None and any(chosen.get(key) in DECIDED for key in findings):
        after = sum(
            1
            for key, (status, severity) in findings.items()
            if severity == "critical" and reviewed_status(status, chosen.get(key, "")) == "missing"
        )
    return dataclasses.replace(row, decisions=summary, after_review_critical_missing=after)


def _report_findings(path: Path) -> dict[tuple[str, str], tuple[str, str]] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {
            (f["checklist"], f["element"]): (f["status"], f["severity"]) for f in data["findings"]
        }
    except (OSError, ValueError, KeyError, TypeError):
        return None
