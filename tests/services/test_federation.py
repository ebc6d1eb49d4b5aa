"""Federation services below the API: URL rules, discovery limits, certificate renewal."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from django_cognito import clock
from django_cognito.exceptions import InvalidParameterException
from django_cognito.models import SamlSigningCertificate, UserPool
from django_cognito.services.federation import fetch, oidc, providers
from tests.idp_documents import DocumentServer, serving

pytestmark = pytest.mark.django_db


@pytest.fixture
def idp_server(settings: Any) -> Iterator[DocumentServer]:
    yield from serving(settings)


@pytest.mark.parametrize("url", [
    "http://idp.example.com", "https://idp.example.com:8443/x", "ftp://idp.example.com",
    "https://user:pw@idp.example.com", "https://[::1", "https://idp.example.com:99999",
    "https://idp.example.com/a b", "", "https://" + "a" * 3000, "http://127.0.0.1:8080",
])
def test_urls_cognito_would_not_reach(url: str) -> None:
    with pytest.raises(InvalidParameterException):
        fetch.check_url(url, "oidc_issuer")


def test_loopback_http_only_when_allowed(settings: Any) -> None:
    settings.COGNITO = {**settings.COGNITO, "FEDERATION_LOOPBACK_HTTP": True}
    assert fetch.check_url("http://127.0.0.1:8080/x", "u") == "http://127.0.0.1:8080/x"
    with pytest.raises(InvalidParameterException):
        fetch.check_url("http://10.0.0.1:8080/x", "u")
    assert fetch.check_url("https://idp.example.com:80/x", "u")


def test_discovery_documents_are_capped(idp_server: DocumentServer, settings: Any) -> None:
    issuer = idp_server.url
    idp_server.serve("/.well-known/openid-configuration", "[" * 100_000)
    with pytest.raises(InvalidParameterException, match="not a JSON object"):
        oidc.discover({"oidc_issuer": issuer})
    settings.COGNITO = {**settings.COGNITO, "FEDERATION_FETCH_MAX_BYTES": 1000}
    with pytest.raises(InvalidParameterException, match="exceeds 1000 bytes"):
        oidc.discover({"oidc_issuer": issuer})


def test_signing_certificate_is_renewed_every_year(pool: UserPool) -> None:
    first = providers.signing_certificate(pool)
    assert providers.signing_certificate(pool) == first
    clock.advance(dt.timedelta(days=366))
    second = providers.signing_certificate(pool)
    assert second != first and second.not_after > first.not_after
    # The old certificate is not withdrawn: it stays valid for its ten years.
    assert SamlSigningCertificate.objects.filter(pool=pool).count() == 2
