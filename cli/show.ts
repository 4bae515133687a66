/**
 * `pctl show <catalog>/<profile>[@version]`: everything needed to decide on a profile before installing
 * it: description, maintainer, prerequisites, every version, and its configurable values.
 * @module
 */

import type { Command } from "commander";
import type { ProfileParameter } from "../crds/profile.js";
import type { CatalogProfile } from "../crds/profile-catalog-source.js";
import { openCatalog, pickProfileVersion } from "./catalog/open.js";
import { parseProfileReference } from "./catalog/reference.js";
import { type CliContext, contextOf } from "./context.js";
import { formatTable, paint } from "./output.js";
import { openSources } from "./sources.js";

/** Adds `pctl show` to `program`. */
export function register(program: Command): void {
  program
    .command("show")
    .description("show a profile: description, maintainer, prerequisites, versions and configurable values")
    .argument(
      "<reference>",
      "[<namespace>/]<catalog>/<profile>[@<version>]; the latest version when left out",
    )
    .addHelpText(
      "after",
      "\nExamples:\n  pctl show company/nginx\n  pctl show platform/company/nginx@1.2.0 -o yaml",
    )
    .action(async (reference: string, _options: unknown, command: Command) => {
      const context = contextOf(command);
      const ref = parseProfileReference(reference, "show");
      const catalog = await openCatalog(context);
      const { details, entry } = await pickProfileVersion(catalog, ref);
      const parameters = entry.parameters ?? (await readParameters(entry, context));
      const shown = {
        namespace: details.namespace,
        catalog: details.catalog,
        name: details.name,
        version: entry.version,
        latest: details.latest,
        description: entry.description,
        maintainer: entry.maintainer,
        prerequisites: entry.prerequisites ?? [],
        url: entry.url,
        tag: entry.tag,
        path: entry.path,
        commit: entry.commit,
        versions: details.versions.map((v) => v.version),
        parameters: parameters ?? [],
      };
      if (context.format !== "table") {
        context.print({ data: shown, table: () => ({ columns: [], rows: [] }) });
        return;
      }
      const c = context.color;
      const field = (label: string, value: string | undefined) =>
        `${paint(`${label}:`.padEnd(16), "bold", c)}${value === undefined || value === "" ? "-" : value}\n`;
      const latestNote = entry.version === details.latest ? " (latest)" : ` (latest: ${details.latest})`;
      let text =
        field("Profile", `${details.catalog}/${details.name}`) +
        field("Catalog", `${details.namespace}/${details.catalog}`) +
        field("Version", `${entry.version}${latestNote}`) +
        field("Description", entry.description) +
        field("Maintainer", entry.maintainer) +
        field("Prerequisites", (entry.prerequisites ?? []).join(", ")) +
        field(
          "Source",
          [entry.url, entry.tag && `tag ${entry.tag}`, entry.path && `path ${entry.path}`]
            .filter(Boolean)
            .join("  "),
        ) +
        field("Versions", shown.versions.join(", ")) +
        field("Install", `pctl install ${details.catalog}/${details.name}@${entry.version}`);
      text += `\n${paint("Configurable values:", "bold", c)}`;
      if (parameters === undefined) text += " unknown (the profile could not be read)\n";
      else if (parameters.length === 0) text += " none\n";
      else
        text += `\n${formatTable({ columns: ["NAME", "TYPE", "DEFAULT", "REQUIRED", "DESCRIPTION"], rows: parameters.map(parameterRow) }, c)}`;
      context.stdout.write(text);
    });
}

function parameterRow(parameter: ProfileParameter): string[] {
  return [
    parameter.name,
    parameter.type,
    parameter.default === undefined ? "-" : String(parameter.default),
    parameter.required ? "yes" : "no",
    parameter.description ?? "",
  ];
}

// Entries listed by hand carry no parameters; the profile itself has them.
async function readParameters(
  entry: CatalogProfile,
  context: CliContext,
): Promise<ProfileParameter[] | undefined> {
  const sources = openSources(context);
  try {
    const ref = entry.commit ? { commit: entry.commit } : { tag: entry.tag ?? `v${entry.version}` };
    const { profile } = await sources.profileAt(entry.url, ref, entry.path);
    return profile.spec.parameters ?? [];
  } catch (error) {
    context.note(
      `could not read the profile's parameters: ${error instanceof Error ? error.message : String(error)}`,
    );
    return undefined;
  } finally {
    await sources.close();
  }
}
