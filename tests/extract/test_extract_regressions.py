"""One test per extraction bug found on real or sample directives."""

from policy_review.extract import load_document
from policy_review.model import PassageKind
from tests.conftest import REPO_ROOT

LAKEVIEW = REPO_ROOT / "sample_policies" / "lakeview-pd-missing-children.pdf"


def test_wrapped_lines_and_bold_run_ins_stay_one_passage():
    """Loose glyph boxes once made each line look like a new type size, splitting sentences."""
    document = load_document(LAKEVIEW)
    texts = [p.text for p in document.passages]
    assert any(
        t.startswith("A. Missing Child - Any person under the age of eighteen")
        and t.endswith("forced out of the home.")
        for t in texts
    )
    assert any("in the company of others who could endanger his or her welfare" in t for t in texts)
    policy = next(p for p in document.passages if p.text.startswith("It is the policy of"))
    assert policy.kind is PassageKind.PARAGRAPH
    assert policy.text.endswith("established and confirmed to indicate otherwise.")


def test_a_slide_title_ending_in_a_rank_abbreviation_is_a_heading():
    """ "Slide 9 - Sgt." once read as a sentence, so its bullets stayed under slide 8's title."""
    document = load_document(
        REPO_ROOT / "sample_policies" / "kilbride-pd-chief-slide-deck-missing-kids.pdf"
    )
    item = next(p for p in document.passages if p.text.startswith("Sgt. responds to every"))
    assert item.section == ("Slide 9 — Sgt.",)
