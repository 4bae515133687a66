/**
 * `.pctl/config.yaml`: the defaults of a GitOps repository, written by `pctl bootstrap`.
 *
 * The file sits at the repository root so everyone who clones the repository gets the same
 * output directory, catalog and provider. Flags override it; environment variables override it
 * where a flag would (`PCTL_CATALOG_URL`).
 * @module
 */

import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { z } from "zod";
import { InvalidInputError } from "../crds/errors.js";
import { parseYaml } from "../crds/yaml.js";

/** The providers `--create-pr` can open a pull request with. */
export const PROVIDERS = ["github", "gitlab", "gitea"] as const;

/** One of {@link PROVIDERS}; Forgejo speaks Gitea's API. */
export type ProviderName = (typeof PROVIDERS)[number];

/** The schema of `.pctl/config.yaml`. Strict, so a misspelt key is reported rather than ignored. */
export const PctlConfigSchema = z.strictObject({
  /** Where `pctl install` writes subscriptions, relative to the repository root. */
  out: z.string().min(1).optional(),
  /** The catalog API (the hook server's `/api/v1`). */
  catalogUrl: z.url().optional(),
  /** A ProfileCatalogSource file or directory, relative to the repository root. */
  catalog: z.string().min(1).optional(),
  /** The pull-request provider, when the remote URL does not say. */
  provider: z.enum(PROVIDERS).optional(),
  /** The provider's API base URL, for self-hosted servers. */
  apiUrl: z.url().optional(),
  /** The branch pull requests target. */
  baseBranch: z.string().min(1).optional(),
  /** The remote branches are pushed to. */
  remote: z.string().min(1).optional(),
});

/** The content of `.pctl/config.yaml`. */
export type PctlConfig = z.infer<typeof PctlConfigSchema>;

/** The config file's path inside a repository. */
export const CONFIG_PATH = ".pctl/config.yaml";

/**
 * The root of the git working tree that holds `dir`, or `undefined` outside one.
 * A `.git` file (worktrees, submodules) counts as well as a `.git` directory.
 */
export function findRepositoryRoot(dir: string): string | undefined {
  let current = dir;
  for (;;) {
    if (existsSync(join(current, ".git"))) return current;
    const parent = dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}

/**
 * Reads `.pctl/config.yaml` of the repository holding `cwd`; `{}` when there is none.
 *
 * @throws InvalidInputError when the file exists and is not valid.
 */
export function loadConfig(cwd: string): { config: PctlConfig; root: string | undefined; path?: string } {
  const root = findRepositoryRoot(cwd);
  if (root === undefined) return { config: {}, root };
  const path = join(root, CONFIG_PATH);
  if (!existsSync(path) || !statSync(path).isFile()) return { config: {}, root };
  const parsed = PctlConfigSchema.safeParse(parseYaml(readFileSync(path, "utf8"), { source: path }) ?? {});
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new InvalidInputError(`${CONFIG_PATH} is not valid: ${issues.join("; ")}`, {
      data: {
        path: CONFIG_PATH,
        hint: `fix ${CONFIG_PATH} or write it again with \`pctl bootstrap --force\``,
      },
    });
  }
  return { config: parsed.data, root, path };
}
