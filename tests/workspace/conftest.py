"""Workspace fixtures: every storage test runs on SQLite and on PostgreSQL.

PostgreSQL tests need POLICY_REVIEW_TEST_PG_URL (`.ci/run` starts a throwaway server with
scripts/start-test-postgres); without it they skip with that reason, except under CI, where a
missing database is a failure rather than a quiet skip.
"""

from __future__ import annotations

import os

import pytest
import sqlalchemy as sa

from policy_review.workspace.store import Store, database_url

PG_URL_VARIABLE = "POLICY_REVIEW_TEST_PG_URL"


def _postgres_url() -> str:
    url = os.environ.get(PG_URL_VARIABLE, "")
    if not url:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the storage tests on PostgreSQL: {PG_URL_VARIABLE} is unset")
        pytest.skip(f"PostgreSQL tests skipped: set {PG_URL_VARIABLE} (see .ci/run)")
    return url


def _empty_postgres(url: str) -> str:
    """The test database with nothing in it, so every test starts from a fresh migration."""
    engine = sa.create_engine(database_url(url))
    with engine.begin() as db:
        db.execute(sa.text("DROP SCHEMA public CASCADE"))
        db.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path) -> str:
    """Each storage test runs once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return str(tmp_path / "policy-review.db")
    return _empty_postgres(_postgres_url())


@pytest.fixture
def store(db_url):
    opened = Store(db_url)
    opened.migrate()
    yield opened
    opened.close()
