"""Converters between formats, found by name or by file ending. Built-in: AAS JSON, AAS XML, AASX.

Shop-floor formats produce K-MDS records (one JSON object per submodel) with findings for what has no place in
K-MDS, rather than whole AAS environments: the daily production report as CSV or Excel (:func:`read_daily_report`,
:func:`daily_report_template`), B2MML (:func:`read_b2mml`, :func:`write_b2mml_v0701`) and MTConnect
(:mod:`midas.standard.convert.mtconnect`: device models, SHDR and Streams to state events, ISO 22400 time
elements). Sparkplug B is a message stream, not a file: :class:`EdgeSession` and :class:`SparkplugConsumer` take
(topic, payload) in order and give metric samples, idempotency keys, sequence findings and rebirth commands.
OPC UA (the optional extra ``opcua``, asyncua being LGPL): :class:`midas.standard.convert.opcua.OpcUaMachineSource`
streams OPC 40001-1 machine states as the same state events as MTConnect; it is not imported here, so the platform
runs without the extra.
Formats that do read and write environments register themselves with :func:`register`.
"""

from __future__ import annotations

from pathlib import PurePath

from midas.standard.convert import mtconnect
from midas.standard.convert.aas import (
    AAS_JSON,
    AAS_XML,
    AASX,
    AasJsonConverter,
    AasxConverter,
    AasXmlConverter,
    environments_equal,
)
from midas.standard.convert.b2mml import B2mmlReading, KmdsRecord, read_b2mml
from midas.standard.convert.b2mml_write import write_b2mml_v0701
from midas.standard.convert.base import ConversionFailed, Converter
from midas.standard.convert.sparkplug import EdgeSession, SparkplugConsumer
from midas.standard.convert.sparkplug_payload import decode_payload, encode_payload
from midas.standard.convert.sparkplug_topic import parse_topic
from midas.standard.convert.tabular import TabularReading, daily_report_template, read_daily_report

__all__ = [
    "AASX",
    "AAS_JSON",
    "AAS_XML",
    "AasJsonConverter",
    "AasXmlConverter",
    "AasxConverter",
    "B2mmlReading",
    "ConversionFailed",
    "Converter",
    "EdgeSession",
    "KmdsRecord",
    "SparkplugConsumer",
    "TabularReading",
    "converter",
    "converter_for_filename",
    "converters",
    "daily_report_template",
    "decode_payload",
    "encode_payload",
    "environments_equal",
    "mtconnect",
    "parse_topic",
    "read_b2mml",
    "read_daily_report",
    "register",
    "write_b2mml_v0701",
]

_REGISTRY: dict[str, Converter] = {}


def register(converter: Converter) -> None:
    """Make ``converter`` available under its name; a name is registered once."""
    if converter.name in _REGISTRY and _REGISTRY[converter.name] is not converter:
        raise ValueError(f"a converter named {converter.name!r} is already registered")
    _REGISTRY[converter.name] = converter


def converters() -> tuple[Converter, ...]:
    """Every registered converter, in the order they were registered."""
    return tuple(_REGISTRY.values())


def converter(name: str) -> Converter:
    """The converter registered as ``name``; KeyError names the known ones."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(f"no converter {name!r}; known: {', '.join(_REGISTRY)}") from None


def converter_for_filename(filename: str) -> Converter:
    """The converter that claims the ending of ``filename`` (``.json``, ``.xml``, ``.aasx``, ...)."""
    suffix = PurePath(filename).suffix.lower()
    for candidate in _REGISTRY.values():
        if suffix in candidate.extensions:
            return candidate
    raise KeyError(
        f"no converter for files ending in {suffix or '(nothing)'!r}; known: "
        f"{', '.join(e for c in _REGISTRY.values() for e in c.extensions)}"
    )


for _builtin in (AAS_JSON, AAS_XML, AASX):
    register(_builtin)
