"""The annotated files open in LibreOffice: every one converts to PDF without an error."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from conftest import annotatable, sample_report

from policy_review.annotate import annotate

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
CONVERT_TIMEOUT_S = 600

pytestmark = pytest.mark.skipif(
    SOFFICE is None, reason="LibreOffice (soffice) is not installed: annotated files not opened"
)


def test_every_annotated_file_converts_in_libreoffice(tmp_path):
    annotated = []
    for path in annotatable(".docx") + annotatable(".pdf"):
        result = annotate(path.read_bytes(), sample_report(path))
        target = tmp_path / "in" / f"{path.stem}{result.suffix}"
        target.parent.mkdir(exist_ok=True)
        target.write_bytes(result.data)
        annotated.append(target)
    out = tmp_path / "out"
    completed = subprocess.run(
        [SOFFICE, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
         "--convert-to", "pdf", "--outdir", str(out), *map(str, annotated)],
        capture_output=True,
        timeout=CONVERT_TIMEOUT_S,
        check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    converted = {p.stem for p in out.glob("*.pdf") if p.stat().st_size}
    assert converted == {p.stem for p in annotated}, completed.stderr.decode()
