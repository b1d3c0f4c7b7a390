"""Wording a reader can take at its word: where a quote sits, what the tool looked for."""

from __future__ import annotations

from render_builders import evidence_for, make_document, make_finding, make_report

from policy_review.model import PassageKind, Status
from policy_review.render import render_html

PARTIAL_NOTE = "(on its own: present, but not enough)"


def test_gaps_never_say_found_for_what_was_looked_for(real_report):
    gaps = [f for f in real_report.findings if f.status is not Status.FOUND]
    looked_for = [item for f in gaps for item in f.looked_for]
    assert gaps and looked_for
    assert not any("[found]" in item or "[partial]" in item for item in looked_for)
    # a partial-level cue says what it gives in words
    assert any(item.endswith(PARTIAL_NOTE) for item in looked_for)


def test_reasons_for_an_unpaged_file_cite_the_section_in_plain_words(real_report):
    assert real_report.document.page_count is None
    reasons = [f.reason for f in real_report.findings]
    assert not any("on the text" in r or "on page None" in r for r in reasons)
    assert any(r.startswith("Stated in section ") for r in reasons)


def test_unpaged_quotes_are_cited_by_section_alone():
    blocks = [
        ("I. Policy", None, ("I. Policy",), PassageKind.HEADING),
        ("Officers shall not wait 24 hours.", None, ("I. Policy",), PassageKind.PARAGRAPH),
        ("Untitled opening line.", None, (), PassageKind.PARAGRAPH),
    ]
    document = make_document(blocks, format="docx", page_count=None)
    findings = (
        make_finding(
            "LE-POL-NO-WAIT",
            Status.FOUND,
            evidence=(evidence_for(document, "not wait"),),
        ),
        make_finding(
            "LE-NCIC-2HR",
            Status.MISSING,
            near_miss=evidence_for(document, "Untitled", score=0.3),
        ),
    )
    html = render_html(make_report(document, findings), generated_at="2026-12-06")
    assert "No page" not in html
    assert '<p class="cite">Section: I. Policy<span class="to-doc-wrap">' in html
    assert '<p class="cite">similarity 0.30' in html


def test_what_to_add_says_where_in_the_document():
    document = make_document()
    findings = (
        make_finding("LE-NCIC-2HR", Status.MISSING, add_to="II. Communications"),
        make_finding("LE-TEAM-ADAM", Status.MISSING),
        make_finding("LE-POL-NO-WAIT", Status.FOUND, add_to="ignored for a found element"),
    )
    html = render_html(make_report(document, findings), generated_at="2026-12-06")
    assert "Where: in “II. Communications”, the section whose heading names this topic." in html
    assert html.count("Where: no section of this directive names this topic") == 1
    assert "ignored for a found element" not in html
