"""Work in a child process that dies when it overruns its time limit or its parent dies.

A Python-level alarm cannot stop C code (a PDF library, a regex, spaCy's tokenizer) that never
returns to the interpreter; killing a process always works. The child is forked, so it starts
with everything the parent has already imported and built.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import multiprocessing
import os
import signal
import threading
import time
import warnings
from collections.abc import Callable
from typing import Any

from policy_review.errors import PolicyReviewError, TimeLimitError

PR_SET_PDEATHSIG = 1
"""prctl option (linux/prctl.h): the kernel sends this process a signal when its parent dies."""
ORPHAN_POLL_S = 1.0
"""Where prctl is missing, how often a watchdog thread checks that the parent is still there."""


def die_with_parent(parent_pid: int) -> None:
    """Make this (child) process end when `parent_pid` ends, however the parent ends (kill -9,
    SIGTERM, SIGHUP): an orphaned worker would go on holding memory and the output folder."""
    if not _set_parent_death_signal():
        threading.Thread(target=_watch_parent, args=(parent_pid,), daemon=True).start()
    if os.getppid() != parent_pid:  # the parent died before the signal was armed
        os._exit(1)


def isolate_worker(parent_pid: int, *, address_space_bytes: int) -> None:
    """Set up a worker process: it ends with its parent, leaves Ctrl+C and the terminal to the
    parent, discards library chatter, and cannot grow past `address_space_bytes`."""
    die_with_parent(parent_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    warnings.simplefilter("ignore")
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    os.close(devnull)
    _limit_address_space(address_space_bytes)


def _limit_address_space(limit: int) -> None:
    try:
        import resource
    except ImportError:  # not on Windows; the timeout still bounds the damage there
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    if soft == resource.RLIM_INFINITY or soft > limit:
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _set_parent_death_signal() -> bool:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (OSError, AttributeError):  # not Linux
        return False


def _watch_parent(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(ORPHAN_POLL_S)
    os._exit(1)


def call_with_timeout(function: Callable[..., Any], timeout_s: float, *args: Any) -> Any:
    """`function(*args)` in a forked child: its result, or the PolicyReviewError it raised;
    TimeLimitError when it runs longer than `timeout_s`. Without fork (Windows, macOS spawn)
    it runs in this process, bounded by the size limits only."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return function(*args)
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(
        target=_run_child, args=(sender, os.getpid(), function, args), daemon=True
    )
    child.start()
    sender.close()
    try:
        if not receiver.poll(timeout_s):
            raise TimeLimitError(
                f"not finished within {timeout_s:g} s; the file may be huge or malformed "
                "(raise --timeout, or lower --max-pages or --max-chars)"
            )
        try:
            kind, value = receiver.recv()
        except EOFError:  # the child died without an answer: killed, or out of memory
            child.join()
            raise PolicyReviewError(
                f"the analysis stopped unexpectedly (exit code {child.exitcode}); "
                "lower --max-bytes, --max-pages or --max-chars"
            ) from None
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        receiver.close()
    if kind == "error":
        raise value
    if kind == "memory":
        raise MemoryError
    return value


def _run_child(sender, parent_pid: int, function: Callable[..., Any], args: tuple) -> None:
    die_with_parent(parent_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the parent's; it kills the child
    try:
        answer = ("ok", function(*args))
    except PolicyReviewError as exc:
        answer = ("error", exc)
    except MemoryError:
        answer = ("memory", None)
    except Exception as exc:  # a bug: reported by the parent as one line, like any other
        answer = ("error", PolicyReviewError(f"internal error: {type(exc).__name__}: {exc}"))
    sender.send(answer)
    sender.close()
