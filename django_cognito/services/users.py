"""Finding users, creating them and the writes every lifecycle operation shares."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence

from confusable_homoglyphs import confusables
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet

from .. import prepared
from ..adapter import get_adapter
from ..exceptions import (
    AliasExistsException,
    CognitoError,
    InvalidParameterException,
    NotAuthorizedException,
    UsernameExistsException,
    UserNotFoundException,
)
from ..models import ALIAS_COLUMNS, PoolUser, UserPool
from ..models.user import alias_key, name_key
from .schema import EMAIL_RE, PHONE_RE, storable

# Cognito's username pattern [\p{L}\p{M}\p{S}\p{N}\p{P}]+: letters, marks, symbols, numbers
# and punctuation of any script (no spaces or control characters).
USERNAME_CATEGORIES = frozenset("LMSNP")
MAX_USERNAME_LENGTH = 128


def _lookups(pool: UserPool, username: str, key: str) -> list[tuple[str, str]]:
    """The (column, value) pairs any of which names the user: username key, then aliases."""
    pairs = [("username_key", key)] if len(key) <= MAX_USERNAME_LENGTH else []
    for name in pool.sign_in_aliases():
        value = alias_key(key, case_sensitive=True) if name == "preferred_username" \
            else alias_key(username)
        pairs.append((ALIAS_COLUMNS[name], value))
    return pairs


def username_key(pool: UserPool, username: str) -> str:
    """The form in which ``pool`` compares ``username`` (case, and NFKC where it normalises)."""
    return name_key(username, pool.case_sensitive, pool.normalize_usernames)


def same_username(pool: UserPool, a: str, b: str) -> bool:
    """Whether two typed names name the same user in ``pool`` (case as the pool says)."""
    return a == b or username_key(pool, a) == username_key(pool, b)


def find_user(pool: UserPool, username: object) -> PoolUser | None:
    """The user that ``username`` names: its username, or an alias that signs it in."""
    if not isinstance(username, str) or not username or len(username) > 2048 or \
            not storable(username):
        return None
    key = username_key(pool, username)
    pairs = _lookups(pool, username, key)
    if not pairs:
        return None
    columns = tuple(column for column, _ in pairs)

    def build(args: Sequence[object]) -> QuerySet[PoolUser]:
        query = Q()
        for column, value in zip(columns, args[1:], strict=True):
            query |= Q(**{column: value})
        return PoolUser.objects.filter(pool_id=str(args[0])).filter(query)[:2]

    # Every sign-in starts here: the query is compiled once per username configuration.
    matches = prepared.fetch(("find_user", columns), PoolUser, build,
                             [pool.pk, *(value for _, value in pairs)])
    for user in matches:
        user.pool = pool  # already loaded: no join decoding the pool's JSON again
    for user in matches:  # an exact username wins over another user's alias
        if user.username_key == key:
            return user
    return matches[0] if matches else None


def get_user(pool: UserPool, username: object) -> PoolUser:
    """Like :func:`find_user` but raises UserNotFoundException."""
    user = find_user(pool, username)
    if user is None:
        raise UserNotFoundException()
    return user


def require_enabled(user: PoolUser) -> None:
    if not user.enabled:
        raise NotAuthorizedException("User is disabled.")


def check_new_username(pool: UserPool, username: object) -> str:
    """Validate a username for a new user of ``pool``; returns the attribute it fills, if any."""
    if not isinstance(username, str) or not username:
        raise InvalidParameterException("Username must not be empty.")
    if pool.username_attributes:
        if len(username) > 2048:
            raise InvalidParameterException("Username is too long.")
        if not storable(username):
            raise InvalidParameterException("Username contains invalid characters.")
        if "email" in pool.username_attributes and EMAIL_RE.match(username):
            return "email"
        if "phone_number" in pool.username_attributes and PHONE_RE.match(username):
            return "phone_number"
        if pool.username_attributes == ["email"]:
            raise InvalidParameterException("Username should be an email.")
        if pool.username_attributes == ["phone_number"]:
            raise InvalidParameterException("Username should be a phone number.")
        raise InvalidParameterException("Username should be either an email or a phone number.")
    if len(username) > MAX_USERNAME_LENGTH or not all(
            unicodedata.category(c)[0] in USERNAME_CATEGORIES for c in username):
        raise InvalidParameterException(
            "1 validation error detected: Value at 'username' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+")
    if pool.normalize_usernames:
        _check_normalised(username, username_key(pool, username))
    if "email" in pool.alias_attributes and EMAIL_RE.match(username):
        raise InvalidParameterException(
            "Username cannot be of email format, since user pool is configured for email alias.")
    if "phone_number" in pool.alias_attributes and PHONE_RE.match(username):
        raise InvalidParameterException("Username cannot be of phone number format, since user "
                                        "pool is configured for phone number alias.")
    return ""


def _check_normalised(username: str, key: str) -> None:
    """A pool that normalises usernames refuses names whose NFKC form no longer fits, and
    names mixing scripts into look-alikes of another (Unicode TR39's mixed-script
    confusables, through confusable_homoglyphs): "аlice" with a Cyrillic а, "αlice"."""
    if len(key) > MAX_USERNAME_LENGTH:
        raise InvalidParameterException("Username is too long once normalised.")
    if confusables.is_dangerous(unicodedata.normalize("NFKC", username)):
        raise InvalidParameterException(
            "Username mixes scripts into a look-alike of another name.")


def new_user(pool: UserPool, username: object, attributes: Mapping[str, str]) -> PoolUser:
    """An unsaved user; in email/phone-username pools the username becomes the ``sub``."""
    filled = check_new_username(pool, username)
    name = str(username)
    attrs = {k: v for k, v in attributes.items() if v != ""}
    user = PoolUser(pool=pool, attributes=attrs)
    if filled:
        # AWS: "User email should be empty or same as username, since username attribute
        # is email" (observed; github.com/jagregory/cognito-local/issues/102).
        if attrs.get(filled, name) != name:
            raise InvalidParameterException(
                f"Username and the {filled} attribute must be the same value.")
        attrs[filled] = name
        user.username = str(user.sub)
    else:
        user.username = name
    return user

def _exists_error(pool: UserPool, user: PoolUser) -> CognitoError:
    if pool.username_attributes:
        for name in pool.username_attributes:
            value = user.attributes.get(name)
            if value and PoolUser.objects.filter(
                    pool=pool, **{ALIAS_COLUMNS[name]: alias_key(value)}).exists():
                return UsernameExistsException(f"An account with the given {name} already exists.")
    if PoolUser.objects.filter(pool=pool, username_key=user.username_key).exists():
        return UsernameExistsException("User already exists")
    return AliasExistsException("An account with the given alias already exists.")


def insert_user(user: PoolUser) -> PoolUser:
    """Insert a new user with its Django user; a taken username or alias raises typed errors."""
    pool = user.pool
    user.refresh_keys()
    try:
        with transaction.atomic():
            user.user = get_adapter().create_django_user(user)
            user.save(force_insert=True)
    except IntegrityError:
        user.pk = None
        raise _exists_error(pool, user) from None
    return user


def save_user(user: PoolUser, fields: Iterable[str] | None = None) -> None:
    """Save changes to an existing user; an alias now held by another user raises."""
    try:
        with transaction.atomic():
            user.save(update_fields=list(fields) if fields is not None else None)
            sync_django_user(user)
    except IntegrityError:
        raise _alias_conflict(user) from None


def _alias_conflict(user: PoolUser) -> AliasExistsException:
    """Name the alias another user already holds (not always the email)."""
    for name, column in ALIAS_COLUMNS.items():
        value = getattr(user, column)
        if value and PoolUser.objects.filter(pool=user.pool, **{column: value}).exclude(
                pk=user.pk).exists():
            return AliasExistsException(
                f"An account with the {name.replace('_', ' ')} already exists.")
    return AliasExistsException()


def sync_django_user(user: PoolUser) -> None:
    """Refresh the linked Django user's profile fields from the pool user."""
    if user.user_id is None:
        return
    django_user = user.user
    if django_user is None:
        return
    get_adapter().populate_django_user(django_user, user)
    django_user.save()


def claim_alias(user: PoolUser, attribute: str, *, force: bool) -> None:
    """Make ``user`` the holder of a verified alias, taking it from another user if forced."""
    pool = user.pool
    value = user.attributes.get(attribute)
    if attribute not in pool.alias_attributes or not value:
        return
    holders = PoolUser.objects.filter(pool=pool, **{ALIAS_COLUMNS[attribute]: alias_key(value)})
    holders = holders.exclude(pk=user.pk)
    other = holders.first()
    if other is None:
        return
    if not force:
        raise AliasExistsException(f"An account with the {attribute.replace('_', ' ')} "
                                   "already exists.")
    other.attributes[f"{attribute}_verified"] = "false"
    other.save(update_fields=["attributes"])


def mark_verified(user: PoolUser, attribute: str, *, force_alias: bool) -> None:
    """Set ``<attribute>_verified`` to true, applying Cognito's alias rules."""
    user.attributes[f"{attribute}_verified"] = "true"
    claim_alias(user, attribute, force=force_alias)


def delete_django_users(users: QuerySet[PoolUser]) -> None:
    """Delete the Django users linked to ``users`` (they exist only for them)."""
    from django.contrib.auth import get_user_model

    linked = users.exclude(user=None).values("user_id")
    get_user_model()._default_manager.filter(pk__in=linked).delete()



def login_name(user: PoolUser) -> str:
    """The name a person signs in with: the email or phone in email/phone-username pools."""
    for name in user.pool.username_attributes:
        if user.attributes.get(name):
            return str(user.attributes[name])
    return user.username
