/**
 * The subscriptions of a GitOps repository: found by reading its YAML files, and what version each
 * one follows and could move to.
 * @module
 */

import { readdir, readFile } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import semver from "semver";
import { parseAllDocuments } from "yaml";
import { parseProfileTag, profileTag } from "../crds/common.js";
import { isPctlError } from "../crds/errors.js";
import {
  PROFILE_SUBSCRIPTION_KIND,
  type ProfileSubscription,
  parseProfileSubscription,
} from "../crds/profile-subscription.js";
import { newerThan, pickVersion } from "../hooks/catalog/resolve.js";
import type { CatalogClient } from "./catalog/client.js";
import type { CliSources } from "./sources.js";

/** A subscription and where it is written. */
export interface FoundSubscription {
  /** Path from the repository root, with `/`. */
  readonly file: string;
  /** The document's position in a multi-document file. */
  readonly document: number;
  readonly subscription: ProfileSubscription;
}

const SKIPPED_DIRECTORIES = new Set([".git", "node_modules"]);

/**
 * Every ProfileSubscription in the YAML files under `root`. Files that do not parse, and subscriptions
 * that do not validate, are reported through `onProblem` and left out.
 */
export async function findSubscriptions(
  root: string,
  onProblem: (message: string) => void,
): Promise<FoundSubscription[]> {
  const found: FoundSubscription[] = [];
  for (const path of await yamlFiles(root)) {
    const text = await readFile(path, "utf8");
    if (!text.includes(PROFILE_SUBSCRIPTION_KIND)) continue;
    const file = relative(root, path).split(sep).join("/");
    parseAllDocuments(text).forEach((document, index) => {
      const value = document.toJS() as { kind?: unknown } | null;
      if (value?.kind !== PROFILE_SUBSCRIPTION_KIND) return;
      try {
        found.push({
          file,
          document: index,
          subscription: parseProfileSubscription(value, { source: file }),
        });
      } catch (error) {
        if (!isPctlError(error)) throw error;
        onProblem(`${file} is skipped: ${error.message}`);
      }
    });
  }
  return found.sort((a, b) => key(a).localeCompare(key(b)));
}

function key(found: FoundSubscription): string {
  return `${found.subscription.metadata.namespace ?? ""}/${found.subscription.metadata.name}`;
}

async function yamlFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRECTORIES.has(entry.name)) files.push(...(await yamlFiles(join(dir, entry.name))));
    } else if (entry.isFile() && /\.ya?ml$/.test(entry.name)) {
      files.push(join(dir, entry.name));
    }
  }
  return files;
}

/** How a subscription names its version, and where that is written in the file. */
export type Tracking =
  | { readonly kind: "catalog"; readonly wanted: string | undefined; readonly path: readonly string[] }
  | { readonly kind: "tag"; readonly tag: string; readonly dir: string; readonly path: readonly string[] }
  | { readonly kind: "semver"; readonly wanted: string; readonly path: readonly string[] }
  | { readonly kind: "branch" | "commit"; readonly ref: string };

/** What `subscription` follows. */
export function trackingOf(subscription: ProfileSubscription): Tracking {
  const { catalog, source } = subscription.spec;
  if (catalog) return { kind: "catalog", wanted: catalog.version, path: ["spec", "catalog", "version"] };
  if (source?.tag !== undefined) {
    const parsed = parseProfileTag(source.tag);
    if (parsed) return { kind: "tag", tag: source.tag, dir: parsed.dir, path: ["spec", "source", "tag"] };
    return { kind: "branch", ref: `tag ${source.tag}` };
  }
  if (source?.semver !== undefined)
    return { kind: "semver", wanted: source.semver, path: ["spec", "source", "semver"] };
  if (source?.commit !== undefined) return { kind: "commit", ref: source.commit };
  return { kind: "branch", ref: source?.branch ?? "" };
}

/** Where a subscription's versions come from, as people read it. */
export function sourceLabel(subscription: ProfileSubscription): string {
  const { catalog, source } = subscription.spec;
  if (catalog) return `${catalog.catalog}/${catalog.profile}`;
  return `${source!.url}${source!.path ? `//${source!.path}` : ""}`;
}

/** The versions a subscription can choose from, ascending, and the one it is on now. */
export interface VersionState {
  readonly versions: readonly string[];
  /** The version in use: the exact one, or the highest a range picks today; undefined when none matches. */
  readonly current: string | undefined;
  /** Newer versions than `current`, ascending. */
  readonly updates: readonly string[];
}

/**
 * The versions `subscription` can move between: from its catalog, or from its repository's tags.
 * Returns undefined for branches and commits, which have no versions.
 */
export async function versionState(
  subscription: ProfileSubscription,
  catalog: CatalogClient | undefined,
  sources: CliSources,
): Promise<VersionState | undefined> {
  const tracking = trackingOf(subscription);
  let versions: { version: string }[];
  let wanted: string | undefined;
  if (tracking.kind === "catalog") {
    const ref = subscription.spec.catalog!;
    if (catalog === undefined) return undefined;
    const details = await catalog.details({
      namespace: ref.namespace ?? subscription.metadata.namespace ?? "default",
      catalog: ref.catalog,
      profile: ref.profile,
    });
    versions = [...details.versions];
    wanted = tracking.wanted;
  } else if (tracking.kind === "tag" || tracking.kind === "semver") {
    const source = subscription.spec.source!;
    const dir =
      tracking.kind === "tag"
        ? tracking.dir
        : source.path === undefined || source.path === "."
          ? ""
          : source.path;
    versions = (await sources.tags(source.url))
      .map((tag) => parseProfileTag(tag.name))
      .filter((tag) => tag !== undefined && tag.dir === dir)
      .map((tag) => ({ version: tag!.version }))
      .sort((a, b) => semver.compare(a.version, b.version));
    wanted = tracking.kind === "tag" ? parseProfileTag(tracking.tag)!.version : tracking.wanted;
  } else {
    return undefined;
  }
  const current = pickVersion(versions, wanted)?.version;
  return {
    versions: versions.map((v) => v.version),
    current,
    updates: current === undefined ? [] : newerThan(versions, current).map((v) => v.version),
  };
}

/** The value to write for `version` where `tracking` keeps it: a version, or a tag in the same style. */
export function versionValue(tracking: Tracking, version: string): string {
  if (tracking.kind === "tag") {
    const old = parseProfileTag(tracking.tag)!;
    const bare = tracking.tag.slice(old.dir === "" ? 0 : old.dir.length + 1);
    const tag = profileTag(old.dir, version);
    // Keep the user's spelling: `nginx/1.2.0` stays without a `v`.
    return bare.startsWith("v") ? tag : tag.replace(/\/v|^v/, (m) => m.slice(0, -1));
  }
  return version;
}
