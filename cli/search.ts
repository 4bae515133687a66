/**
 * `pctl search [query]`: the profiles the catalog serves, one row per catalog and profile.
 * @module
 */

import type { Command } from "commander";
import type { ProfileEntry } from "../hooks/api/schemas.js";
import { openCatalog } from "./catalog/open.js";
import { contextOf } from "./context.js";

/** Adds `pctl search` to `program`. */
export function register(program: Command): void {
  program
    .command("search")
    .description("find profiles in the catalog by name or description")
    .argument("[query]", "text to look for; every profile when left out")
    .option("--catalog-name <name>", "only catalogs with this name")
    .option("-n, --namespace <namespace>", "only catalogs in this namespace")
    .addHelpText("after", "\nExamples:\n  pctl search nginx\n  pctl search --catalog ./catalog.yaml -o json")
    .action(
      async (query: string | undefined, options: { catalogName?: string; namespace?: string }, command) => {
        const context = contextOf(command);
        const catalog = await openCatalog(context);
        const hits = await catalog.search({
          q: query,
          catalog: options.catalogName,
          namespace: options.namespace,
        });
        context.print({
          data: hits,
          table: () => ({
            columns: ["CATALOG/PROFILE", "VERSION", "DESCRIPTION"],
            rows: hits.map((hit) => [qualifiedName(hit, hits), hit.version, hit.description ?? ""]),
          }),
          empty: query
            ? `No profiles match "${query}" in ${catalog.source}.`
            : `${catalog.source} serves no profiles yet.`,
        });
      },
    );
}

// The namespace is shown only where a catalog name alone would be ambiguous.
function qualifiedName(hit: ProfileEntry, all: readonly ProfileEntry[]): string {
  const ambiguous = all.some((other) => other.catalog === hit.catalog && other.namespace !== hit.namespace);
  return `${ambiguous ? `${hit.namespace}/` : ""}${hit.catalog}/${hit.name}`;
}
