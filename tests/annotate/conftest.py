"""Shared helpers for the annotate tests: one review per sample, reused by every test."""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path

from policy_review.extract import load_document
from policy_review.model import Document, Report, Status
from policy_review.render import DECISIONS_SCHEMA
from policy_review.review import review
from tests.conftest import REAL_CORPUS, REPO_ROOT

SAMPLES = REPO_ROOT / "sample_policies"


def annotatable(suffix: str) -> list[Path]:
    """Every sample and real-corpus file of one kind (the real corpus only when present)."""
    files = sorted(SAMPLES.glob(f"*{suffix}"))
    if REAL_CORPUS.is_dir():
        files += sorted(REAL_CORPUS.glob(f"*{suffix}"))
    return files


@cache
def sample_document(path: Path) -> Document:
    """Read once per run (a scanned sample takes seconds of OCR)."""
    return load_document(path)


@cache
def sample_report(path: Path) -> Report:
    return review(sample_document(path))


def evidenced_elements(report: Report) -> set[str]:
    """Elements the annotated file must carry a note for: found or partial, with evidence."""
    return {f.element for f in report.findings if f.status is not Status.MISSING and f.evidence}


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_decisions(path: Path, sha256: str, *items: dict) -> Path:
    path.write_text(
        json.dumps(
            {
                "schema": DECISIONS_SCHEMA,
                "document": {"sha256": sha256, "file_name": "x"},
                "tool_version": "0",
                "exported_at": "2026-01-01T00:00:00Z",
                "decisions": list(items),
            }
        ),
        encoding="utf-8",
    )
    return path
