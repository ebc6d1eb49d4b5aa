// A real OpenID Connect provider on loopback (npm oidc-provider, a certified implementation)
// standing in for an OIDC IdP, and for Google's endpoints, in federation tests.
//
//   node oidc-idp.mjs <port> '<clients JSON>'
//
// Clients: [{client_id, client_secret, redirect_uris}]. Its development login form takes any
// password: the login becomes the subject. Prints "READY <issuer>" once it listens.
import Provider from "oidc-provider";

const port = Number(process.argv[2]);
const clients = JSON.parse(process.argv[3] || "[]").map((client) => ({
  application_type: "native", // http on loopback is allowed for native clients
  grant_types: ["authorization_code"],
  response_types: ["code"],
  token_endpoint_auth_method: "client_secret_post",
  ...client,
}));
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients,
  pkce: { required: () => false },
  claims: {
    openid: ["sub"],
    email: ["email", "email_verified"],
    profile: ["name", "given_name", "family_name"],
  },
  features: { devInteractions: { enabled: true } },
  conformIdTokenClaims: false, // the ID token carries the scopes' claims, as Google's does
  async findAccount(ctx, sub) {
    return {
      accountId: sub,
      async claims() {
        return { sub, email: `${sub}@idp.example`, email_verified: true,
                 name: `User ${sub}`, given_name: "User", family_name: sub };
      },
    };
  },
});
provider.proxy = false;
const server = provider.listen(port, "127.0.0.1", () => {
  console.log(`READY ${issuer}`);
});
// Stop at once: a kept-alive browser connection must not keep the provider running.
process.on("SIGTERM", () => process.exit(0));
