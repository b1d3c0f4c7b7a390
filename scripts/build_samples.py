"""Build the labelled sample directives in sample_policies/ from plain-text sources.

The samples are product data (the README demo and the `evaluate` corpus). Keeping each directive as
a small marked-up text file in sample_policies/src/ makes the wording reviewable in diffs, and this
script turns it into the real Word/PDF artefacts agencies submit: heading styles, Word automatic
numbering, running headers and footers, unaccepted tracked changes, a two-column page, and an
image-only "scanned" PDF. Output is deterministic (fixed timestamps, seeded noise).

Source format (one directive per file, front matter between `---` lines, then the body):
  # / ## / ###        heading levels 1-3 (real Word heading styles)
  - text              bullet item; two leading spaces per extra level
  + text              Word auto-numbered item (numbering.xml); restarts at each new list
  | a | b |           table row; a table whose first line starts `|!` has a bold header row
  !title TEXT         centred bold title line;  !center TEXT  centred line
  !pagebreak          page break;  !columns N  continuous section break to N columns
  !chapter TITLE      new page and section whose running footer names TITLE (a manual's chapters)
  !runninghead TEXT   new page and section whose running header is TEXT (a manual whose header
                      names each SOP); the footer stays the first section's, pages keep counting
  !widths W1 W2 ...   column widths in inches for the next table (default: equal widths)
  other lines         one paragraph each; two leading spaces per 0.25 inch of indent
  inline              **bold**, {+inserted+} and {-deleted-} (unaccepted tracked changes)

Front matter `footer_title: TITLE` ends the first section's footer with "TITLE - <page>" the way
Lexipol manuals print it, and `first_page: N` starts the page numbering at N (a chapter excerpted
from a longer manual). `footer_gap: TEXT` is what separates the footer text from "Page <n> of <m>"
(default four spaces). `rendered_pages: true` (docx only) renders the file once with LibreOffice and
records where each page starts, the way Word saves its last layout (see mark_rendered_pages).

Plain-text and HTML directives (`output: txt` / `output: html`) are delivered as agencies type them:
the body is written out verbatim, without the markup above.

Usage: python3 scripts/build_samples.py [--dir FOLDER] [NAME ...]   (FOLDER/src/*.txt -> FOLDER,
default sample_policies; needs LibreOffice `soffice` for PDFs and `rendered_pages`, and
poppler `pdftoppm` for the scanned sample)
"""

from __future__ import annotations

import argparse
import bisect
import io
import itertools
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import yaml
from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Inches, Pt, RGBColor
from PIL import Image

REPO_ROOT = Path(__file__).resolve().parent.parent
SAMPLES_DIR = REPO_ROOT / "sample_policies"

FIXED_TIME = datetime(2024, 1, 15, 9, 0, 0, tzinfo=UTC)
FIXED_ZIP_TIME = (2024, 1, 15, 9, 0, 0)
INDENT_PER_LEVEL = Inches(0.25)
SCAN_DPI = 200
SCAN_JPEG_QUALITY = 40
SCAN_NOISE_SIGMA = 9.0
SCAN_SKEW_DEGREES = 0.8
SCAN_SEED = 20240115
SOFFICE_TIMEOUT_S = 180
RENDERED_PREFIX = 40  # squashed characters of a paragraph's start matched in its rendering
VERBATIM_OUTPUTS = ("txt", "html")

INLINE_TOKEN = re.compile(r"(\*\*.+?\*\*|\{\+.+?\+\}|\{-.+?-\})")
PDF_DATE = re.compile(rb"/(?:CreationDate|ModDate)\s*\(D:(\d+)")
PDF_VOLATILE = (
    re.compile(rb"/ID\s*\[\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*\]"),
    re.compile(rb"/DocChecksum\s*/([0-9A-Fa-f]+)"),
)
HEADING_NUMBER_FORMATS = (("upperRoman", "%1."), ("upperLetter", "%2."), ("decimal", "%3."))
LIST_NUMBER_FORMATS = (("decimal", "%1."), ("lowerLetter", "(%2)"), ("lowerRoman", "(%3)"))


@dataclass
class SampleSpec:
    """Front matter of one source file: how the directive is laid out and delivered."""

    name: str
    output: str
    font: str = "Liberation Serif"
    font_size: float = 11.0
    line_spacing: float = 1.0
    header: str = ""
    footer: str = ""
    page_numbers: bool = False
    footer_title: str = ""
    first_page: int = 0
    footer_gap: str = "    "
    heading_numbering: bool = False
    scanned: bool = False
    rendered_pages: bool = False
    author: str = "Policy Unit"
    body: list[str] = field(default_factory=list)


def parse_source(path: Path) -> SampleSpec:
    """Split a source file into its front matter and body lines."""
    text = path.read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    meta = yaml.safe_load(front) or {}
    return SampleSpec(name=path.stem, body=body.splitlines(), **meta)


class DocxWriter:
    """Writes one directive body into a python-docx Document."""

    def __init__(self, spec: SampleSpec) -> None:
        self.spec = spec
        self.doc = Document()
        self.change_id = 100
        self.list_abstract_id: int | None = None
        self.current_list_num: int | None = None
        self.next_table_widths: list[float] = []
        self._setup_styles()
        if spec.heading_numbering:
            self._number_headings()

    def _setup_styles(self) -> None:
        styles = self.doc.styles
        normal = styles["Normal"]
        normal.font.name = self.spec.font
        normal.font.size = Pt(self.spec.font_size)
        normal.paragraph_format.space_after = Pt(5)
        normal.paragraph_format.line_spacing = self.spec.line_spacing
        for level, size in ((1, 13), (2, 12), (3, 11)):
            style = styles[f"Heading {level}"]
            style.font.name = self.spec.font
            style.font.size = Pt(size)
            style.font.color.rgb = RGBColor(0, 0, 0)
            style.font.italic = False
            style.paragraph_format.space_before = Pt(10 if level == 1 else 6)
            style.paragraph_format.space_after = Pt(4)
        for section in self.doc.sections:
            section.left_margin = section.right_margin = Inches(1)
            section.top_margin = section.bottom_margin = Inches(0.9)
        props = self.doc.core_properties
        props.author = props.last_modified_by = self.spec.author
        props.created = props.modified = FIXED_TIME.replace(tzinfo=None)
        props.revision = 1
        self._write_header_footer()

    def _write_header_footer(self) -> None:
        section = self.doc.sections[0]
        self._write_header(section, self.spec.header)
        if self.spec.first_page:
            page_numbering = OxmlElement("w:pgNumType")
            page_numbering.set(qn("w:start"), str(self.spec.first_page))
            section._sectPr.append(page_numbering)
        self._write_footer(section, self.spec.footer_title)

    def _write_header(self, section, text: str) -> None:
        if not text:
            return
        para = section.header.paragraphs[0]
        para.text = text
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        for run in para.runs:
            run.font.size = Pt(9)

    def _write_footer(self, section, title: str) -> None:
        """Footer text, then "TITLE - <page>" (Lexipol) or "Page <n> of <m>" (page_numbers)."""
        if not (self.spec.footer or self.spec.page_numbers or title):
            return
        para = section.footer.paragraphs[0]
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if self.spec.footer:
            gap = self.spec.footer_gap if self.spec.page_numbers or title else ""
            para.add_run(self.spec.footer + gap)
        if title:
            para.add_run(f"{title} - ")
            para._p.append(_simple_field("PAGE"))
        elif self.spec.page_numbers:
            para.add_run("Page ")
            para._p.append(_simple_field("PAGE"))
            para.add_run(" of ")
            para._p.append(_simple_field("NUMPAGES"))
        for run in para.runs:
            run.font.size = Pt(9)

    def _add_abstract_num(self, formats: tuple[tuple[str, str], ...], styles: list[str]) -> int:
        """Define a multi-level list in numbering.xml and return its numId."""
        numbering = self.doc.part.numbering_part.element
        abstract_id = 90 + len(numbering.findall(qn("w:abstractNum")))
        abstract = OxmlElement("w:abstractNum")
        abstract.set(qn("w:abstractNumId"), str(abstract_id))
        multi = OxmlElement("w:multiLevelType")
        multi.set(qn("w:val"), "multilevel")
        abstract.append(multi)
        for level, (fmt, text) in enumerate(formats):
            lvl = OxmlElement("w:lvl")
            lvl.set(qn("w:ilvl"), str(level))
            for tag, val in (("w:start", "1"), ("w:numFmt", fmt)):
                child = OxmlElement(tag)
                child.set(qn("w:val"), val)
                lvl.append(child)
            if styles:
                pstyle = OxmlElement("w:pStyle")
                pstyle.set(qn("w:val"), styles[level])
                lvl.append(pstyle)
            lvl_text = OxmlElement("w:lvlText")
            lvl_text.set(qn("w:val"), text)
            lvl.append(lvl_text)
            ppr = OxmlElement("w:pPr")
            ind = OxmlElement("w:ind")
            ind.set(qn("w:left"), str(360 * (level + 1) + (0 if styles else 360)))
            ind.set(qn("w:hanging"), "360")
            ppr.append(ind)
            lvl.append(ppr)
            abstract.append(lvl)
        first_num = numbering.find(qn("w:num"))
        if first_num is not None:
            first_num.addprevious(abstract)
        else:
            numbering.append(abstract)
        return abstract_id

    def _add_num(self, abstract_id: int, restart: bool) -> int:
        numbering = self.doc.part.numbering_part.element
        num_id = max((int(n.get(qn("w:numId"))) for n in numbering.num_lst), default=0) + 1
        num = OxmlElement("w:num")
        num.set(qn("w:numId"), str(num_id))
        ref = OxmlElement("w:abstractNumId")
        ref.set(qn("w:val"), str(abstract_id))
        num.append(ref)
        if restart:
            override = OxmlElement("w:lvlOverride")
            override.set(qn("w:ilvl"), "0")
            start = OxmlElement("w:startOverride")
            start.set(qn("w:val"), "1")
            override.append(start)
            num.append(override)
        numbering.append(num)
        return num_id

    def _number_headings(self) -> None:
        """Link Heading 1-3 to an outline list so Word generates I. / A. / 1. itself."""
        styles = ["Heading1", "Heading2", "Heading3"]
        abstract_id = self._add_abstract_num(HEADING_NUMBER_FORMATS, styles)
        num_id = self._add_num(abstract_id, restart=False)
        for level in range(3):
            style = self.doc.styles[f"Heading {level + 1}"]
            ppr = style.element.get_or_add_pPr()
            num_pr = OxmlElement("w:numPr")
            ilvl = OxmlElement("w:ilvl")
            ilvl.set(qn("w:val"), str(level))
            num = OxmlElement("w:numId")
            num.set(qn("w:val"), str(num_id))
            num_pr.extend([ilvl, num])
            ppr.insert(0, num_pr)

    def write(self, lines: list[str]) -> Document:
        table_rows: list[list[str]] = []
        table_header = False
        for raw in lines + [""]:
            line = raw.rstrip()
            if line.lstrip().startswith("|"):
                if not table_rows:
                    table_header = line.lstrip().startswith("|!")
                cells = line.strip().lstrip("|!").strip("|").split("|")
                table_rows.append([c.strip() for c in cells])
                continue
            if table_rows:
                self._add_table(table_rows, table_header)
                table_rows = []
            if not line.strip():
                continue
            self._add_line(line)
        return self.doc

    def _add_line(self, line: str) -> None:
        stripped = line.lstrip(" ")
        level = (len(line) - len(stripped)) // 2
        if not stripped.startswith("+ "):
            self.current_list_num = None
        if stripped.startswith("#"):
            hashes, text = stripped.split(" ", 1)
            self._fill(self.doc.add_paragraph(style=f"Heading {len(hashes)}"), text)
        elif stripped.startswith("- "):
            style = "List Bullet" if level == 0 else f"List Bullet {min(level + 1, 3)}"
            self._fill(self.doc.add_paragraph(style=style), stripped[2:])
        elif stripped.startswith("+ "):
            self._add_numbered(stripped[2:], level)
        elif stripped.startswith("!title "):
            para = self.doc.add_paragraph()
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run = para.add_run(stripped[7:])
            run.bold = True
            run.font.size = Pt(self.spec.font_size + 3)
        elif stripped.startswith("!center "):
            para = self.doc.add_paragraph()
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER
            self._fill(para, stripped[8:])
        elif stripped.startswith("!widths "):
            self.next_table_widths = [float(w) for w in stripped.split()[1:]]
        elif stripped == "!pagebreak":
            self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        elif stripped.startswith("!chapter "):
            section = self.doc.add_section(WD_SECTION.NEW_PAGE)
            section.footer.is_linked_to_previous = False
            self._write_footer(section, stripped[9:])
        elif stripped.startswith("!runninghead "):
            section = self.doc.add_section(WD_SECTION.NEW_PAGE)
            section.header.is_linked_to_previous = False
            self._write_header(section, stripped[13:])
        elif stripped.startswith("!columns "):
            section = self.doc.add_section(WD_SECTION.CONTINUOUS)
            cols = section._sectPr.find(qn("w:cols"))
            if cols is None:
                cols = OxmlElement("w:cols")
                section._sectPr.append(cols)
            cols.set(qn("w:num"), stripped.split()[1])
            cols.set(qn("w:space"), "432")
        else:
            para = self.doc.add_paragraph()
            if level:
                para.paragraph_format.left_indent = INDENT_PER_LEVEL * level
            self._fill(para, stripped)

    def _add_numbered(self, text: str, level: int) -> None:
        if self.list_abstract_id is None:
            self.list_abstract_id = self._add_abstract_num(LIST_NUMBER_FORMATS, [])
        if self.current_list_num is None:
            self.current_list_num = self._add_num(self.list_abstract_id, restart=True)
        para = self.doc.add_paragraph(style="List Number")
        ppr = para._p.get_or_add_pPr()
        num_pr = ppr.get_or_add_numPr()
        num_pr.get_or_add_ilvl().val = level
        num_pr.get_or_add_numId().val = self.current_list_num
        self._fill(para, text)

    def _add_table(self, rows: list[list[str]], header: bool) -> None:
        width = max(len(r) for r in rows)
        table = self.doc.add_table(rows=len(rows), cols=width)
        table.style = self.doc.styles["Table Grid"]
        widths, self.next_table_widths = self.next_table_widths, []
        if widths:
            # Word honours per-cell widths only with autofit off; a step/who/when/what protocol
            # needs a wide last column the way agencies lay it out.
            table.autofit = False
            for column, width in zip(table.columns, widths, strict=False):
                column.width = Inches(width)
            for row in table.rows:
                for cell, width in zip(row.cells, widths, strict=False):
                    cell.width = Inches(width)
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                para = table.cell(r, c).paragraphs[0]
                self._fill(para, f"**{text}**" if header and r == 0 and text else text)
        self.doc.add_paragraph()

    def _fill(self, para, text: str) -> None:
        """Add runs for plain, bold and tracked-change segments of one line."""
        for token in INLINE_TOKEN.split(text):
            if not token:
                continue
            if token.startswith("**"):
                para.add_run(token[2:-2]).bold = True
            elif token.startswith("{+"):
                para._p.append(self._tracked("w:ins", token[2:-2]))
            elif token.startswith("{-"):
                para._p.append(self._tracked("w:del", token[2:-2]))
            else:
                para.add_run(token)

    def _tracked(self, tag: str, text: str):
        """A real w:ins / w:del revision wrapping one run (python-docx has no API for these)."""
        self.change_id += 1
        change = OxmlElement(tag)
        change.set(qn("w:id"), str(self.change_id))
        change.set(qn("w:author"), self.spec.author)
        change.set(qn("w:date"), FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ"))
        run = OxmlElement("w:r")
        text_el = OxmlElement("w:delText" if tag == "w:del" else "w:t")
        text_el.set(qn("xml:space"), "preserve")
        text_el.text = text
        run.append(text_el)
        change.append(run)
        return change


def _simple_field(instruction: str):
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    fld.append(run)
    return fld


def save_docx_deterministic(doc: Document, target: Path) -> None:
    """Save with fixed zip timestamps so rebuilding an unchanged source gives identical bytes."""
    buffer = io.BytesIO()
    doc.save(buffer)
    buffer.seek(0)
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, src.read(info.filename))


def convert_to_pdf(docx_path: Path, workdir: Path) -> Path:
    """Convert with LibreOffice, with a private profile so parallel runs don't clash."""
    profile = (workdir / "lo-profile").as_uri()
    outdir = workdir / "pdf"
    outdir.mkdir(exist_ok=True)
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(outdir),
            str(docx_path),
        ],
        check=True,
        capture_output=True,
        timeout=SOFFICE_TIMEOUT_S,
    )
    return outdir / (docx_path.stem + ".pdf")


def _squash(text: str) -> str:
    """Letters and digits only, lower-cased: what a paragraph and its rendering share."""
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def mark_rendered_pages(doc: Document, pdf_path: Path) -> None:
    """Put `w:lastRenderedPageBreak` where LibreOffice's rendering starts each page.

    Word saves these markers where its last layout started a page, and the docx extractor pages
    passages by them; python-docx writes none, so a long manual would get pages only from its
    explicit breaks. Each body paragraph (table cells included, in document order) is found by
    the start of its text in the rendered pages' text, with a cursor that only moves forward
    (numbering labels, running heads and footers in between are skipped); a paragraph that starts
    on a later page than the previous one gets one marker per page advanced in its first run.
    """
    pdf = pdfium.PdfDocument(pdf_path)
    try:
        texts = [_squash(page.get_textpage().get_text_range()) for page in pdf]
    finally:
        pdf.close()
    stream = "".join(texts)
    page_ends = list(itertools.accumulate(len(text) for text in texts))
    cursor, page = 0, 0
    for para in doc.element.body.iter(qn("w:p")):
        runs = [r for r in para.iter(qn("w:r")) if r.getparent().tag != qn("w:del")]
        prefix = _squash("".join(t.text or "" for t in para.iter(qn("w:t"))))[:RENDERED_PREFIX]
        if not runs or not prefix or (found := stream.find(prefix, cursor)) < 0:
            continue
        cursor = found + len(prefix)
        start = bisect.bisect_right(page_ends, found)
        at = 1 if runs[0].find(qn("w:rPr")) is not None else 0
        for _ in range(start - page):
            runs[0].insert(at, OxmlElement("w:lastRenderedPageBreak"))
        page = start


def strip_pdf_volatile(data: bytes) -> bytes:
    """Fix dates and blank document IDs in place (same length, so xref offsets stay valid)."""
    data = PDF_DATE.sub(_fixed_date, data)
    for pattern in PDF_VOLATILE:
        data = pattern.sub(_zero_groups, data)
    return data


def _fixed_date(match: re.Match) -> bytes:
    start, end = match.span(1)
    digits = FIXED_TIME.strftime("%Y%m%d%H%M%S").encode().ljust(end - start, b"0")[: end - start]
    whole = match.group(0)
    return whole[: start - match.start(0)] + digits + whole[end - match.start(0) :]


def _zero_groups(match: re.Match) -> bytes:
    whole = bytearray(match.group(0))
    base = match.start(0)
    for index in range(1, (match.lastindex or 0) + 1):
        start, end = match.span(index)
        whole[start - base : end - base] = b"0" * (end - start)
    return bytes(whole)


def scan_pdf(text_pdf: Path, target: Path, workdir: Path) -> None:
    """Turn a text PDF into an image-only one, as if a paper copy had been scanned."""
    prefix = workdir / "scan"
    subprocess.run(
        ["pdftoppm", "-r", str(SCAN_DPI), "-gray", "-png", str(text_pdf), str(prefix)],
        check=True,
        capture_output=True,
    )
    rng = np.random.default_rng(SCAN_SEED)
    pages = []
    for index, png in enumerate(sorted(workdir.glob("scan*.png"))):
        page = Image.open(png).convert("L")
        pixels = np.asarray(page, dtype=np.float32)
        pixels += rng.normal(0.0, SCAN_NOISE_SIGMA, pixels.shape)
        page = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), mode="L")
        if index == 1:
            page = page.rotate(SCAN_SKEW_DEGREES, resample=Image.BICUBIC, fillcolor=255)
        pages.append(page)
    pages[0].save(
        target,
        save_all=True,
        append_images=pages[1:],
        resolution=SCAN_DPI,
        quality=SCAN_JPEG_QUALITY,
        creationDate=time.gmtime(FIXED_TIME.timestamp()),
        modDate=time.gmtime(FIXED_TIME.timestamp()),
    )


def build_sample(source: Path, out_dir: Path = SAMPLES_DIR) -> Path:
    spec = parse_source(source)
    if spec.output in VERBATIM_OUTPUTS:
        target = out_dir / f"{spec.name}.{spec.output}"
        target.write_text("\n".join(spec.body) + "\n", encoding="utf-8")
        return target
    doc = DocxWriter(spec).write(spec.body)
    with tempfile.TemporaryDirectory(prefix="build-samples-") as tmp:
        workdir = Path(tmp)
        docx_path = workdir / f"{spec.name}.docx"
        save_docx_deterministic(doc, docx_path)
        target = out_dir / f"{spec.name}.{spec.output}"
        if spec.output == "docx":
            if spec.rendered_pages:
                mark_rendered_pages(doc, convert_to_pdf(docx_path, workdir))
                save_docx_deterministic(doc, docx_path)
            shutil.copyfile(docx_path, target)
            return target
        pdf_path = convert_to_pdf(docx_path, workdir)
        if spec.scanned:
            scan_pdf(pdf_path, target, workdir)
        else:
            target.write_bytes(strip_pdf_volatile(pdf_path.read_bytes()))
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="source names to build (default: all)")
    parser.add_argument(
        "--dir",
        type=Path,
        default=SAMPLES_DIR,
        help="folder to build: sources in FOLDER/src, documents written to FOLDER",
    )
    args = parser.parse_args(argv)
    out_dir = args.dir.resolve()
    sources = sorted((out_dir / "src").glob("*.txt"))
    if args.names:
        sources = [s for s in sources if s.stem in args.names]
    for source in sources:
        target = build_sample(source, out_dir)
        print(f"{target.relative_to(REPO_ROOT)}  {target.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
