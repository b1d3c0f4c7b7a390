"""The workspace database through the Store, on SQLite and on PostgreSQL alike."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from policy_review.errors import PolicyReviewError
from policy_review.workspace import accounts
from policy_review.workspace.jobs import INTERRUPTED_REASON, MAX_ATTEMPTS
from policy_review.workspace.store import (
    AnalysisResult,
    Choice,
    DecisionSource,
    JobStatus,
    Outcome,
    QueueFilter,
    Store,
    SubmissionStatus,
)

REVIEWERS = 2
DECISIONS_EACH = 20


def _submission(store: Store, user, agency="Lakeview PD") -> int:
    return store.add_submission(
        agency=agency, file_name="policy.pdf", sha256="ab" * 32, size=10, user=user
    )


def _result() -> AnalysisResult:
    return AnalysisResult(
        report_json='{"schema": "policy-review/report@1"}\n',
        report_body="<main></main>",
        page_data={"elements": [{"id": "el-x", "checklist": "le", "element": "E1"}]},
        agency_type="law enforcement",
        checklists=("le-model-policy",),
        pages=3,
        counts={"found": 1, "critical_missing": 2, "red_flags": 1},
    )


def test_migrations_create_a_versioned_schema_and_rerun_harmlessly(store):
    store.migrate()  # a second start-up finds nothing to do
    with store.engine.begin() as db:
        version = db.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one()
        tables = set(sa.inspect(db).get_table_names())
    assert version == "0001"
    assert {"users", "api_tokens", "sessions", "submissions", "decisions"} <= tables


def test_sqlite_database_runs_in_wal_mode(tmp_path):
    store = Store(tmp_path / "w.db")
    store.migrate()
    with store.engine.begin() as db:
        assert db.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    store.close()


def test_passwords_and_tokens_are_stored_only_as_hashes(store):
    user = accounts.add_user(store, "alice", "long enough secret")
    token = accounts.issue_token(store, "alice")
    with store.engine.begin() as db:
        dumped = " ".join(
            str(row)
            for t in ("users", "api_tokens")
            for row in db.execute(sa.text(f"SELECT * FROM {t}"))
        )
    assert "long enough secret" not in dumped and token not in dumped
    assert "$argon2" in dumped
    assert store.user_for_token(accounts.token_hash(token)) == user
    assert accounts.sign_in(store, "alice", "long enough secret") == user
    assert accounts.sign_in(store, "alice", "wrong password!") is None
    assert accounts.sign_in(store, "nobody", "long enough secret") is None
    with pytest.raises(PolicyReviewError, match="already exists"):
        accounts.add_user(store, "alice", "another secret")
    with pytest.raises(PolicyReviewError, match="at least"):
        accounts.add_user(store, "bob", "short")


def test_queue_claims_in_upload_order_and_records_results(store):
    user = accounts.add_user(store, "alice", "long enough secret")
    first, second = _submission(store, user), _submission(store, user)
    job = store.claim_next()
    assert job.submission_id == first
    assert store.submission(first).status is SubmissionStatus.ANALYSING
    store.finish(first, _result())
    assert store.claim_next().submission_id == second
    store.fail(second, "policy.pdf: the file is empty")
    assert store.claim_next() is None
    done, failed = store.submission(first), store.submission(second)
    assert (done.status, done.critical_missing, done.checklists) == (
        SubmissionStatus.READY,
        2,
        ("le-model-policy",),
    )
    assert store.report(first).page_data["elements"][0]["element"] == "E1"
    assert (failed.status, failed.error) == (
        SubmissionStatus.FAILED,
        "policy.pdf: the file is empty",
    )
    assert store.report(second) is None


def test_interrupted_jobs_are_queued_again_then_failed_after_repeated_interruptions(store):
    user = accounts.add_user(store, "alice", "long enough secret")
    submission_id = _submission(store, user)
    for _ in range(MAX_ATTEMPTS):
        assert store.claim_next().submission_id == submission_id  # the server dies while analysing
        store.requeue_interrupted(MAX_ATTEMPTS, INTERRUPTED_REASON)
    after = store.submission(submission_id)
    assert after.job_status is JobStatus.FAILED
    assert after.error == INTERRUPTED_REASON


def test_released_jobs_return_to_the_queue_without_using_an_attempt(store):
    user = accounts.add_user(store, "alice", "long enough secret")
    submission_id = _submission(store, user)
    store.claim_next()
    store.release([submission_id])
    assert store.submission(submission_id).job_status is JobStatus.QUEUED
    assert store.submission(submission_id).attempts == 0


def test_decisions_are_appended_newest_first_and_drive_the_review_status(store):
    alice = accounts.add_user(store, "alice", "long enough secret")
    bob = accounts.add_user(store, "bob", "long enough secret")
    submission_id = _submission(store, alice)
    store.claim_next()
    store.finish(submission_id, _result())
    store.add_decisions(
        submission_id, [("le", "E1", Choice.ACCEPT, "")], alice, DecisionSource.WORKSPACE
    )
    store.add_decisions(
        submission_id, [("le", "E1", Choice.REJECT, "no")], bob, DecisionSource.IMPORT
    )
    history = store.decisions(submission_id)
    assert [(e.reviewer, e.decision) for e in history] == [
        ("bob", Choice.REJECT),
        ("alice", Choice.ACCEPT),
    ]
    assert store.submission(submission_id).status is SubmissionStatus.IN_REVIEW
    assert store.list_submissions(QueueFilter(reviewer="bob"))[0].id == submission_id
    assert store.list_submissions(QueueFilter(reviewer="carol", status="")) == []
    store.add_determination(submission_id, Outcome.NEEDS_REVISION, "fix 2", alice)
    store.add_determination(submission_id, Outcome.MEETS, "", bob)
    decided = store.submission(submission_id)
    assert decided.status is SubmissionStatus.DECIDED
    assert decided.determination.outcome is Outcome.MEETS
    assert [d.outcome for d in store.determinations(submission_id)] == [
        Outcome.MEETS,
        Outcome.NEEDS_REVISION,
    ]


def test_concurrent_decisions_from_two_reviewers_are_all_kept(store):
    users = [
        accounts.add_user(store, f"reviewer{n}", "long enough secret") for n in range(REVIEWERS)
    ]
    submission_id = _submission(store, users[0])
    start = threading.Barrier(REVIEWERS)

    def decide(user):
        start.wait()
        for n in range(DECISIONS_EACH):
            store.add_decisions(
                submission_id,
                [("le", "E1", Choice.FOLLOW_UP, f"{user.name} {n}")],
                user,
                DecisionSource.WORKSPACE,
            )

    threads = [threading.Thread(target=decide, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    notes = {entry.note for entry in store.decisions(submission_id)}
    assert notes == {f"reviewer{r} {n}" for r in range(REVIEWERS) for n in range(DECISIONS_EACH)}
