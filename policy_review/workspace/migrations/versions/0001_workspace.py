"""The workspace's first schema: accounts, submissions (the job queue) and append-only reviews.

Revision ID: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _when(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(200), nullable=False),
        _when("created_at"),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        _when("created_at"),
    )
    op.create_table(
        "sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        _when("created_at"),
        _when("expires_at"),
    )
    op.create_table(
        "submissions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("agency", sa.String(200), nullable=False, index=True),
        sa.Column("file_name", sa.String(300), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False, index=True),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("uploaded_by", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        _when("uploaded_at"),
        sa.Column("status", sa.String(20), nullable=False, index=True),
        sa.Column("error", sa.Text, nullable=False, server_default=""),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        _when("started_at", nullable=True),
        _when("finished_at", nullable=True),
        sa.Column("report_json", sa.Text, nullable=True),
        sa.Column("report_body", sa.Text, nullable=True),
        sa.Column("page_data", sa.Text, nullable=True),
        sa.Column("agency_type", sa.String(30), nullable=False, server_default=""),
        sa.Column("checklists", sa.String(300), nullable=False, server_default=""),
        sa.Column("pages", sa.Integer, nullable=True),
        *(
            sa.Column(name, sa.Integer, nullable=False, server_default="0")
            for name in (
                "found",
                "partial",
                "missing",
                "critical_missing",
                "red_flags",
                "low_confidence",
            )
        ),
    )
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "submission_id", sa.Integer, sa.ForeignKey("submissions.id"), nullable=False, index=True
        ),
        sa.Column("checklist", sa.String(100), nullable=False),
        sa.Column("element", sa.String(100), nullable=False),
        sa.Column("decision", sa.String(20), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("reviewer_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        _when("at"),
    )
    op.create_table(
        "determinations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "submission_id", sa.Integer, sa.ForeignKey("submissions.id"), nullable=False, index=True
        ),
        sa.Column("outcome", sa.String(30), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("reviewer_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        _when("at"),
    )


def downgrade() -> None:
    for table in ("determinations", "decisions", "submissions", "sessions", "api_tokens", "users"):
        op.drop_table(table)
