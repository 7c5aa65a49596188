"""One error shape for every API failure, in the caller's language.

    {"error": {"code": "invalid_input", "message": "...",
               "problems": [{"field": "brn", "message": "...", "row": 3, "column": "사업자등록번호"}]}}
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi.responses import JSONResponse

from midas.errors import InvalidInput, MidasError, Problem
from midas.i18n import translate


def problem_json(problem: Problem, locale: str) -> dict[str, Any]:
    return {
        "field": problem.field,
        "message": translate(locale, problem.message, problem.params),
        "row": problem.row,
        "column": problem.column,
    }


def error_response(error: MidasError, locale: str) -> JSONResponse:
    body: dict[str, Any] = {"code": error.code, "message": translate(locale, error.message, error.params)}
    if isinstance(error, InvalidInput):
        body["problems"] = [problem_json(p, locale) for p in error.problems]
    headers = {"WWW-Authenticate": "Bearer"} if error.status_code == 401 else None
    return JSONResponse({"error": body}, status_code=error.status_code, headers=headers)


def problems_from_validation(errors: Sequence[Any]) -> list[Problem]:
    """FastAPI's request validation errors as Problems with a dotted field path."""
    problems = []
    for error in errors:
        location = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path")]
        problems.append(Problem(".".join(location) or "request", "Invalid value: {detail}",
                                {"detail": str(error.get("msg", ""))}))
    return problems
