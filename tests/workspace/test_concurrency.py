"""Many reviewers at once: simultaneous uploads and decisions on one element all land."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from workspace_helpers import WorkspaceServer, add_reviewer, upload, wait_analysed, write_directive

UPLOADS = 20
REVIEWERS = ("alice", "bob")
DECISIONS_EACH = 20
CHOICES = ("accept", "reject", "follow-up")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("concurrency")
    db = str(folder / "policy-review.db")
    tokens = {name: add_reviewer(db, name) for name in REVIEWERS}
    running = WorkspaceServer(folder, db=db).start()
    running.tokens = tokens
    yield running
    running.stop()


def test_twenty_uploads_at_once_are_all_queued_and_analysed(server, tmp_path):
    files = [write_directive(tmp_path / f"d{n}.txt", tag=str(n)) for n in range(UPLOADS)]
    start = threading.Barrier(UPLOADS)

    def send(path):
        with server.client(server.tokens["alice"]) as client:
            start.wait()
            return upload(client, path, f"Agency {path.stem}")

    with ThreadPoolExecutor(UPLOADS) as pool:
        responses = list(pool.map(send, files))
    assert [r.status_code for r in responses] == [201] * UPLOADS
    ids = {r.json()["id"] for r in responses}
    assert len(ids) == UPLOADS
    with server.client(server.tokens["alice"]) as client:
        finished = [wait_analysed(client, submission_id) for submission_id in sorted(ids)]
    assert [s["status"] for s in finished] == ["ready"] * UPLOADS
    assert {s["agency"] for s in finished} == {f"Agency {p.stem}" for p in files}


def test_two_reviewers_deciding_one_element_at_once_lose_nothing(server, tmp_path):
    with server.client(server.tokens["alice"]) as client:
        submission = upload(client, write_directive(tmp_path / "one.txt", tag="one"), "Shared PD")
        analysed = wait_analysed(client, submission.json()["id"])
    element = analysed["report"]["findings"][0]["element"]
    path = f"/api/submissions/{analysed['id']}/decisions/{element}"
    start = threading.Barrier(len(REVIEWERS))

    def decide(name):
        with server.client(server.tokens[name]) as client:
            start.wait()
            return [
                client.put(path, json={"decision": CHOICES[n % 3], "note": f"{name} {n}"})
                for n in range(DECISIONS_EACH)
            ]

    with ThreadPoolExecutor(len(REVIEWERS)) as pool:
        responses = [r for batch in pool.map(decide, REVIEWERS) for r in batch]
    assert [r.status_code for r in responses] == [200] * len(REVIEWERS) * DECISIONS_EACH
    with server.client(server.tokens["alice"]) as client:
        history = client.get(f"/api/submissions/{analysed['id']}/decisions").json()[element]
    assert len(history) == len(REVIEWERS) * DECISIONS_EACH
    assert {(e["reviewer"], e["note"]) for e in history} == {
        (name, f"{name} {n}") for name in REVIEWERS for n in range(DECISIONS_EACH)
    }
    assert [e["id"] for e in history] == sorted((e["id"] for e in history), reverse=True)
