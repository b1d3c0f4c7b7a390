"""The input file as every extractor sees it: bytes read once, hashed once, limits attached."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from policy_review.errors import TextLimitError

DEFAULT_MAX_PAGES = 1000
DEFAULT_MAX_BYTES = 100 * 2**20
DEFAULT_MAX_CHARS = 4_000_000
"""Text limit on every format, sized like DEFAULT_MAX_PAGES: 1000 dense pages of ~4,000
characters. Analysis costs about 150 bytes of memory and 3 µs per character (measured: 4 MB of
text, 13 s and 690 MB), so the default keeps one document under 1 GB and a minute."""
DEFAULT_DOCUMENT_TIMEOUT_S = 120.0  # batch: a document still running after this becomes an error


_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROL_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\x1b": "\\e"}


def terminal_safe(text: str) -> str:
    """`text` with control characters shown as escapes: a newline, CR or ESC in a file name must
    not split a one-line message or reach the terminal raw."""
    return _CONTROL_RE.sub(
        lambda match: _CONTROL_ESCAPES.get(match.group(), f"\\x{ord(match.group()):02x}"),
        printable(text),
    )


def printable(text: str) -> str:
    """File names that are not valid UTF-8 reach Python as lone surrogates, which no UTF-8
    report or message can hold; show the undecodable bytes as U+FFFD instead."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


@dataclass(frozen=True, slots=True)
class ExtractLimits:
    """Bounds that keep one hostile or huge file from exhausting time or memory."""

    max_pages: int = DEFAULT_MAX_PAGES
    max_bytes: int = DEFAULT_MAX_BYTES
    max_chars: int = DEFAULT_MAX_CHARS
    ocr: bool = True


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One input document; extractors work on `data` and never reopen or write `path`."""

    path: Path
    data: bytes
    sha256: str
    limits: ExtractLimits

    @property
    def name(self) -> str:
        return printable(str(self.path))

    def check_chars(self, count: int) -> None:
        """Refuse text beyond `limits.max_chars`, as soon as an extractor knows the count."""
        if count > self.limits.max_chars:
            raise TextLimitError(
                f"{self.name}: {count:,} characters of text is more than the limit of "
                f"{self.limits.max_chars:,}; raise it with --max-chars if this is intended"
            )
