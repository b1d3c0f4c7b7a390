"""review(): findings shape, evidence honesty, structure use, near misses, checklist choice."""

from __future__ import annotations

import json

import pytest

from policy_review.checklist import available_checklists, load_checklist
from policy_review.model import PassageKind, Status, build_document
from policy_review.review import review

LE_TEXT = [
    ("I. Policy", PassageKind.HEADING),
    (
        "All reports of missing children will be investigated promptly and thoroughly.",
        PassageKind.PARAGRAPH,
    ),
    ("IV. NCIC", PassageKind.HEADING),
    (
        "Officers shall enter the missing child into NCIC within two hours of the report.",
        PassageKind.PARAGRAPH,
    ),
    (
        "The patrol sergeant shall respond to the scene and brief the detective.",
        PassageKind.PARAGRAPH,
    ),
]


def _doc(items, *, header: str | None = None, toc: str | None = None):
    blocks = []
    trail: tuple[str, ...] = ()
    if toc:
        blocks.append((toc, 1, (), PassageKind.TOC))
    for text, kind in items:
        if kind is PassageKind.HEADING:
            trail = (text,)
        blocks.append((text, 1, trail, kind))
        if header:
            blocks.append((header, 1, (), PassageKind.HEADER_FOOTER))
    return build_document(
        source="d.txt", sha256="0" * 64, format="text", page_count=1, blocks=blocks
    )


@pytest.fixture(scope="module")
def le():
    return load_checklist("le-model-policy")


def test_one_finding_per_element_in_checklist_order(le) -> None:
    report = review(_doc(LE_TEXT), (le,))
    assert [f.element for f in report.findings] == [e.id for e in le.elements]
    assert report.to_dict()["schema"] == "policy-review/report@1"


def test_evidence_is_verbatim_located_and_explained(le) -> None:
    document = _doc(LE_TEXT)
    finding = next(f for f in review(document, (le,)).findings if f.element == "LE-NCIC-2HR")
    assert finding.status is Status.FOUND
    evidence = finding.evidence[0]
    assert " ".join(document.text[evidence.start : evidence.end].split()) == evidence.quote
    assert evidence.page == 1 and evidence.section == "IV. NCIC"
    marked = [evidence.quote[a:b].lower() for a, b in evidence.highlights]
    assert "ncic" in marked and any("two hours" in m for m in marked)
    explanation = evidence.explanation
    assert evidence.cue == explanation.cue and "two hours" in explanation.describe()
    assert explanation.subchecks[0].kind == "time_limit"
    assert explanation.subchecks[0].level is Status.FOUND
    assert any("two" in word for word in explanation.subchecks[0].read)
    assert explanation.score == round(
        explanation.base + sum(a.delta for a in explanation.adjustments), 3
    )
    assert finding.reason.endswith(".") and 0 < finding.confidence <= 1


def test_missing_finding_says_what_was_looked_for_and_nearest_text(le) -> None:
    findings = {f.element: f for f in review(_doc(LE_TEXT), (le,)).findings}
    # the NCIC entry sentence holds two of the three things the category cue needs
    finding = findings["LE-NCIC-CATEGORY"]
    assert finding.status is Status.MISSING
    assert finding.looked_for and all(finding.looked_for)
    assert finding.near_miss is not None and 0 < finding.near_miss.score < 1
    assert finding.near_miss.explanation.level is None
    assert finding.near_miss.explanation.groups_met == 2
    # it holds one of the three the 30-day cue needs: not near enough to show
    assert findings["LE-NCIC-30DAY"].near_miss is None
    data = finding.to_dict()
    assert data["near_miss"]["quote"] and "guidance" in data


def test_headers_footers_and_toc_never_count(le) -> None:
    noise = "Officers shall enter the missing child into NCIC within two hours of the report."
    document = _doc(
        [
            ("I. Policy", PassageKind.HEADING),
            ("This order governs traffic stops.", PassageKind.PARAGRAPH),
        ],
        header=noise,
        toc=noise,
    )
    finding = next(f for f in review(document, (le,)).findings if f.element == "LE-NCIC-2HR")
    assert finding.status is Status.MISSING


def test_a_heading_alone_is_at_most_partial(le) -> None:
    document = _doc([("AMBER Alert criteria and activation", PassageKind.HEADING)])
    finding = next(f for f in review(document, (le,)).findings if f.element == "LE-AMBER")
    assert finding.status is Status.PARTIAL


def test_negated_duty_is_a_red_flag_not_evidence(le) -> None:
    document = _doc(
        [
            ("IV. NCIC", PassageKind.HEADING),
            (
                "Officers are not required to enter a missing child into NCIC within two hours.",
                PassageKind.PARAGRAPH,
            ),
        ]
    )
    finding = next(f for f in review(document, (le,)).findings if f.element == "LE-NCIC-2HR")
    assert finding.status is Status.MISSING
    assert finding.red_flags and "negative" in finding.red_flags[0].reason


def test_ocr_damaged_word_still_matches(le) -> None:
    document = _doc(
        [
            ("VI. Case types", PassageKind.HEADING),
            (
                "The missing child may be the victim of an abductlon, foul play or sexual "
                "exploitation and is at risk.",
                PassageKind.PARAGRAPH,
            ),
        ]
    )
    finding = next(f for f in review(document, (le,)).findings if f.element == "LE-DEF-U-FOULPLAY")
    assert finding.status is Status.FOUND


def test_report_json_is_deterministic(le) -> None:
    first = json.dumps(review(_doc(LE_TEXT), (le,)).to_dict(), sort_keys=True)
    second = json.dumps(review(_doc(LE_TEXT), (le,)).to_dict(), sort_keys=True)
    assert first == second


def _sentences(role_sentence: str, count: int, filler: str) -> list:
    items = [("Procedures", PassageKind.HEADING)]
    items += [(role_sentence, PassageKind.PARAGRAPH)] * count
    items += [(filler, PassageKind.PARAGRAPH)] * (20 - count)
    return items


def test_automatic_choice_of_law_enforcement_policy() -> None:
    document = _doc(
        _sentences(
            "The officer shall interview the parents of the missing child.",
            8,
            "Reports are filed with records.",
        )
    )
    report = review(document)
    assert [c.id for c in report.checklists] == ["le-model-policy"]
    assert all(c.auto_selected for c in report.checklists)
    assert "law-enforcement policy" in report.selection_reason


def test_automatic_choice_of_psap_directive() -> None:
    if {c.audience for c in available_checklists()} == {"law-enforcement"}:
        pytest.skip("no PSAP checklists bundled yet")
    document = _doc(
        _sentences(
            "The telecommunicator shall ask the caller for the child's description.",
            8,
            "Calls are logged in the system.",
        )
    )
    report = review(document)
    assert {c.id for c in report.checklists} <= {
        c.id for c in available_checklists() if c.audience == "psap"
    }
    assert "PSAP" in report.selection_reason


def test_user_choice_is_reported_as_such(le) -> None:
    report = review(_doc(LE_TEXT), (le,))
    assert not report.checklists[0].auto_selected
    assert "chosen by the user" in report.selection_reason


def test_list_of_related_chapter_titles_is_not_evidence(le) -> None:
    items = [
        ("Related information", PassageKind.HEADING),
        ("See also the following chapters:", PassageKind.PARAGRAPH),
        ("Crime scene examination", PassageKind.LIST_ITEM),
        ("Media and communications", PassageKind.LIST_ITEM),
        ("Missing persons", PassageKind.LIST_ITEM),
        ("Search", PassageKind.LIST_ITEM),
    ]
    findings = {f.element: f for f in review(_doc(items), (le,)).findings}
    assert findings["LE-SUP-MEDIA-FAMILY"].status is Status.MISSING
    assert findings["LE-FR-SCENE-EVIDENCE"].status is Status.MISSING


GENERIC_MANUAL = {
    "Vehicle Pursuits": [
        "Officers shall terminate a pursuit when the risk to the public outweighs the need to "
        "apprehend.",
        "The supervisor shall monitor the pursuit and may order it terminated.",
        "Officers shall notify dispatch immediately of the pursuit location.",
    ],
    "Evidence": [
        "All evidence shall be secured and entered into the property system within 24 hours.",
        "Officers shall complete a supplemental report.",
    ],
    "Domestic Violence": [
        "Officers shall interview the victim and witnesses separately.",
        "A supervisor shall respond to the scene when an arrest is made.",
        "Records of prior calls at the address will be reviewed.",
    ],
    "Warrants": ["Warrants shall be entered into NCIC within 72 hours of receipt."],
    "Juvenile Arrests": [
        "Juveniles taken into custody shall be released to a parent or guardian.",
        "Juveniles 13 years of age or younger shall not be fingerprinted without approval.",
    ],
}


def test_generic_police_manual_text_satisfies_no_element(le) -> None:
    """Duties about pursuits, evidence or arrests must not pass for missing-child provisions."""
    items = []
    for heading, sentences in GENERIC_MANUAL.items():
        items.append((heading, PassageKind.HEADING))
        items += [(sentence, PassageKind.PARAGRAPH) for sentence in sentences]
    present = [
        f.element for f in review(_doc(items), (le,)).findings if f.status is not Status.MISSING
    ]
    assert present == []
