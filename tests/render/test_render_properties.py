"""Any text, any offsets: the renderer neither crashes nor lets document text become markup."""

from __future__ import annotations

from html.parser import HTMLParser

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from render_builders import make_document, make_finding, make_report

from policy_review.model import Evidence, PassageKind, Status
from policy_review.render import render_html

# Tags the bundled templates produce; document text must never add another.
_TAG_NAMES = """
    html head meta title style body svg symbol circle path a header p h1 dl div dt dd h2 ul
    li span strong main section h3 table caption thead tr th tbody td tfoot use form
    fieldset legend label input select option button h4 article h5 h6 ol blockquote mark
    textarea footer script nav
"""
TEMPLATE_TAGS = frozenset(_TAG_NAMES.split())


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)


texts = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=80
).filter(str.strip)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    paragraphs=st.lists(texts, min_size=1, max_size=4),
    offsets=st.lists(st.tuples(st.integers(-5, 120), st.integers(-5, 120)), max_size=4),
)
def test_arbitrary_text_and_offsets_render_as_text(paragraphs, offsets):
    blocks = [(text, 1, (text[:20],), PassageKind.PARAGRAPH) for text in paragraphs]
    document = make_document(blocks)
    quote = document.passages[0].text if document.passages else paragraphs[0]
    evidence = tuple(
        Evidence(quote, 1, "s", start, end, highlights=((start, end),)) for start, end in offsets
    )
    finding = make_finding("E-1", Status.PARTIAL, evidence=evidence, reason=paragraphs[-1])
    html = render_html(make_report(document, findings=[finding]), generated_at="2026-11-30")
    parser = _Tags()
    parser.feed(html)
    assert parser.tags <= TEMPLATE_TAGS
