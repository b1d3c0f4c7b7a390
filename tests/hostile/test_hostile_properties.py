"""Arbitrary document text never breaks the matcher or the renderer, and never becomes markup."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policy_review.model import PassageKind, build_document
from policy_review.render import render_html, render_json
from policy_review.review import review

INJECTED_SCRIPT = "<script>window.prInjected=1</script>"
INJECTED_IMAGE = "<img src=x onerror=prInjected()>"
FRAGMENTS = (
    INJECTED_SCRIPT,
    INJECTED_IMAGE,
    "{{ 7*7 }}",
    "{% raw %}",
    "]]>",
    "</textarea>",
    "\u202e",
    "\x00",
    "officers shall enter the child into NCIC within two hours",
    "the 911 call-taker shall ask for a photograph",
    "not required",
    "after 24 hours",
)
PASSAGE_KINDS = tuple(PassageKind)

passage_text = st.lists(
    st.one_of(st.text(max_size=80), st.sampled_from(FRAGMENTS)), min_size=0, max_size=6
).map(" ".join)
blocks = st.lists(
    st.tuples(
        passage_text,
        st.one_of(st.none(), st.integers(min_value=1, max_value=500)),
        st.lists(st.text(max_size=30), max_size=3).map(tuple),
        st.sampled_from(PASSAGE_KINDS),
    ),
    max_size=12,
)


@settings(
    max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(blocks=blocks, paged=st.booleans())
def test_any_text_reviews_and_renders_as_inert_text(blocks, paged):
    document = build_document(
        source="property.txt",
        sha256="0" * 64,
        format="pdf" if paged else "text",
        page_count=max((page or 1 for _, page, _, _ in blocks), default=1) if paged else None,
        blocks=list(blocks),
    )
    report = review(document)
    html = render_html(report)
    data = json.loads(render_json(report))
    assert data["schema"] == "policy-review/report@1"
    assert INJECTED_SCRIPT not in html
    assert INJECTED_IMAGE not in html
    assert "<img src=x" not in html
