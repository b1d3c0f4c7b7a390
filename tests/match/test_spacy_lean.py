"""spaCy is imported without its command-line package, which the product never runs."""

import subprocess
import sys

CLI_ONLY_PACKAGES = ("weasel", "typer", "requests", "httpx")

PROBE = f"""
import sys
from policy_review.match.nlp import get_nlp

assert len(list(get_nlp()("One sentence here. Another one.").sents)) == 2
loaded = sorted({{name.split(".")[0] for name in sys.modules}} & set({CLI_ONLY_PACKAGES!r}))
print(",".join(loaded) or "none", "spacy.cli" in sys.modules)

import spacy.cli  # spaCy's own commands still import in full afterwards

print(callable(spacy.cli.download))
"""


def test_analysis_imports_no_spacy_cli_and_spacy_cli_still_imports_later():
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.split() == ["none", "False", "True"]
