"""One error family; the CLI turns each into a single line on stderr and exit code 2."""


class PolicyReviewError(Exception):
    """Base for every error a user can act on."""


class UnsupportedFormatError(PolicyReviewError):
    """The file is not a format we read (decided from its bytes, not its name)."""


class UnreadableInputError(PolicyReviewError):
    """The file exists in a supported format but cannot be read: corrupt, encrypted, too large."""


class ChecklistError(PolicyReviewError):
    """A checklist file is invalid; the message lists every problem found."""


class TextLimitError(UnreadableInputError):
    """The document holds more text than `--max-chars` allows."""


class TimeLimitError(PolicyReviewError):
    """The analysis did not finish within its `--timeout`."""
