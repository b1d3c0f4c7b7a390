"""Decide each element from its cues: status, evidence with explanations, red flags, near misses."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, replace
from textwrap import shorten

from policy_review.checklist import Cue, Element, PartReach, RedFlagRule
from policy_review.match.conditions import ConditionReader
from policy_review.match.index import ConceptIndex, Sentence, Span
from policy_review.match.roles import ActorReader
from policy_review.match.subchecks import Labeller, SubResult, inside, kind_of, run_subcheck
from policy_review.model import (
    ActorSource,
    Adjustment,
    AdjustmentCause,
    ConceptMatch,
    Evidence,
    Explanation,
    Finding,
    LimitingCondition,
    Modality,
    PartResult,
    RedFlag,
    Status,
    SubcheckOutcome,
)
from policy_review.scope import OPTION_BOX_RE

FOUND_BASE_SCORE = 0.80
PARTIAL_BASE_SCORE = 0.60
SECTION_BOOST = 0.10
"""Added when the unit sits under a heading the cue names as its home (e.g. 'Communications')."""
EXTRA_EVIDENCE_BONUS = 0.04
"""Added per further independent supporting unit (capped): several statements are surer than one."""
MAX_CONFIDENCE = 0.98
MISSING_BASE_CONFIDENCE = 0.90
NEAR_MISS_PENALTY = 0.40
"""A strong near miss makes a 'missing' less certain: confidence = base - penalty * score."""
NARROWER_QUOTE_CHARS = 80
"""How much of the narrower statement the adjustment quotes."""
CONTRADICTED_DETAIL = "other wording contradicts the requirement (see its red flags)"
NEAR_MISS_SUBCHECK_SCORE = 0.90
"""Score of a unit that met a cue's words but failed its sub-check (e.g. no time limit)."""
NEAR_MISS_EXCLUDED_SCORE = 0.80
NEAR_MISS_NO_CONTEXT_FACTOR = 0.70
NEAR_MISS_MIN_SHARE = 0.5
"""A near miss holds at least half of a cue's concept groups: one word shared with a
three-concept cue ("hour" of a 24-hour phone line for when + where + last seen) is not near."""
MAX_EVIDENCE = 3
MAX_QUOTE_CHARS = 600
LEVEL_RANK = {Status.FOUND: 2, Status.PARTIAL: 1}

MODAL_REACH_CHARS = 80
PURPOSE_CLAUSE_RE = re.compile(
    r"\b(?:so(?:\s+that)?\s+\w|in\s+order\s+that\b)[^.;:,]*$", re.IGNORECASE
)
"""A purpose clause before a modal: "so that the entry can begin", "so the broadcast can go out";
a bare "do so may" has no clause of its own."""
RESTRICTED_MODAL_RE = re.compile(
    r"^[^.;:,]*?\bonly\s+(?:after|when|if|once|upon|until|with)\b", re.IGNORECASE
)
RELATIVE_MODAL_RE = re.compile(
    r"\b(?:that|which|who|whom|whose|whether|if|where)\s+(?:[\w'-]+\s+){0,6}$", re.I
)
"""'photographs that may aid the search', 'whether the child may be at risk': the modal belongs
to a relative or conditional clause, not to the duty."""
PROHIBITION_RE = re.compile(r"^\s*not\b", re.I)
"""'may not be refused' forbids; it grants no option."""
PROHIBITION_LABEL_RE = re.compile(r"^\s*(?:don['’]?t|do\s+not|never)\s*:", re.I)
"""A slide's or card's "DON'T: tell anyone to wait 24 hrs": the line names what is forbidden."""
CLAUSE_SEMICOLON_RE = re.compile(r";(?!\s*(?:provided|except\s+that)\b)", re.IGNORECASE)
"""A ';' ends a clause, but not before a proviso ("...within two hours; provided, however, that
for a repeat runaway the entry shall be made upon approval ..."): the proviso qualifies the
clause before it, whose act it names only as "the entry"."""
ITEM_CUT_RE = re.compile(
    rf";|\s\(?(?:[a-z]|\d{{1,2}}|[ivx]{{1,4}})\)\s|{OPTION_BOX_RE.pattern}", re.IGNORECASE
)
"""Where a run-in list's clauses part: "(1) 13 or younger; (2) out of the zone of safety", or a
form's check boxes run together ("[ ] out of the zone ... [ ] a developmental disability")."""
CLAUSE_BREAK_RE = re.compile(r"[.;:]|\b(?:if|when|unless|until|once|because|whether)\b", re.I)
"""Between a modal and the duty's words: past these, the words belong to another clause
("the case can be closed if ... entries are made")."""
"""English grammar, not checklist phrases: where a permissive modal is no permission."""
ASIDE_WORD_RE = re.compile(r"[A-Za-z]{3,}")
ASIDE_MIN_WORDS = 3
"""Words of a phrase beside a hedge that make it an aside of its own ("outside the presence of
the custodian where practicable"), not a bare parenthetical hedge ("where practicable")."""
LEAD_IN_MODAL_MAX_WORDS = 6
"""A lead-in's 'may' governs its list when it stands this close to the colon ("Officers may
take the following steps:"); further back it governs another verb ("may authorize closure
after considering the following:")."""


@dataclass(frozen=True, slots=True)
class _View:
    """A unit's sentences joined by single spaces (verbatim: passages are whitespace-normalised)."""

    sentences: tuple[int, ...]
    text: str
    bases: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class _Judgement:
    """How a hit's level and score were reached: the parts of its Explanation known before
    its quote is built."""

    level: Status | None
    base: float
    score: float
    modality: Modality = Modality.NONE
    subcheck: SubcheckOutcome | None = None
    adjustments: tuple[Adjustment, ...] = ()
    parts: tuple[PartResult, ...] = ()
    actors: tuple[str, ...] = ()
    actor_source: ActorSource = ActorSource.NONE
    groups: tuple[int, int] = (0, 0)  # a near miss: concept groups met, of how many
    lacking: tuple[str, ...] = ()
    lacking_context: tuple[str, ...] = ()
    condition: LimitingCondition | None = None
    by_actor: tuple[ConceptMatch, ...] = ()  # role concepts met by the lead-in's/heading's actor


@dataclass(frozen=True, slots=True)
class _Hit:
    """A cue (or near miss) met by one unit; the Evidence is built only if it is shown."""

    judgement: _Judgement
    cue: Cue
    unit: tuple[int, ...]  # its sentences; their text is joined only if it is shown
    spans: tuple[Span, ...] | None  # None: the words to highlight are looked up if it is shown
    roles: tuple[str, ...] = ()

    @property
    def level(self) -> Status | None:
        return self.judgement.level

    @property
    def score(self) -> float:
        return self.judgement.score

    @property
    def position(self) -> int:
        """First sentence index, for document order."""
        return self.unit[0]

    def evidence(self, index: ConceptIndex) -> Evidence:
        view = _view(index, self.unit)
        concepts = _cue_concepts(self.cue) if self.level is not None else _rule_concepts(self.cue)
        hits = _view_hits(index, view, concepts)
        spans = self.spans
        if spans is None:
            spans = tuple(span for c in concepts for span in hits.get(c, ()))
        evidence = _quote(index, view, list(spans))
        labels = index.compiled.labels
        j = self.judgement
        by_actor = {m.concept: m for m in j.by_actor}
        matched = tuple(
            by_actor[c]
            if c in by_actor
            else ConceptMatch(
                c, labels[c], tuple(dict.fromkeys(view.text[a:b] for a, b in hits[c]))
            )
            for c in sorted(concepts)
            if c in hits or c in by_actor
        )
        explanation = Explanation(
            cue=self.cue.id,
            level=j.level,
            matched=matched,
            actors=j.actors,
            actor_source=j.actor_source,
            roles_allowed=self.roles,
            modality=j.modality,
            subchecks=() if j.subcheck is None else (j.subcheck,),
            parts=j.parts,
            base=round(j.base, 3),
            adjustments=j.adjustments,
            score=round(j.score, 3),
            groups_met=j.groups[0],
            groups_total=j.groups[1],
            lacking=j.lacking,
            lacking_context=j.lacking_context,
            condition=j.condition,
        )
        return replace(evidence, cue=self.cue.id, score=round(j.score, 3), explanation=explanation)


def _view(index: ConceptIndex, sentences: tuple[int, ...]) -> _View:
    view = index.views.get(sentences)
    if view is None:
        parsed = index.parsed
        texts, bases, offset = [], [], 0
        for s in sentences:
            text = parsed.text_of(parsed.sentences[s])
            bases.append(offset)
            texts.append(text)
            offset += len(text) + 1
        view = index.views[sentences] = _View(sentences, " ".join(texts), tuple(bases))
    return view


def _view_hits(index: ConceptIndex, view: _View, concepts) -> dict[str, list[Span]]:
    """Spans of `concepts` in view coordinates, each concept's in text order (the key order
    means nothing: a cue names few concepts, a sentence may hold many)."""
    out: dict[str, list[Span]] = {}
    sentences = index.parsed.sentences
    for s, base in zip(view.sentences, view.bases, strict=True):
        found = index.hits[s]
        shift = base - sentences[s].start
        for concept in concepts:
            spans = found.get(concept)
            if spans is not None:
                out.setdefault(concept, []).extend((a + shift, b + shift) for a, b in spans)
    return out


def _sentence_of(view: _View, offset: int) -> int:
    return max(0, bisect_right(view.bases, offset) - 1)


def _quote(index: ConceptIndex, view: _View, spans: list[Span]) -> Evidence:
    """Choose the sentences of the unit that carry the matched words, and build the evidence."""
    owners = [_sentence_of(view, a) for a, _ in spans]
    marked = sorted(set(owners)) or [0]
    sentences = index.parsed.sentences
    row_keys = index.row_keys()
    labels = index.column_labels()
    keys = {k for s in view.sentences for k in row_keys.get(s, ())}
    body = [
        i
        for i in marked
        if not sentences[view.sentences[i]].title_only
        and view.sentences[i] not in keys
        and view.sentences[i] not in labels
    ]
    # a heading, a table row's first cell (apart from the cell quoted) or a column's label names
    # what the text is about: it is quoted only when nothing else carries the words
    marked = body or marked
    chosen = list(range(marked[0], marked[-1] + 1))
    # a record reads each value after its column's label; the quote is the row's own text
    chosen = [i for i in chosen if view.sentences[i] not in labels] or chosen
    text_len = sum(
        len(index.parsed.text_of(index.parsed.sentences[view.sentences[i]])) for i in chosen
    )
    if text_len > MAX_QUOTE_CHARS:
        chosen = [max(marked, key=lambda i: (owners.count(i), -i))]
    sub = _view(index, tuple(view.sentences[i] for i in chosen))
    # each highlight moves with its sentence into the quote (labels dropped from between)
    position = {i: k for k, i in enumerate(chosen)}
    highlights = []
    for (a, b), owner in zip(spans, owners, strict=True):
        if owner not in position:
            continue
        if b <= view.bases[owner] + len(index.parsed.text_of(sentences[view.sentences[owner]])):
            shift = sub.bases[position[owner]] - view.bases[owner]
            highlights.append((a + shift, b + shift))
    highlights.sort()
    merged: list[tuple[int, int]] = []
    for a, b in highlights:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    parsed = index.parsed
    first = parsed.sentences[sub.sentences[0]]
    last = parsed.sentences[sub.sentences[-1]]
    passages = parsed.document.passages
    first_passage = passages[first.passage]
    return Evidence(
        quote=sub.text,
        page=first_passage.page,
        section=first_passage.section_label,
        start=first_passage.start + first.start,
        end=passages[last.passage].start + last.end,
        highlights=tuple(merged),
    )


def _conditions_met(
    index: ConceptIndex, rule: Cue | RedFlagRule, unit_id: int, *, with_topic: bool = False
) -> bool:
    unit = index.units(rule.scope)[unit_id]
    if rule.none and not index.lead_in_concepts(unit).isdisjoint(rule.none):
        return False  # a list item is excluded by what its lead-in says, like its own words
    if rule.context and index.lacks_context(
        rule.scope, unit_id, rule.context, with_topic=with_topic
    ):
        return False
    if rule.section:
        section = index.parsed.sentences[unit[0]].section
        if not any(c in index.section_hits.get(section, {}) for c in rule.section):
            return False
    return not (isinstance(rule, Cue) and rule.apart and _qualifies_other(index, rule, unit))


def _qualifies_other(index: ConceptIndex, cue: Cue, unit: tuple[int, ...]) -> bool:
    """Whether every word of the cue shares its clause (a ';' part or a lettered item of a run-in
    list) with a concept it must stand apart from: in "(c) dependent on drugs, and the dependency
    is life-threatening" the words qualify another factor, they do not state their own."""
    parsed = index.parsed
    for s in unit:
        hits = index.hits[s]
        own = [span for c in cue.all for span in hits.get(c, ())]
        other = [span for c in cue.apart for span in hits.get(c, ())]
        sentence = parsed.sentences[s]
        text = parsed.document.passages[sentence.passage].text
        cuts = [m.start() for m in ITEM_CUT_RE.finditer(text, sentence.start, sentence.end)]
        bounds = list(zip([sentence.start, *cuts], [*cuts, sentence.end], strict=True))
        for a, _ in own:
            low, high = next((lo, hi) for lo, hi in bounds if lo <= a < hi or hi == sentence.end)
            if not any(low <= b < high for b, _ in other):
                return False
    return True


def _titled(index: ConceptIndex, scope: str, unit_id: int) -> bool:
    """Whether the title of the unit's chapter names every `topic_context` concept, so a cue's
    context may come from there (hits and near misses alike)."""
    first = index.units(scope)[unit_id][0]
    return index.topic_names_all(index.compiled.checklist.topic_context, first)


def _candidates(index: ConceptIndex, rule: Cue | RedFlagRule) -> list[int]:
    """Unit ids holding every `all` concept, one `any` concept and no `none` concept."""
    by_concept = index.unit_index(rule.scope)
    empty: set[int] = set()
    if rule.all:
        ids = set.intersection(*(by_concept.get(c, empty) for c in rule.all))
    elif rule.any:
        ids = set().union(*(by_concept.get(c, empty) for c in rule.any))
    else:
        ids = set(range(len(index.units(rule.scope))))
    if rule.all and rule.any:
        ids &= set().union(*(by_concept.get(c, empty) for c in rule.any))
    for concept in rule.none:
        ids -= by_concept.get(concept, empty)
    return sorted(ids)


def _met_by_actor(
    index: ConceptIndex, cue: Cue, work: _ElementWork, plain: set[int]
) -> dict[int, tuple[ConceptMatch, ...]]:
    """Units that lack only the cue's role concepts (those naming one of the element's roles),
    each met by the actor their list's lead-in or heading gives them ("The patrol supervisor
    shall:" over bare items): unit id -> how each such concept was met. A unit naming the role
    in its own words is a plain candidate."""
    concepts = index.compiled.checklist.concepts
    named = {
        c: concepts[c].role_of
        for c in (*cue.all, *cue.any)
        if c in concepts and not set(concepts[c].role_of).isdisjoint(work.element.roles)
    }
    if not named:
        return {}
    rest_all = [c for c in cue.all if c not in named]
    any_by_actor = bool(cue.any) and all(c in named for c in cue.any)
    rest_any = [] if any_by_actor else list(cue.any)
    if not rest_all and not rest_any:
        return {}  # a cue of the role alone: a list's actor says nothing of the duty
    by_concept = index.unit_index(cue.scope)
    empty: set[int] = set()
    groups = [by_concept.get(c, empty) for c in rest_all]
    if rest_any:
        groups.append(set().union(*(by_concept.get(c, empty) for c in rest_any)))
    ids = set.intersection(*groups)
    for concept in cue.none:
        ids -= by_concept.get(concept, empty)
    ids -= plain
    labels = index.compiled.labels
    units = index.units(cue.scope)
    met: dict[int, tuple[ConceptMatch, ...]] = {}
    for unit_id in ids:
        carrying = carrying_of(index, cue, units[unit_id])

        def by_actor(concept: str, carrying=carrying) -> ConceptMatch | None:
            found = work.actors.from_structure(carrying, named[concept])
            if found is None:
                return None
            return ConceptMatch(concept, labels[concept], (_names(found[:1]),), found[1])

        lacking = [c for c in cue.all if c in named and not index.holds(cue.scope, unit_id, c)]
        matches = [by_actor(c) for c in lacking]
        if any_by_actor and not any(index.holds(cue.scope, unit_id, c) for c in cue.any):
            matches.append(next(filter(None, map(by_actor, cue.any)), None))
        if matches and all(matches):
            met[unit_id] = tuple(matches)
    return met


def _rule_concepts(rule: Cue | RedFlagRule) -> set[str]:
    """The concepts whose words a quote highlights for a rule met only in part, or a red flag."""
    return set(rule.all) | set(rule.any)


def _cue_concepts(cue: Cue) -> set[str]:
    concepts = set(cue.all) | set(cue.any)
    if cue.subcheck is not None and kind_of(cue.subcheck).names_items:
        concepts |= set(kind_of(cue.subcheck).concepts(cue.subcheck))
    return concepts


def _needed_concepts(cue: Cue, modality) -> set[str]:
    """Every concept the cue, its sub-check or its modality check reads."""
    needed = _cue_concepts(cue)
    if cue.subcheck is not None:
        needed |= set(kind_of(cue.subcheck).concepts(cue.subcheck))
    needed |= {c for c in (modality.negation, modality.permissive, modality.mandatory) if c}
    needed |= {c for c in (modality.hedge, modality.advisory) if c}
    return needed


@dataclass(slots=True)
class _ElementWork:
    element: Element
    actors: ActorReader
    conditions: ConditionReader
    hits: list[_Hit]
    flags: dict[tuple[int, int, str], RedFlag]
    near: list[_Hit]


def _states_no_rule(index: ConceptIndex, view: _View, spans) -> bool:
    """Whether every sentence holding the flagged words states no rule in force: a question ("Is
    there a waiting period before we take a report?") or a provision reported as rescinded,
    deleted or former (`modality.withdrawn`: an amendment quoting the wording it removes), or a
    line under a "DON'T:" label, which forbids what it names."""
    withdrawn = index.compiled.checklist.modality.withdrawn
    owners = {view.sentences[_sentence_of(view, a)] for a, _ in spans}
    if not owners:
        return False
    parsed = index.parsed
    for s in owners:
        text = parsed.text_of(parsed.sentences[s]).strip().rstrip("\"'”’)")
        line = parsed.document.passages[parsed.sentences[s].passage].text
        if not (
            text.endswith("?")
            or (withdrawn and withdrawn in index.hits[s])
            or PROHIBITION_LABEL_RE.match(line)
        ):
            return False
    return True


def _withdrawn(index: ConceptIndex, unit: tuple[int, ...]) -> bool:
    """Whether every sentence of a unit reports a rule as rescinded or former ("Interim Order
    31, which required ..., is revoked") and none gives the wording that replaces it: the rule
    it quotes is not in force, so it satisfies nothing, as it flags nothing (`_states_no_rule`)."""
    modality = index.compiled.checklist.modality
    if not modality.withdrawn:
        return False
    # a heading over the withdrawn rule ("3. What Rev. 3 changes") states nothing itself
    stating = [s for s in unit if not index.parsed.sentences[s].title_only]
    return bool(stating) and all(
        modality.withdrawn in index.hits[s] and modality.replacement not in index.hits[s]
        for s in stating
    )


def _add_flag(work: _ElementWork, evidence: Evidence, reason: str) -> None:
    key = (evidence.start, evidence.end, reason)
    if key not in work.flags:
        work.flags[key] = RedFlag(
            evidence.quote, evidence.page, evidence.section, reason, evidence.start, evidence.end
        )


def _evaluate_cue(index: ConceptIndex, cue: Cue, work: _ElementWork) -> None:
    modality = index.compiled.checklist.modality
    modal = {c for c in (modality.negation, modality.permissive, modality.mandatory) if c}
    worded = modal | {c for c in (modality.hedge, modality.advisory) if c}
    concepts = _cue_concepts(cue)
    needed = _needed_concepts(cue, modality)
    cue_level = cue.level
    plain = _candidates(index, cue)
    by_actor = _met_by_actor(index, cue, work, set(plain))
    for unit_id in sorted([*plain, *by_actor]):
        topic_only = False
        if not _conditions_met(index, cue, unit_id):
            # a directive (a chapter) whose title alone names the missing child (an e-mail's
            # subject line): its context may come from there, and the explanation says so
            if not _titled(index, cue.scope, unit_id) or not (
                _conditions_met(index, cue, unit_id, with_topic=True)
            ):
                continue
            topic_only = True
        unit = index.units(cue.scope)[unit_id]
        if _withdrawn(index, unit) or _for_others(index, work, _cue_concepts(cue), unit):
            continue
        supplied = by_actor.get(unit_id, ())
        if cue.subcheck is None and not (
            (cue.duty or work.element.duty)
            and (
                any(index.holds(cue.scope, unit_id, c) for c in worded)
                or not index.lead_in_concepts(unit).isdisjoint(worded)
            )
        ):
            # a plain hit: nothing in the unit's wording can change its level, so its text and
            # where its words are is worked out only if it is shown (most hits never are)
            wording = Modality.NONE
            if modality.mandatory and index.holds(cue.scope, unit_id, modality.mandatory):
                wording = Modality.MANDATORY
            judgement = _judge(
                index, work, cue, unit, cue_level, wording, by_actor=supplied, topic_only=topic_only
            )
            work.hits.append(_Hit(judgement, cue, unit, None, work.element.roles))
            continue
        view = _view(index, unit)
        hits = _view_hits(index, view, needed)
        level = cue_level
        spans = [span for c in concepts for span in hits.get(c, ())]
        concept_spans = list(spans)
        sub: SubResult | None = None
        outcome: SubcheckOutcome | None = None
        focus = _focus(index, view, hits, cue.all or cue.any)
        if cue.subcheck is not None:
            timing_focus = _own_clauses(view.text, focus, concept_spans)
            sub = run_subcheck(cue.subcheck, view.text, hits, timing_focus, index.compiled.labels)
            outcome = sub.outcome(kind_of(cue.subcheck).name, view.text)
            spans.extend(sub.highlights)
            if sub.level is None:
                near = _Judgement(
                    None, NEAR_MISS_SUBCHECK_SCORE, NEAR_MISS_SUBCHECK_SCORE, subcheck=outcome
                )
                work.near.append(_Hit(near, cue, unit, tuple(spans)))
                continue
            level = Status.PARTIAL if cue_level is Status.PARTIAL else sub.level  # caps it
        if sub is not None and sub.red_flag:
            _flag_unit(index, work, view, spans, [sub.red_flag])
        modal_spans = {
            c: [
                span
                for span in hits.get(c, ())
                if inside(span, focus)
                and not (
                    c in (modality.permissive, modality.advisory)
                    and _not_permission(view.text, span, spans)
                )
            ]
            for c in {*modal, modality.advisory} - {None}
        }
        governing = set()
        optional = modal_spans.get(modality.permissive) or modal_spans.get(modality.advisory)
        if modal_spans.get(modality.mandatory) and optional:
            governing = _governing_modals(view.text, modal_spans, concept_spans)
        wording = Modality.NONE
        if modal_spans.get(modality.negation):
            wording = Modality.NEGATED
        elif governing and modality.mandatory not in governing:
            wording = Modality.PERMISSIVE if modality.permissive in governing else Modality.ADVISORY
        elif modal_spans.get(modality.mandatory):
            wording = Modality.MANDATORY
        elif modal_spans.get(modality.permissive) and _all_permissive(
            index, view, concept_spans, modal_spans[modality.permissive]
        ):
            wording = Modality.PERMISSIVE
        elif modal_spans.get(modality.advisory) and _all_permissive(
            index, view, concept_spans, modal_spans[modality.advisory]
        ):
            wording = Modality.ADVISORY
        stating = _first_stating(index, cue, unit)
        inherited = wording is Modality.NONE
        if inherited:
            wording = _lead_in_wording(index, stating)
        hedge = _hedging(view.text, focus, hits.get(modality.hedge or "", ()), concept_spans)
        hedge = hedge or _lead_in_hedge(index, stating)
        if cue.duty and wording is Modality.NEGATED:
            reason = "The duty is stated in the negative (not required / need not)."
            _flag_modal(index, work, view, spans, modal_spans[modality.negation], reason)
            continue
        if cue.duty and wording is Modality.PERMISSIVE and not inherited:
            permissive = modal_spans[modality.permissive]
            word = view.text[permissive[0][0] : permissive[0][1]]
            reason = f"Permissive wording ('{word}') makes this step optional."
            _flag_modal(index, work, view, spans, permissive, reason)
        judgement = _judge(
            index, work, cue, unit, level, wording, outcome, supplied, hedge, topic_only
        )
        work.hits.append(_Hit(judgement, cue, unit, tuple(spans), work.element.roles))


def _judge(
    index: ConceptIndex,
    work: _ElementWork,
    cue: Cue,
    unit: tuple[int, ...],
    level: Status,
    wording: Modality = Modality.NONE,
    outcome: SubcheckOutcome | None = None,
    by_actor: tuple[ConceptMatch, ...] = (),
    hedge: str | None = None,
    topic_only: bool = False,
) -> _Judgement:
    """Level and score of a hit, with every adjustment and its cause: permissive or hedged
    wording (`hedge`: the words that leave the duty to discretion), a heading alone, the duty
    given to another role, a core part of the requirement unstated each cap it at partial; a
    heading naming the cue's topic raises its score."""
    base = FOUND_BASE_SCORE if level is Status.FOUND else PARTIAL_BASE_SCORE
    adjustments: list[Adjustment] = []

    def cap(cause: AdjustmentCause, detail: str) -> None:
        nonlocal level
        delta = 0.0
        if level is Status.FOUND:
            delta, level = PARTIAL_BASE_SCORE - FOUND_BASE_SCORE, Status.PARTIAL
        adjustments.append(Adjustment(cause, delta, detail, Status.PARTIAL))

    if (cue.duty or work.element.duty) and wording is Modality.PERMISSIVE:
        cap(AdjustmentCause.PERMISSIVE, "permissive wording ('may') makes it optional")
    if (cue.duty or work.element.duty) and hedge:
        cap(AdjustmentCause.HEDGED, f"hedged wording ('{hedge}') leaves it to discretion")
    sentences = index.parsed.sentences
    if all(sentences[s].title_only for s in unit):
        cap(AdjustmentCause.HEADING_ONLY, "only a heading names this topic")
    if topic_only:
        # said for the reader, not a cap: a directive's title sets what its sections are about
        # (held-out samples: capping these turned six right "found" judgements wrong)
        adjustments.append(
            Adjustment(
                AdjustmentCause.TOPIC_ONLY, 0.0, "the document's title names the missing child"
            )
        )
    # the sentences stating the cue's words: a heading over them ("Validation") names a topic
    stating = [s for s in carrying_of(index, cue, unit) if not sentences[s].title_only]
    reference = index.compiled.checklist.modality.reference
    if reference and stating and all(reference in index.hits[s] for s in stating):
        cap(AdjustmentCause.CROSS_REFERENCE, "only a cross-reference to another document")
    element = work.element
    actors, source = _unit_actors(index, work, cue, unit)
    if _other_roles(index, element, actors):
        whose = _names(element.roles) if element.roles else "agencies this checklist audits"
        cap(
            AdjustmentCause.WRONG_ROLE,
            f"stated as a duty of the {_names(actors)}, not of the {whose}",
        )
    condition = None
    curriculum = index.compiled.checklist.narrowing.curriculum
    expands = index.compiled.expands
    teaches = curriculum and any(curriculum in expands[c] for c in _cue_concepts(cue))
    if curriculum and not teaches and work.conditions.curriculum(stating):
        cap(AdjustmentCause.CURRICULUM, "a topic of a training list, not a duty to act")
    if not (element.any_case or cue.any_case) and stating:
        # a sentence holding the whole cue states the duty; one a window adds for a single
        # concept ("(2) The Shift Supervisor shall decide ...") says nothing of whom it is for
        whole = [s for s in stating if all(c in index.hits[s] for c in cue.all)] if cue.all else []
        stating = whole or stating
        own = {s: _spans_of(index, s, _cue_concepts(cue)) for s in stating}
        condition = work.conditions.limit(stating, frozenset(element.for_cases), own)
        if condition is not None and level is Status.FOUND:
            # only a narrowing that lowers the level is an adjustment: under a partial-level cue
            # or another cap it changes nothing, and the condition alone says it
            cap(AdjustmentCause.LIMITED_CASES, condition.describe())
    parts: tuple[PartResult, ...] = ()
    if element.parts:
        part_stating = _part_sentences(index, cue, element, unit)
        around = set().union(
            *(index.hits[s] for s in part_stating),
            *(index.hits[s] for s in index.parsed.lead_in.get(unit[0], ())),
            *(index.hits[s] for s in _list_of(index, unit)),
        )
        # the items of a list that states the requirement are in its section too, also when
        # its lead-in's own item heads them ("G. Instructions to the caller. ... tells the
        # caller to: - look again")
        in_section = index.section_concepts(unit[0]).union(
            *(index.hits[item] for s in part_stating for item in index.list_items(s))
        )
        where = {
            PartReach.STATEMENT: around,
            PartReach.SECTION: in_section,
            PartReach.DOCUMENT: index.document_concepts(),
        }
        parts = tuple(
            PartResult(p.id, p.label, p.core, not where[p.reach].isdisjoint(p.any))
            for p in element.parts
        )
        absent = [p.label for p in parts if p.core and not p.present]
        if absent:
            cap(AdjustmentCause.MISSING_PART, "a required part is not stated")
    score = base + sum(a.delta for a in adjustments)
    section_hits = index.section_hits.get(sentences[unit[0]].section, {})
    if cue.boost and any(c in section_hits for c in cue.boost):
        score += SECTION_BOOST
        adjustments.append(
            Adjustment(AdjustmentCause.SECTION_HEADING, SECTION_BOOST, "under a matching heading")
        )
    return _Judgement(
        level,
        base,
        score,
        wording,
        outcome,
        tuple(adjustments),
        parts,
        actors,
        source,
        condition=condition,
        by_actor=by_actor,
    )


def _unit_actors(index: ConceptIndex, work: _ElementWork, cue: Cue, unit):
    """Who the unit's sentences holding the cue's words tell to act, and where that was read."""
    if not index.compiled.checklist.actors:
        return (), ActorSource.NONE
    concepts = _cue_concepts(cue)
    carrying = carrying_of(index, cue, unit) or list(unit)
    words = {s: _spans_of(index, s, concepts) for s in carrying}
    return work.actors.of_unit(carrying, words)


def _other_roles(index: ConceptIndex, element: Element, actors) -> bool:
    """Whether the duty is given only to roles the element's requirement is not for."""
    checklist = index.compiled.checklist
    roles = checklist.own_roles(element.roles)
    return bool(roles and actors) and not any(checklist.acts_as(a, roles) for a in actors)


def carrying_of(index: ConceptIndex, cue: Cue, unit) -> list[int]:
    """The sentences of the unit that hold the cue's words."""
    return _holding(index, _cue_concepts(cue), unit)


def _holding(index: ConceptIndex, concepts, unit) -> list[int]:
    """The sentences of the unit that hold a word of `concepts`."""
    return [s for s in unit if not concepts.isdisjoint(index.hits[s])]


def _spans_of(index: ConceptIndex, s: int, concepts) -> list[Span]:
    found = index.hits[s]
    return [span for c in concepts for span in found.get(c, ())]


def _part_sentences(index: ConceptIndex, cue: Cue, element: Element, unit) -> list[int]:
    """The sentences of the unit that hold the cue's subject (its words other than the parts'):
    a part counts only where the requirement is stated ("where the child was last seen" and,
    in the next sentence, "when the report was taken" is a where without a when)."""
    part_concepts = {c for part in element.parts for c in part.any}
    subject = _cue_concepts(cue) - part_concepts
    if not subject:
        return list(unit)
    return _holding(index, subject, unit) or list(unit)


def _list_of(index: ConceptIndex, unit) -> tuple[int, ...]:
    """The items of the colon list the unit's first sentence belongs to: a requirement's parts
    may be stated one per item ("Obtain: - the child's name; - a recent photograph")."""
    lead = index.colon_lead_in(unit[0])
    return () if lead is None else index.list_items(lead)


def _first_stating(index: ConceptIndex, cue: Cue, unit) -> int:
    """The first sentence of the unit that states the cue's words (not a heading): a window
    starting at a list's lead-in states the duty in its item."""
    sentences = index.parsed.sentences
    carrying = [s for s in carrying_of(index, cue, unit) if not sentences[s].title_only]
    return carrying[0] if carrying else unit[0]


def _colon_lead_in(index: ConceptIndex, stating: int) -> tuple[int, Sentence, str] | None:
    """(sentence id, sentence, its passage's text) of the colon lead-in of the list sentence
    `stating` belongs to (offsets in the sentence are the passage text's), or None."""
    lead = index.colon_lead_in(stating)
    if lead is None:
        return None
    sentence = index.parsed.sentences[lead]
    return lead, sentence, index.parsed.document.passages[sentence.passage].text


def _lead_in_wording(index: ConceptIndex, stating: int) -> Modality:
    """The modality a list item inherits from its colon lead-in when it states none itself:
    "Officers may: - search the home" leaves the search optional; "Officers shall:" does not;
    "Officers should:" recommends it.
    A 'may' counts only when it governs the lead-in's end (the list), not an earlier clause."""
    lead_in = _colon_lead_in(index, stating)
    if lead_in is None:
        return Modality.NONE
    lead, sentence, text = lead_in
    modality = index.compiled.checklist.modality
    colon = sentence.start + len(text[sentence.start : sentence.end].rstrip()) - 1
    found = index.hits[lead]
    if modality.mandatory and found.get(modality.mandatory):
        return Modality.MANDATORY
    list_end = ((colon, colon),)

    def governs_list(concept: str | None) -> bool:
        return any(
            not _not_permission(text, span, list_end)
            and len(text[span[1] : colon].split()) <= LEAD_IN_MODAL_MAX_WORDS
            for span in found.get(concept or "", ())
        )

    if governs_list(modality.permissive):
        return Modality.PERMISSIVE
    if governs_list(modality.advisory):
        return Modality.ADVISORY
    return Modality.NONE


def _lead_in_hedge(index: ConceptIndex, stating: int) -> str | None:
    """Hedged words of the unit's colon lead-in ("When practical, officers shall:"): they
    qualify every item of its list."""
    hedge = index.compiled.checklist.modality.hedge
    lead_in = _colon_lead_in(index, stating)
    if hedge is None or lead_in is None:
        return None
    lead, _, text = lead_in
    spans = index.hits[lead].get(hedge, ())
    return text[spans[0][0] : spans[0][1]] if spans else None


def _hedging(text: str, focus: tuple[Span, ...], hedges, cue_spans) -> str | None:
    """The hedged words ("when practical", "as resources permit") in a ';'-clause of the focus
    that states the cue's words: after 'shall' too, they leave the duty to discretion."""
    clauses = _own_clauses(text, focus, cue_spans)
    for a, b in hedges:
        if inside((a, b), clauses) and not _hedges_an_aside(text, (a, b), cue_spans):
            return text[a:b]
    return None


def _hedges_an_aside(text: str, hedge: Span, cue_spans) -> bool:
    """Whether the hedge qualifies a phrase set off by commas that holds none of the cue's words
    ("shall interview the juvenile, outside the presence of the custodian where practicable,
    concerning ..."): the aside is optional, the duty is not. A hedge alone between commas
    ("shall, where practicable, interview") still hedges the duty."""
    start = max(text.rfind(mark, 0, hedge[0]) for mark in (",", ";", "(", ":", ". ")) + 1
    ends = [i for i in (text.find(mark, hedge[1]) for mark in (",", ";", ")", ":", ". ")) if i >= 0]
    end = min(ends, default=len(text))
    if any(start <= a and b <= end for a, b in cue_spans):
        return False
    rest = text[start : hedge[0]] + " " + text[hedge[1] : end]
    return len(ASIDE_WORD_RE.findall(rest)) >= ASIDE_MIN_WORDS


def _names(actors) -> str:
    return " / ".join(actor.replace("_", " ") for actor in actors)


def _not_permission(text: str, span: Span, cue_spans) -> bool:
    """A 'may'/'can' that grants no option on this duty: in a purpose clause ("so that the
    entry can begin"), narrowed by 'only' ("may close the case only after seeing the child"), in
    a relative clause ("photographs that may aid"), or not governing any of the cue's words
    (they come later in another clause, or not within reach at all): a flag needs the
    contradiction, not the word."""
    before = text[max(0, span[0] - MODAL_REACH_CHARS) : span[0]]
    after = text[span[1] : span[1] + MODAL_REACH_CHARS]
    if PURPOSE_CLAUSE_RE.search(before) or RESTRICTED_MODAL_RE.match(after):
        return True
    if RELATIVE_MODAL_RE.search(before) or PROHIBITION_RE.match(after):
        return True
    return not any(_same_clause(text, span, cue_span) for cue_span in cue_spans)


def _governing_modals(text: str, modal_spans: dict[str, list[Span]], cue_spans) -> set[str]:
    """The modal concepts governing the cue's words: each word's nearest modal before it, in
    its clause. In "The Watch Commander shall be notified and may respond to the scene" the
    response is optional; the 'shall' governs only the notice."""
    modals = sorted((span, concept) for concept, spans in modal_spans.items() for span in spans)
    governing = set()
    for word in cue_spans:
        before = [(span, concept) for span, concept in modals if span[1] <= word[0]]
        if before and _same_clause(text, before[-1][0], word):
            governing.add(before[-1][1])
    return governing


def _all_permissive(index: ConceptIndex, view: _View, spans, permissive) -> bool:
    """Whether every sentence holding the cue's words words them as optional: when one states
    them plainly ("... and a recent photograph."), a 'may' beside it ("the ID photo may be used")
    qualifies a detail, it does not make the duty optional. Headings state nothing."""
    sentences = index.parsed.sentences
    carrying = {
        position
        for position in (_sentence_of(view, a) for a, _ in spans)
        if not sentences[view.sentences[position]].title_only
    }
    return carrying <= {_sentence_of(view, a) for a, _ in permissive}


def _same_clause(text: str, modal: Span, words: Span) -> bool:
    """Whether the cue's words sit within reach of the modal with no clause break between."""
    if modal[1] <= words[0] <= modal[1] + MODAL_REACH_CHARS:
        return not CLAUSE_BREAK_RE.search(text[modal[1] : words[0]])
    if modal[0] - MODAL_REACH_CHARS <= words[1] <= modal[0]:  # the subject: no comma between
        between = text[words[1] : modal[0]]
        return "," not in between and not CLAUSE_BREAK_RE.search(between)
    return False


def _focus(index: ConceptIndex, view: _View, hits, concepts) -> tuple[Span, ...]:
    """Sentence spans (view coordinates) that hold the cue's subject concepts, within the passage
    of the sentence holding most of them: in a window that runs into the next list item, that
    item's own deadline ("D. Within 30 days, verify the entry") is about another step. On a tie
    a body sentence beats a heading: the heading only names the step, while the body's deferral
    or condition ("once the lieutenant approves") is what the subcheck must read."""
    found: list[tuple[int, int, int]] = []  # (passage, start, end) per subject sentence
    richest, anchor = (0, False), None
    subject = [c for c in concepts if c in hits]  # in the view; per sentence, its own hits say
    for position, base in enumerate(view.bases):
        s = view.sentences[position]
        sentence = index.parsed.sentences[s]
        end = base + sentence.end - sentence.start
        sentence_hits = index.hits[s]
        present = sum(1 for c in subject if sentence_hits.get(c))
        if present:
            found.append((sentence.passage, base, end))
            rank = (present, not sentence.title_only)
            if rank > richest:
                richest, anchor = rank, sentence.passage
    focus = tuple((start, end) for passage, start, end in found if passage == anchor)
    return focus or ((0, len(view.text)),)


def _own_clauses(text: str, focus: tuple[Span, ...], spans) -> tuple[Span, ...]:
    """The ';'-clauses of the focus sentences that hold the cue's words: in "enter the child
    within two hours; the supervisor reviews the report by the end of the shift" the second
    clause's deadline is another step's, not a deferral of the entry."""
    clauses = []
    for start, end in focus:
        own = [
            clause
            for clause in _semicolon_clauses(text, start, end)
            if any(inside(s, (clause,)) for s in spans)
        ]
        clauses.extend(own or [(start, end)])
    return tuple(clauses)


def _semicolon_clauses(text: str, start: int, end: int) -> list[Span]:
    """The ';'-separated clauses of text[start:end] (each keeps its closing ';')."""
    cuts = [start, *(m.end() for m in CLAUSE_SEMICOLON_RE.finditer(text, start, end)), end]
    return list(zip(cuts, cuts[1:], strict=False))


def _flag_unit(index, work: _ElementWork, view: _View, spans, reasons: list[str]) -> None:
    if reasons and not _states_no_rule(index, view, list(spans)):
        evidence = _quote(index, view, list(spans))
        for reason in reasons:
            _add_flag(work, evidence, reason)


def _flag_modal(index, work: _ElementWork, view: _View, spans, modal_spans, reason: str) -> None:
    """Flag the wording itself: the quote is the sentence holding the modal word, with the cue's
    words in that sentence, so the reader sees the 'may' the flag is about."""
    owners = {_sentence_of(view, a) for a, _ in modal_spans}
    same = [span for span in spans if _sentence_of(view, span[0]) in owners]
    if not _states_no_rule(index, view, list(modal_spans) + same):
        _add_flag(work, _quote(index, view, list(modal_spans) + same), reason)


def _evaluate_red_flag(index: ConceptIndex, rule: RedFlagRule, work: _ElementWork) -> None:
    for unit_id in _candidates(index, rule):
        if not _conditions_met(index, rule, unit_id):
            continue
        unit = index.units(rule.scope)[unit_id]
        if _for_others(index, work, _rule_concepts(rule), unit):
            continue
        view = _view(index, unit)
        hits = _view_hits(index, view, _rule_concepts(rule))
        if rule.scope == "sentence" and not _one_clause(view.text, rule, hits):
            continue
        flagged = [s for spans in hits.values() for s in spans]
        if not _states_no_rule(index, view, flagged):
            _add_flag(work, _quote(index, view, flagged), rule.reason)


def _for_others(index: ConceptIndex, work: _ElementWork, concepts, unit) -> bool:
    """Whether every sentence of `unit` holding the cue's (or rule's) words is confined to
    people who are no children (a "Vulnerable Adults" section, "the report on any other adult
    may be taken by telephone"): no evidence, and no contradiction, for a child's requirement."""
    sentences = index.parsed.sentences
    carrying = [s for s in _holding(index, concepts, unit) if not sentences[s].title_only]
    own = {s: _spans_of(index, s, concepts) for s in carrying}
    return work.conditions.for_others(carrying, own) is not None


def _one_clause(text: str, rule: RedFlagRule, hits) -> bool:
    """Whether one ';'-clause holds all the rule's words: the contradiction is said of the act
    itself, not of another step sharing its sentence ("enter within two hours; the supervisor
    reviews the report by the end of the shift")."""
    for clause in _semicolon_clauses(text, 0, len(text)):
        held = {c for c in _rule_concepts(rule) if _holds(hits, c, clause)}
        if held.issuperset(rule.all) and (not rule.any or not held.isdisjoint(rule.any)):
            return True
    return False


def _holds(hits, concept: str, clause: Span) -> bool:
    return any(inside(span, (clause,)) for span in hits.get(concept, ()))


def _near_misses(index: ConceptIndex, cues: tuple[Cue, ...], work: _ElementWork) -> None:
    """Per cue, the unit holding most of its concepts, scored by the share of its conditions it
    meets (ties: the earliest); only that one can be the element's nearest text."""
    labels = index.compiled.checklist.concepts
    for cue in cues:
        by_concept = index.unit_index(cue.scope)
        wanted = list(cue.all) + ([tuple(cue.any)] if cue.any else [])
        if not wanted:
            continue
        candidates: set[int] = set()
        for concept in _rule_concepts(cue):
            candidates |= by_concept.get(concept, set())
        best = None  # ((-score, first sentence), unit, `all` concepts present, met, no context)
        for unit_id in candidates:
            present, met = _groups_met(cue, by_concept, unit_id)
            score = met / len(wanted)
            if any(unit_id in by_concept.get(c, ()) for c in cue.none):
                score = min(score, NEAR_MISS_EXCLUDED_SCORE)
            # a chapter whose title names the missing child gives the context a hit may take
            # from there (`topic_context`): a near miss lacks only what even that leaves out
            topical = _titled(index, cue.scope, unit_id)
            no_context = index.lacks_context(cue.scope, unit_id, cue.context, with_topic=topical)
            if no_context:
                score *= NEAR_MISS_NO_CONTEXT_FACTOR
            if score >= 1.0:  # fully met cues are hits or subcheck failures, recorded elsewhere
                continue
            if met / len(wanted) < NEAR_MISS_MIN_SHARE:
                continue
            unit = index.units(cue.scope)[unit_id]
            if best is None or (-score, unit[0]) < best[0]:
                best = ((-score, unit[0]), unit, present, met, no_context)
        if best is None:
            continue
        (negative_score, _), unit, present, met, no_context = best
        near = _Judgement(
            None,
            -negative_score,
            -negative_score,
            groups=(met, len(wanted)),
            lacking=tuple(labels[c].label for c in cue.all if c not in present),
            lacking_context=tuple(labels[c].label for c in no_context),
        )
        work.near.append(_Hit(near, cue, unit, None))


def _relevant(index: ConceptIndex, hit: _Hit) -> bool:
    """Whether a near miss says something about the requirement: the sentences holding the cue's
    words are not all headings (the document's title names the topic of every element), and
    those words are not only numbers and durations ("24-hour" in a phone-number line)."""
    concepts = _rule_concepts(hit.cue) | _cue_concepts(hit.cue)
    carrying = _holding(index, concepts, hit.unit)
    if not carrying or all(index.parsed.sentences[s].title_only for s in carrying):
        return False
    held = concepts.intersection(set().union(*(index.hits[s] for s in carrying)))
    checklist_concepts = index.compiled.checklist.concepts
    return not all(_pattern_only(checklist_concepts, c) for c in held)


def _pattern_only(concepts, name: str) -> bool:
    concept = concepts[name]
    return all(t.startswith("/") for t in concept.terms) and all(
        _pattern_only(concepts, ref) for ref in concept.include
    )


def _groups_met(cue: Cue, by_concept, unit_id: int) -> tuple[list[str], int]:
    """The cue's `all` concepts the unit holds, and how many of its concept groups (each `all`
    concept, and `any` as one) it meets."""
    present = [c for c in cue.all if unit_id in by_concept.get(c, ())]
    return present, len(present) + any(unit_id in by_concept.get(c, ()) for c in cue.any)


SUBCHECK_NOTE = "subcheck"
LOOKED_FOR_NOTES = {
    "found": "",
    "partial": " (on its own: present, but not enough)",
    SUBCHECK_NOTE: " (each listed item is checked)",
}
"""What each cue's level means, said in words on a 'looked for' line: a bare `[found]` tag there
read as if the item had been found in a document reported as missing it."""


def describe_cue(cue: Cue, concept_labels: dict[str, str]) -> str:
    """Plain description of what a cue looks for, for the 'looked for' list."""
    if cue.describe:
        return cue.describe + LOOKED_FOR_NOTES[cue.level if cue.subcheck is None else SUBCHECK_NOTE]
    parts = [concept_labels.get(c, c) for c in cue.all]
    if cue.any:
        parts.append("one of: " + " / ".join(concept_labels.get(c, c) for c in cue.any))
    if cue.subcheck is not None:
        parts.append(kind_of(cue.subcheck).describe(cue.subcheck, Labeller(concept_labels)))
    text = " + ".join(parts)
    if cue.context:
        text += (
            " (in the context of " + ", ".join(concept_labels.get(c, c) for c in cue.context) + ")"
        )
    return text + LOOKED_FOR_NOTES[cue.level if cue.subcheck is None else SUBCHECK_NOTE]


def evaluate_element(index: ConceptIndex, element: Element) -> Finding:
    if index.actor_reader is None:
        index.actor_reader = ActorReader(index)
    if index.condition_reader is None:
        index.condition_reader = ConditionReader.of(index)
    work = _ElementWork(element, index.actor_reader, index.condition_reader, [], {}, [])
    for cue in element.cues:
        _evaluate_cue(index, cue, work)
    for rule in element.red_flags:
        _evaluate_red_flag(index, rule, work)
    _yield_to_narrower(index, work)
    looked_for = tuple(describe_cue(cue, index.compiled.labels) for cue in element.cues)
    best_rank = max((LEVEL_RANK[h.level] for h in work.hits), default=0)
    status = {2: Status.FOUND, 1: Status.PARTIAL, 0: Status.MISSING}[best_rank]
    red_flags = _distinct_flags(work.flags.values())
    # Wording elsewhere that contradicts the requirement (a red flag) leaves it partly met at
    # most: the labelling rules never call a contradicted element found.
    contradicted = bool(red_flags) and status is Status.FOUND
    if contradicted:
        status = Status.PARTIAL
    if status is Status.MISSING:
        _near_misses(index, element.cues, work)
        near = _best_near_miss(index, work)
        confidence = MISSING_BASE_CONFIDENCE - NEAR_MISS_PENALTY * (near.score if near else 0.0)
        reason = _missing_reason(element, near)
        evidence: tuple = ()
    else:
        chosen = _choose_evidence(index, [h for h in work.hits if LEVEL_RANK[h.level] == best_rank])
        if contradicted:
            chosen = [_contradicted(e) for e in chosen]
        confidence = min(
            MAX_CONFIDENCE,
            chosen[0].score + EXTRA_EVIDENCE_BONUS * (len(chosen) - 1),
        )
        near = None
        if status is Status.PARTIAL:
            found_cues = tuple(c for c in element.cues if c.level == Status.FOUND)
            _near_misses(index, found_cues, work)
            near = _best_near_miss(index, work)
        reason = _present_reason(status, chosen[0])
        evidence = tuple(chosen)
    return _finding(
        index.compiled.checklist.id,
        element,
        status,
        confidence,
        reason,
        evidence,
        red_flags,
        looked_for,
        near,
    )


def _yield_to_narrower(index: ConceptIndex, work: _ElementWork) -> None:
    """A general statement (every missing child at risk) is found only if the text states the
    requirement nowhere narrower: where a cue it `yields_to` reads it short ("12 or younger"),
    the specific statement is what the agency does, and the general one is capped at partial."""
    narrower = {h.cue.id: h for h in work.hits if h.level is Status.PARTIAL}
    if not narrower:
        return
    sentences = index.parsed.sentences
    for i, hit in enumerate(work.hits):
        short = next((narrower[c] for c in hit.cue.yields_to if c in narrower), None)
        if short is None or hit.level is not Status.FOUND:
            continue
        quote = index.parsed.text_of(sentences[short.unit[0]]).strip()
        detail = f"stated narrower elsewhere: '{shorten(quote, NARROWER_QUOTE_CHARS)}'"
        delta = PARTIAL_BASE_SCORE - FOUND_BASE_SCORE
        adjustment = Adjustment(AdjustmentCause.NARROWER_ELSEWHERE, delta, detail, Status.PARTIAL)
        judgement = replace(
            hit.judgement,
            level=Status.PARTIAL,
            score=hit.judgement.score + delta,
            adjustments=(*hit.judgement.adjustments, adjustment),
        )
        work.hits[i] = replace(hit, judgement=judgement)


def _contradicted(evidence: Evidence) -> Evidence:
    """A found-level quote of an element whose red flags contradict it: capped to partial by a
    `red_flag` adjustment of its explanation, its score lowered to match."""
    explanation = evidence.explanation
    if explanation is None:
        return evidence
    delta = PARTIAL_BASE_SCORE - FOUND_BASE_SCORE
    adjustment = Adjustment(AdjustmentCause.RED_FLAG, delta, CONTRADICTED_DETAIL, Status.PARTIAL)
    score = round(explanation.score + delta, 3)
    capped = replace(
        explanation,
        level=Status.PARTIAL,
        adjustments=(*explanation.adjustments, adjustment),
        score=score,
    )
    return replace(evidence, score=score, explanation=capped)


def _distinct_flags(flags) -> tuple[RedFlag, ...]:
    """One flag per passage of text and reason: a window quote containing a flagged sentence
    repeats it, so the shortest quote wins; document order."""
    kept: list[RedFlag] = []
    for flag in sorted(flags, key=lambda f: (f.end - f.start, f.start, f.reason)):
        if not any(
            k.reason == flag.reason and k.start < flag.end and flag.start < k.end for k in kept
        ):
            kept.append(flag)
    return tuple(sorted(kept, key=lambda f: (f.start, f.reason)))


def _choose_evidence(index: ConceptIndex, hits: list[_Hit]) -> list[Evidence]:
    """Best-scoring distinct quotes first, ties in document order; overlapping quotes once."""
    chosen: list[Evidence] = []
    for hit in sorted(hits, key=lambda h: (-h.score, h.position, h.cue.id)):
        ev = hit.evidence(index)
        if any(ev.start < c.end and c.start < ev.end for c in chosen):
            continue
        chosen.append(ev)
        if len(chosen) == MAX_EVIDENCE:
            break
    return chosen


def _best_near_miss(index: ConceptIndex, work: _ElementWork) -> Evidence | None:
    relevant = [n for n in work.near if _relevant(index, n)]
    if not relevant:
        return None
    best = min(relevant, key=lambda n: (-n.score, n.position, n.cue.id))
    return best.evidence(index)


def _where(evidence: Evidence) -> str:
    """Where a quote sits, with its preposition: `on page 3 (4.2 Intake)`, or for a document
    without pages (most Word files) `in section 4.2 Intake`, else `in the text`."""
    if evidence.page is not None:
        return f"on page {evidence.page}{f' ({evidence.section})' if evidence.section else ''}"
    return f"in section {evidence.section}" if evidence.section else "in the text"


def _present_reason(status: Status, evidence: Evidence) -> str:
    detail = evidence.explanation.describe() if evidence.explanation else ""
    lead = "Stated" if status is Status.FOUND else "Only partly stated"
    return f"{lead} {_where(evidence)}: {detail}."


def _missing_reason(element: Element, near: Evidence | None) -> str:
    if near is None:
        return f"Nothing in the text addresses this requirement ({element.title.lower()})."
    detail = near.explanation.describe() if near.explanation else ""
    return f"Not stated; the nearest text, {_where(near)}, {detail} (score {near.score:.2f})."


def _finding(
    checklist_id, element, status, confidence, reason, evidence, red_flags, looked_for, near
) -> Finding:
    return Finding(
        element=element.id,
        checklist=checklist_id,
        severity=element.severity,
        status=status,
        confidence=round(max(0.0, min(MAX_CONFIDENCE, confidence)), 3),
        reason=reason,
        title=element.title,
        group=element.group,
        requirement=element.requirement,
        guidance=element.guidance,
        evidence=evidence,
        red_flags=red_flags,
        looked_for=looked_for,
        near_miss=near,
        rationale=element.rationale,
        model_language=element.model_language,
    )
