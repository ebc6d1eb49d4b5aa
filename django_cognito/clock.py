"""Time seam: services read the time here so tests can move the clock instead of sleeping."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

_offset = dt.timedelta(0)
_frozen: dt.datetime | None = None


def now() -> dt.datetime:
    """Return the current aware UTC time, shifted by any test offset (or the frozen time)."""
    if _frozen is not None:
        return _frozen + _offset
    return dt.datetime.now(dt.UTC) + _offset


def freeze() -> None:
    """Stop the clock at the current instant until :func:`reset`; :func:`advance` still moves
    it. For tests whose assertions compare instants read at different moments (a lock that
    must still hold, a window or a TOTP step that must not turn over between two reads)."""
    global _frozen, _offset
    _frozen, _offset = now(), dt.timedelta(0)


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
    global _frozen, _offset
    _frozen, _offset = None, dt.timedelta(0)
