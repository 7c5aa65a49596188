"""The columns of the daily production report (일일 생산 실적) and the template an SME downloads to fill them.

One row is what one work unit did on one day, in one shift, or in the run of one order: a K-MDS
ProductionPerformance record. Times are written in **minutes** (a shop-floor owner thinks in minutes, not in the
seconds the record holds; the reader multiplies by 60), clock times as ``08:00`` in Korean time (UTC+09:00,
Korea has no daylight saving time).

Why two header rows: row 1 holds the Korean headers the owner reads; row 2 holds each column's English key (the
K-MDS idShort, or ``WorkDate``/``StartTime``/``EndTime`` for the period). A visible key row survives what a
hidden mapping does not: saving as CSV, copying the sheet into another workbook, moving or re-titling columns
(the key moves with its column). The reader identifies columns by the key row when there is one, and by the
Korean header (or the key) in row 1 when the key row was deleted.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, time
from enum import StrEnum
from typing import Final

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

__all__ = [
    "COLUMNS",
    "KEY_ROW",
    "PERIOD_KINDS",
    "QUANTITY_UNITS",
    "SHEET_TITLE",
    "ColumnKind",
    "ReportColumn",
    "daily_report_template",
]

SHEET_TITLE: Final = "일일 생산 실적"
GUIDE_TITLE: Final = "작성 방법"
KEY_ROW: Final = 2  # the row of the English keys in the template; data starts below it
FIRST_DATA_ROW: Final = 3


class ColumnKind(StrEnum):
    TEXT = "text"
    DATE = "date"
    TIME = "time"
    PERIOD_KIND = "period-kind"
    MINUTES = "minutes"
    QUANTITY = "quantity"
    UNIT = "unit"


@dataclass(frozen=True, slots=True)
class ReportColumn:
    """One column: its key (the record's idShort where there is one), Korean header, kind, and example."""

    key: str
    header: str
    kind: ColumnKind
    example: str | int | float | date | time
    note: str
    required: bool = False
    width: int = 14


# Korean and English spellings of the period kinds and units, to the K-MDS codes; the first is what the
# template's drop-down list offers.
PERIOD_KINDS: Final = {"교대": "Shift", "일": "Day", "오더": "Order", "하루": "Day", "일별": "Day",
                       "작업지시": "Order", "shift": "Shift", "day": "Day", "order": "Order"}
QUANTITY_UNITS: Final = {"개": "pcs", "kg": "kg", "g": "g", "t": "t", "l": "l", "m3": "m3", "m": "m", "m2": "m2",
                         "pcs": "pcs", "ea": "pcs", "pc": "pcs", "톤": "t", "ℓ": "l", "리터": "l"}
_KIND_CHOICES: Final = ("교대", "일", "오더")
_UNIT_CHOICES: Final = ("개", "kg", "g", "t", "l", "m3", "m", "m2")

COLUMNS: Final = (
    ReportColumn("WorkUnitId", "설비 ID", ColumnKind.TEXT, "HB-CW-M-L1-P01",
                 "작업 단위(설비)의 ID. 공장 구조에 등록한 설비 ID를 씁니다", required=True, width=18),
    ReportColumn("WorkDate", "작업일", ColumnKind.DATE, date(2025, 3, 3),
                 "실적 날짜(2025-03-03). 야간 교대는 시작한 날", required=True, width=12),
    ReportColumn("PeriodKind", "실적 구분", ColumnKind.PERIOD_KIND, "교대",
                 "교대, 일(하루 전체) 또는 오더(작업지시 하나의 수행 기간)", required=True, width=10),
    ReportColumn("ShiftName", "교대 이름", ColumnKind.TEXT, "주간", "생산 달력의 교대 이름(예: 주간, 야간, A조)"),
    ReportColumn("StartTime", "시작 시각", ColumnKind.TIME, time(8, 0),
                 "기간 시작(08:00, 한국 시간). 구분이 일이면 비워 두면 00:00", width=10),
    ReportColumn("EndTime", "종료 시각", ColumnKind.TIME, time(17, 0),
                 "기간 끝(17:00, 포함하지 않음). 시작보다 이르면 다음 날. 일이면 비워 두면 24:00", width=10),
    ReportColumn("OrderId", "작업지시 번호", ColumnKind.TEXT, "PO-2025-0301", "생산 오더(작업지시) 번호"),
    ReportColumn("ProductId", "품목 코드", ColumnKind.TEXT, "BRK-100", "생산한 제품의 품목 코드"),
    ReportColumn("OperationId", "공정 코드", ColumnKind.TEXT, "OP10-PRESS", "설비에서 수행한 공정의 코드"),
    ReportColumn("PlannedBusyTime", "계획 가동 시간(분)", ColumnKind.MINUTES, 480,
                 "계획 운전 시간에서 계획 정지(휴식, 계획 보전)를 뺀 시간, 분", width=16),
    ReportColumn("ActualProductionTime", "실제 생산 시간(분)", ColumnKind.MINUTES, 400,
                 "설비가 실제로 생산한 시간(부가가치 작업만), 분", width=16),
    ReportColumn("ActualUnitSetupTime", "준비 시간(분)", ColumnKind.MINUTES, 20, "셋업·금형 교환 등 준비 시간, 분"),
    ReportColumn("ActualUnitDelayTime", "지연 시간(분)", ColumnKind.MINUTES, 15,
                 "고장·짧은 정지 등으로 오더 처리가 늘어난 시간, 분"),
    ReportColumn("ActualUnitDownTime", "비가동 시간(분)", ColumnKind.MINUTES, 30,
                 "계획 가동 시간 중 설비가 쓸 수 있었으나 오더 없이 멈춘 시간, 분"),
    ReportColumn("ProducedQuantity", "생산 수량", ColumnKind.QUANTITY, 780, "생산한 전체 수량"),
    ReportColumn("GoodQuantity", "양품 수량", ColumnKind.QUANTITY, 752, "품질 요구를 만족한 수량"),
    ReportColumn("ScrapQuantity", "폐기 수량", ColumnKind.QUANTITY, 18, "불량으로 폐기·재활용할 수량"),
    ReportColumn("ReworkQuantity", "재작업 수량", ColumnKind.QUANTITY, 10, "재작업하면 양품이 될 수량"),
    ReportColumn("QuantityUnit", "수량 단위", ColumnKind.UNIT, "개",
                 "개, kg, g, t, l, m3, m, m2 중 하나. 비워 두면 개", width=10),
)

REQUIRED_FILL: Final = PatternFill("solid", start_color="FFE8F1FB", end_color="FFE8F1FB")
KEY_FONT: Final = Font(italic=True, color="FF808080", size=9)
BOLD: Final = Font(bold=True)


def daily_report_template(fmt: str, locale: str = "ko") -> bytes:
    """A daily production report template to fill in: ``fmt`` is ``"xlsx"`` or ``"csv"`` (UTF-8 with a byte order
    mark, so that Korean Excel does not guess CP949). Only Korean (``locale="ko"``) is written: it is the first
    language of the program, and the key row carries the English names."""
    if locale != "ko":
        raise ValueError(f"no daily report template in locale {locale!r}; known: 'ko'")
    if fmt == "csv":
        return _csv_template()
    if fmt == "xlsx":
        return _xlsx_template()
    raise ValueError(f"no daily report template in format {fmt!r}; known: 'xlsx', 'csv'")


def _example_text(value: str | int | float | date | time) -> str:
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return value.isoformat() if isinstance(value, date) else str(value)


def _csv_template() -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c.header for c in COLUMNS])
    writer.writerow([c.key for c in COLUMNS])
    writer.writerow([_example_text(c.example) for c in COLUMNS])
    return buffer.getvalue().encode("utf-8-sig")


def _xlsx_template() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook always has one sheet
    sheet.title = SHEET_TITLE
    sheet.append([c.header for c in COLUMNS])
    sheet.append([c.key for c in COLUMNS])
    sheet.append([c.example for c in COLUMNS])
    for index, column in enumerate(COLUMNS, start=1):
        _style_column(sheet, index, column)
    sheet.freeze_panes = f"A{FIRST_DATA_ROW}"
    _add_validations(sheet)
    _guide_sheet(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _style_column(sheet: Worksheet, index: int, column: ReportColumn) -> None:
    letter = get_column_letter(index)
    header = sheet.cell(row=1, column=index)
    header.font = BOLD
    if column.required:
        header.fill = REQUIRED_FILL
    header.comment = Comment(f"{'필수' if column.required else '선택'} · {column.note}", "MIDAS")
    key = sheet.cell(row=KEY_ROW, column=index)
    key.font = KEY_FONT
    key.comment = Comment("열을 알아보는 키입니다. 이 행은 지우거나 고치지 마세요.", "MIDAS")
    sheet.column_dimensions[letter].width = column.width
    # Number formats the owner's own rows inherit when Excel extends the table: dates and times, and ids as text
    # so that "0012" keeps its zeros.
    formats = {ColumnKind.DATE: "yyyy-mm-dd", ColumnKind.TIME: "hh:mm", ColumnKind.TEXT: "@"}
    if column.kind in formats:
        for row in range(FIRST_DATA_ROW, FIRST_DATA_ROW + 200):
            sheet.cell(row=row, column=index).number_format = formats[column.kind]


def _add_validations(sheet: Worksheet) -> None:
    """Drop-down lists and number checks Excel applies while typing; the reader checks everything again."""
    last = FIRST_DATA_ROW + 999
    for index, column in enumerate(COLUMNS, start=1):
        cells = f"{get_column_letter(index)}{FIRST_DATA_ROW}:{get_column_letter(index)}{last}"
        validation: DataValidation | None = None
        if column.kind is ColumnKind.PERIOD_KIND:
            validation = DataValidation(type="list", formula1=f'"{",".join(_KIND_CHOICES)}"', allow_blank=True)
        elif column.kind is ColumnKind.UNIT:
            validation = DataValidation(type="list", formula1=f'"{",".join(_UNIT_CHOICES)}"', allow_blank=True)
        elif column.kind in (ColumnKind.MINUTES, ColumnKind.QUANTITY):
            validation = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0",
                                        allow_blank=True)
            validation.error = "0 이상의 수를 입력하세요"
        if validation is not None:
            validation.showErrorMessage = True
            validation.add(cells)
            sheet.add_data_validation(validation)


def _guide_sheet(workbook: Workbook) -> None:
    sheet = workbook.create_sheet(GUIDE_TITLE)
    sheet.append(["열", "키", "필수", "설명"])
    for cell in sheet[1]:
        cell.font = BOLD
    for column in COLUMNS:
        sheet.append([column.header, column.key, "필수" if column.required else "선택", column.note])
    sheet.append([])
    sheet.append(["첫 시트의 1행은 한글 머리글, 2행은 열 키입니다. 2행을 지우거나 고치지 마세요."])
    sheet.append(["시간은 분 단위로 씁니다. 수식은 받지 않으니 값을 입력하세요. 3행의 예시는 지우거나 덮어쓰세요."])
    for letter, width in (("A", 20), ("B", 24), ("C", 8), ("D", 70)):
        sheet.column_dimensions[letter].width = width
