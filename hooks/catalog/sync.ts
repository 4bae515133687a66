/**
 * The catalog sync hook: listed entries → repository scans → conditions → status, then the index is
 * loaded from that status. Everything is derived from the request (the parent may be stale); nothing is
 * remembered between calls except in the index, which only mirrors the status returned.
 * @module
 */

import semver from "semver";
import { durationMs } from "../../crds/common.js";
import { InvalidSpec, invalidSpecMessage } from "../../crds/conditions.js";
import { isPctlError } from "../../crds/errors.js";
import type { CompositeHookRequest, KubernetesObject } from "../../crds/metacontroller.js";
import {
  type CatalogProfile,
  type ProfileCatalogSource,
  type ProfileCatalogSourceStatus,
  ProfileCatalogSourceStatusSchema,
  parseProfileCatalogSource,
} from "../../crds/profile-catalog-source.js";
import type { SyncAnswer, SyncHandler } from "../routes/metacontroller.js";
import { stalled } from "../source-failures.js";
import { credentialsFromSecretData, type SourceCredentials } from "../sources/credentials.js";
import { secretData } from "../subscription/related.js";
import type { CatalogHookDeps } from "./deps.js";
import { listedEntries, type Rejection } from "./entries.js";
import { type RepositoryResult, scanRepository, timestamp } from "./scan.js";
import { catalogConditions } from "./status.js";

/** The catalog a request is about. */
export function catalogKeyOf(parent: KubernetesObject): { namespace: string; name: string } {
  return { namespace: parent.metadata.namespace ?? "default", name: parent.metadata.name ?? "" };
}

/** The status a parent arrived with, or undefined when it is missing or not ours. */
export function previousStatus(parent: KubernetesObject): ProfileCatalogSourceStatus | undefined {
  const result = ProfileCatalogSourceStatusSchema.safeParse(parent.status);
  return result.success ? result.data : undefined;
}

/**
 * Builds the sync hook.
 * @example app.route("/hooks/catalog", metacontrollerRoutes({ sync: catalogSync(deps), ... }));
 */
export function catalogSync(deps: CatalogHookDeps): SyncHandler {
  const now = deps.now ?? Date.now;
  return async function syncCatalog(request: CompositeHookRequest): Promise<SyncAnswer> {
    const parent = request.parent!;
    const key = catalogKeyOf(parent);
    const previous = previousStatus(parent);
    const nowMs = now();
    const generation = parent.metadata.generation;

    let catalog: ProfileCatalogSource;
    try {
      catalog = parseProfileCatalogSource(parent, { source: `${key.namespace}/${key.name}` });
    } catch (error) {
      if (!isPctlError(error)) throw error;
      // An invalid spec serves what was served before and says what to fix.
      const status = {
        ...previous,
        ...(generation !== undefined && { observedGeneration: generation }),
        conditions: catalogConditions({
          failures: [stalled(InvalidSpec, invalidSpecMessage(error.message))],
          pending: [],
          served: previous?.profiles?.length ?? 0,
          generation,
          previous: previous?.conditions,
          now: timestamp(nowMs),
        }),
      };
      deps.index.replace(key, status.profiles ?? []);
      return { status, children: [] };
    }

    const listed = listedEntries(catalog.spec.profiles ?? [], deps.policy?.checkUrl);
    const listedKeys = new Set(listed.profiles.map((p) => `${p.name}@${p.version}`));
    const intervalMs = durationMs(catalog.spec.interval);
    const force = previous?.observedGeneration !== generation;
    const urls = [...new Set((catalog.spec.repositories ?? []).map((r) => r.url))];
    const results: RepositoryResult[] = await Promise.all(
      urls.map((url) => {
        const secretName = catalog.spec.repositories?.find((r) => r.url === url)?.secretRef?.name;
        return scanRepository({
          url,
          ...credentialsFor(request, secretName, key.namespace),
          secretName,
          previous,
          force,
          intervalMs,
          nowMs,
          shadowed: (name, version) => listedKeys.has(`${name}@${version}`),
          maxReads: deps.maxTagReads ?? 25,
          sources: deps.sources,
        });
      }),
    );

    const { profiles, rejected } = merge(listed.profiles, listed.rejected, results);
    const failures = results.flatMap((r) => (r.failure ? [r.failure] : []));
    const status: ProfileCatalogSourceStatus = {
      ...(generation !== undefined && { observedGeneration: generation }),
      conditions: catalogConditions({
        failures,
        pending: results.flatMap((r) => (r.pending ? [{ url: r.repository.url, tags: r.pending }] : [])),
        served: profiles.length,
        generation,
        previous: previous?.conditions,
        now: timestamp(nowMs),
      }),
      profiles,
      ...(results.length > 0 && { repositories: results.map((r) => r.repository) }),
      ...(rejected.length > 0 && { rejected }),
    };
    deps.index.replace(key, profiles);
    for (const failure of failures) deps.log?.warn({ catalog: key, reason: failure.reason }, failure.message);
    const due = Math.min(...results.map((r) => r.dueInSeconds));
    return { status, children: [], ...(Number.isFinite(due) && { resyncAfterSeconds: Math.max(1, due) }) };
  };
}

/**
 * Listed entries first, then each repository's in spec order; a later entry for a name@version already
 * served is rejected as a duplicate. Profiles are sorted by name, then version, so the status is canonical.
 */
function merge(
  listed: readonly CatalogProfile[],
  listedRejected: readonly Rejection[],
  results: readonly RepositoryResult[],
): { profiles: CatalogProfile[]; rejected: Rejection[] } {
  const profiles = [...listed];
  const rejected = [...listedRejected];
  const served = new Map(listed.map((p) => [`${p.name}@${p.version}`, p]));
  for (const result of results) {
    rejected.push(...result.rejected);
    for (const profile of result.profiles) {
      const key = `${profile.name}@${profile.version}`;
      const first = served.get(key);
      if (first === undefined) {
        served.set(key, profile);
        profiles.push(profile);
      } else {
        rejected.push({
          entry: `${profile.url} ${profile.tag}@${profile.commit}`,
          reason: `${key} is already served from ${first.url}${first.tag ? ` ${first.tag}` : ""}; remove one of them`,
        });
      }
    }
  }
  profiles.sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : semver.compare(a.version, b.version),
  );
  return { profiles, rejected };
}

function credentialsFor(
  request: CompositeHookRequest,
  secretName: string | undefined,
  namespace: string,
): { credentials?: SourceCredentials; credentialsProblem?: string } {
  if (secretName === undefined) return {};
  const data = secretData(request, namespace, secretName);
  if (data === undefined) {
    return {
      credentialsProblem: `Secret ${secretName} named by secretRef was not found in namespace ${namespace}; create it with username and password, or bearerToken`,
    };
  }
  try {
    return { credentials: credentialsFromSecretData(data, secretName) };
  } catch (error) {
    return { credentialsProblem: error instanceof Error ? error.message : String(error) };
  }
}
