"""Stable, plausible answers for someone who gets nothing real (PreventUserExistenceErrors).

Under PreventUserExistenceErrors (reference §2.6) an unknown or disabled user must get the
same kind of answer as a real one: an SRP challenge with a salt, or CodeDeliveryDetails with
a masked destination. A constant answer would be told apart from real ones at a glance, and a
random one by asking twice; these are derived from the pool, the username and the project's
secret key, so they are the same on every call and every process.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import string
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Concatenate, NoReturn, ParamSpec, TypeVar

from django.conf import settings
from django.core.cache import caches

from ..clock import now
from ..conf import app_settings
from ..exceptions import CodeMismatchException, ExpiredCodeException
from ..models import AppClient, UserPool
from ..models.user import name_key
from . import delivery, limits

# The first letter of common mail domains, as often as they come up.
_DOMAIN_LETTERS = "gggghhhooyymiaaceltw"


def digest(pool: UserPool, username: str, purpose: str, size: int = 32) -> bytes:
    """Keyed bytes that stay the same for a (pool, username) across calls and processes."""
    key = hashlib.sha256(b"django_cognito.srp-simulated:" + settings.SECRET_KEY.encode()).digest()
    # The name as the pool compares it (case, NFKC): every form of one name is one hidden user.
    name = name_key(username, pool.case_sensitive, pool.normalize_usernames)
    message = "\x00".join((purpose, pool.id, name)).encode("utf-8", "surrogatepass")
    blocks = (hmac.new(key, message + bytes([i]), hashlib.sha256).digest()
              for i in range(-(-size // 32)))
    return b"".join(blocks)[:size]


def destination(pool: UserPool, username: str, attribute: str) -> str:
    """An address or phone number such a user might have, before masking.

    A username that is itself an email address or a phone number is used as it is, since a
    real user's would show the same first letters or last digits once masked.
    """
    noise = digest(pool, username, f"destination:{attribute}", 16)
    if attribute == "phone_number":
        if username.startswith("+") and username[1:].isdigit() and len(username) >= 8:
            return username
        return "+1" + "".join(str(byte % 10) for byte in noise[:10])
    if "@" in username.strip("@"):
        return username
    letters = string.ascii_lowercase
    first = username[:1].lower()
    local = first if first in letters else letters[noise[0] % 26]
    return f"{local}@{_DOMAIN_LETTERS[noise[1] % len(_DOMAIN_LETTERS)]}.example"


def code_delivery_details(pool: UserPool, username: object, attribute: str) -> dict[str, str]:
    """CodeDeliveryDetails for ``username`` as if a code had gone to its ``attribute``."""
    name = username if isinstance(username, str) else ""
    medium = "SMS" if attribute == "phone_number" else "EMAIL"
    return delivery.code_delivery_details(medium, destination(pool, name, attribute))


def lock_id(pool: UserPool, username: str) -> int:
    """A number standing for a hidden username in the sign-in lockout (1 to 10^11 - 1), so
    that wrong answers for someone who is not there lock as they would for a real user."""
    return int.from_bytes(digest(pool, username, "lockout", 8), "big") % (10**11 - 1) + 1


# Codes "sent" to someone who is not there: kept in the shared cache for as long as a real
# code would live, and answered as a real one would be (CodeMismatchException while it is
# outstanding, ExpiredCodeException once it is not), so neither the answer nor its change over
# time tells who exists.

def _code_key(pool: UserPool, username: str, purpose: str) -> str:
    return f"django_cognito:hidden-code:{pool.pk}:{lock_id(pool, username)}:{purpose}"


def code_sent(pool: UserPool, username: str, purpose: str, lifetime: dt.timedelta) -> None:
    """Remember a code "sent" to ``username`` for ``purpose`` (a new one replaces the old).

    Kept twice its lifetime: a spent or expired code answers "expired" until then, as a real
    one does until a new one is sent.
    """
    caches[app_settings.CACHE_ALIAS].set(
        _code_key(pool, username, purpose),
        {"expires": now().timestamp() + lifetime.total_seconds(), "attempts": 0},
        timeout=2 * int(lifetime.total_seconds()) + 60)


def has_code(pool: UserPool, username: str, purpose: str) -> bool:
    """Whether a simulated code for ``username`` is outstanding."""
    state = caches[app_settings.CACHE_ALIAS].get(_code_key(pool, username, purpose))
    return isinstance(state, dict) and state.get("expires", 0) > now().timestamp()


def answer_code(pool: UserPool, username: str, purpose: str,
                sent_for: dt.timedelta | None = None) -> NoReturn:
    """Answer a code for someone who is not there, as ``codes.consume`` answers a wrong one:
    mismatch while the code is outstanding, expired when none is (or after the attempts a
    real code takes). ``sent_for``: answer as if a code of that lifetime had been sent, where
    a real user would hold one without asking (the sign-up code)."""
    cache = caches[app_settings.CACHE_ALIAS]
    key = _code_key(pool, username, purpose)
    state = cache.get(key)
    if state is None and sent_for is not None:
        code_sent(pool, username, purpose, sent_for)
        state = cache.get(key)
    if not isinstance(state, dict) or state.get("expires", 0) <= now().timestamp() or \
            state.get("attempts", 0) >= app_settings.CODE_MAX_ATTEMPTS:
        raise ExpiredCodeException()  # the spent state stays: "expired" until a new code
    # Counted as a real code's wrong answers are; the last one leaves it spent.
    cache.set(key, {**state, "attempts": int(state.get("attempts", 0)) + 1},
              timeout=2 * max(int(state["expires"] - now().timestamp()), 1) + 60)
    raise CodeMismatchException()


P = ParamSpec("P")
R = TypeVar("R")


def even_answer(operation: Callable[Concatenate[AppClient, P], R]
                ) -> Callable[Concatenate[AppClient, P], R]:
    """Under the client's PreventUserExistenceErrors, ``operation`` answers no sooner than
    ``COGNITO["EVEN_ANSWER_SECONDS"]`` after it began, whoever it was for.

    A real user's code is written, rendered and handed over while someone who is not there
    gets a computed answer: without a floor the time alone would tell them apart. Waiting
    sleeps (it costs no CPU), and an error answers no sooner either.
    """
    @functools.wraps(operation)
    def answer(client: AppClient, /, *args: P.args, **kwargs: P.kwargs) -> R:
        with even_time(client):
            return operation(client, *args, **kwargs)
    return answer


@contextmanager
def even_time(client: AppClient, applies: bool = True) -> Iterator[None]:
    """The block takes no less than ``COGNITO["EVEN_ANSWER_SECONDS"]`` where ``client`` hides
    who exists and ``applies`` (see :func:`even_answer`)."""
    start = time.monotonic()
    try:
        yield
    finally:
        if applies and client.prevents_user_existence_errors:
            rest = float(app_settings.EVEN_ANSWER_SECONDS) - (time.monotonic() - start)
            if rest > 0:
                time.sleep(rest)


def limit(operation: str, pool: UserPool, username: object) -> None:
    """Count ``operation`` toward the hourly cap of someone who is not there, as a real
    user's attempt counts toward theirs (``limits.hit``)."""
    limits.hit_hidden(operation, pool, lock_id(pool, username if isinstance(username, str)
                                                else ""))
