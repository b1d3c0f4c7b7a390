"""annotate on PDFs: highlights with pop-up notes on the quotes; the pages themselves unchanged."""

from __future__ import annotations

import io

import pikepdf
import pypdfium2 as pdfium
import pytest
from conftest import (
    annotatable,
    digest,
    evidenced_elements,
    sample_document,
    sample_report,
)

from policy_review.cli import main
from policy_review.extract import load_document

PDF_FILES = annotatable(".pdf")
QUAD_NUMBERS = 8
SLACK_POINTS = 2.0


def _page_texts(path) -> list[str]:
    pdf = pdfium.PdfDocument(str(path))
    texts = [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
    pdf.close()
    return texts


def _contents(path) -> list[bytes]:
    """Each page's content stream bytes, decoded: what draws the page."""
    pages = []
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            contents = page.obj.get("/Contents")
            streams = contents if isinstance(contents, pikepdf.Array) else [contents]
            pages.append(b"".join(s.read_bytes() for s in streams if s is not None))
    return pages


def _notes(path) -> list[tuple[int, dict]]:
    """(page index, annotation) for every annotation with a note."""
    with pikepdf.open(path) as pdf:
        return [
            (index, {
                "subtype": str(annot.Subtype),
                "contents": str(annot.Contents),
                "quads": [float(v) for v in annot.get("/QuadPoints", [])],
                "popup": "/Popup" in annot,
            })
            for index, page in enumerate(pdf.pages)
            for annot in page.obj.get("/Annots", [])
            if "/Contents" in annot
        ]  # fmt: skip


@pytest.mark.parametrize("path", PDF_FILES, ids=lambda p: p.name)
def test_round_trip_keeps_pages_and_highlights_every_evidenced_element(path, tmp_path):
    before = digest(path)
    out = tmp_path / "annotated.pdf"
    assert main(["annotate", str(path), "-o", str(out)]) == 0
    assert digest(path) == before
    assert _contents(out) == _contents(path)
    assert _page_texts(out) == _page_texts(path)
    assert load_document(out).text == sample_document(path).text

    notes = _notes(out)
    noted = {n["contents"].split(" · ", 1)[0] for _, n in notes}
    report = sample_report(path)
    assert evidenced_elements(report) <= noted
    assert all(n["popup"] for _, n in notes)
    highlights = [n for _, n in notes if n["subtype"] == "/Highlight"]
    assert bool(highlights) == bool(evidenced_elements(report))
    assert all(len(n["quads"]) % QUAD_NUMBERS == 0 for n in highlights)


def test_highlight_covers_the_quote(tmp_path):
    path = next(p for p in PDF_FILES if p.name.startswith("lakeview"))
    out = tmp_path / "annotated.pdf"
    assert main(["annotate", str(path), "-o", str(out)]) == 0
    report = sample_report(path)
    finding = next(f for f in report.findings if f.element == "LE-NCIC-2HR")
    index, note = next((i, n) for i, n in _notes(out) if n["contents"].startswith("LE-NCIC-2HR ·"))
    xs, ys = note["quads"][0::2], note["quads"][1::2]
    pdf = pdfium.PdfDocument(str(out))
    text = (
        pdf[index]
        .get_textpage()
        .get_text_bounded(
            min(xs) + SLACK_POINTS,
            min(ys) + SLACK_POINTS,
            max(xs) - SLACK_POINTS,
            max(ys) - SLACK_POINTS,
        )
    )
    pdf.close()
    words = " ".join(text.split())
    assert words and " ".join(words.split()[1:4]) in finding.evidence[0].quote


def test_input_is_never_overwritten(tmp_path, capsys):
    source = next(p for p in PDF_FILES if p.name.startswith("lakeview"))
    path = tmp_path / source.name
    path.write_bytes(source.read_bytes())
    assert main(["annotate", str(path), "-o", str(path)]) == 2
    assert "refusing to overwrite" in capsys.readouterr().err
    assert path.read_bytes() == io.BytesIO(source.read_bytes()).getvalue()
