"""The adapter: overridable decisions, such as how pool users map to Django users."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.utils.module_loading import import_string

from .conf import app_settings
from .models import PoolUser

if TYPE_CHECKING:
    from .verify import Claims


def remote_username(claims: Claims) -> str:
    """Django username of a user from a remote issuer: ``<pool id or issuer digest>:<sub>``."""
    trusted = claims.trusted_issuer
    scope = (trusted.user_pool_id if trusted and trusted.user_pool_id else
             hashlib.sha256(str(claims.get("iss")).encode()).hexdigest()[:16])
    return f"{scope}:{claims.sub}"[:150]


class DefaultAdapter:
    """Default decisions; subclass and name yours in ``COGNITO['ADAPTER']``."""

    def django_username(self, pool_user: PoolUser) -> str:
        """The Django username of a pool user: its ``sub``, unique across every pool."""
        return str(pool_user.sub)

    def populate_django_user(self, django_user: Any, pool_user: PoolUser) -> None:
        """Copy profile fields into the Django user (only fields the user model has)."""
        values = {
            "email": pool_user.attr("email") or "",
            "first_name": pool_user.attr("given_name") or "",
            "last_name": pool_user.attr("family_name") or "",
            "is_active": pool_user.enabled,
        }
        field_names = {f.name for f in django_user._meta.get_fields()}
        for field, value in values.items():
            if field in field_names:
                setattr(django_user, field, value)

    def create_django_user(self, pool_user: PoolUser) -> Any:
        """Create the Django user linked to a new pool user."""
        model = get_user_model()
        django_user = model(**{model.USERNAME_FIELD: self.django_username(pool_user)})
        django_user.set_unusable_password()
        self.populate_django_user(django_user, pool_user)
        django_user.save()
        return django_user


    def remote_django_user(self, claims: Any) -> Any:
        """The Django user mirroring a user of a remote (AWS) pool, created on first sight."""
        model = get_user_model()
        username = remote_username(claims)
        user = model._default_manager.filter(**{model.USERNAME_FIELD: username}).first()
        if user is None:
            user = model(**{model.USERNAME_FIELD: username})
            user.set_unusable_password()
            field_names = {f.name for f in model._meta.get_fields()}
            if "email" in field_names and isinstance(claims.get("email"), str):
                user.email = claims["email"]
            user.save()
        return user


@lru_cache(maxsize=8)
def _load(path: str) -> type[DefaultAdapter]:
    adapter: type[DefaultAdapter] = import_string(path)
    return adapter


def get_adapter() -> DefaultAdapter:
    """An instance of the configured adapter."""
    return _load(app_settings.ADAPTER)()
