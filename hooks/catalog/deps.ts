/**
 * What the catalog hooks are built from, injected the way isomorphic-git takes `fs` and `http`.
 * @module
 */
import type { Logger } from "../log.js";
import type { SourceFetcher } from "../sources/fetcher.js";
import type { SourcePolicy } from "../sources/policy.js";
import type { CatalogIndex } from "./catalog-index.js";

/** Dependencies of the catalog hooks. */
export interface CatalogHookDeps {
  /** Lists tags and reads profile directories; the fetcher's caches make rescans cheap. */
  readonly sources: Pick<SourceFetcher, "listTags" | "readProfileDir">;
  /** Refuses listed entries whose URL the source policy does not allow [every URL allowed]. */
  readonly policy?: Pick<SourcePolicy, "checkUrl">;
  /** The index the catalog API serves; each sync replaces the catalog's entry, finalize removes it. */
  readonly index: CatalogIndex;
  /**
   * Most new tags read from one repository in one sync; the syncs that follow read the rest [25].
   * Keeps a first scan of a repository with many tags within Metacontroller's hook timeout.
   */
  readonly maxTagReads?: number;
  /** The clock, in milliseconds [Date.now]. */
  readonly now?: () => number;
  /** Where scan failures are logged [not logged]. */
  readonly log?: Logger;
}
