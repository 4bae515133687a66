/**
 * Opening a pull request (a merge request on GitLab) through the provider's REST API.
 *
 * - GitHub: `POST {api}/repos/{owner}/{repo}/pulls` with `{ title, head, base, body }`,
 *   `Authorization: Bearer <token>`; answers `{ number, html_url }`.
 * - GitLab: `POST {api}/projects/{url-encoded path}/merge_requests` with
 *   `{ source_branch, target_branch, title, description }`, `PRIVATE-TOKEN: <token>`; answers `{ iid, web_url }`.
 * - Gitea and Forgejo: `POST {api}/repos/{owner}/{repo}/pulls` with `{ title, head, base, body }`,
 *   `Authorization: token <token>`; answers `{ number, html_url }`.
 * @module
 */

import { z } from "zod";
import { AuthenticationFailedError, NotFoundError, SourceUnavailableError } from "../../crds/errors.js";
import type { ProviderName } from "../config.js";
import type { RemoteInfo } from "./remote.js";

/** What to open. */
export interface PullRequestRequest {
  readonly provider: ProviderName;
  /** The API base URL, such as `https://api.github.com` or `https://gitlab.example.com/api/v4`. */
  readonly apiUrl: string;
  readonly token: string;
  readonly remote: RemoteInfo;
  /** The pushed branch. */
  readonly head: string;
  /** The branch to merge into. */
  readonly base: string;
  readonly title: string;
  /** Markdown. */
  readonly body: string;
  /** Replaces global fetch in tests. [default: globalThis.fetch] */
  readonly fetch?: typeof fetch;
}

/** An opened pull request. */
export interface PullRequest {
  readonly number: number;
  readonly url: string;
}

const GitHubAnswer = z.object({ number: z.number(), html_url: z.string() });
const GitLabAnswer = z.object({ iid: z.number(), web_url: z.string() });

/**
 * Opens the pull request and returns its number and web address.
 *
 * @throws AuthenticationFailedError when the API refuses the token (401, 403).
 * @throws NotFoundError when the API does not know the repository (404).
 * @throws SourceUnavailableError for any other failure, with the API's own message.
 */
export async function openPullRequest(request: PullRequestRequest): Promise<PullRequest> {
  const { provider, remote, token } = request;
  const api = request.apiUrl.replace(/\/+$/, "");
  const call = request.fetch ?? fetch;
  let url: string;
  let headers: Record<string, string>;
  let body: unknown;
  if (provider === "gitlab") {
    url = `${api}/projects/${encodeURIComponent(remote.path)}/merge_requests`;
    headers = { "PRIVATE-TOKEN": token };
    body = {
      source_branch: request.head,
      target_branch: request.base,
      title: request.title,
      description: request.body,
    };
  } else {
    url = `${api}/repos/${remote.path}/pulls`;
    headers =
      provider === "github"
        ? {
            Authorization: `Bearer ${token}`,
            Accept: "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
          }
        : { Authorization: `token ${token}`, Accept: "application/json" };
    body = { title: request.title, head: request.head, base: request.base, body: request.body };
  }
  let response: Response;
  try {
    response = await call(url, {
      method: "POST",
      headers: { ...headers, "Content-Type": "application/json", "User-Agent": "pctl" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    throw new SourceUnavailableError(`could not reach the ${provider} API at ${api}: ${String(error)}`, {
      data: { provider, apiUrl: api, hint: "check --api-url and your network, then run the command again" },
      cause: error,
    });
  }
  const text = await response.text();
  if (!response.ok) throw apiError(provider, api, remote, response.status, text);
  const json: unknown = JSON.parse(text);
  if (provider === "gitlab") {
    const answer = GitLabAnswer.parse(json);
    return { number: answer.iid, url: answer.web_url };
  }
  const answer = GitHubAnswer.parse(json);
  return { number: answer.number, url: answer.html_url };
}

function apiError(provider: ProviderName, api: string, remote: RemoteInfo, status: number, text: string) {
  const detail = apiMessage(text);
  const data = { provider, apiUrl: api, status };
  if (status === 401 || status === 403) {
    return new AuthenticationFailedError(
      `the ${provider} API refused the token (${status}${detail ? `: ${detail}` : ""})`,
      { data: { ...data, hint: "use a token allowed to open pull requests on the repository" } },
    );
  }
  if (status === 404) {
    return new NotFoundError(`the ${provider} API at ${api} does not know the repository ${remote.path}`, {
      data: { ...data, hint: "check --provider and --api-url, and that the token can see the repository" },
    });
  }
  return new SourceUnavailableError(
    `the ${provider} API answered ${status} when opening the pull request${detail ? `: ${detail}` : ""}`,
    {
      data: {
        ...data,
        hint: "the branch is pushed: open the pull request by hand, or fix the cause and retry",
      },
    },
  );
}

// Providers answer errors as { message } (GitHub, Gitea) or { message | error } (GitLab); keep it short.
function apiMessage(text: string): string {
  try {
    const json = JSON.parse(text) as { message?: unknown; error?: unknown; errors?: unknown };
    const parts = [json.message, json.error, json.errors].filter((p) => p !== undefined);
    return parts
      .map((p) => (typeof p === "string" ? p : JSON.stringify(p)))
      .join("; ")
      .slice(0, 300);
  } catch {
    return text.slice(0, 200);
  }
}
