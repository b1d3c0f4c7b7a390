"""Command line: the only module that reads argv, prints, writes files and exits."""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import math
import sys
from collections.abc import Sequence
from pathlib import Path

from policy_review import __version__
from policy_review.errors import PolicyReviewError
from policy_review.extract.source import (
    DEFAULT_DOCUMENT_TIMEOUT_S,
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_CHARS,
    DEFAULT_MAX_PAGES,
    terminal_safe,
)
from policy_review.phrasing import counted

EXIT_OK = 0
EXIT_USAGE = 2
MAX_INTERNAL_ERROR_CHARS = 300


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as one line and exit code 2, like every other error."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise PolicyReviewError(f"{message} (see '{self.prog} --help')")


def _add_limits(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--max-pages",
        type=int,
        default=DEFAULT_MAX_PAGES,
        help=f"refuse documents with more pages (default {DEFAULT_MAX_PAGES})",
    )
    parser.add_argument(
        "--max-bytes",
        type=int,
        default=DEFAULT_MAX_BYTES,
        help=f"refuse larger files or unpacked Word content (default {DEFAULT_MAX_BYTES})",
    )
    parser.add_argument(
        "--max-chars",
        type=int,
        default=DEFAULT_MAX_CHARS,
        help=f"refuse documents with more characters of text (default {DEFAULT_MAX_CHARS})",
    )
    parser.add_argument(
        "--no-ocr", action="store_true", help="never run Tesseract on scanned pages"
    )


def _add_timeout(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_DOCUMENT_TIMEOUT_S,
        help=f"seconds allowed per document (default {DEFAULT_DOCUMENT_TIMEOUT_S:g})",
    )


def _add_analysis(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--checklist",
        action="append",
        metavar="ID|PATH",
        help="checklist id or YAML file (repeatable); default: chosen from the text",
    )
    parser.add_argument("--template-dir", type=Path, help="use templates from this directory")
    _add_limits(parser)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="policy-review",
        description="Check a missing-child directive against NCMEC MKRP policy elements.",
    )
    parser.add_argument("--version", action="version", version=f"policy-review {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    analyze = commands.add_parser("analyze", help="analyse one directive and write a report")
    analyze.add_argument("path", type=Path)
    analyze.add_argument("--format", choices=("html", "json"), default="html")
    analyze.add_argument(
        "-o", "--output", help="output file, an existing folder, or - for standard output"
    )
    analyze.add_argument(
        "--decisions", type=Path, help="reviewer decisions exported from an HTML report"
    )
    _add_timeout(analyze)
    _add_analysis(analyze)

    extract = commands.add_parser("extract", help="show exactly what the analyser reads")
    extract.add_argument("path", type=Path)
    extract.add_argument("--format", choices=("text", "json"), default="text")
    _add_limits(extract)

    batch = commands.add_parser("batch", help="analyse every directive under a folder")
    batch.add_argument("directory", type=Path)
    batch.add_argument("-o", "--output", type=Path, required=True, help="output folder")
    batch.add_argument("--jobs", type=int, default=0, help="worker processes (default: all cores)")
    batch.add_argument("--force", action="store_true", help="redo documents already analysed")
    batch.add_argument("--quiet", action="store_true", help="no progress bar")
    _add_timeout(batch)
    batch.add_argument(
        "--checklists-csv",
        type=Path,
        metavar="FILE",
        help="per-file checklists: CSV with file and checklists columns "
        "(default: checklists.csv in DIRECTORY, if any)",
    )
    batch.add_argument(
        "--decisions",
        type=Path,
        metavar="DIR",
        help="folder of decisions files exported from the reports; adds a decisions column",
    )
    _add_analysis(batch)

    annotate = commands.add_parser(
        "annotate", help="write the review into a copy of a .docx (comments) or .pdf (highlights)"
    )
    annotate.add_argument("path", type=Path)
    annotate.add_argument(
        "-o", "--output", type=Path, help="annotated copy (default: <stem>.annotated.<ext>)"
    )
    annotate.add_argument(
        "--decisions", type=Path, help="reviewer decisions exported from an HTML report"
    )
    _add_analysis(annotate)

    letter = commands.add_parser(
        "letter", help="write the reviewer's determination letter (.docx, optionally PDF)"
    )
    letter.add_argument("source", type=Path, help="a JSON report (report@1) or a directive file")
    letter.add_argument("-o", "--output", type=Path, required=True, help="the letter (.docx)")
    letter.add_argument("--decisions", type=Path, help="reviewer decisions; they override")
    letter.add_argument("--agency", default="", help="the agency's name")
    letter.add_argument("--reviewer", default="", help="the reviewer's name for the signature")
    letter.add_argument("--date", default="", help="letter date (default: today)")
    letter.add_argument("--template", type=Path, help="a .docx to write the letter on")
    letter.add_argument("--pdf", action="store_true", help="also write a PDF (LibreOffice)")
    _add_analysis(letter)

    commands.add_parser("checklists", help="list the available checklists")

    evaluate = commands.add_parser("evaluate", help="measure accuracy against labelled documents")
    evaluate.add_argument("directories", type=Path, nargs="+")
    evaluate.add_argument("--format", choices=("text", "json"), default="text")
    evaluate.add_argument("--no-ocr", action="store_true", help="never run Tesseract")
    evaluate.add_argument(
        "--fit-confidence",
        type=Path,
        metavar="PATH",
        help="fit the confidence table on these labelled sets and write it to PATH (JSON)",
    )
    evaluate.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="GLOB",
        help="leave out labelled documents whose file name matches GLOB (repeatable): "
        "held-out documents must stay out of a fit",
    )
    evaluate.add_argument(
        "--unfamiliar",
        action="append",
        default=[],
        metavar="GLOB",
        help="labelled documents whose file name matches GLOB (repeatable) are in wording the "
        "cues were not tuned on: the confidence fit reads that as a feature",
    )

    compare = commands.add_parser("compare", help="compare two versions element by element")
    compare.add_argument("old", type=Path, help="old version: a document or a JSON report")
    compare.add_argument("new", type=Path, help="new version: a document or a JSON report")
    compare.add_argument("--format", choices=("html", "json"), default="html")
    compare.add_argument("-o", "--output", help="output file, or - for standard output")
    _add_analysis(compare)

    training = commands.add_parser("training", help="check a training roster against MKRP rules")
    training.add_argument("roster", type=Path, help="CSV or XLSX roster")
    training.add_argument("--format", choices=("html", "json", "csv"), default="html")
    training.add_argument("-o", "--output", help="output file, or - for standard output")
    _add_training(training)

    readiness = commands.add_parser(
        "readiness", help="policy verdict and training verdict side by side"
    )
    readiness.add_argument("--policy", type=Path, required=True, help="the agency's directive")
    readiness.add_argument("--roster", type=Path, required=True, help="CSV or XLSX roster")
    readiness.add_argument("--format", choices=("html", "json"), default="html")
    readiness.add_argument("-o", "--output", help="output file, or - for standard output")
    _add_training(readiness)
    _add_analysis(readiness)

    serve = commands.add_parser("serve", help="run the review workspace (a local web app)")
    _add_database(serve)
    serve.add_argument(
        "--data-dir",
        type=Path,
        default=Path("policy-review-data"),
        help="where uploaded files are kept (default ./policy-review-data)",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, default=8765, help="port (default 8765)")
    serve.add_argument("--workers", type=int, help="analysis processes (default: half the cores)")
    serve.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_DOCUMENT_TIMEOUT_S,
        help=f"seconds allowed per document (default {DEFAULT_DOCUMENT_TIMEOUT_S:g})",
    )
    _add_limits(serve)

    user = commands.add_parser("user", help="manage review workspace accounts")
    user_commands = user.add_subparsers(dest="user_command", required=True, parser_class=_Parser)
    user_add = user_commands.add_parser("add", help="add a reviewer account")
    user_add.add_argument("name")
    user_add.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    _add_database(user_add)
    user_token = user_commands.add_parser("token", help="print a new API token for a reviewer")
    user_token.add_argument("name")
    _add_database(user_token)
    return parser


def _add_training(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--program",
        choices=("law-enforcement", "psap"),
        help="default: the program whose ranks the roster uses",
    )
    parser.add_argument("--as-of", type=_date_arg, help="judge on this date (default: today)")
    parser.add_argument("--member-since", type=_date_arg, help="the MKRP membership date")
    parser.add_argument(
        "--renewal", action="store_true", help="judge as a renewal (needs --member-since)"
    )
    parser.add_argument("--roles", type=Path, help="YAML mapping extra agency ranks to roles")


def _date_arg(text: str):
    import datetime

    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-12-31") from None


def _add_database(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        default="policy-review.db",
        metavar="PATH|URL",
        help="SQLite file (default ./policy-review.db) or a postgresql:// URL",
    )


def _limits(args: argparse.Namespace):
    from policy_review.extract import ExtractLimits

    if args.max_pages < 1 or args.max_bytes < 1 or args.max_chars < 1:
        raise PolicyReviewError("--max-pages, --max-bytes and --max-chars must be positive")
    return ExtractLimits(
        max_pages=args.max_pages,
        max_bytes=args.max_bytes,
        max_chars=args.max_chars,
        ocr=not args.no_ocr,
    )


def _timeout(args: argparse.Namespace) -> float:
    if not (math.isfinite(args.timeout) and args.timeout > 0):
        raise PolicyReviewError("--timeout must be a positive, finite number of seconds")
    return args.timeout


def _checklists(args: argparse.Namespace):
    from policy_review.checklist import load_checklist

    return tuple(load_checklist(ref) for ref in args.checklist) if args.checklist else None


def _write(text: str, output: str, *, protect: Path) -> str | None:
    """Write a report; `-` is stdout. Never overwrites the input document."""
    if output == "-":
        sys.stdout.write(text)
        return None
    target = Path(output)
    if target.exists() and protect.exists() and target.resolve() == protect.resolve():
        raise PolicyReviewError(f"refusing to overwrite the input file {protect}")
    try:
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise PolicyReviewError(f"cannot write {target}: {exc.strerror or exc}") from None
    return str(target)


def _cmd_analyze(args: argparse.Namespace) -> int:
    from policy_review.bounded import call_with_timeout

    limits, timeout_s = _limits(args), _timeout(args)
    output = args.output or "."
    if output != "-" and Path(output).is_dir():
        output = str(Path(output) / _report_file_name(args.path, args.format))
    text, warnings, summary = call_with_timeout(_analysis, timeout_s, args, limits, output)
    written = _write(text, output, protect=args.path)
    # Warnings only once the report exists, so a failure is still exactly one line.
    for warning in warnings:
        print(f"warning: {terminal_safe(warning)}", file=sys.stderr)
    if written:
        print(f"{terminal_safe(written)}: {summary}", file=sys.stderr)
    return EXIT_OK


def _analysis(args: argparse.Namespace, limits, output: str) -> tuple[str, tuple[str, ...], str]:
    """The report to write to `output`, the extraction warnings and a one-line summary (run in
    a child process that `--timeout` kills)."""
    from policy_review.extract import load_document

    # Read the document before importing the matcher and renderer: a bad file fails in a blink.
    document = load_document(args.path, limits=limits)

    # Importing spaCy leaves millions of objects that live as long as the process: collecting
    # while they are created finds nothing to free (~50 ms of a 1 s cold start), and freezing
    # them keeps the collector's full passes while checklists and matchers load from walking
    # them all again (another ~50 ms). Process-wide, so it belongs here, not in the library.
    gc.disable()
    from policy_review.render import load_decisions, render_html, render_json
    from policy_review.review import review

    gc.freeze()
    gc.enable()

    checklists = _checklists(args)
    decisions = load_decisions(args.decisions) if args.decisions else None
    report = review(document, checklists)
    if args.format == "json":
        text = render_json(report)
    else:
        from policy_review.triage import queue_links_for

        queue = None if output == "-" else queue_links_for(Path(output))
        text = render_html(report, template_dir=args.template_dir, decisions=decisions, queue=queue)
    from policy_review.model import DirectiveTopic

    summary = report.summary
    off_topic = report.scope is not None and report.scope.topic is DirectiveTopic.NOT_MISSING_CHILD
    return (
        text,
        document.warnings,
        f"{summary.found} found, {summary.partial} partial, {summary.missing} missing "
        f"({len(summary.critical_missing)} critical missing)"
        + ("; this does not read as a missing-child directive" if off_topic else ""),
    )


def _report_file_name(path: Path, report_format: str) -> str:
    """The same name `batch` gives this document's report (see triage.report_base)."""
    from policy_review.triage import document_siblings, report_base

    return f"{report_base(path.name, document_siblings(path))}.report.{report_format}"


def _write_bytes(data: bytes, target: Path, *, protect: Path) -> None:
    """Write a derived file; never over the input document."""
    if target.exists() and protect.exists() and target.resolve() == protect.resolve():
        raise PolicyReviewError(f"refusing to overwrite the input file {protect}; give -o")
    try:
        target.write_bytes(data)
    except OSError as exc:
        raise PolicyReviewError(f"cannot write {target}: {exc.strerror or exc}") from None


def _cmd_annotate(args: argparse.Namespace) -> int:
    from policy_review.extract import load_document, sniff_format

    kind = sniff_format(args.path) if args.path.is_file() else None
    if kind is not None and kind not in ("docx", "pdf"):
        raise PolicyReviewError(
            f"{args.path}: annotate works on .docx and .pdf files, and this is {kind}; "
            "save it as .docx or PDF and try again"
        )
    document = load_document(args.path, limits=_limits(args))
    try:
        data = args.path.read_bytes()
    except OSError as exc:
        raise PolicyReviewError(f"cannot read {args.path}: {exc.strerror or exc}") from None

    from policy_review.annotate import annotate
    from policy_review.render import load_decisions
    from policy_review.review import review

    if hashlib.sha256(data).hexdigest() != document.sha256:
        raise PolicyReviewError(f"{args.path} changed while it was being read; try again")
    gc.freeze()
    decisions = load_decisions(args.decisions) if args.decisions else None
    report = review(document, _checklists(args))
    result = annotate(data, report, decisions=decisions)
    output = args.output or Path(f"{args.path.stem}.annotated{result.suffix}")
    _write_bytes(result.data, output, protect=args.path)
    for warning in document.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    place = "on the title" if result.format == "docx" else "as margin notes"
    print(
        f"{output}: {counted(result.notes, 'note')} ({result.anchored} on their quotes, "
        f"{result.elsewhere} {place}); {counted(result.red_flags, 'red flag')}, "
        f"{counted(result.missing, 'missing element')} listed",
        file=sys.stderr,
    )
    return EXIT_OK


def _report_for_letter(args: argparse.Namespace) -> tuple[dict, str]:
    """(report@1 dictionary, document title) from a JSON report or by analysing a document."""
    from policy_review.model import SCHEMA

    if args.source.suffix.lower() == ".json":
        try:
            data = json.loads(args.source.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise PolicyReviewError(f"{args.source} does not exist") from None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc)
            raise PolicyReviewError(
                f"{args.source} is not a readable JSON report ({reason})"
            ) from None
        if not isinstance(data, dict) or data.get("schema") != SCHEMA:
            raise PolicyReviewError(
                f"{args.source} is not a {SCHEMA} report; write one with "
                "'policy-review analyze FILE --format json'"
            )
        return data, ""
    from policy_review.extract import load_document
    from policy_review.review import review

    document = load_document(args.source, limits=_limits(args))
    gc.freeze()
    title = document.title_passage.text if document.title_passage else ""
    return review(document, _checklists(args)).to_dict(), title


def _cmd_letter(args: argparse.Namespace) -> int:
    import datetime

    from policy_review.letter import build_letter, checklist_texts, convert_to_pdf, write_letter
    from policy_review.render import load_decisions

    report, title = _report_for_letter(args)
    decisions = load_decisions(args.decisions) if args.decisions else None
    letter = build_letter(
        report,
        decisions=decisions,
        agency=args.agency,
        reviewer=args.reviewer,
        date=args.date or datetime.date.today().isoformat(),
        document_title=title,
        element_texts=checklist_texts(c.get("id", "") for c in report.get("checklists", [])),
    )
    if args.output.suffix.lower() != ".docx":
        raise PolicyReviewError(f"-o {args.output}: the letter is a Word file; name it .docx")
    _write_bytes(write_letter(letter, template=args.template), args.output, protect=args.source)
    print(
        f"{args.output}: {letter.determination.value}; {len(letter.missing)} critical missing, "
        f"{len(letter.partial)} critical partial, {counted(len(letter.red_flags), 'red flag')}",
        file=sys.stderr,
    )
    if args.pdf:
        pdf = convert_to_pdf(args.output)
        if pdf is None:
            print(
                "warning: --pdf: LibreOffice (soffice) is not installed, so no PDF was written; "
                "install libreoffice-writer or print the .docx to PDF",
                file=sys.stderr,
            )
        else:
            print(f"{pdf}: PDF written with LibreOffice", file=sys.stderr)
    return EXIT_OK


def _cmd_extract(args: argparse.Namespace) -> int:
    from policy_review.extract import load_document

    document = load_document(args.path, limits=_limits(args))
    for warning in document.warnings:
        print(f"warning: {terminal_safe(warning)}", file=sys.stderr)
    if args.format == "json":
        print(json.dumps(document.to_full_dict(), indent=2, ensure_ascii=False))
        return EXIT_OK
    for passage in document.passages:
        page = "-" if passage.page is None else str(passage.page)
        section = passage.section_label or "-"
        print(f"[p{page}] [{passage.kind.value}] [{section}] {passage.text}")
    return EXIT_OK


PROGRESS_BAR_WIDTH = 24
PROGRESS_NAME_CHARS = 40


def _draw_progress(progress) -> None:
    """One progress line on stderr, redrawn in place."""
    filled = PROGRESS_BAR_WIDTH * progress.done // max(progress.total, 1)
    bar = "#" * filled + "-" * (PROGRESS_BAR_WIDTH - filled)
    line = f"[{bar}] {progress.done}/{progress.total} {progress.elapsed_s:4.0f}s"
    if progress.failed:
        line += f" ({progress.failed} failed)"
    current = terminal_safe(progress.current)
    if len(current) > PROGRESS_NAME_CHARS:
        current = "…" + current[-(PROGRESS_NAME_CHARS - 1) :]
    sys.stderr.write(f"\r\033[K{line} {current}")
    sys.stderr.flush()


def _cmd_batch(args: argparse.Namespace) -> int:
    from policy_review.batch import BatchOptions, run_batch

    if not args.directory.is_dir():
        raise PolicyReviewError(f"{args.directory} is not a folder")
    options = BatchOptions(
        checklist_refs=tuple(args.checklist or ()),
        limits=_limits(args),
        jobs=args.jobs,
        force=args.force,
        timeout_s=_timeout(args),
        template_dir=args.template_dir,
        on_progress=None if args.quiet or not sys.stderr.isatty() else _draw_progress,
        checklists_csv=args.checklists_csv,
        decisions_dir=args.decisions,
    )
    try:
        result = run_batch(args.directory, args.output, options)
    finally:
        if options.on_progress is not None:
            print(file=sys.stderr)
    for name in result.unmatched_choices:
        print(
            f"warning: the checklist choice for {terminal_safe(name)} matches no file in the batch",
            file=sys.stderr,
        )
    print(
        f"{result.analysed} analysed, {result.skipped} unchanged, {result.failed} failed, "
        f"{len(result.ignored)} not documents; "
        f"triage queue: {terminal_safe(str(result.index_path))}",
        file=sys.stderr,
    )
    return EXIT_OK


def _cmd_checklists(args: argparse.Namespace) -> int:
    from policy_review.checklist import available_checklists

    for checklist in available_checklists():
        count = len(checklist.elements)
        print(f"{checklist.id}\t{checklist.version}\t{count} elements\t{checklist.title}")
    return EXIT_OK


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from policy_review.evaluate import (
        evaluate_directories,
        fit_confidence_table,
        format_evaluation,
    )

    evaluation = evaluate_directories(
        args.directories, ocr=not args.no_ocr, exclude=args.exclude, unfamiliar=args.unfamiliar
    )
    if args.format == "json":
        print(json.dumps(evaluation.to_dict(), indent=2))
    else:
        print(format_evaluation(evaluation))
    if evaluation.failed:
        first = evaluation.failed[0]
        raise PolicyReviewError(
            f"{len(evaluation.failed)} of {len(evaluation.documents)} labelled documents could "
            f"not be analysed (first: {first.path}: {first.error})"
        )
    if args.fit_confidence:
        table = fit_confidence_table(evaluation)
        try:
            args.fit_confidence.write_text(
                json.dumps(table.to_dict(), indent=1) + "\n", encoding="utf-8"
            )
        except OSError as exc:
            raise PolicyReviewError(
                f"cannot write {args.fit_confidence}: {exc.strerror or exc}"
            ) from None
        print(f"confidence table written to {args.fit_confidence}", file=sys.stderr)
    return EXIT_OK


def _cmd_compare(args: argparse.Namespace) -> int:
    from policy_review.compare import compare_files
    from policy_review.render_compare import render_compare_html, render_compare_json

    for path in (args.old, args.new):
        if not path.is_file():
            raise PolicyReviewError(f"{path}: no such file")
    comparison = compare_files(
        args.old, args.new, checklists=_checklists(args), limits=_limits(args)
    )
    if args.format == "json":
        text = render_compare_json(comparison)
    else:
        text = render_compare_html(comparison, template_dir=args.template_dir)
    output = args.output or f"{args.new.stem}.compare.{args.format}"
    if output != "-" and Path(output).resolve() == args.old.resolve():
        raise PolicyReviewError(f"refusing to overwrite the input file {args.old}")
    written = _write(text, output, protect=args.new)
    if written:
        print(f"{terminal_safe(written)}: {comparison.sentence}", file=sys.stderr)
    return EXIT_OK


def _training_report(args: argparse.Namespace, program=None):
    import datetime

    from policy_review.training import (
        Program,
        check_training,
        load_role_map,
        load_training_rules,
        read_roster,
    )

    rules = load_training_rules()
    extra_ranks = load_role_map(args.roles, rules) if args.roles else None
    roster = read_roster(args.roster, rules)
    return check_training(
        roster,
        rules,
        program=Program(args.program) if args.program else program,
        as_of=args.as_of or datetime.date.today(),
        member_since=args.member_since,
        renewal=args.renewal,
        extra_ranks=extra_ranks,
    )


def _cmd_training(args: argparse.Namespace) -> int:
    from policy_review.render_training import (
        render_training_csv,
        render_training_html,
        render_training_json,
    )

    report = _training_report(args)
    render = {
        "html": render_training_html,
        "json": render_training_json,
        "csv": render_training_csv,
    }[args.format]
    output = args.output or f"{args.roster.stem}.training.{args.format}"
    written = _write(render(report), output, protect=args.roster)
    if written:
        print(f"{terminal_safe(written)}: {report.headline}", file=sys.stderr)
    return EXIT_OK


def _cmd_readiness(args: argparse.Namespace) -> int:
    from policy_review.checklist import load_checklist
    from policy_review.extract import load_document
    from policy_review.render_training import (
        PolicyVerdict,
        readiness_blockers,
        render_readiness_html,
        render_readiness_json,
    )
    from policy_review.review import review
    from policy_review.training import Program

    document = load_document(args.policy, limits=_limits(args))
    checklists = _checklists(args)
    report = review(document, checklists)
    applied = checklists or tuple(load_checklist(ref.id) for ref in report.checklists)
    audiences = {checklist.audience for checklist in applied}
    program = Program(audiences.pop()) if len(audiences) == 1 else None
    training = _training_report(args, program)
    policy = PolicyVerdict.of(report)
    if args.format == "json":
        text = render_readiness_json(policy, training)
    else:
        text = render_readiness_html(policy, training, template_dir=args.template_dir)
    output = args.output or f"{args.policy.stem}.readiness.{args.format}"
    written = _write(text, output, protect=args.policy)
    if written:
        blockers = readiness_blockers(policy, training)
        verdict = f"not ready to apply: {blockers}" if blockers else "ready to apply"
        print(f"{terminal_safe(written)}: {verdict}", file=sys.stderr)
    return EXIT_OK


def _cmd_serve(args: argparse.Namespace) -> int:
    from policy_review.workspace.server import ServeOptions, default_workers, prepare, run

    options = ServeOptions(
        db=args.db,
        data_dir=args.data_dir,
        host=args.host,
        port=args.port,
        workers=default_workers() if args.workers is None else args.workers,
        limits=_limits(args),
        timeout_s=args.timeout,
    )
    listener, settings = prepare(options)
    host = f"[{args.host}]" if ":" in args.host else args.host
    print(
        f"review workspace on http://{host}:{args.port}/ "
        f"(database {settings.store.description}; Ctrl+C stops it)",
        file=sys.stderr,
    )
    run(listener, settings)
    return EXIT_OK


def _cmd_user(args: argparse.Namespace) -> int:
    from policy_review.workspace import accounts
    from policy_review.workspace.server import open_store

    store = open_store(args.db)
    try:
        if args.user_command == "token":
            print(f"API token for {args.name} (shown once; send it as 'Authorization: Bearer'):")
            print(accounts.issue_token(store, args.name))
            return EXIT_OK
        if not args.password_stdin:
            raise PolicyReviewError("give the password on standard input with --password-stdin")
        password = sys.stdin.readline().rstrip("\r\n")
        user = accounts.add_user(store, args.name, password)
        print(f"added reviewer {user.name}", file=sys.stderr)
        return EXIT_OK
    finally:
        store.close()


_COMMANDS = {
    "analyze": _cmd_analyze,
    "extract": _cmd_extract,
    "batch": _cmd_batch,
    "annotate": _cmd_annotate,
    "letter": _cmd_letter,
    "checklists": _cmd_checklists,
    "evaluate": _cmd_evaluate,
    "compare": _cmd_compare,
    "training": _cmd_training,
    "readiness": _cmd_readiness,
    "serve": _cmd_serve,
    "user": _cmd_user,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; every expected failure becomes one line on stderr and exit code 2."""
    try:
        args = build_parser().parse_args(argv)
        return _COMMANDS[args.command](args)
    except PolicyReviewError as exc:
        print(f"policy-review: error: {terminal_safe(str(exc))}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("policy-review: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except MemoryError:
        print(
            "policy-review: error: out of memory; lower --max-bytes or --max-pages", file=sys.stderr
        )
        return EXIT_USAGE
    except Exception as exc:  # last resort: a bug must still be one line, never a traceback
        detail = terminal_safe(f"{type(exc).__name__}: {exc}")[:MAX_INTERNAL_ERROR_CHARS]
        print(f"policy-review: internal error: {detail}", file=sys.stderr)
        return EXIT_USAGE
