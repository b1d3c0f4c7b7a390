"""Where in the agency's own directive a missing or partial element's text belongs.

The nearest passage's section is often unrelated (a stray "24 hours" in a phone-number line), so
the place is chosen from the document's own section trails (headings and numbered items)
instead: the trail that names the element's concepts. Each concept weighs by how few trails
name it and how few of the checklist's elements use it. A concept the document's title names
("missing", "child" in a missing-child directive; in a manual, the title of any chapter read)
counts only when it is nearly unique to the element (runaways): otherwise it says what the whole
document is about, not where a particular requirement belongs; "NCIC" or "supervisor" does.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import replace

from policy_review.checklist import Element
from policy_review.match.index import ConceptIndex, is_pseudo_section
from policy_review.model import Finding, Status

SECTION_SEPARATOR = " > "
DISTINCTIVE_SHARE = 0.05
"""A concept used by at most this share of a checklist's elements (at least one) is specific to
them even when the document's title names it."""


def _element_concepts(element: Element) -> frozenset[str]:
    """What the element is about: the concepts its cues require, accept or need as context."""
    return frozenset(c for cue in element.cues for c in (*cue.all, *cue.any, *cue.context))


def place_gaps(
    index: ConceptIndex, elements: tuple[Element, ...], findings: tuple[Finding, ...]
) -> tuple[Finding, ...]:
    """Findings with `add_to` set for each gap whose topic a section trail of the document names."""
    trails = [trail for trail in index.section_hits if trail and not is_pseudo_section(trail)]
    if not trails:
        return findings
    named = {trail: frozenset(index.section_hits[trail]) for trail in trails}
    spread = Counter(concept for concepts in named.values() for concept in concepts)
    concepts_of = [_element_concepts(element) for element in elements]
    uses = Counter(concept for concepts in concepts_of for concept in concepts)
    distinctive = max(1, int(DISTINCTIVE_SHARE * len(elements)))
    topic = index.title_concepts()
    weight = {
        concept: math.log(len(trails) / count) * math.log(len(elements) / max(uses[concept], 1))
        for concept, count in spread.items()
        if concept not in topic or uses[concept] <= distinctive
    }
    checklist = index.compiled.checklist
    actors_of = {
        trail: {actor for actor, concept in checklist.actors.items() if concept in concepts}
        for trail, concepts in named.items()
    }
    deepest_actors = {trail: _deepest_actors(trail, actors_of) for trail in trails}
    placed = []
    position = {trail: i for i, trail in enumerate(trails)}
    for element, wanted, finding in zip(elements, concepts_of, findings, strict=True):
        if finding.status is Status.FOUND:
            placed.append(finding)
            continue

        def fit(trail: tuple[str, ...], wanted: frozenset[str] = wanted) -> float:
            return sum(
                weight.get(concept, 0.0) for concept in named.get(trail, frozenset()) & wanted
            )

        def role_fit(trail: tuple[str, ...], roles: tuple[str, ...] = element.roles) -> int:
            """By the deepest heading of the trail that names actors: 1 when it names one whose
            duty the element is; -1 when it names another role (a call-taking element does not
            belong under the patrol deputy's section, nor under "sworn members"); 0 when it
            names none, or only a body that includes the role ("members")."""
            actors = deepest_actors.get(trail, ())
            if not roles or not actors:
                return 0
            if any(actor in roles for actor in actors):
                return 1
            if any(actor not in checklist.actor_stands_for for actor in actors):
                return -1
            return 0 if any(checklist.acts_as(actor, roles) for actor in actors) else -1

        near = finding.near_miss
        near_trail = tuple(near.section.split(SECTION_SEPARATOR)) if near and near.section else ()
        if near_trail in named and fit(near_trail) > 0 and role_fit(near_trail) >= 0:
            chosen = near_trail
        else:
            # the best fit outside other roles' sections; on a tie the role's own section, the
            # shorter trail (the section itself, not a sub-heading that inherits its topic),
            # then the earliest. With no topical fit, a top-level section of the role.
            allowed = [t for t in trails if role_fit(t) >= 0] or [()]
            best = max(allowed, key=lambda t: (fit(t), role_fit(t), -len(t), -position.get(t, 0)))
            if fit(best) > 0:
                chosen = best
            else:
                own = [t for t in allowed if len(t) == 1 and role_fit(t) > 0]
                chosen = own[0] if own else ()
        placed.append(replace(finding, add_to=SECTION_SEPARATOR.join(chosen)))
    return tuple(placed)


def _deepest_actors(
    trail: tuple[str, ...], actors_of: dict[tuple[str, ...], set[str]]
) -> frozenset[str]:
    """The actors named by the deepest heading of `trail` that names any: those its trail names
    beyond its parent's (`PART A - SWORN MEMBERS > RESPONDING DEPUTY`: the deputy). Not
    `ActorReader._heading`: that skips time-clause headings, which moves placements."""
    for depth in range(len(trail), 0, -1):
        named = actors_of.get(trail[:depth])
        if named is None:
            continue
        parent = next(
            (actors_of[trail[:d]] for d in range(depth - 1, 0, -1) if trail[:d] in actors_of),
            set(),
        )
        if own := named - parent:
            return frozenset(own)
    return frozenset()
