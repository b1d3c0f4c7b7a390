"""The comparison of two versions as JSON (`policy-review/compare@1`) and as one HTML page."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

from policy_review.compare import Change, Comparison
from policy_review.model import Status
from policy_review.render import (
    STATUS_LABELS,
    _content_security_policy,
    _environment,
    _render,
    _template_key,
)

COMPARE_SCRIPT = "partials/compare.js"
COMPARE_STYLE = "partials/compare.css"
SECTIONS_NOT_COMPARED = "Sections not compared: a JSON report carries no headings."
CHANGE_LABELS = {
    Change.LOST: "lost",
    Change.WEAKENED: "weakened",
    Change.GAINED: "gained",
    Change.STRENGTHENED: "strengthened",
    Change.UNCHANGED: "unchanged",
    Change.NOT_COMPARED: "judged in one version only",
}


def render_compare_json(comparison: Comparison) -> str:
    return json.dumps(comparison.to_dict(), indent=2, ensure_ascii=False) + "\n"


def _status(status: Status | None) -> str:
    return STATUS_LABELS[status] if status else "not judged"


def compare_view(comparison: Comparison) -> dict:
    """What partials/compare_body.html.j2 shows: the static page and the workspace page alike."""
    reworded = sum(1 for e in comparison.elements if e.reworded)
    counts = [(label, comparison.count(change)) for change, label in CHANGE_LABELS.items()]
    counts.insert(5, ("reworded", reworded))
    return {
        "old": {"name": Path(comparison.old.file).name, "sha256": comparison.old.sha256},
        "new": {"name": Path(comparison.new.file).name, "sha256": comparison.new.sha256},
        "checklist_note": comparison.checklist_note,
        "sentence": comparison.sentence,
        "critical_lost": comparison.critical_lost,
        "counts": [(label, n) for label, n in counts if n],
        "flags_added": comparison.red_flags_added,
        "flags_removed": comparison.red_flags_removed,
        "sections_compared": comparison.sections_compared,
        "sections_not_compared": SECTIONS_NOT_COMPARED,
        "sections_added": comparison.sections_added,
        "sections_removed": comparison.sections_removed,
        "filters": [(change.value, label.capitalize()) for change, label in CHANGE_LABELS.items()]
        + [("reworded", "Reworded")],
        "elements": [
            {
                "element": e.element,
                "title": e.title,
                "severity": e.severity.value,
                "change": e.change.value,
                "reworded": e.reworded,
                "old_status": _status(e.old_status),
                "new_status": _status(e.new_status),
                "old_evidence": e.old_evidence,
                "new_evidence": e.new_evidence,
                "diff": [(op.value, text) for op, text in e.diff],
            }
            for e in comparison.elements
        ],
        "generated_at": datetime.date.today().isoformat(),
    }


def render_compare_html(comparison: Comparison, *, template_dir: str | Path | None = None) -> str:
    env = _environment(_template_key(template_dir))
    context = {
        **compare_view(comparison),
        "csp": _content_security_policy(env, (COMPARE_SCRIPT,), (COMPARE_STYLE,)),
    }
    return _render(env, "compare.html.j2", context)
