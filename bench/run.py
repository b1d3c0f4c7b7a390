"""Benchmark policy-review on this machine against the floor of necessary work, in one run.

    OMP_THREAD_LIMIT=1 python3 bench/run.py [--docs 200] [--jobs 2] [--rounds 2] [--profile]
                                            [--workload all|synthetic|real]

Builds its workload once (cached in bench/out/, gitignored): directive text taken from the real
and sample PDFs with poppler's pdftotext, laid out as Word files with python-docx and printed to
PDF by LibreOffice (`soffice --headless --convert-to pdf`). Then measures cold start, warm time
per document, batch throughput and per-worker memory, OCR time per scanned page, and the floor:
raw pypdfium2 text extraction plus a blank-English spaCy sentencizer over the same batch files
with the same worker count, alternating with the batch (`--rounds`, fastest of each kept). Prints
a markdown table; the batch/floor ratio survives a noisy machine better than seconds do.

The real workload is the agency PDFs in ../shared/corpus/real and ../shared/corpus/manuals (a
672-page manual among them), batched the same way against the same floor; the manual alone
through `policy-review analyze` (CPU, wall and peak memory); and the scanned sample directive
against a floor that also runs Tesseract on its pages, as necessary work. Without ../shared the
real batch and the manual are skipped, and the table says so.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = REPO_ROOT / "bench" / "out"
WORKLOAD_DIR = OUT_DIR / "workload"
BATCH_DIR = WORKLOAD_DIR / "batch"
SINGLE_DIR = WORKLOAD_DIR / "single"
SCANNED_PDF = WORKLOAD_DIR / "scanned" / "scanned-3-pages.pdf"
WORKLOAD_VERSION = "2"
"""Bump to rebuild the cached workload when the way it is generated changes."""
SHARED_CORPUS = REPO_ROOT.parent / "shared" / "corpus"
TEXT_SOURCES = (SHARED_CORPUS / "real", REPO_ROOT / "sample_policies")
REAL_SOURCES = (SHARED_CORPUS / "real", SHARED_CORPUS / "manuals")
SCANNED_SAMPLE = REPO_ROOT / "sample_policies" / "millbrook-village-pd-missing-persons-scanned.pdf"
ONE_PAGE_PDF = OUT_DIR / "directive-1p.pdf"
FLOOR_MIN_TEXT_CHARS = 8
"""A page with fewer letters or digits than this has no text layer: the floor OCRs it."""
SEED = 5
SINGLE_PAGES = (5, 30, 100)
BATCH_PAGES = (5, 30)
DEFAULT_BATCH_DOCS = 200
DEFAULT_JOBS = 2
COLD_RUNS = 5
BATCH_ROUNDS = 2
"""The batch and the floor run alternately this many times and the fastest of each counts, so a
burst of load from elsewhere on a shared machine does not decide the ratio."""
WARM_RUNS = 3
SCANNED_PAGES = 3
SCAN_DPI = 200
CALIBRATION_PARAGRAPHS = 120
MIN_PARAGRAPH_CHARS = 60
MIN_LETTER_SHARE = 0.6
"""Skips ruled lines and form boxes that pdftotext turns into underscores."""

TARGETS = {
    "warm_30_pdf_s": 0.3,
    "cold_analyze_s": 1.5,
    "cold_one_page_s": 0.8,
    "manual_floor_ratio": 2.5,
    "manual_rss_mb": 350.0,
    "batch_s": 60.0,
    "batch_floor_ratio": 3.0,
    "worker_rss_mb": 500.0,
    "ocr_s_per_page": 2.0,
}

AGENCIES = (
    "Riverbend Police Department",
    "Marlow County Sheriff's Office",
    "Tri-County Regional 911 Authority",
    "Lakeview Police Department",
    "State University Police Dispatch",
    "Harbor City Police Department",
)


# --- workload -------------------------------------------------------------------------------


def _soffice() -> str:
    path = shutil.which("soffice") or shutil.which("libreoffice")
    if path is None:
        sys.exit("bench: LibreOffice (soffice) is needed to build the PDF workload")
    return path


def _paragraph_pool() -> list[str]:
    """Real directive paragraphs, via pdftotext (independent of policy_review's extractor)."""
    if shutil.which("pdftotext") is None:
        sys.exit("bench: poppler-utils (pdftotext) is needed to read the source directives")
    pool: list[str] = []
    for folder in TEXT_SOURCES:
        for pdf in sorted(folder.glob("*.pdf")):
            text = subprocess.run(
                ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=False
            ).stdout
            for block in re.split(r"\n\s*\n", text):
                paragraph = " ".join(block.split())
                letters = sum(char.isalpha() for char in paragraph)
                if len(paragraph) >= MIN_PARAGRAPH_CHARS and letters >= MIN_LETTER_SHARE * len(
                    paragraph
                ):
                    pool.append(paragraph)
    if not pool:
        sys.exit(f"bench: no source PDFs found in {', '.join(map(str, TEXT_SOURCES))}")
    return pool


def _write_docx(path: Path, paragraphs: list[str], agency: str) -> None:
    import docx

    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = f"{agency} - General Order 41.2"
    document.add_heading(f"{agency}: Missing and Abducted Children", level=1)
    for number, paragraph in enumerate(paragraphs):
        if number % 6 == 0:
            document.add_heading(f"{_roman(number // 6 + 1)}. {paragraph[:48].title()}", level=2)
        document.add_paragraph(paragraph)
    document.save(str(path))


def _roman(number: int) -> str:
    numerals = ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
    out = ""
    for value, letter in numerals:
        while number >= value:
            out += letter
            number -= value
    return out


def _to_pdf(docx_files: list[Path], outdir: Path) -> None:
    """One soffice call for many files, with a private profile (parallel runs would clash)."""
    with tempfile.TemporaryDirectory() as profile:
        for start in range(0, len(docx_files), 50):
            subprocess.run(
                [
                    _soffice(),
                    f"-env:UserInstallation={Path(profile).as_uri()}",
                    "--headless",
                    "--convert-to",
                    "pdf",
                    "--outdir",
                    str(outdir),
                    *map(str, docx_files[start : start + 50]),
                ],
                capture_output=True,
                check=True,
            )


def _page_count(pdf: Path) -> int:
    import pypdfium2

    document = pypdfium2.PdfDocument(str(pdf))
    try:
        return len(document)
    finally:
        document.close()


def _sample(pool: list[str], rng: random.Random, count: int) -> list[str]:
    return [pool[rng.randrange(len(pool))] for _ in range(count)]


def _calibrate(pool: list[str], work: Path) -> float:
    """Paragraphs per page, measured by printing a sample once."""
    rng = random.Random(SEED)
    sample = work / "calibration.docx"
    _write_docx(sample, _sample(pool, rng, CALIBRATION_PARAGRAPHS), AGENCIES[0])
    _to_pdf([sample], work)
    pages = _page_count(work / "calibration.pdf")
    return CALIBRATION_PARAGRAPHS / pages


def build_workload(batch_docs: int) -> None:
    """Create (or reuse) the single documents, the batch folder and the scanned PDF."""
    stamp = WORKLOAD_DIR / "stamp.json"
    wanted = {"version": WORKLOAD_VERSION, "batch_docs": batch_docs}
    if stamp.exists():
        built = json.loads(stamp.read_text())
        if built["version"] == WORKLOAD_VERSION and built["batch_docs"] >= batch_docs:
            return
    shutil.rmtree(WORKLOAD_DIR, ignore_errors=True)
    for folder in (SINGLE_DIR, BATCH_DIR, SCANNED_PDF.parent, WORKLOAD_DIR / "docx"):
        folder.mkdir(parents=True)
    pool = _paragraph_pool()
    per_page = _calibrate(pool, WORKLOAD_DIR)
    rng = random.Random(SEED)
    print(f"building workload: {per_page:.1f} paragraphs per page", file=sys.stderr)

    singles = []
    for pages in SINGLE_PAGES:
        path = SINGLE_DIR / f"directive-{pages}p.docx"
        _write_docx(path, _sample(pool, rng, round(pages * per_page)), AGENCIES[pages % 6])
        singles.append(path)
    _to_pdf(singles, SINGLE_DIR)

    batch_docx = []
    for number in range(batch_docs):
        pages = rng.randint(*BATCH_PAGES)
        path = WORKLOAD_DIR / "docx" / f"submission-{number:03d}.docx"
        agency = AGENCIES[number % len(AGENCIES)]
        _write_docx(path, _sample(pool, rng, round(pages * per_page)), agency)
        batch_docx.append(path)
    _to_pdf(batch_docx, BATCH_DIR)

    _build_scanned(SINGLE_DIR / f"directive-{SINGLE_PAGES[0]}p.pdf", SCANNED_PDF)
    stamp.write_text(json.dumps(wanted))


def _build_scanned(source: Path, target: Path) -> None:
    """Image-only pages, as a scanner makes them: pdftoppm renders, Pillow wraps them in a PDF."""
    from PIL import Image

    with tempfile.TemporaryDirectory() as work:
        subprocess.run(
            ["pdftoppm", "-r", str(SCAN_DPI), "-gray", "-l", str(SCANNED_PAGES), str(source)]
            + [str(Path(work) / "page")],
            check=True,
        )
        images = [Image.open(page) for page in sorted(Path(work).glob("page*.pgm"))]
        images[0].save(target, "PDF", resolution=SCAN_DPI, save_all=True, append_images=images[1:])


# --- probes (run in a fresh interpreter, so imports and memory are measured honestly) ------


def probe_batch(src: Path, out: Path, jobs: int) -> dict:
    from policy_review.batch import BatchOptions, run_batch

    started = time.perf_counter()
    result = run_batch(src, out, BatchOptions(jobs=jobs, force=True, timeout_s=300))
    return {
        "seconds": time.perf_counter() - started,
        "analysed": result.analysed,
        "failed": result.failed,
        "errors": sorted({row.error for row in result.rows if not row.ok})[:3],
        "cpu_s": _cpu_seconds(),
        "worker_maxrss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "parent_maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


_FLOOR_NLP = None


def _floor_setup() -> None:
    """In the parent before the workers fork, as the batch does: spaCy is imported and the
    pipeline built once, not once per worker (which would flatter the ratio)."""
    global _FLOOR_NLP
    import pypdfium2  # noqa: F401

    from policy_review.spacy_lean import spacy

    _FLOOR_NLP = spacy.blank("en")
    _FLOOR_NLP.add_pipe("sentencizer")
    _FLOOR_NLP.max_length = 10**8


def _floor_page_text(page) -> str:
    text = page.get_textpage().get_text_range()
    if sum(char.isalnum() for char in text) >= FLOOR_MIN_TEXT_CHARS:
        return text
    # A scanned page: its necessary work is one Tesseract run at the analyser's resolution.
    from policy_review.extract.ocr import OCR_CONFIG, OCR_DPI, OCR_LANGUAGE, POINTS_PER_INCH

    image = page.render(scale=OCR_DPI / POINTS_PER_INCH, grayscale=True).to_pil()
    with tempfile.TemporaryDirectory() as work:
        image_path = Path(work) / "page.png"
        image.save(image_path)
        return subprocess.run(
            ["tesseract", str(image_path), "stdout", "-l", OCR_LANGUAGE, *OCR_CONFIG],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "OMP_THREAD_LIMIT": "1"},
        ).stdout


def _floor_one(path: str) -> int:
    import pypdfium2

    document = pypdfium2.PdfDocument(path)
    try:
        text = "\n".join(_floor_page_text(page) for page in document)
    finally:
        document.close()
    return sum(1 for _ in _FLOOR_NLP(text).sents)


def probe_floor(src: Path, jobs: int) -> dict:
    import multiprocessing

    files = sorted(str(path) for path in src.glob("*.pdf"))
    started = time.perf_counter()
    _floor_setup()
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        sentences = sum(pool.imap_unordered(_floor_one, files, chunksize=1))
    return {
        "seconds": time.perf_counter() - started,
        "cpu_s": _cpu_seconds(),
        "sentences": sentences,
    }


def _cpu_seconds() -> float:
    """CPU time of this probe and its workers, imports included: steady on a busy machine."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def _run_probe(*args: str) -> tuple[dict, float]:
    """Run this file as a child probe; returns its JSON and the wall time including start-up."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, __file__, *args],
        capture_output=True,
        text=True,
        check=True,
        env=_env(),
    )
    return json.loads(done.stdout), time.perf_counter() - started


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO_ROOT), "OMP_THREAD_LIMIT": "1"}


# --- measurements ---------------------------------------------------------------------------


def probe_analyze(path: Path) -> dict:
    """One `policy-review analyze` in this fresh interpreter: imports, setup and OCR included."""
    import contextlib

    from policy_review.cli import main as cli_main

    with tempfile.TemporaryDirectory() as work, contextlib.redirect_stdout(sys.stderr):
        started = time.perf_counter()
        code = cli_main(["analyze", str(path), "--format", "json", "-o", f"{work}/report.json"])
    return {
        "seconds": time.perf_counter() - started,
        "exit_code": code,
        "cpu_s": _cpu_seconds(),
        "maxrss_mb": max(
            resource.getrusage(who).ru_maxrss / 1024
            for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
        ),
    }


def measure_cold(document: Path) -> tuple[float, float]:
    """Median wall seconds and least CPU seconds of `COLD_RUNS` subprocess runs."""
    walls, cpus = [], []
    with tempfile.TemporaryDirectory() as work:
        for _ in range(COLD_RUNS):
            cpu_before = _children_cpu()
            started = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "policy_review", "analyze", str(document)]
                + ["-o", str(Path(work) / "report.html")],
                check=True,
                capture_output=True,
                env=_env(),
                cwd=work,
            )
            walls.append(time.perf_counter() - started)
            cpus.append(_children_cpu() - cpu_before)
    return statistics.median(walls), min(cpus)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _one_page_pdf() -> Path:
    """The first page of the 5-page synthetic directive, for the cold start of a small input."""
    if not ONE_PAGE_PDF.exists():
        import pypdfium2

        source = pypdfium2.PdfDocument(str(SINGLE_DIR / f"directive-{SINGLE_PAGES[0]}p.pdf"))
        target = pypdfium2.PdfDocument.new()
        target.import_pages(source, [0])
        target.save(str(ONE_PAGE_PDF))
    return ONE_PAGE_PDF


def batch_against_floor(files: list[Path], jobs: int, rounds: int) -> dict:
    """The batch and the floor over copies of `files`, alternately `rounds` times."""
    with tempfile.TemporaryDirectory() as work:
        src, out = Path(work) / "batch", Path(work) / "out"
        src.mkdir()
        for path in files:
            shutil.copyfile(path, src / path.name)
        batches, floors = [], []
        for _ in range(max(1, rounds)):
            batches.append(_run_probe("--probe-batch", str(src), str(out), str(jobs)))
            floors.append(_run_probe("--probe-floor", str(src), str(jobs)))
    batch, batch_wall = min(batches, key=lambda run: run[1])
    floor, floor_wall = min(floors, key=lambda run: run[1])
    return {
        "batch": batch,
        "batch_wall": batch_wall,
        "floor": floor,
        "floor_wall": floor_wall,
        "batch_cpu": min(run[0]["cpu_s"] for run in batches),
        "floor_cpu": min(run[0]["cpu_s"] for run in floors),
        "cpu_ratios": sorted(
            b[0]["cpu_s"] / f[0]["cpu_s"] for b, f in zip(batches, floors, strict=True)
        ),
        "rounds": f"fastest of {len(batches)} alternating runs",
    }


def analyze_against_floor(path: Path, rounds: int) -> dict:
    """`policy-review analyze` of one document against a one-worker floor, alternately."""
    with tempfile.TemporaryDirectory() as work:
        src = Path(work)
        shutil.copyfile(path, src / path.name)
        analyses, floors = [], []
        for _ in range(max(1, rounds)):
            analyses.append(_run_probe("--probe-analyze", str(src / path.name)))
            floors.append(_run_probe("--probe-floor", str(src), "1"))
    return {
        "cpu": min(run[0]["cpu_s"] for run in analyses),
        "wall": min(run[1] for run in analyses),
        "floor_cpu": min(run[0]["cpu_s"] for run in floors),
        "floor_wall": min(run[1] for run in floors),
        "maxrss_mb": min(run[0]["maxrss_mb"] for run in analyses),
        "exit_codes": sorted({run[0]["exit_code"] for run in analyses}),
    }


def real_documents() -> list[Path]:
    """The real workload's text-layer PDFs, or none when ../shared is not there. The scanned
    sample is measured on its own: OCR is most of its cost and of its floor's, and mixed into
    the batch it would dilute the ratio of everything else."""
    return sorted(path for folder in REAL_SOURCES for path in folder.glob("*.pdf"))


def measure_warm(documents: list[Path]) -> dict[str, dict[str, float]]:
    """Median extract/review/render seconds per document, in this process after a warm-up."""
    from policy_review.extract import load_document
    from policy_review.render import render_html, render_json
    from policy_review.review import review

    def analyse(path: Path) -> tuple[float, float, float, int | None]:
        started = time.perf_counter()
        document = load_document(path)
        extracted = time.perf_counter()
        report = review(document)
        reviewed = time.perf_counter()
        render_html(report)
        render_json(report)
        return (
            extracted - started,
            reviewed - extracted,
            time.perf_counter() - reviewed,
            document.page_count,
        )

    analyse(documents[0])
    results = {}
    for path in documents:
        runs = [analyse(path) for _ in range(WARM_RUNS)]
        extract_s = statistics.median(r[0] for r in runs)
        review_s = statistics.median(r[1] for r in runs)
        render_s = statistics.median(r[2] for r in runs)
        results[path.name] = {
            "pages": runs[0][3],
            "extract_s": extract_s,
            "review_s": review_s,
            "render_s": render_s,
            "total_s": statistics.median(sum(r[:3]) for r in runs),
        }
    return results


def measure_ocr(path: Path) -> tuple[float, int]:
    from policy_review.extract import load_document

    started = time.perf_counter()
    document = load_document(path)
    return (time.perf_counter() - started) / SCANNED_PAGES, len(document.ocr_pages)


def profile_warm(path: Path) -> str:
    """Where warm time goes on one document (pyinstrument: `pip install pyinstrument`)."""
    from pyinstrument import Profiler

    from policy_review.extract import load_document
    from policy_review.render import render_html, render_json
    from policy_review.review import review

    def analyse() -> None:
        report = review(load_document(path))
        render_html(report)
        render_json(report)

    analyse()
    profiler = Profiler(interval=0.0005)
    with profiler:
        for _ in range(WARM_RUNS):
            analyse()
    return profiler.output_text(unicode=False, color=False, show_all=False)


def _row(metric: str, value: float, unit: str, target_key: str | None, note: str = "") -> str:
    if target_key is None:
        return f"| {metric} | {value:.3g} {unit} | | {note} |"
    target = TARGETS[target_key]
    verdict = "ok" if value <= target else "MISSED"
    return f"| {metric} | {value:.3g} {unit} | <= {target:g} {unit}: {verdict} | {note} |"


def _batch_rows(label: str, figures: dict, pages: list[int], jobs: int, target: bool) -> list:
    batch, rounds = figures["batch"], figures["rounds"]
    wall, floor_wall = figures["batch_wall"], figures["floor_wall"]
    cpu, floor_cpu = figures["batch_cpu"], figures["floor_cpu"]
    spread = ", ".join(f"{ratio:.2f}" for ratio in figures["cpu_ratios"])
    rows = [
        _row(
            f"{label}: batch of {len(pages)} documents, wall",
            wall,
            "s",
            "batch_s" if target else None,
            f"{batch['analysed']} analysed, {batch['failed']} failed; "
            f"{len(pages) / wall:.1f} docs/s, {sum(pages) / wall:.0f} pages/s",
        ),
        _row(
            f"{label}: floor (pypdfium2 text + spaCy sentencizer), wall",
            floor_wall,
            "s",
            None,
            f"same files, {jobs} workers; {rounds}",
        ),
        _row(
            f"{label}: batch / floor, wall time",
            wall / floor_wall,
            "x",
            "batch_floor_ratio",
            f"{rounds}; in-process: {batch['seconds']:.1f} s / {figures['floor']['seconds']:.1f} s",
        ),
        _row(
            f"{label}: batch / floor, CPU time",
            cpu / floor_cpu,
            "x",
            "batch_floor_ratio",
            f"{cpu:.1f} s / {floor_cpu:.1f} s CPU, least of each; per round: {spread}",
        ),
        _row(
            f"{label}: peak RSS per batch worker",
            batch["worker_maxrss_mb"],
            "MB",
            "worker_rss_mb",
            f"parent {batch['parent_maxrss_mb']:.0f} MB",
        ),
    ]
    if batch["errors"]:
        rows.append(f"| {label}: batch errors (first few) | {batch['errors']} | | |")
    return rows


def _real_rows(files: list[Path], jobs: int, rounds: int) -> list[str]:
    rows = [_scanned_row(rounds)]
    if not files:
        return [f"| real workload | skipped | | {SHARED_CORPUS} not found |", *rows]
    pages = [_page_count(path) for path in files]
    rows = _batch_rows("real", batch_against_floor(files, jobs, rounds), pages, jobs, False) + rows
    manual = max((path for path in files if path.parent == REAL_SOURCES[-1]), key=_page_count)
    solo = analyze_against_floor(manual, rounds)
    label = f"manual ({_page_count(manual)} pages) `analyze`"
    return rows + [
        _row(
            f"{label} / floor, CPU time",
            solo["cpu"] / solo["floor_cpu"],
            "x",
            "manual_floor_ratio",
            f"{solo['cpu']:.1f} s / {solo['floor_cpu']:.1f} s CPU; wall {solo['wall']:.1f} s / "
            f"{solo['floor_wall']:.1f} s; exit {solo['exit_codes']}; least of {rounds}",
        ),
        _row(f"{label}, peak RSS", solo["maxrss_mb"], "MB", "manual_rss_mb", "whole process"),
    ]


def _scanned_row(rounds: int) -> str:
    scan = analyze_against_floor(SCANNED_SAMPLE, rounds)
    return _row(
        f"scanned sample ({_page_count(SCANNED_SAMPLE)} pages, OCR) `analyze` / floor, CPU",
        scan["cpu"] / scan["floor_cpu"],
        "x",
        None,
        f"{scan['cpu']:.1f} s / {scan['floor_cpu']:.1f} s CPU (floor: render, Tesseract, "
        f"sentencizer); wall {scan['wall']:.1f} s / {scan['floor_wall']:.1f} s",
    )


def _synthetic_rows(args) -> tuple[list[str], str]:
    build_workload(max(args.docs, DEFAULT_BATCH_DOCS))
    singles = [
        SINGLE_DIR / f"directive-{pages}p.{ext}"
        for ext in ("pdf", "docx")
        for pages in SINGLE_PAGES
    ]
    batch_files = sorted(BATCH_DIR.glob("*.pdf"))[: args.docs]
    batch_pages = [_page_count(path) for path in batch_files]
    cold, cold_cpu = measure_cold(SINGLE_DIR / "directive-30p.pdf")
    one_page, one_page_cpu = measure_cold(_one_page_pdf())
    warm = measure_warm(singles)
    ocr_per_page, ocr_pages = measure_ocr(SCANNED_PDF)
    figures = batch_against_floor(batch_files, args.jobs, args.rounds)
    rows = [
        _row(
            "cold `policy-review analyze` (30-page PDF)",
            cold,
            "s",
            "cold_analyze_s",
            f"median of {COLD_RUNS} subprocess runs; least CPU {cold_cpu:.2f} s",
        ),
        _row(
            "cold `policy-review analyze` (1-page PDF)",
            one_page,
            "s",
            "cold_one_page_s",
            f"median of {COLD_RUNS} subprocess runs; least CPU {one_page_cpu:.2f} s",
        ),
    ]
    pdf_pages = {Path(n).stem: f["pages"] for n, f in warm.items() if n.endswith(".pdf")}
    for name, figures_one in warm.items():
        pages = figures_one["pages"] or f"{pdf_pages[Path(name).stem]} as PDF"
        rows.append(
            _row(
                f"warm {name} ({pages} pages)",
                figures_one["total_s"],
                "s",
                "warm_30_pdf_s" if name == "directive-30p.pdf" else None,
                f"extract {figures_one['extract_s']:.3f} + review {figures_one['review_s']:.3f} "
                f"+ render {figures_one['render_s']:.3f}",
            )
        )
    rows += _batch_rows(
        "synthetic",
        figures,
        batch_pages,
        args.jobs,
        len(batch_pages) >= DEFAULT_BATCH_DOCS,
    )
    rows.append(
        _row(
            "OCR per scanned page",
            ocr_per_page,
            "s",
            "ocr_s_per_page",
            f"{ocr_pages}/{SCANNED_PAGES} pages, {SCAN_DPI}-dpi scans, OMP_THREAD_LIMIT=1",
        )
    )
    title = (
        f"synthetic batch of {len(batch_pages)} PDFs ({min(batch_pages)}-{max(batch_pages)} "
        f"pages, {sum(batch_pages)} pages in all)"
    )
    return rows, title


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=DEFAULT_BATCH_DOCS, help="batch size")
    parser.add_argument("--jobs", type=int, default=DEFAULT_JOBS, help="batch worker processes")
    parser.add_argument("--profile", action="store_true", help="pyinstrument on a 30-page PDF")
    parser.add_argument(
        "--rounds", type=int, default=BATCH_ROUNDS, help="alternating batch/floor runs"
    )
    parser.add_argument(
        "--workload", choices=("all", "synthetic", "real"), default="all", help="what to measure"
    )
    parser.add_argument(
        "--probe-batch", nargs=3, metavar=("SRC", "OUT", "JOBS"), help=argparse.SUPPRESS
    )
    parser.add_argument("--probe-floor", nargs=2, metavar=("SRC", "JOBS"), help=argparse.SUPPRESS)
    parser.add_argument("--probe-analyze", metavar="PATH", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.probe_batch:
        src, out, jobs = args.probe_batch
        print(json.dumps(probe_batch(Path(src), Path(out), int(jobs))))
        return 0
    if args.probe_floor:
        src, jobs = args.probe_floor
        print(json.dumps(probe_floor(Path(src), int(jobs))))
        return 0
    if args.probe_analyze:
        print(json.dumps(probe_analyze(Path(args.probe_analyze))))
        return 0

    os.environ["OMP_THREAD_LIMIT"] = "1"
    sys.path.insert(0, str(REPO_ROOT))
    rows, titles = [], []
    if args.workload in ("all", "synthetic"):
        synthetic_rows, title = _synthetic_rows(args)
        rows += synthetic_rows
        titles.append(title)
    if args.workload in ("all", "real"):
        files = real_documents()
        rows += _real_rows(files, args.jobs, args.rounds)
        if files:
            titles.append(
                f"real batch of {len(files)} PDFs ({sum(map(_page_count, files))} pages in all)"
            )
    lines = [
        f"policy-review benchmark, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, "
        f"{'; '.join(titles) or 'no workload'}, --jobs {args.jobs}",
        "",
        "| measure | result | target | note |",
        "|---|---|---|---|",
        *rows,
    ]
    print("\n".join(lines))
    if args.profile and args.workload != "real":
        print("\n```\n" + profile_warm(SINGLE_DIR / "directive-30p.pdf") + "```")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
