"""MKRP training rules over rosters, through the `training` and `readiness` commands."""

from __future__ import annotations

import csv
import datetime
import json
from pathlib import Path

import openpyxl
import pytest

from policy_review.cli import main

ROOT = Path(__file__).resolve().parents[2]
ROSTERS = ROOT / "sample_policies" / "rosters"
LE_HEADER = ["Name", "Rank", "MECINTRO", "MECPAT", "MECSUP", "MECCID", "MECCOM", "CEOMEC"]
PSAP_HEADER = ["Name", "Position", "MECINTRO", "MECTEL", "MECSET", "MECEXEC", "CEOMEC"]
D = "2024-01-10"  # a completion date well inside the four years


def _write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


def _run(tmp_path: Path, roster: Path, *options: str) -> dict:
    out = tmp_path / "out.json"
    assert main(["training", str(roster), "--format", "json", "-o", str(out), *options]) == 0
    return json.loads(out.read_text(encoding="utf-8"))


def _person(tmp_path: Path, header: list[str], row: list[str], *options: str) -> dict:
    roster = _write_csv(tmp_path / "roster.csv", [header, row])
    return _run(tmp_path, roster, "--as-of", "2026-12-06", *options)["people"][0]


# rank, completions by column (in LE_HEADER order after rank), expected missing, ready
LE_CASES = [
    ("Police Officer", [D, D, "", "", "", ""], [], True),
    ("Police Officer", [D, "", "", "", "", ""], ["MECPAT"], False),
    ("Deputy Sheriff", ["", "", "", "", "", ""], ["MECINTRO", "MECPAT"], False),
    ("Sergeant", [D, D, "", "", "", ""], ["MECSUP"], False),
    ("Sergeant", [D, D, D, "", "", ""], [], True),
    ("Detective", [D, D, "", D, "", ""], [], True),
    ("Detective", [D, D, D, "", "", ""], ["MECCID"], False),
    ("Detective Sergeant", [D, D, D, "", "", ""], ["MECCID"], False),
    # command staff and chief: CEOMEC alone, or all four online modules plus MECCOM
    ("Lieutenant", ["", "", "", "", "", D], [], True),
    ("Captain", [D, D, D, D, D, ""], [], True),
    ("Commander", [D, D, D, D, "", ""], ["MECCOM"], False),
    (
        "Deputy Chief",
        ["", "", "", "", "", ""],
        ["MECINTRO", "MECPAT", "MECSUP", "MECCID", "MECCOM"],
        False,
    ),
    ("Chief of Police", ["", "", "", "", "", D], [], True),
    ("Sheriff", [D, D, "", "", "", ""], ["MECSUP", "MECCID", "MECCOM"], False),
]


@pytest.mark.parametrize(("rank", "dates", "missing", "ready"), LE_CASES)
def test_law_enforcement_rules(tmp_path, rank, dates, missing, ready):
    person = _person(tmp_path, LE_HEADER, ["Pat Doe", rank, *dates], "--program", "law-enforcement")
    assert person["missing"] == missing
    assert person["ready"] is ready
    assert person["expired"] == []


PSAP_CASES = [
    ("Dispatcher", [D, D, "", "", ""], [], True),
    ("Call-taker", [D, "", "", "", ""], ["MECTEL"], False),
    ("Telecommunicator", ["", "", "", "", ""], ["MECINTRO", "MECTEL"], False),
    ("CTO", [D, D, "", "", ""], ["MECSET"], False),
    ("QA Evaluator", [D, D, D, "", ""], [], True),
    ("Communications Supervisor", [D, "", D, "", ""], ["MECTEL"], False),
    ("ECC Director", ["", "", "", "", D], [], True),
    ("911 Director", [D, D, D, D, ""], [], True),
    ("911 Director", [D, D, "", "", ""], ["MECSET", "MECEXEC"], False),
]


@pytest.mark.parametrize(("rank", "dates", "missing", "ready"), PSAP_CASES)
def test_psap_rules(tmp_path, rank, dates, missing, ready):
    person = _person(tmp_path, PSAP_HEADER, ["Lee Roe", rank, *dates], "--program", "psap")
    assert person["missing"] == missing
    assert person["ready"] is ready


def test_either_path_reports_the_path_it_judged(tmp_path):
    seminar = _person(tmp_path, LE_HEADER, ["A", "Chief", "", "", "", "", "", D])
    assert seminar["required"] == ["CEOMEC"]
    online = _person(tmp_path, LE_HEADER, ["A", "Chief", D, "", "", "", "", ""])
    assert online["required"] == ["MECINTRO", "MECPAT", "MECSUP", "MECCID", "MECCOM"]
    assert online["done"] == {"MECINTRO": D}


@pytest.mark.parametrize(
    ("completed", "as_of", "expired"),
    [
        ("2022-12-06", "2026-12-06", []),  # exactly four years: still valid
        ("2022-12-06", "2026-12-07", ["MECINTRO"]),  # one day more: expired
        ("2020-02-29", "2024-02-29", []),  # leap day to leap day
        ("2020-02-29", "2024-03-01", ["MECINTRO"]),
    ],
)
def test_renewal_four_year_boundary_for_the_chief(tmp_path, completed, as_of, expired):
    header = ["Name", "Rank", "Hire Date", "MECINTRO", "MECPAT", "MECSUP", "MECCID", "MECCOM"]
    later = "2024-02-01" if as_of.startswith("2024") else "2025-01-01"
    roster = _write_csv(
        tmp_path / "r.csv", [header, ["C", "Chief", "2001-01-01", completed, *[later] * 4]]
    )
    data = _run(tmp_path, roster, "--renewal", "--member-since", "2020-01-01", "--as-of", as_of)
    chief = data["people"][0]
    assert chief["expired"] == expired
    assert chief["missing"] == []
    assert chief["ready"] is (not expired)


def test_renewal_chief_needs_the_online_courses_not_the_seminar(tmp_path):
    header = ["Name", "Rank", "Hire Date", "CEOMEC"]
    roster = _write_csv(tmp_path / "r.csv", [header, ["C", "Sheriff", "2001-01-01", D]])
    initial = _run(tmp_path, roster, "--as-of", "2026-12-06")["people"][0]
    assert initial["ready"] is True
    renewal = _run(
        tmp_path, roster, "--as-of", "2026-12-06", "--renewal", "--member-since", "2022-12-06"
    )["people"][0]
    assert renewal["missing"] == ["MECINTRO", "MECPAT", "MECSUP", "MECCID", "MECCOM"]


def test_renewal_checks_only_people_new_in_their_position(tmp_path):
    data = _run(
        tmp_path,
        ROSTERS / "lakeview-pd-training-renewal.csv",
        "--renewal",
        "--member-since",
        "2023-01-01",
        "--as-of",
        "2026-12-06",
    )
    pairs = {(p["name"], m) for p in data["people"] for m in p["missing"]}
    assert pairs == {("Keisha Dawson", "MECSUP"), ("Jordan Pike", "MECPAT")}
    expired = {(p["name"], m) for p in data["people"] for m in p["expired"]}
    assert expired == {("Maria Alvarez", "MECINTRO")}
    ellis = next(p for p in data["people"] if p["name"] == "Robert Ellis")
    assert ellis["ready"] and ellis["required"] == [] and "before membership" in ellis["notes"][0]
    assert data["summary"] == {
        "people": 8,
        "ready": 5,
        "not_ready": 3,
        "headline": data["summary"]["headline"],
    }
    assert "MECINTRO expired" in data["summary"]["headline"]


def test_renewal_needs_the_membership_date_and_a_hire_column(tmp_path, capsys):
    roster = _write_csv(tmp_path / "r.csv", [LE_HEADER, ["A", "Chief", D, D, D, D, D, ""]])
    assert main(["training", str(roster), "--renewal", "-o", str(tmp_path / "x")]) == 2
    assert "--member-since" in capsys.readouterr().err
    args = ["training", str(roster), "--renewal", "--member-since", "2023-01-01"]
    assert main([*args, "-o", str(tmp_path / "x")]) == 2
    assert "hire date" in capsys.readouterr().err


def test_sample_rosters_give_the_expected_pairs(tmp_path):
    data = _run(tmp_path, ROSTERS / "lakeview-pd-training-roster.csv", "--as-of", "2026-12-06")
    assert data["program"] == "law-enforcement"
    pairs = {(p["name"], m) for p in data["people"] for m in p["missing"]}
    assert pairs == {
        ("Cho, Daniel", "MECCID"),
        ("Cho, Daniel", "MECCOM"),
        ("Ellis, Robert", "MECSUP"),
        ("Garcia, Luis", "MECCID"),
        ("Ibrahim, Sara", "MECPAT"),
        ("Jensen, Karl", "MECINTRO"),
        ("Jensen, Karl", "MECPAT"),
    }
    clerk = next(p for p in data["people"] if p["rank"] == "Records Clerk")
    assert clerk["required"] == [] and clerk["ready"]
    assert data["needs"]["MECCID"] == ["Cho, Daniel", "Garcia, Luis"]
    assert "columns not used: Badge" in data["notes"]


def test_long_csv_and_xlsx_rosters_read_the_same(tmp_path):
    as_of = ("--as-of", "2026-12-06")
    from_csv = _run(tmp_path, ROSTERS / "coleman-county-911-training-roster.csv", *as_of)
    from_xlsx = _run(tmp_path, ROSTERS / "coleman-county-911-training-roster.xlsx", *as_of)
    assert from_csv["people"] == from_xlsx["people"]
    assert from_csv["program"] == "psap"
    pairs = {(p["name"], m) for p in from_csv["people"] for m in p["missing"]}
    assert pairs == {
        ("Lena Brooks", "MECSET"),
        ("Kim Ortega", "MECINTRO"),
        ("Kim Ortega", "MECTEL"),
        ("Sam Reyes", "MECTEL"),
    }
    adler = next(p for p in from_csv["people"] if p["name"] == "Jon Adler")
    assert adler["done"]["MECTEL"] == "2024-03-05"  # a module taken twice counts from the latest


def test_wide_xlsx_with_date_cells_and_header_synonyms(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Employee Name", "Job Title", "Date of Hire", "MECINTRO completed", "MECTEL"])
    sheet.append(["Ana Ruiz", "Emergency Dispatcher", datetime.date(2020, 1, 2), None, None])
    sheet.append(
        ["Bo Lin", "Telecommunicator", "3/4/2021", datetime.datetime(2021, 3, 5), "March 6, 2021"]
    )
    path = tmp_path / "roster.xlsx"
    book.save(path)
    data = _run(tmp_path, path, "--as-of", "2026-12-06")
    by_name = {p["name"]: p for p in data["people"]}
    assert by_name["Ana Ruiz"]["missing"] == ["MECINTRO", "MECTEL"]
    assert by_name["Bo Lin"]["done"] == {"MECINTRO": "2021-03-05", "MECTEL": "2021-03-06"}


def test_every_bad_row_is_named_at_once(tmp_path, capsys):
    roster = ROSTERS / "training-roster-with-errors.csv"
    before = roster.read_bytes()
    assert main(["training", str(roster), "-o", str(tmp_path / "x.html")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("policy-review: error: ")
    for expected in (
        "row 1: unknown module 'MECFOO'",
        "row 3: unknown rank 'Cadet'",
        "row 4: bad date '2019/13/45' for MECINTRO",
        "row 5: duplicate person 'Ava Stone' (also row 2)",
        "row 6: no name",
        "row 7: bad hired date 'sometime'",
        "row 7: sworn must be yes or no, not 'maybe'",
    ):
        assert expected in err
    assert not (tmp_path / "x.html").exists()
    assert roster.read_bytes() == before


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([["Name", "Module", "Completed"], ["A", "MECINTRO", D]], "no rank column"),
        ([["Name", "Rank", "Badge"], ["A", "Officer", "7"]], "no module columns"),
        ([["Name", "Rank", "Module", "Completed"], ["A", "Officer", "MECX", D]], "unknown module"),
        (
            [["Name", "Rank", "Module", "Completed"], ["A", "Officer", "MECPAT", ""]],
            "no completion",
        ),
        (
            [
                ["Name", "Rank", "Module", "Completed"],
                ["A", "Officer", "MECPAT", D],
                ["A", "Sergeant", "MECSUP", D],
            ],
            "has rank 'Sergeant' here but 'Officer' in row 2",
        ),
        ([["Name", "Rank", "MECPAT"], ["A", "Officer", "2030-01-01"]], "dated after --as-of"),
        ([["Name", "Rank", "MECPAT"], ["A", "Officer", "yes"]], "bad date 'yes' for MECPAT"),
        ([["Name", "Rank", "MECINTRO"], ["A", "Supervisor", D]], "cannot tell the program"),
    ],
)
def test_roster_problems_are_one_line_errors(tmp_path, capsys, rows, message):
    roster = _write_csv(tmp_path / "r.csv", rows)
    assert main(["training", str(roster), "--as-of", "2026-12-06", "-o", "-"]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_roles_map_extends_the_rank_table(tmp_path, capsys):
    roster = _write_csv(tmp_path / "r.csv", [LE_HEADER, ["A", "Corporal", D, D, "", "", "", ""]])
    assert main(["training", str(roster), "-o", "-"]) == 2
    assert "unknown rank 'Corporal'" in capsys.readouterr().err
    roles = tmp_path / "roles.yaml"
    roles.write_text("Corporal: supervisor\n", encoding="utf-8")
    person = _run(tmp_path, roster, "--roles", str(roles))["people"][0]
    assert person["roles"] == ["supervisor"] and person["missing"] == ["MECSUP"]
    roles.write_text("Corporal: captain-ish\n", encoding="utf-8")
    assert main(["training", str(roster), "--roles", str(roles), "-o", "-"]) == 2
    assert "unknown role captain-ish" in capsys.readouterr().err


def test_html_is_escaped_and_csv_is_quoted(tmp_path):
    name = '<script>alert("x")</script>, Jr.'
    roster = _write_csv(tmp_path / "r.csv", [LE_HEADER, [name, "Officer", D, "", "", "", "", ""]])
    html_out, csv_out = tmp_path / "t.html", tmp_path / "t.csv"
    assert main(["training", str(roster), "-o", str(html_out)]) == 0
    html = html_out.read_text(encoding="utf-8")
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert "Content-Security-Policy" in html and "0 of 1 personnel complete" in html
    assert '<td class="no">MECPAT</td>' in html
    assert main(["training", str(roster), "--format", "csv", "-o", str(csv_out)]) == 0
    rows = list(csv.reader(csv_out.open(encoding="utf-8", newline="")))
    assert rows[1][0] == name and rows[1][5] == "MECPAT" and rows[1][7] == "no"


def test_readiness_needs_both_policy_and_training(tmp_path):
    policy = ROOT / "sample_policies" / "lakeview-pd-missing-children.pdf"
    complete = _write_csv(tmp_path / "ok.csv", [LE_HEADER, ["A", "Chief", "", "", "", "", "", D]])
    out = tmp_path / "ready.json"
    args = ["readiness", "--policy", str(policy), "--format", "json", "-o", str(out)]
    assert main([*args, "--roster", str(complete)]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["schema"] == "policy-review/readiness@1"
    assert data["ready"] is (
        data["policy"]["ready"] and data["training"]["summary"]["not_ready"] == 0
    )
    incomplete = ROSTERS / "lakeview-pd-training-roster.csv"
    assert main([*args, "--roster", str(incomplete)]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["ready"] is False
    assert "personnel lack required training" in data["blockers"]
    html_out = tmp_path / "ready.html"
    html_args = ["readiness", "--policy", str(policy), "--roster", str(incomplete)]
    assert main([*html_args, "-o", str(html_out)]) == 0
    html = html_out.read_text(encoding="utf-8")
    assert "Not ready to apply" in html and "Who needs what" in html


def test_an_alias_bomb_role_map_is_refused_in_one_line(tmp_path, capsys):
    roster = _write_csv(tmp_path / "r.csv", [LE_HEADER, ["A", "Officer", D, D, "", "", "", ""]])
    bomb = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    bomb += [f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]"
             for p, c in zip("abcdefg", "bcdefgh", strict=True)]  # fmt: skip
    roles = tmp_path / "roles.yaml"
    roles.write_text("\n".join(bomb) + "\n", encoding="utf-8")
    assert main(["training", str(roster), "--roles", str(roles), "-o", "-"]) == 2
    err = capsys.readouterr().err
    assert "aliases (*name) expand to more than" in err and err.count("\n") == 1
