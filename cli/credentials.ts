/**
 * Where the CLI finds credentials: environment variables first, then the user's git credential helper.
 *
 * Nothing is asked interactively and nothing is stored: a credential helper that would prompt is run
 * with prompting turned off, so a script never hangs.
 * @module
 */

import { spawn } from "node:child_process";
import type { SourceCredentials } from "../hooks/sources/credentials.js";
import { outputOf } from "./child-output.js";
import type { ProviderName } from "./config.js";

/** The environment variables holding a provider's API token, in the order they are read. */
export const TOKEN_VARIABLES: Readonly<Record<ProviderName, readonly string[]>> = {
  github: ["PCTL_PR_TOKEN", "GITHUB_TOKEN", "GH_TOKEN"],
  gitlab: ["PCTL_PR_TOKEN", "GITLAB_TOKEN"],
  gitea: ["PCTL_PR_TOKEN", "GITEA_TOKEN", "FORGEJO_TOKEN"],
};

/** The user name each provider expects beside a token in git's basic auth. */
const TOKEN_USERNAME: Readonly<Record<ProviderName, string>> = {
  github: "x-access-token",
  gitlab: "oauth2",
  gitea: "pctl",
};

/** The API token for `provider` from the environment, if any. */
export function apiTokenFromEnv(provider: ProviderName, env: NodeJS.ProcessEnv): string | undefined {
  for (const name of TOKEN_VARIABLES[provider]) {
    const value = env[name];
    if (value !== undefined && value !== "") return value;
  }
  return undefined;
}

/**
 * Git credentials from the environment: `PCTL_GIT_USERNAME` with `PCTL_GIT_PASSWORD`, or
 * `PCTL_GIT_TOKEN`, or the provider's API token (which GitHub, GitLab and Gitea accept for git too).
 */
export function gitCredentialsFromEnv(
  env: NodeJS.ProcessEnv,
  provider?: ProviderName,
): SourceCredentials | undefined {
  const { PCTL_GIT_USERNAME: username, PCTL_GIT_PASSWORD: password, PCTL_GIT_TOKEN: token } = env;
  if (username && password) return { username, password };
  if (token) return { username: provider ? TOKEN_USERNAME[provider] : "pctl", password: token };
  if (provider) {
    const apiToken = apiTokenFromEnv(provider, env);
    if (apiToken) return { username: TOKEN_USERNAME[provider], password: apiToken };
  }
  return undefined;
}

/**
 * Asks the user's git credential helpers (`git credential fill`) for `url`, without prompting.
 * Returns undefined when no helper knows the URL or git is not installed.
 */
export async function credentialHelper(
  url: string,
  env: NodeJS.ProcessEnv,
): Promise<{ username: string; password: string } | undefined> {
  const parsed = new URL(url);
  const input = [
    `protocol=${parsed.protocol.replace(/:$/, "")}`,
    `host=${parsed.host}`,
    `path=${decodeURIComponent(parsed.pathname.replace(/^\//, ""))}`,
    "",
    "",
  ].join("\n");
  const child = spawn("git", ["credential", "fill"], {
    env: { ...env, GIT_TERMINAL_PROMPT: "0", GIT_ASKPASS: "", SSH_ASKPASS: "" },
    stdio: ["pipe", "pipe", "ignore"],
  });
  child.stdin.on("error", () => undefined);
  child.stdin.end(input);
  const answer = await outputOf(child).catch(() => undefined);
  if (answer?.code !== 0) return undefined;
  const fields = new Map(
    answer.stdout
      .split("\n")
      .filter((line) => line.includes("="))
      .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)] as const),
  );
  const username = fields.get("username");
  const password = fields.get("password");
  return password ? { username: username ?? "", password } : undefined;
}
