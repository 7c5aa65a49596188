"""Where production data comes from, and what becomes of a record that was refused."""

from __future__ import annotations

from enum import StrEnum


class IngestSource(StrEnum):
    HTTP = "http"  # POST /api/v1/ingest
    MQTT = "mqtt"  # the plain JSON topic scheme
    SPARKPLUG = "sparkplug"  # Sparkplug B over MQTT
    FILE = "file"  # an uploaded file (CSV, Excel, B2MML, MTConnect)
    REPLAY = "replay"  # a dead letter fixed and sent again


class DeadLetterStatus(StrEnum):
    OPEN = "open"  # refused; waits for the organization to fix or discard it
    REPLAYED = "replayed"  # fixed and accepted
    DISCARDED = "discarded"  # the organization decided it is not needed


DEAD_LETTER_STATUS_LABELS: dict[DeadLetterStatus, str] = {
    DeadLetterStatus.OPEN: "Waiting for a fix",
    DeadLetterStatus.REPLAYED: "Fixed and accepted",
    DeadLetterStatus.DISCARDED: "Discarded",
}
