"""Confidence as a measured probability: the chance that a finding's status is exactly right.

The matcher's own score orders findings by how strong their evidence is, but says nothing about
how often such findings are right. A table fitted on labelled development documents maps a few
features of each finding to the observed exact-agreement rate (isotonic in the evidence strength,
per status, then shifted by how often that element's findings of that status were right beyond
the block's rate, shrunk towards no shift), and `calibrate` applies it once, after matching.
The table is data shipped with the package (`checklists/calibration/confidence.json`);
`policy-review evaluate ... --fit-confidence PATH` re-fits it deterministically.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

from policy_review.errors import PolicyReviewError
from policy_review.model import Finding, Status
from policy_review.resources import bundled_dir

TABLE_SCHEMA = "policy-review/confidence@1"
TABLE_PATH = ("calibration", "confidence.json")
"""Where the fitted table lives under the bundled checklists folder (shipped in the wheel)."""
RELIABILITY_BINS = 10
"""Equal-width confidence buckets for the reliability table and the expected calibration error."""
MIN_BLOCK = 15
"""Fewest judgements an isotonic block may hold; smaller blocks are pooled with a neighbour, so a
handful of findings never sets a probability on its own."""
PRIOR_WEIGHT = 4.0
"""Pseudo-judgements at the status's overall rate added to each block (shrinks small blocks)."""
ELEMENT_PRIOR_WEIGHT = 5.0
"""Pseudo-judgements of 'no shift' added to each element's shift: an element needs many labelled
findings before its own record moves its confidence far from the block's rate."""
PROBABILITY_DIGITS = 3
PROBABILITY_FLOOR = 0.05
PROBABILITY_CEILING = 0.99
"""No finding is shown as certainly wrong or certainly right."""
EXTRA_EVIDENCE_BONUS = 0.04
"""Strength per extra distinct quote (as the matcher's raw confidence counts it)."""
MAX_STRENGTH = 0.98
CONFIDENT = 0.8
"""The confidence a reviewer may lean on: findings at or above it should be right >= 90%."""
NO_EVIDENCE_STRENGTH = 1.0
"""Strength of a 'missing' finding with no near miss at all: as clearly absent as it gets."""


@dataclass(frozen=True, slots=True)
class ConfidenceFeatures:
    """What the table reads from a finding, never its (already calibrated) confidence.

    `strength` is how strongly the matcher backs the status, on one increasing scale per status:
    found/partial: best evidence score plus a little per extra distinct quote (the matcher's raw
    confidence); missing: one minus the best near miss's score, so a near miss close to the bar
    makes "missing" weaker.
    """

    element: str
    status: Status
    strength: float
    evidence: int
    red_flag: bool


def confidence_features(finding: Finding) -> ConfidenceFeatures:
    """The features of `finding` the calibration table is fitted on (one place to extend: when
    evidence carries a structured explanation, its modality, sub-check outcome and scope belong
    here, and the table is re-fitted with `make calibrate`)."""
    if finding.status is Status.MISSING:
        near = finding.near_miss.score if finding.near_miss is not None else 0.0
        strength = NO_EVIDENCE_STRENGTH - near
    else:
        best = max((e.score for e in finding.evidence), default=0.0)
        strength = min(MAX_STRENGTH, best + EXTRA_EVIDENCE_BONUS * (len(finding.evidence) - 1))
    return ConfidenceFeatures(
        element=finding.element,
        status=finding.status,
        strength=round(strength, 3),
        evidence=len(finding.evidence),
        red_flag=bool(finding.red_flags),
    )


@dataclass(frozen=True, slots=True)
class Block:
    """Findings of one status whose strength is at least `start` (up to the next block's)."""

    start: float
    probability: float
    count: int


@dataclass(frozen=True, slots=True)
class ElementShift:
    """How much more (or less) often one element's findings of one status were right than their
    blocks predicted, shrunk by ELEMENT_PRIOR_WEIGHT; `count` findings were seen."""

    shift: float
    count: int


@dataclass(frozen=True, slots=True)
class CalibrationTable:
    """Per status, isotonic blocks ordered by strength, and per (element, status) a shift;
    `probability` looks one finding up."""

    blocks: dict[Status, tuple[Block, ...]]
    shifts: dict[tuple[str, Status], ElementShift] = field(default_factory=dict)
    fitted_on: tuple[str, ...] = ()

    def block_probability(self, features: ConfidenceFeatures) -> float:
        blocks = self.blocks.get(features.status, ())
        if not blocks:
            raise PolicyReviewError(f"confidence table has no blocks for '{features.status}'")
        chosen = blocks[0]
        for block in blocks:
            if features.strength >= block.start:
                chosen = block
        return chosen.probability

    def probability(self, features: ConfidenceFeatures) -> float:
        shift = self.shifts.get((features.element, features.status))
        probability = self.block_probability(features) + (shift.shift if shift else 0.0)
        return round(
            min(PROBABILITY_CEILING, max(PROBABILITY_FLOOR, probability)), PROBABILITY_DIGITS
        )

    def to_dict(self) -> dict:
        return {
            "schema": TABLE_SCHEMA,
            "method": (
                "per status: isotonic (pool-adjacent-violators) fit of exact agreement on"
                f" strength, blocks of at least {MIN_BLOCK} judgements, each shrunk towards the"
                f" status's overall rate by {PRIOR_WEIGHT:g} pseudo-judgements; per element and"
                " status, a shift = (right - predicted by the blocks) / (findings +"
                f" {ELEMENT_PRIOR_WEIGHT:g}); probability clamped to"
                f" [{PROBABILITY_FLOOR}, {PROBABILITY_CEILING}]"
            ),
            "fitted_on": list(self.fitted_on),
            "statuses": {
                status.value: [
                    {"start": b.start, "probability": b.probability, "count": b.count}
                    for b in self.blocks[status]
                ]
                for status in Status
                if status in self.blocks
            },
            "element_shifts": {
                element: {
                    status.value: {"shift": shift.shift, "count": shift.count}
                    for (other, status), shift in sorted(self.shifts.items())
                    if other == element
                }
                for element in sorted({element for element, _ in self.shifts})
            },
        }

    @classmethod
    def from_dict(cls, data: dict, source: str) -> CalibrationTable:
        try:
            if data["schema"] != TABLE_SCHEMA:
                raise ValueError(f"schema {data['schema']!r} is not {TABLE_SCHEMA}")
            blocks = {
                Status(status): tuple(
                    Block(float(b["start"]), float(b["probability"]), int(b["count"])) for b in rows
                )
                for status, rows in data["statuses"].items()
            }
            shifts = {
                (str(element), Status(status)): ElementShift(float(v["shift"]), int(v["count"]))
                for element, by_status in data.get("element_shifts", {}).items()
                for status, v in by_status.items()
            }
        except (KeyError, TypeError, ValueError) as exc:
            raise PolicyReviewError(f"invalid confidence table {source}: {exc}") from None
        missing = [s.value for s in Status if not blocks.get(s)]
        if missing:
            raise PolicyReviewError(f"confidence table {source} has no blocks for {missing}")
        return cls(blocks, shifts, tuple(map(str, data.get("fitted_on", ()))))


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
    """Findings with `confidence` replaced by the fitted probability that the status is right."""
    table = table or load_table()
    return tuple(replace(f, confidence=table.probability(confidence_features(f))) for f in findings)


@dataclass(frozen=True, slots=True)
class Sample:
    """One labelled judgement: the finding's features and whether its status was exactly right."""

    features: ConfidenceFeatures
    correct: bool
    group: str = ""
    """The labelled document it came from (cross-fitting leaves one group out at a time)."""


def _pool(points: list[tuple[float, int, int]]) -> list[tuple[float, int, int]]:
    """Pool-adjacent-violators on (start, correct, count) ordered by start: rates non-decreasing,
    then blocks smaller than MIN_BLOCK merged into their smaller neighbour."""
    blocks: list[list] = []
    for start, correct, count in points:
        blocks.append([start, correct, count])
        while len(blocks) > 1 and (blocks[-2][1] * blocks[-1][2] >= blocks[-1][1] * blocks[-2][2]):
            _, correct2, count2 = blocks.pop()
            blocks[-1][1] += correct2
            blocks[-1][2] += count2
    while len(blocks) > 1:
        small = min(range(len(blocks)), key=lambda i: (blocks[i][2], i))
        if blocks[small][2] >= MIN_BLOCK:
            break
        if small == 0:
            neighbour = 1
        elif small == len(blocks) - 1:
            neighbour = small - 1
        else:
            neighbour = min(small - 1, small + 1, key=lambda i: (blocks[i][2], i))
        low, high = sorted((small, neighbour))
        blocks[low][1] += blocks[high][1]
        blocks[low][2] += blocks[high][2]
        del blocks[high]
    return [tuple(b) for b in blocks]


def fit_table(samples: Sequence[Sample], fitted_on: Sequence[str] = ()) -> CalibrationTable:
    """Fit the table: per status, isotonic exact agreement by strength (deterministic)."""
    blocks: dict[Status, tuple[Block, ...]] = {}
    overall_rate = sum(s.correct for s in samples) / len(samples) if samples else 0.5
    for status in Status:
        mine = [s for s in samples if s.features.status is status]
        rate = sum(s.correct for s in mine) / len(mine) if mine else overall_rate
        by_strength: dict[float, list[int]] = {}
        for sample in mine:
            tally = by_strength.setdefault(sample.features.strength, [0, 0])
            tally[0] += sample.correct
            tally[1] += 1
        points = [(x, c, n) for x, (c, n) in sorted(by_strength.items())]
        pooled = _pool(points) if points else [(0.0, 0, 0)]
        blocks[status] = tuple(
            Block(
                start=0.0 if i == 0 else start,
                probability=round(
                    (correct + PRIOR_WEIGHT * rate) / (count + PRIOR_WEIGHT), PROBABILITY_DIGITS
                ),
                count=count,
            )
            for i, (start, correct, count) in enumerate(pooled)
        )
    unshifted = CalibrationTable(blocks)
    residuals: dict[tuple[str, Status], list[float]] = {}
    for sample in samples:
        key = (sample.features.element, sample.features.status)
        tally = residuals.setdefault(key, [0.0, 0])
        tally[0] += sample.correct - unshifted.block_probability(sample.features)
        tally[1] += 1
    shifts = {
        key: ElementShift(
            round(residual / (count + ELEMENT_PRIOR_WEIGHT), PROBABILITY_DIGITS), count
        )
        for key, (residual, count) in sorted(residuals.items())
    }
    return CalibrationTable(blocks, shifts, tuple(fitted_on))


def cross_fit(samples: Sequence[Sample]) -> list[tuple[float, bool]]:
    """(confidence, correct) for every sample, in order, each scored by a table fitted without
    its group (leave one labelled document out): an honest estimate on unseen documents."""
    scored: list[tuple[float, bool]] = [(0.0, False)] * len(samples)
    for group in sorted({s.group for s in samples}):
        table = fit_table([s for s in samples if s.group != group])
        for i, sample in enumerate(samples):
            if sample.group == group:
                scored[i] = (table.probability(sample.features), sample.correct)
    return scored


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
