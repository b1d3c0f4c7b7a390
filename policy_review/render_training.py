"""Training and readiness pages, JSON and CSV, from a TrainingReport (and a policy Report).

Shares the report renderer's template environment and Content-Security-Policy, so the pages are
self-contained, escaped and printable in the same way.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
from dataclasses import dataclass
from pathlib import Path

from policy_review.model import Report
from policy_review.render import overall_reading, render_page
from policy_review.training import TrainingReport, training_csv_rows

READINESS_SCHEMA = "policy-review/readiness@1"
TRAINING_STYLE = "partials/training.css"


@dataclass(frozen=True, slots=True)
class PolicyVerdict:
    """What the readiness page needs of a policy report: its one-line reading and whether it
    meets every critical element with no red flag (the report's 'clear' reading)."""

    file_name: str
    sha256: str
    checklists: str
    reading: str
    ready: bool
    found: int
    partial: int
    missing: int
    critical_missing: tuple[str, ...]

    @classmethod
    def of(cls, report: Report) -> PolicyVerdict:
        reading, tone = overall_reading(report)
        titles = {f.element: f.title for f in report.findings}
        summary = report.summary
        return cls(
            file_name=Path(report.document.source).name,
            sha256=report.document.sha256,
            checklists=", ".join(c.id for c in report.checklists),
            reading=reading,
            ready=tone == "clear",
            found=summary.found,
            partial=summary.partial,
            missing=summary.missing,
            critical_missing=tuple(
                f"{element}: {titles[element]}" for element in summary.critical_missing
            ),
        )

    def to_dict(self) -> dict:
        return {
            "file": self.file_name,
            "sha256": self.sha256,
            "checklists": self.checklists.split(", ") if self.checklists else [],
            "reading": self.reading,
            "ready": self.ready,
            "summary": {"found": self.found, "partial": self.partial, "missing": self.missing},
            "critical_missing": list(self.critical_missing),
        }


def _training_view(report: TrainingReport) -> dict:
    return {
        "roster_name": Path(report.source).name,
        "program_label": report.program.label,
        "renewal": report.renewal,
        "as_of": report.as_of.isoformat(),
        "member_since": report.member_since.isoformat() if report.member_since else "",
        "rules": f"{report.rules.id} {report.rules.version}",
        "ready": report.ready,
        "headline": report.headline,
        "notes": report.notes,
        "needs": [
            {"module": module, "title": report.rules.modules[module], "names": names}
            for module, names in report.needs.items()
        ],
        "people": [
            {
                "name": p.name,
                "rank": p.rank,
                "roles": ", ".join(report.program.roles[r].label for r in p.roles) or "none",
                "required": " ".join(p.required) or "none",
                "done": [(m, d.isoformat()) for m, d in p.done.items()],
                "missing": " ".join(p.missing),
                "expired": " ".join(p.expired),
                "ready": p.ready,
                "notes": p.notes,
            }
            for p in report.people
        ],
    }


def _page(template: str, context: dict, template_dir: str | Path | None) -> str:
    generated_at = datetime.date.today().isoformat()
    return render_page(
        template,
        {**context, "generated_at": generated_at},
        scripts=(),
        styles=(TRAINING_STYLE,),
        template_dir=template_dir,
    ).html


def render_training_html(report: TrainingReport, *, template_dir: str | Path | None = None) -> str:
    return _page("training.html.j2", {"t": _training_view(report)}, template_dir)


def render_training_json(report: TrainingReport) -> str:
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"


def render_training_csv(report: TrainingReport) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(training_csv_rows(report))
    return buffer.getvalue()


def readiness_blockers(policy: PolicyVerdict, training: TrainingReport) -> str:
    """Why an agency may not apply yet, in one clause; empty when it may."""
    blockers = []
    if not policy.ready:
        blockers.append("the policy does not yet meet every critical element")
    if not training.ready:
        not_ready = len(training.people) - training.ready_count
        blockers.append(f"{not_ready} of {len(training.people)} personnel lack required training")
    return " and ".join(blockers)


def render_readiness_html(
    policy: PolicyVerdict, training: TrainingReport, *, template_dir: str | Path | None = None
) -> str:
    blockers = readiness_blockers(policy, training)
    context = {
        "policy": policy,
        "t": _training_view(training),
        "ready": not blockers,
        "blockers": blockers,
    }
    return _page("readiness.html.j2", context, template_dir)


def render_readiness_json(policy: PolicyVerdict, training: TrainingReport) -> str:
    blockers = readiness_blockers(policy, training)
    data = {
        "schema": READINESS_SCHEMA,
        "ready": not blockers,
        "blockers": blockers,
        "policy": policy.to_dict(),
        "training": training.to_dict(),
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
