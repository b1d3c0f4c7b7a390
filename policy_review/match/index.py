"""Per-document work done once: sentences, concept hits, and the units each cue scope looks at.

A `ParsedDocument` holds the spaCy parse of every evidence passage (shared by all checklists);
`ConceptIndex` holds one checklist's concept hits per sentence plus inverted indexes per scope,
so evaluating a cue is a few set intersections rather than a scan of the document.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate, chain

import numpy
from rapidfuzz import fuzz, process
from spacy.attrs import IDX, LENGTH
from spacy.tokens import Doc

from policy_review.extract.structure import parse_marker
from policy_review.match.compile import MIN_FUZZY_WORD_LEN, CompiledChecklist
from policy_review.match.nlp import get_nlp
from policy_review.model import NON_EVIDENCE_KINDS, ChapterStart, Document, Passage, PassageKind
from policy_review.scope import EMPTY_BOX_RE, OPTION_BOX_RE, TICKED_BOX_RE

FUZZY_CUTOFF = 90
"""rapidfuzz ratio (0-100) above which an unknown word is read as an OCR-damaged term word."""
FUZZY_CACHE_WORDS = 65_536
HEADING_FULL_EVIDENCE_MIN_WORDS = 8
"""Headings only name a topic, so a unit made only of heading text counts as partial at most
(a cross-reference such as 'Addendum: AMBER Alert plan'); a 'heading' this long is a sentence the
extractor took for a heading, and counts fully."""
CONTEXT_LOOKBACK_SENTENCES = 4
"""How many earlier sentences of the same block can supply a cue's `context` (list lead-ins)."""
LEAD_IN_MAX_SENTENCES = 8
"""A `list` unit: a lead-in ("...:") and up to this many following list-item sentences."""
PSEUDO_SECTION_MARK = "\x00"
"""Opens the first heading of a pseudo-section: no heading of a real trail does."""


def topic_key(chapter: int) -> tuple[str, ...]:
    """Pseudo-section holding a chapter's title block and running headers (see `_topic_text`)."""
    return (PSEUDO_SECTION_MARK + "topic", str(chapter))


def lead_key(chapter: int) -> tuple[str, ...]:
    """Pseudo-section holding the paragraph right under a chapter's first heading (see
    `_lead_text`): read only where a checklist's `topic_context` lets the title give a context."""
    return (PSEUDO_SECTION_MARK + "lead", str(chapter))


def is_pseudo_section(trail: tuple[str, ...]) -> bool:
    """Whether `trail` is a chapter's title or lead text, not a section of the document."""
    return bool(trail) and trail[0].startswith(PSEUDO_SECTION_MARK)


TRAIL_SEPARATOR = " > "
"""Between the headings of a section trail, in the text its concepts are matched on."""
TOPIC_MAX_PASSAGES = 8
HEADER_BLOCK_MAX_PASSAGES = 40
HEADER_BLOCK_MAX_WORDS = 12
"""A directive's header block (title lines and a Subject/Number/Effective table) is at most
this many passages, each at most this many words; anything longer is body text."""
HEADER_BLOCK_KINDS = frozenset({PassageKind.HEADING, PassageKind.PARAGRAPH, PassageKind.TABLE_CELL})
NUMBERED_HEADING_RE = re.compile(
    r"^\s*(?:(?:section|article|chapter)\s+\d+|[IVX]{1,5}\.|\d{1,2}(?:\.\d{1,2})*\.?)\s+\S",
    re.IGNORECASE,
)
"""The first numbered section heading ("I. PURPOSE", "1. Policy", "4.2 Scope", "Section 1 ...")
ends the header block."""
LIST_LABEL_RE = re.compile(r"^\(?(?:\d{1,3}|[a-zA-Z]|[ivxIVX]{1,4})[.)]\s")
"""A passage starting "(d) ", "4. " or "b) " is a list item, whatever kind the extractor gave it."""
LEAD_IN_END_RE = re.compile(r":\s*(?:\([^()]{1,24}\)\s*)?$")
"""A sentence opening a list ends in a colon, perhaps followed by a standard's reference
("... shall obtain the following information: (41.2.5a)")."""
TITLED_ITEM_RE = re.compile(
    r"^\(?(?:\d{1,3}(?:\.\d{1,2})*|[A-Za-z])[.)]?\s+[A-Z][\w/&-]*(?:\s+[A-Z&][\w/&-]*){0,3}\.\s+[A-Z]"
)
"""A numbered passage that opens with its own run-in title ("11. Review. The Deputy ...")."""
FORM_LINE_RE = re.compile(
    r"^(?:who|what|when|where|which|how(?: often| soon)?)\s*:\s*\S", re.IGNORECASE
)
"""A slide's or card's label-value line ("Who: QA Coordinator", "When: within 5 days"): a run of
them under one heading fills in one statement, who does it, when, to what, how."""
FORM_RUN_MIN_LINES = 2
RECORD_MIN_COLUMNS = 2
RECORD_MAX_SENTENCES = 6
"""A table row of more sentences than this states several things, not one record."""
COLUMN_LABEL_MAX_WORDS = 4
LABEL_MAX_WORDS = 1
LABEL_MAX_CHARS = 12
"""A 'sentence' of one short word ("11.", "(b)", "Review.") is a list label, not a sentence."""
CONDITION_QUESTION_MAX_WORDS = 5
INTERROGATIVE_OPENERS = frozenset(
    {"who", "whom", "whose", "what", "which", "when", "where", "why", "how", "is", "are", "am"}
    | {"was", "were", "do", "does", "did", "can", "could", "will", "would", "shall", "should"}
    | {"may", "might", "must", "has", "have", "had"}
)
"""A short question that opens with none of these ("No custody order?", "Foster kid?", "Lives in
another town?") asks nothing: like "if ...", it is the condition of the sentence after it."""
REFERENCE_LIST_MIN_ITEMS = 3
REFERENCE_ITEM_MAX_WORDS = 8
REFERENCE_LIST_MARKERS = (
    "related",
    "see also",
    "reference",
    "other chapters",
    "other policies",
    "associated policies",
    "associated chapters",
    "further information",
)
"""Words introducing a list of other documents' titles (structure, not checklist knowledge)."""
MAX_SECTION_SENTENCES = 40
"""A `section` unit is at most this many sentences, so a document without headings is not one
giant unit that trivially holds every concept."""

OPTION_END_RE = re.compile(rf"[,;.]\s|{OPTION_BOX_RE.pattern}|$")
"""An option inside a sentence ("[X] as a Priority 1 call [ ] as the next available call, to")
runs to the next box or the end of its clause."""

PUNCTUATION_RUN_KEPT = 32
"""spaCy's tokenizer splits a run of punctuation one character at a time, copying the rest of
the run each time: quadratic (8,000 '(' took 5 s, 50,000 over 90 s). Forms use long runs of
underscores or dashes as fill-in blanks and rules, so past this many characters the rest of a
run is tokenised as spaces; the text keeps its length, so every offset stays right."""
_PUNCTUATION_RUN_RE = re.compile(rf"(?:[^\w\s]|_){{{PUNCTUATION_RUN_KEPT + 1},}}")

Span = tuple[int, int]


def heading_ends(section: tuple[str, ...]) -> list[int]:
    """Where each heading of a trail ends (its separator included) in the trail's matched text,
    so an offset there tells which heading a concept was read in."""
    return list(accumulate(len(heading) + len(TRAIL_SEPARATOR) for heading in section))


ENUMERATED_OBJECT_RE = re.compile(
    r"\b(?:each|any|all)\s+(?:of\s+)?the\s+following\s+[a-z]+\b[^:]*:\s*$", re.IGNORECASE
)
"""A lead-in whose list names the things it acts on ("reviews each of the following calls within
ten days:"), not the steps a role takes ("The officer shall:")."""


def _is_column_label(text: str) -> bool:
    """A header cell: a few words naming a column ("Reviewed by", "How soon"), not a sentence."""
    words = text.split()
    return 0 < len(words) <= COLUMN_LABEL_MAX_WORDS and not text.rstrip().endswith((".", ";"))


def _nests_under(item: Passage, parent: Passage) -> bool:
    """Whether `item` sits one level under `parent` in the section trail (items a.-h. under
    "C. CRITICAL MISSING - ..."): the parent's passage leads it, with or without a colon."""
    return (
        len(item.section) == len(parent.section) + 1
        and item.section[:-1] == parent.section
        and parent.text.startswith(item.section[-1].rstrip("…").rstrip())
    )


def opens_list(text: str) -> bool:
    """Whether a sentence is a colon lead-in: the list after it continues it. Looser than
    `extract.structure.is_lead_in` on purpose: its items are already marked (by bullets,
    numbers or that function), so any colon end opens them, a label's (`Procedure:`) and one
    before a standard's reference (`... as follows: (41.2.5a)`) included."""
    return LEAD_IN_END_RE.search(text.rstrip()) is not None


@dataclass(frozen=True, slots=True)
class Sentence:
    index: int
    passage: int  # index into Document.passages
    start: int  # offsets into the passage text
    end: int
    section: tuple[str, ...]
    block: int  # passages between two headings share a block (robust to odd section trails)
    title_only: bool = False  # a short heading: names a topic, does not state a duty
    chapter: int = 0  # which chapter of a manual (Document.chapter_starts) it is in


@dataclass(slots=True)
class ParsedDocument:
    """Sentences of the evidence passages, and the spaCy docs of passages and section trails."""

    document: Document
    sentences: list[Sentence]
    docs: dict[int, Doc]  # passage index -> parsed text
    section_docs: dict[tuple[str, ...], Doc]
    passage_sentences: dict[int, list[int]]
    sentence_starts: dict[int, list[int]]
    passage_texts: TextSet
    section_texts: TextSet
    lead_in: dict[int, list[int]]  # sentence -> sentences of the lead-in before its list
    offsets: dict = field(default_factory=dict)  # doc key -> token (starts, ends), filled lazily

    def text_of(self, sentence: Sentence) -> str:
        return self.document.passages[sentence.passage].text[sentence.start : sentence.end]

    def sentence_at(self, passage: int, offset: int) -> int | None:
        """The sentence of `passage` holding `offset` (the last one starting at or before it)."""
        position = bisect_right(self.sentence_starts.get(passage, ()), offset) - 1
        return self.passage_sentences[passage][position] if position >= 0 else None


def _is_evidence(passage) -> bool:
    return passage.kind not in NON_EVIDENCE_KINDS


def _is_title(passage) -> bool:
    """A short heading; its words are counted without dashes and bullets ("Slide 4 — HIGH RISK:
    any one box" is seven words)."""
    return (
        passage.kind is PassageKind.HEADING
        and len(WORD_RE.findall(passage.text)) < HEADING_FULL_EVIDENCE_MIN_WORDS
    )


WORD_RE = re.compile(r"\w[\w'’-]*")
RUN_RE = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class TextSet:
    """Several texts joined once, so regexes and the word scan run a single pass per document."""

    keys: tuple
    texts: tuple[str, ...]
    offsets: tuple[int, ...]
    joined: str
    lowered: str
    word_starts: dict[str, list[int]]  # lowercase word -> its start offsets in `joined`, in order
    words: tuple[str, ...]  # the words, sorted: those with a given beginning are neighbours
    run_starts: dict[str, list[int]]  # casefolded `\w+` run ("don", "t" of "don't") -> its starts
    runs: tuple[str, ...]  # the runs, sorted

    @classmethod
    def of(cls, texts: dict) -> TextSet:
        keys = tuple(texts)
        values = tuple(texts[key] for key in keys)
        offsets, position = [], 0
        for text in values:
            offsets.append(position)
            position += len(text) + 1
        joined = "\n".join(values)
        lowered = joined.lower()
        if len(lowered) != len(joined):  # rare Unicode case changes length: keep offsets exact
            lowered = joined
        word_starts: dict[str, list[int]] = defaultdict(list)
        for match in WORD_RE.finditer(lowered):
            word_starts[match.group()].append(match.start())
        # lists of places in order of discovery, joined once: joining as they come was quadratic
        # when one run recurs throughout one long word ("a-a-a-...")
        run_pieces: dict[str, list[list[int]]] = defaultdict(list)
        for word, starts in word_starts.items():  # a word is `\w+` runs joined by - and '
            if word.isalnum():
                run_pieces[word.casefold()].append(starts)
                continue
            for run in RUN_RE.finditer(word):
                places = [start + run.start() for start in starts]
                run_pieces[run.group().casefold()].append(places)
        run_starts = {  # a lone list is shared with word_starts, never mutated
            run: pieces[0] if len(pieces) == 1 else list(chain.from_iterable(pieces))
            for run, pieces in run_pieces.items()
        }
        return cls(
            keys,
            values,
            tuple(offsets),
            joined,
            lowered,
            dict(word_starts),
            tuple(sorted(word_starts)),
            run_starts,
            tuple(sorted(run_starts)),
        )

    def locate(self, start: int, end: int) -> tuple[object, int, int] | None:
        """(key, start, end) relative to one text; None when the span crosses two texts."""
        slot = bisect_right(self.offsets, start) - 1
        base = self.offsets[slot]
        if end - base > len(self.texts[slot]):
            return None
        return self.keys[slot], start - base, end - base


@lru_cache(maxsize=FUZZY_CACHE_WORDS)
def _look_alike(word: str, choices: tuple[str, ...]) -> str | None:
    """The `~word` term `word` is an OCR-damaged form of, if any (documents share most words)."""
    best = process.extractOne(word, choices, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
    return best[0] if best else None


def _apply_fuzzy_norms(docs: dict, text_set: TextSet, fuzzy_words: frozenset[str]) -> None:
    """Give OCR-damaged look-alikes of `~word` terms that word as NORM, so patterns match them."""
    if not fuzzy_words:
        return
    choices = tuple(sorted(fuzzy_words))
    verdicts: dict[str, str] = {}
    for word in text_set.word_starts:
        if len(word) < MIN_FUZZY_WORD_LEN or word in fuzzy_words or not word.isalpha():
            continue
        target = _look_alike(word, choices)
        if target:
            verdicts[word] = target
    if not verdicts:
        return
    touched = {
        located[0]
        for word in verdicts
        for start in text_set.word_starts[word]
        if (located := text_set.locate(start, start + len(word)))
    }
    for key in touched:
        for token in docs[key]:
            target = verdicts.get(token.lower_)
            if target:
                token.norm_ = target


def parse_document(document: Document, fuzzy_words: frozenset[str] = frozenset()) -> ParsedDocument:
    nlp = get_nlp()
    skipped = _reference_lists(document)
    indexes = [i for i, p in enumerate(document.passages) if _is_evidence(p) and i not in skipped]
    adopted = _adopted_texts(document)
    readable = {i: adopted.get(i, document.passages[i].text) for i in indexes}
    texts = (_tokenizable(readable[i]) for i in indexes)
    docs = dict(zip(indexes, nlp.pipe(texts), strict=True))
    sections = sorted({document.passages[i].section for i in indexes})
    section_source = {section: TRAIL_SEPARATOR.join(section) for section in sections}
    chapters = _chapter_ranges(document)
    for number, (first, end, titled) in enumerate(chapters):
        if titled:
            passages = document.passages[first:end]
            section_source[topic_key(number)] = _topic_text(passages)
            section_source[lead_key(number)] = _lead_text(passages)
    chapter_of = [
        number for number, (first, end, _) in enumerate(chapters) for _ in range(first, end)
    ]
    section_texts_parsed = nlp.pipe(_tokenizable(text) for text in section_source.values())
    section_docs = dict(zip(section_source, section_texts_parsed, strict=True))
    passage_texts = TextSet.of(readable)
    section_texts = TextSet.of(section_source)
    _apply_fuzzy_norms(docs, passage_texts, fuzzy_words)
    _apply_fuzzy_norms(section_docs, section_texts, fuzzy_words)
    sentences: list[Sentence] = []
    passage_sentences: dict[int, list[int]] = {}
    blocks = _blocks(document)
    for i in indexes:
        passage = document.passages[i]
        ids = []
        for start, end in _sentence_spans(docs[i]):
            ids.append(len(sentences))
            sentences.append(
                Sentence(
                    len(sentences),
                    i,
                    start,
                    end,
                    passage.section,
                    blocks[i],
                    _is_title(passage),
                    chapter_of[i],
                )
            )
        passage_sentences[i] = ids
    return ParsedDocument(
        document,
        sentences,
        docs,
        section_docs,
        passage_sentences,
        {i: [sentences[s].start for s in ids] for i, ids in passage_sentences.items()},
        passage_texts,
        section_texts,
        _lead_ins(document, indexes, passage_sentences),
    )


def _tokenizable(text: str) -> str:
    """`text` as spaCy should tokenise it: the same length, long punctuation runs cut short."""
    return _PUNCTUATION_RUN_RE.sub(_shorten_run, text)


def _shorten_run(match: re.Match[str]) -> str:
    run = match.group()
    return run[:PUNCTUATION_RUN_KEPT] + " " * (len(run) - PUNCTUATION_RUN_KEPT)


def _reference_lists(document: Document) -> set[int]:
    """Passages in a list of related chapter titles ('Related information: Search, DNA sampling,
    ...'): they name other documents, not duties of this one, so they are never evidence."""
    skipped: set[int] = set()
    passages = document.passages
    run: list[int] = []

    def close(run: list[int]) -> None:
        if len(run) < REFERENCE_LIST_MIN_ITEMS:
            return
        first = passages[run[0]]
        lead = [first.section[-1]] if first.section else []
        if run[0] > 0:
            lead.append(passages[run[0] - 1].text)
        if any(marker in text.lower() for text in lead for marker in REFERENCE_LIST_MARKERS):
            skipped.update(run)

    for i, passage in enumerate(passages):
        text = passage.text.rstrip()
        is_title = (
            passage.kind in (PassageKind.LIST_ITEM, PassageKind.PARAGRAPH)
            and len(text.split()) <= REFERENCE_ITEM_MAX_WORDS
            and not text.endswith((".", ";", ":", ","))
        )
        if is_title and (not run or passages[run[-1]].section == passage.section):
            run.append(i)
            continue
        close(run)
        run = [i] if is_title else []
    close(run)
    return skipped


def _adopted_texts(document: Document) -> dict[int, str]:
    """What a filled-in adoption form adopts inside a sentence: when some option boxes are marked,
    an option whose box is left empty ("[X] as a Priority 1 call [ ] as the next available
    call") is not the agency's policy, and is blanked to its next box or the end of its clause,
    keeping the text's length so every offset stays right. (A passage opening with an empty box
    is set aside by the scope; forms with no marked box, checklists to tick, are read as they
    are.)"""
    passages = document.passages
    if not any(TICKED_BOX_RE.search(passage.text) for passage in passages):
        return {}
    adopted: dict[int, str] = {}
    for i, passage in enumerate(passages):
        text = passage.text
        pieces, position = [], 0
        for box in EMPTY_BOX_RE.finditer(text):
            if box.start() < position:
                continue
            end = OPTION_END_RE.search(text, box.end()).start()
            pieces.append(text[position : box.start()] + " " * (end - box.start()))
            position = end
        if pieces:
            adopted[i] = "".join(pieces) + text[position:]
    return adopted


def _chapter_ranges(document: Document) -> list[tuple[int, int, bool]]:
    """(first, end, titled) of each chapter's passages: the whole document when it is one."""
    starts = document.chapter_starts or (ChapterStart(0, True),)
    ends = [start.first for start in starts[1:]] + [len(document.passages)]
    return [(start.first, end, start.titled) for start, end in zip(starts, ends, strict=True)]


def _topic_text(passages: tuple[Passage, ...]) -> str:
    """What a chapter (a whole directive) is about: its title block (the passages before the
    first heading, and that heading), its header block (see `_header_block`) and its running
    headers and footers."""
    parts: list[str] = []
    for passage in passages[:TOPIC_MAX_PASSAGES]:
        if passage.kind is PassageKind.HEADER_FOOTER:
            continue
        parts.append(passage.text)
        if passage.kind is PassageKind.HEADING:
            break
    parts.extend(text for text in _header_block(passages) if text not in parts)
    running = {p.text for p in passages if p.kind is PassageKind.HEADER_FOOTER}
    return " \n ".join(parts + sorted(running))


def _opening_page(passages: tuple[Passage, ...]) -> int:
    """The page a chapter opens on (1 for a whole directive)."""
    return next((p.page for p in passages if p.page is not None), 1)


def _lead_text(passages: tuple[Passage, ...]) -> str:
    """The paragraph right under the chapter's first heading, on its first page ("Missing
    Juveniles - roll call block. Status: this bulletin is the procedure for missing juvenile
    reports"): a bulletin's or e-mail's statement of what it is about. Empty when a list item or
    another heading comes first."""
    body = [p for p in passages if p.kind is not PassageKind.HEADER_FOOTER]
    first = next((i for i, p in enumerate(body) if p.kind is PassageKind.HEADING), None)
    if first is None or first + 1 >= len(body):
        return ""
    lead = body[first + 1]
    if lead.kind is not PassageKind.PARAGRAPH or lead.page not in (None, _opening_page(passages)):
        return ""
    return lead.text


def _header_block(passages: tuple[Passage, ...]) -> list[str]:
    """The short passages (title headings, 'SUBJECT | Missing Juveniles' table cells) on the
    chapter's first page before its first numbered section heading: many directives open with a
    header table after a first heading, and that table names the topic. Empty when no numbered
    heading closes the block, or when body text (a long passage, a list item) comes first, so
    body text never becomes title."""
    texts: list[str] = []
    opening = _opening_page(passages)
    for passage in passages[:HEADER_BLOCK_MAX_PASSAGES]:
        if passage.kind is PassageKind.HEADER_FOOTER:
            continue
        if passage.page not in (None, opening):
            return []
        if passage.kind is PassageKind.HEADING and NUMBERED_HEADING_RE.match(passage.text):
            return texts
        if passage.kind not in HEADER_BLOCK_KINDS:
            return []
        if len(passage.text.split()) > HEADER_BLOCK_MAX_WORDS:
            if passage.kind is PassageKind.TABLE_CELL:
                continue  # a header table's long cell ("Authority", "Related") names no topic
            return []
        texts.append(passage.text)
    return []


def _sentence_spans(doc: Doc) -> list[tuple[int, int]]:
    """Sentence character spans, with list labels ("11.", "(b)", "Review.") joined to the
    sentence they introduce: a label is not a sentence, and must not use up the look-back."""
    spans: list[tuple[int, int]] = []
    pending: int | None = None
    sents = list(doc.sents)
    for position, sent in enumerate(sents):
        start = sent.start_char if pending is None else pending
        if position + 1 < len(sents) and _condition_question(sent):
            pending = start
            continue
        if sent.end_char - sent.start_char <= LABEL_MAX_CHARS:  # cheap test first: short only
            words = [t for t in sent if not t.is_punct and not t.is_space]
            if not words:
                continue
            if len(words) <= LABEL_MAX_WORDS:
                pending = start
                continue
        # an opening bracket the splitter left at the end ("... as routine. [" then
        # "CALEA 41.2.5a]") opens the next sentence
        text = doc.text[start : sent.end_char].rstrip()
        if text.endswith(("[", "(")) and position + 1 < len(sents) and len(text) > 1:
            spans.append((start, start + len(text[:-1].rstrip())))
            pending = start + len(text) - 1
            continue
        spans.append((start, sent.end_char))
        pending = None
    if pending is not None:
        if spans:
            spans[-1] = (spans[-1][0], len(doc.text.rstrip()))
        else:
            spans.append((pending, len(doc.text.rstrip())))
    return spans


def _condition_question(sent) -> bool:
    """Whether `sent` is a terse slide's or card's condition put as a question ("No custody
    order? Still a report."): short, and not opened by a question word or an auxiliary, so
    what follows it answers it, and belongs to its sentence (a question read alone states no
    rule, see `engine._states_no_rule`)."""
    text = sent.text.strip()
    if not text.endswith("?"):
        return False
    words = [t for t in sent if not t.is_punct and not t.is_space]
    return (
        0 < len(words) <= CONDITION_QUESTION_MAX_WORDS
        and words[0].lower_ not in INTERROGATIVE_OPENERS
    )


def _blocks(document: Document) -> list[int]:
    """Block number per passage: a new block starts at every short heading (a long 'heading'
    is usually a numbered list item the extractor promoted, which belongs to the block above)."""
    block = 0
    numbers = []
    for passage in document.passages:
        if _is_title(passage):
            block += 1
        numbers.append(block)
    return numbers


def _lead_ins(document: Document, indexes: list[int], passage_sentences: dict[int, list[int]]):
    """For sentences in a run of list items, the last sentence before the run (its lead-in), and
    the last item of the run ending in ':' (the lead-in of a nested list: "B. ... the following
    criteria must be met:" -> "1. The child is under 16")."""
    lead_in: dict[int, list[int]] = {}
    previous_non_item: list[int] = []
    # (depth of the colon item's trail, its sentence, how it is numbered)
    nested: tuple[int, list[int], str | None] | None = None
    previous = -1  # the last passage of the colon item's run
    for i in indexes:
        passage = document.passages[i]
        list_like = not _is_title(passage) and LIST_LABEL_RE.match(passage.text)
        if passage.kind is PassageKind.LIST_ITEM or list_like:
            # a nested item sits deeper in the trail, or straight after its colon item unless
            # it is numbered like that item ("7. ... adding:", "(e) ...", "8. ..."): a sibling
            under = nested is not None and (
                len(passage.section) > nested[0]
                or (previous == i - 1 and _label_style(passage.text) != nested[2])
            )
            for s in passage_sentences[i]:
                lead_in[s] = previous_non_item + (nested[1] if under else [])
            if opens_list(passage.text) and passage_sentences[i]:
                nested = (
                    len(passage.section),
                    passage_sentences[i][-1:],
                    _label_style(passage.text),
                )
                previous = i
            elif under:
                previous = i
            else:
                nested = None
        elif passage_sentences[i]:
            previous_non_item = passage_sentences[i][-1:]
            nested = None
    return lead_in


def _label_style(text: str) -> str | None:
    """How a list item is numbered ("4." and "12." alike, "(e)" and "(f)" alike), or None."""
    label = LIST_LABEL_RE.match(text)
    if label is None:
        return None
    mark = label.group(0).strip()
    core = mark.strip("().")
    kind = "digit" if core.isdigit() else "lower" if core.islower() else "upper"
    return f"{kind}{mark.replace(core, '', 1)}"


class UnitsByConcept:
    """concept -> ids of one scope's units holding it. Worked out per concept when first asked
    for, from the sentences holding it: the cues of a scope ask about a few of a checklist's
    concepts, so building the whole mapping was mostly wasted."""

    __slots__ = ("sentences", "_holding", "_units")

    def __init__(self, sentences: dict[str, set[int]], holding: list[list[int]] | None) -> None:
        self.sentences = sentences  # concept -> sentence ids
        self._holding = holding  # sentence id -> ids of the units holding it; None: unit = sentence
        self._units: dict[str, set[int]] = {}

    def get(self, concept: str, default=None):
        if self._holding is None:
            return self.sentences.get(concept, default)
        found = self._units.get(concept)
        if found is None:
            sentences = self.sentences.get(concept)
            if sentences is None:
                return default
            holding = self._holding
            found = self._units[concept] = set(chain.from_iterable(holding[s] for s in sentences))
        return found


@dataclass(slots=True)
class ConceptIndex:
    """One checklist's concept hits in one parsed document."""

    parsed: ParsedDocument
    compiled: CompiledChecklist
    hits: list[dict[str, list[Span]]]  # per sentence: concept -> spans in the passage text
    section_hits: dict[tuple[str, ...], dict[str, list[Span]]]
    _by_scope: dict[str, UnitsByConcept] = field(default_factory=dict)
    _by_sentence: UnitsByConcept | None = None  # concept -> sentences, shared by every scope
    _units: dict[str, list[tuple[int, ...]]] = field(default_factory=dict)
    # Cues of many elements look at the same units: what is read from a unit is kept per unit.
    _lead_in_concepts: dict[int, frozenset[str]] = field(default_factory=dict)
    _surroundings: dict[int, frozenset[str]] = field(default_factory=dict)
    _items_of: dict[int, tuple[int, ...]] | None = None  # colon lead-in -> its list's sentences
    _in_section: dict[tuple[str, ...], frozenset[str]] | None = None  # section -> its concepts
    _colon_leads: dict[int, int | None] = field(default_factory=dict)  # sentence -> its lead-in
    _topics: dict[int, frozenset[str]] = field(default_factory=dict)  # chapter -> title concepts
    _form_runs: dict[int, tuple[int, ...]] | None = None  # sentence -> its label-value run
    _column_labels: frozenset[int] = frozenset()  # header-row sentences of the records
    _row_keys: dict[int, tuple[int, ...]] | None = None  # cell sentence -> its row's first cell
    views: dict[tuple[int, ...], object] = field(default_factory=dict)  # the evaluator's, per unit
    actor_reader: object | None = None  # the evaluator's actors per sentence (match/roles.py)
    condition_reader: object | None = None  # conditions per sentence (match/conditions.py)

    # ------------------------------------------------------------------ units per scope
    def units(self, scope: str) -> list[tuple[int, ...]]:
        """Each unit is a tuple of sentence indexes; unit ids are positions in this list."""
        if scope not in self._units:
            self._units[scope] = self._build_units(scope)
        return self._units[scope]

    def _build_units(self, scope: str) -> list[tuple[int, ...]]:
        sentences = self.parsed.sentences
        runs = self.form_runs()
        if scope == "sentence":
            return [runs.get(s.index, (s.index,)) for s in sentences]
        if scope == "window":
            units = []
            keys = self.row_keys()
            for s in sentences:
                following = s.index + 1
                if s.index in runs:
                    units.append(runs[s.index])
                    continue
                key = keys.get(s.index, ())
                if following < len(sentences) and self._window_joins(s, sentences[following]):
                    units.append((*key, s.index, following))
                else:
                    units.append((*key, s.index))
            return units
        if scope in ("list", "heading_list"):
            return [
                (s.index, *self._list_after(s))
                if opens_list(self.parsed.text_of(s))
                or (scope == "heading_list" and self._heads_a_list(s))
                else (s.index,)
                for s in sentences
            ]
        if scope == "passage":
            return [tuple(ids) for ids in self.parsed.passage_sentences.values() if ids]
        units: list[tuple[int, ...]] = []
        current: list[int] = []
        for s in sentences:
            if current and (
                sentences[current[0]].block != s.block or len(current) >= MAX_SECTION_SENTENCES
            ):
                units.append(tuple(current))
                current = []
            current.append(s.index)
        if current:
            units.append(tuple(current))
        return units

    def form_runs(self) -> dict[int, tuple[int, ...]]:
        """Sentence -> every sentence of its run of label-value lines ("Who: ... / When: ... /
        Which: ..."): the lines are the parts of one statement, so a sentence (or window) there
        is the whole run. Lines of the same heading block only; a run needs two lines."""
        if self._form_runs is None:
            parsed = self.parsed
            passages = parsed.document.passages
            runs: dict[int, tuple[int, ...]] = {}
            run: list[int] = []  # passage indexes

            def close() -> None:
                if len(run) >= FORM_RUN_MIN_LINES:
                    members = tuple(s for p in run for s in parsed.passage_sentences[p])
                    runs.update(dict.fromkeys(members, members))
                run.clear()

            for i, ids in parsed.passage_sentences.items():
                if not ids or not FORM_LINE_RE.match(passages[i].text):
                    close()
                    continue
                if run and (
                    run[-1] != i - 1
                    or parsed.sentences[ids[0]].block
                    != parsed.sentences[parsed.passage_sentences[run[-1]][0]].block
                ):
                    close()
                run.append(i)
            close()
            records, self._column_labels = self._records()
            for members in records:
                for s in members:
                    runs.setdefault(s, members)
            self._form_runs = runs
        return self._form_runs

    def column_labels(self) -> frozenset[int]:
        """The sentences of the header rows that label records (see `_records`): like a row's
        first cell, they name what a value is, and are quoted only when nothing else is."""
        self.form_runs()
        return self._column_labels

    def _records(self) -> tuple[list[tuple[int, ...]], frozenset[int]]:
        """The rows of each table under a header row of short labels ("Which calls | Reviewed
        by | How soon | How"), each with that header: such a row is one record, its cells the
        parts of one statement as a form's label-value lines are ("Every abduction call |
        QA Coordinator | within 7 days"). A row too long to be one statement stays cell by cell,
        and so does a row of more cells than the header has."""
        parsed = self.parsed
        passages = parsed.document.passages
        tables: list[list[list[int]]] = []  # table -> rows -> passage indexes
        previous = None
        for i, passage in enumerate(passages):
            if passage.kind is not PassageKind.TABLE_CELL or passage.row is None:
                previous = None
                continue
            if previous is None:
                tables.append([[i]])
            elif passage.row == passages[previous].row:
                tables[-1][-1].append(i)
            else:
                tables[-1].append([i])
            previous = i
        records: list[tuple[int, ...]] = []
        labels: set[int] = set()
        for header, *rows in tables:
            if len(header) < RECORD_MIN_COLUMNS or not all(
                _is_column_label(passages[i].text) for i in header
            ):
                continue
            labels.update(s for i in header for s in parsed.passage_sentences.get(i, ()))
            for row in rows:
                cells = [s for i in row for s in parsed.passage_sentences.get(i, ())]
                # an empty cell is no passage: a row short of the header's cells is read as
                # leaving its last columns blank ("Done", "Initials")
                if len(row) <= len(header) and 0 < len(cells) <= RECORD_MAX_SENTENCES:
                    # each value after its label, as the row is read: "Reviewed by QA
                    # Coordinator How soon Within 7 days"
                    records.append(
                        tuple(
                            s
                            for label, cell in zip(header, row, strict=False)
                            for i in (label, cell)
                            for s in parsed.passage_sentences.get(i, ())
                        )
                    )
        return records, frozenset(labels)

    def row_keys(self) -> dict[int, tuple[int, ...]]:
        """Sentence of a table cell -> the sentences of its row's first cell, for the cells after
        it: a decision table's row reads "for <first cell>: ask <cell>, do <cell>, notify
        <cell>", so a window there sees what the row is about, as a list item sees its lead-in.
        Cells are passages of their own; nothing outside a table has a row."""
        if self._row_keys is None:
            parsed = self.parsed
            passages = parsed.document.passages
            keys: dict[int, tuple[int, ...]] = {}
            row, key = None, ()
            for i, ids in parsed.passage_sentences.items():
                if passages[i].row is None or passages[i].row != row:
                    row, key = passages[i].row, tuple(ids)
                    continue
                keys.update(dict.fromkeys(ids, key))
            self._row_keys = keys
        return self._row_keys

    def _window_joins(self, sentence: Sentence, following: Sentence) -> bool:
        """Whether a window may run on into the next sentence: within its heading block, and not
        out of a colon list into an item the list's lead-in does not lead ("(f) ... enter the
        juvenile in NCIC." "8. Paragraph 6(d) is amended: ... a recent photograph"): that item
        states another duty; nor into a passage that opens under its own run-in title ("11.
        Review. ..."). A colon lead-in runs into its first item."""
        if following.block != sentence.block:
            return False
        passages = self.parsed.document.passages
        if following.passage != sentence.passage and self._text_set_aside_between(
            sentence.passage, following.passage
        ):
            return False  # a commentary or an unadopted option between: not one statement
        if following.passage != sentence.passage and TITLED_ITEM_RE.match(
            passages[following.passage].text
        ):
            return False  # "11. Review. The Deputy Director ...": a new topic under its own title
        return (
            following.passage == sentence.passage
            or passages[following.passage].kind is not PassageKind.LIST_ITEM
            or passages[sentence.passage].kind is not PassageKind.LIST_ITEM
            or opens_list(self.parsed.text_of(sentence))
            or self.colon_lead_in(following.index) == self.colon_lead_in(sentence.index)
        )

    def _text_set_aside_between(self, first: int, last: int) -> bool:
        """Whether text the scope set aside (explanation, an option not adopted, a revision
        note) lies between two passages: the document's text between them holds more than the
        passages kept there (running headers and footers across a page break)."""
        document = self.parsed.document
        passages = document.passages
        return any(
            document.text[passages[i].end : passages[i + 1].start].strip()
            for i in range(first, last)
        )

    def _heads_a_list(self, sentence: Sentence) -> bool:
        """Whether a short heading, or the sentence that ends a paragraph, is followed straight
        away by list items: it leads them as a colon lead-in would ("Endangered factors (any one
        is enough)" over its items; "A child is at high risk when any one of the following is
        true." with a full stop)."""
        following = sentence.index + 1
        sentences = self.parsed.sentences
        passages = self.parsed.document.passages
        ends_paragraph = (
            following < len(sentences)
            and sentences[following].passage != sentence.passage
            and (
                passages[sentence.passage].kind is PassageKind.PARAGRAPH
                # an item's closing sentence over items nested under it ("C. CRITICAL MISSING -
                # ... any one of the following is true." over a.-h.)
                or _nests_under(passages[sentences[following].passage], passages[sentence.passage])
            )
        )
        return (
            (sentence.title_only or ends_paragraph)
            and following < len(sentences)
            and sentences[following].block == sentence.block
            and passages[sentences[following].passage].kind is PassageKind.LIST_ITEM
        )

    def _list_after(self, lead_in: Sentence) -> list[int]:
        """The list a lead-in sentence ("... as follows:") introduces: the following list-item
        sentences of its block, so a window sees the whole list (up to a limit). The list ends at
        an item the lead-in does not lead: a lead-in item ("7. Paragraph 5 is amended by adding:")
        leads its nested items, not its next sibling ("8. Paragraph 6 is amended ..."), which
        states a duty of its own."""
        sentences = self.parsed.sentences
        passages = self.parsed.document.passages
        leads_items = passages[lead_in.passage].kind is PassageKind.LIST_ITEM
        items: list[int] = []
        for s in sentences[lead_in.index + 1 : lead_in.index + 1 + LEAD_IN_MAX_SENTENCES]:
            if s.block != lead_in.block:
                break
            if items and passages[s.passage].kind is not PassageKind.LIST_ITEM:
                break
            if (
                leads_items
                and lead_in.index not in self.parsed.lead_in.get(s.index, ())
                and not _nests_under(passages[s.passage], passages[lead_in.passage])
            ):
                break
            items.append(s.index)
        return items

    def _sentence_units(self) -> UnitsByConcept:
        """concept -> the sentences holding it, each sentence its own unit: built once, and
        the base every scope's units are read from."""
        if self._by_sentence is None:
            sentences: dict[str, set[int]] = defaultdict(set)
            for s, concepts in enumerate(self.hits):
                for concept in concepts:
                    sentences[concept].add(s)
            self._by_sentence = UnitsByConcept(sentences, None)
        return self._by_sentence

    def unit_index(self, scope: str) -> UnitsByConcept:
        """concept -> ids of the units (of this scope) that contain it."""
        found = self._by_scope.get(scope)
        if found is None:
            found = self._sentence_units()
            if scope != "sentence" or self.form_runs():  # else unit i is sentence i
                holding: list[list[int]] = [[] for _ in self.hits]
                for unit_id, unit in enumerate(self.units(scope)):
                    for s in unit:
                        holding[s].append(unit_id)
                found = UnitsByConcept(found.sentences, holding)
            self._by_scope[scope] = found
        return found

    def holds(self, scope: str, unit_id: int, concept: str) -> bool:
        """Whether one of the unit's sentences has `concept` (read off the inverted index, not by
        gathering every concept of every unit looked at)."""
        return unit_id in self.unit_index(scope).get(concept, ())

    def colon_lead_in(self, first: int) -> int | None:
        """The nearest lead-in ending in ':' of the list sentence `first` belongs to: its items
        continue that sentence ("Officers may: - search ..."), so they share its actor, modality
        and parts."""
        if first in self._colon_leads:
            return self._colon_leads[first]
        parsed = self.parsed
        passages = parsed.document.passages
        depth = len(passages[parsed.sentences[first].passage].section)
        leads = [
            s
            for s in parsed.lead_in.get(first, ())
            if opens_list(parsed.text_of(parsed.sentences[s]))
            # a colon item leads only the items nested below it, not its own siblings
            and (
                passages[parsed.sentences[s].passage].kind is not PassageKind.LIST_ITEM
                or len(passages[parsed.sentences[s].passage].section) < depth
            )
        ]
        found = self._colon_leads[first] = leads[-1] if leads else None
        return found

    def list_items(self, lead: int) -> tuple[int, ...]:
        """The sentences of the items under colon lead-in `lead`, in document order."""
        if self._items_of is None:
            items: dict[int, list[int]] = {}
            for s in sorted(self.parsed.lead_in):
                nearest = self.colon_lead_in(s)
                if nearest is not None:
                    items.setdefault(nearest, []).append(s)
            self._items_of = {k: tuple(v) for k, v in items.items()}
        return self._items_of.get(lead, ())

    def document_concepts(self):
        """Concepts of every sentence read: the keys of the concept -> sentences map every
        scope's units are built from."""
        return self._sentence_units().sentences.keys()

    def section_concepts(self, first: int) -> frozenset[str]:
        """Concepts of every sentence under the heading trail of sentence `first`."""
        if self._in_section is None:
            found: dict[tuple[str, ...], set[str]] = defaultdict(set)
            for sentence, concepts in zip(self.parsed.sentences, self.hits, strict=True):
                found[sentence.section].update(concepts)
            self._in_section = {k: frozenset(v) for k, v in found.items()}
        return self._in_section[self.parsed.sentences[first].section]

    def lead_in_concepts(self, unit: tuple[int, ...]) -> frozenset[str]:
        """Concepts in the lead-in ending in ':' of the list the unit's first sentence belongs to:
        such an item continues its lead-in's sentence ("to request an AMBER Alert: 1. the child
        is under 16"). A lead-in without the colon may be any earlier paragraph."""
        found = self._lead_in_concepts.get(unit[0])
        if found is None:
            parsed = self.parsed
            found = self._lead_in_concepts[unit[0]] = frozenset().union(
                *(
                    self.hits[s]
                    for s in parsed.lead_in.get(unit[0], ())
                    if opens_list(parsed.text_of(parsed.sentences[s]))
                )
            )
        return found

    def lacks_context(
        self, scope: str, unit_id: int, concepts, *, with_topic: bool = False
    ) -> list[str]:
        """Those of `concepts` found neither in the unit, its section trail, the sentences just
        before it, nor its lead-in (nor, `with_topic`, its chapter's title and headers)."""
        if not concepts:
            return []
        first = self.units(scope)[unit_id][0]
        around = self.surroundings(first)
        topic = self._topic(first) if with_topic else frozenset()
        by_concept = self.unit_index(scope)
        return [
            c
            for c in concepts
            if c not in around and c not in topic and unit_id not in by_concept.get(c, ())
        ]

    def topic_names_all(self, concepts, first: int) -> bool:
        """Whether the title block, running headers and lead paragraph of the chapter sentence
        `first` is in name every one of `concepts` (False for none)."""
        return bool(concepts) and all(c in self._topic(first) for c in concepts)

    def _topic(self, first: int) -> frozenset[str]:
        """Concepts of the title block, running headers and lead paragraph of the chapter."""
        chapter = self.parsed.sentences[first].chapter
        if chapter not in self._topics:
            self._topics[chapter] = frozenset(
                {
                    *self.section_hits.get(topic_key(chapter), {}),
                    *self.section_hits.get(lead_key(chapter), {}),
                }
            )
        return self._topics[chapter]

    def title_concepts(self, chapter: int | None = None) -> frozenset[str]:
        """Concepts any chapter's (or this chapter's) title block or running headers name."""
        numbers = (
            range(len(self.parsed.document.chapter_starts) or 1) if chapter is None else (chapter,)
        )
        return frozenset(
            concept
            for number in numbers
            for concept in self.section_hits.get(topic_key(number), {})
        )

    def surroundings(self, first: int) -> frozenset[str]:
        """The context of a unit beginning at sentence `first`, apart from the unit's own
        concepts: the same for every scope's unit starting there, so it is gathered once."""
        found = self._surroundings.get(first)
        if found is not None:
            return found
        sentence = self.parsed.sentences[first]
        around = set(self.section_hits.get(sentence.section, {}))
        for s in range(max(0, first - CONTEXT_LOOKBACK_SENTENCES), first):
            if self.parsed.sentences[s].block == sentence.block:
                around.update(self.hits[s])
        for s in self.parsed.lead_in.get(first, ()):
            around.update(self.hits[s])
        if ENUMERATED_OBJECT_RE.search(self.parsed.text_of(sentence)):
            # a lead-in whose list enumerates what it acts on ("reviews each of the following
            # calls within ten days:" ... "ABDUCT calls ..."): the items are its context
            for s in self._list_after(sentence):
                around.update(self.hits[s])
        if self.compiled.checklist.title_context:
            around.update(self.section_hits.get(topic_key(sentence.chapter), {}))
        found = self._surroundings[first] = frozenset(around)
        return found


def index_concepts(parsed: ParsedDocument, compiled: CompiledChecklist) -> ConceptIndex:
    """Run the checklist's matchers over every passage and section trail once."""
    sentences = parsed.sentences
    hits: list[dict[str, list[Span]]] = [defaultdict(list) for _ in sentences]
    passage_sentences, sentence_starts = parsed.passage_sentences, parsed.sentence_starts
    expands = compiled.expands
    matches = _match_texts(parsed.docs, parsed.passage_texts, compiled, parsed.offsets)
    for passage_index, concept, start, end in matches:
        position = bisect_right(sentence_starts[passage_index], start) - 1
        if position < 0:
            continue
        sentence = sentences[passage_sentences[passage_index][position]]
        if end > sentence.end:  # a phrase running across a sentence break does not count
            continue
        found, span = hits[sentence.index], (start, end)
        for name in expands[concept]:
            found[name].append(span)
    section_hits: dict[tuple[str, ...], dict[str, list[Span]]] = {
        section: defaultdict(list) for section in parsed.section_docs
    }
    matches = _match_texts(parsed.section_docs, parsed.section_texts, compiled, parsed.offsets)
    for section, concept, start, end in matches:
        for name in compiled.expands[concept]:
            section_hits[section][name].append((start, end))
    _add_defined_terms(parsed, compiled, hits, section_hits)
    labels = _part_labels(parsed)
    _add_section_references(parsed, compiled, hits, labels)
    _drop_own_references(parsed, compiled, hits, labels)
    _add_abbreviations(parsed, compiled, hits, section_hits)
    _add_role_tags(parsed, compiled, hits)
    _add_glossary_roles(parsed, compiled, hits, section_hits)
    _carry_withdrawals(parsed, compiled, hits)
    return ConceptIndex(parsed, compiled, hits, section_hits)


DEFINES_RE = re.compile(
    r"(?:^|[.;:]\s+|\b(?i:an?|the|every|each|any)\s+)"
    r"(?!(?:An?|The|Every|Each|Any)\s)(?P<term>[A-Z][\w-]*[A-Z0-9][\w-]*(?:\s+[A-Z][\w-]*){0,3}|[A-Z][a-z][\w-]*(?:\s+[A-Z][\w-]*){1,3})"
    r"\s+(?:juveniles?|child(?:ren)?|minors?|youths?|cases?|persons?|reports?)\s+"
    r"(?:will|shall|must|is|are)\s+(?:be\s+)?(?:regarded|considered|treated|deemed|handled)\s+as\s+$"
)
"""A document naming a class of its own ("A SPECIAL CATEGORY juvenile will be regarded as" at
risk): a capitalised name before the child noun, then the copula, up to the concept's words."""


ABBREVIATION_IN_PARENS_RE = re.compile(r"\(\s*(?P<abbr>[A-Z][A-Za-z]?[A-Z]{1,5})s?\s*\)")
ABBREVIATION_FIRST_RE = re.compile(
    r"^(?:[A-Za-z0-9]{1,3}[.)]\s+)?(?P<abbr>[A-Z]{2,6})\s*(?:[-–—:]|means)\s+(?P<rest>[^.;]{3,80})"
)
"""An abbreviation the document defines: "Shift Supervisor (SS)", "Public Safety Dispatchers
(PSDs)", or a definition "OIC - Officer in Charge"."""
_ABBREVIATION_WORD = re.compile(r"[A-Za-z][\w'’]*")
_SMALL_WORDS = frozenset({"of", "in", "and", "the", "for", "on", "to", "at"})


def _initials(words: list[str], *, small: bool) -> str:
    letters = []
    for word in words:
        if word.lower() in _SMALL_WORDS and not small:
            continue
        letters.extend(part[0] for part in word.split("-") if part)
    return "".join(letters).upper()


GLOSSARY_ENTRY_RE = re.compile(
    r"^\W*(?:\(?\w{1,3}[.)]\s+)?(?P<term>[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*){0,3})\s*"
    r"(?::|\s[-–—]\s|\s+means\s+)\s*(?P<rest>(?i:the|a|an|any|each)\s.{2,})"
)
"""A glossary entry naming a position: "Floor Lead: the telecommunicator in charge of the floor",
"Intake - the Intake Telecommunicator who answers the line", "OIC means the officer in charge";
a definition opens on an article, so a prompt ('Say: "An officer ..."') or a record's field
("RECOMMENDED UNITS: ALL AVAIL PATROL") is none."""
TAG_LEGEND_RE = re.compile(
    r"\[\s*(?P<tag>[A-Z][A-Z0-9 /&.-]{0,11}?)\s*\]\s+(?P<rest>[^\[\]]{3,80}?)(?=\s*\[|\s*$)"
)
"""One entry of a legend of role tags: "[CT] 9-1-1 Call-Taker [DISP] Police Radio Dispatcher"."""
HEAD_PHRASE_END_RE = re.compile(
    r"[(,;:./]|\s(?:who|whom|that|which|in|on|of|for|to|with|at|from|by|working|assigned|also)\s",
    re.IGNORECASE,
)
"""Where a definition's first noun phrase ends: its head is the last actor named before it
("Police Radio Dispatcher (also works the ACIC terminal)" is a dispatcher, "the Radio Position
working the agency's channel" no agency)."""


def _head_actor(found, actors, carried, start: int, text: str) -> set[str]:
    """The role concepts of the actor heading the noun phrase that opens `text` at `start` (the
    last actor starting before the phrase ends; a longer name holding a shorter one wins:
    "telecommunicator in charge")."""
    end = HEAD_PHRASE_END_RE.search(text, start)
    stop = end.start() if end else len(text)
    spans = [(a, b) for c in actors for a, b in found.get(c, ()) if start <= a < stop]
    spans = [
        (a, b)
        for a, b in spans
        if not any(x <= a and b <= y and (x, y) != (a, b) for x, y in spans)
    ]
    if not spans:
        return set()
    head = max(spans)
    return {
        concept
        for concept, concept_spans in found.items()
        if concept in carried and head in concept_spans
    }


def _role_vocabulary(compiled) -> tuple[set[str], set[str]]:
    """The checklist's actor concepts, and every concept naming a role (what a name carries)."""
    checklist = compiled.checklist
    actors = set(checklist.actors.values())
    roles = actors | {name for name, c in checklist.concepts.items() if c.role_of}
    return actors, set().union(*(compiled.expands.get(c, (c,)) for c in roles))


def _add_glossary_roles(parsed: ParsedDocument, compiled, hits, section_hits) -> None:
    """A position the directive defines in its own words stands for the actor its definition
    names wherever the directive uses it: "Floor Lead: the telecommunicator in charge of the
    floor" makes "Floor Lead told" the communications supervisor told and a "Who" cell "Floor
    Lead" that supervisor's row. Only the words naming who acts carry over."""
    actors, carried = _role_vocabulary(compiled)
    meanings: dict[str, set[str]] = {}
    for index, passage in enumerate(parsed.document.passages):
        if passage.kind not in (PassageKind.LIST_ITEM, PassageKind.PARAGRAPH):
            continue
        entry = GLOSSARY_ENTRY_RE.match(passage.text)
        ids = parsed.passage_sentences.get(index, ())
        if entry is None or not ids:
            continue
        found = hits[ids[0]]
        term_start, term_end = entry.span("term")
        if any(a < term_end and b > term_start for c in actors for a, b in found.get(c, ())):
            continue  # the term is itself an actor's name
        named = _head_actor(found, actors, carried, entry.start("rest"), passage.text)
        if named:
            meanings.setdefault(entry["term"].casefold(), set()).update(named)
    if not meanings:
        return
    names = "|".join(map(re.escape, sorted(meanings, key=len, reverse=True)))
    pattern = re.compile(rf"(?<![\w-])(?:{names})(?![\w-])", re.IGNORECASE)
    _mark_everywhere(
        parsed, hits, section_hits, pattern, lambda match: meanings[match.group().casefold()]
    )


def _add_role_tags(parsed: ParsedDocument, compiled, hits) -> None:
    """A legend of role tags (two or more "[TAG] who" entries in one passage) makes each tag name
    the actor its entry names wherever the directive writes it, in brackets ("Respond to the
    scene. [SGT]") or as the same capitals ("Notify the COMM SUP"): a step list that gives each
    step's doer only as a tag at its end. Only the words naming who acts carry over."""
    actors, carried = _role_vocabulary(compiled)
    meanings: dict[str, set[str]] = {}
    for index, passage in enumerate(parsed.document.passages):
        entries = list(TAG_LEGEND_RE.finditer(passage.text))
        if len(entries) < 2:
            continue
        for entry in entries:
            start = entry.start("rest")
            holder = parsed.sentence_at(index, start)
            if holder is None:
                continue
            named = _head_actor(hits[holder], actors, carried, start, passage.text[: entry.end()])
            if named:
                meanings.setdefault(entry["tag"], set()).update(named)
    if not meanings:
        return
    tags = "|".join(map(re.escape, sorted(meanings, key=len, reverse=True)))
    pattern = re.compile(rf"(?<![\w-])({tags})(?![\w-])")
    # in the text only: a tag names a step's doer, not a heading's topic
    _mark_everywhere(parsed, hits, None, pattern, lambda match: meanings[match.group(1)])


def _expansion(words: list[tuple[int, int, str]], abbr: str, *, before: bool) -> Span | None:
    """The span of the words that `abbr` abbreviates: the last words before "(ABBR)", or the
    first words after "ABBR -", whose initials spell it (small words like "in" counted or not)."""
    for count in range(2, min(len(words), 2 * len(abbr) + 2) + 1):
        chosen = words[-count:] if before else words[:count]
        if not chosen[0][2][:1].isupper():
            continue
        names = [w for _, _, w in chosen]
        if abbr.upper() in (_initials(names, small=False), _initials(names, small=True)):
            return chosen[0][0], chosen[-1][1]
    return None


def _add_abbreviations(parsed: ParsedDocument, compiled, hits, section_hits) -> None:
    """An abbreviation the document defines for someone who acts stands for them wherever it is
    used: "Shift Supervisor (SS)" makes "Notify SS" a supervisor notified, "Public Safety
    Dispatchers (PSDs)" makes "the PSD enters the child" a dispatcher's duty. Only the words
    naming who acts carry over: "Virginia State Police (VSP)" is no clearinghouse, "Department of
    Children's Services (DCS)" no child, wherever the letters are written."""
    actors, carried = _role_vocabulary(compiled)
    passages = parsed.document.passages
    meanings: dict[str, set[str]] = {}
    for sentence, found in zip(parsed.sentences, hits, strict=True):
        text = passages[sentence.passage].text
        spans: list[tuple[str, Span]] = []
        for match in ABBREVIATION_IN_PARENS_RE.finditer(text, sentence.start, sentence.end):
            words = [
                (m.start(), m.end(), m.group())
                for m in _ABBREVIATION_WORD.finditer(text, sentence.start, match.start())
            ][-12:]
            span = _expansion(words, match["abbr"], before=True)
            if span:
                spans.append((match["abbr"], span))
        if match := ABBREVIATION_FIRST_RE.match(text[sentence.start : sentence.end]):
            at = sentence.start + match.start("rest")
            words = [
                (at + m.start(), at + m.end(), m.group())
                for m in _ABBREVIATION_WORD.finditer(match["rest"])
            ]
            span = _expansion(words, match["abbr"], before=False)
            if span:
                spans.append((match["abbr"], span))
        for abbr, (start, end) in spans:
            inside = {
                concept
                for concept, concept_spans in found.items()
                if any(start <= a and b <= end for a, b in concept_spans)
            }
            if inside & actors:
                meanings.setdefault(abbr, set()).update(inside & carried)
    if not meanings:
        return
    pattern = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, meanings)) + r")s?(?![\w-])")
    _mark_everywhere(parsed, hits, section_hits, pattern, lambda match: meanings[match.group(1)])


def _mark_everywhere(parsed: ParsedDocument, hits, section_hits, pattern, names_of) -> None:
    """Add a hit of each concept `names_of(match)` names wherever `pattern` matches, in the
    sentences and, unless `section_hits` is None, in the section texts (a name the document gave
    itself, used anywhere)."""
    texts = parsed.section_texts
    located = [
        (found, parsed.document.passages[sentence.passage].text, sentence.start, sentence.end)
        for sentence, found in zip(parsed.sentences, hits, strict=True)
    ]
    if section_hits is not None:
        located += [
            (section_hits[key], text, 0, len(text))
            for key, text in zip(texts.keys, texts.texts, strict=True)
        ]
    for found, text, start, end in located:
        touched = set()
        for match in pattern.finditer(text, start, end):
            for name in names_of(match):
                found[name].append(match.span())
                touched.add(name)
        for name in touched:
            found[name].sort()


SECTION_REFERENCE_RE = re.compile(
    r"(?<![\w.])(?:[IVX]{1,5}|\d{1,4}(?:-\d{1,4})?)(?:\.(?:[A-Za-z]|\d{1,3})|\([A-Za-z0-9]{1,3}\))+"
    r"(?![\w(])(?!\s*(?:hours?|minutes?|years?|days?|miles?|feet|percent|%))"
)
"""A reference to a numbered part of the same directive: "III.C.", "2.2", "41.03.030(C)",
"7-201(c)"."""


def _label_key(label: str) -> str:
    return re.sub(r"\((\w+)\)", r".\1", label).strip(".").replace("§", "").strip().upper()


def _composed_label(trail: list[str], own: str) -> str | None:
    """The full number of a numbered part ("III.C" for item "C." under "III. DEFINITIONS"): a
    dotted or code number stands alone, a letter or numeral hangs under its parent's."""
    label = ""
    for text in (*trail, own):
        marker = parse_marker(text)
        if marker is None:
            continue
        token = marker.label.strip().strip("().").replace("§", "").strip()
        if marker.style[0] == "dotted" or marker.style == ("word", "§"):
            label = token
        elif marker.style[0] == "word":
            # "Rule 7.3.3", "Section 4.2": a dotted number names the part alone
            number = token.split()[-1]
            label = number if "." in number else ""
        else:
            label = f"{label}.{token}" if label else token
    return _label_key(label) if label else None


def _part_labels(parsed: ParsedDocument) -> dict[str, list[int]]:
    """The full number of every numbered heading and list item of the directive ("III.C",
    "318.03"), each with the passages that carry it."""
    labels: dict[str, list[int]] = {}
    for index, passage in enumerate(parsed.document.passages):
        if passage.kind not in (PassageKind.HEADING, PassageKind.LIST_ITEM):
            continue
        # a heading's trail ends with itself; an item's trail is its parents'
        heading = passage.kind is PassageKind.HEADING
        label = _composed_label(
            list(passage.section[:-1] if heading else passage.section), passage.text
        )
        if label:
            labels.setdefault(_label_key(label), []).append(index)
    return labels


def _add_section_references(parsed: ParsedDocument, compiled, hits, labels) -> None:
    """A reference to the directive's own definition ("ask whether any condition in III.B
    applies", "any circumstance listed in 2.2") carries what that part defines for the
    checklist's `defined_terms` concepts: the call-taker who checks the answers against "III.C."
    checks for the at-risk circumstances defined there."""
    names = set().union(
        *(compiled.expands[c] for c in compiled.checklist.defined_terms if c in compiled.expands)
    )
    if not names:
        return
    defines: dict[str, set[str]] = {}
    for label, indexes in labels.items():
        for index in indexes:
            ids = parsed.passage_sentences.get(index, ())
            found = names.intersection(hits[ids[0]]) if ids else set()
            if found:
                defines.setdefault(label, set()).update(found)
    if not defines:
        return
    passages = parsed.document.passages
    for sentence, found in zip(parsed.sentences, hits, strict=True):
        text = passages[sentence.passage].text
        for match in SECTION_REFERENCE_RE.finditer(text, sentence.start, sentence.end):
            for name in defines.get(_label_key(match.group()), ()):
                if name not in found or all(
                    b <= match.start() or a >= match.end() for a, b in found[name]
                ):
                    found[name].append(match.span())
                    found[name].sort()


def _drop_own_references(parsed: ParsedDocument, compiled, hits, labels) -> None:
    """A pointer to a numbered part of this same directive ("Ask each Critical Missing question
    (see 318.03)") is no cross-reference to another document: what it points to is stated here
    and read where it stands."""
    reference = compiled.checklist.modality.reference
    if not reference or not labels:
        return
    passages = parsed.document.passages
    for sentence, found in zip(parsed.sentences, hits, strict=True):
        spans = found.get(reference)
        if not spans:
            continue
        text = passages[sentence.passage].text
        kept = [
            (start, end)
            for start, end in spans
            if not any(
                _label_key(match.group()) in labels
                for match in SECTION_REFERENCE_RE.finditer(text, start, end)
            )
        ]
        if kept:
            found[reference] = kept
        else:
            del found[reference]


WITHDRAWAL_AFTER_RE = re.compile(
    r"^\W*(?:(?:that|this|the|these|those|such)\s+(?:[\w-]+\s+){0,2}(?:rule|sentence|provision|"
    r"practice|memo|paragraph|wording|language|order|instruction|section|item)s?\b|(?:\w+\W+){0,3}$)",
    re.IGNORECASE,
)
"""A sentence withdrawing the one before it: it names what it withdraws ("That sentence is
withdrawn and is not to be followed") or says no more ("Rescinded in full.")."""


def _carry_withdrawals(parsed: ParsedDocument, compiled, hits) -> None:
    """A rule quoted in one sentence and withdrawn by the next ("Rev. 2 said: '... entered after
    24 hours.' That sentence is withdrawn.") is reported as withdrawn where it is quoted too."""
    withdrawn = compiled.checklist.modality.withdrawn
    if not withdrawn:
        return
    sentences = parsed.sentences
    for s in range(len(sentences) - 1, 0, -1):
        after, before = sentences[s], sentences[s - 1]
        if withdrawn not in hits[s] or after.passage != before.passage:
            continue
        if withdrawn in hits[s - 1]:
            continue
        if WITHDRAWAL_AFTER_RE.match(parsed.text_of(after)):
            hits[s - 1][withdrawn] = [(before.start, before.start)]


def _add_defined_terms(parsed: ParsedDocument, compiled, hits, section_hits) -> None:
    """Names the document defines for a checklist's `defined_terms` concepts count as those
    concepts wherever the document uses them: an agency calls its at-risk class "SPECIAL
    CATEGORY" or "Code Beacon Red", and its duties for that class name only that. A name holding
    the topic's own words ("Missing Child": the checklist's `topic_context` and narrowing
    subject) is no name of its own."""
    concepts = [c for c in compiled.checklist.defined_terms if c in compiled.expands]
    if not concepts:
        return
    checklist = compiled.checklist
    generic = {*checklist.topic_context, *filter(None, [checklist.narrowing.subject])}
    names: dict[str, str] = {}
    for sentence, found in zip(parsed.sentences, hits, strict=True):
        for concept in concepts:
            for start, _ in found.get(concept, ()):
                before = parsed.document.passages[sentence.passage].text[sentence.start : start]
                match = DEFINES_RE.search(before)
                if match is None:
                    continue
                term_at = sentence.start + match.start("term")
                term_end = sentence.start + match.end("term")
                if any(a < term_end and b > term_at for c in generic for a, b in found.get(c, ())):
                    continue
                names.setdefault(match["term"].casefold(), concept)
    if not names:
        return
    pattern = re.compile(
        r"(?<!\w)(?:" + "|".join(re.escape(n) for n in names) + r")(?!\w)", re.IGNORECASE
    )
    _mark_everywhere(
        parsed,
        hits,
        section_hits,
        pattern,
        lambda match: compiled.expands[names[match.group().casefold()]],
    )


def _match_texts(docs: dict, text_set: TextSet, compiled: CompiledChecklist, offsets_cache: dict):
    """(key, concept, start, end) for every match: phrase matchers per doc, then `prefix*` and
    mixed terms tried once per distinct word (at each of its places), then each regex term where
    a word it can start with begins (a scan of the joined text when that is not known). Token
    offsets are cached in `offsets_cache` across checklists."""
    strings = get_nlp().vocab.strings
    for key, doc in docs.items():
        offsets = offsets_cache.get(key)
        for matcher in compiled.matchers:
            for match_id, start, end in matcher(doc):
                if offsets is None:
                    offsets = offsets_cache[key] = _token_bounds(doc)
                yield key, strings[match_id], offsets[0][start], offsets[1][end - 1]
    lowered, words = text_set.lowered, text_set.words
    ranked = []  # (start, rank, concept, end): at one start, the order a scan of each word gives
    for prefix, concepts in compiled.prefixes.items():
        for word in _starting_with(words, prefix):
            for start in text_set.word_starts[word]:
                for order, concept in enumerate(concepts):
                    ranked.append((start, (0, len(prefix), order), concept, start + len(word)))
    for anchor, terms in compiled.anchored.items():
        for word in _starting_with(words, anchor):
            for start in text_set.word_starts[word]:
                for order, (pattern, concept) in enumerate(terms):
                    match = pattern.match(lowered, start)
                    if match and match.end() > start:
                        ranked.append((start, (1, len(anchor), order), concept, match.end()))
    ranked.sort(key=_rank)
    found_spans = [(concept, start, end) for start, _, concept, end in ranked]
    for term in compiled.regexes:
        if term.prefixes:
            places = {
                start
                for prefix in term.prefixes
                for run in _starting_with(text_set.runs, prefix)
                for start in text_set.run_starts[run]
            }
            matches = _matches_at(term.pattern, lowered, sorted(places))
        else:
            matches = term.pattern.finditer(lowered)
        for match in matches:
            if match.end() > match.start():
                found_spans.append((term.concept, match.start(), match.end()))
    for concept, start, end in found_spans:
        located = text_set.locate(start, end)
        if located is not None:
            yield located[0], concept, located[1], located[2]


def _token_bounds(doc: Doc) -> tuple[array, array]:
    """Each token's start and end offset, read without building Token objects and kept as
    machine integers: a list of Python ints per token, held for the whole document, cost
    ~25 MB per MB of text."""
    bounds = doc.to_array([IDX, LENGTH]).astype(numpy.int64)
    starts, ends = array("q"), array("q")
    starts.frombytes(bounds[:, 0].tobytes())
    ends.frombytes((bounds[:, 0] + bounds[:, 1]).tobytes())
    return starts, ends


def _rank(found: tuple) -> tuple:
    return found[0], found[1]


def _starting_with(keys: tuple[str, ...], prefix: str):
    """The sorted `keys` that begin with `prefix`: neighbours, found by bisection."""
    index = bisect_left(keys, prefix)
    while index < len(keys) and keys[index].startswith(prefix):
        yield keys[index]
        index += 1


def _matches_at(pattern: re.Pattern[str], text: str, positions: list[int]):
    """What `pattern.finditer(text)` yields when every match must begin at one of the sorted
    `positions`: a match at each, skipping those inside the previous match."""
    resume = 0
    for position in positions:
        if position < resume:
            continue
        match = pattern.match(text, position)
        if match:
            yield match
            resume = max(match.end(), position + 1)
