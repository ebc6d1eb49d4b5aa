"""Password hashers the tests name in settings.PASSWORD_HASHERS."""

from __future__ import annotations

from django.contrib.auth.hashers import PBKDF2PasswordHasher


class QuickPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    """PBKDF2 at a test's cost: a hasher a project could move its users to."""

    iterations = 3
