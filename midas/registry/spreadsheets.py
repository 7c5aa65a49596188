"""Reading spreadsheets for bulk import: .csv (UTF-8 or CP949/EUC-KR) and .xlsx, first sheet, into a Table.

Whatever cannot be read is refused with an InvalidInput on the field "file" that says where (line, size, format),
before any row is looked at.
"""

from __future__ import annotations

import csv
import io
import warnings
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum
from pathlib import PurePath

from openpyxl import load_workbook

from midas.errors import InvalidInput, Problem

FILE_FIELD = "file"
XLSX_SIGNATURE = b"PK\x03\x04"
# An xlsx file is a zip archive; real workbooks unpack to some ten times their size. A far larger ratio is a
# zip bomb, refused before openpyxl unpacks it.
MAX_UNPACK_RATIO = 50


class TemplateFormat(StrEnum):
    XLSX = "xlsx"
    CSV = "csv"


@dataclass(frozen=True, slots=True)
class SourceRow:
    """One non-blank data row: its number as the spreadsheet shows it, and its cell values."""

    number: int
    cells: tuple[object, ...]


@dataclass(frozen=True, slots=True)
class Table:
    """A file's first sheet: the header cells (row ``header_row``) and the non-blank rows below it."""

    header_row: int
    headers: tuple[str, ...]
    rows: tuple[SourceRow, ...]


def refuse_file(message: str, params: Mapping[str, str | int | None] | None = None, *, row: int | None = None,
            column: str | None = None) -> InvalidInput:
    return InvalidInput([Problem(FILE_FIELD, message, dict(params or {}), row=row, column=column)])


def read_table(data: bytes, *, file_name: str, max_bytes: int) -> Table:
    """The header and rows of a .csv or .xlsx file; raises InvalidInput (field "file") when it cannot be read."""
    if not data and not file_name:
        raise refuse_file("Choose a file to upload")
    if len(data) > max_bytes:
        raise refuse_file("The file is {size} bytes, more than the limit of {limit} bytes",
                      {"size": f"{len(data):,}", "limit": f"{max_bytes:,}"})
    if not data.strip():
        raise refuse_file("The file is empty")
    if _file_format(file_name, data) is TemplateFormat.XLSX:
        return _table_from(_xlsx_rows(data, max_bytes))
    return _table_from(_csv_rows(_decode(data)))


def _file_format(file_name: str, data: bytes) -> TemplateFormat:
    suffix = PurePath(file_name).suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return TemplateFormat.XLSX
    if suffix in (".csv", ".txt"):
        return TemplateFormat.CSV
    if suffix == ".xls":
        raise refuse_file(
            "Excel 97-2003 files (.xls) cannot be read; save the file as .xlsx or CSV and upload it again"
        )
    if suffix:
        raise refuse_file("Upload a .csv or .xlsx file, not {name}", {"name": PurePath(file_name).name[:80]})
    return TemplateFormat.XLSX if data.startswith(XLSX_SIGNATURE) else TemplateFormat.CSV


def _decode(data: bytes) -> str:
    """UTF-8 (with or without a byte order mark) or CP949, the superset of EUC-KR that Korean Excel writes."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as utf8_error:
        try:
            return data.decode("cp949")
        except UnicodeDecodeError as cp949_error:
            # The encoding that read further is the one the file was meant to be in: report where it broke.
            position = max(utf8_error.start, cp949_error.start)
            line = data.count(b"\n", 0, position) + 1
            raise refuse_file("Line {line} is neither UTF-8 nor CP949 (EUC-KR) text; save the file as "
                          "\"CSV UTF-8\" and upload it again", {"line": line}) from None


def _csv_rows(text: str) -> list[tuple[int, tuple[object, ...]]]:
    first_line = text.split("\n", 1)[0]
    delimiter = ","
    if "," not in first_line:
        delimiter = "\t" if "\t" in first_line else ";" if ";" in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, tuple[object, ...]]] = []
    try:
        for number, cells in enumerate(reader, start=1):
            rows.append((number, tuple(cells)))
    except csv.Error as error:
        raise refuse_file("The CSV file cannot be read at line {line}: {detail}",
                      {"line": reader.line_num, "detail": str(error)}) from None
    return rows


def _xlsx_rows(data: bytes, max_bytes: int) -> list[tuple[int, tuple[object, ...]]]:
    not_xlsx = refuse_file("The file is not a valid Excel workbook (.xlsx); open it in Excel, save it as .xlsx "
                       "and upload it again")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError):
        raise not_xlsx from None
    if unpacked > max_bytes * MAX_UNPACK_RATIO:
        raise refuse_file("The workbook unpacks to {size} bytes, too large to import; split it into smaller files",
                      {"size": f"{unpacked:,}"})
    try:
        # openpyxl warns about workbook features it skips (data validation extensions, unknown styles);
        # none of them matter for reading values.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                sheet = workbook.worksheets[0]
                sheet.reset_dimensions()  # the stored dimension can be wrong; read every row there is
                return [(number, tuple(_cell_value(v) for v in values))
                        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)]
            finally:
                workbook.close()
    except Exception:  # openpyxl raises many kinds of errors for a broken workbook; each means the same here
        raise not_xlsx from None


def _cell_value(value: object) -> object:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _table_from(rows: Sequence[tuple[int, tuple[object, ...]]]) -> Table:
    filled = [(number, cells) for number, cells in rows if not all(is_blank(c) for c in cells)]
    if not filled:
        raise refuse_file("The file is empty")
    (header_row, header_cells), *data_rows = filled
    headers = tuple("" if is_blank(c) else str(c).strip() for c in header_cells)
    return Table(header_row=header_row, headers=headers,
                 rows=tuple(SourceRow(number, cells) for number, cells in data_rows))
