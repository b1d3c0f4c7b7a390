"""Where bundled checklists and templates live: inside the wheel, or beside the source tree."""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def bundled_dir(name: str) -> Path:
    """The installed copy (`policy_review/_data/NAME`) wins; a source checkout uses `./NAME`."""
    installed = _PACKAGE_DIR / "_data" / name
    if installed.is_dir():
        return installed
    return _PACKAGE_DIR.parent / name
