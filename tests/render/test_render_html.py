"""The HTML and JSON reports, rendered from Reports built directly from the model."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from html.parser import HTMLParser

import pytest
from render_builders import evidence_for, make_document, make_finding, make_report

from policy_review.errors import PolicyReviewError
from policy_review.model import ChecklistRef, PassageKind, Report, Severity, Status
from policy_review.render import render_html, render_json

DATE = "2026-11-30"


class _Page(HTMLParser):
    """Collects the tags, attributes, script bodies and visible text of a rendered page."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self.text_parts: list[str] = []
        self._in: str | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag in ("script", "style"):
            self._in = tag
            (self.scripts if tag == "script" else self.styles).append("")

    def handle_endtag(self, tag):
        if tag == self._in:
            self._in = None

    def handle_data(self, data):
        if self._in == "script":
            self.scripts[-1] += data
        elif self._in == "style":
            self.styles[-1] += data
        else:
            self.text_parts.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.text_parts).split())

    def ids(self) -> set[str]:
        return {attrs["id"] for _, attrs in self.tags if attrs.get("id")}

    def find(self, tag: str, **wanted: str) -> list[dict[str, str | None]]:
        return [
            attrs
            for name, attrs in self.tags
            if name == tag
            and all(attrs.get(k.rstrip("_").replace("_", "-")) == v for k, v in wanted.items())
        ]


def _render(report: Report | None = None, **kwargs) -> tuple[str, _Page]:
    html = render_html(report or make_report(), generated_at=DATE, **kwargs)
    return html, _Page(html)


def test_json_is_the_report_dict_and_deterministic():
    report = make_report()
    text = render_json(report)
    assert text.endswith("}\n")
    assert json.loads(text) == report.to_dict()
    assert text == render_json(make_report())


def test_header_names_file_hash_format_pages_date_tool_and_checklist_choice():
    report = make_report()
    _, page = _render(report)
    for expected in (
        "test-pd-directive.pdf",
        report.document.sha256,
        "Format pdf",
        "Pages 2",
        f"Report date {DATE}",
        "policy-review 0.1.0",
        "le-model-policy version 1.0",
        "psap-qa-clause version 1.0",
        "chosen automatically",
        "Mentions officers and investigation: a law-enforcement policy.",
    ):
        assert expected in page.text


def test_report_date_defaults_to_today_but_json_has_no_clock():
    html = render_html(make_report())
    assert re.search(r"Report date</dt><dd>\d{4}-\d{2}-\d{2}</dd>", html)
    assert "date" not in render_json(make_report()).lower()


def test_summary_gives_reading_counts_critical_missing_and_red_flags():
    _, page = _render()
    text = page.text
    assert "1 critical element missing, 1 only partly met; 1 red flag to resolve; not ready" in text
    assert "Found 1 0 1" in text and "Missing 1 1 2" in text and "All 3 1 4" in text
    assert "Critical elements missing (1) LE-NCIC-2HR Title of LE-NCIC-2HR" in text
    assert "Red flags (1) LE-POL-NO-WAIT : A waiting period before acting. after 24 hours" in text


@pytest.mark.parametrize(
    ("statuses", "reading"),
    [
        ((Status.FOUND, Status.FOUND), "Every critical element found and no red flags"),
        ((Status.FOUND, Status.PARTIAL), "No critical element missing, but 1 critical element"),
        ((Status.MISSING, Status.MISSING), "2 critical elements missing; not ready to submit."),
    ],
)
def test_overall_reading_follows_the_critical_findings(statuses, reading):
    findings = [make_finding(f"E-{i}", status) for i, status in enumerate(statuses)]
    _, page = _render(make_report(findings=findings))
    assert reading in page.text


def test_status_is_shown_as_text_and_icon_not_colour_alone():
    html, page = _render()
    for status, label in (("found", "Found"), ("partial", "Partial"), ("missing", "Missing")):
        badge = re.search(rf'<span class="badge st-{status}">(.*?)</span></span>', html)
        assert badge and f'href="#i-{status}"' in badge.group(1) and label in badge.group(1)
    assert {"i-found", "i-partial", "i-missing", "i-flag"} <= page.ids()


def test_elements_are_grouped_by_checklist_then_group():
    html, _ = _render()
    outline = re.findall(r'<h([345]) id="[^"]+">(?:<span class="mono">)?([^<]+)', html)
    assert outline == [
        ("3", "Law-enforcement model policy "),
        ("4", "Policy statements"),
        ("5", "LE-POL-INVESTIGATE-ALL"),
        ("5", "LE-POL-NO-WAIT"),
        ("4", "NCIC"),
        ("5", "LE-NCIC-2HR"),
        ("3", "PSAP QA clause "),
        ("4", "Quality assurance"),
        ("5", "QA-TIMEFRAME"),
    ]


def test_finding_shows_requirement_confidence_reason_and_highlighted_evidence():
    html, page = _render()
    assert "confidence 93%" in page.text
    assert "Requirement: Requirement of LE-POL-INVESTIGATE-ALL." in page.text
    assert "Why this verdict: Reason for LE-POL-INVESTIGATE-ALL." in page.text
    assert (
        'shall be <mark class="hit">investigated</mark> <mark class="hit">promptly</mark>'
        " and thoroughly." in html
    )
    assert "Page 1 · I. Policy" in page.text


def test_missing_and_partial_show_looked_for_near_miss_and_guidance_but_found_does_not():
    _, page = _render()
    text = page.text
    missing = text[text.index("LE-NCIC-2HR Title") : text.index("Your decision on LE-NCIC-2HR")]
    assert "What the tool looked for NCIC entry within two hours" in missing
    assert "Nearest passage Telecommunicators shall enter the child into NCIC" in missing
    assert "similarity 0.41" in missing
    assert "What to add Add a sentence covering LE-NCIC-2HR." in missing
    found = text[
        text.index("LE-POL-INVESTIGATE-ALL Title") : text.index("Your decision on LE-POL-INV")
    ]
    assert "What to add" not in found and "Nearest passage" not in found


def test_near_miss_that_repeats_the_evidence_is_not_shown_twice():
    document = make_document()
    evidence = evidence_for(document, "NCIC within", words=("NCIC",))
    finding = make_finding("E-1", Status.PARTIAL, evidence=(evidence,), near_miss=evidence)
    _, page = _render(make_report(document, findings=[finding]))
    assert "Nearest passage" not in page.text
    assert page.text.count("Telecommunicators shall enter the child") == 2  # card + document


def test_overlapping_and_out_of_range_highlights_do_not_break_the_quote():
    document = make_document()
    evidence = evidence_for(document, "NCIC within")
    evidence = type(evidence)(
        **{
            **{s: getattr(evidence, s) for s in evidence.__slots__},
            "highlights": ((10, 20), (15, 30), (500, 600), (5, 2)),
        }
    )
    finding = make_finding("E-1", Status.FOUND, evidence=(evidence,))
    html, _ = _render(make_report(document, findings=[finding]))
    quote = evidence.quote
    assert f'{quote[:10]}<mark class="hit">{quote[10:30]}</mark>{quote[30:]}' in html


def test_document_view_shows_pages_and_links_evidence_both_ways():
    html, page = _render()
    ids = page.ids()
    evidence_links = [a["href"] for a in page.find("a", class_="to-doc")]
    assert evidence_links and all(link[1:] in ids for link in evidence_links)
    mark_ids = {attrs.get("id") for tag, attrs in page.tags if tag == "mark"}
    assert {link[1:] for link in evidence_links} <= mark_ids
    back = [attrs["href"] for tag, attrs in page.tags if "back" in attrs.get("class", "").split()]
    assert "#el-le-model-policy--LE-POL-INVESTIGATE-ALL" in back
    assert all(link[1:] in ids for link in back)
    assert "Page 1" in page.text and "Page 2" in page.text and "p. 2" in page.text
    assert page.find("mark", class_="hl hl-flag") and page.find("mark", class_="hl hl-near")
    assert "header/footer: never counted as evidence Page 1 of 2" in page.text


def test_evidence_offsets_that_miss_the_quote_never_highlight_other_text():
    document = make_document()
    good = evidence_for(document, "NCIC within")
    shifted = type(good)(good.quote, good.page, good.section, 0, 20)
    absent = type(good)("Words that are not in the document.", 2, "", 0, 35)
    finding = make_finding("E-1", Status.FOUND, evidence=(shifted, absent))
    html, page = _render(make_report(document, findings=[finding]))
    links = [a["href"] for a in page.find("a", class_="to-doc")]
    assert len(links) == 1
    marked = re.search(
        rf'<mark class="hl hl-evidence" id="{links[0][1:]}"[^>]*>([^<]*)</mark>', html
    )
    assert marked and marked.group(1) == good.quote
    assert "Words that are not in the document." in page.text


def test_unpaged_document_and_empty_report_render():
    blocks = [("A single paragraph about nothing.", None, (), PassageKind.PARAGRAPH)]
    document = make_document(blocks, format="html", page_count=None)
    _, page = _render(make_report(document, findings=[], checklists=()))
    assert "not paged" in page.text
    assert "No checklist elements were checked." in page.text
    empty = make_document([], format="text", page_count=None)
    _, page = _render(make_report(empty, findings=[]))
    assert "No text was extracted from this document." in page.text


def test_ingestion_health_explains_extraction_caused_gaps():
    document = make_document(
        ocr_pages=(1, 2, 3, 5),
        blank_pages=(7,),
        tracked_changes=True,
        warnings=("page 4: text layer unreadable",),
    )
    _, page = _render(make_report(document))
    text = page.text
    assert "a 'missing' element may be caused by text the tool could not read" in text
    assert "Pages read by OCR 1-3, 5" in text
    assert "Pages with no text 7" in text
    assert "Unaccepted tracked changes yes" in text
    assert "Header/footer passages set aside 1" in text
    assert "Extraction warnings (1) page 4: text layer unreadable" in text
    caveat = (
        "Extraction: Part of this document was read by OCR (pages 1-3, 5); without text "
        "(pages 7); flagged by 1 extraction warning: the wording may be there but unread."
    )
    assert text.count(caveat) == 3  # on the partial and both missing elements, not the found one


def test_clean_extraction_says_so():
    _, page = _render()
    assert "The text was read without problems." in page.text
    assert "Extraction:" not in page.text


HOSTILE = "<script>alert(1)</script> <img src=x onerror=alert(1)> {{ 7*7 }} {% raw %}"


def test_hostile_document_text_is_inert_everywhere_it_appears():
    blocks = [
        (f"Officers shall enter NCIC records. {HOSTILE}", 1, (HOSTILE,), PassageKind.PARAGRAPH),
    ]
    document = make_document(blocks, source="/in/<b>alert(1)<!--.pdf")
    evidence = evidence_for(document, "NCIC", words=("NCIC",))
    finding = make_finding(
        "LE-NCIC-2HR", Status.PARTIAL, evidence=(evidence,), reason=HOSTILE, near_miss=evidence
    )
    report = make_report(document, findings=[finding], selection_reason=HOSTILE)
    html, page = _render(report)
    assert [name for name, _ in page.tags].count("script") == 2  # page data + bundled code
    assert not page.find("img")
    assert not any(k.startswith("on") for _, attrs in page.tags for k in attrs)
    assert page.text.count("<script>alert(1)</script>") >= 4
    assert "{{ 7*7 }}" in page.text
    assert "49" not in page.text.replace(document.sha256, "")
    assert json.loads(page.scripts[0])["file_name"] == "<b>alert(1)<!--.pdf"


def test_content_security_policy_allows_only_the_bundled_script_and_style():
    html, page = _render()
    policy = page.find("meta", http_equiv="Content-Security-Policy")[0]["content"]
    assert "default-src 'none'" in policy
    for body in (page.scripts[1], page.styles[0]):
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy
    assert not re.search(r"""(src|href)=["']?(https?:|//)""", html)
    assert "@import" not in page.styles[0] and "url(" not in page.styles[0]


def test_controls_are_labelled_and_landmarks_present():
    html, page = _render()
    ids = page.ids()
    labelled = {attrs["for"] for _, attrs in page.tags if attrs.get("for")}
    for tag, attrs in page.tags:
        if tag in ("select", "textarea") or (tag == "input" and attrs.get("type") == "search"):
            assert attrs["id"] in labelled, attrs
    assert all(target in ids for target in labelled)
    names = [name for name, _ in page.tags]
    assert {"main", "header", "footer", "h1", "h2"} <= set(names)
    assert names.count("h1") == 1


def test_elements_from_a_checklist_without_a_ref_still_render():
    report = make_report(
        findings=[
            make_finding("X-1", Status.FOUND, checklist="custom", severity=Severity.RECOMMENDED)
        ],
        checklists=(ChecklistRef("le-model-policy", "1.0", "LE"),),
    )
    _, page = _render(report)
    assert "X-1 Title of X-1" in page.text


def test_template_dir_overrides_a_template_and_keeps_the_rest(tmp_path):
    (tmp_path / "partials").mkdir()
    (tmp_path / "partials" / "report_health.html.j2").write_text(
        "<section><h2>Custom health</h2></section>", encoding="utf-8"
    )
    _, page = _render(template_dir=tmp_path)
    assert "Custom health" in page.text and "Verdict summary" in page.text


def test_template_errors_are_one_plain_line(tmp_path):
    (tmp_path / "report.html.j2").write_text("{{ no_such_variable }}", encoding="utf-8")
    with pytest.raises(PolicyReviewError, match="no_such_variable") as error:
        render_html(make_report(), template_dir=tmp_path)
    assert "\n" not in str(error.value)
    with pytest.raises(PolicyReviewError, match="does not exist"):
        render_html(make_report(), template_dir=tmp_path / "nope")
