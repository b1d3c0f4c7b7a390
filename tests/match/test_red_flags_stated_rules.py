"""A red flag is a rule in force: an amendment quoting the wording it rescinds, a former practice,
a question and a refused telephone report raise none; the same rule stated plainly still does.
Built through `review()` on small police and 911 directives."""

from __future__ import annotations

import pytest

from policy_review.checklist import load_checklist
from policy_review.model import PassageKind, build_document
from policy_review.review import review


def _review(texts: tuple[str, ...], checklist: str):
    trail = ("Missing Juveniles",)
    blocks = [("Missing Juveniles", 1, trail, PassageKind.HEADING)]
    blocks += [(text, 1, trail, PassageKind.PARAGRAPH) for text in texts]
    document = build_document(
        source="d.txt", sha256="0" * 64, format="text", page_count=1, blocks=blocks
    )
    return review(document, (load_checklist(checklist),))


def _flagged(report, element: str) -> list[str]:
    finding = next(f for f in report.findings if f.element == element)
    return [flag.quote for flag in finding.red_flags]


RESCINDED_WAIT = (
    'Paragraph 4(a), which read "Reports of runaway juveniles will be accepted after the '
    'juvenile has been absent for 24 hours," is rescinded.'
)
PLAIN_WAIT = (
    "Reports of runaway juveniles will be accepted after the juvenile has been absent for 24 hours."
)


@pytest.mark.parametrize(
    ("texts", "checklist", "element"),
    [
        ((RESCINDED_WAIT,), "le-model-policy", "LE-POL-NO-WAIT"),
        (
            (
                "Paragraph 4(b), which allowed runaway reports to be taken by telephone, is "
                "rescinded.",
                "No missing juvenile report will be taken by telephone.",
                "We don't take missing-kid reports over the phone.",
            ),
            "le-model-policy",
            "LE-COMM-DISPATCH",
        ),
        (
            (
                "Some students come from centers that used to tell parents to wait 24 hours.",
                "Is there a waiting period before we take a missing child report?",
            ),
            "psap-ansi-standard",
            "PSAP-PRIORITY",
        ),
    ],
)
def test_wording_that_states_no_rule_in_force_raises_no_red_flag(texts, checklist, element):
    assert _flagged(_review(texts, checklist), element) == []


@pytest.mark.parametrize(
    ("text", "checklist", "element"),
    [
        (PLAIN_WAIT, "le-model-policy", "LE-POL-NO-WAIT"),
        (
            "Runaway reports for juveniles 16 and older may be taken by telephone.",
            "le-model-policy",
            "LE-COMM-DISPATCH",
        ),
        (
            "Tell parents to wait 24 hours before a missing child report is taken.",
            "psap-ansi-standard",
            "PSAP-PRIORITY",
        ),
        (
            "The NCIC operator enters the child in NCIC when the responding deputy completes"
            " the missing person report.",
            "psap-ansi-standard",
            "PSAP-NCIC",
        ),
    ],
)
def test_the_same_rule_stated_plainly_is_still_flagged(text, checklist, element):
    assert _flagged(_review((text,), checklist), element)
