"""Measure the matcher against labelled directives (`NAME.labels.yaml` beside `NAME.<ext>`).

Presence (found or partial vs missing) precision/recall/F1, exact three-way agreement, and the
false-assurance rate (labelled missing, reported found), overall, per document and per element;
plus red-flag agreement and automatic checklist choice where the labels allow.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from policy_review.checklist import Checklist, load_checklist
from policy_review.errors import PolicyReviewError
from policy_review.model import Status

LABELS_SUFFIX = ".labels.yaml"
STATUSES = frozenset(s.value for s in Status)
WEAKEST_SHOWN = 10


@dataclass(frozen=True, slots=True)
class Pair:
    """One (document, element) comparison."""

    element: str
    checklist: str
    gold: str
    predicted: str
    gold_red_flag: bool | None  # None: the labels do not say
    predicted_red_flag: bool


@dataclass(frozen=True, slots=True)
class DocumentResult:
    path: str
    checklists: tuple[str, ...]
    pairs: tuple[Pair, ...] = ()
    seconds: float = 0.0
    auto_checklists: tuple[str, ...] = ()
    error: str = ""


@dataclass(frozen=True, slots=True)
class Scores:
    """Presence confusion counts and the figures derived from them."""

    pairs: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    exact: int = 0
    labelled_missing: int = 0
    false_assurance: int = 0

    @classmethod
    def of(cls, pairs: Iterable[Pair]) -> Scores:
        counts = dict.fromkeys(
            ("pairs", "tp", "fp", "fn", "exact", "labelled_missing", "false_assurance"), 0
        )
        for pair in pairs:
            gold_present = pair.gold != "missing"
            predicted_present = pair.predicted != "missing"
            counts["pairs"] += 1
            counts["tp"] += gold_present and predicted_present
            counts["fp"] += (not gold_present) and predicted_present
            counts["fn"] += gold_present and not predicted_present
            counts["exact"] += pair.gold == pair.predicted
            counts["labelled_missing"] += not gold_present
            counts["false_assurance"] += (not gold_present) and pair.predicted == "found"
        return cls(**counts)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def agreement(self) -> float:
        return self.exact / self.pairs if self.pairs else 1.0

    @property
    def false_assurance_rate(self) -> float:
        return self.false_assurance / self.labelled_missing if self.labelled_missing else 0.0

    @property
    def errors(self) -> int:
        return self.fp + self.fn

    def to_dict(self) -> dict:
        return {
            "pairs": self.pairs,
            "precision": round(self.precision, 3),
            "recall": round(self.recall, 3),
            "f1": round(self.f1, 3),
            "exact_agreement": round(self.agreement, 3),
            "false_assurance_rate": round(self.false_assurance_rate, 3),
            "counts": {
                "tp": self.tp,
                "fp": self.fp,
                "fn": self.fn,
                "exact": self.exact,
                "labelled_missing": self.labelled_missing,
                "false_assurance": self.false_assurance,
            },
        }


@dataclass(frozen=True, slots=True)
class RedFlagScores:
    pairs: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @classmethod
    def of(cls, pairs: Iterable[Pair]) -> RedFlagScores:
        labelled = [p for p in pairs if p.gold_red_flag is not None]
        return cls(
            pairs=len(labelled),
            tp=sum(1 for p in labelled if p.gold_red_flag and p.predicted_red_flag),
            fp=sum(1 for p in labelled if not p.gold_red_flag and p.predicted_red_flag),
            fn=sum(1 for p in labelled if p.gold_red_flag and not p.predicted_red_flag),
        )

    @property
    def agreement(self) -> float:
        return (self.pairs - self.fp - self.fn) / self.pairs if self.pairs else 1.0

    def to_dict(self) -> dict:
        return {
            "pairs": self.pairs,
            "agreement": round(self.agreement, 3),
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
        }


@dataclass(frozen=True, slots=True)
class Evaluation:
    documents: tuple[DocumentResult, ...]
    overall: Scores = field(init=False)
    red_flags: RedFlagScores = field(init=False)
    per_element: dict[str, Scores] = field(init=False)
    per_checklist: dict[str, Scores] = field(init=False)

    def __post_init__(self) -> None:
        pairs = [p for d in self.documents for p in d.pairs]
        object.__setattr__(self, "overall", Scores.of(pairs))
        object.__setattr__(self, "red_flags", RedFlagScores.of(pairs))
        elements: dict[str, list[Pair]] = {}
        for pair in pairs:
            elements.setdefault(pair.element, []).append(pair)
        object.__setattr__(self, "per_element", {e: Scores.of(ps) for e, ps in elements.items()})
        checklists: dict[str, list[Pair]] = {}
        for pair in pairs:
            checklists.setdefault(pair.checklist, []).append(pair)
        object.__setattr__(
            self, "per_checklist", {c: Scores.of(ps) for c, ps in sorted(checklists.items())}
        )

    @property
    def weakest(self) -> list[tuple[str, Scores]]:
        """Elements with presence errors first (most first), then with status disagreements."""
        ranked = sorted(
            self.per_element.items(),
            key=lambda kv: (-kv[1].false_assurance, -kv[1].errors, kv[1].agreement, kv[0]),
        )
        return [(e, s) for e, s in ranked if s.errors or s.exact < s.pairs][:WEAKEST_SHOWN]

    def to_dict(self) -> dict:
        return {
            "overall": self.overall.to_dict(),
            "red_flags": self.red_flags.to_dict(),
            "per_checklist": {c: s.to_dict() for c, s in self.per_checklist.items()},
            "documents": [
                {
                    "path": d.path,
                    "checklists": list(d.checklists),
                    "auto_checklists": list(d.auto_checklists),
                    "seconds": round(d.seconds, 3),
                    "error": d.error,
                    "scores": Scores.of(d.pairs).to_dict(),
                    "disagreements": [
                        {"element": p.element, "gold": p.gold, "predicted": p.predicted}
                        for p in d.pairs
                        if p.gold != p.predicted
                    ],
                }
                for d in self.documents
            ],
            "per_element": {e: s.to_dict() for e, s in sorted(self.per_element.items())},
            "weakest": [e for e, _ in self.weakest],
        }


def _labelled_files(directory: Path) -> list[tuple[Path, Path]]:
    """(document, labels) pairs: every file NAME.<ext> beside NAME.labels.yaml is evaluated."""
    if not directory.is_dir():
        raise PolicyReviewError(f"{directory} is not a folder")
    found = []
    for labels in sorted(directory.glob(f"*{LABELS_SUFFIX}")):
        stem = labels.name[: -len(LABELS_SUFFIX)]
        for candidate in sorted(directory.glob(f"{stem}.*")):
            if (
                candidate != labels
                and candidate.is_file()
                and candidate.name[len(stem) :].count(".") == 1
            ):
                found.append((candidate, labels))
    return found


def _read_labels(path: Path) -> tuple[tuple[str, ...], dict[str, str], frozenset[str] | None]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise PolicyReviewError(f"cannot read labels {path}: {exc}".replace("\n", " ")) from None
    if not isinstance(data, dict) or not isinstance(data.get("elements"), dict):
        raise PolicyReviewError(f"{path}: labels need 'checklists' and an 'elements' mapping")
    checklists = data.get("checklists") or []
    if not isinstance(checklists, list) or not checklists:
        raise PolicyReviewError(f"{path}: 'checklists' must be a non-empty list")
    elements = {}
    for element, status in data["elements"].items():
        if status not in STATUSES:
            raise PolicyReviewError(
                f"{path}: {element}: status {status!r} is not found/partial/missing"
            )
        elements[str(element)] = status
    flags = data.get("red_flags")
    return (
        tuple(map(str, checklists)),
        elements,
        None if flags is None else frozenset(map(str, flags)),
    )


def _evaluate_file(document_path: Path, labels_path: Path, *, ocr: bool) -> DocumentResult:
    from policy_review.extract import ExtractLimits, load_document
    from policy_review.review import choose_checklists, review

    try:
        checklist_ids, gold, gold_flags = _read_labels(labels_path)
        checklists: tuple[Checklist, ...] = tuple(load_checklist(c) for c in checklist_ids)
        document = load_document(document_path, limits=ExtractLimits(ocr=ocr))
        started = time.perf_counter()
        report = review(document, checklists)
        seconds = time.perf_counter() - started
        auto = tuple(c.id for c in choose_checklists(document)[0])
    except PolicyReviewError as exc:
        return DocumentResult(str(document_path), (), error=str(exc).splitlines()[0])
    pairs = tuple(
        Pair(
            element=f.element,
            checklist=f.checklist,
            gold=gold[f.element],
            predicted=f.status.value,
            gold_red_flag=None if gold_flags is None else f.element in gold_flags,
            predicted_red_flag=bool(f.red_flags),
        )
        for f in report.findings
        if f.element in gold
    )
    return DocumentResult(str(document_path), checklist_ids, pairs, seconds, auto)


def evaluate_directories(dirs: Sequence[str | Path], *, ocr: bool = True) -> Evaluation:
    """Analyse every labelled document file in `dirs` (each file of a NAME counts separately)."""
    files = [pair for directory in dirs for pair in _labelled_files(Path(directory))]
    if not files:
        raise PolicyReviewError(
            "no labelled documents (NAME.labels.yaml beside NAME.<ext>) in "
            + ", ".join(map(str, dirs))
        )
    return Evaluation(tuple(_evaluate_file(doc, labels, ocr=ocr) for doc, labels in files))


def _line(name: str, scores: Scores) -> str:
    return (
        f"{name:<44} P {scores.precision:.2f}  R {scores.recall:.2f}  F1 {scores.f1:.2f}  "
        f"exact {scores.agreement:.2f}  false-assurance {scores.false_assurance_rate:.2f}"
    )


def format_evaluation(evaluation: Evaluation) -> str:
    """A plain-text summary: overall, per document, weakest elements, every imperfect element."""
    overall = evaluation.overall
    lines = [
        f"{len(evaluation.documents)} labelled document files, {overall.pairs} element judgements",
        _line("OVERALL (presence = found or partial)", overall),
        f"  false assurance: {overall.false_assurance} of {overall.labelled_missing} "
        f"labelled-missing judgements reported found",
    ]
    for checklist, scores in evaluation.per_checklist.items():
        lines.append("  " + _line(checklist, scores))
    flags = evaluation.red_flags
    if flags.pairs:
        lines.append(
            f"  red flags: agreement {flags.agreement:.2f} over {flags.pairs} judgements "
            f"(tp {flags.tp}, fp {flags.fp}, fn {flags.fn})"
        )
    lines += ["", "Documents:"]
    for doc in evaluation.documents:
        name = Path(doc.path).name
        if doc.error:
            lines.append(f"  {name}: ERROR {doc.error}")
            continue
        lines.append("  " + _line(name[:42], Scores.of(doc.pairs)) + f"  {doc.seconds:.2f}s")
        if doc.auto_checklists and set(doc.auto_checklists) != set(doc.checklists):
            lines.append(
                f"    automatic choice differs: {', '.join(doc.auto_checklists)} "
                f"(labelled {', '.join(doc.checklists)})"
            )
    weakest = evaluation.weakest
    if weakest:
        lines += ["", "Weakest elements (false assurance, presence errors, exact agreement):"]
        for element, scores in weakest:
            lines.append(
                f"  {element:<28} n {scores.pairs:>2}  fp {scores.fp}  fn {scores.fn}  "
                f"false-assurance {scores.false_assurance}  exact {scores.agreement:.2f}"
            )
    return "\n".join(lines)
