"""Uploaded files through ingest_file: daily reports (CSV, Excel), B2MML, and what is refused."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from midas.auth import Actor, Role
from midas.errors import InvalidInput
from midas.ingest import DeadLetter, count_records, list_dead_letters
from midas.ingest.files import ingest_file
from midas.registry import Organization
from midas.standard.convert.tabular_layout import COLUMNS, SHEET_TITLE, daily_report_template
from tests.factories import make_factory, make_organization

LIMIT = 1024 * 1024
HEADERS = [column.header for column in COLUMNS]
KEYS = [column.key for column in COLUMNS]
DAY_SHIFT = {"WorkUnitId": "P01", "WorkDate": "2025-03-03", "PeriodKind": "교대", "ShiftName": "주간",
             "StartTime": "08:00", "EndTime": "17:00", "PlannedBusyTime": "480", "ActualProductionTime": "400",
             "ProducedQuantity": "780", "GoodQuantity": "752", "ScrapQuantity": "18", "QuantityUnit": "개"}
NIGHT_SHIFT = {**DAY_SHIFT, "ShiftName": "야간", "StartTime": "22:00", "EndTime": "06:00"}


def member_of(organization: Organization) -> Actor:
    return Actor(user_id=None, label=f"member@{organization.id}", role=Role.COMPANY_MEMBER,
                 organization_id=organization.id)


def report_csv(*rows: dict[str, str]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADERS)
    writer.writerow(KEYS)
    for row in rows:
        writer.writerow([row.get(key, "") for key in KEYS])
    return buffer.getvalue().encode("utf-8")


def test_a_csv_daily_report_is_stored_and_a_bad_row_becomes_a_dead_letter(session: Session) -> None:
    company = make_organization(session)
    factory = make_factory(session, company)
    bad = {**DAY_SHIFT, "ShiftName": "특근", "GoodQuantity": "많음"}
    receipt = ingest_file(session, actor=member_of(company), filename="실적.csv", factory_id=factory.id,
                          data=report_csv(DAY_SHIFT, bad, NIGHT_SHIFT), max_bytes=LIMIT)
    assert (receipt.accepted, receipt.duplicates, receipt.rejected) == (2, 0, 1)
    [refused] = receipt.refused
    assert refused.position == "row 4"
    assert refused.problems[0].field == "P4"  # the cell address
    letter = session.get(DeadLetter, refused.dead_letter_id)
    assert letter is not None
    assert letter.raw == "실적.csv row 4"
    assert letter.problems[0]["params"]["row"] == 4  # the converter's finding, not "not an object"
    assert count_records(session, organization_id=company.id) == 2


def test_uploading_the_same_file_again_counts_as_duplicates(session: Session) -> None:
    company = make_organization(session)
    factory = make_factory(session, company)
    data = report_csv(DAY_SHIFT, NIGHT_SHIFT)
    first = ingest_file(session, actor=member_of(company), filename="a.csv", data=data, factory_id=factory.id,
                        max_bytes=LIMIT)
    again = ingest_file(session, actor=member_of(company), filename="renamed.csv", data=data,
                        factory_id=factory.id, max_bytes=LIMIT)
    assert (first.accepted, again.accepted, again.duplicates) == (2, 0, 2)
    assert count_records(session, organization_id=company.id) == 2


def test_an_excel_report_is_read_and_merged_header_cells_refuse_it_whole(session: Session) -> None:
    company = make_organization(session)
    factory = make_factory(session, company)
    workbook = load_workbook(io.BytesIO(daily_report_template("xlsx")))
    sheet = workbook[SHEET_TITLE]
    for index, key in enumerate(KEYS, start=1):
        value = DAY_SHIFT.get(key)
        sheet.cell(row=3, column=index, value=float(value) if value and value.isdigit() else value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    receipt = ingest_file(session, actor=member_of(company), filename="report.xlsx", data=buffer.getvalue(),
                          factory_id=factory.id, max_bytes=LIMIT)
    assert (receipt.accepted, receipt.rejected) == (1, 0)
    sheet.merge_cells("A1:B1")
    merged = io.BytesIO()
    workbook.save(merged)
    with pytest.raises(InvalidInput) as refused:
        ingest_file(session, actor=member_of(company), filename="merged.xlsx", data=merged.getvalue(),
                    factory_id=factory.id, max_bytes=LIMIT)
    assert refused.value.problems
    assert count_records(session, organization_id=company.id) == 1


def test_b2mml_with_external_entities_is_refused_and_nothing_is_stored(session: Session) -> None:
    company = make_organization(session)
    factory = make_factory(session, company)
    attack = (b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n'
              b'<ProductionPerformance xmlns="http://www.wbf.org/xml/B2MML-V0401">&secret;</ProductionPerformance>')
    with pytest.raises(InvalidInput) as refused:
        ingest_file(session, actor=member_of(company), filename="perf.xml", data=attack, factory_id=factory.id,
                    max_bytes=LIMIT)
    assert refused.value.problems
    assert count_records(session, organization_id=company.id) == 0
    assert list_dead_letters(session, actor=member_of(company)).total == 0


def test_other_formats_oversize_files_and_foreign_factories_are_refused(session: Session) -> None:
    company = make_organization(session)
    factory = make_factory(session, company)
    foreign = make_factory(session, make_organization(session))
    sender = member_of(company)
    data = report_csv(DAY_SHIFT)
    with pytest.raises(InvalidInput) as other:
        ingest_file(session, actor=sender, filename="notes.pdf", data=b"%PDF-1.7", factory_id=factory.id,
                    max_bytes=LIMIT)
    assert "is neither" in other.value.problems[0].message
    with pytest.raises(InvalidInput) as too_big:
        ingest_file(session, actor=sender, filename="a.csv", data=data, factory_id=factory.id, max_bytes=len(data) - 1)
    assert too_big.value.problems[0].field == "file"
    with pytest.raises(InvalidInput) as not_ours:
        ingest_file(session, actor=sender, filename="a.csv", data=data, factory_id=foreign.id, max_bytes=LIMIT)
    assert not_ours.value.problems[0].field == "factory_id"
    assert count_records(session, organization_id=company.id) == 0
