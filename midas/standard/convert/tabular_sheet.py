"""The cells of an uploaded table, read safely: a CSV (UTF-8 or CP949) or the first sheet of an .xlsx workbook.

Everything that makes the cells untrustworthy refuses the whole file with findings, before a row is converted:
a file over the caller's size limit (checked before parsing), text in neither encoding, a workbook whose parts
unpack to too much (checked in the zip directory before openpyxl inflates anything; a zip bomb packs gigabytes
into kilobytes), and formulas. The workbook is read with ``data_only=False`` so that formulas are seen: the value
Excel cached beside a formula may be stale, or absent when another program wrote the file.
"""

from __future__ import annotations

import csv
import io
import warnings
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Final

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter, range_boundaries

from midas.standard.convert.tabular_messages import (
    CSV_BROKEN,
    FORMULA,
    NOT_TABULAR,
    NOT_TEXT,
    NOT_XLSX,
    PART_RATIO,
    PART_TOO_LARGE,
    PARTS_TOO_LARGE,
)
from midas.standard.io import UnreadableFile, parse_xml
from midas.standard.report import Finding, Layer, Severity

__all__ = ["CellRange", "Grid", "SheetRefused", "decode_text", "read_grid", "refusal"]

XLSX_SIGNATURE: Final = b"PK\x03\x04"
SPREADSHEET_NS: Final = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
# Real workbook parts compress some 5 to 20 times; a part far above that is a bomb. Small parts are exempt: a
# sheet of a few blank styled rows compresses well and harms nobody.
MAX_RATIO: Final = 100
RATIO_EXEMPT_BYTES: Final = 1024 * 1024
CSV_DELIMITERS: Final = (",", "\t", ";")


@dataclass(frozen=True, slots=True)
class CellRange:
    """A merged range of the sheet: its reference (``A1:C1``) and the rows it spans."""

    ref: str
    min_row: int
    max_row: int


@dataclass(frozen=True, slots=True)
class Grid:
    """The non-blank rows of the table as (row number as the spreadsheet shows it, cell values)."""

    encoding: str  # how the bytes were read: "utf-8", "utf-8-sig", "cp949" or "xlsx"
    sheet: str
    rows: tuple[tuple[int, tuple[object, ...]], ...]
    merged: tuple[CellRange, ...]


class SheetRefused(Exception):
    """The file cannot be trusted as a whole; ``findings`` say where and why."""

    def __init__(self, findings: Sequence[Finding]) -> None:
        self.findings = tuple(findings)
        super().__init__("; ".join(f.english() for f in self.findings))


def refusal(rule: str, message: str, params: dict[str, str | int | float], path: str = "") -> Finding:
    """A finding that refuses the file: of the read layer, an error."""
    return Finding(Layer.READ, rule, path, message, params, Severity.ERROR)


def read_grid(data: bytes, filename: str, *, max_unpacked_bytes: int) -> Grid:
    """The cells of ``data``, a .csv or .xlsx file by its name (or, without an ending, by its first bytes)."""
    suffix = PurePath(filename).suffix.lower()
    if suffix in (".xlsx", ".xlsm") or (not suffix and data.startswith(XLSX_SIGNATURE)):
        return _xlsx_grid(data, max_unpacked_bytes)
    if suffix in (".csv", ".txt", ""):
        return _csv_grid(data)
    raise SheetRefused([refusal("TAB-FORMAT", NOT_TABULAR, {"name": PurePath(filename).name[:80]})])


# --- CSV -------------------------------------------------------------------------------------------------------


def decode_text(data: bytes) -> tuple[str, str]:
    """The text and its encoding: UTF-8 strictly first (a CP949 file is almost never valid UTF-8, while much
    UTF-8 decodes as CP949 garbage), then CP949, the superset of EUC-KR that Korean Excel writes."""
    try:
        if data.startswith(b"\xef\xbb\xbf"):
            return data.decode("utf-8-sig"), "utf-8-sig"
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as utf8_error:
        try:
            return data.decode("cp949"), "cp949"
        except UnicodeDecodeError as cp949_error:
            position = max(utf8_error.start, cp949_error.start)
            line = data.count(b"\n", 0, position) + 1
            raise SheetRefused([refusal("TAB-ENCODING", NOT_TEXT, {"line": line}, f"line {line}")]) from None


def _csv_grid(data: bytes) -> Grid:
    text, encoding = decode_text(data)
    first_line = text.split("\n", 1)[0]
    delimiter = next((d for d in CSV_DELIMITERS if d in first_line), ",")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[tuple[int, tuple[object, ...]]] = []
    try:
        for cells in reader:
            values = tuple(cell.strip() for cell in cells)
            if any(values):
                rows.append((reader.line_num, values))
    except csv.Error as error:
        line = reader.line_num
        raise SheetRefused([refusal("TAB-CSV", CSV_BROKEN, {"line": line, "reason": str(error)},
                                    f"line {line}")]) from None
    return Grid(encoding, "", tuple(rows), ())


# --- XLSX ------------------------------------------------------------------------------------------------------


def _xlsx_grid(data: bytes, max_unpacked_bytes: int) -> Grid:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            _check_parts(archive.infolist(), max_unpacked_bytes)
            return _workbook_grid(data, archive, max_unpacked_bytes)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError):
        raise SheetRefused([refusal("TAB-XLSX", NOT_XLSX, {})]) from None


def _check_parts(parts: Sequence[zipfile.ZipInfo], limit: int) -> None:
    """Refuse a workbook that would unpack to too much, from the sizes its zip directory declares (zipfile never
    inflates a part beyond its declared size, so the declaration is a bound)."""
    findings: list[Finding] = []
    for part in parts:
        if part.file_size > limit:
            findings.append(refusal("TAB-UNPACKED", PART_TOO_LARGE,
                                    {"part": part.filename, "size": part.file_size, "limit": limit}, part.filename))
        elif part.file_size > RATIO_EXEMPT_BYTES and part.file_size > MAX_RATIO * max(part.compress_size, 1):
            ratio = part.file_size // max(part.compress_size, 1)
            findings.append(refusal("TAB-RATIO", PART_RATIO,
                                    {"part": part.filename, "ratio": ratio, "limit": MAX_RATIO}, part.filename))
    total = sum(part.file_size for part in parts)
    if not findings and total > limit:
        findings.append(refusal("TAB-UNPACKED", PARTS_TOO_LARGE, {"size": total, "limit": limit}))
    if findings:
        raise SheetRefused(findings)


def _workbook_grid(data: bytes, archive: zipfile.ZipFile, max_unpacked_bytes: int) -> Grid:
    try:
        with warnings.catch_warnings():
            # openpyxl warns about features it skips (extensions of data validation, unknown styles); none
            # matter for reading cells.
            warnings.simplefilter("ignore")
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except Exception:  # openpyxl raises many kinds of errors for a broken workbook; each means the same here
        raise SheetRefused([refusal("TAB-XLSX", NOT_XLSX, {})]) from None
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # the stored dimension can be wrong; read every row there is
        rows, formulas = _sheet_cells(sheet.iter_rows())
        if formulas:
            raise SheetRefused(formulas)
        path = getattr(sheet, "_worksheet_path", None)
        merged = _merged_ranges(archive, path, max_unpacked_bytes) if isinstance(path, str) else ()
        return Grid("xlsx", sheet.title, tuple(rows), merged)
    finally:
        workbook.close()


def _sheet_cells(
    sheet_rows: Iterable[Sequence[object]],
) -> tuple[list[tuple[int, tuple[object, ...]]], list[Finding]]:
    rows: list[tuple[int, tuple[object, ...]]] = []
    formulas: list[Finding] = []
    for number, cells in enumerate(sheet_rows, start=1):
        values: list[object] = []
        for column, cell in enumerate(cells, start=1):
            value = getattr(cell, "value", None)
            if getattr(cell, "data_type", None) == "f":
                address = f"{get_column_letter(column)}{number}"
                formulas.append(refusal("TAB-FORMULA", FORMULA, {"cell": address, "formula": str(value)[:80]},
                                        address))
            values.append(value.strip() if isinstance(value, str) else value)
        if any(value is not None and value != "" for value in values):
            rows.append((number, tuple(values)))
    return rows, formulas


def _merged_ranges(archive: zipfile.ZipFile, path: str, max_unpacked_bytes: int) -> tuple[CellRange, ...]:
    """The merged ranges of a sheet, from its XML (openpyxl's read-only mode does not give them)."""
    try:
        root = parse_xml(archive.read(path.lstrip("/")), max_bytes=max_unpacked_bytes)
    except (KeyError, UnreadableFile):
        raise SheetRefused([refusal("TAB-XLSX", NOT_XLSX, {}, path)]) from None
    ranges: list[CellRange] = []
    for element in root.iter(f"{{{SPREADSHEET_NS}}}mergeCell"):
        ref = element.get("ref") or ""
        try:
            _, min_row, _, max_row = range_boundaries(ref)
        except (ValueError, TypeError):
            continue
        if min_row is not None and max_row is not None:
            ranges.append(CellRange(ref, min_row, max_row))
    return tuple(ranges)
