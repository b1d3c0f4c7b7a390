"""Checklists as data: YAML files validated strictly, every problem reported at once.

A checklist names reusable *concepts* (synonym sets) and *elements*; each element is detected by
*cues* (concepts that must co-occur in a sentence, window, passage or section), optional
*sub-checks* (time limits, age thresholds, actors, list coverage) and *red-flag* rules. The format
is documented in checklists/SCHEMA.md; this module is its only interpreter of structure (the
matcher in policy_review.match interprets the terms).
"""

from __future__ import annotations

import re
import re._constants as _sre
import re._parser as _sre_parser
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from policy_review.errors import ChecklistError
from policy_review.model import Severity, Status
from policy_review.resources import bundled_dir
from policy_review.yamlfile import AliasBombError, parse_yaml

LEVELS = ("found", "partial")
SCOPES = ("sentence", "window", "list", "heading_list", "passage", "section")
AUDIENCES = ("law-enforcement", "psap")
OVER_LIMIT_ACTIONS = ("partial", "red_flag")
AGE_BELOW_ACTIONS = ("partial", "ignore")
_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_CONCEPT_RE = re.compile(r"^[a-z][a-z0-9_]*$")
MAX_CHECKLIST_BYTES = 2 * 2**20
"""A checklist file is text written by a person (the bundled ones are 25-115 KB)."""
MAX_PROBLEM_CHARS = 300
"""One reported problem is at most this long, whatever value it quotes."""
MAX_PROBLEMS_SHOWN = 20
"""The error is one line (at most ~6,000 characters): the first problems, then how many more."""
_REPEATS = (_sre.MAX_REPEAT, _sre.MIN_REPEAT, _sre.POSSESSIVE_REPEAT)
REGEX_FLAGS = re.IGNORECASE
"""`/regex/` terms match case-insensitively; they are checked with the flags the matcher compiles
them with, so its compile finds them in `re`'s cache."""


@dataclass(frozen=True, slots=True)
class Concept:
    """A named synonym set; `terms` use the mini-syntax in SCHEMA.md, `include` merges others."""

    name: str
    label: str
    terms: tuple[str, ...]
    include: tuple[str, ...] = ()
    # the actors (checklist `actors`) this concept names: in an element given to one of them,
    # the unit's actor read from its lead-in or heading also satisfies it
    role_of: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TimeLimit:
    """A duration bound to the cue's subject: within `max_hours` -> found, vaguer -> partial."""

    max_hours: float
    vague: str | None = None
    also_found: str | None = None
    conditional: str | None = None
    over_limit: str = "red_flag"
    otherwise: Status | None = None
    reason: str = ""


@dataclass(frozen=True, slots=True)
class AgeLimit:
    """An age threshold: stated maximum age >= `at_least` -> found, a lower one -> partial."""

    at_least: int
    broader: str | None = None
    below: str = "partial"  # a lower stated age: "partial", or "ignore" (no hit)


@dataclass(frozen=True, slots=True)
class Actor:
    """Who performs the action: a specific role -> found; generic staff or passive -> partial."""

    roles: str
    action: str
    generic: str | None = None


@dataclass(frozen=True, slots=True)
class Coverage:
    """How many named items appear in scope: >= `found_min` found, >= `partial_min` partial."""

    items: tuple[tuple[str, str], ...]
    found_min: int
    partial_min: int = 1


SubCheck = TimeLimit | AgeLimit | Actor | Coverage


@dataclass(frozen=True, slots=True)
class Cue:
    """One way an element can be evidenced; see SCHEMA.md for the meaning of each key."""

    id: str
    level: Status
    all: tuple[str, ...] = ()
    any: tuple[str, ...] = ()
    none: tuple[str, ...] = ()
    context: tuple[str, ...] = ()
    section: tuple[str, ...] = ()
    boost: tuple[str, ...] = ()
    apart: tuple[str, ...] = ()
    scope: str = "sentence"
    duty: bool = False
    subcheck: SubCheck | None = None
    describe: str = ""
    any_case: bool = False  # what this cue reads is complete even when stated for some cases
    yields_to: tuple[str, ...] = ()  # cues of the element stating it narrower outrank this one


@dataclass(frozen=True, slots=True)
class RedFlagRule:
    """Wording that contradicts the requirement; reported whatever the element's status."""

    id: str
    reason: str
    all: tuple[str, ...] = ()
    any: tuple[str, ...] = ()
    none: tuple[str, ...] = ()
    context: tuple[str, ...] = ()
    section: tuple[str, ...] = ()
    scope: str = "sentence"


class PartReach(StrEnum):
    """Where a part may be stated: with the requirement (its sentences, their list's lead-in
    and items), anywhere in its section (a list of questions asks each in its own line), or
    anywhere read (two arrangements a directive may make in different sections)."""

    STATEMENT = "statement"
    SECTION = "section"
    DOCUMENT = "document"


@dataclass(frozen=True, slots=True)
class Part:
    """One part of a multi-part requirement (where + when); `core` parts are all needed for
    found. A part is stated when any of its concepts occurs where `reach` lets it."""

    id: str
    label: str
    any: tuple[str, ...]
    core: bool = True
    reach: PartReach = PartReach.STATEMENT


@dataclass(frozen=True, slots=True)
class Element:
    id: str
    title: str
    severity: Severity
    group: str
    requirement: str
    rationale: str
    guidance: str
    cues: tuple[Cue, ...]
    red_flags: tuple[RedFlagRule, ...] = ()
    partial_when: str = ""
    model_language: str = ""
    roles: tuple[str, ...] = ()  # actors (checklist `actors`) whose duty this is; empty: anyone
    duty: bool = False  # a mandatory requirement: permissive wording on any cue caps at partial
    parts: tuple[Part, ...] = ()
    any_case: bool = False  # the requirement is itself conditional: no condition narrows it
    for_cases: tuple[str, ...] = ()  # concepts naming the cases it is about: they narrow nothing


@dataclass(frozen=True, slots=True)
class Modality:
    """Concept names used on `duty: true` cues: negated, permissive, hedged, advisory wording."""

    negation: str | None = None
    permissive: str | None = None
    mandatory: str | None = None
    reference: str | None = None  # a bare cross-reference ("see Policy 342"): partial at most
    # "when practical", "as resources permit": partial at most, even after "shall"
    hedge: str | None = None
    withdrawn: str | None = None  # a rule reported as rescinded or former: no red flag from it
    # "... is rescinded and replaced with: '...'": the sentence states the new rule after all
    replacement: str | None = None
    # "should": shown as the quote's modality (`advisory`); it meets a duty as "shall" does, as
    # the labelled directives read it (Lexipol policies word most duties so)
    advisory: str | None = None


MODALITY_KEYS = tuple(f.name for f in fields(Modality))
"""The keys a checklist's `modality` may give: one per concept the matcher reads wording by."""


@dataclass(frozen=True, slots=True)
class Narrowing:
    """What confines a duty meant for every missing child to some of them (`cases`: a concept
    naming some children, read in a condition or as the adjective of a quantified noun phrase
    whose head is `subject` or a case noun; an age condition stopping below `all_ages`), and
    what makes a list a curriculum (`curriculum`: a concept in its heading or lead-in)."""

    cases: str | None = None
    all_ages: int | None = None
    curriculum: str | None = None
    subject: str | None = None
    others: str | None = None  # a concept naming people who are no children (adults)
    children: str | None = None  # a concept naming children: beside `others`, both are meant


@dataclass(frozen=True, slots=True)
class Detect:
    """How to tell from the text that this checklist applies (for automatic selection)."""

    concepts: tuple[str, ...]
    min_sentences: int
    title: tuple[str, ...] = ()  # concepts whose presence in the title block names the audience
    adopts: tuple[str, ...] = ()  # concepts of a standard only this audience adopts
    roles: tuple[str, ...] = ()  # actors whose duties (who is told to act) are this audience's


@dataclass(frozen=True, slots=True)
class Checklist:
    id: str
    version: str
    title: str
    applies_to: str
    audience: str
    detect: Detect
    modality: Modality
    concepts: Mapping[str, Concept]
    elements: tuple[Element, ...]
    path: str
    title_context: bool = False  # `context` may also come from the document's title/headers
    # without title_context: concepts the title must all name for a cue's `context` to come from
    # it all the same, the cue then partial at most
    topic_context: tuple[str, ...] = ()
    # concepts a document may give its own name ("A SPECIAL CATEGORY juvenile will be regarded as
    # at risk"): the name then counts as the concept throughout that document
    defined_terms: tuple[str, ...] = ()
    actors: Mapping[str, str] = field(default_factory=dict)  # actor name -> its concept
    narrowing: Narrowing = field(default_factory=Narrowing)
    # an organisation-wide actor -> the roles it stands for ("the Department": its officers...)
    actor_stands_for: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # actors outside the agencies the checklist audits (child welfare, schools): a duty given
    # only to them meets no element
    outside_actors: frozenset[str] = frozenset()
    sources: tuple[str, ...] = ()
    """Every file it was read from (itself, then its actor vocabulary): what a cache of it, or of
    reports made with it, must watch."""

    def acts_as(self, actor: str, roles: tuple[str, ...]) -> bool:
        """Whether a duty given to `actor` is a duty of one of `roles`."""
        return actor in roles or not set(self.actor_stands_for.get(actor, ())).isdisjoint(roles)

    def own_roles(self, roles: tuple[str, ...]) -> tuple[str, ...]:
        """The roles whose duty meets an element declaring `roles`: those, or when it declares
        none, every actor but the outside ones."""
        return roles or tuple(a for a in self.actors if a not in self.outside_actors)

    @property
    def key(self) -> tuple[str, str, str]:
        """Identity for caches of compiled matchers."""
        return (self.id, self.version, self.path)


# ----------------------------------------------------------------------------- validation


class _Problems:
    """Collects every problem in one file so the author sees them all at once."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.items: list[str] = []

    def add(self, where: str, message: str) -> None:
        item = f"{self.path}: {where}: {message}"
        if len(item) > MAX_PROBLEM_CHARS:
            item = item[: MAX_PROBLEM_CHARS - 1] + "…"
        self.items.append(item)

    def raise_if_any(self) -> None:
        if self.items:
            count = len(self.items)
            head = f"{count} problem{'s' if count > 1 else ''} in checklist"
            shown = self.items[:MAX_PROBLEMS_SHOWN]
            more = count - len(shown)
            tail = f"; and {more} more" if more else ""
            raise ChecklistError(f"{head}: " + "; ".join(shown) + tail)


def _mapping(
    value: Any,
    where: str,
    problems: _Problems,
    *,
    required: tuple[str, ...],
    optional: tuple[str, ...] = (),
) -> dict:
    if not isinstance(value, dict):
        problems.add(where, f"expected a mapping, got {type(value).__name__}")
        return {}
    for key in value:
        if key not in required and key not in optional:
            allowed = ", ".join(required + optional)
            problems.add(where, f"unknown key {key!r} (allowed: {allowed})")
    for key in required:
        if key not in value:
            problems.add(where, f"missing required key {key!r}")
    return value


def _text(value: Any, where: str, problems: _Problems, *, allow_empty: bool = False) -> str:
    if value is None and allow_empty:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or (not value.strip() and not allow_empty):
        problems.add(where, "expected a non-empty string")
        return ""
    return " ".join(value.split())


def _names(value: Any, where: str, problems: _Problems, concepts: Mapping[str, Any]) -> tuple:
    """A list of concept references (a single name is accepted as a one-item list)."""
    return _references(
        value, where, problems, concepts, "expected a list of concept names", "unknown concept {!r}"
    )


def _references(
    value: Any, where: str, problems: _Problems, known: Mapping, shape: str, unknown: str
) -> tuple:
    """A list of names each declared in `known` (a single name is a one-item list); `shape` and
    `unknown` (formatted with the name) are the problems reported otherwise."""
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.add(where, shape)
        return ()
    for name in value:
        if name not in known:
            problems.add(where, unknown.format(name))
    return tuple(value)


def _concept_ref(value: Any, where: str, problems: _Problems, concepts: Mapping) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or value not in concepts:
        problems.add(where, f"unknown concept {value!r}")
        return None
    return value


def _check_term(term: Any, where: str, problems: _Problems) -> str | None:
    if not isinstance(term, str) or not term.strip():
        problems.add(where, f"term {term!r} must be a non-empty string")
        return None
    term = term.strip()
    if len(term) > 2 and term.startswith("/") and term.endswith("/"):
        try:
            re.compile(term[1:-1], REGEX_FLAGS)
        except re.error as exc:
            problems.add(where, f"bad regular expression {term!r}: {exc}")
            return None
        if _nested_repetition(term[1:-1]):
            problems.add(
                where,
                f"regular expression {term!r} repeats a group that itself repeats without limit, "
                "which can take exponential time on some text; write it without the nesting",
            )
            return None
    return term


def _nested_repetition(pattern: str) -> bool:
    """Whether an unbounded repetition sits inside another unbounded one (`(a+)+`, `(a*b?)*`): the
    shape behind catastrophic backtracking. Read with the standard library's own regex parser
    (private: should a later Python change it, the check is skipped and the analysis's time
    limit still bounds the damage)."""
    try:
        return _repeats_inside(parsed_regex(pattern), inside=False)
    except Exception:  # noqa: BLE001 - only the early warning is lost
        return False


@lru_cache(maxsize=1024)
def parsed_regex(pattern: str):
    """The standard library's (private) parse of a `/regex/` term, read-only: checking the term
    here and finding its word prefixes in the matcher each parsed it again."""
    return _sre_parser.parse(pattern, REGEX_FLAGS)


def _repeats_inside(items, *, inside: bool) -> bool:
    for op, av in items:
        if op in _REPEATS:
            _, high, body = av
            if inside and high == _sre.MAXREPEAT:
                return True
            children, deeper = [body], inside or high == _sre.MAXREPEAT
        elif op is _sre.SUBPATTERN:
            children, deeper = [av[-1]], inside
        elif op is _sre.BRANCH:
            children, deeper = av[1], inside
        elif op in (_sre.ASSERT, _sre.ASSERT_NOT):
            children, deeper = [av[1]], inside
        else:
            continue
        if any(_repeats_inside(child, inside=deeper) for child in children):
            return True
    return False


def _load_concepts(raw: Any, problems: _Problems) -> dict[str, Concept]:
    if not isinstance(raw, dict):
        problems.add("concepts", "expected a mapping of name -> terms")
        return {}
    concepts: dict[str, Concept] = {}
    for name, body in raw.items():
        where = f"concept {name}"
        if not isinstance(name, str) or not _CONCEPT_RE.match(name):
            problems.add(where, "concept names are lowercase letters, digits and underscores")
            continue
        if isinstance(body, list):
            body = {"terms": body}
        body = _mapping(
            body, where, problems, required=(), optional=("label", "terms", "include", "role_of")
        )
        terms_raw = body.get("terms") or []
        if not isinstance(terms_raw, list):
            problems.add(where, "terms must be a list")
            terms_raw = []
        terms = tuple(t for t in (_check_term(t, where, problems) for t in terms_raw) if t)
        include = body.get("include") or []
        if isinstance(include, str):
            include = [include]
        if not isinstance(include, list) or not all(isinstance(i, str) for i in include):
            problems.add(where, "include must be a list of concept names")
            include = []
        if not terms and not include:
            problems.add(where, "needs at least one term or include")
        role_of = body.get("role_of") or []
        if not isinstance(role_of, list) or not all(isinstance(r, str) for r in role_of):
            problems.add(where, "role_of must be a list of actor names")
            role_of = []
        label = body.get("label", name.replace("_", " "))
        concepts[name] = Concept(
            name, _text(label, where, problems), terms, tuple(include), tuple(role_of)
        )
    for concept in concepts.values():
        for ref in concept.include:
            if ref not in concepts:
                problems.add(f"concept {concept.name}", f"include names unknown concept {ref!r}")
    _check_include_cycles(concepts, problems)
    return concepts


def _check_include_cycles(concepts: Mapping[str, Concept], problems: _Problems) -> None:
    def visit(name: str, trail: tuple[str, ...]) -> None:
        if name in trail:
            problems.add(f"concept {trail[0]}", "include cycle: " + " -> ".join(trail + (name,)))
            raise _CycleFound
        for ref in concepts[name].include if name in concepts else ():
            visit(ref, trail + (name,))

    for name in concepts:
        try:
            visit(name, ())
        except _CycleFound:
            continue


class _CycleFound(Exception):
    pass


_CONDITION_KEYS = ("all", "any", "none", "context", "section")


def _conditions(body: dict, where: str, problems: _Problems, concepts: Mapping) -> dict:
    out = {
        key: _names(body.get(key), f"{where}: {key}", problems, concepts) for key in _CONDITION_KEYS
    }
    scope = body.get("scope", "sentence")
    if scope not in SCOPES:
        problems.add(where, f"scope {scope!r} is not one of {', '.join(SCOPES)}")
        scope = "sentence"
    out["scope"] = scope
    return out


def _load_subcheck(raw: Any, where: str, problems: _Problems, concepts: Mapping) -> SubCheck | None:
    if not isinstance(raw, dict) or len(raw) != 1:
        problems.add(
            where,
            "subcheck must be a mapping with exactly one kind: "
            "time_limit, age_limit, actor or coverage",
        )
        return None
    ((kind, params),) = raw.items()
    where = f"{where}: {kind}"
    if kind == "time_limit":
        keys = ("vague", "also_found", "conditional", "over_limit", "otherwise", "reason")
        body = _mapping(params, where, problems, required=("max_hours",), optional=keys)
        max_hours = body.get("max_hours", 0)
        if not isinstance(max_hours, int | float) or isinstance(max_hours, bool) or max_hours <= 0:
            problems.add(where, "max_hours must be a positive number")
            max_hours = 1
        over = body.get("over_limit", "red_flag")
        if over not in OVER_LIMIT_ACTIONS:
            problems.add(where, f"over_limit must be one of {', '.join(OVER_LIMIT_ACTIONS)}")
        otherwise = body.get("otherwise")
        if otherwise is not None and otherwise not in LEVELS:
            problems.add(where, f"otherwise must be one of {', '.join(LEVELS)}")
        return TimeLimit(
            max_hours=float(max_hours),
            vague=_concept_ref(body.get("vague"), where, problems, concepts),
            also_found=_concept_ref(body.get("also_found"), where, problems, concepts),
            conditional=_concept_ref(body.get("conditional"), where, problems, concepts),
            over_limit=over,
            otherwise=Status(otherwise) if otherwise in LEVELS else None,
            reason=_text(body.get("reason"), where, problems, allow_empty=True),
        )
    if kind == "age_limit":
        body = _mapping(
            params, where, problems, required=("at_least",), optional=("broader", "below")
        )
        at_least = body.get("at_least", 0)
        if not isinstance(at_least, int) or isinstance(at_least, bool) or at_least <= 0:
            problems.add(where, "at_least must be a positive whole number")
            at_least = 1
        below = body.get("below", "partial")
        if below not in AGE_BELOW_ACTIONS:
            problems.add(where, f"below must be one of {', '.join(AGE_BELOW_ACTIONS)}")
        return AgeLimit(
            at_least, _concept_ref(body.get("broader"), where, problems, concepts), below
        )
    if kind == "actor":
        body = _mapping(
            params, where, problems, required=("roles", "action"), optional=("generic",)
        )
        return Actor(
            roles=_concept_ref(body.get("roles"), where, problems, concepts) or "",
            action=_concept_ref(body.get("action"), where, problems, concepts) or "",
            generic=_concept_ref(body.get("generic"), where, problems, concepts),
        )
    if kind == "coverage":
        body = _mapping(
            params, where, problems, required=("items",), optional=("found_min", "partial_min")
        )
        items_raw = body.get("items")
        if not isinstance(items_raw, dict) or not items_raw:
            problems.add(where, "items must be a non-empty mapping of item name -> concept")
            items_raw = {}
        items = tuple(
            (str(name), _concept_ref(ref, f"{where}: items", problems, concepts) or "")
            for name, ref in items_raw.items()
        )
        found_min = body.get("found_min", len(items))
        partial_min = body.get("partial_min", 1)
        for label, value in (("found_min", found_min), ("partial_min", partial_min)):
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                problems.add(where, f"{label} must be a whole number >= 1")
        bounded = isinstance(found_min, int) and isinstance(partial_min, int)
        if bounded and (found_min > len(items) or partial_min > found_min):
            problems.add(where, "need 1 <= partial_min <= found_min <= number of items")
        return Coverage(items, int(found_min), int(partial_min))
    problems.add(where, "unknown subcheck kind (time_limit, age_limit, actor, coverage)")
    return None


_CUE_KEYS = (
    "level",
    *_CONDITION_KEYS,
    "boost",
    "apart",
    "scope",
    "duty",
    "subcheck",
    "describe",
    "for_cases",
    "yields_to",
)


def _load_cue(raw: Any, where: str, problems: _Problems, concepts: Mapping) -> Cue | None:
    cue_id = str(raw.get("id", "?")) if isinstance(raw, dict) else "?"
    where = f"{where} {cue_id}"
    body = _mapping(raw, where, problems, required=("id",), optional=_CUE_KEYS)
    if not body:
        return None
    level = body.get("level", "found")
    if level not in LEVELS:
        problems.add(where, f"level {level!r} is not one of {', '.join(LEVELS)}")
    conditions = _conditions(body, where, problems, concepts)
    subcheck = None
    if "subcheck" in body:
        subcheck = _load_subcheck(body["subcheck"], f"{where}: subcheck", problems, concepts)
    if not conditions["all"] and not conditions["any"] and not isinstance(subcheck, Coverage):
        problems.add(where, "needs 'all' or 'any' (or a coverage subcheck)")
    duty = body.get("duty", False)
    if not isinstance(duty, bool):
        problems.add(where, "duty must be true or false")
    for_cases = body.get("for_cases")
    if for_cases not in (None, "any"):
        problems.add(where, "a cue's for_cases can only be 'any'")
    return Cue(
        id=cue_id,
        level=Status(level) if level in LEVELS else Status.FOUND,
        boost=_names(body.get("boost"), f"{where}: boost", problems, concepts),
        apart=_names(body.get("apart"), f"{where}: apart", problems, concepts),
        duty=bool(duty),
        subcheck=subcheck,
        describe=_text(body.get("describe"), where, problems, allow_empty=True),
        any_case=for_cases == "any",
        yields_to=_cue_ids(body.get("yields_to"), f"{where}: yields_to", problems),
        **conditions,
    )


def _cue_ids(raw: Any, where: str, problems: _Problems) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(i, str) for i in raw):
        problems.add(where, "must be a list of cue ids")
        return ()
    return tuple(raw)


def _load_red_flag(raw: Any, where: str, problems: _Problems, concepts: Mapping):
    optional = (*_CONDITION_KEYS, "scope")
    where = f"{where} {raw.get('id', '?') if isinstance(raw, dict) else '?'}"
    body = _mapping(raw, where, problems, required=("id", "reason"), optional=optional)
    if not body:
        return None
    conditions = _conditions(body, where, problems, concepts)
    if not conditions["all"] and not conditions["any"]:
        problems.add(where, "needs 'all' or 'any'")
    return RedFlagRule(
        id=str(body.get("id", "?")), reason=_text(body.get("reason"), where, problems), **conditions
    )


def _flag(value: Any, where: str, problems: _Problems) -> bool:
    if not isinstance(value, bool):
        problems.add(where, "must be true or false")
    return value is True


def _load_parts(raw: Any, where: str, problems: _Problems, concepts: Mapping) -> tuple[Part, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not raw:
        problems.add(where, "parts must be a non-empty list")
        return ()
    parts = []
    for item in raw:
        part_id = str(item.get("id", "?")) if isinstance(item, dict) else "?"
        here = f"{where}: part {part_id}"
        body = _mapping(
            item, here, problems, required=("id", "label", "any"), optional=("core", "reach")
        )
        if not body:
            continue
        core = body.get("core", True)
        if not isinstance(core, bool):
            problems.add(here, "core must be true or false")
        reach = PartReach.STATEMENT
        try:
            reach = PartReach(body.get("reach", PartReach.STATEMENT))
        except ValueError:
            problems.add(here, f"reach must be one of {', '.join(PartReach)}")
        names = _names(body.get("any"), f"{here}: any", problems, concepts)
        if not names:
            problems.add(here, "any must name at least one concept")
        label = _text(body.get("label"), here, problems)
        parts.append(Part(part_id, label, names, bool(core), reach))
    _no_duplicates([p.id for p in parts], f"{where}: parts", problems)
    return tuple(parts)


def _load_roles(raw: Any, where: str, problems: _Problems, actors: Mapping) -> tuple[str, ...]:
    shape = "roles must be a non-empty list of actor names"
    if raw == []:
        problems.add(where, shape)
        return ()
    unknown = "unknown actor {!r} (declare it under top-level 'actors')"
    return _references(raw, where, problems, actors, shape, unknown)


def _load_narrowing(raw: Any, problems: _Problems, concepts: Mapping) -> Narrowing:
    if raw is None:
        return Narrowing()
    body = _mapping(
        raw,
        "narrowing",
        problems,
        required=(),
        optional=("cases", "all_ages", "curriculum", "subject", "others", "children"),
    )
    all_ages = body.get("all_ages")
    if all_ages is not None and (
        not isinstance(all_ages, int) or isinstance(all_ages, bool) or not 0 < all_ages < 30
    ):
        problems.add("narrowing", "all_ages must be a whole number of years (1-29)")
        all_ages = None
    return Narrowing(
        cases=_concept_ref(body.get("cases"), "narrowing: cases", problems, concepts),
        all_ages=all_ages,
        curriculum=_concept_ref(
            body.get("curriculum"), "narrowing: curriculum", problems, concepts
        ),
        subject=_concept_ref(body.get("subject"), "narrowing: subject", problems, concepts),
        others=_concept_ref(body.get("others"), "narrowing: others", problems, concepts),
        children=_concept_ref(body.get("children"), "narrowing: children", problems, concepts),
    )


def _load_for_cases(raw: Any, where: str, problems: _Problems, concepts: Mapping):
    """`for_cases: any` (the requirement is itself conditional) or a list of concepts naming
    the cases the requirement is about."""
    if raw is None:
        return False, ()
    if raw == "any":
        return True, ()
    names = _names(raw, f"{where}: for_cases", problems, concepts) if isinstance(raw, list) else ()
    if not names:
        problems.add(where, "for_cases must be 'any' or a non-empty list of concepts")
    return False, names


def _load_actors(
    raw: Any, problems: _Problems, concepts: Mapping
) -> tuple[dict[str, str], dict[str, tuple[str, ...]], frozenset[str]]:
    """Actor name -> its concept, actor name -> the roles it stands for (an agency-wide actor:
    "the Department" stands for its officers, supervisors and investigators), and the actors
    marked `outside` (another agency)."""
    if raw is None:
        return {}, {}, frozenset()
    if isinstance(raw, str):
        problems.add("actors", "a vocabulary file is read only when a checklist file is loaded")
        return {}, {}, frozenset()
    if not isinstance(raw, dict) or not raw:
        problems.add("actors", "expected a mapping of actor name -> concept")
        return {}, {}, frozenset()
    actors: dict[str, str] = {}
    stands_for: dict[str, tuple[str, ...]] = {}
    outside: set[str] = set()
    for name, body in raw.items():
        if not isinstance(name, str) or not _CONCEPT_RE.match(name):
            problems.add("actors", f"actor name {name!r}: lowercase letters, digits, underscores")
            continue
        where = f"actors: {name}"
        if isinstance(body, dict):
            body = _mapping(
                body, where, problems, required=("concept",), optional=("stands_for", "outside")
            )
            if body.get("outside") is True:
                outside.add(name)
            roles = body.get("stands_for")
            if roles is not None:
                stands_for[name] = tuple(roles) if isinstance(roles, list) else ()
            body = body.get("concept")
        ref = _concept_ref(body, where, problems, concepts)
        if ref:
            actors[name] = ref
    for name, roles in stands_for.items():
        if not roles or not all(isinstance(r, str) and r in actors for r in roles):
            problems.add(f"actors: {name}", "stands_for must list actor names declared here")
    return actors, stands_for, frozenset(outside)


def _with_actor_vocabulary(data: Any, path: Path) -> tuple[Any, Path | None]:
    """The checklist's data with `actors: FILE` replaced by that vocabulary's actors and its
    concepts added: one role vocabulary serves every checklist (a file beside the checklist,
    `roles/actors.yaml`); and that file (None when there is none)."""
    if not isinstance(data, dict) or not isinstance(data.get("actors"), str):
        return data, None
    name = data["actors"]
    relative = Path(name)
    if relative.is_absolute() or ".." in relative.parts or relative.suffix not in {".yaml", ".yml"}:
        raise ChecklistError(f"{path}: actors: {name!r} must be a .yaml file beside the checklist")
    file = path.parent / relative
    try:
        if file.stat().st_size > MAX_CHECKLIST_BYTES:
            raise ValueError(f"more than the {MAX_CHECKLIST_BYTES:,} bytes a checklist may be")
        vocabulary = parse_yaml(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError, RecursionError) as exc:
        detail = " ".join(str(exc).split())[:MAX_PROBLEM_CHARS]
        raise ChecklistError(f"{path}: cannot read actor vocabulary {name}: {detail}") from None
    if not isinstance(vocabulary, dict) or set(vocabulary) != {"actors", "concepts"}:
        raise ChecklistError(f"{file}: an actor vocabulary has exactly `actors` and `concepts`")
    concepts = data.get("concepts")
    if isinstance(concepts, dict) and isinstance(vocabulary["concepts"], dict):
        clash = sorted(set(concepts) & set(vocabulary["concepts"]))
        if clash:
            raise ChecklistError(f"{path}: concepts {clash} are also in {name}")
        concepts = {**concepts, **vocabulary["concepts"]}
    return {**data, "actors": vocabulary["actors"], "concepts": concepts}, file


_ELEMENT_KEYS = ("rationale", "guidance", "cues", "red_flags", "partial_when")
_ELEMENT_REQUIRED = (
    "id",
    "title",
    "severity",
    "group",
    "requirement",
    "rationale",
    "guidance",
    "cues",
)


def _load_element(
    raw: Any, index: int, problems: _Problems, concepts: Mapping, actors: Mapping
) -> Element | None:
    body = _mapping(
        raw,
        f"element #{index + 1}",
        problems,
        required=_ELEMENT_REQUIRED,
        optional=(
            "partial_when",
            "red_flags",
            "model_language",
            "duty",
            "roles",
            "parts",
            "for_cases",
        ),
    )
    if not body:
        return None
    element_id = str(body.get("id", f"#{index + 1}"))
    where = f"element {element_id}"
    if not _ID_RE.match(element_id):
        problems.add(where, "ids are letters, digits, '-', '_' and '.'")
    severity = body.get("severity")
    if severity not in {s.value for s in Severity}:
        problems.add(where, f"severity {severity!r} is not critical or recommended")
        severity = Severity.RECOMMENDED.value
    cues_raw = body.get("cues") or []
    if not isinstance(cues_raw, list) or not cues_raw:
        problems.add(where, "cues must be a non-empty list")
        cues_raw = []
    cues = tuple(
        c for c in (_load_cue(c, f"{where}: cue", problems, concepts) for c in cues_raw) if c
    )
    _no_duplicates([c.id for c in cues], f"{where}: cues", problems)
    cue_ids = {c.id for c in cues}
    for cue in cues:
        for other in cue.yields_to:
            if other not in cue_ids or other == cue.id:
                problems.add(f"{where}: cue {cue.id}", f"yields_to names no other cue {other!r}")
    flags_raw = body.get("red_flags") or []
    if not isinstance(flags_raw, list):
        problems.add(where, "red_flags must be a list")
        flags_raw = []
    flags = tuple(
        f
        for f in (_load_red_flag(f, f"{where}: red flag", problems, concepts) for f in flags_raw)
        if f
    )
    any_case, for_cases = _load_for_cases(body.get("for_cases"), where, problems, concepts)
    return Element(
        id=element_id,
        title=_text(body.get("title"), f"{where}: title", problems),
        severity=Severity(severity),
        group=_text(body.get("group"), f"{where}: group", problems),
        requirement=_text(body.get("requirement"), f"{where}: requirement", problems),
        rationale=_text(body.get("rationale"), f"{where}: rationale", problems),
        guidance=_text(body.get("guidance"), f"{where}: guidance", problems),
        cues=cues,
        red_flags=flags,
        partial_when=_text(body.get("partial_when"), where, problems, allow_empty=True),
        model_language=_text(
            body.get("model_language"),
            f"{where}: model_language",
            problems,
            allow_empty="model_language" not in body,
        ),
        roles=_load_roles(body.get("roles"), f"{where}: roles", problems, actors),
        duty=_flag(body.get("duty", False), f"{where}: duty", problems),
        parts=_load_parts(body.get("parts"), where, problems, concepts),
        any_case=any_case,
        for_cases=for_cases,
    )


def _no_duplicates(ids: list[str], where: str, problems: _Problems) -> None:
    seen: set[str] = set()
    for item in ids:
        if item in seen:
            problems.add(where, f"duplicate id {item!r}")
        seen.add(item)


_TOP_REQUIRED = (
    "id",
    "version",
    "title",
    "applies_to",
    "audience",
    "detect",
    "concepts",
    "elements",
)


def parse_checklist(data: Any, path: str) -> Checklist:
    """Validate parsed YAML and build a Checklist, or raise ChecklistError listing every problem."""
    problems = _Problems(path)
    body = _mapping(
        data,
        "top level",
        problems,
        required=_TOP_REQUIRED,
        optional=(
            "modality",
            "title_context",
            "topic_context",
            "defined_terms",
            "actors",
            "narrowing",
        ),
    )
    title_context = body.get("title_context", False)
    if not isinstance(title_context, bool):
        problems.add("title_context", "must be true or false")
    concepts = _load_concepts(body.get("concepts", {}), problems) if body else {}
    topic_context = _names(body.get("topic_context") or [], "topic_context", problems, concepts)
    if title_context and topic_context:
        problems.add("topic_context", "is for checklists without title_context")
    defined_terms = _names(body.get("defined_terms") or [], "defined_terms", problems, concepts)
    audience = body.get("audience")
    if body and audience not in AUDIENCES:
        problems.add("audience", f"{audience!r} is not one of {', '.join(AUDIENCES)}")
    detect_raw = _mapping(
        body.get("detect", {}),
        "detect",
        problems,
        required=("concepts", "min_sentences"),
        optional=("title", "adopts", "roles"),
    )
    min_sentences = detect_raw.get("min_sentences", 1)
    if not isinstance(min_sentences, int) or isinstance(min_sentences, bool) or min_sentences < 1:
        problems.add("detect", "min_sentences must be a whole number >= 1")
        min_sentences = 1
    detect = Detect(
        _names(detect_raw.get("concepts"), "detect", problems, concepts),
        min_sentences,
        _names(detect_raw.get("title") or [], "detect title", problems, concepts),
        _names(detect_raw.get("adopts") or [], "detect adopts", problems, concepts),
    )
    modality_raw = _mapping(
        body.get("modality") or {},
        "modality",
        problems,
        required=(),
        optional=MODALITY_KEYS,
    )
    modality = Modality(
        **{
            k: _concept_ref(modality_raw.get(k), "modality", problems, concepts)
            for k in MODALITY_KEYS
        }
    )
    elements_raw = body.get("elements") or []
    if not isinstance(elements_raw, list) or not elements_raw:
        problems.add("elements", "must be a non-empty list")
        elements_raw = []
    narrowing = _load_narrowing(body.get("narrowing"), problems, concepts) if body else Narrowing()
    actors, stands_for, outside = (
        _load_actors(body.get("actors"), problems, concepts) if body else ({}, {}, frozenset())
    )
    detect = replace(
        detect,
        roles=_references(
            detect_raw.get("roles"),
            "detect roles",
            problems,
            actors,
            "expected a list of actor names",
            "unknown actor {!r} (roles must name actors declared in `actors`)",
        ),
    )
    for concept in concepts.values():
        if any(role not in actors for role in concept.role_of):
            problems.add(f"concept {concept.name}", "role_of must name actors declared in `actors`")
    elements = tuple(
        e
        for e in (
            _load_element(e, i, problems, concepts, actors) for i, e in enumerate(elements_raw)
        )
        if e
    )
    _no_duplicates([e.id for e in elements], "elements", problems)
    checklist_id = body.get("id", "")
    if body and (not isinstance(checklist_id, str) or not _ID_RE.match(checklist_id)):
        problems.add("id", "checklist ids are letters, digits, '-', '_' and '.'")
    problems.raise_if_any()
    return Checklist(
        id=checklist_id,
        version=_text(body["version"], "version", problems),
        title=_text(body["title"], "title", problems),
        applies_to=_text(body["applies_to"], "applies_to", problems),
        audience=audience,
        detect=detect,
        modality=modality,
        concepts=concepts,
        elements=elements,
        path=path,
        title_context=bool(title_context),
        topic_context=tuple(topic_context),
        defined_terms=tuple(defined_terms),
        actors=actors,
        narrowing=narrowing,
        actor_stands_for=stands_for,
        outside_actors=outside,
    )


LOADED_CHECKLISTS = 32
"""Parsed checklists kept (each with the versions of the files it was read from)."""
_LOADED: dict[str, tuple[tuple, Checklist]] = {}
_LOADED_LOCK = threading.Lock()


def _versions(paths) -> tuple:
    """(path, mtime, size) of each file: an edit to any of them is a new version."""
    stamps = []
    for path in paths:
        try:
            stat = Path(path).stat()
        except OSError:
            return ()
        stamps.append((str(path), stat.st_mtime_ns, stat.st_size))
    return tuple(stamps)


def _load_file(path: str) -> Checklist:
    """Parse once per version of every file the checklist is read from (its own YAML and its
    actor vocabulary): an edit to either is picked up."""
    with _LOADED_LOCK:
        cached = _LOADED.get(path)
    if cached is not None and cached[0] == _versions(cached[1].sources):
        return cached[1]
    before = _versions([path])
    checklist = _parse_file(path)
    versions = _versions(checklist.sources)
    if versions and versions[:1] == before:  # not edited while it was read
        with _LOADED_LOCK:
            _LOADED.pop(path, None)
            _LOADED[path] = (versions, checklist)
            while len(_LOADED) > LOADED_CHECKLISTS:
                del _LOADED[next(iter(_LOADED))]
    return checklist


def _parse_file(path: str) -> Checklist:
    try:
        size = Path(path).stat().st_size
    except OSError as exc:
        raise ChecklistError(f"cannot read checklist {path}: {exc}") from None
    if size > MAX_CHECKLIST_BYTES:
        raise ChecklistError(
            f"checklist {path} is {size:,} bytes, more than the {MAX_CHECKLIST_BYTES:,} "
            "a checklist may be"
        )
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ChecklistError(f"cannot read checklist {path}: {exc}") from None
    try:
        data = parse_yaml(text)
    except AliasBombError as exc:
        raise ChecklistError(
            f"{path}: {exc}; a checklist reuses terms with `include`, not aliases"
        ) from None
    except yaml.YAMLError as exc:
        detail = " ".join(str(exc).split())[:MAX_PROBLEM_CHARS]
        raise ChecklistError(f"{path}: not valid YAML: {detail}") from None
    except RecursionError:
        raise ChecklistError(f"{path}: the YAML is nested too deeply to read") from None
    data, vocabulary = _with_actor_vocabulary(data, Path(path))
    checklist = parse_checklist(data, path)
    return replace(checklist, sources=(path, *([str(vocabulary)] if vocabulary else ())))


def _bundled_paths() -> list[Path]:
    directory = bundled_dir("checklists")
    return sorted(directory.glob("*.yaml")) if directory.is_dir() else []


def load_checklist(ref: str | Path) -> Checklist:
    """Load a bundled checklist by id (e.g. `le-model-policy`) or any checklist YAML by path."""
    ref_text = str(ref)
    path = Path(ref_text)
    if not (path.suffix in {".yaml", ".yml"} or path.exists()):
        path = bundled_dir("checklists") / f"{ref_text}.yaml"
        if not path.is_file():
            known = ", ".join(p.stem for p in _bundled_paths()) or "none"
            raise ChecklistError(f"unknown checklist {ref_text!r} (available: {known})")
    if not path.is_file():
        raise ChecklistError(f"checklist file not found: {path}")
    return _load_file(str(path.resolve()))


def available_checklists() -> tuple[Checklist, ...]:
    """Every bundled checklist, in file-name order."""
    return tuple(load_checklist(path) for path in _bundled_paths())
