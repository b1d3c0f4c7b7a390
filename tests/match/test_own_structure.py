"""What a directive defines for itself: a legend of role tags, its own numbered rules, and
duties stated as nouns ("It is incumbent upon the call receiver to obtain ...", "A determination
under Rule 4.2.3 is required"). Our own short texts, analyzed through the CLI."""

from __future__ import annotations

import json

import pytest

from policy_review.checklist import load_checklist
from policy_review.cli import main
from policy_review.model import ActorSource, AdjustmentCause, PassageKind, build_document
from policy_review.review import review

ROLE_TAGS = """CITY OF BRANTLEY POLICE DEPARTMENT AND BRANTLEY 9-1-1 CENTER
JOINT DIRECTIVE 12 - MISSING CHILDREN

I. POLICY

Every report of a missing child is taken at once and worked as an emergency.

II. ROLE TAGS (the role in brackets after each step does that step)

[CT] 9-1-1 Call-Taker [DISP] Police Radio Dispatcher (also works the NCIC terminal)
[COMM SUP] Communications Shift Supervisor [OFC] Responding officer [SGT] Patrol Sergeant

III. STEPS

1. Get the child's name, age, height, weight, hair, eyes and clothing. [CT]

2. Send the nearest unit at Priority 1. [DISP]

3. Ask whether the child has a cell phone or social media accounts. [OFC]

4. Go to the scene and take charge of the search. [SGT]

5. Notify the on-duty SGT and the COMM SUP as soon as the call is dispatched. [DISP]
"""

NUMBERED_RULES = "\n\n".join(
    [
        "CITY OF HARLOW POLICE DEPARTMENT\nMANUAL OF RULES, CHAPTER 4.2 MISSING JUVENILES",
        "Rule 4.2.1 Policy Statement",
        "A report of a missing juvenile is accepted at once, whatever the juvenile's age.",
        "Rule 4.2.3 Indicators of Elevated Risk",
        "A missing juvenile is at elevated risk when any one of the following is present:\n"
        "(a) the juvenile is 13 years of age or younger;\n"
        "(b) the juvenile needs medication he or she does not have.",
        "Rule 4.2.4 Receipt of the Report",
        "It is incumbent upon the call receiver to obtain the caller's name, the juvenile's "
        "description and where the juvenile was last seen. A determination under Rule 4.2.3 is "
        "required before the call is released for dispatch.",
    ]
)

OWN_SECTION_REFERENCE = "\n\n".join(
    [
        "CITY OF HARLOW POLICE DEPARTMENT\nDIRECTIVE 318 MISSING CHILDREN",
        "318.03 DEFINITIONS",
        "Critical Missing Child - a missing child for whom one of the conditions below is "
        "reported: the child is 13 or younger; the child needs medication.",
        "318.05 RESPONSIBILITIES OF THE TELECOMMUNICATOR",
        "The telecommunicator shall obtain the child's description and ask each Critical Missing "
        "question (see 318.03).",
    ]
)


def _findings(tmp_path, text: str, *checklists: str) -> dict:
    source = tmp_path / "directive.txt"
    source.write_text(text, encoding="utf-8")
    out = tmp_path / "report.json"
    argv = ["analyze", str(source), "--format", "json", "-o", str(out)]
    for checklist in checklists:
        argv += ["--checklist", checklist]
    assert main(argv) == 0
    return {f["element"]: f for f in json.loads(out.read_text(encoding="utf-8"))["findings"]}


def test_a_role_tag_closing_a_step_names_its_doer(tmp_path) -> None:
    """The legend makes "[OFC]" the officer: the online question asked only by the officer is
    the wrong role's (partial), the description taken by "[CT]" is the call-taker's."""
    findings = _findings(tmp_path, ROLE_TAGS, "psap-ansi-standard")
    online = findings["PSAP-Q-ONLINE"]
    assert online["status"] == "partial", online["reason"]
    explanation = online["evidence"][0]["explanation"]
    assert explanation["actors"] == ["officer"]
    assert explanation["actor_source"] == ActorSource.ROLE_TAG.value
    causes = [a["cause"] for a in explanation["adjustments"]]
    assert AdjustmentCause.WRONG_ROLE.value in causes
    described = findings["PSAP-Q-DESCRIPTION"]["evidence"][0]["explanation"]
    assert described["actors"] == ["telecommunicator"]


def test_a_role_tag_is_its_entrys_head_and_names_it_unbracketed(tmp_path) -> None:
    """ "[DISP] Police Radio Dispatcher" is a dispatcher, not the police agency; "the COMM SUP"
    written without brackets is still the communications supervisor told."""
    notify = _findings(tmp_path, ROLE_TAGS, "psap-ansi-standard")["PSAP-NOTIFY-SUPERVISOR"]
    assert notify["status"] == "found", notify["reason"]
    [quote] = [e for e in notify["evidence"] if "5. Notify" in e["quote"]]
    assert "telecommunicator" in quote["explanation"]["actors"]
    assert "agency" not in quote["explanation"]["actors"]
    parts = {p["id"]: p["present"] for p in quote["explanation"]["parts"]}
    assert parts == {"communications": True, "field": True}


@pytest.mark.parametrize("text", [NUMBERED_RULES, OWN_SECTION_REFERENCE], ids=["rule", "see"])
def test_a_pointer_to_the_directives_own_risk_rule_is_the_risk_check(tmp_path, text) -> None:
    """ "A determination under Rule 4.2.3" and "(see 318.03)" point to the directive's own risk
    list: the call receiver determines the risk at intake, and no cross-reference to another
    document caps it."""
    intake = _findings(tmp_path, text, "le-model-policy")["LE-COMM-INTAKE"]
    assert intake["status"] == "found", intake["reason"]
    causes = {a["cause"] for e in intake["evidence"] for a in e["explanation"]["adjustments"]}
    assert AdjustmentCause.CROSS_REFERENCE.value not in causes


def test_a_duty_given_to_its_holder_after_incumbent_upon(tmp_path) -> None:
    """ "It is incumbent upon the call receiver to obtain ..." is the call receiver's duty."""
    findings = _findings(tmp_path, NUMBERED_RULES, "le-model-policy")
    quotes = [
        e
        for f in findings.values()
        for e in f["evidence"]
        if e["quote"].startswith("It is incumbent upon the call receiver")
    ]
    assert quotes
    assert all(e["explanation"]["actors"] == ["telecommunicator"] for e in quotes)


GLOSSARY_POSITION = "\n\n".join(
    [
        "ELM COUNTY 9-1-1 DISTRICT\nOPERATING DIRECTIVE 5.07 CHILD CALLS: MISSING AND ABDUCTED "
        "CHILDREN",
        "WORDS USED IN THIS DIRECTIVE",
        "Floor Lead: the telecommunicator in charge of the floor for the shift.",
        "PROCEDURE",
        "On every missing child call, tell the Floor Lead at once and have Radio advise the "
        "agency's field supervisor.",
    ]
)


def test_a_position_the_directive_defines_is_the_actor_its_definition_names(tmp_path) -> None:
    """ "Floor Lead: the telecommunicator in charge of the floor" is the communications
    supervisor: telling the Floor Lead is the supervisor notified."""
    findings = _findings(tmp_path, GLOSSARY_POSITION, "psap-ansi-standard")
    notify = findings["PSAP-NOTIFY-SUPERVISOR"]
    assert notify["status"] == "found", notify["reason"]
    parts = {p["id"]: p["present"] for p in notify["evidence"][0]["explanation"]["parts"]}
    assert parts["communications"]


def test_a_header_tables_long_cells_do_not_hide_its_subject() -> None:
    """A header table names the subject ("CHILD CALLS: MISSING AND ABDUCTED CHILDREN") beside
    long cells (authority, related orders): the subject is still the context of a later step
    that does not repeat it."""
    title = ("ELM COUNTY EMERGENCY COMMUNICATIONS DISTRICT",)
    clock = ("5. THE CLOCK",)
    blocks = [
        (title[0], 1, title, PassageKind.HEADING),
        ("OD 5.07", 1, title, PassageKind.TABLE_CELL),
        ("CHILD CALLS: MISSING AND ABDUCTED CHILDREN", 1, title, PassageKind.TABLE_CELL),
        ("Related", 1, title, PassageKind.TABLE_CELL),
        (
            "OD 2.03 Call Priorities; OD 5.06 Missing Adults and Silver Alert; OD 8.01 Terminal "
            "Operations; OD 9.02 Training Program; OD 9.10 Call Audit Program",
            1,
            title,
            PassageKind.TABLE_CELL,
        ),
        (clock[0], 1, clock, PassageKind.HEADING),
        (
            "The Records Desk enters the record in NCIC within two hours of the call; the entry "
            "does not wait for the officer's written report.",
            1,
            clock,
            PassageKind.PARAGRAPH,
        ),
    ]
    document = build_document(
        source="od.docx", sha256="0" * 64, format="docx", page_count=1, blocks=blocks
    )
    findings = review(document, (load_checklist("psap-ansi-standard"),)).findings
    ncic = next(f for f in findings if f.element == "PSAP-NCIC")
    assert ncic.status.value == "found", ncic.reason
