"""K-MDS ProductionPerformance records to a B2MML V0701 SyncOperationsPerformance message, validated.

Each record becomes one operations response with one segment response, laid out as
:mod:`midas.standard.convert.b2mml` reads it back: the work unit as equipment actual, the product and the
quantities as the produced material actual (one ``Quantity`` per kind, told apart by ``Key``), the ISO 22400
times and the period kind as segment data. The output is validated against MESA's schema before it is
returned: a message that other systems would refuse is never handed out.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from lxml import etree

from midas.standard.convert.b2mml import NUMBER_DATA, QUANTITY_KEYS, TEXT_DATA, V0701
from midas.standard.convert.b2mml_messages import OUTPUT_INVALID
from midas.standard.convert.b2mml_schema import entry_schema_name, schema_findings
from midas.standard.convert.base import ConversionFailed
from midas.standard.report import Finding, Layer

__all__ = ["write_b2mml_v0701"]

_NS: Final = f"{{{V0701}}}"
_QUANTITY_NAMES: Final = {name: key for key, name in QUANTITY_KEYS.items() if key not in ("", "produced")}
_TIME_DATA: Final = frozenset(NUMBER_DATA) - {"GoodPart", "InspectedPart"}


def write_b2mml_v0701(
    records: Sequence[Mapping[str, Any]], *, schema_dir: Path, created: datetime | None = None
) -> bytes:
    """The records as one V0701 SyncOperationsPerformance message, valid against the schema in ``schema_dir``.

    ``created`` is the message's creation time (now when absent). Raises :class:`ConversionFailed` with the
    schema's findings when the output is not valid (e.g. an identifier B2MML cannot hold).
    """
    root = etree.Element(_NS + "SyncOperationsPerformance", nsmap={None: V0701})
    root.set("releaseID", "1")
    application_area = _sub(root, "ApplicationArea")
    _sub(application_area, "CreationDateTime", (created or datetime.now(UTC)).isoformat())
    data_area = _sub(root, "DataArea")
    _sub(data_area, "Sync")
    performance = _sub(data_area, "OperationsPerformance")
    _sub(performance, "ID", _document_id(records))
    for index, record in enumerate(records, start=1):
        _response(performance, index, record)
    output: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    _check(root, schema_dir)
    return output


def _check(root: etree._Element, schema_dir: Path) -> None:
    schema = schema_dir / entry_schema_name("OperationsPerformance")
    findings = schema_findings(root, schema)
    if findings:
        raise ConversionFailed([
            Finding(Layer.SCHEMA, f.rule, f.path, OUTPUT_INVALID, {"schema": schema.name, "line": f.params.get(
                "line", 0), "reason": f.params.get("reason", f.english())}) for f in findings])


def _document_id(records: Sequence[Mapping[str, Any]]) -> str:
    """Derived from the content, so the same records always give the same message id."""
    content = json.dumps(list(records), sort_keys=True, ensure_ascii=False, default=str)
    return "KMDS-" + hashlib.sha256(content.encode()).hexdigest()[:16]


def _response(performance: etree._Element, index: int, record: Mapping[str, Any]) -> None:
    response = _sub(performance, "OperationsResponse")
    _sub(response, "ID", f"R{index}")
    if "OrderId" in record:
        _sub(response, "OperationsRequestID", str(record["OrderId"]))
    segment = _sub(response, "SegmentResponse")
    _sub(segment, "ID", f"R{index}-1")
    _sub(segment, "ActualStartTime", str(record["PeriodStart"]))
    _sub(segment, "ActualEndTime", str(record["PeriodEnd"]))
    if "OperationId" in record:
        _sub(segment, "ProcessSegmentID", str(record["OperationId"]))
    for name in sorted(TEXT_DATA) + list(NUMBER_DATA):
        if name in record:
            _segment_data(segment, name, record[name])
    equipment = _sub(segment, "EquipmentActual")
    _sub(equipment, "ID", str(record["WorkUnitId"]))
    _sub(equipment, "EquipmentID", str(record["WorkUnitId"]))
    _produced(segment, record)


def _segment_data(segment: etree._Element, name: str, value: object) -> None:
    data = _sub(segment, "SegmentData")
    _sub(data, "ID", name)
    holder = _sub(data, "Value")
    _sub(holder, "ValueString", str(value))
    _sub(holder, "DataType", "Text" if name in TEXT_DATA else "Measure" if name in _TIME_DATA else "Quantity")
    if name in _TIME_DATA:
        _sub(holder, "UnitOfMeasure", "s")


def _produced(segment: etree._Element, record: Mapping[str, Any]) -> None:
    kinds = [name for name in ("ProducedQuantity", *_QUANTITY_NAMES) if name in record]
    if "ProductId" not in record and not kinds:
        return
    material = _sub(segment, "MaterialActual")
    _sub(material, "ID", str(record.get("ProductId", "output")))
    if "ProductId" in record:
        _sub(material, "MaterialDefinitionID", str(record["ProductId"]))
    _sub(material, "MaterialUse", "Produced")
    for name in kinds:
        quantity = _sub(material, "Quantity")
        _sub(quantity, "QuantityString", str(record[name]))
        _sub(quantity, "DataType", "Quantity")
        if "QuantityUnit" in record:
            _sub(quantity, "UnitOfMeasure", str(record["QuantityUnit"]))
        if name in _QUANTITY_NAMES:
            _sub(quantity, "Key", _QUANTITY_NAMES[name].capitalize())


def _sub(parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, _NS + name)
    element.text = text
    return element
