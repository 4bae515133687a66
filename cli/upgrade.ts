/**
 * `pctl upgrade <name> [<version>|--latest]`: moves a subscription to another version by editing only
 * that value in its file, so the user's comments, ordering and other edits stay as they are. With
 * `--create-pr` the pull request shows what the change does to the rendered objects.
 * @module
 */

import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Command } from "commander";
import semver from "semver";
import { isScalar, parseAllDocuments } from "yaml";
import { NotFoundError } from "../crds/errors.js";
import type { CatalogClient } from "./catalog/client.js";
import { openCatalog } from "./catalog/open.js";
import { type CliContext, contextOf } from "./context.js";
import { atVersion, diffRendered } from "./diff.js";
import { UsageError } from "./errors.js";
import {
  addPullRequestOptions,
  createPullRequest,
  type PullRequestOptions,
  planPullRequest,
  printWithPullRequest,
} from "./gitops/propose.js";
import { repositoryRoot } from "./gitops/repository.js";
import { renderedObjects, renderInput } from "./render.js";
import { openSources } from "./sources.js";
import {
  type FoundSubscription,
  findSubscriptions,
  trackingOf,
  versionState,
  versionValue,
} from "./subscriptions.js";

interface UpgradeOptions extends PullRequestOptions {
  readonly latest: boolean;
  readonly allowDowngrade: boolean;
}

/** Adds `pctl upgrade` to `program`. */
export function register(program: Command): void {
  const command = program
    .command("upgrade")
    .description("change the version of a subscription in the GitOps repository, keeping every other edit")
    .argument("<name>", "the subscription's name, or <namespace>/<name>")
    .argument("[version]", "the version to move to, such as 1.3.0")
    .option("--latest", "move to the latest version", false)
    .option("--allow-downgrade", "allow moving to an older version", false);
  addPullRequestOptions(command)
    .addHelpText(
      "after",
      "\nExamples:\n  pctl upgrade web --latest\n  pctl upgrade team-a/web 1.3.0 --create-pr",
    )
    .action(async (name: string, version: string | undefined, options: UpgradeOptions, cmd: Command) =>
      upgrade(contextOf(cmd), name, version, options),
    );
}

async function upgrade(
  context: CliContext,
  name: string,
  requested: string | undefined,
  options: UpgradeOptions,
) {
  if (requested !== undefined && options.latest) {
    throw new UsageError(`both a version (${requested}) and --latest were given`, {
      hint: "give one of them",
    });
  }
  const plan = options.createPr ? await planPullRequest(context, options) : undefined;
  const root = plan?.root ?? (await repositoryRoot(context.cwd));
  const found = pickSubscription(await findSubscriptions(root, context.note), name);
  const { subscription } = found;
  const label = `${subscription.metadata.namespace ?? "default"}/${subscription.metadata.name}`;
  const tracking = trackingOf(subscription);
  if (!("path" in tracking)) {
    throw new UsageError(`${label} follows ${tracking.kind} ${tracking.ref}, which has no versions`, {
      hint: "install it from a tag or a catalog to upgrade by version (`pctl install --url URL --tag TAG`)",
    });
  }
  const catalog: CatalogClient | undefined =
    tracking.kind === "catalog" ? await openCatalog(context) : undefined;
  const sources = openSources(context);
  let state: Awaited<ReturnType<typeof versionState>>;
  try {
    state = await versionState(subscription, catalog, sources);
  } finally {
    await sources.close();
  }
  if (state === undefined || state.versions.length === 0) {
    throw new NotFoundError(`no versions of ${label}'s profile were found`, {
      data: { hint: "check the catalog or the repository's tags with `pctl show` or `git ls-remote --tags`" },
    });
  }
  const current = state.current;
  if (requested === undefined && !options.latest) {
    throw new UsageError(`which version? ${label} is on ${current ?? "no available version"}`, {
      hint: `give a version or --latest; available: ${state.versions.join(", ")}`,
    });
  }
  const target = options.latest ? latestRelease(state.versions) : (semver.clean(requested!) ?? undefined);
  if (target === undefined || !state.versions.includes(target)) {
    throw new NotFoundError(`version ${requested} of ${label}'s profile does not exist`, {
      data: { available: state.versions, hint: `pick one of: ${state.versions.join(", ")}` },
    });
  }
  if (current !== undefined && semver.eq(target, current)) {
    const message = options.latest
      ? `${label} is already on the latest version, ${current}`
      : `${label} is already on ${current}`;
    context.print({
      data: { name: label, file: found.file, from: current, to: current, changed: false },
      table: () => ({ columns: [], rows: [] }),
      empty: message,
    });
    return;
  }
  if (current !== undefined && semver.lt(target, current) && !options.allowDowngrade) {
    throw new UsageError(`${target} is older than ${current}: refusing to downgrade ${label}`, {
      hint: "pass --allow-downgrade if you mean it",
    });
  }
  const path = join(root, found.file);
  const body = plan ? await pullRequestBody(context, path, found, current, target) : undefined;
  const written = versionValue(tracking, target);
  await writeFile(path, editVersion(await readFile(path, "utf8"), found.document, tracking.path, written));
  const pullRequest =
    plan === undefined
      ? undefined
      : await createPullRequest(context, plan, options, {
          files: [found.file],
          slug: `upgrade-${subscription.metadata.name}`,
          title: `Upgrade ${label} from ${current ?? "?"} to ${target}`,
          body: body!,
        });
  printWithPullRequest(
    context,
    {
      data: { name: label, file: found.file, from: current, to: target, changed: true },
      table: () => ({
        columns: ["SUBSCRIPTION", "FILE", "FROM", "TO"],
        rows: [[label, found.file, current ?? "-", target]],
      }),
    },
    pullRequest,
  );
}

function latestRelease(versions: readonly string[]): string {
  const releases = versions.filter((v) => semver.prerelease(v) === null);
  return (releases.length > 0 ? releases : versions).at(-1)!;
}

/**
 * The one subscription `name` (or `<namespace>/<name>`) names among `found`.
 *
 * @throws NotFoundError naming the subscriptions there are, when none matches.
 * @throws UsageError when several in different namespaces match.
 */
export function pickSubscription(found: readonly FoundSubscription[], name: string): FoundSubscription {
  const [namespace, bare] = name.includes("/") ? (name.split("/", 2) as [string, string]) : [undefined, name];
  const matches = found.filter(
    (f) =>
      f.subscription.metadata.name === bare &&
      (namespace === undefined || (f.subscription.metadata.namespace ?? "default") === namespace),
  );
  if (matches.length === 0) {
    const names = found.map(
      (f) => `${f.subscription.metadata.namespace ?? "default"}/${f.subscription.metadata.name}`,
    );
    throw new NotFoundError(`no ProfileSubscription named ${name} in this repository`, {
      data: {
        hint: names.length
          ? `the subscriptions here are: ${names.join(", ")}`
          : "install one first with `pctl install`",
      },
    });
  }
  if (matches.length > 1) {
    throw new UsageError(`${matches.length} subscriptions are named ${name}`, {
      hint: `name one with its namespace: ${matches.map((m) => `${m.subscription.metadata.namespace ?? "default"}/${bare}`).join(" or ")}`,
    });
  }
  return matches[0]!;
}

/**
 * Sets the value at `path` in document `index` of `text`; the scalar node is reused, so its comments
 * and quoting stay, and nothing else in the file is touched.
 */
export function editVersion(text: string, index: number, path: readonly string[], value: string): string {
  const documents = parseAllDocuments(text);
  const document = documents[index];
  if (document === undefined || Array.isArray(document)) throw new Error(`document ${index} not found`);
  const node = document.getIn(path, true);
  if (isScalar(node)) node.value = value;
  else document.setIn(path, value);
  return documents.map((d) => d.toString({ lineWidth: 0 })).join("");
}

// The render engineer's diff shows what the new version changes; when it cannot run (no helm, a
// ConfigMap only the cluster has), the pull request still says which version changes, and why not more.
async function pullRequestBody(
  context: CliContext,
  file: string,
  found: FoundSubscription,
  from: string | undefined,
  to: string,
): Promise<string> {
  const head = [
    `Upgrades the ProfileSubscription \`${found.subscription.metadata.namespace ?? "default"}/${found.subscription.metadata.name}\` (\`${found.file}\`) from **${from ?? "?"}** to **${to}**.`,
    "",
  ];
  const sources = openSources(context);
  try {
    const before = await renderInput(file, {}, context, sources);
    const after = await renderInput(file, {}, context, sources, (s) => atVersion(s, to));
    const diff = diffRendered(renderedObjects(before), renderedObjects(after));
    const changes = diff.changed
      ? `\`\`\`diff\n${diff.text}\`\`\``
      : "The rendered Flux objects do not change.";
    return [
      ...head,
      "What changes in the rendered Flux objects:",
      "",
      changes,
      "",
      "Opened by `pctl upgrade`.",
    ].join("\n");
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    context.note(`the pull request shows the version change only: rendering failed: ${reason}`);
    return [...head, `The rendered diff is not included: ${reason}`, "", "Opened by `pctl upgrade`."].join(
      "\n",
    );
  } finally {
    await sources.close();
  }
}
