/**
 * The source fetcher: turns "url + ref + path" into a commit, and a commit into the files of a profile
 * directory, for the subscription hooks, the catalog hooks and the CLI.
 *
 * Costs, by design:
 * - a `commit` whose directory is cached: no request;
 * - a branch, tag or semver whose answer is younger than `refTtlMs`: no request;
 * - past the TTL, a ref that has not moved: one ref discovery (protocol v2 `ls-refs` for just that ref
 *   or that profile's tags) and no pack download;
 * - a new commit: one shallow (depth 1) fetch of that commit alone.
 *
 * Object store: one bare repository per (repository, credentials) under a temporary directory that
 * the fetcher creates below `fsDir` (in the hook container, the emptyDir at TMPDIR) and deletes on
 * `close()`. On disk rather than in memory because packs can be large and a later fetch of the same
 * repository negotiates against what is there, so only new objects travel. Keeping a store per
 * credentials means a caller without the Secret never reads what a caller with it fetched.
 * @module
 */
import { createHmac, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sourcePath } from "../../crds/common.js";
import { InvalidInputError, NotFoundError } from "../../crds/errors.js";
import { type Profile, parseProfile } from "../../crds/profile.js";
import { ByteLruCache, TtlCache } from "./cache.js";
import { authCallback, type SourceCredentials } from "./credentials.js";
import { fetchCommit } from "./git/fetch-commit.js";
import { listRefs } from "./git/list-refs.js";
import { readTree } from "./git/read-tree.js";
import { type NamedRef, resolveRef } from "./git/resolve-ref.js";
import { createHttpAgents, createHttpClient, display } from "./http.js";
import { normalizeRelativePath, normalizeSourceUrl, type SourcePolicy } from "./policy.js";
import { type ProfileTreeNode, type ResolveTreeRequest, resolveProfileTree } from "./tree.js";

/** Which commit to use: exactly one of a branch, a tag, a semver range (over tags) or a commit id. */
export interface SourceRef extends NamedRef {
  /** A full 40-character commit id. */
  readonly commit?: string | undefined;
}

/** What to resolve: a repository, a ref, and the profile's directory. */
export interface SourceRequest {
  readonly url: string;
  readonly ref: SourceRef;
  /** The profile directory; defaults to the directory of a `<dir>/<semver>` tag, else the root. */
  readonly path?: string | undefined;
  readonly credentials?: SourceCredentials | undefined;
}

/** A source pinned to a commit: what a subscription reports as `status.resolved`. */
export interface ResolvedSource {
  readonly url: string;
  /** The concrete branch or tag name; the commit id itself for a `commit` ref. */
  readonly ref: string;
  readonly commit: string;
  /** The profile directory, normalized; `""` is the repository root. */
  readonly path: string;
  /** The profile version the tag names, for tag and semver refs. */
  readonly version?: string | undefined;
}

/** The plain data the expansion code consumes: every file of the profile directory, and its profile. */
export interface ProfileDir {
  /** Files keyed by path relative to the profile directory. Shared with the cache: do not mutate. */
  readonly files: ReadonlyMap<string, Uint8Array>;
  readonly profile: Profile;
}

/** A tag of a repository and the commit it names. */
export interface SourceTag {
  readonly name: string;
  readonly commit: string;
}

/** Counters for tests, benches and metrics. */
export interface SourceFetcherStats {
  /** Ref listings sent to a server. */
  refDiscoveries: number;
  /** Resolutions answered by the ref cache. */
  refCacheHits: number;
  /** Commits fetched from a server. */
  packFetches: number;
  /** Profile directories answered by the directory cache. */
  dirCacheHits: number;
  /** Profile directories read from the local object store without a request. */
  objectStoreHits: number;
}

/** Options of {@link createSourceFetcher}. */
export interface SourceFetcherOptions {
  readonly policy: SourcePolicy;
  /** Budget of the profile-directory cache, in file bytes. @default 67108864 (64 MiB) */
  readonly cacheBytes?: number;
  /** How long a branch, tag or semver resolution is trusted. @default 30000 */
  readonly refTtlMs?: number;
  /** Deadline of one git operation (a ref listing, a fetch). @default 60000 */
  readonly timeoutMs?: number;
  /** Cap on bytes downloaded by one git operation, and on a profile directory's files. @default 67108864 */
  readonly maxBytes?: number;
  /** Parent of the fetcher's object-store directory. @default os.tmpdir() */
  readonly fsDir?: string;
  /** The clock for the ref cache, in milliseconds. @default Date.now */
  readonly now?: () => number;
  /** Deepest profile nesting `resolveTree` follows. @default 10 */
  readonly maxDepth?: number;
  /** Packs one repository's object store may hold before it is started afresh. @default 50 */
  readonly maxPacks?: number;
}

/** Fetches profile sources; see {@link createSourceFetcher}. */
export interface SourceFetcher {
  /** Resolves a ref to a commit, from the ref cache or with one ref discovery. */
  resolve(request: SourceRequest): Promise<ResolvedSource>;
  /** Reads a profile directory at a commit, from the cache, the object store, or one shallow fetch. */
  readProfileDir(request: {
    readonly url: string;
    readonly commit: string;
    readonly path?: string | undefined;
    readonly credentials?: SourceCredentials | undefined;
  }): Promise<ProfileDir>;
  /** Lists a repository's tags with ref discovery only. */
  listTags(request: {
    readonly url: string;
    readonly credentials?: SourceCredentials | undefined;
  }): Promise<SourceTag[]>;
  /** Resolves a profile and, recursively, the profiles it nests. */
  resolveTree(request: ResolveTreeRequest): Promise<ProfileTreeNode>;
  readonly stats: Readonly<SourceFetcherStats>;
  /** Closes pooled connections and deletes the object store. */
  close(): Promise<void>;
}

/** A repository as the fetcher keys it: the checked URL, and a scope per (identity, credentials). */
interface Repository {
  readonly url: string;
  readonly scope: string;
}

/**
 * Creates a source fetcher. It keeps its caches and object store for its lifetime: create one per
 * process and share it.
 * @example
 * const sources = createSourceFetcher({ policy: createSourcePolicy(sourcePolicyOptionsFromEnv()) });
 * const resolved = await sources.resolve({ url, ref: { semver: "^1.2" }, path: "nginx" });
 * const { profile, files } = await sources.readProfileDir(resolved);
 */
export function createSourceFetcher({
  policy,
  cacheBytes = 64 * 1024 * 1024,
  refTtlMs = 30_000,
  timeoutMs = 60_000,
  maxBytes = 64 * 1024 * 1024,
  fsDir = tmpdir(),
  now = Date.now,
  maxDepth = 10,
  maxPacks = 50,
}: SourceFetcherOptions): SourceFetcher {
  const stats: SourceFetcherStats = {
    refDiscoveries: 0,
    refCacheHits: 0,
    packFetches: 0,
    dirCacheHits: 0,
    objectStoreHits: 0,
  };
  // Store names derive from credentials: keyed with a per-fetcher secret, they reveal nothing.
  const scopeKey = randomBytes(32);
  const agents = createHttpAgents();
  const refs = new TtlCache<string, ResolvedSource>(refTtlMs, now);
  const tags = new TtlCache<string, SourceTag[]>(refTtlMs, now);
  // The ref a commit was resolved from, so it can be fetched by name from servers that refuse ids.
  const refHints = new TtlCache<string, string>(Math.max(refTtlMs, 10 * 60_000), now);
  const dirs = new ByteLruCache<string, ProfileDir>(cacheBytes, sizeOfDir);
  const inflight = new Map<string, Promise<unknown>>();
  const locks = new Map<string, Promise<unknown>>();
  let storeRoot: Promise<string> | undefined;

  const client = () => createHttpClient({ policy, timeoutMs, maxBytes, agents });

  const repository = (url: string, credentials: SourceCredentials | undefined): Repository => {
    const checked = policy.checkUrl(url);
    const secret = credentials === undefined ? "" : JSON.stringify(Object.entries(credentials).sort());
    const scope = createHmac("sha256", scopeKey)
      .update(`${normalizeSourceUrl(checked)}\0${secret}`)
      .digest("hex")
      .slice(0, 32);
    return { url: display(checked).replace(/\/+$/, ""), scope };
  };

  /** Runs `work` once for concurrent callers with the same key. */
  const once = <T>(key: string, work: () => Promise<T>): Promise<T> => {
    const running = inflight.get(key);
    if (running !== undefined) return running as Promise<T>;
    const started = work().finally(() => inflight.delete(key));
    inflight.set(key, started);
    return started;
  };

  /** Runs `work` after every earlier operation on the same object store has settled. */
  const exclusive = <T>(scope: string, work: () => Promise<T>): Promise<T> => {
    const previous = locks.get(scope) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.catch(() => undefined);
    locks.set(scope, settled);
    void settled.then(() => {
      if (locks.get(scope) === settled) locks.delete(scope);
    });
    return next;
  };

  const gitdirOf = async (scope: string): Promise<string> => {
    storeRoot ??= mkdtemp(join(fsDir, "pctl-sources-"));
    return join(await storeRoot, scope);
  };

  const resolve = async ({ url, ref, path, credentials }: SourceRequest): Promise<ResolvedSource> => {
    const repo = repository(url, credentials);
    const kinds = (["branch", "tag", "semver", "commit"] as const).filter((kind) => ref[kind] !== undefined);
    if (kinds.length !== 1) {
      throw new InvalidInputError(
        `a source needs exactly one of branch, tag, semver or commit, got ${kinds.length}`,
        {
          data: { url: repo.url, refs: kinds },
        },
      );
    }
    // The root reads "." in a spec and "" once normalized.
    const dir = normalizeRelativePath(sourcePath({ tag: ref.tag, path }), "profile path");
    if (ref.commit !== undefined)
      return { url: repo.url, ref: checkCommit(ref.commit), commit: ref.commit, path: dir };
    const kind = kinds[0]!;
    const key = `${repo.scope}\0${kind}\0${ref[kind]}\0${dir}`;
    const cached = refs.get(key);
    if (cached !== undefined) {
      stats.refCacheHits++;
      return cached;
    }
    return once(`resolve\0${key}`, async () => {
      stats.refDiscoveries++;
      const found = await resolveRef({
        http: client(),
        url: repo.url,
        ref,
        path: dir,
        onAuth: authCallback(credentials),
      });
      const resolved: ResolvedSource = {
        url: repo.url,
        ref: found.ref,
        commit: found.commit,
        path: dir,
        ...(found.version !== undefined && { version: found.version }),
      };
      refs.set(key, resolved);
      refHints.set(`${repo.scope}\0${found.commit}`, found.fullRef);
      return resolved;
    });
  };

  const readProfileDir: SourceFetcher["readProfileDir"] = async ({ url, commit, path, credentials }) => {
    const repo = repository(url, credentials);
    const dir = normalizeRelativePath(path, "profile path");
    checkCommit(commit);
    const key = `${repo.scope}\0${commit}\0${dir}`;
    const cached = dirs.get(key);
    if (cached !== undefined) {
      stats.dirCacheHits++;
      return cached;
    }
    return once(`read\0${key}`, () =>
      exclusive(repo.scope, async () => {
        const gitdir = await gitdirOf(repo.scope);
        // A fresh isomorphic-git cache per operation: it holds parsed pack indexes, which must not pile up.
        const cache = {};
        const { fetched } = await fetchCommit({
          fs,
          gitdir,
          cache,
          http: client(),
          url: repo.url,
          commit,
          ref: refHints.get(`${repo.scope}\0${commit}`),
          onAuth: authCallback(credentials),
          maxPacks,
        });
        if (fetched) stats.packFetches++;
        else stats.objectStoreHits++;
        const files = await readTree({ fs, gitdir, cache, commit, path: dir, maxBytes, url: repo.url });
        const text = files.get("profile.yaml");
        const source = `${repo.url}//${dir || "."}@${commit}`;
        if (text === undefined) {
          throw new NotFoundError(`no profile.yaml in ${source}`, {
            data: { url: repo.url, commit, path: dir },
          });
        }
        const result: ProfileDir = {
          files,
          profile: parseProfile(new TextDecoder().decode(text), { source }),
        };
        dirs.set(key, result);
        return result;
      }),
    );
  };

  const listTags: SourceFetcher["listTags"] = async ({ url, credentials }) => {
    const repo = repository(url, credentials);
    const cached = tags.get(repo.scope);
    if (cached !== undefined) {
      stats.refCacheHits++;
      return cached;
    }
    return once(`tags\0${repo.scope}`, async () => {
      stats.refDiscoveries++;
      const prefix = "refs/tags/";
      const found = await listRefs({
        http: client(),
        url: repo.url,
        prefix,
        onAuth: authCallback(credentials),
      });
      const result = found
        .map((r) => ({ name: r.ref.slice(prefix.length), commit: r.commit }))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      tags.set(repo.scope, result);
      return result;
    });
  };

  const fetcher: SourceFetcher = {
    resolve,
    readProfileDir,
    listTags,
    resolveTree: (request) => resolveProfileTree({ sources: fetcher, maxDepth, ...request }),
    stats,
    async close() {
      agents.http.destroy();
      agents.https.destroy();
      if (storeRoot !== undefined) await rm(await storeRoot, { recursive: true, force: true });
    },
  };
  return fetcher;
}

function checkCommit(commit: string): string {
  if (!/^[0-9a-f]{40}$/.test(commit)) {
    throw new InvalidInputError(
      `commit "${commit}" must be a full 40-character lower-case hex id: an abbreviated id cannot be fetched`,
      { data: { commit } },
    );
  }
  return commit;
}

function sizeOfDir({ files }: ProfileDir): number {
  let bytes = 0;
  for (const [name, content] of files) bytes += name.length + content.length;
  return bytes;
}
