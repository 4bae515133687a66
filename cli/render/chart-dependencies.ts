/**
 * The dependencies of a chart kept in a profile's files, built before `helm template` (render
 * `--full`) and `helm lint` (validate) the way Flux's source-controller builds them for a chart from
 * a GitRepository: the dependencies of `Chart.lock` (else `Chart.yaml`) that `charts/` does not hold
 * are fetched; `file://` paths are resolved relative to the chart and must stay inside the profile
 * directory; repositories are given by URL (an `@name` of the local helm configuration means
 * nothing to Flux).
 *
 * The chart is copied into a scratch directory and `helm dependency build` (`update` without a lock
 * file, as Flux resolves the ranges then) runs there, with helm's repository, cache and registry
 * configuration in that directory too: the user's checkout and helm configuration stay untouched.
 * @module
 */
import { join, posix } from "node:path";
import { parse } from "yaml";
import { NotFoundError, PolicyViolationError } from "../../crds/errors.js";
import { normalizeRelativePath, type SourcePolicy } from "../../hooks/sources/policy.js";
import { runTool, ToolFailedError } from "../tools/run.js";
import { writeTree } from "./kustomize.js";

/** One entry of `dependencies` in `Chart.yaml` or `Chart.lock`. */
export interface ChartDependency {
  readonly name: string;
  readonly version?: string;
  readonly repository?: string;
  readonly alias?: string;
}

/** Options of {@link prepareChart}. */
export interface PrepareChartOptions {
  /** Which repository URLs may be fetched from (`PCTL_ALLOW_HTTP`, `PCTL_ALLOW_LOOPBACK`). */
  readonly policy: SourcePolicy;
  /** Build nothing when a missing dependency has to be downloaded. [default: false] */
  readonly localOnly?: boolean;
}

/** A chart written out by {@link prepareChart}. */
export interface PreparedChart {
  /** The chart's directory in the scratch directory. */
  readonly dir: string;
  /** The dependencies that were missing from `charts/` and were built; empty when none was. */
  readonly built: readonly ChartDependency[];
}

/**
 * Writes the chart at `chartPath` of a profile's `files` (keyed by `/`-separated path from the
 * profile directory) below `scratch`, with the dependencies missing from its `charts/` built.
 *
 * @throws PolicyViolationError when a dependency's repository is refused by the policy or a
 *   `file://` path leaves the profile directory; NotFoundError when a `file://` path holds no chart;
 *   ToolFailedError naming the chart and the dependency when helm cannot fetch it
 */
export async function prepareChart(
  files: ReadonlyMap<string, Uint8Array>,
  chartPath: string,
  scratch: string,
  options: PrepareChartOptions,
): Promise<PreparedChart> {
  const chart = normalizeRelativePath(chartPath, "chart path");
  const dir = join(scratch, "profile", ...(chart === "" ? [] : chart.split("/")));
  await writeTree(dir, subtree(files, chart));
  const missing = missingDependencies(files, chart);
  if (missing.length === 0) return { dir, built: [] };
  const shown = chart === "" ? "the profile directory" : chart;
  const local: string[] = [];
  let remote = false;
  for (const dependency of declaredDependencies(files, chart)) {
    const repository = dependency.repository ?? "";
    const refuse = (reason: string) =>
      new PolicyViolationError(
        `chart ${shown}: dependency ${dependency.name} (${repository}) refused: ${reason}`,
        {
          data: { chart, dependency: dependency.name, repository, reason },
        },
      );
    if (repository === "" || repository.startsWith("file://")) {
      const path = repository.slice("file://".length);
      if (path.startsWith("/")) throw refuse("a file:// path must be relative to the chart");
      let target: string;
      try {
        target = normalizeRelativePath(posix.join(chart, path), "file:// path");
      } catch {
        throw refuse("its file:// path leaves the profile directory");
      }
      if (target === chart) continue;
      if (!files.has(target === "" ? "Chart.yaml" : `${target}/Chart.yaml`)) {
        throw new NotFoundError(
          `chart ${shown}: dependency ${dependency.name}: no chart found at ${target} (${repository})`,
          { data: { chart, dependency: dependency.name, repository } },
        );
      }
      local.push(target);
    } else if (/^(https?|oci):\/\//.test(repository)) {
      remote = true;
      await checkRepository(repository, options.policy).catch((error: unknown) => {
        if (!(error instanceof PolicyViolationError)) throw error;
        throw refuse(String(error.data.reason ?? error.message));
      });
    } else {
      throw refuse("Flux fetches dependencies from repository URLs only (https://, oci:// or file://)");
    }
  }
  if (remote && options.localOnly) return { dir, built: [] };
  for (const target of local)
    await writeTree(join(scratch, "profile", ...target.split("/")), subtree(files, target));

  const home = join(scratch, "helm");
  const lock =
    files.has(posix.join(chart, "Chart.lock")) || files.has(posix.join(chart, "requirements.lock"));
  try {
    await runTool(
      "helm",
      [
        "dependency",
        lock ? "build" : "update",
        dir,
        "--repository-config",
        join(home, "repositories.yaml"),
        "--repository-cache",
        join(home, "cache"),
        "--registry-config",
        join(home, "registry.json"),
      ],
      {
        extraEnv: {
          HELM_CACHE_HOME: join(home, "cache-home"),
          HELM_CONFIG_HOME: join(home, "config-home"),
          HELM_DATA_HOME: join(home, "data-home"),
        },
        what: `building the dependencies of chart ${shown}`,
      },
    );
  } catch (error) {
    if (!(error instanceof ToolFailedError)) throw error;
    const said = `${String(error.data.stderr ?? "")}\n${String(error.data.stdout ?? "")}`;
    const named = missing.filter(
      (d) => said.includes(d.name) || (d.repository !== undefined && said.includes(d.repository)),
    );
    const list = (named.length > 0 ? named : missing).map((d) => `${d.name} (${d.repository ?? ""})`);
    const detail =
      said
        .trim()
        .split("\n")
        .filter((line) => line.startsWith("Error:"))
        .join("; ") || said.trim();
    throw new ToolFailedError(
      `chart ${shown}: dependency ${list.join(", ")} could not be fetched: ${detail}`,
      { data: { ...error.data, chart, dependencies: list }, cause: error },
    );
  }
  return { dir, built: missing };
}

/**
 * The dependencies of the chart at `chart` (a normalized path of `files`) that its `charts/`
 * directory does not hold, by name or alias. Like source-controller, `Chart.lock` wins over
 * `Chart.yaml` (and `requirements.lock` over `requirements.yaml` for `apiVersion: v1` charts).
 */
export function missingDependencies(
  files: ReadonlyMap<string, Uint8Array>,
  chart: string,
): ChartDependency[] {
  const present = new Set<string>();
  const prefix = chart === "" ? "charts/" : `${chart}/charts/`;
  for (const [path, content] of files) {
    if (!path.startsWith(prefix)) continue;
    const rest = path.slice(prefix.length);
    if (/^[^/]+\/Chart\.yaml$/.test(rest)) {
      const name = (readYaml(content) as { name?: unknown } | undefined)?.name;
      if (typeof name === "string") present.add(name);
    } else if (/^[^/]+\.tgz$/.test(rest)) {
      // helm names a packaged chart <name>-<version>.tgz; a version starts with a digit.
      present.add(rest.replace(/-v?\d[^/]*\.tgz$/, "").replace(/\.tgz$/, ""));
    }
  }
  return declaredDependencies(files, chart).filter(
    (d) => !present.has(d.name) && (d.alias === undefined || !present.has(d.alias)),
  );
}

function declaredDependencies(files: ReadonlyMap<string, Uint8Array>, chart: string): ChartDependency[] {
  for (const file of ["Chart.lock", "requirements.lock", "Chart.yaml", "requirements.yaml"]) {
    const content = files.get(posix.join(chart, file));
    if (content === undefined) continue;
    const dependencies = (readYaml(content) as { dependencies?: unknown } | undefined)?.dependencies;
    if (!Array.isArray(dependencies)) continue;
    return dependencies.filter(
      (d): d is ChartDependency => typeof d === "object" && d !== null && typeof d.name === "string",
    );
  }
  return [];
}

function readYaml(content: Uint8Array): unknown {
  try {
    return parse(new TextDecoder().decode(content));
  } catch {
    // helm reports a Chart.yaml that does not parse; nothing to build from it.
    return undefined;
  }
}

/** The files below `dir` of a repository or profile, keyed relative to `dir`. */
export function subtree(files: ReadonlyMap<string, Uint8Array>, dir: string): Map<string, Uint8Array> {
  const prefix = dir === "" ? "" : `${dir}/`;
  const out = new Map<string, Uint8Array>();
  for (const [path, content] of files)
    if (path.startsWith(prefix)) out.set(path.slice(prefix.length), content);
  return out;
}

/** Checks a repository URL against the policy, and a host name against the addresses it resolves to. */
async function checkRepository(repository: string, policy: SourcePolicy): Promise<void> {
  // An OCI registry is reached over https.
  const url = policy.checkUrl(repository.replace(/^oci:\/\//, "https://"));
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (/^[\d.]+$/.test(host) || host.includes(":")) return;
  await new Promise<void>((resolve, reject) => {
    policy.lookup(host, { all: true }, (error) => {
      // A name that does not resolve is helm's to report.
      if (error instanceof PolicyViolationError) reject(error);
      else resolve();
    });
  });
}
