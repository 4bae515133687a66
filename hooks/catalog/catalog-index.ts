/**
 * The in-memory index behind the catalog API: every catalog's served profiles, keyed by
 * `namespace/name` so that two catalogs with one name in two namespaces never collide.
 *
 * It holds no state of its own worth keeping: the sync hook replaces a catalog's entry with the status
 * it returns, and the finalize hook removes it, so after a restart Metacontroller's resync rebuilds it.
 * @module
 */
import { NotFoundError } from "../../crds/errors.js";
import type { CatalogProfile } from "../../crds/profile-catalog-source.js";
import { latestOf, newerThan, pickVersion, versionsOf } from "./resolve.js";

/** A catalog's identity. */
export interface CatalogKey {
  readonly namespace: string;
  readonly name: string;
}

/** One profile of one catalog, as search answers it: the latest version's entry. */
export interface SearchHit {
  readonly namespace: string;
  readonly catalog: string;
  readonly profile: CatalogProfile;
}

/** What {@link CatalogIndex.search} looks for. */
export interface SearchQuery {
  /** Matched against names and descriptions, case-insensitively; empty or absent lists everything. */
  readonly q?: string | undefined;
  /** Only catalogs with this name. */
  readonly catalog?: string | undefined;
  /** Only catalogs in this namespace. */
  readonly namespace?: string | undefined;
}

/** Every version of one profile in one catalog. */
export interface ProfileVersions {
  readonly namespace: string;
  readonly catalog: string;
  readonly name: string;
  /** Ascending by semver. */
  readonly versions: readonly CatalogProfile[];
  readonly latest: CatalogProfile;
}

interface Row {
  /** Built once per index change, so a search allocates no object per hit. */
  readonly hit: SearchHit;
  readonly namespace: string;
  readonly catalog: string;
  readonly name: string;
  readonly description: string;
}

function keyOf({ namespace, name }: CatalogKey): string {
  return `${namespace}/${name}`;
}

/**
 * The catalog index. Search is a scan over one pre-sorted row per catalog and profile, bucketed by rank,
 * so no query sorts: exact name first, then name prefix, then name substring, then description substring.
 * @example
 * const index = new CatalogIndex();
 * index.replace({ namespace: "platform", name: "company" }, status.profiles ?? []);
 * index.search({ q: "nginx" });
 */
export class CatalogIndex {
  readonly #catalogs = new Map<string, { key: CatalogKey; profiles: Map<string, CatalogProfile[]> }>();
  #rows: Row[] | undefined;

  /** Serves `profiles` as the whole content of catalog `key`, replacing what it served before. */
  replace(key: CatalogKey, profiles: readonly CatalogProfile[]): void {
    const byName = new Map<string, CatalogProfile[]>();
    for (const name of new Set(profiles.map((p) => p.name))) {
      const versions = versionsOf(profiles, name);
      if (versions.length > 0) byName.set(name, versions);
    }
    this.#catalogs.set(keyOf(key), { key: { namespace: key.namespace, name: key.name }, profiles: byName });
    this.#rows = undefined;
  }

  /** Stops serving catalog `key`; returns whether it was served. */
  remove(key: CatalogKey): boolean {
    const removed = this.#catalogs.delete(keyOf(key));
    if (removed) this.#rows = undefined;
    return removed;
  }

  /** The catalogs served, sorted by namespace and name. */
  catalogs(): CatalogKey[] {
    return [...this.#catalogs.values()].map((c) => c.key).sort((a, b) => cmp(keyOf(a), keyOf(b)));
  }

  /** Profiles matching `query`, best first; within a rank by name, namespace and catalog. */
  search({ q, catalog, namespace }: SearchQuery = {}): SearchHit[] {
    const rows = this.#rowsSorted();
    const needle = (q ?? "").trim().toLowerCase();
    const exact: SearchHit[] = [];
    const prefix: SearchHit[] = [];
    const inName: SearchHit[] = [];
    const inDescription: SearchHit[] = [];
    for (const row of rows) {
      if (catalog !== undefined && row.catalog !== catalog) continue;
      if (namespace !== undefined && row.namespace !== namespace) continue;
      if (needle === "" || row.name === needle) exact.push(row.hit);
      else if (row.name.startsWith(needle)) prefix.push(row.hit);
      else if (row.name.includes(needle)) inName.push(row.hit);
      else if (row.description.includes(needle)) inDescription.push(row.hit);
    }
    return exact.concat(prefix, inName, inDescription);
  }

  /**
   * Every version of `profile` in catalog `key`.
   * @throws NotFoundError when the catalog or the profile is not served
   */
  profile(key: CatalogKey, profile: string): ProfileVersions {
    const served = this.#catalogs.get(keyOf(key));
    if (served === undefined) {
      throw new NotFoundError(
        `catalog ${keyOf(key)} not found; list the catalogs with kubectl get profilecatalogsources -A`,
        { data: { namespace: key.namespace, catalog: key.name } },
      );
    }
    const versions = served.profiles.get(profile);
    if (versions === undefined) {
      throw new NotFoundError(
        `profile ${profile} not found in catalog ${keyOf(key)}; search with /api/v1/profiles?q=${profile}`,
        { data: { namespace: key.namespace, catalog: key.name, profile } },
      );
    }
    return {
      namespace: key.namespace,
      catalog: key.name,
      name: profile,
      versions,
      latest: latestOf(versions)!,
    };
  }

  /**
   * One version of `profile`: an exact version (a leading `v` is allowed) or `latest`.
   * @throws NotFoundError when the catalog, the profile or the version is not served (the message
   *   lists the versions there are)
   */
  version(key: CatalogKey, profile: string, version: string): CatalogProfile {
    const { versions } = this.profile(key, profile);
    const found = pickVersion(versions, version);
    if (found === undefined) {
      const available = versions.map((v) => v.version);
      throw new NotFoundError(
        `version ${version} of profile ${profile} not found in catalog ${keyOf(key)}; available: ${available.join(", ")}`,
        { data: { namespace: key.namespace, catalog: key.name, profile, version, available } },
      );
    }
    return found;
  }

  /**
   * The versions of `profile` newer than `from`, ascending; empty when there are none.
   * @throws NotFoundError when the catalog or the profile is not served
   * @throws InvalidInputError when `from` is not a semantic version
   */
  updates(key: CatalogKey, profile: string, from: string): CatalogProfile[] {
    return newerThan(this.profile(key, profile).versions, from);
  }

  #rowsSorted(): Row[] {
    if (this.#rows !== undefined) return this.#rows;
    const rows: Row[] = [];
    for (const { key, profiles } of this.#catalogs.values()) {
      for (const [name, versions] of profiles) {
        const profile = latestOf(versions)!;
        rows.push({
          hit: { namespace: key.namespace, catalog: key.name, profile },
          namespace: key.namespace,
          catalog: key.name,
          name: name.toLowerCase(),
          description: (profile.description ?? "").toLowerCase(),
        });
      }
    }
    rows.sort((a, b) => cmp(a.name, b.name) || cmp(a.namespace, b.namespace) || cmp(a.catalog, b.catalog));
    this.#rows = rows;
    return rows;
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
