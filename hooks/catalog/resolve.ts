/**
 * Picking a version out of a catalog: the one semver policy shared by the subscription hooks (through
 * a catalog's status), the catalog API (through the index) and the CLI.
 *
 * - An exact version matches itself, with or without a leading `v`; build metadata is ignored.
 * - A range picks the highest version that satisfies it, with semver's prerelease rule: a prerelease
 *   matches only a comparator that names a prerelease of the same `major.minor.patch`.
 * - No version means the latest: the highest release, or the highest prerelease when there is no release.
 * @module
 */
import semver from "semver";
import { InvalidInputError, NotFoundError } from "../../crds/errors.js";
import type { CatalogProfile, ProfileCatalogSource } from "../../crds/profile-catalog-source.js";
import type { CatalogRef } from "../../crds/profile-subscription.js";

/** Versions of one profile, ascending by semver; entries whose version does not parse are left out. */
export function versionsOf(profiles: readonly CatalogProfile[], name: string): CatalogProfile[] {
  return profiles
    .filter((p) => p.name === name && semver.valid(p.version) !== null)
    .sort((a, b) => semver.compare(a.version, b.version));
}

/** The latest of ascending `versions`: the highest release, else the highest prerelease. */
export function latestOf<T extends { readonly version: string }>(versions: readonly T[]): T | undefined {
  for (let i = versions.length - 1; i >= 0; i--) {
    const candidate = versions[i]!;
    if (semver.prerelease(candidate.version) === null) return candidate;
  }
  return versions[versions.length - 1];
}

/**
 * The entry of ascending `versions` that `wanted` names: an exact version, a range, `latest`, or the
 * latest when undefined. Returns undefined when nothing matches.
 * @throws InvalidInputError when `wanted` is neither a version nor a range
 */
export function pickVersion<T extends { readonly version: string }>(
  versions: readonly T[],
  wanted: string | undefined,
): T | undefined {
  if (wanted === undefined || wanted === "latest") return latestOf(versions);
  const exact = semver.valid(wanted);
  if (exact !== null) return versions.find((v) => semver.eq(v.version, exact));
  if (semver.validRange(wanted) === null) {
    throw new InvalidInputError(`version "${wanted}" is neither a semantic version nor a semver range`, {
      data: { version: wanted },
    });
  }
  const best = semver.maxSatisfying(
    versions.map((v) => v.version),
    wanted,
  );
  return best === null ? undefined : versions.find((v) => v.version === best);
}

/**
 * The entries of ascending `versions` newer than `from`, ascending, under the same prerelease rule as
 * ranges: from 1.2.0, 1.3.0-rc.1 is not an update; from 1.3.0-rc.1, 1.3.0-rc.2 is.
 * @throws InvalidInputError when `from` is not a semantic version
 */
export function newerThan<T extends { readonly version: string }>(versions: readonly T[], from: string): T[] {
  const current = semver.valid(from);
  if (current === null) {
    throw new InvalidInputError(`"${from}" is not a semantic version such as 1.2.0`, { data: { from } });
  }
  return versions.filter((v) => semver.satisfies(v.version, `>${current}`));
}

function catalogName(catalog: ProfileCatalogSource): string {
  return `${catalog.metadata.namespace ?? "default"}/${catalog.metadata.name}`;
}

/**
 * The catalog entry a subscription's `spec.catalog` names, read from the catalog's synced status:
 * the exact version, the highest version in the range, or the latest when `ref.version` is absent.
 * @throws NotFoundError when the profile is not in the catalog, or no version matches (the message
 *   lists the versions there are)
 * @throws InvalidInputError when `ref.version` is neither a version nor a range
 * @example
 * const entry = resolveCatalogEntry(catalog, { catalog: "company", profile: "nginx", version: "^1.2" });
 * // entry.url, entry.tag, entry.path, entry.commit
 */
export function resolveCatalogEntry(catalog: ProfileCatalogSource, ref: CatalogRef): CatalogProfile {
  const versions = versionsOf(catalog.status?.profiles ?? [], ref.profile);
  const where = `catalog ${catalogName(catalog)}`;
  if (versions.length === 0) {
    throw new NotFoundError(
      `profile ${ref.profile} not found in ${where}; run pctl search to list profiles`,
      {
        data: { catalog: catalogName(catalog), profile: ref.profile },
      },
    );
  }
  const found = pickVersion(versions, ref.version);
  if (found === undefined) {
    const available = versions.map((v) => v.version);
    throw new NotFoundError(
      `no version of profile ${ref.profile} matching ${ref.version} in ${where}; available: ${available.join(", ")}`,
      { data: { catalog: catalogName(catalog), profile: ref.profile, version: ref.version, available } },
    );
  }
  return found;
}

/**
 * The versions of `profileName` in the catalog's status newer than `currentVersion`, ascending:
 * what a subscription publishes as `status.availableUpdates`. Empty when nothing is newer.
 * @throws InvalidInputError when `currentVersion` is not a semantic version
 * @example availableUpdates(catalog, "nginx", "1.2.0") // ["1.3.0", "2.0.0"]
 */
export function availableUpdates(
  catalog: ProfileCatalogSource,
  profileName: string,
  currentVersion: string,
): string[] {
  return newerThan(versionsOf(catalog.status?.profiles ?? [], profileName), currentVersion).map(
    (v) => v.version,
  );
}
