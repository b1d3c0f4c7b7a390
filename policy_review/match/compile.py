"""Turn a checklist's concepts into spaCy phrase matchers and regexes, once per checklist version.

Plain terms go to a lemma PhraseMatcher, all-exact terms to a LOWER one, fuzzy words to a NORM
one: hash lookups, cheap per token. Terms with prefix wildcards (`exploit*`) or mixed markers become
regexes run once over the whole document text, which is far cheaper than spaCy's token Matcher
with REGEX predicates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from threading import Lock

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from policy_review.checklist import Checklist, Concept
from policy_review.match.nlp import get_nlp, lemma_of

EXACT_PREFIX = "="
FUZZY_PREFIX = "~"
PREFIX_WILDCARD = "*"
MIN_FUZZY_WORD_LEN = 6
MIN_STEM_LEN = 4
"""In a mixed (regex) term a plain word matches its inflections by stem: 'received' -> receiv*."""


@dataclass(frozen=True, slots=True)
class CompiledChecklist:
    """Matchers for every concept of one checklist; `expands` maps a concept to its includers."""

    checklist: Checklist
    matchers: tuple[PhraseMatcher, ...]
    regexes: tuple[tuple[re.Pattern[str], str], ...]  # `/regex/` terms: (pattern, concept)
    anchored: dict[str, tuple[tuple[re.Pattern[str], str], ...]]  # first-word prefix -> mixed terms
    prefixes: dict[str, tuple[str, ...]]  # single-word `word*` terms: prefix -> concepts
    fuzzy_words: frozenset[str]
    expands: dict[str, frozenset[str]]
    labels: dict[str, str]  # concept name -> the label a reviewer reads in explanations
    prefix_cache: dict[str, tuple] = field(default_factory=dict)  # word -> (concepts, mixed terms)

    def word_matches(self, word: str) -> tuple:
        """For one lowercase word: concepts of `prefix*` terms it matches, and the mixed-term
        regexes that may start at it (each then checked with `match` at that position)."""
        found = self.prefix_cache.get(word)
        if found is None:
            concepts: list[str] = []
            anchored: list[tuple[re.Pattern[str], str]] = []
            for end in range(1, len(word) + 1):
                concepts.extend(self.prefixes.get(word[:end], ()))
                anchored.extend(self.anchored.get(word[:end], ()))
            found = self.prefix_cache[word] = (tuple(concepts), tuple(anchored))
        return found


def _is_regex(term: str) -> bool:
    return len(term) > 2 and term.startswith("/") and term.endswith("/")


_PLAIN_TERM_RE = re.compile(r"[A-Za-z]+(?: [A-Za-z]+)*")
"""Letters and single spaces only: the tokenizer splits such a term at its spaces (unless a word
is one of its special cases, like "cannot"), so the common case skips a tokenizer call per term
(cold start compiles thousands of terms)."""


@lru_cache(maxsize=1)
def _special_cases() -> frozenset[str]:
    return frozenset(get_nlp().tokenizer.rules or ())


def _split_term(term: str) -> list[str]:
    """Split like the tokenizer, but keep the '=', '~' and '*' markers attached to their word."""
    if _PLAIN_TERM_RE.fullmatch(term):
        words = term.split(" ")
        if _special_cases().isdisjoint(words):
            return words
    nlp = get_nlp()
    if not any(marker in term for marker in (EXACT_PREFIX, FUZZY_PREFIX, PREFIX_WILDCARD)):
        return [t.text for t in nlp.make_doc(term)]  # one tokenizer call
    words: list[str] = []
    for chunk in term.split():
        marker_front = chunk[0] if chunk[0] in (EXACT_PREFIX, FUZZY_PREFIX) else ""
        marker_back = PREFIX_WILDCARD if chunk.endswith(PREFIX_WILDCARD) else ""
        core = chunk[len(marker_front) : len(chunk) - len(marker_back)]
        pieces = [t.text for t in nlp.make_doc(core)] or [core]
        if marker_front:
            pieces[0] = marker_front + pieces[0]
        if marker_back:
            pieces[-1] = pieces[-1] + marker_back
        words.extend(pieces)
    return words


def _kind(word: str) -> str:
    if word.startswith(EXACT_PREFIX) and len(word) > 1:
        return "LOWER"
    if word.startswith(FUZZY_PREFIX) and len(word) > 1:
        return "NORM" if len(word) - 1 >= MIN_FUZZY_WORD_LEN else "LOWER"
    if word.endswith(PREFIX_WILDCARD) and len(word) > 1:
        return "PREFIX"
    return "LEMMA"


def _bare(word: str) -> str:
    kind = _kind(word)
    if kind in ("LOWER", "NORM"):
        return word[1:].lower()
    if kind == "PREFIX":
        return word[:-1].lower()
    return word.lower()


def _word_regex(word: str) -> str:
    kind, bare = _kind(word), _bare(word)
    if kind == "PREFIX":
        return re.escape(bare) + r"\w*"
    if kind == "LEMMA" and bare.isalpha() and len(bare) >= MIN_STEM_LEN:
        stem = lemma_of(bare)
        stem = stem[:-1] if stem.endswith("e") and len(stem) > MIN_STEM_LEN else stem
        return re.escape(stem) + r"\w*"
    tail = r"\b" if bare[-1:].isalnum() else ""
    return re.escape(bare) + tail


def _term_regex(words: list[str]) -> tuple[re.Pattern[str], str]:
    """A mixed term as one regex over lowercased text (tokens in order, optional whitespace
    between), plus the prefix its first word must start with (where the regex is tried)."""
    body = r"\s*".join(_word_regex(w) for w in words)
    first = _word_regex(words[0])
    anchor = _bare(words[0])
    if first.endswith(r"\w*") and _kind(words[0]) == "LEMMA":
        anchor = re.sub(r"\\(.)", r"\1", first[: -len(r"\w*")])  # the stem the regex starts with
    return re.compile(body), anchor


_LEADING_GROUP_RE = re.compile(r"^(?:\\b)?\(((?:[a-z][a-z' -]*\|)*[a-z][a-z' -]*)\)")
_LEADING_WORD_RE = re.compile(r"^(?:\\b)?([a-z]{2,})(?![a-z]*[?*+{|])")


def _leading_words(pattern: str) -> tuple[str, ...]:
    """Words one of which every match of `pattern` starts with, when the pattern says so plainly
    (`\\bwait...`, `\\b(treat|consider) ...`): the regex is then tried only where such a word
    starts, instead of scanning the whole text. Empty when the start is not plain words."""
    depth = 0
    for char in re.sub(r"\\.|\[[^\]]*\]", "", pattern):  # escapes and classes are not structure
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "|" and depth == 0:  # a top-level alternative may start anywhere
            return ()
    group = _LEADING_GROUP_RE.match(pattern)
    if group:
        return tuple(dict.fromkeys(alt.split()[0] for alt in group.group(1).split("|")))
    word = _LEADING_WORD_RE.match(pattern)
    return (word.group(1),) if word else ()


def _expansions(concepts: dict[str, Concept]) -> dict[str, frozenset[str]]:
    """For each concept, itself plus every concept that includes it directly or transitively."""
    includers: dict[str, set[str]] = {name: set() for name in concepts}
    for concept in concepts.values():
        for ref in concept.include:
            includers[ref].add(concept.name)
    result: dict[str, frozenset[str]] = {}
    for name in concepts:
        seen = {name}
        stack = [name]
        while stack:
            for parent in includers[stack.pop()]:
                if parent not in seen:
                    seen.add(parent)
                    stack.append(parent)
        result[name] = frozenset(seen)
    return result


def compile_checklist(checklist: Checklist) -> CompiledChecklist:
    nlp = get_nlp()
    by_attr = {attr: PhraseMatcher(nlp.vocab, attr=attr) for attr in ("LEMMA", "LOWER", "NORM")}
    regexes: list[tuple[re.Pattern[str], str]] = []
    anchored: dict[str, list[tuple[re.Pattern[str], str]]] = {}
    prefixes: dict[str, list[str]] = {}
    fuzzy_words: set[str] = set()
    for concept in checklist.concepts.values():
        phrases: dict[str, list[Doc]] = {"LEMMA": [], "LOWER": [], "NORM": []}
        for term in concept.terms:
            if _is_regex(term):
                pattern = re.compile(term[1:-1], re.IGNORECASE)
                anchors = _leading_words(term[1:-1])
                for anchor in anchors:
                    anchored.setdefault(anchor, []).append((pattern, concept.name))
                if not anchors:
                    regexes.append((pattern, concept.name))
                continue
            words = _split_term(term)
            kinds = {_kind(w) for w in words}
            if len(words) == 1 and kinds == {"PREFIX"}:
                prefixes.setdefault(_bare(words[0]), []).append(concept.name)
                continue
            if (
                len(kinds) == 1
                and "PREFIX" not in kinds
                and not (kinds == {"NORM"} and len(words) > 1)
            ):
                attr = kinds.pop()
                if attr == "LEMMA":
                    lowered = [w.lower() for w in words]
                    doc = Doc(nlp.vocab, words=lowered, lemmas=[lemma_of(w) for w in lowered])
                else:
                    doc = Doc(nlp.vocab, words=[_bare(w) for w in words])
                if attr == "NORM":
                    # the document pass sets NORM to this word on OCR-damaged look-alikes
                    fuzzy_words.add(_bare(words[0]))
                    doc[0].norm_ = _bare(words[0])
                phrases[attr].append(doc)
            else:
                pattern, anchor = _term_regex(words)
                if anchor[:1].isalnum():
                    anchored.setdefault(anchor, []).append((pattern, concept.name))
                else:  # starts with punctuation: no word to anchor on, scan the text
                    regexes.append((pattern, concept.name))
        for attr, docs in phrases.items():
            if docs:
                by_attr[attr].add(concept.name, docs)
    return CompiledChecklist(
        checklist=checklist,
        matchers=tuple(m for m in by_attr.values() if len(m)),
        regexes=tuple(regexes),
        anchored={anchor: tuple(items) for anchor, items in anchored.items()},
        prefixes={prefix: tuple(dict.fromkeys(names)) for prefix, names in prefixes.items()},
        fuzzy_words=frozenset(fuzzy_words),
        expands=_expansions(dict(checklist.concepts)),
        labels={name: concept.label for name, concept in checklist.concepts.items()},
    )


_FUZZY_CACHE: dict[tuple[str, str, str], tuple[Checklist, frozenset[str]]] = {}


def fuzzy_words(checklist: Checklist) -> frozenset[str]:
    """The `~word` vocabulary of a checklist, without compiling it (cheap, for parsing); kept per
    checklist id, version and file like the compiled matchers, since every parse asks for it."""
    cached = _FUZZY_CACHE.get(checklist.key)
    if cached is not None and cached[0] is checklist:
        return cached[1]
    found = set()
    for concept in checklist.concepts.values():
        for term in concept.terms:
            if _is_regex(term):
                continue
            words = term.split()
            if len(words) == 1 and _kind(words[0]) == "NORM" and not words[0].endswith("*"):
                found.add(_bare(words[0]))
    result = frozenset(found)
    _FUZZY_CACHE[checklist.key] = (checklist, result)
    return result


_CACHE: dict[tuple[str, str, str], CompiledChecklist] = {}
_CACHE_LOCK = Lock()


def compiled(checklist: Checklist) -> CompiledChecklist:
    """Compile once per checklist id, version and file; later documents reuse the matchers."""
    with _CACHE_LOCK:
        found = _CACHE.get(checklist.key)
        if found is None or (found.checklist is not checklist and found.checklist != checklist):
            found = compile_checklist(checklist)
            _CACHE[checklist.key] = found
        return found
