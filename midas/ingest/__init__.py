"""Production data into the platform: one entry point, :func:`accept`, that HTTP, MQTT and files adapt to; every
valid record stored once per idempotency key, every refused one kept as a dead letter with its report."""

from midas.ingest.enums import DEAD_LETTER_STATUS_LABELS, DeadLetterStatus, IngestSource
from midas.ingest.models import DeadLetter, IngestBatch, ProductionRecord
from midas.ingest.service import (
    MAX_ITEMS,
    Receipt,
    RefusedItem,
    accept,
    batch_dead_letters,
    count_records,
    discard_dead_letter,
    get_batch,
    idempotency_key,
    list_batches,
    list_dead_letters,
    problems_of,
    replay_dead_letter,
)

__all__ = [
    "DEAD_LETTER_STATUS_LABELS",
    "MAX_ITEMS",
    "DeadLetter",
    "DeadLetterStatus",
    "IngestBatch",
    "IngestSource",
    "ProductionRecord",
    "Receipt",
    "RefusedItem",
    "accept",
    "batch_dead_letters",
    "count_records",
    "discard_dead_letter",
    "get_batch",
    "idempotency_key",
    "list_batches",
    "list_dead_letters",
    "problems_of",
    "replay_dead_letter",
]
