/**
 * `pctl bootstrap`: writes `.pctl/config.yaml` at the root of the GitOps repository, so every
 * later command (and every colleague's) uses the same output directory, catalog and provider.
 * @module
 */

import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { type Command, Option } from "commander";
import { stringify } from "yaml";
import { CONFIG_PATH, findRepositoryRoot, type PctlConfig, PctlConfigSchema, PROVIDERS } from "./config.js";
import type { GlobalOptions } from "./context.js";
import { RepositoryError, UsageError } from "./errors.js";
import { colorEnabled, print } from "./output.js";

interface BootstrapOptions extends GlobalOptions {
  readonly out?: string;
  readonly provider?: PctlConfig["provider"];
  readonly apiUrl?: string;
  readonly baseBranch?: string;
  readonly remote?: string;
  readonly force: boolean;
}

/** Adds `pctl bootstrap` to `program`. */
export function register(program: Command): void {
  program
    .command("bootstrap")
    .description(`write ${CONFIG_PATH}: the defaults of this GitOps repository`)
    .option("--out <dir>", "where `pctl install` writes subscriptions, relative to the repository root")
    .addOption(new Option("--provider <name>", "pull-request provider").choices(PROVIDERS))
    .option("--api-url <url>", "the provider's API base URL, for self-hosted servers")
    .option("--base-branch <branch>", "the branch pull requests target")
    .option("--remote <name>", "the remote branches are pushed to")
    .option("--force", `overwrite an existing ${CONFIG_PATH}`, false)
    .addHelpText(
      "after",
      "\nThe global --catalog and --catalog-url are stored too.\n\nExample:\n  pctl bootstrap --out clusters/dev/profiles --catalog-url https://pctl.example.com --provider github",
    )
    .action(async (_args: unknown, command: Command) => bootstrap(command));
}

async function bootstrap(command: Command): Promise<void> {
  const options = command.optsWithGlobals<BootstrapOptions>();
  const cwd = process.cwd();
  const root = findRepositoryRoot(cwd);
  if (root === undefined) {
    throw new RepositoryError(`${cwd} is not inside a git repository`, {
      hint: "run `git init` or `git clone` your GitOps repository first, then run pctl bootstrap inside it",
    });
  }
  const path = join(root, CONFIG_PATH);
  if (existsSync(path) && !options.force) {
    throw new UsageError(`${CONFIG_PATH} already exists`, {
      hint: "pass --force to overwrite it, or edit the file by hand",
    });
  }
  const candidate: PctlConfig = {
    out: options.out === undefined ? undefined : toRootRelative(root, cwd, options.out),
    catalogUrl: options.catalogUrl,
    catalog: options.catalog === undefined ? undefined : toRootRelative(root, cwd, options.catalog),
    provider: options.provider,
    apiUrl: options.apiUrl,
    baseBranch: options.baseBranch,
    remote: options.remote,
  };
  const parsed = PctlConfigSchema.safeParse(
    Object.fromEntries(Object.entries(candidate).filter(([, v]) => v !== undefined)),
  );
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `--${kebab(String(i.path[0]))}: ${i.message}`);
    throw new UsageError(issues.join("; "));
  }
  await mkdir(dirname(path), { recursive: true });
  await writeFile(
    path,
    `# pctl defaults for this repository; flags override them.\n${stringify(parsed.data)}`,
  );
  const color = colorEnabled(process.stdout, options.color);
  print(
    {
      data: { path: CONFIG_PATH, config: parsed.data },
      table: () => ({
        columns: ["SETTING", "VALUE"],
        rows: Object.entries(parsed.data).map(([k, v]) => [k, String(v)]),
      }),
    },
    { format: options.output, stdout: process.stdout, stderr: process.stderr, color },
  );
  if (!options.quiet) process.stderr.write(`wrote ${relative(cwd, path) || CONFIG_PATH}\n`);
}

// Paths typed on the command line are relative to the cwd; the file is shared, so store them from the root.
function toRootRelative(root: string, cwd: string, path: string): string {
  return relative(root, resolve(cwd, path)) || ".";
}

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
