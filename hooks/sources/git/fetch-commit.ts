/**
 * Makes one commit's objects available in a local object store with a shallow, single-ref fetch, or
 * with no request at all when they are already there.
 * @module
 */
import type * as fs from "node:fs";
import git, { type AuthCallback } from "isomorphic-git";
import { NotFoundError } from "../../../crds/errors.js";
import type { SourceHttpClient } from "../http.js";
import { toSourceError } from "./errors.js";

/** Arguments of {@link fetchCommit}. */
export interface FetchCommitArgs {
  readonly fs: typeof fs;
  /** A bare repository used only as an object store; created when missing. */
  readonly gitdir: string;
  /** isomorphic-git's cache object, owned by the caller for the duration of one operation. */
  readonly cache: object;
  readonly http: SourceHttpClient;
  /** The repository URL, already checked by the policy. */
  readonly url: string;
  /** The 40-hex commit id wanted. */
  readonly commit: string;
  /**
   * The full ref name (`refs/heads/main`) last seen pointing at `commit`. Fetching by name works on
   * servers that refuse to serve a commit by id; if the ref has moved since, the commit is asked for
   * by id after all.
   */
  readonly ref?: string | undefined;
  readonly onAuth?: AuthCallback | undefined;
  /**
   * Packs the store may hold before it is started afresh: every fetch adds one, and reads slow down
   * and disk use grows with their number. @default 50
   */
  readonly maxPacks?: number;
}

/**
 * Ensures `commit` and its tree are in `gitdir`.
 * @returns whether a pack was downloaded
 * @throws NotFoundError when the server does not have the commit; the errors of the http client
 */
export async function fetchCommit({
  fs,
  gitdir,
  cache,
  http,
  url,
  commit,
  ref,
  onAuth,
  maxPacks = 50,
}: FetchCommitArgs): Promise<{ fetched: boolean }> {
  if (await hasCommit(fs, gitdir, cache, commit)) return { fetched: false };
  const packs = await fs.promises.readdir(`${gitdir}/objects/pack`).catch(() => []);
  if (packs.filter((name) => name.endsWith(".pack")).length >= maxPacks) await discard(fs, gitdir);
  await git.init({ fs, gitdir, bare: true, defaultBranch: "main" });
  // fetch records what it got under the remote's refspec, so the store needs one.
  await git.addRemote({ fs, gitdir, remote: "origin", url, force: true });
  const fetch = (want: string) =>
    git.fetch({ fs, http, gitdir, cache, url, ref: want, singleBranch: true, depth: 1, tags: false, onAuth });
  try {
    await fetch(ref ?? commit);
    // The ref may have moved since it was resolved (an annotated tag brings its commit along).
    if (ref !== undefined && !(await hasCommit(fs, gitdir, cache, commit))) await fetch(commit);
  } catch (error) {
    // A fetch cut short can leave the shallow list naming commits whose objects never arrived.
    await discard(fs, gitdir);
    throw toSourceError(error, {
      url,
      http,
      authenticated: onAuth !== undefined,
      action: `fetching commit ${commit}`,
    });
  }
  if (!(await hasCommit(fs, gitdir, cache, commit))) {
    throw new NotFoundError(`commit ${commit} not found in ${url}`, { data: { url, commit } });
  }
  return { fetched: true };
}

/** The store is only a cache: dropping it costs one full shallow fetch. */
async function discard(fsModule: typeof fs, gitdir: string): Promise<void> {
  await fsModule.promises.rm(gitdir, { recursive: true, force: true });
}

async function hasCommit(fsModule: typeof fs, gitdir: string, cache: object, oid: string): Promise<boolean> {
  try {
    await git.readCommit({ fs: fsModule, gitdir, cache, oid });
    return true;
  } catch {
    return false;
  }
}
