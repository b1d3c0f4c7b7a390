"""The checklist loader: strict schema, every problem reported at once, documented example works."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from policy_review.checklist import available_checklists, load_checklist, parse_checklist
from policy_review.errors import ChecklistError
from policy_review.model import PassageKind, build_document
from policy_review.review import review
from tests.conftest import REPO_ROOT

SCHEMA_DOC = REPO_ROOT / "checklists" / "SCHEMA.md"


def _worked_example() -> dict:
    """The last YAML block of SCHEMA.md: the complete example checklist authors copy from."""
    blocks = re.findall(r"```yaml\n(.*?)```", SCHEMA_DOC.read_text(encoding="utf-8"), re.S)
    return yaml.safe_load(blocks[-1])


def _one_sentence_doc(text: str):
    trail = ("IV. Procedures",)
    blocks = [
        ("IV. Procedures", 1, trail, PassageKind.HEADING),
        (text, 1, trail, PassageKind.PARAGRAPH),
    ]
    return build_document(
        source="t.txt", sha256="0" * 64, format="text", page_count=1, blocks=blocks
    )


def test_every_bundled_checklist_loads_with_a_version() -> None:
    checklists = available_checklists()
    assert "le-model-policy" in {c.id for c in checklists}
    for checklist in checklists:
        assert checklist.version and checklist.elements


def test_unknown_reference_is_a_clear_error() -> None:
    with pytest.raises(ChecklistError, match="unknown checklist 'nope'"):
        load_checklist("nope")


def test_load_by_path(tmp_path: Path) -> None:
    path = tmp_path / "mini.yaml"
    path.write_text(yaml.safe_dump(_worked_example()), encoding="utf-8")
    assert load_checklist(path).id == "example-mini"


def test_all_problems_are_reported_at_once_with_file_and_element(tmp_path: Path) -> None:
    data = _worked_example()
    data["colour"] = "blue"
    element = data["elements"][0]
    element["severity"] = "urgent"
    element["cues"][0]["all"] = ["ncic", "no_such_concept"]
    element["cues"][0]["subcheck"]["time_limit"]["max_hours"] = -1
    element["red_flags"][0]["scope"] = "chapter"
    data["concepts"]["broken"] = ["/([unclosed/"]
    data["elements"].append(dict(element, cues=[{"id": "x", "all": ["ncic"], "weight": 3}]))
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(ChecklistError) as caught:
        load_checklist(path)
    message = str(caught.value)
    for expected in (
        "unknown key 'colour'",
        "severity 'urgent'",
        "cue entry-timed: all: unknown concept 'no_such_concept'",
        "max_hours must be a positive number",
        "scope 'chapter'",
        "bad regular expression",
        "cue x: unknown key 'weight'",
        "duplicate id 'LE-NCIC-2HR'",
    ):
        assert expected in message
    assert str(path) in message and "element LE-NCIC-2HR" in message


def test_include_cycles_and_unknown_includes_are_caught() -> None:
    data = _worked_example()
    data["concepts"]["a"] = {"include": ["b"]}
    data["concepts"]["b"] = {"include": ["a", "ghost"]}
    with pytest.raises(ChecklistError) as caught:
        parse_checklist(data, "cycle.yaml")
    assert "include cycle" in str(caught.value) and "'ghost'" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "status", "flagged"),
    [
        ("Officers shall enter the missing child into NCIC within two (2) hours.", "found", False),
        ("Officers shall enter the missing child into LEADS immediately.", "partial", False),
        (
            "Officers shall enter the missing child record into NCIC within 24 hours.",
            "partial",
            True,
        ),
        ("Officers may enter the missing child into NCIC.", "partial", True),
    ],
)
def test_worked_example_behaves_as_documented(text: str, status: str, flagged: bool) -> None:
    checklist = parse_checklist(_worked_example(), "SCHEMA.md")
    finding = review(_one_sentence_doc(text), (checklist,)).findings[0]
    assert finding.status.value == status
    assert bool(finding.red_flags) is flagged


def test_actors_roles_parts_and_duty_are_validated() -> None:
    data = _worked_example()
    data["actors"] = {"call_taker": "missing_person", "Bad Name": "ncic", "officer": "ghost"}
    element = data["elements"][0]
    element["duty"] = "yes"
    element["roles"] = ["call_taker", "janitor"]
    data["detect"]["roles"] = ["call_taker", "switchboard"]
    element["parts"] = [
        {"id": "where", "label": "where", "any": ["no_such_concept"]},
        {"id": "where", "label": "again", "any": ["ncic"], "core": "maybe"},
    ]
    with pytest.raises(ChecklistError) as caught:
        parse_checklist(data, "roles.yaml")
    message = str(caught.value)
    for expected in (
        "actor name 'Bad Name'",
        "actors: officer: unknown concept 'ghost'",
        "duty: must be true or false",
        "unknown actor 'janitor'",
        "detect roles: unknown actor 'switchboard'",
        "part where: any: unknown concept 'no_such_concept'",
        "core must be true or false",
        "duplicate id 'where'",
    ):
        assert expected in message, message


def test_roles_and_parts_load_as_data() -> None:
    data = _worked_example()
    data["actors"] = {"officer": "missing_person"}
    data["elements"][0].update(
        duty=True,
        roles=["officer"],
        parts=[{"id": "entry", "label": "entry", "any": ["entry"], "core": False}],
    )
    element = parse_checklist(data, "ok.yaml").elements[0]
    assert element.duty and element.roles == ("officer",)
    assert element.parts[0].id == "entry" and not element.parts[0].core


def _with_vocabulary(tmp_path: Path, vocabulary: dict, name: str = "roles/actors.yaml") -> Path:
    data = _worked_example()
    data["actors"] = name
    data["elements"][0]["roles"] = ["call_taker"]
    (tmp_path / "roles").mkdir(exist_ok=True)
    (tmp_path / "roles" / "actors.yaml").write_text(yaml.safe_dump(vocabulary), encoding="utf-8")
    path = tmp_path / "mini.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_a_role_vocabulary_file_adds_its_actors_and_concepts(tmp_path: Path) -> None:
    vocabulary = {
        "actors": {
            "call_taker": "actor_call_taker",
            "officer": "actor_officer",
            "staff": {"concept": "actor_staff", "stands_for": ["call_taker", "officer"]},
        },
        "concepts": {
            "actor_call_taker": ["call-taker"],
            "actor_officer": ["officer"],
            "actor_staff": ["=members"],
        },
    }
    checklist = load_checklist(_with_vocabulary(tmp_path, vocabulary))
    assert checklist.actors["staff"] == "actor_staff" and "actor_officer" in checklist.concepts
    assert checklist.acts_as("staff", ("call_taker",))
    assert not checklist.acts_as("officer", ("call_taker",))


@pytest.mark.parametrize(
    ("vocabulary", "name", "expected"),
    [
        ({"actors": {}, "concepts": {}, "extra": 1}, "roles/actors.yaml", "exactly `actors`"),
        ({"actors": {}, "concepts": {}}, "../actors.yaml", "beside the checklist"),
        (
            {"actors": {"call_taker": "ncic"}, "concepts": {"ncic": ["ncic"]}},
            "roles/actors.yaml",
            "concepts ['ncic'] are also in",
        ),
        (
            {
                "actors": {"call_taker": {"concept": "actor_x", "stands_for": ["ghost"]}},
                "concepts": {"actor_x": ["call-taker"]},
            },
            "roles/actors.yaml",
            "stands_for must list actor names declared here",
        ),
    ],
)
def test_a_bad_role_vocabulary_is_a_clear_error(tmp_path, vocabulary, name, expected) -> None:
    with pytest.raises(ChecklistError, match=re.escape(expected)):
        load_checklist(_with_vocabulary(tmp_path, vocabulary, name))
