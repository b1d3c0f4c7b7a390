"""The determination letter: golden content, decisions overriding verdicts, templates, PDF."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from docx import Document as open_docx

from policy_review.cli import main
from policy_review.extract import load_document
from policy_review.render import DECISIONS_SCHEMA
from policy_review.review import review
from tests.conftest import REPO_ROOT

HERE = Path(__file__).parent
REPORT = HERE / "report.json"
GOLDEN = HERE / "golden"
SHA = "1" * 64
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


def _letter_text(path: Path) -> str:
    """Paragraph style and text, one per line: what the golden files pin down."""
    return "".join(f"[{p.style.name}] {p.text}\n" for p in open_docx(str(path)).paragraphs)


def _check_golden(name: str, text: str) -> None:
    golden = GOLDEN / name
    if UPDATE:
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def _decisions(tmp_path: Path, *items: dict) -> Path:
    path = tmp_path / "decisions.json"
    data = {
        "schema": DECISIONS_SCHEMA,
        "document": {"sha256": SHA, "file_name": "anytown-go-7.pdf"},
        "tool_version": "0.1.0",
        "exported_at": "2026-01-01T00:00:00Z",
        "decisions": list(items),
    }
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _letter(tmp_path, *extra) -> Path:
    out = tmp_path / "letter.docx"
    argv = ["letter", str(REPORT), "-o", str(out), "--date", "2026-01-15", *extra]
    assert main([*argv, "--agency", "Anytown Police Department", "--reviewer", "Pat Lee"]) == 0
    return out


def test_letter_golden(tmp_path):
    _check_golden("letter.txt", _letter_text(_letter(tmp_path)))


def test_decisions_override_the_machine_golden(tmp_path):
    decisions = _decisions(
        tmp_path,
        {"checklist": "le-model-policy", "element": "LE-NCIC-2HR", "decision": "reject",
         "note": "Entry rule is in the appendix."},
        {"checklist": "le-model-policy", "element": "LE-NCMEC", "decision": "reject",
         "note": "Only a phone number, no duty."},
        {"checklist": "le-model-policy", "element": "LE-POL-NO-WAIT", "decision": "follow-up",
         "note": "Ask about the 24-hour rule."},
    )  # fmt: skip
    text = _letter_text(_letter(tmp_path, "--decisions", str(decisions)))
    _check_golden("letter-decisions.txt", text)
    assert "LE-NCIC-2HR" not in text  # the reviewer found it
    assert (
        "LE-NCMEC — NCMEC notified (reviewer's decision: missing; the tool's reading: found)"
        in text
    )


def test_letter_names_every_missing_critical_element_of_a_real_review(tmp_path):
    source = (
        REPO_ROOT
        / "sample_policies"
        / "fairmont-township-pd-sop-4-11-runaway-missing-juveniles.pdf"
    )
    report = review(load_document(source))
    out = tmp_path / "letter.docx"
    assert main(["letter", str(source), "-o", str(out)]) == 0
    text = _letter_text(out)
    assert report.summary.critical_missing
    for element in report.summary.critical_missing:
        assert f"] {element} — " in text
    assert "does not yet meet" in text


def test_a_replaced_template_keeps_its_letterhead_and_places_the_body(tmp_path):
    template = open_docx()
    template.add_paragraph("ANYTOWN REVIEW OFFICE — letter for {{agency}} dated {{date}}")
    template.add_paragraph("{{body}}")
    template.add_paragraph("Office footer line")
    path = tmp_path / "template.docx"
    template.save(str(path))
    lines = _letter_text(_letter(tmp_path, "--template", str(path))).splitlines()
    assert lines[0] == (
        "[Normal] ANYTOWN REVIEW OFFICE — letter for Anytown Police Department dated 2026-01-15"
    )
    assert lines[-1] == "[Normal] Office footer line"
    assert "{{body}}" not in "".join(lines) and "[Normal] Pat Lee" in lines


def test_pdf_says_so_when_libreoffice_is_absent(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    out = _letter(tmp_path, "--pdf")
    assert out.exists() and not out.with_suffix(".pdf").exists()
    assert "LibreOffice (soffice) is not installed" in capsys.readouterr().err


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_pdf_through_libreoffice(tmp_path):
    out = _letter(tmp_path, "--pdf")
    assert out.with_suffix(".pdf").read_bytes().startswith(b"%PDF-")


@pytest.mark.parametrize(
    ("content", "message"),
    [('{"schema": "other"}', "is not a policy-review/report@1 report"), ("{", "not a readable")],
)
def test_bad_report_is_one_line(tmp_path, capsys, content, message):
    path = tmp_path / "r.json"
    path.write_text(content, encoding="utf-8")
    assert main(["letter", str(path), "-o", str(tmp_path / "l.docx")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err


def test_decisions_for_another_document_are_refused(tmp_path, capsys):
    decisions = tmp_path / "d.json"
    decisions.write_text(
        json.dumps(
            {**json.loads(_decisions(tmp_path).read_text()), "document": {"sha256": "2" * 64}}
        ),
        encoding="utf-8",
    )
    out = tmp_path / "letter.docx"
    assert main(["letter", str(REPORT), "-o", str(out), "--decisions", str(decisions)]) == 2
    assert "another document" in capsys.readouterr().err and not out.exists()


def test_a_rejected_partial_is_listed_as_disputed(tmp_path):
    decisions = _decisions(
        tmp_path,
        {"checklist": "le-model-policy", "element": "LE-POL-NO-WAIT", "decision": "reject"},
    )
    text = _letter_text(_letter(tmp_path, "--decisions", str(decisions)))
    assert "LE-POL-NO-WAIT — No waiting period (reviewer's decision: disputed;" in text
