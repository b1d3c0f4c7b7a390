"""Benchmark policy-review on this machine against the floor of necessary work, in one run.

    OMP_THREAD_LIMIT=1 python3 bench/run.py [--docs 200] [--jobs 2] [--rounds 2] [--profile]

Builds its workload once (cached in bench/out/, gitignored): directive text taken from the real
and sample PDFs with poppler's pdftotext, laid out as Word files with python-docx and printed to
PDF by LibreOffice (`soffice --headless --convert-to pdf`). Then measures cold start, warm time
per document, batch throughput and per-worker memory, OCR time per scanned page, and the floor:
raw pypdfium2 text extraction plus a blank-English spaCy sentencizer over the same batch files
with the same worker count, alternating with the batch (`--rounds`, fastest of each kept). Prints
a markdown table; the batch/floor ratio survives a noisy machine better than seconds do.
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
TEXT_SOURCES = (
    REPO_ROOT.parent / "shared" / "corpus" / "real",
    REPO_ROOT / "sample_policies",
)
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


def _floor_init() -> None:
    global _FLOOR_NLP
    import spacy

    _FLOOR_NLP = spacy.blank("en")
    _FLOOR_NLP.add_pipe("sentencizer")
    _FLOOR_NLP.max_length = 10**8


def _floor_one(path: str) -> int:
    import pypdfium2

    document = pypdfium2.PdfDocument(path)
    try:
        text = "\n".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()
    return sum(1 for _ in _FLOOR_NLP(text).sents)


def probe_floor(src: Path, jobs: int) -> dict:
    import multiprocessing

    files = sorted(str(path) for path in src.glob("*.pdf"))
    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(jobs, initializer=_floor_init) as pool:
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


def measure_cold(document: Path) -> float:
    times = []
    with tempfile.TemporaryDirectory() as work:
        for _ in range(COLD_RUNS):
            started = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "policy_review", "analyze", str(document)]
                + ["-o", str(Path(work) / "report.html")],
                check=True,
                capture_output=True,
                env=_env(),
                cwd=work,
            )
            times.append(time.perf_counter() - started)
    return statistics.median(times)


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


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=DEFAULT_BATCH_DOCS, help="batch size")
    parser.add_argument("--jobs", type=int, default=DEFAULT_JOBS, help="batch worker processes")
    parser.add_argument("--profile", action="store_true", help="pyinstrument on a 30-page PDF")
    parser.add_argument(
        "--rounds", type=int, default=BATCH_ROUNDS, help="alternating batch/floor runs"
    )
    parser.add_argument(
        "--probe-batch", nargs=3, metavar=("SRC", "OUT", "JOBS"), help=argparse.SUPPRESS
    )
    parser.add_argument("--probe-floor", nargs=2, metavar=("SRC", "JOBS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.probe_batch:
        src, out, jobs = args.probe_batch
        print(json.dumps(probe_batch(Path(src), Path(out), int(jobs))))
        return 0
    if args.probe_floor:
        src, jobs = args.probe_floor
        print(json.dumps(probe_floor(Path(src), int(jobs))))
        return 0

    os.environ["OMP_THREAD_LIMIT"] = "1"
    sys.path.insert(0, str(REPO_ROOT))
    build_workload(max(args.docs, DEFAULT_BATCH_DOCS))
    singles = [
        SINGLE_DIR / f"directive-{pages}p.{ext}"
        for ext in ("pdf", "docx")
        for pages in SINGLE_PAGES
    ]
    batch_files = sorted(BATCH_DIR.glob("*.pdf"))[: args.docs]
    batch_pages = [_page_count(path) for path in batch_files]

    cold = measure_cold(SINGLE_DIR / "directive-30p.pdf")
    warm = measure_warm(singles)
    ocr_per_page, ocr_pages = measure_ocr(SCANNED_PDF)
    with tempfile.TemporaryDirectory() as work:
        src, out = Path(work) / "batch", Path(work) / "out"
        src.mkdir()
        for path in batch_files:
            (src / path.name).symlink_to(path)
        batches, floors = [], []
        for _ in range(max(1, args.rounds)):
            batches.append(_run_probe("--probe-batch", str(src), str(out), str(args.jobs)))
            floors.append(_run_probe("--probe-floor", str(src), str(args.jobs)))
    batch, batch_wall = min(batches, key=lambda run: run[1])
    floor, floor_wall = min(floors, key=lambda run: run[1])
    batch_cpu = min(run[0]["cpu_s"] for run in batches)
    floor_cpu = min(run[0]["cpu_s"] for run in floors)
    rounds = f"fastest of {len(batches)} alternating runs"

    lines = [
        f"policy-review benchmark, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, "
        f"batch of {len(batch_pages)} PDFs ({min(batch_pages)}-{max(batch_pages)} pages, "
        f"{sum(batch_pages)} pages in all), --jobs {args.jobs}",
        "",
        "| measure | result | target | note |",
        "|---|---|---|---|",
        _row(
            "cold `policy-review analyze` (30-page PDF)",
            cold,
            "s",
            "cold_analyze_s",
            f"median of {COLD_RUNS} subprocess runs",
        ),
    ]
    pdf_pages = {Path(n).stem: f["pages"] for n, f in warm.items() if n.endswith(".pdf")}
    for name, figures in warm.items():
        pages = figures["pages"] or f"{pdf_pages[Path(name).stem]} as PDF"
        lines.append(
            _row(
                f"warm {name} ({pages} pages)",
                figures["total_s"],
                "s",
                "warm_30_pdf_s" if name == "directive-30p.pdf" else None,
                f"extract {figures['extract_s']:.3f} + review {figures['review_s']:.3f} "
                f"+ render {figures['render_s']:.3f}",
            )
        )
    lines += [
        _row(
            f"batch of {len(batch_pages)} documents, wall",
            batch_wall,
            "s",
            "batch_s" if len(batch_pages) >= DEFAULT_BATCH_DOCS else None,
            f"{batch['analysed']} analysed, {batch['failed']} failed; "
            f"{len(batch_pages) / batch_wall:.1f} docs/s, "
            f"{sum(batch_pages) / batch_wall:.0f} pages/s",
        ),
        _row(
            "floor (pypdfium2 text + spaCy sentencizer), wall",
            floor_wall,
            "s",
            None,
            f"same files, {args.jobs} workers; {rounds}",
        ),
        _row(
            "batch / floor, wall time",
            batch_wall / floor_wall,
            "x",
            "batch_floor_ratio",
            f"{rounds}; in-process: {batch['seconds']:.1f} s / {floor['seconds']:.1f} s",
        ),
        _row(
            "batch / floor, CPU time",
            batch_cpu / floor_cpu,
            "x",
            "batch_floor_ratio",
            f"{batch_cpu:.1f} s / {floor_cpu:.1f} s CPU (steadier on a busy machine)",
        ),
        _row(
            "peak RSS per batch worker",
            batch["worker_maxrss_mb"],
            "MB",
            "worker_rss_mb",
            f"parent {batch['parent_maxrss_mb']:.0f} MB",
        ),
        _row(
            "OCR per scanned page",
            ocr_per_page,
            "s",
            "ocr_s_per_page",
            f"{ocr_pages}/{SCANNED_PAGES} pages, {SCAN_DPI}-dpi scans, OMP_THREAD_LIMIT=1",
        ),
    ]
    if batch["errors"]:
        lines.append(f"\nbatch errors (first few): {batch['errors']}")
    print("\n".join(lines))
    if args.profile:
        print("\n```\n" + profile_warm(SINGLE_DIR / "directive-30p.pdf") + "```")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
