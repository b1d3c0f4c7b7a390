"""A combined police / 911 directive (our own text, tests/match/combined/): the call-taker
elements of the PSAP checklist are credited only from what the communications center is told to
do; what officers and investigators do is partial at most, and the reason and the explanation
say whose duty the quote states."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policy_review.cli import main
from policy_review.model import ActorSource, AdjustmentCause, Status

DOCUMENT = Path(__file__).parent / "combined" / "harlow-combined-police-911-directive.md"

EXPECTED = {
    # stated for the call-taker (list lead-in "The call-taker shall:")
    "PSAP-Q-DESCRIPTION": "found",
    "PSAP-Q-LAST-SEEN": "partial",  # where only
    # stated for officers, investigators or the patrol supervisor: partial at most
    "PSAP-Q-SEARCHED": "partial",
    "PSAP-Q-RISK": "partial",
    "PSAP-Q-SUSPECT-VEHICLE": "partial",
    "PSAP-Q-CUSTODY": "partial",
    "PSAP-Q-ONLINE": "partial",
    "PSAP-NOTIFY-SUPERVISOR": "partial",
    "PSAP-TYPE-ABDUCTION": "partial",
}


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("combined") / "report.json"
    argv = [str(DOCUMENT), "--checklist", "psap-ansi-standard", "--format", "json", "-o"]
    assert main(["analyze", *argv, str(out)]) == 0
    return {f["element"]: f for f in json.loads(out.read_text())["findings"]}


@pytest.mark.parametrize("element", sorted(EXPECTED))
def test_call_taker_elements_need_the_call_taker(report, element) -> None:
    assert report[element]["status"] == EXPECTED[element], report[element]["reason"]


def test_wrong_role_is_said_in_the_reason_and_the_explanation(report) -> None:
    finding = report["PSAP-Q-ONLINE"]
    assert "duty of the investigator" in finding["reason"]
    explanation = finding["evidence"][0]["explanation"]
    assert explanation["actors"] == ["investigator"]
    assert explanation["actor_source"] == ActorSource.SUBJECT.value
    wrong = [a for a in explanation["adjustments"] if a["cause"] == AdjustmentCause.WRONG_ROLE]
    assert wrong and wrong[0]["cap"] == Status.PARTIAL.value
    assert explanation["score"] == pytest.approx(
        explanation["base_score"] + sum(a["delta"] for a in explanation["adjustments"])
    )


def test_lead_in_names_the_call_taker(report) -> None:
    explanation = report["PSAP-Q-DESCRIPTION"]["evidence"][0]["explanation"]
    assert explanation["actors"] == ["telecommunicator"]
    assert explanation["actor_source"] == ActorSource.LEAD_IN.value


def test_every_quote_in_the_html_report_shows_its_explanation(tmp_path) -> None:
    out = tmp_path / "report.html"
    assert (
        main(["analyze", str(DOCUMENT), "--checklist", "psap-ansi-standard", "-o", str(out)]) == 0
    )
    html = out.read_text()
    quotes = html.count('<blockquote class="quote">')
    flags = html.count('class="flag-reason"')
    assert quotes - flags == html.count('<details class="why">') - html.count(
        '<blockquote class="quote near">'
    )
    assert "the requirement is a duty of the telecommunicator" in html
