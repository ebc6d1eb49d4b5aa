"""Code delivery after the response, where waiting for it would tell who exists.

Under PreventUserExistenceErrors someone who is not there gets an answer at once, while a real
user's answer used to wait for the email or SMS to go out (an SMTP round trip, a provider's
API): the time alone told them apart, and so did a delivery failure. For such clients the
message is handed to a small pool of threads and the answer does not wait; a failure is
logged, as it cannot be reported without telling. ``COGNITO["BACKGROUND_DELIVERY"]`` turns
this off (delivery then happens during the request, as for other clients).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any

from django.db import connections

from ..conf import app_settings
from ..exceptions import CodeDeliveryFailureException
from ..models import UserPool
from . import delivery

logger = logging.getLogger("django_cognito.delivery")
_executor: ThreadPoolExecutor | None = None
_pending: set[Future[None]] = set()
_lock = threading.Lock()


def send(pool: UserPool, message: delivery.Message) -> None:
    """Deliver ``message`` without making the caller wait (or during the call, if set so)."""
    run(delivery.send, pool, message)


def run(job: Callable[..., object], *args: Any) -> None:
    """Run ``job(*args)`` (making and sending a code) after the answer, on a worker thread;
    during the call when ``BACKGROUND_DELIVERY`` is off. A failure is logged, not raised."""
    if not app_settings.BACKGROUND_DELIVERY:
        job(*args)
        return
    global _executor
    with _lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=2,
                                           thread_name_prefix="django_cognito-delivery")
        future = _executor.submit(_work, job, *args)
        _pending.add(future)
    future.add_done_callback(_forget)


def _work(job: Callable[..., object], *args: Any) -> None:
    try:
        job(*args)
    except CodeDeliveryFailureException:
        pass  # logged by delivery.send; nobody is waiting to be told
    except Exception:
        logger.exception("Delivery after the answer failed")
    finally:
        connections.close_all()  # this thread's own database connections


def _forget(future: Future[None]) -> None:
    with _lock:
        _pending.discard(future)


def flush(timeout: float = 30) -> None:
    """Wait until every message handed over so far is delivered (tests, shutdown)."""
    with _lock:
        pending = list(_pending)
    wait(pending, timeout=timeout)
