"""Sparkplug B payloads (``org.eclipse.tahu.protobuf.Payload`` of sparkplug_b.proto, EPL-2.0): decode and encode.

:func:`decode_payload` never raises on bad bytes: a payload that is not a protobuf message comes back unreadable
with a finding that says where it breaks. A readable payload keeps each metric's value as it stood on the wire
(which oneof field, which raw number), because DATA messages usually omit the datatype: only the birth certificate
says it, so :func:`typed_value` is applied once the datatype is known. DataSet, Template and extension values are
kept as raw bytes and reported, not decoded.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from enum import IntEnum
from typing import Final

import midas.standard.convert.sparkplug_messages as msg
from midas.standard.convert.sparkplug_wire import (
    FIXED32,
    FIXED64,
    LENGTH,
    VARINT,
    WireError,
    WireField,
    bytes_field,
    double_field,
    fields,
    float_field,
    varint_field,
)
from midas.standard.report import Finding, Layer, Severity

__all__ = [
    "DataType",
    "Metric",
    "Payload",
    "PropertyValue",
    "SampleValue",
    "ValueField",
    "decode_payload",
    "encode_payload",
    "make_metric",
    "typed_value",
    "wire_value",
]

Scalar = bool | int | float | str | bytes | datetime
SampleValue = Scalar | tuple[int | float | str | datetime, ...] | None
RawValue = int | float | bool | str | bytes | None


class DataType(IntEnum):
    """The ``DataType`` enum of sparkplug_b.proto."""

    UNKNOWN = 0
    INT8 = 1
    INT16 = 2
    INT32 = 3
    INT64 = 4
    UINT8 = 5
    UINT16 = 6
    UINT32 = 7
    UINT64 = 8
    FLOAT = 9
    DOUBLE = 10
    BOOLEAN = 11
    STRING = 12
    DATETIME = 13
    TEXT = 14
    UUID = 15
    DATASET = 16
    BYTES = 17
    FILE = 18
    TEMPLATE = 19
    PROPERTY_SET = 20
    PROPERTY_SET_LIST = 21
    INT8_ARRAY = 22
    INT16_ARRAY = 23
    INT32_ARRAY = 24
    INT64_ARRAY = 25
    UINT8_ARRAY = 26
    UINT16_ARRAY = 27
    UINT32_ARRAY = 28
    UINT64_ARRAY = 29
    FLOAT_ARRAY = 30
    DOUBLE_ARRAY = 31
    BOOLEAN_ARRAY = 32
    STRING_ARRAY = 33
    DATETIME_ARRAY = 34


class ValueField(IntEnum):
    """The value oneof of ``Metric`` by field number (``PropertyValue`` uses 3-8 for the same kinds)."""

    INT = 10
    LONG = 11
    FLOAT = 12
    DOUBLE = 13
    BOOLEAN = 14
    STRING = 15
    BYTES = 16
    DATASET = 17
    TEMPLATE = 18
    EXTENSION = 19


# PropertyValue numbers its value fields 3..8 for int, long, float, double, boolean, string.
_PROPERTY_FIELD_OFFSET: Final = ValueField.INT - 3
_WIRE_TYPE: Final[Mapping[ValueField, int]] = {
    ValueField.INT: VARINT,
    ValueField.LONG: VARINT,
    ValueField.FLOAT: FIXED32,
    ValueField.DOUBLE: FIXED64,
    ValueField.BOOLEAN: VARINT,
}
# Signed and unsigned integers: (bits, signed). Java's Tahu sends UInt32 in long_value, so both integer fields
# are accepted for every integer type and the value is checked against the type's range instead.
_INTEGERS: Final[Mapping[DataType, tuple[int, bool]]] = {
    DataType.INT8: (8, True),
    DataType.INT16: (16, True),
    DataType.INT32: (32, True),
    DataType.INT64: (64, True),
    DataType.UINT8: (8, False),
    DataType.UINT16: (16, False),
    DataType.UINT32: (32, False),
    DataType.UINT64: (64, False),
}
_STRINGS: Final = frozenset({DataType.STRING, DataType.TEXT, DataType.UUID})
# Sparkplug 3.0 arrays travel in bytes_value, little-endian and packed.
_PACKED_ARRAYS: Final[Mapping[DataType, str]] = {
    DataType.INT8_ARRAY: "b",
    DataType.INT16_ARRAY: "h",
    DataType.INT32_ARRAY: "i",
    DataType.INT64_ARRAY: "q",
    DataType.UINT8_ARRAY: "B",
    DataType.UINT16_ARRAY: "H",
    DataType.UINT32_ARRAY: "I",
    DataType.UINT64_ARRAY: "Q",
    DataType.FLOAT_ARRAY: "f",
    DataType.DOUBLE_ARRAY: "d",
    DataType.DATETIME_ARRAY: "q",
}
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_VALUE_FIELDS: Final = frozenset(int(member) for member in ValueField)
_DATATYPES: Final = frozenset(int(member) for member in DataType)


@dataclass(frozen=True, slots=True)
class PropertyValue:
    """One simple property of a metric (``PropertySet`` entry): its datatype and typed value."""

    datatype: int | None
    value: SampleValue
    is_null: bool = False


@dataclass(frozen=True, slots=True)
class Metric:
    """One metric as on the wire; ``raw`` is the value of the oneof field ``value_field`` (unsigned integers
    as sent, floats, ``bool``, ``str`` or ``bytes``), to be read with :func:`typed_value`."""

    name: str | None = None
    alias: int | None = None
    timestamp: int | None = None
    datatype: int | None = None
    is_historical: bool = False
    is_transient: bool = False
    is_null: bool = False
    value_field: ValueField | None = None
    raw: RawValue = None
    properties: Mapping[str, PropertyValue] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Payload:
    """A decoded payload. ``readable`` is False when the bytes are not a protobuf Payload at all; ``findings``
    hold what could not be read or kept (their ``path`` is relative to the payload, e.g. ``metrics[2]``)."""

    timestamp: int | None = None
    seq: int | None = None
    metrics: tuple[Metric, ...] = ()
    uuid: str | None = None
    body: bytes | None = None
    findings: tuple[Finding, ...] = ()
    readable: bool = True


def _finding(
    rule: str, path: str, message: str, params: Mapping[str, str | int | float], severity: Severity = Severity.WARNING
) -> Finding:
    layer = Layer.READ if severity is Severity.ERROR else Layer.CONFORMANCE
    return Finding(layer=layer, rule=rule, path=path, message=message, params=dict(params), severity=severity)


# --- reading -----------------------------------------------------------------------------------------------------


def _text(found: WireField) -> str:
    data = _length(found)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise WireError(msg.NOT_UTF8, {"field": found.number, "offset": found.offset}) from None


def _length(found: WireField) -> bytes:
    _expect(found, LENGTH)
    assert isinstance(found.value, bytes)
    return found.value


def _number(found: WireField) -> int:
    _expect(found, VARINT)
    assert isinstance(found.value, int)
    return found.value


def _expect(found: WireField, wire_type: int) -> None:
    if found.wire_type != wire_type:
        params = {"wire_type": found.wire_type, "field": found.number, "offset": found.offset}
        raise WireError(msg.BAD_WIRE_TYPE, params)


def _raw(found: WireField, kind: ValueField) -> RawValue:
    """The value of a oneof field as sent (uint32 truncated to 32 bits as protobuf does)."""
    if kind in (ValueField.INT, ValueField.LONG):
        number = _number(found)
        return number & 0xFFFFFFFF if kind is ValueField.INT else number
    if kind is ValueField.BOOLEAN:
        return _number(found) != 0
    if kind in (ValueField.FLOAT, ValueField.DOUBLE):
        _expect(found, _WIRE_TYPE[kind])
        assert isinstance(found.value, bytes)
        return float(struct.unpack("<f" if kind is ValueField.FLOAT else "<d", found.value)[0])
    if kind is ValueField.STRING:
        return _text(found)
    return _length(found)


def _unknown(found: WireField, message_name: str, path: str) -> Finding:
    return _finding(
        "SPB-PAYLOAD-002", path, msg.UNKNOWN_FIELD, {"field": found.number, "message_name": message_name,
                                                      "offset": found.offset}
    )


@dataclass(slots=True)
class _MetricReader:
    """Collects one Metric's fields; fields may come in any order and repeat (the last one counts)."""

    path: str
    metric: Metric = field(default_factory=Metric)
    findings: list[Finding] = field(default_factory=list)

    def read(self, data: bytes) -> Metric:
        for found in fields(data):
            self._field(found)
        return self.metric

    def _field(self, found: WireField) -> None:
        number, metric = found.number, self.metric
        if number == 1:
            self.metric = replace(metric, name=_text(found))
        elif number == 2:
            self.metric = replace(metric, alias=_number(found))
        elif number == 3:
            self.metric = replace(metric, timestamp=_number(found))
        elif number == 4:
            self.metric = replace(metric, datatype=_number(found))
        elif number == 5:
            self.metric = replace(metric, is_historical=_number(found) != 0)
        elif number == 6:
            self.metric = replace(metric, is_transient=_number(found) != 0)
        elif number == 7:
            self.metric = replace(metric, is_null=_number(found) != 0)
        elif number == 8:
            _length(found)
            self.findings.append(_finding("SPB-PAYLOAD-003", f"{self.path}.metadata", msg.METADATA_NOT_KEPT, {}))
        elif number == 9:
            properties = _properties(_length(found), f"{self.path}.properties", self.findings)
            self.metric = replace(metric, properties=properties)
        elif number in _VALUE_FIELDS:
            kind = ValueField(number)
            self.metric = replace(metric, value_field=kind, raw=_raw(found, kind))
        else:
            self.findings.append(_unknown(found, "Metric", self.path))


def _property_value(data: bytes, path: str, findings: list[Finding]) -> PropertyValue:
    datatype: int | None = None
    is_null = False
    kind: ValueField | None = None
    raw: RawValue = None
    for found in fields(data):
        if found.number == 1:
            datatype = _number(found)
        elif found.number == 2:
            is_null = _number(found) != 0
        elif 3 <= found.number <= 8:
            kind = ValueField(found.number + _PROPERTY_FIELD_OFFSET)
            raw = _raw(found, kind)
        elif found.number in (9, 10, 11):
            _length(found)
            findings.append(_finding("SPB-PAYLOAD-004", path, msg.NESTED_PROPERTY_NOT_KEPT, {}))
            return PropertyValue(datatype, None, is_null)
        else:
            findings.append(_unknown(found, "PropertyValue", path))
    value, problems = typed_value(datatype, kind, raw, is_null=is_null)
    findings.extend(replace(problem, path=path) for problem in problems)
    return PropertyValue(datatype, value, is_null)


def _properties(data: bytes, path: str, findings: list[Finding]) -> dict[str, PropertyValue]:
    keys: list[str] = []
    values: list[PropertyValue] = []
    for found in fields(data):
        if found.number == 1:
            keys.append(_text(found))
        elif found.number == 2:
            values.append(_property_value(_length(found), f"{path}.values[{len(values)}]", findings))
        else:
            findings.append(_unknown(found, "PropertySet", path))
    if len(keys) != len(values):
        findings.append(
            _finding("SPB-PAYLOAD-005", path, msg.PROPERTY_COUNT_MISMATCH, {"keys": len(keys), "values": len(values)})
        )
    return dict(zip(keys, values, strict=False))


def _payload(data: bytes) -> Payload:
    payload = Payload()
    metrics: list[Metric] = []
    findings: list[Finding] = []
    for found in fields(data):
        if found.number == 1:
            payload = replace(payload, timestamp=_number(found))
        elif found.number == 2:
            reader = _MetricReader(f"metrics[{len(metrics)}]")
            metrics.append(reader.read(_length(found)))
            findings.extend(reader.findings)
        elif found.number == 3:
            payload = replace(payload, seq=_number(found))
        elif found.number == 4:
            payload = replace(payload, uuid=_text(found))
        elif found.number == 5:
            payload = replace(payload, body=_length(found))
        else:
            findings.append(_unknown(found, "Payload", ""))
    return replace(payload, metrics=tuple(metrics), findings=tuple(findings))


def decode_payload(data: bytes) -> Payload:
    """The Sparkplug B payload in ``data``; bytes that are not one give an unreadable Payload with a finding
    (the byte offset where they break), never an exception: an MQTT message is outside our control."""
    try:
        return _payload(data)
    except WireError as error:
        finding = _finding("SPB-PAYLOAD-001", "", error.message, error.params, Severity.ERROR)
        return Payload(findings=(finding,), readable=False)


# --- typed values -------------------------------------------------------------------------------------------------


def _integer(datatype: DataType, kind: ValueField, raw: int) -> int | None:
    """A two's-complement integer of ``datatype``'s width from a uint32/uint64 field, or None if out of range.

    Senders disagree on signed values: Tahu's Python client adds 2**bits (an Int8 of -5 arrives as 251), Java
    sign-extends to the field's width (2**32 - 5); both are read back as -5. Anything else does not fit the type.
    """
    bits, signed = _INTEGERS[datatype]
    field_bits = 32 if kind is ValueField.INT else 64
    if not signed:
        return raw if raw < 1 << bits else None
    half = 1 << (bits - 1)
    if raw < half:
        return raw
    if raw < 1 << bits:
        return raw - (1 << bits)
    if raw >= (1 << field_bits) - half:
        return raw - (1 << field_bits)
    return None


def _datetime(milliseconds: int) -> datetime | None:
    try:
        return _EPOCH + timedelta(milliseconds=milliseconds)
    except OverflowError:
        return None


def _array(datatype: DataType, raw: bytes) -> tuple[int | float | str | datetime, ...] | None:
    if datatype is DataType.STRING_ARRAY:
        if raw and not raw.endswith(b"\0"):
            return None
        try:
            return tuple(part.decode("utf-8") for part in raw.split(b"\0")[:-1])
        except UnicodeDecodeError:
            return None
    code = _PACKED_ARRAYS[datatype]
    if len(raw) % struct.calcsize(code):
        return None
    items = tuple(item for (item,) in struct.iter_unpack("<" + code, raw))
    if datatype is DataType.DATETIME_ARRAY:
        moments = tuple(_datetime(int(item)) for item in items)
        return None if None in moments else tuple(m for m in moments if m is not None)
    return items


def _expected_kinds(datatype: DataType) -> tuple[ValueField, ...]:
    if datatype in _INTEGERS:
        return (ValueField.INT, ValueField.LONG)
    simple = {
        DataType.DATETIME: ValueField.LONG,
        DataType.FLOAT: ValueField.FLOAT,
        DataType.DOUBLE: ValueField.DOUBLE,
        DataType.BOOLEAN: ValueField.BOOLEAN,
        DataType.DATASET: ValueField.DATASET,
        DataType.TEMPLATE: ValueField.TEMPLATE,
    }
    if datatype in simple:
        return (simple[datatype],)
    if datatype in _STRINGS:
        return (ValueField.STRING,)
    return (ValueField.BYTES,)


def _convert(datatype: DataType, kind: ValueField, raw: RawValue) -> tuple[SampleValue, bool]:
    """The typed value and whether the raw value fits the datatype."""
    if datatype in _INTEGERS and isinstance(raw, int):
        number = _integer(datatype, kind, raw)
        return number, number is not None
    if datatype is DataType.DATETIME and isinstance(raw, int):
        moment = _datetime(raw)
        return moment, moment is not None
    if datatype in _PACKED_ARRAYS or datatype is DataType.STRING_ARRAY:
        assert isinstance(raw, bytes)
        items = _array(datatype, raw)
        return (items, True) if items is not None else (raw, False)
    return raw, True


def typed_value(
    datatype: int | None, kind: ValueField | None, raw: RawValue, *, is_null: bool = False
) -> tuple[SampleValue, tuple[Finding, ...]]:
    """The value of ``raw`` (sent in field ``kind``) as ``datatype``; findings say what does not fit, in which
    case the raw value is returned as it is so that nothing is lost. Findings have an empty path: the caller
    knows where the metric stands."""
    if is_null or kind is None:
        return None, ()
    params: dict[str, str | int | float] = {"datatype": str(datatype), "field": kind.name.lower()}
    if datatype is None or datatype not in _DATATYPES:
        if datatype is None:
            return raw, (_finding("SPB-VALUE-001", "", msg.NO_DATATYPE, params),)
        return raw, (_finding("SPB-VALUE-002", "", msg.UNKNOWN_DATATYPE, params),)
    known = DataType(datatype)
    params["datatype"] = known.name
    if kind not in _expected_kinds(known):
        return raw, (_finding("SPB-VALUE-003", "", msg.WRONG_VALUE_FIELD, params),)
    if known in (DataType.DATASET, DataType.TEMPLATE, DataType.BOOLEAN_ARRAY) or kind is ValueField.EXTENSION:
        return raw, (_finding("SPB-VALUE-004", "", msg.VALUE_NOT_DECODED, params),)
    value, fits = _convert(known, kind, raw)
    if not fits:
        params["raw"] = raw.hex() if isinstance(raw, bytes) else str(raw)
        return raw, (_finding("SPB-VALUE-005", "", msg.VALUE_OUT_OF_RANGE, params),)
    return value, ()


# --- writing ------------------------------------------------------------------------------------------------------


def _wire_integer(datatype: DataType, value: int) -> int:
    bits, signed = _INTEGERS[datatype]
    low = -(1 << (bits - 1)) if signed else 0
    high = (1 << (bits - 1)) if signed else 1 << bits
    if not low <= value < high:
        raise ValueError(f"{value} does not fit {datatype.name}")
    return value + (1 << bits) if value < 0 else value


def _wire_array(datatype: DataType, value: tuple[int | float | str | datetime, ...]) -> bytes:
    if datatype is DataType.STRING_ARRAY:
        return b"".join(str(item).encode("utf-8") + b"\0" for item in value)
    if datatype is DataType.DATETIME_ARRAY:
        value = tuple(_milliseconds(item) for item in value if isinstance(item, datetime))
    return struct.pack("<" + _PACKED_ARRAYS[datatype] * len(value), *value)


def _milliseconds(moment: datetime) -> int:
    return (moment - _EPOCH) // timedelta(milliseconds=1)


def wire_value(datatype: DataType, value: SampleValue) -> tuple[ValueField | None, RawValue]:
    """The oneof field and raw value that carry ``value`` as ``datatype`` (Tahu's conventions)."""
    if value is None:
        return None, None
    if datatype in _INTEGERS and isinstance(value, int) and not isinstance(value, bool):
        return (ValueField.INT if _INTEGERS[datatype][0] <= 32 else ValueField.LONG), _wire_integer(datatype, value)
    if datatype is DataType.DATETIME and isinstance(value, datetime):
        return ValueField.LONG, _milliseconds(value)
    if isinstance(value, tuple) and (datatype in _PACKED_ARRAYS or datatype is DataType.STRING_ARRAY):
        return ValueField.BYTES, _wire_array(datatype, value)
    kind = _expected_kinds(datatype)[0]
    if kind in (ValueField.FLOAT, ValueField.DOUBLE) and isinstance(value, int | float) and not isinstance(value, bool):
        return kind, float(value)
    carriers: Mapping[ValueField, type] = {
        ValueField.BOOLEAN: bool,
        ValueField.STRING: str,
        ValueField.BYTES: bytes,
        ValueField.DATASET: bytes,
        ValueField.TEMPLATE: bytes,
    }
    if kind in carriers and isinstance(value, carriers[kind]):
        assert isinstance(value, bool | str | bytes)
        return kind, value
    # The encoder builds commands and test payloads: a value of the wrong kind is a programming error.
    raise ValueError(f"{value!r} cannot be sent as {datatype.name}")


def make_metric(
    name: str | None,
    datatype: DataType,
    value: SampleValue,
    *,
    alias: int | None = None,
    timestamp: int | None = None,
    properties: Mapping[str, PropertyValue] | None = None,
) -> Metric:
    """A metric carrying ``value`` as ``datatype`` (None makes a null metric); for births, data and commands."""
    kind, raw = wire_value(datatype, value)
    return Metric(
        name=name,
        alias=alias,
        timestamp=timestamp,
        datatype=int(datatype),
        is_null=value is None,
        value_field=kind,
        raw=raw,
        properties=dict(properties or {}),
    )


def _value_bytes(number: int, kind: ValueField, raw: RawValue) -> bytes:
    if isinstance(raw, bool):
        return varint_field(number, int(raw))
    if isinstance(raw, int):
        return varint_field(number, raw)
    if isinstance(raw, float):
        return (float_field if kind is ValueField.FLOAT else double_field)(number, raw)
    if isinstance(raw, str):
        return bytes_field(number, raw.encode("utf-8"))
    assert isinstance(raw, bytes)
    return bytes_field(number, raw)


def _property_bytes(value: PropertyValue) -> bytes:
    out = b"" if value.datatype is None else varint_field(1, value.datatype)
    if value.is_null:
        out += varint_field(2, 1)
    if value.value is not None and value.datatype is not None:
        kind, raw = wire_value(DataType(value.datatype), value.value)
        if kind is not None:
            out += _value_bytes(kind - _PROPERTY_FIELD_OFFSET, kind, raw)
    return out


def _properties_bytes(properties: Mapping[str, PropertyValue]) -> bytes:
    keys = b"".join(bytes_field(1, key.encode("utf-8")) for key in properties)
    return keys + b"".join(bytes_field(2, _property_bytes(value)) for value in properties.values())


def _metric_parts(metric: Metric) -> Iterator[bytes]:
    if metric.name is not None:
        yield bytes_field(1, metric.name.encode("utf-8"))
    for number, number_value in ((2, metric.alias), (3, metric.timestamp), (4, metric.datatype)):
        if number_value is not None:
            yield varint_field(number, number_value)
    for number, flag in ((5, metric.is_historical), (6, metric.is_transient), (7, metric.is_null)):
        if flag:
            yield varint_field(number, 1)
    if metric.properties:
        yield bytes_field(9, _properties_bytes(metric.properties))
    if metric.value_field is not None and metric.raw is not None:
        yield _value_bytes(metric.value_field, metric.value_field, metric.raw)


def encode_payload(payload: Payload) -> bytes:
    """``payload`` as protobuf bytes, fields in the proto's order (findings are not part of the wire)."""
    out = b"" if payload.timestamp is None else varint_field(1, payload.timestamp)
    out += b"".join(bytes_field(2, b"".join(_metric_parts(metric))) for metric in payload.metrics)
    if payload.seq is not None:
        out += varint_field(3, payload.seq)
    if payload.uuid is not None:
        out += bytes_field(4, payload.uuid.encode("utf-8"))
    if payload.body is not None:
        out += bytes_field(5, payload.body)
    return out
