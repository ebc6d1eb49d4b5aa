// amazon-cognito-identity-js (the SRP client under Amplify v5) against the live server.
// Env: ENDPOINT, POOL_ID, CLIENT_ID, USERNAME, PASSWORD, NEW_PASSWORD (set by changePassword).
import {
  AuthenticationDetails,
  CognitoUser,
  CognitoUserPool,
} from "amazon-cognito-identity-js";
import { MemoryStorage, env, failure, main, promised } from "./lib.mjs";

function authenticate(user, password) {
  const details = new AuthenticationDetails({ Username: user.getUsername(), Password: password });
  return new Promise((resolve, reject) => {
    user.authenticateUser(details, {
      onSuccess: resolve,
      onFailure: reject,
      newPasswordRequired: () => reject(new Error("unexpected NEW_PASSWORD_REQUIRED")),
    });
  });
}

main(async () => {
  const storage = new MemoryStorage();
  const pool = new CognitoUserPool({ UserPoolId: env("POOL_ID"), ClientId: env("CLIENT_ID"),
                                     endpoint: env("ENDPOINT"), Storage: storage });
  const newUser = () => new CognitoUser({ Username: env("USERNAME"), Pool: pool,
                                          Storage: storage });
  const wrongPassword = await failure(() => authenticate(newUser(), `${env("PASSWORD")}x`));
  const user = newUser();
  user.setAuthenticationFlowType("USER_SRP_AUTH");
  const session = await authenticate(user, env("PASSWORD"));
  const attributes = await promised(user, "getUserAttributes");
  const refreshed = await promised(user, "refreshSession", session.getRefreshToken());
  await promised(user, "changePassword", env("PASSWORD"), env("NEW_PASSWORD"));
  const wrongOldPassword = await failure(
    () => promised(user, "changePassword", env("PASSWORD"), `${env("NEW_PASSWORD")}y`));
  const signedIn = {
    idToken: session.getIdToken().getJwtToken(),
    accessToken: session.getAccessToken().getJwtToken(),
    refreshToken: session.getRefreshToken().getToken(),
    valid: session.isValid(),
  };
  return {
    wrongPassword,
    session: signedIn,
    attributes: Object.fromEntries(attributes.map((a) => [a.getName(), a.getValue()])),
    refreshedAccessToken: refreshed.getAccessToken().getJwtToken(),
    currentUser: pool.getCurrentUser()?.getUsername() ?? null,
    wrongOldPassword,
    globalSignOut: await new Promise((resolve) => {
      user.globalSignOut({ onSuccess: () => resolve("ok"), onFailure: (e) => resolve(e.name) });
    }),
  };
});
