"""Document structure read from layout and numbering: units (chapters, parts, annexes) close
their sections, contents lists end where numbering restarts, table cells head nothing, wrapped
cross-references are no list items, short lines after a colon lead-in are its items, and gap
hints follow the element's role. Each test builds a small document and reads it through
`load_document`, `review()` or the report JSON."""

from __future__ import annotations

import json

import docx
from extract_fixtures import PdfPage, TextLine, write_pdf

from policy_review.checklist import load_checklist
from policy_review.extract import load_document
from policy_review.model import PassageKind
from policy_review.render import render_json
from policy_review.review import review


def _text_document(tmp_path, text: str, name: str = "directive.txt"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_document(path)


def _passage(document, start: str):
    return next(p for p in document.passages if p.text.startswith(start))


def test_a_chapter_heading_closes_the_sections_of_the_chapter_before(tmp_path):
    document = _text_document(
        tmp_path,
        "1. MISSION\n\nThe department protects the public.\n\n"
        "1.1 CORE VALUES\n\nMembers act with integrity.\n\n"
        "CHAPTER 5 - COMMUNICATIONS\n\n"
        "5.1 CALL TAKING\n\nThe call-taker shall verify the caller's location.\n\n"
        "Policy 320 - Missing Persons\n\n"
        "320.1 PURPOSE\n\nThis policy covers missing persons.\n",
    )
    call_taking = _passage(document, "The call-taker shall verify")
    assert call_taking.section == ("CHAPTER 5 - COMMUNICATIONS", "5.1 CALL TAKING")
    purpose = _passage(document, "This policy covers")
    assert purpose.section == (
        "CHAPTER 5 - COMMUNICATIONS",
        "Policy 320 - Missing Persons",
        "320.1 PURPOSE",
    )


def test_a_second_part_closes_the_first_parts_sections(tmp_path):
    document = _text_document(
        tmp_path,
        "PART A - SWORN MEMBERS\n\n"
        "600-11.4 RESPONDING DEPUTY\n\nThe deputy shall search the home.\n\n"
        "PART B - COMMUNICATIONS DIVISION\n\n"
        "600-11.11 CALL-TAKING\n\nThe call-taker shall obtain a description.\n",
    )
    assert _passage(document, "The deputy shall").section == (
        "PART A - SWORN MEMBERS",
        "600-11.4 RESPONDING DEPUTY",
    )
    assert _passage(document, "The call-taker shall").section == (
        "PART B - COMMUNICATIONS DIVISION",
        "600-11.11 CALL-TAKING",
    )


def test_hyphenated_directive_numbers_open_sections_even_after_a_list_item(tmp_path):
    document = _text_document(
        tmp_path,
        "600-11.5 PATROL SERGEANT\n"
        "A. Respond to every missing child call.\n"
        "600-11.6 DETECTIVES\n"
        "A detective will be assigned to every case.\n",
    )
    heading = _passage(document, "600-11.6")
    assert heading.kind is PassageKind.HEADING
    assert _passage(document, "A. Respond").text == "A. Respond to every missing child call."
    assert _passage(document, "A detective").section == ("600-11.6 DETECTIVES",)


def test_an_attachment_ends_the_last_section_of_the_body(tmp_path):
    document = _text_document(
        tmp_path,
        "VIII. REVIEW\n\nThis order is reviewed every year.\n\n"
        "ATTACHMENT A - QUICK REFERENCE\n\nThis attachment is a field aid.\n\n"
        "Appendix B: Forms\n\nThe report form follows.\n",
    )
    assert _passage(document, "This attachment").section == ("ATTACHMENT A - QUICK REFERENCE",)
    assert _passage(document, "The report form").section == ("Appendix B: Forms",)


def test_contents_list_ends_where_its_numbering_starts_again(tmp_path):
    document = _text_document(
        tmp_path,
        "I. PURPOSE\nII. POLICY\nIII. PROCEDURE\n\n"
        "I. PURPOSE\n\nThis order sets the response to missing children.\n\n"
        "II. POLICY\n\nEvery report is accepted.\n",
    )
    headings = [p for p in document.passages if p.kind is PassageKind.HEADING]
    assert [p.text for p in headings] == ["I. PURPOSE", "II. POLICY"]
    assert sum(p.kind is PassageKind.TOC for p in document.passages) == 3
    assert _passage(document, "This order sets").section == ("I. PURPOSE",)


def _docx_with_header_table(path):
    document = docx.Document()
    table = document.add_table(rows=2, cols=2)
    cells = [["GENERAL ORDER", "600-11"], ["STANDARDS", "22.02 Communications"]]
    for row, texts in zip(table.rows, cells, strict=True):
        for cell, text in zip(row.cells, texts, strict=True):
            cell.text = text
    document.add_paragraph("Deputies shall accept every report of a missing child.")
    document.save(path)
    return path


def test_a_numbered_table_cell_heads_nothing_after_the_table(tmp_path):
    document = load_document(_docx_with_header_table(tmp_path / "order.docx"))
    cell = _passage(document, "22.02 Communications")
    assert cell.kind is not PassageKind.HEADING
    assert _passage(document, "Deputies shall accept").section == ()


def test_a_cross_reference_wrapped_onto_a_new_line_is_no_list_item(tmp_path):
    document = _text_document(
        tmp_path,
        "The responding deputy shall notify the patrol supervisor as required by Section\n"
        "4.2 of this order and record the time of the notification in the report narrative.\n"
        "The supervisor shall decide whether a search is needed and which resources to call.\n",
    )
    passage = _passage(document, "The responding deputy")
    assert "Section 4.2 of this order" in passage.text
    assert not any(p.text.startswith("4.2") for p in document.passages)


def _lead_in_pdf(path):
    lines = [
        TextLine("The call-taker taking a report of a missing child shall obtain the", 72, 100),
        TextLine("following information from the caller before dispatching a unit:", 72, 114),
        TextLine("the child's name and age", 72, 128),
        TextLine("a description of clothing", 72, 142),
        TextLine("the place the child was last seen", 72, 156),
        TextLine("The call-taker shall then dispatch the nearest deputy and notify the", 72, 178),
        TextLine("shift supervisor of every missing child call without delay at all.", 72, 192),
    ]
    return write_pdf(path, [PdfPage(lines)])


def test_short_lines_after_a_colon_lead_in_are_its_list_items_in_a_pdf(tmp_path):
    document = load_document(_lead_in_pdf(tmp_path / "lead-in.pdf"))
    items = [p.text for p in document.passages if p.kind is PassageKind.LIST_ITEM]
    assert items == [
        "the child's name and age",
        "a description of clothing",
        "the place the child was last seen",
    ]
    after = _passage(document, "The call-taker shall then dispatch")
    assert after.kind is PassageKind.PARAGRAPH


def test_short_paragraphs_after_a_colon_lead_in_are_its_list_items_in_word(tmp_path):
    path = tmp_path / "lead-in.docx"
    document = docx.Document()
    for text in (
        "The call-taker shall obtain the following from the caller:",
        "the child's name and age",
        "a description of clothing",
        "The call-taker shall then dispatch the nearest deputy. Every call is Priority 1.",
    ):
        document.add_paragraph(text)
    document.save(path)
    read = load_document(path)
    kinds = {p.text: p.kind for p in read.passages}
    assert kinds["the child's name and age"] is PassageKind.LIST_ITEM
    assert kinds["a description of clothing"] is PassageKind.LIST_ITEM
    assert kinds["The call-taker shall obtain the following from the caller:"] is (
        PassageKind.PARAGRAPH
    )
    assert (
        kinds["The call-taker shall then dispatch the nearest deputy. Every call is Priority 1."]
        is PassageKind.PARAGRAPH
    )


def test_a_form_label_ending_in_a_colon_is_no_lead_in(tmp_path):
    document = _text_document(
        tmp_path,
        "Purpose\n\nThis order covers missing children.\n\n"
        "Standard Operating Procedure Revised Date:\n\n11/16/12\n",
    )
    assert _passage(document, "11/16/12").kind is not PassageKind.LIST_ITEM


COMBINED_ORDER = """\
PART A - SWORN MEMBERS

1.1 RESPONDING DEPUTY

The deputy shall interview the parents and search the home, yard and vehicles.

The deputy shall obtain a detailed physical description of the child, the clothing worn and \
a recent photograph.

PART B - COMMUNICATIONS DIVISION

2.1 CALL-TAKING

The call-taker shall verify the address, the caller's name and callback number.

2.2 DISPATCH

The dispatcher shall dispatch the nearest deputy and broadcast a BOLO to all zones.
"""


def test_a_call_taking_gap_is_placed_in_the_communications_part_not_under_the_deputy(tmp_path):
    document = _text_document(tmp_path, COMBINED_ORDER)
    report = json.loads(render_json(review(document, (load_checklist("psap-ansi-standard"),))))
    placed = {f["element"]: f["add_to"] for f in report["findings"] if f["status"] != "found"}
    # call-taking questions: the division's own section (no sub-section names the topic)
    assert placed["PSAP-Q-DESCRIPTION"] == "PART B - COMMUNICATIONS DIVISION"
    # abduction handling: the dispatch section names its topic, the deputy's does too
    assert placed["PSAP-TYPE-ABDUCTION"] == "PART B - COMMUNICATIONS DIVISION > 2.2 DISPATCH"


def test_a_bold_run_in_heading_is_split_from_its_paragraph(tmp_path):
    lines = [
        TextLine("Notification.", 72, 100, bold=True),
        TextLine("The officer shall notify the shift supervisor at once.", 148, 100),
        TextLine("Search.", 72, 124, bold=True),
        TextLine("The officer shall search the home and the vehicles.", 116, 124),
    ]
    document = load_document(write_pdf(tmp_path / "run-in.pdf", [PdfPage(lines)]))
    heading = _passage(document, "Notification")
    assert heading.kind is PassageKind.HEADING
    body = _passage(document, "The officer shall notify")
    assert body.text == "The officer shall notify the shift supervisor at once."
    assert body.section == ("Notification",)
    assert _passage(document, "The officer shall search").section == ("Search",)


def test_a_bold_run_in_heading_is_split_from_its_paragraph_in_word(tmp_path):
    path = tmp_path / "run-in.docx"
    document = docx.Document()
    for label, body in (
        ("Notification.", " The officer shall notify the shift supervisor at once."),
        ("Search:", " The officer shall search the home and the vehicles."),
    ):
        paragraph = document.add_paragraph()
        paragraph.add_run(label).bold = True
        paragraph.add_run(body)
    document.add_paragraph("Officers shall file the report before the end of the shift.")
    document.save(path)
    read = load_document(path)
    assert _passage(read, "Notification").kind is PassageKind.HEADING
    assert _passage(read, "The officer shall notify").section == ("Notification",)
    assert _passage(read, "The officer shall search").section == ("Search",)
    # a run-in label heads its own paragraph only
    assert _passage(read, "Officers shall file").section == ()


def test_dotted_section_numbers_head_sections_and_a_cited_chapter_opens_no_unit(tmp_path):
    document = _text_document(
        tmp_path,
        "Section 14.09 Records\n\nReports are kept for ten years.\n\n"
        "CHAPTER 15 - CHILD ABDUCTION ALERTS\n\n"
        "Section 15.02 AMBER Alert Criteria\n\n"
        "The shift sergeant requests an AMBER Alert when the criteria are met. Fines follow city\n"
        "ordinance under Chapter 6.47 and the state code as amended in the current session now.\n\n"
        "Section 15.03 Endangered Child Advisory\n\n"
        "The sergeant requests an advisory when the AMBER criteria are not met.\n",
    )
    assert _passage(document, "Section 15.02").kind is PassageKind.HEADING
    criteria = _passage(document, "The shift sergeant")
    assert "under Chapter 6.47 and the state code" in criteria.text
    assert criteria.section == (
        "CHAPTER 15 - CHILD ABDUCTION ALERTS",
        "Section 15.02 AMBER Alert Criteria",
    )
    assert _passage(document, "The sergeant requests").section == (
        "CHAPTER 15 - CHILD ABDUCTION ALERTS",
        "Section 15.03 Endangered Child Advisory",
    )
