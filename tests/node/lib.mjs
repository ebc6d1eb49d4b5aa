// Shared by the scripts: configuration from the environment and one JSON result line.

export function env(name) {
  const value = process.env[name];
  if (value === undefined || value === "") {
    throw new Error(`environment variable ${name} is required`);
  }
  return value;
}

// An error as plain data, whatever library threw it.
export function describe(error) {
  const named = error?.name && error.name !== "Error" ? error.name : null;
  return {
    name: named ?? error?.constructor?.name ?? "Error",
    type: error?.constructor?.name ?? null,
    code: error?.code ?? error?.__type ?? null,
    message: error?.message ?? String(error),
  };
}

// Runs `fn(error)` expecting it to throw; the thrown error as data, or null if it did not.
export async function failure(fn) {
  try {
    await fn();
  } catch (error) {
    return describe(error);
  }
  return null;
}

// The pytest wrapper reads the last line starting with RESULT; libraries may log around it.
export async function main(run) {
  try {
    const result = await run();
    process.stdout.write(`RESULT ${JSON.stringify({ ok: true, ...result })}\n`);
  } catch (error) {
    process.stdout.write(`RESULT ${JSON.stringify({ ok: false, error: describe(error),
                                                     stack: error?.stack ?? null })}\n`);
    process.exitCode = 1;
  }
}

// amazon-cognito-identity-js keeps its session in a synchronous key-value store.
export class MemoryStorage {
  constructor() { this.items = new Map(); }
  setItem(key, value) { this.items.set(key, String(value)); }
  getItem(key) { return this.items.has(key) ? this.items.get(key) : null; }
  removeItem(key) { this.items.delete(key); }
  clear() { this.items.clear(); }
}

// A callback-style CognitoUser method as a promise.
export function promised(user, method, ...args) {
  return new Promise((resolve, reject) => {
    user[method](...args, (error, result) => (error ? reject(error) : resolve(result)));
  });
}
