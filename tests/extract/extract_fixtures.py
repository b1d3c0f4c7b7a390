"""Builds small PDF, DOCX, HTML and text fixtures at test time (no binaries in git).

The PDF writer is deliberately tiny: standard Helvetica fonts, one text object per line, image
pages for "scans", and the PDF 1.4 standard security handler (RC4, 40-bit) so encrypted files can
be produced without any PDF library that can write.
"""

from __future__ import annotations

import hashlib
import io
import random
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import docx
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from PIL import Image, ImageDraw, ImageFont

PAGE_WIDTH = 612
PAGE_HEIGHT = 792

# --- PDF ---------------------------------------------------------------------------------------


@dataclass
class TextLine:
    text: str
    x: float
    y: float  # from the top of the page
    size: float = 11
    bold: bool = False


@dataclass
class PdfPage:
    lines: list[TextLine] = field(default_factory=list)
    image: Image.Image | None = None  # a full-page scan, drawn under any text lines
    rules: list[tuple[float, float, float, float]] = field(default_factory=list)  # x0 y0 x1 y1


_PAD = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")


def _rc4(key: bytes, data: bytes) -> bytes:
    state = list(range(256))
    j = 0
    for i in range(256):
        j = (j + state[i] + key[i % len(key)]) % 256
        state[i], state[j] = state[j], state[i]
    out = bytearray()
    i = j = 0
    for byte in data:
        i = (i + 1) % 256
        j = (j + state[i]) % 256
        state[i], state[j] = state[j], state[i]
        out.append(byte ^ state[(state[i] + state[j]) % 256])
    return bytes(out)


def _pdf_string(text: str) -> bytes:
    raw = text.encode("cp1252", errors="replace")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def write_pdf(path: Path, pages: list[PdfPage], *, user_password: str | None = None) -> Path:
    """Write a PDF; with `user_password` ("" allowed) it is RC4-encrypted (revision 2)."""
    objects: dict[int, bytes] = {}
    streams: dict[int, tuple[bytes, bytes]] = {}  # number -> (dictionary entries, data)
    font, bold_font = 3, 4
    objects[font] = (
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    )
    objects[bold_font] = (
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>"
    )
    next_number = 5
    kids = []
    for page in pages:
        page_number, content_number = next_number, next_number + 1
        next_number += 2
        resources = f"/Font << /F1 {font} 0 R /F2 {bold_font} 0 R >>"
        parts = []
        if page.image is not None:
            image = page.image.convert("L")
            image_number = next_number
            next_number += 1
            streams[image_number] = (
                f"/Type /XObject /Subtype /Image /Width {image.width} /Height {image.height} "
                "/ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode".encode(),
                zlib.compress(image.tobytes()),
            )
            resources += f" /XObject << /Im1 {image_number} 0 R >>"
            parts.append(f"q {PAGE_WIDTH} 0 0 {PAGE_HEIGHT} 0 0 cm /Im1 Do Q".encode())
        for x0, y0, x1, y1 in page.rules:
            parts.append(f"{x0} {PAGE_HEIGHT - y0} m {x1} {PAGE_HEIGHT - y1} l S".encode())
        for line in page.lines:
            name = "F2" if line.bold else "F1"
            y = PAGE_HEIGHT - line.y
            parts.append(
                f"BT /{name} {line.size} Tf {line.x} {y} Td (".encode()
                + _pdf_string(line.text)
                + b") Tj ET"
            )
        content = b"\n".join(parts)
        streams[content_number] = (b"", content)
        objects[page_number] = (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_WIDTH} {PAGE_HEIGHT}] "
            f"/Resources << {resources} >> /Contents {content_number} 0 R >>"
        ).encode()
        kids.append(page_number)
    objects[1] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objects[2] = (
        f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] /Count {len(kids)} >>"
    ).encode()

    file_id = hashlib.md5(str(path).encode()).digest()
    trailer_extra = b""
    key = None
    if user_password is not None:
        permissions = -4
        owner_key = hashlib.md5((b"owner" + _PAD)[:32]).digest()[:5]
        user_padded = (user_password.encode("latin-1") + _PAD)[:32]
        owner_entry = _rc4(owner_key, user_padded)
        key = hashlib.md5(
            user_padded + owner_entry + struct.pack("<i", permissions) + file_id
        ).digest()[:5]
        user_entry = _rc4(key, _PAD)
        encrypt_number = next_number
        next_number += 1
        objects[encrypt_number] = (
            b"<< /Filter /Standard /V 1 /R 2 /O <"
            + owner_entry.hex().encode()
            + b"> /U <"
            + user_entry.hex().encode()
            + f"> /P {permissions} >>".encode()
        )
        trailer_extra = f" /Encrypt {encrypt_number} 0 R".encode()

    def encrypt(number: int, data: bytes) -> bytes:
        if key is None:
            return data
        object_key = hashlib.md5(key + struct.pack("<i", number)[:3] + b"\x00\x00").digest()
        return _rc4(object_key[: min(len(key) + 5, 16)], data)

    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number in sorted({*objects, *streams}):
        offsets[number] = out.tell()
        out.write(f"{number} 0 obj\n".encode())
        if number in streams:
            entries, data = streams[number]
            data = encrypt(number, data)
            out.write(b"<< " + entries + f" /Length {len(data)} >>\nstream\n".encode())
            out.write(data + b"\nendstream")
        else:
            out.write(objects[number])
        out.write(b"\nendobj\n")
    xref = out.tell()
    count = max(offsets) + 1
    out.write(f"xref\n0 {count}\n0000000000 65535 f \n".encode())
    for number in range(1, count):
        out.write(f"{offsets.get(number, 0):010d} 00000 n \n".encode())
    out.write(
        f"trailer\n<< /Size {count} /Root 1 0 R /ID [<{file_id.hex()}> <{file_id.hex()}>]".encode()
        + trailer_extra
        + f" >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    path.write_bytes(out.getvalue())
    return path


def wrap(text: str, width: int = 88) -> list[str]:
    lines, current = [], ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    if current:
        lines.append(current)
    return lines


RUNNING_HEADER = "ANYTOWN POLICE DEPARTMENT GENERAL ORDER 41.2"
BOLD, BODY = True, False
RUNNING_PAGES = [
    [
        ("IV. PROCEDURES", BOLD, 0),
        ("B. Communications", BOLD, 10),
        ("1. The call taker shall enter the missing child into NCIC within two hours of", BODY, 10),
        ("receiving the report and shall notify the on-duty supervisor without delay.", BODY, 0),
        ("2. Officers shall obtain a recent photograph of the child and a full descrip-", BODY, 10),
        ("tion of the clothing worn when last seen.", BODY, 0),
        ("3. Patrol shall search the home and the surrounding area, including garages,", BODY, 10),
        ("vehicles and outbuildings where a", BODY, 0),
    ],
    [
        ("child could hide or be hidden.", BODY, 0),
        ("C. Follow-up", BOLD, 10),
        ("Detectives shall review the case within 30 days.", BODY, 10),
    ],
    [
        ("V. RECORDS", BOLD, 0),
        ("All reports are kept for ten years.", BODY, 10),
    ],
]  # fmt: skip


def running_header_pdf(path: Path) -> Path:
    """Three pages with a running header and page-number footer, numbered headings, a word
    hyphenated across a line end and a sentence that continues over a page break."""
    pages = []
    for number, body in enumerate(RUNNING_PAGES, start=1):
        lines = [
            TextLine(RUNNING_HEADER, 72, 40, 9),
            TextLine(f"Page {number} of {len(RUNNING_PAGES)}", 280, 760, 9),
        ]
        y = 100.0
        for text, bold, gap in body:
            y += gap
            lines.append(TextLine(text, 72, y, 11, bold))
            y += 14
        pages.append(PdfPage(lines))
    return write_pdf(path, pages)


VOCABULARY = (
    "officers", "shall", "accept", "every", "report", "of", "a", "missing", "child", "without",
    "delay", "and", "notify", "the", "supervisor", "who", "will", "review", "the", "case",
    "record", "photograph", "description", "vehicle", "school", "home", "family", "friends",
    "search", "area", "canvass", "interview", "witness", "broadcast", "alert", "entry",
    "database",
)  # fmt: skip


def long_text_pdf(path: Path, pages: int = 30) -> Path:
    """Many full pages of varied prose (no two lines alike) for timing extraction."""
    generator = random.Random(1)
    page_list = []
    for number in range(1, pages + 1):
        lines = [TextLine(f"Page {number}", 290, 760, 9)]
        y = 72
        while y < 720:
            words = generator.choices(VOCABULARY, k=13)
            lines.append(TextLine(" ".join(words), 72, y))
            y += 14
        page_list.append(PdfPage(lines))
    return write_pdf(path, page_list)


def ruled_table_pdf(path: Path, *, grid: bool = True) -> Path:
    """A page with prose, then a ruled two-column table whose second row has a cell that wraps
    over two lines, then prose again. Without `grid`, the same rows under only a header and a
    footer rule, as template manuals draw their pages."""
    left, middle, right = 72, 220, 540
    row_tops = [130, 150, 186, 206]
    cells = [
        [("Risk factor", 150 - 6), ("Action", 150 - 6)],
        [("Under 13 years of age", 170 - 6), ("Treat as high risk and notify", 162),
         ("the supervisor at once.", 176)],
        [("Runaway", 200), ("Take a report without delay.", 200)],
    ]  # fmt: skip
    lines = [TextLine("The table below lists risk factors for officers to check.", 72, 110)]
    for row in cells:
        lines.append(TextLine(row[0][0], left + 4, row[0][1]))
        lines.extend(TextLine(text, middle + 4, y) for text, y in row[1:])
    lines.append(TextLine("Officers shall document every factor in the report.", 72, 240))
    if grid:
        rules = [(left, y, right, y) for y in [*row_tops[:1], 154, 184, 210]]
        rules += [(x, row_tops[0], x, 210) for x in (left, middle, right)]
    else:
        rules = [(left, 60, right, 60), (left, 740, right, 740)]
    return write_pdf(path, [PdfPage(lines, rules=rules)])


def scan_image(lines: list[str], *, dpi: int = 150) -> Image.Image:
    """A white page with black text, as a scanner would produce it."""
    width, height = int(8.5 * dpi), int(11 * dpi)
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=dpi * 16 // 72)
    y = dpi
    for line in lines:
        draw.text((dpi, y), line, fill=0, font=font)
        y += dpi * 24 // 72
    return image


def scanned_pdf(path: Path) -> Path:
    """Page 1 has text, page 2 is a scan, page 3 is blank."""
    text_page = PdfPage([TextLine("MISSING PERSONS POLICY with a real text layer here.", 72, 100)])
    scan = PdfPage(image=scan_image(["The supervisor shall respond", "to the scene immediately."]))
    return write_pdf(path, [text_page, scan, PdfPage()])


# --- DOCX ------------------------------------------------------------------------------------

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _add_numbering(document) -> tuple[int, int]:
    """An outline list (I. / A. / 1. / (a)) and a bullet list; returns their numIds."""
    numbering = document.part.numbering_part.element
    levels = [("upperRoman", "%1."), ("upperLetter", "%2."), ("decimal", "%3."),
              ("lowerLetter", "(%4)")]  # fmt: skip
    outline_levels = "".join(
        f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
        f'<w:lvlText w:val="{text}"/></w:lvl>'
        for i, (fmt, text) in enumerate(levels)
    )
    numbering.append(
        parse_xml(
            f'<w:abstractNum {nsdecls("w")} w:abstractNumId="90">{outline_levels}</w:abstractNum>'
        )
    )
    numbering.append(
        parse_xml(
            f'<w:abstractNum {nsdecls("w")} w:abstractNumId="91"><w:lvl w:ilvl="0">'
            '<w:start w:val="1"/><w:numFmt w:val="bullet"/><w:lvlText w:val="•"/></w:lvl>'
            "</w:abstractNum>"
        )
    )
    numbering.append(
        parse_xml(f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>')
    )
    numbering.append(
        parse_xml(f'<w:num {nsdecls("w")} w:numId="91"><w:abstractNumId w:val="91"/></w:num>')
    )
    return 90, 91


def _number(paragraph, num_id: int, level: int) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    ppr.append(
        parse_xml(
            f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/>'
            f'<w:numId w:val="{num_id}"/></w:numPr>'
        )
    )


def directive_docx(path: Path) -> Path:
    """Word numbering, a heading style, tracked changes, a table, a text box, header, footer,
    and a comment."""
    document = docx.Document()
    outline_id, bullet_id = _add_numbering(document)
    section = document.sections[0]
    section.header.paragraphs[0].text = "ANYTOWN PD GENERAL ORDER 41.2 - CONFIDENTIAL"
    section.footer.paragraphs[0].text = "Revised 2024"
    document.add_heading("Missing Children", level=1)
    for text, level in [
        ("PROCEDURES", 0),
        ("Communications", 1),
        ("The call taker shall enter the child into NCIC within two hours.", 2),
        ("The supervisor shall be notified.", 2),
        ("a photograph is requested", 3),
        ("Investigations", 1),
        ("Detectives shall follow up within 24 hours.", 2),
        ("RECORDS", 0),
    ]:
        _number(document.add_paragraph(text), outline_id, level)
    _number(document.add_paragraph("Check the child's home and yard."), bullet_id, 0)

    tracked = document.add_paragraph("Officers shall ")
    tracked._p.append(
        parse_xml(
            f'<w:del {nsdecls("w")} w:id="1" w:author="a" w:date="2024-01-01T00:00:00Z">'
            "<w:r><w:delText>never </w:delText></w:r></w:del>"
        )
    )
    tracked._p.append(
        parse_xml(
            f'<w:ins {nsdecls("w")} w:id="2" w:author="a" w:date="2024-01-01T00:00:00Z">'
            "<w:r><w:t>immediately </w:t></w:r></w:ins>"
        )
    )
    tracked.add_run("accept reports of missing children.")

    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Risk factor"
    table.cell(0, 1).text = "Action"
    table.cell(1, 0).text = "Under 13 years of age"
    table.cell(1, 1).text = "Treat as high risk and call NCMEC."

    box = document.add_paragraph("Before the box.")
    box._p.append(
        parse_xml(
            f'<w:r {nsdecls("w")} xmlns:v="urn:schemas-microsoft-com:vml"><w:pict><v:shape>'
            "<v:textbox><w:txbxContent>"
            "<w:p><w:r><w:t>Text box: AMBER Alert criteria apply.</w:t></w:r></w:p>"
            "</w:txbxContent></v:textbox></v:shape></w:pict></w:r>"
        )
    )
    commented = document.add_paragraph()
    run = commented.add_run("Commented sentence stays in the text.")
    document.add_comment(run, text="Reviewer note that must not be read", author="r")
    document.save(path)
    return path


def rewrite_docx_part(source: Path, target: Path, part: str, data: bytes) -> Path:
    """Copy a .docx with one part replaced (for hostile XML)."""
    with (
        zipfile.ZipFile(source) as original,
        zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out,
    ):
        for item in original.infolist():
            out.writestr(item.filename, data if item.filename == part else original.read(item))
    return target


FOOTNOTE_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
FOOTNOTE_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes"


def docx_with_footnote(path: Path, body: str, note: str) -> Path:
    """A .docx whose single paragraph carries a footnote (python-docx cannot add one)."""
    source = simple_docx(path.with_suffix(".plain.docx"), [body])
    notes = (
        f'<w:footnotes xmlns:w="{W_NS}">'
        '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p>'
        f'</w:footnote><w:footnote w:id="1">{paragraph_xml(note)}</w:footnote></w:footnotes>'
    )
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(path, "w") as out:
        for item in original.infolist():
            data = original.read(item)
            if item.filename == "[Content_Types].xml":
                data = data.replace(
                    b"</Types>",
                    f'<Override PartName="/word/footnotes.xml" ContentType="{FOOTNOTE_TYPE}"/>'
                    "</Types>".encode(),
                )
            elif item.filename == "word/_rels/document.xml.rels":
                data = data.replace(
                    b"</Relationships>",
                    f'<Relationship Id="rIdNote" Type="{FOOTNOTE_REL}" Target="footnotes.xml"/>'
                    "</Relationships>".encode(),
                )
            out.writestr(item, data)
        out.writestr("word/footnotes.xml", notes)
    return path


def simple_docx(path: Path, paragraphs: list[str]) -> Path:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    document.save(path)
    return path


def body_xml(inner: str, prolog: str = "") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        + prolog
        + f'<w:document xmlns:w="{W_NS}"><w:body>{inner}</w:body></w:document>'
    ).encode()


def paragraph_xml(text: str) -> str:
    return f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"


__all__ = [
    "PdfPage",
    "TextLine",
    "body_xml",
    "directive_docx",
    "long_text_pdf",
    "paragraph_xml",
    "qn",
    "rewrite_docx_part",
    "running_header_pdf",
    "scan_image",
    "scanned_pdf",
    "simple_docx",
    "write_pdf",
]
