"""The one spaCy pipeline: blank English, sentencizer and lookup lemmas (no downloaded model)."""

from __future__ import annotations

import gzip
import json
from functools import lru_cache
from importlib import resources

import numpy
import spacy
from spacy.attrs import LEMMA, LOWER, ORTH
from spacy.language import Language
from spacy.lookups import load_lookups
from spacy.strings import get_string_id
from spacy.tokens import Doc

from policy_review.resources import bundled_dir
from policy_review.yamlfile import parse_yaml

LEMMA_COMPONENT = "lowercase_lookup_lemmatizer"
ABBREVIATIONS_FILE = ("language", "abbreviations.yaml")
"""Shorthand directives write ("Sgt.", "juv.", "w/"), as data: which keep their period, and
which word each stands for."""

LEMMA_TABLE_FILE = ("spacy_lookups_data", "data", "en_lemma_lookup.json.gz")
"""The one table needed, read straight from the package: `load_lookups` goes through spaCy's
entry-point registry and builds a Table first, three times slower at start-up."""


@lru_cache(maxsize=1)
def _lemma_table() -> dict[int, str]:
    """spacy-lookups-data's English lemma table, with each abbreviation read as its word: hash of
    the lowercase form -> lemma.

    spaCy tables key by string hash, the same hash as a token's LOWER attribute, so a document
    is lemmatised from its LOWER array without building Token objects."""
    table = _packaged_lemmas()
    table.update((get_string_id(form), word) for form, word in _abbreviations()[1].items())
    return table


def _packaged_lemmas() -> dict[int, str]:
    package, *parts = LEMMA_TABLE_FILE
    try:
        raw = resources.files(package).joinpath(*parts).read_bytes()
    except (ModuleNotFoundError, FileNotFoundError):  # another packaging: the registry knows
        table = load_lookups("en", ["lemma_lookup"]).get_table("lemma_lookup")
        return dict(table.items())
    return {get_string_id(form): lemma for form, lemma in json.loads(gzip.decompress(raw)).items()}


@lru_cache(maxsize=1)
def _abbreviations() -> tuple[tuple[str, ...], dict[str, str]]:
    """The bundled abbreviations: the forms whose period ends no sentence, and the word each
    lowercase form (with its period, and without where that is a form too) stands for."""
    path = bundled_dir("checklists").joinpath(*ABBREVIATIONS_FILE)
    data = parse_yaml(path.read_text(encoding="utf-8"))
    keep = tuple(
        form for word in data["keep_period"] for form in {word, word.lower(), word.upper()}
    )
    words: dict[str, str] = {}
    for short, word in data["stands_for"].items():
        words[short] = word
        if not short.endswith(".") and "/" not in short:
            words[f"{short}."] = word
    return keep, words


def lemma_of(lower: str) -> str:
    """Lemma of a lowercase word; unknown words (acronyms, names) are their own lemma."""
    return _lemma_table().get(get_string_id(lower), lower)


@lru_cache(maxsize=1)
def _hash_table() -> dict[int, int]:
    """Lowercase-form hash -> lemma hash, filled lazily (array access avoids Token objects)."""
    return {}


@Language.component(LEMMA_COMPONENT)
def _lemmatize(doc: Doc) -> Doc:
    """Look up the lowercase form: the table is keyed by lowercase, so 'Entered' -> 'enter'."""
    table = _lemma_table()
    cache = _hash_table()
    strings = doc.vocab.strings
    lowers = doc.to_array([LOWER]).tolist()
    lemmas = [cache.get(h) for h in lowers]
    if None in lemmas:  # words not seen before in this process
        for i, h in enumerate(lowers):
            if lemmas[i] is None:
                found = table.get(h)
                lemmas[i] = cache[h] = h if found is None else strings.add(found)
    doc.from_array([LEMMA], numpy.asarray(lemmas, dtype=numpy.uint64).reshape(-1, 1))
    return doc


@lru_cache(maxsize=1)
def get_nlp() -> Language:
    """Built once per process; building costs ~0.1 s and the lemma table ~0.03 s."""
    nlp = spacy.blank("en")
    keep_period, words = _abbreviations()
    for form in keep_period:
        nlp.tokenizer.add_special_case(f"{form}.", [{ORTH: f"{form}."}])
    for form in (w for w in words if "/" in w):  # "w/" is one word, not "w" and "/"
        for cased in {form, form.upper(), form.capitalize()}:
            nlp.tokenizer.add_special_case(cased, [{ORTH: cased}])
    nlp.add_pipe("sentencizer")
    nlp.add_pipe(LEMMA_COMPONENT)
    return nlp
