/**
 * `pctl list`: the subscriptions in the GitOps repository with their available updates, and with
 * `--cluster` their live status from `kubectl get profilesubscriptions -A -o json`.
 * @module
 */

import { spawn } from "node:child_process";
import type { Command } from "commander";
import { SourceUnavailableError } from "../crds/errors.js";
import type { CatalogClient } from "./catalog/client.js";
import { openCatalog } from "./catalog/open.js";
import { outputOf } from "./child-output.js";
import { type CliContext, contextOf } from "./context.js";
import { repositoryRoot } from "./gitops/repository.js";
import { openSources } from "./sources.js";
import { findSubscriptions, sourceLabel, trackingOf, versionState } from "./subscriptions.js";

/** One subscription as `list` and `outdated` show it. */
export interface SubscriptionRow {
  readonly namespace: string;
  readonly name: string;
  readonly file: string | undefined;
  readonly source: string;
  /** The version in use, or the branch or commit followed. */
  readonly version: string;
  /** What the file asks for when it differs from the version: a range. */
  readonly wanted?: string;
  readonly ready?: string;
  /** Newer versions, ascending; undefined when they could not be found out. */
  readonly availableUpdates: readonly string[] | undefined;
}

/** Adds `pctl list` to `program`. */
export function register(program: Command): void {
  program
    .command("list")
    .description("list the subscriptions in the GitOps repository with their available updates")
    .option("--cluster", "add each subscription's live status (kubectl get profilesubscriptions -A)", false)
    .addHelpText("after", "\nExamples:\n  pctl list\n  pctl list --cluster -o json")
    .action(async (options: { cluster: boolean }, command: Command) => {
      const context = contextOf(command);
      const rows = await collectRows(context, options.cluster);
      context.print({
        data: rows,
        table: () => ({
          columns: ["NAMESPACE", "NAME", "SOURCE", "VERSION", "READY", "AVAILABLE UPDATES"],
          rows: rows.map((row) => [
            row.namespace,
            row.name,
            row.source,
            row.wanted ? `${row.version} (${row.wanted})` : row.version,
            row.ready ?? "-",
            updatesText(row.availableUpdates),
          ]),
        }),
        empty: "No ProfileSubscriptions in this repository; add one with `pctl install`.",
      });
    });
}

/** The AVAILABLE UPDATES cell: comma-joined, `-` for none, `?` when unknown. */
export function updatesText(updates: readonly string[] | undefined): string {
  if (updates === undefined) return "?";
  return updates.length === 0 ? "-" : updates.join(", ");
}

/**
 * The subscriptions of the repository holding the working directory, with versions and updates
 * computed from the catalog (or, for git sources, from the repository's tags).
 *
 * @throws RepositoryError outside a git repository.
 */
export async function collectRows(context: CliContext, cluster: boolean): Promise<SubscriptionRow[]> {
  const root = await repositoryRoot(context.cwd);
  const found = await findSubscriptions(root, context.note);
  const live = cluster ? await liveSubscriptions(context) : undefined;
  const needsCatalog = found.some((f) => f.subscription.spec.catalog !== undefined);
  let catalog: CatalogClient | undefined;
  if (needsCatalog && context.catalog !== undefined) catalog = await openCatalog(context);
  else if (needsCatalog && !live) {
    context.note(
      "no catalog configured (--catalog-url or --catalog): updates of catalog subscriptions are unknown",
    );
  }
  const sources = openSources(context);
  try {
    const rows: SubscriptionRow[] = [];
    for (const { file, subscription } of found) {
      const namespace = subscription.metadata.namespace ?? "default";
      const name = subscription.metadata.name;
      const status = live?.get(`${namespace}/${name}`);
      const tracking = trackingOf(subscription);
      let version =
        "ref" in tracking
          ? tracking.ref
          : (("wanted" in tracking ? tracking.wanted : tracking.tag) ?? "latest");
      let wanted: string | undefined;
      let updates: readonly string[] | undefined = status?.availableUpdates;
      try {
        const state = await versionState(subscription, catalog, sources);
        if (state !== undefined) {
          if (state.current !== undefined && state.current !== version) {
            wanted = version;
            version = state.current;
          }
          updates = state.updates;
        } else if (tracking.kind === "branch" || tracking.kind === "commit") {
          updates = [];
        }
      } catch (error) {
        context.note(
          `${namespace}/${name}: updates unknown: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      if (tracking.kind === "tag") wanted = undefined;
      rows.push({
        namespace,
        name,
        file,
        source: sourceLabel(subscription),
        version: status?.version ?? version,
        ...(wanted !== undefined && { wanted }),
        ...(status && { ready: status.ready }),
        availableUpdates: updates,
      });
    }
    for (const [key, status] of live ?? []) {
      if (rows.some((row) => `${row.namespace}/${row.name}` === key)) continue;
      const [namespace, name] = key.split("/") as [string, string];
      rows.push({
        namespace,
        name,
        file: undefined,
        source: status.source,
        version: status.version ?? "-",
        ready: status.ready,
        availableUpdates: status.availableUpdates,
      });
    }
    return rows;
  } finally {
    await sources.close();
  }
}

interface LiveStatus {
  readonly ready: string;
  readonly version: string | undefined;
  readonly source: string;
  readonly availableUpdates: string[] | undefined;
}

interface LiveItem {
  metadata: { name: string; namespace?: string };
  spec?: { catalog?: { catalog: string; profile: string }; source?: { url: string } };
  status?: {
    conditions?: { type: string; status: string; reason?: string }[];
    resolved?: { version?: string; ref?: string };
    availableUpdates?: string[];
  };
}

// The cluster is read with the user's kubectl and kubeconfig, as `kubectl get` would show it.
async function liveSubscriptions(context: CliContext): Promise<Map<string, LiveStatus>> {
  const output = await context.progress.step("reading subscriptions from the cluster", () =>
    kubectl(["get", "profilesubscriptions.profiles.pctl.dev", "-A", "-o", "json"], context.env),
  );
  const items = (JSON.parse(output) as { items?: LiveItem[] }).items ?? [];
  const live = new Map<string, LiveStatus>();
  for (const item of items) {
    const ready = item.status?.conditions?.find((c) => c.type === "Ready");
    live.set(`${item.metadata.namespace ?? "default"}/${item.metadata.name}`, {
      ready: ready ? `${ready.status}${ready.reason ? ` (${ready.reason})` : ""}` : "Unknown",
      version: item.status?.resolved?.version ?? item.status?.resolved?.ref,
      source: item.spec?.catalog
        ? `${item.spec.catalog.catalog}/${item.spec.catalog.profile}`
        : (item.spec?.source?.url ?? "-"),
      availableUpdates: item.status?.availableUpdates,
    });
  }
  return live;
}

async function kubectl(args: readonly string[], env: NodeJS.ProcessEnv): Promise<string> {
  const child = spawn("kubectl", args, { env, stdio: ["ignore", "pipe", "pipe"] });
  const { stdout, stderr, code } = await outputOf(child).catch((error: Error) => {
    throw new SourceUnavailableError(`kubectl could not be run: ${error.message}`, {
      data: { hint: "install kubectl and point it at the cluster, or run without --cluster" },
    });
  });
  if (code === 0) return stdout;
  throw new SourceUnavailableError(
    `kubectl get profilesubscriptions failed: ${stderr.trim() || `exit ${code}`}`,
    {
      data: {
        hint: "check the kubeconfig context (`kubectl config current-context`) and that pctl's CRDs are installed",
      },
    },
  );
}
