"""Password hashers for pool users (and Django's own), named in ``PASSWORD_HASHERS``."""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idOWASPPasswordHasher(Argon2PasswordHasher):
    """Argon2id at OWASP's minimum: 19 MiB of memory, two passes, one lane.

    The OWASP Password Storage Cheat Sheet's first Argon2id configuration (m=19456 KiB, t=2,
    p=1). Django's own Argon2 defaults (100 MiB, 8 lanes) cost several times as much CPU per
    sign-in; PBKDF2 at Django's million iterations costs about 20 times as much here. Needs
    ``argon2-cffi`` (the ``argon2`` extra). Put it first in ``PASSWORD_HASHERS``: stored hashes
    of other hashers are upgraded to it at their next password sign-in.
    """

    time_cost = 2
    memory_cost = 19456
    parallelism = 1
