"""Every input is bounded: text size on every format, time per analysis, tokenising pathological
runs, user regexes, checklist YAML and decisions files. Each refusal is one short line, exit 2."""

from __future__ import annotations

import json
import multiprocessing
import re
import time
from pathlib import Path

import docx
import pytest
import yaml

import policy_review.review as review_module
from policy_review.cli import main
from policy_review.extract import ExtractLimits, load_document
from policy_review.extract.source import DEFAULT_MAX_CHARS
from policy_review.model import PassageKind, build_document
from policy_review.render import DECISIONS_SCHEMA, load_decisions
from policy_review.review import review
from tests.match.test_checklist_schema import _worked_example

SENTENCE = "Officers shall accept every report of a missing child immediately. "
LIMIT = 2_000
PATHOLOGICAL_RUN = 50_000
PATHOLOGICAL_SECONDS = 5.0
"""50,000 '(' took over 90 s before runs were cut short; now well under a second."""
FORK_ONLY = pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(),
    reason="the time limit kills a forked child",
)


def _one_error_line(capsys) -> str:
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("policy-review: error: ")
    return line


def _text(path: Path, chars: int) -> Path:
    path.write_text((SENTENCE * (chars // len(SENTENCE) + 1))[:chars], encoding="utf-8")
    return path


def _html(path: Path, chars: int) -> Path:
    body = (SENTENCE * (chars // len(SENTENCE) + 1))[:chars]
    path.write_text(f"<html><body><p>{body}</p></body></html>", encoding="utf-8")
    return path


def _docx(path: Path, chars: int) -> Path:
    document = docx.Document()
    document.add_paragraph((SENTENCE * (chars // len(SENTENCE) + 1))[:chars])
    document.save(str(path))
    return path


@pytest.mark.parametrize("make", [_text, _html, _docx], ids=["text", "html", "docx"])
def test_text_beyond_max_chars_is_refused_on_every_format(tmp_path, capsys, make):
    suffix = {"_text": ".txt", "_html": ".html", "_docx": ".docx"}[make.__name__]
    within = make(tmp_path / f"within{suffix}", LIMIT)
    beyond = make(tmp_path / f"beyond{suffix}", LIMIT + 1)
    limits = ExtractLimits(max_chars=LIMIT)
    assert len(load_document(within, limits=limits).text) == LIMIT

    assert main(["extract", str(beyond), "--max-chars", str(LIMIT)]) == 2
    line = _one_error_line(capsys)
    assert f"{LIMIT + 1:,} characters of text is more than the limit of {LIMIT:,}" in line
    assert "--max-chars" in line


def test_the_default_text_limit_applies_without_the_flag(tmp_path, capsys):
    started = time.monotonic()
    assert main(["analyze", str(_text(tmp_path / "huge.txt", DEFAULT_MAX_CHARS + 1))]) == 2
    assert time.monotonic() - started < PATHOLOGICAL_SECONDS  # refused before any analysis
    assert f"limit of {DEFAULT_MAX_CHARS:,}" in _one_error_line(capsys)


@pytest.mark.parametrize("run", ["(", "_", "'", "()", "…"])
def test_long_punctuation_runs_take_linear_time_and_keep_evidence_offsets(run):
    blank = run * (PATHOLOGICAL_RUN // len(run))
    text = f"Name of the reporting party: {blank} {SENTENCE}There is no waiting period. {blank}"
    document = build_document(
        source="form.txt",
        sha256="0" * 64,
        format="text",
        page_count=None,
        blocks=[
            (text, None, (), PassageKind.PARAGRAPH),
            (SENTENCE, None, (), PassageKind.PARAGRAPH),
        ],
    )
    started = time.monotonic()
    report = review(document)
    assert time.monotonic() - started < PATHOLOGICAL_SECONDS
    quotes = [e for finding in report.findings for e in finding.evidence]
    assert quotes
    for evidence in quotes:
        assert document.text[evidence.start : evidence.end] == evidence.quote


@FORK_ONLY
def test_analyze_enforces_its_timeout(tmp_path, capsys, monkeypatch):
    def hangs(*args, **kwargs):
        time.sleep(60)

    monkeypatch.setattr(review_module, "review", hangs)
    started = time.monotonic()
    assert main(["analyze", str(_text(tmp_path / "a.txt", 500)), "--timeout", "1"]) == 2
    assert time.monotonic() - started < 15
    assert "not finished within 1 s" in _one_error_line(capsys)


def _checklist_file(tmp_path: Path, data: dict, name: str = "custom.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


@pytest.mark.parametrize("pattern", [r"/(a+)+$/", r"/(\w+\s?)*x/", r"/((ab)*c*)+d/"])
def test_a_regex_cue_with_nested_unbounded_repetition_is_refused(tmp_path, capsys, pattern):
    data = _worked_example()
    first = next(iter(data["concepts"]))
    body = data["concepts"][first]
    terms = body["terms"] if isinstance(body, dict) else body
    terms.append(pattern)
    path = _checklist_file(tmp_path, data)
    document = _text(tmp_path / "a.txt", 500)
    assert main(["analyze", str(document), "--checklist", str(path)]) == 2
    line = _one_error_line(capsys)
    assert re.escape(pattern) and pattern in line.replace("\\\\", "\\")
    assert "exponential" in line


def test_a_yaml_alias_bomb_is_refused_quickly_with_its_real_cause(tmp_path, capsys):
    levels = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for level in range(1, 11):
        previous = chr(ord("a") + level - 1)
        name = chr(ord("a") + level)
        levels.append(f"{name}: &{name} [{', '.join(['*' + previous] * 9)}]")
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(levels) + "\n", encoding="utf-8")
    started = time.monotonic()
    assert main(["checklists"]) == 0  # the bundled ones are fine
    capsys.readouterr()
    assert main(["analyze", str(_text(tmp_path / "a.txt", 500)), "--checklist", str(path)]) == 2
    assert time.monotonic() - started < 10
    line = _one_error_line(capsys)
    assert "YAML aliases" in line and "--max-bytes" not in line and len(line) < 400


def test_a_key_given_twice_in_a_checklist_is_refused_not_silently_dropped(tmp_path, capsys):
    bundled = Path(__file__).parents[2] / "checklists" / "psap-qa-clause.yaml"
    text = bundled.read_text(encoding="utf-8")
    first_element = text.index("\n  - id: ")
    body_start = text.index("\n", first_element + 1) + 1
    path = tmp_path / "twice.yaml"
    # a second `title:` inside the first element, as a careless merge of two edits leaves it
    path.write_text(text[:body_start] + "    title: again\n" + text[body_start:], encoding="utf-8")
    assert main(["analyze", str(_text(tmp_path / "a.txt", 500)), "--checklist", str(path)]) == 2
    line = _one_error_line(capsys)
    assert "'title' appears twice" in line and len(line) < 400


def test_an_oversized_checklist_file_is_refused_before_parsing(tmp_path, capsys):
    path = tmp_path / "huge.yaml"
    path.write_text("# padding\n" * 300_000, encoding="utf-8")
    assert main(["analyze", str(_text(tmp_path / "a.txt", 500)), "--checklist", str(path)]) == 2
    assert "a checklist may be" in _one_error_line(capsys)


def test_checklist_problems_are_one_short_line_however_long_the_value(tmp_path, capsys):
    data = _worked_example()
    data["x" * 100_000] = "an unknown key, quoted in the error"
    path = _checklist_file(tmp_path, data)
    assert main(["analyze", str(_text(tmp_path / "a.txt", 500)), "--checklist", str(path)]) == 2
    assert len(_one_error_line(capsys)) < 1_000


def _decisions(sha256: str) -> dict:
    return {"schema": DECISIONS_SCHEMA, "document": {"sha256": sha256}, "decisions": []}


def test_a_decisions_file_with_a_byte_order_mark_is_read(tmp_path):
    path = tmp_path / "decisions.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(_decisions("a" * 64)).encode("utf-8"))
    assert load_decisions(path).sha256 == "a" * 64


def test_a_deeply_nested_decisions_file_is_one_plain_error(tmp_path, capsys):
    path = tmp_path / "decisions.json"
    path.write_text("[" * 200_000 + "]" * 200_000, encoding="utf-8")
    document = _text(tmp_path / "a.txt", 500)
    assert main(["analyze", str(document), "--decisions", str(path)]) == 2
    assert "nested too deeply" in _one_error_line(capsys)
