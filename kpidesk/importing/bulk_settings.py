"""The interpreter settings a bulk import runs under: no cyclic garbage collection, short GIL turns.

Garbage collection. An import allocates millions of short-lived containers (row lists, tuples,
dicts), and every 700 of them trigger a collection that walks the young objects; as survivors pile
up, full collections walk the whole heap. None of that frees anything: the rows hold no reference
cycles and are released by reference counting. Measured on a 100k-row export: 0.6 to 1 s of a 6 s
import (after the sheet load) went to collections.

GIL turns. The import runs three threads: the reader normalising in Python, the writer whose SQLite
work runs without the GIL, and (for a big sheet) the loader whose Rust parser does too. Each time
one of the last two comes back for the GIL (to bind a chunk, to hand over a slice) it waits for the
reader's turn to end: 5 ms by default, many hundreds of times per import. With 1 ms turns the 100k
import took 6.4-7.5 s instead of 7.7-8.1 s (2 cores; 0.2 and 2 ms were no better). The window's
own thread gets the GIL sooner too.

Both settings are process-wide, so they nest: they come back as they were when the last import
running leaves.
"""
from __future__ import annotations

import gc
import sys
import threading
from contextlib import contextmanager
from typing import Iterator

SWITCH_INTERVAL_S = 0.001

_lock = threading.Lock()
_depth = 0
_saved: tuple[bool, float] = (True, 0.005)


@contextmanager
def bulk_settings() -> Iterator[None]:
    global _depth, _saved
    with _lock:
        if _depth == 0:
            _saved = (gc.isenabled(), sys.getswitchinterval())
            gc.disable()
            sys.setswitchinterval(min(SWITCH_INTERVAL_S, _saved[1]))
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                if _saved[0]:
                    gc.enable()
                sys.setswitchinterval(_saved[1])
