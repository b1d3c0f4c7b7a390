"""A server killed with SIGKILL mid-analysis loses nothing: the job runs again after a restart."""

from __future__ import annotations

import time

from workspace_helpers import WorkspaceServer, add_reviewer, upload, wait_analysed, write_directive

LONG_DIRECTIVE_SECTIONS = 1000
"""Enough text that its analysis is still running when the server is killed."""
POLL_S = 0.05
ANALYSING_TIMEOUT_S = 60


def _wait_for_status(client, submission_id: int, status: str) -> None:
    deadline = time.monotonic() + ANALYSING_TIMEOUT_S
    while time.monotonic() < deadline:
        current = client.get(f"/api/submissions/{submission_id}").json()["status"]
        if current == status:
            return
        assert current in ("queued", status), current
        time.sleep(POLL_S)
    raise AssertionError(f"submission {submission_id} never became {status}")


def test_kill_during_analysis_then_restart_finishes_the_job_and_keeps_decisions(tmp_path):
    db = str(tmp_path / "policy-review.db")
    token = add_reviewer(db, "alice")
    server = WorkspaceServer(tmp_path, db=db).start()
    try:
        with server.client(token) as client:
            first = upload(client, write_directive(tmp_path / "small.txt", tag="s"), "Small PD")
            decided = wait_analysed(client, first.json()["id"])
            element = decided["report"]["findings"][0]["element"]
            decision = client.put(
                f"/api/submissions/{decided['id']}/decisions/{element}",
                json={"decision": "reject", "note": "before the crash"},
            ).json()
            long_file = write_directive(
                tmp_path / "long.txt", sections=LONG_DIRECTIVE_SECTIONS, tag="long"
            )
            interrupted = upload(client, long_file, "Long PD").json()["id"]
            _wait_for_status(client, interrupted, "analysing")
        server.kill_hard()

        server.start()
        with server.client(token) as client:
            finished = wait_analysed(client, interrupted)
            assert finished["status"] == "ready"
            assert finished["report"]["document"]["path"] == "long.txt"
            kept = client.get(f"/api/submissions/{decided['id']}/decisions").json()[element]
            assert kept == [decision]
    finally:
        server.stop()
