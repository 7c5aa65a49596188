"""Adapters from what is received to :func:`midas.ingest.service.accept`: an HTTP body (a JSON array, one JSON
object or NDJSON lines) and an uploaded file (a daily production report in CSV or Excel, a B2MML message).

What cannot become an item keeps its own reason: a malformed NDJSON line, or a row of a file that the converter
could not turn into a record, is passed to :func:`accept` as text (so it is counted and dead-lettered in the same
delivery), and its dead letter then carries the real problem (the JSON error with its line and column, the
converter's finding with its row and column) and the text as received, instead of the generic "not an object".
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import PurePath
from typing import Final

from sqlalchemy.orm import Session

from midas.auth import Actor
from midas.errors import InvalidInput, MidasError, Problem
from midas.ingest import service
from midas.ingest.enums import DeadLetterStatus, IngestSource
from midas.ingest.models import DeadLetter
from midas.ingest.service import Receipt, RefusedItem, accept, replay_dead_letter
from midas.standard.convert import read_b2mml
from midas.standard.convert.tabular import read_daily_report
from midas.standard.report import Finding, Severity

JSON_TYPES: Final = frozenset({"application/json"})
NDJSON_TYPES: Final = frozenset({"application/x-ndjson", "application/ndjson", "application/jsonl",
                                 "application/x-jsonlines"})
REPORT_SUFFIXES: Final = frozenset({".csv", ".xlsx"})
XML_SUFFIXES: Final = frozenset({".xml", ".b2mml"})
MAX_RAW_LINE: Final = 100_000  # characters of a malformed line kept in its dead letter
POSITION_LENGTH: Final = 200  # DeadLetter.position


class BodyTooLarge(MidasError):
    status_code = 413
    code = "too_large"


class UnsupportedMediaType(MidasError):
    status_code = 415
    code = "unsupported_media_type"


@dataclass(frozen=True, slots=True)
class _Unconverted:
    """Something that could not become an item: the text received and the problems that say why."""

    raw: str
    problems: tuple[Problem, ...]


def body_too_large(limit: int) -> BodyTooLarge:
    return BodyTooLarge("The request body is larger than {limit} bytes; send the records in smaller deliveries",
                        {"limit": limit})


# HTTP bodies ---------------------------------------------------------------------------------------------------


def ingest_body(session: Session, *, actor: Actor, body: bytes, content_type: str, label: str = "") -> Receipt:
    """A POST /api/v1/ingest body by its media type: a JSON array of items or one item (application/json), or one
    item per line (application/x-ndjson, a malformed line dead-lettered with its line number and JSON error).

    Refused whole, with nothing stored: another media type, JSON that does not parse, an AAS environment (not yet
    accepted: there is no submodel-to-record conversion), a body with no items."""
    media = content_type.split(";", 1)[0].strip().lower()
    if media in NDJSON_TYPES:
        items, positions, unconverted = _ndjson_items(body)
    elif media in JSON_TYPES or media.endswith("+json"):
        items = _json_items(body)
        positions, unconverted = None, {}
    else:
        raise UnsupportedMediaType("Send application/json or application/x-ndjson, not {media}",
                                   {"media": media or "(none)"})
    if not items:
        raise InvalidInput.single("body", "The delivery holds no items")
    receipt = accept(session, actor=actor, items=items, source=IngestSource.HTTP, label=label, positions=positions)
    return _explained(session, receipt, unconverted)


def _json_items(body: bytes) -> list[object]:
    try:
        data = json.loads(body)
    except UnicodeDecodeError as error:
        raise InvalidInput.single("body", "The body is not UTF-8 text (byte {offset})",
                                  {"offset": error.start}) from None
    except json.JSONDecodeError as error:
        raise InvalidInput.single("body", "The body is not valid JSON: {error} (line {line}, column {column})",
                                  {"error": error.msg, "line": error.lineno, "column": error.colno}) from None
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        if "submodels" in data or "assetAdministrationShells" in data:
            raise InvalidInput.single("body", "AAS environments are not accepted yet: send each K-MDS record as an "
                                              "item with factory_id, template and record")
        return [data]
    raise InvalidInput.single("body", "Send a JSON array of items or one item object")


def _ndjson_items(body: bytes) -> tuple[list[object], list[str], dict[str, _Unconverted]]:
    items: list[object] = []
    positions: list[str] = []
    unconverted: dict[str, _Unconverted] = {}
    for number, line in enumerate(body.split(b"\n"), start=1):
        if not line.strip():
            continue
        position = f"line {number}"
        try:
            items.append(json.loads(line))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            text = line.decode("utf-8", errors="replace").rstrip("\r")
            if isinstance(error, json.JSONDecodeError):
                problem = Problem(position, "Line {line} is not valid JSON: {error} (column {column})",
                                  {"line": number, "error": error.msg, "column": error.colno})
            else:
                problem = Problem(position, "Line {line} is not UTF-8 text", {"line": number})
            items.append(text[:MAX_RAW_LINE])
            unconverted[position] = _Unconverted(text[:MAX_RAW_LINE], (problem,))
        positions.append(position)
    return items, positions, unconverted


def _explained(session: Session, receipt: Receipt, unconverted: Mapping[str, _Unconverted]) -> Receipt:
    """The receipt, with the dead letters of what could not become an item saying why and keeping the text."""
    if not unconverted:
        return receipt
    refused: list[RefusedItem] = []
    for item in receipt.refused:
        reason = unconverted.get(item.position)
        if reason is None:
            refused.append(item)
            continue
        letter = session.get(DeadLetter, item.dead_letter_id)
        if letter is not None:
            letter.raw = reason.raw
            letter.problems = [{"field": p.field, "message": p.message, "params": dict(p.params)}
                               for p in reason.problems]
        refused.append(RefusedItem(item.position, item.dead_letter_id, reason.problems))
    session.flush()
    return replace(receipt, refused=tuple(refused))


# Files ---------------------------------------------------------------------------------------------------------


def ingest_file(session: Session, *, actor: Actor, filename: str, data: bytes, factory_id: int,
                max_bytes: int) -> Receipt:
    """The records of an uploaded file, for one of the organization's factories.

    A daily production report (.csv, .xlsx) or a B2MML message (.xml) is converted; each record's message id is
    the SHA-256 of the file and its row (or XPath), so uploading the same file again counts as duplicates. A row
    the converter could not convert becomes a dead letter with the converter's findings. Refused whole, with
    nothing stored: a file over ``max_bytes`` (checked before parsing), another format, a file the converter
    refuses as a whole (a formula, merged header cells, XML with a DOCTYPE or entities), a factory of another
    organization.
    """
    if len(data) > max_bytes:
        raise InvalidInput.single("file", "The file is {size} bytes; at most {limit} bytes are accepted",
                                  {"size": len(data), "limit": max_bytes})
    if not any(f.id == factory_id for f in service.own_factories(session, actor=actor)):
        raise InvalidInput.single("factory_id", "Factory {id} is not a factory of your organization",
                                  {"id": factory_id})
    records, findings = _convert(filename, data, max_bytes)
    errors = [f for f in findings if f.severity is Severity.ERROR]
    if not records and errors and not _row_level(errors):
        raise InvalidInput([_problem(f, filename) for f in errors])
    if not records and not errors:
        raise InvalidInput.single("file", "{name} holds no records", {"name": filename or "-"})
    digest = hashlib.sha256(data).hexdigest()
    items: list[object] = []
    positions: list[str] = []
    for record_template, record, source in records:
        items.append({"factory_id": factory_id, "template": record_template, "record": record,
                      "message_id": f"{digest}:{_short(source, 120)}"})
        positions.append(_short(source, POSITION_LENGTH))
    unconverted: dict[str, _Unconverted] = {}
    for place, group in _by_place(errors).items():
        position = place if place not in positions else _short(f"{place} (unconverted)", POSITION_LENGTH)
        items.append(f"{filename} {position}")
        positions.append(position)
        unconverted[position] = _Unconverted(f"{filename} {position}", tuple(_problem(f, filename) for f in group))
    receipt = accept(session, actor=actor, items=items, source=IngestSource.FILE, label=filename,
                     positions=positions)
    return _explained(session, receipt, unconverted)


def _convert(filename: str, data: bytes, max_bytes: int) -> tuple[list[tuple[str, dict[str, object], str]],
                                                                   list[Finding]]:
    suffix = PurePath(filename).suffix.lower()
    head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    if suffix in REPORT_SUFFIXES or (suffix == "" and data.startswith(b"PK\x03\x04")):
        name = filename if suffix else f"{filename}.xlsx"
        tabular = read_daily_report(data, name, max_bytes=max_bytes)
        return [(r.template, r.record, r.source) for r in tabular.records], list(tabular.findings)
    if suffix in XML_SUFFIXES or (suffix == "" and head.startswith(b"<")):
        b2mml = read_b2mml(data, max_bytes=max_bytes)
        return [(r.template, r.record, r.source) for r in b2mml.records], list(b2mml.findings)
    raise InvalidInput.single("file", "Upload a daily production report (.csv, .xlsx) or a B2MML message (.xml); "
                                      "{name} is neither", {"name": filename or "-"})


def _row_level(errors: Sequence[Finding]) -> bool:
    """Whether the errors are about rows (each row kept out on its own), not about the file as a whole."""
    return all("row" in f.params for f in errors)


def _place(finding: Finding) -> str:
    row = finding.params.get("row")
    return f"row {row}" if isinstance(row, int) else _short(finding.path or "file", POSITION_LENGTH)


def _by_place(errors: Sequence[Finding]) -> dict[str, list[Finding]]:
    groups: dict[str, list[Finding]] = {}
    for finding in errors:
        groups.setdefault(_place(finding), []).append(finding)
    return groups


def _problem(finding: Finding, filename: str) -> Problem:
    return Problem(finding.path or filename or "file", finding.message, dict(finding.params))


def _short(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[:limit - 18] + "~" + hashlib.sha256(text.encode()).hexdigest()[:17]


def parse_status(value: str) -> DeadLetterStatus | None:
    """A dead-letter status filter: a status, or "all" (or nothing: waiting for a fix)."""
    if value in ("", DeadLetterStatus.OPEN.value):
        return DeadLetterStatus.OPEN
    if value == "all":
        return None
    try:
        return DeadLetterStatus(value)
    except ValueError:
        raise InvalidInput.single("status", "Unknown status {status}", {"status": value[:40]}) from None


def replay_text(session: Session, *, actor: Actor, dead_letter_id: int, text: str) -> Receipt:
    """Replay a dead letter with a fixed item written as JSON text (the dead-letter page's form)."""
    try:
        item = json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidInput.single("item", "The fixed item is not valid JSON: {error} (line {line}, column {column})",
                                  {"error": error.msg, "line": error.lineno, "column": error.colno}) from None
    return replay_dead_letter(session, actor=actor, dead_letter_id=dead_letter_id, item=item)
