"""Word extraction: generated numbers, tracked changes, tables, text boxes, headers, and the
package checks that refuse zip bombs and DTD-based XML attacks."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest
from extract_fixtures import (
    body_xml,
    directive_docx,
    docx_with_footnote,
    paragraph_xml,
    rewrite_docx_part,
    simple_docx,
)

from policy_review.cli import main
from policy_review.errors import UnreadableInputError
from policy_review.extract import ExtractLimits, load_document
from policy_review.model import PassageKind


@pytest.fixture(scope="module")
def directive(tmp_path_factory):
    return load_document(directive_docx(tmp_path_factory.mktemp("docx") / "directive.docx"))


def _passage(document, fragment):
    matches = [p for p in document.passages if fragment in p.text]
    assert matches, f"no passage contains {fragment!r}"
    return matches[0]


def test_word_generated_numbers_are_shown(directive):
    texts = [p.text for p in directive.passages]
    assert "I. PROCEDURES" in texts
    assert "A. Communications" in texts
    assert "1. The call taker shall enter the child into NCIC within two hours." in texts
    assert "2. The supervisor shall be notified." in texts
    assert "(a) a photograph is requested" in texts
    # a higher level restarts the levels below it
    assert "B. Investigations" in texts
    assert "1. Detectives shall follow up within 24 hours." in texts
    assert "II. RECORDS" in texts


def test_numbering_and_heading_styles_build_section_trails(directive):
    assert _passage(directive, "call taker").section == (
        "Missing Children",
        "I. PROCEDURES",
        "A. Communications",
    )
    assert _passage(directive, "Detectives shall").section == (
        "Missing Children",
        "I. PROCEDURES",
        "B. Investigations",
    )
    assert _passage(directive, "Missing Children").kind is PassageKind.HEADING
    assert directive.page_count is None and directive.format == "docx"
    assert all(p.page is None for p in directive.passages)


def test_bullets_are_list_items(directive):
    bullet = _passage(directive, "Check the child's home")
    assert bullet.kind is PassageKind.LIST_ITEM
    assert bullet.text == "Check the child's home and yard."


def test_tracked_changes_read_as_accepted_with_a_warning(directive):
    assert "Officers shall immediately accept reports of missing children." in directive.text
    assert "never" not in directive.text
    assert directive.tracked_changes
    assert any("tracked changes" in w for w in directive.warnings)


def test_tables_text_boxes_headers_and_comments(directive):
    cells = [p.text for p in directive.passages if p.kind is PassageKind.TABLE_CELL]
    assert cells == [
        "Risk factor",
        "Action",
        "Under 13 years of age",
        "Treat as high risk and call NCMEC.",
    ]
    rows = [p.row for p in directive.passages if p.kind is PassageKind.TABLE_CELL]
    assert rows[0] == rows[1] != rows[2] == rows[3]  # a row's cells share it: one statement
    assert "Text box: AMBER Alert criteria apply." in directive.text
    edges = {p.text for p in directive.passages if p.kind is PassageKind.HEADER_FOOTER}
    assert edges == {"ANYTOWN PD GENERAL ORDER 41.2 - CONFIDENTIAL", "Revised 2024"}
    assert "CONFIDENTIAL" not in " ".join(p.text for p in directive.evidence_passages)
    assert "Commented sentence stays in the text." in directive.text
    assert "Reviewer note" not in directive.text
    assert any("comment" in w for w in directive.warnings)


def test_docx_parts_over_the_byte_limit_are_refused_before_parsing(tmp_path):
    source = simple_docx(tmp_path / "plain.docx", ["Officers shall respond."])
    bomb = rewrite_docx_part(
        source,
        tmp_path / "bomb.docx",
        "word/document.xml",
        body_xml(paragraph_xml("x") + " " * 3_000_000),
    )
    assert bomb.stat().st_size < 100_000
    with pytest.raises(UnreadableInputError, match="zip bomb.*--max-bytes"):
        load_document(bomb, limits=ExtractLimits(max_bytes=1_000_000))


def test_lying_declared_size_is_caught_while_unpacking(tmp_path):
    source = simple_docx(tmp_path / "plain.docx", ["Officers shall respond."])
    big = rewrite_docx_part(
        source, tmp_path / "big.docx", "word/document.xml", body_xml(" " * 2_000_000)
    )
    lying = tmp_path / "lying.docx"
    lying.write_bytes(_declare_size(big.read_bytes(), "word/document.xml", 1000))
    with pytest.raises(UnreadableInputError):
        load_document(lying, limits=ExtractLimits(max_bytes=1_000_000))


def _declare_size(data: bytes, member: str, size: int) -> bytes:
    """Rewrite the uncompressed size a zip declares for one member (local and central)."""
    buffer = bytearray(data)
    local = zipfile.ZipFile(io.BytesIO(data)).getinfo(member).header_offset
    buffer[local + 22 : local + 26] = size.to_bytes(4, "little")
    name = member.encode()
    position = buffer.find(b"PK\x01\x02")
    while position != -1:
        if buffer[position + 46 : position + 46 + len(name)] == name:
            buffer[position + 24 : position + 28] = size.to_bytes(4, "little")
        position = buffer.find(b"PK\x01\x02", position + 4)
    return bytes(buffer)


@pytest.mark.parametrize(
    "prolog, body",
    [
        (
            '<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
            paragraph_xml("&xxe;"),
        ),
        (
            '<!DOCTYPE w:document [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">'
            '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;">]>',
            paragraph_xml("&c;"),
        ),
    ],
    ids=["xxe", "entity-expansion"],
)
def test_xml_with_a_dtd_is_refused(tmp_path, capsys, prolog, body):
    source = simple_docx(tmp_path / "plain.docx", ["Officers shall respond."])
    hostile = rewrite_docx_part(
        source, tmp_path / "hostile.docx", "word/document.xml", body_xml(body, prolog)
    )
    before = hostile.read_bytes()
    assert main(["extract", str(hostile)]) == 2
    captured = capsys.readouterr()
    assert "root:" not in captured.out + captured.err
    assert captured.err.count("\n") == 1 and "DTD" in captured.err
    assert hostile.read_bytes() == before


def test_docx_without_a_body_warns(tmp_path):
    source = simple_docx(tmp_path / "plain.docx", ["x"])
    empty = rewrite_docx_part(
        source,
        tmp_path / "nobody.docx",
        "word/document.xml",
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>',
    )
    document = load_document(empty)
    assert document.passages == ()
    assert any("no body" in w for w in document.warnings)


@pytest.mark.parametrize("depth", [20, 400])
def test_deeply_nested_tables_end_in_text_or_one_error(tmp_path, depth):
    inner = paragraph_xml("deep cell text")
    for _ in range(depth):
        inner = f"<w:tbl><w:tr><w:tc>{inner}</w:tc></w:tr></w:tbl>"
    source = simple_docx(tmp_path / "plain.docx", ["x"])
    nested = rewrite_docx_part(
        source, tmp_path / "nested.docx", "word/document.xml", body_xml(inner)
    )
    try:
        document = load_document(nested)
    except UnreadableInputError as exc:
        assert str(nested) in str(exc) and "\n" not in str(exc)
    else:
        assert "deep cell text" in document.text


def test_word_file_named_pdf_is_read_as_word(tmp_path):
    source = simple_docx(tmp_path / "plain.docx", ["Officers shall respond at once."])
    renamed = tmp_path / "really-word.pdf"
    renamed.write_bytes(source.read_bytes())
    document = load_document(renamed)
    assert document.format == "docx" and document.text == "Officers shall respond at once."


def test_numbering_formats_start_overrides_and_legal_style(tmp_path):
    from docx import Document
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    document = Document()
    numbering = document.part.numbering_part.element
    levels = "".join(
        f'<w:lvl w:ilvl="{i}"><w:start w:val="{start}"/><w:numFmt w:val="{fmt}"/>'
        f'<w:lvlText w:val="{text}"/>{extra}</w:lvl>'
        for i, (fmt, text, start, extra) in enumerate(
            [
                ("decimal", "%1.", 318, ""),
                ("decimal", "%1.%2", 1, ""),
                ("lowerRoman", "(%3)", 1, ""),
                ("upperLetter", "%1.%2.%4", 1, "<w:isLgl/>"),
            ]
        )
    )
    numbering.append(
        parse_xml(f'<w:abstractNum {nsdecls("w")} w:abstractNumId="7">{levels}</w:abstractNum>')
    )
    numbering.append(
        parse_xml(f'<w:num {nsdecls("w")} w:numId="7"><w:abstractNumId w:val="7"/></w:num>')
    )
    numbering.append(
        parse_xml(
            f'<w:num {nsdecls("w")} w:numId="8"><w:abstractNumId w:val="7"/>'
            '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="5"/></w:lvlOverride></w:num>'
        )
    )
    for text, num_id, level in [
        ("Missing Persons", 7, 0),
        ("Intake", 7, 1),
        ("take the report", 7, 2),
        ("ask about the child", 7, 2),
        ("Follow-up", 7, 1),
        ("Legal-style number", 7, 3),
        ("A second list restarting at five", 8, 0),
    ]:
        paragraph = document.add_paragraph(text)
        paragraph._p.get_or_add_pPr().append(
            parse_xml(
                f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/>'
                f'<w:numId w:val="{num_id}"/></w:numPr>'
            )
        )
    document.save(tmp_path / "numbers.docx")
    texts = [p.text for p in load_document(tmp_path / "numbers.docx").passages]
    assert texts == [
        "318. Missing Persons",
        "318.1 Intake",
        "(i) take the report",
        "(ii) ask about the child",
        "318.2 Follow-up",
        "318.2.1 Legal-style number",
        "5. A second list restarting at five",
    ]


def test_footnotes_are_read_after_the_body(tmp_path):
    path = docx_with_footnote(
        tmp_path / "noted.docx", "Officers shall notify NCMEC.", "See 42 U.S.C. 5780."
    )
    document = load_document(path)
    assert [p.text for p in document.passages] == [
        "Officers shall notify NCMEC.",
        "See 42 U.S.C. 5780.",
    ]


def test_word_page_breaks_give_page_numbers(tmp_path):
    """Explicit page breaks (python-docx writes `w:br w:type="page"`) number the pages."""
    document = docx.Document()
    document.add_paragraph("Officers shall respond to every report.")
    document.add_page_break()
    document.add_paragraph("Telecommunicators shall enter the child into NCIC.")
    document.add_page_break()
    document.add_paragraph("Supervisors shall review the report.")
    path = tmp_path / "paged.docx"
    document.save(path)
    loaded = load_document(path)
    assert [(p.text.split()[0], p.page) for p in loaded.passages] == [
        ("Officers", 1),
        ("Telecommunicators", 2),
        ("Supervisors", 3),
    ]
    assert loaded.page_count == 3


def test_word_rendered_page_breaks_win_over_explicit_ones(tmp_path):
    """Where Word saved its own layout, its rendered breaks count (soft ones included), and a
    break before a paragraph's first word puts the whole paragraph on the new page."""
    source = simple_docx(tmp_path / "plain.docx", ["x"])
    rendered = "<w:r><w:lastRenderedPageBreak/><w:t>{}</w:t></w:r>"
    body = (
        paragraph_xml("Officers shall respond.")
        + f"<w:p>{rendered.format('Dispatchers shall broadcast the description.')}</w:p>"
        + '<w:p><w:r><w:br w:type="page"/><w:lastRenderedPageBreak/>'
        + "<w:t>Supervisors shall review.</w:t></w:r></w:p>"
        + "<w:p><w:r><w:t>Investigators shall follow up</w:t></w:r>"
        + f"{rendered.format(' with the family.')}</w:p>"
        + paragraph_xml("Training is annual.")
    )
    paged = rewrite_docx_part(source, tmp_path / "paged.docx", "word/document.xml", body_xml(body))
    loaded = load_document(paged)
    assert [p.page for p in loaded.passages] == [1, 2, 3, 3, 4]
    assert loaded.page_count == 4


def test_word_file_without_breaks_has_no_pages(tmp_path):
    loaded = load_document(simple_docx(tmp_path / "plain.docx", ["Officers shall respond."]))
    assert loaded.page_count is None
    assert [p.page for p in loaded.passages] == [None]


def test_a_labelled_note_inside_a_list_leaves_the_list_open(tmp_path):
    """A bold "NOTE:" set between items 1 and 2 heads its own paragraph only: item 2 still
    belongs to the lead-in that governs the list, so it keeps that lead-in in its trail."""
    document = docx.Document()
    document.add_heading("Definitions", level=1)
    document.add_paragraph("B. Critical missing child - a case in which any of these is present.")
    document.add_paragraph("1. The child is 13 years of age or younger.")
    note = document.add_paragraph()
    note.add_run("NOTE:").bold = True
    note.add_run(" The model uses 13; an agency may choose a higher age.")
    document.add_paragraph("2. The child has a developmental disability.")
    path = tmp_path / "note.docx"
    document.save(path)

    item = _passage(load_document(path), "2. The child has")
    assert item.section == ("Definitions", "B. Critical missing child - a …")
