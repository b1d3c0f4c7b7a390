"""spaCy, imported without its command-line package.

`spacy/__init__` imports `spacy.cli.info` only to offer `spacy.info()`, and that module pulls in
all of `spacy.cli` with typer, weasel, requests and httpx: about a third of spaCy's import time,
which every cold `policy-review analyze` would pay for commands it never runs. While spaCy
imports, placeholders stand in for those two modules; they leave `sys.modules` straight after, so
a later `import spacy.cli` (spaCy's own commands) loads the real package. Should a spaCy release
need more of `spacy.cli` at import time, spaCy is imported the ordinary way instead.
"""

from __future__ import annotations

import sys
import types

CLI_PACKAGE = "spacy.cli"
CLI_INFO_MODULE = "spacy.cli.info"


def _info(*args, **kwargs):
    """`spacy.info`, importing the real command on first use."""
    from spacy.cli.info import info

    return info(*args, **kwargs)


def _import_spacy() -> types.ModuleType:
    if "spacy" in sys.modules:
        return sys.modules["spacy"]
    package = types.ModuleType(CLI_PACKAGE)
    package.__path__ = []
    info = types.ModuleType(CLI_INFO_MODULE)
    info.info = _info
    placeholders = {CLI_PACKAGE: package, CLI_INFO_MODULE: info}
    sys.modules.update(placeholders)
    try:
        import spacy
    except (ImportError, AttributeError):
        spacy = None
    finally:
        for name, placeholder in placeholders.items():
            if sys.modules.get(name) is placeholder:
                del sys.modules[name]
    if spacy is None:  # this spaCy wants more than `info` from its CLI: import it in full
        import spacy
    return spacy


spacy = _import_spacy()
