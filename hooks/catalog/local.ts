/**
 * Catalog sources on this machine's disk, for the embedded catalog of `npm start` and the CLI's offline
 * `--catalog`: a repository or entry `url` that is a directory path (never a `file:` URL, which the
 * source policy refuses) is read from disk. The cluster hooks never use this module.
 *
 * A directory that is a git repository with profile tags is scanned like a remote one, with
 * isomorphic-git on the local object store. Any other directory is read from its working tree: each
 * `<dir>/profile.yaml` (and a root `profile.yaml`) is one profile whose version is
 * {@link WORKING_TREE_VERSION}, since a working tree has none; its "commit" is a digest of the file, so
 * an edited profile is read again on the next scan.
 * @module
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import git from "isomorphic-git";
import { parseProfileTag, profileTag } from "../../crds/common.js";
import { NotFoundError } from "../../crds/errors.js";
import { parseProfile } from "../../crds/profile.js";
import type { CatalogProfile } from "../../crds/profile-catalog-source.js";
import type { ProfileDir, SourceFetcher, SourceTag } from "../sources/fetcher.js";
import { readTree } from "../sources/git/read-tree.js";
import { normalizeRelativePath, type SourcePolicy } from "../sources/policy.js";

/** The version of a profile read from a working tree: a prerelease, so no range picks it by accident. */
export const WORKING_TREE_VERSION = "0.0.0-local";

/** The part of the fetcher the catalog hooks use. */
export type CatalogSources = Pick<SourceFetcher, "listTags" | "readProfileDir">;

/** True for a directory path: no scheme (`https:`, `file:`) and not scp-like `git@host:path`. */
export function isLocalPath(url: string): boolean {
  return !/^[A-Za-z][A-Za-z0-9+.-]*:/.test(url) && !/^[^/]+@[^/]+:/.test(url);
}

/** Options of {@link localSources}. */
export interface LocalSourcesOptions {
  /** Where relative paths start [process.cwd()]. */
  readonly baseDir?: string;
  /** Answers every URL that is not a local path. */
  readonly remote: CatalogSources;
  /** Cap on the bytes of one profile directory read from a local repository [64 MiB]. */
  readonly maxBytes?: number;
}

async function gitdirOf(dir: string): Promise<string | undefined> {
  for (const candidate of [join(dir, ".git"), dir]) {
    const head = await stat(join(candidate, "HEAD")).catch(() => undefined);
    const objects = await stat(join(candidate, "objects")).catch(() => undefined);
    if (head?.isFile() && objects?.isDirectory()) return candidate;
  }
  return undefined;
}

async function directory(baseDir: string, url: string): Promise<string> {
  const dir = resolve(baseDir, url);
  const found = await stat(dir).catch(() => undefined);
  if (!found?.isDirectory()) {
    throw new NotFoundError(`directory ${url} not found (read from ${baseDir})`, { data: { url } });
  }
  return dir;
}

async function gitTags(gitdir: string): Promise<SourceTag[]> {
  const tags: SourceTag[] = [];
  for (const name of await git.listTags({ fs, gitdir })) {
    if (parseProfileTag(name) === undefined) continue;
    const oid = await git.resolveRef({ fs, gitdir, ref: `refs/tags/${name}` });
    // readCommit peels an annotated tag to the commit it names.
    tags.push({ name, commit: (await git.readCommit({ fs, gitdir, oid })).oid });
  }
  return tags.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

async function workingTreeTags(dir: string): Promise<SourceTag[]> {
  const digest = async (file: string) =>
    createHash("sha1")
      .update(await readFile(file))
      .digest("hex");
  const tags: SourceTag[] = [];
  const root = join(dir, "profile.yaml");
  if (await stat(root).catch(() => undefined)) {
    tags.push({ name: profileTag("", WORKING_TREE_VERSION), commit: await digest(root) });
  }
  for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
    a.name < b.name ? -1 : 1,
  )) {
    const file = join(dir, entry.name, "profile.yaml");
    if (!entry.isDirectory() || !(await stat(file).catch(() => undefined))) continue;
    const tag = profileTag(entry.name, WORKING_TREE_VERSION);
    if (parseProfileTag(tag) !== undefined) tags.push({ name: tag, commit: await digest(file) });
  }
  return tags;
}

/**
 * Sources that read directory paths from disk and hand every other URL to `remote`.
 * @example
 * const sync = catalogSync({ sources: localSources({ remote: fetcher }), policy: localPolicy(policy), index });
 */
export function localSources({
  baseDir = process.cwd(),
  remote,
  maxBytes = 64 * 1024 * 1024,
}: LocalSourcesOptions): CatalogSources {
  return {
    async listTags(request) {
      if (!isLocalPath(request.url)) return remote.listTags(request);
      const dir = await directory(baseDir, request.url);
      const gitdir = await gitdirOf(dir);
      const tags = gitdir === undefined ? [] : await gitTags(gitdir);
      return tags.length > 0 ? tags : workingTreeTags(dir);
    },
    async readProfileDir(request): Promise<ProfileDir> {
      if (!isLocalPath(request.url)) return remote.readProfileDir(request);
      const dir = await directory(baseDir, request.url);
      const path = normalizeRelativePath(request.path, "profile path");
      const gitdir = await gitdirOf(dir);
      const inGit =
        gitdir !== undefined &&
        (await git.readCommit({ fs, gitdir, oid: request.commit }).catch(() => undefined));
      if (gitdir !== undefined && inGit) {
        const files = await readTree({
          fs,
          gitdir,
          cache: {},
          commit: request.commit,
          path,
          maxBytes,
          url: request.url,
        });
        const text = files.get("profile.yaml");
        const source = `${request.url}//${path || "."}@${request.commit}`;
        if (text === undefined)
          throw new NotFoundError(`no profile.yaml in ${source}`, { data: { url: request.url, path } });
        return { files, profile: parseProfile(new TextDecoder().decode(text), { source }) };
      }
      const file = join(dir, path, "profile.yaml");
      const bytes = await readFile(file).catch(() => undefined);
      if (bytes === undefined)
        throw new NotFoundError(`no profile.yaml in ${join(request.url, path)}`, {
          data: { url: request.url, path },
        });
      return {
        files: new Map([["profile.yaml", new Uint8Array(bytes)]]),
        profile: parseProfile(bytes.toString("utf8"), { source: join(request.url, path, "profile.yaml") }),
      };
    },
  };
}

/** A policy check that lets directory paths through and asks `policy` about every other URL. */
export function localPolicy(policy: Pick<SourcePolicy, "checkUrl">): Pick<SourcePolicy, "checkUrl"> {
  return { checkUrl: (url) => (isLocalPath(url) ? new URL("file:///") : policy.checkUrl(url)) };
}

/**
 * Fills in the description, maintainer, prerequisites and parameters of listed entries whose `url` is a
 * directory, from `<url>/<path>/profile.yaml` in its working tree; what an entry says itself wins.
 * Entries whose file is missing or invalid are returned as they are.
 */
export async function describeLocalEntries(
  profiles: readonly CatalogProfile[],
  baseDir = process.cwd(),
): Promise<CatalogProfile[]> {
  return Promise.all(
    profiles.map(async (entry) => {
      if (!isLocalPath(entry.url) || entry.commit !== undefined) return entry;
      const file = resolve(baseDir, entry.url, entry.path ?? "", "profile.yaml");
      const text = await readFile(file, "utf8").catch(() => undefined);
      if (text === undefined) return entry;
      try {
        const { spec } = parseProfile(text, { source: file });
        return {
          ...Object.fromEntries(
            Object.entries({
              description: spec.description,
              maintainer: spec.maintainer,
              prerequisites: spec.prerequisites,
              parameters: spec.parameters,
            }).filter(([, v]) => v !== undefined),
          ),
          ...entry,
        };
      } catch {
        return entry;
      }
    }),
  );
}
