"""A red flag caps a found element to partial as an adjustment of its quotes' explanations (cause
`red_flag`), and the finding's reason is built from it: checked in the JSON report."""

from __future__ import annotations

import json
from pathlib import Path

from policy_review.cli import main

NO_WAIT = (
    "Missing Children Policy\n\n"
    "There is no waiting period before a report of a missing child is taken; officers shall take "
    "the report immediately.\n\n"
)
WAITING = (
    "A missing juvenile report will not be accepted until the child has been gone for 24 hours.\n"
)


def _no_wait(tmp_path: Path, text: str) -> dict:
    source = tmp_path / "pd.txt"
    source.write_text(text, encoding="utf-8")
    target = tmp_path / "pd.json"
    argv = ["analyze", str(source), "--checklist", "le-model-policy", "--format", "json"]
    assert main([*argv, "-o", str(target)]) == 0
    findings = json.loads(target.read_text(encoding="utf-8"))["findings"]
    return next(f for f in findings if f["element"] == "LE-POL-NO-WAIT")


def test_a_red_flag_is_an_adjustment_of_each_quote(tmp_path: Path) -> None:
    plain = _no_wait(tmp_path, NO_WAIT)
    flagged = _no_wait(tmp_path, NO_WAIT + WAITING)
    assert (plain["status"], flagged["status"]) == ("found", "partial")
    assert flagged["red_flags"]
    for evidence in flagged["evidence"]:
        explanation = evidence["explanation"]
        red_flag = [a for a in explanation["adjustments"] if a["cause"] == "red_flag"]
        assert len(red_flag) == 1
        assert red_flag[0]["cap"] == "partial" and red_flag[0]["delta"] < 0
        assert explanation["level"] == "partial"
        deltas = sum(a["delta"] for a in explanation["adjustments"])
        assert abs(explanation["base_score"] + deltas - explanation["score"]) < 0.002
        assert red_flag[0]["detail"] in explanation["summary"]
    assert flagged["reason"].startswith("Only partly stated")
    assert flagged["evidence"][0]["explanation"]["summary"] in flagged["reason"]
    unflagged = plain["evidence"][0]["explanation"]["adjustments"]
    assert all(a["cause"] != "red_flag" for a in unflagged)
