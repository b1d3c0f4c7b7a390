"""Document scope: which chapters of a multi-policy document (a whole manual) are its
missing-child policy, so that the matcher judges inside them and nowhere else.

Chapters are told apart by structure alone: numbered policy headings (315.1 ... then 316.1),
policy labels ("Policy 320", "General Order 12-3", "Chapter 41") and running titles naming the
policy ("Missing Persons - 151"); a table of contents gives their titles when there is one. What
a chapter is about is read from its title (and, failing that, from how much of its text is about
missing children) with the vocabulary in `checklists/scope/topics.yaml`. Only regexes over the
passages: the costly parse then runs on the chosen chapters alone.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import yaml

from policy_review.checklist import AUDIENCES
from policy_review.errors import ChecklistError
from policy_review.model import (
    NON_EVIDENCE_KINDS,
    Chapter,
    ChapterReason,
    ChapterStart,
    DirectiveTopic,
    Document,
    DocumentScope,
    EvidenceScope,
    Finding,
    PassageKind,
    StructureSource,
)
from policy_review.resources import bundled_dir

NUMBERED_POLICY_HEADING = re.compile(r"^(\d{3,4})\.\d{1,3}(?:\.\d{1,3})*\.?\s+\S")
"""A section heading numbered inside a policy ("315.5 INITIAL INVESTIGATION"): its first number
is the policy's. Three or four digits, so a directive's own outline ("4.2 Scope") is no policy."""
POLICY_LABEL = re.compile(
    r"^(?:policy|chapter|general\s+order|special\s+order|directive|g\.\s?o\.|"
    r"standard\s+operating\s+procedure|sop)\s*(?:no\.?|number|#)?\s*:?\s*"
    r"(\d[\w.\-]*\w|\d)\b\s*[-–—:.]?\s*(.*)$",
    re.IGNORECASE,
)
"""A line naming a policy by its number ("Policy 320", "General Order 12-3 Missing Persons")."""
POLICY_LABEL_MAX_WORDS = 12
RUNNING_TITLE = re.compile(r"^(\S.*?)\s+[-–—|]\s+(?:page\s+)?(\d{1,4})$", re.IGNORECASE)
"""A running footer or header naming the policy and the page ("Missing Persons - 151")."""
RUNNING_TITLE_MAX_WORDS = 16
_LETTER = re.compile(r"[^\W\d_]")
_DIGITS = re.compile(r"\d+")
HEADER_CHAPTERS_MIN = 3
"""Running headers mark chapters only when at least this many follow one another: a first page
with its own header, or a last page with none, is one directive's, not a manual's."""
TOC_ENTRY = re.compile(r"(\d{3,4})\s*[-–—]\s*([^\W\d_][^.]*?)\s*(?:\.\s*){3,}\d{1,4}")
"""A table-of-contents line for one policy ("315 - Missing Persons . . . . 127")."""
TITLE_LOOKBACK = 10
"""A policy's title lines (its name, "Policy", the page's running lines) come just before its
first numbered heading: at most this many passages, each a heading or a short line."""
TITLE_LINE_MAX_WORDS = 8
OUTLINE_HEADING = re.compile(r"^(?:[IVX]{1,5}|\d{1,2}|[A-Z])[.)]\s")
"""A policy's first outline section ("I. PURPOSE", "1. Policy") ends its title block."""
DOCUMENT_TITLE_PASSAGES = 16
"""A single directive's title block: its first passages (a header table's cells included)."""
BODY_MIN_PASSAGES = 3
BODY_MIN_SHARE = 0.25
"""A chapter whose title names no topic is still read when at least this many of its passages,
and this share of them, are about missing children (a 'Juvenile Procedures' order whose main
part is on runaways)."""
TITLE_TOPIC_MAX_WORDS = 10
"""A section heading this short is a title: its topic terms may stand apart."""
PASSAGE_NEAR_CHARS = 12
"""How close the terms of a passage about missing children stand ("children who are missing")."""
DIRECTIVE_MIN_PASSAGES = 2
"""A document none of whose chapters is named for the topic is still a missing-child directive
when at least this many passages are about missing children (one stray mention is not)."""
OPENING_CHARS = 60
"""A passage outside the chapters read opens on missing children when its first mention of them
starts this early: "Runaway juveniles shall be entered ...", "The deputy shall enter a missing
child ...". A mention further on is an aside: an offence in a list ("... or kidnapping of a
minor"), "ensure that the infant is not a missing child"."""
TICKED_BOX_RE = re.compile(r"\[\s?[xX\u2713\u2714\u2717\u2718]\s?\]|[\u2612\u2611\u2705]")
"""A marked option box ("[X]", "☒", "☑"): a form that marks some boxes adopts only those."""
EMPTY_BOX_RE = re.compile(r"\[\s?\]|\u2610")
"""An unmarked option box ("[ ]", "☐")."""
OPTION_BOX_RE = re.compile(rf"{TICKED_BOX_RE.pattern}|{EMPTY_BOX_RE.pattern}")
"""An option box, marked or not: where one option or check-box item of a form meets the next."""
EMPTY_BOX_OPENING_RE = re.compile(rf"^\s*(?:\(?[\w.]{{1,6}}[.)]?\s+)?(?:{EMPTY_BOX_RE.pattern})")
"""An unmarked box opening a passage, perhaps after its list label ("5. [ ] The child ...")."""
VOCABULARY_FILE = ("scope", "topics.yaml")
DRAFTING_FILE = ("language", "drafting.yaml")
LANGUAGES_FILE = ("language", "languages.yaml")


@dataclass(frozen=True, slots=True)
class Topic:
    id: str
    label: str
    audiences: tuple[str, ...]
    directive: bool  # a chapter on it makes the document a missing-child directive
    title: re.Pattern[str]


@dataclass(frozen=True, slots=True)
class Vocabulary:
    topics: tuple[Topic, ...]
    passage_topic: str
    passage: tuple[re.Pattern[str], ...]  # a passage about the topic holds a term of each
    heading: re.Pattern[str]  # a section heading naming one is about the topic
    other_population: re.Pattern[str]  # a title naming only these is not about children ...
    unless: re.Pattern[str]  # ... unless it names children too

    def names_other_population(self, title: str) -> bool:
        """Whether a title is about another population only ("Missing Vulnerable Adults")."""
        return bool(self.other_population.search(title)) and not self.unless.search(title)


def term_pattern(terms: list[str]) -> re.Pattern[str]:
    """Whole-word phrases, case-insensitive; `word*` is any word beginning with `word`."""
    alternatives = []
    for term in terms:
        words = []
        for word in str(term).lower().split():
            prefix = word.endswith("*")
            words.append(re.escape(word.rstrip("*")) + (r"\w*" if prefix else ""))
        alternatives.append(r"[\s\-]+".join(words))
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE)


def _terms(value, where: str, path: str) -> list[str]:
    if not isinstance(value, list) or not value or not all(isinstance(t, str) for t in value):
        raise ChecklistError(f"{path}: {where} must be a non-empty list of terms")
    return value


def _read_mapping(path: str | None, bundled: tuple[str, ...], what: str, keys: tuple[str, ...]):
    """A YAML file (bundled unless `path`) holding exactly `keys`, and its name for messages;
    unreadable or otherwise shaped, a ChecklistError."""
    file = Path(path) if path else bundled_dir("checklists").joinpath(*bundled)
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ChecklistError(f"cannot read {what} {file}: {exc}") from None
    if not isinstance(data, dict) or set(data) != set(keys):
        names = ", ".join(repr(k) for k in keys)
        raise ChecklistError(f"{file}: needs exactly the keys {names}")
    return data, str(file)


@lru_cache(maxsize=4)
def load_vocabulary(path: str | None = None) -> Vocabulary:
    """The scope vocabulary (bundled unless `path`); a malformed file is a ChecklistError."""
    data, where = _read_mapping(
        path, VOCABULARY_FILE, "scope vocabulary", ("topics", "passage", "other_population")
    )
    topics = []
    for topic_id, body in (data["topics"] or {}).items():
        keys = {"label", "audiences", "directive", "title"}
        if not isinstance(body, dict) or set(body) != keys:
            raise ChecklistError(f"{where}: topic {topic_id} needs exactly {sorted(keys)}")
        audiences = body["audiences"]
        if not isinstance(audiences, list) or not set(audiences) <= set(AUDIENCES):
            raise ChecklistError(f"{where}: topic {topic_id} audiences must be in {AUDIENCES}")
        if not isinstance(body["directive"], bool):
            raise ChecklistError(f"{where}: topic {topic_id} directive must be true or false")
        title = term_pattern(_terms(body["title"], f"topic {topic_id} title", where))
        topics.append(
            Topic(topic_id, str(body["label"]), tuple(audiences), body["directive"], title)
        )
    passage = data["passage"]
    if not isinstance(passage, dict) or set(passage) != {"topic", "all", "heading"}:
        raise ChecklistError(f"{where}: passage needs exactly 'topic', 'all' and 'heading'")
    if passage["topic"] not in {t.id for t in topics}:
        raise ChecklistError(f"{where}: passage topic {passage['topic']!r} is not a topic")
    groups = passage["all"]
    if not isinstance(groups, list) or not groups:
        raise ChecklistError(f"{where}: passage 'all' must be a non-empty list of term lists")
    patterns = tuple(term_pattern(_terms(g, "passage 'all'", where)) for g in groups)
    heading = term_pattern(_terms(passage["heading"], "passage 'heading'", where))
    other = data["other_population"]
    if not isinstance(other, dict) or set(other) != {"names", "unless"}:
        raise ChecklistError(f"{where}: other_population needs exactly 'names' and 'unless'")
    return Vocabulary(
        tuple(topics),
        passage["topic"],
        patterns,
        heading,
        term_pattern(_terms(other["names"], "other_population names", where)),
        term_pattern(_terms(other["unless"], "other_population unless", where)),
    )


@dataclass(frozen=True, slots=True)
class DraftingMarkers:
    """What marks text that states no rule in force (`language/drafting.yaml`)."""

    not_in_force: re.Pattern[str]  # in a passage or a label of its section trail
    history: re.Pattern[str]  # in a section label only: a revision log
    explanation: re.Pattern[str]  # a run-in label opening text that explains a rule
    explanation_heading: re.Pattern[str]  # the same label standing as a heading of its own
    crosswalk_requirement: re.Pattern[str]  # a crosswalk's column of the model's requirements
    crosswalk_agency_text: re.Pattern[str]  # its column of the agency's own text
    crosswalk_assessment: re.Pattern[str]  # its column of the agency's verdict ("MEETS")


@lru_cache(maxsize=4)
def load_drafting_markers(path: str | None = None) -> DraftingMarkers:
    """The markers of text that is no rule (bundled unless `path`); malformed is a
    ChecklistError."""
    data, where = _read_mapping(
        path,
        DRAFTING_FILE,
        "drafting markers",
        ("not_in_force", "history_sections", "explanation_labels", "crosswalk_columns"),
    )
    columns = data["crosswalk_columns"]
    if not isinstance(columns, dict) or set(columns) != {
        "requirement",
        "agency_text",
        "assessment",
    }:
        raise ChecklistError(
            f"{where}: crosswalk_columns needs requirement, agency_text and assessment lists"
        )
    labels = "|".join(
        r"\s+".join(map(re.escape, label.split()))
        for label in _terms(data["explanation_labels"], "explanation_labels", where)
    )
    return DraftingMarkers(
        term_pattern(_terms(data["not_in_force"], "not_in_force", where)),
        term_pattern(_terms(data["history_sections"], "history_sections", where)),
        re.compile(rf"(?:^|(?<=[.!?\])]\s))\s*(?:{labels})\s*:", re.IGNORECASE),
        re.compile(rf"^\s*(?:{labels})\s*:?\s*$", re.IGNORECASE),
        *(
            term_pattern(_terms(columns[key], f"crosswalk_columns.{key}", where))
            for key in ("requirement", "agency_text", "assessment")
        ),
    )


@dataclass(frozen=True, slots=True)
class Languages:
    """Function words that tell a passage's language (`language/languages.yaml`)."""

    min_words: int
    min_marks: int
    english: frozenset[str]
    other: tuple[tuple[str, frozenset[str]], ...]


@lru_cache(maxsize=4)
def load_languages(path: str | None = None) -> Languages:
    """The language markers (bundled unless `path`); malformed is a ChecklistError."""
    data, where = _read_mapping(
        path, LANGUAGES_FILE, "language markers", ("min_words", "min_marks", "english", "other")
    )
    counts = (data["min_words"], data["min_marks"])
    if not all(isinstance(n, int) and n > 0 for n in counts):
        raise ChecklistError(f"{where}: min_words and min_marks must be positive whole numbers")
    other = data["other"]
    if not isinstance(other, dict) or not other:
        raise ChecklistError(f"{where}: other must map each language to its words")
    return Languages(
        *counts,
        frozenset(_terms(data["english"], "english", where)),
        tuple(
            (str(name), frozenset(_terms(words, f"other {name}", where)))
            for name, words in other.items()
        ),
    )


_WORD = re.compile(r"[^\W\d_]+")
LANGUAGE_SAMPLE_CHARS = 400
"""A passage's language shows in its opening words: longer ones are not read to the end."""


def _other_language(document: Document, languages: Languages) -> tuple[tuple[int, str], ...]:
    """Passages written in another language, with its name: the Spanish column of a bilingual
    directive states the English column's rules again in words no checklist reads, so it is
    set aside rather than half-matched (a "teléfono" beside "nunca")."""
    found = []
    for i, passage in enumerate(document.passages):
        if passage.kind in NON_EVIDENCE_KINDS:
            continue
        words = _WORD.findall(passage.text[:LANGUAGE_SAMPLE_CHARS].casefold())
        if len(words) < languages.min_words:
            continue
        english = len(languages.english.intersection(words))
        for name, marks in languages.other:
            count = len(marks.intersection(words))
            if count >= languages.min_marks and count > 2 * english:
                found.append((i, name))
                break
    return tuple(found)


def _explanations(document: Document, markers: DraftingMarkers) -> tuple[tuple[int, int], ...]:
    """Where text explaining a rule begins inside a passage ("... [CALEA 41.2.5a] Commentary: the
    reason for the rule ..."): a paragraph of commentary set under a rule is often read into the
    rule's passage, and it states no rule of its own. (passage, offset) for each; a passage that
    opens with the label is wholly explanation."""
    return tuple(
        (i, label.start())
        for i, passage in enumerate(document.passages)
        if passage.kind not in NON_EVIDENCE_KINDS
        and (label := markers.explanation.search(passage.text))
    )


def _not_in_force(
    document: Document, markers: DraftingMarkers, explanations: tuple[tuple[int, int], ...]
) -> tuple[int, ...]:
    """Passages that state no rule of the agency: a model policy's drafting notes, the options
    the agency did not adopt or deleted (marked in the passage or in its section label, or left
    with an empty box on a form that marks the others), explanation, and a revision log. The
    matcher never reads them, so an option left in the text satisfies nothing and flags nothing;
    the report counts them."""
    marked_sections = {
        section
        for section in {passage.section for passage in document.passages}
        if any(
            markers.not_in_force.search(label)
            or markers.history.search(label)
            or markers.explanation_heading.match(label)  # "Rationale:" made a heading
            for label in section
        )
    }
    # a form that marks some option boxes adopts only those: an option whose box is left empty
    # ("[ ] Option A-1: The entry shall be made immediately ...") is not the agency's policy
    marks_options = any(TICKED_BOX_RE.search(passage.text) for passage in document.passages)
    # a passage that opens with an explanation label (`explanations`) is explanation whole
    explained = {i for i, start in explanations if not document.passages[i].text[:start].strip()}
    restated = _crosswalk_columns(document, markers)
    return tuple(
        i
        for i, passage in enumerate(document.passages)
        if passage.kind not in NON_EVIDENCE_KINDS
        and (
            passage.section in marked_sections
            or markers.not_in_force.search(passage.text)
            or i in explained
            or i in restated
            or (marks_options and EMPTY_BOX_OPENING_RE.match(passage.text))
        )
    )


def _rows(passages, first: int) -> list[list[int]]:
    """The rows of the table whose row starts at passage `first`, each its cells' passages in
    order, up to the first passage outside a table row."""
    rows: list[list[int]] = []
    for i in range(first, len(passages)):
        row = passages[i].row
        if row is None:
            break
        if not rows or passages[rows[-1][0]].row != row:
            rows.append([])
        rows[-1].append(i)
    return rows


def _crosswalk_columns(document: Document, markers: DraftingMarkers) -> set[int]:
    """The cells of a self-audit crosswalk that are not the agency's text: under a header row
    naming a column of requirements and a column of the agency's own text, the requirement
    column's cells and the agency's verdict column's ("MEETS"). A column is told by its place:
    first or last of a row when the header's is (cells merged in between shift the others)."""
    passages = document.passages
    restated: set[int] = set()
    i = 0
    while i < len(passages):
        if passages[i].row is None:
            i += 1
            continue
        rows = _rows(passages, i)
        i += sum(map(len, rows))
        for number, header in enumerate(rows):
            texts = [passages[c].text for c in header]
            kinds = [
                (
                    bool(markers.crosswalk_agency_text.search(t)),
                    bool(markers.crosswalk_requirement.search(t)),
                    bool(markers.crosswalk_assessment.search(t)),
                )
                for t in texts
            ]
            agency = [k for k, (own, _, _) in enumerate(kinds) if own]
            asked = [k for k, (own, req, _) in enumerate(kinds) if req and not own]
            judged = [k for k, (own, req, ass) in enumerate(kinds) if ass and not own and not req]
            if not agency or not asked:
                continue
            edges = {asked[0]} | set(judged)
            for row in rows[number + 1 :]:
                if len(row) < 2:
                    continue
                for column in edges:
                    if column == 0:
                        restated.add(row[0])
                    elif column == len(header) - 1:
                        restated.add(row[-1])
                    elif len(row) == len(header):
                        restated.add(row[column])
            break
    return restated


@dataclass(frozen=True, slots=True)
class _Mark:
    """Where a policy's structure says a policy begins (or continues)."""

    passage: int
    key: str
    title: str


def _numbered_marks(document: Document) -> list[_Mark]:
    marks = []
    for i, passage in enumerate(document.passages):
        if passage.kind is PassageKind.HEADING:
            match = NUMBERED_POLICY_HEADING.match(passage.text)
            if match:
                marks.append(_Mark(i, match.group(1), ""))
    return marks


def _label_marks(document: Document) -> list[_Mark]:
    """Policy labels; a heading's may follow the outline number Word puts before every heading
    of a manual whose heading styles are numbered ("I. Chapter 14 - Missing Child Calls")."""
    marks = []
    passages = document.passages
    for i, passage in enumerate(passages):
        if passage.kind in (PassageKind.TOC, PassageKind.LIST_ITEM):
            continue
        if _row_value(passages, i):
            continue  # "Related | G.O. 41.04, 50.06": a header table's reference, no title
        text = passage.text
        if passage.kind is PassageKind.HEADING:
            text = OUTLINE_HEADING.sub("", text, count=1)
        match = POLICY_LABEL.match(text)  # fails on the first word of most passages
        if match and len(text.split()) <= POLICY_LABEL_MAX_WORDS:
            marks.append(_Mark(i, match.group(1).lower(), match.group(2).strip()))
    return marks


def _row_value(passages, i: int) -> bool:
    """Whether passage `i` is a table cell after the first of its row: a value beside its label
    ("Rescinds | G.O. 41.03 (2019)"), never the policy's own title."""
    passage = passages[i]
    return (
        passage.kind is PassageKind.TABLE_CELL
        and passage.row is not None
        and i > 0
        and passages[i - 1].kind is PassageKind.TABLE_CELL
        and passages[i - 1].row == passage.row
    )


def _running_titles(document: Document) -> dict[int, str]:
    """Passage index -> the policy title a running line on its page names."""
    titles = {}
    for i, passage in enumerate(document.passages):
        text = passage.text
        if passage.kind is PassageKind.TOC or passage.page is None or not text[-1:].isdigit():
            continue
        if len(text.split()) > RUNNING_TITLE_MAX_WORDS:
            continue
        match = RUNNING_TITLE.match(text)
        if match and int(match.group(2)) == passage.page and _LETTER.search(match.group(1)):
            titles[i] = match.group(1).strip()
    return titles


def _running_marks(document: Document, running: dict[int, str]) -> list[_Mark]:
    """A running title marks the first passage of its page."""
    first_on_page: dict[int, int] = {}
    for i, passage in enumerate(document.passages):
        if passage.page is not None:
            first_on_page.setdefault(passage.page, i)
    return [
        _Mark(first_on_page[document.passages[i].page], title.lower(), title)
        for i, title in running.items()
    ]


def _header_marks(document: Document) -> list[_Mark]:
    """A running header that names each chapter (a Word manual whose every chapter is a section
    with its own header; a PDF's page header "Part 3 - Article 3.14 Missing Juveniles"): a mark
    where the lines at the top of a page change, page numbers aside. A header that comes back
    after another (even and odd pages) names no chapter, and then none of them marks one."""
    marks: list[_Mark] = []
    page_tops: dict[int, list[int]] = {}
    previous = None
    for i, passage in enumerate(document.passages):
        if passage.kind is PassageKind.HEADER_FOOTER and passage.page is not None:
            run = page_tops.setdefault(passage.page, [])
            if not run or run[-1] == previous:
                run.append(i)
        previous = i if passage.kind is PassageKind.HEADER_FOOTER else None
    seen: set[str] = set()
    for _, run in sorted(page_tops.items()):
        title = " · ".join(document.passages[i].text for i in run)
        key = _DIGITS.sub("", title).lower()
        if marks and key == marks[-1].key:
            continue
        if key in seen:
            return []
        seen.add(key)
        marks.append(_Mark(run[0], key, title))
    return marks if len(marks) >= HEADER_CHAPTERS_MIN else []


def _toc_titles(document: Document) -> dict[str, str]:
    titles: dict[str, str] = {}
    for passage in document.passages:
        if passage.kind is PassageKind.TOC:
            for match in TOC_ENTRY.finditer(passage.text):
                titles.setdefault(match.group(1), " ".join(match.group(2).split()))
    return titles


def _is_title_line(passage) -> bool:
    """A line that can open a policy: a heading, a running line or a short line (not a list item,
    nor a table-of-contents line, which belongs to the front matter)."""
    if passage.kind in (PassageKind.HEADING, PassageKind.HEADER_FOOTER):
        return not NUMBERED_POLICY_HEADING.match(passage.text)
    return passage.kind not in (PassageKind.LIST_ITEM, PassageKind.TOC) and (
        len(passage.text.split()) <= TITLE_LINE_MAX_WORDS
    )


def _before_page_of(passage, later) -> bool:
    """Whether `passage` is on an earlier page than `later`: a policy's title block is on the page
    of its first section, and the previous page's last lines (its footer "Missing Persons - 9")
    belong to the previous policy."""
    return passage.page is not None and later.page is not None and passage.page < later.page


def _segments(document: Document, marks: list[_Mark], back: bool) -> list[tuple[int, _Mark]]:
    """(first passage, mark) of each policy: a new one wherever the key changes; with `back`,
    its start moves back over the title lines just before its first mark, on the same page."""
    segments: list[tuple[int, _Mark]] = []
    key = None
    for mark in sorted(marks, key=lambda m: m.passage):
        if mark.key == key:
            continue
        key = mark.key
        start = mark.passage
        floor = segments[-1][0] + 1 if segments else 0
        if back:
            while (
                start > floor
                and mark.passage - start < TITLE_LOOKBACK
                and _is_title_line(document.passages[start - 1])
                and not _before_page_of(document.passages[start - 1], document.passages[start])
            ):
                start -= 1
        if segments and segments[-1][0] >= start:
            segments.pop()  # two policy marks with nothing between them: the later one holds
        segments.append((start, mark))
    return segments


def _structure(document: Document) -> tuple[StructureSource, list[tuple[int, _Mark]], dict]:
    """The structure that tells most policies apart (numbered headings first on a tie)."""
    running = _running_titles(document)
    options = [
        (StructureSource.NUMBERED_HEADINGS, _segments(document, _numbered_marks(document), True)),
        (StructureSource.POLICY_LABELS, _segments(document, _label_marks(document), True)),
        (
            StructureSource.RUNNING_TITLES,
            _segments(document, _running_marks(document, running), False),
        ),
        (StructureSource.RUNNING_TITLES, _segments(document, _header_marks(document), False)),
    ]
    source, segments = max(options, key=lambda option: len({m.key for _, m in option[1]}))
    if len({m.key for _, m in segments}) < 2:
        return StructureSource.SINGLE, [], running
    return source, segments, running


def _topic_mentions(text: str, vocabulary: Vocabulary):
    """Each term of the first list with a term of every other list close to it: "a missing
    child", "juveniles who run away" - not "missing" in one clause and "child" in another.
    Yields that match and the other terms' matches."""
    first, *others = vocabulary.passage
    for match in first.finditer(text):
        window = text[max(0, match.start() - PASSAGE_NEAR_CHARS) : match.end() + PASSAGE_NEAR_CHARS]
        near = [pattern.search(window) for pattern in others]
        if all(near):
            yield match, near


def _about_topic(text: str, vocabulary: Vocabulary) -> bool:
    """Whether the text mentions missing children anywhere (see `_topic_mentions`)."""
    if not vocabulary.passage[0].search(text):  # most passages: no generator to set up
        return False
    return next(_topic_mentions(text, vocabulary), None) is not None


def _opens_on_topic(text: str, vocabulary: Vocabulary) -> bool:
    """The passage opens on missing children (see OPENING_CHARS), in words that are not a name:
    in mixed-case text "the Missing Kids Readiness Program" capitalises all its terms."""
    mixed_case = not text.isupper()
    for match, near in _topic_mentions(text[: OPENING_CHARS + PASSAGE_NEAR_CHARS], vocabulary):
        if match.start() > OPENING_CHARS:
            return False
        words = [match.group(), *(m.group() for m in near)]
        if not (mixed_case and all(word[:1].isupper() for word in words)):
            return True
    return False


def _heading_about_topic(heading: str, vocabulary: Vocabulary) -> bool:
    """A section heading about missing children: one naming a `heading` term, one whose terms
    stand close as in a passage, or a title-length one holding a term of every list, however
    far apart ("Missing, Abducted and Sexually Exploited Child Calls"): a title names its topic
    in a few words, so they need not stand together."""
    if vocabulary.heading.search(heading) or _about_topic(heading, vocabulary):
        return True
    return len(heading.split()) <= TITLE_TOPIC_MAX_WORDS and all(
        pattern.search(heading) for pattern in vocabulary.passage
    )


def _itself_about_topic(
    document: Document, topical: tuple[int, ...], vocabulary: Vocabulary, chapters
) -> tuple[int, ...]:
    """The passages that are themselves about missing children, the only ones that count outside
    the chapters read: under a section heading of their own chapter about them (a trail can carry
    an earlier chapter's heading), in no section about another population only; or opening on
    them."""
    passages = document.passages
    itself = {i for i in topical if _opens_on_topic(passages[i].text, vocabulary)}
    other: dict[tuple[str, ...], bool] = {}
    for chapter in chapters:
        about = {
            p.text
            for p in passages[chapter.first : chapter.end]
            if p.kind is PassageKind.HEADING and _heading_about_topic(p.text, vocabulary)
        }
        if not about:
            continue
        for i in range(chapter.first, chapter.end):
            trail = passages[i].section
            if passages[i].kind in NON_EVIDENCE_KINDS or not about.intersection(trail):
                continue
            if trail not in other:
                other[trail] = any(map(vocabulary.names_other_population, trail))
            if not other[trail]:
                itself.add(i)
    return tuple(sorted(itself))


def _pages(document: Document, first: int, end: int) -> tuple[int | None, int | None]:
    pages = [p.page for p in document.passages[first:end] if p.page is not None]
    return (min(pages), max(pages)) if pages else (None, None)


def _title_texts(document: Document, first: int, end: int, mark: _Mark | None, running, toc):
    """Everything that names the chapter: its table-of-contents title, the running titles on
    its pages, its label's title and its title block (the short lines before its first
    section)."""
    texts: list[str] = []
    if mark is not None and mark.key in toc:
        texts.append(toc[mark.key])
    counted = Counter(running[i] for i in range(first, end) if i in running)
    texts.extend(title for title, _ in counted.most_common())
    if mark is not None and mark.title:
        texts.append(mark.title)
    for passage in document.passages[first : min(end, first + TITLE_LOOKBACK)]:
        if NUMBERED_POLICY_HEADING.match(passage.text) or OUTLINE_HEADING.match(passage.text):
            break  # its first section: the title block is over
        if passage.kind is not PassageKind.HEADER_FOOTER and _is_title_line(passage):
            texts.append(passage.text)
        elif passage.kind is not PassageKind.HEADER_FOOTER:
            break
    return texts


def _document_title_texts(document: Document) -> list[str]:
    """What names a single directive: its first short lines (title, a 'Subject' table cell) and
    its running headers and footers; those naming a topic first."""
    texts = [
        p.text
        for p in document.passages[:DOCUMENT_TITLE_PASSAGES]
        if p.kind not in NON_EVIDENCE_KINDS and _is_title_line(p)
    ]
    running = {p.text for p in document.passages if p.kind is PassageKind.HEADER_FOOTER}
    return texts + sorted(running - set(texts))


def _number(document: Document, first: int, end: int, mark, source: StructureSource) -> str:
    """The policy's number: its mark's, or under running titles its first numbered heading's."""
    if mark is not None and source is not StructureSource.RUNNING_TITLES:
        return mark.key
    for passage in document.passages[first:end]:
        match = NUMBERED_POLICY_HEADING.match(passage.text)
        if match and passage.kind is PassageKind.HEADING:
            return match.group(1)
    return ""


def _title(texts: list[str], topic: Topic | None) -> str:
    """The chapter's title as shown: the first text naming its topic, else the first text."""
    named = [t for t in texts if topic is not None and topic.title.search(t)]
    return (named or texts or [""])[0]


def _passage_topic(vocabulary: Vocabulary) -> Topic:
    """The topic a chapter is read for when its text, not its title, is about missing children."""
    return next(t for t in vocabulary.topics if t.id == vocabulary.passage_topic)


def _judge(
    texts: list[str], about: int, evidence: int, vocabulary: Vocabulary
) -> tuple[Topic | None, ChapterReason, tuple[str, ...]]:
    named = [t for t in texts if not vocabulary.names_other_population(t)]
    for topic in vocabulary.topics:
        matched = sorted({m.group().lower() for t in named for m in topic.title.finditer(t)})
        if matched:
            return topic, ChapterReason.TITLE_NAMES_TOPIC, tuple(matched)
    if about >= BODY_MIN_PASSAGES and about >= BODY_MIN_SHARE * evidence:
        return _passage_topic(vocabulary), ChapterReason.TEXT_ABOUT_TOPIC, ()
    return None, ChapterReason.OFF_TOPIC, ()


def _by_sections(document: Document, chapter: Chapter, vocabulary: Vocabulary) -> Chapter:
    """The chapter, set aside by its title and text, read for missing children when a section
    heading of it is about them ("19.04 Missing, Runaway and Abducted Juveniles" in a chapter
    "Juvenile Matters")."""
    if chapter.reason is not ChapterReason.OFF_TOPIC:
        return chapter
    section = next(
        (
            p.text
            for p in document.passages[chapter.first : chapter.end]
            if p.kind is PassageKind.HEADING
            and _heading_about_topic(p.text, vocabulary)
            and not vocabulary.names_other_population(p.text)
        ),
        None,
    )
    if section is None:
        return chapter
    topic = _passage_topic(vocabulary)
    return replace(
        chapter,
        topic=topic.id,
        reason=ChapterReason.SECTION_NAMES_TOPIC,
        matched=(section,),
        audiences=topic.audiences,
    )


def detect_scope(document: Document, vocabulary: Vocabulary | None = None) -> DocumentScope:
    """The document's chapters, those read for each checklist audience, and why, and the
    passages that state no rule in force."""
    vocabulary = vocabulary or load_vocabulary()
    topical = tuple(
        i
        for i, p in enumerate(document.passages)
        if p.kind not in NON_EVIDENCE_KINDS and _about_topic(p.text, vocabulary)
    )
    source, segments, running = _structure(document)
    toc = _toc_titles(document)
    all_audiences = tuple(AUDIENCES)
    if segments and segments[0][0] > 0:  # front matter before the first policy
        segments.insert(0, (0, None))
    ends = [start for start, _ in segments[1:]] + [len(document.passages)] if segments else []
    chapters = []
    for (first, mark), end in zip(segments, ends, strict=True):
        texts = _title_texts(document, first, end, mark, running, toc)
        evidence = [
            i for i in range(first, end) if document.passages[i].kind not in NON_EVIDENCE_KINDS
        ]
        about = sum(1 for i in topical if first <= i < end)
        topic, reason, matched = _judge(texts, about, len(evidence), vocabulary)
        chapters.append(
            Chapter(
                number=_number(document, first, end, mark, source),
                title=_title(texts, topic),
                first=first,
                end=end,
                first_page=_pages(document, first, end)[0],
                last_page=_pages(document, first, end)[1],
                topic=topic.id if topic else "",
                reason=reason,
                matched=matched,
                audiences=topic.audiences if topic else (),
            )
        )
    if source is not StructureSource.SINGLE and not any(
        c.topic == vocabulary.passage_topic and c.reason is ChapterReason.TITLE_NAMES_TOPIC
        for c in chapters
    ):
        # no chapter is titled for missing children: a chapter holding a section on them
        # ("Juvenile Matters" > "19.04 Missing, Runaway and Abducted Juveniles") is their policy
        chapters = [_by_sections(document, c, vocabulary) for c in chapters]
    directive_topics = {t.id for t in vocabulary.topics if t.directive}
    on_topic = any(c.topic in directive_topics for c in chapters)
    if not on_topic:  # one directive, or a manual with no chapter on the topic: read it all
        texts = _document_title_texts(document)
        topic, _, matched = _judge(texts, 0, 0, vocabulary)
        first_page, last_page = _pages(document, 0, len(document.passages))
        reason = (
            ChapterReason.WHOLE_DOCUMENT
            if source is StructureSource.SINGLE
            else ChapterReason.NO_CHAPTER_ON_TOPIC
        )
        chapters = [
            Chapter(
                number="",
                title=_title(texts, topic),
                first=0,
                end=len(document.passages),
                first_page=first_page,
                last_page=last_page,
                topic=topic.id if topic else "",
                reason=reason,
                matched=matched,
                audiences=all_audiences,
            )
        ]
    is_directive = (
        any(c.topic in directive_topics for c in chapters) or len(topical) >= DIRECTIVE_MIN_PASSAGES
    )
    markers = load_drafting_markers()
    explanations = _explanations(document, markers)
    return DocumentScope(
        structure=source,
        chapters=tuple(chapters),
        topical_passages=_itself_about_topic(document, topical, vocabulary, chapters),
        topic=DirectiveTopic.MISSING_CHILD if is_directive else DirectiveTopic.NOT_MISSING_CHILD,
        table_of_contents=bool(toc),
        not_in_force=_not_in_force(document, markers, explanations),
        explanations=explanations,
        other_language=_other_language(document, load_languages()),
    )


def scoped_document(document: Document, scope: DocumentScope, audiences) -> Document:
    """The document as the matcher reads it for these audiences: the chapters read for them and
    the passages elsewhere about missing children, less the text that states no rule (the same
    object when that is all of it, in one chapter), with where each chapter opens, so each is
    read under its own title."""
    read = scope.read(audiences)
    keep = {i for c in read for i in range(c.first, c.end)}
    set_aside = scope.set_aside_passages()
    cut = dict(scope.explanations)
    if len(keep) == len(document.passages) and len(read) <= 1 and not set_aside and not cut:
        return document
    keep.update(scope.outside(audiences))
    keep.difference_update(set_aside)
    kept = sorted(keep)
    firsts = [c.first for c in scope.chapters]  # in order, and together they cover the document
    owners = [scope.chapters[bisect_right(firsts, i) - 1] for i in kept]
    starts = tuple(
        ChapterStart(position, owner in read)
        for position, owner in enumerate(owners)
        if position == 0 or owner is not owners[position - 1]
    )
    passages = tuple(_rule_part(document.passages[i], cut.get(i)) for i in kept)
    return replace(document, passages=passages, chapter_starts=starts)


def _rule_part(passage, explanation: int | None):
    """The passage without the explanation that follows its rule (the same object if none)."""
    if explanation is None:
        return passage
    text = passage.text[:explanation].rstrip()
    return replace(passage, text=text, end=passage.start + len(text))


def mark_outside(
    findings: tuple[Finding, ...], document: Document, scope: DocumentScope, audiences
) -> tuple[Finding, ...]:
    """Findings whose quotes from passages outside the chapters read are marked `outside`."""
    outside = set(scope.outside(audiences))
    if not outside:
        return findings
    starts = [p.start for p in document.passages]

    def marked(evidence):
        if evidence is None or bisect_right(starts, evidence.start) - 1 not in outside:
            return evidence
        return replace(evidence, scope=EvidenceScope.OUTSIDE)

    return tuple(
        replace(
            f,
            evidence=tuple(marked(e) for e in f.evidence),
            near_miss=marked(f.near_miss),
        )
        for f in findings
    )
