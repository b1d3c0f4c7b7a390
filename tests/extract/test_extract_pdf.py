"""PDF extraction through load_document and the CLI, on fixtures built at test time."""

from __future__ import annotations

import shutil
import time

import pytest
from extract_fixtures import (
    RUNNING_HEADER,
    PdfPage,
    TextLine,
    long_text_pdf,
    ruled_table_pdf,
    running_header_pdf,
    scan_image,
    scanned_pdf,
    write_pdf,
)

from policy_review.cli import main
from policy_review.errors import UnreadableInputError
from policy_review.extract import ExtractLimits, load_document
from policy_review.model import PassageKind

FAST_PDF_SECONDS = 0.2


def _passage(document, fragment):
    matches = [p for p in document.passages if fragment in p.text]
    assert matches, f"no passage contains {fragment!r}"
    return matches[0]


@pytest.fixture(scope="module")
def running_pdf(tmp_path_factory):
    return running_header_pdf(tmp_path_factory.mktemp("pdf") / "running.pdf")


def test_running_headers_and_page_numbers_are_kept_apart(running_pdf):
    document = load_document(running_pdf)
    edges = [p for p in document.passages if p.kind is PassageKind.HEADER_FOOTER]
    assert {p.text for p in edges} == {RUNNING_HEADER, "Page 1 of 3", "Page 2 of 3", "Page 3 of 3"}
    assert [p.page for p in edges if p.text == RUNNING_HEADER] == [1, 2, 3]
    for passage in document.evidence_passages:
        assert "ANYTOWN" not in passage.text and "Page " not in passage.text


def test_sentence_over_a_page_break_joins_and_keeps_its_first_page(running_pdf):
    document = load_document(running_pdf)
    passage = _passage(document, "3. Patrol shall search")
    assert passage.text.endswith("outbuildings where a child could hide or be hidden.")
    assert passage.page == 1
    assert passage.kind is PassageKind.LIST_ITEM


def test_hyphenated_word_and_wrapped_lines_are_rejoined(running_pdf):
    document = load_document(running_pdf)
    assert "a full description of the clothing worn when last seen." in document.text
    item = _passage(document, "1. The call taker")
    assert item.text.endswith("notify the on-duty supervisor without delay.")


def test_numbered_headings_build_section_trails(running_pdf):
    document = load_document(running_pdf)
    assert _passage(document, "1. The call taker").section == (
        "IV. PROCEDURES",
        "B. Communications",
    )
    assert _passage(document, "Detectives shall review").section == (
        "IV. PROCEDURES",
        "C. Follow-up",
    )
    records = _passage(document, "All reports are kept")
    assert records.section == ("V. RECORDS",) and records.page == 3
    assert _passage(document, "IV. PROCEDURES").kind is PassageKind.HEADING


def test_passage_offsets_index_the_document_text(running_pdf):
    document = load_document(running_pdf)
    assert document.format == "pdf" and document.page_count == 3
    for passage in document.passages:
        assert document.text[passage.start : passage.end] == passage.text


def test_non_breaking_spaces_become_spaces(tmp_path):
    page = PdfPage([TextLine("Notify\u00a0the supervisor.", 72, 100)])
    assert load_document(write_pdf(tmp_path / "nbsp.pdf", [page])).text == (
        "Notify the supervisor."
    )


LEFT_COLUMN = [
    "Officers shall accept every report of a",
    "missing child without delay and shall",
    "never impose a waiting period before",
    "taking the report.",
]
RIGHT_COLUMN = [
    "The supervisor shall respond to the",
    "scene of every abduction and shall",
    "coordinate the search with other",
    "agencies as needed.",
]


@pytest.mark.parametrize("row_by_row", [True, False], ids=["drawn-row-by-row", "column-by-column"])
def test_two_columns_are_read_column_by_column(tmp_path, row_by_row):
    left = [TextLine(text, 72, 150 + 14 * i) for i, text in enumerate(LEFT_COLUMN)]
    right = [TextLine(text, 320, 150 + 14 * i) for i, text in enumerate(RIGHT_COLUMN)]
    lines = (
        [x for pair in zip(left, right, strict=True) for x in pair] if row_by_row else left + right
    )
    heading = TextLine("II. DUTIES", 72, 120, 11, bold=True)
    document = load_document(write_pdf(tmp_path / "columns.pdf", [PdfPage([heading, *lines])]))
    assert [p.text for p in document.passages] == [
        "II. DUTIES",
        " ".join(LEFT_COLUMN),
        " ".join(RIGHT_COLUMN),
    ]


def test_characters_left_out_of_the_text_do_not_shift_the_column_split(tmp_path):
    """pdfium leaves NUL character codes out of its text, so text and character indexes part
    after them: lines further down must still be looked up, and cut, at the right characters."""
    stamp = TextLine("Riverbend\x00\x00\x00 Police", 72, 80, 9)
    heading = TextLine("II. DUTIES", 72, 120, 11, bold=True)
    left = [TextLine(text, 72, 150 + 14 * i) for i, text in enumerate(LEFT_COLUMN)]
    right = [TextLine(text, 320, 150 + 14 * i) for i, text in enumerate(RIGHT_COLUMN)]
    rows = [x for pair in zip(left, right, strict=True) for x in pair]
    page = PdfPage([stamp, heading, *rows])
    document = load_document(write_pdf(tmp_path / "nul.pdf", [page]))
    assert [p.text for p in document.passages] == [
        "Riverbend Police",
        "II. DUTIES",
        " ".join(LEFT_COLUMN),
        " ".join(RIGHT_COLUMN),
    ]


def test_ruled_table_cells_are_passages_in_row_order(tmp_path):
    document = load_document(ruled_table_pdf(tmp_path / "table.pdf"))
    assert [(p.kind.value, p.text) for p in document.passages] == [
        ("paragraph", "The table below lists risk factors for officers to check."),
        ("table_cell", "Risk factor"),
        ("table_cell", "Action"),
        ("table_cell", "Under 13 years of age"),
        ("table_cell", "Treat as high risk and notify the supervisor at once."),
        ("table_cell", "Runaway"),
        ("table_cell", "Take a report without delay."),
        ("paragraph", "Officers shall document every factor in the report."),
    ]
    rows = [p.row for p in document.passages]
    assert rows[0] is None and rows[-1] is None  # text outside the table has no row
    assert rows[1] == rows[2] != rows[3] == rows[4] != rows[5] == rows[6]


def test_pages_without_a_ruling_grid_are_never_searched_for_tables(tmp_path, monkeypatch):
    """pdfplumber's table search parses the whole page again (a tenth of a second); a page
    whose rules cannot make a grid of two rows and two columns must not pay for it."""
    import pdfplumber

    opened = []
    real_open = pdfplumber.open

    def counting_open(*args, **kwargs):
        opened.append(args)
        return real_open(*args, **kwargs)

    monkeypatch.setattr(pdfplumber, "open", counting_open)
    document = load_document(ruled_table_pdf(tmp_path / "rows.pdf", grid=False))
    assert opened == []
    assert not any(p.kind.value == "table_cell" for p in document.passages)
    assert "Take a report without delay." in document.text
    load_document(ruled_table_pdf(tmp_path / "grid.pdf"))
    assert len(opened) == 1


def test_thirty_page_text_pdf_is_fast(tmp_path):
    path = long_text_pdf(tmp_path / "long.pdf", pages=30)
    load_document(path)  # warm imports
    best = min(_timed(path) for _ in range(5))
    assert best < FAST_PDF_SECONDS, f"30 pages took {best:.3f} s"


def _timed(path) -> float:
    """CPU seconds of this process, so other work on a busy machine does not count."""
    started = time.process_time()
    document = load_document(path)
    elapsed = time.process_time() - started
    assert document.page_count == 30
    return elapsed


def test_page_limit_names_the_option(tmp_path):
    path = long_text_pdf(tmp_path / "long.pdf", pages=5)
    with pytest.raises(UnreadableInputError, match="--max-pages"):
        load_document(path, limits=ExtractLimits(max_pages=4))


def test_scanned_page_without_ocr_is_named_in_a_warning(tmp_path):
    document = load_document(scanned_pdf(tmp_path / "scan.pdf"), limits=ExtractLimits(ocr=False))
    assert document.ocr_pages == ()
    assert document.blank_pages == (3,)
    assert any("page 2" in w and "OCR" in w for w in document.warnings)
    assert "real text layer" in document.text


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed")
def test_scanned_page_is_read_with_tesseract(tmp_path):
    document = load_document(scanned_pdf(tmp_path / "scan.pdf"))
    assert document.ocr_pages == (2,)
    assert any("OCR" in w for w in document.warnings)
    passage = _passage(document, "supervisor shall respond")
    assert passage.page == 2
    assert "to the scene immediately" in passage.text


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed")
def test_scan_under_a_text_stamp_is_still_read_by_ocr(tmp_path):
    stamp = TextLine("Released under the Official Information Act", 150, 30, 9)
    scan = scan_image(["", "", "Officers shall search the home", "of the missing child."])
    path = write_pdf(tmp_path / "stamped.pdf", [PdfPage([stamp], image=scan)])
    document = load_document(path)
    assert document.ocr_pages == (1,)
    assert "search the home of the missing child" in document.text


def test_scanned_page_without_tesseract_warns(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no tesseract on an empty PATH
    document = load_document(scanned_pdf(tmp_path / "scan.pdf"))
    assert document.ocr_pages == ()
    assert any("page 2" in w and "Tesseract is not installed" in w for w in document.warnings)


def test_encrypted_pdf_with_empty_password_opens(tmp_path):
    page = PdfPage([TextLine("Officers shall accept the report.", 72, 100)])
    path = write_pdf(tmp_path / "empty.pdf", [page], user_password="")
    assert load_document(path).text == "Officers shall accept the report."


def test_password_protected_pdf_is_one_clear_error(tmp_path, capsys):
    page = PdfPage([TextLine("Officers shall accept the report.", 72, 100)])
    path = write_pdf(tmp_path / "locked.pdf", [page], user_password="secret")
    with pytest.raises(UnreadableInputError, match="password-protected"):
        load_document(path)
    assert main(["extract", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "password-protected" in err and str(path) in err


@pytest.mark.parametrize("keep", [0.3, 0.6, 0.95])
def test_truncated_pdf_is_an_error_or_partial_read(tmp_path, running_pdf, keep):
    data = running_pdf.read_bytes()
    path = tmp_path / "truncated.pdf"
    path.write_bytes(data[: int(len(data) * keep)])
    try:
        document = load_document(path)
    except UnreadableInputError as exc:
        assert str(path) in str(exc) and "\n" not in str(exc)
    else:
        assert document.format == "pdf"


def test_cli_extract_prints_page_kind_and_section(running_pdf, capsys):
    assert main(["extract", str(running_pdf)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "[p1] [list_item] [IV. PROCEDURES > B. Communications] 1. The call taker" in (
        "\n".join(lines)
    )


def test_a_chapters_own_running_footer_is_set_apart_inside_a_manual(tmp_path):
    """A manual's chapter footer ("Missing Persons - 8") repeats on its few pages only, far
    short of half the manual; left in the text it would cut a list off from its lead-in."""
    others = iter(
        [
            "Vehicle Pursuits",
            "Use of Force",
            "Bias",
            "Canines",
            "Evidence",
            "Ride-Alongs",
            "Detainees",
            "Records",
            "Bicycles",
        ]
    )
    pages = []
    for number in range(1, 13):
        chapter = "Missing Persons" if 7 <= number <= 9 else next(others)
        lines = [
            TextLine("Anytown Police Department Policy Manual", 72, 40, 9),
            TextLine(f"{chapter} - {number}", 280, 760, 9),
            TextLine(f"Members shall read section {chr(64 + number)} in full.", 72, 300),
        ]
        pages.append(PdfPage(lines))
    document = load_document(write_pdf(tmp_path / "manual.pdf", pages))
    edges = {p.text for p in document.passages if p.kind is PassageKind.HEADER_FOOTER}
    assert {"Missing Persons - 7", "Missing Persons - 8", "Missing Persons - 9"} <= edges
    assert all("Missing Persons" not in p.text for p in document.evidence_passages)
    # one-off footers (each other chapter here has a single page) stay text
    assert "Use of Force - 2" not in edges


def test_a_bold_party_name_after_a_full_line_heads_its_own_duties(tmp_path):
    """A protocol lists each party's duties under its bold name set at the ordinary line pitch:
    a sentence that fills its line must not swallow the next party's name."""
    lines = [
        TextLine("Dispatcher", 72, 100, 11, bold=True),
        TextLine(
            "The dispatcher sends the closest available unit and keeps the whole shift", 72, 114
        ),
        TextLine(
            "informed of every change in the case until the final unit has cleared it.", 72, 128
        ),
        TextLine("Patrol officer", 72, 142, 11, bold=True),
        TextLine(
            "The officer searches the home even when the family has already searched.", 72, 156
        ),
    ]
    document = load_document(write_pdf(tmp_path / "parties.pdf", [PdfPage(lines)]))
    officer = next(p for p in document.passages if "searches the home" in p.text)
    assert officer.section[-1] == "Patrol officer"
    assert not any("Patrol officer" in p.text and "dispatcher" in p.text for p in document.passages)


def _side_head_page() -> PdfPage:
    """A patrol-guide page: each role set in a narrow bold left column beside its numbered
    steps; the text layer gives a head's lines before the steps beside it, and one head shares
    its baseline with its first step."""
    blocks = (
        (
            (("COMMUNICATIONS", 130), ("SECTION", 142), ("DISPATCHER", 154)),
            (
                ("1. Ask the caller when and where the juvenile was last seen and by", 134),
                ("whom, and write down the names of those persons.", 146),
                ("2. Assign a patrol unit to respond to the location in person at once.", 164),
            ),
        ),
        (
            (("UNIFORMED", 190), ("MEMBER OF THE", 202), ("SERVICE", 214)),
            (
                ("3. Respond to the location and interview the complainant and parents.", 194),
                ("4. Obtain a detailed description of the juvenile and a recent photo.", 212),
            ),
        ),
    )
    lines = [
        TextLine("When a member of the service receives a report of a missing juvenile:", 72, 100)
    ]
    for head, steps in blocks:  # in the text layer a head's lines come before its steps
        lines += [TextLine(text, 72, y, bold=True) for text, y in head]
        lines += [TextLine(text, 187, y) for text, y in steps]
    lines += [
        TextLine("DESK OFFICER", 72, 240, bold=True),
        TextLine("5. Respond to the scene of every missing juvenile report at once.", 187, 240),
    ]
    return PdfPage(lines)


def test_side_heads_head_the_steps_beside_them(tmp_path):
    document = load_document(write_pdf(tmp_path / "guide.pdf", [_side_head_page()]))
    headings = [p.text for p in document.passages if p.kind is PassageKind.HEADING]
    assert headings == [
        "COMMUNICATIONS SECTION DISPATCHER",
        "UNIFORMED MEMBER OF THE SERVICE",
        "DESK OFFICER",
    ]
    steps = {p.text[:2]: p for p in document.passages if p.text[:1].isdigit()}
    assert steps["1."].text.endswith("write down the names of those persons.")
    assert steps["1."].section[-1] == "COMMUNICATIONS SECTION DISPATCHER"
    assert steps["4."].section[-1] == "UNIFORMED MEMBER OF THE SERVICE"
    assert steps["5."].section[-1] == "DESK OFFICER"


def test_a_duty_under_the_dispatchers_side_head_is_not_the_officers(tmp_path):
    """Read end to end: the dispatcher asks when, where and by whom; no officer step does, so
    the officer's duty is met only by the wrong role."""
    from policy_review.checklist import load_checklist
    from policy_review.review import review

    document = load_document(write_pdf(tmp_path / "guide.pdf", [_side_head_page()]))
    [finding] = [
        f
        for f in review(document, (load_checklist("le-model-policy"),)).findings
        if f.element == "LE-FR-LAST-SEEN"
    ]
    assert finding.status.value == "partial"
    assert "telecommunicator" in finding.reason


def test_a_bold_numbered_item_wrapping_in_a_narrow_column_stays_one_passage(tmp_path):
    """On a two-column page a line ending well short of the page's width can still be full:
    its next word did not fit in the column, even under a full-width title block."""
    title = "OPS-6 Missing Child in the Terminal, issued by the Airport Police, effective 2024"
    left = [
        TextLine(title, 72, 90),
        TextLine("6.5 Establish exactly where the child was", 72, 120, bold=True),
        TextLine("last seen, when, and by whom, and record it.", 72, 132),
        TextLine("6.6 Ask where the child's other parent is.", 72, 150, bold=True),
    ]
    left += [
        TextLine(f"Plain prose line {n} of the left column text.", 72, 168 + 12 * n)
        for n in range(4)
    ]
    right = [
        TextLine(f"Right column prose line {n} of the text here.", 317, 120 + 12 * n)
        for n in range(8)
    ]
    document = load_document(write_pdf(tmp_path / "two.pdf", [PdfPage(left + right)]))
    texts = [p.text for p in document.passages]
    assert (
        "6.5 Establish exactly where the child was last seen, when, and by whom, and record it."
        in texts
    )
