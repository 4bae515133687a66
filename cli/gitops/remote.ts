/**
 * What a GitOps repository's remote URL says: where to push over HTTP(S), which repository the pull
 * request belongs to, and which provider hosts it.
 * @module
 */

import type { ProviderName } from "../config.js";
import { UsageError } from "../errors.js";

/** A remote, split into the parts the push and the provider's API need. */
export interface RemoteInfo {
  /** The URL isomorphic-git pushes to: scp-style and ssh:// remotes become https:// (it speaks HTTP only). */
  readonly pushUrl: string;
  /** `https://host[:port]` or `http://host[:port]`: the web address of the server. */
  readonly webOrigin: string;
  readonly host: string;
  /** The repository path on the server without `.git`, such as `org/gitops` or `group/sub/gitops`. */
  readonly path: string;
}

/**
 * Parses `https://host/org/repo(.git)`, `ssh://git@host/org/repo.git` and `git@host:org/repo.git`.
 *
 * @throws UsageError for a URL that names no repository path.
 */
export function parseRemoteUrl(url: string): RemoteInfo {
  const scp = /^(?:[^@/]+@)?([^:/]+):(?!\/\/)(.+)$/.exec(url);
  let parsed: URL;
  if (scp !== null && !/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    parsed = new URL(`https://${scp[1]}/${scp[2]}`);
  } else {
    try {
      parsed = new URL(url);
    } catch {
      throw new UsageError(`remote URL "${url}" is not a URL pctl can push to`, {
        hint: "set an https:// remote with `git remote set-url origin https://…`",
      });
    }
  }
  const path = decodeURIComponent(parsed.pathname)
    .replace(/^\/+|\/+$/g, "")
    .replace(/\.git$/, "");
  if (path === "") {
    throw new UsageError(`remote URL "${url}" names no repository`, {
      hint: "set the remote to the repository's clone URL, such as https://github.com/org/gitops.git",
    });
  }
  // Pushing over SSH is not possible with isomorphic-git: the same repository over HTTPS takes a token.
  const scheme = parsed.protocol === "http:" ? "http:" : "https:";
  const port = parsed.protocol === "ssh:" ? "" : parsed.port;
  const webOrigin = `${scheme}//${parsed.hostname}${port ? `:${port}` : ""}`;
  return { pushUrl: `${webOrigin}/${path}.git`, webOrigin, host: parsed.hostname, path };
}

/** The provider a host name suggests, or undefined when it says nothing (self-hosted under another name). */
export function detectProvider(host: string): ProviderName | undefined {
  const name = host.toLowerCase();
  if (name === "github.com" || name.startsWith("github.")) return "github";
  if (name === "gitlab.com" || name.startsWith("gitlab.")) return "gitlab";
  if (["gitea", "forgejo", "codeberg"].some((word) => name.includes(word))) return "gitea";
  return undefined;
}

/** The default API base URL of `provider` for a remote on `webOrigin`. */
export function defaultApiUrl(provider: ProviderName, remote: RemoteInfo): string {
  switch (provider) {
    case "github":
      return remote.host === "github.com" ? "https://api.github.com" : `${remote.webOrigin}/api/v3`;
    case "gitlab":
      return `${remote.webOrigin}/api/v4`;
    case "gitea":
      return `${remote.webOrigin}/api/v1`;
  }
}

/** The web page where a person opens the pull request by hand. */
export function manualPullRequestUrl(
  provider: ProviderName | undefined,
  remote: RemoteInfo,
  head: string,
  base: string,
): string {
  const repo = `${remote.webOrigin}/${remote.path}`;
  switch (provider) {
    case "gitlab":
      return `${repo}/-/merge_requests/new?merge_request%5Bsource_branch%5D=${encodeURIComponent(head)}&merge_request%5Btarget_branch%5D=${encodeURIComponent(base)}`;
    case "gitea":
      return `${repo}/compare/${encodeURIComponent(base)}...${encodeURIComponent(head)}`;
    default:
      return `${repo}/compare/${encodeURIComponent(base)}...${encodeURIComponent(head)}?expand=1`;
  }
}
