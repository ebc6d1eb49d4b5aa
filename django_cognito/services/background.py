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
from concurrent.futures import Future, ThreadPoolExecutor, wait

from django.db import connections

from ..conf import app_settings
from ..exceptions import CodeDeliveryFailureException
from ..models import UserPool
from . import delivery

logger = logging.getLogger("django_cognito.delivery")
_executor: ThreadPoolExecutor | None = None
_pending: set[Future[None]] = set()
_lock = threading.Lock()


def send(pool: UserPool, message: delivery.Message, *, after_answer: bool) -> None:
    """Deliver ``message``: during the call, or (``after_answer``, where waiting would tell
    who exists) on a worker thread, a failure then logged rather than raised.
    ``BACKGROUND_DELIVERY`` off delivers during the call always."""
    if not (after_answer and app_settings.BACKGROUND_DELIVERY):
        delivery.send(pool, message)
        return
    global _executor
    with _lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=2,
                                           thread_name_prefix="django_cognito-delivery")
        future = _executor.submit(_deliver, pool, message)
        _pending.add(future)
    future.add_done_callback(_forget)


def _deliver(pool: UserPool, message: delivery.Message) -> None:
    try:
        delivery.send(pool, message)
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
