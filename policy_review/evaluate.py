"""Measure the matcher against labelled directives (`NAME.labels.yaml` beside `NAME.<ext>`).

Presence (found or partial vs missing) precision/recall/F1, exact three-way agreement, and the
false-assurance rate (labelled missing, reported found), overall, per labelled set, per audience,
per document and per element; red-flag precision and recall; how well the confidence shown
predicts exact agreement (reliability table, expected calibration error, in-sample and
leave-one-document-out); for whole manuals, the share of evidence quoted from outside the
labelled chapters; and the automatic checklist choice.

Labels that cannot be read, or that judge nothing, are errors: a gate built on `evaluate` must
never pass on garbage.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from fnmatch import fnmatch
from pathlib import Path

import yaml

from policy_review.calibration import (
    CONFIDENT,
    CalibrationTable,
    ConfidenceFeatures,
    Reliability,
    Sample,
    confidence_features,
    cross_both,
    cross_fit,
    fit_table,
    load_table,
    reliability,
)
from policy_review.checklist import Checklist, load_checklist
from policy_review.errors import PolicyReviewError
from policy_review.model import Status
from policy_review.yamlfile import AliasBombError, parse_yaml

LABELS_SUFFIX = ".labels.yaml"
STATUSES = frozenset(s.value for s in Status)
THREE_WAY = tuple(s.value for s in Status)  # found, partial, missing: confusion matrix order
WEAKEST_SHOWN = 10
PSAP_AUDIENCE = "psap"
LABEL_KEYS = frozenset({"doc", "checklists", "elements", "red_flags", "chapters", "union_of"})


@dataclass(frozen=True, slots=True)
class Labels:
    """One labels file: the gold status per element, and what else it says about the document.

    `chapters` are the 1-based inclusive page spans the labels judge (a whole manual labelled for
    its missing-child chapters); empty means the whole document. `union_of` names the labelled
    chapters whose labels were combined.
    """

    path: str
    checklists: tuple[str, ...]
    elements: dict[str, Status]
    red_flags: frozenset[str] | None  # None: the labels do not say
    chapters: tuple[tuple[int, int], ...] = ()
    union_of: tuple[str, ...] = ()


def _status_of(path: Path, element: str, value) -> Status:
    """`ID: status` or `ID: {status: ..., page: 3, anchor: "..."}` (the extra keys are notes)."""
    status = value.get("status") if isinstance(value, dict) else value
    if isinstance(status, str) and status in STATUSES:
        return Status(status)
    if isinstance(value, dict) and "status" not in value:
        raise PolicyReviewError(f"{path}: {element}: a mapping label needs a 'status' key")
    shown = type(status).__name__ if isinstance(status, list | dict) else repr(status)
    raise PolicyReviewError(f"{path}: {element}: status {shown} is not found/partial/missing")


def _string_list(path: Path, data: dict, key: str) -> list[str]:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise PolicyReviewError(f"{path}: '{key}' must be a list of names")
    return value


def _chapters(path: Path, value) -> tuple[tuple[int, int], ...]:
    if value is None:
        return ()
    spans = []
    for span in value if isinstance(value, list) else [None]:
        if not (
            isinstance(span, list)
            and len(span) == 2
            and all(isinstance(p, int) and not isinstance(p, bool) for p in span)
            and 1 <= span[0] <= span[1]
        ):
            raise PolicyReviewError(
                f"{path}: 'chapters' must be a list of [first page, last page] spans"
            )
        spans.append((span[0], span[1]))
    return tuple(spans)


def read_labels(path: Path) -> Labels:
    """Read and check one labels file; every problem is one error line naming the file."""
    try:
        data = parse_yaml(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError, AliasBombError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise PolicyReviewError(f"cannot read labels {path}: {' '.join(reason.split())}") from None
    except RecursionError:
        raise PolicyReviewError(f"cannot read labels {path}: nested too deeply") from None
    if not isinstance(data, dict) or not isinstance(data.get("elements"), dict):
        raise PolicyReviewError(f"{path}: labels need 'checklists' and an 'elements' mapping")
    unknown = sorted(map(str, set(data) - LABEL_KEYS))
    if unknown:
        raise PolicyReviewError(f"{path}: unknown key(s) {', '.join(unknown)}")
    checklists = _string_list(path, data, "checklists")
    if not checklists:
        raise PolicyReviewError(f"{path}: 'checklists' must be a non-empty list")
    if not data["elements"]:
        raise PolicyReviewError(f"{path}: 'elements' labels no element")
    elements = {
        str(element): _status_of(path, str(element), value)
        for element, value in data["elements"].items()
    }
    flags = data.get("red_flags")
    return Labels(
        path=str(path),
        checklists=tuple(checklists),
        elements=elements,
        red_flags=None if flags is None else frozenset(_string_list(path, data, "red_flags")),
        chapters=_chapters(path, data.get("chapters")),
        union_of=tuple(_string_list(path, data, "union_of")),
    )


def _checked_checklists(labels: Labels) -> tuple[Checklist, ...]:
    """The labelled checklists, loaded; every labelled element and red flag must belong to them."""
    try:
        checklists = tuple(load_checklist(c) for c in labels.checklists)
    except PolicyReviewError as exc:
        raise PolicyReviewError(f"{labels.path}: {exc}") from None
    known = {e.id for c in checklists for e in c.elements}
    strays = sorted((set(labels.elements) | (labels.red_flags or set())) - known)
    if strays:
        shown = ", ".join(strays[:5]) + (" ..." if len(strays) > 5 else "")
        raise PolicyReviewError(
            f"{labels.path}: {len(strays)} labelled element(s) not in "
            f"{', '.join(labels.checklists)}: {shown}"
        )
    return checklists


@dataclass(frozen=True, slots=True)
class Pair:
    """One (document, element) comparison."""

    element: str
    checklist: str
    gold: str
    predicted: str
    gold_red_flag: bool | None  # None: the labels do not say
    predicted_red_flag: bool
    audience: str = ""
    confidence: float = 0.0
    features: ConfidenceFeatures | None = None

    @property
    def correct(self) -> bool:
        return self.gold == self.predicted


@dataclass(frozen=True, slots=True)
class SpanShare:
    """Evidence quotes of found/partial findings, and how many lie outside the labelled pages."""

    quotes: int = 0
    paged: int = 0
    outside: int = 0

    @property
    def share(self) -> float | None:
        return self.outside / self.paged if self.paged else None

    def __add__(self, other: SpanShare) -> SpanShare:
        return SpanShare(
            self.quotes + other.quotes, self.paged + other.paged, self.outside + other.outside
        )

    def to_dict(self) -> dict:
        share = self.share
        return {
            "quotes": self.quotes,
            "paged_quotes": self.paged,
            "outside_labelled_chapters": self.outside,
            "share": None if share is None else round(share, 3),
        }


@dataclass(frozen=True, slots=True)
class DocumentResult:
    path: str
    checklists: tuple[str, ...]
    pairs: tuple[Pair, ...] = ()
    seconds: float = 0.0
    auto_checklists: tuple[str, ...] = ()
    error: str = ""
    labels: str = ""
    labelled_set: str = ""
    span: SpanShare | None = None  # only for labels with `chapters`
    unfamiliar: bool = False  # in wording the cues were not tuned on (`--unfamiliar GLOB`)

    @property
    def combined(self) -> bool:
        """Labelled for both a PSAP and another audience (a combined police/911 directive)."""
        audiences = {p.audience for p in self.pairs}
        return PSAP_AUDIENCE in audiences and len(audiences) > 1


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
    confusion: tuple[tuple[int, ...], ...] = ()
    """Three-way counts: row = labelled status, column = reported status, in THREE_WAY order."""

    @classmethod
    def of(cls, pairs: Iterable[Pair]) -> Scores:
        counts = dict.fromkeys(
            ("pairs", "tp", "fp", "fn", "exact", "labelled_missing", "false_assurance"), 0
        )
        matrix = [[0] * len(THREE_WAY) for _ in THREE_WAY]
        for pair in pairs:
            if pair.gold in THREE_WAY and pair.predicted in THREE_WAY:
                matrix[THREE_WAY.index(pair.gold)][THREE_WAY.index(pair.predicted)] += 1
            gold_present = pair.gold != "missing"
            predicted_present = pair.predicted != "missing"
            counts["pairs"] += 1
            counts["tp"] += gold_present and predicted_present
            counts["fp"] += (not gold_present) and predicted_present
            counts["fn"] += gold_present and not predicted_present
            counts["exact"] += pair.gold == pair.predicted
            counts["labelled_missing"] += not gold_present
            counts["false_assurance"] += (not gold_present) and pair.predicted == "found"
        return cls(**counts, confusion=tuple(map(tuple, matrix)))

    @property
    def partial_reported_found(self) -> float | None:
        """Share of labelled-partial judgements reported found: a weak clause passed as met."""
        if not self.confusion:
            return None
        row = self.confusion[THREE_WAY.index("partial")]
        return row[THREE_WAY.index("found")] / sum(row) if sum(row) else None

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
        return self.exact / self.pairs if self.pairs else 0.0

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
            "three_way": {
                gold: dict(zip(THREE_WAY, row, strict=True))
                for gold, row in zip(THREE_WAY, self.confusion, strict=True)
            },
        }


@dataclass(frozen=True, slots=True)
class RedFlagScores:
    """Red flags per (document, element), against the labels' `red_flags` element list."""

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
        return (self.pairs - self.fp - self.fn) / self.pairs if self.pairs else 0.0

    @property
    def precision(self) -> float | None:
        """None when the tool raised no flag: there is nothing to be precise about."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        """None when the labels hold no flag."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    def to_dict(self) -> dict:
        return {
            "pairs": self.pairs,
            "agreement": round(self.agreement, 3),
            "precision": _rounded(self.precision),
            "recall": _rounded(self.recall),
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
        }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _samples(documents: Iterable[DocumentResult]) -> list[Sample]:
    """Every judgement with features, marked with its document's familiarity to the cues."""
    return [
        Sample(replace(p.features, unfamiliar=d.unfamiliar), p.correct, d.labels)
        for d in documents
        for p in d.pairs
        if p.features is not None
    ]


@dataclass(frozen=True, slots=True)
class SetFigures:
    """Everything measured on one labelled set (one folder given to `evaluate`)."""

    name: str
    documents: int
    scores: Scores
    red_flags: RedFlagScores
    shown: Reliability
    cross_fit: Reliability
    span: SpanShare | None

    def to_dict(self) -> dict:
        return {
            "documents": self.documents,
            "scores": self.scores.to_dict(),
            "red_flags": self.red_flags.to_dict(),
            "calibration": {"shown": self.shown.to_dict(), "cross_fit": self.cross_fit.to_dict()},
            "out_of_span_evidence": None if self.span is None else self.span.to_dict(),
        }


def _group(pairs: Iterable[Pair], key) -> dict[str, list[Pair]]:
    groups: dict[str, list[Pair]] = {}
    for pair in pairs:
        groups.setdefault(key(pair), []).append(pair)
    return groups


@dataclass(frozen=True, slots=True)
class Evaluation:
    documents: tuple[DocumentResult, ...]
    unfamiliar: tuple[str, ...] = ()
    """The file-name globs marking documents in wording the cues were not tuned on."""
    overall: Scores = field(init=False)
    red_flags: RedFlagScores = field(init=False)
    per_element: dict[str, Scores] = field(init=False)
    per_checklist: dict[str, Scores] = field(init=False)
    per_audience: dict[str, Scores] = field(init=False)
    combined_psap: Scores = field(init=False)
    """PSAP elements of the documents labelled for PSAP and another audience."""
    per_set: dict[str, SetFigures] = field(init=False)
    cross: tuple[tuple[float, float], ...] = field(init=False)
    """Leave-one-document-out (familiar, unfamiliar) probabilities of every judgement with
    features (calibration.cross_both): the held-out figures and a re-fit both read them."""

    def __post_init__(self) -> None:
        pairs = [p for d in self.documents for p in d.pairs]
        set_attr = object.__setattr__
        set_attr(self, "overall", Scores.of(pairs))
        set_attr(self, "red_flags", RedFlagScores.of(pairs))
        elements = _group(pairs, lambda p: p.element)
        set_attr(self, "per_element", {e: Scores.of(ps) for e, ps in elements.items()})
        checklists = _group(pairs, lambda p: p.checklist)
        set_attr(self, "per_checklist", {c: Scores.of(ps) for c, ps in sorted(checklists.items())})
        audiences = _group(pairs, lambda p: p.audience)
        set_attr(self, "per_audience", {a: Scores.of(ps) for a, ps in sorted(audiences.items())})
        set_attr(
            self,
            "combined_psap",
            Scores.of(
                p
                for d in self.documents
                if d.combined
                for p in d.pairs
                if p.audience == PSAP_AUDIENCE
            ),
        )
        samples = _samples(self.documents)
        cross = cross_both(samples) if len({s.group for s in samples}) > 1 else []
        set_attr(self, "cross", tuple(cross))
        set_attr(self, "per_set", self._per_set(samples))

    def _per_set(self, samples: list[Sample]) -> dict[str, SetFigures]:
        held_out = (
            cross_fit(samples, load_table().familiar_weight, self.cross) if self.cross else []
        )
        by_labels: dict[str, list[tuple[float, bool]]] = {}
        for sample, scored in zip(samples, held_out, strict=False):
            by_labels.setdefault(sample.group, []).append(scored)
        figures = {}
        for name in dict.fromkeys(d.labelled_set for d in self.documents):
            docs = [d for d in self.documents if d.labelled_set == name]
            pairs = [p for d in docs for p in d.pairs]
            spans = [d.span for d in docs if d.span is not None]
            figures[name] = SetFigures(
                name=name,
                documents=len(docs),
                scores=Scores.of(pairs),
                red_flags=RedFlagScores.of(pairs),
                shown=reliability((p.confidence, p.correct) for p in pairs),
                cross_fit=reliability(
                    s
                    for labels in dict.fromkeys(d.labels for d in docs)
                    for s in by_labels.get(labels, [])
                ),
                span=sum(spans, SpanShare()) if spans else None,
            )
        return figures

    @property
    def failed(self) -> tuple[DocumentResult, ...]:
        return tuple(d for d in self.documents if d.error)

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
            "per_audience": {a: s.to_dict() for a, s in self.per_audience.items()},
            "psap_in_combined_directives": self.combined_psap.to_dict(),
            "sets": {name: s.to_dict() for name, s in self.per_set.items()},
            "documents": [
                {
                    "path": d.path,
                    "labelled_set": d.labelled_set,
                    "checklists": list(d.checklists),
                    "auto_checklists": list(d.auto_checklists),
                    "seconds": round(d.seconds, 3),
                    "error": d.error,
                    "scores": Scores.of(d.pairs).to_dict(),
                    "red_flags": RedFlagScores.of(d.pairs).to_dict(),
                    "out_of_span_evidence": None if d.span is None else d.span.to_dict(),
                    "disagreements": [
                        {
                            "element": p.element,
                            "gold": p.gold,
                            "predicted": p.predicted,
                            "confidence": p.confidence,
                        }
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
    """(document, labels) pairs: every file NAME.<ext> beside NAME.labels.yaml is evaluated.

    A labels file with no document beside it is an error, not a silent skip."""
    if not directory.is_dir():
        raise PolicyReviewError(f"{directory} is not a folder")
    found = []
    for labels in sorted(directory.glob(f"*{LABELS_SUFFIX}")):
        stem = labels.name[: -len(LABELS_SUFFIX)]
        documents = [
            candidate
            for candidate in sorted(directory.glob(f"{stem}.*"))
            if candidate != labels
            and candidate.is_file()
            and candidate.name[len(stem) :].count(".") == 1
        ]
        if not documents:
            raise PolicyReviewError(f"{labels}: no document {stem}.<ext> beside it")
        found += [(document, labels) for document in documents]
    return found


def _span_share(chapters: tuple[tuple[int, int], ...], report) -> SpanShare | None:
    if not chapters:
        return None
    pages = [e.page for f in report.findings if f.status is not Status.MISSING for e in f.evidence]
    paged = [p for p in pages if p is not None]
    outside = sum(1 for p in paged if not any(lo <= p <= hi for lo, hi in chapters))
    return SpanShare(quotes=len(pages), paged=len(paged), outside=outside)


def _evaluate_file(
    document_path: Path,
    labels: Labels,
    checklists: tuple[Checklist, ...],
    labelled_set: str,
    *,
    ocr: bool,
) -> DocumentResult:
    from policy_review.extract import ExtractLimits, load_document
    from policy_review.review import choose_checklists, review

    try:
        document = load_document(document_path, limits=ExtractLimits(ocr=ocr))
        started = time.perf_counter()
        report = review(document, checklists)
        seconds = time.perf_counter() - started
        auto = tuple(c.id for c in choose_checklists(document)[0])
    except PolicyReviewError as exc:
        return DocumentResult(
            str(document_path),
            labels.checklists,
            error=str(exc).splitlines()[0],
            labels=labels.path,
            labelled_set=labelled_set,
        )
    audience = {c.id: c.audience for c in checklists}
    gold, gold_flags = labels.elements, labels.red_flags
    features = confidence_features(report.findings)
    pairs = tuple(
        Pair(
            element=f.element,
            checklist=f.checklist,
            gold=gold[f.element].value,
            predicted=f.status.value,
            gold_red_flag=None if gold_flags is None else f.element in gold_flags,
            predicted_red_flag=bool(f.red_flags),
            audience=audience.get(f.checklist, ""),
            confidence=f.confidence,
            features=read,
        )
        for f, read in zip(report.findings, features, strict=True)
        if f.element in gold
    )
    return DocumentResult(
        str(document_path),
        labels.checklists,
        pairs,
        seconds,
        auto,
        labels=labels.path,
        labelled_set=labelled_set,
        span=_span_share(labels.chapters, report),
    )


def evaluate_directories(
    dirs: Sequence[str | Path],
    *,
    ocr: bool = True,
    exclude: Sequence[str] = (),
    unfamiliar: Sequence[str] = (),
) -> Evaluation:
    """Analyse every labelled document file in `dirs` (each file of a NAME counts separately),
    except those whose file name matches a glob in `exclude` (held-out documents kept out of a
    fit: `make calibrate`). Documents whose file name matches a glob in `unfamiliar` are in
    wording the cues were not tuned on: the confidence fit reads that as a feature.

    Every labels file is read and checked before any document is analysed, so a bad one fails
    in a blink; an evaluation that judges nothing is an error, never a perfect score."""
    files = [
        (document, labels_path, str(directory))
        for directory in dirs
        for document, labels_path in _labelled_files(Path(directory))
        if not any(fnmatch(document.name, pattern) for pattern in exclude)
    ]
    if not files:
        raise PolicyReviewError(
            "no labelled documents (NAME.labels.yaml beside NAME.<ext>) in "
            + ", ".join(map(str, dirs))
        )
    checked: dict[Path, tuple[Labels, tuple[Checklist, ...]]] = {}
    for _, labels_path, _ in files:
        if labels_path not in checked:
            labels = read_labels(labels_path)
            checked[labels_path] = (labels, _checked_checklists(labels))
    evaluation = Evaluation(
        tuple(
            replace(
                _evaluate_file(document, *checked[labels_path], labelled_set, ocr=ocr),
                unfamiliar=any(fnmatch(document.name, pattern) for pattern in unfamiliar),
            )
            for document, labels_path, labelled_set in files
        ),
        tuple(unfamiliar),
    )
    if not evaluation.overall.pairs:
        raise PolicyReviewError(
            "no element judgements: no labelled document could be analysed"
            + (
                f" (first: {evaluation.failed[0].path}: {evaluation.failed[0].error})"
                if evaluation.failed
                else ""
            )
        )
    return evaluation


def fit_confidence_table(evaluation: Evaluation) -> CalibrationTable:
    """The confidence table fitted on every judgement of `evaluation` (see calibration.py)."""
    return fit_table(
        _samples(evaluation.documents),
        fitted_on=tuple(evaluation.per_set),
        unfamiliar=evaluation.unfamiliar,
        cross=evaluation.cross or None,
    )


def _line(name: str, scores: Scores) -> str:
    return (
        f"{name:<44} P {scores.precision:.2f}  R {scores.recall:.2f}  F1 {scores.f1:.2f}  "
        f"exact {scores.agreement:.2f}  false-assurance {scores.false_assurance_rate:.2f}"
    )


def _ratio(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def _three_way_line(scores: Scores) -> str:
    """'labelled found → reported found/partial/missing: 185/47/18; ...' and the partial share."""
    rows = "; ".join(
        f"{gold} {'/'.join(map(str, row))}"
        for gold, row in zip(THREE_WAY, scores.confusion, strict=True)
    )
    share = scores.partial_reported_found
    tail = "" if share is None else f"; labelled partial reported found {share:.0%}"
    return f"three-way, labelled -> reported {'/'.join(THREE_WAY)}: {rows}{tail}"


def _red_flag_line(flags: RedFlagScores) -> str:
    return (
        f"red flags: precision {_ratio(flags.precision)}  recall {_ratio(flags.recall)} "
        f"over {flags.pairs} labelled judgements (tp {flags.tp}, fp {flags.fp}, fn {flags.fn})"
    )


def _span_line(span: SpanShare) -> str:
    return (
        f"evidence outside the labelled chapters: {span.outside} of {span.paged} paged quotes "
        f"({_ratio(span.share)})"
    )


def _reliability_lines(name: str, shown: Reliability, held_out: Reliability) -> list[str]:
    if held_out.count:
        held = (
            f"{held_out.ece:.3f} leave-one-document-out",
            f", {_ratio(held_out.confident_agreement)} of {held_out.confident_count} held out",
        )
    else:
        held = ("no held-out figure (one labelled document in all)", "")
    lines = [
        f"  confidence ({name}): ECE {shown.ece:.3f} as shown, {held[0]}; at >= {CONFIDENT}: "
        f"exact {_ratio(shown.confident_agreement)} of {shown.confident_count} as shown{held[1]}",
        "    bucket       n   mean conf  exact",
    ]
    lines += [
        f"    {b.low:.1f}-{b.high:.1f}  {b.count:>5}   {b.mean_confidence:.2f}       "
        f"{b.agreement:.2f}"
        for b in shown.buckets
    ]
    return lines


def format_evaluation(evaluation: Evaluation) -> str:
    """A plain-text summary: overall, per set and audience, per document, weakest elements."""
    overall = evaluation.overall
    lines = [
        f"{len(evaluation.documents)} labelled document files, {overall.pairs} element judgements",
        _line("OVERALL (presence = found or partial)", overall),
        f"  false assurance: {overall.false_assurance} of {overall.labelled_missing} "
        f"labelled-missing judgements reported found",
        "  " + _three_way_line(overall),
    ]
    for checklist, scores in evaluation.per_checklist.items():
        lines.append("  " + _line(checklist, scores))
    if len(evaluation.per_audience) > 1:
        for audience, scores in evaluation.per_audience.items():
            lines.append("  " + _line(f"audience {audience}", scores))
    if evaluation.combined_psap.pairs:
        lines.append("  " + _line("PSAP elements in combined directives", evaluation.combined_psap))
    if evaluation.red_flags.pairs:
        lines.append("  " + _red_flag_line(evaluation.red_flags))
    for name, figures in evaluation.per_set.items():
        lines += ["", f"Set {name} ({figures.documents} files):", "  " + _line("", figures.scores)]
        lines.append("  " + _three_way_line(figures.scores))
        if figures.red_flags.pairs:
            lines.append("  " + _red_flag_line(figures.red_flags))
        if figures.span is not None:
            lines.append("  " + _span_line(figures.span))
        lines += _reliability_lines(name, figures.shown, figures.cross_fit)
    lines += ["", "Documents:"]
    for doc in evaluation.documents:
        name = Path(doc.path).name
        if doc.error:
            lines.append(f"  {name}: ERROR {doc.error}")
            continue
        lines.append("  " + _line(name[:42], Scores.of(doc.pairs)) + f"  {doc.seconds:.2f}s")
        if doc.span is not None:
            lines.append("    " + _span_line(doc.span))
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
