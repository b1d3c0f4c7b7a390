"""Uploaded files, stored once by SHA-256 under the data folder and never modified.

A file lives at `blobs/ab/abcdef…` (read-only). Nothing in the workspace serves these paths: a
reviewer reaches a document only through its report, behind sign-in.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from policy_review.errors import PolicyReviewError

COPY_CHUNK_BYTES = 2**20
READ_ONLY = 0o444


class TooLarge(PolicyReviewError):
    """The upload is bigger than the server's `--max-bytes`."""


@dataclass(frozen=True, slots=True)
class StoredBlob:
    sha256: str
    size: int


class BlobStore:
    """Content-addressed files: the same bytes uploaded twice are stored once."""

    def __init__(self, data_dir: Path) -> None:
        self.root = Path(data_dir) / "blobs"
        self._incoming = Path(data_dir) / "incoming"
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            self._incoming.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise PolicyReviewError(
                f"cannot create the data folder {data_dir}: {exc.strerror or exc}"
            ) from None

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def put(self, source: BinaryIO, *, max_bytes: int) -> StoredBlob:
        """Copy a stream in, hashing as it goes; raises TooLarge past `max_bytes`."""
        digest = hashlib.sha256()
        size = 0
        handle, partial = tempfile.mkstemp(dir=self._incoming, prefix="upload-")
        try:
            with os.fdopen(handle, "wb") as out:
                while chunk := source.read(COPY_CHUNK_BYTES):
                    size += len(chunk)
                    if size > max_bytes:
                        raise TooLarge(f"the file is larger than the limit of {max_bytes} bytes")
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            sha256 = digest.hexdigest()
            target = self.path(sha256)
            if not target.exists():
                target.parent.mkdir(exist_ok=True)
                os.chmod(partial, READ_ONLY)
                os.replace(partial, target)
        finally:
            Path(partial).unlink(missing_ok=True)
        return StoredBlob(sha256, size)
