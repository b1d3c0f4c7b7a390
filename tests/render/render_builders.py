"""Small Reports built straight from the model dataclasses, so renderer tests need no matcher."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from policy_review.model import (
    ChecklistRef,
    Document,
    Evidence,
    Finding,
    PassageKind,
    RedFlag,
    Report,
    Severity,
    Status,
    build_document,
)

DEFAULT_BLOCKS = [
    ("Hanover Test PD Directive 201 Missing Persons", 1, (), PassageKind.HEADING),
    ("Page 1 of 2", 1, (), PassageKind.HEADER_FOOTER),
    ("I. Policy", 1, ("I. Policy",), PassageKind.HEADING),
    (
        "Every report of a missing child shall be investigated promptly and thoroughly.",
        1,
        ("I. Policy",),
        PassageKind.PARAGRAPH,
    ),
    (
        "Officers shall not wait 24 hours before taking a report.",
        1,
        ("I. Policy",),
        PassageKind.PARAGRAPH,
    ),
    ("II. Communications", 2, ("II. Communications",), PassageKind.HEADING),
    (
        "Telecommunicators shall enter the child into NCIC within two hours of the report.",
        2,
        ("II. Communications",),
        PassageKind.LIST_ITEM,
    ),
    (
        "Runaways are handled by the juvenile unit after 24 hours.",
        2,
        ("II. Communications",),
        PassageKind.PARAGRAPH,
    ),
]


def make_document(
    blocks=None, *, source: str = "/data/in/test-pd-directive.pdf", **extra
) -> Document:
    blocks = DEFAULT_BLOCKS if blocks is None else blocks
    text = "\n".join(b[0] for b in blocks)
    return build_document(
        source=source,
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        format=extra.pop("format", "pdf"),
        page_count=extra.pop("page_count", 2),
        blocks=list(blocks),
        **extra,
    )


def evidence_for(
    document: Document, phrase: str, *, words: tuple[str, ...] = (), score=0.9
) -> Evidence:
    """Evidence quoting the passage that contains `phrase`, highlighting `words` in it."""
    passage = next(p for p in document.passages if phrase in p.text)
    highlights = tuple(
        (passage.text.index(word), passage.text.index(word) + len(word)) for word in words
    )
    return Evidence(
        quote=passage.text,
        page=passage.page,
        section=passage.section_label,
        start=passage.start,
        end=passage.end,
        highlights=highlights,
        cue="test-cue",
        score=score,
    )


def red_flag_for(document: Document, phrase: str, reason: str) -> RedFlag:
    passage = next(p for p in document.passages if phrase in p.text)
    offset = passage.text.index(phrase)
    return RedFlag(
        quote=phrase,
        page=passage.page,
        section=passage.section_label,
        reason=reason,
        start=passage.start + offset,
        end=passage.start + offset + len(phrase),
    )


def make_finding(element: str, status: Status, **extra) -> Finding:
    values = {
        "element": element,
        "checklist": "le-model-policy",
        "severity": Severity.CRITICAL,
        "status": status,
        "confidence": 0.8,
        "reason": f"Reason for {element}.",
        "title": f"Title of {element}",
        "group": "Policy statements",
        "requirement": f"Requirement of {element}.",
        "guidance": f"Add a sentence covering {element}.",
    }
    values.update(extra)
    return Finding(**values)


def make_report(document: Document | None = None, findings=None, **extra) -> Report:
    """A report on the default document: one found, one partial, one missing, one red flag."""
    document = document or make_document()
    if findings is None:
        findings = (
            make_finding(
                "LE-POL-INVESTIGATE-ALL",
                Status.FOUND,
                confidence=0.93,
                evidence=(
                    evidence_for(
                        document, "investigated promptly", words=("investigated", "promptly")
                    ),
                ),
            ),
            make_finding(
                "LE-POL-NO-WAIT",
                Status.PARTIAL,
                evidence=(evidence_for(document, "not wait 24 hours", words=("not wait",)),),
                red_flags=(
                    red_flag_for(document, "after 24 hours", "A waiting period before acting."),
                ),
                looked_for=("no waiting period", "report taken immediately"),
            ),
            make_finding(
                "LE-NCIC-2HR",
                Status.MISSING,
                group="NCIC",
                severity=Severity.CRITICAL,
                near_miss=evidence_for(document, "NCIC within", words=("NCIC",), score=0.41),
                looked_for=("NCIC entry within two hours",),
            ),
            make_finding(
                "QA-TIMEFRAME",
                Status.MISSING,
                checklist="psap-qa-clause",
                group="Quality assurance",
                severity=Severity.RECOMMENDED,
            ),
        )
    return Report(
        document=document,
        checklists=extra.pop(
            "checklists",
            (
                ChecklistRef("le-model-policy", "1.0", "Law-enforcement model policy", True),
                ChecklistRef("psap-qa-clause", "1.0", "PSAP QA clause", False),
            ),
        ),
        selection_reason=extra.pop(
            "selection_reason", "Mentions officers and investigation: a law-enforcement policy."
        ),
        findings=tuple(findings),
        tool_version=extra.pop("tool_version", "0.1.0"),
    )


DIRECTIVE = """Lakeside Police Department General Order 41.3 Missing Children

I. POLICY
It is the policy of this department to promptly and thoroughly investigate every report of a
missing child. There is no waiting period before a report of a missing child is accepted.

II. PROCEDURES
A. Communications personnel shall obtain the child's description and dispatch an officer.
B. The officer shall ensure the child is entered into NCIC within two hours of the report.
<script>alert(1)</script> {{ 7*7 }}
"""


def review_text_directive(folder: Path) -> Report:
    """A real review of a short text directive; skips until extract/review/checklists work."""
    review = pytest.importorskip(
        "policy_review.review", reason="policy_review.review not built yet"
    )
    extract = pytest.importorskip("policy_review.extract", reason="extractor not built yet")
    from policy_review.errors import PolicyReviewError

    path = folder / "lakeside-go-41.3.txt"
    path.write_text(DIRECTIVE, encoding="utf-8")
    try:
        return review.review(extract.load_document(path))
    except PolicyReviewError as exc:
        pytest.skip(f"review is not usable yet: {exc}")
