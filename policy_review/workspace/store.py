"""The workspace database: SQLite (WAL) or PostgreSQL through SQLAlchemy Core, Alembic migrations.

Reviews are append-only: every decision and determination is a new row, so two reviewers saving
at the same moment both land in the history and nothing is overwritten. The submissions table is
also the durable job queue: a row is `queued` until a worker claims it (`analysing`), then
`ready` or `failed`; rows left `analysing` by a stopped server are queued again at start-up.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from policy_review.errors import PolicyReviewError

DEFAULT_DATABASE = "policy-review.db"
SQLITE_BUSY_TIMEOUT_MS = 30_000
"""How long a writer waits for another (SQLite allows one writer at a time)."""
MIGRATION_LOCK_ID = 0x706F6C6963
"""PostgreSQL advisory lock that keeps two processes from migrating the same database at once."""
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

_metadata = sa.MetaData()
users = sa.Table(
    "users",
    _metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(100)),
    sa.Column("password_hash", sa.String(200)),
    sa.Column("created_at", sa.DateTime(timezone=True)),
)
api_tokens = sa.Table(
    "api_tokens",
    _metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("user_id", sa.Integer),
    sa.Column("token_hash", sa.String(64)),
    sa.Column("created_at", sa.DateTime(timezone=True)),
)
sessions = sa.Table(
    "sessions",
    _metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.Integer),
    sa.Column("csrf_token", sa.String(64)),
    sa.Column("created_at", sa.DateTime(timezone=True)),
    sa.Column("expires_at", sa.DateTime(timezone=True)),
)
SUMMARY_COLUMNS = ("found", "partial", "missing", "critical_missing", "red_flags", "low_confidence")
submissions = sa.Table(
    "submissions",
    _metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("agency", sa.String(200)),
    sa.Column("file_name", sa.String(300)),
    sa.Column("sha256", sa.String(64)),
    sa.Column("size", sa.BigInteger),
    sa.Column("uploaded_by", sa.Integer),
    sa.Column("uploaded_at", sa.DateTime(timezone=True)),
    sa.Column("status", sa.String(20)),
    sa.Column("error", sa.Text),
    sa.Column("attempts", sa.Integer),
    sa.Column("started_at", sa.DateTime(timezone=True)),
    sa.Column("finished_at", sa.DateTime(timezone=True)),
    sa.Column("report_json", sa.Text),
    sa.Column("report_body", sa.Text),
    sa.Column("page_data", sa.Text),
    sa.Column("agency_type", sa.String(30)),
    sa.Column("checklists", sa.String(300)),
    sa.Column("pages", sa.Integer),
    *(sa.Column(name, sa.Integer) for name in SUMMARY_COLUMNS),
)
decisions = sa.Table(
    "decisions",
    _metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("submission_id", sa.Integer),
    sa.Column("checklist", sa.String(100)),
    sa.Column("element", sa.String(100)),
    sa.Column("decision", sa.String(20)),
    sa.Column("note", sa.Text),
    sa.Column("reviewer_id", sa.Integer),
    sa.Column("source", sa.String(20)),
    sa.Column("at", sa.DateTime(timezone=True)),
)
determinations = sa.Table(
    "determinations",
    _metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("submission_id", sa.Integer),
    sa.Column("outcome", sa.String(30)),
    sa.Column("note", sa.Text),
    sa.Column("reviewer_id", sa.Integer),
    sa.Column("at", sa.DateTime(timezone=True)),
)
# What a list of submissions reads: everything but the (large) report columns.
_LISTED = [c for c in submissions.c if c.name not in ("report_json", "report_body", "page_data")]


class JobStatus(StrEnum):
    """Where a submission's analysis is; stored."""

    QUEUED = "queued"
    ANALYSING = "analysing"
    READY = "ready"
    FAILED = "failed"


class SubmissionStatus(StrEnum):
    """What the queue shows: the analysis state, then the review state once it is ready."""

    QUEUED = "queued"
    ANALYSING = "analysing"
    READY = "ready"
    IN_REVIEW = "in review"
    DECIDED = "decided"
    FAILED = "failed"


class Choice(StrEnum):
    """A reviewer's call on one element; NONE is a note without a decision (or a retraction)."""

    ACCEPT = "accept"
    REJECT = "reject"
    FOLLOW_UP = "follow-up"
    NONE = ""


class Outcome(StrEnum):
    """The overall determination that closes a review."""

    MEETS = "meets"
    NEEDS_REVISION = "needs-revision"
    DOES_NOT_MEET = "does-not-meet"


class DecisionSource(StrEnum):
    WORKSPACE = "workspace"
    IMPORT = "import"


@dataclass(frozen=True, slots=True)
class User:
    id: int
    name: str


@dataclass(frozen=True, slots=True)
class DecisionEntry:
    """One saved decision: who, when, on which element, and from where."""

    id: int
    submission_id: int
    checklist: str
    element: str
    decision: Choice
    note: str
    reviewer: str
    at: datetime.datetime
    source: DecisionSource

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "checklist": self.checklist,
            "element": self.element,
            "decision": self.decision.value,
            "note": self.note,
            "reviewer": self.reviewer,
            "at": iso(self.at),
            "source": self.source.value,
        }


@dataclass(frozen=True, slots=True)
class Determination:
    id: int
    outcome: Outcome
    note: str
    reviewer: str
    at: datetime.datetime

    def to_dict(self) -> dict:
        return {
            "outcome": self.outcome.value,
            "note": self.note,
            "reviewer": self.reviewer,
            "at": iso(self.at),
        }


@dataclass(frozen=True, slots=True)
class Submission:
    """One uploaded file, its analysis state and summary, and where its review stands."""

    id: int
    agency: str
    file_name: str
    sha256: str
    size: int
    uploaded_by: str
    uploaded_at: datetime.datetime
    job_status: JobStatus
    error: str
    attempts: int
    agency_type: str
    checklists: tuple[str, ...]
    pages: int | None
    found: int
    partial: int
    missing: int
    critical_missing: int
    red_flags: int
    low_confidence: int
    reviewers: tuple[str, ...]
    determination: Determination | None

    @property
    def status(self) -> SubmissionStatus:
        if self.job_status is not JobStatus.READY:
            return SubmissionStatus(self.job_status.value)
        if self.determination is not None:
            return SubmissionStatus.DECIDED
        return SubmissionStatus.IN_REVIEW if self.reviewers else SubmissionStatus.READY

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "status": self.status.value,
            "error": self.error,
            "agency": self.agency,
            "file_name": self.file_name,
            "sha256": self.sha256,
            "size": self.size,
            "uploaded_by": self.uploaded_by,
            "uploaded_at": iso(self.uploaded_at),
            "agency_type": self.agency_type,
            "checklists": list(self.checklists),
            "pages": self.pages,
            **{name: getattr(self, name) for name in SUMMARY_COLUMNS},
            "reviewers": list(self.reviewers),
            "determination": self.determination.to_dict() if self.determination else None,
        }


@dataclass(frozen=True, slots=True)
class StoredReport:
    """What a finished analysis left: report@1 JSON, and the HTML report body with its data."""

    report_json: str
    body: str
    page_data: dict


@dataclass(frozen=True, slots=True)
class Job:
    """A claimed analysis: which stored file, under what name."""

    submission_id: int
    sha256: str
    file_name: str


@dataclass(frozen=True, slots=True)
class AnalysisResult:
    """A finished analysis as the job runner hands it to the store."""

    report_json: str
    report_body: str
    page_data: dict
    agency_type: str
    checklists: tuple[str, ...]
    pages: int | None
    counts: dict[str, int]


@dataclass(frozen=True, slots=True)
class QueueFilter:
    """The queue page's filters; empty strings mean "any"."""

    status: str = ""
    agency: str = ""
    agency_type: str = ""
    reviewer: str = ""


def now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def iso(moment: datetime.datetime) -> str:
    """UTC ISO 8601 with a Z; SQLite hands timestamps back without their zone (they are UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")


def database_url(db: str | Path) -> str:
    """A SQLAlchemy URL from `--db`: a file path means SQLite; postgresql:// uses psycopg 3."""
    text = str(db)
    if "://" not in text:
        return f"sqlite:///{Path(text).resolve()}"
    for prefix in ("postgresql://", "postgres://"):
        if text.startswith(prefix):
            return "postgresql+psycopg://" + text[len(prefix) :]
    return text


def describe_database(db: str | Path) -> str:
    """The database for messages, without any password in its URL."""
    try:
        return sa.make_url(database_url(db)).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return "the database"


class Store:
    """Every query the workspace makes; safe to share between threads (one engine pool)."""

    def __init__(self, db: str | Path) -> None:
        url = database_url(db)
        try:
            self.engine = sa.create_engine(url, pool_pre_ping=True)
        except (sa.exc.ArgumentError, ImportError) as exc:
            raise PolicyReviewError(f"--db {describe_database(db)}: {exc}") from None
        self.description = describe_database(db)
        if self.engine.dialect.name == "sqlite":
            _configure_sqlite(self.engine)

    # ---------------------------------------------------------------- schema

    def migrate(self) -> None:
        """Bring the schema to the newest Alembic revision (a new database gets every table)."""
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        try:
            with self.engine.begin() as connection:
                if connection.dialect.name == "postgresql":
                    connection.execute(
                        sa.text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK_ID}
                    )
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
        except sa.exc.OperationalError as exc:
            reason = " ".join(str(exc.orig).split())[:200]
            raise PolicyReviewError(f"cannot open {self.description}: {reason}") from None

    def close(self) -> None:
        self.engine.dispose()

    # ---------------------------------------------------------------- accounts

    def add_user(self, name: str, password_hash: str) -> User:
        with self.engine.begin() as db:
            if db.execute(sa.select(users.c.id).where(users.c.name == name)).first():
                raise PolicyReviewError(f"a user named {name!r} already exists")
            row = db.execute(
                users.insert()
                .values(name=name, password_hash=password_hash, created_at=now())
                .returning(users.c.id)
            ).one()
        return User(row.id, name)

    def has_users(self) -> bool:
        with self.engine.begin() as db:
            return db.execute(sa.select(users.c.id).limit(1)).first() is not None

    def user_with_password(self, name: str) -> tuple[User, str] | None:
        with self.engine.begin() as db:
            row = db.execute(sa.select(users).where(users.c.name == name)).first()
        return (User(row.id, row.name), row.password_hash) if row else None

    def set_password_hash(self, user: User, password_hash: str) -> None:
        with self.engine.begin() as db:
            db.execute(
                users.update().where(users.c.id == user.id).values(password_hash=password_hash)
            )

    def add_token(self, user: User, token_hash: str) -> None:
        with self.engine.begin() as db:
            db.execute(
                api_tokens.insert().values(user_id=user.id, token_hash=token_hash, created_at=now())
            )

    def user_for_token(self, token_hash: str) -> User | None:
        query = (
            sa.select(users.c.id, users.c.name)
            .join(api_tokens, api_tokens.c.user_id == users.c.id)
            .where(api_tokens.c.token_hash == token_hash)
        )
        with self.engine.begin() as db:
            row = db.execute(query).first()
        return User(row.id, row.name) if row else None

    def add_session(
        self, token_hash: str, user: User, csrf_token: str, expires_at: datetime.datetime
    ) -> None:
        with self.engine.begin() as db:
            db.execute(sessions.delete().where(sessions.c.expires_at < now()))
            db.execute(
                sessions.insert().values(
                    token_hash=token_hash,
                    user_id=user.id,
                    csrf_token=csrf_token,
                    created_at=now(),
                    expires_at=expires_at,
                )
            )

    def session(self, token_hash: str) -> tuple[User, str] | None:
        """The signed-in user and their CSRF token, while the session lasts."""
        query = (
            sa.select(users.c.id, users.c.name, sessions.c.csrf_token)
            .join(sessions, sessions.c.user_id == users.c.id)
            .where(sessions.c.token_hash == token_hash, sessions.c.expires_at > now())
        )
        with self.engine.begin() as db:
            row = db.execute(query).first()
        return (User(row.id, row.name), row.csrf_token) if row else None

    def end_session(self, token_hash: str) -> None:
        with self.engine.begin() as db:
            db.execute(sessions.delete().where(sessions.c.token_hash == token_hash))

    # ---------------------------------------------------------------- submissions

    def add_submission(
        self, *, agency: str, file_name: str, sha256: str, size: int, user: User
    ) -> int:
        with self.engine.begin() as db:
            row = db.execute(
                submissions.insert()
                .values(
                    agency=agency,
                    file_name=file_name,
                    sha256=sha256,
                    size=size,
                    uploaded_by=user.id,
                    uploaded_at=now(),
                    status=JobStatus.QUEUED.value,
                    error="",
                    attempts=0,
                    agency_type="",
                    checklists="",
                    **dict.fromkeys(SUMMARY_COLUMNS, 0),
                )
                .returning(submissions.c.id)
            ).one()
        return row.id

    def submission(self, submission_id: int) -> Submission | None:
        found = self._submissions(submissions.c.id == submission_id)
        return found[0] if found else None

    def list_submissions(self, wanted: QueueFilter = QueueFilter()) -> list[Submission]:
        """Submissions matching the filter, in upload order (the caller ranks them)."""
        conditions = []
        if wanted.agency:
            conditions.append(submissions.c.agency == wanted.agency)
        if wanted.agency_type:
            conditions.append(submissions.c.agency_type == wanted.agency_type)
        found = self._submissions(*conditions)
        if wanted.status:
            found = [s for s in found if s.status.value == wanted.status]
        if wanted.reviewer:
            found = [s for s in found if wanted.reviewer in s.reviewers]
        return found

    def agencies(self) -> list[str]:
        with self.engine.begin() as db:
            return list(
                db.execute(
                    sa.select(submissions.c.agency).distinct().order_by(submissions.c.agency)
                ).scalars()
            )

    def reviewer_names(self) -> list[str]:
        with self.engine.begin() as db:
            return list(db.execute(sa.select(users.c.name).order_by(users.c.name)).scalars())

    def report(self, submission_id: int) -> StoredReport | None:
        query = sa.select(
            submissions.c.report_json, submissions.c.report_body, submissions.c.page_data
        ).where(submissions.c.id == submission_id, submissions.c.status == JobStatus.READY.value)
        with self.engine.begin() as db:
            row = db.execute(query).first()
        if row is None or row.report_json is None:
            return None
        return StoredReport(row.report_json, row.report_body, json.loads(row.page_data))

    def report_json(self, submission_id: int) -> str | None:
        """Only the report@1 text of an analysed submission (not its large HTML body)."""
        query = sa.select(submissions.c.report_json).where(
            submissions.c.id == submission_id, submissions.c.status == JobStatus.READY.value
        )
        with self.engine.begin() as db:
            return db.execute(query).scalar_one_or_none()

    def _submissions(self, *conditions) -> list[Submission]:
        uploader = users.alias("uploader")
        query = (
            sa.select(*_LISTED, uploader.c.name.label("uploader_name"))
            .join(uploader, uploader.c.id == submissions.c.uploaded_by)
            .where(*conditions)
            .order_by(submissions.c.id)
        )
        with self.engine.begin() as db:
            rows = db.execute(query).all()
            ids = [row.id for row in rows]
            reviewers = self._reviewers(db, ids)
            outcomes = self._determinations(db, ids)
        return [
            Submission(
                id=row.id,
                agency=row.agency,
                file_name=row.file_name,
                sha256=row.sha256,
                size=row.size,
                uploaded_by=row.uploader_name,
                uploaded_at=row.uploaded_at,
                job_status=JobStatus(row.status),
                error=row.error,
                attempts=row.attempts,
                agency_type=row.agency_type,
                checklists=tuple(row.checklists.split()),
                pages=row.pages,
                **{name: getattr(row, name) for name in SUMMARY_COLUMNS},
                reviewers=tuple(sorted(reviewers.get(row.id, ()))),
                determination=outcomes.get(row.id),
            )
            for row in rows
        ]

    @staticmethod
    def _reviewers(db, ids: list[int]) -> dict[int, set[str]]:
        """Who has decided anything on each submission (decisions and determinations)."""
        found: dict[int, set[str]] = {}
        if not ids:
            return found
        for table in (decisions, determinations):
            query = (
                sa.select(table.c.submission_id, users.c.name)
                .distinct()
                .join(users, users.c.id == table.c.reviewer_id)
                .where(table.c.submission_id.in_(ids))
            )
            for submission_id, name in db.execute(query):
                found.setdefault(submission_id, set()).add(name)
        return found

    @staticmethod
    def _determinations(db, ids: list[int]) -> dict[int, Determination]:
        """The newest determination of each submission (older ones stay in the history)."""
        found: dict[int, Determination] = {}
        if not ids:
            return found
        query = (
            sa.select(determinations, users.c.name)
            .join(users, users.c.id == determinations.c.reviewer_id)
            .where(determinations.c.submission_id.in_(ids))
            .order_by(determinations.c.id)
        )
        for row in db.execute(query):
            found[row.submission_id] = _determination(row)
        return found

    # ---------------------------------------------------------------- job queue

    def requeue_interrupted(self, max_attempts: int, reason: str) -> int:
        """Queue again what a stopped server left `analysing`; fail what keeps being cut off."""
        analysing = submissions.c.status == JobStatus.ANALYSING.value
        with self.engine.begin() as db:
            db.execute(
                submissions.update()
                .where(analysing, submissions.c.attempts >= max_attempts)
                .values(status=JobStatus.FAILED.value, error=reason, finished_at=now())
            )
            return db.execute(
                submissions.update().where(analysing).values(status=JobStatus.QUEUED.value)
            ).rowcount

    def claim_next(self) -> Job | None:
        """The oldest queued submission, now `analysing`; None when the queue is empty."""
        with self.engine.begin() as db:
            row = db.execute(
                sa.select(submissions.c.id, submissions.c.sha256, submissions.c.file_name)
                .where(submissions.c.status == JobStatus.QUEUED.value)
                .order_by(submissions.c.id)
                .limit(1)
            ).first()
            if row is None:
                return None
            claimed = db.execute(
                submissions.update()
                .where(
                    submissions.c.id == row.id,
                    submissions.c.status == JobStatus.QUEUED.value,
                )
                .values(
                    status=JobStatus.ANALYSING.value,
                    attempts=submissions.c.attempts + 1,
                    started_at=now(),
                )
            ).rowcount
        return Job(row.id, row.sha256, row.file_name) if claimed else None

    def release(self, submission_ids: Iterable[int]) -> None:
        """Jobs a stopping server did not finish go back to the queue, not counted as tries."""
        ids = list(submission_ids)
        if not ids:
            return
        with self.engine.begin() as db:
            db.execute(
                submissions.update()
                .where(
                    submissions.c.id.in_(ids),
                    submissions.c.status == JobStatus.ANALYSING.value,
                )
                .values(status=JobStatus.QUEUED.value, attempts=submissions.c.attempts - 1)
            )

    def finish(self, submission_id: int, result: AnalysisResult) -> None:
        with self.engine.begin() as db:
            db.execute(
                submissions.update()
                .where(submissions.c.id == submission_id)
                .values(
                    status=JobStatus.READY.value,
                    error="",
                    finished_at=now(),
                    report_json=result.report_json,
                    report_body=result.report_body,
                    page_data=json.dumps(result.page_data, ensure_ascii=False),
                    agency_type=result.agency_type,
                    checklists=" ".join(result.checklists),
                    pages=result.pages,
                    **{name: result.counts.get(name, 0) for name in SUMMARY_COLUMNS},
                )
            )

    def fail(self, submission_id: int, reason: str) -> None:
        with self.engine.begin() as db:
            db.execute(
                submissions.update()
                .where(submissions.c.id == submission_id)
                .values(status=JobStatus.FAILED.value, error=reason, finished_at=now())
            )

    # ---------------------------------------------------------------- reviews

    def add_decisions(
        self,
        submission_id: int,
        items: Iterable[tuple[str, str, Choice, str]],
        reviewer: User,
        source: DecisionSource,
    ) -> list[DecisionEntry]:
        """Append (checklist, element, choice, note) entries; earlier ones are never changed."""
        saved = []
        with self.engine.begin() as db:
            for checklist, element, choice, note in items:
                at = now()
                row = db.execute(
                    decisions.insert()
                    .values(
                        submission_id=submission_id,
                        checklist=checklist,
                        element=element,
                        decision=choice.value,
                        note=note,
                        reviewer_id=reviewer.id,
                        source=source.value,
                        at=at,
                    )
                    .returning(decisions.c.id)
                ).one()
                saved.append(
                    DecisionEntry(
                        row.id,
                        submission_id,
                        checklist,
                        element,
                        choice,
                        note,
                        reviewer.name,
                        at,
                        source,
                    )
                )
        return saved

    def decisions(self, submission_id: int) -> list[DecisionEntry]:
        """Every decision on a submission, newest first."""
        query = (
            sa.select(decisions, users.c.name)
            .join(users, users.c.id == decisions.c.reviewer_id)
            .where(decisions.c.submission_id == submission_id)
            .order_by(decisions.c.id.desc())
        )
        with self.engine.begin() as db:
            return [
                DecisionEntry(
                    row.id,
                    row.submission_id,
                    row.checklist,
                    row.element,
                    Choice(row.decision),
                    row.note,
                    row.name,
                    row.at,
                    DecisionSource(row.source),
                )
                for row in db.execute(query)
            ]

    def add_determination(
        self, submission_id: int, outcome: Outcome, note: str, reviewer: User
    ) -> Determination:
        at = now()
        with self.engine.begin() as db:
            row = db.execute(
                determinations.insert()
                .values(
                    submission_id=submission_id,
                    outcome=outcome.value,
                    note=note,
                    reviewer_id=reviewer.id,
                    at=at,
                )
                .returning(determinations.c.id)
            ).one()
        return Determination(row.id, outcome, note, reviewer.name, at)

    def determinations(self, submission_id: int) -> list[Determination]:
        """Every determination on a submission, newest first."""
        query = (
            sa.select(determinations, users.c.name)
            .join(users, users.c.id == determinations.c.reviewer_id)
            .where(determinations.c.submission_id == submission_id)
            .order_by(determinations.c.id.desc())
        )
        with self.engine.begin() as db:
            return [_determination(row) for row in db.execute(query)]


def _determination(row) -> Determination:
    return Determination(row.id, Outcome(row.outcome), row.note, row.name, row.at)


def _configure_sqlite(engine: sa.Engine) -> None:
    """WAL (readers never block the writer), waits instead of `database is locked`, and
    BEGIN IMMEDIATE so a transaction takes the write lock up front rather than failing to
    upgrade a read lock halfway through when another writer got there first."""

    @sa.event.listens_for(engine, "connect")
    def _on_connect(connection, _record) -> None:
        connection.isolation_level = None  # SQLAlchemy's "begin" event below opens transactions
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
