"""B2MML (ISA-95 / IEC 62264) to K-MDS records and back.

Reads V0401 (``http://www.wbf.org/xml/B2MML-V0401``) production performance, production schedules, material
definitions and material information (lots, sublots), and V0701 (``http://www.mesa.org/xml/B2MML``) operations
performance, operations schedules, equipment, material definitions and lots. A segment response becomes a
ProductionPerformance record: its equipment is the work unit, its actual start and end the period, its
operations request the order, its process segment the operation, the material it *produced* the product and
the quantities (a V0701 ``Quantity/Key`` of Good, Scrap or Rework names which one; no key is the produced
quantity), and segment data whose ID is a K-MDS element name (e.g. ``PlannedBusyTime`` in seconds) that element.

Nothing is dropped silently: every leaf element with a value that did not go into a record is reported with
its XPath and line. The message envelope (``ApplicationArea``, the verb) and the ids of the B2MML objects
that only structure the message (performance, response, segment response, material actual) are not data
and are not reported.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Final

import jsonschema_rs
from lxml import etree

from midas.standard.convert.b2mml_messages import (
    NO_TEMPLATE,
    NOT_A_NUMBER,
    NOT_B2MML,
    RECORD_INCOMPLETE,
    RECORD_INVALID,
    UNKNOWN_NOUN,
    UNKNOWN_UNIT,
    UNMAPPED,
)
from midas.standard.convert.b2mml_schema import entry_schema_name, schema_findings
from midas.standard.io import UnreadableFile, parse_xml
from midas.standard.io.limits import DEFAULT_MAX_BYTES
from midas.standard.record_schema import RecordError, record_json_schema, record_to_submodel
from midas.standard.report import Finding, Layer, Severity

__all__ = ["V0401", "V0701", "B2mmlReading", "KmdsRecord", "read_b2mml", "xpath_of"]

V0401: Final = "http://www.wbf.org/xml/B2MML-V0401"
V0701: Final = "http://www.mesa.org/xml/B2MML"
_VERSIONS: Final = {V0401: "V0401", V0701: "V0701"}
PRODUCTION_PERFORMANCE: Final = "ProductionPerformance"

# The objects read, per version; the performance ones make records, the others have no K-MDS template.
_PERFORMANCE: Final = {"V0401": "ProductionPerformance", "V0701": "OperationsPerformance"}
_WITHOUT_TEMPLATE: Final = {
    "V0401": frozenset({"ProductionSchedule", "MaterialDefinition", "MaterialInformation", "MaterialLot"}),
    "V0701": frozenset({"OperationsSchedule", "Equipment", "MaterialDefinition", "MaterialLot"}),
}
_RESPONSE: Final = {"V0401": "ProductionResponse", "V0701": "OperationsResponse"}
_REQUEST_ID: Final = {"V0401": "ProductionRequestID", "V0701": "OperationsRequestID"}
_SEGMENT_DATA: Final = {"V0401": "ProductionData", "V0701": "SegmentData"}
_VERBS: Final = ("Sync", "Process", "Show", "Get", "Acknowledge", "Change", "Respond", "Cancel")

# Segment data carried by ID into the record: the K-MDS elements B2MML has no element of its own for.
TEXT_DATA: Final = frozenset({"PeriodKind", "ShiftName"})
NUMBER_DATA: Final = (
    "PlannedBusyTime", "PlannedRuntimePerItem", "ActualProductionTime", "ActualUnitSetupTime",
    "ActualUnitProcessingTime", "ActualUnitDelayTime", "ActualUnitBusyTime", "ActualUnitDownTime",
    "ActualOrderExecutionTime", "ActualQueuingTime", "ActualTransportTime", "ActualPersonnelWorkTime",
    "ActualPersonnelAttendanceTime", "GoodPart", "InspectedPart",
)
QUANTITY_KEYS: Final = {"": "ProducedQuantity", "produced": "ProducedQuantity", "good": "GoodQuantity",
                        "scrap": "ScrapQuantity", "rework": "ReworkQuantity"}
# B2MML units are free text; the usual spellings of the K-MDS units (UN/ECE Rec. 20 codes among them).
_UNITS: Final = {"pcs": "pcs", "pc": "pcs", "pce": "pcs", "ea": "pcs", "h87": "pcs", "kg": "kg", "kgm": "kg",
                 "g": "g", "grm": "g", "t": "t", "tne": "t", "l": "l", "ltr": "l", "m3": "m3", "mtq": "m3",
                 "m": "m", "mtr": "m", "m2": "m2", "mtk": "m2"}
KMDS_UNITS: Final = ("pcs", "kg", "g", "t", "l", "m3", "m", "m2")
_REQUIRED: Final = ("WorkUnitId", "PeriodKind", "PeriodStart", "PeriodEnd")


@dataclass(frozen=True, slots=True)
class KmdsRecord:
    """One K-MDS record (``template`` is the template's idShort) and the XPath of the B2MML it came from."""

    template: str
    record: dict[str, Any]
    source: str


@dataclass(frozen=True, slots=True)
class B2mmlReading:
    """What a B2MML message gave: records, and findings for all that could not be read or mapped."""

    version: str
    message: str
    records: tuple[KmdsRecord, ...]
    findings: tuple[Finding, ...]

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.ERROR)


@dataclass(slots=True)
class _Reading:
    """The state of one read: which elements went into records, and the findings so far."""

    version: str
    used: set[etree._Element] = field(default_factory=set)
    records: list[KmdsRecord] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


def read_b2mml(data: bytes, *, schema_dir: Path | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> B2mmlReading:
    """The K-MDS records in the B2MML message ``data``, and a finding for everything not converted.

    The XML is parsed safely (a DOCTYPE or ENTITY declaration is refused, nothing is loaded from the network).
    With ``schema_dir`` (the folder of MESA's V0701 ``.xsd`` files) a V0701 message is validated first; an
    invalid one is still converted as far as it goes, since its findings say where it is wrong.
    """
    try:
        root = parse_xml(data, max_bytes=max_bytes)
    except UnreadableFile as refusal:
        return B2mmlReading("", "", (), (refusal.finding(),))
    qname = etree.QName(root)
    version = _VERSIONS.get(qname.namespace or "")
    if version is None:
        finding = _finding(NOT_B2MML, "B2MML-ROOT", root, {"element": qname.localname,
                                                           "namespace": qname.namespace or "(none)"})
        return B2mmlReading("", qname.localname, (), (_as_error(finding),))
    reading = _Reading(version)
    nouns = list(_nouns(root))
    if version == "V0701" and schema_dir is not None and nouns:
        reading.findings.extend(_validated(root, nouns[0], schema_dir))
    for noun in nouns:
        _read_noun(reading, noun)
    reading.findings.extend(_unmapped(root, reading.used))
    return B2mmlReading(version, qname.localname, tuple(reading.records), tuple(reading.findings))


def _validated(root: etree._Element, noun: etree._Element, schema_dir: Path) -> list[Finding]:
    name = etree.QName(noun).localname
    if name not in _WITHOUT_TEMPLATE["V0701"] | {_PERFORMANCE["V0701"]}:
        return []
    return schema_findings(root, schema_dir / entry_schema_name(name))


def _nouns(root: etree._Element) -> Iterator[etree._Element]:
    """The B2MML objects of a message: the children of its DataArea after the verb, or the root itself."""
    data_area = _child(root, "DataArea")
    if data_area is None:
        yield root
        return
    for child in data_area:
        if etree.QName(child).localname not in _VERBS:
            yield child


def _read_noun(reading: _Reading, noun: etree._Element) -> None:
    name = etree.QName(noun).localname
    if name == _PERFORMANCE[reading.version]:
        before = len(reading.records)
        for response in _children(noun, _RESPONSE[reading.version]):
            _read_response(reading, response)
        if len(reading.records) > before:  # the object's id is structure only once something came of it
            reading.used.update(_children(noun, "ID"))
    elif name in _WITHOUT_TEMPLATE[reading.version]:
        identifier = _text(_child(noun, "ID")) or "-"
        reading.findings.append(_finding(NO_TEMPLATE, "B2MML-NO-TEMPLATE", noun,
                                         {"element": name, "id": identifier}, Severity.INFO))
    else:
        reading.findings.append(_finding(UNKNOWN_NOUN, "B2MML-NOUN", noun, {"element": name}))


def _read_response(reading: _Reading, response: etree._Element) -> None:
    before = len(reading.records)
    for segment in _children(response, "SegmentResponse"):
        _read_segment(reading, response, segment)
    if len(reading.records) > before:
        reading.used.update(_children(response, "ID"))


def _read_segment(reading: _Reading, response: etree._Element, segment: etree._Element) -> None:
    """One segment response to one record; its elements count as used only if the record is valid."""
    taken: set[etree._Element] = set(_children(segment, "ID"))
    record = _segment_fields(reading, response, segment, taken)
    missing = [name for name in _REQUIRED if name not in record]
    if missing:
        reading.findings.append(_finding(
            RECORD_INCOMPLETE, "B2MML-PP-INCOMPLETE", segment,
            {"id": _text(_child(segment, "ID")) or "-", "missing": ", ".join(missing)}, Severity.WARNING))
        return
    problem = _record_problem(PRODUCTION_PERFORMANCE, record)
    if problem is not None:
        pointer, reason = problem
        reading.findings.append(_finding(RECORD_INVALID, "B2MML-PP-INVALID", segment, {
            "template": PRODUCTION_PERFORMANCE, "pointer": pointer, "reason": reason}))
        return
    reading.used.update(taken)
    reading.records.append(KmdsRecord(PRODUCTION_PERFORMANCE, record, xpath_of(segment)))


def _segment_fields(
    reading: _Reading, response: etree._Element, segment: etree._Element, taken: set[etree._Element]
) -> dict[str, Any]:
    record: dict[str, Any] = {}
    _put(record, "WorkUnitId", _work_unit(segment, taken), taken)
    _put(record, "PeriodStart", _first(taken, _child(segment, "ActualStartTime"), _child(response, "StartTime")),
         taken)
    _put(record, "PeriodEnd", _first(taken, _child(segment, "ActualEndTime"), _child(response, "EndTime")), taken)
    request = _REQUEST_ID[reading.version]
    _put(record, "OrderId", _first(taken, _child(segment, request), _child(response, request)), taken)
    _put(record, "OperationId", _first(taken, _child(segment, "ProcessSegmentID")), taken)
    for material in _children(segment, "MaterialActual"):
        if _text(_child(material, "MaterialUse")) == "Produced" and "ProductId" not in record:
            _read_produced(reading, material, record, taken)
    for data in _children(segment, _SEGMENT_DATA[reading.version]):
        _read_segment_data(reading, data, record, taken)
    if "PeriodKind" not in record and "OrderId" in record:
        record["PeriodKind"] = "Order"  # a segment response is, in ISA-95, the run of one order's segment
    return record


def _work_unit(segment: etree._Element, taken: set[etree._Element]) -> etree._Element | None:
    actual = _child(segment, "EquipmentActual")
    if actual is None:
        return None
    equipment = _child(actual, "EquipmentID")
    identifier = _child(actual, "ID")
    if equipment is not None and identifier is not None:
        taken.add(identifier)  # the EquipmentActual's own id: structure, when EquipmentID names the equipment
    return equipment if equipment is not None else identifier


def _read_produced(
    reading: _Reading, material: etree._Element, record: dict[str, Any], taken: set[etree._Element]
) -> None:
    _put(record, "ProductId", _child(material, "MaterialDefinitionID"), taken)
    taken.update(_children(material, "ID"))
    taken.update(_children(material, "MaterialUse"))
    for quantity in _children(material, "Quantity"):
        _read_quantity(reading, quantity, record, taken)


def _read_quantity(
    reading: _Reading, quantity: etree._Element, record: dict[str, Any], taken: set[etree._Element]
) -> None:
    target = QUANTITY_KEYS.get((_text(_child(quantity, "Key")) or "").lower())
    if target is None or target in record:
        return
    unit_element = _child(quantity, "UnitOfMeasure")
    unit = _text(unit_element)
    if unit_element is not None and unit:
        kmds_unit = _UNITS.get(unit.lower())
        if kmds_unit is None or record.get("QuantityUnit", kmds_unit) != kmds_unit:
            reading.findings.append(_finding(UNKNOWN_UNIT, "B2MML-UNIT", unit_element, {
                "unit": unit, "allowed": ", ".join(KMDS_UNITS)}))
            return
        record["QuantityUnit"] = kmds_unit
    number = _number(reading, _child(quantity, "QuantityString"))
    if number is None:
        return
    record[target] = number
    taken.update(element for element in quantity.iter() if isinstance(element.tag, str))


def _read_segment_data(
    reading: _Reading, data: etree._Element, record: dict[str, Any], taken: set[etree._Element]
) -> None:
    identifier = _child(data, "ID")
    name = _text(identifier)
    value = _child(data, "Value")
    if identifier is None or name is None or value is None or name in record:
        return
    value_string = _child(value, "ValueString")
    if name in TEXT_DATA and _text(value_string):
        record[name] = _text(value_string)
    elif name in NUMBER_DATA:
        unit = _text(_child(value, "UnitOfMeasure"))
        if unit not in (None, "s") and name not in ("GoodPart", "InspectedPart"):
            return  # a time in another unit than seconds: reported as not converted rather than misread
        number = _number(reading, value_string)
        if number is None:
            return
        record[name] = number
    else:
        return
    taken.update(element for element in data.iter() if isinstance(element.tag, str))


def _record_problem(template: str, record: dict[str, Any]) -> tuple[str, str] | None:
    """Where and why ``record`` is not a valid K-MDS record, by the record schema and the submodel it makes."""
    validator = jsonschema_rs.validator_for(record_json_schema(template))
    for error in validator.iter_errors(record):
        pointer = "".join(f"/{part}" for part in error.instance_path)
        return pointer or "/", error.message
    try:
        record_to_submodel(template, record)
    except RecordError as error:
        return error.pointer or "/", error.cause
    return None


def _number(reading: _Reading, element: etree._Element | None) -> int | float | None:
    text = _text(element)
    if element is None or text is None:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite():
        reading.findings.append(_finding(NOT_A_NUMBER, "B2MML-NUMBER", element, {
            "element": xpath_of(element), "value": text}))
        return None
    return int(number) if number == number.to_integral_value() else float(number)


def _put(record: dict[str, Any], name: str, element: etree._Element | None, taken: set[etree._Element]) -> None:
    text = _text(element)
    if element is not None and text:
        record[name] = text
        taken.add(element)


def _first(taken: set[etree._Element], *elements: etree._Element | None) -> etree._Element | None:
    """The first element with a value; the others that hold the same value are taken with it (not lost)."""
    chosen = next((e for e in elements if e is not None and _text(e)), None)
    if chosen is not None:
        taken.update(e for e in elements if e is not None and _text(e) == _text(chosen))
    return chosen


# --- what was not converted --------------------------------------------------------------------------------


def _unmapped(root: etree._Element, used: set[etree._Element]) -> list[Finding]:
    """A finding for every leaf element with a value that no record took (the envelope aside)."""
    envelope = _envelope(root)
    findings = []
    for element in root.iter():
        if not isinstance(element.tag, str) or element in used or element in envelope or len(element):
            continue
        value = _leaf_value(element)
        if value:
            findings.append(_finding(UNMAPPED, "B2MML-UNMAPPED", element,
                                     {"element": etree.QName(element).localname, "value": value}, Severity.WARNING))
    return findings


def _envelope(root: etree._Element) -> set[etree._Element]:
    """The message's envelope: its ApplicationArea (sender, creation time) and verb, which are not data."""
    envelope: set[etree._Element] = set()
    application_area = _child(root, "ApplicationArea")
    if application_area is not None:
        envelope.update(application_area.iter())
    data_area = _child(root, "DataArea")
    for child in data_area if data_area is not None else ():
        if etree.QName(child).localname in _VERBS:
            envelope.update(child.iter())
    return envelope


def _leaf_value(element: etree._Element) -> str:
    text = (element.text or "").strip()
    attributes = " ".join(f"{etree.QName(name).localname}={value}" for name, value in element.attrib.items())
    return f"{text} [{attributes}]" if text and attributes else text


def xpath_of(element: etree._Element) -> str:
    """The XPath of ``element`` by local names, with a position where siblings share a name."""
    steps = []
    current: etree._Element | None = element
    while current is not None:
        name = etree.QName(current).localname
        parent = current.getparent()
        same = [s for s in parent if s.tag == current.tag] if parent is not None else [current]
        steps.append(name if len(same) == 1 else f"{name}[{same.index(current) + 1}]")
        current = parent
    return "/" + "/".join(reversed(steps))


# --- small readers -----------------------------------------------------------------------------------------


def _finding(message: str, rule: str, element: etree._Element, params: dict[str, str | int | float],
             severity: Severity = Severity.WARNING) -> Finding:
    return Finding(Layer.CONFORMANCE, rule, xpath_of(element), message,
                   {**params, "line": element.sourceline or 0}, severity)


def _as_error(finding: Finding) -> Finding:
    return Finding(finding.layer, finding.rule, finding.path, finding.message, finding.params, Severity.ERROR)


def _child(element: etree._Element | None, name: str) -> etree._Element | None:
    return next(iter(_children(element, name)), None) if element is not None else None


def _children(element: etree._Element, name: str) -> Sequence[etree._Element]:
    return [child for child in element if isinstance(child.tag, str) and etree.QName(child).localname == name]


def _text(element: etree._Element | None) -> str | None:
    if element is None or element.text is None:
        return None
    return element.text.strip() or None
