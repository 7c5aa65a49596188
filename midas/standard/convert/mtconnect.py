"""MTConnect to K-MDS: devices to the equipment structure, states to ISO 22400-2 time elements.

- :func:`read_devices`: an MTConnectDevices document to FactoryStructure and EquipmentIdentity records, and the
  typed device model (components, data items) that decodes streams;
- :func:`parse_shdr`, :func:`read_streams_xml`, :func:`read_streams_json`: machine states
  (:class:`StateEvent`) and part counts (:class:`PartCount`) from the adapter stream or a Streams document;
- :func:`time_elements` and :func:`production_performance_record`: what a work unit did over a period, as a
  K-MDS ProductionPerformance record (the mapping is written down in :mod:`.mtconnect_times`).

Whatever has no place in K-MDS is a :class:`~midas.standard.report.Finding` with its place (XPath, line, JSON
pointer); message ids are in :mod:`.mtconnect_messages`.
"""

from __future__ import annotations

from midas.standard.convert.mtconnect_devices import Component, DataItem, Device, DeviceModel, read_devices
from midas.standard.convert.mtconnect_streams import (
    PartCount,
    StateEvent,
    StateKind,
    StreamEvents,
    parse_shdr,
    read_streams_json,
    read_streams_xml,
)
from midas.standard.convert.mtconnect_times import (
    StateClass,
    TimeElements,
    production_performance_record,
    time_elements,
)

__all__ = [
    "Component",
    "DataItem",
    "Device",
    "DeviceModel",
    "PartCount",
    "StateClass",
    "StateEvent",
    "StateKind",
    "StreamEvents",
    "TimeElements",
    "parse_shdr",
    "production_performance_record",
    "read_devices",
    "read_streams_json",
    "read_streams_xml",
    "time_elements",
]
