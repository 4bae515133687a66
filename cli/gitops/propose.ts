/**
 * `--create-pr` for the verbs that change the GitOps repository (install, upgrade): the shared options,
 * the checks that run before anything is written, and the branch → commit → push → pull request flow.
 * @module
 */

import { randomBytes } from "node:crypto";
import { type Command, Option } from "commander";
import { PROVIDERS, type ProviderName } from "../config.js";
import type { CliContext } from "../context.js";
import { apiTokenFromEnv, credentialHelper, TOKEN_VARIABLES } from "../credentials.js";
import type { Printable } from "../output.js";
import { openPullRequest, type PullRequest } from "./pull-request.js";
import { defaultApiUrl, detectProvider, manualPullRequestUrl, type RemoteInfo } from "./remote.js";
import { currentBranch, proposeChange, remoteOf, repositoryRoot } from "./repository.js";

/** The options `--create-pr` brings. */
export interface PullRequestOptions {
  readonly createPr?: boolean;
  readonly provider?: ProviderName;
  readonly apiUrl?: string;
  readonly prRemote?: string;
  readonly prBase?: string;
  readonly prBranch?: string;
  readonly prMessage?: string;
}

/** Adds `--create-pr` and its companions to `command`. */
export function addPullRequestOptions(command: Command): Command {
  return command
    .option("--create-pr", "commit on a new branch, push it and open a pull request", false)
    .addOption(
      new Option("--provider <name>", "pull-request provider (default: from the remote URL)").choices(
        PROVIDERS,
      ),
    )
    .option("--api-url <url>", "the provider's API base URL, for self-hosted servers")
    .option("--pr-remote <name>", "the remote to push to (default: origin)")
    .option("--pr-base <branch>", "the branch the pull request targets (default: the current branch)")
    .option("--pr-branch <name>", "the new branch's name (default: pctl/<verb>-<name>-<random>)")
    .option("-m, --pr-message <text>", "the commit message and pull-request title");
}

/** A checked plan for a pull request: the repository and remote exist, HEAD is on a branch. */
export interface PullRequestPlan {
  readonly root: string;
  readonly remote: RemoteInfo;
  readonly provider: ProviderName | undefined;
  readonly base: string;
}

/**
 * Checks, before any file is written, that a pull request can be made from here.
 *
 * @throws RepositoryError outside a git repository, without the remote, or on a detached HEAD.
 */
export async function planPullRequest(
  context: CliContext,
  options: PullRequestOptions,
): Promise<PullRequestPlan> {
  const root = await repositoryRoot(context.cwd);
  const remote = await remoteOf(root, options.prRemote ?? context.config.remote ?? "origin");
  const provider = options.provider ?? context.config.provider ?? detectProvider(remote.host);
  const base = options.prBase ?? context.config.baseBranch ?? (await currentBranch(root));
  return { root, remote, provider, base };
}

/** What a proposal produced, as `-o yaml|json` prints it. */
export interface PullRequestResult {
  readonly branch: string;
  readonly commit: string;
  readonly base: string;
  readonly pullRequest?: PullRequest;
  /** Where to open the pull request by hand, when it could not be opened through the API. */
  readonly openUrl?: string;
}

/**
 * Commits `files` on a new branch, pushes it and opens the pull request; without an API token (or a
 * known provider) it stops after the push and returns the page to open the pull request on by hand.
 */
export async function createPullRequest(
  context: CliContext,
  plan: PullRequestPlan,
  options: PullRequestOptions,
  change: {
    readonly files: readonly string[];
    readonly slug: string;
    readonly title: string;
    readonly body: string;
  },
): Promise<PullRequestResult> {
  const branch = options.prBranch ?? `pctl/${change.slug}-${randomBytes(3).toString("hex")}`;
  const title = options.prMessage ?? change.title;
  const proposal = await context.progress.step(`pushing branch ${branch}`, () =>
    proposeChange({
      root: plan.root,
      files: change.files,
      branch,
      message: `${title}\n\n${change.body}`,
      remote: plan.remote,
      provider: plan.provider,
      env: context.env,
    }),
  );
  const result = { branch: proposal.branch, commit: proposal.commit, base: plan.base };
  const openUrl = manualPullRequestUrl(plan.provider, plan.remote, branch, plan.base);
  if (plan.provider === undefined) {
    context.note(
      `the provider of ${plan.remote.webOrigin} is not known: pass --provider (${PROVIDERS.join(", ")}) to open pull requests through its API`,
    );
    return { ...result, openUrl };
  }
  const token = apiTokenFromEnv(plan.provider, context.env) ?? (await helperToken(plan.remote, context.env));
  if (token === undefined) {
    context.note(
      `no ${plan.provider} API token (set ${TOKEN_VARIABLES[plan.provider].join(" or ")}): open the pull request by hand`,
    );
    return { ...result, openUrl };
  }
  const apiUrl = options.apiUrl ?? context.config.apiUrl ?? defaultApiUrl(plan.provider, plan.remote);
  const pullRequest = await context.progress.step(`opening the pull request on ${plan.provider}`, () =>
    openPullRequest({
      provider: plan.provider!,
      apiUrl,
      token,
      remote: plan.remote,
      head: branch,
      base: plan.base,
      title,
      body: change.body,
    }),
  );
  return { ...result, pullRequest };
}

// A credential helper holding a token for the host (as `gh auth setup-git` leaves) serves the API too.
async function helperToken(remote: RemoteInfo, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  return (await credentialHelper(remote.pushUrl, env))?.password;
}

/**
 * Prints a verb's result and the pull request it proposed, if any: inside the data for `-o yaml|json`,
 * and described after the table.
 */
export function printWithPullRequest(
  context: CliContext,
  printable: Printable & { readonly data: Record<string, unknown> },
  pullRequest: PullRequestResult | undefined,
): void {
  context.print({ ...printable, data: { ...printable.data, ...(pullRequest && { pullRequest }) } });
  if (context.format === "table" && pullRequest) context.stdout.write(describePullRequest(pullRequest));
}

/** The lines a person reads after a proposal: branch, commit, and the pull request or where to open it. */
function describePullRequest(result: PullRequestResult): string {
  const lines = [
    `branch ${result.branch} pushed with commit ${result.commit.slice(0, 12)} (you are now on this branch)`,
  ];
  if (result.pullRequest)
    lines.push(`pull request #${result.pullRequest.number} opened: ${result.pullRequest.url}`);
  else lines.push(`open the pull request into ${result.base}: ${result.openUrl}`);
  return `${lines.join("\n")}\n`;
}
