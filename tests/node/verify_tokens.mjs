// Verifies tokens with aws-jwt-verify: reads {"checks": [...]} as JSON on stdin, fetches each
// check's JWKS over HTTP with Node's fetch (the package's own fetcher speaks https only) and
// writes one {"ok", "payload"} or {"ok", "error", "message"} per check as JSON on stdout.
import { CognitoJwtVerifier, JwtVerifier } from "aws-jwt-verify";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const { checks } = JSON.parse(Buffer.concat(chunks).toString());

const results = [];
for (const check of checks) {
  try {
    const response = await fetch(check.jwksUrl);
    if (response.status !== 200) throw new Error(`JWKS status ${response.status}`);
    const jwks = await response.json();
    const verifier = check.kind === "cognito"
      ? CognitoJwtVerifier.create({
          userPoolId: check.userPoolId, tokenUse: check.tokenUse, clientId: check.clientId,
        })
      : JwtVerifier.create({
          issuer: check.issuer, audience: check.audience ?? null, jwksUri: check.jwksUrl,
        });
    verifier.cacheJwks(jwks);
    results.push({ ok: true, payload: await verifier.verify(check.token) });
  } catch (err) {
    results.push({ ok: false, error: err.constructor.name, message: err.message });
  }
}
process.stdout.write(JSON.stringify(results));
