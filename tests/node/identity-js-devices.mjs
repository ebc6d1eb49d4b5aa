// amazon-cognito-identity-js with device tracking: the first sign-in confirms the device it
// is handed, the next one (same storage) proves that device with DEVICE_SRP_AUTH, then the
// device calls. Env: ENDPOINT, POOL_ID, CLIENT_ID, USERNAME, PASSWORD.
import {
  AuthenticationDetails,
  CognitoUser,
  CognitoUserPool,
} from "amazon-cognito-identity-js";
import { MemoryStorage, env, main, promised } from "./lib.mjs";

function callbacks(user, method, ...args) {
  return new Promise((resolve, reject) => {
    user[method](...args, { onSuccess: resolve, onFailure: reject });
  });
}

function authenticate(user, password) {
  const details = new AuthenticationDetails({ Username: user.getUsername(), Password: password });
  return new Promise((resolve, reject) => {
    user.authenticateUser(details, {
      onSuccess: (session, confirmationNecessary) => resolve({ session, confirmationNecessary }),
      onFailure: reject,
      mfaRequired: () => reject(new Error("unexpected MFA challenge")),
      newPasswordRequired: () => reject(new Error("unexpected NEW_PASSWORD_REQUIRED")),
    });
  });
}

main(async () => {
  const storage = new MemoryStorage();
  const pool = new CognitoUserPool({ UserPoolId: env("POOL_ID"), ClientId: env("CLIENT_ID"),
                                     endpoint: env("ENDPOINT"), Storage: storage });
  const newUser = () => {
    const user = new CognitoUser({ Username: env("USERNAME"), Pool: pool, Storage: storage });
    user.setAuthenticationFlowType("USER_SRP_AUTH");
    return user;
  };
  const first = newUser();
  const signedIn = await authenticate(first, env("PASSWORD"));
  const deviceKey = first.deviceKey;
  const second = newUser();
  const again = await authenticate(second, env("PASSWORD"));
  const refreshed = await promised(second, "refreshSession", again.session.getRefreshToken());
  const device = await callbacks(second, "getDevice");
  const listed = await callbacks(second, "listDevices", 10, null);
  const notRemembered = await callbacks(second, "setDeviceStatusNotRemembered");
  const afterStatus = await callbacks(second, "getDevice");
  const forgotten = await callbacks(second, "forgetDevice");
  return {
    deviceKey,
    confirmationNecessary: signedIn.confirmationNecessary ?? false,
    firstAccessToken: signedIn.session.getAccessToken().getJwtToken(),
    secondAccessToken: again.session.getAccessToken().getJwtToken(),
    refreshedAccessToken: refreshed.getAccessToken().getJwtToken(),
    device: device.Device,
    listed: listed.Devices.map((d) => d.DeviceKey),
    notRemembered,
    afterStatus: afterStatus.Device,
    forgotten,
  };
});
