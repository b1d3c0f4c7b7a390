"""Structured sub-checks: where a keyword is not enough, read the number, the age or the actor.

Each sub-check is generic and parameterised from the checklist YAML; this module knows English
number and duration grammar, never checklist phrases.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from policy_review.checklist import Actor, AgeLimit, Coverage, SubCheck, TimeLimit
from policy_review.model import Status, SubcheckOutcome

Span = tuple[int, int]
TEXT_CACHE_SIZE = 1024
"""Units overlap and several cues read the same unit, so the text readers remember recent texts."""

_UNITS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
          "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
          "eighteen", "nineteen")  # fmt: skip
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
         "eighty": 80, "ninety": 90}  # fmt: skip
NUMBER_WORDS = {
    **{word: value for value, word in enumerate(_UNITS, 1)},
    **_TENS,
    # "forty-eight", "seventy two"
    **{f"{ten}{sep}{unit}": value + index
       for ten, value in _TENS.items() for index, unit in enumerate(_UNITS[:9], 1)
       for sep in ("-", " ")},
    "a": 1, "an": 1, "one-half": 0.5, "half an": 0.5,
}  # fmt: skip
HOURS_PER_UNIT = {
    "minute": 1 / 60, "min": 1 / 60, "hour": 1, "hr": 1, "shift": 12, "day": 24,
    "business day": 24, "working day": 24, "calendar day": 24, "week": 168, "month": 730,
    "year": 8760,
}  # fmt: skip
_NUMBER = (
    r"(?:\d+(?:\.\d+)?|"
    + "|".join(sorted(map(re.escape, NUMBER_WORDS), key=len, reverse=True))
    + r")"
)
_UNIT = r"(?:business day|working day|calendar day|minute|min|hour|hr|shift|day|week|month|year)s?"
# "two (2) hours", "72-hour", "24 hrs", "five business days"
DURATION_RE = re.compile(
    rf"\b(?P<num>{_NUMBER})(?:\s*\(\s*(?P<digits>\d+)\s*\))?[\s-]*(?P<unit>{_UNIT})\b",
    re.IGNORECASE,
)
DEADLINE_LEAD_RE = re.compile(
    r"(?:\b(?:within|no later than|not later than|no more than|not to exceed|not exceeding|"
    r"less than|under|in|after|before|up to|inside of|at least|maximum of|by|w/in)\s+"
    r"|(?:\u2264|\u2a7d|<=?)\s*)(?:the\s+)?(?:first\s+|next\s+)?$",
    re.IGNORECASE,
)
"""A duration is a time limit only when introduced as one ("within two hours", "after 24 hours",
in a slide's shorthand "<= 2 hrs", "w/in 2 hrs"); "missing for 24 hours" describes the case, not
the deadline."""
AGE_TRAIL_RE = re.compile(r"^\s*(?:of\s+age|old|of\s+the\s+age)\b", re.IGNORECASE)
DEADLINE_TRAIL_RE = re.compile(r"^\s*(?:of|from|after|following)\b", re.IGNORECASE)

_AGE_NUMBER = (
    r"(?P<age>\d{1,2}|"
    + "|".join(w for w, n in NUMBER_WORDS.items() if isinstance(n, int) and 1 < n <= 21)
    + ")"
)
_NOT_A_SECTION = r"(?![.\-]\d)"  # "at risk under 41.03.030(C)" names a paragraph, not an age
# (pattern, offset): stated max age = number + offset
AGE_PATTERNS = (
    (re.compile(rf"\b{_AGE_NUMBER}\s*(?:\(\d+\)\s*)?(?:years?\s*(?:of\s+age|old)?\s*)?"
                r"(?:or|and)\s+(?:younger|under|less|below)\b", re.I), 0),
    (re.compile(rf"\bage[sd]?\s+(?:of\s+)?{_AGE_NUMBER}\s*(?:\(\d+\)\s*)?(?:years?\s*)?"
                r"(?:or|and)\s+(?:younger|under|less|below)\b", re.I), 0),
    (re.compile(r"\b(?:under|younger than|less than|below)\s+(?:the\s+)?(?:age\s+(?:of\s+)?)?"
                rf"{_AGE_NUMBER}\b{_NOT_A_SECTION}", re.I), -1),
    (re.compile(rf"\bnot\s+(?:yet\s+)?(?:reached|attained)\s+(?:the\s+)?age\s+(?:of\s+)?{_AGE_NUMBER}\b",
                re.I), -1),
)  # fmt: skip
AGE_WORDS_RE = re.compile(r"younger|under|less|below|reached|attained", re.IGNORECASE)
"""Every AGE_PATTERNS match holds one of these words: one scan rules most texts out before the
four patterns run (the age sub-check reads every unit that mentions a child)."""
NEGATION_REACH_CHARS = 80
NEGATED_LEAD_RE = re.compile(r"\b(?:not|never|no|without|n't)\b[^.;:]*$", re.IGNORECASE)
"""A negation earlier in the same clause (no '.', ';' or ':' between)."""
_PASSIVE_AGENT_RE = re.compile(
    r"\b[Bb][Yy]\s+(?:(?:[Tt]he|[Aa]n?|[Ii]ts|[Tt]heir)\s+)?(?:[A-Z][\w&/-]*\s+){0,2}$"
)
"""'reviewed by the QA Coordinator', 'by ECC QA Coordinator': the role after 'by', perhaps behind
the name of its unit (capitalised words)."""
PASSIVE_AGENT_REACH = 30


@dataclass(frozen=True, slots=True)
class SubResult:
    """What a sub-check concluded about one unit: a level (or no hit) and an optional red flag."""

    level: Status | None
    explanation: str
    red_flag: str | None = None
    highlights: tuple[Span, ...] = ()

    def outcome(self, kind: str, text: str) -> SubcheckOutcome:
        """As data for the Explanation: the words it read are the highlighted ones."""
        read = tuple(dict.fromkeys(text[a:b] for a, b in self.highlights))
        return SubcheckOutcome(kind, self.level, self.explanation, read)


def _number(text: str) -> float:
    text = text.lower()
    return float(text) if text[0].isdigit() else float(NUMBER_WORDS[text])


@lru_cache(maxsize=TEXT_CACHE_SIZE)
def find_deadlines(text: str) -> tuple[tuple[float, str, Span], ...]:
    """Durations used as time limits in `text`: (hours, matched words, span)."""
    found = []
    for match in DURATION_RE.finditer(text):
        lead = text[max(0, match.start() - 30) : match.start()]
        trail = text[match.end() : match.end() + 12]
        if not (DEADLINE_LEAD_RE.search(lead) or DEADLINE_TRAIL_RE.match(trail)):
            continue
        if AGE_TRAIL_RE.match(trail):  # "under 21 years of age" is an age, not a deadline
            continue
        number = float(match["digits"]) if match["digits"] else _number(match["num"])
        unit = match["unit"].lower().rstrip("s")
        hours = number * HOURS_PER_UNIT[unit]
        found.append((hours, match.group(0), match.span()))
    return tuple(found)


@lru_cache(maxsize=TEXT_CACHE_SIZE)
def find_max_age(text: str) -> tuple[int, Span] | None:
    """The highest 'N or younger' / 'under N' age stated in `text`, as an inclusive maximum."""
    best: tuple[int, Span] | None = None
    if not AGE_WORDS_RE.search(text):
        return best
    for pattern, offset in AGE_PATTERNS:
        for match in pattern.finditer(text):
            raw = match["age"].lower()
            age = int(raw) if raw.isdigit() else int(NUMBER_WORDS[raw])
            age += offset
            if best is None or age > best[0]:
                best = (age, match.span())
    return best


class SubcheckKind(Protocol):
    """One kind of sub-check: the concepts it reads, how it judges a unit, how it is described.
    A new kind is a new class here and one entry in `REGISTRY` (and its loader in checklist.py)."""

    name: str
    names_items: bool
    """Whether its concepts are words the quote is matched on (a coverage list's items)."""

    def concepts(self, check) -> tuple[str, ...]: ...

    def run(self, check, text: str, hits, focus: tuple[Span, ...], name) -> SubResult: ...

    def describe(self, check, name) -> str: ...


def _set(*names: str | None) -> tuple[str, ...]:
    return tuple(n for n in names if n)


class _TimeLimitKind:
    name = "time_limit"
    names_items = False

    def concepts(self, check: TimeLimit) -> tuple[str, ...]:
        return _set(check.vague, check.also_found, check.conditional)

    def run(self, check: TimeLimit, text, hits, focus, name) -> SubResult:
        return _time_limit(check, text, hits, focus or ((0, len(text)),), name)

    def describe(self, check: TimeLimit, name) -> str:
        return f"a time limit within {_hours(check.max_hours)}"


class _AgeLimitKind:
    name = "age_limit"
    names_items = False

    def concepts(self, check: AgeLimit) -> tuple[str, ...]:
        return _set(check.broader)

    def run(self, check: AgeLimit, text, hits, focus, name) -> SubResult:
        return _age_limit(check, text, hits, name)

    def describe(self, check: AgeLimit, name) -> str:
        return f"an age threshold covering age {check.at_least}"


class _ActorKind:
    name = "actor"
    names_items = False

    def concepts(self, check: Actor) -> tuple[str, ...]:
        return _set(check.roles, check.action, check.generic)

    def run(self, check: Actor, text, hits, focus, name) -> SubResult:
        return _actor(check, text, hits, name)

    def describe(self, check: Actor, name) -> str:
        return f"{name(check.roles)} named as who does the {name(check.action)}"


class _CoverageKind:
    name = "coverage"
    names_items = True

    def concepts(self, check: Coverage) -> tuple[str, ...]:
        return tuple(concept for _, concept in check.items)

    def run(self, check: Coverage, text, hits, focus, name) -> SubResult:
        return _coverage(check, hits)

    def describe(self, check: Coverage, name) -> str:
        return "list naming " + ", ".join(item for item, _ in check.items)


REGISTRY: dict[type, SubcheckKind] = {
    TimeLimit: _TimeLimitKind(),
    AgeLimit: _AgeLimitKind(),
    Actor: _ActorKind(),
    Coverage: _CoverageKind(),
}


def kind_of(subcheck: SubCheck) -> SubcheckKind:
    return REGISTRY[type(subcheck)]


def run_subcheck(
    subcheck: SubCheck,
    text: str,
    hits: dict[str, list[Span]],
    focus: tuple[Span, ...] = (),
    labels: Mapping[str, str] | None = None,
) -> SubResult:
    """Apply one sub-check to a unit's text (spans in `hits` are offsets into `text`).

    `focus` are the sentences that carry the cue's subject: a too-long or conditional limit
    there is a red flag, while one in a neighbouring sentence may be about something else.
    """
    return kind_of(subcheck).run(subcheck, text, hits, focus, Labeller(labels or {}))


class Labeller:
    """Concept name -> its human label, for explanations a reviewer reads."""

    def __init__(self, labels: Mapping[str, str]) -> None:
        self.labels = labels

    def __call__(self, concept: str | None) -> str:
        return self.labels.get(concept or "", concept or "")


def _hours(value: float) -> str:
    if value < 1:
        return f"{value * 60:g} minutes"
    if value >= 24 and value % 24 == 0:
        return f"{value / 24:g} days"
    return f"{value:g} hours"


def inside(span: Span, focus: tuple[Span, ...]) -> bool:
    """Whether `span` lies within one of the `focus` spans."""
    return any(a <= span[0] and span[1] <= b for a, b in focus)


def _negated(text: str, start: int) -> bool:
    """Whether the words just before `start`, in the same clause, negate it: "entry does not wait
    for the written report" and "without waiting for approval" rule a deferral out."""
    return bool(NEGATED_LEAD_RE.search(text[max(0, start - NEGATION_REACH_CHARS) : start]))


def _time_limit(
    check: TimeLimit, text: str, hits: dict[str, list[Span]], focus: tuple[Span, ...], name
) -> SubResult:
    deadlines = find_deadlines(text)
    within = [d for d in deadlines if d[0] <= check.max_hours]
    over = [d for d in deadlines if d[0] > check.max_hours and inside(d[2], focus)]
    limit = _hours(check.max_hours)
    conditional = [
        s
        for s in hits.get(check.conditional or "", ())
        if inside(s, focus) and not _negated(text, s[0])
    ]
    if conditional:
        return SubResult(
            Status.PARTIAL,
            f"time limit made conditional ({name(check.conditional)}) instead of a {limit} limit",
            check.reason or f"Deadline is conditional or deferred rather than within {limit}.",
            tuple(conditional),
        )
    if within:
        hours, words, span = within[0]
        return SubResult(Status.FOUND, f"stated limit '{words}' is within {limit}", None, (span,))
    if check.also_found and check.also_found in hits:
        return SubResult(
            Status.FOUND,
            f"limit stated as {name(check.also_found)}",
            None,
            tuple(hits[check.also_found]),
        )
    if over:
        hours, words, span = over[0]
        flag = None
        if check.over_limit == "red_flag":
            flag = check.reason or f"Time limit '{words}' is longer than {limit}."
        return SubResult(
            Status.PARTIAL, f"stated limit '{words}' is longer than {limit}", flag, (span,)
        )
    if check.vague and check.vague in hits:
        return SubResult(
            Status.PARTIAL,
            f"only a vague time limit ({name(check.vague)}), no {limit} limit",
            None,
            tuple(hits[check.vague]),
        )
    if check.otherwise:
        return SubResult(check.otherwise, f"no time limit stated (needs {limit})")
    return SubResult(None, f"no time limit within {limit}")


def _age_limit(check: AgeLimit, text: str, hits: dict[str, list[Span]], name) -> SubResult:
    if check.broader and check.broader in hits:
        return SubResult(
            Status.FOUND,
            f"a broader rule applies ({name(check.broader)})",
            None,
            tuple(hits[check.broader]),
        )
    stated = find_max_age(text)
    if stated is None:
        return SubResult(None, "no age threshold stated")
    age, span = stated
    if age >= check.at_least:
        return SubResult(
            Status.FOUND,
            f"age threshold covers ages up to {age} (needs {check.at_least})",
            None,
            (span,),
        )
    explanation = f"age threshold stops at {age}, below {check.at_least}"
    if check.below == "ignore":
        return SubResult(None, explanation)
    return SubResult(Status.PARTIAL, explanation, None, (span,))


def _actor(check: Actor, text: str, hits: dict[str, list[Span]], name) -> SubResult:
    actions = hits.get(check.action, [])
    roles = hits.get(check.roles, [])
    if actions and roles:
        first_action = min(start for start, _ in actions)
        for start, end in roles:
            # a role that is itself the action's noun ("the QA reviewer") names who acts
            before = start < first_action or start <= first_action < end
            agent = bool(
                _PASSIVE_AGENT_RE.search(text[max(0, start - PASSIVE_AGENT_REACH) : start])
            )
            if before or agent:
                how = "performs" if before else "is named as the agent of"
                return SubResult(
                    Status.FOUND,
                    f"a named role ('{text[start:end]}') {how} the action",
                    None,
                    ((start, end),),
                )
    if check.generic and check.generic in hits:
        return SubResult(
            Status.PARTIAL,
            "only generic staff named as responsible",
            None,
            tuple(hits[check.generic]),
        )
    if actions:
        return SubResult(
            Status.PARTIAL,
            "the action has no named role (passive or unstated actor)",
            None,
            tuple(actions),
        )
    return SubResult(None, "no action found")


def _coverage(check: Coverage, hits: dict[str, list[Span]]) -> SubResult:
    named = [name for name, concept in check.items if concept in hits]
    absent = [name for name, concept in check.items if concept not in hits]
    spans = tuple(span for _, concept in check.items for span in hits.get(concept, ()))
    summary = f"names {len(named)} of {len(check.items)} ({', '.join(named) or 'none'})"
    if absent:
        summary += f"; not named: {', '.join(absent)}"
    if len(named) >= check.found_min:
        return SubResult(Status.FOUND, summary, None, spans)
    if len(named) >= check.partial_min:
        return SubResult(Status.PARTIAL, summary, None, spans)
    return SubResult(None, summary)
