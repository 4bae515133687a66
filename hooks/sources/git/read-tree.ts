/**
 * Reads every file under one directory at one commit from a local object store, resolving symlinks that
 * stay inside the directory and refusing those that leave it.
 * @module
 */
import type * as fs from "node:fs";
import git from "isomorphic-git";
import {
  InvalidProfileError,
  LimitExceededError,
  NotFoundError,
  PolicyViolationError,
} from "../../../crds/errors.js";
import { resolveLinkTarget } from "../policy.js";

/** Arguments of {@link readTree}. */
export interface ReadTreeArgs {
  readonly fs: typeof fs;
  readonly gitdir: string;
  readonly cache: object;
  readonly commit: string;
  /** The directory to read, normalized (`""` for the repository root). */
  readonly path: string;
  /** Cap on the bytes of all files read (uncompressed). */
  readonly maxBytes: number;
  /** The repository URL, for messages. */
  readonly url: string;
}

const symlinkMode = "120000";
/** Links may point at links; a chain longer than this is a loop or an abuse. */
const maxLinkHops = 8;

/**
 * Reads the files under `path` at `commit`, keyed by path relative to `path`. A symlink becomes a copy
 * of the file (or the files of the directory) it points at; submodules are skipped.
 * @throws NotFoundError when `path` is not a directory at `commit`; PolicyViolationError for a symlink
 *   that leaves the directory; InvalidProfileError for a dangling or looping symlink;
 *   LimitExceededError past `maxBytes`
 */
export async function readTree({ fs, gitdir, cache, commit, path, maxBytes, url }: ReadTreeArgs) {
  const where = `"${path || "."}" at ${commit} of ${url}`;
  let root: Awaited<ReturnType<typeof git.readTree>>;
  try {
    root = await git.readTree({ fs, gitdir, cache, oid: commit, filepath: path || undefined });
  } catch (cause) {
    throw new NotFoundError(`directory ${where} not found`, { data: { url, commit, path }, cause });
  }
  const blobs = new Map<string, string>();
  const links = new Map<string, string>();
  const walk = async (entries: typeof root.tree, prefix: string): Promise<void> => {
    for (const entry of entries) {
      const name = `${prefix}${entry.path}`;
      if (entry.type === "tree") {
        const { tree } = await git.readTree({ fs, gitdir, cache, oid: entry.oid });
        await walk(tree, `${name}/`);
      } else if (entry.type === "blob") {
        (entry.mode === symlinkMode ? links : blobs).set(name, entry.oid);
      }
    }
  };
  await walk(root.tree, "");

  const files = new Map<string, Uint8Array>();
  let total = 0;
  const read = async (oid: string): Promise<Uint8Array> => {
    const { blob } = await git.readBlob({ fs, gitdir, cache, oid });
    total += blob.length;
    if (total > maxBytes) {
      throw new LimitExceededError(`files under ${where} exceed the limit of ${maxBytes} bytes`, {
        data: { url, commit, path, maxBytes },
      });
    }
    return blob;
  };
  for (const [name, oid] of blobs) files.set(name, await read(oid));

  const targets = new Map<string, string>();
  for (const [name, oid] of links) targets.set(name, new TextDecoder().decode(await read(oid)));
  for (const [name, target] of targets) {
    for (const [alias, source] of resolveLink(name, target, targets, blobs, where)) {
      files.set(alias, files.get(source)!);
    }
  }
  return files;
}

/** The files a link stands for, as pairs of (path under the link, path of the real file). */
function resolveLink(
  name: string,
  target: string,
  targets: ReadonlyMap<string, string>,
  blobs: ReadonlyMap<string, string>,
  where: string,
): Array<[string, string]> {
  let current = name;
  let next: string | undefined = target;
  for (let hop = 0; hop < maxLinkHops && next !== undefined; hop++) {
    const resolved = resolveLinkTarget(current, next);
    if (resolved === undefined) {
      throw new PolicyViolationError(
        `symlink "${name}" -> "${target}" in ${where} leaves the profile directory`,
        {
          data: { path: name, target },
        },
      );
    }
    if (blobs.has(resolved)) return [[name, resolved]];
    if (resolved === "" || name.startsWith(`${resolved}/`)) break;
    const under = [...blobs.keys()].filter((file) => file.startsWith(`${resolved}/`));
    if (under.length > 0) return under.map((file) => [`${name}${file.slice(resolved.length)}`, file]);
    current = resolved;
    next = targets.get(resolved);
  }
  throw new InvalidProfileError(`symlink "${name}" -> "${target}" in ${where} is dangling or loops`, {
    data: { path: name, target },
  });
}
