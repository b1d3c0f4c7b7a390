"""For which children a statement holds: the condition that confines a duty to some of them, and
whether a list is a curriculum (topics taught) rather than duties.

A duty meant for every missing child is narrowed when its sentence's conditional clause ("if the
child is under 10, ...", "when foul play is suspected, officers shall ...", "for children twelve
and under"), a relative clause restricting its case noun ("every case in which the child is in
danger", "calls that involve foul play"), a quantified noun phrase whose adjective names some
children ("every at-risk missing child report", "all high-risk missing children"), the lead-in
of its list ("In critical cases the supervisor shall:") or its heading ("Endangered Juveniles")
names some children only. Which words name some children, the missing child and a curriculum is
checklist data (`narrowing`); this module knows English clause structure, never a checklist
phrase.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from policy_review.checklist import Narrowing
from policy_review.match.index import ConceptIndex, Span, heading_ends, opens_list
from policy_review.match.subchecks import find_max_age
from policy_review.model import ConditionSource, LimitingCondition

CONDITION_REACH_CHARS = 100
"""How far before a word naming some children its conditional subordinator may stand."""
CASE_NOUN = r"cases?|situations?|incidents?|investigations?|calls?"
"""Nouns naming a case ("in critical cases", "for high-risk investigations")."""
CASE_HEAD = rf"(?:{CASE_NOUN}|reports?|matters?)"
"""Case nouns a relative clause or a quantifier's adjective can restrict ("every report in
which", "each endangered missing juvenile matter")."""
CONDITION_LEAD_RE = re.compile(
    r"(?:(?P<word>\b(?:if|when|whenever|where|wherever|once|involving|should)\b)"
    r"|(?P<phrase>\bin\s+(?:the\s+)?(?:case|cases|event|instances?|situations?)\s+"
    r"(?:of|where|when|involving|in\s+which|that)\b)"
    r"|(?:^|[,;:.]\s*|^\W*\(?\w{1,4}[.)]\s*)(?P<for_>for|on)\b"
    rf"|(?P<relative>\b(?:(?:every|each|all|any|the|those|such)\s+)?{CASE_HEAD}\s+"
    r"(?:in\s+which|wherein|which"
    r"|that(?!\s+(?:the|a|an|this|his|her|their|its|he|she|they|it)\b))\b))"
    r"[^.;:,]*$",
    re.IGNORECASE,
)
"""A conditional clause reaching the word, with no clause break between: "If the child is under
10", "where foul play is suspected", "in cases involving an abduction", "For endangered youth",
"On an endangered kid,",
or a restrictive relative clause of a case noun ("every case in which the child is in danger",
"calls that involve foul play"; not "reports that the child ...", a verb's object clause, nor
"cases, which ...", which adds no restriction)."""
FOLLOWING_CONDITION_RE = re.compile(
    r"(?:\b(?:if|when|whenever|where|once"
    r"|(?:who|that|which)\s+(?:meets?|has|have|shows?|presents?|satisf(?:y|ies)|fits?)"
    r"(?:\s+(?:any|one|either))?(?:\s+or\s+more)?\s+of)"
    r"\s+(?:(?:any|each|all|either|both|at\s+least)\s+)?"
    r"(?:(?:one|two)\s+)?(?:(?:or\s+more)\s+)?(?:of\s+)?the\s+"
    r"(?:(?:following|listed)|(?:[\w'-]+\s+){0,3}?"
    r"(?:conditions|factors|criteria|circumstances|indicators)\s+(?:in|of|under|listed)\b)"
    r"|\b(?:to|for|in|with)\s+whom\s+(?:any|one|either|each|a|an)\b(?:\s+or\s+more)?"
    r"(?:\s+of\s+the)?\s+(?:[\w'-]+\s+){0,3}?"
    r"(?:conditions?|factors?|criteria|circumstances?|indicators?)\b)"
    r"(?:[^.;:]|\.(?=\d))*",
    re.IGNORECASE,
)
""""shall be treated as at risk when any one of the following applies:", "whenever one or more
of the conditions in 41.03.030(C) is present", "a missing child who meets any of the factors in
Section III.B", "a missing juvenile to whom any Critical factor in paragraph C applies": the duty
holds only for the children the list (or the paragraph it cites) names, whatever words it uses."""
CONDITION_ARROW_RE = re.compile(r"[^.;:→]{0,40}?\s*(→|->|=>|⇒)")
""""HIGH RISK → Sgt. responds": what an arrow follows is the case the step after it is for."""
CASE_NOUN_TRAIL_RE = re.compile(rf"\W{{0,2}}\s*(?:missing\s+)?(?:{CASE_NOUN})\b", re.IGNORECASE)
CASE_NOUN_LEAD_RE = re.compile(r"\b(?:in|for|during|on)\s+(?:all\s+|any\s+|such\s+)?$", re.I)
""""in critical cases", "for high-risk investigations": the case noun after the word."""
INCLUSIVE_RE = re.compile(
    r"\b(?:even|including|especially|particularly|also|except|regardless\s+of|whether\s+or\s+not)"
    r"\s*$",
    re.IGNORECASE,
)
""""including when foul play is suspected", "even if the child is a runaway": the clause adds
cases to a duty for every child, it does not confine it."""
RANKING_RE = re.compile(
    r"\b(?:priority|precedence|preference)\s+(?:is\s+|being\s+)?(?:given\s+|assigned\s+)?"
    r"(?:to|for)\s+(?:(?:all|any|the|those)\s+)?(?:[\w'-]+\s+)?$",
    re.IGNORECASE,
)
""""every report ..., with priority given to cases involving juveniles": the clause ranks some
cases first among all of them, it does not confine the duty to them."""
COMPLEMENT_RE = re.compile(
    r"\b(?:determin|decid|assess|ascertain|establish|evaluat|check|ask|verif|learn|find\s+out|"
    r"know|consider|inquir|judg|confirm|whether|document|record|note)\w*\s+(?:\w+\s+){0,3}$",
    re.IGNORECASE,
)
""""determine if the child is endangered": an 'if' that asks a question, not a condition."""
DISJUNCT_BEFORE_RE = re.compile(r"\b(?:or|and/or)\s+(?:[\w'-]+\s+){0,2}$", re.IGNORECASE)
DISJUNCT_AFTER_RE = re.compile(r"^\s*(?:[\w'-]+\s+){0,1}(?:or|and/or)\b", re.IGNORECASE)
"""'reported missing or abducted', 'a runaway or missing juvenile': one alternative of a
condition that also names every child does not confine it."""
COORDINATE_RE = re.compile(
    r"\b(?:and|or)\s+(?:(?:to|for|in|of|on)\s+)?(?:every|each|all|any)\b", re.I
)
"""'every case in which the child is in danger and every case not cleared within 48 hours': a
coordinated case phrase naming no children reaches past some of them."""
QUANTIFIER_RE = re.compile(r"\b(?:every|each|all|any)\s+(?:(?!of\b)[\w'-]+\s+)?$", re.I)
"""'every at-risk', 'all the endangered': a quantifier opening the noun phrase of the word."""
HEAD_QUANTIFIER_RE = re.compile(r"\b(?:every|each|all|any)\s+(?:(?!of\b)[\w'-]+\s+){0,2}$", re.I)
"""'any other missing adult': a quantifier over the noun phrase the word heads."""
ARTICLE_OPENING_RE = re.compile(r"\W*(?:\(?\w{1,4}[.)]\s+)?an?\s+$", re.I)
"""'An endangered child is ...' opening the sentence: the generic article quantifies like 'every'
(inside a sentence 'a' names one, "notify a supervisor")."""
NOUN_PHRASE_TAIL_RE = re.compile(
    r"(?:[\s-]+(?!(?:of|in|on|at|to|for|from|with|by|that|which|who|whose|where|when|and|or|"
    r"but|nor|is|are|was|were|be|been|shall|will|must|should|may|can|has|have|as|than|if)\b)"
    r"[\w'/-]+){1,3}",
    re.IGNORECASE,
)
"""The words after the word up to the end of its noun phrase (a function word, a break)."""
CASE_HEAD_END_RE = re.compile(rf"\b{CASE_HEAD}$", re.IGNORECASE)
LEAD_IN_LABEL_MAX_WORDS = 5
"""A lead-in this short ("Abductions:") is a label naming its list's cases, like a heading."""


@dataclass(slots=True)
class ConditionReader:
    """Conditions and curricula per sentence of one indexed document, read once and kept."""

    index: ConceptIndex
    _curricula: dict[int, bool]

    @classmethod
    def of(cls, index: ConceptIndex) -> ConditionReader:
        return cls(index, {})

    @property
    def narrowing(self) -> Narrowing:
        return self.index.compiled.checklist.narrowing

    def for_others(self, sentences, own: dict[int, list[Span]]) -> LimitingCondition | None:
        """The condition, lead-in or heading confining every one of `sentences` to people who
        are no children ("3.12.6 Vulnerable Adults", "For adults, ..."): a statement about them
        is no evidence for a child's requirement, whatever its words."""
        others = self.narrowing.others
        if others is None or not sentences:
            return None
        return self._of_every(sentences, frozenset(), own, others)

    def limit(
        self, sentences, exempt: frozenset[str], own: dict[int, list[Span]]
    ) -> LimitingCondition | None:
        """The condition confining the duty, when every one of `sentences` (those stating it) is
        confined; `exempt` concepts name the cases the requirement is about, `own` are the cue's
        words per sentence (a word the cue looks for is its subject, not a condition)."""
        narrowing = self.narrowing
        if narrowing.cases is None and narrowing.all_ages is None:
            return None
        return self._of_every(sentences, exempt, own, narrowing.cases)

    def _of_every(self, sentences, exempt, own, people) -> LimitingCondition | None:
        """The condition naming `people` that confines every one of `sentences`, or None. A
        title ("(G) Shift Supervisor.") names who the items are about; the sentences after it
        state the duty and for whom it holds."""
        stating = [s for s in sentences if not self._is_run_in_title(s)] or list(sentences)
        found = None
        for s in stating:
            condition = self._of_sentence(s, exempt, own.get(s, ()), people)
            if condition is None:
                return None
            found = found or condition
        return found

    def curriculum(self, sentences) -> bool:
        """Whether each of `sentences` is an item of a training list: under a heading or a list
        lead-in that names training ("Training shall include:")."""
        concept = self.narrowing.curriculum
        if concept is None or not sentences:
            return False
        return all(self._in_curriculum(s, concept) for s in sentences)

    def _in_curriculum(self, s: int, concept: str) -> bool:
        found = self._curricula.get(s)
        if found is None:
            index = self.index
            parsed = index.parsed
            found = self._heading_names(parsed.sentences[s].section, concept) or any(
                concept in index.hits[lead] for lead, _ in self._colon_lead_ins(s)
            )
            self._curricula[s] = found
        return found

    def _colon_lead_ins(self, s: int) -> list[tuple[int, str]]:
        """The lead-ins of sentence `s`'s list that end in a colon, with their text."""
        parsed = self.index.parsed
        leads = (
            (lead, parsed.text_of(parsed.sentences[lead]).rstrip())
            for lead in parsed.lead_in.get(s, ())
        )
        return [(lead, text) for lead, text in leads if opens_list(text)]

    def _heading_names(self, section: tuple[str, ...], concept: str) -> bool:
        """Whether a heading of the trail names `concept`. Under deeper headings the first is
        usually the document's own title ("Roll Call Training Bulletin"), which names what the
        whole document is, not that each of its sections is a topic list."""
        hits = self.index.section_hits.get(section, {}).get(concept, ())
        if len(section) < 2:
            return bool(hits)
        below_title = heading_ends(section)[0]
        return any(a >= below_title for a, _ in hits)

    def _of_sentence(self, s: int, exempt, own, people: str | None):
        """The condition of sentence `s` naming `people` (some children, or no children)."""
        index = self.index
        parsed = index.parsed
        sentence = parsed.sentences[s]
        found = self._clause(s, exempt, own, ConditionSource.SENTENCE, people)
        if found is not None:
            return found
        text = parsed.document.passages[sentence.passage].text
        label = RUN_IN_LABEL_RE.match(text, sentence.start, sentence.end)
        if label is not None and len(label.group("label").split()) <= LEAD_IN_LABEL_MAX_WORDS:
            # a label opening the sentence ("(Missing adults: see G.O. 41-13, which permits a
            # telephone report ...)") names whom what follows it is for, as a title does
            found = self._segment(
                s,
                text,
                label.start("label"),
                label.end("label"),
                exempt,
                (),
                ConditionSource.ITEM_TITLE,
                people,
                label=True,
            )
            if found is not None:
                return found
        for lead, text in self._colon_lead_ins(s):
            label = len(text.split()) <= LEAD_IN_LABEL_MAX_WORDS
            found = self._clause(lead, exempt, (), ConditionSource.LEAD_IN, people, label=label)
            if found is not None:
                return found
        title = self._item_title(s)
        if title is not None:
            found = self._clause(title, exempt, (), ConditionSource.ITEM_TITLE, people, label=True)
            if found is not None:
                return found
        return self._heading(sentence.section, exempt, people)

    def _item_title(self, s: int) -> int | None:
        """The run-in title opening sentence `s`'s paragraph or item ("17.8.5 Family abduction.
        A parent who takes ... Get copies of any custody orders"): it heads the item as a
        heading heads a section. None when `s` is that sentence, or the item opens on prose."""
        parsed = self.index.parsed
        first = parsed.passage_sentences[parsed.sentences[s].passage][0]
        if first == s or not self._is_short_title(first):
            return None
        return first

    def _is_run_in_title(self, s: int) -> bool:
        """Whether sentence `s` is a short title opening its item or paragraph ("(G) Shift
        Supervisor." before "(1) The Shift Supervisor shall ...")."""
        parsed = self.index.parsed
        return parsed.passage_sentences[parsed.sentences[s].passage][0] == s and (
            self._is_short_title(s)
        )

    def _is_short_title(self, s: int) -> bool:
        parsed = self.index.parsed
        text = ITEM_MARKER_RE.sub("", parsed.text_of(parsed.sentences[s]).strip())
        return text.endswith((".", ":")) and len(text.split()) <= LEAD_IN_LABEL_MAX_WORDS

    def _clause(
        self, s: int, exempt, own, source: ConditionSource, people, *, label: bool = False
    ) -> LimitingCondition | None:
        """The condition of sentence `s`, when each of its ';'/':' segments stating the duty (those
        holding `own` words; all of it when none are given) is confined by a conditional clause
        naming some children, a label naming them, or an age short of all of them. In "Search
        the home; if foul play is suspected, also seal it", the search is for every child."""
        parsed = self.index.parsed
        sentence = parsed.sentences[s]
        text = parsed.document.passages[sentence.passage].text
        breaks = [m.start() for m in SEGMENT_BREAK_RE.finditer(text, sentence.start, sentence.end)]
        bounds = list(zip([sentence.start, *breaks], [*breaks, sentence.end], strict=True))
        if label or not own:
            bounds = [(sentence.start, sentence.end)]
        found = None
        for low, high in bounds:
            if own and not any(low <= a and b <= high for a, b in own):
                continue
            condition = self._segment(s, text, low, high, exempt, own, source, people, label=label)
            if condition is None:
                return None
            found = found or condition
        return found

    def _segment(
        self, s: int, text: str, start: int, end: int, exempt, own, source, people, *, label
    ) -> LimitingCondition | None:
        hits = self.index.hits[s]
        children = people == self.narrowing.cases
        if not children and _overlaps((start, end), hits.get(self.narrowing.children or "", ())):
            return None  # "adults and juveniles", "For adults; for juveniles" in one clause
        spans = [
            span
            for span in hits.get(people or "", ())
            if start <= span[0]
            and span[1] <= end
            and not _overlaps(span, own)
            and not any(_overlaps(span, hits.get(c, ())) for c in exempt)
        ]
        for a, b in spans:
            if (
                DISJUNCT_BEFORE_RE.search(text[max(start, a - 40) : a])
                or DISJUNCT_AFTER_RE.match(text[b:end])
                or _widened(text, b, end, spans)
            ):
                continue
            if label:
                return LimitingCondition(text[start:end].strip(" :"), source)
            lead = _conditional_lead(text, start, a)
            if lead is not None:
                clause = _clause_text(text, lead, b, end)
                if self._covers_all_ages(clause):
                    continue
                return LimitingCondition(clause, source)
            arrow = CONDITION_ARROW_RE.match(text, b, end)
            if arrow is not None:
                return LimitingCondition(text[start : arrow.start(1)].strip(), source)
            phrase = self._quantified(s, text, start, (a, b), head=not children)
            if phrase is not None and not self._covers_all_ages(phrase):
                return LimitingCondition(phrase, source)
            before = text[max(start, a - 30) : a]
            trail = CASE_NOUN_TRAIL_RE.match(text, b, end)
            lead_at = CASE_NOUN_LEAD_RE.search(before)
            if trail and lead_at:
                return LimitingCondition(
                    text[a - len(before) + lead_at.start() : trail.end()].strip(), source
                )
        if not children:
            return None
        following = FOLLOWING_CONDITION_RE.search(text, start, end)
        if following is not None and not (
            # "determine if any of the following applies" asks; "considered at risk when any of
            # the following applies" confines: only 'if' can open a question
            following.group().lower().startswith("if")
            and COMPLEMENT_RE.search(text[max(start, following.start() - 40) : following.start()])
        ):
            return LimitingCondition(following.group().strip(), source)
        return self._age(text[start:end], source)

    def _quantified(
        self, s: int, text: str, start: int, span: Span, *, head: bool = False
    ) -> str | None:
        """The quantified noun phrase in which the word at `span` is an adjective before a head
        naming the missing child or a case ("each endangered missing juvenile case", "all
        high-risk missing children"): every child of a kind is only some children. The word as
        the head itself ("any at-risk circumstances", "each at-risk indicator") names a
        factor, not the children. With `head`, the word itself may head the phrase ("any other
        adult", "An adult is ...")."""
        a, b = span
        if head:
            heading = HEAD_QUANTIFIER_RE.search(
                text, max(start, a - 40), a
            ) or ARTICLE_OPENING_RE.match(text, start, a)
            return None if heading is None else text[heading.start() : b]
        quantifier = QUANTIFIER_RE.search(text, max(start, a - 30), a) or ARTICLE_OPENING_RE.match(
            text, start, a
        )
        tail = NOUN_PHRASE_TAIL_RE.match(text, b)
        if quantifier is None or tail is None:
            return None
        if INCLUSIVE_RE.search(text[max(start, quantifier.start() - 40) : quantifier.start()]):
            return None
        heads = self.index.hits[s].get(self.narrowing.subject or "", ())
        if not (
            any(b <= x and y <= tail.end() for x, y in heads)
            or CASE_HEAD_END_RE.search(tail.group())
        ):
            return None
        return text[quantifier.start() : tail.end()]

    def _covers_all_ages(self, clause: str) -> bool:
        """'if the person is under 18 or is high-risk': an alternative covering every child."""
        stated = find_max_age(clause)
        all_ages = self.narrowing.all_ages
        return stated is not None and all_ages is not None and stated[0] >= all_ages

    def _age(self, text: str, source: ConditionSource) -> LimitingCondition | None:
        """An age limit that stops short of some children ("under 13"): for all of them ("under
        18", "under 21") it narrows nothing."""
        all_ages = self.narrowing.all_ages
        if all_ages is None:
            return None
        stated = find_max_age(text)
        if stated is None or stated[0] >= all_ages:
            return None
        a, b = stated[1]
        return LimitingCondition(text[a:b], source)

    def _heading(self, section: tuple[str, ...], exempt, people) -> LimitingCondition | None:
        """The deepest heading naming some children ("High-Risk Juveniles", "Children Under 13");
        the first heading of a trail is often the document's own title, so it is not read."""
        if len(section) < 2:
            return None
        deepest = section[-1]
        begins = heading_ends(section)[-2]
        hits = self.index.section_hits.get(section, {})
        narrowing = self.narrowing
        if people != narrowing.cases and any(
            a >= begins for a, _ in hits.get(narrowing.children or "", ())
        ):
            return None  # "Missing Adults and Juveniles"
        for a, _ in hits.get(people or "", ()):
            if a >= begins and not any(_overlaps((a, a + 1), hits.get(c, ())) for c in exempt):
                return LimitingCondition(deepest, ConditionSource.HEADING)
        if people != narrowing.cases:
            return None
        return self._age(deepest, ConditionSource.HEADING)


SEGMENT_BREAK_RE = re.compile(r"[;:]")
RUN_IN_LABEL_RE = re.compile(r"\W*(?P<label>[^\W\d][^:;.]{0,60}?)\s*:\s")
"""A short label opening a sentence and ending at a colon ("Missing adults: ...")."""
CLAUSE_BREAK_RE = re.compile(r"[,;:]|\.(?!\d)")
"""Where a conditional clause ends: a comma, semicolon, colon or full stop, not the points of a
number ("at risk under 41.03.030(C) or ...")."""
ITEM_MARKER_RE = re.compile(r"^\(?(?:\d{1,3}(?:\.\d{1,3})*|[A-Za-z]|[ivxlc]{1,5})[.)]?\s+")
"""An item's number or letter ("17.8.5 ", "(b) ", "c. "), before its run-in title."""


def _overlaps(span: Span, others) -> bool:
    return any(a < span[1] and span[0] < b for a, b in others)


def _widened(text: str, word_end: int, end: int, spans) -> bool:
    """Whether a coordinated quantified phrase after the word names none of `spans`."""
    coordinate = COORDINATE_RE.search(text, word_end, end)
    return coordinate is not None and not any(a >= coordinate.start() for a, _ in spans)


def _conditional_lead(text: str, start: int, at: int) -> int | None:
    """Where the conditional clause reaching offset `at` begins (None: not in one)."""
    match = CONDITION_LEAD_RE.search(text, max(start, at - CONDITION_REACH_CHARS), at)
    if match is None:
        return None
    lead = next(match.start(g) for g in ("word", "phrase", "for_", "relative") if match.group(g))
    preceding = text[max(start, lead - 40) : lead]
    if (
        INCLUSIVE_RE.search(preceding)
        or COMPLEMENT_RE.search(preceding)
        or RANKING_RE.search(preceding)
    ):
        return None
    return lead


def _clause_text(text: str, lead: int, word_end: int, end: int) -> str:
    """The conditional clause from its subordinator to its end (the next clause break)."""
    rest = CLAUSE_BREAK_RE.search(text[word_end:end])
    stop = word_end + rest.start() if rest else end
    return text[lead:stop].strip(" (")
