"""Running `policy-review serve` for tests, and the API calls every workspace test makes."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from policy_review.workspace import accounts
from policy_review.workspace.store import Store

SERVER_START_TIMEOUT_S = 60
ANALYSIS_TIMEOUT_S = 120
PASSWORD = "correct horse battery"
REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLES = REPO_ROOT / "sample_policies"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def add_reviewer(db: str, name: str) -> str:
    """A reviewer account and a fresh API token for it."""
    store = Store(db)
    store.migrate()
    try:
        accounts.add_user(store, name, PASSWORD)
        return accounts.issue_token(store, name)
    finally:
        store.close()


class WorkspaceServer:
    """`policy-review serve` in a subprocess on 127.0.0.1 and a free port, as the README runs it."""

    def __init__(self, folder: Path, *extra: str, db: str | None = None) -> None:
        self.folder = folder
        self.db = db or str(folder / "policy-review.db")
        self.extra = extra
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.log = folder / "serve.log"

    def start(self) -> WorkspaceServer:
        command = [
            sys.executable,
            "-m",
            "policy_review",
            "serve",
            "--db",
            self.db,
            "--data-dir",
            str(self.folder / "data"),
            "--port",
            str(self.port),
            "--workers",
            "1",
            *self.extra,
        ]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command, cwd=self.folder, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"server exited: {self.log.read_text()}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"server did not start: {self.log.read_text()}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def kill_hard(self) -> None:
        """kill -9: no shutdown code runs, as when the machine or the OOM killer stops it."""
        assert self.process is not None
        self.process.kill()
        self.process.wait()

    def client(self, token: str) -> httpx.Client:
        return httpx.Client(
            base_url=self.url, headers={"Authorization": f"Bearer {token}"}, timeout=60
        )


def upload(client: httpx.Client, path: Path, agency: str, name: str | None = None):
    with path.open("rb") as handle:
        return client.post(
            "/api/submissions",
            data={"agency": agency},
            files={"file": (name or path.name, handle, "application/octet-stream")},
        )


def wait_analysed(client: httpx.Client, submission_id: int, timeout_s=ANALYSIS_TIMEOUT_S) -> dict:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        body = client.get(f"/api/submissions/{submission_id}").json()
        if body["status"] not in ("queued", "analysing"):
            return body
        time.sleep(0.2)
    raise AssertionError(f"submission {submission_id} still {body['status']} after {timeout_s} s")


DIRECTIVE_PARAGRAPHS = (
    "Section {n}. Purpose. This directive sets out how members of the department respond "
    "to every report of a missing child under the age of 18.",
    "Section {n}.1. Members shall accept a report of a missing child without any waiting "
    "period and shall enter the child into NCIC within two hours of receiving the report.",
    "Section {n}.2. The supervisor shall be notified and shall respond to the scene when the "
    "child is considered at risk, and shall request search resources as needed.",
)


def write_directive(path: Path, *, sections: int = 1, tag: str = "") -> Path:
    """A plain-text directive with `sections` numbered sections; `tag` makes its bytes unique."""
    paragraphs = [text.format(n=n) for n in range(1, sections + 1) for text in DIRECTIVE_PARAGRAPHS]
    path.write_text(f"Missing children directive {tag}\n\n" + "\n\n".join(paragraphs) + "\n")
    return path


MARLOW_SOURCE = SAMPLES / "src" / "marlow-county-so-policy-332-missing-children.txt"
MARLOW_AGENCY = "Marlow County Sheriff's Office"


def write_marlow_versions(folder: Path) -> tuple[Path, Path]:
    """A sample directive as of 2019, and its revision without the training section and with
    the NCIC entry deadline softened: LE-TRAINING lost, LE-NCIC-2HR weakened."""
    text = MARLOW_SOURCE.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith("# 332.15 TRAINING"))
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("#"))
    revised = (
        "".join(lines[:start] + lines[end:])
        .replace(
            "no later than two hours after the report is first received", "as soon as practical"
        )
        .replace("within two hours", "as soon as practical")
        .replace("within 2 hours of report", "as soon as practical")
    )
    old, new = folder / "marlow-policy-332-2019.md", folder / "marlow-policy-332-2023.md"
    old.write_text(text, encoding="utf-8")
    new.write_text(revised, encoding="utf-8")
    return old, new
