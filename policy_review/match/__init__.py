"""Matcher: checklist concepts -> spaCy matchers (compiled once) -> findings per element.

`parse(document, checklists)` does the per-document work once (sentences, lemmas, OCR-fuzzy
norms); `detect` says how strongly a checklist's `detect` concepts occur (automatic choice,
using a small matcher of those concepts only), and `match_checklist` returns one
finding per element, in checklist order.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

# First, so that every spaCy import below finds spaCy loaded without its CLI (see spacy_lean).
from policy_review import spacy_lean  # noqa: F401

# isort: split
from policy_review.checklist import Checklist
from policy_review.match.compile import compiled, fuzzy_words
from policy_review.match.engine import evaluate_element
from policy_review.match.index import (
    ConceptIndex,
    ParsedDocument,
    index_concepts,
    parse_document,
)
from policy_review.match.placement import place_gaps
from policy_review.match.roles import ActorReader
from policy_review.model import Document, Finding

__all__ = ["DetectSignals", "detect", "detect_index", "match_checklist", "parse"]


def parse(document: Document, checklists: tuple[Checklist, ...]) -> ParsedDocument:
    """Parse once for all the checklists that may be applied (their OCR-fuzzy words included)."""
    fuzzy = frozenset().union(*(fuzzy_words(c) for c in checklists))
    return parse_document(document, fuzzy)


_DETECTORS: dict[tuple[str, str, str], tuple[Checklist, Checklist]] = {}


def _detector(checklist: Checklist) -> Checklist:
    """The checklist reduced to its detection concepts (and what they include), no elements."""
    cached = _DETECTORS.get(checklist.key)
    if cached is not None and cached[0] is checklist:
        return cached[1]
    wanted: set[str] = set()
    detect = checklist.detect
    stack = [*detect.concepts, *detect.title, *detect.adopts]
    if detect.roles:  # who a sentence tells to act: the actor vocabulary and the modal verbs
        modality = checklist.modality
        stack += [*checklist.actors.values()]
        stack += [c for c in (modality.mandatory, modality.permissive, modality.negation) if c]
    while stack:
        name = stack.pop()
        if name not in wanted:
            wanted.add(name)
            stack.extend(checklist.concepts[name].include)
    concepts = {name: c for name, c in checklist.concepts.items() if name in wanted}
    detector = replace(checklist, concepts=concepts, elements=(), path=checklist.path + "#detect")
    _DETECTORS[checklist.key] = (checklist, detector)
    return detector


@dataclass(frozen=True, slots=True)
class DetectSignals:
    """How strongly a checklist's `detect` concepts occur: evidence sentences naming them, and
    the sentences (and distinct sections) under headings that name them. A police policy with
    one "Communications" section differs from a combined policy with a whole part on the
    communications center's own procedures. Naming a role is not giving it work: `duties` counts
    the sentences that tell one of the audience's roles (`detect.roles`) to act, read from the
    sentence's subject, its list's lead-in or its heading, and `assigned` those that tell any
    actor to act, so an addressee or distribution line ("TO: ...; Communications Division")
    counts as a mention, and "we" sentences under "What our officers do" as officers' work."""

    sentences: int
    part_sentences: int
    part_sections: int
    title: bool = False  # the title block or running headers name the audience (`detect.title`)
    adopts: int = 0  # sentences naming a standard only this audience adopts (`detect.adopts`)
    duties: int = 0  # sentences giving one of this audience's roles a duty (`detect.roles`)
    assigned: int = 0  # sentences giving any actor a duty (read only when `detect.roles` is set)


def detect_index(parsed: ParsedDocument, checklist: Checklist) -> ConceptIndex:
    """The checklist's detection concepts over the text, once: `detect` reads the whole text
    and each chapter of a manual from it."""
    return index_concepts(parsed, compiled(_detector(checklist)))


def detect(index: ConceptIndex, checklist: Checklist, chapter: int | None = None) -> DetectSignals:
    """The signals of the whole text, or of one chapter of a manual (`chapter`: its number in
    `Document.chapter_starts`): a manual holds several directives, each for its own readers."""
    parsed = index.parsed
    concepts = checklist.detect.concepts
    named = {
        section for section, hits in index.section_hits.items() if any(c in hits for c in concepts)
    }
    sentences = [s for s in parsed.sentences if chapter is None or s.chapter == chapter]
    under = [s for s in sentences if s.section in named]
    title_hits = index.title_concepts() if chapter is None else index.title_concepts(chapter)
    adopts = checklist.detect.adopts
    duties, assigned = _duties(index, checklist.detect.roles, sentences)
    hits = [index.hits[s.index] for s in sentences]
    return DetectSignals(
        sentences=sum(1 for h in hits if any(c in h for c in concepts)),
        part_sentences=len(under),
        part_sections=len({s.section for s in under}),
        title=any(c in title_hits for c in checklist.detect.title),
        adopts=sum(1 for h in hits if any(c in h for c in adopts)) if adopts else 0,
        duties=duties,
        assigned=assigned,
    )


def _duties(index, roles: tuple[str, ...], sentences) -> tuple[int, int]:
    """Sentences telling one of `roles` to act, and sentences telling any actor to act. Read
    per checklist, not once per document: the actors are shared, but each checklist's modal
    words place a sentence's subject (`ensure` is a duty word to the police checklist only)."""
    if not roles:
        return 0, 0
    reader = ActorReader(index)
    duties = assigned = 0
    for sentence in sentences:
        if sentence.title_only:  # a heading names who acts; its sentences carry the duties
            continue
        actors, _ = reader.of_sentence(sentence.index)
        if actors:
            assigned += 1
            duties += any(actor in roles for actor in actors)
    return duties, assigned


def match_checklist(parsed: ParsedDocument, checklist: Checklist) -> tuple[Finding, ...]:
    index = index_concepts(parsed, compiled(checklist))
    findings = tuple(evaluate_element(index, e) for e in checklist.elements)
    return place_gaps(index, checklist.elements, findings)
