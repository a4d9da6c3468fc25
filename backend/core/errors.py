"""Domain errors raised by services; the API exception handler turns them into the JSON error shape."""

from typing import Any


class ApplicationError(Exception):
    """A rule of the domain refused the operation. `message` is French, for the user."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None, extra: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.extra = extra or {}


class Conflict(ApplicationError):
    status_code = 409


class Forbidden(ApplicationError):
    status_code = 403


class NotFound(ApplicationError):
    status_code = 404


class Unprocessable(ApplicationError):
    status_code = 422
