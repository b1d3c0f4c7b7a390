"""Who a sentence tells to act: its actors, read from the document's structure.

The actor vocabulary is checklist data (`actors:` maps an actor name to a concept). A sentence's
actors are, in order of trust: its grammatical subject (the actor named last before its modal
verb - "When an officer arrives, the dispatcher shall ..." is the dispatcher's duty - or, without
a modal, an actor opening the sentence), the subject of its list's lead-in ("The call-taker
shall:"), and the deepest heading naming an actor ("Communications Center Responsibilities").
Nothing here knows a phrase; it only knows where a subject sits in English.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from policy_review.match.index import ConceptIndex, Span
from policy_review.model import ActorSource

OPENING_RE = re.compile(
    r"^\W*(?:(?:\d{1,3}|[a-z]|[ivx]{1,4})[.)]\s*)?"
    r"(?:(?:the|a|an|all|each|every|any|our|its|their|assigned|responding|first|on-duty|primary)"
    r"\s+){0,3}$",
    re.IGNORECASE,
)
"""Without a modal verb, an actor is the subject only when it opens the sentence ("Officers
search the area", "2. The assigned detective interviews ..."): a list label and determiners may
come before it, a verb may not ("Advise the watch commander" names the one told, not the doer)."""
_NO_ACTORS: tuple[tuple[str, ...], ActorSource] = ((), ActorSource.NONE)


@dataclass(slots=True)
class ActorReader:
    """Actors per sentence of one indexed document, read once and kept."""

    index: ConceptIndex
    _cache: dict[int, tuple[tuple[str, ...], ActorSource]] = field(default_factory=dict)

    @property
    def actors(self):
        return self.index.compiled.checklist.actors

    def of_sentence(self, s: int) -> tuple[tuple[str, ...], ActorSource]:
        found = self._cache.get(s)
        if found is None:
            found = self._cache[s] = self._read(s)
        return found

    def of_unit(self, sentences) -> tuple[tuple[str, ...], ActorSource]:
        """The actors of the given sentences together, and the most trusted source among them."""
        names: dict[str, None] = {}
        best = ActorSource.NONE
        for s in sentences:
            actors, source = self.of_sentence(s)
            names.update(dict.fromkeys(actors))
            if _TRUST[source] > _TRUST[best]:
                best = source
        return tuple(names), best

    def _read(self, s: int) -> tuple[tuple[str, ...], ActorSource]:
        subject = self._subject(s)
        if subject:
            return subject, ActorSource.SUBJECT
        parsed = self.index.parsed
        for lead in reversed(parsed.lead_in.get(s, ())):
            subject = self._subject(lead)
            if subject:
                return subject, ActorSource.LEAD_IN
        heading = self._heading(parsed.sentences[s].section)
        if heading:
            return heading, ActorSource.HEADING
        return _NO_ACTORS

    def _actor_spans(self, found: dict[str, list[Span]]) -> list[tuple[int, int, str]]:
        """(start, end, actor) in text order; a span inside a longer actor's span is that
        actor's word ("officer" in "communications officer"), not an actor of its own."""
        spans = [
            (a, b, actor)
            for actor, concept in self.actors.items()
            for a, b in found.get(concept, ())
        ]
        return sorted(
            (a, b, actor)
            for a, b, actor in spans
            if not any(x <= a and b <= y and (y - x) > (b - a) for x, y, _ in spans)
        )

    def _subject(self, s: int) -> tuple[str, ...]:
        found = self.index.hits[s]
        spans = self._actor_spans(found)
        if not spans:
            return ()
        modality = self.index.compiled.checklist.modality
        modal_starts = [
            a
            for concept in (modality.mandatory, modality.permissive, modality.negation)
            if concept
            for a, _ in found.get(concept, ())
        ]
        if modal_starts:
            first_modal = min(modal_starts)
            before = [span for span in spans if span[1] <= first_modal]
            return (before[-1][2],) if before else ()
        sentence = self.index.parsed.sentences[s]
        text = self.index.parsed.document.passages[sentence.passage].text
        a, _, actor = spans[0]
        return (actor,) if OPENING_RE.match(text[sentence.start : a]) else ()

    def _heading(self, section: tuple[str, ...]) -> tuple[str, ...]:
        """The actor named last in the heading trail (the deepest heading that names one)."""
        spans = self._actor_spans(self.index.section_hits.get(section, {}))
        return (spans[-1][2],) if spans else ()


_TRUST = {
    ActorSource.NONE: 0,
    ActorSource.HEADING: 1,
    ActorSource.LEAD_IN: 2,
    ActorSource.SUBJECT: 3,
}
