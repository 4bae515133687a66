/**
 * Nested profiles: a profile's `profile` artifacts are sources of their own. This walks them into a
 * tree, refusing a profile that includes itself at any depth and nesting deeper than a limit.
 *
 * A profile's identity is its repository (normalized URL), resolved commit and directory: the same
 * directory at another commit is another profile, so v2 of a profile may nest v1 of itself.
 * @module
 */
import type { GitSourceRef } from "../../crds/common.js";
import {
  CycleError,
  isPctlError,
  LimitExceededError,
  type PctlError,
  type PctlErrorOptions,
} from "../../crds/errors.js";
import type { Profile } from "../../crds/profile.js";
import type { SourceCredentials } from "./credentials.js";
import type { ProfileDir, ResolvedSource, SourceFetcher, SourceRequest } from "./fetcher.js";
import { normalizeSourceUrl } from "./policy.js";

/** One profile of a tree and the profiles it nests. */
export interface ProfileTreeNode {
  /** Readable identity, `url//path@ref`, as cycle and depth errors print it. */
  readonly identity: string;
  readonly source: ResolvedSource;
  readonly profile: Profile;
  /** Files of the profile directory, keyed by path relative to it. */
  readonly files: ReadonlyMap<string, Uint8Array>;
  /** Nested profiles, keyed by the name of the artifact that nests them. */
  readonly children: ReadonlyMap<string, ProfileTreeNode>;
}

/**
 * Finds credentials for a nested profile's repository.
 * @default the root's credentials for a repository on the root's origin (scheme, host, port); none elsewhere,
 *   so a Secret is never sent to a host it was not written for
 */
export type CredentialsFor = (
  source: GitSourceRef,
) => SourceCredentials | undefined | Promise<SourceCredentials | undefined>;

/** What to resolve into a tree: the root source, plus how to treat nested ones. */
export interface ResolveTreeRequest extends SourceRequest {
  /** Deepest nesting followed; the root is depth 0. @default the fetcher's `maxDepth` (10) */
  readonly maxDepth?: number | undefined;
  readonly credentialsFor?: CredentialsFor | undefined;
  /**
   * The root as the caller already resolved it: it is not resolved again, and messages name its
   * branch or tag rather than its commit.
   */
  readonly resolved?: ResolvedSource | undefined;
}

/** Arguments of {@link resolveProfileTree}. */
export interface ResolveProfileTreeArgs extends ResolveTreeRequest {
  readonly sources: Pick<SourceFetcher, "resolve" | "readProfileDir">;
  readonly maxDepth: number;
}

interface Visited {
  readonly key: string;
  readonly identity: string;
}

/**
 * Resolves a profile and every profile it nests, depth first, siblings in parallel.
 * @throws CycleError naming the loop, `a -> b -> a`; LimitExceededError past `maxDepth`; and whatever
 *   resolving or reading a profile throws, with the nesting artifact named in the message
 */
export async function resolveProfileTree({
  sources,
  maxDepth,
  credentialsFor,
  resolved: resolvedRoot,
  ...root
}: ResolveProfileTreeArgs): Promise<ProfileTreeNode> {
  const rootOrigin = originOf(root.url);
  const findCredentials: CredentialsFor =
    credentialsFor ??
    ((source) =>
      rootOrigin !== undefined && originOf(source.url) === rootOrigin ? root.credentials : undefined);

  const visit = async (
    request: SourceRequest,
    ancestors: readonly Visited[],
    via: string,
  ): Promise<ProfileTreeNode> => {
    let source: ResolvedSource;
    let here: Visited;
    let dir: ProfileDir;
    try {
      source =
        ancestors.length === 0 && resolvedRoot !== undefined ? resolvedRoot : await sources.resolve(request);
      here = identify(source);
      const seen = ancestors.findIndex((a) => a.key === here.key);
      if (seen !== -1) {
        const loop = [...ancestors.slice(seen), here].map((a) => a.identity);
        throw new CycleError(`profiles nest each other in a cycle: ${loop.join(" -> ")}`, {
          data: { cycle: loop },
        });
      }
      if (ancestors.length > maxDepth) {
        const chain = [...ancestors, here].map((a) => a.identity);
        throw new LimitExceededError(`profiles nest deeper than ${maxDepth} levels: ${chain.join(" -> ")}`, {
          data: { maxDepth, chain },
        });
      }
      dir = await sources.readProfileDir({ ...source, credentials: request.credentials });
    } catch (error) {
      throw via === "" || error instanceof CycleError || error instanceof LimitExceededError
        ? error
        : withContext(error, via);
    }
    const chain = [...ancestors, here];
    const nested = await Promise.all(
      dir.profile.spec.artifacts.flatMap((artifact) => {
        if (!("profile" in artifact)) return [];
        const { url, branch, tag, semver, commit, path } = artifact.profile.source;
        return [
          (async () => {
            const credentials = await findCredentials(artifact.profile.source);
            const child = { url, ref: { branch, tag, semver, commit }, path, credentials };
            const node = await visit(child, chain, `nested profile "${artifact.name}" of ${here.identity}`);
            return [artifact.name, node] as const;
          })(),
        ];
      }),
    );
    return {
      identity: here.identity,
      source,
      profile: dir.profile,
      files: dir.files,
      children: new Map(nested),
    };
  };

  return visit(root, [], "");
}

/** The origin of a URL; `undefined` when it does not parse (the policy reports that when it is fetched). */
function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

/** The cycle key and the readable identity of a resolved source. */
function identify(source: ResolvedSource): Visited {
  const ref = source.ref === source.commit ? source.commit.slice(0, 12) : source.ref;
  return {
    key: `${normalizeSourceUrl(new URL(source.url))}\0${source.commit}\0${source.path}`,
    identity: `${source.url}//${source.path || "."}@${ref}`,
  };
}

/** The same error class and code, with the nesting artifact named first. */
function withContext(error: unknown, via: string): unknown {
  if (!isPctlError(error)) return error;
  const Class = error.constructor as new (message: string, options?: PctlErrorOptions) => PctlError;
  return new Class(`${via}: ${error.message}`, { data: error.data, cause: error });
}
