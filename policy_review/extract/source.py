"""The input file as every extractor sees it: bytes read once, hashed once, limits attached."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DEFAULT_MAX_PAGES = 1000
DEFAULT_MAX_BYTES = 100 * 2**20
DEFAULT_DOCUMENT_TIMEOUT_S = 120.0  # batch: a document still running after this becomes an error


def printable(text: str) -> str:
    """File names that are not valid UTF-8 reach Python as lone surrogates, which no UTF-8
    report or message can hold; show the undecodable bytes as U+FFFD instead."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


@dataclass(frozen=True, slots=True)
class ExtractLimits:
    """Bounds that keep one hostile or huge file from exhausting time or memory."""

    max_pages: int = DEFAULT_MAX_PAGES
    max_bytes: int = DEFAULT_MAX_BYTES
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
