"""Reading JSON safely: strict UTF-8, standard JSON only, and a message that points at the broken byte."""

from __future__ import annotations

import json
from typing import Any, NoReturn

from midas.standard.io.errors import UnreadableFile
from midas.standard.io.limits import check_size

__all__ = ["parse_json"]

_UTF8_BOM = b"\xef\xbb\xbf"


def _line_and_column(data: bytes, offset: int) -> tuple[int, int]:
    line_start = data.rfind(b"\n", 0, offset) + 1
    return data.count(b"\n", 0, offset) + 1, offset - line_start + 1


def _refuse_constant(name: str) -> NoReturn:
    # Python's json accepts NaN and Infinity; JSON (RFC 8259) and the AAS schema do not.
    raise ValueError(f"{name} is not a JSON value")


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line, column = _line_and_column(data, error.start)
        raise UnreadableFile(
            "READ-UTF8",
            "The file is not valid UTF-8: byte {offset} (line {line}, column {column}) cannot be decoded",
            {"offset": error.start, "line": line, "column": column},
        ) from None


def parse_json(data: bytes, *, max_bytes: int) -> Any:
    """The JSON value in ``data``; raises :class:`UnreadableFile` naming where the text breaks."""
    check_size(data, max_bytes)
    body = data[len(_UTF8_BOM) :] if data.startswith(_UTF8_BOM) else data
    text = _decode(body)
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        offset = len(text[: error.pos].encode("utf-8"))
        raise UnreadableFile(
            "READ-JSON",
            "The file is not valid JSON: {reason} at byte {offset} (line {line}, column {column})",
            {"reason": error.msg, "offset": offset, "line": error.lineno, "column": error.colno},
        ) from None
    except ValueError as error:
        raise UnreadableFile("READ-JSON", "The file is not valid JSON: {reason}", {"reason": str(error)}) from None
    except RecursionError:
        raise UnreadableFile("READ-JSON-DEPTH", "The JSON nests too deeply to be read") from None
