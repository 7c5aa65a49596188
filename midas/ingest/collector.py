"""The cyclic garbage collector, paused while a delivery is read, checked and stored.

A delivery of 5,000 records makes some 50,000 container objects (the decoded items and records, the checked
items, the rows) that all live until it is stored. Python runs its collector every 700 new containers and
promotes the survivors, so it walks the same records again and again while they pile up: measured, 7-9 % of the
CPU of an ingestion worker. A delivery makes no reference cycles of its own (its objects are freed by their
reference counts when it ends), so nothing is lost by not looking for cycles meanwhile.

The pause is process-wide (that is how ``gc`` works): while any thread is inside :func:`collector_paused`, no
automatic collection runs in any thread; the collector resumes when the last one leaves, and only if it was on
when the first one entered. Its collections then catch up with whatever other threads left meanwhile.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused"]

_lock = threading.Lock()
_inside = 0
_was_enabled = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """No automatic cyclic garbage collection until the last thread inside leaves (nested use is fine)."""
    global _inside, _was_enabled
    with _lock:
        if _inside == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _inside += 1
    try:
        yield
    finally:
        with _lock:
            _inside -= 1
            if _inside == 0 and _was_enabled:
                gc.enable()
