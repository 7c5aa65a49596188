"""The API shapes of ingestion: receipts, deliveries and dead letters, with every problem in the caller's language.

A problem's message comes either from the platform (midas.ingest and the converters' catalogs) or from the K-MDS
library, which keeps its own Korean catalog (it imports nothing of the platform): the platform catalog is asked
first, then :func:`midas.standard.korean`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from midas.errors import Problem
from midas.i18n import catalog, normalize_locale, translate
from midas.ingest.enums import DeadLetterStatus, IngestSource
from midas.ingest.models import DeadLetter, IngestBatch
from midas.ingest.service import ListedDeadLetter, Receipt, problems_of
from midas.paging import Page
from midas.standard import korean


def message_text(locale: str, message: str, params: Mapping[str, object] | None = None) -> str:
    """A problem's message in ``locale``: the platform catalog, else the K-MDS library's Korean catalog."""
    values = dict(params or {})
    if normalize_locale(locale) == "ko" and message not in catalog("ko"):
        try:
            return korean(message, {k: v for k, v in values.items() if isinstance(v, str | int | float)})
        except (KeyError, IndexError, ValueError):
            return message
    return translate(locale, message, values)


class ProblemPublic(BaseModel):
    field: str
    message: str

    @classmethod
    def of(cls, problem: Problem, locale: str) -> ProblemPublic:
        return cls(field=problem.field, message=message_text(locale, problem.message, problem.params))


def problems_public(problems: Iterable[Problem], locale: str) -> list[ProblemPublic]:
    return [ProblemPublic.of(p, locale) for p in problems]


class RefusedPublic(BaseModel):
    position: str
    dead_letter_id: int
    problems: list[ProblemPublic]


class ReceiptPublic(BaseModel):
    batch_id: int
    accepted: int
    duplicates: int
    rejected: int
    refused: list[RefusedPublic]

    @classmethod
    def of(cls, receipt: Receipt, locale: str) -> ReceiptPublic:
        return cls(batch_id=receipt.batch_id, accepted=receipt.accepted, duplicates=receipt.duplicates,
                   rejected=receipt.rejected,
                   refused=[RefusedPublic(position=r.position, dead_letter_id=r.dead_letter_id,
                                          problems=problems_public(r.problems, locale)) for r in receipt.refused])


class DeadLetterPublic(BaseModel):
    id: int
    batch_id: int
    source: IngestSource
    position: str
    status: DeadLetterStatus
    raw: str
    problems: list[ProblemPublic]
    received_at: datetime
    resolved_at: datetime | None
    resolved_by_label: str | None
    replayed_record_id: int | None
    copies: list[int] = Field(description="Other dead letters of the same record in the same status (a retry or a "
                                          "redelivery brought it again), oldest first: replaying or discarding "
                                          "this one closes them too")

    @classmethod
    def of(cls, letter: DeadLetter, locale: str, copies: Iterable[int] = ()) -> DeadLetterPublic:
        return cls(id=letter.id, batch_id=letter.batch_id, source=letter.source, position=letter.position,
                   status=letter.status, raw=letter.raw, problems=problems_public(problems_of(letter), locale),
                   received_at=letter.received_at, resolved_at=letter.resolved_at,
                   resolved_by_label=letter.resolved_by_label, replayed_record_id=letter.replayed_record_id,
                   copies=list(copies))

    @classmethod
    def listed(cls, entry: ListedDeadLetter, locale: str) -> DeadLetterPublic:
        return cls.of(entry.letter, locale, entry.copies)


class DeadLetterPagePublic(BaseModel):
    items: list[DeadLetterPublic]
    total: int
    page: int
    pages: int

    @classmethod
    def of(cls, page: Page[ListedDeadLetter], locale: str) -> DeadLetterPagePublic:
        return cls(items=[DeadLetterPublic.listed(d, locale) for d in page.items], total=page.total, page=page.page,
                   pages=page.pages)


class BatchPublic(BaseModel):
    id: int
    source: IngestSource
    label: str
    accepted: int
    duplicates: int
    rejected: int
    created_by_label: str
    received_at: datetime
    dead_letters: list[DeadLetterPublic]

    @classmethod
    def of(cls, batch: IngestBatch, letters: Iterable[ListedDeadLetter], locale: str) -> BatchPublic:
        return cls(id=batch.id, source=batch.source, label=batch.label, accepted=batch.accepted,
                   duplicates=batch.duplicates, rejected=batch.rejected, created_by_label=batch.created_by_label,
                   received_at=batch.received_at, dead_letters=[DeadLetterPublic.listed(d, locale) for d in letters])


class DeadLetterDiscard(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = ""
