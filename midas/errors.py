"""The error tree of MIDAS. Each error says what went wrong and where.

    MidasError
    ├── NotFound             an object that does not exist (or that the actor may not see)
    ├── PermissionDenied     the actor lacks a permission for this action on this object
    ├── AuthenticationFailed wrong credentials, expired session, revoked token
    ├── Conflict             the change collides with existing data (a duplicate key)
    └── InvalidInput         one or more problems, each with a location (field, row, column)

Messages are English gettext message ids with ``{name}`` parameters; the web layer translates them into
the user's language (:mod:`midas.i18n`), so services never need to know who is reading.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field

ParamValue = str | int | float | None


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the input: where it is and why."""

    field: str
    message: str
    params: Mapping[str, ParamValue] = dataclass_field(default_factory=dict)
    row: int | None = None
    column: str | None = None

    def english(self) -> str:
        return self.message.format(**self.params)


class MidasError(Exception):
    """Base of every error the platform raises on purpose."""

    status_code = 400
    code = "error"

    def __init__(self, message: str, params: Mapping[str, ParamValue] | None = None) -> None:
        self.message = message
        self.params: Mapping[str, ParamValue] = dict(params or {})
        super().__init__(self.english())

    def english(self) -> str:
        return self.message.format(**self.params)


class NotFound(MidasError):
    status_code = 404
    code = "not_found"


class PermissionDenied(MidasError):
    status_code = 403
    code = "permission_denied"


class AuthenticationFailed(MidasError):
    status_code = 401
    code = "authentication_failed"


class Conflict(MidasError):
    status_code = 409
    code = "conflict"


class InvalidInput(MidasError):
    """The input has one or more problems; nothing was changed."""

    status_code = 422
    code = "invalid_input"

    def __init__(self, problems: Sequence[Problem], message: str = "The input has {count} problem(s)") -> None:
        self.problems = list(problems)
        super().__init__(message, {"count": len(self.problems)})

    @classmethod
    def single(
        cls, field: str, message: str, params: Mapping[str, ParamValue] | None = None
    ) -> InvalidInput:
        return cls([Problem(field=field, message=message, params=dict(params or {}))])
