"""MTConnect: devices to K-MDS records, SHDR and Streams to states, states to ISO 22400-2 time elements."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from string import Formatter

import pytest
from babel.messages.pofile import read_po
from lxml import etree

from midas.i18n import LOCALE_DIR
from midas.standard.convert import mtconnect_messages as msg
from midas.standard.convert.mtconnect import (
    DeviceModel,
    StateKind,
    StreamEvents,
    parse_shdr,
    production_performance_record,
    read_devices,
    read_streams_json,
    read_streams_xml,
    time_elements,
)
from midas.standard.io import UnreadableFile
from midas.standard.messages import TIME_EXCEEDS_PLANNED_BUSY_TIME
from midas.standard.report import Finding, Severity

MT = {"m": "urn:mtconnect.org:MTConnectDevices:2.7"}

SMALL_DEVICES = b"""<?xml version="1.0"?>
<MTConnectDevices xmlns="urn:mtconnect.org:MTConnectDevices:2.0">
  <Header creationTime="2024-01-01T00:00:00Z" sender="t" instanceId="1" version="2.0" bufferSize="10"/>
  <Devices>
    <Device id="m1" uuid="M-1" name="Mill">
      <Description manufacturer="Hanbit" model="VM-5" serialNumber="S-42">Vertical mill</Description>
      <DataItems>
        <DataItem id="av" name="avail" type="AVAILABILITY" category="EVENT"/>
        <DataItem id="es" name="estop" type="EMERGENCY_STOP" category="EVENT"/>
      </DataItems>
      <Components>
        <Controller id="ct">
          <DataItems>
            <DataItem id="mode" name="mode" type="CONTROLLER_MODE" category="EVENT"/>
            <DataItem id="sys" name="system" type="SYSTEM" category="CONDITION"/>
            <DataItem id="msg" name="message" type="MESSAGE" category="EVENT"/>
          </DataItems>
          <Components>
            <Path id="p1">
              <DataItems>
                <DataItem id="ex" name="exec" type="EXECUTION" category="EVENT"/>
                <DataItem id="pc" name="parts" type="PART_COUNT" category="EVENT"/>
                <DataItem id="xl" name="xload" type="LOAD" category="SAMPLE" units="PERCENT"/>
              </DataItems>
            </Path>
          </Components>
        </Controller>
      </Components>
    </Device>
  </Devices>
</MTConnectDevices>
"""


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(f"2024-01-01T{text}+00:00")


def _small_model() -> DeviceModel:
    return read_devices(SMALL_DEVICES, work_center_id="HB-CW-M-L1")


def _where(findings: tuple[Finding, ...], message: str) -> list[str]:
    return [finding.path for finding in findings if finding.message == message]


# --- devices -----------------------------------------------------------------------------------------------------


def test_the_okuma_and_mazak_devices_are_read_with_every_component_and_data_item(shared_standards: Path) -> None:
    data = (shared_standards / "mtconnect" / "Devices.xml").read_bytes()
    model = read_devices(data, work_center_id="HB-CW-M-L1")
    root = etree.fromstring(data)
    elements = root.findall("m:Devices/m:Device", MT)
    assert [device.uuid for device in model.devices] == [element.get("uuid") for element in elements]
    assert len(model.devices) == 2
    for device, element in zip(model.devices, elements, strict=True):
        assert len(device.components) == len(element.findall(".//m:Components/*", MT))
        assert len(device.data_items) == len(element.findall(".//m:DataItem", MT))
    assert sum(len(device.data_items) for device in model.devices) == 216  # grep -c '<DataItem ' Devices.xml
    okuma = model.device("OKUMA")
    assert okuma is not None
    execution = okuma.data_item("pexecution")
    assert execution is not None
    assert execution.type == "EXECUTION"
    nodes = model.structure["EntryNode"]["Node"]
    assert [(n["EquipmentId"], n["EquipmentLevel"]) for n in nodes] == [
        ("OKUMA.123456", "WorkUnit"), ("Mazak", "WorkUnit")]
    assert model.identities == ({
        "EquipmentId": "OKUMA.123456", "ManufacturerName": {"en": "OKUMA"}, "SerialNumber": "123456",
        "EquipmentName": {"en": "OKUMA"}, "ManufacturerProductDesignation": {"en": "Okuma MTConnect Adapter"},
        "ManufacturerProductType": "MULT_U3000"},)
    assert not [finding for finding in model.findings if finding.severity is Severity.ERROR]
    assert "/MTConnectDevices/Devices/Device[1]/Configuration" in _where(model.findings, msg.ELEMENT_NOT_MAPPED)
    assert _where(model.findings, msg.NO_IDENTITY) == ["/MTConnectDevices/Devices/Device[2]/Description"]
    below = _where(model.findings, msg.COMPONENT_BELOW_WORK_UNIT)
    assert len(below) == sum(len(device.components) for device in model.devices)


def test_a_small_device_gives_valid_records_and_its_components_are_reported() -> None:
    model = _small_model()
    (device,) = model.devices
    assert [c.id for c in device.components] == ["p1", "ct"]
    assert {c.id: c.parent for c in device.components} == {"ct": "m1", "p1": "ct"}
    assert model.structure["EntryNode"]["EquipmentId"] == "HB-CW-M-L1"
    assert model.identities[0]["ManufacturerProductType"] == "VM-5"
    params = {f.params["component"]: f.params["count"] for f in model.findings
              if f.message == msg.COMPONENT_BELOW_WORK_UNIT}
    assert params == {"ct": 3, "p1": 3}
    assert model.findings
    assert all(f.severity is Severity.INFO for f in model.findings)


def test_a_document_that_is_not_devices_is_reported() -> None:
    model = read_devices(b"<MTConnectStreams/>")
    assert model.devices == ()
    assert [(f.message, f.severity) for f in model.findings] == [(msg.NOT_DEVICES, Severity.ERROR)]


@pytest.mark.parametrize("reader", [read_devices, read_streams_xml])
def test_xml_with_a_doctype_or_entity_is_refused(reader: object) -> None:
    evil = b"""<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><MTConnectDevices>&e;</MTConnectDevices>"""
    with pytest.raises(UnreadableFile):
        reader(evil)  # type: ignore[operator]


# --- okuma.txt replayed ------------------------------------------------------------------------------------------

# The lines of okuma.txt that decide the window 13:45:00-13:55:00 (line number, the fields read by hand). The log
# holds four recordings one after the other, not in time order; these are in time order.
OKUMA_LINES = [
    (1390, "2022-08-08T13:37:18.8501483Z", {"avail": "AVAILABLE", "estop": "ARMED", "pmode": "AUTOMATIC",
                                           "pexecution": "READY", "ppartcount": "0"}),
    (1460, "2022-08-08T13:37:22.7959508Z", {"pexecution": "ACTIVE"}),
    (6322, "2022-08-08T13:47:27.7586294Z", {"pexecution": "PROGRAM_COMPLETED"}),
    (6323, "2022-08-08T13:47:27.8366849Z", {"ppartcount": "1"}),
    (6325, "2022-08-08T13:47:28.0038036Z", {"pexecution": "READY"}),
    (1, "2022-08-08T13:51:34.7167146Z", {"avail": "AVAILABLE", "pexecution": "READY", "ppartcount": "0"}),
    (64, "2022-08-08T13:51:36.7711738Z", {"pexecution": "ACTIVE"}),
    (1383, "2022-08-08T13:54:43.5007997Z", {"pexecution": "PROGRAM_COMPLETED"}),
    (1387, "2022-08-08T13:54:43.7499767Z", {"pexecution": "READY"}),
    (1388, "2022-08-08T13:54:43.8280317Z", {"ppartcount": "1"}),
]


def test_the_hand_read_lines_are_what_okuma_txt_says(shared_standards: Path) -> None:
    lines = (shared_standards / "mtconnect" / "okuma.txt").read_text(encoding="utf-8").split("\n")
    for number, timestamp, values in OKUMA_LINES:
        fields = lines[number - 1].split("|")
        assert fields[0] == timestamp
        pairs = dict(zip(fields[1::2], fields[2::2], strict=False))
        assert {key: pairs[key] for key in values} == values, number


def test_okuma_replayed_gives_the_hand_computed_active_time_and_part_count(shared_standards: Path) -> None:
    model = read_devices((shared_standards / "mtconnect" / "Devices.xml").read_bytes())
    events = parse_shdr((shared_standards / "mtconnect" / "okuma.txt").read_bytes(), model, device="OKUMA")
    start, end = datetime(2022, 8, 8, 13, 45, tzinfo=UTC), datetime(2022, 8, 8, 13, 55, tzinfo=UTC)
    elements = time_elements(events.states, events.part_counts, start, end)
    # ACTIVE from before the window (line 1460) to 13:47:27.758629 (line 6322): 2 min 27.758629 s = 147.758629 s;
    # ACTIVE again 13:51:36.771173 (line 64) to 13:54:43.500799 (line 1383): 3 min 6.729626 s = 186.729626 s.
    # (Timestamps keep microseconds: the 7th fractional digit is cut.)
    expected_active = 147.758629 + 186.729626
    assert elements.actual_production_time == pytest.approx(expected_active, abs=1e-6)
    assert elements.actual_production_time == pytest.approx(334.488255, abs=1e-6)
    # Part count 0 before the window (line 1390), 1 (line 6323): +1; 0 at the new recording (line 1): a reset;
    # 1 (line 1388): +1. Two parts.
    assert elements.produced_quantity == 2
    assert elements.idle_time == pytest.approx(600 - 334.488255, abs=1e-6)
    assert (elements.actual_unit_down_time, elements.actual_unit_setup_time, elements.unknown_time) == (0, 0, 0)
    assert elements.carried_in["EXECUTION"] == "ACTIVE"
    assert elements.carried_in["CONTROLLER_MODE"] == "AUTOMATIC"
    record, findings = production_performance_record(elements, work_unit_id="OKUMA.123456")
    assert findings == ()
    assert record["ActualProductionTime"] == 334.488255
    assert record["ActualUnitBusyTime"] == 334.488255
    assert record["ProducedQuantity"] == 2
    assert record["PlannedBusyTime"] == 600


def test_okuma_replay_reports_what_it_does_not_convert(shared_standards: Path) -> None:
    model = read_devices((shared_standards / "mtconnect" / "Devices.xml").read_bytes())
    events = parse_shdr((shared_standards / "mtconnect" / "okuma.txt").read_bytes(), model, device="OKUMA")
    assert len(events.part_counts) == 8  # grep -c ppartcount okuma.txt
    assert len([e for e in events.states if e.kind is StateKind.EXECUTION]) == 16  # grep -c pexecution
    unknown = {f.params["key"] for f in events.findings if f.message == msg.UNKNOWN_DATA_ITEM}
    assert "ApplicationInstallDate" in unknown
    assets = _where(events.findings, msg.ASSET_NOT_MAPPED)
    assert "lines 13-15" in assets  # the first @ASSET@ spans three lines
    samples = {f.params["data_item"]: f.params["count"] for f in events.findings if f.message == msg.NOT_A_STATE}
    assert samples["LZ1actm"] == 2947  # grep -o '|Z1actm|' okuma.txt | wc -l
    assert _where(events.findings, msg.TIMESTAMP_GOES_BACK)


# --- SHDR --------------------------------------------------------------------------------------------------------

MALFORMED = b"""2024-01-01T08:00:00Z|avail|AVAILABLE|exec|READY
yesterday|exec|ACTIVE
2024-01-01T08:00:02Z|system|FAULT|E1
2024-01-01T08:00:03Z|spindle|42
2024-01-01T08:00:04Z|exec|RUNNING
2024-01-01T08:00:05Z|parts|many
* PING
2024-01-01T08:00:06Z|@ASSET@|T1|CuttingTool|--multiline--X
<CuttingTool/>
"""


def test_malformed_shdr_lines_are_reported_with_their_line_numbers() -> None:
    events = parse_shdr(MALFORMED, _small_model())
    assert _where(events.findings, msg.BAD_TIMESTAMP) == ["line 2"]
    assert _where(events.findings, msg.MISSING_FIELDS) == ["line 3"]
    assert _where(events.findings, msg.UNKNOWN_DATA_ITEM) == ["line 4"]
    assert _where(events.findings, msg.UNKNOWN_VALUE) == ["line 5"]
    assert _where(events.findings, msg.BAD_PART_COUNT) == ["line 6"]
    assert _where(events.findings, msg.ADAPTER_COMMAND) == ["line 7"]
    assert _where(events.findings, msg.UNTERMINATED_ASSET) == ["line 8"]
    assert [(e.data_item, e.value, e.source) for e in events.states] == [
        ("av", "AVAILABLE", "line 1"), ("ex", "READY", "line 1")]


def test_a_model_of_two_devices_needs_the_device_named(shared_standards: Path) -> None:
    model = read_devices((shared_standards / "mtconnect" / "Devices.xml").read_bytes())
    unnamed = parse_shdr(b"2024-01-01T08:00:00Z|avail|AVAILABLE\n", model)
    assert [f.message for f in unnamed.findings] == [msg.DEVICE_REQUIRED]
    wrong = parse_shdr(b"2024-01-01T08:00:00Z|avail|AVAILABLE\n", model, device="Haas")
    assert [f.message for f in wrong.findings] == [msg.UNKNOWN_DEVICE]


STATES = b"""2024-01-01T08:00:00Z|avail|AVAILABLE|estop|ARMED|mode|AUTOMATIC|exec|READY|parts|10
2024-01-01T08:00:00Z|system|NORMAL||||
2024-01-01T08:01:00Z|exec|ACTIVE|message|M1|tool change|xload|55
2024-01-01T08:03:00Z|exec|FEED_HOLD
2024-01-01T08:04:00Z|exec|ACTIVE|parts|12
2024-01-01T08:05:00Z|system|FAULT|E7|1|HIGH|spindle overheat
2024-01-01T08:06:00Z|system|NORMAL|E7|||
2024-01-01T08:07:00Z|mode|MANUAL
2024-01-01T08:08:00Z|mode|AUTOMATIC|estop|TRIGGERED
2024-01-01T08:08:30Z|estop|ARMED|avail|UNAVAILABLE
2024-01-01T08:09:00Z|avail|AVAILABLE|parts|1
2024-01-01T08:09:30Z|exec|PROGRAM_COMPLETED|parts|3
"""


def test_states_are_classed_into_production_setup_delay_and_down_time() -> None:
    events = parse_shdr(STATES, _small_model())
    assert not [f for f in events.findings if f.severity is not Severity.INFO]
    elements = time_elements(events.states, events.part_counts, _utc("08:00:30"), _utc("08:10:00"))
    # 08:00:30-08:01 READY idle 30 s; 08:01-08:03 ACTIVE 120 s; 08:03-08:04 FEED_HOLD delay 60 s;
    # 08:04-08:05 ACTIVE 60 s; 08:05-08:06 FAULT down 60 s; 08:06-08:07 ACTIVE 60 s; 08:07-08:08 MANUAL setup 60 s;
    # 08:08-08:08:30 estop TRIGGERED down 30 s; 08:08:30-08:09 UNAVAILABLE down 30 s; 08:09-08:09:30 ACTIVE 30 s;
    # 08:09:30-08:10 PROGRAM_COMPLETED idle 30 s.
    assert elements.actual_production_time == 120 + 60 + 60 + 30
    assert elements.actual_unit_delay_time == 60
    assert elements.actual_unit_down_time == 60 + 30 + 30
    assert elements.actual_unit_setup_time == 60
    assert elements.idle_time == 30 + 30
    assert elements.actual_unit_busy_time == 270 + 60 + 60
    # parts 10 before the window; 12: +2; 1: reset, +1; 3: +2.
    assert elements.produced_quantity == 5
    record, findings = production_performance_record(
        elements, work_unit_id="M-1", period_kind="Order", extra={"OrderId": "PO-1", "GoodQuantity": 5})
    assert findings == ()
    assert record["ActualUnitProcessingTime"] == 330
    assert record["OrderId"] == "PO-1"


def test_an_event_at_the_window_start_counts_inside_and_unknown_time_is_reported() -> None:
    events = parse_shdr(STATES, _small_model())
    elements = time_elements(events.states, events.part_counts, _utc("07:59:00"), _utc("08:04:00"))
    assert elements.unknown_time == 60
    assert _where(elements.findings, msg.UNKNOWN_STATE_TIME) == ["m1"]
    # The first count (10 at 08:00) has nothing before it: it is the baseline, not a production of 10.
    assert elements.produced_quantity == 0
    with pytest.raises(ValueError, match="not after"):
        time_elements(events.states, events.part_counts, _utc("08:04:00"), _utc("08:04:00"))


def test_a_record_that_breaks_a_k_mds_rule_is_reported_by_the_record_validation() -> None:
    events = parse_shdr(STATES, _small_model())
    elements = time_elements(events.states, events.part_counts, _utc("08:00:30"), _utc("08:10:00"),
                             planned_busy_time=100)
    _, findings = production_performance_record(elements, work_unit_id="M-1")
    exceeded = [f for f in findings if f.message == TIME_EXCEEDS_PLANNED_BUSY_TIME]
    assert {f.params["id_short"] for f in exceeded} >= {"ActualProductionTime", "ActualUnitBusyTime"}
    _, refused = production_performance_record(elements, work_unit_id="M-1", extra={"Colour": "red"})
    assert [f.message for f in refused] == [msg.RECORD_REFUSED]


# --- Streams documents -------------------------------------------------------------------------------------------

STREAMS_XML = b"""<?xml version="1.0" encoding="UTF-8"?>
<MTConnectStreams xmlns="urn:mtconnect.org:MTConnectStreams:2.0">
  <Header creationTime="2024-01-01T08:10:00Z" sender="t" instanceId="1" version="2.0" bufferSize="10"
    nextSequence="9" firstSequence="1" lastSequence="8"/>
  <Streams>
    <DeviceStream name="Mill" uuid="M-1">
      <ComponentStream component="Device" componentId="m1">
        <Events>
          <Availability dataItemId="av" timestamp="2024-01-01T08:00:00Z" sequence="1">AVAILABLE</Availability>
        </Events>
      </ComponentStream>
      <ComponentStream component="Path" componentId="p1">
        <Samples>
          <Load dataItemId="xl" timestamp="2024-01-01T08:00:00Z" sequence="2">12.5</Load>
        </Samples>
        <Events>
          <Execution dataItemId="ex" timestamp="2024-01-01T08:00:00Z" sequence="3">READY</Execution>
          <Execution dataItemId="ex" timestamp="2024-01-01T08:01:00Z" sequence="4">ACTIVE</Execution>
          <PartCount dataItemId="pc" timestamp="2024-01-01T08:05:00Z" sequence="5">7</PartCount>
          <Execution dataItemId="ex" sequence="6">STOPPED</Execution>
        </Events>
      </ComponentStream>
      <ComponentStream component="Controller" componentId="ct">
        <Condition>
          <Fault dataItemId="sys" timestamp="2024-01-01T08:02:00Z" type="SYSTEM" nativeCode="E7">hot</Fault>
          <Normal dataItemId="sys" timestamp="2024-01-01T08:03:00Z" type="SYSTEM"/>
        </Condition>
      </ComponentStream>
    </DeviceStream>
  </Streams>
</MTConnectStreams>
"""

STREAMS_JSON_V2 = b"""{"MTConnectStreams": {"Header": {"instanceId": 1}, "Streams": {"DeviceStream": [
  {"name": "Mill", "uuid": "M-1", "ComponentStream": [
    {"component": "Device", "componentId": "m1", "Events": {
      "Availability": [{"dataItemId": "av", "timestamp": "2024-01-01T08:00:00Z", "value": "AVAILABLE"}]}},
    {"component": "Path", "componentId": "p1",
     "Samples": {"Load": [{"dataItemId": "xl", "timestamp": "2024-01-01T08:00:00Z", "value": 12.5}]},
     "Events": {
      "Execution": [{"dataItemId": "ex", "timestamp": "2024-01-01T08:00:00Z", "value": "READY"},
                    {"dataItemId": "ex", "timestamp": "2024-01-01T08:01:00Z", "value": "ACTIVE"},
                    {"dataItemId": "ex", "value": "STOPPED"}],
      "PartCount": [{"dataItemId": "pc", "timestamp": "2024-01-01T08:05:00Z", "value": "7"}]}},
    {"component": "Controller", "componentId": "ct", "Condition": {
      "Fault": [{"dataItemId": "sys", "timestamp": "2024-01-01T08:02:00Z", "type": "SYSTEM", "nativeCode": "E7",
                 "value": "hot"}],
      "Normal": [{"dataItemId": "sys", "timestamp": "2024-01-01T08:03:00Z", "type": "SYSTEM"}]}}]}]}}}
"""

STREAMS_JSON_V1 = b"""{"MTConnectStreams": {"Streams": [{"DeviceStream": {"name": "Mill", "ComponentStreams": [
  {"ComponentStream": {"componentId": "m1", "Events": [
    {"Availability": {"dataItemId": "av", "timestamp": "2024-01-01T08:00:00Z", "value": "AVAILABLE"}}]}},
  {"ComponentStream": {"componentId": "p1", "Events": [
    {"Execution": {"dataItemId": "ex", "timestamp": "2024-01-01T08:00:00Z", "value": "READY"}},
    {"Execution": {"dataItemId": "ex", "timestamp": "2024-01-01T08:01:00Z", "value": "ACTIVE"}},
    {"PartCount": {"dataItemId": "pc", "timestamp": "2024-01-01T08:05:00Z", "value": 7}}]}},
  {"ComponentStream": {"componentId": "ct", "Condition": [
    {"Fault": {"dataItemId": "sys", "timestamp": "2024-01-01T08:02:00Z", "nativeCode": "E7", "value": "hot"}},
    {"Normal": {"dataItemId": "sys", "timestamp": "2024-01-01T08:03:00Z"}}]}}]}}]}}
"""


def _summary(events: StreamEvents) -> list[tuple[str, str, str, str]]:
    states = [(e.timestamp.isoformat(), e.data_item, e.kind.value, e.value) for e in events.states]
    counts = [(c.timestamp.isoformat(), c.data_item, "PART_COUNT", str(c.count)) for c in events.part_counts]
    return sorted(states + counts)


EXPECTED_STREAM = [
    ("2024-01-01T08:00:00+00:00", "av", "AVAILABILITY", "AVAILABLE"),
    ("2024-01-01T08:00:00+00:00", "ex", "EXECUTION", "READY"),
    ("2024-01-01T08:01:00+00:00", "ex", "EXECUTION", "ACTIVE"),
    ("2024-01-01T08:02:00+00:00", "sys", "CONDITION", "FAULT"),
    ("2024-01-01T08:03:00+00:00", "sys", "CONDITION", "NORMAL"),
    ("2024-01-01T08:05:00+00:00", "pc", "PART_COUNT", "7"),
]


@pytest.mark.parametrize("with_model", [True, False])
def test_a_streams_xml_document_gives_states_and_part_counts(with_model: bool) -> None:
    events = read_streams_xml(STREAMS_XML, _small_model() if with_model else None)
    assert _summary(events) == EXPECTED_STREAM
    missing = [f for f in events.findings if f.message == msg.OBSERVATION_WITHOUT_FIELD]
    assert [f.params["field"] for f in missing] == ["timestamp"]
    assert missing[0].path == "/MTConnectStreams/Streams/DeviceStream/ComponentStream[2]/Events/Execution[3]"
    assert [f.params["data_item"] for f in events.findings if f.message == msg.NOT_A_STATE] == ["xl"]
    elements = time_elements(events.states, events.part_counts, _utc("08:00:00"), _utc("08:10:00"))
    assert (elements.actual_production_time, elements.actual_unit_down_time) == (480, 60)


@pytest.mark.parametrize("document", [STREAMS_JSON_V2, STREAMS_JSON_V1], ids=["version 2", "version 1"])
def test_a_streams_json_document_gives_the_same_events(document: bytes) -> None:
    events = read_streams_json(document, _small_model())
    assert _summary(events) == EXPECTED_STREAM
    assert all(event.device == "m1" for event in events.states)


def test_the_json_places_are_pointers_and_a_foreign_document_is_reported() -> None:
    events = read_streams_json(STREAMS_JSON_V2)
    (missing,) = [f for f in events.findings if f.message == msg.OBSERVATION_WITHOUT_FIELD]
    assert missing.path == "/MTConnectStreams/Streams/DeviceStream/0/ComponentStream/1/Events/Execution/2"
    foreign = read_streams_json(b'{"MTConnectDevices": {}}')
    assert [(f.message, f.params["root"]) for f in foreign.findings] == [(msg.NOT_STREAMS, "MTConnectDevices")]
    assert [f.message for f in read_streams_xml(b"<MTConnectError/>").findings] == [msg.NOT_STREAMS]


# --- messages ----------------------------------------------------------------------------------------------------


def _parameters(text: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(text) if name}


def test_every_message_has_a_korean_translation_with_the_same_parameters() -> None:
    path = LOCALE_DIR / "ko" / "LC_MESSAGES" / "standard-mtconnect.po"
    with path.open("rb") as handle:
        catalog = {str(m.id): str(m.string) for m in read_po(handle, locale="ko") if m.id}
    constants = {value for name, value in vars(msg).items() if name.isupper() and isinstance(value, str)}
    assert constants == set(msg.ALL)
    assert set(catalog) == set(msg.ALL)
    for message in msg.ALL:
        assert _parameters(catalog[message]) == _parameters(message), message
