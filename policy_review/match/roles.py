"""Who a sentence tells to act: its actors, read from the document's structure.

The actor vocabulary is checklist data (`checklists/roles/actors.yaml`: actor name -> concept, and
the roles an organisation-wide actor stands for). A sentence's actors are, in order of trust: its
grammatical subjects (the actor named last before its modal verb - "When an officer arrives, the
dispatcher shall ..." is the dispatcher's duty - plus the actor right before a later modal, "...
notify the supervisor, who shall decide"; without a modal, an actor opening the sentence; the holder
after "It is incumbent upon" / "rests with"), the subject of its list's lead-in ("The call-taker
shall:"), the role tags closing its step ("... [SGT]") or its table row's "Who" cell, and the actors
of the deepest heading naming one ("Communications Center Responsibilities"). The subject of a
passive verb is the one acted on ("the supervisor shall be notified"): the actor is then the one
after "by", or, unnamed, the lead-in's or heading's. A modal inside a condition ("If the dispatcher
cannot reach the family, ...") or after "you" / "we" gives no named actor the duty; without a modal,
the subject may follow a leading condition ("When the call comes in, dispatch notifies ..."). A
sentence joining two duties ("The dispatcher shall enter the child in NCIC, and the detective shall
ask about medications") gives each clause its own actor: a quote's actors are those of the clauses
holding its words. Nothing here knows a phrase; it only knows where a subject sits in English.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from policy_review.match.index import TRAIL_SEPARATOR, ConceptIndex, Span, heading_ends
from policy_review.model import ActorSource, PassageKind

OPENING_RE = re.compile(
    r"^\W*(?:(?:\d{1,3}|[a-z]|[ivx]{1,4})[.)]\s*)?"
    r"(?:[A-Z][\w'’]*(?:\s+[A-Z][\w'’]*)?\s+[-–—]\s+)?"
    r"(?:(?:the|a|an|all|each|every|any|our|its|their|assigned|responding|first|on-duty|primary"
    r"|new|newly\s+hired)\s+){0,3}$",
    re.IGNORECASE,
)
"""Without a modal verb, an actor is the subject only when it opens the sentence ("Officers
search the area", "2. The assigned detective interviews ...", "A. Sworn - all officers complete
..."): a list label, a run-in title set off by a dash (not a memo's "TO:" line) and determiners
may come before it, a verb may not ("Advise the watch commander" names the one told, not the
doer)."""
PASSIVE_RE = re.compile(
    r"^\W*(?:(?:is|are|was|were|be|been|being|not|also|then|\w+ly)\s+)*(?:is|are|was|were|be|been)"
    r"\s+(?:\w+ly\s+)?(?:\w+ed|made|sent|taken|given|kept|held|told|brought|done|seen|shown|"
    r"known|sought|read|set|put|run|found|informed)\b"
    r"(?!\s+to\s+(?!(?:the|a|an|any|all|each|this|that|his|her|their|its|\d)\b)[a-z])",
    re.IGNORECASE,
)
"""The verb after a subject (or its modal) is passive: a form of "be" and a past participle, not
"required to search" / "expected to report" (which still give the subject the duty; "assigned to
the case" is passive)."""
AGENT_RE = re.compile(
    r"\bby\s+(?:(?:the|a|an|any|its|their|assigned|responding|on-duty)\s+){0,2}$", re.IGNORECASE
)
"""An actor right after "by" is the passive verb's doer ("shall be entered by the dispatcher")."""
CLAUSE_SUBJECT_RE = re.compile(r"^\s*,?\s*(?:who|that|which)?\s*(?:\w+ly\s+)?$", re.IGNORECASE)
"""A later modal has its own subject when an actor stands right before it ("... notify the
supervisor, who shall decide"; "..., and the sergeant will respond"); otherwise it goes on with
the first one ("the sergeant shall be notified and shall respond": the sergeant responds)."""
CONDITION_RE = re.compile(
    r"\b(?:if|when|whenever|unless|until|once|where|while|after|before|although|because)\b"
    r"[^,;:]*$",
    re.IGNORECASE,
)
"""A modal inside a condition or time clause ("If the sergeant cannot respond, ...", "... until
the child can be found") belongs to that clause: it tells its subject to do nothing."""
LEADING_CLAUSE_RE = re.compile(
    r"^\W*(?:(?:if|when|whenever|once|after|before|until|as\s+soon\s+as|unless|while)\b[^.;:]*?"
    r"|(?:from|on|upon|at|during|for|with|within|in)\b[^.;:,]*?),\s*",
    re.IGNORECASE,
)
"""Without a modal, a sentence opening with a condition or a short phrase of time or manner ("When
the call comes in, dispatch notifies ...", "Before the officer arrives, our dispatchers tell ...",
"From the answers, our dispatchers decide ...") has its subject right after the opening's comma."""
PRONOUN_SUBJECT_RE = re.compile(r"\b(?:you|we)\s+(?:\w+ly\s+)?$", re.IGNORECASE)
"""A modal right after "you" / "we" has that pronoun for its subject: an actor named before it
("When the officer arrives, you must ...") is not the one told; the lead-in's or heading's is."""
HEADING_CONDITION_RE = re.compile(
    r"\b(?:if|when|whenever|until|once|after|before|while|unless)\b[^,;:()]*$", re.IGNORECASE
)
"""A heading naming an actor inside a time or condition clause ("Before the Officer Arrives",
"After the Deputy Clears the Scene") says when its steps are taken, not who takes them."""
CONJOINED_RE = re.compile(
    r"^\s*(?:,|/|&)?\s*(?:(?:and|or|and/or)\s+)?"
    r"(?:(?:the|a|an|all|each|every|any|our|its|their|assigned|responding|on-duty)\s+){0,2}$",
    re.IGNORECASE,
)
"""Actors joined by "and" / "or" / a comma or slash are one subject ("Officers and dispatchers
shall ask ...", "Every officer, dispatcher and call-taker gets ..."): the duty is each one's, not
only the one named last."""
WHO_CELL_REST_RE = re.compile(
    r"^\W*(?:(?:the|a|an|all|each|every|any|assigned|responding|first|on-duty|primary|and|or)"
    r"\W+)*$",
    re.IGNORECASE,
)
"""A table cell is a "Who" cell when, its actors taken out, only determiners, "and" / "or" and
punctuation are left ("Dispatcher", "Call-taker / Dispatcher", "The assigned detective")."""
DUTY_HOLDER_RE = re.compile(
    r"\b(?:incumbent\s+(?:up)?on|(?:responsibility|obligation|duty|task|job)\s+of|"
    r"(?:rests?|lies|lie)\s+with|(?:is|are)\s+required\s+of|falls?\s+to)\s+"
    r"(?:(?:the|a|an|each|every|any|all|assigned|responding|on-duty)\s+)?(?:[A-Z][\w-]*\s+)?$",
    re.IGNORECASE,
)
"""A duty stated without the actor as subject names its holder after these words ("It is
incumbent upon the call receiver to obtain ...", "Confirmation ... rests with the patrol
sergeant", "... is the obligation of the dispatcher", "A report is required of the recovering
officer"); a capitalised name may stand between ("the KECOM call receiver")."""
TRAILING_TAGS_RE = re.compile(r"(?:\[[^\[\]]{1,40}\]\s*)+$")
"""Role tags closing a step ("Respond to the scene. [SGT]", "[CT] [DISP]"): its doers, as a
"Who" cell names a table row's."""
_NO_ACTORS: tuple[tuple[str, ...], ActorSource] = ((), ActorSource.NONE)


@dataclass(slots=True)
class ActorReader:
    """Actors per sentence of one indexed document, read once and kept."""

    index: ConceptIndex
    _cache: dict[int, tuple[tuple[str, ...], ActorSource]] = field(default_factory=dict)
    _lead_of: dict[int, int] = field(default_factory=dict)  # sentence -> lead-in giving its actor
    # sentence -> (where each modal clause starts, its actors), for sentences of several duties
    _clauses: dict[int, tuple[tuple[int, tuple[str, ...]], ...]] = field(default_factory=dict)

    @property
    def actors(self):
        return self.index.compiled.checklist.actors

    def of_sentence(self, s: int) -> tuple[tuple[str, ...], ActorSource]:
        found = self._cache.get(s)
        if found is None:
            found = self._cache[s] = self._read(s)
        return found

    def of_unit(
        self, sentences, words: Mapping[int, Sequence[Span]] | None = None
    ) -> tuple[tuple[str, ...], ActorSource]:
        """The actors of the given sentences together, and the most trusted source among them;
        with `words` (sentence -> spans of the quoted words), of a sentence of several duties only
        the actors of the clauses holding those words."""
        names: dict[str, None] = {}
        best = ActorSource.NONE
        for s in sentences:
            actors, source = self.of_sentence(s)
            if words and source is ActorSource.SUBJECT:
                actors = self._of_clauses(s, words.get(s, ())) or actors
            names.update(dict.fromkeys(actors))
            if _TRUST[source] > _TRUST[best]:
                best = source
        return tuple(names), best

    def _of_clauses(self, s: int, spans: Sequence[Span]) -> tuple[str, ...]:
        """The actors of the clauses of sentence `s` that hold `spans` (a word before the first
        modal belongs to the first clause); () when the sentence has one clause or none of them
        names an actor."""
        clauses = self._clauses.get(s, ())
        if len(clauses) < 2 or not spans:
            return ()
        starts = [start for start, _ in clauses]
        held = {max(bisect_right(starts, a) - 1, 0) for a, _ in spans}
        return tuple(dict.fromkeys(actor for i in sorted(held) for actor in clauses[i][1]))

    def from_structure(self, sentences, roles: tuple[str, ...]) -> tuple[str, ActorSource] | None:
        """The first of `roles` that a lead-in or heading (never the document's title) gives one
        of the sentences naming no subject of their own, and where it was read; None if none."""
        title = self.index.parsed.document.title_passage
        title_text = "" if title is None else title.text.strip()
        parsed = self.index.parsed
        for s in sentences:
            if parsed.sentences[s].title_only:
                continue
            actors, source = self.of_sentence(s)
            if source in (ActorSource.LEAD_IN, ActorSource.ROLE_TAG):
                given_by = parsed.text_of(parsed.sentences[self._lead_of[s]]).strip()
            elif source is ActorSource.HEADING:
                given_by = self._deepest(parsed.sentences[s].section)[1]
            else:
                continue
            actor = next((a for a in actors if a in roles), None)
            if actor is not None and given_by != title_text:
                return actor, source
        return None

    def _read(self, s: int) -> tuple[tuple[str, ...], ActorSource]:
        subject = self._subject(s)
        if subject:
            return subject, ActorSource.SUBJECT
        parsed = self.index.parsed
        for lead in reversed(parsed.lead_in.get(s, ())):
            subject = self._subject(lead)
            if subject:
                self._lead_of[s] = lead
                return subject, ActorSource.LEAD_IN
        tagged = self._end_tags(s)
        if tagged is not None:
            self._lead_of[s] = tagged[0]
            return tagged[1], ActorSource.ROLE_TAG
        who = self._who_cell(s)
        if who is not None:
            self._lead_of[s] = who[0]
            return who[1], ActorSource.LEAD_IN
        heading = self._heading(parsed.sentences[s].section)
        if heading:
            return heading, ActorSource.HEADING
        return _NO_ACTORS

    def _end_tags(self, s: int) -> tuple[int, tuple[str, ...]] | None:
        """The sentence holding the role tags that close sentence `s`'s passage, and their
        actors, when the brackets hold nothing but actors; None otherwise."""
        parsed = self.index.parsed
        passage = parsed.sentences[s].passage
        text = parsed.document.passages[passage].text
        tags = TRAILING_TAGS_RE.search(text.rstrip())
        if tags is None:
            return None
        holder = parsed.sentence_at(passage, tags.start())
        if holder is None:
            return None
        # the brackets blanked, not removed: the actors' offsets stay those of the passage
        bare = text[: tags.start()] + re.sub(r"[\[\]]", " ", tags.group())
        actors = _only_actors(bare, tags.start(), self._actor_spans(self.index.hits[holder]))
        return None if actors is None else (holder, actors)

    def _who_cell(self, s: int) -> tuple[int, tuple[str, ...]] | None:
        """The sentence of the table cell just before this cell's passage, and its actors, when
        that cell holds nothing but actors (a step table's "Who" column: `A3 | Dispatcher | Page
        the patrol sergeant`): the actors of the row's action. None otherwise."""
        parsed = self.index.parsed
        passage = parsed.sentences[s].passage
        passages = parsed.document.passages
        if passage == 0 or passages[passage].kind is not PassageKind.TABLE_CELL:
            return None
        previous = passages[passage - 1]
        cell = parsed.passage_sentences.get(passage - 1, ())
        if previous.kind is not PassageKind.TABLE_CELL or len(cell) != 1:
            return None
        if previous.section != passages[passage].section:
            return None
        actors = _only_actors(previous.text, 0, self._actor_spans(self.index.hits[cell[0]]))
        return None if actors is None else (cell[0], actors)

    def _actor_spans(self, found: dict[str, list[Span]]) -> list[tuple[int, int, str]]:
        """(start, end, actor) in text order; a span overlapping a longer actor's span is that
        actor's word ("officer" in "communications officer", "the Department" in "the Department
        of Social Services"), not an actor of its own."""
        spans = [
            (a, b, actor)
            for actor, concept in self.actors.items()
            for a, b in found.get(concept, ())
        ]
        return sorted(
            (a, b, actor)
            for a, b, actor in spans
            if not any(x < b and a < y and (y - x) > (b - a) for x, y, _ in spans)
        )

    def _subject(self, s: int) -> tuple[str, ...]:
        found = self.index.hits[s]
        spans = self._actor_spans(found)
        if not spans:
            return ()
        sentence = self.index.parsed.sentences[s]
        text = self.index.parsed.document.passages[sentence.passage].text
        holder = next(
            (
                span
                for span in spans
                if DUTY_HOLDER_RE.search(text, max(sentence.start, span[0] - 60), span[0])
            ),
            None,
        )
        if holder is not None:
            return self._conjoined(text, spans, holder, forward=True)
        modality = self.index.compiled.checklist.modality
        modals = [
            span
            for concept in (modality.mandatory, modality.permissive, modality.negation)
            if concept
            for span in found.get(concept, ())
        ]
        modals = sorted(m for m in modals if not CONDITION_RE.search(text, sentence.start, m[0]))
        if modals:
            before = [span for span in spans if span[1] <= modals[0][0]]
            first = before[-1] if before else None
            if PRONOUN_SUBJECT_RE.search(text, sentence.start, modals[0][0]):
                first = None
            clauses = [(first, modals[0][1])]
            subjects = self._conjoined(text, spans, first, forward=False)
            for previous, modal in zip(modals, modals[1:], strict=False):
                own = [
                    span
                    for span in spans
                    if previous[1] <= span[0]
                    and span[1] <= modal[0]
                    and CLAUSE_SUBJECT_RE.match(text[span[1] : modal[0]])
                ]
                if PRONOUN_SUBJECT_RE.search(text, previous[1], modal[0]):
                    own = [None]
                clauses.append((own[-1] if own else first, modal[1]))
        else:
            condition = LEADING_CLAUSE_RE.match(text, sentence.start)
            opens_at = condition.end() if condition else sentence.start
            after = [span for span in spans if span[0] >= opens_at]
            if not after or not OPENING_RE.match(text[opens_at : after[0][0]]):
                return ()
            clauses = [(after[0], after[0][1])]
            subjects = self._conjoined(text, spans, after[0], forward=True)
        actors: dict[str, None] = {}
        of_clause: list[tuple[str, ...]] = []
        for subject, verb_at in clauses:
            if not PASSIVE_RE.match(text[verb_at : sentence.end]):
                if subject is None:  # "(a) Shall notify ...": the lead-in's or heading's duty
                    return ()
                own = subjects if subject is clauses[0][0] else (subject[2],)
            else:
                agents = [
                    agent
                    for a, _, agent in spans
                    if a > verb_at and AGENT_RE.search(text[verb_at:a])
                ]
                own = tuple(agents[:1])
            actors.update(dict.fromkeys(own))
            of_clause.append(own)
        if modals:
            starts = [sentence.start, *(modal[0] for modal in modals[1:])]
            self._clauses[s] = tuple(zip(starts, of_clause, strict=True))
        return tuple(actors)

    @staticmethod
    def _conjoined(text: str, spans, subject, *, forward: bool) -> tuple[str, ...]:
        """The actors joined to `subject` by "and" / "or" / a comma (after it when it opens the
        sentence, before it when it stands before the modal), in text order; its own alone if
        none."""
        if subject is None:
            return ()
        at = spans.index(subject)
        run = [subject]
        step = 1 if forward else -1
        while 0 <= at + step < len(spans):
            near = spans[at + step]
            gap = text[run[-1][1] : near[0]] if forward else text[near[1] : run[-1][0]]
            if not CONJOINED_RE.match(gap):
                break
            run.append(near)
            at += step
        return tuple(dict.fromkeys(actor for _, _, actor in sorted(run)))

    def _heading(self, section: tuple[str, ...]) -> tuple[str, ...]:
        """The actors of the deepest heading in the trail that names one: all of them, so a title
        naming a police department and its 911 center gives the duty to neither alone."""
        return self._deepest(section)[0]

    def _deepest(self, section: tuple[str, ...]) -> tuple[tuple[str, ...], str]:
        """The actors of the deepest heading naming one, and that heading's text."""
        ends = heading_ends(section)
        trail = TRAIL_SEPARATOR.join(section)
        spans = [
            (a, b, actor)
            for a, b, actor in self._actor_spans(self.index.section_hits.get(section, {}))
            if not HEADING_CONDITION_RE.search(trail, _heading_start(ends, a), a)
        ]
        if not spans:
            return (), ""
        deepest = bisect_right(ends, spans[-1][0])
        actors = dict.fromkeys(actor for a, _, actor in spans if bisect_right(ends, a) == deepest)
        return tuple(actors), section[deepest].strip()


def _only_actors(text: str, start: int, spans) -> tuple[str, ...] | None:
    """The actors named in `text` from `start` on (`spans`: (start, end, actor) in passage
    offsets), when nothing else is left there but determiners, "and" / "or" and punctuation
    (a "Who" cell, a step's role tags); None otherwise."""
    spans = [span for span in spans if span[0] >= start]
    rest = text[start:]
    for a, b, _ in reversed(spans):
        rest = rest[: a - start] + rest[b - start :]
    if not spans or not WHO_CELL_REST_RE.match(rest):
        return None
    return tuple(dict.fromkeys(actor for _, _, actor in spans))


def _heading_start(ends: list[int], at: int) -> int:
    """Where the heading holding offset `at` of a trail's text starts."""
    deepest = bisect_right(ends, at)
    return ends[deepest - 1] if deepest else 0


_TRUST = {
    ActorSource.NONE: 0,
    ActorSource.HEADING: 1,
    ActorSource.LEAD_IN: 2,
    ActorSource.ROLE_TAG: 2,
    ActorSource.SUBJECT: 3,
}
