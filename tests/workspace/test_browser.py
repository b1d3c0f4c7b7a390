"""The workspace in real headless Chromium: sign in, upload, wait, decide, reload, restart."""

from __future__ import annotations

import re
import time

import pytest
from workspace_helpers import (
    MARLOW_AGENCY,
    PASSWORD,
    SAMPLES,
    WorkspaceServer,
    add_reviewer,
    upload,
    wait_analysed,
    write_directive,
    write_marlow_versions,
)

ANALYSIS_TIMEOUT_S = 120
SAMPLE = SAMPLES / "lakeview-pd-missing-children.pdf"

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed: browser tests skipped"
)
expect = sync_api.expect


def _wait_until_analysed(page, base_url: str) -> None:
    deadline = time.monotonic() + ANALYSIS_TIMEOUT_S
    while time.monotonic() < deadline:
        page.goto(base_url + "/")
        statuses = page.locator("#queue tbody .ws-status").all_inner_texts()
        if statuses and not {"queued", "analysing"} & set(statuses):
            return
        time.sleep(0.5)
    raise AssertionError("the uploads were not analysed in time")


def test_reviewer_signs_in_uploads_decides_and_finds_it_after_reload_and_restart(browser, tmp_path):
    db = str(tmp_path / "policy-review.db")
    add_reviewer(db, "alice")
    server = WorkspaceServer(tmp_path, db=db).start()
    problems: list[str] = []
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.on("console", lambda m: m.type in ("error", "warning") and problems.append(m.text))
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    try:
        page.goto(server.url + "/")
        assert page.url.endswith("/login")
        page.fill("#name", "alice")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(server.url + "/")

        page.goto(server.url + "/upload")
        page.fill("#agency", "Lakeview Police Department")
        other = write_directive(tmp_path / "granby-dispatch.txt", tag="granby")
        page.set_input_files("#files", [str(SAMPLE), str(other)])
        page.locator(".file-agency").nth(1).fill("Granby Falls Dispatch")
        page.click("#upload-button")
        expect(page.locator(".file-result a")).to_have_count(2)

        _wait_until_analysed(page, server.url)
        rows = page.locator("#queue tbody tr")
        assert rows.count() == 2
        page.click(f"text={SAMPLE.name}")
        card = page.locator("article.finding[data-start=open]").first
        card.locator("input[type=radio][value=follow-up]").check()
        expect(page.locator("#storage-note")).to_have_text(re.compile("^Saved"))
        card.locator("textarea").fill("Ask about the night shift")
        card.locator("textarea").press("Tab")
        expect(page.locator("#history-rows tr")).to_have_count(2)
        submission_url = page.url

        def assert_kept():
            card = page.locator("article.finding[data-start=open]").first
            assert card.locator("input[type=radio][value=follow-up]").is_checked()
            assert card.locator("textarea").input_value() == "Ask about the night shift"
            history = page.locator("#history-rows tr").first.inner_text()
            assert "alice" in history and "Ask about the night shift" in history

        page.reload()
        assert_kept()
        server.stop()
        server.start()
        page.goto(submission_url)
        assert_kept()

        page.check("input[name=outcome][value=needs-revision]")
        page.fill("#determination-note", "Add the NCIC entry deadline")
        page.click("text=Record determination")
        assert "Needs revision by alice" in page.locator(".ws-determinations").inner_text()

        page.click("text=Lakeview Police Department")
        assert re.search(r"1 submission\b", page.locator("main").inner_text())
        assert problems == []
    finally:
        context.close()
        server.stop()


def test_the_agency_page_compares_a_version_with_the_previous_one(browser, tmp_path):
    db = str(tmp_path / "policy-review.db")
    token = add_reviewer(db, "alice")
    server = WorkspaceServer(tmp_path, db=db).start()
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems: list[str] = []
    page.on("console", lambda m: m.type in ("error", "warning") and problems.append(m.text))
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    try:
        with server.client(token) as client:
            for path in write_marlow_versions(tmp_path):
                wait_analysed(client, upload(client, path, MARLOW_AGENCY).json()["id"])
        page.goto(server.url + "/login")
        page.fill("#name", "alice")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(server.url + "/")

        page.locator("#queue").get_by_role("link", name=MARLOW_AGENCY).first.click()
        newest = page.locator("main tbody tr").first
        expect(newest).to_contain_text(
            "1 critical element lost since the 2019 version (LE-TRAINING); 1 weakened."
        )
        expect(page.get_by_role("link", name=re.compile("^Compare with previous"))).to_have_count(1)
        newest.get_by_role("link", name=re.compile("^Compare with previous")).click()

        expect(page.locator("h1")).to_have_text(
            "What changed: marlow-policy-332-2019.md → marlow-policy-332-2023.md"
        )
        for change, element in (("lost", "LE-TRAINING"), ("weakened", "LE-NCIC-2HR")):
            page.select_option("#f-change", change)
            shown = page.locator("article.el:visible h3")
            expect(shown).to_have_count(1)
            expect(shown).to_contain_text(element)
        expect(page.get_by_text("Sections not compared")).to_be_visible()
        assert problems == []
    finally:
        context.close()
        server.stop()
