"""The real directives in ../shared/corpus/real: word recall against poppler's pdftotext and
LibreOffice's text export, running headers kept out of the evidence, pages and sections."""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from conftest import REAL_CORPUS

from policy_review.extract import load_document
from policy_review.model import PassageKind

MIN_WORD_RECALL = 0.95
WORD = re.compile(r"[^\W_]+")
REAL_PDFS = sorted(REAL_CORPUS.glob("*.pdf")) if REAL_CORPUS.is_dir() else []
REAL_DOCX = sorted(REAL_CORPUS.glob("*.docx")) if REAL_CORPUS.is_dir() else []
PAGE_OF = re.compile(r"\bpage \d+ of \d+\b", re.IGNORECASE)


@functools.cache
def _document(path: Path):
    """Each real document is extracted once per session; tests only read the result."""
    return load_document(path)


def _words(text: str) -> Counter:
    return Counter(word.lower() for word in WORD.findall(text))


def _recall(reference: str, extracted: str) -> float:
    expected = _words(reference)
    return sum((expected & _words(extracted)).values()) / max(1, sum(expected.values()))


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler) not installed")
@pytest.mark.parametrize("path", REAL_PDFS, ids=lambda p: p.stem)
def test_pdf_word_recall_against_pdftotext(real_corpus, path):
    reference = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    document = _document(path)
    recall = _recall(reference, document.text)
    assert recall >= MIN_WORD_RECALL, f"{path.name}: {recall:.3f} of pdftotext's words"


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
@pytest.mark.parametrize("path", REAL_DOCX, ids=lambda p: p.stem)
def test_docx_word_recall_against_libreoffice(real_corpus, path, tmp_path):
    copy = tmp_path / path.name
    copy.write_bytes(path.read_bytes())
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "txt:Text",
            "--outdir",
            str(tmp_path / "out"),
            str(copy),
        ],
        capture_output=True,
        timeout=180,
        check=True,
    )
    reference = (tmp_path / "out" / f"{path.stem}.txt").read_text(encoding="utf-8-sig")
    recall = _recall(reference, _document(path).text)
    assert recall >= MIN_WORD_RECALL, f"{path.name}: {recall:.3f} of LibreOffice's words"


RUNNING_TEXT = {
    "bloomington-il-sop-1.15-runaway-missing-persons": ["PAGE 2", "PAGE 4"],
    "hanover-park-il-d201p-missing-persons": [
        "POLICE OPERATIONS MANUAL VILLAGE OF HANOVER PARK",
        "Rescinds: 203-I",
    ],
    "elgin-il-sop-81.2-communications-operations": ["S.O.P. 81.2 Communications Operations:"],
    "nz-police-abduction-2022": [
        "Released under the Official Information Act 1982",
        "This document was current as at 15 September 2022",
    ],
}


@pytest.mark.parametrize("stem", sorted(RUNNING_TEXT))
def test_running_headers_are_not_evidence(real_corpus, stem):
    document = _document(real_corpus / f"{stem}.pdf")
    edges = " ".join(p.text for p in document.passages if p.kind is PassageKind.HEADER_FOOTER)
    for passage in document.evidence_passages:
        for running in RUNNING_TEXT[stem]:
            assert running not in passage.text, f"header/footer in p{passage.page}: {passage.text}"
        assert not PAGE_OF.search(passage.text), passage.text
    for running in RUNNING_TEXT[stem]:
        assert running in edges


# (file, passage start, page, section trail)
LOCATED = [
    (
        "bloomington-il-sop-1.15-runaway-missing-persons.pdf",
        "Missing persons may be reported in person",
        1,
        ("RUNAWAYS/MISSING PERSONS", "Missing Persons"),
    ),
    (
        "bloomington-il-sop-1.15-runaway-missing-persons.pdf",
        "1. conducting an area check",
        2,
        ("FOLLOW UP INVESTIGATION",),
    ),
    (
        "hanover-park-il-d201p-missing-persons.pdf",
        "A. Upon initial receipt of a missing person report",
        6,
        ("II. LAW ENFORCEMENT RISK ASSESSMENT (41.2.6e)",),
    ),
    (
        "hanover-park-il-d201p-missing-persons.pdf",
        "2. Date of birth.",
        4,
        (
            "I. PROCEDURE (41.2.6e)",
            "D. Complete the personal information and …",
        ),
    ),
    (
        "elgin-il-sop-81.2-communications-operations.pdf",
        "C. The recordings will be retained for 90 days.",
        3,
        ("81.2.7 RECORDING",),
    ),
    (
        "nz-police-abduction-2022.pdf",
        "Abduction has serious consequences",
        3,
        ("Policy statement and principles", "Why"),
    ),
    (
        "chicago-pd-s04-05-missing-found-persons-2012.docx",
        "1. assign an investigator",
        None,
        (
            "II. General Information - Missing Persons",
            "B. The Youth Investigations Division is …",
        ),
    ),
    (
        "chicago-pd-s04-05-missing-found-persons-2012.html",
        "A. Members who are notified of a person",
        None,
        ("III. Located Persons",),
    ),
]


@pytest.mark.parametrize("name, start, page, section", LOCATED, ids=lambda v: str(v)[:30])
def test_passages_have_the_right_page_and_section(real_corpus, name, start, page, section):
    document = _document(real_corpus / name)
    matches = [p for p in document.passages if p.text.startswith(start)]
    assert len(matches) >= 1, f"no passage starts with {start!r}"
    assert (matches[0].page, matches[0].section) == (page, section)


def test_a_sentence_cut_by_a_page_break_is_one_passage(real_corpus):
    document = _document(real_corpus / "bloomington-il-sop-1.15-runaway-missing-persons.pdf")
    passage = next(p for p in document.passages if "1-800-690-3463" in p.text)
    assert passage.page == 1  # it starts on page 1 and runs onto page 2
    assert passage.text.startswith("Missing persons may be reported in person")
    assert "This contact shall be noted in the report." in passage.text


def test_every_real_document_loads_with_located_passages(real_corpus):
    for path in sorted(Path(real_corpus).iterdir()):
        if path.suffix not in (".pdf", ".docx", ".html"):
            continue
        document = _document(path)
        assert document.passages, path.name
        if document.page_count:
            pages = [p.page for p in document.passages]
            assert pages == sorted(pages) and min(pages) >= 1 and max(pages) <= document.page_count
