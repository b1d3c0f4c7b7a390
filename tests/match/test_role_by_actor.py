"""A cue needing a concept that names a role (`role_of` in the checklist) is also met by the actor
a list's lead-in or a heading gives bare imperative items ("The patrol supervisor shall:" over
"1. Respond to the scene ..."), and the explanation says so; an officer's lead-in over the same
items does not give the duty to the supervisor, and the document's title supplies no actor."""

from __future__ import annotations

import json

import pytest

from policy_review.cli import main

TITLE = """# Ashby County Sheriff's Office

## General Order 6-4: Missing Children

### I. Policy

Every report of a missing child is accepted at once. There is no waiting period.

"""
RESPOND = (  # the duty far enough down the list that its lead-in is not beside it
    "1. Confirm that the report has been taken.\n2. Keep a log of the case.\n"
    "3. Respond to the scene of every missing child report.\n"
)
FOLLOW_UP = (
    "1. Keep a log of the case.\n"
    "2. Conduct the follow-up investigation of every missing child case.\n"
)
TEXTS = {
    "supervisor-lead-in": f"### II. Procedures\n\nThe patrol supervisor shall:\n\n{RESPOND}",
    "deputy-lead-in": f"### II. Procedures\n\nResponding deputies shall:\n\n{RESPOND}",
    "supervisory-heading": f"### II. Supervisory Responsibilities\n\n{RESPOND}",
    "investigations-heading": f"### II. Investigations Division\n\n{FOLLOW_UP}",
    "patrol-heading": f"### II. Patrol\n\n{FOLLOW_UP}",
    # "Dispatch" the verb, in the supervisor's own list: not the dispatch centre acting
    "dispatch-verb": (
        "### II. Procedures\n\nThe patrol supervisor shall:\n\n"
        "1. Dispatch additional units to search the area where the child was last seen.\n"
    ),
}
# the title right over the list (read as its lead-in), and the title over another heading
TITLED_LIST = "# Patrol Supervisor Checklist: Missing Children\n\n" + RESPOND
TITLED = (
    "# Patrol Supervisor Checklist: Missing Children\n\n## Application\n\n"
    "This checklist applies to every report of a missing child.\n\n## Steps\n\n" + RESPOND
)


@pytest.fixture(scope="module")
def findings(tmp_path_factory) -> dict[str, dict[str, dict]]:
    folder = tmp_path_factory.mktemp("role-by-actor")
    out = {}
    bodies = {name: TITLE + body for name, body in TEXTS.items()} | {
        "titled": TITLED,
        "titled-list": TITLED_LIST,
    }
    for name, body in bodies.items():
        source, report = folder / f"{name}.md", folder / f"{name}.json"
        source.write_text(body, encoding="utf-8")
        argv = [str(source), "--checklist", "le-model-policy", "--format", "json", "-o"]
        assert main(["analyze", *argv, str(report)]) == 0
        out[name] = {f["element"]: f for f in json.loads(report.read_text())["findings"]}
    return out


def _by_actor(finding: dict) -> list[dict]:
    """The concepts of the finding's evidence met by an actor rather than by words."""
    return [
        match
        for evidence in finding["evidence"]
        for match in evidence["explanation"]["matched"]
        if match["via_actor"]
    ]


def test_supervisor_lead_in_gives_bare_items_to_the_supervisor(findings):
    finding = findings["supervisor-lead-in"]["LE-SUP-RESPOND"]
    assert finding["status"] == "found"
    explanation = finding["evidence"][0]["explanation"]
    assert (explanation["actors"], explanation["actor_source"]) == (
        ["patrol_supervisor"],
        "lead_in",
    )
    assert [(m["concept"], m["via_actor"]) for m in _by_actor(finding)] == [
        ("supervisor", "lead_in")
    ]
    assert "by the actor 'patrol supervisor' of its list lead-in" in explanation["summary"]


def test_officer_lead_in_does_not_give_the_duty_to_the_supervisor(findings):
    finding = findings["deputy-lead-in"]["LE-SUP-RESPOND"]
    assert finding["status"] != "found"
    assert not _by_actor(finding)


def test_heading_naming_the_supervisor_gives_the_duty(findings):
    finding = findings["supervisory-heading"]["LE-SUP-RESPOND"]
    assert finding["status"] == "found"
    # a heading right over a list is read as the list's lead-in
    assert [m["via_actor"] for m in _by_actor(finding)][:1] in (["heading"], ["lead_in"])


def test_investigator_heading_gives_the_follow_up(findings):
    assert findings["investigations-heading"]["LE-INV-FOLLOWUP"]["status"] == "found"
    assert findings["patrol-heading"]["LE-INV-FOLLOWUP"]["status"] != "found"


@pytest.mark.parametrize("name", ["titled", "titled-list"])
def test_document_title_supplies_no_actor(findings, name):
    assert not any(_by_actor(f) for f in findings[name].values())
    assert findings[name]["LE-SUP-RESPOND"]["status"] != "found"


def test_object_of_notification_is_not_met_by_an_actor(findings):
    """LE-COMM-NOTIFY names no role: its supervisor is the one told, so a supervisor's list
    does not notify the supervisor."""
    assert not _by_actor(findings["supervisor-lead-in"]["LE-COMM-NOTIFY"])


def test_dispatch_the_verb_is_not_the_dispatch_centre_acting(findings):
    resources = findings["dispatch-verb"]["LE-SUP-RESOURCES"]
    actors = {actor for quote in resources["evidence"] for actor in quote["explanation"]["actors"]}
    assert actors == {"patrol_supervisor"}
    assert "telecommunicator" not in resources["reason"]
