"""A password as the first factor: USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH, USER_AUTH's
PASSWORD and a Django login (reference §1.4)."""

from __future__ import annotations

from ...exceptions import NotAuthorizedException, UserNotFoundException
from .. import lockout, passwords, simulated
from ..clients import check_secret_hash
from ..migration import migrate_on_sign_in
from ..users import find_user
from .account import pre_authentication
from .results import WRONG_PASSWORD, Proceed, SignIn


def initiate(signin: SignIn) -> Proceed:
    """InitiateAuth(USER_PASSWORD_AUTH) / AdminInitiateAuth(ADMIN_USER_PASSWORD_AUTH)."""
    username = signin.require("USERNAME")
    password = signin.require("PASSWORD")
    if signin.client is not None:
        check_secret_hash(signin.client, username, signin.presented.get("SECRET_HASH"))
    return first_factor(signin, username, password)


def first_factor(signin: SignIn, username: str, password: str) -> Proceed:
    """Check a password: user migration, lockout, pre authentication, the hash."""
    pool = signin.pool
    user = find_user(pool, username)
    if user is None:
        user = migrate_on_sign_in(pool, signin.client, username, password, signin.metadata)
    if user is None:
        if signin.hides_users:
            lock = simulated.lock_id(pool, username)
            lockout.check_hidden(pool, lock)
            passwords.spend_a_hash(password)  # as long as a wrong password takes
            lockout.failed_hidden(pool, lock)
            raise NotAuthorizedException(WRONG_PASSWORD)
        if signin.client is None:  # a Django login answers no sooner for an unknown name
            passwords.spend_a_hash(password)
        raise UserNotFoundException("User does not exist.")
    lockout.check(user)
    pre_authentication(signin, user)
    if not passwords.verify(user, password):
        lockout.failed(user)
        raise NotAuthorizedException(WRONG_PASSWORD)
    lockout.succeeded(user)
    signin.user = user
    return Proceed(signin)
