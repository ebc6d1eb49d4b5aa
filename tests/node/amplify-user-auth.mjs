// aws-amplify v6 in Node: choice-based sign-in (authFlowType USER_AUTH) against the live
// server. Env: ENDPOINT, POOL_ID, CLIENT_ID, USERNAME, PASSWORD, CODE (the one-time code the
// server sends; the test fixes it), NEW_USERNAME and NEW_EMAIL (signed up, then signed in by
// autoSignIn).
import { Amplify } from "aws-amplify";
import {
  autoSignIn,
  confirmSignIn,
  confirmSignUp,
  fetchAuthSession,
  getCurrentUser,
  signIn,
  signOut,
  signUp,
} from "aws-amplify/auth";
import { env, failure, main } from "./lib.mjs";

async function signedInAs() {
  const session = await fetchAuthSession();
  const user = await getCurrentUser();
  await signOut();
  return { username: user.username, accessToken: session.tokens.accessToken.toString() };
}

function step(result) {
  const next = result.nextStep;
  return { isSignedIn: result.isSignedIn, signInStep: next.signInStep,
           availableChallenges: next.availableChallenges ?? null,
           destination: next.codeDeliveryDetails?.destination ?? null };
}

await main(async () => {
  Amplify.configure({
    Auth: { Cognito: { userPoolId: env("POOL_ID"), userPoolClientId: env("CLIENT_ID"),
                       userPoolEndpoint: env("ENDPOINT") } },
  });
  const username = env("USERNAME");
  const code = env("CODE");
  const password = env("PASSWORD");

  // 1. A preferred email code.
  const emailStart = await signIn({ username,
    options: { authFlowType: "USER_AUTH", preferredChallenge: "EMAIL_OTP" } });
  const wrongCode = await failure(() => confirmSignIn({ challengeResponse: "000000" }));
  const emailDone = await confirmSignIn({ challengeResponse: code });
  const byEmail = await signedInAs();

  // 2. No preference: the server offers the choices; pick SMS.
  const selection = await signIn({ username, options: { authFlowType: "USER_AUTH" } });
  const smsStart = await confirmSignIn({ challengeResponse: "SMS_OTP" });
  const smsDone = await confirmSignIn({ challengeResponse: code });
  const bySms = await signedInAs();

  // 3. The choice of a password, proven by SRP.
  const again = await signIn({ username, options: { authFlowType: "USER_AUTH" } });
  const passwordStep = await confirmSignIn({ challengeResponse: "PASSWORD_SRP" });
  const passwordDone = await confirmSignIn({ challengeResponse: password });
  const byPassword = await signedInAs();

  // 4. A preferred password sent up front.
  const direct = await signIn({ username, password,
    options: { authFlowType: "USER_AUTH", preferredChallenge: "PASSWORD" } });
  const byDirectPassword = await signedInAs();

  // 5. Sign up, confirm, and autoSignIn with the Sessions of SignUp and ConfirmSignUp.
  const signedUp = await signUp({ username: env("NEW_USERNAME"), password,
    options: { userAttributes: { email: env("NEW_EMAIL") },
               autoSignIn: { authFlowType: "USER_AUTH" } } });
  const confirmed = await confirmSignUp({ username: env("NEW_USERNAME"),
                                          confirmationCode: code });
  const autoSignedIn = await autoSignIn();
  const byAutoSignIn = await signedInAs();

  return {
    signedUp: signedUp.nextStep.signUpStep, confirmed: confirmed.nextStep.signUpStep,
    autoSignedIn: step(autoSignedIn), byAutoSignIn,
    emailStart: step(emailStart), wrongCode, emailDone: step(emailDone), byEmail,
    selection: step(selection), smsStart: step(smsStart), smsDone: step(smsDone), bySms,
    again: step(again), passwordStep: step(passwordStep), passwordDone: step(passwordDone),
    byPassword, direct: step(direct), byDirectPassword,
  };
});
// autoSignIn leaves a three-minute timer behind (Amplify's polling limit): do not wait for it.
process.exit(process.exitCode ?? 0);
