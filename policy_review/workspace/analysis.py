"""One stored upload -> report@1 JSON and the HTML report's body: what a worker process runs.

The same pipeline as `analyze` (extract -> review -> render); only the file name changes: the
document is read through a link named as the reviewer uploaded it, so the report and any error
message show that name instead of the store's hash path.
"""

from __future__ import annotations

import dataclasses
import re
import tempfile
from pathlib import Path

from policy_review.batch import LOW_CONFIDENCE, agency_type
from policy_review.extract import ExtractLimits, load_document
from policy_review.render import render_json, render_report_parts
from policy_review.review import review
from policy_review.workspace.store import AnalysisResult

MAX_FILE_NAME_CHARS = 200
_UNSAFE_NAME = re.compile(r"[^\w. ()+,-]+")


def safe_file_name(name: str) -> str:
    """The last part of an uploaded name, without anything a file system or shell would read."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = _UNSAFE_NAME.sub("_", base).strip(" .")[:MAX_FILE_NAME_CHARS]
    return cleaned or "upload"


def analyse_upload(path: Path, file_name: str, limits: ExtractLimits) -> AnalysisResult:
    """Analyse a stored file; raises PolicyReviewError (one line) when it cannot be read."""
    name = safe_file_name(file_name)
    with tempfile.TemporaryDirectory(prefix="policy-review-job-") as folder:
        link = Path(folder) / name
        link.symlink_to(Path(path).resolve())
        try:
            document = load_document(link, limits=limits)
        except Exception as exc:
            # The message names the link; say the uploaded name instead of a temporary path.
            exc.args = tuple(str(arg).replace(f"{folder}/", "") for arg in exc.args)
            raise
    document = dataclasses.replace(document, source=name)
    report = review(document, None)
    parts = render_report_parts(report)
    summary = report.summary
    checklist_ids = tuple(ref.id for ref in report.checklists)
    return AnalysisResult(
        report_json=render_json(report),
        report_body=parts.body,
        page_data=parts.page_data,
        agency_type=agency_type(checklist_ids),
        checklists=checklist_ids,
        pages=document.page_count,
        counts={
            "found": summary.found,
            "partial": summary.partial,
            "missing": summary.missing,
            "critical_missing": len(summary.critical_missing),
            "red_flags": summary.red_flags,
            "low_confidence": sum(1 for f in report.findings if f.confidence < LOW_CONFIDENCE),
        },
    )
