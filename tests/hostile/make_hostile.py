"""Write every hostile input of issue 6 into a folder (run at test time; nothing big lives in git).

Usage: python tests/hostile/make_hostile.py OUTDIR

Files are built without policy_review (python-docx, Pillow, raw zip/PDF bytes, qpdf for
encryption), so a bug in the extractor cannot shape its own test inputs.
"""

from __future__ import annotations

import io
import os
import random
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import docx
from PIL import Image, ImageDraw

SEED = 20261129
SECRET_TOKEN = "PR-HOSTILE-SECRET-7f3a9c"
"""Written to a local file that the XXE document references: it must never reach any output."""
PASSWD_MARKER = "root:x:0:0"
PDF_PASSWORD = "s3cret-pass"
ZIP_BOMB_BYTES = 400 * 2**20
"""Decompressed size of the bomb: four times the default --max-bytes, about 1 MB on disk."""
BIG_TEXT_BYTES = 40 * 2**20
BIG_PDF_PAGES = 1000
NESTED_TABLE_DEPTHS = (40, 300)
"""40 levels stays under libxml2's nesting limit (tests recursion); 300 exceeds it."""
SMALL_LIMIT_BYTES = 10 * 2**20
SMALL_LIMIT_PAGES = 200

DIRECTIVE_PARAGRAPHS = (
    "GENERAL ORDER 41.2 MISSING CHILDREN",
    "I. POLICY. It is the policy of the Riverbend Police Department to accept every report of a "
    "missing child immediately, without any waiting period, and to investigate it promptly.",
    "II. PROCEDURES. Officers shall enter the missing child into NCIC within two hours of "
    "receiving the report, and notify the National Center for Missing & Exploited Children.",
    "III. SUPERVISION. The shift supervisor shall respond to the scene of every case involving a "
    "child under thirteen years of age or a child believed to be abducted.",
)
WORD_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
PACKAGE_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
)
INJECTION_TEXT = (
    "Officers shall search the home. <script>alert('pr-injected')</script> "
    "<img src=x onerror=alert('pr-injected')> Template {{ 7*7 }} {% for x in y %} ${7*7} "
    "</textarea></title><!-- comment --> &amp; &lt;b&gt;"
)
INJECTION_FORBIDDEN = ("<script>alert('pr-injected')", "<img src=x onerror")
INJECTION_INERT = ("{{ 7*7 }}",)
"""Template syntax from the document must reach the report as the same literal text."""


@dataclass(frozen=True)
class Case:
    """One hostile run: a path, extra CLI options, and what an acceptable outcome looks like.

    `expect` is "ok" (exit 0 with a report), "error" (exit 2, one line) or "either".
    `hint` must appear (case-insensitively) in stderr; `text` must appear in `extract` output
    when the run succeeds; `forbidden` must appear in no output or report; `forbidden_in_html`
    must not appear in the HTML report (extract rightly prints such text verbatim), and
    `required_in_html` must appear in it unchanged.
    """

    id: str
    path: Path
    expect: str
    args: tuple[str, ...] = ()
    hint: str = ""
    text: str = ""
    forbidden: tuple[str, ...] = ()
    forbidden_in_html: tuple[str, ...] = ()
    required_in_html: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)
    in_batch: bool = True
    requires: str = ""


# --- builders -------------------------------------------------------------------------------


def _pdf_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def text_pdf(pages: list[list[str]]) -> bytes:
    """A small, valid text PDF (Helvetica, one line per entry) written from PDF syntax directly."""
    page_count = len(pages)
    font_id = 3
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        (
            "<< /Type /Pages /Kids ["
            + " ".join(f"{4 + 2 * i} 0 R" for i in range(page_count))
            + f"] /Count {page_count} >>"
        ).encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    for index, lines in enumerate(pages):
        content_id = 5 + 2 * index
        objects.append(
            (
                f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
                f"/Resources << /Font << /F1 {font_id} 0 R >> >> /Contents {content_id} 0 R >>"
            ).encode()
        )
        stream = "BT /F1 11 Tf 14 TL 72 740 Td " + " ".join(
            f"({_pdf_string(line)}) '" for line in lines
        )
        data = (stream + " ET").encode("latin-1")
        objects.append(b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def directive_pdf(page_count: int = 3) -> bytes:
    pages = []
    for number in range(page_count):
        lines = [f"Riverbend Police Department - page {number + 1}"]
        lines += [p[:90] for p in DIRECTIVE_PARAGRAPHS]
        pages.append(lines)
    return text_pdf(pages)


def directive_docx(path: Path, extra: str = "") -> None:
    document = docx.Document()
    document.add_heading(DIRECTIVE_PARAGRAPHS[0], level=1)
    for paragraph in DIRECTIVE_PARAGRAPHS[1:]:
        document.add_paragraph(paragraph)
    if extra:
        document.add_paragraph(extra)
    document.save(str(path))


def raw_docx(path: Path, document_xml: str) -> None:
    """A Word package holding exactly the given document.xml (python-docx would sanitise it)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", CONTENT_TYPES)
        package.writestr("_rels/.rels", PACKAGE_RELS)
        package.writestr("word/document.xml", document_xml)


def _body(inner: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:document xmlns:w="{WORD_NS}"><w:body>{inner}</w:body></w:document>'
    )


def _paragraph(text: str) -> str:
    return f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"


def zip_bomb_docx(path: Path, *, lie_about_size: bool) -> None:
    """A small file whose document.xml inflates to ZIP_BOMB_BYTES; optionally with a false size."""
    paragraph = _paragraph("Officers shall search. " * 4).encode()
    chunk = paragraph * (2**20 // len(paragraph))
    head = _body("").split("<w:body>")[0].encode() + b"<w:body>"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as package:
        package.writestr("[Content_Types].xml", CONTENT_TYPES)
        package.writestr("_rels/.rels", PACKAGE_RELS)
        with package.open("word/document.xml", "w") as member:
            member.write(head)
            for _ in range(ZIP_BOMB_BYTES // len(chunk)):
                member.write(chunk)
            member.write(b"</w:body></w:document>")
    if lie_about_size:
        _patch_declared_size(path, "word/document.xml", 4096)


def _patch_declared_size(path: Path, member: str, size: int) -> None:
    """Overwrite the uncompressed size in the local header and central directory."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    for signature, size_offset, name_offset in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        start = 0
        while (start := data.find(signature, start)) != -1:
            if data[start + name_offset : start + name_offset + len(name)] == name:
                data[start + size_offset : start + size_offset + 4] = size.to_bytes(4, "little")
            start += 4
    path.write_bytes(bytes(data))


def billion_laughs_docx(path: Path) -> None:
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    ]
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f"<!DOCTYPE w:document [{''.join(entities)}]>"
        f'<w:document xmlns:w="{WORD_NS}"><w:body>{_paragraph("&lol9;")}</w:body></w:document>'
    )
    raw_docx(path, xml)


def xxe_docx(path: Path, secret: Path) -> None:
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<!DOCTYPE w:document [<!ENTITY passwd SYSTEM "file:///etc/passwd">'
        f'<!ENTITY secret SYSTEM "{secret.resolve().as_uri()}">]>'
        f'<w:document xmlns:w="{WORD_NS}"><w:body>'
        + _paragraph("Officers shall search. &passwd; &secret;")
        + "</w:body></w:document>"
    )
    raw_docx(path, xml)


def nested_tables_docx(path: Path, depth: int) -> None:
    inner = _paragraph("Officers shall enter the child into NCIC within two hours.")
    for _ in range(depth):
        inner = f"<w:tbl><w:tr><w:tc>{inner}</w:tc></w:tr></w:tbl>"
    raw_docx(path, _body(inner + _paragraph("end")))


def no_body_docx(path: Path) -> None:
    raw_docx(
        path,
        f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{WORD_NS}"></w:document>',
    )


def no_document_part_docx(path: Path) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", CONTENT_TYPES)
        package.writestr("_rels/.rels", PACKAGE_RELS)


def image_only_pdf(path: Path) -> None:
    """A one-page 'scan': text drawn into an image, no text layer."""
    image = Image.new("L", (1275, 1650), 255)
    draw = ImageDraw.Draw(image)
    for line_number, paragraph in enumerate(DIRECTIVE_PARAGRAPHS):
        draw.text((100, 150 + 60 * line_number), paragraph[:80], fill=0)
    image.save(path, "PDF", resolution=150)


def blank_pages_pdf() -> bytes:
    return text_pdf([[], [], []])


def encrypt_pdf(source: Path, target: Path, user_password: str) -> None:
    """AES-256 encryption with qpdf (Debian package qpdf); nothing when it is not installed."""
    qpdf = shutil.which("qpdf")
    if qpdf is not None:
        subprocess.run(
            [qpdf, "--encrypt", user_password, "owner-pass", "256", "--", str(source), str(target)],
            check=True,
            capture_output=True,
        )


def big_text(path: Path) -> None:
    block = ("\n\n".join(DIRECTIVE_PARAGRAPHS) + "\n\n").encode()
    with path.open("wb") as handle:
        for _ in range(BIG_TEXT_BYTES // len(block) + 1):
            handle.write(block)


def big_pdf() -> bytes:
    return text_pdf([[f"Page {n + 1}", DIRECTIVE_PARAGRAPHS[1][:90]] for n in range(BIG_PDF_PAGES)])


# --- the catalogue --------------------------------------------------------------------------

LATIN1_TEXT = "Départment de police: les agents doivent signaler l'enfant disparu. Café."
UTF16_TEXT = "Officers shall enter the child into NCIC — within two hours (§ 4.2)."
NON_ASCII_NAME = "name with spaces ünïcödé 政策.docx"
NON_UTF8_NAME = os.fsdecode(b"not-utf8-\xff\xfe-name.txt")
"""Linux allows any bytes in a name; Python sees the undecodable ones as lone surrogates."""


def _write_files(folder: Path) -> None:
    """Every hostile file; each builder is independent of policy_review."""
    rng = random.Random(SEED)
    good_pdf = directive_pdf()
    (folder / "good-directive.pdf").write_bytes(good_pdf)
    directive_docx(folder / "good-directive.docx")
    (folder / "empty.pdf").write_bytes(b"")
    (folder / "empty.docx").write_bytes(b"")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "random.pdf").write_bytes(rng.randbytes(65536))
    (folder / "random.docx").write_bytes(rng.randbytes(65536))
    (folder / "really-a-pdf.docx").write_bytes(good_pdf)
    shutil.copyfile(folder / "good-directive.docx", folder / "really-a-docx.pdf")
    (folder / "plain-text.docx").write_text("\n\n".join(DIRECTIVE_PARAGRAPHS), encoding="utf-8")
    (folder / "policy.xyz").write_bytes(b"\x7fELF" + rng.randbytes(4096))
    png = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(png, "PNG")
    (folder / "scan.png").write_bytes(png.getvalue())
    (folder / "a-folder.pdf").mkdir(exist_ok=True)
    directive_docx(folder / NON_ASCII_NAME)
    (folder / NON_UTF8_NAME).write_text("\n\n".join(DIRECTIVE_PARAGRAPHS), encoding="utf-8")
    (folder / "truncated.pdf").write_bytes(good_pdf[: len(good_pdf) // 2])
    corrupt = bytearray(good_pdf)
    middle = len(corrupt) // 3
    corrupt[middle : middle + 400] = rng.randbytes(400)
    (folder / "corrupt.pdf").write_bytes(bytes(corrupt))
    plain = folder / ".plain-source.pdf"
    plain.write_bytes(good_pdf)
    encrypt_pdf(plain, folder / "encrypted-empty-password.pdf", "")
    encrypt_pdf(plain, folder / "encrypted-password.pdf", PDF_PASSWORD)
    plain.unlink()
    image_only_pdf(folder / "scanned-image-only.pdf")
    (folder / "blank-pages.pdf").write_bytes(blank_pages_pdf())
    zip_bomb_docx(folder / "zip-bomb.docx", lie_about_size=False)
    zip_bomb_docx(folder / "zip-bomb-lying-size.docx", lie_about_size=True)
    billion_laughs_docx(folder / "billion-laughs.docx")
    secret = folder / ".secret.txt"
    secret.write_text(SECRET_TOKEN, encoding="utf-8")
    xxe_docx(folder / "xxe.docx", secret)
    for depth in NESTED_TABLE_DEPTHS:
        nested_tables_docx(folder / f"nested-tables-{depth}.docx", depth)
    no_body_docx(folder / "no-body.docx")
    no_document_part_docx(folder / "no-document-part.docx")
    big_text(folder / "big.txt")
    (folder / "thousand-pages.pdf").write_bytes(big_pdf())
    (folder / "latin1.txt").write_bytes(LATIN1_TEXT.encode("latin-1"))
    (folder / "utf16.txt").write_bytes(UTF16_TEXT.encode("utf-16"))
    (folder / "injection.txt").write_text(INJECTION_TEXT, encoding="utf-8")
    directive_docx(folder / "injection.docx", extra=INJECTION_TEXT)
    (folder / "injection.html").write_text(
        "<html><head><title>Directive</title><script>alert('pr-injected')</script></head>"
        f"<body><h1>Missing children</h1><p>{INJECTION_TEXT.replace('<', '&lt;')}</p>"
        "<p>Officers shall notify NCMEC.</p></body></html>",
        encoding="utf-8",
    )


def hostile_cases() -> list[Case]:
    """The catalogue (no I/O, so tests can parametrize on it); paths are relative to the folder."""
    limits_bytes = ("--max-bytes", str(SMALL_LIMIT_BYTES))
    limits_pages = ("--max-pages", str(SMALL_LIMIT_PAGES))
    no_bomb = ("memory",)
    injection = {"forbidden_in_html": INJECTION_FORBIDDEN, "required_in_html": INJECTION_INERT}
    cases = [
        Case("good-docx", Path("good-directive.docx"), "ok", text="NCIC"),
        Case("good-pdf", Path("good-directive.pdf"), "ok", text="NCIC"),
        Case("zero-byte-pdf", Path("empty.pdf"), "error"),
        Case("zero-byte-docx", Path("empty.docx"), "error"),
        Case("zero-byte-txt", Path("empty.txt"), "either"),
        Case("random-bytes-pdf", Path("random.pdf"), "error"),
        Case("random-bytes-docx", Path("random.docx"), "error"),
        Case("pdf-named-docx", Path("really-a-pdf.docx"), "ok", text="NCIC"),
        Case("docx-named-pdf", Path("really-a-docx.pdf"), "ok", text="NCIC"),
        Case("text-named-docx", Path("plain-text.docx"), "either", text="NCIC"),
        Case("unsupported-binary", Path("policy.xyz"), "error"),
        Case("unsupported-png", Path("scan.png"), "error"),
        Case("directory", Path("a-folder.pdf"), "error", in_batch=False),
        Case("missing-path", Path("does-not-exist.pdf"), "error", in_batch=False),
        Case("non-ascii-name", Path(NON_ASCII_NAME), "ok", text="NCIC"),
        Case("non-utf8-name", Path(NON_UTF8_NAME), "ok", text="NCIC"),
        Case("truncated-pdf", Path("truncated.pdf"), "either"),
        Case("corrupt-pdf", Path("corrupt.pdf"), "either"),
        Case(
            "encrypted-empty-password",
            Path("encrypted-empty-password.pdf"),
            "ok",
            text="NCIC",
            requires="qpdf",
        ),
        Case(
            "encrypted-password",
            Path("encrypted-password.pdf"),
            "error",
            hint="password",
            requires="qpdf",
        ),
        Case(
            "image-only-no-ocr",
            Path("scanned-image-only.pdf"),
            "ok",
            args=("--no-ocr",),
            hint="page",
        ),
        Case(
            "image-only-no-tesseract",
            Path("scanned-image-only.pdf"),
            "ok",
            hint="tesseract",
            env={"PATH": "/nonexistent"},
            in_batch=False,
        ),
        Case("blank-pages", Path("blank-pages.pdf"), "either"),
        Case("zip-bomb", Path("zip-bomb.docx"), "error", forbidden=no_bomb),
        Case("zip-bomb-lying-size", Path("zip-bomb-lying-size.docx"), "error", forbidden=no_bomb),
        Case(
            "billion-laughs",
            Path("billion-laughs.docx"),
            "either",
            forbidden=("lollollollollol",),
        ),
        Case("xxe", Path("xxe.docx"), "either", forbidden=(PASSWD_MARKER, SECRET_TOKEN)),
        *(
            Case(f"nested-tables-{depth}", Path(f"nested-tables-{depth}.docx"), "either")
            for depth in NESTED_TABLE_DEPTHS
        ),
        Case("docx-no-body", Path("no-body.docx"), "either"),
        Case("docx-no-document-part", Path("no-document-part.docx"), "error"),
        Case(
            "big-text-vs-max-bytes", Path("big.txt"), "error", args=limits_bytes, hint="--max-bytes"
        ),
        Case(
            "thousand-pages-vs-max-pages",
            Path("thousand-pages.pdf"),
            "error",
            args=limits_pages,
            hint="--max-pages",
        ),
        Case("latin-1-text", Path("latin1.txt"), "ok", text="Départment"),
        Case("utf-16-bom-text", Path("utf16.txt"), "ok", text="NCIC — within"),
        Case("injection-text", Path("injection.txt"), "ok", **injection),
        Case("injection-docx", Path("injection.docx"), "ok", **injection),
        Case("injection-html", Path("injection.html"), "ok", **injection),
    ]
    return cases


def write_hostile_files(folder: Path) -> list[str]:
    """Write the files of every case into `folder`; return why any case cannot be run here."""
    folder.mkdir(parents=True, exist_ok=True)
    _write_files(folder)
    return [] if shutil.which("qpdf") else ["qpdf"]


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    missing_tools = write_hostile_files(Path(argv[0]))
    for case in hostile_cases():
        print(f"{case.id:32} {case.expect:7} {case.path}")
    for tool in missing_tools:
        print(f"not written: cases that need {tool} (apt-get install {tool})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
