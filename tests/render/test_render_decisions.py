"""Reviewer decisions: the exported file is read back and shown beside the machine verdicts."""

from __future__ import annotations

import json

import pytest
from render_builders import make_report

from policy_review.errors import PolicyReviewError
from policy_review.render import DECISIONS_SCHEMA, load_decisions, render_html


def _write(tmp_path, data, name="decisions.json"):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def _export(sha256: str, *decisions: dict) -> dict:
    return {
        "schema": DECISIONS_SCHEMA,
        "document": {"sha256": sha256, "file_name": "test-pd-directive.pdf"},
        "tool_version": "0.1.0",
        "exported_at": "2026-11-30T00:00:00Z",
        "decisions": list(decisions),
    }


def test_decisions_round_trip_into_the_report(tmp_path):
    report = make_report()
    note = "Quote is about runaways </script><script>alert(1)</script>"
    path = _write(
        tmp_path,
        _export(
            report.document.sha256,
            {
                "checklist": "le-model-policy",
                "element": "LE-NCIC-2HR",
                "decision": "reject",
                "note": note,
                "machine_status": "missing",
            },
            {
                "checklist": "le-model-policy",
                "element": "LE-POL-NO-WAIT",
                "decision": "follow-up",
                "note": "",
            },
            {"checklist": "old-checklist", "element": "GONE", "decision": "accept"},
        ),
    )
    decisions = load_decisions(path)
    assert decisions.sha256 == report.document.sha256
    assert [(d.element, d.decision) for d in decisions.items] == [
        ("LE-NCIC-2HR", "reject"),
        ("LE-POL-NO-WAIT", "follow-up"),
        ("GONE", "accept"),
    ]
    html = render_html(report, decisions=decisions, generated_at="2026-11-30")
    assert (
        "Imported reviewer decision:</strong> Reject: “Quote is about runaways &lt;/script&gt;"
        in html
    )
    assert "Imported reviewer decision:</strong> Needs follow-up" in html
    assert html.count("Imported reviewer decision:") == 2
    assert (
        "decisions.json</span> are shown beside the machine verdicts. 1 decision names an element"
        in html
    )
    data_block = html.split('id="pr-data">', 1)[1].split("</script>", 1)[0]
    imported = json.loads(data_block)["imported"]
    assert imported["el-le-model-policy--LE-NCIC-2HR"] == {"decision": "reject", "note": note}


def test_decisions_for_another_document_are_refused(tmp_path):
    path = _write(tmp_path, _export("0" * 64))
    with pytest.raises(PolicyReviewError, match="exported for another document"):
        render_html(make_report(), decisions=load_decisions(path))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "is not valid JSON"),
        ("[]", "the top level is not an object"),
        ({"schema": "other@1"}, "\"schema\" is 'other@1'"),
        ({"schema": DECISIONS_SCHEMA, "document": {"sha256": "abc"}, "decisions": []}, "sha256"),
        ({"schema": DECISIONS_SCHEMA, "document": {"sha256": "a" * 64}}, '"decisions" is not'),
        (
            _export("a" * 64, {"checklist": "x", "element": "Y", "decision": "maybe"}),
            "unknown decision 'maybe'",
        ),
        (_export("a" * 64, {"element": "Y"}), "decision 1 lacks checklist or element"),
        (_export("a" * 64, {"checklist": "x", "element": "Y", "note": 3}), "note that is not text"),
    ],
)
def test_bad_decisions_files_are_one_plain_error(tmp_path, content, message):
    path = _write(tmp_path, content)
    with pytest.raises(PolicyReviewError, match=message) as error:
        load_decisions(path)
    assert str(path) in str(error.value) and "\n" not in str(error.value)


def test_missing_or_binary_decisions_file(tmp_path):
    with pytest.raises(PolicyReviewError, match="does not exist"):
        load_decisions(tmp_path / "none.json")
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(PolicyReviewError, match="cannot read decisions file"):
        load_decisions(binary)
    with pytest.raises(PolicyReviewError, match="cannot read decisions file"):
        load_decisions(tmp_path)


def test_analyze_with_decisions_shows_the_summary_after_review(tmp_path, capsys):
    """Through the CLI: a rejected 'missing' on the only critical gap clears 'not ready'."""
    from policy_review.cli import main

    source = tmp_path / "directive.txt"
    source.write_text(
        "Harbor City Police Department Missing Children\n\n"
        "I. Policy. Officers shall accept every report of a missing child immediately.\n",
        encoding="utf-8",
    )
    first = tmp_path / "first.json"
    assert main(["analyze", str(source), "--format", "json", "-o", str(first)]) == 0
    report = json.loads(first.read_text(encoding="utf-8"))
    critical = report["summary"]["critical_missing"]
    checklist = report["checklists"][0]["id"]
    decisions = [
        {"checklist": checklist, "element": element, "decision": "reject"}
        for element in critical[1:]
    ] + [{"checklist": checklist, "element": critical[0], "decision": "accept"}]
    path = _write(
        tmp_path, {**_export(report["document"]["sha256"], *decisions), "reviewer": "Dana"}
    )
    out = tmp_path / "reviewed.html"
    assert main(["analyze", str(source), "--decisions", str(path), "-o", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    after = html.split('id="after-review"', 1)[1].split("</div>", 1)[0]
    assert 'After review: <span class="text">1 critical element missing' in after
    assert (
        f"Recomputed from {len(critical)} reviewer decisions ({len(critical) - 1} changed" in after
    )
    assert '<span id="tool-verdict-label">Tool\'s verdict: </span>' in html
    assert "Reviewer decisions by Dana imported from" in html
    capsys.readouterr()


def test_decisions_without_accept_or_reject_leave_the_summary_alone(tmp_path):
    report = make_report()
    path = _write(
        tmp_path,
        _export(
            report.document.sha256,
            {"checklist": "le-model-policy", "element": "LE-NCIC-2HR", "decision": "follow-up"},
        ),
    )
    html = render_html(report, decisions=load_decisions(path))
    assert '<div id="after-review" class="after-review" role="status" hidden>' in html
    assert '<p class="after-review-note" id="after-review-note"></p>' in html
    assert '<span id="tool-verdict-label" hidden>' in html
