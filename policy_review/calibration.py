"""Confidence as a measured probability: the chance that a finding's status is exactly right.

The matcher's own score orders findings by how strong their evidence is, but says nothing about
how often such findings are right. A small model fitted on labelled documents (the development
sets, whose wording the cues were tuned on, and samples in styles they were never tuned on, so
that the fit sees how often the matcher errs on wording it has not met) maps
what each finding's evidence explanation says (how many independent quotes, how the duty is
worded, whether it is another role's duty or quoted from outside the chapters read, which parts
are stated, whether a sub-check read it, how far the best score clears its bar, and for "missing"
how close the nearest miss came and how much of the checklist the document meets) to the
observed exact-agreement rate: per status, a logistic regression over those few features, pooled
across elements (no per-element term: an element's record on a handful of documents does not
carry over to the next agency's wording). Ridge shrinkage and sign constraints from the meaning
of each feature (a near miss close to the bar never makes "missing" surer) keep it small and
robust. The fit also reads whether a labelled document is in wording the cues were never tuned on
(`unfamiliar`); a submission's familiarity is unknown, so the probability shown mixes the answers
for both (`familiar_weight`, chosen leave-one-document-out on the fitted sets). `calibrate`
applies it once, after matching. The fitted weights are data shipped with
the package (`checklists/calibration/confidence.json`); `policy-review evaluate ...
--fit-confidence PATH` re-fits them deterministically.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from policy_review.errors import PolicyReviewError
from policy_review.match.engine import FOUND_BASE_SCORE, PARTIAL_BASE_SCORE
from policy_review.model import (
    EvidenceScope,
    Finding,
    Modality,
    Status,
)
from policy_review.resources import bundled_dir

TABLE_SCHEMA = "policy-review/confidence@3"
"""@3: the models read `unfamiliar` and the table holds `familiar_weight`; an @2 table (no
familiarity) is refused with one line saying to re-fit it."""
TABLE_PATH = ("calibration", "confidence.json")
"""Where the fitted table lives under the bundled checklists folder (shipped in the wheel)."""
RELIABILITY_BINS = 10
"""Equal-width confidence buckets for the reliability table and the expected calibration error."""
RIDGE = 1.0
"""Penalty on each weight, with every feature in its natural unit (a yes/no, a count of quotes or
parts, a score difference): a feature few findings have (a heading boost, wrong-role wording)
moves confidence only as far as many labelled judgements bear it out. Chosen on the
leave-one-document-out error of the development sets and the new-style samples: 1 gives the
lowest on the new styles (ECE 0.11 against 0.113-0.117 at 2-8) and the real directives, and
keeps the development sets' under 0.03."""
PSEUDO_JUDGEMENTS = 1.0
"""One right and one wrong pseudo-judgement at the average finding of each status: a status
always right (or always wrong) in the data gets a high (low) but finite probability."""
MAX_ITERATIONS = 100
CONVERGED = 1e-10
PROBABILITY_DIGITS = 3
WEIGHT_DIGITS = 4
PROBABILITY_FLOOR = 0.05
PROBABILITY_CEILING = 0.99
"""No finding is shown as certainly wrong or certainly right."""
CONFIDENT = 0.8
"""The confidence a reviewer may lean on: findings at or above it should be right >= 90%."""
FAMILIAR_WEIGHTS = tuple(step / 20 for step in range(21))
"""The familiar weights tried when fitting (steps of 0.05)."""
ECE_TIE = 0.005
"""Expected calibration errors closer than this are within their sampling noise (a few hundred
judgements per bucket): among weights that close to the best, the fit keeps the largest familiar
weight, whose confidence stays closest to what the development sets measure."""
NEAR_MISS_BAR = 1.0
"""A near miss's score is the share of its cue's conditions it meets: at 1.0 it would be a hit."""
STATUS_BAR = {
    Status.FOUND: FOUND_BASE_SCORE,
    Status.PARTIAL: PARTIAL_BASE_SCORE,
    Status.MISSING: NEAR_MISS_BAR,
}
"""The score each status is measured against: found/partial evidence over its level's base score
(a heading naming the topic lifts it), the nearest miss of a 'missing' under a full hit."""
NO_NEAR_MISS_MARGIN = -NEAR_MISS_BAR
"""A 'missing' with no near miss at all is as far under the bar as it gets."""


@dataclass(frozen=True, slots=True)
class FeatureSpec:
    """One input of the model: its name, and the direction its meaning allows its weight
    (+1: may only raise confidence, -1: may only lower it, 0: either, as the data says)."""

    name: str
    sign: int


DOCUMENT_FEATURES = (
    FeatureSpec("unfamiliar", -1),
    FeatureSpec("thin", -1),
    FeatureSpec("mandatory_share", +1),
    FeatureSpec("near_misses", -1),
)
"""How familiar the whole document's wording is to the cues: every finding of the document gets
the same values. `unfamiliar` is known only for a labelled document (`evaluate --unfamiliar
GLOB`: wording the cues were never tuned on); a submission's familiarity is unknown, so the shown
confidence mixes the model's answers for both values (CalibrationTable.familiar_weight). The
others are read from all its findings (never from labels). The cues were written on some
agencies' directives; on a directive in wording they have not met, what they do match rests on
one quote more often (`thin`: the share of found/partial findings with a single supporting
quote), less often on a duty worded as the cues know it (`mandatory_share`: the share whose best
quote states the duty as mandatory), and more of its gaps come with a near miss (`near_misses`:
the share of 'missing' findings with one), and its findings of every status are right less often
than their own evidence suggests. Each can only lower confidence as it moves that way. Measured
leave-one-document-out (README): they lower the error on the new-style samples and the real
directives a little, and tell too few errors apart to close the gap on unfamiliar wording."""

FEATURES: dict[Status, tuple[FeatureSpec, ...]] = {
    Status.FOUND: (
        FeatureSpec("quotes", +1),
        FeatureSpec("margin", +1),
        FeatureSpec("checked", +1),
        FeatureSpec("parts_stated", +1),
        FeatureSpec("mandatory", 0),
        FeatureSpec("hedged", -1),
        FeatureSpec("wrong_role", -1),
        FeatureSpec("outside", -1),
        FeatureSpec("red_flag", -1),
        *DOCUMENT_FEATURES,
    ),
    Status.PARTIAL: (
        FeatureSpec("quotes", +1),
        FeatureSpec("margin", 0),
        FeatureSpec("checked", 0),
        FeatureSpec("parts_stated", 0),
        FeatureSpec("parts_missing", 0),
        FeatureSpec("capped", 0),
        FeatureSpec("mandatory", 0),
        FeatureSpec("hedged", 0),
        FeatureSpec("wrong_role", 0),
        FeatureSpec("outside", -1),
        FeatureSpec("red_flag", 0),
        *DOCUMENT_FEATURES,
    ),
    Status.MISSING: (
        FeatureSpec("margin", -1),
        FeatureSpec("near_miss_checked", -1),
        FeatureSpec("no_near_miss", +1),
        FeatureSpec("topic_heading", -1),
        FeatureSpec("coverage", -1),
        *DOCUMENT_FEATURES,
    ),
}
"""Per status, what the model reads. A near miss close to the bar, one that failed only a
sub-check, a heading of the document naming the topic, and a document that meets most of the
checklist each make 'missing' less sure."""


@dataclass(frozen=True, slots=True)
class ConfidenceFeatures:
    """What the model reads from a finding, never its (already calibrated) confidence: the
    structured explanations of its evidence (or of its nearest miss), and its document's coverage.

    found / partial: `quotes` independent supporting quotes; the best quote's `modality`, whether
    it gives the duty to another role (`wrong_role`), comes from outside the chapters read
    (`outside`), states `parts_stated` / lacks `parts_missing` core parts of the requirement,
    passed a sub-check (`checked`), or was a found-level cue capped to partial (`capped`).
    `margin`: the best score minus its status's bar (STATUS_BAR); for 'missing', the nearest
    miss's score minus a full hit's (NO_NEAR_MISS_MARGIN when there is none). `coverage`: the
    share of its checklist the document meets at least partly (an element missing from a
    directive that covers most of the checklist is less surely absent than from one that covers
    little: more likely worded in a way the cues do not know). `thin`, `mandatory_share`,
    `near_misses`, `unfamiliar`: of the whole document (DOCUMENT_FEATURES).
    """

    element: str
    status: Status
    margin: float
    quotes: int = 0
    modality: Modality = Modality.NONE
    wrong_role: bool = False
    outside: bool = False
    parts_stated: int = 0
    parts_missing: int = 0
    checked: bool = False
    capped: bool = False
    red_flag: bool = False
    near_miss_checked: bool = False
    topic_heading: bool = False
    coverage: float = 0.0
    thin: float = 0.0
    mandatory_share: float = 0.0
    near_misses: float = 0.0
    unfamiliar: bool = False

    def values(self) -> dict[str, float]:
        """The numbers the model reads, by feature name (see FEATURES)."""
        return {
            "quotes": float(self.quotes),
            "margin": self.margin,
            "checked": float(self.checked),
            "parts_stated": float(self.parts_stated),
            "parts_missing": float(self.parts_missing),
            "capped": float(self.capped),
            "mandatory": float(self.modality is Modality.MANDATORY),
            "hedged": float(self.modality in (Modality.PERMISSIVE, Modality.NEGATED)),
            "wrong_role": float(self.wrong_role),
            "outside": float(self.outside),
            "red_flag": float(self.red_flag),
            "near_miss_checked": float(self.near_miss_checked),
            "no_near_miss": float(self.margin <= NO_NEAR_MISS_MARGIN),
            "topic_heading": float(self.topic_heading),
            "coverage": self.coverage,
            "thin": self.thin,
            "mandatory_share": self.mandatory_share,
            "near_misses": self.near_misses,
            "unfamiliar": float(self.unfamiliar),
        }

    def vector(self) -> tuple[float, ...]:
        values = self.values()
        return tuple(values[spec.name] for spec in FEATURES[self.status])


def confidence_features(findings: Sequence[Finding]) -> tuple[ConfidenceFeatures, ...]:
    """The features the model reads, per finding of one document (all its checklists' findings:
    `coverage` is the share of the finding's checklist reported found or partial)."""
    present: dict[str, list[bool]] = {}
    for finding in findings:
        present.setdefault(finding.checklist, []).append(finding.status is not Status.MISSING)
    coverage = {checklist: sum(flags) / len(flags) for checklist, flags in present.items()}
    per_finding = [_features(f, round(coverage[f.checklist], 3)) for f in findings]
    whole = _document_features(per_finding)
    return tuple(replace(features, **whole) for features in per_finding)


def _document_features(per_finding: Sequence[ConfidenceFeatures]) -> dict[str, float]:
    """DOCUMENT_FEATURES from the document's findings' own features (0 when none has the kind)."""
    backed = [f for f in per_finding if f.status is not Status.MISSING]
    gaps = [f for f in per_finding if f.status is Status.MISSING]

    def share(part: int, whole: list) -> float:
        return round(part / len(whole), 3) if whole else 0.0

    return {
        "thin": share(sum(f.quotes == 1 for f in backed), backed),
        "mandatory_share": share(sum(f.modality is Modality.MANDATORY for f in backed), backed),
        "near_misses": share(sum(f.margin > NO_NEAR_MISS_MARGIN for f in gaps), gaps),
    }


def _features(finding: Finding, coverage: float) -> ConfidenceFeatures:
    """One finding's features, read from its evidence's (or nearest miss's) explanations."""
    bar = STATUS_BAR[finding.status]
    if finding.status is Status.MISSING:
        near = finding.near_miss
        explanation = near.explanation if near is not None else None
        return ConfidenceFeatures(
            element=finding.element,
            status=finding.status,
            margin=round(near.score - bar, 3) if near is not None else NO_NEAR_MISS_MARGIN,
            near_miss_checked=bool(explanation and explanation.subchecks),
            topic_heading=bool(finding.add_to),
            coverage=coverage,
        )
    best = max(finding.evidence, key=lambda e: e.score, default=None)
    explanation = best.explanation if best is not None else None
    core = [p for p in explanation.parts if p.core] if explanation else []
    return ConfidenceFeatures(
        element=finding.element,
        status=finding.status,
        margin=round((best.score if best is not None else 0.0) - bar, 3),
        quotes=len(finding.evidence),
        modality=explanation.modality if explanation else Modality.NONE,
        wrong_role=bool(explanation and explanation.role_mismatch),
        outside=best is not None and best.scope is EvidenceScope.OUTSIDE,
        parts_stated=sum(p.present for p in core),
        parts_missing=sum(not p.present for p in core),
        checked=bool(explanation and any(s.level is not None for s in explanation.subchecks)),
        capped=bool(
            explanation
            and explanation.base >= FOUND_BASE_SCORE
            and any(a.cap is Status.PARTIAL for a in explanation.adjustments)
        ),
        red_flag=bool(finding.red_flags),
        coverage=coverage,
    )


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


@dataclass(frozen=True, slots=True)
class StatusModel:
    """P(status right) = logistic(intercept + sum of weight * feature), over FEATURES[status];
    `count` labelled judgements were fitted."""

    intercept: float
    weights: dict[str, float]
    count: int

    def probability(self, values: dict[str, float]) -> float:
        z = self.intercept + sum(w * values[name] for name, w in self.weights.items())
        return _sigmoid(z)


@dataclass(frozen=True, slots=True)
class CalibrationTable:
    """Per status, a fitted logistic model; `probability` scores one finding.

    `familiar_weight`: a submission's wording may or may not be one the cues were tuned on, so
    the probability shown is familiar_weight x the model's answer for familiar wording +
    (1 - familiar_weight) x its answer for unfamiliar wording, the weight chosen by
    leave-one-document-out on the fitted sets (`choose_familiar_weight`)."""

    models: dict[Status, StatusModel]
    fitted_on: tuple[str, ...] = ()
    familiar_weight: float = 1.0
    unfamiliar: tuple[str, ...] = ()
    """The file-name globs fitted as unfamiliar wording (a record of the fit)."""

    def _model(self, status: Status) -> StatusModel:
        model = self.models.get(status)
        if model is None:
            raise PolicyReviewError(f"confidence table has no model for '{status}'")
        return model

    def both(self, features: ConfidenceFeatures) -> tuple[float, float]:
        """The model's probability for the finding if its wording is familiar, and if not."""
        model = self._model(features.status)
        values = features.values()
        familiar = model.probability({**values, "unfamiliar": 0.0})
        return familiar, model.probability({**values, "unfamiliar": 1.0})

    def probability(self, features: ConfidenceFeatures) -> float:
        return mixed(*self.both(features), self.familiar_weight)

    def to_dict(self) -> dict:
        return {
            "schema": TABLE_SCHEMA,
            "method": (
                "per status: logistic regression of exact agreement on the features named,"
                " pooled across elements; features centred, ridge penalty"
                f" {RIDGE:g} per weight, one right and one wrong pseudo-judgement at the average"
                " finding; weights whose sign contradicts the feature's meaning are held at 0;"
                " each labelled document weighs the same in total; `unfamiliar` is 1 for the"
                " documents matching the globs fitted as unfamiliar wording; shown probability ="
                " familiar_weight x P(familiar) + (1 - familiar_weight) x P(unfamiliar), the"
                " weight chosen leave-one-document-out; clamped to"
                f" [{PROBABILITY_FLOOR}, {PROBABILITY_CEILING}]"
            ),
            "fitted_on": list(self.fitted_on),
            "unfamiliar": list(self.unfamiliar),
            "familiar_weight": self.familiar_weight,
            "statuses": {
                status.value: {
                    "intercept": self.models[status].intercept,
                    "weights": dict(self.models[status].weights),
                    "judgements": self.models[status].count,
                }
                for status in Status
                if status in self.models
            },
        }

    @classmethod
    def from_dict(cls, data: dict, source: str) -> CalibrationTable:
        schema = data.get("schema") if isinstance(data, dict) else None
        if schema != TABLE_SCHEMA:
            raise PolicyReviewError(
                f"confidence table {source} is {schema or 'of no known format'}, not"
                f" {TABLE_SCHEMA}: re-fit it (make calibrate)"
            )
        try:
            models = {}
            for status, model in data["statuses"].items():
                known = {spec.name for spec in FEATURES[Status(status)]}
                weights = {str(k): float(v) for k, v in model["weights"].items()}
                strays = sorted(set(weights) - known)
                if strays:
                    raise ValueError(f"unknown feature(s) for {status}: {', '.join(strays)}")
                models[Status(status)] = StatusModel(
                    float(model["intercept"]), weights, int(model["judgements"])
                )
            familiar_weight = float(data["familiar_weight"])
            if not 0.0 <= familiar_weight <= 1.0:
                raise ValueError(f"familiar_weight {familiar_weight} is not between 0 and 1")
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise PolicyReviewError(f"invalid confidence table {source}: {exc}") from None
        missing = [s.value for s in Status if s not in models]
        if missing:
            raise PolicyReviewError(f"confidence table {source} has no model for {missing}")
        return cls(
            models,
            tuple(map(str, data.get("fitted_on", ()))),
            familiar_weight,
            tuple(map(str, data.get("unfamiliar", ()))),
        )


def mixed(familiar: float, unfamiliar: float, familiar_weight: float) -> float:
    """The probability shown: the two answers mixed, clamped and rounded."""
    probability = familiar_weight * familiar + (1.0 - familiar_weight) * unfamiliar
    return round(min(PROBABILITY_CEILING, max(PROBABILITY_FLOOR, probability)), PROBABILITY_DIGITS)


def table_path() -> Path:
    return bundled_dir("checklists").joinpath(*TABLE_PATH)


@cache
def load_table(path: Path | None = None) -> CalibrationTable:
    """The shipped table (read once per process), or the one at `path`."""
    source = path or table_path()
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PolicyReviewError(f"cannot read confidence table {source}: {exc}") from None
    return CalibrationTable.from_dict(data, str(source))


def calibrate(
    findings: Iterable[Finding], table: CalibrationTable | None = None
) -> tuple[Finding, ...]:
    """One document's findings with `confidence` replaced by the fitted probability that the
    status is right."""
    table = table or load_table()
    findings = tuple(findings)
    return tuple(
        replace(f, confidence=table.probability(features))
        for f, features in zip(findings, confidence_features(findings), strict=True)
    )


@dataclass(frozen=True, slots=True)
class Sample:
    """One labelled judgement: the finding's features and whether its status was exactly right."""

    features: ConfidenceFeatures
    correct: bool
    group: str = ""
    """The labelled document it came from: each weighs the same in the fit (the next directive
    is one more agency, whatever the folder), and cross-fitting leaves one out at a time."""


def _solve(matrix: list[list[float]], vector: list[float]) -> list[float]:
    """Gaussian elimination with partial pivoting (the matrix is small and positive definite)."""
    size = len(vector)
    rows = [row[:] + [vector[i]] for i, row in enumerate(matrix)]
    for col in range(size):
        pivot = max(range(col, size), key=lambda r: abs(rows[r][col]))
        rows[col], rows[pivot] = rows[pivot], rows[col]
        for r in range(size):
            if r != col and rows[r][col]:
                factor = rows[r][col] / rows[col][col]
                for k in range(col, size + 1):
                    rows[r][k] -= factor * rows[col][k]
    return [rows[i][size] / rows[i][i] for i in range(size)]


def _newton(points: list[tuple[tuple[float, ...], float, float]], size: int) -> list[float]:
    """Penalised maximum likelihood by Newton's method on aggregated points
    (centred x, weighted right, weight); coefficient 0 is the unpenalised intercept."""
    coef = [0.0] * (size + 1)
    for _ in range(MAX_ITERATIONS):
        gradient = [0.0] + [-RIDGE * c for c in coef[1:]]
        hessian = [[0.0] * (size + 1) for _ in range(size + 1)]
        for i in range(1, size + 1):
            hessian[i][i] = RIDGE
        for x, right, weight in points:
            row = (1.0, *x)
            p = _sigmoid(sum(c * v for c, v in zip(coef, row, strict=True)))
            residual, curvature = right - weight * p, weight * p * (1.0 - p)
            for i, vi in enumerate(row):
                gradient[i] += residual * vi
                for j, vj in enumerate(row):
                    hessian[i][j] += curvature * vi * vj
        step = _solve(hessian, gradient)
        coef = [c + s for c, s in zip(coef, step, strict=True)]
        if max(abs(s) for s in step) < CONVERGED:
            break
    return coef


def _fit_status(status: Status, rows: list[tuple[tuple[float, ...], bool, float]]) -> StatusModel:
    """One status's model: centre each feature (so the penalty leaves the status's own rate to
    the intercept), fit, hold weights of the wrong sign at 0, refit."""
    specs = FEATURES[status]
    total = sum(weight for _, _, weight in rows)
    means = [sum(x[i] * w for x, _, w in rows) / total if total else 0.0 for i in range(len(specs))]
    active = [i for i in range(len(specs)) if any(x[i] != means[i] for x, _, _ in rows)]
    while True:
        aggregated: dict[tuple[float, ...], list[float]] = {}
        for x, correct, weight in rows:
            key = tuple(x[i] - means[i] for i in active)
            tally = aggregated.setdefault(key, [0.0, 0.0])
            tally[0] += weight * correct
            tally[1] += weight
        centre = tuple(0.0 for _ in active)
        tally = aggregated.setdefault(centre, [0.0, 0.0])
        tally[0] += PSEUDO_JUDGEMENTS
        tally[1] += 2 * PSEUDO_JUDGEMENTS
        points = [(x, right, weight) for x, (right, weight) in sorted(aggregated.items())]
        coef = _newton(points, len(active))
        wrong = [i for i, c in zip(active, coef[1:], strict=True) if specs[i].sign * c < 0]
        if not wrong:
            break
        active = [i for i in active if i not in wrong]
    weights = {specs[i].name: c for i, c in zip(active, coef[1:], strict=True)}
    intercept = coef[0] - sum(weights[specs[i].name] * means[i] for i in active)
    return StatusModel(
        intercept=round(intercept, WEIGHT_DIGITS),
        weights={name: round(w, WEIGHT_DIGITS) for name, w in weights.items()},
        count=len(rows),
    )


def _fit_models(samples: Sequence[Sample]) -> dict[Status, StatusModel]:
    """Per status, the model fitted on `samples`, each labelled document weighing the same."""
    per_document: dict[str, int] = {}
    for sample in samples:
        per_document[sample.group] = per_document.get(sample.group, 0) + 1
    models = {}
    for status in Status:
        rows = [
            (
                s.features.vector(),
                s.correct,
                len(samples) / (len(per_document) * per_document[s.group]),
            )
            for s in samples
            if s.features.status is status
        ]
        models[status] = _fit_status(status, rows)
    return models


def fit_table(
    samples: Sequence[Sample],
    fitted_on: Sequence[str] = (),
    unfamiliar: Sequence[str] = (),
    familiar_weight: float | None = None,
    cross: Sequence[tuple[float, float]] | None = None,
) -> CalibrationTable:
    """Fit the model per status on `samples` (deterministic: same samples, same weights); the
    familiar weight is chosen leave-one-document-out unless given (`cross`: the samples'
    `cross_both`, when the caller has already worked it out)."""
    if familiar_weight is None:
        familiar_weight = choose_familiar_weight(samples, cross)
    return CalibrationTable(
        _fit_models(samples), tuple(fitted_on), familiar_weight, tuple(unfamiliar)
    )


def cross_both(samples: Sequence[Sample]) -> list[tuple[float, float]]:
    """(familiar, unfamiliar) probabilities for every sample, in order, each from models fitted
    without its labelled document (one fit per document: the costly part of a re-fit)."""
    both: list[tuple[float, float]] = [(0.0, 0.0)] * len(samples)
    for group in sorted({s.group for s in samples}):
        table = CalibrationTable(_fit_models([s for s in samples if s.group != group]))
        for i, sample in enumerate(samples):
            if sample.group == group:
                both[i] = table.both(sample.features)
    return both


def choose_familiar_weight(
    samples: Sequence[Sample], cross: Sequence[tuple[float, float]] | None = None
) -> float:
    """The FAMILIAR_WEIGHTS value whose mixed confidence, leave-one-document-out, is best
    calibrated on wording the cues had not met: the expected calibration error over the
    judgements of the documents fitted as unfamiliar, the largest weight within ECE_TIE of the
    best. A submission is a document the cues were not tuned on; weighing the tuned-on documents
    half (as an earlier fit did) showed 0.87 where held-out samples, never fitted on, were right
    0.75 of the time. On tuned-on wording the confidence then errs low, never high. 1 when the
    fit has only one kind: nothing to mix."""
    counts = {kind: sum(s.features.unfamiliar is kind for s in samples) for kind in (False, True)}
    if not all(counts.values()) or len({s.group for s in samples}) < 2:
        return 1.0
    both = cross_both(samples) if cross is None else cross
    unfamiliar = [(s, pair) for s, pair in zip(samples, both, strict=True) if s.features.unfamiliar]

    def error(weight: float) -> float:
        return reliability((mixed(*pair, weight), s.correct) for s, pair in unfamiliar).ece

    errors = {weight: error(weight) for weight in FAMILIAR_WEIGHTS}
    best = min(errors.values())
    return max(weight for weight, value in errors.items() if value <= best + ECE_TIE)


def cross_fit(
    samples: Sequence[Sample],
    familiar_weight: float = 1.0,
    cross: Sequence[tuple[float, float]] | None = None,
) -> list[tuple[float, bool]]:
    """(confidence, correct) for every sample, in order, each scored by a table fitted without
    its group (leave one labelled document out): an honest estimate on unseen documents. The
    familiar weight is given (the shipped table's), not re-chosen per document."""
    both = cross_both(samples) if cross is None else cross
    return [
        (mixed(*pair, familiar_weight), s.correct) for s, pair in zip(samples, both, strict=True)
    ]


@dataclass(frozen=True, slots=True)
class Bucket:
    low: float
    high: float
    count: int
    mean_confidence: float
    agreement: float


@dataclass(frozen=True, slots=True)
class Reliability:
    """Observed exact agreement per confidence bucket, and the expected calibration error (the
    count-weighted mean gap between a bucket's confidence and its agreement)."""

    buckets: tuple[Bucket, ...]
    count: int
    ece: float
    confident_count: int
    confident_agreement: float | None
    """Findings at confidence >= CONFIDENT, and how often their status was right."""

    def to_dict(self) -> dict:
        return {
            "count": self.count,
            "ece": round(self.ece, 3) if self.count else None,
            f"at_or_above_{CONFIDENT}": {
                "count": self.confident_count,
                "exact_agreement": None
                if self.confident_agreement is None
                else round(self.confident_agreement, 3),
            },
            "buckets": [
                {
                    "from": b.low,
                    "to": b.high,
                    "count": b.count,
                    "mean_confidence": round(b.mean_confidence, 3),
                    "exact_agreement": round(b.agreement, 3),
                }
                for b in self.buckets
            ],
        }


def reliability(scored: Iterable[tuple[float, bool]]) -> Reliability:
    """Reliability table and ECE over RELIABILITY_BINS equal-width buckets (1.0 in the last)."""
    tallies: dict[int, list[float]] = {}
    count = 0
    confident = [0, 0]
    for confidence, correct in scored:
        index = min(int(confidence * RELIABILITY_BINS), RELIABILITY_BINS - 1)
        tally = tallies.setdefault(index, [0, 0.0, 0])
        tally[0] += 1
        tally[1] += confidence
        tally[2] += correct
        count += 1
        if confidence >= CONFIDENT:
            confident[0] += 1
            confident[1] += correct
    buckets = tuple(
        Bucket(
            low=index / RELIABILITY_BINS,
            high=(index + 1) / RELIABILITY_BINS,
            count=n,
            mean_confidence=total / n,
            agreement=right / n,
        )
        for index, (n, total, right) in sorted(tallies.items())
    )
    ece = (
        sum(b.count * abs(b.agreement - b.mean_confidence) for b in buckets) / count
        if count
        else 0.0
    )
    return Reliability(
        buckets=buckets,
        count=count,
        ece=ece,
        confident_count=confident[0],
        confident_agreement=confident[1] / confident[0] if confident[0] else None,
    )
