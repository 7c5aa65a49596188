"""Sparkplug B: topics, the payload wire format (checked against hand-written bytes and the real proto), and the
edge-node session (births, aliases, sequence numbers, deaths, rebirth requests, idempotency keys)."""

from __future__ import annotations

import re
import string
import struct
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import midas.standard.convert.sparkplug_messages as msg
from midas.i18n import catalog
from midas.standard.convert.sparkplug import (
    REBIRTH,
    EdgeSession,
    MessageKey,
    SessionResult,
    SparkplugConsumer,
)
from midas.standard.convert.sparkplug_payload import (
    DataType,
    Metric,
    Payload,
    PropertyValue,
    ValueField,
    decode_payload,
    encode_payload,
    make_metric,
    typed_value,
)
from midas.standard.convert.sparkplug_topic import MessageType, SparkplugTopic, parse_topic
from midas.standard.report import Finding, Severity

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
GROUP, EDGE = "Plant1", "Press7"
NODE = f"spBv1.0/{GROUP}/{{}}/{EDGE}"


def topic(message_type: str, device: str | None = None) -> str:
    return NODE.format(message_type) + (f"/{device}" if device else "")


def payload(seq: int | None, *metrics: Metric, timestamp: int = 1_772_442_000_000) -> bytes:
    return encode_payload(Payload(timestamp=timestamp, seq=seq, metrics=metrics))


def node_birth(bd_seq: int = 3, seq: int = 0) -> bytes:
    return payload(
        seq,
        make_metric("bdSeq", DataType.INT64, bd_seq),
        make_metric("Spindle/Speed", DataType.DOUBLE, 1200.0, alias=1),
        make_metric("Counter/Parts", DataType.UINT32, 10, alias=2),
        make_metric(REBIRTH, DataType.BOOLEAN, False, alias=3),
    )


def node_data(seq: int, parts: int, *, timestamp: int = 1_772_442_001_000) -> bytes:
    return payload(seq, Metric(alias=2, value_field=ValueField.INT, raw=parts), timestamp=timestamp)


def born_session() -> tuple[EdgeSession, SessionResult]:
    session = EdgeSession(GROUP, EDGE, clock=lambda: NOW)
    return session, session.receive(topic("NBIRTH"), node_birth())


def rules(result: SessionResult) -> list[str]:
    return [finding.rule for finding in result.findings]


# --- topics ---------------------------------------------------------------------------------------------------------


def test_topics_of_nodes_devices_and_host_state_are_parsed() -> None:
    node = parse_topic("spBv1.0/Plant1/NDATA/Press7")
    device = parse_topic("spBv1.0/Plant1/DDATA/Press7/Robot2")
    state = parse_topic("spBv1.0/STATE/scada-1")
    assert node == SparkplugTopic("Plant1", MessageType.NDATA, "Press7")
    assert device == SparkplugTopic("Plant1", MessageType.DDATA, "Press7", "Robot2")
    assert isinstance(state, SparkplugTopic)
    assert state.host_id == "scada-1"
    assert state.text == "spBv1.0/STATE/scada-1"
    assert isinstance(device, SparkplugTopic)
    assert device.text == "spBv1.0/Plant1/DDATA/Press7/Robot2"
    assert device.node_command_topic == "spBv1.0/Plant1/NCMD/Press7"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("spAv1.0/Plant1/NDATA/Press7", msg.NOT_SPARKPLUG_TOPIC),
        ("spBv1.0/Plant1/NBORN/Press7", msg.UNKNOWN_MESSAGE_TYPE),
        ("spBv1.0/Plant1", msg.UNKNOWN_MESSAGE_TYPE),
        ("spBv1.0/Plant1/NDATA/Press7/Robot2", msg.WRONG_TOPIC_LENGTH),
        ("spBv1.0/Plant1/DDATA/Press7", msg.WRONG_TOPIC_LENGTH),
        ("spBv1.0/Plant1/NDATA/", msg.BAD_TOPIC_ID),
        ("spBv1.0/Plant+/NDATA/Press7", msg.BAD_TOPIC_ID),
        ("spBv1.0/STATE/#", msg.BAD_TOPIC_ID),
    ],
)
def test_a_bad_topic_is_a_finding(text: str, message: str) -> None:
    found = parse_topic(text)
    assert isinstance(found, Finding)
    assert found.message == message
    assert found.path == text
    assert found.severity is Severity.ERROR


# --- the wire format ------------------------------------------------------------------------------------------------

# A payload written byte by byte from sparkplug_b.proto, independently of the encoder:
HAND_MADE = bytes(
    [
        0x08, 0xE8, 0x07,  # field 1 timestamp, varint 1000 = 0b111_1101000 -> 0xE8 0x07
        0x12, 0x0D,  # field 2 metric, 13 bytes:
        0x0A, 0x01, ord("t"),  # name "t"
        0x10, 0x07,  # alias 7
        0x20, 0x03,  # datatype 3 = Int32
        0x50, 0xFE, 0xFF, 0xFF, 0xFF, 0x0F,  # field 10 int_value: -2 sign-extended to uint32 0xFFFFFFFE (Java Tahu)
        0x12, 0x0E,  # field 2 metric, 14 bytes:
        0x0A, 0x01, ord("d"),  # name "d"
        0x20, 0x0A,  # datatype 10 = Double
        0x69, 0, 0, 0, 0, 0, 0, 0x04, 0x40,  # field 13 (wire type 1) double_value 2.5, little-endian IEEE 754
        0x12, 0x09,  # field 2 metric, 9 bytes:
        0x0A, 0x01, ord("s"), 0x20, 0x0C,  # name "s", datatype 12 = String
        0x7A, 0x02, ord("o"), ord("k"),  # field 15 (wire type 2) string_value "ok"
        0x12, 0x07,  # field 2 metric, 7 bytes:
        0x0A, 0x01, ord("b"), 0x20, 0x0B, 0x70, 0x01,  # name "b", Boolean, field 14 boolean_value true
        0x18, 0x05,  # field 3 seq 5
    ]
)


def test_a_hand_made_payload_decodes_field_by_field() -> None:
    decoded = decode_payload(HAND_MADE)
    assert decoded.readable
    assert decoded.findings == ()
    assert (decoded.timestamp, decoded.seq) == (1000, 5)
    assert [(m.name, m.alias, m.datatype, m.value_field) for m in decoded.metrics] == [
        ("t", 7, 3, ValueField.INT),
        ("d", None, 10, ValueField.DOUBLE),
        ("s", None, 12, ValueField.STRING),
        ("b", None, 11, ValueField.BOOLEAN),
    ]
    values = [typed_value(m.datatype, m.value_field, m.raw)[0] for m in decoded.metrics]
    assert values == [-2, 2.5, "ok", True]


def test_the_encoder_writes_the_hand_made_bytes() -> None:
    metrics = (
        make_metric("t", DataType.INT32, -2, alias=7),
        make_metric("d", DataType.DOUBLE, 2.5),
        make_metric("s", DataType.STRING, "ok"),
        make_metric("b", DataType.BOOLEAN, True),
    )
    encoded = encode_payload(Payload(timestamp=1000, seq=5, metrics=metrics))
    # The encoder follows Tahu's Python client (Int32 -2 as 2**32 - 2, the same uint32 as Java's) - so identical.
    assert encoded == HAND_MADE


ROUND_TRIP_VALUES = [
    (DataType.INT8, -128),
    (DataType.INT8, 127),
    (DataType.INT16, -300),
    (DataType.INT32, -(2**31)),
    (DataType.INT64, -(2**63)),
    (DataType.UINT8, 255),
    (DataType.UINT32, 2**32 - 1),
    (DataType.UINT64, 2**64 - 1),
    (DataType.FLOAT, 0.5),
    (DataType.DOUBLE, -1e300),
    (DataType.BOOLEAN, False),
    (DataType.STRING, "가공 완료"),
    (DataType.TEXT, ""),
    (DataType.UUID, "0b7c7c2e-3f0a-4f7e-9b7e-1d6f3c1a2b3c"),
    (DataType.DATETIME, datetime(2026, 3, 2, 8, 59, 59, 123000, tzinfo=UTC)),
    (DataType.BYTES, b"\x00\x01\xff"),
    (DataType.INT16_ARRAY, (-1, 2, 30000)),
    (DataType.DOUBLE_ARRAY, (1.5, -2.25)),
    (DataType.STRING_ARRAY, ("a", "", "공정")),
    (DataType.DATETIME_ARRAY, (datetime(2026, 1, 1, tzinfo=UTC),)),
    (DataType.INT32, None),
]


@pytest.mark.parametrize(("datatype", "value"), ROUND_TRIP_VALUES, ids=lambda v: str(v))
def test_values_survive_a_round_trip(datatype: DataType, value: object) -> None:
    properties = {"engUnit": PropertyValue(int(DataType.STRING), "rpm"), "scale": PropertyValue(int(DataType.INT8), -3)}
    metric = make_metric("m", datatype, value, alias=9, timestamp=42, properties=properties)  # type: ignore[arg-type]
    decoded = decode_payload(encode_payload(Payload(timestamp=1, seq=255, metrics=(metric,))))
    assert decoded.findings == ()
    assert decoded.metrics == (metric,)
    back = decoded.metrics[0]
    assert typed_value(back.datatype, back.value_field, back.raw, is_null=back.is_null) == (value, ())


@given(st.integers(min_value=-(2**63), max_value=2**63 - 1), st.sampled_from([DataType.INT64, DataType.INT32]))
def test_signed_integers_round_trip(number: int, datatype: DataType) -> None:
    if datatype is DataType.INT32:
        number = max(-(2**31), min(2**31 - 1, number))
    metric = make_metric("n", datatype, number)
    back = decode_payload(encode_payload(Payload(metrics=(metric,)))).metrics[0]
    assert typed_value(back.datatype, back.value_field, back.raw) == (number, ())


def test_signed_values_are_read_in_both_senders_conventions() -> None:
    # Tahu's Python client adds 2**8 to a negative Int8; Java sign-extends it to the 32 bits of the field.
    assert typed_value(DataType.INT8, ValueField.INT, 251)[0] == -5
    assert typed_value(DataType.INT8, ValueField.INT, 2**32 - 5)[0] == -5
    assert typed_value(DataType.INT16, ValueField.LONG, 2**64 - 5)[0] == -5
    assert typed_value(DataType.UINT32, ValueField.LONG, 2**32 - 1)[0] == 2**32 - 1  # Java sends UInt32 as long


@pytest.mark.parametrize(
    ("datatype", "kind", "raw", "rule"),
    [
        (DataType.INT8, ValueField.INT, 300, "SPB-VALUE-005"),  # neither 8-bit nor sign-extended
        (DataType.UINT16, ValueField.INT, 70000, "SPB-VALUE-005"),
        (DataType.INT32_ARRAY, ValueField.BYTES, b"\x01\x02\x03", "SPB-VALUE-005"),  # not a multiple of 4 bytes
        (DataType.DOUBLE, ValueField.STRING, "1.5", "SPB-VALUE-003"),
        (DataType.DATASET, ValueField.DATASET, b"\x08\x02", "SPB-VALUE-004"),
        (DataType.TEMPLATE, ValueField.TEMPLATE, b"\x0a\x01x", "SPB-VALUE-004"),
        (77, ValueField.INT, 1, "SPB-VALUE-002"),
        (None, ValueField.INT, 1, "SPB-VALUE-001"),
    ],
)
def test_a_value_that_does_not_fit_is_kept_raw_and_reported(
    datatype: int | None, kind: ValueField, raw: int | str | bytes, rule: str
) -> None:
    value, findings = typed_value(datatype, kind, raw)
    assert value == raw
    assert [finding.rule for finding in findings] == [rule]


def test_datasets_are_kept_as_raw_bytes_through_decoding() -> None:
    dataset = bytes([0x08, 0x01, 0x12, 0x01, ord("x")])  # num_of_columns 1, columns ["x"]
    metric = Metric(name="table", datatype=int(DataType.DATASET), value_field=ValueField.DATASET, raw=dataset)
    back = decode_payload(encode_payload(Payload(metrics=(metric,)))).metrics[0]
    assert back.raw == dataset
    assert typed_value(back.datatype, back.value_field, back.raw)[1][0].message == msg.VALUE_NOT_DECODED


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x08", msg.TRUNCATED),  # a key with no value
        (b"\x08" + b"\xff" * 10 + b"\x01", msg.VARINT_TOO_LONG),
        (b"\x12\x05\x0a", msg.TRUNCATED),  # a 5-byte metric with 1 byte left
        (b"\x0b", msg.BAD_WIRE_TYPE),  # field 1, wire type 3 (a proto2 group)
        (b"\x00\x01", msg.BAD_FIELD_NUMBER),
        (b"\x0a\x01x", msg.BAD_WIRE_TYPE),  # timestamp sent as bytes
        (b"\x12\x03\x0a\x01\xff", msg.NOT_UTF8),
        (b"\x12\x06\x4a\x04\x12\x02\x08", msg.TRUNCATED),  # a property value cut off inside the metric
        (b"<html>not protobuf</html>", msg.BAD_WIRE_TYPE),
    ],
)
def test_malformed_bytes_are_a_finding_not_an_exception(data: bytes, message: str) -> None:
    decoded = decode_payload(data)
    assert not decoded.readable
    assert decoded.metrics == ()
    assert [(f.message, f.severity) for f in decoded.findings] == [(message, Severity.ERROR)]
    assert "offset" in decoded.findings[0].params


@given(st.binary(max_size=200))
def test_any_bytes_decode_without_an_exception(data: bytes) -> None:
    decoded = decode_payload(data)
    assert decoded.readable or decoded.findings


def test_unknown_fields_and_metadata_are_reported_not_dropped_silently() -> None:
    data = bytes([0x30, 0x01]) + bytes([0x12, 0x07, 0x0A, 0x01, ord("m"), 0x42, 0x02, 0x08, 0x01])
    decoded = decode_payload(data)  # payload field 6 (an extension) and a metric with metadata (field 8)
    assert decoded.readable
    assert [(f.rule, f.path) for f in decoded.findings] == [
        ("SPB-PAYLOAD-002", ""),
        ("SPB-PAYLOAD-003", "metrics[0].metadata"),
    ]


def test_the_value_fields_and_datatypes_match_the_real_proto(shared_standards: Path) -> None:
    proto = (shared_standards / "sparkplug" / "sparkplug_b.proto").read_text(encoding="utf-8")
    enum = proto[proto.index("enum DataType") : proto.index("}", proto.index("enum DataType"))]
    declared = {name: int(number) for name, number in re.findall(r"(\w+)\s*=\s*(\d+);", enum)}
    assert {name.replace("_", "").lower(): number for name, number in DataType.__members__.items()} == {
        name.lower(): number for name, number in declared.items()
    }
    metric = proto[proto.index("message Metric {") :]
    oneof = metric[metric.index("oneof value") : metric.index("}", metric.index("oneof value"))]
    fields = {name: int(number) for name, number in re.findall(r"(\w+)_value\s*=\s*(\d+);", oneof)}
    assert {kind.name.lower(): int(kind) for kind in ValueField} == fields


# --- the session ----------------------------------------------------------------------------------------------------


def test_a_birth_declares_aliases_that_data_messages_use() -> None:
    session, birth = born_session()
    assert birth.findings == ()
    assert session.node_online()
    assert session.bd_seq == 3
    assert {s.name: s.value for s in birth.samples} == {"Spindle/Speed": 1200.0, "Counter/Parts": 10, REBIRTH: False}
    data = session.receive(topic("NDATA"), node_data(1, 11))
    assert data.findings == ()
    (sample,) = data.samples
    assert (sample.name, sample.value, sample.datatype) == ("Counter/Parts", 11, "UINT32")
    assert (sample.group_id, sample.edge_node_id, sample.device_id) == (GROUP, EDGE, None)
    assert sample.timestamp == datetime(2026, 3, 2, 9, 0, 1, tzinfo=UTC)


def test_sequence_numbers_wrap_from_255_to_0() -> None:
    session = EdgeSession(GROUP, EDGE, clock=lambda: NOW)
    session.receive(topic("NBIRTH"), node_birth(seq=254))
    results = [session.receive(topic("NDATA"), node_data(seq, seq, timestamp=seq)) for seq in (255, 0, 1)]
    assert [rules(result) for result in results] == [[], [], []]
    assert not any(result.needs_rebirth for result in results)


def test_a_gap_is_reported_and_asks_for_a_rebirth_once() -> None:
    session, _ = born_session()
    session.receive(topic("NDATA"), node_data(1, 11))
    gap = session.receive(topic("NDATA"), node_data(4, 14))
    assert rules(gap) == ["SPB-SESSION-008"]
    assert gap.findings[0].params == {"expected": "2", "actual": 4}
    assert [s.value for s in gap.samples] == [14]  # the values that did arrive are kept
    assert gap.rebirth is not None
    assert gap.rebirth.topic == "spBv1.0/Plant1/NCMD/Press7"
    command = decode_payload(gap.rebirth.payload)
    (metric,) = command.metrics
    assert (metric.name, metric.datatype, metric.raw) == (REBIRTH, DataType.BOOLEAN, True)
    assert command.timestamp == int(NOW.timestamp() * 1000)
    again = session.receive(topic("NDATA"), node_data(7, 17))
    assert rules(again) == ["SPB-SESSION-008"]
    assert not again.needs_rebirth  # already asked; a new birth ends the wait
    session.receive(topic("NBIRTH"), node_birth(bd_seq=4))
    assert session.receive(topic("NDATA"), node_data(9, 19)).needs_rebirth


def test_data_before_the_birth_is_reported_and_asks_for_a_rebirth() -> None:
    session = EdgeSession(GROUP, EDGE, clock=lambda: NOW)
    named = payload(0, make_metric("Counter/Parts", DataType.UINT32, 5))
    result = session.receive(topic("NDATA"), named)
    assert rules(result) == ["SPB-SESSION-006"]
    assert result.needs_rebirth
    assert [(s.name, s.value) for s in result.samples] == [("Counter/Parts", 5)]
    unnamed = session.receive(topic("NDATA"), node_data(1, 6))
    assert "SPB-SESSION-015" in rules(unnamed)  # an alias with no birth to resolve it: reported with its place
    assert unnamed.findings[-1].path == "spBv1.0/Plant1/NDATA/Press7#metrics[0]"


def test_a_death_with_another_bd_seq_is_ignored_and_the_right_one_ends_the_session() -> None:
    session, _ = born_session()
    stale = session.receive(topic("NDEATH"), payload(None, make_metric("bdSeq", DataType.INT64, 2)))
    assert rules(stale) == ["SPB-SESSION-004"]
    assert session.node_online()
    death = session.receive(topic("NDEATH"), payload(None, make_metric("bdSeq", DataType.INT64, 3)))
    assert death.findings == ()
    assert not session.node_online()
    late = session.receive(topic("NDATA"), node_data(1, 11))
    assert rules(late) == ["SPB-SESSION-006"]
    assert late.needs_rebirth


def test_devices_have_their_own_births_aliases_and_deaths() -> None:
    session, _ = born_session()
    dbirth = payload(1, make_metric("Temp", DataType.FLOAT, 21.5, alias=1), make_metric("Mode", DataType.STRING, "AUTO",
                                                                                         alias=2))
    assert session.receive(topic("DBIRTH", "Robot2"), dbirth).findings == ()
    ddata = session.receive(topic("DDATA", "Robot2"), payload(2, Metric(alias=2, value_field=ValueField.STRING,
                                                                          raw="MANUAL")))
    assert [(s.device_id, s.name, s.value) for s in ddata.samples] == [("Robot2", "Mode", "MANUAL")]
    ndata = session.receive(topic("NDATA"), node_data(3, 12))  # alias 2 of the node is another metric
    assert [s.name for s in ndata.samples] == ["Counter/Parts"]
    assert session.receive(topic("DDEATH", "Robot2"), payload(4)).findings == ()
    assert not session.device_online("Robot2")
    after = session.receive(topic("DDATA", "Robot2"), payload(5, Metric(alias=1, value_field=ValueField.FLOAT,
                                                                        raw=20.0)))
    assert rules(after) == ["SPB-SESSION-005"]
    assert after.needs_rebirth
    unknown = session.receive(topic("DDATA", "Ghost"), payload(6, make_metric("x", DataType.INT8, 1)))
    assert rules(unknown) == ["SPB-SESSION-005", "SPB-SESSION-009"]  # no device birth, so x was never declared
    assert [(s.device_id, s.name, s.value) for s in unknown.samples] == [("Ghost", "x", 1)]


def test_a_birth_with_a_reused_alias_or_no_bd_seq_is_reported() -> None:
    session = EdgeSession(GROUP, EDGE, clock=lambda: NOW)
    birth = payload(0, make_metric("a", DataType.INT8, 1, alias=1), make_metric("b", DataType.INT8, 2, alias=1))
    assert rules(session.receive(topic("NBIRTH"), birth)) == ["SPB-SESSION-011", "SPB-SESSION-013"]


def test_the_idempotency_key_is_stable_for_a_redelivery_and_distinct_otherwise() -> None:
    session, birth = born_session()
    first = session.receive(topic("NDATA"), node_data(1, 11))
    redelivered = session.receive(topic("NDATA"), node_data(1, 11))
    assert redelivered.duplicate
    assert rules(redelivered) == ["SPB-SESSION-007"]
    assert redelivered.key == first.key
    assert redelivered.samples == ()
    assert first.key is not None
    assert first.key.text == "spBv1.0|Plant1|Press7|-|NDATA|bd=3|birth=1772442000000|seq=1|ts=1772442001000"
    assert first.samples[0].key == first.key.text
    keys: set[MessageKey | None] = {birth.key, first.key}
    for lap in range(1, 3):  # seq comes round again every 256 messages; the timestamp tells the laps apart
        for seq in range(2 if lap == 1 else 0, 256):
            result = session.receive(topic("NDATA"), node_data(seq, seq, timestamp=lap * 1000 + seq))
            assert result.findings == ()
            keys.add(result.key)
    assert len(keys) == 2 + 254 + 256


def test_the_consumer_routes_messages_to_one_session_per_edge_node() -> None:
    consumer = SparkplugConsumer(clock=lambda: NOW)
    consumer.receive(topic("NBIRTH"), node_birth())
    other = consumer.receive("spBv1.0/Plant1/NDATA/Press8", node_data(1, 1))
    assert rules(other) == ["SPB-SESSION-006", "SPB-SESSION-015"]  # Press8 was never born: alias 2 means nothing
    assert consumer.receive(topic("NDATA"), node_data(1, 11)).findings == ()
    assert rules(consumer.receive("spBv1.0/STATE/scada-1", b'{"online": true}')) == ["SPB-SESSION-002"]
    assert rules(consumer.receive("not/sparkplug", b"")) == ["SPB-TOPIC-001"]


def test_a_session_reports_a_malformed_message_with_its_topic_and_asks_for_a_rebirth() -> None:
    session, _ = born_session()
    result = session.receive(topic("NDATA"), b"\x12\x09\x0a")
    assert rules(result) == ["SPB-PAYLOAD-001"]
    assert result.findings[0].path == "spBv1.0/Plant1/NDATA/Press7"
    assert result.needs_rebirth
    assert rules(session.receive("spBv1.0/Plant2/NDATA/Press7", node_data(1, 1))) == ["SPB-SESSION-001"]


# --- messages -------------------------------------------------------------------------------------------------------


def _parameters(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_finding_message_has_a_korean_translation_with_the_same_parameters() -> None:
    korean = catalog("ko")
    assert len(msg.MESSAGES) > 30
    missing = [message for message in msg.MESSAGES if message not in korean]
    assert not missing
    for message in msg.MESSAGES:
        assert _parameters(korean[message]) == _parameters(message), message


def test_float_values_are_single_precision_on_the_wire() -> None:
    metric = make_metric("f", DataType.FLOAT, 0.1)
    decoded = decode_payload(encode_payload(Payload(metrics=(metric,)))).metrics[0]
    assert decoded.raw == struct.unpack("<f", struct.pack("<f", 0.1))[0]


def test_the_encoder_refuses_a_value_of_the_wrong_kind() -> None:
    with pytest.raises(ValueError, match="cannot be sent as STRING"):
        make_metric("s", DataType.STRING, 5)
    with pytest.raises(ValueError, match="does not fit INT8"):
        make_metric("i", DataType.INT8, 128)


def test_the_payload_envelope_and_metric_flags_round_trip() -> None:
    metric = Metric(name="h", alias=2**40, timestamp=2**50, datatype=int(DataType.UINT64), is_historical=True,
                    is_transient=True, value_field=ValueField.LONG, raw=2**64 - 1)
    original = Payload(timestamp=2**63, seq=0, metrics=(metric,), uuid="schema-1", body=b"\x00raw")
    assert decode_payload(encode_payload(original)) == original
