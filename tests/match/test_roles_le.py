"""Who does what in a police policy (our own texts, one duty each, under the title of a combined
sheriff's office / 911 center order): an LE element that names a role is partial at most when the
text gives the duty to another role, and the reason says whose; an organisation-wide actor
("members") stands for every role; a list's lead-in or a heading names the actor of imperative
items; the subject of a passive verb is the one acted on, not the actor."""

from __future__ import annotations

import json

import pytest

from policy_review.cli import main
from policy_review.model import ActorSource

TITLE = """# Ashby County Sheriff's Office and Ashby County Emergency Communications

## General Order 6-3: Missing and Abducted Children

### I. Policy

Every report of a missing child is accepted at once. There is no waiting period.

"""
RESOURCES = (
    "determine whether additional personnel and resources, such as search teams or"
    " investigators, are needed"
)
SEARCH = "search the home, the yard, outbuildings and vehicles even if the family has searched them"
TEXTS = {
    "deputy-decides": (
        f"### II. Patrol\n\nUntil a supervisor arrives, the responding deputy shall {RESOURCES}.\n"
    ),
    "supervisor-decides": (
        "### II. Patrol\n\nThe responding deputy shall notify a supervisor,"
        f" who shall {RESOURCES}.\n"
    ),
    "sergeant-notified": (
        "### II. Patrol\n\nThe patrol sergeant shall be notified of every missing child report and"
        f" shall {RESOURCES}.\n"
    ),
    "members-search": f"### II. Response\n\nMembers shall {SEARCH}.\n",
    "searched-by-deputies": (
        "### II. Communications Center\n\nThe home, the yard, outbuildings and vehicles shall be"
        " searched by the responding deputies even if the family has searched them.\n"
    ),
    "call-taker-lead-in": (
        "### II. Communications Center\n\nThe call-taker shall:\n\n"
        "1. Obtain the child's name, age and clothing.\n"
        f"2. Ask the caller to {SEARCH}.\n"
    ),
    "deputies-lead-in": (
        "### II. Response\n\nResponding deputies shall:\n\n"
        "1. Interview the parents.\n"
        f"2. {SEARCH.capitalize()}.\n"
    ),
    "center-heading": (
        "### II. Communications Center Responsibilities\n\n#### Procedures\n\n"
        f"1. Ask the caller to {SEARCH}.\n"
    ),
}


@pytest.fixture(scope="module")
def findings(tmp_path_factory) -> dict[str, dict[str, dict]]:
    folder = tmp_path_factory.mktemp("roles")
    out = {}
    for name, body in TEXTS.items():
        source, report = folder / f"{name}.md", folder / f"{name}.json"
        source.write_text(TITLE + body, encoding="utf-8")
        argv = [str(source), "--checklist", "le-model-policy", "--format", "json", "-o"]
        assert main(["analyze", *argv, str(report)]) == 0
        out[name] = {f["element"]: f for f in json.loads(report.read_text())["findings"]}
    return out


def _actors(finding: dict) -> tuple[list[str], str]:
    explanation = finding["evidence"][0]["explanation"]
    return explanation["actors"], explanation["actor_source"]


def test_a_supervisors_duty_given_to_the_deputy_is_partial_and_says_whose(findings) -> None:
    finding = findings["deputy-decides"]["LE-SUP-RESOURCES"]
    assert finding["status"] == "partial"
    assert "stated as a duty of the officer, not of the patrol supervisor" in finding["reason"]
    assert _actors(finding) == (["officer"], ActorSource.SUBJECT.value)


def test_a_later_clause_with_its_own_subject_gives_the_duty_to_the_supervisor(findings) -> None:
    finding = findings["supervisor-decides"]["LE-SUP-RESOURCES"]
    assert finding["status"] == "found", finding["reason"]
    assert "supervisor" in _actors(finding)[0]


def test_the_notified_sergeant_is_still_the_one_who_decides(findings) -> None:
    finding = findings["sergeant-notified"]["LE-SUP-RESOURCES"]
    assert finding["status"] == "found", finding["reason"]
    assert _actors(finding)[0] == ["patrol_supervisor"]


def test_a_passive_verb_names_its_actor_after_by(findings) -> None:
    finding = findings["searched-by-deputies"]["LE-FR-VERIFY-SEARCH"]
    assert finding["status"] == "found", finding["reason"]
    assert _actors(finding) == (["officer"], ActorSource.SUBJECT.value)


def test_members_stand_for_every_role(findings) -> None:
    finding = findings["members-search"]["LE-FR-VERIFY-SEARCH"]
    assert finding["status"] == "found", finding["reason"]
    assert _actors(finding) == (["member"], ActorSource.SUBJECT.value)


@pytest.mark.parametrize(
    ("name", "status", "actor", "source"),
    [
        ("call-taker-lead-in", "partial", "telecommunicator", ActorSource.LEAD_IN),
        ("deputies-lead-in", "found", "officer", ActorSource.LEAD_IN),
        ("center-heading", "partial", "telecommunicator", ActorSource.HEADING),
    ],
)
def test_imperative_items_take_the_actor_of_their_lead_in_or_heading(
    findings, name, status, actor, source
) -> None:
    finding = findings[name]["LE-FR-VERIFY-SEARCH"]
    assert finding["status"] == status, finding["reason"]
    assert _actors(finding) == ([actor], source.value)
    if status == "partial":
        assert f"stated as a duty of the {actor}" in finding["reason"]
