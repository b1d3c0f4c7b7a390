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
from policy_review.match.index import TOPIC_KEY, ParsedDocument, index_concepts, parse_document
from policy_review.match.placement import place_gaps
from policy_review.model import Document, Finding

__all__ = ["DetectSignals", "detect", "match_checklist", "parse"]


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
    communications center's own procedures."""

    sentences: int
    part_sentences: int
    part_sections: int
    title: bool = False  # the title block or running headers name the audience (`detect.title`)
    adopts: int = 0  # sentences naming a standard only this audience adopts (`detect.adopts`)


def detect(parsed: ParsedDocument, checklist: Checklist) -> DetectSignals:
    index = index_concepts(parsed, compiled(_detector(checklist)))
    concepts = checklist.detect.concepts
    named = {
        section for section, hits in index.section_hits.items() if any(c in hits for c in concepts)
    }
    under = [s for s in parsed.sentences if s.section in named]
    title_hits = index.section_hits.get(TOPIC_KEY, {})
    adopts = checklist.detect.adopts
    return DetectSignals(
        sentences=sum(1 for hits in index.hits if any(c in hits for c in concepts)),
        part_sentences=len(under),
        part_sections=len({s.section for s in under}),
        title=any(c in title_hits for c in checklist.detect.title),
        adopts=sum(1 for hits in index.hits if any(c in hits for c in adopts)) if adopts else 0,
    )


def match_checklist(parsed: ParsedDocument, checklist: Checklist) -> tuple[Finding, ...]:
    index = index_concepts(parsed, compiled(checklist))
    findings = tuple(evaluate_element(index, e) for e in checklist.elements)
    return place_gaps(index, checklist.elements, findings)
