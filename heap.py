"""How the bot keeps Python's cyclic garbage collector out of its bulk work.

The collector walks every tracked object of a generation each time it runs; a full pass walks
them all. Two things make that costly here: the ~130,000 objects of the libraries loaded at
start-up, walked again at every full pass, and the week's facts and scores (hundreds of
thousands of small objects, 5,000 projects each way) whose allocation sets off several full
passes that find nothing to free, for they hold no reference cycles.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

_paused = 0  # how many quiet() blocks are running (tasks and threads may overlap them)
_was_enabled = True
_count = threading.Lock()  # the dashboard scores in a worker thread of its own


def settle() -> None:
    """Once start-up is done: leave what it made out of every future pass (gc.freeze)."""
    gc.collect()
    gc.freeze()


def unsettle() -> None:
    """At shutdown: what start-up made is the collector's again (a test process starts and
    stops many bots; nothing of one must outlive it)."""
    gc.unfreeze()


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """No collector passes while the block builds acyclic data in bulk; they resume when the
    last overlapping block ends. Whatever garbage cycles other code makes meanwhile wait for
    the next pass; nothing is lost."""
    global _paused, _was_enabled
    with _count:
        if _paused == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _paused += 1
    try:
        yield
    finally:
        with _count:
            _paused -= 1
            if _paused == 0 and _was_enabled:
                gc.enable()
