// Identity pools from Node against the live server: aws-amplify v6 fetchAuthSession
// (STEP=amplify) and @aws-sdk/credential-providers fromCognitoIdentityPool (STEP=sdk).
// The credentials come from moto's STS; S3 (moto) is tried with them.
// Env: ENDPOINT, POOL_ID, CLIENT_ID, IDENTITY_POOL_ID, MOTO_URL, BUCKET, AWS_REGION;
// STEP=amplify also USERNAME, PASSWORD; STEP=sdk also ID_TOKEN.
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client }
  from "@aws-sdk/client-s3";
import { fromCognitoIdentityPool } from "@aws-sdk/credential-providers";
import { Amplify } from "aws-amplify";
import { fetchAuthSession, signIn, signOut } from "aws-amplify/auth";
import { env, failure, main } from "./lib.mjs";

// Credentials as plain data, in the shape the Python side hands to STS.
function plain(credentials) {
  return { AccessKeyId: credentials.accessKeyId, SecretKey: credentials.secretAccessKey,
           SessionToken: credentials.sessionToken,
           Expiration: credentials.expiration?.toISOString() ?? null };
}

// PutObject then GetObject with the credentials (or a provider of them); the body read back.
async function roundTrip(credentials, key) {
  const s3 = new S3Client({ region: env("AWS_REGION"), endpoint: env("MOTO_URL"),
                            forcePathStyle: true, credentials, maxAttempts: 1 });
  await s3.send(new CreateBucketCommand({ Bucket: env("BUCKET") })).catch((error) => {
    if (error.name !== "BucketAlreadyOwnedByYou") throw error;
  });
  await s3.send(new PutObjectCommand({ Bucket: env("BUCKET"), Key: key, Body: `hello ${key}` }));
  const got = await s3.send(new GetObjectCommand({ Bucket: env("BUCKET"), Key: key }));
  return got.Body.transformToString();
}

async function session() {
  const { identityId, credentials } = await fetchAuthSession();
  return { identityId, credentials: plain(credentials) };
}

// A guest, then alice signed in (the guest identity becomes hers), signed out (a new guest),
// signed in again (her identity comes back, whatever guest id Amplify kept).
async function amplify() {
  Amplify.configure({
    Auth: { Cognito: { userPoolId: env("POOL_ID"), userPoolClientId: env("CLIENT_ID"),
                       userPoolEndpoint: env("ENDPOINT"),
                       identityPoolId: env("IDENTITY_POOL_ID"),
                       identityPoolEndpoint: env("ENDPOINT"), allowGuestAccess: true } },
  });
  const credentials = { username: env("USERNAME"), password: env("PASSWORD"),
                        options: { authFlowType: "USER_SRP_AUTH" } };
  const guest = await session();
  await signIn(credentials);
  const signedIn = await session();
  const { credentials: live } = await fetchAuthSession();
  const s3Body = await roundTrip(live, "amplify.txt");
  await signOut();
  const guestAgain = await session();
  await signIn(credentials);
  const signedInAgain = await session();
  await signOut();
  return { guest, signedIn, s3Body, guestAgain, signedInAgain };
}

// fromCognitoIdentityPool with alice's ID token, as a guest, and with a forged token.
async function sdk() {
  const base = { identityPoolId: env("IDENTITY_POOL_ID"),
                 clientConfig: { endpoint: env("ENDPOINT"), region: env("AWS_REGION"),
                                 maxAttempts: 1 } };
  const key = `cognito-idp.${env("AWS_REGION")}.amazonaws.com/${env("POOL_ID")}`;
  const provider = fromCognitoIdentityPool({ ...base, logins: { [key]: env("ID_TOKEN") } });
  const signedIn = await provider();
  const s3Body = await roundTrip(provider, "sdk.txt");
  const guest = await fromCognitoIdentityPool(base)();
  const [header, payload] = env("ID_TOKEN").split(".");
  const forged = await failure(() => fromCognitoIdentityPool(
    { ...base, logins: { [key]: `${header}.${payload}.c2lnbmF0dXJl` } })());
  return {
    signedIn: { identityId: signedIn.identityId, credentials: plain(signedIn) },
    guest: { identityId: guest.identityId, credentials: plain(guest) },
    s3Body, forged,
  };
}

main(() => (env("STEP") === "amplify" ? amplify() : sdk()));
