"""Errors a user can fix: reported as one clear line, exit code 2, no traceback."""


class InputError(ValueError):
    """Bad input (file, field, argument); the message names what and what was expected."""
