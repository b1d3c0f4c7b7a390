"""HTML, plain text and Markdown, legacy formats through LibreOffice, and type sniffing."""

from __future__ import annotations

import shutil

import pytest
from extract_fixtures import running_header_pdf, simple_docx

from policy_review.errors import UnreadableInputError
from policy_review.extract import load_document, sniff_format
from policy_review.model import PassageKind

HTML = """<!DOCTYPE html><html><head><title>T</title><style>p{color:red}</style>
<script>var secret = "script text";</script></head><body>
<nav>Home | Policies | Contact</nav>
<h1>Missing Persons</h1>
<h2>IV. Procedures</h2>
<p>Officers shall accept   every report &amp; act <b>without</b> delay.</p>
<ol><li>Enter the child into NCIC.</li><li>Notify the supervisor.</li></ol>
<p>A <span>missing child</span><span style="display:none"><b>X</b> Pop-up: a person
under 18.</span> must be reported.</p>
<table><tr><td>I.</td><td>Purpose of the order</td></tr>
<tr><td>Age</td><td>Under 13</td></tr></table>
<p>Officers shall search the home<br>and the yard.<br><br>Then notify the<br>supervisor.</p>
<footer>Copyright City of Anytown</footer>
</body></html>"""


def test_an_intranet_link_bar_outside_nav_is_page_chrome(tmp_path):
    """A block that is mostly links ("PolicyNet Home Directives Forms Search") is the site's
    navigation even in a plain <div>; a sentence with one link in it stays the directive's."""
    page = (
        '<html><body><div id="banner"><b>PolicyNet</b> <a href="/">Home</a> '
        '<a href="/d">Directives</a> <a href="/f">Forms</a> <a href="/s">Search</a></div>'
        "<h1>Missing Children</h1><p>Officers shall search the home, as set out in "
        '<a href="/go/41">GO 41</a>, and the yard.</p></body></html>'
    )
    by_text = _passages_by_text(tmp_path, "page.html", page)
    assert by_text["PolicyNet Home Directives Forms Search"].kind is PassageKind.HEADER_FOOTER
    sentence = by_text["Officers shall search the home, as set out in GO 41, and the yard."]
    assert sentence.kind is PassageKind.PARAGRAPH


def _passages_by_text(tmp_path, name: str, text: str) -> dict:
    document = load_document(_write(tmp_path, name, text.encode()))
    return {p.text: p for p in document.passages}


def _write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_html_headings_paragraphs_lists_and_cells(tmp_path):
    document = load_document(_write(tmp_path, "manual.html", HTML.encode()))
    by_text = {p.text: p for p in document.passages}
    assert document.format == "html" and document.page_count is None
    assert by_text["Missing Persons"].kind is PassageKind.HEADING
    assert by_text["Officers shall accept every report & act without delay."].section == (
        "Missing Persons",
        "IV. Procedures",
    )
    assert by_text["1. Enter the child into NCIC."].kind is PassageKind.LIST_ITEM
    assert "2. Notify the supervisor." in by_text
    assert "I. Purpose of the order" in by_text  # a number cell joins the cell it numbers
    assert by_text["Under 13"].kind is PassageKind.TABLE_CELL
    assert by_text["Age"].row == by_text["Under 13"].row != by_text["I. Purpose of the order"].row
    assert by_text["Then notify the supervisor."].row is None
    assert by_text["Copyright City of Anytown"].kind is PassageKind.HEADER_FOOTER
    assert "Officers shall search the home and the yard." in by_text  # <br> wraps a line
    assert "Then notify the supervisor." in by_text  # <br><br> separates paragraphs
    # a hidden pop-up is kept, after the sentence it would otherwise break
    sentence = by_text["A missing child must be reported."]
    popup = document.passages[document.passages.index(sentence) + 1]
    assert popup.text == "X Pop-up: a person under 18."
    assert popup.section == sentence.section
    for absent in ("script text", "color:red", "Home | Policies"):
        assert absent not in document.text


def test_text_paragraphs_headings_and_markdown(tmp_path):
    text = (
        "# Missing Children\n\nPURPOSE\nThis order sets out what officers do.\n\n"
        "1. Accept every report without\ndelay and never impose a waiting\nperiod.\n"
        "2. Notify the supervi-\nsor.\n\n## Records\n\n- Keep the report.\n"
    )
    document = load_document(_write(tmp_path, "order.md", text.encode()))
    by_text = {p.text: p for p in document.passages}
    assert document.format == "text"
    assert by_text["Missing Children"].kind is PassageKind.HEADING
    assert by_text["PURPOSE"].kind is PassageKind.HEADING
    assert by_text["This order sets out what officers do."].section == (
        "Missing Children",
        "PURPOSE",
    )
    assert "1. Accept every report without delay and never impose a waiting period." in by_text
    assert "2. Notify the supervisor." in by_text
    assert by_text["Keep the report."].kind is PassageKind.LIST_ITEM
    assert by_text["Keep the report."].section == ("Missing Children", "Records")


def test_form_checkboxes_are_list_items(tmp_path):
    """A form's ballot boxes mark its items, as bullets do: each box is a line of its own, not
    one run-on paragraph of every item on the form."""
    text = "MC-1 FORM\n\nA-3 Description\n\n\u2610 Recent photo obtained\n"
    text += "\u2611 Clothing noted: ____\n"
    document = load_document(_write(tmp_path, "form.txt", text.encode()))
    items = [p.text for p in document.passages if p.kind is PassageKind.LIST_ITEM]
    assert items == ["Recent photo obtained", "Clothing noted: ____"]


@pytest.mark.parametrize(
    "encoded, warned",
    [
        ("Officers’ duty — café".encode(), False),
        ("\ufeffOfficers’ duty — café".encode("utf-16-le"), False),
        ("Officers’ duty — café".encode("utf-16"), False),
        ("Officers’ duty — café".encode("cp1252"), True),
        ("Officers' duty - café".encode("latin-1"), True),
    ],
    ids=["utf8", "utf16le-bom", "utf16", "cp1252", "latin1"],
)
def test_text_encodings(tmp_path, encoded, warned):
    document = load_document(_write(tmp_path, "note.txt", encoded))
    assert "duty" in document.text and "café" in document.text
    assert bool(document.warnings) is warned


def test_hard_wrapped_text_without_blank_lines(tmp_path):
    text = (
        "PURPOSE\nThis order tells officers what to do when a child is reported missing and\n"
        "how to search.\nOfficers shall accept every report at once and shall never make the\n"
        "caller wait.\n"
    )
    document = load_document(_write(tmp_path, "wrapped.txt", text.encode()))
    assert [p.text for p in document.passages] == [
        "PURPOSE",
        "This order tells officers what to do when a child is reported missing and how to search.",
        "Officers shall accept every report at once and shall never make the caller wait.",
    ]


def test_ligatures_and_invisible_characters_are_normalised(tmp_path):
    text = "The oﬃcer shall ﬁle the re\u00adport\u200b on the ﬂoor\u00a0today."
    document = load_document(_write(tmp_path, "lig.txt", text.encode()))
    assert document.text == "The officer shall file the report on the floor today."


@pytest.mark.parametrize(
    "make, expected",
    [
        (lambda p: running_header_pdf(p / "x.docx"), "pdf"),
        (lambda p: simple_docx(p / "x.pdf", ["Word text"]), "docx"),
        (lambda p: _write(p, "x.docx", b"Plain words in a file named docx.\n"), "text"),
        (lambda p: _write(p, "x.txt", b"<html><body><p>hi</p></body></html>"), "html"),
        (lambda p: _write(p, "x.txt", b"{\\rtf1\\ansi hello}"), "rtf"),
        (lambda p: _write(p, "x.txt", bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 512), "doc"),
        (lambda p: _write(p, "x.txt", bytes(range(256)) * 8), None),
    ],
    ids=["pdf-named-docx", "docx-named-pdf", "text-named-docx", "html", "rtf", "ole", "binary"],
)
def test_sniffing_uses_bytes_not_names(tmp_path, make, expected):
    assert sniff_format(make(tmp_path)) == expected


def test_pdf_named_docx_extracts_as_pdf(tmp_path):
    document = load_document(running_header_pdf(tmp_path / "order.docx"))
    assert document.format == "pdf" and document.page_count == 3


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_rtf_is_converted_in_a_private_folder(tmp_path):
    rtf = b"{\\rtf1\\ansi\\pard I. PURPOSE\\par This policy covers missing children.\\par}"
    folder = tmp_path / "inbox"
    folder.mkdir()
    path = _write(folder, "order.rtf", rtf)
    document = load_document(path)
    assert document.format == "rtf"
    passage = next(p for p in document.passages if "covers missing children" in p.text)
    assert passage.section == ("I. PURPOSE",)
    assert sorted(x.name for x in folder.iterdir()) == ["order.rtf"]  # nothing written beside it


def test_legacy_without_libreoffice_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    path = _write(tmp_path, "old.doc", bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 512)
    with pytest.raises(UnreadableInputError, match="LibreOffice"):
        load_document(path)


def test_table_of_contents_is_kept_apart_from_structure(tmp_path):
    text = (
        "Table of Contents\n\n"
        "I. Purpose .......... 1\n\nII. Procedures .......... 2\n\nIII. Records .......... 4\n\n"
        "I. PURPOSE\n\nThis order sets out what officers do.\n\n"
        "II. PROCEDURES\n\nOfficers shall accept every report.\n"
    )
    document = load_document(_write(tmp_path, "toc.txt", text.encode()))
    kinds = {p.text: p.kind for p in document.passages}
    assert kinds["Table of Contents"] is PassageKind.TOC
    assert kinds["II. Procedures .......... 2"] is PassageKind.TOC
    assert kinds["I. PURPOSE"] is PassageKind.HEADING
    report = next(p for p in document.passages if p.text.startswith("Officers shall"))
    assert report.section == ("II. PROCEDURES",)
    assert all(p.kind is not PassageKind.TOC for p in document.evidence_passages)


def test_inline_redline_marks_are_read_as_accepted(tmp_path):
    """A redline exported without its strike-through: deleted text is not read, inserted text
    is read without its mark, and the document says it was read as accepted."""
    from policy_review.extract import load_document

    path = tmp_path / "redline.txt"
    path.write_text(
        "MISSING CHILDREN\n\n"
        "A. [DELETED: Runaway reports are taken after the juvenile has been gone 24 hours.] "
        "[INSERTED: No waiting period applies to any report.]\n\n"
        "B. Officers <<added: shall>> enter the child into NCIC within two hours.\n\n"
        "[DELETED: C. Reports may be taken by telephone.]\n",
        encoding="utf-8",
    )
    document = load_document(path)
    texts = [p.text for p in document.passages]
    assert document.tracked_changes
    assert "A. No waiting period applies to any report." in texts
    assert "B. Officers shall enter the child into NCIC within two hours." in texts
    assert not any("24 hours" in t or "telephone" in t for t in texts)


def test_printed_page_headers_in_plain_text_give_pages_and_break_no_paragraph(tmp_path):
    header = "TOWN PD      G.O. 12-3  MISSING CHILDREN      PAGE {} OF 3"
    text = "\n".join(
        [
            "I.   PURPOSE",
            "  Officers take every report of a missing child at once and",
            header.format(2),
            "",
            "  search the home even when the family has already looked.",
            "",
            "II.  DISPATCH",
            "  The dispatcher sends a car to every missing child call.",
            "",
            header.format(3),
            "",
            "  The dispatcher notifies the supervisor.",
        ]
    )
    document = load_document(_write(tmp_path, "printout.txt", text.encode()))
    body = [p for p in document.passages if p.kind is not PassageKind.HEADER_FOOTER]
    assert [(p.text, p.page) for p in body] == [
        ("I. PURPOSE", 1),
        (
            "Officers take every report of a missing child at once and search the home even"
            " when the family has already looked.",
            1,
        ),
        ("II. DISPATCH", 2),
        ("The dispatcher sends a car to every missing child call.", 2),
        ("The dispatcher notifies the supervisor.", 3),
    ]
    headers = [p for p in document.passages if p.kind is PassageKind.HEADER_FOOTER]
    assert [p.page for p in headers] == [2, 3] and document.page_count == 3


def test_a_definition_list_term_opens_its_definition(tmp_path):
    html = (
        "<html><body><h1>Definitions</h1><dl><dt>Critical missing child</dt>"
        "<dd>A missing child for whom any of these is present:<ol><li>under 14</li></ol></dd>"
        "<dt>Runaway</dt><dd>A child who left on his or her own.</dd></dl></body></html>"
    )
    document = load_document(_write(tmp_path, "terms.html", html.encode()))
    texts = [p.text for p in document.passages]
    assert "Critical missing child: A missing child for whom any of these is present:" in texts
    assert "Runaway: A child who left on his or her own." in texts
    assert "Critical missing child" not in texts


def test_a_code_section_number_heads_its_subsections(tmp_path):
    text = (
        "§ 7-204. Duties upon report.\n\n"
        "(a) The receiving deputy shall go to the scene.\n\n"
        "§ 7-204(b) applies to every report and the deputy shall follow it.\n\n"
        "§ 7-205. Duties of watch commander.\n\n"
        "(a) The watch commander shall respond.\n"
    )
    by_text = _passages_by_text(tmp_path, "code.txt", text)
    assert by_text["§ 7-204. Duties upon report."].kind is PassageKind.HEADING
    assert by_text["(a) The watch commander shall respond."].section == (
        "§ 7-205. Duties of watch commander.",
    )
    # a citation opening a sentence is prose, not a section
    assert by_text["§ 7-204(b) applies to every report and the deputy shall follow it."].kind is (
        PassageKind.PARAGRAPH
    )
