/**
 * The `pctl` program: global options, the verbs of `commands.ts`, and one place where failures
 * become an `error:` line, a hint and an exit code.
 * @module
 */

import { Command, CommanderError, Option } from "commander";
import * as commands from "./commands.js";
import { ExitCode, reportError } from "./errors.js";
import { OUTPUT_FORMATS } from "./output.js";

/** Builds the `pctl` program with every verb registered. */
export function createProgram(): Command {
  const program = new Command("pctl")
    .description(
      "GitOps-native package management for Kubernetes: find, install and upgrade profiles by pull request",
    )
    .version(process.env.npm_package_version ?? "0.1.0", "--version", "print the pctl version")
    .addOption(
      new Option("-o, --output <format>", "output format for objects")
        .choices(OUTPUT_FORMATS)
        .default("table"),
    )
    .addOption(
      new Option("--catalog-url <url>", "the catalog API of a pctl hook server").env("PCTL_CATALOG_URL"),
    )
    .option("--catalog <file|dir>", "read ProfileCatalogSource YAML locally instead of asking a catalog API")
    .option("--no-color", "never colour the output (also NO_COLOR=1)")
    .option("-q, --quiet", "no progress lines or notes on stderr", false)
    .showSuggestionAfterError(true)
    .configureHelp({ showGlobalOptions: true, sortSubcommands: true })
    .exitOverride();
  for (const register of Object.values(commands)) register(program);
  return program;
}

/**
 * Runs `pctl` with `argv` (as `process.argv`) and returns the exit code.
 *
 * @example
 * process.exitCode = await run(process.argv);
 */
export async function run(argv: readonly string[]): Promise<number> {
  const program = createProgram();
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === "number" ? process.exitCode : ExitCode.Ok;
  } catch (error) {
    if (error instanceof CommanderError) return commanderExit(error, argv);
    return reportError(error, process.stderr);
  }
}

// Commander has already printed its own "error: ..." line; add the hint and our exit code.
function commanderExit(error: CommanderError, argv: readonly string[]): number {
  if (error.exitCode === 0) return ExitCode.Ok;
  const verb = argv.slice(2).find((arg) => !arg.startsWith("-"));
  const help = verb && error.code !== "commander.unknownCommand" ? `pctl ${verb} --help` : "pctl --help";
  process.stderr.write(`hint: run \`${help}\` to see the arguments and options\n`);
  return ExitCode.Usage;
}
