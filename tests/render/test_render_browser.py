"""The HTML report driven in real headless Chromium: offline, filters, jumps, notes, print."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from render_builders import make_report

from policy_review.model import TriageRow
from policy_review.render import QueueLinks, load_decisions, render_html, render_index_html

LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")


@pytest.fixture(scope="module")
def report():
    return make_report()


@pytest.fixture(scope="module")
def report_file(tmp_path_factory, report) -> Path:
    path = tmp_path_factory.mktemp("report") / "test-pd-directive.report.html"
    path.write_text(render_html(report, generated_at="2026-11-30"), encoding="utf-8")
    return path


class _Watched:
    """A page that records console errors, page errors and every non-local request."""

    def __init__(self, context) -> None:
        self.errors: list[str] = []
        self.remote: list[str] = []
        self.page = context.new_page()
        self.page.set_default_timeout(5_000)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))
        self.page.route("**/*", self._route)

    def _console(self, message) -> None:
        if message.type in ("error", "warning"):
            self.errors.append(f"{message.type}: {message.text}")

    def _route(self, route) -> None:
        if route.request.url.startswith(LOCAL_SCHEMES):
            route.continue_()
        else:
            self.remote.append(route.request.url)
            route.abort()

    def assert_clean(self) -> None:
        assert self.errors == []
        assert self.remote == []


@pytest.fixture
def watched(browser):
    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 800})
    yield _Watched(context)
    context.close()


def _in_viewport(page, selector: str) -> bool:
    return page.eval_on_selector(
        selector,
        """el => { const r = el.getBoundingClientRect();
                   return r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight; }""",
    )


def test_report_opens_offline_without_errors(watched, report_file):
    watched.page.goto(report_file.as_uri())
    assert watched.page.locator("h1").inner_text() == "test-pd-directive.pdf"
    assert watched.page.locator("html.js").count() == 1
    assert watched.page.locator("#filter-count").inner_text() == "Showing 4 of 4 elements."
    watched.assert_clean()


def test_filters_and_search_hide_non_matching_elements(watched, report_file):
    page = watched.page
    page.goto(report_file.as_uri())
    visible = "article.finding:visible"
    page.get_by_label("Found", exact=True).uncheck()
    assert page.locator(visible).count() == 3
    assert page.locator("#el-le-model-policy--LE-POL-INVESTIGATE-ALL").is_hidden()
    page.get_by_label("Recommended", exact=True).uncheck()
    assert page.locator(visible).count() == 2
    assert page.locator("#cl-psap-qa-clause").is_hidden()  # empty checklist section hides too
    page.get_by_label("Recommended", exact=True).check()
    page.get_by_label("Checklist").select_option("psap-qa-clause")
    assert [a.get_attribute("id") for a in page.locator(visible).all()] == [
        "el-psap-qa-clause--QA-TIMEFRAME"
    ]
    page.get_by_label("Checklist").select_option("")
    page.get_by_label("Found", exact=True).check()
    search = page.get_by_label("Search elements")
    search.focus()
    page.keyboard.type("telecommunicators ncic")  # words from the near-miss quote
    assert [a.get_attribute("id") for a in page.locator(visible).all()] == [
        "el-le-model-policy--LE-NCIC-2HR"
    ]
    assert page.locator("#filter-count").inner_text() == "Showing 1 of 4 elements."
    page.keyboard.type(" zebra")
    assert page.locator(visible).count() == 0
    assert page.locator("#no-match").is_visible()
    watched.assert_clean()


def test_keyboard_toggles_details(watched, report_file):
    page = watched.page
    page.goto(report_file.as_uri())
    toggle = page.locator("#el-le-model-policy--LE-NCIC-2HR button.toggle")
    toggle.focus()
    page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert page.locator("#el-le-model-policy--LE-NCIC-2HR-body").is_hidden()
    page.keyboard.press("Space")
    assert page.locator("#el-le-model-policy--LE-NCIC-2HR-body").is_visible()
    watched.assert_clean()


def test_evidence_link_scrolls_to_the_text_and_back(watched, report_file):
    page = watched.page
    page.goto(report_file.as_uri())
    card = "#el-le-model-policy--LE-POL-INVESTIGATE-ALL"
    page.locator(f"{card} button.toggle").click()  # a found element starts collapsed
    link = page.locator(f"{card} a.to-doc").first
    target = link.get_attribute("href")
    assert not _in_viewport(page, target)
    link.click()
    page.wait_for_function(f"location.hash === '{target}'")
    assert _in_viewport(page, target)
    assert page.eval_on_selector(target, "el => el.matches(':target')")
    back = page.locator(f"a.back[href='{card}']").first
    back.click()
    page.wait_for_function(f"location.hash === '{card}'")
    assert _in_viewport(page, f"{card} h5")
    # focus follows the jump, so the keyboard carries on from the element, not the ↩ link
    assert page.evaluate("document.activeElement.id") == card[1:]
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('article')?.id") == card[1:]
    back.click()  # the address already ends in the card's id: focus still returns to it
    assert page.evaluate("document.activeElement.id") == card[1:]
    watched.assert_clean()


def test_wide_screen_opens_evidence_beside_the_element(browser, report_file):
    context = browser.new_context(viewport={"width": 1800, "height": 700})
    try:
        watched = _Watched(context)
        page = watched.page
        page.goto(report_file.as_uri())
        card = "#el-le-model-policy--LE-NCIC-2HR"
        page.locator(card).scroll_into_view_if_needed()
        before = page.evaluate("window.scrollY")
        link = page.locator(f"{card} a.to-doc").first
        target = link.get_attribute("href")
        link.click()
        page.wait_for_selector("mark.current")
        # Only the document pane scrolled: the element and its evidence are on screen together.
        assert page.evaluate("window.scrollY") == before
        assert _in_viewport(page, target) and _in_viewport(page, f"{card} h5")
        watched.assert_clean()
    finally:
        context.close()


def test_jump_to_a_filtered_out_element_clears_the_filters(watched, report_file):
    page = watched.page
    page.goto(report_file.as_uri())
    page.get_by_label("Missing", exact=True).uncheck()
    page.locator("#summary a[href='#el-le-model-policy--LE-NCIC-2HR']").click()
    assert page.locator("#el-le-model-policy--LE-NCIC-2HR").is_visible()
    assert _in_viewport(page, "#el-le-model-policy--LE-NCIC-2HR h5")
    watched.assert_clean()


def test_decision_survives_reload_and_exports_for_analyze(watched, report_file, report, tmp_path):
    page = watched.page
    page.goto(report_file.as_uri())
    card = page.locator("#el-le-model-policy--LE-NCIC-2HR")
    assert card.get_by_label("Reject").evaluate("el => el.parentElement.textContent").strip() == (
        "Reject: the tool is wrong"
    )
    card.get_by_label("Reject").check()
    card.get_by_label("Note").fill("NCIC entry is in the annex, page 9.")
    assert card.locator(".decision-badge").inner_text() == "Reviewer: Reject"
    page.reload()
    card = page.locator("#el-le-model-policy--LE-NCIC-2HR")
    assert card.get_by_label("Reject").is_checked()
    assert card.get_by_label("Note").input_value() == "NCIC entry is in the annex, page 9."
    page.get_by_label("Your decision").select_option("reject")
    assert page.locator("article.finding:visible").count() == 1

    asked = []

    def answer(dialog):
        asked.append(dialog.message)
        dialog.accept("Dana Reviewer")

    page.on("dialog", answer)
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Export decisions").click()
    download = download_info.value
    with page.expect_download():  # the name is remembered: not asked twice
        page.get_by_role("button", name="Export decisions").click()
    assert len(asked) == 1
    assert page.get_by_role("button", name="Reviewer: Dana Reviewer").is_visible()
    assert download.suggested_filename == "test-pd-directive.decisions.json"
    exported = tmp_path / download.suggested_filename
    download.save_as(exported)
    data = json.loads(exported.read_text(encoding="utf-8"))
    assert data["schema"] == "policy-review/decisions@1"
    assert data["document"]["sha256"] == report.document.sha256
    assert data["reviewer"] == "Dana Reviewer"
    assert data["decisions"] == [
        {
            "checklist": "le-model-policy",
            "element": "LE-NCIC-2HR",
            "decision": "reject",
            "note": "NCIC entry is in the annex, page 9.",
            "machine_status": "missing",
        }
    ]
    html = render_html(report, decisions=load_decisions(exported))
    assert "Imported reviewer decision:</strong> Reject: “NCIC entry is in the annex" in html
    assert "Reviewer decisions by Dana Reviewer imported from" in html
    watched.assert_clean()


def test_imported_decisions_preload_the_controls(watched, report, tmp_path):
    exported = tmp_path / "d.json"
    exported.write_text(
        json.dumps(
            {
                "schema": "policy-review/decisions@1",
                "document": {"sha256": report.document.sha256},
                "decisions": [
                    {
                        "checklist": "le-model-policy",
                        "element": "LE-POL-NO-WAIT",
                        "decision": "follow-up",
                        "note": "Ask about runaways.",
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    path = tmp_path / "with-decisions.html"
    path.write_text(render_html(report, decisions=load_decisions(exported)), encoding="utf-8")
    page = watched.page
    page.goto(path.as_uri())
    card = page.locator("#el-le-model-policy--LE-POL-NO-WAIT")
    assert card.get_by_label("Needs follow-up").is_checked()
    assert card.get_by_label("Note").input_value() == "Ask about runaways."
    watched.assert_clean()


def test_print_shows_what_the_filters_show_and_says_so(watched, report_file):
    page = watched.page
    page.goto(report_file.as_uri())
    page.get_by_role("button", name="Collapse all").click()
    page.get_by_label("Found", exact=True).uncheck()
    page.emulate_media(media="print")
    assert page.locator("article.finding:visible").count() == 3
    assert page.locator("#el-le-model-policy--LE-POL-INVESTIGATE-ALL").is_hidden()
    assert page.locator("#el-le-model-policy--LE-NCIC-2HR-body").is_visible()  # details open
    note = page.locator("#print-note")
    assert note.is_visible()
    assert note.inner_text().startswith("This printout shows 3 of 4 elements")
    assert page.locator("#filters").is_hidden()
    assert page.locator("fieldset.decision").first.is_hidden()
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    page.emulate_media(media="screen")
    page.get_by_label("Found", exact=True).check()
    page.emulate_media(media="print")
    assert page.locator("#print-note").is_hidden()  # nothing filtered: no note
    watched.assert_clean()


def test_print_all_prints_every_element_then_restores_the_filters(watched, report_file):
    page = watched.page
    page.goto(report_file.as_uri())
    # window.print blocks until the dialog closes; record what it would print instead
    page.evaluate(
        """window.print = () => { window.printed =
             document.querySelectorAll('article.finding:not([hidden])').length; }"""
    )
    page.get_by_label("Found", exact=True).uncheck()
    page.get_by_role("button", name="Print all").click()
    assert page.evaluate("window.printed") == 4
    assert not page.get_by_label("Found", exact=True).is_checked()
    assert page.locator("article.finding:visible").count() == 3
    watched.assert_clean()


def test_found_elements_start_collapsed_and_gaps_open(watched, report_file, report):
    page = watched.page
    page.goto(report_file.as_uri())
    for finding in report.findings:
        body = page.locator(f"#el-{finding.checklist}--{finding.element}-body")
        should_open = finding.status.value != "found" or bool(finding.red_flags)
        assert body.is_visible() == should_open, finding.element
    watched.assert_clean()


def test_after_review_summary_follows_the_decisions(watched, report_file, report, tmp_path):
    page = watched.page
    page.goto(report_file.as_uri())
    box = page.locator("#after-review")
    assert box.is_hidden()
    machine = page.locator("#summary .reading").first.inner_text()
    assert "not ready to submit" in machine
    card = page.locator("#el-le-model-policy--LE-NCIC-2HR")  # the one critical element missing
    assert page.locator("#tool-verdict-label").is_hidden()
    card.get_by_label("Reject").check()
    assert box.is_visible()
    assert page.locator("#tool-verdict-label").is_visible()
    text = box.locator("#after-review-reading").inner_text()
    assert text.startswith("After review:") and "not ready" not in text
    assert "1 reviewer decision (1 changed the tool's verdict)" in box.inner_text()
    card.get_by_label("Accept").check()
    assert "1 critical element missing" in box.locator("#after-review-reading").inner_text()
    # the same decisions rendered by `analyze --decisions` give the same line
    exported = tmp_path / "d.json"
    exported.write_text(
        json.dumps(
            {
                "schema": "policy-review/decisions@1",
                "document": {"sha256": report.document.sha256},
                "decisions": [
                    {"checklist": "le-model-policy", "element": "LE-NCIC-2HR", "decision": "reject"}
                ],
            }
        ),
        encoding="utf-8",
    )
    card.get_by_label("Reject").check()
    live = box.locator("#after-review-reading").inner_text()
    rendered = tmp_path / "rendered.html"
    rendered.write_text(render_html(report, decisions=load_decisions(exported)), encoding="utf-8")
    other = watched.page.context.new_page()
    other.set_content(rendered.read_text(encoding="utf-8"))
    other.evaluate("document.querySelectorAll('script').forEach(s => s.remove())")
    assert other.locator("#after-review-reading").inner_text() == live
    other.close()
    watched.assert_clean()


def test_narrow_screen_never_scrolls_sideways(browser, report_file, real_report, tmp_path):
    real = tmp_path / "real.report.html"
    real.write_text(render_html(real_report), encoding="utf-8")
    index = tmp_path / "index.html"
    row = TriageRow(
        path="a-very-long-agency-directive-file-name-without-spaces.pdf",
        ok=True,
        agency_type="law enforcement",
        checklists=("le-model-policy", "psap-ansi-standard", "psap-qa-clause"),
        decisions="3 agreed, 1 tool wrong by Dana Reviewer",
        after_review_critical_missing=2,
        html_report="a.report.html",
    )
    index.write_text(render_index_html([row]), encoding="utf-8")
    context = browser.new_context(viewport={"width": 390, "height": 800})
    try:
        watched = _Watched(context)
        for path in (report_file, real):
            watched.page.goto(path.as_uri())
            watched.page.get_by_role("button", name="Expand all").click()
            assert watched.page.evaluate("document.documentElement.scrollWidth") <= 390
        # the queue's wide table scrolls inside its own region, not the page
        watched.page.goto(index.as_uri())
        assert watched.page.evaluate("document.documentElement.scrollWidth") <= 390
        watched.assert_clean()
    finally:
        context.close()


def test_triage_index_sorts_and_filters(watched, tmp_path):
    rows = [
        TriageRow(
            path="a.pdf",
            ok=True,
            agency_type="law enforcement",
            critical_missing=5,
            red_flags=0,
            html_report="a.report.html",
        ),
        TriageRow(
            path="b.pdf",
            ok=True,
            agency_type="PSAP",
            critical_missing=1,
            red_flags=3,
            html_report="b.report.html",
        ),
        TriageRow(path="c.docx", ok=False, error="corrupt Word file"),
    ]
    path = tmp_path / "index.html"
    path.write_text(render_index_html(rows), encoding="utf-8")
    page = watched.page
    page.goto(path.as_uri())

    def names():
        return [r.get_attribute("data-name") for r in page.locator("tbody tr:visible").all()]

    assert names() == ["a.pdf", "b.pdf", "c.docx"]
    page.get_by_role("button", name="Red flags").click()
    assert names() == ["b.pdf", "a.pdf", "c.docx"]
    assert page.locator("th[data-key=flags]").get_attribute("aria-sort") == "descending"
    page.get_by_label("Show").select_option("error")
    assert names() == ["c.docx"]
    page.get_by_label("Show").select_option("")
    page.get_by_label("Search").fill("psap")
    assert names() == ["b.pdf"]
    watched.assert_clean()


def test_real_review_report_works_in_the_browser(watched, real_report, tmp_path):
    real = real_report
    path = tmp_path / "real.report.html"
    path.write_text(render_html(real), encoding="utf-8")
    page = watched.page
    page.goto(path.as_uri())
    assert page.locator("article.finding").count() == len(real.findings)
    links = page.locator("article.finding a.to-doc:visible")
    if links.count():
        target = links.first.get_attribute("href")
        links.first.click()
        page.wait_for_function(f"location.hash === '{target}'")
        assert _in_viewport(page, target)
    watched.assert_clean()


def test_report_links_to_the_index_and_the_next_document_in_the_queue(watched, report, tmp_path):
    rows = [
        TriageRow(path="a.pdf", ok=True, critical_missing=5, html_report="a.report.html"),
        TriageRow(path="copy/a.pdf", ok=True, duplicate_of="a.pdf", html_report="a.report.html"),
        TriageRow(path="sub/b.pdf", ok=True, critical_missing=1, html_report="sub/b.report.html"),
    ]
    (tmp_path / "index.html").write_text(render_index_html(rows), encoding="utf-8")
    (tmp_path / "sub").mkdir()
    for href, index in (("a.report.html", "index.html"), ("sub/b.report.html", "../index.html")):
        queue = QueueLinks(index_href=index, next_href=f"{index}#after={href}")
        (tmp_path / href).write_text(render_html(report, queue=queue), encoding="utf-8")
    page = watched.page
    page.goto((tmp_path / "a.report.html").as_uri())
    page.get_by_role("link", name="Next document in the queue →").click()
    page.wait_for_url("**/sub/b.report.html")  # the copy of a.pdf is skipped
    page.get_by_role("link", name="Next document in the queue →").click()
    page.wait_for_url("**/index.html#after=sub/b.report.html")
    assert page.locator("#queue-end").is_visible()
    page.goto((tmp_path / "sub" / "b.report.html").as_uri())
    page.get_by_role("link", name="← Back to the triage queue").click()
    page.wait_for_url("**/index.html")
    assert page.locator("#queue tbody tr").count() == 3
    watched.assert_clean()
