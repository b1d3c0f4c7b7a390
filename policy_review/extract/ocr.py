"""OCR for pages without a text layer: render with pypdfium2, read with the Tesseract binary.

Tesseract runs as a subprocess with OMP_THREAD_LIMIT=1 (about 7x faster on 2 cores here than
its default threading) and a timeout, on an image in a private temporary folder.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from policy_review.extract.structure import Line, Page, lines_to_page

# 250 dpi keeps body text (x-height about 20 px) well inside Tesseract's accurate range and is
# about 20% faster than 300 dpi here; measured the same word accuracy on the scanned sample.
OCR_DPI = 250
# Tesseract re-reads low-confidence lines as inverted (white on black) text by default; directives
# are dark on light, so that second pass only costs time.
OCR_CONFIG = ("-c", "tessedit_do_invert=0")
POINTS_PER_INCH = 72
OCR_TIMEOUT_S = 120
MAX_OCR_PIXELS = 40_000_000  # about a 17 x 17 inch page at 250 dpi
OCR_LANGUAGE = "eng"
WORD_LEVEL = "5"
# Tesseract reads the roman numerals "I." and "II." as "|." or "Il."
OCR_ROMAN_NUMERAL = re.compile(r"^[Il|]{1,4}(?=[.)]$)")


def tesseract_path() -> str | None:
    return shutil.which("tesseract")


def ocr_page(page, number: int) -> Page | str:
    """The page's lines as Tesseract reads them, or a warning saying why it could not."""
    result = _run_tesseract(page, number)
    if isinstance(result, str):
        return result
    tsv, dpi = result
    width, height = page.get_size()
    return lines_to_page(number, width, height, parse_tsv(tsv, dpi))


def ocr_words(page, number: int) -> list[tuple[str, tuple[float, float, float, float]]] | str:
    """Each word Tesseract reads with its box in PDF page space (left, bottom, right, top), in
    reading order; the same rendering and settings as `ocr_page`, so the words are the same."""
    result = _run_tesseract(page, number)
    if isinstance(result, str):
        return result
    tsv, dpi = result
    scale = POINTS_PER_INCH / dpi
    height = page.get_size()[1]
    words = []
    for row in tsv.splitlines()[1:]:
        cells = row.split("\t")
        if len(cells) < 12 or cells[0] != WORD_LEVEL or not cells[11].strip():
            continue
        left, top, width, tall = (int(c) * scale for c in cells[6:10])
        words.append((cells[11], (left, height - top - tall, left + width, height - top)))
    return words


def _run_tesseract(page, number: int) -> tuple[str, float] | str:
    """(Tesseract's TSV, the dpi it read) for a page rendered without its annotations (a
    reviewer's notes are not the page's text), or a warning saying why it could not."""
    binary = tesseract_path()
    if binary is None:
        return (
            f"page {number} has no usable text layer and Tesseract is not installed "
            "(install tesseract-ocr), so it was not read"
        )
    width, height = page.get_size()
    scale = OCR_DPI / POINTS_PER_INCH
    pixels = width * height * scale * scale
    if pixels > MAX_OCR_PIXELS:  # a poster-sized page: render smaller rather than run out of memory
        scale *= (MAX_OCR_PIXELS / pixels) ** 0.5
    image = page.render(scale=scale, grayscale=True, draw_annots=False).to_pil()
    with tempfile.TemporaryDirectory(prefix="policy-review-ocr-") as folder:
        image_path = Path(folder) / "page.png"
        image.save(image_path)
        env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
        try:
            completed = subprocess.run(
                [binary, str(image_path), "stdout", "-l", OCR_LANGUAGE, *OCR_CONFIG, "tsv"],
                capture_output=True,
                env=env,
                timeout=OCR_TIMEOUT_S,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return f"OCR of page {number} took longer than {OCR_TIMEOUT_S} s and was skipped"
        except OSError as exc:
            return f"OCR of page {number} failed ({exc.strerror or exc})"
    if completed.returncode != 0:
        detail = completed.stderr.decode("utf-8", "replace").strip().splitlines()
        reason = detail[-1] if detail else f"exit code {completed.returncode}"
        return f"OCR of page {number} failed: {reason}"
    return completed.stdout.decode("utf-8", "replace"), scale * POINTS_PER_INCH


def parse_tsv(tsv: str, dpi: float) -> list[Line]:
    """Group Tesseract's word rows into lines; a new block or paragraph starts a paragraph.

    Type size is left unknown: OCR box heights vary too much to signal headings.
    """
    scale = POINTS_PER_INCH / dpi
    lines: list[Line] = []
    rows_by_line: dict[tuple[str, str, str], list[list[str]]] = {}
    for row in tsv.splitlines()[1:]:
        cells = row.split("\t")
        if len(cells) < 12 or cells[0] != WORD_LEVEL or not cells[11].strip():
            continue
        rows_by_line.setdefault((cells[2], cells[3], cells[4]), []).append(cells)
    previous_paragraph = None
    for (block, paragraph, _), cells in rows_by_line.items():
        left = min(int(c[6]) for c in cells) * scale
        top = min(int(c[7]) for c in cells) * scale
        right = max(int(c[6]) + int(c[8]) for c in cells) * scale
        bottom = max(int(c[7]) + int(c[9]) for c in cells) * scale
        words = [c[11] for c in cells]
        words[0] = OCR_ROMAN_NUMERAL.sub(lambda m: "I" * len(m.group()), words[0])
        text = " ".join(words)
        lines.append(
            Line(
                text,
                top,
                bottom,
                left,
                right,
                new_block=(block, paragraph) != previous_paragraph,
            )
        )
        previous_paragraph = (block, paragraph)
    return lines
