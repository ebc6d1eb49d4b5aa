"""The URLconf of a request whose Host is a pool's domain (see ``middleware``)."""

from .urls import urlpatterns

__all__ = ["urlpatterns"]
