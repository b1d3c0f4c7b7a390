"""`/regex/` terms match exactly where `re` would, although each is tried only at the words it can
start with: after hyphens and apostrophes, behind lookbehinds, at digits, without anchors, and
never overlapping themselves."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from policy_review.checklist import load_checklist
from policy_review.model import PassageKind, Status, build_document
from policy_review.review import review

CASES = [
    # (regex, sentence, the words it must highlight, or None when it must not match)
    (r"\b(days?|weeks?)\s+after\b", "Verify the record three days after entry.", "days after"),
    (r"\breports?\s+shall\b", "Self-reports shall be logged by the desk.", "reports shall"),
    (r"\b(do not|don.t)\s+wait\b", "Officers: Don't wait for a photograph.", "Don't wait"),
    (r"\b(do not|don.t)\s+wait\b", "Officers do not wait for a photograph.", "do not wait"),
    (r"(?<!social )\bmedia\b", "Notify the social media team.", None),
    (r"(?<!social )\bmedia\b", "Notify the news media at once.", "media"),
    (r"\b([1-9]|1[0-6])\s+years\b", "A child of 12 years is at risk.", "12 years"),
    (r"\b([1-9]|1[0-6])\s+years\b", "A record kept 112 years is archived.", None),
    (
        r"\b(twenty[- ]four|24)\s*hours?\b",
        "No wait of twenty-four hours applies.",
        "twenty-four hours",
    ),
    (r"\bmedia\b", "Multimedia files are attached.", None),
    (r"cybertip(line)?\.org", "Report online at www.CyberTipline.org today.", "CyberTipline.org"),
    (
        r"(all\s+)?(other|remaining)\s+cases",
        "All other cases go to the detective.",
        "All other cases",
    ),
    (r"\bwait\w*\s+wait\w*", "Waiting waiting waiting is banned.", "Waiting waiting"),
    (r"\bNCIC\b", "Enter the child into ncic at once.", "ncic"),
]


def _checklist(tmp_path: Path, regex: str):
    data = {
        "id": "regex-probe",
        "version": "1.0.0",
        "title": "Regex probe",
        "applies_to": "tests",
        "audience": "law-enforcement",
        "detect": {"concepts": ["target"], "min_sentences": 1},
        "concepts": {"target": [f"/{regex}/"]},
        "elements": [
            {
                "id": "LE-PROBE",
                "title": "Probe",
                "severity": "critical",
                "group": "Probe",
                "requirement": "The regex matches.",
                "rationale": "Test.",
                "guidance": "None.",
                "cues": [{"id": "probe", "all": ["target"], "scope": "sentence"}],
            }
        ],
    }
    path = tmp_path / "probe.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return load_checklist(path)


def _document(sentence: str):
    trail = ("Procedure",)
    return build_document(
        source="t.txt",
        sha256="0" * 64,
        format="text",
        page_count=1,
        blocks=[
            ("Procedure", 1, trail, PassageKind.HEADING),
            (sentence, 1, trail, PassageKind.PARAGRAPH),
        ],
    )


@pytest.mark.parametrize(("regex", "sentence", "expected"), CASES)
def test_regex_term_matches_where_re_would(tmp_path, regex, sentence, expected) -> None:
    (finding,) = review(_document(sentence), (_checklist(tmp_path, regex),)).findings
    if expected is None:
        assert finding.status is Status.MISSING
        return
    assert finding.status is Status.FOUND
    (evidence,) = finding.evidence
    assert [evidence.quote[a:b] for a, b in evidence.highlights] == [expected]
