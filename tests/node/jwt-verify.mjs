// aws-jwt-verify's generic JwtVerifier against a self-hosted issuer over http.
// Env: ISSUER, JWKS_URI, CLIENT_ID, ID_TOKEN, ACCESS_TOKEN.
import { JwtVerifier } from "aws-jwt-verify";
import { validateCognitoJwtFields } from "aws-jwt-verify/cognito-verifier";
import { SimpleJwksCache } from "aws-jwt-verify/jwk";
import { env, failure, main } from "./lib.mjs";

// The library's own fetcher refuses http:// URLs; a loopback server gets one built on fetch.
const httpFetcher = {
  fetches: 0,
  async fetch(uri) {
    this.fetches += 1;
    const response = await fetch(uri);
    if (!response.ok) throw new Error(`JWKS fetch failed: ${response.status}`);
    return response.arrayBuffer();
  },
};

function verifiers(issuer, jwksUri, clientId) {
  const jwksCache = new SimpleJwksCache({ fetcher: httpFetcher });
  const idVerifier = JwtVerifier.create(
    { issuer, jwksUri, audience: clientId,
      customJwtCheck: ({ payload }) =>
        validateCognitoJwtFields(payload, { tokenUse: "id", clientId }) },
    { jwksCache });
  // Access tokens carry no aud: check client_id and token_use the way CognitoJwtVerifier does.
  const accessVerifier = JwtVerifier.create(
    { issuer, jwksUri, audience: null,
      customJwtCheck: ({ payload }) =>
        validateCognitoJwtFields(payload, { tokenUse: "access", clientId }) },
    { jwksCache });
  return { idVerifier, accessVerifier };
}

main(async () => {
  const issuer = env("ISSUER");
  const jwksUri = env("JWKS_URI");
  const clientId = env("CLIENT_ID");
  const idToken = env("ID_TOKEN");
  const accessToken = env("ACCESS_TOKEN");
  const { idVerifier, accessVerifier } = verifiers(issuer, jwksUri, clientId);
  const idClaims = await idVerifier.verify(idToken);
  const accessClaims = await accessVerifier.verify(accessToken);

  const [head, body, signature] = accessToken.split(".");
  const claims = JSON.parse(Buffer.from(body, "base64url").toString());
  const tampered = [head, Buffer.from(JSON.stringify({ ...claims, username: "mallory" }))
    .toString("base64url"), signature].join(".");
  const others = verifiers(issuer, jwksUri, "some-other-client");
  const wrongIssuer = verifiers(`${issuer}x`, jwksUri, clientId);
  const rejections = {
    idTokenAsAccess: await failure(() => accessVerifier.verify(idToken)),
    accessTokenAsId: await failure(() => idVerifier.verify(accessToken)),
    tampered: await failure(() => accessVerifier.verify(tampered)),
    otherClientId: await failure(() => others.idVerifier.verify(idToken)),
    otherClientAccess: await failure(() => others.accessVerifier.verify(accessToken)),
    wrongIssuer: await failure(() => wrongIssuer.accessVerifier.verify(accessToken)),
  };
  return { idClaims, accessClaims, rejections, jwksFetches: httpFetcher.fetches };
});
