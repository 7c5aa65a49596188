"""Production calendar after IDTA 02067: the iCalendar file, inheritance and specification extension variables of
02067, plus the shifts and planned periods (with their planned busy time) that K-MDS needs in plain elements to
check production data.

02067 requires its list of extension variables; K-MDS makes it optional, as it makes the calendar file whose
format the variables extend. Each variable keeps 02067's form: a name and a text file (text/plain, as 02067
ships them) that specifies it.
"""

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
    file_spec,
    list_spec,
    property_spec,
    reference_spec,
)
from midas.standard.model.namespace import VERSION

__all__ = ["PRODUCTION_CALENDAR"]

_STRING = DataTypeDefXSD.STRING
_DATE_TIME = DataTypeDefXSD.DATE_TIME
_DURATION = DataTypeDefXSD.DURATION
_ONE = Cardinality.ONE
_OPTIONAL = Cardinality.ZERO_TO_ONE
_WITH_OFFSET = TextFormat.DATE_TIME_WITH_OFFSET
_ZERO = Decimal(0)

_EXTENSION_VARIABLE = collection_spec(
    "specificationExtensionVariable",  # 02067's items have no idShort; this one names them in the reference
    concepts.CALENDAR_EXTENSION_VARIABLES,
    Cardinality.ONE_TO_MANY,
    (
        property_spec("variableName", concepts.CALENDAR_VARIABLE_NAME, _STRING, _ONE),
        file_spec("variableSpecification", concepts.CALENDAR_VARIABLE_SPECIFICATION, _ONE, content_type="text/plain"),
    ),
)

_SHIFT = collection_spec(
    "Shift",
    concepts.SHIFT,
    Cardinality.ONE_TO_MANY,
    (
        property_spec("ShiftName", concepts.SHIFT_NAME, _STRING, _ONE),
        property_spec("ShiftStart", concepts.SHIFT_START, DataTypeDefXSD.TIME, _ONE),
        property_spec("ShiftEnd", concepts.SHIFT_END, DataTypeDefXSD.TIME, _ONE),
        property_spec("BreakTime", concepts.BREAK_TIME, _DURATION, _OPTIONAL, minimum=_ZERO),
    ),
)

_PLANNED_PERIOD = collection_spec(
    "PlannedPeriod",
    concepts.PLANNED_PERIOD,
    Cardinality.ONE_TO_MANY,
    (
        property_spec("PeriodStart", concepts.PERIOD_START, _DATE_TIME, _ONE, text_format=_WITH_OFFSET),
        property_spec("PeriodEnd", concepts.PERIOD_END, _DATE_TIME, _ONE, text_format=_WITH_OFFSET),
        property_spec("ShiftName", concepts.SHIFT_NAME, _STRING, _OPTIONAL),
        property_spec("PlannedBusyTime", concepts.PLANNED_BUSY_TIME, _DURATION, _OPTIONAL, minimum=_ZERO),
    ),
)

PRODUCTION_CALENDAR: Final = SubmodelTemplate(
    id_short="ProductionCalendar",
    concept=concepts.PRODUCTION_CALENDAR,
    version=VERSION,
    elements=(
        property_spec("EquipmentId", concepts.EQUIPMENT_ID, _STRING, _ONE),
        file_spec("calendar", concepts.CALENDAR_FILE, _OPTIONAL, content_type="text/calendar"),
        reference_spec("inheritedFrom", concepts.CALENDAR_INHERITED_FROM, _OPTIONAL),
        list_spec(
            "specificationExtensionVariables", concepts.CALENDAR_EXTENSION_VARIABLES, _OPTIONAL, _EXTENSION_VARIABLE
        ),
        list_spec("Shifts", concepts.SHIFTS, _OPTIONAL, _SHIFT),
        list_spec("PlannedPeriods", concepts.PLANNED_PERIODS, _OPTIONAL, _PLANNED_PERIOD),
    ),
)
