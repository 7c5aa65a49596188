"""The Sparkplug B topic namespace: ``spBv1.0/group_id/MESSAGE_TYPE/edge_node_id[/device_id]`` and
``spBv1.0/STATE/host_id`` (Sparkplug 3.0). A topic that is not one of these is a finding, not an exception:
topics come from a broker that anyone on the plant network may publish to."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

import midas.standard.convert.sparkplug_messages as msg
from midas.standard.report import Finding, Layer, Severity

__all__ = ["NAMESPACE", "MessageType", "SparkplugTopic", "parse_topic"]

NAMESPACE: Final = "spBv1.0"


class MessageType(StrEnum):
    NBIRTH = "NBIRTH"
    NDEATH = "NDEATH"
    DBIRTH = "DBIRTH"
    DDEATH = "DDEATH"
    NDATA = "NDATA"
    DDATA = "DDATA"
    NCMD = "NCMD"
    DCMD = "DCMD"
    STATE = "STATE"

    @property
    def of_device(self) -> bool:
        return self.value.startswith("D")


@dataclass(frozen=True, slots=True)
class SparkplugTopic:
    """One parsed topic. For STATE (a host application's status) ``host_id`` is set and the group and edge node
    are empty; every other type names a group and an edge node, and D* types a device."""

    group_id: str
    message_type: MessageType
    edge_node_id: str
    device_id: str | None = None
    host_id: str | None = None

    @property
    def text(self) -> str:
        if self.message_type is MessageType.STATE:
            return f"{NAMESPACE}/STATE/{self.host_id}"
        device = f"/{self.device_id}" if self.device_id is not None else ""
        return f"{NAMESPACE}/{self.group_id}/{self.message_type}/{self.edge_node_id}{device}"

    @property
    def node_command_topic(self) -> str:
        """Where a host sends commands (e.g. a rebirth request) to this topic's edge node."""
        return f"{NAMESPACE}/{self.group_id}/{MessageType.NCMD}/{self.edge_node_id}"


def _bad(topic: str, message: str, **params: str | int) -> Finding:
    return Finding(
        layer=Layer.READ, rule="SPB-TOPIC-001", path=topic, message=message, params=params, severity=Severity.ERROR
    )


def _bad_id(topic: str, parts: list[str]) -> Finding | None:
    """Sparkplug ids are non-empty and free of the MQTT wildcards ``+`` and ``#``."""
    for index, part in enumerate(parts):
        if not part or "+" in part or "#" in part:
            return _bad(topic, msg.BAD_TOPIC_ID, element=index + 1, value=part)
    return None


def parse_topic(topic: str) -> SparkplugTopic | Finding:
    """The parts of a Sparkplug B topic, or a finding that says which part is wrong."""
    parts = topic.split("/")
    if parts[0] != NAMESPACE:
        return _bad(topic, msg.NOT_SPARKPLUG_TOPIC, namespace=NAMESPACE)
    if len(parts) == 3 and parts[1] == MessageType.STATE:
        return _bad_id(topic, parts[2:]) or SparkplugTopic("", MessageType.STATE, "", host_id=parts[2])
    if len(parts) < 4 or parts[2] not in MessageType.__members__ or parts[2] == MessageType.STATE:
        return _bad(topic, msg.UNKNOWN_MESSAGE_TYPE, value=parts[2] if len(parts) > 2 else "")
    message_type = MessageType(parts[2])
    if len(parts) != (5 if message_type.of_device else 4):
        return _bad(topic, msg.WRONG_TOPIC_LENGTH, message_type=message_type, count=len(parts))
    bad = _bad_id(topic, parts)
    if bad is not None:
        return bad
    device = parts[4] if message_type.of_device else None
    return SparkplugTopic(parts[1], message_type, parts[3], device)
