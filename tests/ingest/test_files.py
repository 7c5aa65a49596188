"""Uploaded files through ingest_file: daily reports (CSV, Excel), B2MML, AAS environments (JSON, AASX), MTConnect
machine logs (SHDR with its device model, Streams XML and JSON), and what is refused."""

from __future__ import annotations

import csv
import io
import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aas_core3 import types as aas
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from midas.auth import Actor, Role
from midas.errors import InvalidInput
from midas.ingest import DeadLetter, ProductionRecord, count_records, list_dead_letters
from midas.ingest.files import ingest_file, log_periods, machine_log
from midas.registry import Organization
from midas.standard import AAS_JSON, AASX, example_record, record_to_submodel
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
                          data=report_csv(DAY_SHIFT, bad, NIGHT_SHIFT), max_bytes=LIMIT).receipt
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
                        max_bytes=LIMIT).receipt
    again = ingest_file(session, actor=member_of(company), filename="renamed.csv", data=data,
                        factory_id=factory.id, max_bytes=LIMIT).receipt
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
                          factory_id=factory.id, max_bytes=LIMIT).receipt
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
    assert "is none of them" in other.value.problems[0].message
    with pytest.raises(InvalidInput) as too_big:
        ingest_file(session, actor=sender, filename="a.csv", data=data, factory_id=factory.id, max_bytes=len(data) - 1)
    assert too_big.value.problems[0].field == "file"
    with pytest.raises(InvalidInput) as not_ours:
        ingest_file(session, actor=sender, filename="a.csv", data=data, factory_id=foreign.id, max_bytes=LIMIT)
    assert not_ours.value.problems[0].field == "factory_id"
    assert count_records(session, organization_id=company.id) == 0


# --- AAS environments --------------------------------------------------------------------------------------------


def environment_bytes(*submodel_ids: str) -> bytes:
    submodels = [record_to_submodel("ProductionPerformance", example_record("ProductionPerformance"),
                                    submodel_id=submodel_id) for submodel_id in submodel_ids]
    return AAS_JSON.write(aas.Environment(submodels=submodels))


def test_an_aas_environment_file_is_read_per_submodel_and_counts_once_by_submodel_id(session: Session) -> None:
    company = make_organization(session)
    factory = make_factory(session, company)
    first = ingest_file(session, actor=member_of(company), filename="env.json", data=environment_bytes("urn:x:1"),
                        factory_id=factory.id, max_bytes=LIMIT).receipt
    package = AASX.write(AAS_JSON.read(environment_bytes("urn:x:1", "urn:x:2")))
    second = ingest_file(session, actor=member_of(company), filename="shells.aasx", data=package,
                         factory_id=factory.id, max_bytes=LIMIT).receipt
    assert (first.accepted, second.accepted, second.duplicates) == (1, 1, 1)
    assert count_records(session, organization_id=company.id) == 2


def test_a_json_file_that_is_no_environment_and_a_broken_package_are_refused_whole(session: Session) -> None:
    company = make_organization(session)
    factory = make_factory(session, company)
    with pytest.raises(InvalidInput) as plain:
        ingest_file(session, actor=member_of(company), filename="x.json", data=b'{"a": 1}', factory_id=factory.id,
                    max_bytes=LIMIT)
    assert "neither an AAS environment" in plain.value.problems[0].message
    with pytest.raises(InvalidInput):
        ingest_file(session, actor=member_of(company), filename="x.aasx", data=b"PK\x03\x04broken",
                    factory_id=factory.id, max_bytes=LIMIT)
    assert count_records(session, organization_id=company.id) == 0


# --- MTConnect machine logs --------------------------------------------------------------------------------------

STREAMS_XML = b"""<?xml version="1.0"?>
<MTConnectStreams xmlns="urn:mtconnect.org:MTConnectStreams:2.0">
  <Streams><DeviceStream name="M1" uuid="m1-uuid"><ComponentStream component="Path" componentId="p1">
    <Events>
      <Availability dataItemId="a" timestamp="2025-03-03T00:00:00Z">AVAILABLE</Availability>
      <Execution dataItemId="e" timestamp="2025-03-03T00:00:00Z">ACTIVE</Execution>
      <PartCount dataItemId="c" timestamp="2025-03-03T00:00:00Z">10</PartCount>
      <Execution dataItemId="e" timestamp="2025-03-03T01:00:00Z">FEED_HOLD</Execution>
      <PartCount dataItemId="c" timestamp="2025-03-03T00:30:00Z">14</PartCount>
      <Block dataItemId="b" timestamp="2025-03-03T00:10:00Z">G01 X1</Block>
      <Execution dataItemId="e" timestamp="2025-03-03T02:00:00Z">READY</Execution>
    </Events>
  </ComponentStream></DeviceStream></Streams>
</MTConnectStreams>"""


def test_an_mtconnect_streams_file_becomes_a_record_per_shift_with_the_notes(session: Session) -> None:
    company = make_organization(session)
    factory = make_factory(session, company)
    # 00:00-02:00 UTC is 09:00-11:00 in Korea: 12-hour shifts from 10:00 cut it in two.
    machine = machine_log(work_unit_id="LINE1-M1", period="shift12", shift_start="10:00")
    upload = ingest_file(session, actor=member_of(company), filename="streams.xml", data=STREAMS_XML,
                         factory_id=factory.id, max_bytes=LIMIT, machine=machine)
    assert (upload.receipt.accepted, upload.receipt.rejected) == (2, 0)
    records = session.scalars(select(ProductionRecord.record).where(ProductionRecord.organization_id == company.id)
                              .order_by(ProductionRecord.id)).all()
    assert [(r["PeriodStart"], r["PeriodEnd"]) for r in records] == [
        ("2025-03-03T09:00:00+09:00", "2025-03-03T10:00:00+09:00"),
        ("2025-03-03T10:00:00+09:00", "2025-03-03T11:00:00+09:00")]
    assert [(r["ActualProductionTime"], r["ActualUnitDelayTime"], r["ProducedQuantity"]) for r in records] == [
        (3600, 0, 4), (0, 3600, 0)]
    assert {r["WorkUnitId"] for r in records} == {"LINE1-M1"}
    assert {r["PeriodKind"] for r in records} == {"Shift"}
    assert any(note.params.get("data_item") == "b" for note in upload.notes)  # the Block is left out, and said so
    again = ingest_file(session, actor=member_of(company), filename="same.xml", data=STREAMS_XML,
                        factory_id=factory.id, max_bytes=LIMIT, machine=machine).receipt
    assert again.duplicates == 2


def test_the_okuma_shdr_log_with_its_device_model_gives_daily_records(session: Session,
                                                                      shared_standards: Path) -> None:
    company = make_organization(session)
    factory = make_factory(session, company)
    folder = shared_standards / "mtconnect"
    log = (folder / "okuma.txt").read_bytes()
    with pytest.raises(InvalidInput) as no_model:
        ingest_file(session, actor=member_of(company), filename="okuma.txt", data=log, factory_id=factory.id,
                    max_bytes=LIMIT, machine=machine_log(period="day"))
    assert no_model.value.problems[0].field == "device_model"
    model = (folder / "Devices.xml").read_bytes()
    with pytest.raises(InvalidInput) as which:  # the model has two devices
        ingest_file(session, actor=member_of(company), filename="okuma.txt", data=log, factory_id=factory.id,
                    max_bytes=LIMIT, machine=machine_log(period="day", device_model=model))
    assert which.value.problems[0].params["count"] == 2
    upload = ingest_file(session, actor=member_of(company), filename="okuma.txt", data=log, factory_id=factory.id,
                         max_bytes=LIMIT, machine=machine_log(period="day", device="OKUMA", device_model=model))
    assert (upload.receipt.accepted, upload.receipt.rejected) == (1, 0)
    [record] = session.scalars(select(ProductionRecord.record)
                               .where(ProductionRecord.organization_id == company.id)).all()
    assert record["WorkUnitId"] == "OKUMA.123456"  # the device's uuid
    assert record["PeriodKind"] == "Day"
    assert record["PeriodStart"] == "2022-08-08T22:37:18.850148+09:00"  # the first line of the log, in Korea time
    assert record["ActualUnitBusyTime"] <= record["PlannedBusyTime"]
    assert any(note.params.get("key") == "ApplicationInstallDate" for note in upload.notes)


def test_machine_log_options_are_checked_and_periods_cover_the_log() -> None:
    with pytest.raises(InvalidInput):
        machine_log(period="hourly")
    with pytest.raises(InvalidInput):
        machine_log(shift_start="8 o'clock")
    first = datetime(2025, 3, 2, 23, 0, tzinfo=UTC)  # 08:00 on 3 March in Korea
    last = first + timedelta(hours=30)
    periods = log_periods(first, last, machine_log(period="shift8", shift_start="06:00"))
    assert periods[0][0] == first
    assert periods[-1][1] == last
    assert all(end == following for (_, end), (following, _) in itertools.pairwise(periods))
    assert [start.hour for start, _ in periods] == [8, 14, 22, 6]  # the first cut to the log's start
