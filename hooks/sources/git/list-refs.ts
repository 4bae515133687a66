/**
 * Ref discovery without a download: protocol v2 `ls-refs` with a ref prefix, so listing one branch or
 * one profile's tags does not transfer every ref of a large repository.
 * @module
 */
import git, { type AuthCallback } from "isomorphic-git";
import type { SourceHttpClient } from "../http.js";
import { toSourceError } from "./errors.js";

/** A ref on the server and the commit it names (annotated tags are peeled). */
export interface RemoteRef {
  /** Full name, e.g. `refs/tags/nginx/v1.2.0`. */
  readonly ref: string;
  /** The commit: the peeled target for an annotated tag, the ref's own target otherwise. */
  readonly commit: string;
}

/** Arguments of {@link listRefs}. */
export interface ListRefsArgs {
  readonly http: SourceHttpClient;
  /** The repository URL, already checked by the policy. */
  readonly url: string;
  /** Only refs starting with this, e.g. `refs/tags/nginx/`. */
  readonly prefix: string;
  readonly onAuth?: AuthCallback | undefined;
}

/**
 * Lists the server's refs under `prefix`. Servers that only speak protocol v1 answer with their whole
 * advertisement, which isomorphic-git filters by the same prefix.
 * @throws AuthenticationFailedError, NotFoundError (no such repository), SourceUnavailableError
 */
export async function listRefs({ http, url, prefix, onAuth }: ListRefsArgs): Promise<RemoteRef[]> {
  try {
    const refs = await git.listServerRefs({ http, url, prefix, onAuth, peelTags: true, protocolVersion: 2 });
    return refs
      .filter((r) => r.ref.startsWith(prefix))
      .map((r) => ({ ref: r.ref, commit: r.peeled ?? r.oid }));
  } catch (error) {
    throw toSourceError(error, { url, http, authenticated: onAuth !== undefined, action: "listing refs" });
  }
}
