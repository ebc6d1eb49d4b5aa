"""GetCredentialsForIdentity and GetOpenIdToken over real HTTP with boto3: role resolution,
the service's OpenID token, and credentials from moto_server's STS, checked by asking STS
who they are."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import jwt
import pytest

from django_cognito.models import AppClient, Identity, UserPool
from tests.factories import create_user
from tests.identity_pools import (
    ADMINS,
    AUTH,
    GUEST,
    READERS,
    identity_pool,
    provider_of,
    role_of,
)
from tests.live_api import sign_in

pytest_plugins = ["tests.api_fixtures", "tests.live_api", "tests.moto_server"]
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def groups(cognito: Any, pool: UserPool) -> None:
    """alice is in admins (precedence 1) and readers; bob in readers; carol in none."""
    for user in ("alice", "bob", "carol"):
        create_user(pool, user)
    cognito.create_group(UserPoolId=pool.id, GroupName="admins", RoleArn=ADMINS, Precedence=1)
    cognito.create_group(UserPoolId=pool.id, GroupName="readers", RoleArn=READERS,
                         Precedence=5)
    for user, group in (("alice", "admins"), ("alice", "readers"), ("bob", "readers")):
        cognito.admin_add_user_to_group(UserPoolId=pool.id, Username=user, GroupName=group)


def credentials_of(guest: Any, pool_id: str, logins: dict[str, str] | None = None,
                   **extra: Any) -> tuple[str, dict[str, Any]]:
    params: dict[str, Any] = {"IdentityPoolId": pool_id}
    if logins:
        params["Logins"] = logins
    identity_id = guest.get_id(**params)["IdentityId"]
    params = {"IdentityId": identity_id, **extra}
    if logins:
        params["Logins"] = logins
    answer = guest.get_credentials_for_identity(**params)
    assert answer["IdentityId"] == identity_id
    return identity_id, answer["Credentials"]


def test_enhanced_flow_default_roles(identity: Any, guest: Any, idp: Any, pool: UserPool,
                                     app: AppClient, sts_moto: str) -> None:
    create_user(pool, "alice")
    pool_id = identity_pool(identity, pool, app)
    logins = {provider_of(pool): sign_in(idp, app, "alice")["IdToken"]}
    identity_id, credentials = credentials_of(guest, pool_id, logins)
    assert credentials["AccessKeyId"] and credentials["SessionToken"]
    assert role_of(credentials, sts_moto) == AUTH
    # Signing in again names the same identity.
    again = {provider_of(pool): sign_in(idp, app, "alice")["IdToken"]}
    assert credentials_of(guest, pool_id, again)[0] == identity_id

    guest_id, guest_credentials = credentials_of(guest, pool_id)
    assert guest_id != identity_id and role_of(guest_credentials, sts_moto) == GUEST


def test_credentials_need_the_identity_s_logins(identity: Any, guest: Any, idp: Any,
                                                pool: UserPool, app: AppClient,
                                                fails: Any) -> None:
    create_user(pool, "alice")
    create_user(pool, "bob")
    pool_id = identity_pool(identity, pool, app)
    alice = {provider_of(pool): sign_in(idp, app, "alice")["IdToken"]}
    bob = {provider_of(pool): sign_in(idp, app, "bob")["IdToken"]}
    alice_id = guest.get_id(IdentityPoolId=pool_id, Logins=alice)["IdentityId"]
    guest.get_id(IdentityPoolId=pool_id, Logins=bob)
    # No login for an authenticated identity, or another user's login.
    for logins in ({}, bob):
        code, message = fails(guest.get_credentials_for_identity, IdentityId=alice_id,
                              Logins=logins)
        assert code == "NotAuthorizedException" and message.startswith("Logins don't match")
    # An identity id of another identity pool: the login is not of its providers.
    other_pool = identity.create_identity_pool(IdentityPoolName="other",
                                               AllowUnauthenticatedIdentities=True)
    other_id = guest.get_id(IdentityPoolId=other_pool["IdentityPoolId"])["IdentityId"]
    assert fails(guest.get_credentials_for_identity, IdentityId=other_id,
                 Logins=alice)[0] == "NotAuthorizedException"
    assert fails(guest.get_credentials_for_identity,
                 IdentityId="us-east-1:00000000-0000-0000-0000-000000000000"
                 )[0] == "ResourceNotFoundException"


def test_guests_only_where_allowed_and_roles_must_exist(identity: Any, guest: Any,
                                                        pool: UserPool, app: AppClient,
                                                        fails: Any) -> None:
    pool_id = identity_pool(identity, pool, app)
    guest_id = guest.get_id(IdentityPoolId=pool_id)["IdentityId"]
    identity.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={"authenticated": AUTH})
    assert fails(guest.get_credentials_for_identity, IdentityId=guest_id) == (
        "InvalidIdentityPoolConfigurationException",
        "Invalid identity pool configuration. Check assigned IAM roles for this pool.")
    identity.update_identity_pool(IdentityPoolId=pool_id, IdentityPoolName="photos",
                                  AllowUnauthenticatedIdentities=False)
    assert fails(guest.get_credentials_for_identity, IdentityId=guest_id) == (
        "NotAuthorizedException",
        "Unauthenticated access is not supported for this identity pool.")


def test_token_role_mapping(identity: Any, guest: Any, idp: Any, pool: UserPool,
                            app: AppClient, groups: None, sts_moto: str, fails: Any) -> None:
    pool_id = identity_pool(identity, pool, app)
    key = f"{provider_of(pool)}:{app.id}"
    identity.set_identity_pool_roles(
        IdentityPoolId=pool_id, Roles={"authenticated": AUTH, "unauthenticated": GUEST},
        RoleMappings={key: {"Type": "Token", "AmbiguousRoleResolution": "Deny"}})

    def logins(user: str) -> dict[str, str]:
        return {provider_of(pool): sign_in(idp, app, user)["IdToken"]}

    # cognito:preferred_role: the group of lowest precedence.
    assert role_of(credentials_of(guest, pool_id, logins("alice"))[1], sts_moto) == ADMINS
    # CustomRoleArn picks among the token's cognito:roles, never outside them.
    picked = credentials_of(guest, pool_id, logins("alice"), CustomRoleArn=READERS)[1]
    assert role_of(picked, sts_moto) == READERS
    alice = logins("alice")
    alice_id = guest.get_id(IdentityPoolId=pool_id, Logins=alice)["IdentityId"]
    code, _ = fails(guest.get_credentials_for_identity, IdentityId=alice_id, Logins=alice,
                    CustomRoleArn=AUTH)
    assert code == "NotAuthorizedException"
    assert role_of(credentials_of(guest, pool_id, logins("bob"))[1], sts_moto) == READERS
    # carol's token names no role: ambiguous, and Deny refuses.
    carol = logins("carol")
    carol_id = guest.get_id(IdentityPoolId=pool_id, Logins=carol)["IdentityId"]
    assert fails(guest.get_credentials_for_identity, IdentityId=carol_id, Logins=carol) == (
        "NotAuthorizedException",
        f"The ambiguous role mapping rules for: {key} denied this request.")
    identity.set_identity_pool_roles(
        IdentityPoolId=pool_id, Roles={"authenticated": AUTH},
        RoleMappings={key: {"Type": "Token", "AmbiguousRoleResolution": "AuthenticatedRole"}})
    answer = guest.get_credentials_for_identity(IdentityId=carol_id, Logins=carol)
    assert role_of(answer["Credentials"], sts_moto) == AUTH


def test_rules_role_mapping(identity: Any, guest: Any, idp: Any, pool: UserPool,
                            app: AppClient, groups: None, sts_moto: str, fails: Any) -> None:
    pool_id = identity_pool(identity, pool, app)
    key = f"{provider_of(pool)}:{app.id}"
    rules = [
        {"Claim": "cognito:username", "MatchType": "StartsWith", "Value": "ca",
         "RoleARN": ADMINS},
        {"Claim": "cognito:groups", "MatchType": "Contains", "Value": "readers",
         "RoleARN": READERS},
        {"Claim": "cognito:username", "MatchType": "Equals", "Value": "alice",
         "RoleARN": AUTH},
    ]
    identity.set_identity_pool_roles(
        IdentityPoolId=pool_id, Roles={"authenticated": AUTH},
        RoleMappings={key: {"Type": "Rules", "AmbiguousRoleResolution": "Deny",
                            "RulesConfiguration": {"Rules": rules}}})

    def logins(user: str) -> dict[str, str]:
        return {provider_of(pool): sign_in(idp, app, user)["IdToken"]}

    # The first matching rule in order wins; CustomRoleArn picks among the matching ones.
    assert role_of(credentials_of(guest, pool_id, logins("alice"))[1], sts_moto) == READERS
    picked = credentials_of(guest, pool_id, logins("alice"), CustomRoleArn=AUTH)[1]
    assert role_of(picked, sts_moto) == AUTH
    assert role_of(credentials_of(guest, pool_id, logins("carol"))[1], sts_moto) == ADMINS
    bob = logins("bob")
    bob_id = guest.get_id(IdentityPoolId=pool_id, Logins=bob)["IdentityId"]
    assert fails(guest.get_credentials_for_identity, IdentityId=bob_id, Logins=bob,
                 CustomRoleArn=ADMINS)[0] == "NotAuthorizedException"
    # No rule matches dave: Deny.
    create_user(pool, "dave")
    dave = logins("dave")
    dave_id = guest.get_id(IdentityPoolId=pool_id, Logins=dave)["IdentityId"]
    assert fails(guest.get_credentials_for_identity, IdentityId=dave_id, Logins=dave)[1] == \
        f"The ambiguous role mapping rules for: {key} denied this request."


def test_signed_out_user_pool_token_is_refused(identity: Any, guest: Any, idp: Any,
                                               pool: UserPool, app: AppClient, sts_moto: str,
                                               fails: Any) -> None:
    create_user(pool, "alice")
    pool_id = identity_pool(identity, pool, app)
    tokens = sign_in(idp, app, "alice")
    logins = {provider_of(pool): tokens["IdToken"]}
    identity_id = credentials_of(guest, pool_id, logins)[0]
    idp.global_sign_out(AccessToken=tokens["AccessToken"])
    assert fails(guest.get_credentials_for_identity, IdentityId=identity_id,
                 Logins=logins)[0] == "NotAuthorizedException"
    assert fails(guest.get_id, IdentityPoolId=pool_id, Logins=logins)[0] == \
        "NotAuthorizedException"


def test_open_id_token_only_with_the_classic_flow(identity: Any, guest: Any, idp: Any,
                                                  pool: UserPool, app: AppClient,
                                                  api_url: str, fails: Any) -> None:
    create_user(pool, "alice")
    pool_id = identity_pool(identity, pool, app)
    logins = {provider_of(pool): sign_in(idp, app, "alice")["IdToken"]}
    identity_id = guest.get_id(IdentityPoolId=pool_id, Logins=logins)["IdentityId"]
    assert fails(guest.get_open_id_token, IdentityId=identity_id, Logins=logins) == (
        "InvalidParameterException",
        "Basic (classic) flow is not enabled, please use enhanced flow.")
    identity.update_identity_pool(IdentityPoolId=pool_id, IdentityPoolName="photos",
                                  AllowUnauthenticatedIdentities=True, AllowClassicFlow=True,
                                  CognitoIdentityProviders=[{
                                      "ProviderName": provider_of(pool), "ClientId": app.id}])
    answer = guest.get_open_id_token(IdentityId=identity_id, Logins=logins)
    assert answer["IdentityId"] == identity_id

    # What AWS IAM does with it: discovery, then the JWKS, then an RS512 check.
    issuer = api_url.rstrip("/") + "/cognito-identity"
    with urllib.request.urlopen(f"{issuer}/.well-known/openid-configuration") as response:  # noqa: S310
        discovery = json.load(response)
    assert discovery["issuer"] == issuer
    assert discovery["id_token_signing_alg_values_supported"] == ["RS512"]
    header = jwt.get_unverified_header(answer["Token"])
    assert header["alg"] == "RS512" and header["typ"] == "JWS"
    key = jwt.PyJWKClient(discovery["jwks_uri"]).get_signing_key_from_jwt(answer["Token"])
    claims = jwt.decode(answer["Token"], key.key, algorithms=["RS512"], audience=pool_id,
                        issuer=issuer)
    sub = str(pool.users.get(username="alice").sub)
    assert claims["sub"] == identity_id and claims["exp"] - claims["iat"] == 600
    assert claims["amr"] == ["authenticated", provider_of(pool),
                             f"{provider_of(pool)}:CognitoSignIn:{sub}"]
    assert claims["https://cognito-identity.amazonaws.com/identity-pool-arn"] == \
        f"arn:aws:cognito-identity:us-east-1:000000000000:identitypool/{pool_id}"

    guest_id = guest.get_id(IdentityPoolId=pool_id)["IdentityId"]
    unauthenticated = jwt.decode(guest.get_open_id_token(IdentityId=guest_id)["Token"],
                                 options={"verify_signature": False})
    assert unauthenticated["amr"] == ["unauthenticated"]
    # Guests' tokens come from an issuer of their own, with its own discovery document, so
    # a trust policy can tell them apart by issuer alone.
    assert unauthenticated["iss"] == f"{issuer}/unauthenticated"
    guest_discovery = f"{issuer}/unauthenticated/.well-known/openid-configuration"
    with urllib.request.urlopen(guest_discovery) as response:  # noqa: S310
        assert json.load(response) == {**discovery, "issuer": f"{issuer}/unauthenticated"}


def test_merging_identities(identity: Any, guest: Any, idp: Any, pool: UserPool,
                            app: AppClient, make_pool: Any, make_client: Any) -> None:
    """Two logins that name two identities merge them into the older one (reference §8.3)."""
    second = make_pool(name="second")
    second_app = make_client(second, explicit_auth_flows=["ALLOW_USER_PASSWORD_AUTH"])
    create_user(pool, "alice")
    create_user(second, "alice")
    pool_id = identity.create_identity_pool(
        IdentityPoolName="photos", AllowUnauthenticatedIdentities=False,
        CognitoIdentityProviders=[
            {"ProviderName": provider_of(pool), "ClientId": app.id},
            {"ProviderName": provider_of(second), "ClientId": second_app.id}])["IdentityPoolId"]
    first = {provider_of(pool): sign_in(idp, app, "alice")["IdToken"]}
    other = {provider_of(second): sign_in(idp, second_app, "alice")["IdToken"]}
    first_id = guest.get_id(IdentityPoolId=pool_id, Logins=first)["IdentityId"]
    other_id = guest.get_id(IdentityPoolId=pool_id, Logins=other)["IdentityId"]
    assert first_id != other_id
    merged = guest.get_id(IdentityPoolId=pool_id, Logins={**first, **other})["IdentityId"]
    assert merged == first_id
    assert sorted(identity.describe_identity(IdentityId=first_id)["Logins"]) == \
        sorted([provider_of(pool), provider_of(second)])
    assert Identity.objects.get(pk=other_id).disabled
    assert guest.get_id(IdentityPoolId=pool_id, Logins=other)["IdentityId"] == first_id
    listed = identity.list_identities(IdentityPoolId=pool_id, MaxResults=10, HideDisabled=True)
    assert [entry["IdentityId"] for entry in listed["Identities"]] == [first_id]
    assert len(identity.list_identities(IdentityPoolId=pool_id,
                                        MaxResults=10)["Identities"]) == 2



def test_logins_keyed_by_the_issuer_as_amplify_builds_them(
        identity: Any, guest: Any, idp: Any, api_url: str, pool: UserPool, app: AppClient,
        sts_moto: str, fails: Any) -> None:
    """Amplify keys a user-pool login by the ID token's ``iss`` without its scheme; for a
    local pool that names the same provider as ``cognito-idp.<region>.amazonaws.com/<id>``."""
    create_user(pool, "alice")
    pool_id = identity_pool(identity, pool, app)
    token = sign_in(idp, app, "alice")["IdToken"]
    by_issuer = {f"{api_url.split('://', 1)[1]}/{pool.id}": token}
    identity_id, credentials = credentials_of(guest, pool_id, by_issuer)
    assert credentials_of(guest, pool_id, {provider_of(pool): token})[0] == identity_id
    assert role_of(credentials, sts_moto) == AUTH
    assert identity.describe_identity(IdentityId=identity_id)["Logins"] == [provider_of(pool)]
    assert fails(guest.get_id, IdentityPoolId=pool_id,
                 Logins={**by_issuer, provider_of(pool): token})[0] == \
        "InvalidParameterException"
    # Another host's issuer is not this server's pool.
    assert fails(guest.get_id, IdentityPoolId=pool_id,
                 Logins={f"elsewhere.example/{pool.id}": token}) == (
        "NotAuthorizedException",
        f"Invalid login token. Unsupported provider: elsewhere.example/{pool.id}")


def test_a_guest_signing_in_with_a_linked_login_gets_its_identity(
        identity: Any, guest: Any, idp: Any, pool: UserPool, app: AppClient, sts_moto: str,
        fails: Any) -> None:
    """GetCredentialsForIdentity of a guest with a login another identity holds answers
    with that identity and merges the guest into it (Amplify v6 after a sign-out)."""
    create_user(pool, "alice")
    pool_id = identity_pool(identity, pool, app)
    logins = {provider_of(pool): sign_in(idp, app, "alice")["IdToken"]}
    alice_id = guest.get_id(IdentityPoolId=pool_id, Logins=logins)["IdentityId"]
    guest_id = guest.get_id(IdentityPoolId=pool_id)["IdentityId"]
    answer = guest.get_credentials_for_identity(IdentityId=guest_id, Logins=logins)
    assert answer["IdentityId"] == alice_id
    assert role_of(answer["Credentials"], sts_moto) == AUTH
    assert Identity.objects.get(pk=guest_id).disabled
    assert not Identity.objects.get(pk=alice_id).disabled
    # A guest whose login no identity holds becomes that login's identity.
    create_user(pool, "bob")
    bob = {provider_of(pool): sign_in(idp, app, "bob")["IdToken"]}
    new_guest = guest.get_id(IdentityPoolId=pool_id)["IdentityId"]
    upgraded = guest.get_credentials_for_identity(IdentityId=new_guest, Logins=bob)
    assert upgraded["IdentityId"] == new_guest
    assert guest.get_id(IdentityPoolId=pool_id, Logins=bob)["IdentityId"] == new_guest
    # An identity with logins of its own still refuses another's (no merge).
    assert fails(guest.get_credentials_for_identity, IdentityId=new_guest,
                 Logins=logins)[0] == "NotAuthorizedException"


def test_a_new_login_cannot_take_over_someone_else_s_identity(
        identity: Any, guest: Any, idp: Any, pool: UserPool, app: AppClient, make_pool: Any,
        make_client: Any, sts_moto: str, fails: Any) -> None:
    """A login linked nowhere proves only its own user: presented with another user's
    identity id, it must not be linked to that identity (nor earn its credentials)."""
    second = make_pool(name="second")
    second_app = make_client(second, explicit_auth_flows=["ALLOW_USER_PASSWORD_AUTH"])
    create_user(pool, "alice")
    create_user(second, "mallory")
    create_user(second, "alice")
    pool_id = identity.create_identity_pool(
        IdentityPoolName="photos", AllowUnauthenticatedIdentities=True, AllowClassicFlow=True,
        CognitoIdentityProviders=[
            {"ProviderName": provider_of(pool), "ClientId": app.id},
            {"ProviderName": provider_of(second), "ClientId": second_app.id}])["IdentityPoolId"]
    identity.set_identity_pool_roles(IdentityPoolId=pool_id,
                                     Roles={"authenticated": AUTH, "unauthenticated": GUEST})
    alice = {provider_of(pool): sign_in(idp, app, "alice")["IdToken"]}
    alice_id = guest.get_id(IdentityPoolId=pool_id, Logins=alice)["IdentityId"]
    mallory = {provider_of(second): sign_in(idp, second_app, "mallory")["IdToken"]}
    for call in (guest.get_credentials_for_identity, guest.get_open_id_token):
        assert fails(call, IdentityId=alice_id, Logins=mallory) == (
            "NotAuthorizedException", "Logins don't match. Please include at least one valid "
            "login for this identity or identity pool.")
    assert identity.describe_identity(IdentityId=alice_id)["Logins"] == [provider_of(pool)]
    # mallory's login is still her own: GetId gives her a new identity.
    assert guest.get_id(IdentityPoolId=pool_id, Logins=mallory)["IdentityId"] != alice_id
    # alice links a second login with one of her own; a guest identity takes a first login.
    alice_too = {provider_of(second): sign_in(idp, second_app, "alice")["IdToken"]}
    guest.get_credentials_for_identity(IdentityId=alice_id, Logins={**alice, **alice_too})
    assert len(identity.describe_identity(IdentityId=alice_id)["Logins"]) == 2
    create_user(pool, "bob")
    guest_id = guest.get_id(IdentityPoolId=pool_id)["IdentityId"]
    bob = {provider_of(pool): sign_in(idp, app, "bob")["IdToken"]}
    answer = guest.get_credentials_for_identity(IdentityId=guest_id, Logins=bob)
    assert role_of(answer["Credentials"], sts_moto) == AUTH
    assert guest.get_id(IdentityPoolId=pool_id, Logins=bob)["IdentityId"] == guest_id


def test_a_refused_role_links_nothing(identity: Any, guest: Any, idp: Any, pool: UserPool,
                                      app: AppClient, sts_moto: str, fails: Any) -> None:
    """Deny or a CustomRoleArn outside the mapping leaves the guest identity a guest."""
    create_user(pool, "bob")
    pool_id = identity_pool(identity, pool, app)
    key = f"{provider_of(pool)}:{app.id}"
    identity.set_identity_pool_roles(
        IdentityPoolId=pool_id, Roles={"authenticated": AUTH, "unauthenticated": GUEST},
        RoleMappings={key: {"Type": "Rules", "AmbiguousRoleResolution": "Deny",
                            "RulesConfiguration": {"Rules": [
                                {"Claim": "cognito:username", "MatchType": "Equals",
                                 "Value": "bob", "RoleARN": READERS}]}}})
    guest_id = guest.get_id(IdentityPoolId=pool_id)["IdentityId"]
    bob = {provider_of(pool): sign_in(idp, app, "bob")["IdToken"]}
    assert fails(guest.get_credentials_for_identity, IdentityId=guest_id, Logins=bob,
                 CustomRoleArn=ADMINS)[0] == "NotAuthorizedException"
    assert identity.describe_identity(IdentityId=guest_id)["Logins"] == []
    assert role_of(guest.get_credentials_for_identity(IdentityId=guest_id)["Credentials"],
                   sts_moto) == GUEST


def test_rules_match_boolean_claims_as_the_token_spells_them(
        identity: Any, guest: Any, idp: Any, pool: UserPool, app: AppClient, sts_moto: str
) -> None:
    create_user(pool, "bob")  # email_verified: true in his ID token
    pool_id = identity_pool(identity, pool, app)
    key = f"{provider_of(pool)}:{app.id}"
    identity.set_identity_pool_roles(
        IdentityPoolId=pool_id, Roles={"authenticated": AUTH},
        RoleMappings={key: {"Type": "Rules", "AmbiguousRoleResolution": "AuthenticatedRole",
                            "RulesConfiguration": {"Rules": [
                                {"Claim": "email_verified", "MatchType": "NotEqual",
                                 "Value": "true", "RoleARN": GUEST},
                                {"Claim": "email_verified", "MatchType": "Equals",
                                 "Value": "true", "RoleARN": READERS}]}}})
    bob = {provider_of(pool): sign_in(idp, app, "bob")["IdToken"]}
    assert role_of(credentials_of(guest, pool_id, bob)[1], sts_moto) == READERS
