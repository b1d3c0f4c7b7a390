"""The command line at its edges: documented commands, usage errors, unreadable input."""

import re
import sys

import pytest

from policy_review import __version__
from policy_review.cli import build_parser, main
from tests.conftest import REPO_ROOT


def _subcommands() -> set[str]:
    parser = build_parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return set(action.choices)


def test_every_command_is_documented_in_readme():
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"`policy-review (\w+)", readme))
    assert _subcommands() <= documented


def test_readme_quick_start_is_two_commands():
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1]
    block = section.split("```", 2)[1]
    commands = [line for line in block.splitlines()[1:] if line.strip()]
    assert len(commands) == 2


def test_readme_says_how_to_run_the_installed_command():
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    after_quick_start = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    assert ".venv/bin/policy-review analyze" in after_quick_start
    assert ". .venv/bin/activate" in after_quick_start


def test_readme_never_points_into_the_clone_for_the_development_corpus():
    """The spec and real corpus live beside the repository, not in a fresh clone: every
    mention of them says so in the same paragraph, and none is a link."""
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert "](../shared" not in readme
    for paragraph in readme.split("\n\n"):
        if "../shared" in paragraph:
            assert "beside the repository" in paragraph and "not part of the" in paragraph


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert __version__ in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["no-such-command"],
        ["analyze"],
        ["analyze", "x.pdf", "--format", "pdf"],
        ["extract", "x.pdf", "--max-pages", "0"],
    ],
)
def test_usage_errors_are_one_line_and_exit_2(argv, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("policy-review: error:")


def test_missing_file_is_one_line_and_exit_2(tmp_path, capsys):
    assert main(["analyze", str(tmp_path / "nope.pdf")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "nope.pdf" in err


def test_batch_draws_progress_on_a_terminal_only(tmp_path, capsys, monkeypatch):
    submissions = tmp_path / "in"
    submissions.mkdir()
    (submissions / "policy.txt").write_text(
        "Missing children. Officers shall enter the child into NCIC within two hours.\n",
        encoding="utf-8",
    )
    assert main(["batch", str(submissions), "-o", str(tmp_path / "quiet"), "--jobs", "1"]) == 0
    assert "\r" not in capsys.readouterr().err
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert main(["batch", str(submissions), "-o", str(tmp_path / "tty"), "--jobs", "1"]) == 0
    assert "[########################] 1/1" in capsys.readouterr().err


def test_analyze_says_when_a_file_is_not_a_missing_child_directive(tmp_path, capsys):
    policy = tmp_path / "force.txt"
    policy.write_text(
        "Use of Force\n\nOfficers shall use only the force that is objectively reasonable.\n",
        encoding="utf-8",
    )
    assert main(["analyze", str(policy), "-o", str(tmp_path / "force.html")]) == 0
    assert "does not read as a missing-child directive" in capsys.readouterr().err
    directive = REPO_ROOT / "sample_policies" / "lakeview-pd-missing-children.pdf"
    assert main(["analyze", str(directive), "-o", str(tmp_path / "lakeview.html")]) == 0
    assert "missing-child directive" not in capsys.readouterr().err
