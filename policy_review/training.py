"""MKRP training check: which person must complete which NCMEC module, and who has.

Rules are data (checklists/training/mkrp-training.yaml). A roster (CSV or XLSX, one row per
person with a column per module, or one row per completion) is read into frozen `Person`s, every
problem in it is collected and raised at once, and `check_training` applies the rules exactly:
nothing about a rank, a date or a person is guessed.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import yaml

from policy_review.errors import PolicyReviewError
from policy_review.resources import bundled_dir
from policy_review.yamlfile import AliasBombError, parse_yaml

SCHEMA = "policy-review/training@1"
RULES_FILE = "mkrp-training.yaml"
ROSTER_SUFFIXES = (".csv", ".xlsx")
# Date spellings a roster may use; day-first dates are not accepted (US agencies write M/D/Y).
DATE_FORMATS = (
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%m/%d/%Y",
    "%m-%d-%Y",
    "%B %d, %Y",
    "%b %d, %Y",
    "%d %B %Y",
    "%d %b %Y",
)
TRUE_WORDS = frozenset({"yes", "y", "true", "1", "sworn", "x"})
FALSE_WORDS = frozenset({"no", "n", "false", "0", "non-sworn", "nonsworn", "civilian", ""})
# A header that looks like a course code but names no module is a mistake, not an extra column.
_COURSE_CODE = re.compile(r"^(MEC|CEO)[A-Z]{2,}$")
_NOT_WORD = re.compile(r"[^a-z0-9]+")


class TrainingError(PolicyReviewError):
    """The rules, the role map or the roster cannot be used; the message lists every problem."""


class Program(StrEnum):
    LAW_ENFORCEMENT = "law-enforcement"
    PSAP = "psap"


def normalise(text: str) -> str:
    """Ranks and headers compare without case, punctuation or extra spaces."""
    return _NOT_WORD.sub(" ", text.casefold()).strip()


# ---------------------------------------------------------------- rules


@dataclass(frozen=True, slots=True)
class Role:
    id: str
    label: str
    paths: tuple[tuple[str, ...], ...]
    executive: bool = False
    sworn_only: bool = False

    @property
    def online_path(self) -> tuple[str, ...]:
        return self.paths[0]


@dataclass(frozen=True, slots=True)
class ProgramRules:
    id: Program
    label: str
    roles: Mapping[str, Role]
    ranks: Mapping[str, tuple[str, ...]]  # normalised rank -> role ids


@dataclass(frozen=True, slots=True)
class TrainingRules:
    id: str
    version: str
    title: str
    validity_years: int
    modules: Mapping[str, str]
    programs: Mapping[Program, ProgramRules]
    columns: Mapping[str, frozenset[str]]  # field -> normalised header synonyms

    def module_order(self, modules: Iterable[str]) -> tuple[str, ...]:
        order = list(self.modules)
        return tuple(sorted(set(modules), key=order.index))


_RULE_KEYS = {"id", "version", "title", "validity_years", "modules", "programs", "columns"}
_PROGRAM_KEYS = {"label", "roles", "ranks"}
_ROLE_KEYS = {"label", "requires", "executive", "sworn_only"}
_COLUMN_FIELDS = ("name", "rank", "hired", "promoted", "sworn", "module", "completed")


def load_training_rules(path: str | Path | None = None) -> TrainingRules:
    """The bundled rules, or a user's file of the same shape; every schema problem listed."""
    path = Path(path) if path else bundled_dir("checklists") / "training" / RULES_FILE
    try:
        body = parse_yaml(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError, AliasBombError, RecursionError) as exc:
        raise TrainingError(f"{path}: cannot read training rules: {exc}") from None
    problems: list[str] = []
    if not isinstance(body, dict):
        raise TrainingError(f"{path}: training rules must be a mapping")
    problems += [f"unknown key {k!r}" for k in sorted(set(body) - _RULE_KEYS)]
    modules = body.get("modules") or {}
    programs: dict[Program, ProgramRules] = {}
    for program_id, program_body in (body.get("programs") or {}).items():
        try:
            program = Program(program_id)
        except ValueError:
            problems.append(f"unknown program {program_id!r}")
            continue
        problems += [
            f"{program_id}: unknown key {k!r}" for k in sorted(set(program_body) - _PROGRAM_KEYS)
        ]
        roles: dict[str, Role] = {}
        for role_id, role_body in (program_body.get("roles") or {}).items():
            problems += [
                f"{program_id}.{role_id}: unknown key {k!r}"
                for k in sorted(set(role_body) - _ROLE_KEYS)
            ]
            paths = tuple(tuple(p) for p in role_body.get("requires") or ())
            unknown = sorted({m for p in paths for m in p} - set(modules))
            if not paths or unknown:
                problems.append(f"{program_id}.{role_id}: requires unknown modules {unknown}")
            roles[role_id] = Role(
                id=role_id,
                label=str(role_body.get("label", role_id)),
                paths=paths,
                executive=bool(role_body.get("executive", False)),
                sworn_only=bool(role_body.get("sworn_only", False)),
            )
        ranks: dict[str, tuple[str, ...]] = {}
        for role_id, names in (program_body.get("ranks") or {}).items():
            if role_id not in roles:
                problems.append(f"{program_id}: ranks given for unknown role {role_id!r}")
            for name in names:
                ranks.setdefault(normalise(str(name)), ())
                ranks[normalise(str(name))] += (role_id,)
        programs[program] = ProgramRules(
            program, str(program_body.get("label", program_id)), roles, ranks
        )
    columns = body.get("columns") or {}
    problems += [f"columns: no synonyms for {f!r}" for f in _COLUMN_FIELDS if f not in columns]
    if problems:
        raise TrainingError(f"{path}: invalid training rules: " + "; ".join(problems))
    return TrainingRules(
        id=str(body["id"]),
        version=str(body["version"]),
        title=str(body["title"]),
        validity_years=int(body["validity_years"]),
        modules={str(k): str(v) for k, v in modules.items()},
        programs=programs,
        columns={f: frozenset(normalise(str(s)) for s in columns[f]) for f in _COLUMN_FIELDS},
    )


def load_role_map(path: str | Path, rules: TrainingRules) -> dict[str, tuple[str, ...]]:
    """`--roles MAP.yaml`: `Rank: role` or `Rank: [role, ...]`, checked against the rules."""
    path = Path(path)
    try:
        body = parse_yaml(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError, AliasBombError, RecursionError) as exc:
        raise TrainingError(f"{path}: cannot read the role map: {exc}") from None
    if not isinstance(body, dict):
        raise TrainingError(f"{path}: the role map must be 'Rank: role' lines")
    known = {role for program in rules.programs.values() for role in program.roles}
    mapping: dict[str, tuple[str, ...]] = {}
    problems = []
    for rank, roles in body.items():
        roles = (roles,) if isinstance(roles, str) else tuple(roles or ())
        bad = [r for r in roles if r not in known]
        if bad or not roles:
            problems.append(f"{rank!r}: unknown role {', '.join(map(str, bad)) or '(none)'}")
        mapping[normalise(str(rank))] = tuple(roles)
    if problems:
        raise TrainingError(
            f"{path}: " + "; ".join(problems) + f" (roles: {', '.join(sorted(known))})"
        )
    return mapping


# ---------------------------------------------------------------- roster


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    rank: str
    row: int
    done: Mapping[str, datetime.date]
    hired: datetime.date | None = None
    promoted: datetime.date | None = None
    sworn: bool | None = None


@dataclass(frozen=True, slots=True)
class Roster:
    source: str
    people: tuple[Person, ...]
    ignored_columns: tuple[str, ...] = ()
    has_dates_of_joining: bool = False
    # Bad rows found while reading; `check_training` raises them together with the rows whose
    # rank or dates break the rules, so the user sees every problem of the roster at once.
    problems: tuple[tuple[int, str], ...] = ()


def _cells(path: Path) -> Iterator[tuple[int, list[object]]]:
    """(row number as the user sees it, cell values) for every non-empty row."""
    if path.suffix.lower() == ".xlsx":
        import openpyxl

        try:
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types for a damaged file
            raise TrainingError(f"{path}: not a readable XLSX workbook ({exc})") from None
        sheet = book.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), 1):
            if any(v not in (None, "") for v in values):
                yield number, list(values)
        book.close()
        return
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise TrainingError(f"{path}: not UTF-8 text; save the roster as CSV UTF-8") from None
    for number, values in enumerate(csv.reader(io.StringIO(text, newline="")), 1):
        if any(v.strip() for v in values):
            yield number, list(values)


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def parse_date(value: object) -> datetime.date | None:
    """A cell's date, None when blank; ValueError when it holds something else."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _text(value)
    if not text:
        return None
    text = re.split(r"[T ](?=\d{1,2}:\d{2})", text)[0]
    for pattern in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


def _sworn(value: object) -> bool | None:
    text = _text(value).casefold()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return None if not text else False
    raise ValueError(text)


def _module_of(header: str, rules: TrainingRules) -> str | None:
    """The module a wide-shape column holds: its header is or contains a module code."""
    words = re.findall(r"[A-Za-z0-9]+", header.upper())
    for word in words:
        if word in rules.modules:
            return word
    return None


def read_roster(path: str | Path, rules: TrainingRules) -> Roster:
    """Read a wide or long roster; every bad row is collected and raised in one TrainingError."""
    path = Path(path)
    if not path.is_file():
        raise TrainingError(f"{path}: no such file")
    if path.suffix.lower() not in ROSTER_SUFFIXES:
        raise TrainingError(f"{path}: a roster must be .csv or .xlsx")
    rows = iter(_cells(path))
    try:
        header_row, header = next(rows)
    except StopIteration:
        raise TrainingError(f"{path}: the roster is empty") from None
    fields: dict[str, int] = {}
    module_columns: dict[int, str] = {}
    ignored: list[str] = []
    problems: list[str] = []
    row_problems: list[tuple[int, str]] = []
    for column, cell in enumerate(header):
        label = _text(cell)
        key = normalise(label)
        field_name = next((f for f, names in rules.columns.items() if key in names), None)
        module = _module_of(label, rules)
        if module:
            module_columns[column] = module
        elif field_name and field_name not in fields:
            fields[field_name] = column
        elif _COURSE_CODE.match(label.upper().replace(" ", "")):
            row_problems.append((header_row, f"unknown module {label!r}"))
        elif label:
            ignored.append(label)
    wide = bool(module_columns)
    long = "module" in fields and "completed" in fields
    for required in ("name", "rank"):
        if required not in fields:
            synonyms = ", ".join(sorted(rules.columns[required]))
            problems.append(f"row {header_row}: no {required} column (headers: {synonyms})")
    if not wide and not long:
        problems.append(
            f"row {header_row}: no module columns (MECINTRO, MECPAT, ...) and no "
            "module + completion date columns"
        )
    if problems:
        raise TrainingError(f"{path}: " + "; ".join(problems))

    def cell(values: list[object], name: str) -> object:
        column = fields.get(name)
        return values[column] if column is not None and column < len(values) else None

    people: dict[str, dict] = {}
    for number, values in rows:
        name = _text(cell(values, "name"))
        rank = _text(cell(values, "rank"))
        if not name:
            row_problems.append((number, "no name"))
            continue
        dates: dict[str, object] = {}
        for field_name in ("hired", "promoted"):
            try:
                dates[field_name] = parse_date(cell(values, field_name))
            except ValueError as exc:
                row_problems.append((number, f"bad {field_name} date {exc.args[0]!r}"))
        try:
            sworn = _sworn(cell(values, "sworn"))
        except ValueError as exc:
            row_problems.append((number, f"sworn must be yes or no, not {exc.args[0]!r}"))
            sworn = None
        completions: dict[str, datetime.date] = {}
        if wide:
            for column, module in module_columns.items():
                value = values[column] if column < len(values) else None
                try:
                    when = parse_date(value)
                except ValueError as exc:
                    row_problems.append((number, f"bad date {exc.args[0]!r} for {module}"))
                    continue
                if when:
                    completions[module] = when
        if long:
            module_text = _text(cell(values, "module"))
            module = _module_of(module_text, rules) if module_text else None
            if module_text and not module:
                row_problems.append((number, f"unknown module {module_text!r}"))
            try:
                when = parse_date(cell(values, "completed"))
            except ValueError as exc:
                row_problems.append((number, f"bad date {exc.args[0]!r}"))
            else:
                if module and when:
                    completions[module] = when
                elif module:
                    row_problems.append((number, f"{module} has no completion date"))
        key = normalise(name)
        known = people.get(key)
        if known is None:
            people[key] = {
                "name": name,
                "rank": rank,
                "row": number,
                "done": completions,
                "sworn": sworn,
                **dates,
            }
        elif wide:
            row_problems.append((number, f"duplicate person {name!r} (also row {known['row']})"))
        elif normalise(known["rank"]) != normalise(rank):
            row_problems.append(
                (
                    number,
                    f"{name!r} has rank {rank!r} here but {known['rank']!r} in row {known['row']}",
                )
            )
        else:  # long shape: a module taken again counts from its latest date
            for module, when in completions.items():
                known["done"][module] = max(when, known["done"].get(module, when))
    return Roster(
        source=str(path),
        people=tuple(
            Person(
                name=p["name"],
                rank=p["rank"],
                row=p["row"],
                done=dict(p["done"]),
                hired=p.get("hired"),
                promoted=p.get("promoted"),
                sworn=p["sworn"],
            )
            for p in people.values()
        ),
        ignored_columns=tuple(ignored),
        has_dates_of_joining="hired" in fields or "promoted" in fields,
        problems=tuple(row_problems),
    )


# ---------------------------------------------------------------- verdicts


@dataclass(frozen=True, slots=True)
class PersonVerdict:
    name: str
    rank: str
    roles: tuple[str, ...]
    required: tuple[str, ...]
    done: Mapping[str, datetime.date]
    missing: tuple[str, ...]
    expired: tuple[str, ...]
    notes: tuple[str, ...] = ()
    valid_until: datetime.date | None = None  # an executive's online courses, earliest expiry

    @property
    def ready(self) -> bool:
        return not self.missing and not self.expired

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "rank": self.rank,
            "roles": list(self.roles),
            "required": list(self.required),
            "done": {m: d.isoformat() for m, d in self.done.items()},
            "missing": list(self.missing),
            "expired": list(self.expired),
            "ready": self.ready,
            "notes": list(self.notes),
        }


@dataclass(frozen=True, slots=True)
class TrainingReport:
    source: str
    program: ProgramRules
    rules: TrainingRules
    as_of: datetime.date
    member_since: datetime.date | None
    renewal: bool
    people: tuple[PersonVerdict, ...]
    notes: tuple[str, ...] = ()
    ready_count: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "ready_count", sum(1 for p in self.people if p.ready))

    @property
    def ready(self) -> bool:
        return bool(self.people) and self.ready_count == len(self.people)

    @property
    def needs(self) -> dict[str, tuple[str, ...]]:
        """Who must take each module (missing or expired), for scheduling training."""
        by_module: dict[str, list[str]] = {}
        for person in self.people:
            for module in (*person.missing, *person.expired):
                by_module.setdefault(module, []).append(person.name)
        return {m: tuple(by_module[m]) for m in self.rules.module_order(by_module)}

    @property
    def headline(self) -> str:
        """The agency's one-line reading: '47 of 52 personnel complete; chief's ...'."""
        parts = [f"{self.ready_count} of {len(self.people)} personnel complete"]
        for person in self.people:
            executive = next(
                (self.program.roles[r] for r in person.roles if self.program.roles[r].executive),
                None,
            )
            if executive is None:
                continue
            who = f"{executive.label.split(' / ')[0]} {person.name}"
            if person.expired:
                parts.append(f"{who}'s {', '.join(person.expired)} expired")
            elif person.valid_until:
                parts.append(f"{who}'s online courses valid through {person.valid_until}")
        return "; ".join(parts)

    def to_dict(self) -> dict:
        return {
            "schema": SCHEMA,
            "rules": {"id": self.rules.id, "version": self.rules.version},
            "roster": self.source,
            "program": self.program.id.value,
            "as_of": self.as_of.isoformat(),
            "member_since": self.member_since.isoformat() if self.member_since else None,
            "renewal": self.renewal,
            "people": [p.to_dict() for p in self.people],
            "summary": {
                "people": len(self.people),
                "ready": self.ready_count,
                "not_ready": len(self.people) - self.ready_count,
                "headline": self.headline,
            },
            "needs": {m: list(names) for m, names in self.needs.items()},
            "notes": list(self.notes),
        }


def add_years(day: datetime.date, years: int) -> datetime.date:
    """The same calendar day `years` later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _program_modules(program: ProgramRules) -> frozenset[str]:
    return frozenset(m for role in program.roles.values() for path in role.paths for m in path)


def choose_program(
    roster: Roster, rules: TrainingRules, extra_ranks: Mapping[str, tuple[str, ...]]
) -> Program:
    """The program that knows most of the roster's ranks, then most of its modules only that
    program has (MECPAT is police, MECTEL is 911); a tie must be settled with --program."""
    taken = {module for person in roster.people for module in person.done}
    modules = {p.id: _program_modules(p) for p in rules.programs.values()}
    score = {}
    for program in rules.programs.values():
        others = frozenset().union(*(m for pid, m in modules.items() if pid is not program.id))
        ranks = sum(
            1
            for person in roster.people
            if normalise(person.rank) in extra_ranks or normalise(person.rank) in program.ranks
        )
        score[program.id] = (ranks, len(taken & (modules[program.id] - others)))
    best = max(score.values(), default=(0, 0))
    fits = [program for program, value in score.items() if value == best]
    if best == (0, 0) or len(fits) != 1:
        raise TrainingError(
            f"{roster.source}: cannot tell the program from the ranks; give --program "
            + " or ".join(p.value for p in rules.programs)
        )
    return fits[0]


def _roles_of(
    person: Person, program: ProgramRules, extra_ranks: Mapping[str, tuple[str, ...]]
) -> tuple[str, ...] | None:
    key = normalise(person.rank)
    roles = extra_ranks.get(key) or program.ranks.get(key)
    if roles is None or any(r not in program.roles for r in roles):
        return None
    return roles


def _judge(
    person: Person,
    roles: tuple[str, ...],
    program: ProgramRules,
    rules: TrainingRules,
    *,
    as_of: datetime.date,
    renewal_since: datetime.date | None,
) -> PersonVerdict:
    notes: list[str] = []
    if program.id is Program.LAW_ENFORCEMENT and person.sworn is False:
        kept = tuple(r for r in roles if not program.roles[r].sworn_only)
        if kept != roles:
            notes.append("not sworn: the sworn officers' modules do not apply")
        roles = kept
    is_executive = any(program.roles[r].executive for r in roles)
    joined = max((d for d in (person.hired, person.promoted) if d), default=None)
    if renewal_since and not is_executive:
        if joined is None:
            notes.append("no hire or promotion date: checked as if new since membership")
        elif joined < renewal_since:
            notes.append(
                f"in this position before membership ({renewal_since}): not re-checked in a renewal"
            )
            return PersonVerdict(
                person.name, person.rank, roles, (), dict(person.done), (), (), tuple(notes)
            )
    done = person.done
    required: set[str] = set()
    expired: set[str] = set()
    valid_until = None
    for role_id in roles:
        role = program.roles[role_id]
        if role.executive and renewal_since is not None:
            # A renewal re-checks the executive's online courses against the validity period.
            path = role.online_path
            for module in path:
                if module in done and as_of > add_years(done[module], rules.validity_years):
                    expired.add(module)
        else:
            path = next((p for p in role.paths if all(m in done for m in p)), role.online_path)
        required.update(path)
        if role.executive and all(m in done for m in role.online_path) and role.online_path:
            valid_until = min(add_years(done[m], rules.validity_years) for m in role.online_path)
    missing = required - set(done)
    return PersonVerdict(
        name=person.name,
        rank=person.rank,
        roles=roles,
        required=rules.module_order(required),
        done={m: done[m] for m in rules.module_order(done)},
        missing=rules.module_order(missing),
        expired=rules.module_order(expired),
        notes=tuple(notes),
        valid_until=valid_until,
    )


def check_training(
    roster: Roster,
    rules: TrainingRules,
    *,
    program: Program | None = None,
    as_of: datetime.date,
    member_since: datetime.date | None = None,
    renewal: bool = False,
    extra_ranks: Mapping[str, tuple[str, ...]] | None = None,
) -> TrainingReport:
    """Apply the program's rules to every person; unknown ranks and future dates are errors."""
    extra_ranks = extra_ranks or {}
    if renewal and member_since is None:
        raise TrainingError("a renewal needs --member-since (the membership date)")
    if renewal and not roster.has_dates_of_joining:
        raise TrainingError(
            f"{roster.source}: a renewal needs a hire date or promotion/assignment date column "
            "to tell who joined or moved since the membership date"
        )
    if member_since and member_since > as_of:
        raise TrainingError(f"--member-since {member_since} is after --as-of {as_of}")
    program_id = program or choose_program(roster, rules, extra_ranks)
    program_rules = rules.programs[program_id]
    problems = list(roster.problems)
    verdicts: list[PersonVerdict] = []
    for person in roster.people:
        roles = _roles_of(person, program_rules, extra_ranks)
        if roles is None:
            problems.append(
                (
                    person.row,
                    f"unknown rank {person.rank!r} for {program_id.value} (map with --roles)",
                )
            )
            continue
        future = [m for m, d in person.done.items() if d > as_of]
        if future:
            problems.append((person.row, f"{', '.join(future)} dated after --as-of {as_of}"))
            continue
        verdicts.append(
            _judge(
                person,
                roles,
                program_rules,
                rules,
                as_of=as_of,
                renewal_since=member_since if renewal else None,
            )
        )
    if problems:
        listed = "; ".join(f"row {row}: {text}" for row, text in sorted(problems))
        raise TrainingError(f"{roster.source}: {len(problems)} problem(s): {listed}")
    notes = []
    if roster.ignored_columns:
        notes.append("columns not used: " + ", ".join(roster.ignored_columns))
    if program is None:
        notes.append(f"program {program_id.value} chosen from the ranks")
    return TrainingReport(
        source=roster.source,
        program=program_rules,
        rules=rules,
        as_of=as_of,
        member_since=member_since,
        renewal=renewal,
        people=tuple(verdicts),
        notes=tuple(notes),
    )


def training_csv_rows(report: TrainingReport) -> Iterator[Sequence[str]]:
    """One row per person, for the spreadsheet the training coordinator keeps."""
    yield ("name", "rank", "roles", "required", "done", "missing", "expired", "ready", "notes")
    for person in report.people:
        yield (
            person.name,
            person.rank,
            " ".join(person.roles),
            " ".join(person.required),
            " ".join(f"{m}={d.isoformat()}" for m, d in person.done.items()),
            " ".join(person.missing),
            " ".join(person.expired),
            "yes" if person.ready else "no",
            "; ".join(person.notes),
        )
