"""Which requests reach a pool's domain: by Host (prefix and custom domains, with
HOSTED_DOMAIN_URL and DomainMiddleware) or under <app>/domains/<domain>/; unknown names
under the suffix get nothing of any pool."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from django_cognito.models import UserPool
from django_cognito.services import resources
from tests import factories

pytestmark = pytest.mark.django_db

SUFFIX = ".auth.example.test"


@pytest.fixture
def hosted(settings: Any) -> UserPool:
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, SUFFIX, "login.shop.test"]
    settings.COGNITO = {**settings.COGNITO, "HOSTED_DOMAIN_URL": "https://{domain}" + SUFFIX}
    pool = factories.create_pool("hosts")
    resources.create_domain(pool, "shop")
    resources.create_domain(pool, "login.shop.test",
                            custom_domain_config={"CertificateArn": "arn:aws:acm:us-east-1:"
                                                  "123456789012:certificate/abc"})
    return pool


def get(host: str, path: str) -> Any:
    return Client(HTTP_HOST=host).get(path, secure=True)


def test_a_prefix_domain_answers_on_its_host_at_cognitos_paths(hosted: UserPool) -> None:
    page = get("shop" + SUFFIX, "/oauth2/authorize?response_type=code&client_id=nope")
    assert page.status_code == 400 and b"Something went wrong" in page.content
    assert page["X-Frame-Options"] == "DENY"
    # Only the domain's paths: nothing else of the project answers on that host.
    assert get("shop" + SUFFIX, "/admin/").status_code == 404
    assert get("shop" + SUFFIX, f"/{hosted.id}/.well-known/jwks.json").status_code == 404


def test_a_custom_domain_answers_on_its_own_name(hosted: UserPool) -> None:
    page = get("login.shop.test", "/oauth2/authorize?response_type=code&client_id=nope")
    assert page.status_code == 400 and b"Something went wrong" in page.content


def test_unknown_names_under_the_suffix_get_nothing(hosted: UserPool) -> None:
    for host in ("nope" + SUFFIX, "login.shop.test" + SUFFIX):
        answer = get(host, "/oauth2/authorize")
        assert answer.status_code == 404 and b"hosts" not in answer.content


def test_the_projects_own_hosts_are_untouched(hosted: UserPool) -> None:
    assert get("testserver", f"/{hosted.id}/.well-known/jwks.json").status_code == 200
    assert get("testserver", "/domains/shop/oauth2/authorize").status_code == 400


def test_discovery_advertises_the_custom_domain(hosted: UserPool) -> None:
    document = get("testserver", f"/{hosted.id}/.well-known/openid-configuration").json()
    assert document["authorization_endpoint"] == "https://login.shop.test/oauth2/authorize"
    assert document["issuer"] == f"http://testserver/{hosted.id}"


def test_a_deleted_domain_stops_answering_at_once(hosted: UserPool) -> None:
    resources.delete_domain(resources.get_domain(hosted, "shop"))
    assert get("shop" + SUFFIX, "/oauth2/authorize").status_code == 404


def test_plain_http_off_loopback_gets_an_error_page_not_a_500(hosted: UserPool) -> None:
    for path in ("/domains/shop/login?response_type=code&client_id=x",
                 "/domains/shop/oauth2/authorize?response_type=code&client_id=x"):
        answer = Client().get(path)
        assert answer.status_code == 400 and b"MUST utilize https" in answer.content


def test_the_projects_own_host_costs_no_domain_lookup(
        hosted: UserPool, django_assert_num_queries: Any) -> None:
    from django_cognito.services import domains

    with django_assert_num_queries(0):
        assert domains.for_host("testserver") is None
    with django_assert_num_queries(1):  # another name may be a custom domain
        assert domains.for_host("elsewhere.test") is None


def test_the_token_endpoint_over_plain_http_off_loopback_is_refused_not_a_500(
        hosted: UserPool) -> None:
    for path in ("/domains/shop/oauth2/token", "/domains/shop/oauth2/revoke"):
        answer = Client().post(path, {"grant_type": "client_credentials"})
        assert answer.status_code == 400 and answer.json()["error"] == "insecure_transport"
