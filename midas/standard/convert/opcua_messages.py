"""The English message ids of the OPC UA machine-state source's findings; the Korean texts are in the catalog
``standard-opcua.po`` (the standard package imports nothing of the platform, so it keeps only the ids).
"""

from __future__ import annotations

from typing import Final

UNKNOWN_STATE: Final = (
    "{value} is not a state of {variable} in OPC 40001-1; allowed: {allowed}; no state event is made"
)
NOT_A_STATE_TEXT: Final = "the value of {variable} is a {type}, not the LocalizedText of a state name"
BAD_PART_COUNT: Final = "the part count {value} of {node} is not a whole number"
NO_TIMESTAMP: Final = "the value {value} of {node} carries neither a source nor a server timestamp"
NO_MACHINES_FOLDER: Final = "the server has no Machines folder of the namespace {namespace} under Objects"
UNKNOWN_MACHINE: Final = "no machine {machine} in the Machines folder; known: {known}"
NO_BUILDING_BLOCK: Final = (
    "machine {machine} has no {block}: its {variable} is not observed"
)
CONNECT_FAILED: Final = "cannot connect to {url}: {cause}; no state is observed"
NODE_NOT_READABLE: Final = "the node {node} of machine {machine} cannot be read: {cause}"
CONNECTION_LOST: Final = "the connection to {url} was lost: {cause}; no state is observed after {last}"

ALL: Final[tuple[str, ...]] = (
    UNKNOWN_STATE,
    NOT_A_STATE_TEXT,
    BAD_PART_COUNT,
    NO_TIMESTAMP,
    NO_MACHINES_FOLDER,
    UNKNOWN_MACHINE,
    NO_BUILDING_BLOCK,
    CONNECT_FAILED,
    NODE_NOT_READABLE,
    CONNECTION_LOST,
)
