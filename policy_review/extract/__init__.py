"""Turn a directive file (PDF, Word, RTF, HTML, text) into a located `Document`.

The format is decided from the bytes, never the file name, and every failure becomes an
`UnreadableInputError`/`UnsupportedFormatError` whose one-line message names the file and says
what to do. The input file is only ever read.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Callable
from functools import partial
from pathlib import Path

from policy_review.errors import PolicyReviewError, UnreadableInputError, UnsupportedFormatError
from policy_review.extract.source import ExtractLimits, SourceFile
from policy_review.extract.text import looks_like_text
from policy_review.model import Document

__all__ = ["ExtractLimits", "load_document", "sniff_format", "SUPPORTED_FORMATS"]

DEFAULT_LIMITS = ExtractLimits()
SUPPORTED_FORMATS = ("pdf", "docx", "doc", "rtf", "html", "text")
PDF_MAGIC = b"%PDF-"
PDF_MAGIC_WINDOW = 1024  # some producers put junk before the header; readers accept it
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
RTF_MAGIC = b"{\\rtf"
HTML_WINDOW = 2048
HTML_MARKERS = (b"<!doctype html", b"<html", b"<body", b"<head", b"<p>", b"<div", b"<h1", b"<table")
TEXT_WINDOW = 65536
ERROR_DETAIL_CHARS = 200
OTHER_ZIP_FORMATS = {
    "xl/workbook.xml": "an Excel workbook",
    "ppt/presentation.xml": "a PowerPoint presentation",
    "content.xml": "an OpenDocument file",
}


def sniff_format(path: str | Path) -> str | None:
    """The real type of the file from its bytes ("pdf", "docx", ...), or None if not supported.

    Reads only the start of the file (and a zip's directory), so it is cheap on large files.
    """
    path = Path(path)
    try:
        with path.open("rb") as handle:
            head = handle.read(TEXT_WINDOW)
        return _sniff(head, path)[0]
    except OSError:
        return None


def _sniff(data: bytes, archive_source: Path | io.BytesIO) -> tuple[str | None, str]:
    """(format, what it looks like instead) from the file's first bytes; the second part
    explains an unsupported file. Zip archives are opened from `archive_source`."""
    if PDF_MAGIC in data[:PDF_MAGIC_WINDOW]:
        return "pdf", ""
    if data.startswith(ZIP_MAGIC):
        try:
            with zipfile.ZipFile(archive_source) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, ValueError, OSError, EOFError):
            return None, "a damaged zip archive"
        if "word/document.xml" in names:
            return "docx", ""
        for member, description in OTHER_ZIP_FORMATS.items():
            if member in names:
                return None, description
        return None, "a zip archive"
    if data.startswith(OLE_MAGIC):
        return "doc", ""
    head = data[:HTML_WINDOW].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(RTF_MAGIC):
        return "rtf", ""
    if head.startswith(b"<") and any(marker in head.lower() for marker in HTML_MARKERS):
        return "html", ""
    if looks_like_text(data[:TEXT_WINDOW]):
        if _html_in_utf16(data[:HTML_WINDOW]):
            return "html", ""
        return "text", ""
    return None, "binary data"


def _html_in_utf16(head: bytes) -> bool:
    if not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    text = head.decode("utf-16", "ignore").lstrip("\ufeff \t\r\n").lower()
    return text.startswith("<") and any(m.decode() in text for m in HTML_MARKERS)


def _read(path: Path, limits: ExtractLimits) -> bytes:
    if not path.exists():
        raise UnreadableInputError(f"{path}: no such file; check the path")
    if path.is_dir():
        raise UnreadableInputError(
            f"{path} is a folder, not a document; give one file, or use 'batch' for a folder"
        )
    if not path.is_file():
        raise UnreadableInputError(f"{path}: not a regular file (a device or a pipe); give a file")
    try:
        size = path.stat().st_size
        if size > limits.max_bytes:
            raise UnreadableInputError(
                f"{path}: {size:,} bytes is more than the limit of {limits.max_bytes:,}; "
                "raise it with --max-bytes if this is intended"
            )
        with path.open("rb") as handle:
            data = handle.read(limits.max_bytes + 1)
    except OSError as exc:
        raise UnreadableInputError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if len(data) > limits.max_bytes:  # the file grew, or is a device: still bounded
        raise UnreadableInputError(
            f"{path}: more than the limit of {limits.max_bytes:,} bytes; "
            "raise it with --max-bytes if this is intended"
        )
    if not data:
        raise UnreadableInputError(f"{path}: the file is empty (0 bytes)")
    return data


def _extractor(format_name: str) -> Callable[[SourceFile], Document]:
    if format_name == "pdf":
        from policy_review.extract.pdf import extract
    elif format_name == "docx":
        from policy_review.extract.docx import extract
    elif format_name in ("doc", "rtf"):
        from policy_review.extract import legacy

        return partial(legacy.extract, format_name=format_name)
    elif format_name == "html":
        from policy_review.extract.html import extract
    else:
        from policy_review.extract.text import extract
    return extract


def load_document(path: str | Path, *, limits: ExtractLimits | None = None) -> Document:
    """Read one directive; raises a PolicyReviewError subclass with a one-line message."""
    limits = limits or DEFAULT_LIMITS
    path = Path(path)
    data = _read(path, limits)
    format_name, looks_like = _sniff(data, io.BytesIO(data))
    if format_name is None:
        raise UnsupportedFormatError(
            f"{path}: not a format policy-review reads (it looks like {looks_like}); "
            "save it as PDF, Word (.docx/.doc), RTF, HTML or plain text"
        )
    source = SourceFile(path, data, hashlib.sha256(data).hexdigest(), limits)
    try:
        document = _extractor(format_name)(source)
    except PolicyReviewError:
        raise
    except MemoryError:
        raise
    except RecursionError:
        raise UnreadableInputError(
            f"{path}: the {format_name} structure is nested too deeply to read"
        ) from None
    except Exception as exc:  # untrusted input: a parser failure is a bad file, said plainly
        detail = " ".join(str(exc).split())[:ERROR_DETAIL_CHARS]
        raise UnreadableInputError(
            f"{path}: could not be read as {format_name} ({type(exc).__name__}: {detail}); "
            "re-save or re-export the file and try again"
        ) from None
    source.check_chars(len(document.text))
    return document
