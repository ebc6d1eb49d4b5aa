// aws-amplify v6 in Node against the live server (userPoolEndpoint).
// Env: ENDPOINT, POOL_ID, CLIENT_ID, USERNAME, PASSWORD, FLOW (USER_SRP_AUTH or
// USER_PASSWORD_AUTH).
import { Amplify } from "aws-amplify";
import {
  fetchAuthSession,
  fetchUserAttributes,
  getCurrentUser,
  signIn,
  signOut,
} from "aws-amplify/auth";
import { cognitoUserPoolsTokenProvider } from "aws-amplify/auth/cognito";
import { env, failure, main } from "./lib.mjs";

// Amplify keeps tokens in a key-value store; this one lets the test read the refresh token.
class MemoryStorage {
  constructor() { this.items = new Map(); }
  async setItem(key, value) { this.items.set(key, value); }
  async getItem(key) { return this.items.has(key) ? this.items.get(key) : null; }
  async removeItem(key) { this.items.delete(key); }
  async clear() { this.items.clear(); }
  refreshToken() {
    for (const [key, value] of this.items) {
      if (key.endsWith(".refreshToken")) return value;
    }
    return null;
  }
}

main(async () => {
  Amplify.configure({
    Auth: { Cognito: { userPoolId: env("POOL_ID"), userPoolClientId: env("CLIENT_ID"),
                       userPoolEndpoint: env("ENDPOINT") } },
  });
  const storage = new MemoryStorage();
  cognitoUserPoolsTokenProvider.setKeyValueStorage(storage);
  const options = { authFlowType: env("FLOW") };
  const username = env("USERNAME");

  const wrongPassword = await failure(() => signIn({
    username, password: `${env("PASSWORD")}x`, options }));
  const signedIn = await signIn({ username, password: env("PASSWORD"), options });
  const current = await getCurrentUser();
  const attributes = await fetchUserAttributes();
  const first = await fetchAuthSession();
  const refreshTokenBefore = storage.refreshToken();
  const refreshed = await fetchAuthSession({ forceRefresh: true });
  const refreshTokenAfter = storage.refreshToken();
  await signOut();
  const afterSignOut = await failure(() => getCurrentUser());
  return {
    wrongPassword,
    signIn: { isSignedIn: signedIn.isSignedIn, nextStep: signedIn.nextStep.signInStep },
    currentUser: { username: current.username, userId: current.userId },
    attributes,
    first: { accessToken: first.tokens.accessToken.toString(),
             idToken: first.tokens.idToken.toString() },
    refreshed: { accessToken: refreshed.tokens.accessToken.toString(),
                 idToken: refreshed.tokens.idToken.toString() },
    refreshTokenBefore,
    refreshTokenAfter,
    afterSignOut,
    storageAfterSignOut: storage.items.size,
  };
});
