/**
 * The sync step for entries listed by hand: each is checked on its own, so one bad entry is reported
 * in `status.rejected` and the rest are still served.
 * @module
 */
import semver from "semver";
import { profileTag } from "../../crds/common.js";
import {
  type CatalogEntrySpec,
  type CatalogProfile,
  catalogEntryKey,
  catalogEntryRejection,
} from "../../crds/profile-catalog-source.js";

/** A listed entry or a scanned tag that is not served, and why (`status.rejected[]`). */
export interface Rejection {
  readonly entry: string;
  readonly reason: string;
}

/** What {@link listedEntries} found. */
export interface ListedEntries {
  /** Served entries, in spec order. */
  readonly profiles: CatalogProfile[];
  readonly rejected: Rejection[];
}

/**
 * Checks the listed entries and turns the good ones into served profiles. A served entry's `tag` is the
 * conventional tag of its directory and version (`nginx/v1.2.0`, or `v1.2.0` at the root), which is
 * what a subscription installing it fetches.
 *
 * @param checkUrl refuses a URL the source policy does not allow (a local path in a cluster) by throwing;
 *   its message becomes the rejection reason [every URL is allowed].
 */
export function listedEntries(
  entries: readonly CatalogEntrySpec[],
  checkUrl: (url: string) => unknown = () => undefined,
): ListedEntries {
  const profiles: CatalogProfile[] = [];
  const rejected: Rejection[] = [];
  const seen = new Set<string>();
  for (const entry of entries) {
    const key = catalogEntryKey(entry);
    const problem = catalogEntryRejection(entry) ?? urlProblem(entry.url, checkUrl);
    if (problem !== undefined) {
      rejected.push({ entry: key, reason: problem });
      continue;
    }
    const version = semver.clean(entry.version) ?? entry.version.replace(/^v/, "");
    const normalized = `${entry.name}@${version}`;
    if (seen.has(normalized)) {
      rejected.push({ entry: key, reason: `listed twice; remove one of the entries for ${normalized}` });
      continue;
    }
    seen.add(normalized);
    profiles.push(
      withoutUndefined({
        name: entry.name,
        version,
        tag: profileTag(entry.path ?? "", version),
        url: entry.url,
        path: entry.path,
        description: entry.description,
        maintainer: entry.maintainer,
        prerequisites: entry.prerequisites,
      }),
    );
  }
  return { profiles, rejected };
}

function urlProblem(url: string, checkUrl: (url: string) => unknown): string | undefined {
  try {
    checkUrl(url);
    return undefined;
  } catch (error) {
    return `url: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/**
 * A copy without undefined fields: status must be canonical, or a field that comes and goes between
 * syncs would look like a change.
 */
export function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
