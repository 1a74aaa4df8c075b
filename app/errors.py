"""Errors meant for the user: their message is French and says what to do."""


class UserFacingError(Exception):
    """The user's input or the environment was refused; the message says why, in French."""


class StorageError(UserFacingError):
    """The database could not be read or written (locked, read-only, disk full, gone)."""
