"""Password policy, hashing, history and temporary passwords (reference §2.4)."""

from __future__ import annotations

import datetime as dt
import secrets
import string

from django.contrib.auth.hashers import check_password, make_password

from ..clock import now
from ..conf import app_settings
from ..crypto import srp
from ..exceptions import (
    InvalidPasswordException,
    PasswordHistoryPolicyViolationException,
)
from ..models import PasswordHistoryEntry, PoolUser, UserPool
from .schema import storable

MAX_PASSWORD_LENGTH = 256
# The columns a password set writes, for callers that save with ``update_fields``.
PASSWORD_FIELDS = ("password", "password_set_at", "temporary_password_expires_at",
                   "srp_salt", "srp_verifier")
SYMBOLS = set("^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ")
_ASCII_UPPER = set(string.ascii_uppercase)
_ASCII_LOWER = set(string.ascii_lowercase)
_DIGITS = set(string.digits)


def _policy_error(reason: str) -> InvalidPasswordException:
    return InvalidPasswordException(f"Password did not conform with policy: {reason}")


def check_policy(pool: UserPool, password: object) -> str:
    """Return ``password`` if it meets the pool policy, else raise InvalidPasswordException."""
    if not isinstance(password, str) or not password:
        raise _policy_error("Password not long enough")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise _policy_error("Password is too long")
    if password != password.strip(" ") or any(c in "\t\r\n\x00" for c in password):
        raise _policy_error("Password must not start or end with whitespace")
    if not storable(password):  # a lone surrogate cannot be encoded for hashing
        raise _policy_error("Password contains invalid characters")
    if len(password) < pool.minimum_length:
        raise _policy_error("Password not long enough")
    chars = set(password)
    if pool.require_uppercase and not chars & _ASCII_UPPER:
        raise _policy_error("Password must have uppercase characters")
    if pool.require_lowercase and not chars & _ASCII_LOWER:
        raise _policy_error("Password must have lowercase characters")
    if pool.require_numbers and not chars & _DIGITS:
        raise _policy_error("Password must have numeric characters")
    if pool.require_symbols and not chars & SYMBOLS:
        raise _policy_error("Password must have symbol characters")
    return password


def check_history(user: PoolUser, password: str) -> None:
    """Refuse a password among the last ``PasswordHistorySize`` ones (current included)."""
    size = user.pool.password_history_size
    if not size or user.pk is None:
        return
    for entry in user.password_history.all()[:size]:
        if check_password(password, entry.password):
            raise PasswordHistoryPolicyViolationException()


def set_password(user: PoolUser, password: str, *, temporary: bool = False,
                 check_policy_first: bool = True) -> None:
    """Hash and store a new password and its SRP verifier (caller saves ``user`` atomically)."""
    if check_policy_first:
        check_policy(user.pool, password)
    check_history(user, password)
    user.password = make_password(password)
    # The verifier binds the immutable internal username (the UUID in email/phone-username
    # pools), which is what USER_ID_FOR_SRP names (reference §6).
    user.srp_salt = srp.new_salt()
    user.srp_verifier = srp.make_verifier(user.srp_salt, user.pool.pool_name_suffix,
                                          user.username, password)
    user.password_set_at = now()
    user.temporary_password_expires_at = (
        now() + dt.timedelta(days=user.pool.temporary_password_validity_days or 7)
        if temporary else None)


def record_history(user: PoolUser) -> None:
    """Remember the user's current hash and forget entries beyond the history size."""
    size = user.pool.password_history_size
    if not size or not user.password:
        return
    PasswordHistoryEntry.objects.create(user=user, password=user.password)
    stale = list(user.password_history.values_list("pk", flat=True)[size:])
    if stale:
        PasswordHistoryEntry.objects.filter(pk__in=stale).delete()


def verify(user: PoolUser, password: str) -> bool:
    """Check ``password`` against the stored hash (constant time inside the hasher).

    A right password stored with an outdated hasher or cost (a project raised PBKDF2's
    iterations, or moved to Argon2) is hashed again the current way and saved, as Django's
    ModelBackend does; ``COGNITO["UPGRADE_PASSWORD_HASHES"]`` turns that off. SRP sign-ins
    never see the password, so only password checks upgrade.
    """
    if not user.password or not storable(password):  # unencodable: never a stored password
        spend_a_hash(password)
        return False

    read = user.password

    def upgrade(raw: str) -> None:
        # Only over the hash that was checked: a password changed meanwhile stays changed.
        encoded = make_password(raw)
        if PoolUser.objects.filter(pk=user.pk, password=read).update(password=encoded):
            user.password = encoded

    setter = upgrade if app_settings.UPGRADE_PASSWORD_HASHES else None
    return check_password(password, user.password, setter)


def spend_a_hash(password: str) -> None:
    """Spend what checking one password costs where there is no hash to check.

    An answer for an unknown user (or one without a password) that came back a hash's time
    sooner than a wrong password's would tell an attacker which usernames exist, defeating
    PreventUserExistenceErrors; Django's ModelBackend pays the same price for the same reason.
    """
    make_password(password if storable(password) else "")


def generate_temporary(pool: UserPool) -> str:
    """A random password that satisfies the pool's policy."""
    length = max(pool.minimum_length, 12)
    classes = [string.ascii_uppercase, string.ascii_lowercase, string.digits, "^$*.!@#%&-_=+?"]
    chars = [secrets.choice(c) for c in classes]
    alphabet = "".join(classes)
    chars += [secrets.choice(alphabet) for _ in range(length - len(chars))]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)
