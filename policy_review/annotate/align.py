"""Map spans of the extracted text back onto another reading of the same file.

The extractor's `Document.text` is not the file's own text: list numbers Word generates are
written in, table cells joined, whitespace collapsed, ligatures fixed. So spans are carried over
by aligning the two as word sequences: words the extractor added (a list number) or the target
holds twice (a running header) are simply left unaligned, and a quote maps to the target's
characters from its first aligned word to its last.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from difflib import SequenceMatcher

_WORD = re.compile(r"[^\W_]+")
MIN_ALIGNED_SHARE = 0.5  # fewer of a quote's words found in the target: the quote is not there
MAX_STRETCH = 2.0  # a target span this many times the quote's word count is a false alignment
STRETCH_SLACK_WORDS = 3  # ... beyond a few words of slack, which short quotes need


@dataclass(frozen=True, slots=True)
class Words:
    """A text cut into comparable words: `keys[i]` spans `starts[i]:ends[i]` of the text."""

    keys: tuple[str, ...]
    starts: tuple[int, ...]
    ends: tuple[int, ...]


def split_words(text: str) -> Words:
    """Words as case- and compatibility-folded keys, so "ﬁle" and "File" compare equal."""
    keys, starts, ends = [], [], []
    for match in _WORD.finditer(text):
        keys.append(unicodedata.normalize("NFKC", match.group()).casefold())
        starts.append(match.start())
        ends.append(match.end())
    return Words(tuple(keys), tuple(starts), tuple(ends))


class Alignment:
    """Which word of `target_text` each word of `source_text` corresponds to, when any."""

    def __init__(self, source_text: str, target_text: str) -> None:
        source, target = split_words(source_text), split_words(target_text)
        self._source_text, self._target_text = source_text, target_text
        self._source = source
        self._target = target
        pairs: list[tuple[int, int]] = []
        matcher = SequenceMatcher(None, source.keys, target.keys, autojunk=False)
        for block in matcher.get_matching_blocks():
            pairs.extend((block.a + k, block.b + k) for k in range(block.size))
        self._source_index = [a for a, _ in pairs]
        self._target_index = [b for _, b in pairs]

    def target_span(self, start: int, end: int) -> tuple[int, int] | None:
        """Target character span covering the aligned words of source span [start, end)."""
        first_word = bisect_right(self._source.ends, start)
        last_word = bisect_left(self._source.starts, end) - 1
        if last_word < first_word:
            return None
        low = bisect_left(self._source_index, first_word)
        high = bisect_right(self._source_index, last_word) - 1
        if high < low:
            return None
        words = last_word - first_word + 1
        first_target, last_target = self._target_index[low], self._target_index[high]
        if high - low + 1 < MIN_ALIGNED_SHARE * words:
            return None
        if last_target - first_target + 1 > MAX_STRETCH * words + STRETCH_SLACK_WORDS:
            return None
        start_at, end_at = self._target.starts[first_target], self._target.ends[last_target]
        # punctuation around the quote's outer words ("“", ".") is kept where both texts have it
        head = self._source_text[start : self._source.starts[first_word]].strip()
        if head and self._target_text[start_at - len(head) : start_at] == head:
            start_at -= len(head)
        tail = self._source_text[self._source.ends[last_word] : end].strip()
        if tail and self._target_text[end_at : end_at + len(tail)] == tail:
            end_at += len(tail)
        return start_at, end_at
