"""The input file as every extractor sees it: bytes read once, hashed once, limits attached."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DEFAULT_MAX_PAGES = 1000
DEFAULT_MAX_BYTES = 100 * 2**20


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
        """The path as printable text: undecodable bytes in a file name become U+FFFD."""
        return str(self.path).encode("utf-8", "surrogateescape").decode("utf-8", "replace")
