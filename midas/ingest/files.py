"""Adapters from what is received to :func:`midas.ingest.service.accept`: an HTTP body (a JSON array, one JSON
object, NDJSON lines, or an AAS environment) and an uploaded file (a daily production report in CSV or Excel, a
B2MML message, an AAS environment in JSON or AASX, an MTConnect machine log: SHDR or MTConnectStreams).

An AAS environment's submodels become items through :func:`midas.standard.record_from_submodel
.environment_records`: each is a position ``submodel {id}``, and its message id is the submodel id (hashed when
too long for a message id), so the same submodel sent twice, by HTTP or as a file, counts once. A submodel that
is not a K-MDS one, or that does not convert, is dead-lettered with the reason.

What cannot become an item keeps its own reason: a malformed NDJSON line, or a row of a file that the converter
could not turn into a record, is passed to :func:`accept` as text (so it is counted and dead-lettered in the same
delivery), and its dead letter then carries the real problem (the JSON error with its line and column, the
converter's finding with its row and column) and the text as received, instead of the generic "not an object".
"""

from __future__ import annotations

import bisect
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta, timezone
from enum import StrEnum
from pathlib import PurePath
from typing import Any, Final

import orjson
from sqlalchemy.orm import Session

from midas.auth import Actor
from midas.errors import InvalidInput, MidasError, Problem
from midas.ingest import service
from midas.ingest.collector import collector_paused
from midas.ingest.enums import DeadLetterStatus, IngestSource
from midas.ingest.models import DeadLetter
from midas.ingest.service import MAX_MESSAGE_ID, Receipt, RefusedItem, accept, replay_dead_letter
from midas.standard.convert import ConversionFailed, read_b2mml
from midas.standard.convert.mtconnect import (
    DeviceModel,
    StreamEvents,
    parse_shdr,
    production_performance_record,
    read_devices,
    read_streams_json,
    read_streams_xml,
    time_elements,
)
from midas.standard.convert.tabular import read_daily_report
from midas.standard.io import UnreadableFile, parse_json
from midas.standard.record_from_submodel import (
    SubmodelRecord,
    environment_records,
    is_environment,
    package_records,
)
from midas.standard.report import Finding, Severity

JSON_TYPES: Final = frozenset({"application/json"})
NDJSON_TYPES: Final = frozenset({"application/x-ndjson", "application/ndjson", "application/jsonl",
                                 "application/x-jsonlines"})
REPORT_SUFFIXES: Final = frozenset({".csv", ".xlsx"})
XML_SUFFIXES: Final = frozenset({".xml", ".b2mml"})
SHDR_SUFFIXES: Final = frozenset({".txt", ".shdr", ".log"})
AASX_SUFFIX: Final = ".aasx"
JSON_SUFFIX: Final = ".json"
SUBMODEL_KEY_PREFIX: Final = "aas-submodel:"
MAX_PERIODS: Final = 2_000  # periods of one machine log: about 22 months of 8-hour shifts
KOREA_TIME: Final = timezone(timedelta(hours=9), "KST")  # Korea keeps no daylight saving time
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


@dataclass(frozen=True, slots=True)
class UploadReceipt:
    """The receipt of an uploaded file, and what the converter said beside the refused items: what it left out
    (an unmapped element, a machine-log line it could not read) and what the records could not tell."""

    receipt: Receipt
    notes: tuple[Finding, ...] = ()


class PeriodChoice(StrEnum):
    """The periods a machine log is cut into: calendar days, or shifts of 8 or 12 hours, in Korea time."""

    DAY = "day"
    SHIFT_8 = "shift8"
    SHIFT_12 = "shift12"


PERIOD_HOURS: Final = {PeriodChoice.DAY: 24, PeriodChoice.SHIFT_8: 8, PeriodChoice.SHIFT_12: 12}
PERIOD_LABELS: Final = {PeriodChoice.DAY: "A calendar day (00:00-24:00)",
                        PeriodChoice.SHIFT_8: "Shifts of 8 hours", PeriodChoice.SHIFT_12: "Shifts of 12 hours"}


@dataclass(frozen=True, slots=True)
class MachineLog:
    """How an MTConnect file becomes ProductionPerformance records.

    ``work_unit_id`` is the K-MDS WorkUnitId of the records (by default the device's uuid, else its id);
    ``device`` names the MTConnect device when the file or the device model holds several; the log is cut into
    ``period`` s in Korea time, shifts starting at ``shift_start``; ``device_model`` is the MTConnectDevices XML
    that decodes an SHDR log's keys (required for SHDR, optional for a Streams document)."""

    work_unit_id: str = ""
    device: str = ""
    period: PeriodChoice = PeriodChoice.SHIFT_8
    shift_start: time = time(8, 0)
    device_model: bytes = field(default=b"", repr=False)


def machine_log(*, work_unit_id: str = "", device: str = "", period: str = "", shift_start: str = "",
                device_model: bytes = b"") -> MachineLog:
    """The options of a machine-log upload from the form's text fields; refused: an unknown period, a start
    that is not a time of day."""
    try:
        chosen = PeriodChoice(period) if period else PeriodChoice.SHIFT_8
    except ValueError:
        raise InvalidInput.single("period", "Choose days, 8-hour shifts or 12-hour shifts, not {period}",
                                  {"period": period[:40]}) from None
    try:
        start = time.fromisoformat(shift_start) if shift_start else time(8, 0)
    except ValueError:
        raise InvalidInput.single("shift_start", "Give the start of the first shift as a time of day like 08:00")\
            from None
    return MachineLog(work_unit_id.strip(), device.strip(), chosen, start.replace(second=0, microsecond=0),
                      device_model)


def body_too_large(limit: int) -> BodyTooLarge:
    return BodyTooLarge("The request body is larger than {limit} bytes; send the records in smaller deliveries",
                        {"limit": limit})


# HTTP bodies ---------------------------------------------------------------------------------------------------


@collector_paused()  # the decoded delivery is as large as the checked one
def ingest_body(session: Session, *, actor: Actor, body: bytes, content_type: str, label: str = "",
                factory_id: int | None = None) -> Receipt:
    """A POST /api/v1/ingest body by its media type: a JSON array of items or one item (application/json), one
    item per line (application/x-ndjson, a malformed line dead-lettered with its line number and JSON error), or
    an AAS environment (application/json with ``submodels``) whose K-MDS submodels are records of the factory
    ``factory_id``.

    Refused whole, with nothing stored: another media type, JSON that does not parse, an AAS environment without
    ``factory_id`` or for another organization's factory, a body with no items."""
    media = content_type.split(";", 1)[0].strip().lower()
    positions: list[str] | None
    if media in NDJSON_TYPES:
        items, positions, unconverted = _ndjson_items(body)
    elif media in JSON_TYPES or media.endswith("+json"):
        items = _json_items(body)
        positions, unconverted = None, {}
        single = items[0] if len(items) == 1 else None
        if is_environment(single):
            items, positions, unconverted = _environment_items(session, actor, single, factory_id)
    else:
        raise UnsupportedMediaType("Send application/json or application/x-ndjson, not {media}",
                                   {"media": media or "(none)"})
    if not items:
        raise InvalidInput.single("body", "The delivery holds no items")
    receipt = accept(session, actor=actor, items=items, source=IngestSource.HTTP, label=label, positions=positions)
    return _explained(session, receipt, unconverted)


def _loads(data: bytes) -> Any:
    """JSON with orjson (several times faster on large deliveries); what orjson refuses goes to the standard
    library, which gives the precise error (line, column) or reads what orjson is stricter about (NaN, integers
    beyond 64 bits, lone surrogates), exactly as before."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return json.loads(data)


def _json_items(body: bytes) -> list[object]:
    try:
        data = _loads(body)
    except UnicodeDecodeError as error:
        raise InvalidInput.single("body", "The body is not UTF-8 text (byte {offset})",
                                  {"offset": error.start}) from None
    except json.JSONDecodeError as error:
        raise InvalidInput.single("body", "The body is not valid JSON: {error} (line {line}, column {column})",
                                  {"error": error.msg, "line": error.lineno, "column": error.colno}) from None
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
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
            items.append(_loads(line))
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


# AAS environments ------------------------------------------------------------------------------------------------


def submodel_message_id(submodel_id: str) -> str:
    """The message id of a submodel's record: its id, which AAS keeps globally unique, so that the same submodel
    sent twice counts once; an id too long for a message id is replaced by its SHA-256, which two different ids
    do not share (cutting it short could)."""
    key = SUBMODEL_KEY_PREFIX + submodel_id
    if len(key) <= MAX_MESSAGE_ID:
        return key
    return f"{SUBMODEL_KEY_PREFIX}sha256:{hashlib.sha256(submodel_id.encode('utf-8')).hexdigest()}"


def _own_factory(session: Session, actor: Actor, factory_id: int | None) -> int:
    if factory_id is None:
        raise InvalidInput.single("factory_id", "Name the factory the submodels are for: add ?factory_id= to the "
                                                "address")
    if not any(f.id == factory_id for f in service.own_factories(session, actor=actor)):
        raise InvalidInput.single("factory_id", "Factory {id} is not a factory of your organization",
                                  {"id": factory_id})
    return factory_id


def _environment_items(session: Session, actor: Actor, environment: Mapping[str, Any],
                       factory_id: int | None) -> tuple[list[object], list[str], dict[str, _Unconverted]]:
    """The items of an AAS environment's submodels, each one's JSON kept as received for its dead letter."""
    factory = _own_factory(session, actor, factory_id)
    try:
        converted = environment_records(environment)
    except ValueError:
        raise InvalidInput.single("body.submodels", "submodels must be a list of submodels") from None
    received = environment.get("submodels") or []
    raws = [json.dumps(entry, ensure_ascii=False, default=str)[:MAX_RAW_LINE] for entry in received]
    return _submodel_items(converted, raws, factory)


def _submodel_items(converted: Sequence[SubmodelRecord], raws: Sequence[str],
                    factory_id: int) -> tuple[list[object], list[str], dict[str, _Unconverted]]:
    items: list[object] = []
    positions: list[str] = []
    unconverted: dict[str, _Unconverted] = {}
    for index, (submodel, raw) in enumerate(zip(converted, raws, strict=True)):
        position = _short(f"submodel {submodel.submodel_id}", POSITION_LENGTH)
        if position in positions:
            position = _short(f"submodel {submodel.submodel_id} (#{index + 1})", POSITION_LENGTH)
        positions.append(position)
        if submodel.converted:
            items.append({"factory_id": factory_id, "template": submodel.template, "record": submodel.record,
                          "message_id": submodel_message_id(submodel.submodel_id)})
            continue
        items.append(raw)
        unconverted[position] = _Unconverted(raw, tuple(Problem(position, f.message, dict(f.params))
                                                        for f in submodel.findings))
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


class FileKind(StrEnum):
    """What an uploaded file is, by its name and, without a telling suffix, by its first bytes."""

    DAILY_REPORT = "daily_report"
    B2MML = "b2mml"
    AAS_JSON = "aas_json"
    AASX = "aasx"
    STREAMS_XML = "streams_xml"
    STREAMS_JSON = "streams_json"
    SHDR = "shdr"


def ingest_file(session: Session, *, actor: Actor, filename: str, data: bytes, factory_id: int,
                max_bytes: int, machine: MachineLog | None = None) -> UploadReceipt:
    """The records of an uploaded file, for one of the organization's factories.

    - A daily production report (.csv, .xlsx) or a B2MML message (.xml): each record's message id is the SHA-256
      of the file and its row (or XPath), so uploading the same file again counts as duplicates; a row the
      converter could not convert becomes a dead letter with the converter's findings.
    - An AAS environment (.json with ``submodels``, or an .aasx package): each K-MDS submodel is a record whose
      message id is the submodel id; another submodel is dead-lettered with the reason.
    - An MTConnect machine log (SHDR .txt/.shdr with its device model, or an MTConnectStreams .xml/.json): the
      machine states of one device become a ProductionPerformance record per period of ``machine`` (see
      :func:`machine_records`); what the converter left out is in the receipt's notes.

    Refused whole, with nothing stored: a file over ``max_bytes`` (checked before parsing), another format, a file
    the converter refuses as a whole (a formula, merged header cells, XML with a DOCTYPE or entities, an SHDR log
    without its device model), a factory of another organization.
    """
    if len(data) > max_bytes:
        raise InvalidInput.single("file", "The file is {size} bytes; at most {limit} bytes are accepted",
                                  {"size": len(data), "limit": max_bytes})
    _own_factory(session, actor, factory_id)
    kind = file_kind(filename, data)
    if kind in (FileKind.AAS_JSON, FileKind.AASX):
        return _ingest_aas_file(session, actor, filename, data, factory_id, max_bytes, kind)
    if kind in (FileKind.STREAMS_XML, FileKind.STREAMS_JSON, FileKind.SHDR):
        return _ingest_machine_log(session, actor, filename, data, factory_id, max_bytes, kind,
                                   machine or MachineLog())
    records, findings = _convert(kind, filename, data, max_bytes)
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
    notes = tuple(f for f in findings if f.severity is not Severity.ERROR)
    return UploadReceipt(_explained(session, receipt, unconverted), notes)


def file_kind(filename: str, data: bytes) -> FileKind:
    """The kind of an uploaded file: by its suffix, and for .xml and .json (and a name without a suffix) by the
    root element or object it starts with."""
    suffix = PurePath(filename).suffix.lower()
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if suffix in REPORT_SUFFIXES:
        return FileKind.DAILY_REPORT
    if suffix == AASX_SUFFIX:
        return FileKind.AASX
    if suffix in SHDR_SUFFIXES:
        return FileKind.SHDR
    if suffix in XML_SUFFIXES or (suffix == "" and head.startswith(b"<")):
        return FileKind.STREAMS_XML if b"<MTConnectStreams" in head or b":MTConnectStreams" in head \
            else FileKind.B2MML
    if suffix == JSON_SUFFIX or (suffix == "" and head.startswith(b"{")):
        return FileKind.STREAMS_JSON if b'"MTConnectStreams"' in head else FileKind.AAS_JSON
    if suffix == "" and data.startswith(b"PK\x03\x04"):
        return FileKind.DAILY_REPORT
    raise InvalidInput.single("file", "Upload a daily production report (.csv, .xlsx), a B2MML message (.xml), an "
                                      "AAS environment (.json, .aasx) or an MTConnect log (.txt, .shdr, .xml, "
                                      ".json); {name} is none of them", {"name": filename or "-"})


def _convert(kind: FileKind, filename: str, data: bytes,
             max_bytes: int) -> tuple[list[tuple[str, dict[str, object], str]], list[Finding]]:
    if kind is FileKind.DAILY_REPORT:
        name = filename if PurePath(filename).suffix else f"{filename}.xlsx"
        tabular = read_daily_report(data, name, max_bytes=max_bytes)
        return [(r.template, r.record, r.source) for r in tabular.records], list(tabular.findings)
    b2mml = read_b2mml(data, max_bytes=max_bytes)
    return [(r.template, r.record, r.source) for r in b2mml.records], list(b2mml.findings)


def _ingest_aas_file(session: Session, actor: Actor, filename: str, data: bytes, factory_id: int,
                     max_bytes: int, kind: FileKind) -> UploadReceipt:
    converted = _aas_file_records(kind, filename, data, max_bytes)
    if not converted:
        raise InvalidInput.single("file", "{name} holds no records", {"name": filename or "-"})
    raws = [f"{filename} submodel {c.submodel_id}"[:MAX_RAW_LINE] for c in converted]
    items, positions, unconverted = _submodel_items(converted, raws, factory_id)
    receipt = accept(session, actor=actor, items=items, source=IngestSource.FILE, label=filename,
                     positions=positions)
    return UploadReceipt(_explained(session, receipt, unconverted))


def _aas_file_records(kind: FileKind, filename: str, data: bytes, max_bytes: int) -> list[SubmodelRecord]:
    """The records of an AAS environment file; refused whole when it is not one or cannot be read."""
    try:
        if kind is FileKind.AASX:
            return package_records(data, max_bytes=max_bytes)
        parsed = parse_json(data, max_bytes=max_bytes)
    except UnreadableFile as refusal:
        raise InvalidInput([_problem(refusal.finding(), filename)]) from None
    except ConversionFailed as failed:
        raise InvalidInput([_problem(f, filename) for f in failed.findings[:50]]) from None
    if not is_environment(parsed):
        raise InvalidInput.single("file", "{name} is neither an AAS environment (with submodels) nor an "
                                          "MTConnectStreams document", {"name": filename or "-"})
    try:
        return environment_records(parsed)
    except ValueError:
        raise InvalidInput.single("file", "submodels must be a list of submodels") from None


# Machine logs (MTConnect) ------------------------------------------------------------------------------------------


def _ingest_machine_log(session: Session, actor: Actor, filename: str, data: bytes, factory_id: int,
                        max_bytes: int, kind: FileKind, machine: MachineLog) -> UploadReceipt:
    """The ProductionPerformance records of a machine log, one per period, keyed by the file and the period."""
    model = _device_model(machine, max_bytes, required=kind is FileKind.SHDR)
    events = _stream_events(kind, filename, data, max_bytes, model, machine)
    errors = [f for f in events.findings if f.severity is Severity.ERROR]
    if not events.states and not events.part_counts:
        if errors:
            raise InvalidInput([_problem(f, filename) for f in errors[:50]])
        raise InvalidInput.single("file", "{name} holds no machine states or part counts", {"name": filename or "-"})
    records, notes = machine_records(events, machine, model)
    if not records:  # every observation at one instant: no period has a length
        raise InvalidInput.single("file", "{name} holds no records", {"name": filename or "-"})
    digest = hashlib.sha256(data).hexdigest()
    items: list[object] = [{"factory_id": factory_id, "template": "ProductionPerformance", "record": record,
                            "message_id": f"{digest}:{record['PeriodStart']}"} for record in records]
    positions = [_short(f"{record['WorkUnitId']} {record['PeriodStart']}", POSITION_LENGTH) for record in records]
    receipt = accept(session, actor=actor, items=items, source=IngestSource.FILE, label=filename,
                     positions=positions)
    return UploadReceipt(receipt, (*events.findings, *notes))


def _device_model(machine: MachineLog, max_bytes: int, *, required: bool) -> DeviceModel | None:
    if not machine.device_model:
        if required:
            raise InvalidInput.single("device_model", "An SHDR log needs its device model: upload the agent's "
                                                      "MTConnectDevices XML with it")
        return None
    try:
        model = read_devices(machine.device_model, max_bytes=max_bytes)
    except UnreadableFile as refusal:
        raise InvalidInput([_problem(refusal.finding(), "device_model")]) from None
    errors = [f for f in model.findings if f.severity is Severity.ERROR]
    if not model.devices:
        raise InvalidInput([_problem(f, "device_model") for f in errors[:50]] or [
            Problem("device_model", "The device model names no device")])
    return model


def _stream_events(kind: FileKind, filename: str, data: bytes, max_bytes: int, model: DeviceModel | None,
                   machine: MachineLog) -> StreamEvents:
    try:
        if kind is FileKind.SHDR and model is not None:
            return parse_shdr(data, model, device=machine.device or None)
        if kind is not FileKind.STREAMS_JSON:
            return read_streams_xml(data, model, max_bytes=max_bytes)
        return read_streams_json(data, model, max_bytes=max_bytes)
    except UnreadableFile as refusal:
        raise InvalidInput([_problem(refusal.finding(), filename)]) from None


def machine_records(events: StreamEvents, machine: MachineLog,
                    model: DeviceModel | None = None) -> tuple[list[dict[str, Any]], list[Finding]]:
    """The ProductionPerformance record of each period the log covers, and the findings of their derivation.

    The periods are days (00:00 to 24:00) or shifts of 8 or 12 hours from ``machine.shift_start``, in Korea time,
    cut to the span of the log (from its first to its last observation): the machine's state outside that span
    is not known, so it is not counted. Times are derived by :func:`midas.standard.convert.mtconnect.time_elements`
    (the planned busy time is the period as cut). Refused: a log of several devices without the one named, a
    device the log does not hold, a log over :data:`MAX_PERIODS` periods."""
    device = _chosen_device(events, machine, model)
    states = sorted((e for e in events.states if e.device == device), key=lambda e: e.timestamp)
    counts = [c for c in events.part_counts if c.device == device]
    moments = [e.timestamp for e in states] + [c.timestamp for c in counts]
    periods = log_periods(min(moments), max(moments), machine)
    work_unit = machine.work_unit_id or _equipment_id(device, model)
    kind = "Day" if machine.period is PeriodChoice.DAY else "Shift"
    stamps = [e.timestamp for e in states]
    records: list[dict[str, Any]] = []
    findings: list[Finding] = []
    for start, end in periods:
        upto = bisect.bisect_left(stamps, end)  # later states do not change the period
        elements = time_elements(states[:upto], counts, start, end, device=device)
        record, problems = production_performance_record(elements, work_unit_id=work_unit, period_kind=kind)
        records.append(record)
        findings += [*elements.findings, *problems]
    return records, findings


def _chosen_device(events: StreamEvents, machine: MachineLog, model: DeviceModel | None) -> str:
    present = sorted({e.device for e in events.states} | {c.device for c in events.part_counts})
    if machine.device:
        named = model.device(machine.device) if model is not None else None
        wanted = named.id if named is not None else machine.device
        if wanted not in present:
            raise InvalidInput.single("device", "The file holds no machine states of device {device}; it holds "
                                                "{known}", {"device": machine.device, "known": ", ".join(present)})
        return wanted
    if len(present) > 1:
        raise InvalidInput.single("device", "The file holds the devices {known}: name the one to convert",
                                  {"known": ", ".join(present)})
    return present[0]


def _equipment_id(device: str, model: DeviceModel | None) -> str:
    known = model.device(device) if model is not None else None
    return known.equipment_id if known is not None else device


def log_periods(first: datetime, last: datetime, machine: MachineLog) -> list[tuple[datetime, datetime]]:
    """The periods of ``machine`` from ``first`` to ``last``, in Korea time, each cut to [first, last]."""
    length = timedelta(hours=PERIOD_HOURS[machine.period])
    anchor_time = time(0, 0) if machine.period is PeriodChoice.DAY else machine.shift_start
    local_first = first.astimezone(KOREA_TIME)
    start = datetime.combine(local_first.date(), anchor_time, KOREA_TIME)
    while start > local_first:
        start -= length
    count = int((last - start) / length) + 1
    if count > MAX_PERIODS:
        raise InvalidInput.single("file", "The log spans {count} periods; at most {limit} are converted at once: "
                                          "split it or choose longer periods", {"count": count, "limit": MAX_PERIODS})
    periods: list[tuple[datetime, datetime]] = []
    while start < last:
        end = start + length
        cut = (max(start, local_first), min(end, last.astimezone(KOREA_TIME)))
        if cut[1] > cut[0]:
            periods.append(cut)
        start = end
    return periods


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
