"""The additive elements the KPI engine keeps per work unit, day and shift, and from which every KPI is computed.

ISO 22400-2 KPIs are ratios of time and quantity elements. Ratios are never averaged: the engine sums the
elements over whatever is asked (a shift, a month, a work center, a region, the nation) and divides after. So
the element set is the contract between the SQL aggregation (:mod:`midas.kpi.service`) and the pure formulas
(:mod:`midas.kpi.compute`): each name below is a column of the aggregate tables and a key of :class:`Elements`.

Times are seconds, quantities are counts in the record's quantity unit. Two elements are not K-MDS variables but
sums the formulas need:

- ``pru_pq``: the sum over records of PlannedRuntimePerItem x ProducedQuantity, the planned time of what was
  produced (ISO's PRU x PQ, which must be summed per record because PRU differs between products);
- ``failures``: how many records reported unplanned down time (ActualUnitDownTime > 0). A record per stoppage,
  as the MTConnect, OPC UA and Sparkplug converters emit, makes it the number of failures; a daily report
  counts a day with down time as one failure. MTBF and MTTR divide by it (see :mod:`midas.kpi.compute`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

__all__ = ["ELEMENTS", "ELEMENT_SOURCES", "QUANTITY_ELEMENTS", "TIME_ELEMENTS", "Elements"]

#: Time elements (seconds) and the K-MDS ProductionPerformance variable each sums.
TIME_ELEMENTS: Final[Mapping[str, str]] = {
    "pbt": "PlannedBusyTime",
    "apt": "ActualProductionTime",
    "aust": "ActualUnitSetupTime",
    "aupt": "ActualUnitProcessingTime",
    "adet": "ActualUnitDelayTime",
    "aubt": "ActualUnitBusyTime",
    "adot": "ActualUnitDownTime",
    "aoet": "ActualOrderExecutionTime",
    "aqt": "ActualQueuingTime",
    "att": "ActualTransportTime",
    "apwt": "ActualPersonnelWorkTime",
    "apat": "ActualPersonnelAttendanceTime",
}

#: Quantity elements and the K-MDS ProductionPerformance variable each sums.
QUANTITY_ELEMENTS: Final[Mapping[str, str]] = {
    "pq": "ProducedQuantity",
    "gq": "GoodQuantity",
    "sq": "ScrapQuantity",
    "rq": "ReworkQuantity",
    "gp": "GoodPart",
    "ip": "InspectedPart",
}

#: Every K-MDS variable summed directly, by element name.
ELEMENT_SOURCES: Final[Mapping[str, str]] = {**TIME_ELEMENTS, **QUANTITY_ELEMENTS}

#: Every element, in column order: the direct sums, then the derived sums, then the record count.
ELEMENTS: Final = (*ELEMENT_SOURCES, "pru_pq", "failures", "records")

#: Sums of elements over some scope; a missing key means no record of the scope reported that element.
Elements = Mapping[str, float]
