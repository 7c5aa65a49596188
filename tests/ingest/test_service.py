"""The ingestion entry point on both databases: per-item acceptance, ownership, idempotency, dead letters."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from midas.audit import AuditEvent
from midas.auth import Actor, Role
from midas.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from midas.ingest import (
    DeadLetter,
    DeadLetterStatus,
    IngestSource,
    ProductionRecord,
    accept,
    batch_dead_letters,
    count_records,
    discard_dead_letter,
    idempotency_key,
    list_dead_letters,
    replay_dead_letter,
)
from midas.ingest import service as ingest_service
from midas.registry import Factory, Organization
from midas.standard import example_record
from tests.factories import make_factory, make_organization

TEMPLATE = "ProductionPerformance"


def member_of(organization: Organization) -> Actor:
    return Actor(user_id=None, label=f"member@{organization.id}", role=Role.COMPANY_MEMBER,
                 organization_id=organization.id)


def shift(hour: int) -> dict[str, Any]:
    """The K-MDS example shift record moved to another start hour, so that each one is new content."""
    record = example_record(TEMPLATE)
    record["PeriodStart"] = f"2026-11-26T{hour:02d}:00:00+09:00"
    record["PeriodEnd"] = f"2026-11-26T{hour + 9:02d}:00:00+09:00"
    return record


def item(factory: Factory, record: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"factory_id": factory.id, "template": TEMPLATE, "record": record, **extra}


def stored(session: Session, organization: Organization) -> int:
    return count_records(session, organization_id=organization.id)


def test_valid_items_are_stored_and_the_receipt_counts_them(session: Session) -> None:
    company = make_organization(session)
    factory = make_factory(session, company)
    receipt = accept(session, actor=member_of(company), items=[item(factory, shift(6)), item(factory, shift(8))],
                     label="mes-export")
    assert (receipt.accepted, receipt.duplicates, receipt.rejected) == (2, 0, 0)
    rows = session.scalars(select(ProductionRecord).where(ProductionRecord.batch_id == receipt.batch_id)).all()
    assert sorted(r.record["PeriodStart"] for r in rows) == ["2026-11-26T06:00:00+09:00", "2026-11-26T08:00:00+09:00"]
    assert {r.factory_id for r in rows} == {factory.id}
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "ingest.batch")).one()
    assert event.details["accepted"] == 2


def test_a_retry_or_a_redelivery_counts_once(session: Session) -> None:
    company = make_organization(session)
    factory = make_factory(session, company)
    sender = member_of(company)
    by_id = item(factory, shift(6), message_id="mes-42")
    by_content = item(factory, shift(8))
    first = accept(session, actor=sender, items=[by_id, by_content, copy.deepcopy(by_content)])
    assert (first.accepted, first.duplicates) == (2, 1)  # the same content twice in one delivery
    again = accept(session, actor=sender, items=[by_id, by_content])
    assert (again.accepted, again.duplicates, again.rejected) == (0, 2, 0)
    # The same message id with other content is the same message: a client's retry may re-serialize it.
    changed = item(factory, shift(10), message_id="mes-42")
    assert accept(session, actor=sender, items=[changed]).duplicates == 1
    assert stored(session, company) == 2
    key = idempotency_key(factory.id, TEMPLATE, by_content["record"])
    assert session.scalar(select(func.count()).where(ProductionRecord.idempotency_key == key)) == 1


def test_a_content_key_is_the_records_day_then_its_digest() -> None:
    record = shift(6)
    key = idempotency_key(7, TEMPLATE, record)
    day, digest = key.removeprefix("sha256:").split(":")
    assert day == record["PeriodStart"][:10]
    assert len(digest) == 64
    assert idempotency_key(7, TEMPLATE, copy.deepcopy(record)) == key  # the same content, the same key
    assert idempotency_key(8, TEMPLATE, record) != key  # another factory's record
    assert idempotency_key(7, TEMPLATE, shift(7)).split(":")[2] != digest
    no_day = {key: value for key, value in record.items() if key != "PeriodStart"}
    assert idempotency_key(7, TEMPLATE, no_day).startswith("sha256:-:")
    assert idempotency_key(7, TEMPLATE, {**record, "PeriodStart": "26-11-27"}).startswith("sha256:-:")
    # keys of consecutive days sort by day, whatever their digests
    days = [idempotency_key(7, TEMPLATE, {**record, "PeriodStart": f"2026-11-{d:02d}T08:00:00+09:00"})
            for d in range(1, 29)]
    assert sorted(days) == days


def test_another_organizations_factory_is_dead_lettered_and_the_rest_accepted(session: Session) -> None:
    company, other = make_organization(session), make_organization(session)
    own, foreign = make_factory(session, company), make_factory(session, other)
    receipt = accept(session, actor=member_of(company), items=[item(own, shift(6)), item(foreign, shift(8))])
    assert (receipt.accepted, receipt.rejected) == (1, 1)
    refused = receipt.refused[0]
    assert refused.position == "item 2"
    assert [(p.field, p.message) for p in refused.problems] == [
        ("item 2.factory_id", "Factory {id} is not a factory of your organization")]
    letter = session.get(DeadLetter, refused.dead_letter_id)
    assert letter is not None
    assert letter.status is DeadLetterStatus.OPEN
    assert '"ProducedQuantity": 780' in letter.raw
    assert stored(session, other) == 0


def test_a_record_that_breaks_k_mds_is_refused_at_its_place_with_every_layer(session: Session) -> None:
    company = make_organization(session)
    factory = make_factory(session, company)
    wrong_type = shift(6) | {"ProducedQuantity": "many"}
    impossible = shift(8) | {"GoodQuantity": 10_000}  # good + scrap + rework > produced: a conformance rule
    receipt = accept(session, actor=member_of(company), items=[
        wrong_type, item(factory, wrong_type), item(factory, impossible),
        {"factory_id": "3", "template": "Nope", "record": {}, "extra": 1}, "not an object"])
    assert (receipt.accepted, receipt.rejected) == (0, 5)
    problems = {r.position: [p.field for p in r.problems] for r in receipt.refused}
    # A bare record is not an item: each of its keys is unknown, and factory_id and template are missing.
    assert "item 1.WorkUnitId" in problems["item 1"]
    assert {"item 1.factory_id", "item 1.template"} <= set(problems["item 1"])
    assert problems["item 2"] == ["item 2.record/ProducedQuantity"]
    assert problems["item 3"]
    assert all(f.startswith("item 3.record") for f in problems["item 3"])
    assert set(problems["item 4"]) == {"item 4.extra", "item 4.factory_id", "item 4.record"}
    assert problems["item 5"] == ["item 5"]
    assert session.scalar(select(func.count()).select_from(DeadLetter)) == 5
    assert stored(session, company) == 0


def test_who_may_send_and_how_much(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    company = make_organization(session)
    factory = make_factory(session, company)
    operator = Actor(user_id=None, label="operator", role=Role.OPERATOR)
    with pytest.raises(PermissionDenied):
        accept(session, actor=operator, items=[item(factory, shift(6))])
    monkeypatch.setattr(ingest_service, "MAX_ITEMS", 2)
    with pytest.raises(InvalidInput):
        accept(session, actor=member_of(company), items=[item(factory, shift(h)) for h in (6, 7, 8)])
    assert stored(session, company) == 0
    assert session.scalar(select(func.count()).select_from(DeadLetter)) == 0


def test_a_dead_letter_is_fixed_and_replayed_or_discarded_by_its_organization(session: Session) -> None:
    company, other = make_organization(session), make_organization(session)
    factory = make_factory(session, company)
    sender = member_of(company)
    broken = item(factory, shift(6) | {"ProducedQuantity": "many"})
    receipt = accept(session, actor=sender, items=[broken, item(factory, shift(7) | {"ProducedQuantity": -1})],
                     source=IngestSource.FILE, positions=["line 2", "line 3"])
    first, second = (r.dead_letter_id for r in receipt.refused)
    assert list_dead_letters(session, actor=sender).total == 2
    with pytest.raises(NotFound):
        replay_dead_letter(session, actor=member_of(other), dead_letter_id=first, item=item(factory, shift(6)))

    still_broken = replay_dead_letter(session, actor=sender, dead_letter_id=first, item=broken)
    assert still_broken.rejected == 1
    letter = session.get(DeadLetter, first)
    assert letter is not None
    assert letter.status is DeadLetterStatus.OPEN
    again = still_broken.refused[0].dead_letter_id  # the same record refused again: a copy of the first
    listed = list_dead_letters(session, actor=sender)
    assert [(d.letter.id, d.copies) for d in listed.items] == [(again, (first,)), (second, ())]

    fixed = replay_dead_letter(session, actor=sender, dead_letter_id=first, item=item(factory, shift(6)))
    assert fixed.accepted == 1
    assert letter.status is DeadLetterStatus.REPLAYED
    assert letter.replayed_record_id is not None
    refused_again = session.get(DeadLetter, again)
    assert refused_again is not None
    assert (refused_again.status, refused_again.replayed_record_id) == (DeadLetterStatus.REPLAYED,
                                                                        letter.replayed_record_id)
    with pytest.raises(Conflict):
        replay_dead_letter(session, actor=sender, dead_letter_id=first, item=item(factory, shift(6)))

    with pytest.raises(InvalidInput):
        discard_dead_letter(session, actor=sender, dead_letter_id=second, reason=" ")
    discard_dead_letter(session, actor=sender, dead_letter_id=second, reason="측정 오류로 폐기")
    assert list_dead_letters(session, actor=sender).items == []
    assert stored(session, company) == 1


def test_a_record_refused_in_several_deliveries_is_listed_once_and_closed_once(session: Session) -> None:
    """A sender's retry (or a broker's redelivery) of a delivery brings its refused records again: each delivery
    keeps its own dead letter, but the organization sees the record once and fixes or discards it once."""
    company, other = make_organization(session), make_organization(session)
    factory, other_factory = make_factory(session, company), make_factory(session, other)
    sender = member_of(company)
    broken = item(factory, shift(6) | {"ProducedQuantity": "many"}, message_id="mes-6")
    different = item(factory, shift(7) | {"ProducedQuantity": -1}, message_id="mes-7")
    deliveries = [accept(session, actor=sender, items=[broken, different]) for _ in range(3)]
    accept(session, actor=member_of(other), items=[item(other_factory, shift(6) | {"ProducedQuantity": "many"},
                                                        message_id="mes-6")])
    letters = [[r.dead_letter_id for r in receipt.refused] for receipt in deliveries]
    assert all(len(set(ids)) == 2 for ids in letters)  # every delivery has its own dead letters
    assert len({letter_id for ids in letters for letter_id in ids}) == 6

    listed = list_dead_letters(session, actor=sender)
    assert listed.total == 2
    assert [(d.letter.id, d.copies) for d in listed.items] == [
        (letters[2][1], (letters[0][1], letters[1][1])), (letters[2][0], (letters[0][0], letters[1][0]))]
    assert [d.copies for d in batch_dead_letters(session, actor=sender, batch_id=deliveries[0].batch_id)] == [
        (letters[1][0], letters[2][0]), (letters[1][1], letters[2][1])]

    discard_dead_letter(session, actor=sender, dead_letter_id=letters[0][0], reason="시험 가동분")
    assert [d.letter.id for d in list_dead_letters(session, actor=sender).items] == [letters[2][1]]
    closed = list_dead_letters(session, actor=sender, status=DeadLetterStatus.DISCARDED)
    assert [(d.letter.id, d.copies) for d in closed.items] == [(letters[2][0], (letters[0][0], letters[1][0]))]
    audit = session.scalars(select(AuditEvent).where(AuditEvent.action == "ingest.dead_letter.discarded")).one()
    assert audit.details["copies"] == [letters[1][0], letters[2][0]]
    assert list_dead_letters(session, actor=member_of(other)).total == 1  # another organization's is its own

    received_later = accept(session, actor=sender, items=[broken])  # after the discard: a new open letter
    assert [(d.letter.id, d.copies) for d in list_dead_letters(session, actor=sender).items] == [
        (received_later.refused[0].dead_letter_id, ()), (letters[2][1], (letters[0][1], letters[1][1]))]


def test_text_that_is_not_unicode_is_a_dead_letter_not_a_crash(session: Session) -> None:
    company = make_organization(session)
    factory = make_factory(session, company)
    record = shift(6)
    record["OrderId"] = "\ud800"  # what json.loads('"\\ud800"') gives
    receipt = accept(session, actor=member_of(company), items=[item(factory, record), item(factory, shift(8))])
    assert (receipt.accepted, receipt.rejected) == (1, 1)
    (refused,) = receipt.refused
    assert refused.problems[0].field == "item 1.record/OrderId"
    letter = session.get(DeadLetter, refused.dead_letter_id)
    assert letter is not None
    assert "\\ud800" in letter.raw
