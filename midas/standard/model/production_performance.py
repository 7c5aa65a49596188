"""Production performance: what one work unit did in one period, with the ISO 22400-2 variables of IDTA 02066.

Each process variable is modelled exactly as IDTA 02066 does: a collection with the 02066 idShort and the
ISO 22400-2 IRI, holding ``key`` (the 02066 abbreviation), ``currentValue`` (``xs:duration`` for times,
``xs:decimal`` for quantities) and an optional ``comment``. So a K-MDS production performance submodel carries
02066 process variables that 02066 tools read as they are. K-MDS adds the header 02066 leaves out: which work
unit, which period, and the order, product and operation (IEC 62264-1 operations performance).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from aas_core3.types import DataTypeDefXSD

from midas.standard.model import concepts
from midas.standard.model.elements import (
    Cardinality,
    Concept,
    ElementSpec,
    SubmodelTemplate,
    TextFormat,
    collection_spec,
    property_spec,
    text_spec,
)
from midas.standard.model.namespace import VERSION

__all__ = [
    "PROCESS_VARIABLES",
    "PRODUCTION_PERFORMANCE",
    "QUANTITY_VARIABLES",
    "TIME_VARIABLES",
    "ProcessVariable",
    "process_variable_spec",
]

_ONE = Cardinality.ONE
_OPTIONAL = Cardinality.ZERO_TO_ONE
_ZERO: Final = Decimal(0)


@dataclass(frozen=True, slots=True)
class ProcessVariable:
    """One IDTA 02066 process variable: its idShort, ISO 22400-2 concept, 02066 key, and whether it is a time."""

    id_short: str
    concept: Concept
    key: str
    is_time: bool

    @property
    def value_type(self) -> DataTypeDefXSD:
        return DataTypeDefXSD.DURATION if self.is_time else DataTypeDefXSD.DECIMAL


def _time(id_short: str, concept: Concept, key: str) -> ProcessVariable:
    return ProcessVariable(id_short, concept, key, is_time=True)


def _quantity(id_short: str, concept: Concept, key: str) -> ProcessVariable:
    return ProcessVariable(id_short, concept, key, is_time=False)


#: The variables in the order K-MDS lists them; idShorts, IRIs and keys are those of IDTA 02066.
PROCESS_VARIABLES: Final = (
    _time("PlannedBusyTime", concepts.PLANNED_BUSY_TIME, "PBT"),
    _time("PlannedRuntimePerItem", concepts.PLANNED_RUNTIME_PER_UNIT, "PRI"),
    _time("ActualProductionTime", concepts.ACTUAL_PRODUCTION_TIME, "APT"),
    _time("ActualUnitSetupTime", concepts.ACTUAL_SETUP_TIME, "AUST"),
    _time("ActualUnitProcessingTime", concepts.ACTUAL_UNIT_PROCESSING_TIME, "AUPT"),
    _time("ActualUnitDelayTime", concepts.ACTUAL_UNIT_DELAY_TIME, "ADET"),
    _time("ActualUnitBusyTime", concepts.ACTUAL_UNIT_BUSY_TIME, "AUBT"),
    _time("ActualUnitDownTime", concepts.ACTUAL_UNIT_DOWN_TIME, "ADOT"),
    _time("ActualOrderExecutionTime", concepts.ACTUAL_ORDER_EXECUTION_TIME, "AOET"),
    _time("ActualQueuingTime", concepts.ACTUAL_QUEUING_TIME, "AQT"),
    _time("ActualTransportTime", concepts.ACTUAL_TRANSPORT_TIME, "ATT"),
    _time("ActualPersonnelWorkTime", concepts.ACTUAL_PERSONNEL_WORK_TIME, "APWT"),
    _time("ActualPersonnelAttendanceTime", concepts.ACTUAL_PERSONNEL_ATTENDANCE_TIME, "APAT"),
    _quantity("ProducedQuantity", concepts.PRODUCED_QUANTITY, "PQ"),
    _quantity("GoodQuantity", concepts.GOOD_QUANTITY, "GQ"),
    _quantity("ScrapQuantity", concepts.SCRAP_QUANTITY, "SQ"),
    _quantity("ReworkQuantity", concepts.REWORK_QUANTITY, "RQ"),
    _quantity("GoodPart", concepts.GOOD_PART, "GP"),
    _quantity("InspectedPart", concepts.INSPECTED_PART, "IP"),
)

TIME_VARIABLES: Final = tuple(variable.id_short for variable in PROCESS_VARIABLES if variable.is_time)
QUANTITY_VARIABLES: Final = tuple(variable.id_short for variable in PROCESS_VARIABLES if not variable.is_time)

# Quantities of goods are counted in the record's QuantityUnit; parts are always pieces.
_COUNTED_IN_QUANTITY_UNIT: Final = frozenset({"ProducedQuantity", "GoodQuantity", "ScrapQuantity", "ReworkQuantity"})


def process_variable_spec(variable: ProcessVariable, cardinality: Cardinality = _OPTIONAL) -> ElementSpec:
    """The IDTA 02066 collection of one process variable (key, currentValue, comment)."""
    unit_from = "QuantityUnit" if variable.id_short in _COUNTED_IN_QUANTITY_UNIT else None
    return collection_spec(
        variable.id_short,
        variable.concept,
        cardinality,
        (
            property_spec("key", concepts.PROCESS_VARIABLE_KEY, DataTypeDefXSD.STRING, _ONE, fixed_value=variable.key),
            property_spec(
                "currentValue",
                concepts.PROCESS_VARIABLE_CURRENT_VALUE,
                variable.value_type,
                _ONE,
                minimum=_ZERO,
                unit_from=unit_from,
            ),
            text_spec("comment", concepts.PROCESS_VARIABLE_COMMENT, _OPTIONAL),
        ),
        record_value="currentValue",
    )


_DATE_TIME = DataTypeDefXSD.DATE_TIME
_STRING = DataTypeDefXSD.STRING
_WITH_OFFSET = TextFormat.DATE_TIME_WITH_OFFSET

PRODUCTION_PERFORMANCE: Final = SubmodelTemplate(
    id_short="ProductionPerformance",
    concept=concepts.PRODUCTION_PERFORMANCE,
    version=VERSION,
    elements=(
        property_spec("WorkUnitId", concepts.WORK_UNIT_ID, _STRING, _ONE),
        property_spec("PeriodKind", concepts.PERIOD_KIND, _STRING, _ONE),
        property_spec("PeriodStart", concepts.PERIOD_START, _DATE_TIME, _ONE, text_format=_WITH_OFFSET),
        property_spec("PeriodEnd", concepts.PERIOD_END, _DATE_TIME, _ONE, text_format=_WITH_OFFSET),
        property_spec("ShiftName", concepts.SHIFT_NAME, _STRING, _OPTIONAL),
        property_spec("OrderId", concepts.ORDER_ID, _STRING, _OPTIONAL),
        property_spec("ProductId", concepts.PRODUCT_ID, _STRING, _OPTIONAL),
        property_spec("OperationId", concepts.OPERATION_ID, _STRING, _OPTIONAL),
        property_spec("QuantityUnit", concepts.QUANTITY_UNIT, _STRING, _OPTIONAL),
        *(process_variable_spec(variable) for variable in PROCESS_VARIABLES),
    ),
)
