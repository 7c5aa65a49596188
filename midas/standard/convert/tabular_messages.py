"""The messages of the daily production report reader: English message ids with ``{name}`` parameters, and Korean.

Kept beside the reader, like :mod:`midas.standard.convert.b2mml_messages`, because the standard package imports
nothing from the platform's i18n; the same pairs are in ``midas/locale/ko/LC_MESSAGES/standard-tabular.po`` so
that the platform's catalog shows them too (tests/standard/test_tabular.py keeps the two in step).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

__all__ = ["TABULAR_MESSAGES_KO", "tabular_korean"]

FILE_TOO_LARGE: Final = "the file is {size} bytes, more than the limit of {limit} bytes"
EMPTY_FILE: Final = "the file is empty: it has no header row"
NO_DATA_ROWS: Final = "the file has the header rows but no data rows"
NOT_TEXT: Final = "line {line} is neither UTF-8 nor CP949 (EUC-KR) text; save the file as CSV UTF-8"
CSV_BROKEN: Final = "the CSV file cannot be read at line {line}: {reason}"
NOT_XLSX: Final = "the file is not an Excel workbook (.xlsx); open it in Excel and save it as .xlsx"
NOT_TABULAR: Final = "{name} is not a .csv or .xlsx file"
PART_TOO_LARGE: Final = "the workbook part {part} unpacks to {size} bytes, more than the limit of {limit} bytes"
PARTS_TOO_LARGE: Final = "the workbook unpacks to {size} bytes, more than the limit of {limit} bytes"
PART_RATIO: Final = "the workbook part {part} is compressed {ratio} to 1, more than {limit} to 1; refused as a zip bomb"
FORMULA: Final = (
    "cell {cell} holds the formula {formula}; enter the value itself, since a formula's saved result may be out of"
    " date or missing"
)
MERGED_HEADER: Final = "the header cells {cells} are merged; unmerge them so that each column has its own header"
MERGED_DATA: Final = "row {row}: the cells {cells} are merged, so all but the first look empty; unmerge them"
UNKNOWN_HEADER: Final = "column {letter} has the header {header}, which is not a column of the daily report template"
MISSING_HEADER: Final = "the required column {header} ({key}) is missing"
REPEATED_HEADER: Final = "columns {first} and {second} are both {header}"
HEADER_MISMATCH: Final = "column {letter} is headed {header}, but its key row says {key}, which is headed {expected}"
VALUES_WITHOUT_HEADER: Final = "column {letter} has values but no header"
MISSING_CELL: Final = "row {row}, column {column}: a value is required"
BAD_NUMBER: Final = "row {row}, column {column}: {value} is not a number"
NEGATIVE_NUMBER: Final = "row {row}, column {column}: {value} is negative; times and quantities cannot be"
BAD_DATE: Final = "row {row}, column {column}: {value} is not a date; write it like 2025-03-03"
BAD_TIME: Final = "row {row}, column {column}: {value} is not a time of day; write it like 08:00"
BAD_CHOICE: Final = "row {row}, column {column}: {value} is not one of {allowed}"
MISSING_TIME: Final = "row {row}, column {column}: a {kind} record needs its start and end time"
RECORD_INVALID: Final = "row {row} does not make a valid ProductionPerformance record at {column}: {reason}"
EXAMPLE_ROW: Final = "row {row} is the template's example row and was not converted"

TABULAR_MESSAGES_KO: Final[dict[str, str]] = {
    FILE_TOO_LARGE: "파일 크기가 {size}바이트로 한도 {limit}바이트보다 큽니다",
    EMPTY_FILE: "파일이 비어 있습니다. 머리글 행이 없습니다",
    NO_DATA_ROWS: "파일에 머리글 행만 있고 데이터 행이 없습니다",
    NOT_TEXT: "{line}번째 줄이 UTF-8도 CP949(EUC-KR)도 아닙니다. 파일을 CSV UTF-8로 저장하세요",
    CSV_BROKEN: "CSV 파일의 {line}번째 줄을 읽을 수 없습니다: {reason}",
    NOT_XLSX: "엑셀 통합 문서(.xlsx)가 아닙니다. 엑셀에서 열어 .xlsx로 저장하세요",
    NOT_TABULAR: "{name}은(는) .csv 또는 .xlsx 파일이 아닙니다",
    PART_TOO_LARGE: "통합 문서의 {part} 부분이 압축을 풀면 {size}바이트로 한도 {limit}바이트보다 큽니다",
    PARTS_TOO_LARGE: "통합 문서가 압축을 풀면 {size}바이트로 한도 {limit}바이트보다 큽니다",
    PART_RATIO: "통합 문서의 {part} 부분의 압축률이 {ratio}:1로 한도 {limit}:1보다 커서 압축 폭탄으로 보고 거부합니다",
    FORMULA: (
        "{cell} 셀에 수식 {formula}이(가) 있습니다. 저장된 수식 결과는 오래되었거나 없을 수 있으니 값을 직접 입력하세요"
    ),
    MERGED_HEADER: "머리글 셀 {cells}이(가) 병합되어 있습니다. 열마다 머리글이 있도록 병합을 해제하세요",
    MERGED_DATA: "{row}행: 셀 {cells}이(가) 병합되어 첫 셀 외에는 비어 보입니다. 병합을 해제하세요",
    UNKNOWN_HEADER: "{letter}열의 머리글 {header}은(는) 일일 생산 실적 양식의 열이 아닙니다",
    MISSING_HEADER: "필수 열 {header}({key})이(가) 없습니다",
    REPEATED_HEADER: "{first}열과 {second}열이 모두 {header}입니다",
    HEADER_MISMATCH: "{letter}열의 머리글은 {header}인데 키 행에는 {key}(머리글 {expected})로 적혀 있습니다",
    VALUES_WITHOUT_HEADER: "{letter}열에 값이 있지만 머리글이 없습니다",
    MISSING_CELL: "{row}행 {column} 열: 값이 필요합니다",
    BAD_NUMBER: "{row}행 {column} 열: {value}은(는) 수가 아닙니다",
    NEGATIVE_NUMBER: "{row}행 {column} 열: {value}은(는) 음수입니다. 시간과 수량은 음수일 수 없습니다",
    BAD_DATE: "{row}행 {column} 열: {value}은(는) 날짜가 아닙니다. 2025-03-03처럼 쓰세요",
    BAD_TIME: "{row}행 {column} 열: {value}은(는) 시각이 아닙니다. 08:00처럼 쓰세요",
    BAD_CHOICE: "{row}행 {column} 열: {value}은(는) {allowed} 중 하나가 아닙니다",
    MISSING_TIME: "{row}행 {column} 열: {kind} 실적에는 시작 시각과 종료 시각이 필요합니다",
    RECORD_INVALID: "{row}행으로 만든 ProductionPerformance 레코드가 {column}에서 유효하지 않습니다: {reason}",
    EXAMPLE_ROW: "{row}행은 양식의 작성 예시 행이므로 변환하지 않았습니다",
}


def tabular_korean(message: str, params: Mapping[str, str | int | float]) -> str:
    """The Korean text of a daily report finding, or the English one where the catalog has no translation."""
    return TABULAR_MESSAGES_KO.get(message, message).format(**params)
