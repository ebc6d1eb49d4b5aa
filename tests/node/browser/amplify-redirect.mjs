// The Amplify v6 "app" of tests/hosted/test_amplify_redirect.py, bundled for the browser by
// ../build-browser.mjs. Its configuration comes from the page (window.AMPLIFY_CONFIG); it
// configures Amplify on every load, so the redirect back with ?code= finishes the sign-in.
import { Amplify } from "aws-amplify";
import { Hub } from "aws-amplify/utils";
import { fetchAuthSession, signInWithRedirect, signOut } from "aws-amplify/auth";
// Finishes the code flow when the page loads on the redirect URI (signInWithRedirect imports
// it too; a page that does not should import it itself).
import "aws-amplify/auth/enable-oauth-listener";

const events = [];
Hub.listen("auth", ({ payload }) => {
  events.push({ event: payload.event, message: payload.data?.message ?? payload.data?.error?.message ?? null });
});

Amplify.configure(window.AMPLIFY_CONFIG);

function describe(error) {
  return { name: error?.name ?? "Error", message: error?.message ?? String(error) };
}

// fetchAuthSession as plain data: the tokens and their payloads.
async function session(options = {}) {
  try {
    const { tokens, userSub } = await fetchAuthSession(options);
    if (!tokens) return { ok: true, tokens: null, userSub: userSub ?? null };
    return {
      ok: true,
      userSub: userSub ?? null,
      tokens: {
        idToken: tokens.idToken?.toString() ?? null,
        idPayload: tokens.idToken?.payload ?? null,
        accessToken: tokens.accessToken.toString(),
        accessPayload: tokens.accessToken.payload,
      },
    };
  } catch (error) {
    return { ok: false, error: describe(error) };
  }
}

// Each action also sits behind a button, so a test can click instead of calling.
async function run(action) {
  try {
    await action();
    return { ok: true };
  } catch (error) {
    return { ok: false, error: describe(error) };
  }
}

window.amplifyTest = {
  events,
  session,
  signIn: () => run(() => signInWithRedirect()),
  signOut: () => run(() => signOut()),
};

for (const [id, action] of [["sign-in", window.amplifyTest.signIn],
                            ["sign-out", window.amplifyTest.signOut]]) {
  document.getElementById(id).addEventListener("click", async () => {
    const result = await action();
    if (!result.ok) document.getElementById("error").textContent = result.error.message;
  });
}
document.body.dataset.ready = "true";
