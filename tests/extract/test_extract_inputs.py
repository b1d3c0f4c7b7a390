"""Bad and hostile input through `policy-review extract`: exit 2 with exactly one line on stderr
naming the file, or exit 0; never a traceback, never a changed input."""

from __future__ import annotations

import hashlib
import os
import random

import pytest
from extract_fixtures import running_header_pdf, simple_docx

from policy_review.cli import main
from policy_review.errors import UnreadableInputError, UnsupportedFormatError
from policy_review.extract import ExtractLimits, load_document


def _run(capsys, *args):
    code = main(["extract", *map(str, args)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _assert_one_error_line(code, err, *needles):
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("policy-review: error:"), err
    assert "Traceback" not in err
    for needle in needles:
        assert needle in err, err


def test_missing_path(tmp_path, capsys):
    missing = tmp_path / "nope.pdf"
    code, _, err = _run(capsys, missing)
    _assert_one_error_line(code, err, str(missing), "no such file")


def test_directory(tmp_path, capsys):
    code, _, err = _run(capsys, tmp_path)
    _assert_one_error_line(code, err, str(tmp_path), "folder")


def test_zero_byte_file(tmp_path, capsys):
    empty = tmp_path / "empty.docx"
    empty.write_bytes(b"")
    code, _, err = _run(capsys, empty)
    _assert_one_error_line(code, err, str(empty), "empty")


@pytest.mark.parametrize("name", ["random.pdf", "random.docx", "random.bin"])
def test_random_bytes(tmp_path, capsys, name):
    path = tmp_path / name
    path.write_bytes(random.Random(name).randbytes(4096))
    code, _, err = _run(capsys, path)
    _assert_one_error_line(code, err, str(path))
    with pytest.raises((UnsupportedFormatError, UnreadableInputError)):
        load_document(path)


@pytest.mark.parametrize("prefix", [b"%PDF-1.7\n", b"PK\x03\x04"])
def test_magic_number_then_garbage(tmp_path, capsys, prefix):
    path = tmp_path / "garbage.pdf"
    path.write_bytes(prefix + random.Random(7).randbytes(2048))
    code, _, err = _run(capsys, path)
    _assert_one_error_line(code, err, str(path))


def test_file_over_the_byte_limit_names_the_option(tmp_path, capsys):
    path = tmp_path / "big.txt"
    path.write_bytes(b"Officers shall respond.\n" * 1000)
    code, _, err = _run(capsys, path, "--max-bytes", "1000")
    _assert_one_error_line(code, err, str(path), "--max-bytes")


def test_page_limit_through_the_cli(tmp_path, capsys):
    path = running_header_pdf(tmp_path / "three.pdf")
    code, _, err = _run(capsys, path, "--max-pages", "2")
    _assert_one_error_line(code, err, str(path), "--max-pages")


def test_unicode_and_spaces_in_names_and_unchanged_inputs(tmp_path, capsys):
    folder = tmp_path / "dossier été"
    folder.mkdir()
    inputs = [
        running_header_pdf(folder / "ordre général n° 4.pdf"),
        simple_docx(folder / "politique – enfants.docx", ["Officers shall respond."]),
    ]
    text = folder / "note ü.txt"
    text.write_bytes("Notify the supervisor.\n".encode("utf-16"))
    inputs.append(text)
    before = {
        p: (hashlib.sha256(p.read_bytes()).hexdigest(), os.stat(p).st_mtime_ns) for p in inputs
    }
    for path in inputs:
        code, out, err = _run(capsys, path, "--format", "json")
        assert code == 0, err
        assert hashlib.sha256(path.read_bytes()).hexdigest() in out
    after = {
        p: (hashlib.sha256(p.read_bytes()).hexdigest(), os.stat(p).st_mtime_ns) for p in inputs
    }
    assert after == before
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in inputs)


def test_document_hash_and_format_are_recorded(tmp_path):
    path = running_header_pdf(tmp_path / "order.pdf")
    document = load_document(path, limits=ExtractLimits())
    assert document.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert document.source == str(path)
