/**
 * Resolves a branch, tag or semver range to a commit with one ref discovery. Versions are tags:
 * `<dir>/<semver>` for the profile in `<dir>`, a bare `v<semver>` for a profile at the repository root.
 * @module
 */
import type { AuthCallback } from "isomorphic-git";
import semver from "semver";
import { parseProfileTag } from "../../../crds/common.js";
import { InvalidInputError, NotFoundError } from "../../../crds/errors.js";
import type { SourceHttpClient } from "../http.js";
import { listRefs, type RemoteRef } from "./list-refs.js";

/** A named ref to resolve: exactly one of the fields (a spec's `source` may be passed as it is). */
export interface NamedRef {
  readonly branch?: string | undefined;
  readonly tag?: string | undefined;
  /** A semver range; the highest matching tag under the profile's directory wins. */
  readonly semver?: string | undefined;
}

/** A ref resolved to a commit. */
export interface ResolvedRef {
  /** The concrete branch or tag name, e.g. `main` or `nginx/v1.2.0`. */
  readonly ref: string;
  /** The full ref name, e.g. `refs/tags/nginx/v1.2.0`. */
  readonly fullRef: string;
  readonly commit: string;
  /** The profile version a tag names (`1.2.0`), when the tag is a version tag. */
  readonly version?: string | undefined;
}

/** Arguments of {@link resolveRef}. */
export interface ResolveRefArgs {
  readonly http: SourceHttpClient;
  /** The repository URL, already checked by the policy. */
  readonly url: string;
  readonly ref: NamedRef;
  /** The profile's directory, normalized (`""` for the root): where semver looks for tags. */
  readonly path: string;
  readonly onAuth?: AuthCallback | undefined;
}

/**
 * Resolves `ref` against the server's refs.
 * @throws NotFoundError when the branch or tag does not exist or no tag matches the range;
 *   InvalidInputError for a malformed range; the errors of {@link listRefs}
 */
export async function resolveRef({ http, url, ref, path, onAuth }: ResolveRefArgs): Promise<ResolvedRef> {
  if (ref.branch !== undefined) {
    const fullRef = `refs/heads/${ref.branch}`;
    const found = (await listRefs({ http, url, prefix: fullRef, onAuth })).find((r) => r.ref === fullRef);
    if (found === undefined) {
      throw new NotFoundError(`branch "${ref.branch}" not found in ${url}`, {
        data: { url, branch: ref.branch },
      });
    }
    return { ref: ref.branch, fullRef, commit: found.commit };
  }
  if (ref.tag !== undefined) {
    const fullRef = `refs/tags/${ref.tag}`;
    const found = (await listRefs({ http, url, prefix: fullRef, onAuth })).find((r) => r.ref === fullRef);
    if (found === undefined) {
      throw new NotFoundError(`tag "${ref.tag}" not found in ${url}`, { data: { url, tag: ref.tag } });
    }
    return { ref: ref.tag, fullRef, commit: found.commit, version: tagVersion(ref.tag, path) };
  }
  if (ref.semver !== undefined) {
    const range = semver.validRange(ref.semver);
    if (range === null) {
      throw new InvalidInputError(`"${ref.semver}" is not a semver range`, { data: { semver: ref.semver } });
    }
    const tags = await listRefs({
      http,
      url,
      prefix: path === "" ? "refs/tags/" : `refs/tags/${path}/`,
      onAuth,
    });
    return highestMatching(tags, range, path, { url, semver: ref.semver });
  }
  throw new InvalidInputError("a source needs one of branch, tag, semver or commit", { data: { url } });
}

/** The version a tag gives the profile in `path`, or `undefined` when it is no version tag of that profile. */
function tagVersion(tag: string, path: string): string | undefined {
  const parsed = parseProfileTag(tag);
  return parsed?.dir === path ? parsed.version : undefined;
}

function highestMatching(
  tags: readonly RemoteRef[],
  range: string,
  path: string,
  context: { url: string; semver: string },
): ResolvedRef {
  const byVersion = new Map<string, RemoteRef>();
  for (const tag of tags) {
    const version = tagVersion(tag.ref.slice("refs/tags/".length), path);
    if (version !== undefined) byVersion.set(version, tag);
  }
  const best = semver.maxSatisfying([...byVersion.keys()], range);
  const found = best === null ? undefined : byVersion.get(best);
  if (best === null || found === undefined) {
    const available = semver.rsort([...byVersion.keys()]).join(", ") || "none";
    const where = path === "" ? "at the repository root (v<semver>)" : `under "${path}/"`;
    throw new NotFoundError(
      `no tag ${where} in ${context.url} matches "${context.semver}" (available: ${available})`,
      { data: { ...context, path, available: [...byVersion.keys()] } },
    );
  }
  return {
    ref: found.ref.slice("refs/tags/".length),
    fullRef: found.ref,
    commit: found.commit,
    version: best,
  };
}
