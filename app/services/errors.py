"""Errors the services raise; every message is French and meant for the user."""

from app.errors import ConflictError, StorageError, UserFacingError

__all__ = [
    "ConflictError",
    "NotFoundError",
    "PermissionDenied",
    "StorageError",
    "UserFacingError",
    "ValidationError",
]


class ValidationError(UserFacingError):
    """Field-level refusals, keyed by the field's CSV column name."""

    def __init__(self, errors: dict[str, str], message: str | None = None) -> None:
        self.errors = dict(errors)
        summary = message or "Le formulaire contient des erreurs : " + " ; ".join(
            self.errors.values()
        )
        super().__init__(summary)


class NotFoundError(UserFacingError):
    pass


class PermissionDenied(UserFacingError):
    """The user's role does not allow this action."""
