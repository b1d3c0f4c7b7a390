"""Legacy Word .doc and RTF: converted to .docx by LibreOffice, then read like any .docx.

The conversion runs on a copy in a private temporary folder with its own LibreOffice profile,
so the input folder is never written to and parallel batch workers do not collide.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from policy_review.errors import UnreadableInputError
from policy_review.extract import docx
from policy_review.extract.source import SourceFile
from policy_review.model import Document

CONVERT_TIMEOUT_S = 180
SOFFICE_NAMES = ("soffice", "libreoffice")
SUFFIXES = {"doc": ".doc", "rtf": ".rtf"}


def soffice_path() -> str | None:
    for name in SOFFICE_NAMES:
        if found := shutil.which(name):
            return found
    return None


def convert_to_docx(source: SourceFile, format_name: str) -> bytes:
    binary = soffice_path()
    if binary is None:
        raise UnreadableInputError(
            f"{source.name}: reading {format_name.upper()} files needs LibreOffice; install it "
            "(Debian: apt install libreoffice-writer) or save the file as .docx or PDF"
        )
    with tempfile.TemporaryDirectory(prefix="policy-review-convert-") as folder:
        work = Path(folder)
        copy = work / f"input{SUFFIXES[format_name]}"
        copy.write_bytes(source.data)
        out = work / "out"
        command = [
            binary,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "docx",
            "--outdir",
            str(out),
            str(copy),
        ]
        try:
            subprocess.run(command, capture_output=True, timeout=CONVERT_TIMEOUT_S, check=False)
        except subprocess.TimeoutExpired:
            raise UnreadableInputError(
                f"{source.name}: LibreOffice took more than {CONVERT_TIMEOUT_S} s to convert it; "
                "save it as .docx or PDF and try again"
            ) from None
        converted = out / "input.docx"
        if not converted.is_file():
            raise UnreadableInputError(
                f"{source.name}: LibreOffice could not convert this {format_name.upper()} file; "
                "it may be damaged. Save it as .docx or PDF and try again"
            )
        return converted.read_bytes()


def extract(source: SourceFile, *, format_name: str = "doc") -> Document:
    data = convert_to_docx(source, format_name)
    converted = SourceFile(source.path, data, source.sha256, source.limits)
    return docx.extract(converted, format_name=format_name)
