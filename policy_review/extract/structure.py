"""Format-independent structure: text clean-up, numbering, headings, section trails, running
headers/footers and paragraph assembly from positioned lines.

Every extractor reduces its format to `Para`s (paragraph-sized text with whatever hints the
format gives: a heading level, a forced kind, bold/large type) and `outline()` turns them into
the (text, page, section, kind, table row) blocks that `build_document` expects. PDF and OCR
first turn positioned `Line`s into `Para`s with `assemble_pages()`.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from itertools import count
from typing import NamedTuple

from policy_review.model import PassageKind

Block = tuple[str, int | None, tuple[str, ...], PassageKind, int | None]

# --- text clean-up --------------------------------------------------------------------------

LIGATURES = {
    "\ufb00": "ff",
    "\ufb01": "fi",
    "\ufb02": "fl",
    "\ufb03": "ffi",
    "\ufb04": "ffl",
    "\ufb05": "st",
    "\ufb06": "st",
}
# Bullet glyphs, including the Symbol/Wingdings private-use code points Word PDFs emit.
BULLET_CHARS = "•◦▪▫●○■□☐☑☒❏❑►▸▶➢➤✓✔❖◆◇⁃∙·"  # with the ballot boxes of forms
PRIVATE_USE_BULLETS = "\uf0b7\uf0a7\uf0d8\uf076\uf0fc\uf0a8\uf06e\uf0de\uf0e0"
BULLET_RE = re.compile(rf"^(?:[{re.escape(BULLET_CHARS)}]\s*|[-–—*+o](?=\s)\s*)")
# Characters that PDF and Word use for dashes, bullets or invisible breaks; mapped so words
# match what a reader sees.
CHARACTER_FIXES = {
    "\u00ad": "",  # soft hyphen
    "\u200b": "",
    "\u200c": "",
    "\u200d": "",
    "\u2060": "",
    "\ufeff": "",
    "\u0002": "-",  # pdfium's marker for a hyphen it found at a line end
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2212": "-",
    **LIGATURES,
    **dict.fromkeys(PRIVATE_USE_BULLETS, "•"),
}
# Control and format characters, and the rest of the private-use area (symbol-font glyphs).
_INVISIBLE_RANGES = (
    "\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2061-\u2064\ue000-\uf8ff"
)
# One scan finds both: fixes are looked up first (the private-use bullets among them survive as
# bullets), anything else found is invisible and dropped. Lines are mostly plain ASCII, and a
# regex scan skips them far faster than a per-character translation table.
_TO_FIX_OR_DROP = re.compile(f"[{re.escape(''.join(CHARACTER_FIXES))}{_INVISIBLE_RANGES}]")
# pdfium joins a word hyphenated across a line end into one line, marking the hyphen U+FFFE.
_LINE_END_HYPHEN = re.compile(r"(?<=[^\W\d_])\ufffe\s*(?=[^\W\d_]*[a-z])")


def clean_text(text: str) -> str:
    """Ligatures, invisible characters and odd spaces normalised; whitespace collapsed."""
    if text.isascii() and text.isprintable():  # most lines: nothing to fix or drop
        return " ".join(text.split())
    if "\ufffe" in text:
        text = _LINE_END_HYPHEN.sub("", text).replace("\ufffe", "-")
    return " ".join(_TO_FIX_OR_DROP.sub(_fixed, text).split())


def _fixed(match: re.Match) -> str:
    return CHARACTER_FIXES.get(match.group(), "")


def strip_bullet(text: str) -> tuple[str, bool]:
    """Remove a leading bullet glyph; report whether there was one (it marks a list item)."""
    match = BULLET_RE.match(text)
    if not match or match.end() == len(text):
        return text, False
    return text[match.end() :], True


# --- numbering --------------------------------------------------------------------------------

ROMAN_VALUES = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}


def roman_to_int(numeral: str) -> int | None:
    total, previous = 0, 0
    for ch in reversed(numeral.lower()):
        value = ROMAN_VALUES.get(ch)
        if value is None:
            return None
        total += -value if value < previous else value
        previous = max(previous, value)
    return total or None


def int_to_roman(value: int) -> str:
    pairs = [
        (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
        (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
    ]  # fmt: skip
    out = []
    for number, numeral in pairs:
        while value >= number:
            out.append(numeral)
            value -= number
    return "".join(out)


def int_to_letters(value: int) -> str:
    """1 -> A, 26 -> Z, 27 -> AA (Word's letter numbering repeats the letter)."""
    value = max(value, 1)
    letter = chr(ord("A") + (value - 1) % 26)
    return letter * ((value - 1) // 26 + 1)


@dataclass(frozen=True, slots=True)
class Marker:
    """A list/outline number at the start of a paragraph, e.g. `IV.`, `(a)`, `318.1.1`."""

    style: tuple  # hashable key: paragraphs with the same style are siblings
    value: int
    label: str  # the marker as written
    rest: str  # text after the marker
    alternatives: tuple[tuple[tuple, int], ...] = ()  # other readings, e.g. `C.` letter/roman


_DOTTED = re.compile(r"^((?:\d{1,4}-)?\d{1,4}(?:\.\d{1,3}){1,5})\.?(?:\s+|$)")
"""`318.1.1`, and `600-11.4` (a directive numbered `600-11` numbers its sections after it)."""
DIVISION_WORDS = ("chapter", "part", "policy", "title")
"""Words that number a whole unit of a manual or directive: its sections live inside it and end
with it, however the sections are numbered."""
_PROSE_SAFE_WORDS = ("section", "article", "chapter", "part")
"""Unit words read as a number whatever follows (as before units were told apart); the others
only when a title or nothing follows."""
ANNEX_WORDS = ("attachment", "appendix", "annex", "exhibit", "addendum")
"""Words that number material added after a directive's body: it ends the body's sections."""
_SECTION_WORD = re.compile(
    r"^(section|article|chapter|part|policy|title|rule|attachment|appendix|annex|exhibit|addendum|§)"
    r"(?:(?<=§)\s*|\s+)(\d{1,4}-\d{1,4}|\d{1,4}(?:\.\d{1,3})*|[ivxlc]{1,6}|[a-z](?=\s*(?:$|[.:]|[-–—]\s)))\b(?:[.:](?!\d)|\s+[-–—](?=\s))?\s*",
    re.IGNORECASE,
)
"""`Chapter 14 Missing Children`, `Article IV:`, `CHAPTER 14 - MISSING CHILDREN` (a spaced dash
separates the number from the title), `Part A - Sworn Members`, `Attachment B`: a lettered
unit only when a title separator or nothing follows the letter (`Part a of ...` is prose).
`§ 7-204. Duties upon report.`: a code's section, a heading only when a title follows."""
_CODE_TITLE = re.compile(r"^[A-Z](?![^.]*\b(?:shall|will|must|may)\b)[^.:]{0,80}\.$")
"""A code section's title: a few words ending in a full stop ("Duties upon report."), no duty."""
_SIMPLE = re.compile(r"^(\(?)([0-9]{1,3}|[A-Za-z]|[ivxlcIVXLC]{1,6})([.)])(?:\s+|$)")
_ABBREVIATION_REST = re.compile(r"^[A-Za-z]\.")
_BOTH_PARENS = re.compile(r"^\(([0-9]{1,3}|[A-Za-z]|[ivxlcIVXLC]{1,6})\)(?:\s*)")
# All four at once: most paragraphs and lines start with prose, and one failed match is cheaper
# than four.
_ANY_MARKER = re.compile(
    f"{_DOTTED.pattern}|(?i:{_SECTION_WORD.pattern})|{_SIMPLE.pattern}|{_BOTH_PARENS.pattern}"
)


def titled(marker: Marker, emphasis: bool = False) -> bool:
    """Whether the text after an outline number reads as a title, not as prose."""
    if heading_cue(marker.rest, emphasis=emphasis, numbered=True):
        return True
    return marker.style == ("word", "§") and bool(_CODE_TITLE.match(marker.rest))


def parse_marker(text: str) -> Marker | None:
    """Read an outline number at the start of `text`; None when it starts with prose."""
    if not _ANY_MARKER.match(text):
        return None
    if match := _DOTTED.match(text):
        label = match.group(1)
        parts = label.split(".")
        return Marker(("dotted", len(parts)), int(parts[-1]), label, text[match.end() :])
    if match := _SECTION_WORD.match(text):
        word, number = match.group(1).lower(), match.group(2)
        if "." in number and word in (*DIVISION_WORDS, *ANNEX_WORDS):
            return None  # `Chapter 6.47` cites a code; a unit's own number is a plain one
        if number[:1].isdigit():  # `Section 15.02`, `§ 7-204`: numbered by its last part
            value = int(re.split(r"[.-]", number)[-1])
        elif len(number) == 1 and number.lower() not in "ivxlc":
            value = ord(number.lower()) - ord("a") + 1
        else:
            value = roman_to_int(number) or 0
        rest = text[match.end() :]
        lettered = not number[:1].isdigit() and len(number) == 1
        # `Policy 320 requires ...`, `Exhibit 4 shows ...` are prose, not a unit's heading
        marker = Marker(("word", word), value, match.group(0).strip(), rest)
        if (word not in _PROSE_SAFE_WORDS or lettered) and rest and not titled(marker):
            return None
        return marker
    paren = False
    if match := _BOTH_PARENS.match(text):
        token, paren = match.group(1), True
    elif match := _SIMPLE.match(text):
        if match.group(1) == "(":  # "(a." is not a marker
            return None
        token = match.group(2)
    else:
        return None
    rest = text[match.end() :]
    if _ABBREVIATION_REST.match(rest):  # "U.S. Code", "A.M. shift": an abbreviation
        return None
    label = match.group(0).strip()
    readings = _readings(token)
    if not readings:
        return None
    prefix = "p" if paren else ""
    styled = tuple(((prefix + kind, _suffix(match, paren)), value) for kind, value in readings)
    (style, value), *others = styled
    return Marker(style, value, label, rest, tuple(others))


# A bullet or any outline number: one match rules out the prose that most lines start with.
_ITEM_START = re.compile(f"{BULLET_RE.pattern}|{_ANY_MARKER.pattern}")


def opens_item(text: str) -> bool:
    """Whether a bullet or an outline number starts `text`: a list item or numbered heading."""
    return _ITEM_START.match(text) is not None and (
        strip_bullet(text)[1] or parse_marker(text) is not None
    )


def opens_wrapped_item(previous: str, text: str, *, previous_full: bool) -> bool:
    """Whether `text`, a line after `previous`, opens a list item or numbered heading.

    A number at the start of a line opens nothing when the line before ran to the margin with
    no clause end and the number is followed by lower-case prose: a cross-reference wrapped
    onto a new line (`... see Section` / `4.2 of this order`), not a list."""
    if not opens_item(text):
        return False
    if not previous_full or previous.endswith((*SENTENCE_END, ";")):
        return True
    marker = parse_marker(text)
    return marker is None or not marker.rest[:1].islower()


def _suffix(match: re.Match, paren: bool) -> str:
    return "()" if paren else match.group(match.lastindex or 0)


def _readings(token: str) -> list[tuple[str, int]]:
    """Possible (numbering kind, value) pairs; `C` may be letter 3 or roman 100."""
    if token.isdigit():
        return [("decimal", int(token))]
    readings = []
    if len(token) == 1:
        kind = "upper" if token.isupper() else "lower"
        readings.append((kind, ord(token.lower()) - ord("a") + 1))
    roman = roman_to_int(token)
    if roman and (token.isupper() or token.islower()):
        kind = "roman" if token.isupper() else "lroman"
        # A lone `I`/`i` after nothing is usually roman one; otherwise a letter reads first.
        if token.lower() == "i":
            readings.insert(0, (kind, roman))
        else:
            readings.append((kind, roman))
    return readings


# --- headings ---------------------------------------------------------------------------------

HEADING_MAX_WORDS = 12
HEADING_MAX_CHARS = 120
HEADING_MIN_LETTERS = 2  # "X" (a close button) is not a heading; "IV" numbering is handled apart
LABEL_MAX_WORDS = 5  # "Missing Persons:" style run-in labels
CAPS_MIN_LETTERS = 3
CAPS_RATIO = 0.8
TITLE_CASE_RATIO = 0.6
TITLE_CASE_MIN_WORD = 4  # short function words ("of", "and") are not expected to be capitalised
TOC_RUN = 3  # this many same-style headings with nothing between them is a table of contents
TOC_HEADING_SHARE = 0.6  # ... allowing a few entries that read as short list items
TOC_TITLE = re.compile(r"^(table of )?contents\b", re.IGNORECASE)
TOC_TAIL_CHARS = 40  # dot leaders and the page number sit at the end of a contents line
TOC_LEADER = re.compile(r"(\.{4,}|…{2,}|(\s\.){4,}|_{4,})\s*\d{1,4}$")
TOC_PAGE_REF = re.compile(r"^\D.*\s\d{1,4}$|^\d{1,4}$")
ABBREVIATION_END = re.compile(r"(?:\betc|\b[A-Z][a-z]{1,3})\.$")
"""A title ending in an abbreviation ("Slide 9 - Sgt.", "Duties of the Det.") ends no sentence."""
_LETTERS = re.compile(r"[^\W\d_]")
_WORD = re.compile(r"[^\W\d_]{3}")  # an item says something: a reference like `(41.2.5a)` does not


def is_title_case(text: str) -> bool:
    words = [w for w in re.findall(r"[^\W\d_][\w'’-]*", text) if len(w) >= TITLE_CASE_MIN_WORD]
    if not words:
        words = re.findall(r"[^\W\d_][\w'’-]*", text)
    if not words or not words[0][0].isupper():
        return False
    return sum(1 for w in words if w[0].isupper()) >= TITLE_CASE_RATIO * len(words)


def heading_cue(text: str, *, emphasis: bool, numbered: bool) -> str | None:
    """Why a one-paragraph line reads as a heading ("caps", "title", "label", "emphasis"), or None.

    Numbered lines need only look like a title; unnumbered lines need stronger evidence (capitals,
    type emphasis, or a short label ending in a colon), so ordinary short sentences stay prose.
    """
    stripped = text.strip()
    if len(stripped) > HEADING_MAX_CHARS:  # before splitting: most paragraphs are long prose
        return None
    words = stripped.split()
    if not words or len(words) > HEADING_MAX_WORDS:
        return None
    if not stripped[0].isalnum() and stripped[0] not in "(\"'“":
        return None
    ends = stripped[-1]
    if ends in ",;":
        return None
    letters = _LETTERS.findall(stripped)
    if len(letters) < HEADING_MIN_LETTERS:
        return None
    caps = len(letters) >= CAPS_MIN_LETTERS and (
        sum(map(str.isupper, letters)) >= CAPS_RATIO * len(letters)
    )
    if ends == "." and not caps and not ABBREVIATION_END.search(stripped):
        return None
    if caps:
        return "caps"
    if ends == ":" and len(words) <= LABEL_MAX_WORDS and is_title_case(stripped):
        return "label"
    if emphasis and stripped[0].isupper() or emphasis and numbered:
        return "emphasis"
    if numbered and is_title_case(stripped):
        return "title"
    return None


def cell_prefix(text: str) -> str | None:
    """Whether a table cell holds only a number (`IV.`: "marker") or a short label (`Issue
    Date:`: "label"); either belongs in front of the next cell of its row."""
    marker = parse_marker(text)
    if marker is not None and not marker.rest.strip():
        return "marker"
    if text.endswith(":") and len(text.split()) <= LABEL_MAX_WORDS:
        return "label"
    return None


# --- paragraphs in, blocks out ----------------------------------------------------------------


@dataclass(slots=True)
class Para:
    """A paragraph as read from the file, with the format's hints about its role."""

    text: str
    page: int | None = None
    kind: PassageKind | None = None  # forced kind (header/footer, table cell, list item, TOC)
    heading_level: int | None = None  # explicit level from Word styles, HTML h1-h6, markdown #
    emphasis: bool = False  # bold or larger type over the whole paragraph
    size: float = 0.0  # font size, so same-looking unnumbered headings are siblings
    style: tuple | None = None  # explicit numbering style (Word numbering definitions)
    bullet: bool = False
    aside: bool = False  # hidden or pop-up text: placed in the current section, opens nothing
    run_in: bool = False  # a bold label split off its paragraph: heads that paragraph only
    row: int | None = None  # a table cell's row (numbered per document): see `Passage.row`


@dataclass(slots=True)
class _Candidate:
    para: Para
    text: str
    kind: PassageKind
    style: tuple | None = None
    value: int = 0
    label: str = ""
    alternatives: tuple = ()

    def block(self, section: tuple[str, ...]) -> Block:
        """The paragraph as `build_document` takes it, under `section`."""
        return (self.text, self.para.page, section, self.kind, self.para.row)

    def readings(self) -> list[tuple]:
        """Each (style, value) its marker can be read as: `i.` is a letter or a roman one."""
        return [(self.style, self.value), *self.alternatives]


class _Entry(NamedTuple):
    style: tuple
    label: str
    value: int
    item: bool  # a numbered list item, not a heading


RUN_IN_STYLE = ("run-in",)


class SectionTrail:
    """Heading stack: a style seen before closes everything opened after it (outline rule).

    A new style nests under the current one, so `IV.` > `B.` > `1.` builds the trail without
    knowing in advance which numbering a given agency uses for which level. Numbered list items
    enter the trail too (a sub-list sits under its item), but prose after a list is placed
    under the heading, not under the last item.
    """

    def __init__(self) -> None:
        self._stack: list[_Entry] = []
        self._unit_order: list[str] = []  # unit words, outermost (first met) first

    @property
    def trail(self) -> tuple[str, ...]:
        return tuple(entry.label for entry in self._stack)

    def resolve(self, candidate: _Candidate) -> tuple[tuple, int]:
        """Pick the reading of an ambiguous marker that continues an open sequence."""
        readings = candidate.readings()
        for style, value in readings:
            for entry in reversed(self._stack):
                if entry.style == style and value == entry.value + 1:
                    return style, value
        for style, value in readings:
            if self.is_open(style):
                return style, value
        return readings[0]

    def open(self, style: tuple, label: str, value: int = 0, *, item: bool = False) -> None:
        if _opens_unit(style) and not item:
            self._close_for_unit(style[1])
        for index, entry in enumerate(self._stack):
            if entry.style == style:
                del self._stack[index:]
                break
        else:
            if style[0] == "level":  # an explicit level closes everything at or below it
                while self._stack and not (
                    self._stack[-1].style[0] == "level" and self._stack[-1].style[1] < style[1]
                ):
                    self._stack.pop()
        self._stack.append(_Entry(style, label, value, item))

    def _close_for_unit(self, word: str) -> None:
        """A chapter, part or policy heading ends every section opened inside the previous unit,
        keeping only the units that hold it: those named by a word met earlier in the document
        (a manual's `Chapter 4` holds its `Policy 414`s). An annex ends everything inside the
        directive it follows: it stays in that chapter or policy, not in its last part."""
        if word not in self._unit_order and word not in ANNEX_WORDS:
            self._unit_order.append(word)

        def holds(entry: _Entry) -> bool:
            if not _opens_unit(entry.style) or entry.item or entry.style[1] in ANNEX_WORDS:
                return False
            outer = entry.style[1]
            if word in ANNEX_WORDS:
                return outer != "part"
            return self._unit_order.index(outer) < self._unit_order.index(word)

        while self._stack and not holds(self._stack[-1]):
            self._stack.pop()

    def heading_trail(self) -> tuple[str, ...]:
        """The trail without trailing list items: where prose after a list belongs."""
        end = len(self._stack)
        while end and self._stack[end - 1].item:
            end -= 1
        return tuple(entry.label for entry in self._stack[:end])

    def resumes(self, after: list[_Candidate]) -> bool:
        """Whether the numbered paragraph in `after` continues an open list: a labelled note set
        inside a list ("NOTE: ..." between items 1 and 2) leaves the list, and the lead-in that
        governs its items, open."""
        if not after or after[0].style is None or after[0].kind is PassageKind.HEADING:
            return False
        return any(
            entry.item and entry.style == style and value == entry.value + 1
            for entry in self._stack
            for style, value in after[0].readings()
        )

    def is_open(self, style: tuple) -> bool:
        return any(entry.style == style for entry in self._stack)

    def close_items(self) -> None:
        """End the open list items (a heading or an unnumbered heading starts a section)."""
        while self._stack and self._stack[-1].item:
            self._stack.pop()

    def close_run_in(self) -> None:
        """A run-in label heads one paragraph: it closes after it, and before any heading."""
        if any(entry.style == RUN_IN_STYLE for entry in self._stack):
            while self._stack.pop().style != RUN_IN_STYLE:
                pass

    def close_for_plain_heading(self, style: tuple) -> None:
        """An unnumbered heading ends open list items, and closes unnumbered headings set in
        the same or smaller type: type size, weight and capitals rank them, not first use."""
        self.close_items()
        while self._stack and self._stack[-1].style[0] == "plain":
            if _plain_rank(self._stack[-1].style) > _plain_rank(style):
                break
            self._stack.pop()

    def close_plain_headings(self, size_key: tuple) -> None:
        """A numbered heading that starts a new numbering closes unnumbered headings that look
        the same (`DEFINITIONS` then `I. PROCEDURE` are siblings, not parent and child)."""
        while self._stack and self._stack[-1].style[0] == "plain":
            if self._stack[-1].style[2:] != size_key:
                break
            self._stack.pop()


TRAIL_ITEM_WORDS = 6


def trail_label(text: str, words: int = TRAIL_ITEM_WORDS) -> str:
    """A list item shown in a trail: its number and first words, not the whole paragraph."""
    parts = text.split()
    label = " ".join(parts[:words])
    return label if len(parts) <= words else label + " …"


def _classify(para: Para) -> _Candidate:
    text, bullet = strip_bullet(para.text)
    bullet = bullet or para.bullet
    if para.kind in (PassageKind.HEADER_FOOTER, PassageKind.TOC):
        return _Candidate(para, text, para.kind)
    if para.run_in:
        return _Candidate(para, text, PassageKind.HEADING, RUN_IN_STYLE)
    if text[-1:].isdigit() and TOC_LEADER.search(text[-TOC_TAIL_CHARS:]):
        return _Candidate(para, text, PassageKind.TOC)
    if para.heading_level is not None:
        return _Candidate(para, text, PassageKind.HEADING, ("level", para.heading_level))
    default = para.kind or PassageKind.PARAGRAPH
    if bullet:
        return _Candidate(para, text, PassageKind.LIST_ITEM)
    marker = parse_marker(text)
    if marker is not None and not marker.rest and _opens_unit(marker.style):
        # `CHAPTER 5`, `Attachment A` alone on a line: the unit's title follows, or is the label
        return _Candidate(para, text, PassageKind.HEADING, marker.style, marker.value, text)
    if marker is not None and marker.rest:
        style = para.style or marker.style
        # a table's cells label its own rows and columns, never the text after the table
        heading = titled(marker, para.emphasis) and para.kind is not PassageKind.TABLE_CELL
        kind = PassageKind.HEADING if heading else PassageKind.LIST_ITEM
        alternatives = () if para.style else marker.alternatives
        return _Candidate(para, text, kind, style, marker.value, marker.label, alternatives)
    if para.style is not None:  # Word numbering with a format that writes no number
        cue = heading_cue(text, emphasis=para.emphasis, numbered=True)
        kind = PassageKind.HEADING if cue else PassageKind.LIST_ITEM
        return _Candidate(para, text, kind, para.style)
    cue = (
        None
        if para.kind is PassageKind.TABLE_CELL
        else heading_cue(text, emphasis=para.emphasis, numbered=False)
    )
    if cue:
        style = ("plain", cue, *_size_key(para))
        return _Candidate(para, text, PassageKind.HEADING, style)
    return _Candidate(para, text, default)


def _opens_unit(style: tuple | None) -> bool:
    """Whether a numbering style names a whole unit (chapter, part, policy) or an annex."""
    return bool(style) and style[0] == "word" and style[1] in (*DIVISION_WORDS, *ANNEX_WORDS)


def _opens_chapter(style: tuple | None) -> bool:
    """Whether a numbering style names a whole unit of a manual (chapter, policy, title)."""
    return bool(style) and style[0] == "word" and style[1] in DIVISION_WORDS and style[1] != "part"


def _plain_rank(style: tuple) -> tuple:
    """("plain", cue, size, emphasis) -> comparable prominence."""
    return (style[2], style[3], style[1] == "caps")


def _size_key(para: Para) -> tuple:
    return (round(para.size), para.emphasis)


def _mark_tables_of_contents(candidates: list[_Candidate]) -> None:
    """Runs of short same-style numbered headings with no text between them, and lines after a
    `Contents` title on the same page, are a table of contents: not structure, not evidence."""
    run: list[_Candidate] = []

    def flush() -> None:
        headings = sum(1 for item in run if item.kind is PassageKind.HEADING)
        if headings >= TOC_RUN and headings >= TOC_HEADING_SHARE * len(run):
            for item in run:
                item.kind = PassageKind.TOC
        run.clear()

    for candidate in candidates:
        if candidate.kind is PassageKind.HEADER_FOOTER:
            continue
        numbered = bool(candidate.label) and len(candidate.text.split()) <= HEADING_MAX_WORDS
        if numbered and run and _continues_numbering(run[-1], candidate):
            run.append(candidate)
            continue
        flush()
        if numbered:
            run.append(candidate)
    flush()

    in_toc_page: int | None | bool = False
    listed: dict[tuple, int] = {}  # numbering style -> last value listed in the contents
    for candidate in candidates:
        if candidate.kind is PassageKind.HEADER_FOOTER:
            continue
        page = candidate.para.page
        if TOC_TITLE.match(candidate.text) and len(candidate.text.split()) <= 3:
            candidate.kind = PassageKind.TOC
            in_toc_page, listed = page, {}
            continue
        if in_toc_page is not False:
            same_page = page == in_toc_page if page is not None else True
            restarts = candidate.label and listed.get(candidate.style, 0) >= candidate.value > 0
            if (
                same_page
                and not restarts
                and (page is not None or TOC_PAGE_REF.match(candidate.text))
            ):
                candidate.kind = PassageKind.TOC
                if candidate.label:
                    listed[candidate.style] = candidate.value
            else:
                in_toc_page = False
                if restarts and candidate.kind is PassageKind.TOC:  # marked by the run above
                    candidate.kind = _classify(candidate.para).kind


def _continues_numbering(previous: _Candidate, candidate: _Candidate) -> bool:
    """Same numbering, counting on: a contents list ends where the numbering starts again (the
    body's first heading repeats the first entry's number)."""
    return previous.style == candidate.style and candidate.value > previous.value


TITLE_LINE_MAX_WORDS = HEADING_MAX_WORDS


def _title_block(candidates: list[_Candidate]) -> set[int]:
    """Indexes of the unnumbered headings and short lines that open the document (agency name,
    directive type, subject, `Policy 332`): they title the whole document, so they head no
    section trail. A part is a division inside the directive, never its title.
    A heading followed by a sentence is a section heading, and ends the title block; so does a
    unit heading numbered like a later one (`CHAPTER 14 ...` before `CHAPTER 15 ...`): it opens
    the first chapter of a manual, whose sections it heads as every later chapter's heading
    does."""
    content = [
        (index, candidate)
        for index, candidate in enumerate(candidates)
        if candidate.kind not in (PassageKind.HEADER_FOOTER, PassageKind.TOC)
    ]
    unit_styles = Counter(
        candidate.style
        for _, candidate in content
        if candidate.kind is PassageKind.HEADING and _opens_chapter(candidate.style)
    )
    first_page = content[0][1].para.page if content else None
    block: set[int] = set()
    for position, (index, candidate) in enumerate(content):
        if candidate.para.page != first_page or candidate.para.heading_level is not None:
            break
        plain_heading = candidate.kind is PassageKind.HEADING and (
            not candidate.label or _opens_unit(candidate.style) and candidate.style[1] != "part"
        )
        short_line = candidate.style is None and len(candidate.text.split()) <= TITLE_LINE_MAX_WORDS
        if not (plain_heading or short_line):
            break
        if (
            candidate.kind is PassageKind.HEADING
            and _opens_chapter(candidate.style)
            and unit_styles[candidate.style] > 1
        ):
            break
        following = content[position + 1][1] if position + 1 < len(content) else None
        if plain_heading and following is not None and _is_sentence(following):
            break
        block.add(index)
    return block


def _is_sentence(candidate: _Candidate) -> bool:
    return candidate.kind is not PassageKind.HEADING and candidate.text.endswith((".", "!", "?"))


LEAD_IN_ITEM_MAX_WORDS = 15


def is_lead_in(text: str) -> bool:
    """A sentence that introduces a list: it ends in a colon after more than a label's words,
    in sentence case (`The call-taker shall obtain:`; `Procedure:` and a form's `Effective
    Date:` are labels). Stricter than `match.index.opens_list` on purpose: here it turns the
    unmarked short lines after it into list items, which a label's lines are not."""
    return text.endswith(":") and len(text.split()) > LABEL_MAX_WORDS and not is_title_case(text)


def _is_short_item(text: str) -> bool:
    """A line short enough to be one item of a list: a few words, one clause at most."""
    words = text.split()
    return (
        len(words) <= LEAD_IN_ITEM_MAX_WORDS
        and ". " not in text.rstrip(".")
        and _WORD.search(text) is not None
    )


def _mark_lead_in_items(candidates: list[_Candidate]) -> None:
    """Short unmarked paragraphs right after a colon lead-in are its list items (`The
    call-taker shall obtain:` / `the child's name` / `clothing`): layout sets them apart as
    lines, without bullets or numbers."""
    lead_in = False
    for candidate in candidates:
        if candidate.kind in (PassageKind.HEADER_FOOTER, PassageKind.TOC):
            continue
        if (
            lead_in
            and candidate.kind is PassageKind.PARAGRAPH
            and candidate.style is None
            and _is_short_item(candidate.text)
        ):
            candidate.kind = PassageKind.LIST_ITEM
            continue
        lead_in = candidate.kind in (PassageKind.PARAGRAPH, PassageKind.LIST_ITEM) and is_lead_in(
            candidate.text
        )


REDLINE_DELETED = re.compile(
    r"\[\s*(?:deleted|deletion|removed|struck)\s*:[^\[\]]*\]"
    r"|<<\s*(?:deleted|deletion|removed|struck)\s*:[^<>]*>>",
    re.IGNORECASE,
)
REDLINE_INSERTED = re.compile(
    r"\[\s*(?:inserted|insertion|added|new text)\s*:\s*([^\[\]]*)\]"
    r"|<<\s*(?:inserted|insertion|added|new text)\s*:\s*([^<>]*)>>",
    re.IGNORECASE,
)
"""A redline whose strike-through was lost in export marks its edits in the text: "[DELETED:
...]", "[INSERTED: ...]", "<<added: ...>>"."""
_SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([,.;:)])")


def accept_redline(paras: list[Para]) -> tuple[list[Para], bool]:
    """The paragraphs as if every marked edit were accepted, as Word's tracked changes are
    read: deleted text dropped (a paragraph left empty goes), inserted text kept without its
    mark; and whether any mark was found."""
    accepted, changed = [], False
    for para in paras:
        if "[" not in para.text and "<<" not in para.text:
            accepted.append(para)
            continue
        text = REDLINE_INSERTED.sub(
            lambda m: m.group(1) or m.group(2) or "", REDLINE_DELETED.sub("", para.text)
        )
        if text != para.text:
            changed = True
            text = _SPACE_BEFORE_PUNCTUATION.sub(r"\1", " ".join(text.split()))
            if not text:
                continue
            para = replace(para, text=text)
        accepted.append(para)
    return accepted, changed


def outline(paras: list[Para]) -> list[Block]:
    """Classify paragraphs and attach the heading trail each one sits under."""
    candidates = [_classify(p) for p in paras if p.text.strip()]
    _mark_tables_of_contents(candidates)
    _mark_lead_in_items(candidates)
    title_block = _title_block(candidates)
    trail = SectionTrail()
    blocks: list[Block] = []
    for index, candidate in enumerate(candidates):
        kind = candidate.kind
        if index in title_block:
            blocks.append(candidate.block(()))
            continue
        if candidate.para.aside and kind is not PassageKind.HEADER_FOOTER:
            blocks.append(candidate.block(trail.heading_trail()))
            continue
        if kind is PassageKind.HEADER_FOOTER:
            blocks.append(candidate.block(()))
            continue
        if kind is PassageKind.TOC:
            blocks.append(candidate.block(trail.trail))
            continue
        if kind is PassageKind.HEADING:
            trail.close_run_in()
            if candidate.style == RUN_IN_STYLE:  # heads the paragraph after it, nothing more
                if not trail.resumes(candidates[index + 2 : index + 3]):
                    trail.close_items()
                trail.open(RUN_IN_STYLE, candidate.text.rstrip(":").strip())
                blocks.append(candidate.block(trail.trail))
                continue
            style, value = trail.resolve(candidate) if candidate.label else (candidate.style, 0)
            if not trail.is_open(style):
                trail.close_items()  # a heading starts a section: no list item holds it
            if candidate.label and not trail.is_open(style):
                trail.close_plain_headings(_size_key(candidate.para))
            elif style and style[0] == "plain":
                trail.close_for_plain_heading(style)
            trail.open(style, candidate.text.rstrip(":").strip(), value)
            blocks.append(candidate.block(trail.trail))
            continue
        if candidate.style is not None:  # a numbered item: its sub-items sit under it
            style, value = trail.resolve(candidate)
            trail.open(style, trail_label(candidate.text), value, item=True)
            section = trail.trail[:-1]
        elif kind is PassageKind.LIST_ITEM:
            section = trail.trail
        else:
            section = trail.heading_trail()
        blocks.append(candidate.block(section))
        trail.close_run_in()
    return blocks


# --- positioned lines (PDF, OCR) ---------------------------------------------------------------


@dataclass(slots=True)
class Line:
    """One text line on a page; coordinates in points with y growing downward from the top."""

    text: str  # whitespace-normalised by clean_text: no newline, no leading or trailing space
    top: float
    bottom: float
    left: float
    right: float
    size: float = 0.0
    bold: bool = False
    new_block: bool = False  # the source says a new paragraph starts here (OCR paragraphs)
    side_head: bool = False  # a heading set in the margin column beside its text
    second_at: int = 0  # a row merged from pieces cut at a wide gap: where the second begins
    second_left: float = 0.0  # ... and its left edge
    run_in: str = ""  # a bold label opening the line, ended by `.` or `:`, before plain text


@dataclass(slots=True)
class Table:
    """A ruled table found on a page: its box (points from the top) and its rows of cells,
    each cell a list of paragraphs."""

    top: float
    bottom: float
    left: float
    right: float
    rows: list[list[list[str]]]

    def holds(self, line: Line) -> bool:
        middle = (line.top + line.bottom) / 2
        return (
            self.top <= middle <= self.bottom and line.left < self.right and line.right > self.left
        )


@dataclass(slots=True)
class Page:
    number: int
    width: float
    height: float
    lines: list[Line] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


def _cell_paras(table: Table, page: int, rows: Iterator[int]) -> list[Para]:
    """Table cells row by row, each row numbered from `rows`; a cell holding only a number or a
    label prefixes the next."""
    paras: list[Para] = []
    for row in table.rows:
        number = next(rows)
        prefix = ""
        for cell in row:
            if len(cell) == 1 and cell_prefix(cell[0]) is not None:
                prefix = f"{prefix} {cell[0]}".strip()
                continue
            for index, text in enumerate(cell):
                text = f"{prefix} {text}" if prefix and index == 0 else text
                paras.append(Para(text, page, PassageKind.TABLE_CELL, row=number))
            prefix = "" if cell else prefix
        if prefix:
            paras.append(Para(prefix, page, PassageKind.TABLE_CELL, row=number))
    return paras


HF_ZONE = 0.14  # top and bottom share of the page where running headers/footers live
HF_OUTER = 0.08  # ... and the outer band, beyond the usual 1-inch margin, where they start
HF_MIN_PAGES = 2
HF_MIN_SHARE = 0.5  # a running line repeats on at least half the pages...
HF_RUN_PAGES = 3  # ... or on this many pages in a row: a chapter's own header inside a manual
HF_EDGE_LINES = 6  # only this many lines from each edge are header/footer candidates
PAGE_NUMBER = re.compile(
    r"^(?:[-–—]\s*)?(?:page\s*)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?(?:\s*[-–—])?$", re.IGNORECASE
)
EXPLICIT_PAGE_NUMBER = re.compile(r"^page\s+\d{1,4}\s+of\s+\d{1,4}$", re.IGNORECASE)
PAGE_NUMBER_ANYWHERE = re.compile(r"\bpage\s+\d{1,4}(\s+of\s+\d{1,4})?\b", re.IGNORECASE)
_DIGITS = re.compile(r"\d+")


def _running_key(text: str) -> str:
    return _DIGITS.sub("#", " ".join(text.lower().split()))


def _edge_runs(page: Page) -> tuple[list[int], list[int]]:
    """Indexes of the lines nearest the top edge (outermost first) and the bottom edge."""
    tops = [line.top for line in page.lines]
    order = sorted(range(len(tops)), key=tops.__getitem__)
    top_zone = page.height * HF_ZONE
    bottom_zone = page.height * (1 - HF_ZONE)
    top = [i for i in order[:HF_EDGE_LINES] if page.lines[i].top <= top_zone]
    bottom = [i for i in reversed(order[-HF_EDGE_LINES:]) if page.lines[i].bottom >= bottom_zone]
    return top, bottom


TRAILING_PAGE_NUMBER = re.compile(r"^(.*\S)\s+(page\s+\d{1,4}\s+of\s+\d{1,4})$", re.IGNORECASE)


def split_page_numbers(page: Page) -> None:
    """`... G Yes G No  Page 2 of 2`: a page number printed on the same baseline as body text
    is split off so it can be set apart as page furniture."""
    lines: list[Line] = []
    for line in page.lines:
        # Line texts are whitespace-normalised, so the number must be the last character: that
        # test rules out nearly every line before the costlier regex.
        match = TRAILING_PAGE_NUMBER.match(line.text) if line.text[-1:].isdigit() else None
        if match:
            lines.append(replace(line, text=match.group(1)))
            lines.append(replace(line, text=match.group(2), new_block=True))
        else:
            lines.append(line)
    page.lines = lines


def find_running_lines(pages: list[Page]) -> list[set[int]]:
    """Line indexes of running headers/footers and page numbers, one set for each page.

    A line near a page edge is running when its text (digits ignored, so `Page 3 of 9` matches
    `Page 4 of 9`) recurs near the edge of enough pages, or of consecutive pages (a manual's
    chapters each carry their own: "Missing Persons - 134"); a bare page number near an edge,
    and `Page N of M` anywhere (forms embedded as pages carry their own), always are.
    """
    edges = [_edge_runs(page) for page in pages]
    edge_keys = [
        {_running_key(page.lines[i].text) for i in top + bottom}
        for page, (top, bottom) in zip(pages, edges, strict=True)
    ]
    seen: Counter[str] = Counter()
    for keys in edge_keys:
        seen.update(keys)
    needed = max(HF_MIN_PAGES, HF_MIN_SHARE * len(pages))
    running = [
        {
            li
            for li, line in enumerate(page.lines)
            # (a page number ends the line: testing that first spares most lines the regex)
            if line.text[-1:].isdigit() and EXPLICIT_PAGE_NUMBER.match(line.text)
        }
        for page in pages
    ]
    for index, (page, page_running, (top, bottom)) in enumerate(
        zip(pages, running, edges, strict=True)
    ):
        outer_top, outer_bottom = page.height * HF_OUTER, page.height * (1 - HF_OUTER)
        for run, at_top in ((top, True), (bottom, False)):
            # Running lines form one block from the edge inward: a repeated line further in
            # is body text that happens to recur (identical pages), not a header.
            for i in run:
                line = page.lines[i]
                key = _running_key(line.text)
                repeated = seen[key] >= needed or _in_page_run(key, edge_keys, index)
                numbered = PAGE_NUMBER.match(line.text) or (
                    PAGE_NUMBER_ANYWHERE.search(line.text)
                    and len(line.text.split()) <= HEADING_MAX_WORDS
                )
                if not (repeated or numbered):
                    outer = line.top <= outer_top if at_top else line.bottom >= outer_bottom
                    if outer:
                        continue  # a one-off line at the very edge (a stamp) may sit outside
                    break
                page_running.add(i)
    return running


def _in_page_run(key: str, edge_keys: list[set[str]], index: int) -> bool:
    """Whether `key` is at the page edge on HF_RUN_PAGES pages in a row that include `index`."""
    for start in range(index - HF_RUN_PAGES + 1, index + 1):
        window = edge_keys[max(start, 0) : start + HF_RUN_PAGES]
        if start >= 0 and len(window) == HF_RUN_PAGES and all(key in keys for keys in window):
            return True
    return False


COLUMN_MIN_GUTTER = 12.0  # points of clear space between side-by-side columns or cells
COLUMN_MIN_ROWS = 3  # rows with text on both sides of a gutter before it counts as columns
COLUMN_MIN_WIDTH_SHARE = 0.25  # columns of prose are wide; label/value tables are not


def _merge_row(row: list[Line]) -> Line:
    first = row[0]
    return Line(
        " ".join(s.text for s in row),
        top=min(s.top for s in row),
        bottom=max(s.bottom for s in row),
        left=min(s.left for s in row),
        right=max(s.right for s in row),
        size=first.size,
        bold=first.bold,  # a line that starts in bold (a run-in term) starts a paragraph
        run_in=first.run_in or (_run_in_label(first) if len(row) > 1 and not row[1].bold else ""),
        second_at=len(first.text) + 1 if len(row) > 1 else 0,
        second_left=row[1].left if len(row) > 1 else 0.0,
    )


def _run_in_label(segment: Line) -> str:
    """A bold segment that reads as a run-in label (`Notification.`), set apart by a gap from
    the plain text that follows it on its line; "" otherwise."""
    return segment.text if segment.bold and is_run_in_label(segment.text) else ""


def split_run_in(label: str, text: str, page: int | None, size: float = 0.0) -> tuple[Para, str]:
    """The paragraph of a run-in label that opens `text` (it heads that paragraph only), and the
    text after it."""
    para = Para(label.removesuffix("."), page, emphasis=True, size=size, run_in=True)
    return para, text[len(label) :].lstrip()


def is_run_in_label(text: str) -> bool:
    """Whether bold text opening a paragraph labels it (`Notification.`, `Status:`): a few
    words, capitalised, ended by a full stop or colon, unnumbered."""
    return (
        text[:1].isupper()
        and text.endswith((".", ":"))
        and len(text.split()) <= LABEL_MAX_WORDS
        and not opens_item(text)
    )


def _column_band(rows: list[list[Line]], start: int, width: float) -> tuple[int, float | None]:
    """(end row, gutter x) of the longest run of rows from `start` split by one clear gutter
    with prose-width text on both sides; gutter None when the rows are not columns."""
    best_end, best_gutter = start, None
    row = sorted(rows[start], key=lambda s: s.left)
    for before, after in zip(row, row[1:], strict=False):
        low, high = before.right, after.left
        if high - low < COLUMN_MIN_GUTTER:
            continue
        end, both = start, 0
        left_widths, right_widths = [], []
        while end < len(rows):
            if any(s.left < high and s.right > low for s in rows[end]):
                break
            lefts = [s.right - s.left for s in rows[end] if s.right <= low]
            rights = [s.right - s.left for s in rows[end] if s.left >= high]
            both += bool(lefts and rights)
            left_widths += lefts
            right_widths += rights
            end += 1
        narrowest = min(
            statistics.median(left_widths or [0]), statistics.median(right_widths or [0])
        )
        if (
            both >= COLUMN_MIN_ROWS
            and narrowest >= COLUMN_MIN_WIDTH_SHARE * width
            and end > best_end
        ):
            best_end, best_gutter = end, (low + high) / 2
    return best_end, best_gutter


def order_columns(rows: list[list[Line]]) -> list[Line]:
    """Lines in reading order from rows of segments (one row per source line, segments cut at
    wide gaps): where consecutive rows share a gutter with prose on both sides, the left column
    is read before the right; every other row stays one line, in source order."""
    rows = [row for row in rows if row]
    if all(len(row) == 1 for row in rows):  # no row cut by a gap: no columns, nothing to merge
        return [row[0] for row in rows]
    width = max(s.right for row in rows for s in row) - min(s.left for row in rows for s in row)
    lines: list[Line] = []
    index = 0
    while index < len(rows):
        end, gutter = _column_band(rows, index, width) if len(rows[index]) > 1 else (index, None)
        if gutter is None:
            lines.append(_merge_row(rows[index]))
            index += 1
            continue
        band = rows[index:end]
        lines.extend(
            _merge_row(left) for row in band if (left := [s for s in row if s.right <= gutter])
        )
        lines.extend(order_columns([[s for s in row if s.left >= gutter] for row in band]))
        index = end
    return lines


PARA_GAP_FACTOR = 1.45  # a gap this many times the usual line pitch separates paragraphs
SHORT_LINE_SHARE = 0.82  # a line ending before this share of the text width ends a paragraph
SENTENCE_END = tuple(".:!?")
SAME_LINE_TOLERANCE = 2.0
SIZE_CHANGE = 1.0  # points; a change of type size between lines is a change of role
CONTINUATION_WORDS = frozenset({
    "a", "an", "and", "or", "the", "of", "to", "in", "on", "by", "for", "with", "from", "at",
    "as", "that", "which", "who", "whose", "than", "nor", "but", "is", "are", "be", "been",
    "was", "were", "shall", "will", "may", "must", "should", "any", "all",
})  # fmt: skip
_HYPHENATED_END = re.compile(r"[^\W\d_]-$")


def _reading_order(lines: list[Line]) -> list[Line]:
    """Content-stream order, except that a run of lines lying wholly above earlier runs moves
    before them (Word puts header tables and footers anywhere in the stream). Side-by-side
    columns overlap vertically, so they keep their stream order."""
    runs: list[list[Line]] = []
    for line in lines:
        if runs and line.top >= runs[-1][-1].top - SAME_LINE_TOLERANCE:
            runs[-1].append(line)
        else:
            runs.append([line])
    ordered: list[list[Line]] = []
    for run in runs:
        run_bottom = max(line.bottom for line in run)
        position = len(ordered)
        while position > 0 and run_bottom <= min(line.top for line in ordered[position - 1]):
            position -= 1
        ordered.insert(position, run)
    return [line for run in ordered for line in run]


SIDE_HEAD_MAX_WORDS = 4  # per line: "UNIFORMED" / "MEMBER OF THE" / "SERVICE"
BODY_LINE_MIN_WORDS = 6  # lines this long show where the body text's left edge is


def _join_side_heads(lines: list[Line]) -> list[Line]:
    """Side heads: the role or topic a patrol guide sets in a narrow left column beside the
    steps it governs ("COMMUNICATIONS / SECTION / DISPATCHER" beside steps 1-9). The text layer
    gives the head's lines before the body lines beside them; they become one heading line, so
    the steps sit under it instead of reading its words as list items or sibling headings."""
    wide = [line.left for line in lines if len(line.text.split()) >= BODY_LINE_MIN_WORDS]
    if not wide:
        return lines
    body_left = statistics.median(wide)

    def head_words(text: str, bold: bool) -> bool:
        return len(text.split()) <= SIDE_HEAD_MAX_WORDS and (
            bold or heading_cue(text, emphasis=False, numbered=False) == "caps"
        )

    def in_margin(line: Line) -> bool:
        return line.right < body_left - COLUMN_MIN_GUTTER / 2 and head_words(line.text, line.bold)

    def at_body(left: float) -> bool:
        return abs(left - body_left) <= SAME_LINE_TOLERANCE

    joined: list[Line] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        head_text = line.text[: line.second_at].strip()
        if line.second_at and at_body(line.second_left) and head_words(head_text, line.bold):
            # the head shares the text layer's line with the first body line: "DESK OFFICER
            # 23. Ensure ..."
            joined.append(replace(line, text=head_text, side_head=True, new_block=True))
            body = line.text[line.second_at :].strip()
            joined.append(replace(line, text=body, left=line.second_left, bold=False, run_in=""))
            index += 1
            continue
        end = index
        while end < len(lines) and in_margin(lines[end]):
            end += 1
        beside = (
            end > index
            and end < len(lines)
            and lines[end].left >= body_left - SAME_LINE_TOLERANCE
            and lines[end].top < lines[end - 1].bottom
        )
        if not beside:
            joined.append(line)
            index += 1
            continue
        head = lines[index:end]
        joined.append(
            replace(
                head[0],
                text=" ".join(part.text for part in head),
                bottom=head[-1].bottom,
                right=max(part.right for part in head),
                bold=all(part.bold for part in head),
                new_block=True,
                side_head=True,
            )
        )
        index = end
    return joined


def join_lines(lines: list[str]) -> str:
    """Join wrapped lines, rejoining a word hyphenated across a line end (`descrip-` + `tion`)."""
    parts = lines[:1]
    for line in lines[1:]:
        if _HYPHENATED_END.search(parts[-1][-2:]) and line[:1].islower():
            parts[-1] = parts[-1][:-1]
            parts.append(line)
        else:
            parts.extend((" ", line))
    return "".join(parts)


def _starts_new_paragraph(prev: Line, line: Line, pitch: float, text_right: float,
                          text_left: float, narrow: bool = False) -> bool:  # fmt: skip
    """Whether `line` opens a paragraph after `prev`. In a narrow column (one of several on the
    page) a line well short of the margin may still be full: the next word did not fit."""
    if line.new_block or not prev.text or not line.text:
        return True
    prev_short = prev.right < text_left + SHORT_LINE_SHARE * (text_right - text_left)
    if narrow:
        prev_short = prev_short and _deliberate_break(prev, line, text_right)
    if opens_wrapped_item(prev.text, line.text, previous_full=not prev_short):
        return True
    if line.top - prev.top > PARA_GAP_FACTOR * pitch or line.top < prev.top - pitch:
        return True
    if abs(prev.size - line.size) > SIZE_CHANGE:
        return True
    if prev.bold != line.bold and prev_short:
        return True
    if prev.text.endswith(SENTENCE_END) and (
        prev_short or _bold_heading_line(prev, line, text_left, text_right)
    ):
        return True
    return prev_short and heading_cue(prev.text, emphasis=prev.bold, numbered=False) is not None


def _bold_heading_line(prev: Line, line: Line, text_left: float, text_right: float) -> bool:
    """Whether `line`, after a plain line, is a short bold heading ("Responding officer (agency
    of jurisdiction)"): a sentence that filled its last line runs straight into it, with no
    wider gap, in a protocol listing each party's duties under its own bold name."""
    short = line.right < text_left + SHORT_LINE_SHARE * (text_right - text_left)
    return (
        line.bold
        and not prev.bold
        and short
        and heading_cue(line.text, emphasis=True, numbered=False) is not None
    )


def _deliberate_break(prev: Line, line: Line, margin: float) -> bool:
    """Whether the line break before `line` was the writer's: its first word would have fitted
    on the line before, inside `margin` (the right edge its paragraph reached)."""
    first_word = line.text.split(" ", 1)[0]
    width = (line.right - line.left) * (len(first_word) + 1) / max(len(line.text), 1)
    return prev.right + width < margin


COLUMN_BAND = 60.0  # points above and below a line where its column's other lines are looked for


def _column_right(line: Line, by_left: dict[int, list[Line]], lines: list[Line]) -> float | None:
    """The right edge of the column a line stands in, when the page sets text beside it (two
    columns of prose, a header table's value column): the longest nearby line starting at the
    same left edge and ending before the text beside it. None when nothing stands beside it."""
    beside = [
        other.left
        for other in lines
        if other.left >= line.right + COLUMN_MIN_GUTTER / 2
        and abs(other.top - line.top) <= COLUMN_BAND
    ]
    if not beside:
        return None
    gutter = min(beside)
    key = round(line.left)
    return max(
        other.right
        for k in (key - 1, key, key + 1)
        for other in by_left.get(k, ())
        if abs(other.top - line.top) <= COLUMN_BAND and other.right < gutter
    )


def _body_size(pages: list[Page]) -> float:
    sizes = Counter()
    for page in pages:
        for line in page.lines:
            if line.size:
                sizes[round(line.size, 1)] += len(line.text)
    return sizes.most_common(1)[0][0] if sizes else 0.0


def _line_pitch(lines: list[Line]) -> float:
    gaps = [b.top - a.top for a, b in zip(lines, lines[1:], strict=False) if b.top > a.top]
    return statistics.median(gaps) if gaps else 12.0


LARGER_TYPE = 1.15  # type this much larger than body text counts as emphasis


def assemble_pages(pages: list[Page]) -> list[Para]:
    """Turn positioned lines into paragraphs: running headers/footers apart, wrapped lines and
    hyphenated words rejoined, and a sentence that runs over a page break kept whole."""
    for page in pages:
        split_page_numbers(page)
    running = find_running_lines(pages)
    body_size = _body_size(pages)
    paras: list[Para] = []
    last_body: Para | None = None
    rows = count()
    for page, page_running in zip(pages, running, strict=True):
        header_footer = [
            Para(line.text, page.number, PassageKind.HEADER_FOOTER)
            for li, line in enumerate(page.lines)
            if li in page_running
        ]
        body = [line for li, line in enumerate(page.lines) if li not in page_running]
        body = _join_side_heads(_reading_order(body))
        pitch = _line_pitch(body)
        text_left = min((line.left for line in body), default=0.0)
        page_right = max((line.right for line in body), default=page.width)
        by_left: dict[int, list[Line]] = {}
        for line in body:
            by_left.setdefault(round(line.left), []).append(line)
        prev: Line | None = None
        page_paras: list[Para] = []
        page_lines: list[list[str]] = []
        placed: list[Table] = []
        margins: list[float] = []  # right edge of each paragraph's longest line
        list_margin: float | None = None  # reading the lines after a colon lead-in, one item each
        for line in body:
            table = next((t for t in page.tables if t.holds(line)), None) if page.tables else None
            if table is not None:  # the table's cells replace its lines, where it starts
                if table not in placed:
                    placed.append(table)
                    cells = _cell_paras(table, page.number, rows)
                    page_paras.extend(cells)
                    page_lines.extend([cell.text] for cell in cells)
                    margins.extend(table.right for _ in cells)
                prev, list_margin = None, None
                continue
            emphasis = line.bold or bool(body_size and line.size >= LARGER_TYPE * body_size)
            in_list = list_margin is not None  # the line before was an item of a lead-in
            entering = (
                not in_list
                and prev is not None
                and prev.text.endswith(":")
                and is_lead_in(join_lines(page_lines[-1]))
            )
            # judged against its own column only when short against the page (rare: cheap)
            column_right = (
                _column_right(prev, by_left, body)
                if prev is not None and prev.right < page_right - COLUMN_MIN_GUTTER
                else None
            )
            narrow = column_right is not None
            text_right = column_right if narrow else page_right
            if entering:  # a wrapped lead-in shows its column's margin; one line, only its end
                list_margin = margins[-1] if len(page_lines[-1]) > 1 else text_right
            item = (
                list_margin is not None
                and not line.side_head
                and line.right < line.left + SHORT_LINE_SHARE * (list_margin - line.left)
                and _is_short_item(line.text)
                and not opens_item(line.text)
            )
            wrapped_item = item and in_list and not _deliberate_break(prev, line, list_margin)
            if not item:
                list_margin = None
            if wrapped_item or (
                prev is not None
                and not item
                and not in_list
                and not line.run_in  # a run-in label opens a paragraph
                and not _starts_new_paragraph(
                    prev, line, pitch, text_right, text_left, narrow=narrow
                )
            ):
                page_lines[-1].append(line.text)
                margins[-1] = max(margins[-1], line.right)
                page_paras[-1].emphasis = page_paras[-1].emphasis and emphasis
            else:
                text = line.text
                if line.run_in and not opens_item(text):  # `Notification. The officer shall`
                    label, text = split_run_in(line.run_in, text, page.number, line.size)
                    page_paras.append(label)
                    page_lines.append([label.text])
                    margins.append(line.right)
                    emphasis = False
                page_paras.append(
                    Para(
                        "",
                        page.number,
                        emphasis=emphasis or line.side_head,
                        size=line.size,
                        bullet=item,
                    )
                )
                page_lines.append([text])
                margins.append(line.right)
            prev = line
        for para, lines in zip(page_paras, page_lines, strict=True):
            para.text = join_lines(lines)
        if page_paras and last_body is not None and _continues(last_body, page_paras[0]):
            last_body.text = join_lines([last_body.text, page_paras.pop(0).text])
        paras.extend(header_footer)
        paras.extend(page_paras)
        if page_paras:
            last_body = page_paras[-1]
    return paras


def _continues(previous: Para, following: Para) -> bool:
    """A paragraph cut by a page break: no sentence end before, prose (not a heading) after."""
    if previous.kind is not None or following.kind is not None:  # table cells stay apart
        return False
    if previous.text.endswith(SENTENCE_END) or previous.emphasis or following.emphasis:
        return False
    if opens_item(following.text):
        return False
    first = following.text[:1]
    last_word = previous.text.rsplit(" ", 1)[-1].lower()
    return first.islower() or previous.text.endswith((",", "-")) or last_word in CONTINUATION_WORDS


def lines_to_page(number: int, width: float, height: float, lines: list[Line]) -> Page:
    cleaned = []
    for line in lines:
        text = clean_text(line.text)
        if text:
            cleaned.append(replace(line, text=text))
    return Page(number, width, height, cleaned)
