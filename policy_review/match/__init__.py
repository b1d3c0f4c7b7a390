"""Matcher: checklist concepts -> spaCy matchers (compiled once) -> findings per element.

`prepare(document, checklists)` parses the document once and indexes each checklist's concepts;
`detect_count` says how strongly a checklist's `detect` concepts occur (automatic choice), and
`match_checklist` returns one finding per element, in checklist order.
"""

from __future__ import annotations

from policy_review.checklist import Checklist
from policy_review.match.compile import compiled
from policy_review.match.engine import evaluate_element
from policy_review.match.index import ConceptIndex, index_concepts, parse_document
from policy_review.model import Document, Finding

__all__ = ["detect_count", "match_checklist", "prepare"]


def prepare(document: Document, checklists: tuple[Checklist, ...]) -> dict[str, ConceptIndex]:
    """One parse of the document, one concept index per checklist (keyed by checklist id)."""
    compiled_lists = [compiled(c) for c in checklists]
    fuzzy = frozenset().union(*(c.fuzzy_words for c in compiled_lists))
    parsed = parse_document(document, fuzzy)
    return {c.checklist.id: index_concepts(parsed, c) for c in compiled_lists}


def detect_count(index: ConceptIndex) -> int:
    """Evidence sentences that mention any of the checklist's `detect` concepts."""
    concepts = index.compiled.checklist.detect.concepts
    return sum(1 for hits in index.hits if any(c in hits for c in concepts))


def match_checklist(index: ConceptIndex) -> tuple[Finding, ...]:
    return tuple(evaluate_element(index, e) for e in index.compiled.checklist.elements)
