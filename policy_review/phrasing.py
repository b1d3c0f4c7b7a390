"""Counts in words for the summaries people read (report headlines, comparisons, CLI lines)."""

from __future__ import annotations


def counted(n: int, singular: str, plural: str | None = None) -> str:
    """'1 red flag', '2 red flags', '2 critical missing' (with `plural` given)."""
    return f"{n} {singular if n == 1 else (plural or singular + 's')}"
