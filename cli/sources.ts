/**
 * The source fetcher as the CLI uses it: the hooks' own fetcher and policy (`PCTL_ALLOW_HTTP`,
 * `PCTL_ALLOW_LOOPBACK`), with credentials for private repositories looked up only when a repository
 * asks for them, so public repositories never trigger a credential helper.
 * @module
 */

import { AuthenticationFailedError } from "../crds/errors.js";
import type { Profile } from "../crds/profile.js";
import type { SourceCredentials } from "../hooks/sources/credentials.js";
import {
  createSourceFetcher,
  type ResolvedSource,
  type SourceFetcher,
  type SourceRef,
  type SourceTag,
} from "../hooks/sources/fetcher.js";
import { createSourcePolicy, sourcePolicyOptionsFromEnv } from "../hooks/sources/policy.js";
import type { ProfileTreeNode, ResolveTreeRequest } from "../hooks/sources/tree.js";
import { credentialHelper, gitCredentialsFromEnv } from "./credentials.js";
import type { Progress } from "./progress.js";

/** The CLI's view of profile sources. */
export interface CliSources {
  /** Resolves `ref` and reads the profile at that commit. */
  profileAt(
    url: string,
    ref: SourceRef,
    path?: string,
  ): Promise<{ resolved: ResolvedSource; profile: Profile }>;
  /** Lists the repository's tags. */
  tags(url: string): Promise<SourceTag[]>;
  /** Resolves a profile and every profile it nests, as the sync hook does. */
  resolveTree(request: ResolveTreeRequest): Promise<ProfileTreeNode>;
  close(): Promise<void>;
}

/**
 * Creates the CLI's sources; close them when done (they hold an object store on disk).
 *
 * @example
 * const sources = openSources({ env: process.env, progress });
 * try { const { profile } = await sources.profileAt(url, { tag: "nginx/v1.2.0" }); } finally { await sources.close(); }
 */
export function openSources(options: { env: NodeJS.ProcessEnv; progress: Progress }): CliSources {
  const { env, progress } = options;
  let fetcher: SourceFetcher | undefined;
  const get = () => {
    fetcher ??= createSourceFetcher({ policy: createSourcePolicy(sourcePolicyOptionsFromEnv(env)) });
    return fetcher;
  };
  const credentialsFor = new Map<string, SourceCredentials | undefined>();

  // Try without credentials; on a 401 ask the environment, then the credential helper, once per URL.
  async function withCredentials<T>(url: string, work: (c: SourceCredentials | undefined) => Promise<T>) {
    if (credentialsFor.has(url)) return work(credentialsFor.get(url));
    try {
      const result = await work(undefined);
      credentialsFor.set(url, undefined);
      return result;
    } catch (error) {
      if (!(error instanceof AuthenticationFailedError)) throw error;
      const found = gitCredentialsFromEnv(env) ?? (await credentialHelper(url, env));
      if (found === undefined) throw error;
      credentialsFor.set(url, found);
      return work(found);
    }
  }

  return {
    profileAt: (url, ref, path) =>
      progress.step(`reading profile from ${url}`, () =>
        withCredentials(url, async (credentials) => {
          const resolved = await get().resolve({ url, ref, path, credentials });
          const { profile } = await get().readProfileDir({ ...resolved, credentials });
          return { resolved, profile };
        }),
      ),
    tags: (url) =>
      progress.step(`listing tags of ${url}`, () =>
        withCredentials(url, (credentials) => get().listTags({ url, credentials })),
      ),
    resolveTree: (request) =>
      withCredentials(request.url, (credentials) =>
        get().resolveTree(credentials === undefined ? request : { ...request, credentials }),
      ),
    close: async () => {
      await fetcher?.close();
    },
  };
}
