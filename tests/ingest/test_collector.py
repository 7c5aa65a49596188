"""The garbage collector's pause during a delivery (:mod:`midas.ingest.collector`)."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from midas.auth import Actor, Role
from midas.ingest import accept, service
from midas.ingest.collector import collector_paused
from midas.standard import example_record
from tests.factories import make_factory, make_organization


@pytest.fixture(autouse=True)
def collector_on() -> Iterator[None]:
    """Each test starts with the collector on and leaves it as it found it."""
    was_enabled = gc.isenabled()
    gc.enable()
    yield
    if not was_enabled:
        gc.disable()


def test_the_collector_is_off_inside_and_on_again_after() -> None:
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer pause still holds
    assert gc.isenabled()


def test_the_collector_resumes_after_an_error() -> None:
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("refused")
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off() -> None:
    gc.disable()
    with collector_paused():
        pass
    assert not gc.isenabled()


def test_the_collector_resumes_only_when_the_last_thread_leaves() -> None:
    first_inside, second_inside, first_may_leave = threading.Event(), threading.Event(), threading.Event()
    seen: list[bool] = []

    def first() -> None:
        with collector_paused():
            first_inside.set()
            first_may_leave.wait(10)

    def second() -> None:
        first_inside.wait(10)
        with collector_paused():
            second_inside.set()
            first_may_leave.set()
            first_thread.join(10)  # the first has left; this one is still inside
            seen.append(gc.isenabled())

    first_thread, second_thread = threading.Thread(target=first), threading.Thread(target=second)
    first_thread.start()
    second_thread.start()
    second_thread.join(10)
    assert second_inside.is_set()
    assert seen == [False]
    assert gc.isenabled()


def test_a_delivery_is_stored_with_the_collector_paused(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    factory = make_factory(session, organization := make_organization(session))
    states: list[bool] = []
    monkeypatch.setattr(service, "_STORED_LISTENERS",
                        [*service._STORED_LISTENERS, lambda _session, _batch: states.append(gc.isenabled())])
    sender = Actor(user_id=None, label="mes", role=Role.COMPANY_MEMBER, organization_id=organization.id)
    item = {"factory_id": factory.id, "template": "ProductionPerformance",
            "record": example_record("ProductionPerformance")}
    assert accept(session, actor=sender, items=[item]).accepted == 1
    assert states == [False]
    assert gc.isenabled()
