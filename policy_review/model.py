"""Frozen data crossing each stage boundary: extract -> Document -> review -> Report -> render."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from enum import StrEnum


class PassageKind(StrEnum):
    """What a passage is, so the matcher can weigh or ignore it (headers are never evidence)."""

    HEADING = "heading"
    PARAGRAPH = "paragraph"
    LIST_ITEM = "list_item"
    TABLE_CELL = "table_cell"
    HEADER_FOOTER = "header_footer"
    TOC = "toc"


NON_EVIDENCE_KINDS = frozenset({PassageKind.HEADER_FOOTER, PassageKind.TOC})
TITLE_WINDOW = 5  # a document's title is a heading among its first few body passages


@dataclass(frozen=True, slots=True)
class Passage:
    """One located block of text; `start`/`end` index into `Document.text`."""

    text: str
    page: int | None
    section: tuple[str, ...]
    kind: PassageKind
    start: int
    end: int
    row: int | None = None  # table cells of one row share it: the row reads as one statement

    @property
    def section_label(self) -> str:
        return " > ".join(self.section)


@dataclass(frozen=True, slots=True)
class ChapterStart:
    """Where a chapter of a manual opens in the document the matcher reads: its title block and
    running headers are the context of its own passages (up to the next chapter's start), never
    of another chapter's."""

    first: int  # index into Document.passages
    titled: bool  # False for passages lifted from a chapter set aside: their title is not kept


@dataclass(frozen=True, slots=True)
class Document:
    """Everything the analyser read from one file, and how well it read it."""

    source: str
    sha256: str
    format: str
    page_count: int | None
    passages: tuple[Passage, ...]
    text: str
    warnings: tuple[str, ...] = ()
    ocr_pages: tuple[int, ...] = ()
    blank_pages: tuple[int, ...] = ()
    tracked_changes: bool = False
    chapter_starts: tuple[ChapterStart, ...] = ()  # a manual cut to its chapters read; () is one

    @property
    def evidence_passages(self) -> tuple[Passage, ...]:
        return tuple(p for p in self.passages if p.kind not in NON_EVIDENCE_KINDS)

    @property
    def title_passage(self) -> Passage | None:
        """The title: a heading among the first few body passages, else the first of them."""
        body = [p for p in self.passages if p.kind not in NON_EVIDENCE_KINDS]
        heading = next((p for p in body[:TITLE_WINDOW] if p.kind is PassageKind.HEADING), None)
        return heading or (body[0] if body else None)

    def to_dict(self) -> dict:
        return {
            "path": self.source,
            "sha256": self.sha256,
            "format": self.format,
            "pages": self.page_count,
            "extraction": {
                "ocr_pages": list(self.ocr_pages),
                "blank_pages": list(self.blank_pages),
                "tracked_changes": self.tracked_changes,
                "header_footer_passages": sum(
                    1 for p in self.passages if p.kind is PassageKind.HEADER_FOOTER
                ),
                "warnings": list(self.warnings),
            },
        }

    def to_full_dict(self) -> dict:
        """The whole extraction, for `policy-review extract --format json`."""
        data = self.to_dict()
        data["passages"] = [
            {
                "text": p.text,
                "page": p.page,
                "section": list(p.section),
                "kind": p.kind.value,
                "start": p.start,
                "end": p.end,
                "row": p.row,
            }
            for p in self.passages
        ]
        return data


def build_document(
    *,
    source: str,
    sha256: str,
    format: str,
    page_count: int | None,
    blocks: list[tuple],
    warnings: tuple[str, ...] = (),
    ocr_pages: tuple[int, ...] = (),
    blank_pages: tuple[int, ...] = (),
    tracked_changes: bool = False,
) -> Document:
    """Assemble a Document from (text, page, section, kind[, row]) blocks, computing offsets
    once; `row` numbers a table row, so its cells can be read together."""
    passages: list[Passage] = []
    parts: list[str] = []
    offset = 0
    for text, page, section, kind, *row in blocks:
        text = " ".join(text.split())
        if not text:
            continue
        if parts:
            parts.append("\n")
            offset += 1
        passages.append(Passage(text, page, tuple(section), kind, offset, offset + len(text), *row))
        parts.append(text)
        offset += len(text)
    return Document(
        source=source,
        sha256=sha256,
        format=format,
        page_count=page_count,
        passages=tuple(passages),
        text="".join(parts),
        warnings=tuple(warnings),
        ocr_pages=tuple(ocr_pages),
        blank_pages=tuple(blank_pages),
        tracked_changes=tracked_changes,
    )


class Status(StrEnum):
    FOUND = "found"
    PARTIAL = "partial"
    MISSING = "missing"


class Severity(StrEnum):
    CRITICAL = "critical"
    RECOMMENDED = "recommended"


class EvidenceScope(StrEnum):
    """Whether a quote comes from the chapters read as the missing-child policy."""

    IN_SCOPE = "in_scope"
    OUTSIDE = "outside"  # another chapter, in a passage that is itself about missing children


class Modality(StrEnum):
    """How a matched sentence words the duty: what a reviewer weighs first."""

    MANDATORY = "mandatory"
    PERMISSIVE = "permissive"
    ADVISORY = "advisory"  # "should": recommended, not required
    NEGATED = "negated"
    NONE = "none"


class ActorSource(StrEnum):
    """Where the actors of a quote were read: its own subject, its list's lead-in (or its table
    row's "Who" cell), the role tag closing its step, the heading."""

    SUBJECT = "subject"
    LEAD_IN = "lead_in"
    ROLE_TAG = "role_tag"  # "Respond to the scene. [SGT]", the tag read from the legend
    HEADING = "heading"
    NONE = "none"


class AdjustmentCause(StrEnum):
    """Why a hit's score or level moved away from its cue's base."""

    SECTION_HEADING = "section_heading"
    HEADING_ONLY = "heading_only"
    PERMISSIVE = "permissive"
    WRONG_ROLE = "wrong_role"
    MISSING_PART = "missing_part"
    CROSS_REFERENCE = "cross_reference"
    LIMITED_CASES = "limited_cases"  # the duty is stated only for some children ("if under 10")
    CURRICULUM = "curriculum"  # a topic of a training list, not a duty to act
    RED_FLAG = "red_flag"  # other wording of the document contradicts the requirement
    HEDGED = "hedged"  # the duty is qualified away ("when practical", "as resources permit")
    TOPIC_ONLY = "topic_only"  # the document's title gives the cue its context (no cap)
    NARROWER_ELSEWHERE = "narrower_elsewhere"  # the text states the requirement narrower too


class ConditionSource(StrEnum):
    """Where a condition limiting a duty to some cases was read: the sentence's own conditional
    clause, the lead-in of its list, the title opening its item, or its heading."""

    SENTENCE = "sentence"
    LEAD_IN = "lead_in"
    ITEM_TITLE = "item_title"  # the run-in title opening its item ("17.8.5 Family abduction.")
    HEADING = "heading"


@dataclass(frozen=True, slots=True)
class LimitingCondition:
    """The words that confine a duty meant for every missing child to some of them."""

    text: str
    source: ConditionSource

    def describe(self) -> str:
        return f"stated only for some children ({self.text})"

    def to_dict(self) -> dict:
        return {"text": self.text, "source": self.source.value}


@dataclass(frozen=True, slots=True)
class ConceptMatch:
    """One concept of the cue and the words of the quote that matched it."""

    concept: str
    label: str
    terms: tuple[str, ...]
    # a role concept met not by words of the quote but by its actor read from its list's
    # lead-in or its heading (`terms` then holds that actor's name)
    via_actor: ActorSource | None = None

    def to_dict(self) -> dict:
        return {
            "concept": self.concept,
            "label": self.label,
            "terms": list(self.terms),
            "via_actor": None if self.via_actor is None else self.via_actor.value,
        }

    def describe(self) -> str:
        if self.via_actor is None:
            return f"{self.label} '{self.terms[0]}'"
        where = "list lead-in" if self.via_actor is ActorSource.LEAD_IN else "heading"
        return f"{self.label} by the actor '{self.terms[0]}' of its {where}"


@dataclass(frozen=True, slots=True)
class SubcheckOutcome:
    """What a sub-check read in the quote (`read`: the words it decided on) and concluded."""

    kind: str
    level: Status | None
    detail: str
    read: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {
            "kind": self.kind,
            "level": None if self.level is None else self.level.value,
            "detail": self.detail,
            "read": list(self.read),
        }


@dataclass(frozen=True, slots=True)
class Adjustment:
    """One change to a hit's score (and, when `cap` is set, its level), with its cause."""

    cause: AdjustmentCause
    delta: float
    detail: str
    cap: Status | None = None

    def to_dict(self) -> dict:
        return {
            "cause": self.cause.value,
            "delta": round(self.delta, 3),
            "detail": self.detail,
            "cap": None if self.cap is None else self.cap.value,
        }


@dataclass(frozen=True, slots=True)
class PartResult:
    """One declared part of a multi-part requirement, and whether the quote's unit states it."""

    id: str
    label: str
    core: bool
    present: bool

    def to_dict(self) -> dict:
        return {"id": self.id, "label": self.label, "core": self.core, "present": self.present}


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why a quote was chosen, as data (the model is presidio's AnalysisExplanation): which cue,
    which words per concept, who does it, how the duty is worded, what sub-checks read, which
    parts are stated, and how the score was built (`base` + each adjustment = `score`).

    For a near miss (`level` None), `groups_met`/`groups_total` and `lacking` say how close it
    came. `reason` texts are built from these fields, never the other way round."""

    cue: str
    level: Status | None
    matched: tuple[ConceptMatch, ...] = ()
    actors: tuple[str, ...] = ()
    actor_source: ActorSource = ActorSource.NONE
    roles_allowed: tuple[str, ...] = ()
    modality: Modality = Modality.NONE
    subchecks: tuple[SubcheckOutcome, ...] = ()
    parts: tuple[PartResult, ...] = ()
    base: float = 0.0
    adjustments: tuple[Adjustment, ...] = ()
    score: float = 0.0
    groups_met: int = 0
    groups_total: int = 0
    lacking: tuple[str, ...] = ()
    lacking_context: tuple[str, ...] = ()
    condition: LimitingCondition | None = None

    @property
    def role_mismatch(self) -> bool:
        return any(a.cause is AdjustmentCause.WRONG_ROLE for a in self.adjustments)

    def describe(self) -> str:
        """The plain-words account a reviewer reads (reason lines, report quotes)."""
        bits: list[str] = []
        if self.level is None:
            bits.append(f"has {self.groups_met} of {self.groups_total} required concept groups")
            if self.lacking:
                bits.append("lacks " + ", ".join(self.lacking))
            if self.lacking_context:
                bits.append("not in the context of " + ", ".join(self.lacking_context))
        if self.matched:
            bits.append("matched " + ", ".join(m.describe() for m in self.matched if m.terms))
        bits.extend(s.detail for s in self.subchecks)
        if self.parts:
            stated = [p.label for p in self.parts if p.present]
            absent = [p.label for p in self.parts if not p.present]
            if stated:
                bits.append("states " + ", ".join(stated))
            if absent:
                bits.append("does not state " + ", ".join(absent))
        bits.extend(a.detail for a in self.adjustments)
        if self.condition is not None and not any(
            a.cause is AdjustmentCause.LIMITED_CASES for a in self.adjustments
        ):
            bits.append(self.condition.describe())
        return "; ".join(b for b in bits if b)

    def to_dict(self) -> dict:
        return {
            "cue": self.cue,
            "level": None if self.level is None else self.level.value,
            "matched": [m.to_dict() for m in self.matched],
            "actors": list(self.actors),
            "actor_source": self.actor_source.value,
            "roles_allowed": list(self.roles_allowed),
            "modality": self.modality.value,
            "subchecks": [s.to_dict() for s in self.subchecks],
            "parts": [p.to_dict() for p in self.parts],
            "base_score": round(self.base, 3),
            "adjustments": [a.to_dict() for a in self.adjustments],
            "score": round(self.score, 3),
            "groups_met": self.groups_met,
            "groups_total": self.groups_total,
            "lacking": list(self.lacking),
            "lacking_context": list(self.lacking_context),
            "condition": None if self.condition is None else self.condition.to_dict(),
            "summary": self.describe(),
        }


@dataclass(frozen=True, slots=True)
class Evidence:
    """A verbatim quote that supports (or nearly supports) a finding, and why it was chosen.

    `highlights` are (start, end) offsets into `quote` of the words that matched, so a template
    can mark them without trusting any HTML; `start`/`end` locate the quote in `Document.text`.
    """

    quote: str
    page: int | None
    section: str
    start: int
    end: int
    highlights: tuple[tuple[int, int], ...] = ()
    cue: str = ""
    score: float = 0.0
    explanation: Explanation | None = None
    scope: EvidenceScope = EvidenceScope.IN_SCOPE

    def to_dict(self) -> dict:
        data = {
            "quote": self.quote,
            "page": self.page,
            "section": self.section,
            "scope": self.scope.value,
        }
        if self.explanation is not None:
            # The quote's scope is part of why it counts (a quote outside the chapters read
            # is marked after matching, on the Evidence), so the explanation carries it too.
            data["explanation"] = {**self.explanation.to_dict(), "scope": self.scope.value}
        return data

    def to_full_dict(self) -> dict:
        data = asdict(self)
        data["highlights"] = [list(h) for h in self.highlights]
        data["explanation"] = None if self.explanation is None else self.explanation.to_dict()
        return data


@dataclass(frozen=True, slots=True)
class RedFlag:
    quote: str
    page: int | None
    section: str
    reason: str
    start: int
    end: int

    def to_dict(self) -> dict:
        return {
            "quote": self.quote,
            "page": self.page,
            "section": self.section,
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class Finding:
    """The verdict on one checklist element, with everything a reviewer needs to check it."""

    element: str
    checklist: str
    severity: Severity
    status: Status
    confidence: float
    reason: str
    title: str
    group: str
    requirement: str
    guidance: str
    evidence: tuple[Evidence, ...] = ()
    red_flags: tuple[RedFlag, ...] = ()
    looked_for: tuple[str, ...] = ()
    near_miss: Evidence | None = None
    add_to: str = ""
    """For a gap: the section of the document whose heading names the element's topic, where
    the missing text belongs ("" when no heading does)."""
    rationale: str = ""
    model_language: str = ""

    def to_dict(self) -> dict:
        data = {
            "element": self.element,
            "checklist": self.checklist,
            "severity": self.severity.value,
            "status": self.status.value,
            "confidence": round(self.confidence, 2),
            "evidence": [e.to_dict() for e in self.evidence],
            "red_flags": [r.to_dict() for r in self.red_flags],
            "reason": self.reason,
            "title": self.title,
            "group": self.group,
        }
        if self.status is not Status.FOUND:
            data["looked_for"] = list(self.looked_for)
            data["guidance"] = self.guidance
            data["add_to"] = self.add_to
            data["model_language"] = self.model_language
            data["near_miss"] = (
                None
                if self.near_miss is None
                else {**self.near_miss.to_dict(), "score": round(self.near_miss.score, 2)}
            )
        return data


@dataclass(frozen=True, slots=True)
class ChecklistRef:
    """Which checklist was applied, and whether the tool chose it."""

    id: str
    version: str
    title: str
    auto_selected: bool = False

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "version": self.version,
            "title": self.title,
            "auto_selected": self.auto_selected,
        }


@dataclass(frozen=True, slots=True)
class Summary:
    found: int
    partial: int
    missing: int
    critical_missing: tuple[str, ...]
    red_flags: int

    @classmethod
    def of(cls, findings: tuple[Finding, ...]) -> Summary:
        count = {s: sum(1 for f in findings if f.status is s) for s in Status}
        return cls(
            found=count[Status.FOUND],
            partial=count[Status.PARTIAL],
            missing=count[Status.MISSING],
            critical_missing=tuple(
                f.element
                for f in findings
                if f.status is Status.MISSING and f.severity is Severity.CRITICAL
            ),
            red_flags=sum(len(f.red_flags) for f in findings),
        )

    def to_dict(self) -> dict:
        return {
            "found": self.found,
            "partial": self.partial,
            "missing": self.missing,
            "critical_missing": list(self.critical_missing),
            "red_flags": self.red_flags,
        }


class ChoiceMargin(StrEnum):
    """How sure the automatic checklist choice is (`user`: the user named the checklists)."""

    CLEAR = "clear"
    CLOSE = "close"
    USER = "user"


@dataclass(frozen=True, slots=True)
class AudienceSignal:
    """What the text says about one audience: sentences naming it (and their share), whether
    the title block names it, sentences adopting a standard only it adopts, and sentences
    telling one of its roles to act."""

    audience: str
    sentences: int
    share: float
    title: bool = False
    adopts: int = 0
    duties: int = 0

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class ChecklistChoice:
    """Why the checklists were chosen, as data; when the choice is close the verdicts for the
    other audience's checklists come along (`alternative_findings`), one click away."""

    margin: ChoiceMargin
    signals: tuple[AudienceSignal, ...] = ()
    alternative: tuple[str, ...] = ()  # the checklists of the audience not chosen
    alternative_findings: tuple[Finding, ...] = ()

    def to_dict(self) -> dict:
        data = {
            "margin": self.margin.value,
            "signals": [s.to_dict() for s in self.signals],
            "alternative": list(self.alternative),
        }
        if self.alternative_findings:
            data["alternative_summary"] = Summary.of(self.alternative_findings).to_dict()
            data["alternative_findings"] = [f.to_dict() for f in self.alternative_findings]
        return data


class ChapterReason(StrEnum):
    """Why a chapter was read as part of the missing-child policy, or set aside."""

    WHOLE_DOCUMENT = "whole_document"  # a single directive: the document is one chapter
    TITLE_NAMES_TOPIC = "title_names_topic"
    TEXT_ABOUT_TOPIC = "text_about_topic"  # no topic in the title, but most of its text
    SECTION_NAMES_TOPIC = "section_names_topic"  # a section heading of it names the topic
    OFF_TOPIC = "off_topic"  # set aside: neither its title nor its text is about the topic
    NO_CHAPTER_ON_TOPIC = "no_chapter_on_topic"  # nothing chosen, so the whole document is read
    FOR_OTHER_AUDIENCE = "for_other_audience"  # set aside: on a topic only other checklists read


class StructureSource(StrEnum):
    """What told the chapters of a document apart."""

    SINGLE = "single"  # no multi-policy structure: one directive
    NUMBERED_HEADINGS = "numbered_headings"  # 315.1, 315.2 ... then 316.1
    POLICY_LABELS = "policy_labels"  # "Policy 320", "General Order 12-3", "Chapter 41"
    RUNNING_TITLES = (
        "running_titles"  # a footer or header naming the policy: "Missing Persons - 151"
    )


class DirectiveTopic(StrEnum):
    """Whether the document is a missing-child directive at all (batch ranks the rest apart)."""

    MISSING_CHILD = "missing_child_directive"
    NOT_MISSING_CHILD = "not_missing_child_directive"


@dataclass(frozen=True, slots=True)
class Chapter:
    """One policy of a multi-policy document; `first`/`end` are indexes into Document.passages."""

    number: str
    title: str
    first: int
    end: int
    first_page: int | None
    last_page: int | None
    topic: str  # the scope topic it was read for ("" when set aside)
    reason: ChapterReason
    matched: tuple[str, ...] = ()  # the words that named the topic
    audiences: tuple[str, ...] = ()  # the checklist audiences that read it

    def to_dict(self) -> dict:
        return {
            "number": self.number,
            "title": self.title,
            "pages": [self.first_page, self.last_page],
            "topic": self.topic,
            "reason": self.reason.value,
            "matched": list(self.matched),
        }


@dataclass(frozen=True, slots=True)
class DocumentScope:
    """The chapters read as the missing-child policy, and the passages outside them that are
    themselves about missing children (evidence from those is marked `outside`)."""

    structure: StructureSource
    chapters: tuple[Chapter, ...]
    topical_passages: tuple[int, ...]  # passages themselves about missing children, anywhere
    topic: DirectiveTopic
    table_of_contents: bool = False
    applied: tuple[str, ...] = ()  # audiences of the checklists applied (set by review())
    not_in_force: tuple[int, ...] = ()  # passages stating no rule: drafting notes, options
    # not adopted, a revision log; never read by the matcher
    other_language: tuple[tuple[int, str], ...] = ()  # passages in another language, and which
    explanations: tuple[tuple[int, int], ...] = ()  # (passage, offset): text from there on
    # explains a rule ("Commentary: ..."), states none, and is not read

    def set_aside_passages(self) -> set[int]:
        """Passages the matcher never reads: text stating no rule, and text in another
        language."""
        return {*self.not_in_force, *(i for i, _ in self.other_language)}

    def read(self, audiences) -> tuple[Chapter, ...]:
        """The chapters read for checklists of these audiences."""
        wanted = set(audiences)
        return tuple(c for c in self.chapters if wanted & set(c.audiences))

    def outside(self, audiences) -> tuple[int, ...]:
        """Passages about missing children outside the chapters read for these audiences."""
        read = self.read(audiences)
        return tuple(
            i for i in self.topical_passages if not any(c.first <= i < c.end for c in read)
        )

    def to_dict(self) -> dict:
        read = self.read(self.applied)
        aside = [c for c in self.chapters if c not in read]
        reasons: dict[str, int] = {}
        for chapter in aside:
            reason = ChapterReason.FOR_OTHER_AUDIENCE if chapter.topic else chapter.reason
            reasons[reason.value] = reasons.get(reason.value, 0) + 1
        return {
            "structure": self.structure.value,
            "topic": self.topic.value,
            "chapters": len(self.chapters),
            "table_of_contents": self.table_of_contents,
            "read": [c.to_dict() for c in read],
            "set_aside": len(aside),
            "set_aside_reasons": reasons,
            "outside_passages": len(self.outside(self.applied)),
            "not_in_force_passages": len(self.not_in_force),
            "explanation_passages": len(self.explanations),
            "other_language_passages": len(self.other_language),
        }


SCHEMA = "policy-review/report@1"


@dataclass(frozen=True, slots=True)
class Report:
    """Findings for one document; the JSON and HTML reports render from this alone."""

    document: Document
    checklists: tuple[ChecklistRef, ...]
    selection_reason: str
    findings: tuple[Finding, ...]
    tool_version: str
    summary: Summary = field(init=False)
    scope: DocumentScope | None = None
    choice: ChecklistChoice | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "summary", Summary.of(self.findings))

    def to_dict(self) -> dict:
        """The stable `policy-review/report@1` JSON shape (deterministic: no clock, no host)."""
        return {
            "schema": SCHEMA,
            "tool": {"name": "policy-review", "version": self.tool_version},
            "document": self.document.to_dict(),
            "checklists": [c.to_dict() for c in self.checklists],
            "selection_reason": self.selection_reason,
            "findings": [f.to_dict() for f in self.findings],
            "summary": self.summary.to_dict(),
            **(
                {}
                if self.scope is None
                else {"topic": self.scope.topic.value, "scope": self.scope.to_dict()}
            ),
            **({} if self.choice is None else {"checklist_choice": self.choice.to_dict()}),
        }


class QueueStatus(StrEnum):
    """Where a row belongs in the triage queue, in queue order: files that need a person to
    read them first, then real submissions, then files ranked apart (not a missing-child
    directive; a byte-identical copy of another file, analysed once)."""

    FAILED = "failed"
    ANALYSED = "analysed"
    OFF_TOPIC = "off_topic"
    DUPLICATE = "duplicate"


@dataclass(frozen=True, slots=True)
class TriageRow:
    """One submission in a batch's triage queue (an analysed document or a failed file).

    `duplicate_of`: the path of the byte-identical file analysed in its place (its reports are
    this row's). `same_text_as`: another file whose extracted text is identical (a near
    duplicate: say the same directive as PDF and Word). `checklists_from`: the per-file choice
    file that fixed `checklists`, or "" when chosen as for every file. `off_topic` and
    `choice_close` are set from the report's topic and checklist-choice signals.
    `decisions` and `after_review_critical_missing` come from `batch --decisions DIR`.
    """

    path: str
    ok: bool
    error: str = ""
    sha256: str = ""
    agency_type: str = ""
    checklists: tuple[str, ...] = ()
    pages: int | None = None
    found: int = 0
    partial: int = 0
    missing: int = 0
    critical_missing: int = 0
    red_flags: int = 0
    low_confidence: int = 0
    ocr_pages: int = 0
    extraction_warnings: int = 0
    html_report: str = ""
    json_report: str = ""
    text_sha256: str = ""
    duplicate_of: str = ""
    same_text_as: str = ""
    off_topic: bool = False
    choice_close: bool = False
    checklists_from: str = ""
    decisions: str = ""
    after_review_critical_missing: int | None = None

    @property
    def status(self) -> QueueStatus:
        if not self.ok:
            return QueueStatus.FAILED
        if self.duplicate_of:
            return QueueStatus.DUPLICATE
        if self.off_topic:
            return QueueStatus.OFF_TOPIC
        return QueueStatus.ANALYSED

    def to_dict(self) -> dict:
        data = asdict(self)
        data["checklists"] = list(self.checklists)
        data["status"] = self.status.value
        return data

    @classmethod
    def from_dict(cls, data: dict) -> TriageRow:
        """A row read back from `to_dict` (a manifest or index); derived keys are dropped."""
        known = {f.name: data[f.name] for f in fields(cls) if f.name in data}
        return cls(**{**known, "checklists": tuple(known.get("checklists", ()))})
