"""`policy-review serve`: open and migrate the database, check the address, run uvicorn."""

from __future__ import annotations

import ipaddress
import os
import socket
from dataclasses import dataclass, field
from pathlib import Path

from policy_review.errors import PolicyReviewError
from policy_review.extract import ExtractLimits
from policy_review.extract.source import DEFAULT_DOCUMENT_TIMEOUT_S
from policy_review.workspace.app import Settings, create_app
from policy_review.workspace.blobs import BlobStore
from policy_review.workspace.jobs import JobRunner, RunnerOptions
from policy_review.workspace.store import DEFAULT_DATABASE, Store

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
DEFAULT_DATA_DIR = "policy-review-data"
LISTEN_BACKLOG = 128


def default_workers() -> int:
    """Half the cores: the other half keeps the web pages quick while documents are analysed."""
    return max(1, (os.cpu_count() or 2) // 2)


@dataclass(frozen=True, slots=True)
class ServeOptions:
    db: str = DEFAULT_DATABASE
    data_dir: Path = Path(DEFAULT_DATA_DIR)
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    workers: int = field(default_factory=default_workers)
    limits: ExtractLimits = field(default_factory=ExtractLimits)
    timeout_s: float = DEFAULT_DOCUMENT_TIMEOUT_S


def open_store(db: str) -> Store:
    """The database, migrated to the newest schema (a new file or database is set up)."""
    store = Store(db)
    store.migrate()
    return store


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def prepare(options: ServeOptions) -> tuple[socket.socket, Settings]:
    """Everything that can fail with a clear message, before the server starts."""
    if options.workers < 1:
        raise PolicyReviewError("--workers must be at least 1")
    if not options.timeout_s > 0:
        raise PolicyReviewError("--timeout must be a positive number of seconds")
    store = open_store(options.db)
    if not is_loopback(options.host) and not store.has_users():
        raise PolicyReviewError(
            f"refusing to listen on {options.host} while no account exists: anyone who can "
            "reach it could use it. Add one with 'policy-review user add NAME --password-stdin'"
        )
    blobs = BlobStore(options.data_dir)
    listener = _listen(options.host, options.port)
    runner = JobRunner(
        store,
        blobs,
        RunnerOptions(workers=options.workers, limits=options.limits, timeout_s=options.timeout_s),
    )
    settings = Settings(
        store=store,
        blobs=blobs,
        limits=options.limits,
        wake=runner.wake,
        on_startup=runner.start,
        on_shutdown=runner.stop,
    )
    return listener, settings


def run(listener: socket.socket, settings: Settings) -> None:
    """Serve until interrupted (Ctrl+C or SIGTERM stop it cleanly; jobs go back to the queue)."""
    import uvicorn

    config = uvicorn.Config(
        create_app(settings), log_level="warning", access_log=False, lifespan="on"
    )
    try:
        uvicorn.Server(config).run(sockets=[listener])
    finally:
        listener.close()
        settings.store.close()


def _listen(host: str, port: int) -> socket.socket:
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        listener = socket.socket(family, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host, port))
        listener.listen(LISTEN_BACKLOG)
    except (OSError, OverflowError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise PolicyReviewError(f"cannot listen on {host}:{port}: {reason}") from None
    listener.set_inheritable(True)
    return listener
