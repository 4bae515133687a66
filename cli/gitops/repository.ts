/**
 * The GitOps repository the user runs pctl in: finding it, and proposing a change as a branch with one
 * commit pushed to its remote. Every git operation goes through isomorphic-git, so pctl needs no git
 * installation for them.
 * @module
 */

import * as fs from "node:fs";
import { readFile } from "node:fs/promises";
import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import { homedir } from "node:os";
import { join } from "node:path";
import git from "isomorphic-git";
import { AuthenticationFailedError } from "../../crds/errors.js";
import { authCallback, type SourceCredentials } from "../../hooks/sources/credentials.js";
import { createHttpClient } from "../../hooks/sources/http.js";
import { createSourcePolicy, sourcePolicyOptionsFromEnv } from "../../hooks/sources/policy.js";
import type { ProviderName } from "../config.js";
import { credentialHelper, gitCredentialsFromEnv } from "../credentials.js";
import { RepositoryError } from "../errors.js";
import { parseRemoteUrl, type RemoteInfo } from "./remote.js";

/**
 * The root of the git working tree holding `cwd`.
 *
 * @throws RepositoryError when `cwd` is not inside a git repository.
 */
export async function repositoryRoot(cwd: string): Promise<string> {
  try {
    return await git.findRoot({ fs, filepath: cwd });
  } catch {
    throw new RepositoryError(`${cwd} is not inside a git repository`, {
      hint: "cd into a clone of your GitOps repository (or run `git init`), then run the command again",
    });
  }
}

/**
 * The URL of `remote`, parsed.
 *
 * @throws RepositoryError when the repository has no such remote.
 */
export async function remoteOf(root: string, remote: string): Promise<RemoteInfo & { name: string }> {
  const url = await git.getConfig({ fs, dir: root, path: `remote.${remote}.url` });
  if (typeof url !== "string" || url === "") {
    const remotes = (await git.listRemotes({ fs, dir: root })).map((r) => r.remote);
    throw new RepositoryError(
      `the repository has no remote "${remote}"${remotes.length ? ` (remotes: ${remotes.join(", ")})` : ""}; a pull request needs one`,
      {
        hint: remotes.length
          ? `pass --pr-remote ${remotes[0]}, or add one with \`git remote add ${remote} <url>\``
          : `add the remote with \`git remote add ${remote} <url>\`, or run without --create-pr`,
      },
    );
  }
  return { ...parseRemoteUrl(url), name: remote };
}

/** What to propose. */
export interface ProposeOptions {
  readonly root: string;
  /** Changed files, relative to `root` with `/` separators; they are staged and committed. */
  readonly files: readonly string[];
  readonly branch: string;
  readonly message: string;
  readonly remote: RemoteInfo;
  readonly provider: ProviderName | undefined;
  readonly env: NodeJS.ProcessEnv;
}

/** What was proposed. */
export interface Proposal {
  readonly branch: string;
  readonly commit: string;
  /** The branch the new one starts from: the pull request's target. */
  readonly base: string;
}

/**
 * The branch HEAD points at.
 *
 * @throws RepositoryError on a detached HEAD or a repository without commits.
 */
export async function currentBranch(root: string): Promise<string> {
  const branch = await git.currentBranch({ fs, dir: root, test: true });
  if (branch === undefined || branch === null) {
    throw new RepositoryError("HEAD is detached or the repository has no commit yet", {
      hint: "check out the branch the pull request should target (`git switch main`) and run the command again",
    });
  }
  return branch;
}

/**
 * Creates `branch` at HEAD, switches to it (the working tree is left as it is), commits `files` and
 * pushes the branch. Anything else the user had staged is refused rather than swept into the commit.
 *
 * @throws RepositoryError when the branch exists or other changes are staged.
 * @throws AuthenticationFailedError when the remote refuses the credentials.
 */
export async function proposeChange(options: ProposeOptions): Promise<Proposal> {
  const { root: dir, branch, files, env } = options;
  const base = await currentBranch(dir);
  const existing = await git.listBranches({ fs, dir });
  if (existing.includes(branch)) {
    throw new RepositoryError(`branch ${branch} already exists`, {
      hint: "pass another name with --pr-branch, or delete the branch with `git branch -D`",
    });
  }
  const ours = new Set(files);
  const staged = (await git.statusMatrix({ fs, dir }))
    .filter(([path, head, , stage]) => !ours.has(path) && stage !== head && !(head === 1 && stage === 1))
    .map(([path]) => path);
  if (staged.length > 0) {
    throw new RepositoryError(`other changes are staged: ${staged.slice(0, 5).join(", ")}`, {
      hint: "commit or unstage them (`git restore --staged <file>`) so the pull request holds only pctl's change",
    });
  }
  await git.branch({ fs, dir, ref: branch, checkout: true });
  for (const filepath of files) {
    if (fs.existsSync(join(dir, filepath))) await git.add({ fs, dir, filepath });
    else await git.remove({ fs, dir, filepath });
  }
  const author = await authorOf(dir, env);
  const commit = await git.commit({ fs, dir, message: options.message, author });
  await push({ ...options, dir });
  return { branch, commit, base };
}

async function push(options: ProposeOptions & { dir: string }): Promise<void> {
  const { remote, env, provider } = options;
  const policy = createSourcePolicy(sourcePolicyOptionsFromEnv(env));
  policy.checkUrl(remote.pushUrl);
  let tried: SourceCredentials | undefined;
  const fromEnv = gitCredentialsFromEnv(env, provider);
  try {
    await git.push({
      fs,
      // Node's default agents keep sockets open for seconds after the push, holding the CLI's exit.
      http: createHttpClient({
        policy,
        timeoutMs: 120_000,
        agents: { http: new HttpAgent({ keepAlive: false }), https: new HttpsAgent({ keepAlive: false }) },
      }),
      dir: options.dir,
      url: remote.pushUrl,
      ref: options.branch,
      remoteRef: options.branch,
      onAuth: async (url, auth) => {
        tried = fromEnv ?? (await credentialHelper(url, env));
        return tried === undefined ? { ...auth, cancel: true } : authCallback(tried)?.(url, auth);
      },
      onAuthFailure: () => ({ cancel: true }),
    });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "UserCanceledError" || code === "HttpError") {
      const status = (error as { data?: { statusCode?: number } }).data?.statusCode;
      if (code === "UserCanceledError" || status === 401 || status === 403) {
        throw new AuthenticationFailedError(
          `${remote.webOrigin}/${remote.path} refused the push${tried ? "" : ": no credentials were found"}`,
          {
            data: {
              hint: "set PCTL_GIT_TOKEN (or the provider's token such as GITHUB_TOKEN), or configure a git credential helper",
            },
            cause: error,
          },
        );
      }
    }
    throw error;
  }
}

// isomorphic-git reads only the repository's own config, so look where git itself would look next.
async function authorOf(dir: string, env: NodeJS.ProcessEnv): Promise<{ name: string; email: string }> {
  const local = {
    name: await git.getConfig({ fs, dir, path: "user.name" }),
    email: await git.getConfig({ fs, dir, path: "user.email" }),
  };
  const global = await globalUser(env);
  return {
    name: String(local.name ?? env.GIT_AUTHOR_NAME ?? global.name ?? "pctl"),
    email: String(local.email ?? env.GIT_AUTHOR_EMAIL ?? global.email ?? "pctl@localhost"),
  };
}

async function globalUser(env: NodeJS.ProcessEnv): Promise<{ name?: string; email?: string }> {
  const path = env.GIT_CONFIG_GLOBAL ?? join(env.HOME ?? homedir(), ".gitconfig");
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    return {};
  }
  const user: { name?: string; email?: string } = {};
  let inUser = false;
  for (const line of text.split("\n")) {
    const section = /^\s*\[([^\]]+)\]/.exec(line);
    if (section) inUser = section[1]!.trim().toLowerCase() === "user";
    const entry = inUser ? /^\s*(name|email)\s*=\s*(.*?)\s*$/.exec(line) : null;
    if (entry) user[entry[1] as "name" | "email"] = entry[2]!.replace(/^"|"$/g, "");
  }
  return user;
}
