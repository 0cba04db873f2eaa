"""Pausing Python's cyclic garbage collector while a plan's log is read or folded.

Reading or folding a log allocates an object per event, step and visit; each burst of
allocations makes the collector walk every live object again, which more than doubles the
time of a long read, fold or check. Events, plan states and findings hold no reference
cycle, so nothing waits for the collector meanwhile; it runs again when the block ends.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run the block with the cyclic garbage collector off (as it was, afterwards)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
