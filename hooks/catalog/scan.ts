/**
 * The sync step for one scanned repository: list its profile tags (`<dir>/v<semver>`, root `v<semver>`)
 * with one ref discovery, read `profile.yaml` only at tags that are new or moved, and carry everything
 * else over from the previous status. The hook stays stateless: the parent's status is the cache.
 *
 * A sync reads at most `maxReads` new tags per repository, so the hook answers well within
 * Metacontroller's timeout however many tags a first scan finds; the rest are read by the syncs that
 * follow at once (`pending`, resync after a second), each carrying over what the last one read.
 *
 * The scan runs only when it is due (`lastScanTime` older than the interval, or never), so the status
 * does not change between scans and Metacontroller is not kept busy by its own writes. A failed scan
 * keeps the repository's last profiles and drops `lastScanTime`, which makes the next sync try again.
 * @module
 */
import { parseProfileTag } from "../../crds/common.js";
import { AuthenticationFailed, InvalidSpec, invalidSpecMessage } from "../../crds/conditions.js";
import { InvalidProfileError, isPctlError, LimitExceededError, NotFoundError } from "../../crds/errors.js";
import type { Profile } from "../../crds/profile.js";
import type { CatalogProfile, ProfileCatalogSourceStatus } from "../../crds/profile-catalog-source.js";
import { type ConditionFailure, sourceFailureOf, sourceUnavailable, stalled } from "../source-failures.js";
import type { SourceCredentials } from "../sources/credentials.js";
import type { SourceFetcher, SourceTag } from "../sources/fetcher.js";
import { type Rejection, withoutUndefined } from "./entries.js";

/** `status.repositories[]`. */
export interface ScannedRepository {
  readonly url: string;
  readonly scannedTags?: string[];
  readonly lastScanTime?: string;
}

/** What one repository contributes to the status. */
export interface RepositoryResult {
  readonly repository: ScannedRepository;
  readonly profiles: CatalogProfile[];
  readonly rejected: Rejection[];
  /** Why the repository could not be scanned. */
  readonly failure?: ConditionFailure;
  /** New tags left unread because the sync's read budget ran out; read by the next sync. */
  readonly pending?: number;
  /** Seconds until the repository should be scanned again. */
  readonly dueInSeconds: number;
}

/** Arguments of {@link scanRepository}. */
export interface ScanArgs {
  readonly url: string;
  /** The Secret named by secretRef, decoded; or why it cannot be used. */
  readonly credentials?: SourceCredentials | undefined;
  readonly credentialsProblem?: string | undefined;
  readonly secretName?: string | undefined;
  /** The status the parent arrived with. */
  readonly previous: ProfileCatalogSourceStatus | undefined;
  /** Scan now whatever the time, and read rejected tags again: the spec changed. */
  readonly force: boolean;
  readonly intervalMs: number;
  readonly nowMs: number;
  /** Whether a listed entry already serves this profile version, so the tag need not be read. */
  readonly shadowed: (name: string, version: string) => boolean;
  /** Most new tags read in one sync. */
  readonly maxReads: number;
  readonly sources: Pick<SourceFetcher, "listTags" | "readProfileDir">;
}

/** Failed scans of a source that may recover are retried sooner than the interval. */
const RETRY_MS = 30_000;

// A scanned tag's rejection names the commit, so a tag moved to a fixed commit is read again.
const REJECTED_TAG = /^(\S+) (\S+)@([0-9a-f]{40})$/;

/** How a scanned tag is named in `status.rejected`: `<url> <tag>@<commit>`. */
function rejectedTagEntry(url: string, tag: SourceTag): string {
  return `${url} ${tag.name}@${tag.commit}`;
}

/** Kubernetes' timestamp form: RFC 3339 in UTC, whole seconds. */
export function timestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Scans one repository, or carries its previous result over when no scan is due. */
export async function scanRepository(args: ScanArgs): Promise<RepositoryResult> {
  const { url, previous, intervalMs, nowMs, force } = args;
  const record = previous?.repositories?.find((r) => r.url === url);
  const scannedTags = new Set(record?.scannedTags ?? []);
  const carried = {
    profiles: (previous?.profiles ?? []).filter(
      (p) => p.url === url && p.tag !== undefined && p.commit !== undefined && scannedTags.has(p.tag),
    ),
    rejected: (previous?.rejected ?? []).filter((r) => REJECTED_TAG.exec(r.entry)?.[1] === url),
  };
  const lastScanMs = record?.lastScanTime === undefined ? Number.NaN : Date.parse(record.lastScanTime);
  const elapsed = nowMs - lastScanMs;
  if (!force && elapsed < intervalMs) {
    return {
      repository: record!,
      ...carried,
      dueInSeconds: Math.ceil((intervalMs - elapsed) / 1000),
    };
  }
  const fail = (failure: ConditionFailure): RepositoryResult => ({
    repository: withoutUndefined({ url, scannedTags: record?.scannedTags }),
    ...carried,
    failure,
    dueInSeconds: Math.ceil(
      (failure.failure === "stalled" ? intervalMs : Math.min(RETRY_MS, intervalMs)) / 1000,
    ),
  });
  if (args.credentialsProblem !== undefined) {
    return fail(stalled(AuthenticationFailed, args.credentialsProblem));
  }
  try {
    return await scan(args, carried);
  } catch (error) {
    return fail(failureOf(error, url, args.secretName));
  }
}

async function scan(
  { url, credentials, force, nowMs, intervalMs, shadowed, maxReads, sources }: ScanArgs,
  carried: { profiles: CatalogProfile[]; rejected: Rejection[] },
): Promise<RepositoryResult> {
  const knownProfiles = new Map<string, CatalogProfile>(
    carried.profiles.map((p) => [`${p.tag}@${p.commit}`, p]),
  );
  const knownRejections = new Map<string, Rejection>(
    force
      ? []
      : carried.rejected.map((r) => {
          const [, , tag, commit] = REJECTED_TAG.exec(r.entry)!;
          return [`${tag}@${commit}`, r] as const;
        }),
  );
  const profiles: CatalogProfile[] = [];
  const rejected: Rejection[] = [];
  const scanned: string[] = [];
  let reads = 0;
  let pending = 0;
  const tags = await sources.listTags({ url, credentials });
  for (const tag of tags) {
    const parsed = parseProfileTag(tag.name);
    if (parsed === undefined) continue;
    const known = `${tag.name}@${tag.commit}`;
    const profile = knownProfiles.get(known);
    const rejection = knownRejections.get(known);
    if (profile !== undefined) profiles.push(profile);
    else if (rejection !== undefined) rejected.push(rejection);
    else if (parsed.dir !== "" && shadowed(parsed.dir, parsed.version)) continue;
    else if (reads >= maxReads) {
      pending++;
      continue;
    } else {
      reads++;
      const read = await readTag(sources, url, credentials, tag, parsed);
      if ("reason" in read) rejected.push(read);
      else profiles.push(read);
    }
    scanned.push(tag.name);
  }
  if (pending > 0) {
    // Not finished: no lastScanTime yet, so the next sync goes on from what this one read.
    return { repository: { url, scannedTags: scanned }, profiles, rejected, pending, dueInSeconds: 1 };
  }
  return {
    repository: { url, scannedTags: scanned, lastScanTime: timestamp(nowMs) },
    profiles,
    rejected,
    dueInSeconds: Math.ceil(intervalMs / 1000),
  };
}

async function readTag(
  sources: ScanArgs["sources"],
  url: string,
  credentials: SourceCredentials | undefined,
  tag: SourceTag,
  { dir, version }: { dir: string; version: string },
): Promise<CatalogProfile | Rejection> {
  let profile: Profile;
  try {
    ({ profile } = await sources.readProfileDir({ url, commit: tag.commit, path: dir, credentials }));
  } catch (error) {
    // What is wrong with this tag alone is reported and the scan goes on; anything else fails the scan.
    // A NotFound here is a missing directory or profile.yaml at the tag, unless the repository itself
    // is gone (the git layer's "repository … not found"), which is the scan's failure, not the tag's.
    const repositoryGone = error instanceof NotFoundError && error.message.startsWith("repository ");
    if (
      error instanceof InvalidProfileError ||
      (error instanceof NotFoundError && !repositoryGone) ||
      error instanceof LimitExceededError
    ) {
      return { entry: rejectedTagEntry(url, tag), reason: error.message };
    }
    throw error;
  }
  if (dir !== "" && profile.metadata.name !== dir) {
    return {
      entry: rejectedTagEntry(url, tag),
      reason: `profile.yaml names the profile ${profile.metadata.name}, but the tag's directory is ${dir}; a profile's directory must equal its metadata.name`,
    };
  }
  return withoutUndefined({
    name: profile.metadata.name,
    version,
    tag: tag.name,
    url,
    path: dir === "" ? undefined : dir,
    commit: tag.commit,
    description: profile.spec.description,
    maintainer: profile.spec.maintainer,
    prerequisites: profile.spec.prerequisites,
    parameters: profile.spec.parameters,
  });
}

function failureOf(error: unknown, url: string, secretName: string | undefined): ConditionFailure {
  if (isPctlError(error)) {
    const failure = sourceFailureOf(error, { url, secretName, noun: "repository" });
    if (failure !== undefined) return failure;
    if (error.code === "InvalidInput") {
      return stalled(InvalidSpec, invalidSpecMessage(`repository ${url}: ${error.message}`));
    }
  }
  // Anything else, a repository gone missing included, may heal by itself: the scan is retried.
  return sourceUnavailable(url, error instanceof Error ? error.message : String(error));
}
