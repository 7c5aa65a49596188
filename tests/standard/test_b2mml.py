"""B2MML to K-MDS and back, with MESA's real V0401 messages and V0701 schemas from ../shared/standards/b2mml."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po

from midas.standard.convert.b2mml import B2mmlReading, read_b2mml
from midas.standard.convert.b2mml_messages import B2MML_MESSAGES_KO
from midas.standard.convert.b2mml_write import write_b2mml_v0701
from midas.standard.convert.base import ConversionFailed
from midas.standard.report import Layer, Severity

PROJECT = Path(__file__).resolve().parents[2]
EXAMPLE_RECORD = PROJECT / "docs" / "kmds" / "examples" / "ProductionPerformance.record.json"
CREATED = datetime(2025, 3, 3, tzinfo=UTC)


@pytest.fixture
def examples(shared_standards: Path) -> Path:
    return shared_standards / "b2mml" / "examples-v0401"


@pytest.fixture
def schema_dir(shared_standards: Path) -> Path:
    return shared_standards / "b2mml" / "schema"


def _read(examples: Path, name: str) -> B2mmlReading:
    return read_b2mml((examples / name).read_bytes())


def _unmapped(reading: B2mmlReading) -> dict[str, Any]:
    return {f.path: f.params["value"] for f in reading.findings if f.rule == "B2MML-UNMAPPED"}


def _record() -> dict[str, Any]:
    record: dict[str, Any] = json.loads(EXAMPLE_RECORD.read_text(encoding="utf-8"))
    return record


# --- the real V0401 messages --------------------------------------------------------------------------------


def test_production_performance_without_equipment_or_times_reports_the_consumed_lot(examples: Path) -> None:
    reading = _read(examples, "PES-20121229115825-53107.xml")
    assert (reading.version, reading.message, reading.records) == ("V0401", "SyncProductionPerformance", ())
    incomplete = [f for f in reading.findings if f.rule == "B2MML-PP-INCOMPLETE"]
    assert len(incomplete) == 1
    assert incomplete[0].params["missing"] == "WorkUnitId, PeriodKind, PeriodStart, PeriodEnd"
    assert incomplete[0].params["line"] == 11
    actual = "/SyncProductionPerformance/DataArea/ProductionPerformance/ProductionResponse/SegmentResponse/"
    values = _unmapped(reading)
    assert values[actual + "MaterialActual/MaterialLotID"] == "CRBN0001_LOT01"
    assert values[actual + "MaterialActual/MaterialSubLotID"] == "430147330000056734"
    assert values[actual + "MaterialActual/Quantity/QuantityString"] == "0.41"
    assert values[actual + "MaterialActual/MaterialActualProperty[2]/Value/ValueString"] == "0010"
    # nothing became a record, so the response id is data that was not converted either
    assert values["/SyncProductionPerformance/DataArea/ProductionPerformance/ProductionResponse/ID"] == "53107"


def test_production_schedule_has_no_template_and_every_requirement_is_reported(examples: Path) -> None:
    reading = _read(examples, "PRO-20121210181416-27942.xml")
    assert reading.records == ()
    assert [f.params["element"] for f in reading.findings if f.rule == "B2MML-NO-TEMPLATE"] == ["ProductionSchedule"]
    values = _unmapped(reading)
    request = "/SyncProductionSchedule/DataArea/ProductionSchedule/ProductionRequest/"
    assert values[request + "ID"] == "258456"
    assert values[request + "SegmentRequirement/MaterialRequirement/Description"] == "Final 1215 [languageID=F]"
    inner = request + "SegmentRequirement/SegmentRequirement/"
    assert values[inner + "MaterialRequirement[4]/Quantity/QuantityString"] == "100.000"
    assert values[inner + "MaterialRequirement[4]/Location/EquipmentID"] == "BOX4"
    assert values[inner + "SegmentRequirement/MaterialRequirement[2]/Quantity/QuantityString"] == "2152.3"
    assert sum(1 for v in values.values() if v == "KG") == 7


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("MAT-20121210170256-CRBN0001.xml", {
            "/SyncMaterialDefinition/DataArea/MaterialDefinition/ID": "CRBN0001",
            "/SyncMaterialDefinition/DataArea/MaterialDefinition/Description": "Product Courbon0001 [languageID=Z]",
            "/SyncMaterialDefinition/DataArea/MaterialDefinition/MaterialDefinitionProperty[2]/Value[2]/ValueString":
                "XN",
        }),
        ("LOT-20121210170718-0001L0001.xml", {
            "/SyncMaterialInformation/DataArea/MaterialInformation/MaterialLot/Status": "Valid",
            "/SyncMaterialInformation/DataArea/MaterialInformation/MaterialLot/MaterialLotProperty/Value/ValueString":
                "2013-12-08T00:00:00.0Z",
        }),
        ("INV-20121210175555-0001L0001_01.xml", {
            "/SyncMaterialInformation/DataArea/MaterialInformation/MaterialLot/MaterialSubLot/ID": "CRBN0001_LOT01_01",
            "/SyncMaterialInformation/DataArea/MaterialInformation/MaterialLot/MaterialSubLot/Quantity/QuantityString":
                "24.910",
        }),
    ],
)
def test_material_messages_are_reported_with_their_xpath(examples: Path, name: str, expected: dict[str, str]) -> None:
    reading = _read(examples, name)
    assert reading.version == "V0401"
    assert reading.records == ()
    assert not reading.errors
    no_template = [f for f in reading.findings if f.rule == "B2MML-NO-TEMPLATE"]
    assert [f.params["id"] for f in no_template] == ["CRBN0001"]
    values = _unmapped(reading)
    for path, value in expected.items():
        assert values[path] == value
    # the envelope (sender, creation time) is not data and is not reported
    assert not any("ApplicationArea" in path for path in values)


# --- V0701 out and back ------------------------------------------------------------------------------------


def test_round_trip_through_v0701_gives_the_same_records(schema_dir: Path) -> None:
    second = {k: v for k, v in _record().items() if k not in ("ShiftName", "ReworkQuantity", "InspectedPart")}
    second.update(PeriodKind="Order", PeriodStart="2025-03-03T17:00:00+09:00", PeriodEnd="2025-03-03T20:30:00+09:00",
                  QuantityUnit="kg", ProducedQuantity=12.5, GoodQuantity=12, ScrapQuantity=0.5)
    records = [_record(), second]
    written = write_b2mml_v0701(records, schema_dir=schema_dir, created=CREATED)
    reading = read_b2mml(written, schema_dir=schema_dir)
    assert reading.version == "V0701"
    assert reading.findings == ()
    assert [r.record for r in reading.records] == records
    assert write_b2mml_v0701(records, schema_dir=schema_dir, created=CREATED) == written


def test_a_segment_response_without_period_kind_is_the_run_of_its_order(schema_dir: Path) -> None:
    record = {k: v for k, v in _record().items() if k != "PeriodKind"}
    written = write_b2mml_v0701([{**record, "PeriodKind": "Order"}], schema_dir=schema_dir, created=CREATED)
    without_kind = written.replace(b"<ID>PeriodKind</ID>", b"<ID>Unrelated</ID>")
    reading = read_b2mml(without_kind, schema_dir=schema_dir)
    assert reading.records[0].record["PeriodKind"] == "Order"
    assert {f.params["value"] for f in reading.findings if f.rule == "B2MML-UNMAPPED"} == {"Unrelated", "Order", "Text"}


def test_v0701_input_is_validated_against_the_schema(schema_dir: Path) -> None:
    written = write_b2mml_v0701([_record()], schema_dir=schema_dir, created=CREATED)
    broken = written.replace(b"<Sync/>", b"")
    reading = read_b2mml(broken, schema_dir=schema_dir)
    schema_errors = [f for f in reading.findings if f.layer is Layer.SCHEMA]
    assert schema_errors
    assert all(f.severity is Severity.ERROR for f in schema_errors)
    assert "Sync" in str(schema_errors[0].params["reason"])
    assert reading.records[0].record == _record()  # still converted as far as it goes


def test_writing_refuses_output_the_schema_rejects(schema_dir: Path) -> None:
    with pytest.raises(ConversionFailed) as failure:
        write_b2mml_v0701([{**_record(), "PeriodStart": "Monday morning"}], schema_dir=schema_dir, created=CREATED)
    assert failure.value.findings[0].layer is Layer.SCHEMA


def test_an_unknown_unit_and_a_time_in_minutes_are_reported_not_misread(schema_dir: Path) -> None:
    written = write_b2mml_v0701([{**_record(), "QuantityUnit": "kg"}], schema_dir=schema_dir, created=CREATED)
    changed = written.replace(b"<UnitOfMeasure>kg</UnitOfMeasure>", b"<UnitOfMeasure>furlong</UnitOfMeasure>", 1)
    changed = changed.replace(b"<ValueString>28800</ValueString>\n              <DataType>Measure</DataType>\n"
                              b"              <UnitOfMeasure>s</UnitOfMeasure>",
                              b"<ValueString>480</ValueString>\n              <DataType>Measure</DataType>\n"
                              b"              <UnitOfMeasure>min</UnitOfMeasure>")
    reading = read_b2mml(changed)
    record = reading.records[0].record
    assert "PlannedBusyTime" not in record
    assert "ProducedQuantity" not in record
    assert [f.params["unit"] for f in reading.findings if f.rule == "B2MML-UNIT"] == ["furlong"]
    values = set(_unmapped(reading).values())
    assert {"480", "min", "780", "furlong"} <= values


# --- bad input ---------------------------------------------------------------------------------------------


def test_external_entities_are_refused() -> None:
    attack = (b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n'
              b'<SyncOperationsPerformance xmlns="http://www.mesa.org/xml/B2MML">&secret;</SyncOperationsPerformance>')
    reading = read_b2mml(attack)
    assert reading.records == ()
    assert [(f.layer, f.rule, f.severity) for f in reading.findings] == [(Layer.READ, "READ-XML-DTD", Severity.ERROR)]


def test_malformed_xml_is_refused_with_its_line() -> None:
    broken = b'<?xml version="1.0"?>\n<SyncOperationsPerformance xmlns="http://www.mesa.org/xml/B2MML">\n<DataArea>\n</Data>'
    reading = read_b2mml(broken)
    assert reading.records == ()
    assert [(f.rule, f.params["line"]) for f in reading.findings] == [("READ-XML", 4)]


def test_a_document_that_is_not_b2mml_is_refused() -> None:
    reading = read_b2mml(b"<MTConnectDevices xmlns='urn:mtconnect.org:MTConnectDevices:2.0'/>")
    assert [(f.rule, f.severity, f.params["element"]) for f in reading.findings] == [
        ("B2MML-ROOT", Severity.ERROR, "MTConnectDevices")]


def test_an_object_the_converter_does_not_read_is_reported(schema_dir: Path) -> None:
    message = (b'<SyncPersonnel xmlns="http://www.mesa.org/xml/B2MML"><DataArea><Sync/>'
               b"<Person><ID>P-7</ID></Person></DataArea></SyncPersonnel>")
    reading = read_b2mml(message)
    assert [(f.rule, f.path) for f in reading.findings] == [
        ("B2MML-NOUN", "/SyncPersonnel/DataArea/Person"),
        ("B2MML-UNMAPPED", "/SyncPersonnel/DataArea/Person/ID"),
    ]


# --- translations ------------------------------------------------------------------------------------------


def test_the_catalog_holds_exactly_the_converters_messages() -> None:
    with (PROJECT / "midas" / "locale" / "ko" / "LC_MESSAGES" / "standard-b2mml.po").open("rb") as handle:
        catalog = {str(m.id): str(m.string) for m in read_po(handle, locale="ko") if m.id}
    assert catalog == B2MML_MESSAGES_KO
