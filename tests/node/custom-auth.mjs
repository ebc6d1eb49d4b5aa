// amazon-cognito-identity-js's custom authentication (CUSTOM_AUTH) against the live server,
// with the example project's passwordless receivers: a one-time code sent by SMS.
// Env: ENDPOINT, POOL_ID, CLIENT_ID, USERNAME. When the first challenge arrives the script
// prints `CHALLENGE <json>` and reads the code from stdin (the test reads the SMS outbox).
import readline from "node:readline";
import {
  AuthenticationDetails,
  CognitoUser,
  CognitoUserPool,
} from "amazon-cognito-identity-js";
import { MemoryStorage, describe, env, main } from "./lib.mjs";

// Each step settles with what the library called back: a challenge, a session or an error.
function callbacks(resolve) {
  return {
    customChallenge: (parameters) => resolve({ challenge: parameters }),
    onSuccess: (session) => resolve({ session }),
    onFailure: (error) => resolve({ error: describe(error) }),
  };
}

function initiate(user) {
  const details = new AuthenticationDetails({ Username: user.getUsername() });
  return new Promise((resolve) => user.initiateAuth(details, callbacks(resolve)));
}

function sendAnswer(user, value, clientMetadata) {
  return new Promise((resolve) => {
    user.sendCustomChallengeAnswer(value, callbacks(resolve), clientMetadata);
  });
}

function wrongCode(code) {
  const last = (Number(code.at(-1)) + 1) % 10;
  return `${code.slice(0, -1)}${last}`;
}

main(async () => {
  const storage = new MemoryStorage();
  const pool = new CognitoUserPool({ UserPoolId: env("POOL_ID"), ClientId: env("CLIENT_ID"),
                                     endpoint: env("ENDPOINT"), Storage: storage });
  const newUser = () => new CognitoUser({ Username: env("USERNAME"), Pool: pool,
                                          Storage: storage });
  const input = readline.createInterface({ input: process.stdin })[Symbol.asyncIterator]();

  const user = newUser();
  user.setAuthenticationFlowType("CUSTOM_AUTH");
  const first = await initiate(user);
  if (!first.challenge) throw new Error(`expected a challenge, got ${JSON.stringify(first)}`);
  process.stdout.write(`CHALLENGE ${JSON.stringify(first.challenge)}\n`);
  const code = String((await input.next()).value ?? "").trim();
  const retry = await sendAnswer(user, wrongCode(code));
  const signedIn = await sendAnswer(user, code, { channel: "node" });
  if (!signedIn.session) throw new Error(`sign-in failed: ${JSON.stringify(signedIn)}`);
  const session = signedIn.session;

  // A second flow, answered wrong three times.
  const other = newUser();
  other.setAuthenticationFlowType("CUSTOM_AUTH");
  const rounds = [await initiate(other)];
  for (let i = 0; i < 3; i += 1) rounds.push(await sendAnswer(other, "000000x"));

  return {
    firstChallenge: first.challenge,
    retryChallenge: retry.challenge ?? null,
    retryError: retry.error ?? null,
    session: {
      idToken: session.getIdToken().getJwtToken(),
      accessToken: session.getAccessToken().getJwtToken(),
      refreshToken: session.getRefreshToken().getToken(),
      valid: session.isValid(),
    },
    currentUser: pool.getCurrentUser()?.getUsername() ?? null,
    wrongThrice: rounds.map((round) => (round.challenge ? "challenge"
      : round.error ? round.error : "session")),
  };
});
