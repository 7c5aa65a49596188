"""The messages of Sparkplug B findings: English message ids with ``{name}`` parameters.

Their Korean lives in ``midas/locale/ko/LC_MESSAGES/standard-sparkplug.po`` (the standard package imports nothing
of the platform, so it does not translate; whoever shows a finding does). :data:`MESSAGES` lists every id so that
a test can check that each has a translation with the same parameters.
"""

from __future__ import annotations

from typing import Final

# The bytes: protobuf wire format
TRUNCATED: Final = "the payload ends inside a field that starts at byte {offset}"
VARINT_TOO_LONG: Final = "the number at byte {offset} is longer than 64 bits"
BAD_FIELD_NUMBER: Final = "field number {field} at byte {offset} is not a valid protobuf field number"
BAD_WIRE_TYPE: Final = "field {field} at byte {offset} has the wire type {wire_type}, which the proto does not give it"
NOT_UTF8: Final = "the text of field {field} at byte {offset} is not valid UTF-8"
UNKNOWN_FIELD: Final = "field {field} at byte {offset} is not part of the Sparkplug B {message_name}; it was skipped"
METADATA_NOT_KEPT: Final = "the metric's metadata (multi-part and file details) is not kept"
NESTED_PROPERTY_NOT_KEPT: Final = "a property whose value is a property set is not kept"
PROPERTY_COUNT_MISMATCH: Final = "the property set has {keys} keys but {values} values"
# Values
NO_DATATYPE: Final = "the metric has no datatype, here or in its birth certificate; its {field} value is kept as sent"
UNKNOWN_DATATYPE: Final = "datatype {datatype} is not a Sparkplug B datatype; the {field} value is kept as sent"
WRONG_VALUE_FIELD: Final = "a {datatype} metric cannot carry its value in {field}; the value is kept as sent"
VALUE_NOT_DECODED: Final = "{datatype} values ({field}) are not decoded; the raw bytes are kept"
VALUE_OUT_OF_RANGE: Final = "the value {raw} does not fit the datatype {datatype}; it is kept as sent"
# Topics
NOT_SPARKPLUG_TOPIC: Final = "the topic is not in the Sparkplug B namespace {namespace}"
UNKNOWN_MESSAGE_TYPE: Final = "{value} is not a Sparkplug B message type"
WRONG_TOPIC_LENGTH: Final = "a {message_type} topic cannot have {count} levels"
BAD_TOPIC_ID: Final = "level {element} of the topic ({value}) must be a non-empty id without + or #"
# Sessions
OTHER_EDGE_NODE: Final = "the message is not for the edge node {edge_node_id} of group {group_id}"
NOT_EDGE_DATA: Final = "{message_type} messages are not data from an edge node and are not ingested"
DEATH_WITHOUT_BIRTH: Final = "a death certificate arrived for an edge node that is not online"
STALE_DEATH: Final = "the death certificate has bdSeq {bd_seq} but the current birth has {birth}; it is ignored"
UNKNOWN_DEVICE: Final = "device {device_id} has no birth certificate in this session"
DATA_BEFORE_BIRTH: Final = "a {message_type} message arrived before the edge node's birth certificate"
DUPLICATE_MESSAGE: Final = "the message with seq {seq} arrived twice"
SEQUENCE_GAP: Final = "the sequence number is {actual} but {expected} was expected: messages were lost"
BAD_SEQ: Final = "the sequence number {seq} is missing or outside 0 to 255"
NO_BD_SEQ: Final = "the birth or death certificate has no bdSeq metric"
BIRTH_METRIC_WITHOUT_NAME: Final = "a metric in a birth certificate must have a name"
DUPLICATE_ALIAS: Final = "alias {alias} of {name} is already the alias of {other}"
METRIC_WITHOUT_NAME: Final = "the metric has neither a name nor an alias"
UNKNOWN_ALIAS: Final = "alias {alias} was not declared in the birth certificate"
ALIAS_NAME_MISMATCH: Final = "the metric is named {name} but its alias {alias} was born as {born}"
METRIC_NOT_IN_BIRTH: Final = "the metric {name} was not declared in the birth certificate"

MESSAGES: Final[tuple[str, ...]] = tuple(
    value for name, value in dict(globals()).items() if name.isupper() and isinstance(value, str)
)
