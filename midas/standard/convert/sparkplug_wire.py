"""The protobuf wire format, written out for the few messages of Sparkplug B (``sparkplug_b.proto``).

Why by hand and not with the ``protobuf`` package and generated code: the Payload message needs only four of the
wire types (varint, 64-bit, length-delimited, 32-bit); a reader of our own keeps the standard package free of a
runtime dependency and of generated code outside mypy/ruff, bounds what malformed bytes can do (every read is
checked against the end of its buffer) and says *where* the bytes break (the byte offset), which the generated
parser does not. The proto uses no ``sint``/``sfixed`` fields, so no zigzag decoding is needed: signed Sparkplug
values travel as two's complement in ``uint32``/``uint64`` (see :mod:`sparkplug_payload`).
"""

from __future__ import annotations

import struct
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Final

import midas.standard.convert.sparkplug_messages as msg

__all__ = [
    "FIXED32",
    "FIXED64",
    "LENGTH",
    "VARINT",
    "WireError",
    "WireField",
    "bytes_field",
    "double_field",
    "fields",
    "float_field",
    "varint",
    "varint_field",
]

VARINT: Final = 0
FIXED64: Final = 1
LENGTH: Final = 2
FIXED32: Final = 5
_MAX_VARINT_BYTES: Final = 10  # 64 bits in 7-bit groups
_UINT64_LIMIT: Final = 1 << 64
_FIELD_NUMBER_LIMIT: Final = 1 << 29


class WireError(Exception):
    """The bytes are not a protobuf message; ``message`` is a message id of :mod:`sparkplug_messages`."""

    def __init__(self, message: str, params: Mapping[str, str | int | float]) -> None:
        self.message = message
        self.params = dict(params)
        super().__init__(message.format(**params))


@dataclass(frozen=True, slots=True)
class WireField:
    """One field as it stands on the wire: varints as ``int``, fixed-width and length-delimited as ``bytes``.

    ``offset`` is where the field's key starts in the buffer it was read from, so that findings can point at it.
    """

    number: int
    wire_type: int
    value: int | bytes
    offset: int


def _read_varint(data: bytes, position: int) -> tuple[int, int]:
    """The varint at ``position`` and the position after it; refuses one that is cut off or longer than 64 bits."""
    result = 0
    for index in range(_MAX_VARINT_BYTES):
        if position + index >= len(data):
            raise WireError(msg.TRUNCATED, {"offset": position})
        byte = data[position + index]
        result |= (byte & 0x7F) << (7 * index)
        if not byte & 0x80:
            if result >= _UINT64_LIMIT:
                raise WireError(msg.VARINT_TOO_LONG, {"offset": position})
            return result, position + index + 1
    raise WireError(msg.VARINT_TOO_LONG, {"offset": position})


def _take(data: bytes, position: int, size: int, start: int) -> tuple[bytes, int]:
    if size > len(data) - position:
        raise WireError(msg.TRUNCATED, {"offset": start})
    return data[position : position + size], position + size


def _read_field(data: bytes, start: int) -> tuple[WireField, int]:
    key, position = _read_varint(data, start)
    number, wire_type = key >> 3, key & 0x7
    if number == 0 or number >= _FIELD_NUMBER_LIMIT:
        raise WireError(msg.BAD_FIELD_NUMBER, {"field": number, "offset": start})
    value: int | bytes
    if wire_type == VARINT:
        value, position = _read_varint(data, position)
    elif wire_type == FIXED64:
        value, position = _take(data, position, 8, start)
    elif wire_type == FIXED32:
        value, position = _take(data, position, 4, start)
    elif wire_type == LENGTH:
        size, position = _read_varint(data, position)
        value, position = _take(data, position, size, start)
    else:  # 3 and 4 are proto2 groups, which sparkplug_b.proto does not use; 6 and 7 do not exist
        raise WireError(msg.BAD_WIRE_TYPE, {"wire_type": wire_type, "field": number, "offset": start})
    return WireField(number, wire_type, value, start), position


def fields(data: bytes) -> Iterator[WireField]:
    """The fields of one message in the order they stand; raises :class:`WireError` where the bytes break."""
    position = 0
    while position < len(data):
        found, position = _read_field(data, position)
        yield found


def varint(value: int) -> bytes:
    """``value`` (0 to 2**64 - 1) as a varint."""
    if not 0 <= value < _UINT64_LIMIT:
        raise ValueError(f"{value} does not fit an unsigned 64-bit varint")
    out = bytearray()
    while True:
        low = value & 0x7F
        value >>= 7
        if value:
            out.append(low | 0x80)
        else:
            out.append(low)
            return bytes(out)


def _key(number: int, wire_type: int) -> bytes:
    return varint(number << 3 | wire_type)


def varint_field(number: int, value: int) -> bytes:
    return _key(number, VARINT) + varint(value)


def bytes_field(number: int, value: bytes) -> bytes:
    return _key(number, LENGTH) + varint(len(value)) + value


def float_field(number: int, value: float) -> bytes:
    return _key(number, FIXED32) + struct.pack("<f", value)


def double_field(number: int, value: float) -> bytes:
    return _key(number, FIXED64) + struct.pack("<d", value)
