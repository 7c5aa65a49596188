"""KPI exports: CSV (UTF-8 with BOM) and Excel with the KPI table, the series and the parts; Korean headers first;
values, never formulas."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from midas.auth import Role
from midas.kpi.compute import KPIS
from midas.kpi.export import displayed, factory_tables, to_csv, to_xlsx
from midas.kpi.service import Grain
from tests.factories import make_user, sign_in
from tests.kpi.test_aggregates import send, shift_record
from tests.kpi.test_pages import QUERY, Seeded, report_of, seed_company


@pytest.fixture
def seeded(session: Session) -> Seeded:
    return seed_company(session, peers=0)


def sections(content: bytes) -> list[list[list[str]]]:
    """The CSV's tables, split at the empty rows."""
    assert content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    tables: list[list[list[str]]] = [[]]
    for row in rows:
        if not row:
            tables.append([])
        else:
            tables[-1].append(row)
    return tables


def test_the_csv_has_the_kpis_the_series_and_the_units(client: TestClient, session: Session,
                                                       seeded: Seeded) -> None:
    sign_in(client, seeded.member)
    response = client.get(f"/kpi/factories/{seeded.factory.id}/export.csv?{QUERY}&grain=day")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert f'filename="kpi_factory-{seeded.factory.id}_2026-11-01_2026-11-30.csv"' in \
        response.headers["content-disposition"]
    kpis, series, units = sections(response.content)
    assert kpis[0] == ["지표 / KPIs"]
    assert kpis[1][:4] == ["지표 ID / KPI id", "지표 / KPI", "영문 이름 / English name", "값 / Value"]
    report = report_of(session, seeded)
    by_id = {row[0]: row for row in kpis[2:]}
    assert list(by_id) == [kpi.id for kpi in KPIS]
    for value in report.kpis:
        row = by_id[value.definition.id]
        assert row[1] == value.definition.name_ko
        assert row[5] == value.definition.formula
        if value.value is None:
            assert row[3] == ""
            assert row[6]
        else:
            assert float(row[3]) == pytest.approx(displayed(value.definition, value.value))
    assert series[1][:3] == ["구간 / Period", "시작일 / Start", "종료일 / End"]
    assert [row[0] for row in series[2:]] == ["2026-11-02", "2026-11-03"]
    oee_column = series[1].index("설비종합효율(OEE) 지수 / OEE index")
    assert float(series[2][oee_column]) == pytest.approx(displayed(KPIS[3], report.series[0].kpis[3].value))
    assert units[1][0] == "작업 단위 / Work unit"
    assert [row[0] for row in units[2:]] == ["P01", "P02"]


def test_the_workbook_has_three_sheets_of_values(client: TestClient, session: Session, seeded: Seeded) -> None:
    sign_in(client, seeded.member)
    response = client.get(f"/kpi/factories/{seeded.factory.id}/export.xlsx?{QUERY}&grain=week")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["지표 KPIs", "추이 Trend", "세부 Parts"]
    kpis = list(workbook["지표 KPIs"].iter_rows(values_only=True))
    assert kpis[0][0] == "지표 ID / KPI id"
    report = report_of(session, seeded, Grain.WEEK)
    oee = next(row for row in kpis if row[0] == "oee_index")
    assert oee[3] == pytest.approx(displayed(KPIS[3], report.kpis[3].value))
    trend = list(workbook["추이 Trend"].iter_rows(values_only=True))
    assert [row[0] for row in trend[1:]] == ["2026-W45"]
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            assert all(cell.data_type != "f" for cell in row)


def test_a_work_unit_that_looks_like_a_formula_is_written_as_text(session: Session, seeded: Seeded) -> None:
    send(session, seeded.factory, seeded.actor, shift_record(9, 6, 8, unit="=HYPERLINK(\"http://x\")"))
    tables = factory_tables(report_of(session, seeded), "ko")
    units = sections(to_csv(tables))[2]
    assert "'=HYPERLINK(\"http://x\")" in [row[0] for row in units]
    workbook = load_workbook(io.BytesIO(to_xlsx(tables)))
    cells = [row[0] for row in workbook["세부 Parts"].iter_rows()]
    formula_like = next(cell for cell in cells if str(cell.value).endswith('HYPERLINK("http://x")'))
    assert formula_like.data_type == "s"


def test_a_roll_up_exports_too(client: TestClient, session: Session, seeded: Seeded) -> None:
    sign_in(client, make_user(session, Role.OPERATOR))
    response = client.get(f"/kpi/rollup/region/41/export.csv?{QUERY}")
    assert response.status_code == 200
    _kpis, _series, parts = sections(response.content)
    assert parts[1][0] == "업종(KSIC 중분류) / KSIC division"
    assert [row[0] for row in parts[2:]] == ["29"]
    assert client.get(f"/kpi/rollup/nation/all/export.xlsx?{QUERY}").status_code == 200


def test_another_organization_cannot_export(client: TestClient, session: Session, seeded: Seeded) -> None:
    sign_in(client, make_user(session, Role.COMPANY_MEMBER))
    assert client.get(f"/kpi/factories/{seeded.factory.id}/export.xlsx?{QUERY}").status_code == 404
