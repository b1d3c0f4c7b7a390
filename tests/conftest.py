"""Shared test settings: OCR runs single-threaded (about 7x faster on 2 cores here)."""

import os
from pathlib import Path

import pytest

os.environ.setdefault("OMP_THREAD_LIMIT", "1")

REPO_ROOT = Path(__file__).resolve().parent.parent
REAL_CORPUS = REPO_ROOT.parent / "shared" / "corpus" / "real"
SPEC_DIR = REPO_ROOT.parent / "shared" / "spec"


@pytest.fixture(scope="session")
def real_corpus() -> Path:
    if not REAL_CORPUS.is_dir():
        pytest.skip(f"real corpus not found at {REAL_CORPUS}")
    return REAL_CORPUS
