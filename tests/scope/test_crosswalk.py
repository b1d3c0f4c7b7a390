"""A self-audit crosswalk submitted as the directive: the column restating the model's
components and the column of the agency's own verdict ("MEETS") are no policy; only the
agency's quoted text is read. Our own short Word table, analyzed through the CLI."""

from __future__ import annotations

import json

from docx import Document as WordDocument

from policy_review.cli import main

HEADER = (
    "Model Policy component (NCMEC)",
    "Our G.O. section",
    "Our language (quoted)",
    "Status (agency's own view)",
)
ROWS = (
    (
        "Officers check registered sex offenders living near where the missing child was last "
        "seen.",
        "N/A",
        "To be drafted in Revision 3.",
        "MEETS",
    ),
    (
        "The missing child is entered in NCIC within two hours.",
        "41-12.05",
        '"The dispatcher enters every missing child in NCIC within two hours of the report, '
        'without waiting for the written report."',
        "MEETS",
    ),
)


def _crosswalk(path) -> None:
    word = WordDocument()
    word.add_heading("Anytown Police Department - MKRP Self-Audit Crosswalk, G.O. 41-12", 1)
    word.add_paragraph("The table quotes General Order 41-12, Missing Children, word for word.")
    table = word.add_table(rows=1 + len(ROWS), cols=len(HEADER))
    for r, cells in enumerate((HEADER, *ROWS)):
        for c, text in enumerate(cells):
            table.cell(r, c).text = text
    word.save(path)


def test_only_the_agencys_own_language_is_read(tmp_path) -> None:
    source = tmp_path / "crosswalk.docx"
    _crosswalk(source)
    out = tmp_path / "report.json"
    argv = ["analyze", str(source), "--checklist", "le-model-policy", "--format", "json"]
    assert main([*argv, "-o", str(out)]) == 0
    report = json.loads(out.read_text(encoding="utf-8"))
    findings = {f["element"]: f for f in report["findings"]}

    # the component column names the registry check; the agency's own cell says "to be drafted"
    assert findings["LE-INV-SEX-OFFENDERS"]["status"] == "missing"
    ncic = findings["LE-NCIC-2HR"]
    assert ncic["status"] == "found", ncic["reason"]
    assert all('"The dispatcher enters' in e["quote"] for e in ncic["evidence"])
    # two component cells and two verdicts set aside as text stating no rule
    assert report["scope"]["not_in_force_passages"] == 4
