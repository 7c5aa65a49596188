"""KPI reports as files people open in a spreadsheet (CSV and Excel), and how a KPI reads for people.

Both formats carry the same three tables: the KPIs of the whole scope (with the reason a KPI is not computable),
the trend series and the parts (work units of a factory, regions or divisions of a roll-up). Headers are Korean
first, English after ("지표 / KPI"), so one file serves both readers.

Cells hold values, never formulas: a text that a spreadsheet would take for a formula (it starts with ``=``,
``+``, ``-`` or ``@``, e.g. a work unit id sent by a factory) is written as text, so opening an export can never
run anything (CSV injection).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet

from midas.errors import Problem
from midas.i18n import catalog, normalize_locale, translate
from midas.kpi.compute import KPIS, KpiDefinition, KpiUnit, KpiValue
from midas.kpi.service import FactoryReport, GroupKpis, RollupReport, SeriesPoint

__all__ = [
    "UNIT_NAMES",
    "ExportTables",
    "displayed",
    "factory_tables",
    "problem_text",
    "rollup_tables",
    "to_csv",
    "to_xlsx",
    "value_text",
]

#: What the number of each kind of KPI is in, as the files write it (Korean / English).
UNIT_NAMES: Final[Mapping[KpiUnit, str]] = {
    KpiUnit.RATIO: "%",
    KpiUnit.PER_HOUR: "시간당 / per hour",
    KpiUnit.SECONDS: "시간 / hours",
}
SECONDS_PER_HOUR: Final = 3600.0
# A missing parameter of a message still gives a sentence (and never an error page).
MISSING_PARAMETER: Final = "—"
FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")
BOM: Final = "\ufeff"

KPI_HEADERS: Final = (("지표 ID", "KPI id"), ("지표", "KPI"), ("영문 이름", "English name"), ("값", "Value"),
                      ("단위", "Unit"), ("수식", "Formula"), ("계산할 수 없는 이유", "Why not computable"))
SERIES_FIRST_HEADERS: Final = (("구간", "Period"), ("시작일", "Start"), ("종료일", "End"))


class _Lenient(dict[str, object]):
    def __missing__(self, key: str) -> str:
        return MISSING_PARAMETER


def problem_text(problem: Problem, locale: str) -> str:
    """A problem's message in ``locale``, with its parameters; a parameter the message names but the problem does
    not carry reads as a dash rather than failing."""
    text = catalog(normalize_locale(locale)).get(problem.message, problem.message)
    try:
        return text.format_map(_Lenient(problem.params))
    except (ValueError, IndexError):
        return problem.message


def displayed(definition: KpiDefinition, value: float | None) -> float | None:
    """A KPI's raw value in the unit people read: a ratio in percent, a duration in hours, a rate as it is."""
    if value is None:
        return None
    if definition.unit is KpiUnit.RATIO:
        return value * 100.0
    if definition.unit is KpiUnit.SECONDS:
        return value / SECONDS_PER_HOUR
    return value


def value_text(definition: KpiDefinition, value: float | None, locale: str) -> str:
    """A KPI's raw value as a page shows it: "83.2 %", "시간당 41.7", "12.50시간"; empty when there is none."""
    shown = displayed(definition, value)
    if shown is None:
        return ""
    if definition.unit is KpiUnit.RATIO:
        return f"{shown:,.1f} %"
    if definition.unit is KpiUnit.PER_HOUR:
        return translate(locale, "{value} per hour", {"value": f"{shown:,.1f}"})
    return translate(locale, "{value} h", {"value": f"{shown:,.2f}"})


# Tables ---------------------------------------------------------------------------------------------------------

Row = tuple[str | float | int | None, ...]


@dataclass(frozen=True, slots=True)
class ExportTables:
    """The three tables of an export: the KPIs, the trend and the parts (with the parts' header), and the file's
    name without its extension."""

    name: str
    kpis: list[Row]
    series: list[Row]
    parts: list[Row]
    parts_header: tuple[str, str]

    def sections(self) -> list[tuple[str, list[str], list[Row]]]:
        """(title, headers, rows) of each table, in the order they are written."""
        kpi_columns = [f"{name.name_ko} / {name.name}" for name in KPIS]
        return [
            ("지표 / KPIs", [_bilingual(h) for h in KPI_HEADERS], self.kpis),
            ("추이 / Trend", [*(_bilingual(h) for h in SERIES_FIRST_HEADERS), *kpi_columns], self.series),
            (_bilingual(self.parts_header), [_bilingual(self.parts_header), *kpi_columns], self.parts),
        ]


def _bilingual(header: tuple[str, str]) -> str:
    return f"{header[0]} / {header[1]}"


def _kpi_rows(values: Sequence[KpiValue], locale: str) -> list[Row]:
    return [(v.definition.id, v.definition.name_ko, v.definition.name, _rounded(displayed(v.definition, v.value)),
             UNIT_NAMES[v.definition.unit], v.definition.formula,
             problem_text(v.problem, locale) if v.problem is not None else "") for v in values]


def _series_rows(series: Iterable[SeriesPoint]) -> list[Row]:
    return [(p.label, p.start.isoformat(), p.end.isoformat(), *_values(p.kpis)) for p in series]


def _group_rows(groups: Iterable[GroupKpis]) -> list[Row]:
    return [(g.key, *_values(g.kpis)) for g in groups]


def _values(kpis: Sequence[KpiValue]) -> tuple[float | None, ...]:
    return tuple(_rounded(displayed(v.definition, v.value)) for v in kpis)


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def factory_tables(report: FactoryReport, locale: str) -> ExportTables:
    """A factory report's KPIs, its trend and its work units."""
    name = f"factory-{report.factory.id}_{report.period.start.isoformat()}_{report.period.end.isoformat()}"
    return ExportTables(name, _kpi_rows(report.kpis, locale), _series_rows(report.series),
                        _group_rows(report.units), ("작업 단위", "Work unit"))


ROLLUP_PART_HEADERS: Final = {
    "organization": ("공장 ID", "Factory id"),
    "region": ("업종(KSIC 중분류)", "KSIC division"),
    "ksic": ("지역", "Region"),
    "nation": ("지역", "Region"),
}


def rollup_tables(report: RollupReport, locale: str) -> ExportTables:
    """A roll-up's KPIs, its trend and its parts (factories, divisions or regions)."""
    scope = report.kind.value + (f"-{report.key}" if report.key else "")
    name = f"{scope}_{report.period.start.isoformat()}_{report.period.end.isoformat()}"
    return ExportTables(name, _kpi_rows(report.kpis, locale), _series_rows(report.series),
                        _group_rows(report.parts), ROLLUP_PART_HEADERS[report.kind.value])


# Files ----------------------------------------------------------------------------------------------------------


def _safe_text(value: str | float | int | None) -> str | float | int | None:
    """A text a spreadsheet would read as a formula, made plain text with a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(tables: ExportTables) -> bytes:
    """The tables one after the other, each under its title row, separated by an empty row; UTF-8 with a byte
    order mark so that Excel reads the Korean."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for index, (title, headers, rows) in enumerate(tables.sections()):
        if index:
            writer.writerow([])
        writer.writerow([title])
        writer.writerow(headers)
        writer.writerows([_safe_text(cell) if cell is not None else "" for cell in row] for row in rows)
    return (BOM + buffer.getvalue()).encode("utf-8")


SHEET_TITLES: Final = ("지표 KPIs", "추이 Trend", "세부 Parts")


def to_xlsx(tables: ExportTables) -> bytes:
    """A workbook with one sheet per table; every text cell is stored as text, never as a formula."""
    workbook = Workbook()
    first = workbook.active
    if isinstance(first, Worksheet):
        workbook.remove(first)
    for sheet_title, (_, headers, rows) in zip(SHEET_TITLES, tables.sections(), strict=True):
        sheet = workbook.create_sheet(sheet_title)
        _append(sheet, headers)
        for row in rows:
            _append(sheet, row)
        sheet.freeze_panes = "A2"
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _append(sheet: Worksheet, row: Sequence[str | float | int | None]) -> None:
    sheet.append(list(row))
    for cell in sheet[sheet.max_row]:
        if isinstance(cell, Cell) and isinstance(cell.value, str) and cell.data_type == "f":
            cell.data_type = "s"  # openpyxl takes any "=..." text for a formula; it is a value here
