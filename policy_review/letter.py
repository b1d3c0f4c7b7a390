"""The reviewer's determination letter to the agency, written as a Word file.

The content is worked out first (`build_letter`, from a report@1 dictionary and the reviewer's
decisions, which override the machine's verdicts), then laid out with python-docx on a template
the user may replace (`write_letter`). A template can place the letter with placeholders:
`{{agency}}`, `{{reviewer}}`, `{{date}}`, `{{document}}`, `{{sha256}}`, `{{determination}}` in
any paragraph, and a paragraph holding only `{{body}}` where the letter's body goes (without it,
the body is added at the end).
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path, PurePath
from typing import Any

from docx import Document as open_docx
from docx.text.paragraph import Paragraph

from policy_review.checklist import load_checklist
from policy_review.errors import ChecklistError, PolicyReviewError
from policy_review.model import Severity, Status
from policy_review.render import Decisions, reviewed_status

BODY_PLACEHOLDER = "{{body}}"
_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
PDF_TIMEOUT_S = 180
SHORT_HASH_CHARS = 12
DEFAULT_REVIEWER = "Reviewer"
DEFAULT_AGENCY = "the agency"
REVIEW_PROGRAM = "Missing Kids Readiness Program policy review"


class Determination(StrEnum):
    """The letter's conclusion, from the critical elements and red flags after the decisions."""

    NOT_READY = "not ready"
    REVISIONS = "revisions requested"
    MEETS = "meets the critical elements"


DETERMINATION_TEXT = {
    Determination.NOT_READY: "The directive does not yet meet the program's critical elements: "
    "{missing} critical element(s) are missing.",
    Determination.REVISIONS: "The directive covers every critical element, but revisions are "
    "requested: {partial} critical element(s) are only partly met and {flags} red flag(s) "
    "need attention.",
    Determination.MEETS: "The directive meets the program's critical elements reviewed.",
}


@dataclass(frozen=True, slots=True)
class LetterItem:
    """One element the agency must act on, with what to add and wording to start from."""

    element: str
    title: str
    status: str  # a Status value, or render.DISPUTED for a rejected "partial"
    machine_status: str
    guidance: str
    model_language: str
    reviewer_note: str
    add_to: str = ""  # the document's section whose heading names the topic


@dataclass(frozen=True, slots=True)
class LetterFlag:
    element: str
    quote: str
    page: int | None
    reason: str


@dataclass(frozen=True, slots=True)
class Letter:
    agency: str
    reviewer: str
    date: str
    document: str
    sha256: str
    determination: Determination
    missing: tuple[LetterItem, ...]
    partial: tuple[LetterItem, ...]
    red_flags: tuple[LetterFlag, ...]
    decisions_applied: int

    @property
    def determination_text(self) -> str:
        return DETERMINATION_TEXT[self.determination].format(
            missing=len(self.missing), partial=len(self.partial), flags=len(self.red_flags)
        )


def build_letter(
    report: Mapping[str, Any],
    *,
    decisions: Decisions | None = None,
    agency: str = "",
    reviewer: str = "",
    date: str,
    document_title: str = "",
    element_texts: Mapping[tuple[str, str], tuple[str, str]] | None = None,
) -> Letter:
    """The letter's content from a `policy-review/report@1` dictionary.

    `element_texts` gives (guidance, suggested wording) by (checklist, element) from the
    checklists, for what the report leaves out: guidance on elements it found (which a reviewer
    may reject) and wording in reports written before it carried `model_language`.
    """
    document = report.get("document") or {}
    sha256 = str(document.get("sha256", ""))
    if decisions is not None and decisions.sha256 != sha256:
        raise PolicyReviewError(
            f"the decisions file {decisions.source} was exported for another document "
            f"(sha256 {decisions.sha256[:SHORT_HASH_CHARS]}…, "
            f"this one is {sha256[:SHORT_HASH_CHARS]}…)"
        )
    missing: list[LetterItem] = []
    partial: list[LetterItem] = []
    flags: list[LetterFlag] = []
    applied = 0
    for finding in report.get("findings", []):
        key = (finding["checklist"], finding["element"])
        decision = decisions.get(*key) if decisions else None
        applied += decision is not None and bool(decision.decision or decision.note)
        machine = finding["status"]
        status = reviewed_status(machine, decision.decision if decision else "")
        for flag in finding.get("red_flags", []):
            flags.append(
                LetterFlag(finding["element"], flag["quote"], flag.get("page"), flag["reason"])
            )
        if finding["severity"] != Severity.CRITICAL.value or status == Status.FOUND:
            continue
        guidance, wording = (element_texts or {}).get(key, ("", ""))
        item = LetterItem(
            element=finding["element"],
            title=finding.get("title", ""),
            status=status,
            machine_status=machine,
            guidance=finding.get("guidance") or guidance,
            model_language=finding.get("model_language") or wording,
            reviewer_note=decision.note if decision else "",
            add_to=finding.get("add_to") or "",
        )
        (missing if status == Status.MISSING else partial).append(item)
    if missing:
        determination = Determination.NOT_READY
    elif partial or flags:
        determination = Determination.REVISIONS
    else:
        determination = Determination.MEETS
    return Letter(
        agency=agency or DEFAULT_AGENCY,
        reviewer=reviewer or DEFAULT_REVIEWER,
        date=date,
        document=document_title or PurePath(str(document.get("path", ""))).name,
        sha256=sha256,
        determination=determination,
        missing=tuple(missing),
        partial=tuple(partial),
        red_flags=tuple(flags),
        decisions_applied=applied,
    )


def checklist_texts(checklist_ids: Iterable[str]) -> dict[tuple[str, str], tuple[str, str]]:
    """(guidance, suggested wording) per (checklist, element) for the bundled checklists named;
    a report may name checklists this installation does not have, which are skipped."""
    texts = {}
    for checklist_id in checklist_ids:
        try:
            checklist = load_checklist(checklist_id)
        except ChecklistError:
            continue
        for element in checklist.elements:
            texts[(checklist.id, element.id)] = (element.guidance, element.model_language)
    return texts


def _fill(paragraph: Paragraph, values: Mapping[str, str]) -> None:
    """Replace placeholders in a paragraph, keeping the first run's formatting."""
    text = paragraph.text
    if "{{" not in text:
        return
    filled = _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group()), text)
    if filled == text or not paragraph.runs:
        return
    runs = paragraph.runs
    runs[0].text = filled
    for run in runs[1:]:
        run.text = ""


def _placeholders(letter: Letter) -> dict[str, str]:
    return {
        "agency": letter.agency,
        "reviewer": letter.reviewer,
        "date": letter.date,
        "document": letter.document,
        "sha256": letter.sha256,
        "determination": letter.determination_text,
    }


def _item_paragraphs(item: LetterItem) -> list[tuple[str, str, bool]]:
    """(style, text, bold) rows for one element."""
    changed = item.status != item.machine_status
    heading = f"{item.element} — {item.title}"
    if changed:
        heading += (
            f" (reviewer's decision: {item.status}; the tool's reading: {item.machine_status})"
        )
    rows = [("List Bullet", heading, True)]
    if item.guidance:
        rows.append(("Normal", f"What to add: {item.guidance}", False))
    if item.add_to:
        rows.append(("Normal", f"Where: in “{item.add_to}”.", False))
    if item.model_language:
        rows.append(("Normal", f"Suggested wording: “{item.model_language}”", False))
    if item.reviewer_note:
        rows.append(("Normal", f"Reviewer's note: {item.reviewer_note}", False))
    return rows


def letter_rows(letter: Letter) -> list[tuple[str, str, bool]]:
    """The letter body as (paragraph style, text, bold) rows, in order."""
    rows: list[tuple[str, str, bool]] = [
        ("Normal", letter.date, False),
        ("Normal", f"To: {letter.agency}", False),
        (
            "Normal",
            f"Re: {REVIEW_PROGRAM} of “{letter.document}” (SHA-256 {letter.sha256})",
            True,
        ),
        (
            "Normal",
            "Thank you for submitting your directive for review. This letter sets out the "
            "determination for the document identified above, with what to add for each "
            "critical element that is missing or only partly met.",
            False,
        ),
        ("Heading 2", "Determination", False),
        ("Normal", letter.determination_text, True),
    ]
    if letter.missing:
        rows.append(("Heading 2", f"Critical elements missing ({len(letter.missing)})", False))
        for item in letter.missing:
            rows.extend(_item_paragraphs(item))
    if letter.partial:
        rows.append(("Heading 2", f"Critical elements partly met ({len(letter.partial)})", False))
        for item in letter.partial:
            rows.extend(_item_paragraphs(item))
    if letter.red_flags:
        rows.append(("Heading 2", f"Red flags ({len(letter.red_flags)})", False))
        for flag in letter.red_flags:
            where = f" (page {flag.page})" if flag.page else ""
            rows.append(("List Bullet", f"{flag.element}{where}: “{flag.quote}”", False))
            rows.append(("Normal", flag.reason, False))
    if letter.decisions_applied:
        rows.append(
            (
                "Normal",
                f"This determination reflects the reviewer's decisions on "
                f"{letter.decisions_applied} element(s), which take precedence over the "
                f"automated reading.",
                False,
            )
        )
    rows += [
        (
            "Normal",
            "Please send the revised directive when these items are addressed. We are glad "
            "to help with any of them.",
            False,
        ),
        ("Normal", "Sincerely,", False),
        ("Normal", "", False),
        ("Normal", letter.reviewer, True),
        ("Normal", REVIEW_PROGRAM, False),
    ]
    return rows


def write_letter(letter: Letter, *, template: Path | None = None) -> bytes:
    """The letter as .docx bytes, on `template` (a .docx) or python-docx's default."""
    try:
        word = open_docx(str(template)) if template else open_docx()
    except (OSError, ValueError, KeyError) as exc:
        raise PolicyReviewError(f"cannot use {template} as a letter template ({exc})") from None
    values = _placeholders(letter)
    body_at = None
    for paragraph in word.paragraphs:
        if paragraph.text.strip() == BODY_PLACEHOLDER and body_at is None:
            body_at = paragraph
            continue
        _fill(paragraph, values)
    for table in word.tables:
        for row in table.rows:
            for cell in row.cells:
                for paragraph in cell.paragraphs:
                    _fill(paragraph, values)
    styles = {style.name for style in word.styles}
    for style, text, bold in letter_rows(letter):
        chosen = style if style in styles else None
        if body_at is not None:
            paragraph = body_at.insert_paragraph_before(style=chosen)
        else:
            paragraph = word.add_paragraph(style=chosen)
        paragraph.add_run(text).bold = bold or None
    if body_at is not None:
        body_at._p.getparent().remove(body_at._p)
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


def convert_to_pdf(docx_path: Path) -> Path | None:
    """A PDF beside the .docx through LibreOffice headless; None when it is not installed."""
    binary = shutil.which("soffice") or shutil.which("libreoffice")
    if binary is None:
        return None
    target = docx_path.with_suffix(".pdf")
    with tempfile.TemporaryDirectory(prefix="policy-review-letter-") as folder:
        try:
            completed = subprocess.run(
                [binary, f"-env:UserInstallation=file://{folder}/profile", "--headless",
                 "--convert-to", "pdf", "--outdir", folder, str(docx_path)],
                capture_output=True,
                timeout=PDF_TIMEOUT_S,
                check=False,
            )  # fmt: skip
        except subprocess.TimeoutExpired:
            raise PolicyReviewError(
                f"LibreOffice took longer than {PDF_TIMEOUT_S} s to convert {docx_path}"
            ) from None
        produced = Path(folder) / f"{docx_path.stem}.pdf"
        if completed.returncode != 0 or not produced.is_file():
            detail = completed.stderr.decode("utf-8", "replace").strip().splitlines()
            raise PolicyReviewError(
                f"LibreOffice could not convert {docx_path} to PDF"
                + (f": {detail[-1]}" if detail else "")
            )
        shutil.move(str(produced), target)
    return target
