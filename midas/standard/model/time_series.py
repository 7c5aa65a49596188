"""Process time series after IDTA 02008 Time Series Data: internal segments (records in the submodel) and
linked segments (records behind an endpoint).

Idshorts, semantics and value types are 02008's; K-MDS adds the EquipmentId of the signals' source, stamps
records with 02008's ``UtcTime`` (an ``xs:dateTime``) rather than relative seconds, and requires the segment
times, which 02008 keeps in ``xs:string``, to be date-times with a time-zone offset. The signals of a record are
the user's: any Property with its own semanticId may stand beside ``Time``. The metadata record declares them
with their value types and no values, as 02008 does.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

from aas_core3.types import DataTypeDefXSD

from midas.standard.model import concepts
from midas.standard.model.elements import (
    Cardinality,
    ElementSpec,
    SubmodelTemplate,
    TextFormat,
    collection_spec,
    property_spec,
    text_spec,
)
from midas.standard.model.namespace import VERSION

__all__ = ["TIME_SERIES"]

_STRING = DataTypeDefXSD.STRING
_LONG = DataTypeDefXSD.LONG
_ONE = Cardinality.ONE
_OPTIONAL = Cardinality.ZERO_TO_ONE
_MANY = Cardinality.ZERO_TO_MANY
_WITH_OFFSET = TextFormat.DATE_TIME_WITH_OFFSET
_ZERO = Decimal(0)


def _record(cardinality: Cardinality, *, holds_values: bool) -> ElementSpec:
    return collection_spec(
        "Record",
        concepts.TS_RECORD,
        cardinality,
        (property_spec("Time", concepts.TS_UTC_TIME, DataTypeDefXSD.DATE_TIME, _ONE, text_format=_WITH_OFFSET),),
        extensible=True,
        holds_values=holds_values,
    )


def _segment_description() -> tuple[ElementSpec, ...]:
    return (
        text_spec("Name", concepts.TS_SEGMENT_NAME, _OPTIONAL),
        text_spec("Description", concepts.TS_SEGMENT_DESCRIPTION, _OPTIONAL),
        property_spec("RecordCount", concepts.TS_RECORD_COUNT, _LONG, _OPTIONAL, minimum=_ZERO),
        property_spec("StartTime", concepts.TS_START_TIME, _STRING, _OPTIONAL, text_format=_WITH_OFFSET),
        property_spec("EndTime", concepts.TS_END_TIME, _STRING, _OPTIONAL, text_format=_WITH_OFFSET),
        property_spec("SamplingInterval", concepts.TS_SAMPLING_INTERVAL, _LONG, _OPTIONAL, minimum=_ZERO),
        property_spec("SamplingRate", concepts.TS_SAMPLING_RATE, _LONG, _OPTIONAL, minimum=_ZERO),
        property_spec("State", concepts.TS_STATE, _STRING, _OPTIONAL),
        property_spec("LastUpdate", concepts.TS_LAST_UPDATE, _STRING, _OPTIONAL, text_format=_WITH_OFFSET),
    )


TIME_SERIES: Final = SubmodelTemplate(
    id_short="TimeSeries",
    concept=concepts.TIME_SERIES,
    version=VERSION,
    elements=(
        property_spec("EquipmentId", concepts.EQUIPMENT_ID, _STRING, _ONE),
        collection_spec(
            "Metadata",
            concepts.TS_METADATA,
            _ONE,
            (
                text_spec("Name", concepts.TS_METADATA_NAME, _ONE),
                text_spec("Description", concepts.TS_METADATA_DESCRIPTION, _OPTIONAL),
                _record(_ONE, holds_values=False),
            ),
        ),
        collection_spec(
            "Segments",
            concepts.TS_SEGMENTS,
            _ONE,
            (
                collection_spec(
                    "InternalSegment",
                    concepts.TS_INTERNAL_SEGMENT,
                    _MANY,
                    (
                        *_segment_description(),
                        collection_spec("Records", concepts.TS_RECORDS, _ONE, (_record(_MANY, holds_values=True),)),
                    ),
                ),
                collection_spec(
                    "LinkedSegment",
                    concepts.TS_LINKED_SEGMENT,
                    _MANY,
                    (
                        *_segment_description(),
                        property_spec("Endpoint", concepts.TS_ENDPOINT, _STRING, _ONE),
                        property_spec("Query", concepts.TS_QUERY, _STRING, _ONE),
                    ),
                ),
            ),
        ),
    ),
)
