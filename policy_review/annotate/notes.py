"""What the margin says: one note per found/partial element, one per red flag, one listing the
missing elements, built from the Report (and the reviewer's decisions) alone."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from policy_review.model import Finding, Report, Status
from policy_review.render import Decision, Decisions

AUTHOR = "policy-review"
AUTHOR_INITIALS = "PR"


class NoteKind(StrEnum):
    EVIDENCE = "evidence"
    RED_FLAG = "red_flag"
    MISSING = "missing"


@dataclass(frozen=True, slots=True)
class Anchor:
    """Where a note belongs: a span of `Document.text` (and its page, for PDFs)."""

    start: int
    end: int
    page: int | None
    quote: str


@dataclass(frozen=True, slots=True)
class Note:
    """One comment: the paragraphs it says, and the candidate spans to anchor it on, best first.

    `anchors` empty means the note belongs on the document's title (the missing-elements note).
    """

    kind: NoteKind
    paragraphs: tuple[str, ...]
    anchors: tuple[Anchor, ...]
    elements: tuple[str, ...]


def build_notes(report: Report, decisions: Decisions | None = None) -> tuple[Note, ...]:
    """Evidence notes in checklist order, then red flags, then the missing-elements note."""
    notes: list[Note] = []
    flags: list[Note] = []
    missing: list[Finding] = []
    for finding in report.findings:
        decision = decisions.get(finding.checklist, finding.element) if decisions else None
        if finding.status is Status.MISSING:
            missing.append(finding)
        elif finding.evidence:
            notes.append(_evidence_note(finding, decision))
        for flag in finding.red_flags:
            flags.append(
                Note(
                    kind=NoteKind.RED_FLAG,
                    paragraphs=(
                        f"RED FLAG · {finding.element} — {finding.title}",
                        flag.reason,
                        *_decision_lines(decision),
                    ),
                    anchors=(Anchor(flag.start, flag.end, flag.page, flag.quote),),
                    elements=(finding.element,),
                )
            )
    notes.extend(flags)
    if missing:
        notes.append(_missing_note(missing, decisions))
    return tuple(notes)


def _evidence_note(finding: Finding, decision: Decision | None) -> Note:
    lines = [
        f"{finding.element} · {finding.status.value} ({finding.severity.value}) — {finding.title}",
        finding.reason,
    ]
    if finding.status is Status.PARTIAL:
        lines.append(f"Add: {finding.guidance}")
        if finding.model_language:
            lines.append(f"Suggested wording: “{finding.model_language}”")
    lines.extend(_decision_lines(decision))
    return Note(
        kind=NoteKind.EVIDENCE,
        paragraphs=tuple(lines),
        anchors=tuple(Anchor(e.start, e.end, e.page, e.quote) for e in finding.evidence),
        elements=(finding.element,),
    )


def _missing_note(missing: list[Finding], decisions: Decisions | None) -> Note:
    lines = [f"Missing elements ({len(missing)}), with suggested wording to start from:"]
    for finding in missing:
        decision = decisions.get(finding.checklist, finding.element) if decisions else None
        entry = f"{finding.element} ({finding.severity.value}) — {finding.title}. "
        entry += f"Why: {finding.rationale or finding.requirement}"
        if finding.add_to:
            entry += f" Where: in “{finding.add_to}”."
        wording = finding.model_language or finding.guidance
        entry += f" Suggested wording: “{wording}”"
        lines.append(entry)
        lines.extend(f"    {line}" for line in _decision_lines(decision))
    return Note(
        kind=NoteKind.MISSING,
        paragraphs=tuple(lines),
        anchors=(),
        elements=tuple(f.element for f in missing),
    )


def _decision_lines(decision: Decision | None) -> tuple[str, ...]:
    if decision is None or not (decision.decision or decision.note):
        return ()
    line = f"Reviewer: {decision.label}"
    return (f"{line} — {decision.note}" if decision.note else line,)
