"""Quality: defect counts by defect type (a K-MDS code list) and inspection results, per work unit and period."""

from __future__ import annotations

from decimal import Decimal
from typing import Final

from aas_core3.types import DataTypeDefXSD

from midas.standard.model import concepts
from midas.standard.model.elements import (
    Cardinality,
    SubmodelTemplate,
    TextFormat,
    collection_spec,
    list_spec,
    property_spec,
)
from midas.standard.model.namespace import VERSION

__all__ = ["QUALITY"]

_STRING = DataTypeDefXSD.STRING
_DATE_TIME = DataTypeDefXSD.DATE_TIME
_DOUBLE = DataTypeDefXSD.DOUBLE
_ONE = Cardinality.ONE
_OPTIONAL = Cardinality.ZERO_TO_ONE
_WITH_OFFSET = TextFormat.DATE_TIME_WITH_OFFSET

_DEFECT = collection_spec(
    "Defect",
    concepts.DEFECT,
    Cardinality.ONE_TO_MANY,
    (
        property_spec("DefectType", concepts.DEFECT_TYPE, _STRING, _ONE),
        property_spec("DefectCount", concepts.DEFECT_COUNT, DataTypeDefXSD.LONG, _ONE, minimum=Decimal(0)),
    ),
)

_INSPECTION_RESULT = collection_spec(
    "InspectionResult",
    concepts.INSPECTION_RESULT,
    Cardinality.ONE_TO_MANY,
    (
        property_spec("InspectionCharacteristic", concepts.INSPECTION_CHARACTERISTIC, _STRING, _ONE),
        property_spec("MeasuredValue", concepts.MEASURED_VALUE, _DOUBLE, _OPTIONAL, unit_from="MeasurementUnit"),
        property_spec("MeasurementUnit", concepts.MEASUREMENT_UNIT, _STRING, _OPTIONAL),
        property_spec(
            "LowerSpecificationLimit",
            concepts.LOWER_SPECIFICATION_LIMIT,
            _DOUBLE,
            _OPTIONAL,
            unit_from="MeasurementUnit",
        ),
        property_spec(
            "UpperSpecificationLimit",
            concepts.UPPER_SPECIFICATION_LIMIT,
            _DOUBLE,
            _OPTIONAL,
            unit_from="MeasurementUnit",
        ),
        property_spec("InspectionVerdict", concepts.INSPECTION_VERDICT, _STRING, _ONE),
        property_spec("InspectedAt", concepts.INSPECTED_AT, _DATE_TIME, _OPTIONAL, text_format=_WITH_OFFSET),
    ),
)

QUALITY: Final = SubmodelTemplate(
    id_short="Quality",
    concept=concepts.QUALITY,
    version=VERSION,
    elements=(
        property_spec("WorkUnitId", concepts.WORK_UNIT_ID, _STRING, _ONE),
        property_spec("PeriodStart", concepts.PERIOD_START, _DATE_TIME, _ONE, text_format=_WITH_OFFSET),
        property_spec("PeriodEnd", concepts.PERIOD_END, _DATE_TIME, _ONE, text_format=_WITH_OFFSET),
        property_spec("OrderId", concepts.ORDER_ID, _STRING, _OPTIONAL),
        property_spec("ProductId", concepts.PRODUCT_ID, _STRING, _OPTIONAL),
        property_spec("InspectedPart", concepts.INSPECTED_PART, DataTypeDefXSD.DECIMAL, _OPTIONAL, minimum=Decimal(0)),
        list_spec("Defects", concepts.DEFECTS, _OPTIONAL, _DEFECT),
        list_spec("InspectionResults", concepts.INSPECTION_RESULTS, _OPTIONAL, _INSPECTION_RESULT),
    ),
)
