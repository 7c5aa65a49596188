"""The English message ids of the MTConnect converter's findings; the Korean texts are in the catalog
``standard-mtconnect.po`` (the standard package imports nothing of the platform, so it keeps only the ids).
"""

from __future__ import annotations

from typing import Final

NOT_DEVICES: Final = "the document is a {root}, not an MTConnectDevices document"
NOT_STREAMS: Final = "the document is a {root}, not an MTConnectStreams document"
ELEMENT_NOT_MAPPED: Final = "{element} of {owner} has no place in K-MDS and is not converted"
COMPONENT_BELOW_WORK_UNIT: Final = (
    "component {component} ({type}) of device {device} is below the work unit level of the K-MDS equipment"
    " hierarchy; it is kept in the device model with its {count} data item(s)"
)
NO_IDENTITY: Final = (
    "device {device} names no {missing}: no EquipmentIdentity record is written for it"
)
DEVICE_WITHOUT_ID: Final = "a device has neither uuid nor id and cannot be identified"
RECORD_REFUSED: Final = "the {template} record of {subject} cannot be converted: {cause}"
UNKNOWN_DEVICE: Final = "no device {device} in the device model; known: {known}"
DEVICE_REQUIRED: Final = "the device model has {count} devices: name the one the adapter stream belongs to"
BAD_TIMESTAMP: Final = "{timestamp} is not a date-time with a time-zone offset"
TIMESTAMP_GOES_BACK: Final = (
    "the time goes back {count} time(s), first from {previous} to {timestamp}: the events are ordered by time"
)
UNKNOWN_DATA_ITEM: Final = "{key} is not a data item of device {device}; its value {value} is not converted"
MISSING_FIELDS: Final = "{key} needs {expected} field(s) after it but has {actual}"
UNKNOWN_VALUE: Final = "{value} is not a value of {type} in the MTConnect vocabulary; allowed: {allowed}"
BAD_PART_COUNT: Final = "the part count {value} of {key} is not a whole number"
NOT_A_STATE: Final = (
    "{count} value(s) of {data_item} ({type}) are neither machine states nor part counts and are not converted"
    " (first at {first})"
)
ADAPTER_COMMAND: Final = "the adapter command {command} is not converted"
ASSET_NOT_MAPPED: Final = "the asset command {command} ({detail}) is not converted"
UNTERMINATED_ASSET: Final = "the multi-line asset begun here never ends with {marker}"
OBSERVATION_WITHOUT_FIELD: Final = "the observation has no {field}"
UNKNOWN_STATE_TIME: Final = (
    "the state of work unit {device} is unknown for {seconds} s of the period: no observation before {first}"
)

ALL: Final[tuple[str, ...]] = (
    NOT_DEVICES,
    NOT_STREAMS,
    ELEMENT_NOT_MAPPED,
    COMPONENT_BELOW_WORK_UNIT,
    NO_IDENTITY,
    DEVICE_WITHOUT_ID,
    RECORD_REFUSED,
    UNKNOWN_DEVICE,
    DEVICE_REQUIRED,
    BAD_TIMESTAMP,
    TIMESTAMP_GOES_BACK,
    UNKNOWN_DATA_ITEM,
    MISSING_FIELDS,
    UNKNOWN_VALUE,
    BAD_PART_COUNT,
    NOT_A_STATE,
    ADAPTER_COMMAND,
    ASSET_NOT_MAPPED,
    UNTERMINATED_ASSET,
    OBSERVATION_WITHOUT_FIELD,
    UNKNOWN_STATE_TIME,
)
