"""review(): a Document in, a Report out — choosing the checklists from the text when not told."""

from __future__ import annotations

from dataclasses import dataclass, replace

from policy_review import __version__
from policy_review.calibration import calibrate
from policy_review.checklist import Checklist, available_checklists
from policy_review.errors import ChecklistError
from policy_review.match import detect, detect_index, match_checklist, parse
from policy_review.match.index import ParsedDocument
from policy_review.model import (
    AudienceSignal,
    ChecklistChoice,
    ChecklistRef,
    ChoiceMargin,
    Document,
    DocumentScope,
    Finding,
    Report,
)
from policy_review.phrasing import counted
from policy_review.scope import detect_scope, mark_outside, scoped_document

LAW_ENFORCEMENT = "law-enforcement"
PSAP = "psap"
PSAP_DIRECTIVE_SHARE = 0.12
"""Share of evidence sentences naming call-takers / dispatch / 911 centres above which the text
is a PSAP directive (measured: PSAP directives 12-24%, police policies 2-10%)."""
CLOSE_SHARE_MARGIN = 0.03
"""A share this near its threshold makes the choice close: the report then also carries the
verdicts for the other audience's checklists."""
LE_ALSO_SHARE = 0.30
"""In a PSAP directive, police roles in at least this share of sentences make it a combined
directive that also gets the law-enforcement checklist."""
COMBINED_PART_SHARE = 0.25
COMBINED_PART_SECTIONS = 3
"""A police policy is also a PSAP directive when a whole part of it is the communications
center's own procedure: at least this share of its sentences sit under headings naming the
center, spread over at least this many sections (measured: a combined sheriff's order 34% over 7
sections; police policies with one communications section 0-7% in 1-2 sections)."""
MIN_DUTIES = 10
"""Duties (sentences telling a role to act) a text must hand out before who gets them weighs in
the choice: fewer say little about who the directive is for."""
PSAP_DUTY_SHARE = 0.25
"""Call-taking terms make a PSAP directive only when call-taker roles also carry at least this
share of the duties the text hands out; below it they are mentions - an addressee or
distribution line, a paragraph naming the Communications Division - in a police order
(measured: PSAP and combined directives 59-100%, a police amendment memo addressed to its
Communications Division 10%)."""
LE_DUTY_SHARE = 1 / 3
"""A PSAP directive is also a police policy when police roles (officers, investigators, their
supervisors, the agency) carry at least this share of the duties it hands out, and at least
MIN_DUTIES of them: a public-safety department's "we" directive whose officers' and
investigators' work sits under their own headings (measured: 911 directives handing out ten or
more duties 0-27%, combined directives 39-40%)."""
DIRECTIVE_AUDIENCES = (LAW_ENFORCEMENT,)
"""The checklists are chosen from the chapters every audience reads (the missing-child ones),
not from a communications-center chapter that only the PSAP checklists read."""
AUDIENCE_NAMES = {
    "law-enforcement": "law-enforcement policy",
    "psap": "PSAP/communications directive",
}


def review(document: Document, checklists: tuple[Checklist, ...] | None = None) -> Report:
    """Judge `document` against `checklists`, or against those its text calls for (None).

    In a multi-policy document only the chapters about missing children are read (see
    `policy_review.scope`), and the checklists are chosen from those chapters."""
    scope = detect_scope(document)
    if checklists:
        chosen = list(checklists)
        reason = "Checklists chosen by the user: " + ", ".join(c.id for c in checklists) + "."
        auto = False
        parsed_for = _parser(document, scope, tuple(checklists))
        choice = ChecklistChoice(ChoiceMargin.USER)
    else:
        candidates = _candidates()
        parsed_for = _parser(document, scope, candidates)
        chosen, reason, choice = _choose_from(candidates, parsed_for(DIRECTIVE_AUDIENCES))
        auto = True
        if choice.margin is ChoiceMargin.CLOSE:
            others = [c for c in candidates if c.id in choice.alternative]
            choice = replace(
                choice, alternative_findings=_judge(document, scope, parsed_for, others)
            )
    findings = _judge(document, scope, parsed_for, chosen)
    refs = tuple(ChecklistRef(c.id, c.version, c.title, auto_selected=auto) for c in chosen)
    applied = tuple(dict.fromkeys(c.audience for c in chosen))
    return Report(
        document=document,
        checklists=refs,
        selection_reason=reason,
        findings=findings,
        tool_version=__version__,
        scope=replace(scope, applied=applied),
        choice=choice,
    )


def _judge(document, scope, parsed_for, checklists) -> tuple[Finding, ...]:
    """Each checklist's findings, on what its audience reads; quotes from outside marked."""
    findings: list[Finding] = []
    for checklist in checklists:
        audiences = (checklist.audience,)
        found = match_checklist(parsed_for(audiences), checklist)
        findings.extend(mark_outside(found, document, scope, audiences))
    # Confidence is set in this one place, from the matcher's evidence: the fitted probability
    # that each status is right (see calibration.py).
    return calibrate(findings)


def _parser(document: Document, scope: DocumentScope, checklists: tuple[Checklist, ...]):
    """Parse what each audience reads once: a single directive, or the same chapters, once."""
    parsed: dict[tuple, ParsedDocument] = {}

    def parsed_for(audiences: tuple[str, ...]) -> ParsedDocument:
        key = (scope.read(audiences), scope.outside(audiences))
        if key not in parsed:
            parsed[key] = parse(scoped_document(document, scope, audiences), checklists)
        return parsed[key]

    return parsed_for


def choose_checklists(document: Document) -> tuple[list[Checklist], str]:
    """The bundled checklists the text calls for, and why (what `review(document)` would apply)."""
    candidates = _candidates()
    core = scoped_document(document, detect_scope(document), DIRECTIVE_AUDIENCES)
    chosen, reason, _ = _choose_from(candidates, parse(core, candidates))
    return chosen, reason


def _choose_from(
    candidates: tuple[Checklist, ...], parsed
) -> tuple[list[Checklist], str, ChecklistChoice]:
    """The choice for the whole text; in a manual, also each chapter read on its own: a police
    manual's missing-persons order and its dispatch centre's missing-child-calls order are two
    directives for two audiences, whichever one fills more of the text."""
    indexes = {c.id: detect_index(parsed, c) for c in candidates}
    chosen, reason, choice = _choose_for(candidates, parsed, indexes, None)
    chapters = [n for n, start in enumerate(parsed.document.chapter_starts) if start.titled]
    if len(chapters) < 2:
        return chosen, reason, choice
    added: list[Checklist] = []
    for number in chapters:
        each, _, signals = _choose_for(candidates, parsed, indexes, number)
        strength = {s.audience: s.sentences for s in signals.signals}
        for checklist in each:
            # a chapter too short to name its readers often (a weak signal) adds nobody
            if strength.get(checklist.audience, 0) < checklist.detect.min_sentences:
                continue
            if checklist not in chosen and checklist not in added:
                added.append(checklist)
    if not added:
        return chosen, reason, choice
    audiences = sorted({AUDIENCE_NAMES.get(c.audience, c.audience) for c in added})
    reason += (
        f" Read chapter by chapter ({len(chapters)} chapters), it is also a"
        f" {' and a '.join(audiences)}: a chapter of its own calls for it."
    )
    chosen = [c for c in candidates if c in chosen or c in added]
    alternative = tuple(a for a in choice.alternative if a not in {c.id for c in added})
    return chosen, reason, replace(choice, alternative=alternative)


def _choose_for(
    candidates: tuple[Checklist, ...], parsed, indexes: dict, chapter: int | None
) -> tuple[list[Checklist], str, ChecklistChoice]:
    """The choice for the whole text (`chapter` None) or one chapter, from each checklist's
    detection index (`indexes`: checklist id -> `detect_index`)."""
    signals = {c.id: detect(indexes[c.id], c, chapter) for c in candidates}
    counts = {checklist_id: signal.sentences for checklist_id, signal in signals.items()}
    parts: dict[str, tuple[int, int]] = {}
    named: dict[str, tuple[bool, int]] = {}
    duties = Duties()
    for checklist in candidates:
        signal = signals[checklist.id]
        part = (signal.part_sentences, signal.part_sections)
        parts[checklist.audience] = max(parts.get(checklist.audience, (0, 0)), part)
        title, adopts = named.get(checklist.audience, (False, 0))
        named[checklist.audience] = (title or signal.title, max(adopts, signal.adopts))
        duties = duties.with_signal(checklist.audience, signal)
    total = sum(1 for s in parsed.sentences if chapter is None or s.chapter == chapter)
    return _choose(candidates, counts, total, parts, named, duties)


@dataclass(frozen=True, slots=True)
class Duties:
    """Who the text tells to act: sentences giving each audience's roles a duty, and sentences
    giving any actor one (see `DetectSignals`)."""

    by_audience: tuple[tuple[str, int], ...] = ()
    assigned: int = 0

    def with_signal(self, audience: str, signal) -> Duties:
        counts = dict(self.by_audience)
        counts[audience] = max(counts.get(audience, 0), signal.duties)
        return Duties(tuple(sorted(counts.items())), max(self.assigned, signal.assigned))

    def of(self, audience: str) -> int:
        return dict(self.by_audience).get(audience, 0)

    def share(self, audience: str) -> float:
        return self.of(audience) / self.assigned if self.assigned else 0.0

    def enough(self) -> bool:
        return self.assigned >= MIN_DUTIES

    def phrase(self, audience: str, roles: str) -> str:
        return f"{roles} carry {self.of(audience)} of the {self.assigned} duties the text hands out"


def _candidates() -> tuple[Checklist, ...]:
    candidates = available_checklists()
    if not candidates:
        raise ChecklistError("no bundled checklists found")
    return candidates


def _choose(
    candidates: tuple[Checklist, ...],
    counts: dict[str, int],
    total: int,
    parts: dict[str, tuple[int, int]],
    named: dict[str, tuple[bool, int]] | None = None,
    duties: Duties | None = None,
) -> tuple[list[Checklist], str, ChecklistChoice]:
    """Pick the audience(s) from how much of the text names each one; say why in one sentence.

    Police directives mention dispatchers and dispatch directives mention officers, so raw counts
    mislead: a document is a PSAP directive when call-handling roles fill a real share of its
    sentences, or when its title block names a 911 center or it adopts a PSAP standard (`named`:
    audience -> title names it, sentences adopting its standard); it is also a police policy
    when police roles fill a larger share still. A police policy is also a PSAP directive when
    `parts` (audience -> sentences and sections under headings naming it) shows a whole part
    given to the communications center, and a PSAP directive is also a police policy when a
    whole part is given to officers and detectives. Who the text tells to act (`duties`) weighs
    in once it hands out enough duties: call-taking terms whose roles carry few of them are
    mentions (a memo's addressee line), and police roles carrying a third of them make a PSAP
    directive a police policy too. The choice is close when a share sits near its threshold or
    the title block, a standard or the duties overrode the shares.
    """
    named = named or {}
    duties = duties or Duties()
    sentences: dict[str, int] = {}
    qualifies: dict[str, bool] = {}
    for checklist in candidates:
        count = counts[checklist.id]
        audience = checklist.audience
        sentences[audience] = max(sentences.get(audience, 0), count)
        qualifies[audience] = qualifies.get(audience, False) or (
            count >= checklist.detect.min_sentences
        )
    share = {a: n / total if total else 0.0 for a, n in sentences.items()}
    psap_share = share.get(PSAP, 0.0)
    le_share = share.get(LAW_ENFORCEMENT, 0.0)
    psap_title, psap_adopts = named.get(PSAP, (False, 0))
    le_title = named.get(LAW_ENFORCEMENT, (False, 0))[0]
    psap_terms = bool(qualifies.get(PSAP)) and psap_share >= PSAP_DIRECTIVE_SHARE
    psap_mentions = psap_terms and duties.enough() and duties.share(PSAP) < PSAP_DUTY_SHARE
    by_share = psap_terms and not psap_mentions
    by_name = bool(qualifies.get(PSAP)) and not by_share and (psap_title or psap_adopts > 0)
    close = (
        by_name
        or psap_mentions
        or (
            bool(qualifies.get(PSAP))
            and abs(psap_share - PSAP_DIRECTIVE_SHARE) < CLOSE_SHARE_MARGIN
        )
    )
    le_part_sentences, le_part_sections = parts.get(LAW_ENFORCEMENT, (0, 0))
    police_part = police_duties = False
    if by_share or by_name:
        selected = [PSAP]
        police_part = bool(
            qualifies.get(LAW_ENFORCEMENT)
            and le_share < LE_ALSO_SHARE
            and total
            and le_part_sentences / total >= COMBINED_PART_SHARE
            and le_part_sections >= COMBINED_PART_SECTIONS
        )
        police_duties = bool(
            qualifies.get(LAW_ENFORCEMENT)
            # a 911 center's own directive, whatever officers do in it, unless its title block
            # names a police agency too (a bulletin the sheriff and the 911 center issue jointly)
            and (not psap_title or le_title)
            and le_share < LE_ALSO_SHARE
            and not police_part
            and duties.of(LAW_ENFORCEMENT) >= MIN_DUTIES
            and duties.share(LAW_ENFORCEMENT) >= LE_DUTY_SHARE
        )
        if qualifies.get(LAW_ENFORCEMENT) and (
            le_share >= LE_ALSO_SHARE or police_part or police_duties
        ):
            selected.insert(0, LAW_ENFORCEMENT)
        close = close or police_duties
        close = close or (
            bool(qualifies.get(LAW_ENFORCEMENT))
            and abs(le_share - LE_ALSO_SHARE) < CLOSE_SHARE_MARGIN
        )
    else:
        selected = [LAW_ENFORCEMENT] if LAW_ENFORCEMENT in sentences else sorted(sentences)[:1]
    part_sentences, part_sections = parts.get(PSAP, (0, 0))
    combined = (
        selected == [LAW_ENFORCEMENT]
        and qualifies.get(LAW_ENFORCEMENT)
        and qualifies.get(PSAP)
        and total
        and part_sentences / total >= COMBINED_PART_SHARE
        and part_sections >= COMBINED_PART_SECTIONS
    )
    if combined:
        selected.append(PSAP)
    evidence = "; ".join(
        f"{AUDIENCE_NAMES.get(a, a)} terms in {n} of {total} sentences"
        for a, n in sorted(sentences.items(), key=lambda kv: (-kv[1], kv[0]))
    )
    if combined:
        evidence += (
            f"; {part_sentences} sentences in {part_sections} sections under headings naming"
            " the communications center"
        )
    if police_duties:
        evidence += "; " + duties.phrase(LAW_ENFORCEMENT, "police roles")
    if psap_mentions:
        evidence += (
            "; " + duties.phrase(PSAP, "call-taker roles") + ", too few for a PSAP directive"
        )
    if police_part:
        evidence += (
            f"; {le_part_sentences} sentences in {le_part_sections} sections under headings"
            " naming police roles"
        )
    if by_name:
        because = [
            *(["the title block names a 911 / communications center"] if psap_title else []),
            *(
                [f"it adopts a PSAP standard ({counted(psap_adopts, 'sentence')})"]
                if psap_adopts
                else []
            ),
        ]
        evidence = " and ".join(because) + "; " + evidence
    elif (
        PSAP not in selected
        and qualifies.get(PSAP)
        and le_share <= psap_share < PSAP_DIRECTIVE_SHARE
    ):
        evidence += (
            f"; PSAP terms fill {psap_share:.0%} of the sentences, under the"
            f" {PSAP_DIRECTIVE_SHARE:.0%} of a PSAP directive"
        )
    if len(selected) > 1:
        verdict = "both a law-enforcement policy and a PSAP/communications directive"
    elif not any(qualifies.get(a) for a in selected):
        verdict = f"weak signal, treated as a {AUDIENCE_NAMES.get(selected[0], selected[0])}"
    else:
        verdict = f"a {AUDIENCE_NAMES.get(selected[0], selected[0])}"
    chosen = [c for c in candidates if c.audience in selected]
    choice = ChecklistChoice(
        margin=ChoiceMargin.CLOSE if close else ChoiceMargin.CLEAR,
        signals=tuple(
            AudienceSignal(
                audience=a,
                sentences=sentences[a],
                share=round(share[a], 3),
                title=named.get(a, (False, 0))[0],
                adopts=named.get(a, (False, 0))[1],
                duties=duties.of(a),
            )
            for a in sorted(sentences)
        ),
        alternative=tuple(c.id for c in candidates if c.audience not in selected),
    )
    return chosen, f"Read as {verdict} ({evidence}).", choice
