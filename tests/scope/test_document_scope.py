"""Document scope: a missing-child directive judged inside a whole manual gives the verdicts it
gives alone, whatever the manual's layout, and the unrelated chapters (full of 'investigation',
'custody', 'child', 'NCIC' sentences) give no evidence.

Manuals are built here from sample_policies/src directives plus the unrelated chapters in
unrelated_chapters.yaml, in three layouts: Lexipol-style numbered policies with a table of
contents, general orders that name their number in a title block, and paged chapters told apart
only by a running footer ("Use of Force - 12").
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from policy_review.checklist import load_checklist
from policy_review.cli import main
from policy_review.extract import load_document
from policy_review.model import (
    AdjustmentCause,
    ChapterReason,
    DirectiveTopic,
    EvidenceScope,
    PassageKind,
    StructureSource,
    build_document,
)
from policy_review.review import review
from policy_review.scope import detect_scope

HERE = Path(__file__).resolve().parent
SOURCES = HERE.parent.parent / "sample_policies" / "src"
UNRELATED = yaml.safe_load((HERE / "unrelated_chapters.yaml").read_text())["chapters"]
PASSAGES_PER_PAGE = 6
ROMAN = ("I", "II", "III", "IV", "V", "VI")


def _directive_markdown(name: str) -> str:
    """A sample directive's source as plain markdown (its table rows one line per cell)."""
    body = (SOURCES / f"{name}.txt").read_text().split("---", 2)[2]
    lines = []
    for raw in body.splitlines():
        line = re.sub(r"\{-.*?-\}", "", raw).replace("{+", "").replace("+}", "").replace("**", "")
        if line.startswith("!title "):
            lines.append("# " + line[len("!title ") :])
        elif line.startswith(("!center ", "!columns", "!pagebreak")):
            lines.append(line.split(" ", 1)[1] if line.startswith("!center ") else "")
        elif line.startswith("|"):
            lines.extend(cell.strip() for cell in line.strip("|!").split("|") if cell.strip())
        elif line.lstrip().startswith("+ "):
            lines.append("- " + line.lstrip()[2:])
        else:
            lines.append(line.strip())
    return "\n\n".join(line for line in lines if line) + "\n"


def _lexipol_chapter(chapter: dict) -> str:
    out = [f"# {chapter['title']}", f"# Policy {chapter['number']}"]
    for i, section in enumerate(chapter["sections"], 1):
        out.append(f"# {chapter['number']}.{i} {section['heading']}")
        out.extend(section["text"])
    return "\n\n".join(out) + "\n"


def _order_chapter(chapter: dict) -> str:
    out = [
        "# PORT ASHFORD POLICE DEPARTMENT",
        "GENERAL ORDER",
        f"GENERAL ORDER NO. {chapter['order']}",
        f"SUBJECT: {chapter['title']}",
    ]
    for numeral, section in zip(ROMAN, chapter["sections"], strict=False):
        out.append(f"# {numeral}. {section['heading'].title()}")
        out.extend(section["text"])
    return "\n\n".join(out) + "\n"


def _contents(chapters: list[dict], directive: tuple[str, str]) -> str:
    entries = [(c["number"], c["title"]) for c in chapters] + [directive]
    lines = ["# Table of Contents"] + [
        f"{number} - {title} . . . . . . . . . . {page}"
        for page, (number, title) in enumerate(sorted(entries), 3)
    ]
    return "\n\n".join(lines) + "\n"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _verdicts(report) -> dict:
    return {
        (f.checklist, f.element): (f.status, tuple(e.quote for e in f.evidence))
        for f in report.findings
    }


def _assert_same_verdicts(alone, manual) -> None:
    assert [c.id for c in manual.checklists] == [c.id for c in alone.checklists]
    expected, got = _verdicts(alone), _verdicts(manual)
    changed = {key: (expected[key], got[key]) for key in expected if expected[key] != got[key]}
    assert not changed


def _unrelated_text() -> set[str]:
    return {text for c in UNRELATED for s in c["sections"] for text in s["text"]}


def _assert_no_unrelated_evidence(report) -> None:
    unrelated = _unrelated_text()
    for finding in report.findings:
        for evidence in finding.evidence:
            assert not any(evidence.quote in text for text in unrelated), evidence.quote


@pytest.fixture(scope="module")
def alder_grove_alone(tmp_path_factory):
    folder = tmp_path_factory.mktemp("alone")
    path = _write(
        folder, "alder.md", _directive_markdown("alder-grove-pd-policy-328-missing-persons")
    )
    return review(load_document(path))


def test_lexipol_manual_with_contents_gives_the_chapter_verdicts(tmp_path, alder_grove_alone):
    directive = _directive_markdown("alder-grove-pd-policy-328-missing-persons")
    before = [c for c in UNRELATED if int(c["number"]) < 328]
    after = [c for c in UNRELATED if int(c["number"]) > 328]
    text = (
        _contents(UNRELATED, ("328", "Missing Persons"))
        + "".join(_lexipol_chapter(c) for c in before)
        + directive
        + "".join(_lexipol_chapter(c) for c in after)
    )
    manual = review(load_document(_write(tmp_path, "manual.md", text)))

    _assert_same_verdicts(alder_grove_alone, manual)
    _assert_no_unrelated_evidence(manual)
    scope = manual.scope
    assert scope.structure is StructureSource.NUMBERED_HEADINGS
    assert scope.table_of_contents
    read = scope.read(scope.applied)
    assert [(c.number, c.title, c.reason) for c in read] == [
        ("328", "Missing Persons", ChapterReason.TITLE_NAMES_TOPIC)
    ]
    assert read[0].matched == ("missing",)
    assert len(scope.chapters) == len(UNRELATED) + 2  # and the front matter
    assert scope.topic is DirectiveTopic.MISSING_CHILD


def test_general_orders_manual_gives_the_order_verdicts(tmp_path):
    name = "port-ashford-pd-go-2023-14-missing-juveniles"
    alone = review(load_document(_write(tmp_path, "order.md", _directive_markdown(name))))
    text = (
        "".join(_order_chapter(c) for c in UNRELATED[:3])
        + _directive_markdown(name)
        + "".join(_order_chapter(c) for c in UNRELATED[3:])
    )
    manual = review(load_document(_write(tmp_path, "orders.md", text)))

    _assert_same_verdicts(alone, manual)
    _assert_no_unrelated_evidence(manual)
    assert manual.scope.structure is StructureSource.POLICY_LABELS
    [read] = manual.scope.read(manual.scope.applied)
    assert read.number == "2023-14"
    assert "Missing and Found Juveniles" in read.title


def _paged_blocks(chapters: list[tuple[str, list]], first_page: int = 1) -> list:
    """Blocks laid out on pages, each chapter from a new page, every page carrying the agency's
    running header and a footer naming the chapter and the page."""
    blocks, page = [], first_page
    for title, passages in chapters:
        for start in range(0, len(passages), PASSAGES_PER_PAGE):
            blocks.append(("Alder Grove Police Department", page, (), PassageKind.HEADER_FOOTER))
            blocks.append((f"{title} - {page}", page, (), PassageKind.PARAGRAPH))
            blocks += [(t, page, s, k) for t, s, k in passages[start : start + PASSAGES_PER_PAGE]]
            page += 1
    return blocks


def _chapter_passages(chapter: dict) -> list:
    out = [(chapter["title"], (chapter["title"],), PassageKind.HEADING)]
    for section in chapter["sections"]:
        trail = (chapter["title"], section["heading"])
        out.append((section["heading"], trail, PassageKind.HEADING))
        out += [(text, trail, PassageKind.PARAGRAPH) for text in section["text"]]
    return out


def _paged_document(chapters, name: str):
    blocks = _paged_blocks(chapters)
    return build_document(
        source=name,
        sha256="0" * 64,
        format="pdf",
        page_count=max(b[1] for b in blocks),
        blocks=blocks,
    )


def test_chapters_told_apart_by_running_footers_only(tmp_path):
    directive = load_document(
        _write(tmp_path, "a.md", _directive_markdown("alder-grove-pd-policy-328-missing-persons"))
    )
    passages = [(p.text, p.section, p.kind) for p in directive.passages]
    alone = review(_paged_document([("Missing Persons", passages)], "alone.pdf"))
    unrelated = [(c["title"], _chapter_passages(c)) for c in UNRELATED]
    manual_document = _paged_document(
        unrelated[:4] + [("Missing Persons", passages)] + unrelated[4:], "manual.pdf"
    )
    manual = review(manual_document)

    assert {f.element: f.status for f in manual.findings} == {
        f.element: f.status for f in alone.findings
    }
    _assert_no_unrelated_evidence(manual)
    scope = manual.scope
    assert scope.structure is StructureSource.RUNNING_TITLES
    [read] = scope.read(scope.applied)
    assert read.title == "Missing Persons"
    first_page = 1 + sum(-(-len(p) // PASSAGES_PER_PAGE) for _, p in unrelated[:4])
    assert read.first_page == first_page
    assert read.last_page == first_page + -(-len(passages) // PASSAGES_PER_PAGE) - 1


def test_a_passage_about_missing_children_elsewhere_counts_and_is_marked(tmp_path):
    chapter = {
        "number": "318",
        "title": "Missing Persons",
        "sections": [
            {
                "heading": "POLICY",
                "text": ["Reports of missing persons are accepted at any time, without delay."],
            }
        ],
    }
    custody = dict(UNRELATED[2])
    custody["sections"] = custody["sections"] + [
        {
            "heading": "RUNAWAYS",
            "text": [
                "The officer shall enter a missing child into NCIC within two hours of the report."
            ],
        }
    ]
    text = _lexipol_chapter(UNRELATED[0]) + _lexipol_chapter(chapter) + _lexipol_chapter(custody)
    report = review(load_document(_write(tmp_path, "m.md", text)))

    assert report.scope.outside(report.scope.applied)
    ncic = next(f for f in report.findings if f.element == "LE-NCIC-2HR")
    assert [e.scope for e in ncic.evidence] == [EvidenceScope.OUTSIDE]
    other = [e for f in report.findings if f is not ncic for e in f.evidence]
    assert all(e.scope is EvidenceScope.IN_SCOPE for e in other if "NCIC" not in e.quote)


def test_a_section_on_runaways_in_another_chapter_counts_as_outside(tmp_path):
    """A passage under a heading about missing children in an unrelated chapter is itself about
    them, even when it does not repeat the words: its evidence counts, marked outside."""
    chapter = {
        "number": "318",
        "title": "Missing Persons",
        "sections": [{"heading": "POLICY", "text": ["Reports are accepted at any time."]}],
    }
    custody = dict(UNRELATED[2])
    custody["sections"] = custody["sections"] + [
        {
            "heading": "RUNAWAY JUVENILES",
            "text": [
                "The officer shall enter the juvenile into NCIC within two hours of the report."
            ],
        }
    ]
    text = _lexipol_chapter(UNRELATED[0]) + _lexipol_chapter(chapter) + _lexipol_chapter(custody)
    report = review(load_document(_write(tmp_path, "m.md", text)))

    ncic = next(f for f in report.findings if f.element == "LE-NCIC-2HR")
    assert [e.scope for e in ncic.evidence] == [EvidenceScope.OUTSIDE]


def test_a_single_directive_is_one_chapter_read_whole(tmp_path):
    path = _write(
        tmp_path, "k.md", _directive_markdown("kessler-university-pd-com-14-missing-child-calls")
    )
    scope = detect_scope(load_document(path))
    assert scope.structure is StructureSource.SINGLE
    [chapter] = scope.chapters
    assert chapter.reason is ChapterReason.WHOLE_DOCUMENT
    assert chapter.title == "Missing Child Calls"
    assert scope.topic is DirectiveTopic.MISSING_CHILD


@pytest.mark.parametrize(
    "text",
    ["meeting notes\n", _lexipol_chapter(UNRELATED[0]), "".join(map(_lexipol_chapter, UNRELATED))],
    ids=["two-words", "use-of-force", "manual-without-missing-chapter"],
)
def test_no_topic_signal_is_not_a_missing_child_directive(tmp_path, text):
    scope = detect_scope(load_document(_write(tmp_path, "notes.md", text)))
    assert scope.topic is DirectiveTopic.NOT_MISSING_CHILD
    assert len(scope.read(scope.applied or ("law-enforcement",))) == 1  # read whole


MODEL_POLICY_WITH_NOTES = """# Missing Children

Officers shall enter every missing child into NCIC within two hours of the report.

NOTE TO AGENCIES: insert your state clearinghouse's name here.

Optional: Team Adam consultants are requested in every abduction. NOT ADOPTED.
"""
BILINGUAL_ORDER = """# Missing Children / Menores Desaparecidos

Officers shall never take a missing child report by telephone; an officer responds.

Los reportes de menores desaparecidos nunca se toman por teléfono ni a través del escritorio de \
Teleserve; un oficial acude al lugar.
"""


def _json_and_html(tmp_path: Path, path: Path) -> tuple[dict, str]:
    """The JSON report (parsed) and the HTML page `analyze` writes for one document."""
    import json

    out, html = tmp_path / "r.json", tmp_path / "r.html"
    assert main(["analyze", str(path), "--format", "json", "-o", str(out)]) == 0
    assert main(["analyze", str(path), "-o", str(html)]) == 0
    return json.loads(out.read_text()), html.read_text()


def test_json_and_html_reports_show_the_scope(tmp_path):
    text = "".join(_lexipol_chapter(c) for c in UNRELATED[:2]) + _directive_markdown(
        "alder-grove-pd-policy-328-missing-persons"
    )
    path = _write(tmp_path, "manual.md", text)
    data, page = _json_and_html(tmp_path, path)
    assert data["topic"] == "missing_child_directive"
    assert data["scope"]["read"][0]["title"] == "Missing Persons"
    assert data["scope"]["set_aside"] == 2
    assert data["scope"]["set_aside_reasons"] == {"off_topic": 2}
    assert all(e["scope"] == "in_scope" for f in data["findings"] for e in f["evidence"])
    assert "What was read" in page and "328 Missing Persons" in page
    assert "2 other chapters set aside (2 not about missing children)" in page


def test_chapter_titles_are_escaped_in_html(tmp_path):
    hostile = dict(UNRELATED[0], title="Missing <script>alert(1)</script> Persons")
    path = _write(tmp_path, "x.md", _lexipol_chapter(hostile) + _lexipol_chapter(UNRELATED[1]))
    html = tmp_path / "x.html"
    assert main(["analyze", str(path), "-o", str(html)]) == 0
    page = html.read_text()
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)" in page


def _footed_pages(chapters: list[tuple[str, list]]) -> list:
    """Blocks of a printed manual whose pages start with the agency's header and end with a
    footer naming the chapter and the page ("Missing Persons - 7"), each chapter from a new page."""
    blocks, page = [], 1
    for title, passages in chapters:
        for start in range(0, len(passages), PASSAGES_PER_PAGE):
            blocks.append(("Alder Grove Police Department", page, (), PassageKind.HEADER_FOOTER))
            blocks += [(t, page, s, k) for t, s, k in passages[start : start + PASSAGES_PER_PAGE]]
            blocks.append((f"{title} - {page}", page, (), PassageKind.HEADER_FOOTER))
            page += 1
    return build_document(
        source="manual.pdf", sha256="0" * 64, format="pdf", page_count=page - 1, blocks=blocks
    )


def _numbered_policy_passages(chapter: dict) -> list:
    """A Lexipol-style policy: its title, "Policy 336", then numbered sections (336.2 ...)."""
    number, title = chapter["number"], chapter["title"]
    out = [
        (title, (title,), PassageKind.HEADING),
        (f"Policy {number}", (title,), PassageKind.PARAGRAPH),
    ]
    for i, section in enumerate(chapter["sections"], 1):
        heading = f"{number}.{i} {section['heading']}"
        out.append((heading, (title, heading), PassageKind.HEADING))
        out += [(text, (title, heading), PassageKind.PARAGRAPH) for text in section["text"]]
    return out


def test_the_chapter_after_the_missing_child_policy_is_not_read_for_its_footer(tmp_path):
    """The missing-persons policy's last footer ("Missing Persons - 9") comes just before the
    title of the registered-offender policy that follows: it is the previous page's, so that
    policy is set aside and its registry checks ("query the sex-offender registry for
    registered offenders living within the area") are no evidence."""
    directive = load_document(
        _write(tmp_path, "a.md", _directive_markdown("alder-grove-pd-policy-328-missing-persons"))
    )
    policy = ("Missing Persons", [(p.text, p.section, p.kind) for p in directive.passages])
    alone = review(_footed_pages([policy]))
    unrelated = [(c["title"], _numbered_policy_passages(c)) for c in UNRELATED]
    offenders = next(i for i, c in enumerate(UNRELATED) if "Offender" in c["title"])
    manual = review(_footed_pages(unrelated[:offenders] + [policy] + unrelated[offenders:]))

    read = manual.scope.read(manual.scope.applied)
    assert [c.title for c in read] == ["Missing Persons"]
    assert manual.scope.structure is StructureSource.NUMBERED_HEADINGS
    _assert_no_unrelated_evidence(manual)
    _assert_same_verdicts(alone, manual)


def _sheriff_chapter(number: int, title: str, sections: list[tuple[str, list[str]]]) -> str:
    """A sheriff's manual chapter: "CHAPTER 14 - MISSING CHILDREN", then "Section 14.01 ..."."""
    out = [f"CHAPTER {number} - {title.upper()}"]
    for i, (heading, texts) in enumerate(sections, 1):
        out.append(f"Section {number}.{i:02d} {heading.title()}")
        out.extend(texts)
    return "\n\n".join(out) + "\n\n"


def test_sheriffs_manual_in_chapters_and_sections_reads_the_missing_child_chapter(tmp_path):
    """Chapters named "CHAPTER 14 - MISSING ..." in a plain-text manual: the spaced dash after the
    number is no list bullet, so the chapters are told apart and only chapter 14 is read."""
    name = "kessler-university-pd-com-14-missing-child-calls"
    directive = load_document(_write(tmp_path, "d.md", _directive_markdown(name)))
    body = [p.text for p in directive.passages if p.kind is not PassageKind.HEADING]
    chapters = [
        _sheriff_chapter(n, c["title"], [(s["heading"], s["text"]) for s in c["sections"]])
        for n, c in enumerate(UNRELATED, 2)
    ]
    own = _sheriff_chapter(14, "Missing Child Calls", [("Procedure", body)])
    alone = review(load_document(_write(tmp_path, "alone.txt", own)))
    manual = review(
        load_document(
            _write(tmp_path, "m.txt", "".join(chapters[:3]) + own + "".join(chapters[3:]))
        )
    )

    assert manual.scope.structure is StructureSource.POLICY_LABELS
    assert [(c.number, c.title) for c in manual.scope.read(manual.scope.applied)] == [
        ("14", "MISSING CHILD CALLS")
    ]
    _assert_no_unrelated_evidence(manual)
    _assert_same_verdicts(alone, manual)


DISPATCH_SECTIONS = [
    (
        "Call Handling",
        [
            "The call-taker shall obtain the caller's name, a callback number and the address.",
            "The call-taker shall get a description of the person: age, height, weight, hair,"
            " clothing, and when and where the person was last seen.",
            "The call-taker shall ask whether the person has a medical condition or needs"
            " medication, and keep the caller on the line while units are dispatched.",
        ],
    ),
    (
        "Broadcasts",
        [
            "The dispatcher shall broadcast the description to all units and to neighbouring"
            " agencies without delay.",
            "The dispatcher shall enter the person into NCIC and notify the shift supervisor.",
            "Dispatchers shall record every broadcast and update it when new information comes in.",
        ],
    ),
]
"""A Communications Center chapter (read for PSAP checklists) about calls on any person: only a
title naming missing children would make these sentences evidence."""
PATROL_SECTIONS = [
    (
        "Reports",
        [
            "Officers shall take a report on the person without delay and shall not wait any"
            " period of time before doing so.",
            "The officer shall enter the person into NCIC immediately and notify a supervisor.",
            "The supervisor shall respond to the scene, take command and request additional"
            " resources when the person is believed to be in danger.",
        ],
    ),
    (
        "Alerts",
        [
            "The watch commander shall decide whether the case meets the criteria for an alert"
            " and, if so, request it from the state clearinghouse.",
        ],
    ),
]
"""A Public Alerts chapter (read for every checklist) that never names a child."""


def _two_chapter_manuals(tmp_path: Path, name: str, own_title: str, other: tuple) -> tuple:
    """The same manual twice: a sample directive as a chapter and another chapter (a title and
    its sections), in one order and then in the other."""
    directive = load_document(_write(tmp_path, "d.md", _directive_markdown(name)))
    body = [p.text for p in directive.passages if p.kind is not PassageKind.HEADING]
    own = _sheriff_chapter(14, own_title, [("Procedure", body)])
    second = _sheriff_chapter(15, *other)
    first_order = load_document(_write(tmp_path, "own-first.txt", own + second))
    other_order = load_document(_write(tmp_path, "other-first.txt", second + own))
    return first_order, other_order


def _assert_no_evidence_from(report, sections: list) -> None:
    texts = [text for _, section in sections for text in section]
    for finding in report.findings:
        for evidence in finding.evidence:
            assert not any(evidence.quote in text for text in texts), evidence.quote


@pytest.mark.parametrize(
    ("checklist", "name", "own_title", "other"),
    [
        (
            "psap-ansi-standard",
            "redfern-parish-communications-sop-4-7-when-a-child-is-missing",
            "Missing Child Calls",
            ("Communications Center Operations", DISPATCH_SECTIONS),
        ),
        (
            "psap-qa-clause",
            "redfern-parish-communications-sop-4-7-when-a-child-is-missing",
            "Missing Child Calls",
            ("Communications Center Operations", DISPATCH_SECTIONS),
        ),
    ],
    ids=["psap-ansi", "psap-qa"],
)
def test_each_chapter_read_has_its_own_title_context(tmp_path, checklist, name, own_title, other):
    """A chapter's title is the context of its own passages only: a chapter on calls or alerts
    about any person borrows no 'missing child' from a chapter before it, so it gives no
    evidence, and the verdicts are the same whichever chapter comes first."""
    chosen = (load_checklist(checklist),)
    first_order, other_order = _two_chapter_manuals(tmp_path, name, own_title, other)
    one, two = review(first_order, chosen), review(other_order, chosen)

    assert len(one.scope.read(one.scope.applied)) == 2
    assert _verdicts(one) == _verdicts(two)
    _assert_no_evidence_from(one, other[1])


def _titled_chapter(title: str, passages: list) -> tuple[str, list]:
    """A chapter of a printed manual: its title heading heads every section trail in it."""
    return title, [(title, (title,), PassageKind.HEADING)] + [
        (text, (title, *section), kind) for text, section, kind in passages
    ]


def _quoted(report) -> dict:
    """Each finding's status and quotes, whatever order the chapters quoted come in."""
    return {
        (f.checklist, f.element): (f.status, sorted(e.quote for e in f.evidence))
        for f in report.findings
    }


def test_a_chapter_is_not_read_under_another_chapters_running_footer(tmp_path):
    """In a printed manual each chapter's pages carry its own footer ("Missing Children - 3"):
    a Public Alerts chapter that never names a child takes no 'missing child' context from the
    footers of the chapter beside it (le-model-policy's `topic_context`), in either order."""
    directive = load_document(
        _write(tmp_path, "a.md", _directive_markdown("alder-grove-pd-policy-328-missing-persons"))
    )
    own = _titled_chapter(
        "Missing Children",
        [(p.text, p.section, p.kind) for p in directive.passages if p.section],
    )
    alerts = _titled_chapter(
        "Public Alerts",
        [
            (text, (heading,), kind)
            for heading, texts in PATROL_SECTIONS
            for text, kind in [(heading, PassageKind.HEADING)]
            + [(t, PassageKind.PARAGRAPH) for t in texts]
        ],
    )
    chosen = (load_checklist("le-model-policy"),)
    one = review(_footed_pages([own, alerts]), chosen)
    two = review(_footed_pages([alerts, own]), chosen)

    assert [c.title for c in one.scope.read(one.scope.applied)] == [
        "Missing Children",
        "Public Alerts",
    ]
    assert _quoted(one) == _quoted(two)
    for report in (one, two):
        for finding in report.findings:
            for evidence in finding.evidence:
                if not evidence.section.startswith("Public Alerts"):
                    continue
                causes = [a.cause for a in evidence.explanation.adjustments]
                assert AdjustmentCause.TOPIC_ONLY not in causes, evidence.quote


def _docx_text(name: str) -> list[str]:
    """A sample directive's Word text, its running header and footer left out."""
    document = load_document(SOURCES.parent / f"{name}.docx")
    return [p.text for p in document.passages if p.kind is not PassageKind.HEADER_FOOTER]


def test_a_text_manuals_first_chapter_heading_heads_its_sections(tmp_path):
    """A "CHAPTER 14 - MISSING CHILDREN" heading opening a text manual heads its chapter's
    sections, as it does when another chapter comes first: the chapter reads the same in either
    position, and le-model-policy gives the same verdicts in either order."""
    body = _docx_text("alder-grove-pd-policy-328-missing-persons")
    own = _sheriff_chapter(14, "Missing Children", [("Procedure", body)])
    alerts = _sheriff_chapter(15, "Public Alerts", PATROL_SECTIONS)
    first = load_document(_write(tmp_path, "own-first.txt", own + alerts))
    second = load_document(_write(tmp_path, "alerts-first.txt", alerts + own))

    for document in (first, second):
        procedure = next(p for p in document.passages if p.text == "Section 14.01 Procedure")
        assert procedure.section[0] == "CHAPTER 14 - MISSING CHILDREN"
    chosen = (load_checklist("le-model-policy"),)
    assert _quoted(review(first, chosen)) == _quoted(review(second, chosen))


WORD_HEADING_NUMBERS = (
    '<w:abstractNum xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    ' w:abstractNumId="90"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="upperRoman"/>'
    '<w:pStyle w:val="Heading1"/><w:lvlText w:val="%1."/></w:lvl></w:abstractNum>'
)


def _word_manual(path: Path, chapters: list[tuple[str, list]], *, numbered: bool) -> Path:
    """A Word manual: each chapter's title in Heading 1, its sections' in Heading 2; `numbered`,
    Word numbers the Heading 1 paragraphs itself ("I. Chapter 14 - ...")."""
    from docx import Document as WordDocument
    from docx.oxml import OxmlElement, parse_xml
    from docx.oxml.ns import qn

    word = WordDocument()
    if numbered:
        numbering = word.part.numbering_part.element
        numbering.insert(0, parse_xml(WORD_HEADING_NUMBERS))
        num = OxmlElement("w:num")
        num.set(qn("w:numId"), "90")
        abstract = OxmlElement("w:abstractNumId")
        abstract.set(qn("w:val"), "90")
        num.append(abstract)
        numbering.append(num)
        num_pr = OxmlElement("w:numPr")
        num_id = OxmlElement("w:numId")
        num_id.set(qn("w:val"), "90")
        num_pr.append(num_id)
        word.styles["Heading 1"].element.get_or_add_pPr().insert(0, num_pr)
    for title, sections in chapters:
        word.add_heading(title, 1)
        _add_sections(word, sections)
    word.save(path)
    return path


def _add_sections(word, sections) -> None:
    """Each section as a level-2 heading and its paragraphs."""
    for heading, texts in sections:
        word.add_heading(heading, 2)
        for text in texts:
            word.add_paragraph(text)


@pytest.mark.parametrize("numbered", [False, True], ids=["typed", "word-numbered"])
def test_a_word_manuals_chapters_give_the_same_verdicts_in_either_order(tmp_path, numbered):
    """Heading-styled "Chapter 14 - Missing Child Calls" and "Chapter 15 - Public Alerts" are two
    chapters under their own titles, in either order, with the same le-model-policy verdicts;
    also when Word numbers the headings ("II. Chapter 15 - Public Alerts")."""
    body = _docx_text("alder-grove-pd-policy-328-missing-persons")
    own = ("Chapter 14 - Missing Child Calls", [("Procedure", body)])
    alerts = ("Chapter 15 - Public Alerts", PATROL_SECTIONS)
    chosen = (load_checklist("le-model-policy"),)
    reports = [
        review(load_document(_word_manual(tmp_path / name, order, numbered=numbered)), chosen)
        for name, order in (("one.docx", [own, alerts]), ("two.docx", [alerts, own]))
    ]

    for report in reports:
        titles = {c.number: c.title for c in report.scope.chapters}
        assert titles["14"] == "Missing Child Calls"
        assert titles["15"] == "Public Alerts"
        assert report.scope.structure is StructureSource.POLICY_LABELS
    assert _quoted(reports[0]) == _quoted(reports[1])


def test_a_centers_quality_assurance_chapter_is_read_for_its_qa_clause():
    """A 9-1-1 center's manual states the QA clause in its general QA program, not in the
    missing-child SOP: that chapter is read for the PSAP checklists, and what it says of
    missing-child calls satisfies the clause."""
    comms = (("SOP 4.11 Missing Child Calls", "Call-taker questions"), PassageKind.PARAGRAPH)
    qa = (("SOP 6.01 Quality Assurance Program", "Mandatory reviews"), PassageKind.PARAGRAPH)
    other = (("SOP 3.02 Fire Dispatch", "Alarms"), PassageKind.PARAGRAPH)
    chapters = [
        ("Fire Dispatch", [("Structure fires get a full first-alarm assignment.", *other)]),
        (
            "Missing Child Calls",
            [
                ("The call-taker asks when and where the child was last seen.", *comms),
                ("The call-taker asks what the child was wearing.", *comms),
            ],
        ),
        (
            "Quality Assurance Program",
            [
                (
                    "The QA Coordinator reviews every call reporting a missing or abducted "
                    "child within ten days of the call, scoring it against SOP 4.11, and "
                    "gives the call-taker written feedback; review forms are kept three years.",
                    *qa,
                ),
                ("Ten percent of other calls are sampled each month.", *qa),
            ],
        ),
    ]
    manual = review(
        _paged_document(chapters, "centre.pdf"),
        (load_checklist("psap-ansi-standard"), load_checklist("psap-qa-clause")),
    )

    statuses = {f.element: f.status.value for f in manual.findings}
    assert statuses["QA-RESPONSIBLE"] == "found"
    assert statuses["QA-TIMEFRAME"] == "found"
    titles = {c.title: c.topic for c in manual.scope.read(manual.scope.applied)}
    assert titles.get("Quality Assurance Program") == "quality_assurance"


def test_text_stating_no_rule_is_counted_and_marked_in_the_reports(tmp_path):
    """A model policy's drafting note and an option the agency did not adopt are set aside; the
    reviewer sees how many passages, and each is marked in the document text as not read."""
    path = _write(tmp_path, "model.md", MODEL_POLICY_WITH_NOTES)
    data, page = _json_and_html(tmp_path, path)
    assert data["scope"]["not_in_force_passages"] == 2
    assert {f["element"]: f["status"] for f in data["findings"]}["LE-TEAM-ADAM"] == "missing"
    assert "Text stating no rule, set aside" in page and "2 passages" in page
    assert page.count('class="passage k-not_in_force"') == 2


def test_a_malformed_drafting_markers_file_is_a_clear_error(tmp_path):
    from policy_review.errors import ChecklistError
    from policy_review.scope import load_drafting_markers

    bad = tmp_path / "drafting.yaml"
    bad.write_text("not_in_force: [note to agencies]\n")
    with pytest.raises(ChecklistError, match="history_sections"):
        load_drafting_markers(str(bad))


def test_a_lead_in_naming_each_of_the_following_calls_reads_its_items_as_context():
    """A police manual's general QA order: "The Communications Supervisor reviews each of the
    following calls within ten days after the call:" holds for each call type listed, so the item
    naming ABDUCT calls puts the deadline in the context of missing children."""
    manual = (
        HERE.parent.parent
        / "sample_policies"
        / ("quillhaven-pd-policy-procedure-manual-general-orders.pdf")
    )
    report = review(load_document(manual), (load_checklist("psap-qa-clause"),))
    [finding] = [f for f in report.findings if f.element == "QA-TIMEFRAME"]
    assert finding.status.value == "found"
    assert "each of the following calls within ten days" in finding.evidence[0].quote


def test_a_header_tables_related_orders_start_no_chapter():
    """ "Related | G.O. 41.04, 50.06, 50.09" in an order's header table names other orders; it
    starts none, so each order read is one chapter with its own page span."""
    manual = load_document(
        HERE.parent.parent
        / "sample_policies"
        / "quillhaven-pd-policy-procedure-manual-general-orders.pdf"
    )
    scope = detect_scope(manual)
    read = [(c.number, c.first_page, c.last_page) for c in scope.chapters if c.topic]
    assert read == [("41.03", 20, 23), ("41.04", 24, 25), ("50.06", 30, 32), ("50.09", 33, 34)]


def test_a_bilingual_directives_other_language_is_set_aside_and_reported(tmp_path):
    """The Spanish column of a bilingual order repeats the English rules in words no checklist
    reads: it is set aside, counted in the JSON and named in the HTML, and a Spanish "nunca ...
    por teléfono" raises no telephone-report flag."""
    path = _write(tmp_path, "bilingual.md", BILINGUAL_ORDER)
    data, page = _json_and_html(tmp_path, path)
    assert data["scope"]["other_language_passages"] == 1
    assert not any(f["red_flags"] for f in data["findings"] if f["element"] == "LE-COMM-DISPATCH")
    assert "Text in another language, set aside" in page
    assert "in another language (Spanish): not read" in page


def test_a_malformed_language_file_is_a_clear_error(tmp_path):
    from policy_review.errors import ChecklistError
    from policy_review.scope import load_languages

    bad = tmp_path / "languages.yaml"
    bad.write_text("min_words: 5\nmin_marks: 0\nenglish: [the]\nother: {Spanish: [el]}\n")
    with pytest.raises(ChecklistError, match="positive whole numbers"):
        load_languages(str(bad))


def test_a_revision_table_and_an_inactive_plan_state_no_rule(tmp_path):
    path = _write(
        tmp_path,
        "revised.md",
        "# Missing Child Calls\n\n"
        "Every missing child call is dispatched as Priority 1; an officer responds in person.\n\n"
        "## REVISION TABLE\n\n"
        "Rev. 3, IV.B: telephone reports of missing children removed; Priority 1 added.\n\n"
        "## CALL TYPE: RUNAW24\n\n"
        "DESCRIPTION: RUNAWAY JUV GONE > 24 HRS - PHONE REPORT, NO UNIT. STATUS: INACTIVE.\n",
    )
    report = review(load_document(path), (load_checklist("le-model-policy"),))
    aside = [report.document.passages[i].text for i in report.scope.not_in_force]
    assert any(t.startswith("Rev. 3") for t in aside)
    assert any(t.startswith("DESCRIPTION: RUNAWAY") for t in aside)
    assert not any(t.startswith("Every missing child call") for t in aside)
    [finding] = [f for f in report.findings if f.element == "LE-COMM-DISPATCH"]
    assert not finding.red_flags


def _sectioned_word_manual(path: Path, chapters: list[tuple[str, list[tuple[str, list]]]]) -> Path:
    """A Word manual whose every chapter is its own section, on a new page, with a running
    header naming it ("Part 3 - Article 3.14 Missing Children"): no heading names the chapter,
    only the header does. Its cover page ends in a page break; section breaks start the rest."""
    from docx import Document as WordDocument
    from docx.enum.section import WD_SECTION

    word = WordDocument()
    word.add_paragraph("Policy and Procedure Manual")
    word.add_page_break()
    for number, (header, sections) in enumerate(chapters):
        section = word.sections[0] if number == 0 else word.add_section(WD_SECTION.NEW_PAGE)
        section.header.is_linked_to_previous = False
        section.header.paragraphs[0].text = header
        _add_sections(word, sections)
    word.save(path)
    return path


def test_a_word_manual_told_apart_by_its_section_headers_reads_the_missing_child_chapter(
    tmp_path,
):
    """Chapters named only by their sections' running headers are told apart, start on the pages
    their section breaks begin (the file numbers pages by explicit breaks), and the missing-child
    chapter gives the verdicts it gives as the only chapter, with no evidence from the chapters
    around it."""
    body = _docx_text("alder-grove-pd-policy-328-missing-persons")
    own = ("PART 3 - FIELD OPERATIONS · Article 3.14 Missing Children", [("Procedure", body)])
    unrelated = [
        (
            f"PART 3 - FIELD OPERATIONS · Article 3.{n:02d} {c['title']}",
            [(s["heading"], s["text"]) for s in c["sections"]],
        )
        for n, c in enumerate(UNRELATED[:3], start=1)
    ]
    chosen = (load_checklist("le-model-policy"),)
    alone = review(load_document(_sectioned_word_manual(tmp_path / "alone.docx", [own])), chosen)
    manual_path = _sectioned_word_manual(
        tmp_path / "manual.docx", [unrelated[0], unrelated[1], own, unrelated[2]]
    )
    manual = review(load_document(manual_path), chosen)

    assert manual.scope.structure is StructureSource.RUNNING_TITLES
    read = manual.scope.read(manual.scope.applied)
    assert [(c.title, c.first_page) for c in read] == [(own[0], 4)]
    assert _quoted(manual) == _quoted(alone)
    _assert_no_unrelated_evidence(manual)


DISPATCH_ROUTINE = (
    ("ORGANIZATION", "The Communications Manager reports to the Undersheriff."),
    ("STAFFING", "At least two telecommunicators are on duty at all times."),
    ("CALL PRIORITIES", "Calls are coded Priority 1 to 4 by the call-taker."),
    ("RADIO PROCEDURES", "Plain English is used on all channels."),
    ("TERMINAL OPERATIONS", "Only certified staff may operate the state terminal."),
    ("NOTIFICATIONS", "The shift supervisor is told of any major incident."),
    ("RECORDINGS", "All lines and channels are recorded and kept for two years."),
)


def test_a_child_calls_section_of_the_communications_chapter_brings_the_psap_checklists():
    """A sheriff's manual whose dispatch chapter (named by its running footer) has a section
    titled for missing-child calls ("Missing, Abducted and Sexually Exploited Child Calls": the
    topic's words stand apart, as titles put them) is also a PSAP directive: that section is
    about missing children wherever it sits, so the checklists are chosen with it."""
    missing = {
        "title": "Chapter 6 - Missing Persons",
        "sections": [
            {
                "heading": "6.01 POLICY",
                "text": [
                    "Deputies shall accept every report of a missing juvenile at once, and a"
                    " deputy shall be sent to take the report in person.",
                    "The deputy shall enter the juvenile into NCIC within two hours.",
                    "The deputy shall search the home and the grounds even if the family has.",
                    "The patrol sergeant shall respond to the scene and take charge.",
                    "The detective shall check the sex-offender registry near the home.",
                    "When the juvenile is found, a deputy shall see the juvenile in person.",
                ],
            }
        ],
    }
    dispatch = {
        "title": "Chapter 9 - Communications Center Operations",
        "sections": [
            *(
                {"heading": f"9.0{n} {heading}", "text": [text]}
                for n, (heading, text) in enumerate(DISPATCH_ROUTINE, 1)
            ),
            {
                "heading": "9.11 MISSING, ABDUCTED AND SEXUALLY EXPLOITED CHILD CALLS",
                "text": [
                    "The call-taker shall code every such call Priority 1 and dispatch a deputy.",
                    "The call-taker shall ask when and where the child was last seen, and by whom.",
                    "The call-taker shall ask for the child's description and clothing.",
                    "The call-taker shall ask whether the child has a medical condition or"
                    " needs medication.",
                    "The telecommunicator shall notify the communications supervisor at once.",
                    "The telecommunicator shall broadcast the child's description to all units.",
                ],
            },
        ],
    }
    chapters = [(c["title"], _chapter_passages(c)) for c in (missing, dispatch)]
    report = review(_paged_document(chapters, "manual.pdf"))

    assert {c.id for c in report.checklists} >= {"le-model-policy", "psap-ansi-standard"}
    priority = next(f for f in report.findings if f.element == "PSAP-PRIORITY")
    assert any("Priority 1" in e.quote for e in priority.evidence)


def test_commentary_read_into_a_rule_is_never_quoted(tmp_path):
    """A commentary paragraph that the extractor joins to the rule above it explains the rule and
    states none: the rule is still read, the commentary never is, and the JSON counts it."""
    text = (
        "# Missing Children\n\n# 1. Procedure\n\n"
        "1.1 The trooper shall enter the child in NCIC within two hours of the report."
        " [CALEA 41.2.5] Commentary: troopers used to wait for the sergeant's approval, and one"
        " child was entered a day late; a parent may also call back later.\n"
    )
    report = review(load_document(_write(tmp_path, "od.md", text)))

    assert report.scope.explanations
    assert report.scope.to_dict()["explanation_passages"] == 1
    quotes = [e.quote for f in report.findings for e in f.evidence]
    assert any("within two hours" in q for q in quotes)
    assert not any("Commentary" in q or "approval" in q for q in quotes)
    ncic = next(f for f in report.findings if f.element == "LE-NCIC-2HR")
    assert ncic.status.value == "found" and not ncic.red_flags


def test_a_rationale_label_made_a_heading_sets_its_paragraph_aside():
    """Word turns a bold run-in "Rationale:" into a heading of its own, and the explanation below
    it sits under that heading: it is explanation all the same, never read as a rule."""
    rule = ("4. Dispatch",)
    why = (*rule, "Rationale")
    blocks = [
        ("4. Dispatch", 1, rule, PassageKind.HEADING),
        (
            "The dispatcher shall send a deputy to every missing child call at once.",
            1,
            rule,
            PassageKind.PARAGRAPH,
        ),
        ("Rationale:", 1, why, PassageKind.HEADING),
        (
            "In 2019 a detective checked the sex offender registry near the home only on day four.",
            1,
            why,
            PassageKind.PARAGRAPH,
        ),
    ]
    document = build_document(
        source="sog.docx", sha256="0" * 64, format="docx", page_count=1, blocks=blocks
    )
    report = review(document, (load_checklist("le-model-policy"),))

    assert len(report.scope.not_in_force) == 2
    quotes = [e.quote for f in report.findings for e in f.evidence]
    assert not any("registry" in q for q in quotes)


def test_a_chapter_holding_the_missing_child_section_is_read_when_none_is_titled(tmp_path):
    """No chapter title names missing children, but chapter 19 "Juvenile Matters" has a section
    "Missing Juveniles": that chapter is the policy (read, and why), and its quotes are in scope,
    not marked outside as a stray section elsewhere would be."""
    juvenile = _sheriff_chapter(
        19,
        "Juvenile Matters",
        [
            ("Curfew", ["Deputies enforce the county curfew ordinance for persons under 16."]),
            (
                "Missing Juveniles",
                [
                    "The deputy shall enter the missing juvenile into NCIC within two hours of "
                    "the report, without waiting for the written report."
                ],
            ),
        ],
    )
    chapters = [
        _sheriff_chapter(n, c["title"], [(s["heading"], s["text"]) for s in c["sections"]])
        for n, c in enumerate(UNRELATED[:3], 16)
    ]
    report = review(load_document(_write(tmp_path, "m.txt", "".join(chapters) + juvenile)))

    read = report.scope.read(report.scope.applied)
    assert [(c.number, c.reason, c.matched) for c in read] == [
        ("19", ChapterReason.SECTION_NAMES_TOPIC, ("Section 19.02 Missing Juveniles",))
    ]
    ncic = next(f for f in report.findings if f.element == "LE-NCIC-2HR")
    assert ncic.evidence and {e.scope for e in ncic.evidence} == {EvidenceScope.IN_SCOPE}
