"""The batch triage page: the caller's ranking, counts, links and failed files."""

from __future__ import annotations

from policy_review.model import TriageRow
from policy_review.render import render_index_html

ROWS = [
    TriageRow(
        path="agencies/north county/so-policy.pdf",
        ok=True,
        sha256="a" * 64,
        agency_type="law enforcement",
        checklists=("le-model-policy",),
        pages=12,
        found=30,
        partial=5,
        missing=9,
        critical_missing=4,
        red_flags=2,
        low_confidence=3,
        html_report="agencies/north county/so-policy.report.html",
        json_report="agencies/north county/so-policy.report.json",
    ),
    TriageRow(
        path="javascript:alert(1).pdf",
        ok=True,
        agency_type="PSAP",
        checklists=("psap-ansi-standard", "psap-qa-clause"),
        html_report="javascript:alert(1).report.html",
    ),
    TriageRow(
        path="broken <b>x</b>.docx", ok=False, error="not a Word file: <b>zip</b> is corrupt"
    ),
]


def test_index_keeps_the_ranking_and_shows_counts_links_and_errors():
    html = render_index_html(ROWS, title="Queue", generated_at="2026-11-30")
    assert "<title>Queue</title>" in html
    assert html.index("so-policy.pdf") < html.index("javascript%3Aalert") < html.index("broken")
    assert 'href="agencies/north%20county/so-policy.report.html"' in html
    assert 'href="agencies/north%20county/so-policy.report.json"' in html
    assert 'href="javascript:' not in html
    assert 'data-critical="4" data-flags="2" data-low="3" data-missing="9"' in html
    assert "law enforcement" in html and "psap-ansi-standard, psap-qa-clause" in html
    assert "Not analysed:</span> not a Word file: &lt;b&gt;zip&lt;/b&gt; is corrupt" in html
    assert "broken &lt;b&gt;x&lt;/b&gt;.docx" in html
    assert (
        "3 submissions: 2 analysed, 1 could not be read. 1 with critical elements missing" in html
    )


def test_empty_index_renders():
    html = render_index_html([], generated_at="2026-11-30")
    assert "No documents were found." in html and "Policy review triage queue" in html


def test_index_says_how_well_each_file_was_read():
    scanned = TriageRow(path="scan.pdf", ok=True, ocr_pages=3, extraction_warnings=1)
    html = render_index_html([scanned, ROWS[0]], generated_at="2026-11-30")
    assert 'data-extraction="3 pages OCRed, 1 warning"' in html
    assert 'data-extraction="clean"' in html
