"""MTConnectDevices documents to the K-MDS equipment structure.

An MTConnect device is one machine, which is what IEC 62264-1 calls a work unit, the lowest level of the K-MDS
equipment hierarchy. So each device becomes a ``WorkUnit`` node of a FactoryStructure record (below a work
center the caller names, since an agent does not know its factory) and, where its Description names the
manufacturer and serial number, an EquipmentIdentity record. Components (axes, controller, paths, systems) and
data items are below the work unit: K-MDS has no level for them, so they stay in the typed :class:`Device`
model, which the stream readers need to decode observations, and each component is reported as a finding.
Every other element of a device or component (Configuration, Relationships, Compositions, References, ...) is
reported with its XPath, so nothing is dropped without a word.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final

from aas_core3 import types as aas
from lxml import etree

from midas.standard.conformance import check_conformance
from midas.standard.convert import mtconnect_messages as msg
from midas.standard.io import DEFAULT_MAX_BYTES, parse_xml
from midas.standard.record_schema import RecordError, record_to_submodel
from midas.standard.report import Finding, Layer, Severity

__all__ = [
    "Component", "DataItem", "Device", "DeviceModel", "element_xpath", "finding_at", "read_devices",
    "validated_record",
]

DEVICES_ROOT: Final = "MTConnectDevices"
# Children of a device or component that the model reads; everything else is reported as not mapped.
_READ_CHILDREN: Final = frozenset({"Description", "DataItems", "Components"})
_ID_SHORT_INVALID: Final = re.compile(r"[^a-zA-Z0-9_]")


@dataclass(frozen=True, slots=True)
class DataItem:
    """One MTConnect data item: ``category`` is SAMPLE, EVENT or CONDITION; ``component`` the owner's id."""

    id: str
    name: str | None
    type: str
    sub_type: str | None
    category: str
    representation: str | None
    component: str


@dataclass(frozen=True, slots=True)
class Component:
    """One component of a device (its element name is its ``type``: Axes, Controller, Path, ...)."""

    id: str
    name: str | None
    type: str
    parent: str
    xpath: str


@dataclass(frozen=True, slots=True)
class Device:
    """One MTConnect device with every component and data item below it, flattened."""

    id: str
    uuid: str | None
    name: str | None
    description: str | None
    manufacturer: str | None
    model: str | None
    serial_number: str | None
    components: tuple[Component, ...]
    data_items: tuple[DataItem, ...]
    xpath: str

    @property
    def equipment_id(self) -> str:
        """The K-MDS EquipmentId: the uuid, which MTConnect keeps stable across agents, else the id."""
        return self.uuid or self.id

    def data_item(self, key: str) -> DataItem | None:
        """The data item an adapter or a stream names ``key``: by name first (as SHDR does), then by id."""
        for item in self.data_items:
            if item.name == key:
                return item
        return next((item for item in self.data_items if item.id == key), None)

    def data_item_by_id(self, item_id: str) -> DataItem | None:
        """The data item with this id (Streams documents name observations by id only)."""
        return next((item for item in self.data_items if item.id == item_id), None)

    def names(self) -> tuple[str, ...]:
        return tuple(name for name in (self.name, self.uuid, self.id) if name)


@dataclass(frozen=True, slots=True)
class DeviceModel:
    """The devices of an MTConnectDevices document, their K-MDS records, and what did not fit."""

    devices: tuple[Device, ...]
    structure: Mapping[str, Any]
    identities: tuple[Mapping[str, Any], ...]
    findings: tuple[Finding, ...]

    def device(self, key: str) -> Device | None:
        """The device whose name, uuid or id is ``key``."""
        return next((device for device in self.devices if key in device.names()), None)


def finding_at(
    rule: str,
    where: str,
    message: str,
    params: Mapping[str, str | int | float],
    severity: Severity = Severity.WARNING,
    layer: Layer = Layer.CONFORMANCE,
) -> Finding:
    """A finding of the MTConnect converter; ``where`` is an XPath, a line or a JSON pointer."""
    return Finding(layer=layer, rule=rule, path=where, message=message, params=dict(params), severity=severity)


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname


def element_xpath(element: etree._Element) -> str:
    """A readable XPath of ``element``: local names with a position among same-named siblings."""
    steps: list[str] = []
    node: etree._Element | None = element
    while node is not None:
        parent = node.getparent()
        name = _local(node)
        if parent is not None:
            same = [child for child in parent if isinstance(child.tag, str) and _local(child) == name]
            if len(same) > 1:
                name = f"{name}[{same.index(node) + 1}]"
        steps.append(name)
        node = parent
    return "/" + "/".join(reversed(steps))


def _elements(parent: etree._Element) -> Iterator[etree._Element]:
    return (child for child in parent if isinstance(child.tag, str))


def _child(parent: etree._Element, name: str) -> etree._Element | None:
    return next((child for child in _elements(parent) if _local(child) == name), None)


def _attribute(element: etree._Element | None, name: str) -> str | None:
    if element is None:
        return None
    value = element.get(name)
    return value.strip() if value and value.strip() else None


class _DeviceReader:
    """Walks one Device element, collecting components, data items and findings."""

    def __init__(self, element: etree._Element) -> None:
        self.element = element
        self.components: list[Component] = []
        self.data_items: list[DataItem] = []
        self.findings: list[Finding] = []
        self.label = _attribute(element, "name") or _attribute(element, "uuid") or _attribute(element, "id") or "?"

    def read(self) -> Device:
        owner_id = _attribute(self.element, "id") or self.label
        self._read_owner(self.element, owner_id)
        description = _child(self.element, "Description")
        text = " ".join((description.text or "").split()) if description is not None else ""
        return Device(
            id=owner_id,
            uuid=_attribute(self.element, "uuid"),
            name=_attribute(self.element, "name"),
            description=text or None,
            manufacturer=_attribute(description, "manufacturer"),
            model=_attribute(description, "model"),
            serial_number=_attribute(description, "serialNumber"),
            components=tuple(self.components),
            data_items=tuple(self.data_items),
            xpath=element_xpath(self.element),
        )

    def _read_owner(self, owner: etree._Element, owner_id: str) -> None:
        """The data items and sub-components of a device or component; other children are findings."""
        for child in _elements(owner):
            name = _local(child)
            if name == "DataItems":
                self.data_items.extend(_data_item(item, owner_id) for item in _elements(child))
            elif name == "Components":
                for component in _elements(child):
                    self._read_component(component, owner_id)
            elif name not in _READ_CHILDREN:
                self.findings.append(finding_at(
                    "MTC-DEV-002", element_xpath(child), msg.ELEMENT_NOT_MAPPED,
                    {"element": name, "owner": owner_id}, Severity.INFO,
                ))

    def _read_component(self, element: etree._Element, parent: str) -> None:
        component_id = _attribute(element, "id") or element_xpath(element)
        before = len(self.data_items)
        self._read_owner(element, component_id)
        own_items = sum(1 for item in self.data_items[before:] if item.component == component_id)
        component = Component(
            component_id, _attribute(element, "name"), _local(element), parent, element_xpath(element)
        )
        self.components.append(component)
        self.findings.append(finding_at(
            "MTC-DEV-003", component.xpath, msg.COMPONENT_BELOW_WORK_UNIT,
            {"component": component_id, "type": component.type, "device": self.label, "count": own_items},
            Severity.INFO,
        ))


def _data_item(element: etree._Element, owner: str) -> DataItem:
    return DataItem(
        id=_attribute(element, "id") or element_xpath(element),
        name=_attribute(element, "name"),
        type=_attribute(element, "type") or "",
        sub_type=_attribute(element, "subType"),
        category=(_attribute(element, "category") or "").upper(),
        representation=_attribute(element, "representation"),
        component=owner,
    )


def _id_short(text: str) -> str:
    """``text`` made into an idShort (aas-core3.0 takes letters, digits and ``_``, a letter first)."""
    candidate = _ID_SHORT_INVALID.sub("_", text)
    if not candidate[:1].isalpha():
        candidate = f"D{candidate}"
    return candidate + ("_" if len(candidate) < 2 else "")


def validated_record(template: str, record: Mapping[str, Any], subject: str) -> tuple[Finding, ...]:
    """The findings of the K-MDS record validation (record → submodel → conformance) for ``record``."""
    try:
        submodel = record_to_submodel(template, record)
    except RecordError as error:
        return (finding_at(
            "MTC-REC-001", error.pointer or "/", msg.RECORD_REFUSED,
            {"template": template, "subject": subject, "cause": error.cause}, Severity.ERROR,
        ),)
    return tuple(check_conformance(aas.Environment(submodels=[submodel])))


def _identity(device: Device) -> tuple[dict[str, Any] | None, Finding | None]:
    """The EquipmentIdentity record of ``device``, or the finding that says which required fact is missing."""
    missing = [label for label, value in (("manufacturer", device.manufacturer),
                                          ("serialNumber", device.serial_number)) if not value]
    if missing:
        return None, finding_at(
            "MTC-DEV-004", f"{device.xpath}/Description", msg.NO_IDENTITY,
            {"device": device.name or device.id, "missing": " and ".join(missing)},
        )
    record: dict[str, Any] = {
        "EquipmentId": device.equipment_id,
        "ManufacturerName": {"en": device.manufacturer},
        "SerialNumber": device.serial_number,
    }
    if device.name:
        record["EquipmentName"] = {"en": device.name}
    if device.description:
        record["ManufacturerProductDesignation"] = {"en": device.description}
    if device.model:
        record["ManufacturerProductType"] = device.model
    return record, None


def _structure(devices: tuple[Device, ...], work_center_id: str) -> dict[str, Any]:
    nodes = [
        {"idShort": _id_short(device.name or device.id), "EquipmentId": device.equipment_id,
         "EquipmentLevel": "WorkUnit"}
        for device in devices
    ]
    return {
        "EntryNode": {"idShort": _id_short(work_center_id), "EquipmentId": work_center_id,
                      "EquipmentLevel": "WorkCenter", "Node": nodes},
        "ArcheType": "Full",
    }


def read_devices(
    data: bytes, *, work_center_id: str = "MTConnectAgent", max_bytes: int = DEFAULT_MAX_BYTES
) -> DeviceModel:
    """The devices of an MTConnectDevices document and their K-MDS FactoryStructure and EquipmentIdentity records.

    The XML is parsed safely (no DTD, entities or network: :func:`midas.standard.io.parse_xml` raises
    UnreadableFile). ``work_center_id`` is the EquipmentId of the work center the devices belong to, which an
    agent cannot know. Each record is checked with the K-MDS record validation; its findings are returned too.
    """
    root = parse_xml(data, max_bytes=max_bytes)
    if _local(root) != DEVICES_ROOT:
        finding = finding_at("MTC-DEV-001", "/" + _local(root), msg.NOT_DEVICES, {"root": _local(root)},
                             Severity.ERROR, Layer.READ)
        return DeviceModel((), {}, (), (finding,))
    findings: list[Finding] = []
    devices: list[Device] = []
    container = _child(root, "Devices")
    for element in _elements(container) if container is not None else ():
        if not (_attribute(element, "uuid") or _attribute(element, "id")):
            findings.append(
                finding_at("MTC-DEV-005", element_xpath(element), msg.DEVICE_WITHOUT_ID, {}, Severity.ERROR)
            )
            continue
        reader = _DeviceReader(element)
        devices.append(reader.read())
        findings.extend(reader.findings)
    identities: list[Mapping[str, Any]] = []
    for device in devices:
        record, problem = _identity(device)
        if record is not None:
            identities.append(record)
            findings.extend(validated_record("EquipmentIdentity", record, device.equipment_id))
        if problem is not None:
            findings.append(problem)
    structure: dict[str, Any] = _structure(tuple(devices), work_center_id) if devices else {}
    if structure:
        findings.extend(validated_record("FactoryStructure", structure, work_center_id))
    return DeviceModel(tuple(devices), structure, tuple(identities), tuple(findings))
