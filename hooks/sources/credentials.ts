/**
 * Credentials for private repositories, and the only way they reach git: isomorphic-git's `onAuth`
 * callback. They never go into a URL, because URLs end up in messages, logs and status.
 * @module
 */
import type { AuthCallback } from "isomorphic-git";
import { InvalidInputError } from "../../crds/errors.js";

/**
 * Basic-auth credentials, or a bearer token; as decoded from a Kubernetes Secret's `data` by the hook,
 * or read from the environment or a git credential helper by the CLI.
 */
export type SourceCredentials =
  | { readonly username: string; readonly password: string }
  | { readonly bearerToken: string };

/**
 * The `onAuth` callback for `credentials`; `undefined` without credentials, so that a repository asking
 * for some fails at once with a 401 instead of retrying.
 */
export function authCallback(credentials: SourceCredentials | undefined): AuthCallback | undefined {
  if (credentials === undefined) return undefined;
  if ("bearerToken" in credentials) {
    const headers = { Authorization: `Bearer ${credentials.bearerToken}` };
    return () => ({ headers });
  }
  const { username, password } = credentials;
  return () => ({ username, password });
}

/**
 * Reads credentials from a Secret's decoded data: `bearerToken`, or `username` and `password`.
 * @throws InvalidInputError naming the Secret and the keys it lacks; never echoing a value
 */
export function credentialsFromSecretData(
  data: Readonly<Record<string, string | undefined>>,
  secretName: string,
): SourceCredentials {
  const { bearerToken, username, password } = data;
  if (bearerToken !== undefined && bearerToken !== "") return { bearerToken };
  if (username !== undefined && password !== undefined) return { username, password };
  throw new InvalidInputError(
    `Secret "${secretName}" must hold either "bearerToken" or both "username" and "password"`,
    { data: { secret: secretName, keys: Object.keys(data).sort() } },
  );
}
