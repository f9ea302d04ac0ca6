"""Errors a user can fix: reported as one clear line, exit code 2, no traceback."""


class InputError(ValueError):
    """Bad input (file, field, argument); the message names what and what was expected."""


#: Exit code of a command that finished but some of its runs failed (``sweep``, ``summarize``).
EXIT_FAILED_RUNS = 3


class RunsFailed(RuntimeError):
    """Every run that could be recorded was, but some failed: exit code 3, one line on stderr.

    Attributes:
        failed: runs that failed.
        total: runs recorded.
    """

    def __init__(self, message: str, failed: int = 0, total: int = 0) -> None:
        super().__init__(message)
        self.failed = failed
        self.total = total
