/**
 * `pctl outdated`: only the subscriptions with newer versions; exit code 1 when there is any, so a CI
 * job can fail on it.
 * @module
 */

import type { Command } from "commander";
import { contextOf } from "./context.js";
import { ExitCode } from "./errors.js";
import { collectRows, updatesText } from "./list.js";

/** Adds `pctl outdated` to `program`. */
export function register(program: Command): void {
  program
    .command("outdated")
    .description("list subscriptions that have newer versions; exits 1 when there are any")
    .option("--cluster", "take the live status into account (kubectl get profilesubscriptions -A)", false)
    .addHelpText(
      "after",
      "\nExit codes: 0 when everything is up to date, 1 when updates are available.\n\nExample:\n  pctl outdated -o json",
    )
    .action(async (options: { cluster: boolean }, command: Command) => {
      const context = contextOf(command);
      const rows = (await collectRows(context, options.cluster)).filter(
        (row) => row.availableUpdates !== undefined && row.availableUpdates.length > 0,
      );
      context.print({
        data: rows,
        table: () => ({
          columns: ["NAMESPACE", "NAME", "SOURCE", "VERSION", "LATEST", "AVAILABLE UPDATES"],
          rows: rows.map((row) => [
            row.namespace,
            row.name,
            row.source,
            row.version,
            row.availableUpdates!.at(-1)!,
            updatesText(row.availableUpdates),
          ]),
        }),
        empty: "Every subscription is up to date.",
      });
      if (rows.length > 0) {
        context.note(`run \`pctl upgrade <name> --latest\` to upgrade one`);
        process.exitCode = ExitCode.Findings;
      }
    });
}
