"""Compare two versions of a directive element by element: what was gained, lost, weakened.

Each side is a Report (a document judged now) or a report@1 JSON written earlier; both become a
frozen `Side`, so the comparison never knows where a verdict came from. A renewal reviewer reads
the changed elements with the wording behind each change as a word-level diff.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from policy_review.errors import PolicyReviewError
from policy_review.model import SCHEMA as REPORT_SCHEMA
from policy_review.model import PassageKind, Report, Severity, Status
from policy_review.phrasing import counted

SCHEMA = "policy-review/compare@1"
# Outline numbering that a renumbering changes without changing what the text says:
# "332.1.1", "IV.", "(b)", "Section 12", "3)".
_LEADING_NUMBER = re.compile(
    r"^\s*(?:(?:section|policy|chapter|article|part|procedure|general order)\s+)?"
    r"(?:\(?[0-9]{1,4}(?:\.[0-9A-Za-z]{1,3})*[.)]?|\(?[IVXLC]{1,6}[.)]|\(?[A-Za-z][.)])(?:\s+|$)",
    re.IGNORECASE,
)
_OUTLINE_NUMBER = re.compile(r"\b\d{1,4}(?:\.\d{1,3})+\b")
QUOTE_PAIRING = 0.5
"""Share of words two quotes must have in common (difflib ratio) to be shown as one edited
sentence rather than one deleted and one added."""
_YEAR = re.compile(r"(?<!\d)(19[5-9]\d|20\d\d)(?!\d)")


class Change(StrEnum):
    GAINED = "gained"  # missing -> found or partial
    LOST = "lost"  # found or partial -> missing
    STRENGTHENED = "strengthened"  # partial -> found
    WEAKENED = "weakened"  # found -> partial
    UNCHANGED = "unchanged"
    NOT_COMPARED = "not compared"  # judged on one side only (different checklists)


class DiffOp(StrEnum):
    SAME = "same"
    INSERTED = "inserted"
    DELETED = "deleted"


@dataclass(frozen=True, slots=True)
class SideFinding:
    element: str
    checklist: str
    title: str
    severity: Severity
    status: Status
    evidence: tuple[str, ...]
    red_flags: tuple[tuple[str, str], ...]  # (reason, quote)


@dataclass(frozen=True, slots=True)
class Side:
    """One version as the comparison needs it; `headings` is None for a JSON report."""

    file: str
    sha256: str
    checklists: tuple[str, ...]
    findings: tuple[SideFinding, ...]
    headings: tuple[str, ...] | None

    def to_dict(self) -> dict:
        return {"file": self.file, "sha256": self.sha256, "checklists": list(self.checklists)}


@dataclass(frozen=True, slots=True)
class ElementChange:
    element: str
    checklist: str
    title: str
    severity: Severity
    old_status: Status | None
    new_status: Status | None
    change: Change
    reworded: bool
    old_evidence: tuple[str, ...]
    new_evidence: tuple[str, ...]
    diff: tuple[tuple[DiffOp, str], ...]

    def to_dict(self) -> dict:
        return {
            "element": self.element,
            "checklist": self.checklist,
            "title": self.title,
            "severity": self.severity.value,
            "old_status": self.old_status.value if self.old_status else None,
            "new_status": self.new_status.value if self.new_status else None,
            "change": self.change.value,
            "reworded": self.reworded,
            "old_evidence": list(self.old_evidence),
            "new_evidence": list(self.new_evidence),
            "diff": [[op.value, text] for op, text in self.diff],
        }


@dataclass(frozen=True, slots=True)
class FlagChange:
    element: str
    reason: str
    quote: str

    def to_dict(self) -> dict:
        return {"element": self.element, "reason": self.reason, "quote": self.quote}


@dataclass(frozen=True, slots=True)
class Comparison:
    old: Side
    new: Side
    checklist_note: str
    elements: tuple[ElementChange, ...]
    red_flags_added: tuple[FlagChange, ...]
    red_flags_removed: tuple[FlagChange, ...]
    sections_added: tuple[str, ...]
    sections_removed: tuple[str, ...]
    sections_compared: bool

    def count(self, change: Change) -> int:
        return sum(1 for e in self.elements if e.change is change)

    @property
    def critical_lost(self) -> tuple[str, ...]:
        return tuple(
            e.element
            for e in self.elements
            if e.change is Change.LOST and e.severity is Severity.CRITICAL
        )

    @property
    def sentence(self) -> str:
        """The reviewer's one-line reading of what changed."""
        since = f"since the {_version_label(self.old.file)}"
        parts = []
        lost = self.critical_lost
        if lost:
            parts.append(
                f"{counted(len(lost), 'critical element')} lost {since} ({', '.join(lost)})"
            )
        other_lost = self.count(Change.LOST) - len(lost)
        if other_lost:
            parts.append(f"{counted(other_lost, 'other element')} lost")
        for change in (Change.GAINED, Change.WEAKENED, Change.STRENGTHENED):
            if self.count(change):
                parts.append(f"{self.count(change)} {change.value}")
        if self.red_flags_added:
            parts.append(f"{counted(len(self.red_flags_added), 'new red flag')}")
        if self.red_flags_removed:
            parts.append(f"{counted(len(self.red_flags_removed), 'red flag')} resolved")
        if not parts:
            reworded = sum(1 for e in self.elements if e.reworded)
            tail = f"; {counted(reworded, 'element')} reworded" if reworded else ""
            return f"No element changed {since}{tail}."
        text = "; ".join(parts)
        if not lost:
            text = f"No critical element lost {since}; " + text
        return text[0].upper() + text[1:] + "."

    def to_dict(self) -> dict:
        return {
            "schema": SCHEMA,
            "old": self.old.to_dict(),
            "new": self.new.to_dict(),
            "checklist_note": self.checklist_note,
            "summary": {
                **{change.value: self.count(change) for change in Change},
                "reworded": sum(1 for e in self.elements if e.reworded),
                "critical_lost": list(self.critical_lost),
                "red_flags_added": len(self.red_flags_added),
                "red_flags_removed": len(self.red_flags_removed),
                "sentence": self.sentence,
            },
            "elements": [e.to_dict() for e in self.elements],
            "red_flags": {
                "added": [f.to_dict() for f in self.red_flags_added],
                "removed": [f.to_dict() for f in self.red_flags_removed],
            },
            "sections": {
                "compared": self.sections_compared,
                "added": list(self.sections_added),
                "removed": list(self.sections_removed),
            },
        }


def _version_label(file: str) -> str:
    years = _YEAR.findall(Path(file).stem)
    return f"{years[-1]} version" if years else f"previous version ({Path(file).name})"


def _normalise_heading(text: str) -> str:
    return " ".join(_LEADING_NUMBER.sub("", text).casefold().split())


def _normalise_quote(text: str) -> str:
    """A quote's words without outline numbers, so renumbering alone is not rewording."""
    return " ".join(_OUTLINE_NUMBER.sub("#", _LEADING_NUMBER.sub("", text)).split())


def side_from_report(report: Report) -> Side:
    document = report.document
    return Side(
        file=document.source,
        sha256=document.sha256,
        checklists=tuple(c.id for c in report.checklists),
        findings=tuple(
            SideFinding(
                element=f.element,
                checklist=f.checklist,
                title=f.title,
                severity=f.severity,
                status=f.status,
                evidence=tuple(e.quote for e in f.evidence),
                red_flags=tuple((r.reason, r.quote) for r in f.red_flags),
            )
            for f in report.findings
        ),
        headings=tuple(p.text for p in document.passages if p.kind is PassageKind.HEADING),
    )


def side_from_dict(data: object, *, source: str) -> Side:
    """A report@1 already parsed (a stored report, or a file's JSON); `source` names it in the
    one-line error a malformed report gives."""
    try:
        if not isinstance(data, dict) or data.get("schema") != REPORT_SCHEMA:
            raise ValueError(f"not a {REPORT_SCHEMA} report")
        return Side(
            file=str(data["document"]["path"]),
            sha256=str(data["document"]["sha256"]),
            checklists=tuple(str(c["id"]) for c in data["checklists"]),
            findings=tuple(
                SideFinding(
                    element=str(f["element"]),
                    checklist=str(f["checklist"]),
                    title=str(f["title"]),
                    severity=Severity(f["severity"]),
                    status=Status(f["status"]),
                    evidence=tuple(str(e["quote"]) for e in f["evidence"]),
                    red_flags=tuple((str(r["reason"]), str(r["quote"])) for r in f["red_flags"]),
                )
                for f in data["findings"]
            ),
            headings=None,
        )
    except (ValueError, KeyError, TypeError) as exc:
        reason = exc if isinstance(exc, ValueError) else f"missing or malformed field {exc}"
        raise PolicyReviewError(f"{source}: not a usable JSON report ({reason})") from None


def side_from_json(path: Path) -> Side:
    """A report@1 file written by `analyze --format json`; anything else is one plain error."""
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, RecursionError) as exc:
        raise PolicyReviewError(f"{path}: cannot read the report: {exc}") from None
    except ValueError as exc:
        raise PolicyReviewError(f"{path}: not a usable JSON report ({exc})") from None
    return side_from_dict(data, source=str(path))


def _classify(old: Status | None, new: Status | None) -> Change:
    if old is None or new is None:
        return Change.NOT_COMPARED
    if old is new:
        return Change.UNCHANGED
    if old is Status.MISSING:
        return Change.GAINED
    if new is Status.MISSING:
        return Change.LOST
    return Change.STRENGTHENED if new is Status.FOUND else Change.WEAKENED


def word_diff(old: str, new: str) -> tuple[tuple[DiffOp, str], ...]:
    """Inserted and deleted words between two texts, runs of one kind merged."""
    old_words, new_words = old.split(), new.split()
    segments: list[tuple[DiffOp, str]] = []

    def add(op: DiffOp, words: list[str]) -> None:
        if not words:
            return
        if segments and segments[-1][0] is op:
            segments[-1] = (op, f"{segments[-1][1]} {' '.join(words)}")
        else:
            segments.append((op, " ".join(words)))

    matcher = difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            add(DiffOp.SAME, old_words[i1:i2])
        else:
            add(DiffOp.DELETED, old_words[i1:i2])
            add(DiffOp.INSERTED, new_words[j1:j2])
    return tuple(segments)


def evidence_diff(
    old_quotes: tuple[str, ...], new_quotes: tuple[str, ...]
) -> tuple[tuple[DiffOp, str], ...]:
    """Word changes quote by quote: each new quote beside the old one it most resembles, so a
    reworded sentence shows its edits; quotes with no counterpart are wholly added or deleted."""
    unpaired = list(old_quotes)
    pieces: list[tuple[DiffOp, str]] = []
    for quote in new_quotes:
        words = quote.split()
        ratio, best = max(
            ((difflib.SequenceMatcher(None, old.split(), words).ratio(), old) for old in unpaired),
            key=lambda pair: pair[0],
            default=(0.0, None),
        )
        if pieces:
            pieces.append((DiffOp.SAME, "…"))
        if best is not None and ratio >= QUOTE_PAIRING:
            unpaired.remove(best)
            pieces.extend(word_diff(best, quote))
        else:
            pieces.append((DiffOp.INSERTED, quote))
    for quote in unpaired:
        if pieces:
            pieces.append((DiffOp.SAME, "…"))
        pieces.append((DiffOp.DELETED, quote))
    return tuple(pieces)


def _element_change(old: SideFinding | None, new: SideFinding | None) -> ElementChange:
    either = new or old
    assert either is not None
    old_evidence = old.evidence if old else ()
    new_evidence = new.evidence if new else ()
    change = _classify(old.status if old else None, new.status if new else None)
    reworded = (
        change is Change.UNCHANGED
        and bool(old_evidence or new_evidence)
        and sorted(map(_normalise_quote, old_evidence))
        != sorted(map(_normalise_quote, new_evidence))
    )
    shown = change not in (Change.UNCHANGED, Change.NOT_COMPARED) or reworded
    return ElementChange(
        element=either.element,
        checklist=either.checklist,
        title=either.title,
        severity=either.severity,
        old_status=old.status if old else None,
        new_status=new.status if new else None,
        change=change,
        reworded=reworded,
        old_evidence=old_evidence,
        new_evidence=new_evidence,
        diff=evidence_diff(old_evidence, new_evidence) if shown else (),
    )


def _flags(side: Side) -> dict[tuple[str, str, str], FlagChange]:
    return {
        (f.element, reason, _normalise_quote(quote)): FlagChange(f.element, reason, quote)
        for f in side.findings
        for reason, quote in f.red_flags
    }


def _headings(side: Side) -> dict[str, str]:
    """Headings by their words without numbers; a heading that is only a number says nothing."""
    normalised = ((_normalise_heading(h), h) for h in side.headings or ())
    return {key: heading for key, heading in normalised if key}


def compare_sides(old: Side, new: Side, *, checklist_note: str) -> Comparison:
    """Every element of NEW (then any judged only in OLD), in checklist order."""
    old_by_id: Mapping[str, SideFinding] = {f.element: f for f in old.findings}
    new_ids = {f.element for f in new.findings}
    elements = [_element_change(old_by_id.get(f.element), f) for f in new.findings]
    elements += [_element_change(f, None) for f in old.findings if f.element not in new_ids]
    old_flags, new_flags = _flags(old), _flags(new)
    compared = old.headings is not None and new.headings is not None
    old_headings, new_headings = _headings(old), _headings(new)
    return Comparison(
        old=old,
        new=new,
        checklist_note=checklist_note,
        elements=tuple(elements),
        red_flags_added=tuple(new_flags[k] for k in new_flags if k not in old_flags),
        red_flags_removed=tuple(old_flags[k] for k in old_flags if k not in new_flags),
        sections_added=tuple(
            new_headings[k] for k in new_headings if compared and k not in old_headings
        ),
        sections_removed=tuple(
            old_headings[k] for k in old_headings if compared and k not in new_headings
        ),
        sections_compared=compared,
    )


def _is_report_json(path: Path) -> bool:
    return path.suffix.lower() == ".json"


def compare_files(old_path: Path, new_path: Path, *, checklists=None, limits=None) -> Comparison:
    """Judge both versions against the same checklists (the user's, or those chosen for NEW)."""
    from policy_review.checklist import load_checklist
    from policy_review.extract import load_document
    from policy_review.review import review

    def judge(path: Path, chosen) -> Side:
        if _is_report_json(path):
            return side_from_json(path)
        return side_from_report(review(load_document(path, limits=limits), chosen))

    new = judge(new_path, checklists)
    if checklists:
        note = "Both versions judged against the checklists chosen by the user: "
    else:
        note = "Both versions judged against the checklists chosen for the new version: "
        checklists = tuple(load_checklist(checklist_id) for checklist_id in new.checklists)
    old = judge(old_path, checklists)
    note += ", ".join(new.checklists) + "."
    if old.checklists != new.checklists:
        note += f" The old report was judged against {', '.join(old.checklists)}."
    return compare_sides(old, new, checklist_note=note)
