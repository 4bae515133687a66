/**
 * What every verb needs besides its own arguments: the global options merged with
 * `.pctl/config.yaml`, the output streams and the working directory.
 * @module
 */

import { isAbsolute, resolve } from "node:path";
import type { Command } from "commander";
import { loadConfig, type PctlConfig } from "./config.js";
import { UsageError } from "./errors.js";
import { colorEnabled, type OutputFormat, type Printable, print, type Stream } from "./output.js";
import { createProgress, type Progress } from "./progress.js";

/** The global options as commander parses them. */
export interface GlobalOptions {
  readonly output: OutputFormat;
  readonly catalogUrl?: string;
  readonly catalog?: string;
  readonly color: boolean;
  readonly quiet: boolean;
}

/** Where the catalog comes from: the API of a hook server, or files read locally. */
export type CatalogLocation = { readonly url: string } | { readonly path: string };

/** A verb's view of the process. */
export interface CliContext {
  readonly format: OutputFormat;
  readonly stdout: Stream;
  readonly stderr: Stream;
  /** Whether stdout is coloured. */
  readonly color: boolean;
  readonly quiet: boolean;
  readonly progress: Progress;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** `.pctl/config.yaml` of the repository holding `cwd`, or `{}`. */
  readonly config: PctlConfig;
  /** The repository holding `cwd`, if any. */
  readonly repositoryRoot: string | undefined;
  /** The catalog named by a flag, the environment or the config file, if any. */
  readonly catalog: CatalogLocation | undefined;
  /** Prints objects in the chosen `-o` form. */
  print(printable: Printable): void;
  /** Writes a note for people on stderr (never part of `-o yaml|json` output). */
  note(text: string): void;
}

/**
 * Builds the context of the verb `command` from its options and its parents' options.
 *
 * @throws UsageError when `--catalog` and `--catalog-url` are both given.
 */
export function contextOf(command: Command): CliContext {
  const options = command.optsWithGlobals<GlobalOptions>();
  const cwd = process.cwd();
  const { config, root } = loadConfig(cwd);
  const stdout: Stream = process.stdout;
  const stderr: Stream = process.stderr;
  const color = colorEnabled(stdout, options.color);
  const format = options.output;
  return {
    format,
    stdout,
    stderr,
    color,
    quiet: options.quiet,
    progress: createProgress({ stream: stderr, quiet: options.quiet }),
    cwd,
    env: process.env,
    config,
    repositoryRoot: root,
    catalog: catalogLocation(options, config, cwd, root),
    print: (printable) => print(printable, { format, stdout, stderr, color }),
    note: (text) => {
      if (!options.quiet) stderr.write(`${text}\n`);
    },
  };
}

function catalogLocation(
  options: GlobalOptions,
  config: PctlConfig,
  cwd: string,
  root: string | undefined,
): CatalogLocation | undefined {
  if (options.catalog !== undefined && options.catalogUrl !== undefined) {
    throw new UsageError("--catalog and --catalog-url (or PCTL_CATALOG_URL) name two catalogs", {
      hint: "give one of them: --catalog FILE|DIR reads catalogs offline, --catalog-url asks a catalog API",
    });
  }
  if (options.catalog !== undefined) return { path: resolve(cwd, options.catalog) };
  if (options.catalogUrl !== undefined) return { url: options.catalogUrl };
  if (config.catalogUrl !== undefined) return { url: config.catalogUrl };
  if (config.catalog !== undefined) {
    // The config file is shared by the repository, so its paths are relative to the root, not the cwd.
    return { path: isAbsolute(config.catalog) ? config.catalog : resolve(root ?? cwd, config.catalog) };
  }
  return undefined;
}
