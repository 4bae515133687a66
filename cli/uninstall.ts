/**
 * `pctl uninstall <name>` (alias `remove`): takes a subscription out of the GitOps repository: its
 * file goes, the `kustomization.yaml` beside it stops listing it, and a directory left with nothing
 * to apply goes too, with its entry in the parent's `kustomization.yaml`. Every kustomization is edited
 * in place, so the user's comments and formatting stay. With `--create-pr` the pull request says what
 * the subscription installed and which objects go with it. Nothing touches the cluster: Flux prunes
 * the subscription once the change is merged, and the subscription's objects are removed after it.
 * @module
 */

import { existsSync } from "node:fs";
import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join, posix } from "node:path";
import type { Command } from "commander";
import { type Document, isMap, isScalar, isSeq, parseAllDocuments, parseDocument } from "yaml";
import { type CliContext, contextOf } from "./context.js";
import { diffRendered } from "./diff.js";
import { UsageError } from "./errors.js";
import {
  addPullRequestOptions,
  createPullRequest,
  type PullRequestOptions,
  planPullRequest,
  printWithPullRequest,
} from "./gitops/propose.js";
import { repositoryRoot } from "./gitops/repository.js";
import { KUSTOMIZATION_FILES } from "./render/kustomize.js";
import { renderedObjects, renderInput } from "./render.js";
import { openSources } from "./sources.js";
import {
  type FoundSubscription,
  findSubscriptions,
  sourceLabel,
  type Tracking,
  trackingOf,
} from "./subscriptions.js";
import { pickSubscription } from "./upgrade.js";

interface UninstallOptions extends PullRequestOptions {
  readonly namespace?: string;
}

/** Adds `pctl uninstall` (and its alias `pctl remove`) to `program`. */
export function register(program: Command): void {
  const command = program
    .command("uninstall")
    .alias("remove")
    .description("remove a subscription from the GitOps repository, optionally as a pull request")
    .argument("<name>", "the subscription's name, or <namespace>/<name>")
    .option("--namespace <namespace>", "the subscription's namespace, when several share the name");
  addPullRequestOptions(command)
    .addHelpText(
      "after",
      `
The subscription's file is deleted and dropped from the kustomization.yaml beside it; a directory
left with nothing to apply is deleted and dropped from its parent's kustomization.yaml.

Examples:
  pctl uninstall web
  pctl uninstall web --namespace team-a --create-pr`,
    )
    .action(async (name: string, options: UninstallOptions, cmd: Command) =>
      uninstall(contextOf(cmd), name, options),
    );
}

/** One file the uninstall changed, from the repository root with `/`. */
interface Change {
  readonly file: string;
  readonly change: "deleted" | "edited";
}

// How an edited file is written back: no line folding, and `[a, b]` stays without inner spaces.
const AS_WRITTEN = { lineWidth: 0, flowCollectionPadding: false } as const;

async function uninstall(context: CliContext, name: string, options: UninstallOptions) {
  const plan = options.createPr ? await planPullRequest(context, options) : undefined;
  const root = plan?.root ?? (await repositoryRoot(context.cwd));
  const found = pickSubscription(await findSubscriptions(root, context.note), qualified(name, options));
  const { subscription } = found;
  const label = `${subscription.metadata.namespace ?? "default"}/${subscription.metadata.name}`;
  const source = sourceLabel(subscription);
  const version = versionOf(trackingOf(subscription));
  // Rendered before the file goes: the renderer reads the subscription from it.
  const removedObjects = plan ? await renderedKeys(context, join(root, found.file)) : undefined;
  const changes = await removeSubscription(root, found);
  const pullRequest =
    plan === undefined
      ? undefined
      : await createPullRequest(context, plan, options, {
          files: changes.map((c) => c.file),
          slug: `uninstall-${subscription.metadata.name}`,
          title: `Uninstall ${label} (${source} ${version})`,
          body: pullRequestBody(label, found.file, source, version, changes, removedObjects!),
        });
  printWithPullRequest(
    context,
    {
      data: { name: label, file: found.file, source, version, changes },
      table: () => ({
        columns: ["SUBSCRIPTION", "FILE", "CHANGE"],
        rows: changes.map((c) => [label, c.file, c.change]),
      }),
    },
    pullRequest,
  );
}

/** `name` with `--namespace` folded in, as {@link pickSubscription} reads it. */
function qualified(name: string, options: UninstallOptions): string {
  if (options.namespace === undefined) return name;
  if (name.includes("/") && !name.startsWith(`${options.namespace}/`)) {
    throw new UsageError(`${name} and --namespace ${options.namespace} name two namespaces`, {
      hint: "give the namespace once: `pctl uninstall <namespace>/<name>` or `--namespace`",
    });
  }
  return name.includes("/") ? name : `${options.namespace}/${name}`;
}

/** What the subscription follows, as written in it: a version or range, a tag, a branch or a commit. */
function versionOf(tracking: Tracking): string {
  switch (tracking.kind) {
    case "catalog":
      return tracking.wanted ?? "latest";
    case "tag":
      return tracking.tag;
    case "semver":
      return tracking.wanted;
    case "commit":
      return `commit ${tracking.ref}`;
    case "branch":
      return tracking.ref.startsWith("tag ") ? tracking.ref : `branch ${tracking.ref}`;
  }
}

/**
 * Removes the subscription's document: the whole file when nothing else is in it, then its entry
 * in the kustomization beside it, and the directory when nothing is left to apply there.
 */
async function removeSubscription(root: string, found: FoundSubscription): Promise<Change[]> {
  const path = join(root, found.file);
  const documents = parseAllDocuments(await readFile(path, "utf8"));
  const others = documents.filter((d, i) => i !== found.document && d.contents !== null);
  if (others.length > 0) {
    // The file holds other objects too: only the subscription's document goes.
    documents.splice(found.document, 1);
    await writeFile(path, documents.map((d) => d.toString(AS_WRITTEN)).join(""));
    return [{ file: found.file, change: "edited" }];
  }
  await rm(path);
  return [
    { file: found.file, change: "deleted" },
    ...(await dropEntry(root, posix.dirname(found.file), posix.basename(found.file), true)),
  ];
}

// Fields through which a kustomization still brings objects of its own.
const KUSTOMIZATION_INPUTS = [
  "resources",
  "bases",
  "components",
  "crds",
  "configMapGenerator",
  "secretGenerator",
  "helmCharts",
  "generators",
];

/**
 * Drops `entry` from the `resources` of the kustomization in `dir` (from the repository root), editing
 * it in place. With `prune`, a directory that then holds only that kustomization, listing nothing, is
 * deleted, and dropped in turn from its parent's kustomization (which is never pruned itself).
 */
async function dropEntry(root: string, dir: string, entry: string, prune: boolean): Promise<Change[]> {
  const name = KUSTOMIZATION_FILES.find((f) => existsSync(join(root, dir, f)));
  const file = name === undefined ? undefined : posix.join(dir, name);
  const document = file === undefined ? undefined : parseDocument(await readFile(join(root, file), "utf8"));
  const dropped = document !== undefined && dropResource(document, entry);
  const rest = (await readdir(join(root, dir))).filter((f) => f !== name);
  if (prune && dir !== "." && rest.length === 0 && (document === undefined || !bringsObjects(document))) {
    await rm(join(root, dir), { recursive: true });
    const parent = await dropEntry(root, posix.dirname(dir), posix.basename(dir), false);
    return [...(file === undefined ? [] : [{ file, change: "deleted" as const }]), ...parent];
  }
  if (!dropped) return [];
  await writeFile(join(root, file!), document.toString(AS_WRITTEN));
  return [{ file: file!, change: "edited" }];
}

/** Deletes `entry` (also spelt `./entry` or `entry/`) from `resources`; whether it was there. */
function dropResource(document: Document, entry: string): boolean {
  const resources = document.get("resources", true);
  if (!isSeq(resources)) return false;
  const before = resources.items.length;
  resources.items = resources.items.filter(
    (item) => !isScalar(item) || String(item.value).replace(/^\.\//, "").replace(/\/$/, "") !== entry,
  );
  return resources.items.length < before;
}

function bringsObjects(document: Document): boolean {
  if (!isMap(document.contents)) return true;
  return KUSTOMIZATION_INPUTS.some((key) => {
    const value = document.get(key, true);
    return value !== undefined && value !== null && (!isSeq(value) || value.items.length > 0);
  });
}

/**
 * The keys (`group/Kind/namespace/name`) of the Flux objects the subscription renders to, through
 * `pctl diff`'s comparison against nothing; the reason instead when it cannot be rendered here.
 */
async function renderedKeys(
  context: CliContext,
  path: string,
): Promise<{ readonly keys: readonly string[] } | { readonly failure: string }> {
  const sources = openSources(context);
  try {
    const rendered = await renderInput(path, {}, context, sources);
    return { keys: diffRendered(renderedObjects(rendered), []).objects.map((o) => o.key) };
  } catch (error) {
    const failure = error instanceof Error ? error.message : String(error);
    context.note(`the pull request does not list the objects that go: rendering failed: ${failure}`);
    return { failure };
  } finally {
    await sources.close();
  }
}

function pullRequestBody(
  label: string,
  file: string,
  source: string,
  version: string,
  changes: readonly Change[],
  objects: { readonly keys: readonly string[] } | { readonly failure: string },
): string {
  const removed =
    "keys" in objects
      ? [
          "The Flux objects it rendered to, which are removed after it:",
          "",
          ...objects.keys.map((key) => `- \`${key}\``),
        ]
      : [`The objects it installed are not listed: rendering it failed: ${objects.failure}`];
  return [
    `Uninstalls the ProfileSubscription \`${label}\` (\`${file}\`), which installed **${source}** at **${version}**.`,
    "",
    "Files:",
    ...changes.map((c) => `- ${c.change} \`${c.file}\``),
    "",
    ...removed,
    "",
    "Once this is merged, Flux deletes the subscription (with `prune: true` on the Flux Kustomization that applies it). Opened by `pctl uninstall`.",
  ].join("\n");
}
