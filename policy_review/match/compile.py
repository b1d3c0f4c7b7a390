"""Turn a checklist's concepts into spaCy phrase matchers and regexes, once per checklist version.

Plain terms go to a lemma PhraseMatcher, all-exact terms to a LOWER one, fuzzy words to a NORM
one: hash lookups, cheap per token. Terms with prefix wildcards (`exploit*`) or mixed markers become
regexes over the lowercased document text, far cheaper than spaCy's token Matcher with REGEX
predicates; each is tried only where a word it can start with begins, when that is known (a scan
of the whole text per regex was a third of the review time).
"""

from __future__ import annotations

import re
import re._constants as _sre
from dataclasses import dataclass
from functools import lru_cache
from threading import Lock

from spacy.matcher import PhraseMatcher

from policy_review.checklist import REGEX_FLAGS, Checklist, Concept, parsed_regex
from policy_review.match.nlp import get_nlp, lemma_of

EXACT_PREFIX = "="
FUZZY_PREFIX = "~"
PREFIX_WILDCARD = "*"
MIN_FUZZY_WORD_LEN = 6
MIN_STEM_LEN = 4
"""In a mixed (regex) term a plain word matches its inflections by stem: 'received' -> receiv*."""


@dataclass(frozen=True, slots=True)
class RegexTerm:
    """A regex over lowercased text (a `/regex/` term, or a term mixing word kinds); `prefixes`
    are the word beginnings its matches start with (empty: it may match anywhere)."""

    pattern: re.Pattern[str]
    concept: str
    prefixes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CompiledChecklist:
    """Matchers for every concept of one checklist; `expands` maps a concept to its includers."""

    checklist: Checklist
    matchers: tuple[PhraseMatcher, ...]
    regexes: tuple[RegexTerm, ...]
    anchored: dict[str, tuple[tuple[re.Pattern[str], str], ...]]  # first-word prefix -> mixed terms
    prefixes: dict[str, tuple[str, ...]]  # single-word `word*` terms: prefix -> concepts
    fuzzy_words: frozenset[str]
    expands: dict[str, frozenset[str]]
    labels: dict[str, str]  # concept name -> the label a reviewer reads in explanations


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


MAX_REGEX_PREFIXES = 64
"""A `/regex/` term that may start with more distinct words than this is scanned over the text."""
_WORD_CHAR_RE = re.compile(r"\w")
_SMALL_CLASS_CHARS = 26


def _class_chars(items) -> list[str] | None:
    """The characters of a small explicit class (`[dt]`, `[1-9]`); None for categories, negation
    or wide ranges, which say nothing useful about how a word starts."""
    chars: list[str] = []
    for op, arg in items:
        if op is _sre.LITERAL:
            chars.append(chr(arg))
        elif op is _sre.RANGE and arg[1] - arg[0] < _SMALL_CLASS_CHARS:
            chars.extend(chr(code) for code in range(arg[0], arg[1] + 1))
        else:
            return None
    return chars


def _literal_starts(items) -> tuple[set[str], bool]:
    """Word-character strings one of which every match of the parsed `items` begins with (a ""
    among them means "anything"), and whether the items match exactly those strings, so that what
    follows them extends the prefixes."""
    prefixes = {""}
    for op, arg in items:
        if op is _sre.LITERAL or op is _sre.IN:
            chars = [chr(arg)] if op is _sre.LITERAL else _class_chars(arg)
            if chars is None or not all(_WORD_CHAR_RE.fullmatch(c) for c in chars):
                return prefixes, False
            inner, complete = {c.casefold() for c in chars}, True
        elif op is _sre.SUBPATTERN:
            inner, complete = _literal_starts(arg[-1])
        elif op is _sre.BRANCH:
            ends = [_literal_starts(alternative) for alternative in arg[1]]
            inner = set().union(*(found for found, _ in ends))
            complete = all(done for _, done in ends)
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT) and arg[0] > 0:
            inner, complete = _literal_starts(arg[2])
            complete = complete and arg[0] == arg[1] == 1
        else:  # optional parts, assertions, `.`, `\w`, ...: the literal start ends here
            return prefixes, False
        prefixes = {p + q for p in prefixes for q in inner}
        if len(prefixes) > MAX_REGEX_PREFIXES:
            return {""}, False
        if not complete:
            return prefixes, False
    return prefixes, True


def _regex_prefixes(pattern: str) -> tuple[str, ...]:
    """Casefolded word beginnings one of which every match of `pattern` starts with, when the
    pattern opens with a word boundary (after any lookarounds) and then literal text: such a match
    can only begin where a `\\w+` word with that prefix begins, so the regex is tried there instead
    of at every character. Empty when the pattern does not say so plainly.

    Reads the pattern with the standard library's own regex parser, so every construct is
    understood exactly as `re` will match it. That parser is private: should a later Python
    change it, the pattern is scanned over the whole text, which is slower but the same."""
    try:
        items = list(parsed_regex(pattern))
        skipped = 0
        while skipped < len(items) and items[skipped][0] in (_sre.ASSERT, _sre.ASSERT_NOT, _sre.AT):
            skipped += 1
        if (_sre.AT, _sre.AT_BOUNDARY) not in items[:skipped]:
            return ()
        prefixes, _ = _literal_starts(items[skipped:])
    except Exception:  # noqa: BLE001 - only a speed-up is lost
        return ()
    return () if "" in prefixes else tuple(sorted(prefixes))


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
    strings = nlp.vocab.strings
    by_attr = {attr: PhraseMatcher(nlp.vocab, attr=attr) for attr in ("LEMMA", "LOWER", "NORM")}
    regexes: list[RegexTerm] = []
    anchored: dict[str, list[tuple[re.Pattern[str], str]]] = {}
    prefixes: dict[str, list[str]] = {}
    fuzzy_words: set[str] = set()
    hyphen = strings.add("-")
    for concept in checklist.concepts.values():
        # Patterns go to the phrase matchers as the attribute hashes a Doc of the term would
        # give: building thousands of Docs (and their lexemes) was a tenth of a cold start.
        phrases: dict[str, list[tuple[int, ...]]] = {"LEMMA": [], "LOWER": [], "NORM": []}
        for term in concept.terms:
            if _is_regex(term):
                body = term[1:-1]
                pattern = re.compile(body, REGEX_FLAGS)
                regexes.append(RegexTerm(pattern, concept.name, _regex_prefixes(body)))
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
                    values = [lemma_of(w.lower()) for w in words]
                elif attr == "LOWER":
                    values = [_bare(w).lower() for w in words]  # a lexeme's LOWER
                else:
                    # the document pass sets NORM to this word on OCR-damaged look-alikes
                    fuzzy_words.add(_bare(words[0]))
                    values = [_bare(words[0])]
                if values:
                    phrases[attr].append(tuple(strings.add(value) for value in values))
                if attr != "NORM" and len(values) > 1:
                    # "officer in charge" is also written "Officer-in-Charge", which the
                    # tokenizer splits at its hyphens
                    joined = [strings.add(values[0])]
                    for value in values[1:]:
                        joined += [hyphen, strings.add(value)]
                    phrases[attr].append(tuple(joined))
            else:
                pattern, anchor = _term_regex(words)
                if anchor[:1].isalnum():
                    anchored.setdefault(anchor, []).append((pattern, concept.name))
                else:  # starts with punctuation: no word to anchor on, scan the text
                    regexes.append(RegexTerm(pattern, concept.name, ()))
        for attr, keywords in phrases.items():
            if keywords:
                by_attr[attr].add(concept.name, keywords)
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
