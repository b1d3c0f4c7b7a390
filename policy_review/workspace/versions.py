"""An agency's versions side by side: each analysed submission against the previous one.

A renewal reviewer's question is "what changed since the version we accepted?". The workspace
keeps every version's report@1, so a comparison is built from the two stored reports; they carry
no headings, so sections are not compared (the page says so, as the static comparison does).
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from policy_review.compare import Comparison, compare_sides, side_from_dict
from policy_review.workspace.store import JobStatus, Store, Submission


def previous_versions(submissions: Iterable[Submission]) -> dict[int, Submission]:
    """For each analysed submission, its agency's latest analysed one uploaded before it."""
    analysed = sorted(
        (s for s in submissions if s.job_status is JobStatus.READY),
        key=lambda s: (s.uploaded_at, s.id),
    )
    previous: dict[int, Submission] = {}
    latest: dict[str, Submission] = {}
    for submission in analysed:
        if submission.agency in latest:
            previous[submission.id] = latest[submission.agency]
        latest[submission.agency] = submission
    return previous


def compare_stored(
    old: Submission, old_report_json: str, new: Submission, new_report_json: str
) -> Comparison:
    """Two stored reports compared as they were analysed: neither is judged again."""
    old_side = side_from_dict(json.loads(old_report_json), source=f"submission {old.id}")
    new_side = side_from_dict(json.loads(new_report_json), source=f"submission {new.id}")
    note = (
        "Each version as analysed when it was uploaded: the new one against "
        f"{', '.join(new_side.checklists)}."
    )
    if old_side.checklists != new_side.checklists:
        note += f" The old one was analysed against {', '.join(old_side.checklists)}."
    return compare_sides(old_side, new_side, checklist_note=note)


def compare_with_previous(
    store: Store, submissions: Iterable[Submission]
) -> dict[int, tuple[Submission, Comparison]]:
    """Each submission that has a previous version: that version and what changed since."""
    reports: dict[int, str | None] = {}

    def report_of(submission: Submission) -> str | None:
        if submission.id not in reports:
            reports[submission.id] = store.report_json(submission.id)
        return reports[submission.id]

    by_id = {s.id: s for s in submissions}
    compared: dict[int, tuple[Submission, Comparison]] = {}
    for new_id, old in previous_versions(by_id.values()).items():
        new = by_id[new_id]
        old_report, new_report = report_of(old), report_of(new)
        if old_report is not None and new_report is not None:
            compared[new_id] = (old, compare_stored(old, old_report, new, new_report))
    return compared
