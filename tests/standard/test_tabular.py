"""Daily production reports in CSV and Excel to K-MDS ProductionPerformance records: the template round trip,
encodings, per-row acceptance, and the refusals (formulas, merged headers, unknown headers, size, zip bombs)."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, time
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po
from openpyxl import Workbook, load_workbook

from midas.standard.convert.tabular import TabularReading, daily_report_template, read_daily_report
from midas.standard.convert.tabular_layout import COLUMNS, SHEET_TITLE
from midas.standard.convert.tabular_messages import TABULAR_MESSAGES_KO
from midas.standard.report import Layer, Severity

PROJECT = Path(__file__).resolve().parents[2]
HEADERS = [column.header for column in COLUMNS]
KEYS = [column.key for column in COLUMNS]
LETTER = {column.key: chr(ord("A") + index) for index, column in enumerate(COLUMNS)}

# Three rows as an owner fills them: a day shift, a night shift that ends the next morning, a whole day in kg.
FILLED: list[dict[str, Any]] = [
    {"WorkUnitId": "P01", "WorkDate": date(2025, 3, 3), "PeriodKind": "교대", "ShiftName": "주간",
     "StartTime": time(8, 0), "EndTime": time(17, 0), "OrderId": "PO-1", "ProductId": "BRK-100",
     "OperationId": "OP10", "PlannedBusyTime": 480, "ActualProductionTime": 400, "ActualUnitSetupTime": 20,
     "ActualUnitDelayTime": 15, "ActualUnitDownTime": 30, "ProducedQuantity": 780, "GoodQuantity": 752,
     "ScrapQuantity": 18, "ReworkQuantity": 10, "QuantityUnit": "개"},
    {"WorkUnitId": "P01", "WorkDate": date(2025, 3, 3), "PeriodKind": "교대", "ShiftName": "야간",
     "StartTime": time(22, 0), "EndTime": time(6, 0), "PlannedBusyTime": 420.5, "ActualProductionTime": 350,
     "ProducedQuantity": 600, "GoodQuantity": 590, "ScrapQuantity": 10},
    {"WorkUnitId": "M-7", "WorkDate": date(2025, 3, 4), "PeriodKind": "일", "ProducedQuantity": 1250.5,
     "GoodQuantity": 1200, "QuantityUnit": "kg"},
]
EXPECTED: list[dict[str, Any]] = [
    {"WorkUnitId": "P01", "PeriodKind": "Shift", "PeriodStart": "2025-03-03T08:00:00+09:00",
     "PeriodEnd": "2025-03-03T17:00:00+09:00", "ShiftName": "주간", "OrderId": "PO-1", "ProductId": "BRK-100",
     "OperationId": "OP10", "PlannedBusyTime": 28800, "ActualProductionTime": 24000, "ActualUnitSetupTime": 1200,
     "ActualUnitDelayTime": 900, "ActualUnitDownTime": 1800, "ProducedQuantity": 780, "GoodQuantity": 752,
     "ScrapQuantity": 18, "ReworkQuantity": 10, "QuantityUnit": "pcs"},
    {"WorkUnitId": "P01", "PeriodKind": "Shift", "PeriodStart": "2025-03-03T22:00:00+09:00",
     "PeriodEnd": "2025-03-04T06:00:00+09:00", "ShiftName": "야간", "PlannedBusyTime": 25230,
     "ActualProductionTime": 21000, "ProducedQuantity": 600, "GoodQuantity": 590, "ScrapQuantity": 10},
    {"WorkUnitId": "M-7", "PeriodKind": "Day", "PeriodStart": "2025-03-04T00:00:00+09:00",
     "PeriodEnd": "2025-03-05T00:00:00+09:00", "ProducedQuantity": 1250.5, "GoodQuantity": 1200,
     "QuantityUnit": "kg"},
]


def _filled_workbook(rows: list[dict[str, Any]]) -> Workbook:
    """The downloaded template with ``rows`` written over the example, from row 3 on."""
    workbook = load_workbook(io.BytesIO(daily_report_template("xlsx")))
    sheet = workbook[SHEET_TITLE]
    for number, row in enumerate(rows, start=3):
        for index, key in enumerate(KEYS, start=1):
            sheet.cell(row=number, column=index, value=row.get(key))
    return workbook


def _xlsx(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _csv_text(rows: list[dict[str, Any]], *, key_row: bool = True, headers: list[str] | None = None) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers or HEADERS)
    if key_row:
        writer.writerow(KEYS)
    for row in rows:
        writer.writerow([_csv_cell(row.get(key)) for key in KEYS])
    return buffer.getvalue()


def _csv_cell(value: object) -> str:
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return "" if value is None else str(value)


def _records(reading: TabularReading) -> list[dict[str, Any]]:
    return [record.record for record in reading.records]


def _rules(reading: TabularReading) -> list[tuple[str, str]]:
    return [(finding.rule, finding.path) for finding in reading.findings]


# --- the template ------------------------------------------------------------------------------------------


def test_the_xlsx_template_filled_with_three_rows_gives_three_exact_records() -> None:
    reading = read_daily_report(_xlsx(_filled_workbook(FILLED)), "일일생산실적.xlsx")
    assert reading.findings == ()
    assert reading.encoding == "xlsx"
    assert reading.sheet == SHEET_TITLE
    assert _records(reading) == EXPECTED
    assert [record.source for record in reading.records] == ["row 3", "row 4", "row 5"]
    assert {record.template for record in reading.records} == {"ProductionPerformance"}


def test_the_csv_template_has_the_korean_headers_the_keys_and_an_example_row() -> None:
    data = daily_report_template("csv")
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == HEADERS
    assert rows[1] == KEYS
    assert len(rows) == 3
    filled = data.decode("utf-8-sig").rsplit("\r\n", 2)[0] + "\r\n"  # header rows, without the example
    filled += _csv_text(FILLED).split("\r\n", 2)[2]
    reading = read_daily_report(filled.encode("utf-8-sig"), "report.csv")
    assert reading.encoding == "utf-8-sig"
    assert _records(reading) == EXPECTED


def test_the_xlsx_template_offers_drop_down_lists_and_a_guide() -> None:
    workbook = load_workbook(io.BytesIO(daily_report_template("xlsx")))
    sheet = workbook[SHEET_TITLE]
    assert [cell.value for cell in sheet[1]] == HEADERS
    assert [cell.value for cell in sheet[2]] == KEYS
    lists = {validation.formula1 for validation in sheet.data_validations.dataValidation
             if validation.type == "list"}
    assert lists == {'"교대,일,오더"', '"개,kg,g,t,l,m3,m,m2"'}
    assert workbook.sheetnames == [SHEET_TITLE, "작성 방법"]


def test_the_untouched_template_converts_nothing_and_says_why() -> None:
    for fmt in ("xlsx", "csv"):
        reading = read_daily_report(daily_report_template(fmt), f"template.{fmt}")
        assert reading.records == ()
        assert [(f.rule, f.severity) for f in reading.findings] == [("TAB-EXAMPLE", Severity.INFO)]


def test_an_unknown_template_format_is_refused() -> None:
    with pytest.raises(ValueError, match="xls"):
        daily_report_template("xls")
    with pytest.raises(ValueError, match="locale"):
        daily_report_template("csv", locale="en")


# --- encodings ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp949"])
def test_a_korean_csv_is_read_in_utf8_and_cp949_and_says_which(encoding: str) -> None:
    # Korean headers only (no key row), as an owner types them; Korean values in the cells.
    text = _csv_text(FILLED[:2], key_row=False)
    reading = read_daily_report(text.encode(encoding), "실적.csv")
    assert reading.encoding == encoding
    assert _records(reading) == EXPECTED[:2]
    assert reading.records[1].record["ShiftName"] == "야간"


def test_text_in_neither_encoding_is_refused_with_its_line() -> None:
    data = _csv_text(FILLED[:1]).encode("utf-8") + b"\xff\xfe\xff,1\r\n"
    reading = read_daily_report(data, "report.csv")
    assert reading.refused
    assert reading.records == ()
    assert _rules(reading) == [("TAB-ENCODING", "line 4")]


# --- per-row acceptance and bad cells ----------------------------------------------------------------------


def test_a_bad_number_is_reported_with_its_row_and_column_and_only_that_row_is_kept_out() -> None:
    rows = [FILLED[0], {**FILLED[1], "GoodQuantity": "많음"}, FILLED[2]]
    reading = read_daily_report(_xlsx(_filled_workbook(rows)), "report.xlsx")
    assert _records(reading) == [EXPECTED[0], EXPECTED[2]]
    [finding] = reading.findings
    assert (finding.rule, finding.path, finding.severity) == ("TAB-CELL", f"{LETTER['GoodQuantity']}4", Severity.ERROR)
    assert finding.params == {"row": 4, "column": "양품 수량", "value": "많음"}
    assert finding.english() == "row 4, column 양품 수량: 많음 is not a number"


@pytest.mark.parametrize(
    ("key", "value", "rule_message"),
    [
        ("PlannedBusyTime", "-5", "is negative"),
        ("WorkDate", "3월 어느 날", "is not a date"),
        ("StartTime", "25:00", "is not a time of day"),
        ("PeriodKind", "주", "is not one of 교대, 일, 오더"),
        ("QuantityUnit", "상자", "is not one of"),
        ("WorkUnitId", "", "a value is required"),
    ],
)
def test_each_kind_of_bad_cell_is_named(key: str, value: str, rule_message: str) -> None:
    text = _csv_text([FILLED[0], {**FILLED[0], key: value}])
    reading = read_daily_report(text.encode("utf-8"), "report.csv")
    assert _records(reading) == [EXPECTED[0]]
    [finding] = reading.findings
    assert finding.path == f"{LETTER[key]}4"
    assert finding.params["row"] == 4
    assert rule_message in finding.english()


def test_a_shift_without_its_times_is_not_converted() -> None:
    text = _csv_text([{**FILLED[0], "EndTime": None}])
    [finding] = read_daily_report(text.encode("utf-8"), "report.csv").findings
    assert finding.english() == "row 3, column 종료 시각: a Shift record needs its start and end time"


def test_a_row_that_breaks_a_kmds_rule_is_kept_out_with_the_rule() -> None:
    text = _csv_text([FILLED[0], {**FILLED[0], "GoodQuantity": 900}])
    reading = read_daily_report(text.encode("utf-8"), "report.csv")
    assert _records(reading) == [EXPECTED[0]]
    assert [(f.rule, f.path, f.params["row"]) for f in reading.errors] == [("KMDS-PP-001", "row 4", 4)]


def test_thousands_separators_and_numbers_as_text_are_read() -> None:
    text = _csv_text([{**FILLED[2], "ProducedQuantity": "1,250.5", "WorkDate": "2025.03.04"}])
    assert _records(read_daily_report(text.encode("utf-8"), "report.csv")) == [EXPECTED[2]]


# --- refusals: nothing converted ---------------------------------------------------------------------------


def test_a_formula_is_refused_with_its_cell_address() -> None:
    workbook = _filled_workbook(FILLED)
    workbook[SHEET_TITLE][f"{LETTER['ProducedQuantity']}4"] = "=P4+Q4+R4"
    reading = read_daily_report(_xlsx(workbook), "report.xlsx")
    assert reading.refused
    assert reading.records == ()
    [finding] = reading.findings
    assert (finding.layer, finding.rule, finding.path) == (Layer.READ, "TAB-FORMULA", "O4")
    assert finding.params == {"cell": "O4", "formula": "=P4+Q4+R4"}


def test_merged_header_cells_are_refused() -> None:
    workbook = _filled_workbook(FILLED)
    workbook[SHEET_TITLE].merge_cells("D1:F1")
    reading = read_daily_report(_xlsx(workbook), "report.xlsx")
    assert reading.records == ()
    assert _rules(reading) == [("TAB-MERGED", "D1:F1")]


def test_merged_data_cells_keep_their_rows_out() -> None:
    workbook = _filled_workbook(FILLED)
    workbook[SHEET_TITLE].merge_cells("A4:A5")
    reading = read_daily_report(_xlsx(workbook), "report.xlsx")
    assert _records(reading) == [EXPECTED[0]]
    assert _rules(reading) == [("TAB-MERGED", "row 4"), ("TAB-MERGED", "row 5")]


def test_an_unknown_header_is_refused_naming_the_column() -> None:
    headers = [*HEADERS[:-1], "비고"]
    reading = read_daily_report(_csv_text(FILLED, key_row=False, headers=headers).encode("utf-8"), "r.csv")
    assert reading.records == ()
    assert reading.encoding == "utf-8"
    [finding] = reading.findings
    assert (finding.rule, finding.path) == ("TAB-HEADER-UNKNOWN", "S1")
    assert finding.params == {"letter": "S", "header": "비고"}


def test_a_missing_required_column_is_refused_naming_it() -> None:
    text = "\r\n".join(",".join(line.split(",")[1:]) for line in _csv_text(FILLED, key_row=False).split("\r\n"))
    reading = read_daily_report(text.encode("utf-8"), "r.csv")
    assert [(f.rule, f.params) for f in reading.findings] == [
        ("TAB-HEADER-MISSING", {"header": "설비 ID", "key": "WorkUnitId"})]


def test_a_header_that_contradicts_its_key_is_refused() -> None:
    headers = list(HEADERS)
    headers[14], headers[15] = headers[15], headers[14]  # 생산 수량 and 양품 수량 swapped above their keys
    reading = read_daily_report(_csv_text(FILLED, headers=headers).encode("utf-8"), "r.csv")
    assert reading.records == ()
    assert [f.rule for f in reading.findings] == ["TAB-HEADER-MISMATCH", "TAB-HEADER-MISMATCH"]


def test_a_retitled_header_is_read_by_its_key() -> None:
    headers = [*HEADERS[:-1], "단위"]
    reading = read_daily_report(_csv_text(FILLED, headers=headers).encode("utf-8"), "r.csv")
    assert _records(reading) == EXPECTED


@pytest.mark.parametrize("data", [b"", b"  \r\n\r\n", b",,,\r\n"])
def test_an_empty_file_is_refused(data: bytes) -> None:
    reading = read_daily_report(data, "report.csv")
    assert reading.refused
    assert [f.rule for f in reading.findings] == ["TAB-EMPTY"]


def test_an_oversize_file_is_refused_before_it_is_parsed() -> None:
    # Bytes that would fail to decode: only the size is reported, so nothing was parsed.
    data = b"\xff" * 2048
    reading = read_daily_report(data, "report.csv", max_bytes=1024)
    assert [(f.rule, f.params) for f in reading.findings] == [("TAB-SIZE", {"size": 2048, "limit": 1024})]
    assert read_daily_report(data, "report.csv", max_bytes=4096).findings[0].rule == "TAB-ENCODING"


def _bomb(sheet_bytes: int) -> bytes:
    """A real template whose sheet XML is padded with blanks to ``sheet_bytes``: it compresses to almost nothing."""
    source = zipfile.ZipFile(io.BytesIO(daily_report_template("xlsx")))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                content += b" " * (sheet_bytes - len(content))
            target.writestr(info.filename, content)
    return buffer.getvalue()


def test_a_zip_bomb_workbook_is_refused_before_it_is_unpacked() -> None:
    data = _bomb(20 * 1024 * 1024)
    assert len(data) < 200_000
    reading = read_daily_report(data, "report.xlsx")
    assert reading.refused
    assert reading.records == ()
    assert _rules(reading) == [("TAB-RATIO", "xl/worksheets/sheet1.xml")]


def test_a_workbook_part_over_the_unpacked_limit_is_refused() -> None:
    reading = read_daily_report(daily_report_template("xlsx"), "report.xlsx", max_unpacked_bytes=10_000)
    assert reading.refused
    assert {f.rule for f in reading.findings} == {"TAB-UNPACKED"}
    assert "xl/worksheets/sheet1.xml" in {f.path for f in reading.findings}


def test_a_file_that_is_not_a_workbook_is_refused() -> None:
    reading = read_daily_report(b"PK\x03\x04 not really a zip", "report.xlsx")
    assert _rules(reading) == [("TAB-XLSX", "")]
    assert _rules(read_daily_report(b"x", "report.xls")) == [("TAB-FORMAT", "")]


# --- translations ------------------------------------------------------------------------------------------


def test_the_catalog_holds_exactly_the_readers_messages() -> None:
    with (PROJECT / "midas" / "locale" / "ko" / "LC_MESSAGES" / "standard-tabular.po").open("rb") as handle:
        catalog = {str(m.id): str(m.string) for m in read_po(handle, locale="ko") if m.id}
    assert catalog == TABULAR_MESSAGES_KO
