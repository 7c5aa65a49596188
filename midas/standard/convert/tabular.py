"""Daily production reports (일일 생산 실적) in CSV or Excel to K-MDS ProductionPerformance records.

The report most SMEs can fill today, before any machine is connected: :func:`daily_report_template` gives the
form (see :mod:`midas.standard.convert.tabular_layout` for its columns and why it has a key row), and
:func:`read_daily_report` turns a filled one into records.

Acceptance is per row: a row with a bad cell gets a finding naming its row and column and is not converted; the
other rows are. What makes the file as a whole untrustworthy refuses it, with nothing converted: a size over the
caller's limit, an encoding that is neither UTF-8 nor CP949, a workbook that unpacks to too much, a formula,
merged header cells, a header that is not the template's. Every record is checked the way the package checks
records: against the record JSON Schema, converted to a submodel, and through the K-MDS conformance rules (good
+ scrap + rework ≤ produced and the like); an error keeps the row out, a warning goes with it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any, Final

import jsonschema_rs
from aas_core3 import types as aas
from openpyxl.utils import get_column_letter

from midas.standard.conformance import check_conformance
from midas.standard.convert.b2mml import KmdsRecord
from midas.standard.convert.tabular_layout import (
    COLUMNS,
    PERIOD_KINDS,
    QUANTITY_UNITS,
    ColumnKind,
    ReportColumn,
    daily_report_template,
)
from midas.standard.convert.tabular_messages import (
    BAD_CHOICE,
    BAD_DATE,
    BAD_NUMBER,
    BAD_TIME,
    EMPTY_FILE,
    EXAMPLE_ROW,
    FILE_TOO_LARGE,
    HEADER_MISMATCH,
    MERGED_DATA,
    MERGED_HEADER,
    MISSING_CELL,
    MISSING_HEADER,
    MISSING_TIME,
    NEGATIVE_NUMBER,
    NO_DATA_ROWS,
    RECORD_INVALID,
    REPEATED_HEADER,
    UNKNOWN_HEADER,
    VALUES_WITHOUT_HEADER,
)
from midas.standard.convert.tabular_sheet import CellRange, Grid, SheetRefused, read_grid, refusal
from midas.standard.record_schema import RecordError, record_json_schema, record_to_submodel
from midas.standard.report import Finding, Layer, Severity

__all__ = [
    "DEFAULT_MAX_REPORT_BYTES",
    "KOREA_TIME",
    "TabularReading",
    "daily_report_template",
    "example_record",
    "parse_cell",
    "read_daily_report",
]

DEFAULT_MAX_REPORT_BYTES: Final = 50 * 1024 * 1024
KOREA_TIME: Final = timezone(timedelta(hours=9), "KST")  # Korea keeps no daylight saving time
TEMPLATE: Final = "ProductionPerformance"
DAY_SECONDS: Final = 86_400
_PERIOD_KEYS: Final = frozenset({"WorkDate", "StartTime", "EndTime"})
_KEYS: Final = {column.key.lower(): column for column in COLUMNS}
_DATE: Final = re.compile(r"^(\d{4})\s*[-./년]\s*(\d{1,2})\s*[-./월]\s*(\d{1,2})\s*[.일]?$|^(\d{4})(\d{2})(\d{2})$")
_TIME: Final = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")
_THOUSANDS: Final = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")


@dataclass(frozen=True, slots=True)
class TabularReading:
    """What a daily report gave: its records (``source`` is the row), and findings for all not converted.

    ``encoding`` says how the bytes were read: ``utf-8``, ``utf-8-sig`` (UTF-8 with a byte order mark), ``cp949``
    or ``xlsx``; empty when the file was refused before it was read."""

    encoding: str
    sheet: str
    records: tuple[KmdsRecord, ...]
    findings: tuple[Finding, ...]

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.ERROR)

    @property
    def refused(self) -> bool:
        """Whether the file as a whole was refused (and so nothing in it converted)."""
        return any(f.layer is Layer.READ and f.severity is Severity.ERROR for f in self.findings)


def read_daily_report(
    data: bytes,
    filename: str,
    *,
    max_bytes: int = DEFAULT_MAX_REPORT_BYTES,
    max_unpacked_bytes: int | None = None,
) -> TabularReading:
    """The ProductionPerformance records of a filled daily report (.csv or .xlsx, by ``filename``), and a finding
    for every row or cell that was not converted.

    ``max_bytes`` bounds the file, checked before anything is parsed; ``max_unpacked_bytes`` (four times
    ``max_bytes`` unless given) bounds what a workbook may unpack to, checked before openpyxl inflates it.
    """
    if len(data) > max_bytes:
        return _refused(refusal("TAB-SIZE", FILE_TOO_LARGE, {"size": len(data), "limit": max_bytes}))
    if not data.strip():
        return _refused(refusal("TAB-EMPTY", EMPTY_FILE, {}))
    try:
        grid = read_grid(data, filename, max_unpacked_bytes=max_unpacked_bytes or 4 * max_bytes)
    except SheetRefused as refused:
        return TabularReading("", "", (), refused.findings)
    try:
        layout = _layout(grid)
    except SheetRefused as refused:
        return TabularReading(grid.encoding, grid.sheet, (), refused.findings)
    return _read_rows(grid, layout)


def _refused(finding: Finding) -> TabularReading:
    return TabularReading("", "", (), (finding,))


# --- the header ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Column:
    """A column of the file: its position, its header as written, and the template column it is."""

    index: int
    header: str
    column: ReportColumn


@dataclass(frozen=True, slots=True)
class _Layout:
    columns: tuple[_Column, ...]
    data_rows: tuple[tuple[int, tuple[object, ...]], ...]


def _normal(text: str) -> str:
    return re.sub(r"[\s*]", "", text).lower()


@cache
def _header_lookup() -> dict[str, ReportColumn]:
    """Header spellings to columns: the Korean header, the same without its unit (``(분)``), and the key."""
    lookup: dict[str, ReportColumn] = {}
    for column in COLUMNS:
        for name in (column.header, re.sub(r"\(.*?\)", "", column.header), column.key):
            lookup[_normal(name)] = column
    return lookup


def _text(cells: Sequence[object], index: int) -> str:
    value = cells[index] if index < len(cells) else None
    return "" if value is None else str(value).strip()


def _is_key_row(cells: Sequence[object]) -> bool:
    texts = [str(cell).strip() for cell in cells if cell is not None and str(cell).strip()]
    return bool(texts) and all(text.lower() in _KEYS for text in texts)


def _layout(grid: Grid) -> _Layout:
    """The columns of the file, from its header row and (if the next row is one) its key row; any header
    that is not the template's refuses the file, as do merged header cells."""
    if not grid.rows:
        raise SheetRefused([refusal("TAB-EMPTY", EMPTY_FILE, {})])
    (header_number, header), *rest = grid.rows
    key_row = rest[0] if rest and _is_key_row(rest[0][1]) else None
    data_rows = tuple(rest[1:] if key_row else rest)
    header_numbers = {header_number, key_row[0] if key_row else header_number}
    merged = [cells for cells in grid.merged if cells.min_row <= max(header_numbers)]
    if merged:
        raise SheetRefused([refusal("TAB-MERGED", MERGED_HEADER, {"cells": cells.ref}, cells.ref) for cells in merged])
    columns, problems = _match(header, key_row[1] if key_row else None, data_rows, header_number)
    if problems:
        raise SheetRefused(problems)
    return _Layout(tuple(columns), data_rows)


def _match(
    header: Sequence[object],
    keys: Sequence[object] | None,
    data_rows: Sequence[tuple[int, tuple[object, ...]]],
    header_number: int,
) -> tuple[list[_Column], list[Finding]]:
    width = max([len(header), len(keys or ()), *(len(cells) for _, cells in data_rows)])
    columns: list[_Column] = []
    problems: list[Finding] = []
    for index in range(width):
        letter = get_column_letter(index + 1)
        text, key = _text(header, index), _text(keys or (), index)
        where = f"{letter}{header_number}"
        by_header = _header_lookup().get(_normal(text)) if text else None
        column = _KEYS.get(key.lower()) if key else by_header
        if key and by_header is not None and by_header is not column and column is not None:
            problems.append(refusal("TAB-HEADER-MISMATCH", HEADER_MISMATCH, {
                "letter": letter, "header": text, "key": key, "expected": column.header}, where))
        elif column is not None:
            columns.append(_Column(index, text or column.header, column))
        elif text:
            problems.append(refusal("TAB-HEADER-UNKNOWN", UNKNOWN_HEADER, {"letter": letter, "header": text}, where))
        elif any(_text(cells, index) for _, cells in data_rows):
            problems.append(refusal("TAB-HEADER-BLANK", VALUES_WITHOUT_HEADER, {"letter": letter}, where))
    return columns, problems + _repeated(columns) + _missing(columns)


def _repeated(columns: Sequence[_Column]) -> list[Finding]:
    seen: dict[str, _Column] = {}
    problems: list[Finding] = []
    for column in columns:
        first = seen.setdefault(column.column.key, column)
        if first is not column:
            problems.append(refusal("TAB-HEADER-REPEATED", REPEATED_HEADER, {
                "first": get_column_letter(first.index + 1), "second": get_column_letter(column.index + 1),
                "header": column.column.header}))
    return problems


def _missing(columns: Sequence[_Column]) -> list[Finding]:
    present = {column.column.key for column in columns}
    return [refusal("TAB-HEADER-MISSING", MISSING_HEADER, {"header": column.header, "key": column.key})
            for column in COLUMNS if column.required and column.key not in present]


# --- the rows --------------------------------------------------------------------------------------------------


def _read_rows(grid: Grid, layout: _Layout) -> TabularReading:
    records: list[KmdsRecord] = []
    findings: list[Finding] = []
    merged_rows = _merged_rows(grid.merged)
    for number, cells in layout.data_rows:
        if number in merged_rows:
            findings.append(_row_finding(MERGED_DATA, "TAB-MERGED", number, {"cells": merged_rows[number]}))
            continue
        record, problems = _row_record(number, cells, layout.columns)
        findings.extend(problems)
        if record is not None:
            records.append(KmdsRecord(TEMPLATE, record, f"row {number}"))
    if not layout.data_rows:
        findings.append(Finding(Layer.READ, "TAB-NO-ROWS", "", NO_DATA_ROWS, {}, Severity.WARNING))
    return TabularReading(grid.encoding, grid.sheet, tuple(records), tuple(findings))


def _merged_rows(merged: Sequence[CellRange]) -> dict[int, str]:
    rows: dict[int, str] = {}
    for cells in merged:
        for number in range(cells.min_row, cells.max_row + 1):
            rows[number] = f"{rows[number]}, {cells.ref}" if number in rows else cells.ref
    return rows


def _row_finding(message: str, rule: str, number: int, params: Mapping[str, str | int | float],
                 path: str = "", severity: Severity = Severity.ERROR) -> Finding:
    return Finding(Layer.CONFORMANCE, rule, path or f"row {number}", message, {"row": number, **params}, severity)


class _BadCell(Exception):
    """A cell that cannot be read as its column's kind: the message id of why."""

    def __init__(self, message: str, params: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.params = dict(params or {})


def _row_record(
    number: int, cells: Sequence[object], columns: Sequence[_Column]
) -> tuple[dict[str, Any] | None, list[Finding]]:
    """The record of one row, or the findings that keep it out."""
    values: dict[str, Any] = {}
    problems: list[Finding] = []
    for column in columns:
        raw = cells[column.index] if column.index < len(cells) else None
        params = {"column": column.header, "value": _shown(raw)}
        address = f"{get_column_letter(column.index + 1)}{number}"
        if raw is None or (isinstance(raw, str) and not raw):
            if column.column.required:
                problems.append(_row_finding(MISSING_CELL, "TAB-CELL", number, params, address))
            continue
        try:
            values[column.column.key] = parse_cell(column.column.kind, raw)
        except _BadCell as bad:
            problems.append(_row_finding(bad.message, "TAB-CELL", number, {**params, **bad.params}, address))
    if problems:
        return None, problems
    headers = {column.column.key: column.header for column in columns}
    try:
        record = _record(values)
    except _BadCell as bad:  # a shift or order row without its times
        header = headers.get("StartTime" if "StartTime" not in values else "EndTime", "")
        return None, [_row_finding(bad.message, "TAB-CELL", number, {"column": header, **bad.params})]
    return _checked(number, record, headers)


def _shown(value: object) -> str:
    return str(value)[:60] if value is not None else ""


# --- cells -----------------------------------------------------------------------------------------------------


def parse_cell(kind: ColumnKind, value: object) -> Any:
    """A cell's value as its column's kind: text, a date, seconds since midnight, a K-MDS code, or a JSON
    number (minutes already turned into the seconds the record holds)."""
    match kind:
        case ColumnKind.TEXT:
            return _id_text(value)
        case ColumnKind.DATE:
            return _date(value)
        case ColumnKind.TIME:
            return _seconds_of_day(value)
        case ColumnKind.PERIOD_KIND:
            return _choice(value, PERIOD_KINDS, "교대, 일, 오더")
        case ColumnKind.UNIT:
            return _choice(value, QUANTITY_UNITS, "개, kg, g, t, l, m3, m, m2")
        case ColumnKind.MINUTES:
            return _json_number(_number(value) * 60)
        case ColumnKind.QUANTITY:
            return _json_number(_number(value))


def _id_text(value: object) -> str:
    # An id typed as a number in Excel (101) comes back as 101 or 101.0; the record wants the text "101".
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    match = _DATE.match(str(value).strip()) if isinstance(value, str) else None
    if match is None:
        raise _BadCell(BAD_DATE)
    year, month, day = (int(part) for part in match.groups() if part is not None)
    try:
        return date(year, month, day)
    except ValueError:
        raise _BadCell(BAD_DATE) from None


def _seconds_of_day(value: object) -> int:
    """Seconds since midnight; 24:00 is the end of the day. Excel gives a time, a date-time (a time typed into a
    date cell) or, in a cell formatted General, a fraction of a day."""
    if isinstance(value, datetime):
        value = value.time()
    if isinstance(value, time):
        return value.hour * 3600 + value.minute * 60 + value.second
    if isinstance(value, float) and 0 <= value < 1:
        return round(value * DAY_SECONDS)
    match = _TIME.match(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise _BadCell(BAD_TIME)
    hours, minutes, seconds = int(match[1]), int(match[2]), int(match[3] or 0)
    if minutes > 59 or seconds > 59 or hours > 24 or (hours == 24 and minutes + seconds):
        raise _BadCell(BAD_TIME)
    return hours * 3600 + minutes * 60 + seconds


def _choice(value: object, choices: Mapping[str, str], allowed: str) -> str:
    code = choices.get(str(value).strip().lower())
    if code is None:
        raise _BadCell(BAD_CHOICE, {"allowed": allowed})
    return code


def _number(value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise _BadCell(BAD_NUMBER)
    text = str(value).strip()
    if _THOUSANDS.match(text):
        text = text.replace(",", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise _BadCell(BAD_NUMBER) from None
    if not number.is_finite():
        raise _BadCell(BAD_NUMBER)
    if number < 0:
        raise _BadCell(NEGATIVE_NUMBER)
    return number


def _json_number(number: Decimal) -> int | float:
    return int(number) if number == number.to_integral_value() else float(number)


# --- records ---------------------------------------------------------------------------------------------------


def _record(values: Mapping[str, Any]) -> dict[str, Any]:
    """The record of a row's values: the day and clock times become the period, in Korean time."""
    start, end = values.get("StartTime"), values.get("EndTime")
    kind = values["PeriodKind"]
    if kind == "Day":
        start = 0 if start is None else start
        end = DAY_SECONDS if end is None else end
    if start is None or end is None:
        raise _BadCell(MISSING_TIME, {"kind": kind})
    midnight = datetime.combine(values["WorkDate"], time(), KOREA_TIME)
    period_start = midnight + timedelta(seconds=start)
    period_end = midnight + timedelta(seconds=end)
    if period_end <= period_start:  # a night shift ends the next day
        period_end += timedelta(days=1)
    record: dict[str, Any] = {
        "WorkUnitId": values["WorkUnitId"],
        "PeriodKind": kind,
        "PeriodStart": period_start.isoformat(timespec="seconds"),
        "PeriodEnd": period_end.isoformat(timespec="seconds"),
    }
    for column in COLUMNS:
        if column.key not in record and column.key not in _PERIOD_KEYS and column.key in values:
            record[column.key] = values[column.key]
    return record


@cache
def _validator() -> jsonschema_rs.Validator:
    return jsonschema_rs.validator_for(record_json_schema(TEMPLATE))


@cache
def example_record() -> dict[str, Any]:
    """The record the template's example row makes: a row equal to it was left in by mistake."""
    return _record({column.key: parse_cell(column.kind, column.example) for column in COLUMNS})


def _checked(number: int, record: dict[str, Any], headers: Mapping[str, str]) -> tuple[dict[str, Any] | None,
                                                                                       list[Finding]]:
    """The record if the package's record checks accept it: schema, submodel, conformance."""
    if record == example_record():
        return None, [_row_finding(EXAMPLE_ROW, "TAB-EXAMPLE", number, {}, severity=Severity.INFO)]
    for error in _validator().iter_errors(record):
        key = str(error.instance_path[0]) if error.instance_path else ""
        return None, [_invalid(number, _column_of(key, headers), error.message)]
    try:
        submodel = record_to_submodel(TEMPLATE, record)
    except RecordError as error:
        return None, [_invalid(number, _column_of(error.pointer.strip("/"), headers), error.cause)]
    findings = [
        Finding(f.layer, f.rule, f"row {number}", f.message, {**f.params, "row": number}, f.severity)
        for f in check_conformance(aas.Environment(submodels=[submodel]))
    ]
    accepted = not any(f.severity is Severity.ERROR for f in findings)
    return (record if accepted else None), findings


def _column_of(key: str, headers: Mapping[str, str]) -> str:
    """The header of the column a record key came from (the period comes from the date and times)."""
    if key in ("PeriodStart", "PeriodEnd"):
        key = "StartTime" if key == "PeriodStart" else "EndTime"
        return headers.get(key, headers.get("WorkDate", key))
    return headers.get(key, key or "/")


def _invalid(number: int, column: str, reason: str) -> Finding:
    return _row_finding(RECORD_INVALID, "TAB-RECORD", number, {"column": column, "reason": reason})
