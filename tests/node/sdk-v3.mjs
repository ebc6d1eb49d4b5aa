// @aws-sdk/client-cognito-identity-provider v3 against the live server.
// Env: ENDPOINT, CLIENT_ID, USERNAME, PASSWORD, EMAIL, STEP ("sign-up" or "confirm");
// STEP=confirm also needs CODE; POOL_ID, ACCESS_KEY_ID and SECRET_ACCESS_KEY sign an admin call.
import {
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
  ConfirmSignUpCommand,
  GetUserCommand,
  InitiateAuthCommand,
  SignUpCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { env, failure, main } from "./lib.mjs";

function client(credentials) {
  return new CognitoIdentityProviderClient({
    region: env("AWS_REGION"), endpoint: env("ENDPOINT"), maxAttempts: 1,
    // Public operations go unsigned whatever credentials say; admin calls sign with these.
    credentials: credentials ?? { accessKeyId: "AKIAUNUSED0000000000", secretAccessKey: "unused" },
  });
}

async function signUp() {
  const cognito = client();
  const answer = await cognito.send(new SignUpCommand({
    ClientId: env("CLIENT_ID"), Username: env("USERNAME"), Password: env("PASSWORD"),
    UserAttributes: [{ Name: "email", Value: env("EMAIL") }],
  }));
  const duplicate = await failure(() => cognito.send(new SignUpCommand({
    ClientId: env("CLIENT_ID"), Username: env("USERNAME"), Password: env("PASSWORD"),
  })));
  const early = await failure(() => cognito.send(new InitiateAuthCommand({
    ClientId: env("CLIENT_ID"), AuthFlow: "USER_PASSWORD_AUTH",
    AuthParameters: { USERNAME: env("USERNAME"), PASSWORD: env("PASSWORD") },
  })));
  return { userConfirmed: answer.UserConfirmed, userSub: answer.UserSub,
           codeDelivery: answer.CodeDeliveryDetails, duplicate, signInBeforeConfirm: early };
}

async function confirm() {
  const cognito = client();
  const wrongCode = await failure(() => cognito.send(new ConfirmSignUpCommand({
    ClientId: env("CLIENT_ID"), Username: env("USERNAME"),
    ConfirmationCode: env("CODE") === "000000" ? "111111" : "000000",
  })));
  await cognito.send(new ConfirmSignUpCommand({
    ClientId: env("CLIENT_ID"), Username: env("USERNAME"), ConfirmationCode: env("CODE"),
  }));
  const wrongPassword = await failure(() => cognito.send(new InitiateAuthCommand({
    ClientId: env("CLIENT_ID"), AuthFlow: "USER_PASSWORD_AUTH",
    AuthParameters: { USERNAME: env("USERNAME"), PASSWORD: `${env("PASSWORD")}x` },
  })));
  const auth = await cognito.send(new InitiateAuthCommand({
    ClientId: env("CLIENT_ID"), AuthFlow: "USER_PASSWORD_AUTH",
    AuthParameters: { USERNAME: env("USERNAME"), PASSWORD: env("PASSWORD") },
  }));
  const tokens = auth.AuthenticationResult;
  const user = await cognito.send(new GetUserCommand({ AccessToken: tokens.AccessToken }));
  const admin = client({ accessKeyId: env("ACCESS_KEY_ID"),
                         secretAccessKey: env("SECRET_ACCESS_KEY") });
  const adminUser = await admin.send(new AdminGetUserCommand({
    UserPoolId: env("POOL_ID"), Username: env("USERNAME"),
  }));
  const unknownKeyAdmin = await failure(() => client().send(new AdminGetUserCommand({
    UserPoolId: env("POOL_ID"), Username: env("USERNAME"),
  })));
  return {
    wrongCode, wrongPassword,
    tokens: { accessToken: tokens.AccessToken, idToken: tokens.IdToken,
              refreshToken: tokens.RefreshToken, expiresIn: tokens.ExpiresIn,
              tokenType: tokens.TokenType },
    user: { username: user.Username,
            attributes: Object.fromEntries(user.UserAttributes.map((a) => [a.Name, a.Value])) },
    adminUser: { username: adminUser.Username, status: adminUser.UserStatus,
                 enabled: adminUser.Enabled },
    unknownKeyAdmin,
  };
}

main(() => (env("STEP") === "sign-up" ? signUp() : confirm()));
