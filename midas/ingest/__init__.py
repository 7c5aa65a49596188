"""Production data into the platform: one entry point, :func:`accept`, that HTTP, MQTT and files adapt to; every
valid record stored once per idempotency key, every refused one kept as a dead letter with its report."""

from midas.ingest.enums import DEAD_LETTER_STATUS_LABELS, DeadLetterStatus, IngestSource
from midas.ingest.facts import FACT_COLUMNS, VARIABLE_COLUMNS, RederiveProgress, facts_of, rederive_facts
from midas.ingest.models import DeadLetter, IngestBatch, ProductionRecord
from midas.ingest.service import (
    MAX_ITEMS,
    ListedDeadLetter,
    Receipt,
    RefusedItem,
    accept,
    batch_dead_letters,
    copies_of,
    count_records,
    discard_dead_letter,
    get_batch,
    idempotency_key,
    list_batches,
    list_dead_letters,
    on_records_stored,
    problems_of,
    replay_dead_letter,
)

__all__ = [
    "DEAD_LETTER_STATUS_LABELS",
    "FACT_COLUMNS",
    "MAX_ITEMS",
    "VARIABLE_COLUMNS",
    "DeadLetter",
    "DeadLetterStatus",
    "IngestBatch",
    "IngestSource",
    "ListedDeadLetter",
    "ProductionRecord",
    "Receipt",
    "RederiveProgress",
    "RefusedItem",
    "accept",
    "batch_dead_letters",
    "copies_of",
    "count_records",
    "discard_dead_letter",
    "facts_of",
    "get_batch",
    "idempotency_key",
    "list_batches",
    "list_dead_letters",
    "on_records_stored",
    "problems_of",
    "rederive_facts",
    "replay_dead_letter",
]
