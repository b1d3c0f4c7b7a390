"""annotate on Word files: native comments on the quotes; nothing else about the file changes."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from conftest import (
    SAMPLES,
    annotatable,
    digest,
    evidenced_elements,
    sample_document,
    sample_report,
    write_decisions,
)
from docx import Document as open_docx
from docx.oxml.ns import qn
from lxml import etree

from policy_review.annotate.docx import paragraph_texts
from policy_review.cli import main
from policy_review.extract import load_document

DOCX_FILES = annotatable(".docx")
UNCHANGED_PARTS = ("word/styles.xml", "word/numbering.xml")
ANCHORED_SHARE = 0.8
GENERATED_NUMBER_RE = re.compile(r"^\s*\(?(?:\d{1,3}|[A-Za-z]|[ivxlc]{1,5})[.)]\s+")
"""An item's number, which opens the quote ("5. vehicle pursuits;") but, when Word generates it,
is no text of the file: compared without it on both sides."""


def _comments(path):
    """{comment text: anchored text} for every comment in the file."""
    word = open_docx(str(path))
    texts = {c.comment_id: "\n".join(p.text for p in c.paragraphs) for c in word.comments}
    anchored: dict[int, list[str]] = {}
    open_ranges: set[int] = set()
    tags = (qn("w:commentRangeStart"), qn("w:commentRangeEnd"), qn("w:t"), qn("w:p"))
    for node in word.element.body.iter(*tags):
        if node.tag in (qn("w:t"), qn("w:p")):
            for comment_id in open_ranges:  # a paragraph boundary reads as a space
                anchored[comment_id].append(node.text or "" if node.tag == qn("w:t") else " ")
            continue
        comment_id = int(node.get(qn("w:id")))
        if node.tag == qn("w:commentRangeStart"):
            open_ranges.add(comment_id)
            anchored[comment_id] = []
        else:
            open_ranges.discard(comment_id)
    return {texts[i]: "".join(anchored.get(i, [])).strip() for i in texts}


def _canonical(xml: bytes) -> bytes:
    """The part's XML as C14N: the same content whatever quote style the writer used."""
    return etree.tostring(etree.fromstring(xml), method="c14n")


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", text.lower())


def _within(anchored: str, quote: str) -> bool:
    """The anchored words are the quote's, in order, and most of them: the quote may hold list
    numbers Word generates, which are not text of the file."""
    anchored, quote = GENERATED_NUMBER_RE.sub("", anchored), GENERATED_NUMBER_RE.sub("", quote)
    words, quote_words = _words(anchored), iter(_words(quote))
    in_order = all(word in quote_words for word in words)
    return in_order and len(words) >= ANCHORED_SHARE * len(_words(quote))


@pytest.mark.parametrize("path", DOCX_FILES, ids=lambda p: p.name)
def test_round_trip_keeps_text_and_comments_every_evidenced_element(path, tmp_path):
    before = digest(path)
    out = tmp_path / "annotated.docx"
    assert main(["annotate", str(path), "-o", str(out)]) == 0
    assert digest(path) == before  # the input is never touched

    original, annotated = open_docx(str(path)), open_docx(str(out))
    assert paragraph_texts(annotated.element) == paragraph_texts(original.element)
    assert load_document(out).text == sample_document(path).text
    with zipfile.ZipFile(path) as a, zipfile.ZipFile(out) as b:
        for name in a.namelist():
            if name in UNCHANGED_PARTS or re.match(r"word/(header|footer)\d*\.xml", name):
                assert _canonical(a.read(name)) == _canonical(b.read(name)), name

    comments = _comments(out)
    report = sample_report(path)
    commented = {text.split(" · ", 1)[0] for text in comments}
    assert evidenced_elements(report) <= commented
    for finding in report.findings:
        if finding.element not in evidenced_elements(report):
            continue
        text, anchored = next(
            (t, a) for t, a in comments.items() if t.startswith(finding.element + " ·")
        )
        if "could not be located" not in text:
            assert any(_within(anchored, e.quote) for e in finding.evidence), finding.element


def _build(tmp_path):
    """A directive whose NCIC sentence starts mid-run, splits words across runs, sits in a table
    cell next to a list item, with a header, an existing comment and a tracked insertion."""
    word = open_docx()
    word.sections[0].header.paragraphs[0].text = "ANYTOWN POLICE DEPARTMENT - GENERAL ORDER 7"
    word.add_heading("Missing Children", level=1)
    intro = word.add_paragraph("Every missing child report will be investigated promptly.")
    word.add_comment(intro.runs[0], text="Existing comment from the agency", author="Chief")
    word.add_paragraph("A missing child is any person under 18 whose whereabouts are unknown.")
    table = word.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "NCIC"
    cell = table.cell(0, 1).paragraphs[0]
    for piece in (
        "See above. Officers shall en",
        "ter the missing child into NC",
        "IC within two (2) ho",
        "urs.",
    ):
        cell.add_run(piece)
    item = word.add_paragraph(style="List Number")
    item.add_run("The supervisor shall respond to the scene")
    inserted = item._p.makeelement(qn("w:ins"), {qn("w:id"): "90", qn("w:author"): "Clerk"})
    run = item.runs[0]._r.__copy__()
    run.find(qn("w:t")).text = " and be briefed by the first officer."
    inserted.append(run)
    item._p.append(inserted)
    path = tmp_path / "directive.docx"
    word.save(str(path))
    return path


def test_anchors_exactly_on_a_quote_split_across_runs_in_a_table(tmp_path):
    path = _build(tmp_path)
    out = tmp_path / "out.docx"
    assert main(["annotate", str(path), "-o", str(out), "--checklist", "le-model-policy"]) == 0
    original, annotated = open_docx(str(path)), open_docx(str(out))
    assert paragraph_texts(annotated.element) == paragraph_texts(original.element)
    comments = _comments(out)
    ncic = next(a for t, a in comments.items() if t.startswith("LE-NCIC-2HR ·"))
    assert ncic == "Officers shall enter the missing child into NCIC within two (2) hours."
    assert (
        comments["Existing comment from the agency"]
        == "Every missing child report will be investigated promptly."
    )
    supervisor = next(a for t, a in comments.items() if t.startswith("LE-SUP-RESPOND ·"))
    assert supervisor.endswith("briefed by the first officer.")
    xml = annotated.element.xml
    assert 'w:author="Clerk"' in xml  # the tracked insertion is still a tracked insertion
    assert (
        annotated.sections[0].header.paragraphs[0].text
        == "ANYTOWN POLICE DEPARTMENT - GENERAL ORDER 7"
    )
    missing = next(t for t in comments if t.startswith("Missing elements"))
    assert "LE-NCMEC" in missing and "Suggested wording: “" in missing
    assert comments[missing] == "Missing Children"  # on the title


def test_decisions_are_written_into_the_comments(tmp_path):
    path = _build(tmp_path)
    decisions = write_decisions(
        tmp_path / "d.json",
        digest(path),
        {
            "checklist": "le-model-policy",
            "element": "LE-NCIC-2HR",
            "decision": "accept",
            "note": "Good.",
        },
        {
            "checklist": "le-model-policy",
            "element": "LE-NCMEC",
            "decision": "follow-up",
            "note": "Ask.",
        },
    )
    out = tmp_path / "out.docx"
    argv = ["annotate", str(path), "-o", str(out), "--checklist", "le-model-policy"]
    assert main([*argv, "--decisions", str(decisions)]) == 0
    comments = _comments(out)
    ncic = next(t for t in comments if t.startswith("LE-NCIC-2HR ·"))
    assert ncic.endswith("Reviewer: Accept — Good.")
    missing = next(t for t in comments if t.startswith("Missing elements"))
    assert "Reviewer: Needs follow-up — Ask." in missing


def test_refuses_to_overwrite_the_input(tmp_path, capsys):
    path = _build(tmp_path)
    before = digest(path)
    assert main(["annotate", str(path), "-o", str(path), "--checklist", "le-model-policy"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "refusing to overwrite" in err
    assert digest(path) == before


def test_other_formats_get_one_line_naming_what_works(tmp_path, capsys):
    path = tmp_path / "policy.txt"
    path.write_text("Officers shall enter missing children into NCIC within two hours.\n")
    assert main(["annotate", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and ".docx and .pdf" in err
    assert not list(tmp_path.glob("*.annotated*"))


def test_decisions_for_another_document_are_refused(tmp_path, capsys):
    path = _build(tmp_path)
    decisions = write_decisions(tmp_path / "d.json", "0" * 64)
    out = tmp_path / "out.docx"
    argv = ["annotate", str(path), "-o", str(out), "--decisions", str(decisions)]
    assert main(argv) == 2
    assert "another document" in capsys.readouterr().err
    assert not out.exists()


def test_default_output_name(tmp_path, monkeypatch):
    path = _build(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert main(["annotate", str(path), "--checklist", "le-model-policy"]) == 0
    assert zipfile.is_zipfile(io.BytesIO((tmp_path / "directive.annotated.docx").read_bytes()))


def test_missing_list_goes_on_the_first_paragraph_when_there_is_no_title(tmp_path):
    word = open_docx()
    word.add_paragraph("Members shall accept every missing child report without delay.")
    word.add_paragraph("Officers shall enter missing children into NCIC within two hours.")
    path = tmp_path / "untitled.docx"
    word.save(str(path))
    out = tmp_path / "out.docx"
    assert main(["annotate", str(path), "-o", str(out), "--checklist", "le-model-policy"]) == 0
    comments = _comments(out)
    missing = next(t for t in comments if t.startswith("Missing elements"))
    assert comments[missing] == "Members shall accept every missing child report without delay."


def test_summary_line_counts_in_words(tmp_path, capsys):
    """One red flag is "1 red flag": the summary is read by a person."""
    path = SAMPLES / "alder-grove-pd-policy-328-missing-persons.docx"
    argv = ["annotate", str(path), "-o", str(tmp_path / "a.docx"), "--checklist", "le-model-policy"]
    assert main(argv) == 0
    summary = capsys.readouterr().err
    assert "; 1 red flag, " in summary
    assert " 1 red flags" not in summary
