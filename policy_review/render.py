"""Turn a Report into the JSON and self-contained HTML reports, and a batch into a triage page.

Templates only lay out what this module hands them: every count, sentence and highlight segment
is computed here from the Report, so no template needs logic and no document text is ever marked
safe (untrusted text reaches the page only through jinja2 autoescaping).
"""

from __future__ import annotations

import base64
import bisect
import datetime
import functools
import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

import jinja2

from policy_review.errors import PolicyReviewError
from policy_review.model import (
    ActorSource,
    ChapterReason,
    ChecklistChoice,
    ChoiceMargin,
    ConditionSource,
    DirectiveTopic,
    Document,
    DocumentScope,
    Evidence,
    EvidenceScope,
    Explanation,
    Finding,
    Modality,
    PassageKind,
    QueueStatus,
    RedFlag,
    Report,
    Severity,
    Status,
    StructureSource,
    Summary,
    TriageRow,
)
from policy_review.phrasing import counted
from policy_review.resources import bundled_dir

# What the report's "Export decisions" button writes and `--decisions FILE` reads back:
# {"schema": DECISIONS_SCHEMA, "document": {"sha256", "file_name"}, "tool_version",
#  "exported_at", "decisions": [{"checklist", "element", "decision", "note", "machine_status"}]}
# where decision is one of DECISION_LABELS or "" (a note without a decision), plus an optional
# top-level "reviewer" (the name the reviewer gave once; the browser remembers it).
DECISIONS_SCHEMA = "policy-review/decisions@1"
DECISION_LABELS = {"accept": "Accept", "reject": "Reject", "follow-up": "Needs follow-up"}
DECISION_MEANINGS = {
    "accept": "I agree with the tool's verdict",
    "reject": "the tool is wrong",
    "follow-up": "I need to check something before deciding",
}
# What a reviewer's decision makes of the machine's status, for the "after review" summary: a
# rejected "found" is missing and a rejected "missing" is there; a rejected "partial" could be
# either, so it counts as disputed until the reviewer says more. Anything else keeps the
# machine's status. The report's script applies the same table, handed to it as page data.
DISPUTED = "disputed"
REVIEWED_STATUS = {
    "reject": {"found": "missing", "missing": "found", "partial": DISPUTED},
}
STATUS_LABELS = {Status.FOUND: "Found", Status.PARTIAL: "Partial", Status.MISSING: "Missing"}
SEVERITY_LABELS = {Severity.CRITICAL: "Critical", Severity.RECOMMENDED: "Recommended"}
KIND_LABELS = {
    PassageKind.HEADER_FOOTER: "header/footer: never counted as evidence",
    PassageKind.TOC: "table of contents: never counted as evidence",
}
NOT_IN_FORCE_LABEL = (
    "states no rule (drafting note, option not adopted, revision log, a crosswalk's requirement "
    "or verdict): not read"
)
# The inline assets whose sha256 goes into the page's Content-Security-Policy, so nothing else
# (an injected tag, an event-handler attribute) could run or style the page even if escaping failed.
# A custom --template-dir may restyle the page only through these files, for the same reason.
REPORT_SCRIPT = "partials/report.js"
REPORT_STYLE = "partials/report.css"
INDEX_SCRIPT = "partials/index.js"
INDEX_STYLE = "partials/index.css"
REPORT_BODY = "partials/report_body.html.j2"
DEFAULT_INDEX_TITLE = "Policy review triage queue"
QUEUE_STATUS_LABELS = {
    QueueStatus.FAILED: "could not be read",
    QueueStatus.ANALYSED: "analysed",
    QueueStatus.OFF_TOPIC: "not a missing-child directive",
    QueueStatus.DUPLICATE: "duplicate",
}
_SLUG_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
_SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True, slots=True)
class Decision:
    """One reviewer's call on one element, as exported from the HTML report."""

    checklist: str
    element: str
    decision: str
    note: str

    @property
    def label(self) -> str:
        return DECISION_LABELS.get(self.decision, "No decision")


@dataclass(frozen=True, slots=True)
class Decisions:
    """A reviewer's decisions for one document (identified by its sha256)."""

    sha256: str
    items: tuple[Decision, ...]
    source: str = ""
    reviewer: str = ""

    def get(self, checklist: str, element: str) -> Decision | None:
        for item in self.items:
            if item.checklist == checklist and item.element == element:
                return item
        return None


def render_json(report: Report) -> str:
    """The `policy-review/report@1` JSON, byte-identical for the same report."""
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"


def load_decisions(path: str | Path) -> Decisions:
    """Read a decisions file exported by the HTML report; any defect is one plain error line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PolicyReviewError(f"decisions file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or "not readable UTF-8 text"
        raise PolicyReviewError(f"cannot read decisions file {path}: {reason}") from None
    return parse_decisions(text, source=str(path))


def parse_decisions(text: str, *, source: str) -> Decisions:
    """A decisions file's text (named `source` in messages), checked like `load_decisions`."""
    try:
        # a byte-order mark: editors on Windows save JSON with one
        data = json.loads(text.removeprefix("\ufeff"))
    except RecursionError:
        raise PolicyReviewError(
            f"decisions file {source} is nested too deeply to be a decisions export"
        ) from None
    except json.JSONDecodeError as exc:
        raise PolicyReviewError(
            f"decisions file {source} is not valid JSON (line {exc.lineno}): "
            "export it again from the HTML report"
        ) from None
    problem = _decisions_problem(data)
    if problem:
        raise PolicyReviewError(
            f"{source} is not a {DECISIONS_SCHEMA} file exported by policy-review: {problem}"
        )
    items = tuple(
        Decision(
            checklist=item["checklist"],
            element=item["element"],
            decision=item.get("decision") or "",
            note=item.get("note") or "",
        )
        for item in data["decisions"]
    )
    reviewer = data.get("reviewer")
    return Decisions(
        sha256=data["document"]["sha256"],
        items=items,
        source=source,
        reviewer=" ".join(reviewer.split()) if isinstance(reviewer, str) else "",
    )


def _decisions_problem(data: Any) -> str:
    """What is wrong with a parsed decisions file, or "" when it is usable."""
    if not isinstance(data, dict):
        return "the top level is not an object"
    if data.get("schema") != DECISIONS_SCHEMA:
        return f'"schema" is {data.get("schema")!r}'
    document = data.get("document")
    if not isinstance(document, dict) or not _SHA256_HEX.match(str(document.get("sha256", ""))):
        return '"document.sha256" is missing or not a sha256'
    decisions = data.get("decisions")
    if not isinstance(decisions, list):
        return '"decisions" is not a list'
    for number, item in enumerate(decisions, 1):
        if not isinstance(item, dict):
            return f"decision {number} is not an object"
        if not all(isinstance(item.get(key), str) for key in ("checklist", "element")):
            return f"decision {number} lacks checklist or element"
        if item.get("decision") not in (None, "", *DECISION_LABELS):
            return f"decision {number} has unknown decision {item.get('decision')!r}"
        if not isinstance(item.get("note", ""), str | None):
            return f"decision {number} has a note that is not text"
    return ""


@dataclass(frozen=True, slots=True)
class QueueLinks:
    """Where a batch report sits in its triage queue: relative links to the index and onwards.

    `next_href` goes through the index (`index.html#after=ROW`), whose script opens the report
    after this row in whatever order the queue ended up, so a report never needs re-rendering
    when the ranking changes.
    """

    index_href: str
    next_href: str


def render_html(
    report: Report,
    *,
    template_dir: str | Path | None = None,
    decisions: Decisions | None = None,
    generated_at: str | None = None,
    queue: QueueLinks | None = None,
) -> str:
    """One self-contained HTML file (inline CSS/JS, no network) a reviewer can decide from."""
    if decisions is not None and decisions.sha256 != report.document.sha256:
        raise PolicyReviewError(
            f"the decisions file {decisions.source} was exported for another document "
            f"(sha256 {decisions.sha256[:12]}…, this one is {report.document.sha256[:12]}…)"
        )
    env = _environment(_template_key(template_dir))
    context = _report_context(
        report, decisions, generated_at or datetime.date.today().isoformat(), queue=queue
    )
    context["csp"] = _content_security_policy(env, (REPORT_SCRIPT,), (REPORT_STYLE,))
    return _render(env, "report.html.j2", context)


def render_index_html(
    rows: Sequence[TriageRow],
    *,
    template_dir: str | Path | None = None,
    title: str = DEFAULT_INDEX_TITLE,
    generated_at: str | None = None,
) -> str:
    """The batch triage queue: rows in the caller's ranking, linking to each report."""
    env = _environment(_template_key(template_dir))
    analysed = [row for row in rows if row.status is QueueStatus.ANALYSED]
    anchors = _Anchors()
    row_ids = {row.path: anchors.make("row", row.path) for row in rows}
    context = {
        "title": title,
        "generated_at": generated_at or datetime.date.today().isoformat(),
        "rows": [_triage_row_view(rank, row, row_ids) for rank, row in enumerate(rows, 1)],
        "totals": {
            "documents": len(rows),
            "analysed": len(analysed),
            "failed": sum(1 for row in rows if not row.ok),
            "apart": {
                QUEUE_STATUS_LABELS[status]: sum(1 for row in rows if row.status is status)
                for status in (QueueStatus.OFF_TOPIC, QueueStatus.DUPLICATE)
            },
            "decided": sum(1 for row in rows if row.decisions),
            "critical_missing": sum(1 for row in analysed if row.critical_missing),
            "red_flags": sum(1 for row in analysed if row.red_flags),
        },
        "show_decisions": any(row.decisions for row in rows),
        "csp": _content_security_policy(env, (INDEX_SCRIPT,), (INDEX_STYLE,)),
    }
    return _render(env, "index.html.j2", context)


@dataclass(frozen=True, slots=True)
class ReportParts:
    """A report without the page around it: its body HTML and the data its script reads."""

    body: str
    page_data: dict


@dataclass(frozen=True, slots=True)
class Page:
    """A rendered page and the Content-Security-Policy that allows exactly its inline assets."""

    html: str
    csp: str


def render_report_parts(report: Report, *, generated_at: str | None = None) -> ReportParts:
    """The report's sections for a page that wraps them itself (the review workspace)."""
    env = _environment("")
    context = _report_context(report, None, generated_at or datetime.date.today().isoformat())
    return ReportParts(body=_render(env, REPORT_BODY, context), page_data=context["page_data"])


def render_page(
    name: str,
    context: Mapping[str, Any],
    *,
    scripts: Sequence[str],
    styles: Sequence[str],
    same_origin: bool = False,
    template_dir: str | Path | None = None,
) -> Page:
    """A bundled page under the report's CSP: its inline scripts and styles allowed by hash.

    The template includes `page_scripts` and `page_styles` inline, in order; `same_origin` also
    lets the page post forms to and fetch from the server that served it.
    """
    env = _environment(_template_key(template_dir))
    csp = _content_security_policy(env, scripts, styles, same_origin=same_origin)
    context = {**context, "csp": csp, "page_scripts": list(scripts), "page_styles": list(styles)}
    return Page(html=_render(env, name, context), csp=csp)


# ---------------------------------------------------------------- environment


def _template_key(template_dir: str | Path | None) -> str:
    if template_dir is None:
        return ""
    directory = Path(template_dir)
    if not directory.is_dir():
        raise PolicyReviewError(f"template folder {directory} does not exist")
    return str(directory.resolve())


@functools.lru_cache(maxsize=8)
def _environment(template_dir: str) -> jinja2.Environment:
    """Compiled once per template folder; a user folder may override any bundled template.

    Templates are read once per process (no auto_reload): otherwise every render would stat
    each template file again to see whether it changed.
    """
    search = [template_dir] if template_dir else []
    search.append(str(bundled_dir("templates")))
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(search),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )


def _render(env: jinja2.Environment, name: str, context: Mapping[str, Any]) -> str:
    try:
        return env.get_template(name).render(context)
    except jinja2.TemplateError as exc:
        where = f" ({exc.filename}, line {exc.lineno})" if getattr(exc, "lineno", None) else ""
        raise PolicyReviewError(f"template {name} failed: {exc.message}{where}") from None


def _content_security_policy(
    env: jinja2.Environment,
    scripts: Sequence[str],
    styles: Sequence[str],
    *,
    same_origin: bool = False,
) -> str:
    """Allow exactly the bundled inline scripts and styles (by hash), and no network at all;
    `same_origin` also lets a served page post forms to and fetch from its own server."""
    script_src = " ".join(_asset_hash(env, script) for script in scripts) or "'none'"
    style_src = " ".join(_asset_hash(env, style) for style in styles) or "'none'"
    return (
        f"default-src 'none'; script-src {script_src}; style-src {style_src}; base-uri 'none'; "
        + (
            "form-action 'self'; connect-src 'self'; frame-ancestors 'none'"
            if same_origin
            else "form-action 'none'"
        )
    )


def _asset_hash(env: jinja2.Environment, name: str) -> str:
    try:
        text = env.get_template(name).render()
    except jinja2.TemplateError as exc:
        raise PolicyReviewError(f"template {name} failed: {exc.message}") from None
    digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")
    return f"'sha256-{digest}'"


# ---------------------------------------------------------------- report view-model

# The views a report repeats many times (findings, quotes, passages, segments) are slotted
# dataclasses, not dicts: jinja2 reads `f.status` with getattr first, which on a dict raises
# and catches an AttributeError for every lookup.


@dataclass(frozen=True, slots=True)
class _QuoteView:
    """A quote as a card shows it: highlighted segments, where it is, the link into the text."""

    segments: tuple[tuple[str, bool], ...]
    page: int | None
    section: str
    where: str
    score: str
    explanation: str
    span: str
    outside: bool = False  # from a passage outside the chapters read as the missing-child policy
    why: tuple[tuple[str, str], ...] = ()  # (label, value) rows from the quote's Explanation


@dataclass(frozen=True, slots=True)
class _RedFlagView:
    quote: str
    page: int | None
    section: str
    where: str
    reason: str
    span: str


@dataclass(frozen=True, slots=True)
class _FindingView:
    """One element's card, with every label and quote ready to lay out."""

    id: str
    element: str
    checklist: str
    title: str
    group: str
    status: str
    status_label: str
    severity: str
    severity_label: str
    confidence: str
    requirement: str
    reason: str
    guidance: str
    model_language: str
    looked_for: tuple[str, ...]
    evidence: tuple[_QuoteView, ...]
    near_miss: _QuoteView | None
    red_flags: tuple[_RedFlagView, ...]
    imported: Decision | None
    caveat: str
    place: str


@dataclass(frozen=True, slots=True)
class _Segment:
    """A piece of passage text; a highlighted one names its kind, anchors and elements."""

    text: str
    kind: str = ""
    anchors: tuple[str, ...] = ()
    title: str = ""


@dataclass(frozen=True, slots=True)
class _PassageView:
    """One passage of the text as read, cut into segments at every highlight boundary."""

    page: int | None
    new_page: bool
    kind: str
    kind_note: str
    section: str
    segments: tuple[_Segment, ...]
    back: tuple[_FindingView, ...]


def _report_context(
    report: Report,
    decisions: Decisions | None,
    generated_at: str,
    *,
    queue: QueueLinks | None = None,
) -> dict:
    document = report.document
    anchors = _Anchors()
    spans = _SpanIndex(document)
    finding_ids = [anchors.make("el", f.checklist, f.element) for f in report.findings]
    caveat = _extraction_caveat(document)
    headings = any(p.section for p in document.passages)
    findings = [
        _finding_view(finding, anchor, spans, decisions, caveat, headings)
        for finding, anchor in zip(report.findings, finding_ids, strict=True)
    ]
    by_id = {view.id: view for view in findings}
    return {
        "queue": queue,
        "header": _header_view(report, generated_at),
        "verdict": _verdict_view(report, findings),
        "health": _health_view(document, report.scope),
        "checklists": _checklist_sections(report, findings),
        "document": _document_view(document, spans, by_id, report.scope),
        "decisions_source": decisions.source if decisions else "",
        "decisions_reviewer": decisions.reviewer if decisions else "",
        "decisions_unmatched": _unmatched_decisions(report, decisions),
        "decision_labels": DECISION_LABELS,
        "decision_meanings": DECISION_MEANINGS,
        "after_review": _after_review_view(report, decisions),
        "page_data": {
            "sha256": document.sha256,
            "file_name": _file_name(document.source),
            "tool_version": report.tool_version,
            "schema": DECISIONS_SCHEMA,
            "reviewed_status": REVIEWED_STATUS,
            "flags": report.summary.red_flags,
            "elements": [
                {
                    "id": view.id,
                    "checklist": view.checklist,
                    "element": view.element,
                    "status": view.status,
                    "severity": view.severity,
                }
                for view in findings
            ],
            "imported": {
                view.id: {"decision": view.imported.decision, "note": view.imported.note}
                for view in findings
                if view.imported is not None
            },
        },
    }


def _unmatched_decisions(report: Report, decisions: Decisions | None) -> str:
    """Say so when decisions name elements this report lacks (another checklist version, say)."""
    if decisions is None:
        return ""
    present = {(f.checklist, f.element) for f in report.findings}
    n = sum(1 for d in decisions.items if (d.checklist, d.element) not in present)
    if not n:
        return ""
    if n == 1:
        return "1 decision names an element that is not in this report, so it is not shown."
    return f"{n} decisions name elements that are not in this report, so they are not shown."


def _file_name(source: str) -> str:
    return PurePosixPath(source.replace("\\", "/")).name or source


def _header_view(report: Report, generated_at: str) -> dict:
    document = report.document
    return {
        "file_name": _file_name(document.source),
        "source": document.source,
        "sha256": document.sha256,
        "format": document.format,
        "pages": "not paged" if document.page_count is None else str(document.page_count),
        "generated_at": generated_at,
        "tool_version": report.tool_version,
        "checklists": [
            {
                "id": ref.id,
                "version": ref.version,
                "title": ref.title,
                "auto_selected": ref.auto_selected,
            }
            for ref in report.checklists
        ],
        "any_auto": any(ref.auto_selected for ref in report.checklists),
        "selection_reason": report.selection_reason,
        "scope": _scope_view(report.scope),
        "close_choice": _close_choice_view(report.choice),
    }


def _close_choice_view(choice: ChecklistChoice | None) -> dict | None:
    """A close automatic choice, and the verdicts the other audience's checklists give."""
    if choice is None or choice.margin is not ChoiceMargin.CLOSE:
        return None
    summary = Summary.of(choice.alternative_findings)
    return {
        "alternative": list(choice.alternative),
        "found": summary.found,
        "partial": summary.partial,
        "missing": summary.missing,
        "critical_missing": len(summary.critical_missing),
        "findings": [
            {"element": f.element, "title": f.title, "status": STATUS_LABELS[f.status]}
            for f in choice.alternative_findings
        ],
    }


CHAPTER_REASON_WORDS = {
    ChapterReason.WHOLE_DOCUMENT: "the whole document is one directive",
    ChapterReason.TITLE_NAMES_TOPIC: "its title names",
    ChapterReason.TEXT_ABOUT_TOPIC: "its text is mostly about missing children",
    ChapterReason.SECTION_NAMES_TOPIC: "a section heading names",
    ChapterReason.OFF_TOPIC: "not about missing children",
    ChapterReason.NO_CHAPTER_ON_TOPIC: "no chapter is about missing children, so all were read",
    ChapterReason.FOR_OTHER_AUDIENCE: "read only for other checklists",
}


def _scope_view(scope: DocumentScope | None) -> dict | None:
    """What was read as the missing-child policy, for a multi-policy document or a document
    that is no missing-child directive; None when there is nothing to say (one directive)."""
    if scope is None:
        return None
    not_directive = scope.topic is DirectiveTopic.NOT_MISSING_CHILD
    read = scope.read(scope.applied)
    if len(scope.chapters) == 1 and not not_directive:
        return None
    aside = scope.to_dict()["set_aside_reasons"]
    return {
        "not_directive": not_directive,
        "multi": len(scope.chapters) > 1 or scope.structure is not StructureSource.SINGLE,
        "read": [
            {
                "name": " ".join(part for part in (c.number, c.title) if part) or "Untitled",
                "pages": _pages_label(c.first_page, c.last_page),
                "why": CHAPTER_REASON_WORDS[c.reason]
                + (f" {', '.join(repr(m) for m in c.matched)}" if c.matched else ""),
            }
            for c in read
        ],
        "set_aside": sum(aside.values()),
        "aside_reasons": [
            f"{n} {CHAPTER_REASON_WORDS[ChapterReason(reason)]}" for reason, n in aside.items()
        ],
        "outside": len(scope.outside(scope.applied)),
    }


def _pages_label(first: int | None, last: int | None) -> str:
    if first is None:
        return "not paged"
    return f"page {first}" if first == last else f"pages {first}-{last}"


def overall_reading(report: Report) -> tuple[str, str]:
    """A one-line verdict and its tone (blocking / caution / clear) from the findings alone."""
    critical = [f.status.value for f in report.findings if f.severity is Severity.CRITICAL]
    return _reading(len(report.findings), critical, report.summary.red_flags)


def _reading(total: int, critical_statuses: Sequence[str], flags: int) -> tuple[str, str]:
    """The reading from the critical elements' statuses; the report's script mirrors it live."""
    if not total:
        return "No checklist elements were checked.", "caution"
    missing = sum(1 for status in critical_statuses if status == Status.MISSING.value)
    partial = sum(1 for status in critical_statuses if status == Status.PARTIAL.value)
    disputed = sum(1 for status in critical_statuses if status == DISPUTED)
    flag_note = f"; {counted(flags, 'red flag')} to resolve" if flags else ""
    if missing:
        partial_note = f", {partial} only partly met" if partial else ""
        return (
            f"{counted(missing, 'critical element')} missing{partial_note}{flag_note}; "
            "not ready to submit.",
            "blocking",
        )
    if partial or disputed:
        weak = f"{counted(partial, 'critical element')} only partly met" if partial else ""
        open_ = f"{counted(disputed, 'critical verdict')} disputed" if disputed else ""
        return (
            f"No critical element missing, but {' and '.join(x for x in (weak, open_) if x)}"
            f"{flag_note}; revise before submitting.",
            "caution",
        )
    if flags:
        return (
            f"Every critical element found, but {counted(flags, 'red flag')} contradict the "
            "requirements; resolve them before submitting.",
            "caution",
        )
    return "Every critical element found and no red flags; confirm the evidence below.", "clear"


def reviewed_status(machine_status: str, decision: str) -> str:
    """The status a reviewer's decision gives an element (REVIEWED_STATUS; else the machine's)."""
    return REVIEWED_STATUS.get(decision, {}).get(machine_status, machine_status)


def _after_review_view(report: Report, decisions: Decisions | None) -> dict | None:
    """The summary recomputed from imported decisions, or None when none accepts or rejects."""
    if decisions is None:
        return None
    statuses = []
    decided = changed = 0
    for finding in report.findings:
        item = decisions.get(finding.checklist, finding.element)
        choice = item.decision if item else ""
        status = reviewed_status(finding.status.value, choice)
        decided += choice in ("accept", "reject")
        changed += status != finding.status.value
        statuses.append((finding, status))
    if not decided:  # notes and follow-ups only: the tool's verdict stands
        return None
    critical = [status for f, status in statuses if f.severity is Severity.CRITICAL]
    reading, tone = _reading(len(statuses), critical, report.summary.red_flags)
    counts = {s.value: sum(1 for _, status in statuses if status == s.value) for s in Status}
    counts[DISPUTED] = sum(1 for _, status in statuses if status == DISPUTED)
    return {
        "reading": reading,
        "tone": tone,
        "counts": counts,
        "decided": decided,
        "changed": changed,
        "total": len(statuses),
    }


def _verdict_view(report: Report, findings: list[_FindingView]) -> dict:
    counts = {
        status: {
            severity: sum(
                1 for f in report.findings if f.status is status and f.severity is severity
            )
            for severity in Severity
        }
        for status in Status
    }
    reading, tone = overall_reading(report)
    critical_missing = [
        view
        for view, f in zip(findings, report.findings, strict=True)
        if f.status is Status.MISSING and f.severity is Severity.CRITICAL
    ]
    red_flags = [(view, flag) for view in findings for flag in view.red_flags]
    return {
        "reading": reading,
        "tone": tone,
        "rows": [
            {
                "status": status.value,
                "label": STATUS_LABELS[status],
                "cells": [counts[status][severity] for severity in Severity],
                "total": sum(counts[status].values()),
            }
            for status in Status
        ],
        "severities": [SEVERITY_LABELS[s] for s in Severity],
        "column_totals": [sum(counts[st][sv] for st in Status) for sv in Severity],
        "total": len(report.findings),
        "critical_missing": critical_missing,
        "red_flags": red_flags,
    }


def _health_view(document: Document, scope: DocumentScope | None) -> dict:
    header_footer = sum(1 for p in document.passages if p.kind is PassageKind.HEADER_FOOTER)
    items = []
    if document.ocr_pages:
        items.append(
            {
                "label": "Pages read by OCR",
                "value": _page_list(document.ocr_pages),
                "concern": True,
                "note": "OCR text can misspell words, so a cue there may have been missed.",
            }
        )
    if document.blank_pages:
        items.append(
            {
                "label": "Pages with no text",
                "value": _page_list(document.blank_pages),
                "concern": True,
                "note": "Nothing on these pages was analysed; check them by eye.",
            }
        )
    if document.tracked_changes:
        items.append(
            {
                "label": "Unaccepted tracked changes",
                "value": "yes",
                "concern": True,
                "note": "Read as if every change were accepted (Word's tracked changes, or "
                "[DELETED: ...] / [INSERTED: ...] marks in the text); the final text may differ.",
            }
        )
    items.append(
        {
            "label": "Header/footer passages set aside",
            "value": str(header_footer),
            "concern": False,
            "note": "Running headers, footers and page numbers are never counted as evidence.",
        }
    )
    if scope is not None and scope.other_language:
        names = ", ".join(sorted({name for _, name in scope.other_language}))
        items.append(
            _set_aside_row(
                document,
                [i for i, _ in scope.other_language],
                "Text in another language, set aside",
                f" ({names})",
                "The checklists read English; a translation beside the English text "
                "(a bilingual directive) is not read. Check that nothing is stated only there.",
            )
        )
    if scope is not None and scope.not_in_force:
        items.append(
            _set_aside_row(
                document,
                scope.not_in_force,
                "Text stating no rule, set aside",
                "",
                "Drafting notes, options marked not adopted or deleted, revision logs, "
                "text explaining a rule (commentary, rationale, a scenario) and a crosswalk's "
                "requirement and self-assessment columns are never counted as evidence; check "
                "that none of it is in force.",
            )
        )
    if not document.passages:
        items.append(
            {
                "label": "Text extracted",
                "value": "none",
                "concern": True,
                "note": "No text was read, so every element will show as missing.",
            }
        )
    concerns = bool(document.warnings) or any(item["concern"] for item in items)
    return {
        "rows": items,
        "warnings": list(document.warnings),
        "concerns": concerns,
        "summary": (
            "Extraction problems: a 'missing' element may be caused by text the tool could not "
            "read, not by the directive itself."
            if concerns
            else "The text was read without problems."
        ),
    }


def _extraction_caveat(document: Document) -> str:
    """Said beside every gap when extraction may have lost text, so it is not taken as final."""
    causes = []
    if document.ocr_pages:
        causes.append(f"read by OCR (pages {_page_list(document.ocr_pages)})")
    if document.blank_pages:
        causes.append(f"without text (pages {_page_list(document.blank_pages)})")
    if document.warnings:
        causes.append(f"flagged by {counted(len(document.warnings), 'extraction warning')}")
    if not document.passages:
        causes.append("not read at all")
    if not causes:
        return ""
    return (
        f"Part of this document was {'; '.join(causes)}: the wording may be there but unread. "
        "Check those pages before relying on this gap."
    )


def _set_aside_row(document: Document, passages, label: str, detail: str, note: str) -> dict:
    """An ingestion-health row counting passages the matcher did not read, and their pages."""
    pages = [p for i in passages if (p := document.passages[i].page) is not None]
    count = len(passages)
    return {
        "label": label,
        "value": f"{count} passage{'' if count == 1 else 's'}{detail}"
        + (f", pages {_page_list(pages)}" if pages else ""),
        "concern": False,
        "note": note,
    }


def _page_list(pages: Iterable[int]) -> str:
    """Pages as compact ranges: 1-3, 7."""
    ranges: list[list[int]] = []
    for page in sorted(set(pages)):
        if ranges and page == ranges[-1][1] + 1:
            ranges[-1][1] = page
        else:
            ranges.append([page, page])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in ranges)


def _checklist_sections(report: Report, findings: list[_FindingView]) -> list[dict]:
    """Findings grouped by checklist (report order) then by group (first appearance order)."""
    known = {ref.id: ref for ref in report.checklists}
    order = [ref.id for ref in report.checklists]
    order += [f.checklist for f in report.findings if f.checklist not in known]
    sections = []
    for checklist_id in dict.fromkeys(order):
        groups: dict[str, list[_FindingView]] = {}
        for view, finding in zip(findings, report.findings, strict=True):
            if finding.checklist == checklist_id:
                groups.setdefault(finding.group or "Other", []).append(view)
        if not groups:
            continue
        ref = known.get(checklist_id)
        sections.append(
            {
                "id": checklist_id,
                "anchor": "cl-" + _slug(checklist_id),
                "title": ref.title if ref else checklist_id,
                "version": ref.version if ref else "",
                "groups": [
                    {"name": name, "anchor": f"grp-{_slug(checklist_id)}-{i}", "findings": views}
                    for i, (name, views) in enumerate(groups.items(), 1)
                ],
            }
        )
    return sections


def _finding_view(
    finding: Finding,
    anchor: str,
    spans: _SpanIndex,
    decisions: Decisions | None,
    caveat: str,
    headings: bool,
) -> _FindingView:
    gap = finding.status is not Status.FOUND
    return _FindingView(
        id=anchor,
        element=finding.element,
        checklist=finding.checklist,
        title=finding.title,
        group=finding.group,
        status=finding.status.value,
        status_label=STATUS_LABELS[finding.status],
        severity=finding.severity.value,
        severity_label=SEVERITY_LABELS[finding.severity],
        confidence=f"{round(finding.confidence * 100)}%",
        requirement=finding.requirement,
        reason=finding.reason,
        guidance=finding.guidance if gap else "",
        model_language=finding.model_language if gap else "",
        looked_for=finding.looked_for if gap else (),
        evidence=tuple(
            _quote_view(e, spans.add(e.start, e.end, "evidence", anchor, e.quote))
            for e in finding.evidence
        ),
        near_miss=_near_miss_view(finding, anchor, spans),
        red_flags=tuple(
            _red_flag_view(r, spans.add(r.start, r.end, "flag", anchor, r.quote))
            for r in finding.red_flags
        ),
        imported=decisions.get(finding.checklist, finding.element) if decisions else None,
        caveat=caveat if gap else "",
        place=_place(finding, headings) if gap else "",
    )


def _place(finding: Finding, headings: bool) -> str:
    """Where in the agency's document the missing text belongs, said once under 'What to add'."""
    if finding.add_to:
        return f"Where: in “{finding.add_to}”, the section whose heading names this topic."
    if headings:
        return "Where: no section of this directive names this topic; add a section or paragraph."
    return ""


def _near_miss_view(finding: Finding, anchor: str, spans: _SpanIndex) -> _QuoteView | None:
    """The nearest passage for a gap, unless it merely repeats a quote already shown."""
    near = finding.near_miss
    if near is None or finding.status is Status.FOUND:
        return None
    if any(near.quote == e.quote for e in finding.evidence):
        return None
    return _quote_view(near, spans.add(near.start, near.end, "near", anchor, near.quote))


def _where(page: int | None, section: str) -> str:
    """Where a quote sits, as plain text the template escapes: `Page 3 · 4.2 Intake`; a file
    without pages (most Word files) is cited by its section alone, or not at all."""
    if page is None:
        return f"Section: {section}" if section else ""
    return f"Page {page} · {section}" if section else f"Page {page}"


def _quote_view(evidence: Evidence, span_anchor: str) -> _QuoteView:
    return _QuoteView(
        segments=_split_highlights(evidence.quote, evidence.highlights),
        page=evidence.page,
        section=evidence.section,
        where=_where(evidence.page, evidence.section),
        score=f"{evidence.score:.2f}",
        explanation=evidence.explanation.describe() if evidence.explanation else "",
        span=span_anchor,
        outside=evidence.scope is EvidenceScope.OUTSIDE,
        why=_why_rows(evidence.explanation),
    )


_ACTOR_SOURCE_WORDS = {
    ActorSource.SUBJECT: "subject of the sentence",
    ActorSource.LEAD_IN: "from the list's lead-in",
    ActorSource.ROLE_TAG: "from the role tag closing the step",
    ActorSource.HEADING: "from the section heading",
}
_MODALITY_WORDS = {
    Modality.MANDATORY: "mandatory (shall / must / will)",
    Modality.PERMISSIVE: "permissive (may / should consider)",
    Modality.ADVISORY: "advisory (should / ought to)",
    Modality.NEGATED: "negated (not required / need not)",
}


_CONDITION_SOURCE_WORDS = {
    ConditionSource.SENTENCE: "in the sentence itself",
    ConditionSource.LEAD_IN: "in its list's lead-in",
    ConditionSource.ITEM_TITLE: "in its item's title",
    ConditionSource.HEADING: "in its section heading",
}


def _why_rows(explanation: Explanation | None) -> tuple[tuple[str, str], ...]:
    """A quote's Explanation as labelled rows of plain text (the template escapes them)."""
    if explanation is None:
        return ()
    rows = [("Cue", explanation.cue)]
    if explanation.level is None and explanation.groups_total:
        close = f"{explanation.groups_met} of {explanation.groups_total} concept groups"
        if explanation.lacking:
            close += "; lacks " + ", ".join(explanation.lacking)
        if explanation.lacking_context:
            close += "; not in the context of " + ", ".join(explanation.lacking_context)
        rows.append(("How close", close))
    if explanation.matched:
        matched = "; ".join(
            m.describe() if m.via_actor else f"{m.label}: " + ", ".join(f"“{t}”" for t in m.terms)
            for m in explanation.matched
        )
        rows.append(("Matched", matched))
    if explanation.actors or explanation.roles_allowed:
        who = " / ".join(a.replace("_", " ") for a in explanation.actors) or "not named"
        if explanation.actors and explanation.actor_source in _ACTOR_SOURCE_WORDS:
            who += f" ({_ACTOR_SOURCE_WORDS[explanation.actor_source]})"
        if explanation.roles_allowed:
            duty = " / ".join(r.replace("_", " ") for r in explanation.roles_allowed)
            who += f"; the requirement is a duty of the {duty}"
        rows.append(("Who", who))
    if explanation.modality in _MODALITY_WORDS:
        rows.append(("Wording", _MODALITY_WORDS[explanation.modality]))
    for outcome in explanation.subchecks:
        rows.append(("Sub-check", f"{outcome.kind.replace('_', ' ')}: {outcome.detail}"))
    if explanation.parts:
        stated = ", ".join(p.label for p in explanation.parts if p.present) or "none"
        absent = ", ".join(p.label for p in explanation.parts if not p.present) or "none"
        rows.append(("Parts", f"stated: {stated}; not stated: {absent}"))
    condition = explanation.condition
    if condition is not None:
        where = _CONDITION_SOURCE_WORDS[condition.source]
        rows.append(("Cases", f"stated only for some children: “{condition.text}” ({where})"))
    score = [f"base {explanation.base:.2f}"]
    for adjustment in explanation.adjustments:
        cap = f", {adjustment.cap.value} at most" if adjustment.cap else ""
        score.append(f"{adjustment.delta:+.2f} {adjustment.detail}{cap}")
    rows.append(("Score", "; ".join(score) + f" → {explanation.score:.2f}"))
    return tuple(rows)


def _red_flag_view(flag: RedFlag, span_anchor: str) -> _RedFlagView:
    return _RedFlagView(
        quote=flag.quote,
        page=flag.page,
        section=flag.section,
        where=_where(flag.page, flag.section),
        reason=flag.reason,
        span=span_anchor,
    )


def _split_highlights(
    text: str, highlights: Iterable[tuple[int, int]]
) -> tuple[tuple[str, bool], ...]:
    """Split text into (segment, is_match) pieces; bad or overlapping offsets are tolerated."""
    merged: list[list[int]] = []
    for start, end in sorted(highlights):
        start, end = max(0, start), min(len(text), end)
        if start >= end:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    segments: list[tuple[str, bool]] = []
    position = 0
    for start, end in merged:
        if start > position:
            segments.append((text[position:start], False))
        segments.append((text[start:end], True))
        position = end
    if position < len(text) or not segments:
        segments.append((text[position:], False))
    return tuple(segments)


# ---------------------------------------------------------------- document view


class _Anchors:
    """HTML ids that are valid, readable (`el-le-model-policy--LE-NCIC-2HR`) and unique."""

    def __init__(self) -> None:
        self._used: set[str] = set()

    def make(self, prefix: str, *parts: str) -> str:
        base = prefix + "-" + "--".join(_slug(p) for p in parts)
        anchor, n = base, 1
        while anchor in self._used:
            n += 1
            anchor = f"{base}-{n}"
        self._used.add(anchor)
        return anchor


def _slug(text: str) -> str:
    return _SLUG_UNSAFE.sub("_", text).strip("_") or "x"


@dataclass(slots=True)
class _Span:
    start: int
    end: int
    kind: str
    anchor: str
    findings: list[str]


class _SpanIndex:
    """Quoted spans of Document.text, deduplicated, each with one anchor to jump to."""

    def __init__(self, document: Document) -> None:
        self._text = document.text
        self._spans: dict[tuple[int, int, str], _Span] = {}

    def add(self, start: int, end: int, kind: str, finding_id: str, quote: str) -> str:
        """Register a span; returns its anchor, or "" when the quote cannot be located.

        Offsets that do not hold the quote (a bug upstream) fall back to the quote's first
        occurrence, so a link never highlights text other than what the card shows.
        """
        if not quote.strip():
            return ""
        held = self._text[max(start, 0) : max(end, 0)]
        if held != quote and " ".join(held.split()) != " ".join(quote.split()):
            start = self._text.find(quote)
            if start < 0:
                return ""
            end = start + len(quote)
        key = (start, end, kind)
        span = self._spans.get(key)
        if span is None:
            span = _Span(start, end, kind, f"span-{len(self._spans) + 1}", [])
            self._spans[key] = span
        if finding_id not in span.findings:
            span.findings.append(finding_id)
        return span.anchor

    def spans(self) -> list[_Span]:
        return sorted(self._spans.values(), key=lambda s: (s.start, -s.end))


# Where several highlights overlap, the strongest kind colours the text.
_KIND_RANK = {"flag": 3, "evidence": 2, "near": 1}


def _document_view(
    document: Document,
    spans: _SpanIndex,
    by_id: Mapping[str, _FindingView],
    scope: DocumentScope | None,
) -> dict:
    """Passages with page labels, cut into segments at every highlight boundary; text that
    states no rule, or is in another language, is marked as not read."""
    passages = document.passages
    set_aside = {i: NOT_IN_FORCE_LABEL for i in (scope.not_in_force if scope else ())}
    for i, name in scope.other_language if scope else ():
        set_aside[i] = f"in another language ({name}): not read"
    starts = [p.start for p in passages]
    per_passage: dict[int, list[_Span]] = {}
    for span in spans.spans():
        first = max(0, bisect.bisect_right(starts, span.start) - 1)
        last = bisect.bisect_left(starts, span.end)
        for index in range(first, last):
            passage = passages[index]
            if span.start < passage.end and span.end > passage.start:
                per_passage.setdefault(index, []).append(span)

    views = []
    previous_page: int | None = None
    previous_kind: PassageKind | None = None
    for index, passage in enumerate(passages):
        here = per_passage.get(index, [])
        # Back links sit after the passage, not mid-sentence, once per element.
        back = {
            finding_id: by_id[finding_id]
            for span in here
            if span.end <= passage.end or index == len(passages) - 1
            for finding_id in span.findings
        }
        new_page = passage.page is not None and passage.page != previous_page
        # A run of running headers/footers is labelled once, not on every line.
        first_of_run = new_page or passage.kind is not previous_kind
        aside_note = set_aside.get(index)
        views.append(
            _PassageView(
                page=passage.page,
                new_page=new_page,
                kind="not_in_force" if aside_note else passage.kind.value,
                kind_note=aside_note or (KIND_LABELS.get(passage.kind, "") if first_of_run else ""),
                section=passage.section_label,
                segments=_passage_segments(passage.text, passage.start, here, by_id),
                back=tuple(back.values()),
            )
        )
        previous_kind = passage.kind
        if passage.page is not None:
            previous_page = passage.page
    pages = sorted({p.page for p in passages if p.page is not None})
    return {"passages": views, "pages": pages}


def _passage_segments(
    text: str, offset: int, spans: list[_Span], by_id: Mapping[str, _FindingView]
) -> tuple[_Segment, ...]:
    if not spans:  # most passages: nothing quoted, one plain segment
        return (_Segment(text),) if text else ()
    bounds = {0, len(text)}
    for span in spans:
        bounds.add(min(max(span.start - offset, 0), len(text)))
        bounds.add(min(max(span.end - offset, 0), len(text)))
    cuts = sorted(bounds)
    segments = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        covering = [s for s in spans if s.start - offset < b and s.end - offset > a]
        if not covering:
            segments.append(_Segment(text[a:b]))
            continue
        elements = dict.fromkeys(by_id[fid].element for s in covering for fid in s.findings)
        segments.append(
            _Segment(
                text[a:b],
                kind=max(covering, key=lambda s: _KIND_RANK[s.kind]).kind,
                anchors=tuple(s.anchor for s in covering if s.start - offset == a),
                title="; ".join(elements),
            )
        )
    return tuple(segments)


# ---------------------------------------------------------------- triage index


def _report_href(path: str) -> str:
    """A relative link that a crafted file name cannot turn into `javascript:` or similar."""
    if not path:
        return ""
    return quote(path.replace("\\", "/"), safe="/")


def _extraction_note(row: TriageRow) -> str:
    """How well the file was read, so a reviewer can tell extraction gaps from policy gaps."""
    parts = []
    if row.ocr_pages:
        parts.append(f"{counted(row.ocr_pages, 'page')} OCRed")
    if row.extraction_warnings:
        count = row.extraction_warnings
        parts.append(counted(count, "warning"))
    return ", ".join(parts) if parts else ("clean" if row.ok else "")


def _triage_row_view(rank: int, row: TriageRow, row_ids: Mapping[str, str]) -> dict:
    return {
        "rank": rank,
        "id": row_ids[row.path],
        "ok": row.ok,
        "status": row.status.value,
        "status_label": QUEUE_STATUS_LABELS[row.status],
        "duplicate_of": _related_row(row.duplicate_of, row_ids),
        "same_text_as": _related_row(row.same_text_as, row_ids),
        "choice_close": row.choice_close,
        "checklists_from": row.checklists_from,
        "decisions": row.decisions,
        "after_review": (
            ""
            if row.after_review_critical_missing is None
            else counted(row.after_review_critical_missing, "critical missing", "critical missing")
        ),
        "name": _file_name(row.path),
        "path": row.path if row.path != _file_name(row.path) else "",
        "error": row.error,
        "sha256": row.sha256,
        "agency_type": row.agency_type or ("unknown" if row.ok else ""),
        "checklists": ", ".join(row.checklists),
        "pages": "" if row.pages is None else row.pages,
        "found": row.found,
        "partial": row.partial,
        "missing": row.missing,
        "critical_missing": row.critical_missing,
        "red_flags": row.red_flags,
        "low_confidence": row.low_confidence,
        "extraction": _extraction_note(row),
        "html_href": _report_href(row.html_report),
        "json_href": _report_href(row.json_report),
    }


def _related_row(path: str, row_ids: Mapping[str, str]) -> dict | None:
    """Another row this one points at (the copy it duplicates, the file with its text)."""
    if not path:
        return None
    return {"name": _file_name(path), "path": path, "id": row_ids.get(path, "")}
