"""Time seam: services read the time here so tests can move the clock instead of sleeping."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

_offset = dt.timedelta(0)


def now() -> dt.datetime:
    """Return the current aware UTC time, shifted by any test offset."""
    return dt.datetime.now(dt.UTC) + _offset


@contextmanager
def shifted(delta: dt.timedelta) -> Iterator[None]:
    """Move the clock forward by ``delta`` inside the block."""
    global _offset
    previous = _offset
    _offset = previous + delta
    try:
        yield
    finally:
        _offset = previous


def advance(delta: dt.timedelta) -> None:
    """Move the clock forward by ``delta`` until :func:`reset`."""
    global _offset
    _offset += delta


def reset() -> None:
    """Put the clock back to real time."""
    global _offset
    _offset = dt.timedelta(0)
