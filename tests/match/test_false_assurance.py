"""False assurance, through `review`: a requirement reads as found only where one duty states it,
in one sentence or one list item with its lead-in. Words collected from a neighbouring amended
item, a jurisdiction clause ("wherever the juvenile was last seen") or another step (a found
child's check) are not that duty. Each case has a counterpart that must still read found.
Our own phrasings."""

from __future__ import annotations

import pytest

from policy_review.checklist import load_checklist
from policy_review.model import PassageKind, build_document
from policy_review.review import review

TITLE = ("Missing Juveniles",)
ITEM = PassageKind.LIST_ITEM


def _document(*blocks: tuple[str, tuple[str, ...], PassageKind]):
    """A heading for the trail, then each (text, trail, kind)."""
    passages = [(TITLE[0], 1, TITLE, PassageKind.HEADING)]
    passages += [(text, 1, trail, kind) for text, trail, kind in blocks]
    return build_document(
        source="case.txt", sha256="0" * 64, format="text", page_count=1, blocks=passages
    )


@pytest.fixture(scope="module")
def checklist():
    return load_checklist("le-model-policy")


def _status(checklist, element: str, document) -> str:
    finding = next(f for f in review(document, (checklist,)).findings if f.element == element)
    return finding.status.value


LEAD = "7. Paragraph 5 (Communications) is amended by adding subparagraph (e):"
AMENDMENT = [
    (LEAD, TITLE, ITEM),
    (
        '(e) "The telecommunicator will ask the caller the questions in Appendix A."',
        (*TITLE, LEAD),
        ITEM,
    ),
    (
        '8. Paragraph 6(d) is amended to read: "The responding officer will search the home '
        'and will obtain a recent photograph of the juvenile."',
        TITLE,
        ITEM,
    ),
    (
        '9. Paragraph 6(g) is added: "When the parents do not share custody under a court '
        'order, the officer will take the report of the missing juvenile."',
        TITLE,
        ITEM,
    ),
]


def test_custody_is_not_asked_by_the_neighbouring_amended_items(checklist) -> None:
    """Item 9 names custody; the 'obtain' of item 8 and the 'ask' under item 7's lead-in are
    other duties, so custody is only mentioned."""
    assert _status(checklist, "LE-FR-CUSTODY", _document(*AMENDMENT)) == "partial"


@pytest.mark.parametrize(
    "blocks",
    [
        [
            ("The responding officer shall:", TITLE, PassageKind.PARAGRAPH),
            ("(a) Search the home of the missing juvenile.", TITLE, ITEM),
            ("(b) Ask who has custody and whether there is a court order.", TITLE, ITEM),
        ],
        [
            ("(g) Collect and/or review:", TITLE, ITEM),
            ("1. A photograph of the missing juvenile.", (*TITLE, "(g) Collect"), ITEM),
            (
                "2. Any documents, such as court orders regarding custody.",
                (*TITLE, "(g) Collect"),
                ITEM,
            ),
        ],
    ],
    ids=["own-item", "lead-in-verb"],
)
def test_custody_asked_in_its_item_or_lead_in_is_found(checklist, blocks) -> None:
    assert _status(checklist, "LE-FR-CUSTODY", _document(*blocks)) == "found"


JURISDICTION = (
    "A report will be accepted whatever the juvenile's place of residence and wherever the "
    "juvenile was last seen; when the juvenile was last seen in another jurisdiction, the shift "
    "supervisor will contact that agency."
)


def test_last_seen_in_a_jurisdiction_clause_is_no_duty_to_establish_it(checklist) -> None:
    """'place' (of residence) and the conjunction 'when' are no duty to find out when and where."""
    document = _document((JURISDICTION, TITLE, PassageKind.PARAGRAPH))
    assert _status(checklist, "LE-FR-LAST-SEEN", document) == "partial"


@pytest.mark.parametrize(
    "blocks",
    [
        [("The officer shall determine when and where the juvenile was last seen.", TITLE, ITEM)],
        [
            ("First Officer", (*TITLE, "First Officer"), PassageKind.HEADING),
            ("Last seen: when / where / with whom", (*TITLE, "First Officer"), ITEM),
        ],
        [
            ("C. The officer shall obtain the following information: (41.2.5a)", TITLE, ITEM),
            ("1. Name and date of birth of the juvenile.", (*TITLE, "C."), ITEM),
            ("2. Description, date, time and location last seen.", (*TITLE, "C."), ITEM),
        ],
    ],
    ids=["action", "three-facts", "lead-in-with-reference"],
)
def test_last_seen_duty_still_found(checklist, blocks) -> None:
    assert _status(checklist, "LE-FR-LAST-SEEN", _document(*blocks)) == "found"


FOUND_CHILD = ("Children Found", (*TITLE, "Children Found"), PassageKind.HEADING)


def test_a_found_childs_check_is_not_a_records_search(checklist) -> None:
    check = (
        "The communications center checks the child against missing child entries and enters "
        "the unidentified child in the NCIC Unidentified Person File.",
        FOUND_CHILD[1],
        PassageKind.PARAGRAPH,
    )
    assert _status(checklist, "LE-COMM-RECORDS", _document(FOUND_CHILD, check)) == "missing"


def test_agency_records_search_still_found(checklist) -> None:
    search = (
        "Communications shall check CAD records for prior calls at the address and prior "
        "missing reports on the child.",
        TITLE,
        PassageKind.PARAGRAPH,
    )
    assert _status(checklist, "LE-COMM-RECORDS", _document(search)) == "found"


def _entry_then(item: tuple[str, tuple[str, ...], PassageKind]):
    lead = "7. Paragraph 5 (Records) is amended by adding subparagraph (f):"
    entry = '(f) "Records will enter the missing juvenile in NCIC within two hours."'
    return _document((lead, TITLE, ITEM), (entry, (*TITLE, lead), ITEM), item)


def test_a_window_does_not_leave_its_colon_list(checklist) -> None:
    """The photograph of the next amended item is the officer's step, not part of the entry."""
    photo = '8. Paragraph 6(d) is amended to read: "The officer will obtain a recent photograph."'
    document = _entry_then((photo, TITLE, ITEM))
    assert _status(checklist, "LE-NCIC-CATEGORY", document) == "missing"


def test_a_window_runs_on_within_its_colon_list(checklist) -> None:
    photo = '(g) "Records will add a recent photograph to the entry."'
    document = _entry_then((photo, (*TITLE, "7. Paragraph 5 (Records)"), ITEM))
    assert _status(checklist, "LE-NCIC-CATEGORY", document) == "partial"


PURPOSE = (
    "The purpose of this General Order is to establish guidelines for the response to reports "
    "of missing, abducted, runaway and unidentified children."
)


def test_a_purpose_statement_names_topics_not_steps(checklist) -> None:
    document = _document((PURPOSE, TITLE, PassageKind.PARAGRAPH))
    assert _status(checklist, "LE-UNIDENTIFIED", document) == "missing"


def test_the_same_topic_in_a_step_still_counts(checklist) -> None:
    step = "Officers shall process an unidentified child found in the city as a found child."
    document = _document((PURPOSE, TITLE, PassageKind.PARAGRAPH), (step, TITLE, ITEM))
    assert _status(checklist, "LE-UNIDENTIFIED", document) != "missing"


@pytest.mark.parametrize(
    ("photo", "expected"),
    [
        ("6. Photographs. The officer obtains a recent photograph of the child.", "missing"),
        ("6. The entry carries a recent photograph of the child.", "partial"),
    ],
    ids=["titled-item", "untitled-item"],
)
def test_a_window_does_not_run_into_a_titled_item(checklist, photo, expected) -> None:
    """A numbered passage under its own run-in title is a new topic, not the entry's detail."""
    entry = "5. Entry. Records enters the missing child in NCIC within two hours."
    document = _document((entry, TITLE, ITEM), (photo, TITLE, ITEM))
    assert _status(checklist, "LE-NCIC-CATEGORY", document) == expected


@pytest.mark.parametrize(
    ("second", "expected"),
    [
        ("(b) The officer confirms with the parents that the child has not returned.", "missing"),
        ("(b) When the child returns, the officer interviews the child.", "partial"),
    ],
    ids=["still-missing", "returned"],
)
def test_a_child_not_returned_is_no_recovery_interview(checklist, second, expected) -> None:
    first = "(a) The officer interviews the reporting party and the parents."
    document = _document((first, TITLE, ITEM), (second, TITLE, ITEM))
    assert _status(checklist, "LE-REC-INTERVIEW", document) == expected
