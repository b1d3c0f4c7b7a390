"""A real review of a small text directive, rendered end to end (skips until review exists)."""

from __future__ import annotations

import hashlib
import json

import pytest
from render_builders import DIRECTIVE

from policy_review.render import render_html, render_json


def test_real_review_renders_every_finding(real_report):
    html = render_html(real_report, generated_at="2026-11-30")
    for finding in real_report.findings:
        assert f'id="el-{finding.checklist}--{finding.element}"' in html
    assert "lakeside-go-41.3.txt" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; {{ 7*7 }}" in html
    assert json.loads(render_json(real_report)) == real_report.to_dict()


def test_real_evidence_links_land_on_highlighted_text(real_report):
    html = render_html(real_report, generated_at="2026-11-30")
    quoted = [e for f in real_report.findings for e in f.evidence]
    if not quoted:
        pytest.skip("the review quoted no evidence from this directive")
    assert html.count('class="to-doc"') >= 1
    assert 'class="hl hl-evidence"' in html


def test_cli_folds_exported_decisions_into_the_report(real_report, tmp_path, capsys):
    from policy_review.cli import main

    source = tmp_path / "directive.txt"
    source.write_text(DIRECTIVE, encoding="utf-8")
    finding = real_report.findings[0]
    decisions = tmp_path / "directive.decisions.json"
    decisions.write_text(
        json.dumps(
            {
                "schema": "policy-review/decisions@1",
                "document": {"sha256": hashlib.sha256(source.read_bytes()).hexdigest()},
                "decisions": [
                    {
                        "checklist": finding.checklist,
                        "element": finding.element,
                        "decision": "follow-up",
                        "note": "Ask the agency for the annex.",
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    output = tmp_path / "out.html"
    assert main(["analyze", str(source), "-o", str(output), "--decisions", str(decisions)]) == 0
    html = output.read_text(encoding="utf-8")
    assert (
        "Imported reviewer decision:</strong> Needs follow-up: “Ask the agency for the annex.”"
        in html
    )
    assert main(["analyze", str(source), "-o", str(output), "--decisions", str(source)]) == 2
    assert "is not valid JSON" in capsys.readouterr().err
