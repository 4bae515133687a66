/**
 * `pctl validate [DIR]`: lints a profile repository before a version is tagged, and prints one
 * `file:line: severity: message` line per problem so CI systems can annotate pull requests.
 *
 * Checks, per profile: the YAML and the schema of `profile.yaml` (artifact names unique, dependsOn
 * without loops, paths relative and without `..`), the directory name, that chart and kustomize
 * paths exist and stay inside the profile directory, `helm lint` on local charts (their missing
 * dependencies built first, as Flux does), a kustomize build
 * of each kustomize artifact with its patches, that nested sources resolve without nesting cycles,
 * that every `${param}` is declared and every declared parameter is used; and for the repository,
 * that profile tags are `<dir>/v<semver>`.
 * @module
 */
import { execFile } from "node:child_process";
import { existsSync, realpathSync, statSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join, relative, resolve, sep } from "node:path";
import { promisify } from "node:util";
import type { Command } from "commander";
import semver from "semver";
import { parseProfileTag, type SchemaIssue, sourcePath } from "../crds/common.js";
import { CycleError, isPctlError } from "../crds/errors.js";
import { type Profile, profileFromDocument } from "../crds/profile.js";
import { parseYaml } from "../crds/yaml.js";
import { createSourceFetcher, type SourceFetcher } from "../hooks/sources/fetcher.js";
import {
  createSourcePolicy,
  normalizeSourceUrl,
  sourcePolicyOptionsFromEnv,
} from "../hooks/sources/policy.js";
import { findRepositoryRoot } from "./config.js";
import { contextOf } from "./context.js";
import { ExitCode } from "./errors.js";
import { formatData } from "./output.js";
import { prepareChart } from "./render/chart-dependencies.js";
import { buildKustomization } from "./render/kustomize.js";
import { YamlPositions } from "./render/positions.js";
import { variableReferences } from "./render/substitute.js";
import { readWorkingTree } from "./render/working-tree.js";
import { helmLint } from "./tools/helm-lint.js";
import { ToolFailedError } from "./tools/run.js";

/** One problem found by {@link validateRepository}. */
export interface ValidationProblem {
  /** The file, relative to the validated directory. */
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  readonly severity: "error" | "warning";
  /** Which check found it: `schema`, `path`, `helm-lint`, `kustomize-build`, `parameter`, … */
  readonly rule: string;
  readonly message: string;
}

/** Options of {@link validateRepository}. */
export interface ValidateOptions {
  /** Skip the checks that reach git servers (nested sources from other repositories). [default: false] */
  readonly offline?: boolean;
  /** A tag about to be created, checked for form, directory and order. [default: none] */
  readonly tag?: string;
  /**
   * The repository's own URL: nested sources there are read from the working tree.
   * [default: the `origin` remote of the git repository holding DIR]
   */
  readonly repositoryUrl?: string;
  /** Resolves nested sources of other repositories. [default: a fetcher with the environment's policy] */
  readonly sources?: Pick<SourceFetcher, "resolveTree">;
}

/** A profile directory found in the repository. */
interface Found {
  /** The directory relative to the validated one; `""` for a root profile. */
  readonly dir: string;
  readonly file: string;
  readonly text: string;
  readonly positions: YamlPositions;
  readonly profile: Profile | undefined;
}

const run = promisify(execFile);

/**
 * Validates every profile in `dir` (a root `profile.yaml` and each top-level directory holding one).
 *
 * @example
 * const problems = await validateRepository("profiles", { offline: true });
 */
export async function validateRepository(
  dir: string,
  options: ValidateOptions = {},
): Promise<ValidationProblem[]> {
  const root = resolve(dir);
  const problems: ValidationProblem[] = [];
  const report = (
    file: string,
    line: number,
    rule: string,
    message: string,
    severity: "error" | "warning" = "error",
  ) => problems.push({ file, line, severity, rule, message });

  const found = await findProfiles(root, report);
  if (found.length === 0) {
    report("profile.yaml", 1, "layout", `no profile.yaml in ${dir} or in its top-level directories`);
    return problems;
  }
  const repositoryUrl = options.repositoryUrl ?? (await originUrl(root));
  const ownRepository = repositoryUrl === undefined ? undefined : normalizeUrl(repositoryUrl);
  let fetcher: SourceFetcher | undefined;
  const sources =
    options.sources ??
    ({
      resolveTree: (request) => {
        fetcher ??= createSourceFetcher({ policy: createSourcePolicy(sourcePolicyOptionsFromEnv()) });
        return fetcher.resolveTree(request);
      },
    } satisfies Pick<SourceFetcher, "resolveTree">);
  const localEdges = new Map<string, { to: string; line: number }[]>();
  try {
    await Promise.all(
      found.map(async (entry) => {
        if (entry.profile === undefined) return;
        const edges: { to: string; line: number }[] = [];
        localEdges.set(entry.dir, edges);
        const context: ProfileContext = { root, entry, profile: entry.profile, report };
        checkName(context);
        checkParameters(context, await kustomizeTexts(context));
        await Promise.all([
          checkArtifacts(context, options.offline ?? false),
          checkNested(context, { offline: options.offline ?? false, ownRepository, sources, edges }),
        ]);
      }),
    );
  } finally {
    await fetcher?.close();
  }
  checkLocalCycles(found, localEdges, report);
  await checkTags(root, found, options.tag, report);
  return problems.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
}

type Report = (
  file: string,
  line: number,
  rule: string,
  message: string,
  severity?: "error" | "warning",
) => void;

interface ProfileContext {
  readonly root: string;
  readonly entry: Found;
  readonly profile: Profile;
  readonly report: Report;
}

async function findProfiles(root: string, report: Report): Promise<Found[]> {
  const dirs = [""];
  if (existsSync(root) && statSync(root).isDirectory()) {
    for (const entry of await readdir(root, { withFileTypes: true })) {
      if (entry.isDirectory() && !entry.name.startsWith(".")) dirs.push(entry.name);
    }
  }
  const found: Found[] = [];
  for (const dir of dirs.sort()) {
    const file = dir === "" ? "profile.yaml" : `${dir}/profile.yaml`;
    const path = join(root, file);
    if (!existsSync(path)) continue;
    const text = await readFile(path, "utf8");
    const positions = new YamlPositions(text);
    found.push({ dir, file, text, positions, profile: parseProfileFile(text, file, positions, report) });
  }
  return found;
}

function parseProfileFile(
  text: string,
  file: string,
  positions: YamlPositions,
  report: Report,
): Profile | undefined {
  let document: unknown;
  try {
    document = parseYaml(text, { source: file });
  } catch (error) {
    if (!isPctlError(error)) throw error;
    const line = typeof error.data.line === "number" ? error.data.line : 1;
    report(file, line, "yaml", error.message.replace(`${file}:${line}: `, "").replace(`${file}: `, ""));
    return undefined;
  }
  try {
    return profileFromDocument(document, { source: file });
  } catch (error) {
    if (!isPctlError(error)) throw error;
    const issues = (error.data.issues as SchemaIssue[] | undefined) ?? [];
    if (issues.length === 0) report(file, 1, "schema", error.message);
    for (const issue of issues)
      report(file, positions.lineOf(issue.path), "schema", `${issue.path}: ${issue.message}`);
    return undefined;
  }
}

function checkName({ entry, profile, report }: ProfileContext): void {
  if (entry.dir === "" || profile.metadata.name === entry.dir) return;
  report(
    entry.file,
    entry.positions.lineOf("metadata.name"),
    "name",
    `metadata.name is ${profile.metadata.name} but the directory is ${entry.dir}; a profile's name equals its directory`,
  );
}

/**
 * Local chart and kustomize paths: present, inside the profile directory, and building. A chart's
 * dependencies missing from `charts/` are built first, in a copy (offline: only `file://` ones).
 */
async function checkArtifacts(
  { root, entry, profile, report }: ProfileContext,
  offline: boolean,
): Promise<void> {
  const profileDir = join(root, entry.dir);
  // Read once for all of the profile's artifacts, and only when one gets that far.
  let tree: Promise<Map<string, Uint8Array>> | undefined;
  const profileTree = () => (tree ??= readWorkingTree(profileDir));
  await Promise.all(
    profile.spec.artifacts.map(async (artifact, index) => {
      const kind =
        "chart" in artifact && "path" in artifact.chart
          ? "chart"
          : "kustomize" in artifact
            ? "kustomize"
            : undefined;
      if (kind === undefined) return;
      const path =
        "chart" in artifact && "path" in artifact.chart
          ? artifact.chart.path
          : "kustomize" in artifact
            ? artifact.kustomize.path
            : "";
      const line = entry.positions.lineOf(`spec.artifacts[${index}].${kind}.path`);
      const target = join(profileDir, path);
      if (!existsSync(target) || !statSync(target).isDirectory()) {
        report(
          entry.file,
          line,
          "path",
          `artifact ${artifact.name}: ${kind} path ${path} is not a directory of the profile`,
        );
        return;
      }
      const real = realpathSync(target);
      const base = realpathSync(profileDir);
      if (real !== base && !real.startsWith(base + sep)) {
        report(
          entry.file,
          line,
          "path",
          `artifact ${artifact.name}: ${kind} path ${path} leads outside the profile directory`,
        );
        return;
      }
      if ("chart" in artifact) {
        if (!existsSync(join(target, "Chart.yaml"))) {
          report(entry.file, line, "path", `artifact ${artifact.name}: ${path} holds no Chart.yaml`);
          return;
        }
        const scratch = await mkdtemp(join(tmpdir(), "pctl-validate-chart-"));
        try {
          let chartDir = target;
          try {
            const prepared = await prepareChart(await profileTree(), path, scratch, {
              policy: createSourcePolicy(sourcePolicyOptionsFromEnv()),
              localOnly: offline,
            });
            if (prepared.built.length > 0) chartDir = prepared.dir;
          } catch (error) {
            if (!isPctlError(error)) throw error;
            report(entry.file, line, "chart-dependencies", `artifact ${artifact.name}: ${error.message}`);
            return;
          }
          for (const finding of await helmLint(chartDir)) {
            const file = join(entry.dir, path, finding.file).split(sep).join("/");
            report(file, finding.line ?? 1, "helm-lint", `helm lint: ${finding.message}`, finding.severity);
          }
        } finally {
          await rm(scratch, { recursive: true, force: true });
        }
      } else if ("kustomize" in artifact) {
        try {
          await buildKustomization(await profileTree(), path, { patches: artifact.kustomize.patches });
        } catch (error) {
          if (!(error instanceof ToolFailedError)) throw error;
          const reason = String(error.data.reason ?? error.message);
          report(
            entry.file,
            line,
            "kustomize-build",
            `artifact ${artifact.name}: kustomize build failed: ${reason}`,
          );
        }
      }
    }),
  );
}

/** The YAML files below each kustomize artifact, with their path relative to the validated directory. */
async function kustomizeTexts({
  root,
  entry,
  profile,
}: ProfileContext): Promise<{ file: string; text: string }[]> {
  const texts: { file: string; text: string }[] = [];
  for (const artifact of profile.spec.artifacts) {
    if (!("kustomize" in artifact)) continue;
    const dir = join(root, entry.dir, artifact.kustomize.path);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) continue;
    for (const [file, content] of await readWorkingTree(dir)) {
      if (!/\.ya?ml$/.test(file)) continue;
      texts.push({
        file: join(entry.dir, artifact.kustomize.path, file).split(sep).join("/"),
        text: Buffer.from(content).toString("utf8"),
      });
    }
  }
  return texts;
}

// Parameters in values are `${name}` exactly (synth/values.ts); `$${name}` is the escape.
const VALUES_REFERENCE = /\$(\$?)\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** `${param}` references against declared parameters, in values, patches and kustomize files. */
function checkParameters(
  { entry, profile, report }: ProfileContext,
  files: { file: string; text: string }[],
): void {
  const declared = new Set((profile.spec.parameters ?? []).map((parameter) => parameter.name));
  const used = new Set<string>();
  const refer = (name: string, file: string, line: number, where: string) => {
    used.add(name);
    if (!declared.has(name)) {
      report(
        file,
        line,
        "parameter",
        `${where} refers to \${${name}}, which spec.parameters does not declare`,
      );
    }
  };
  profile.spec.artifacts.forEach((artifact, index) => {
    const at = ["spec", "artifacts", index];
    const valueStrings = [
      ...entry.positions.strings([...at, "values"]),
      ...entry.positions.strings([...at, "chart", "defaultValues"]),
    ];
    for (const { value, line } of valueStrings) {
      for (const match of value.matchAll(VALUES_REFERENCE)) {
        if (match[1] === "") refer(match[2] ?? "", entry.file, line, `artifact ${artifact.name}: values`);
      }
    }
    for (const { value, line } of entry.positions.strings([...at, "kustomize", "patches"])) {
      for (const reference of variableReferences(value)) {
        if (!reference.hasDefault)
          refer(reference.name, entry.file, line, `artifact ${artifact.name}: patch`);
        else used.add(reference.name);
      }
    }
  });
  for (const { file, text } of files) {
    for (const reference of variableReferences(text)) {
      if (reference.hasDefault) {
        used.add(reference.name);
        continue;
      }
      refer(reference.name, file, lineAt(text, reference.offset), "this manifest");
    }
  }
  (profile.spec.parameters ?? []).forEach((parameter, index) => {
    if (used.has(parameter.name)) return;
    report(
      entry.file,
      entry.positions.lineOf(`spec.parameters[${index}].name`),
      "parameter",
      `parameter ${parameter.name} is declared but no values, patch or manifest uses \${${parameter.name}}`,
    );
  });
}

function lineAt(text: string, offset: number): number {
  return text.slice(0, offset).split("\n").length;
}

interface NestedOptions {
  readonly offline: boolean;
  readonly ownRepository: string | undefined;
  readonly sources: Pick<SourceFetcher, "resolveTree">;
  readonly edges: { to: string; line: number }[];
}

/** Nested profiles: in this repository, read from the working tree; elsewhere, resolved with git. */
async function checkNested(context: ProfileContext, nested: NestedOptions): Promise<void> {
  const { root, entry, profile, report } = context;
  await Promise.all(
    profile.spec.artifacts.map(async (artifact, index) => {
      if (!("profile" in artifact)) return;
      const source = artifact.profile.source;
      const line = entry.positions.lineOf(`spec.artifacts[${index}].profile.source`);
      if (nested.ownRepository !== undefined && normalizeUrl(source.url) === nested.ownRepository) {
        const dir = sourcePath(source)
          .replace(/^\.\/?/, "")
          .replace(/\/+$/, "");
        if (!existsSync(join(root, dir, "profile.yaml"))) {
          report(
            entry.file,
            line,
            "nested-source",
            `artifact ${artifact.name}: this repository has no profile.yaml in ${dir || "its root"}`,
          );
          return;
        }
        nested.edges.push({ to: dir, line });
        return;
      }
      if (nested.offline) return;
      const { url, path, secretRef: _secretRef, ...ref } = source;
      try {
        await nested.sources.resolveTree({ url, ref, path });
      } catch (error) {
        if (!isPctlError(error)) throw error;
        const rule = error instanceof CycleError ? "nesting-cycle" : "nested-source";
        report(entry.file, line, rule, `artifact ${artifact.name}: ${error.message}`);
      }
    }),
  );
}

/** Profiles of this repository that nest each other through the working tree. */
function checkLocalCycles(
  found: readonly Found[],
  edges: ReadonlyMap<string, readonly { to: string; line: number }[]>,
  report: Report,
): void {
  const done = new Set<string>();
  const reported = new Set<string>();
  const visit = (dir: string, trail: string[]): void => {
    if (done.has(dir)) return;
    for (const edge of edges.get(dir) ?? []) {
      const start = trail.indexOf(edge.to);
      if (edge.to === dir || start !== -1) {
        const loop = [...(edge.to === dir ? [] : trail.slice(start)), dir, edge.to].map((d) => d || ".");
        const key = [...loop].sort().join("\0");
        if (reported.has(key)) continue;
        reported.add(key);
        const file = found.find((f) => f.dir === dir)?.file ?? "profile.yaml";
        report(file, edge.line, "nesting-cycle", `profiles nest each other in a cycle: ${loop.join(" -> ")}`);
        continue;
      }
      visit(edge.to, [...trail, dir]);
    }
    done.add(dir);
  };
  for (const entry of found) visit(entry.dir, []);
}

/** Tags that name a profile directory of this repository must carry a semver version. */
async function checkTags(
  root: string,
  found: readonly Found[],
  newTag: string | undefined,
  report: Report,
): Promise<void> {
  const repository = findRepositoryRoot(root);
  const tags = repository === undefined ? [] : await listTags(root);
  // Profile directories as tags name them: relative to the repository root, which may be above DIR.
  const prefix = repository === undefined ? "" : relative(repository, root).split(sep).join("/");
  const byDir = new Map(
    found.map((f) => [prefix === "" ? f.dir : f.dir === "" ? prefix : `${prefix}/${f.dir}`, f]),
  );
  const ownerOf = (tag: string) => {
    const slash = tag.lastIndexOf("/");
    return byDir.get(slash === -1 ? "" : tag.slice(0, slash));
  };
  for (const tag of tags) {
    const owner = ownerOf(tag);
    if (owner === undefined || parseProfileTag(tag) !== undefined) continue;
    // A bare tag that is not a version is the repository's business, not the root profile's.
    if (owner.dir === "" && !/^v?\d/.test(tag)) continue;
    report(
      owner.file,
      1,
      "tag",
      `tag ${tag} names this profile but its version is not semver; use ${tag.includes("/") ? `${tag.slice(0, tag.lastIndexOf("/"))}/` : ""}vMAJOR.MINOR.PATCH`,
    );
  }
  if (newTag === undefined) return;
  const owner = ownerOf(newTag);
  const parsed = parseProfileTag(newTag);
  if (owner === undefined) {
    report("profile.yaml", 1, "tag", `tag ${newTag} names no profile directory of this repository`);
  } else if (parsed === undefined) {
    report(owner.file, 1, "tag", `tag ${newTag} is not <dir>/v<semver> (or v<semver> for a root profile)`);
  } else if (tags.includes(newTag)) {
    report(owner.file, 1, "tag", `tag ${newTag} exists already; pick the next version`);
  } else {
    const versions = tags
      .filter((tag) => ownerOf(tag) === owner)
      .flatMap((tag) => parseProfileTag(tag)?.version ?? []);
    const highest = semver.maxSatisfying(versions, "*", { includePrerelease: true });
    if (highest !== null && semver.lte(parsed.version, highest)) {
      report(owner.file, 1, "tag", `tag ${newTag} is not above the highest version ${highest}`, "warning");
    }
  }
}

async function listTags(dir: string): Promise<string[]> {
  try {
    const { stdout } = await run("git", ["tag", "--list"], { cwd: dir });
    return stdout.split("\n").filter((tag) => tag !== "");
  } catch {
    return [];
  }
}

async function originUrl(dir: string): Promise<string | undefined> {
  if (findRepositoryRoot(dir) === undefined) return undefined;
  try {
    const { stdout } = await run("git", ["remote", "get-url", "origin"], { cwd: dir });
    return stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}

function normalizeUrl(url: string): string {
  try {
    return normalizeSourceUrl(new URL(url));
  } catch {
    return url;
  }
}

/** Formats problems as `file:line: severity: message` lines, paths joined to `base`. */
export function formatProblems(problems: readonly ValidationProblem[], base: string): string {
  return problems
    .map((p) => `${join(base, p.file).split(sep).join("/")}:${p.line}: ${p.severity}: ${p.message}\n`)
    .join("");
}

interface ValidateCommandOptions {
  readonly offline: boolean;
  readonly tag?: string;
  readonly repositoryUrl?: string;
}

/** Adds `pctl validate` to `program`. */
export function register(program: Command): void {
  program
    .command("validate")
    .description(
      "lint a profile repository before tagging a version: schema, paths, charts, kustomizations, parameters, tags",
    )
    .argument("[dir]", "the repository or profile directory", ".")
    .option("--offline", "skip nested profiles from other repositories (no network)", false)
    .option("--tag <tag>", "also check a tag about to be created, such as nginx/v1.3.0")
    .option(
      "--repository-url <url>",
      "this repository's URL, when it has no origin remote (nested profiles from it are read locally)",
    )
    .addHelpText(
      "after",
      "\nPrints file:line: severity: message lines (or -o json|yaml) and exits 1 when there are errors.\n\nExamples:\n  pctl validate\n  pctl validate profiles --tag nginx/v1.3.0\n  pctl validate -o json > problems.json",
    )
    .action(async (dir: string, _options: unknown, command: Command) => {
      const ctx = contextOf(command);
      const options = command.opts<ValidateCommandOptions>();
      const problems = await validateRepository(resolve(ctx.cwd, dir), {
        offline: options.offline,
        ...(options.tag !== undefined && { tag: options.tag }),
        ...(options.repositoryUrl !== undefined && { repositoryUrl: options.repositoryUrl }),
      });
      const errors = problems.filter((p) => p.severity === "error").length;
      const warnings = problems.length - errors;
      if (ctx.format === "table") {
        ctx.stdout.write(formatProblems(problems, dir === "." ? "" : dir));
        ctx.note(`${basename(resolve(ctx.cwd, dir))}: ${errors} error(s), ${warnings} warning(s)`);
      } else {
        const base = dir === "." ? "" : dir;
        const data = problems.map((p) => ({ ...p, file: join(base, p.file).split(sep).join("/") }));
        ctx.stdout.write(formatData({ problems: data, errors, warnings }, ctx.format));
      }
      if (errors > 0) process.exitCode = ExitCode.Findings;
    });
}
