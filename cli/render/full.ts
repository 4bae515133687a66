/**
 * `pctl render --full`: goes on from the Flux children as the Flux controllers would, without a
 * cluster. Each HelmRelease becomes `helm template` of its chart (from the fetched profile files, a
 * Helm repository or an OCI registry) with the values helm-controller would compute; each
 * Kustomization becomes a kustomize build of its directory with its patches, target namespace and
 * post-build substitutions. Releases render in parallel and are returned in dependency order.
 * @module
 */

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { NotFoundError } from "../../crds/errors.js";
import { parseYamlAll } from "../../crds/yaml.js";
import {
  createSourcePolicy,
  normalizeSourceUrl,
  type SourcePolicy,
  sourcePolicyOptionsFromEnv,
} from "../../hooks/sources/policy.js";
import type { ChildObject } from "../../synth/children.js";
import type { PlannedPatch } from "../../synth/plan.js";
import { runTool } from "../tools/run.js";
import { prepareChart, subtree } from "./chart-dependencies.js";
import { composeValues, type HelmValues, type ValuesReference } from "./helm-values.js";
import { buildKustomization } from "./kustomize.js";
import { type ObjectStore, objectKey, supplyHint, type ValuesKind } from "./objects.js";
import type { KubeObject } from "./substitute.js";

/** The objects one HelmRelease or Kustomization puts in the cluster. */
export interface RenderedRelease {
  readonly kind: "HelmRelease" | "Kustomization";
  /** The child's name. */
  readonly name: string;
  /** The namespace its objects go to. */
  readonly namespace: string;
  readonly objects: KubeObject[];
}

/** Files of a repository at a commit, keyed by `/`-separated path from the repository root. */
export type RepositoryFiles = ReadonlyMap<string, ReadonlyMap<string, Uint8Array>>;

/** The key of {@link RepositoryFiles}: the repository and the commit. */
export function repositoryKey(url: string, commit: string): string {
  let normalized = url;
  try {
    normalized = normalizeSourceUrl(new URL(url));
  } catch {
    // A URL that does not parse is its own identity.
  }
  return `${normalized}@${commit}`;
}

/** Options of {@link renderReleases}. */
export interface FullRenderOptions {
  /** The namespace of the children: where releases go without a `targetNamespace`. */
  readonly namespace: string;
  /** The files of every GitRepository child's repository at its commit. */
  readonly repositories: RepositoryFiles;
  /**
   * The profile directories of each repository, keyed like {@link RepositoryFiles}: the `file://`
   * dependencies of a chart stay inside the profile holding it. [default: the repository root]
   */
  readonly profileDirectories?: ReadonlyMap<string, readonly string[]>;
  /** Where the dependencies of a chart from git may be fetched. [default: the environment's policy] */
  readonly policy?: SourcePolicy;
  /** ConfigMaps and Secrets the cluster would hold besides the children. [default: none] */
  readonly objects?: ObjectStore;
  /** Child names in dependency order; the result follows it. [default: the children's order] */
  readonly order?: readonly string[];
  /** Passed to `helm template --kube-version`. [default: helm's own] */
  readonly kubeVersion?: string;
  /** Releases rendered at once. [default: the number of CPUs, at least 4] */
  readonly concurrency?: number;
}

type Spec = Record<string, unknown>;
const specOf = (object: ChildObject | undefined) => (object?.spec ?? {}) as Spec;

/**
 * Renders every HelmRelease and Kustomization of `children`.
 *
 * @throws NotFoundError naming every ConfigMap, Secret or key that `valuesFrom` or `substituteFrom`
 *   needs and that neither the children nor `objects` hold; ToolFailedError when helm or kustomize
 *   fails; MissingToolError without helm or kubectl
 */
export async function renderReleases(
  children: readonly ChildObject[],
  options: FullRenderOptions,
): Promise<RenderedRelease[]> {
  const byKey = new Map(children.map((child) => [`${child.kind}/${child.metadata.name}`, child]));
  const generated = (kind: ValuesKind, name: string) => {
    const child = byKey.get(`${kind}/${name}`);
    return child === undefined ? undefined : ((child as { data?: Record<string, string> }).data ?? {});
  };
  const lookup = (kind: ValuesKind, name: string) =>
    generated(kind, name) ?? options.objects?.get(objectKey(kind, name));

  const missing = new Set<string>();
  const tasks: (() => Promise<RenderedRelease>)[] = [];
  for (const child of children) {
    const spec = specOf(child);
    const namespace = (spec.targetNamespace as string | undefined) ?? options.namespace;
    if (child.kind === "HelmRelease") {
      const composed = composeValues(spec as { values?: HelmValues; valuesFrom?: ValuesReference[] }, lookup);
      for (const entry of composed.missing) missing.add(entry);
      tasks.push(async () => ({
        kind: "HelmRelease",
        name: child.metadata.name,
        namespace,
        objects: await helmTemplate(child, composed.values, namespace, byKey, options),
      }));
    } else if (child.kind === "Kustomization") {
      const postBuild = (spec.postBuild ?? {}) as {
        substitute?: Record<string, string>;
        substituteFrom?: { kind: ValuesKind; name: string; optional?: boolean }[];
      };
      let vars: Record<string, string> = {};
      for (const from of postBuild.substituteFrom ?? []) {
        const data = lookup(from.kind, from.name);
        if (data === undefined && from.optional !== true) missing.add(objectKey(from.kind, from.name));
        vars = { ...vars, ...data };
      }
      vars = { ...vars, ...postBuild.substitute };
      tasks.push(async () => ({
        kind: "Kustomization",
        name: child.metadata.name,
        namespace,
        objects: await kustomizeBuild(child, vars, byKey, options),
      }));
    }
  }
  if (missing.size > 0) {
    const list = [...missing].sort();
    throw new NotFoundError(
      `the children read ${list.join(", ")}, which a cluster would hold and this render was not given`,
      { data: { missing: list, hint: supplyHint(list) } },
    );
  }
  // A helm or kubectl run spends part of its time loading a 50 MB binary and reading files, so a
  // few more processes than CPUs still overlap.
  const rendered = await inParallel(tasks, options.concurrency ?? Math.max(4, availableParallelism()));
  const order = options.order ?? children.map((child) => child.metadata.name);
  return rendered.sort((a, b) => rank(order, a.name) - rank(order, b.name));
}

function rank(order: readonly string[], name: string): number {
  const index = order.indexOf(name);
  return index === -1 ? order.length : index;
}

async function inParallel<T>(tasks: readonly (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await tasks[index]!();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, tasks.length)) }, worker));
  return results;
}

/** The files of a GitRepository child, from the fetched profile tree. */
function gitFiles(
  name: string,
  byKey: ReadonlyMap<string, ChildObject>,
  options: FullRenderOptions,
): ReadonlyMap<string, Uint8Array> {
  return gitSource(name, byKey, options).files;
}

function gitSource(
  name: string,
  byKey: ReadonlyMap<string, ChildObject>,
  options: FullRenderOptions,
): { files: ReadonlyMap<string, Uint8Array>; key: string } {
  const spec = specOf(byKey.get(`GitRepository/${name}`)) as { url?: string; ref?: { commit?: string } };
  const key = spec.url === undefined ? undefined : repositoryKey(spec.url, spec.ref?.commit ?? "");
  const files = key === undefined ? undefined : options.repositories.get(key);
  if (key === undefined || files === undefined) {
    throw new NotFoundError(`GitRepository ${name}: its files were not fetched`, {
      data: { gitRepository: name },
    });
  }
  return { files, key };
}

/** The innermost of `directories` holding `path`; `""` (the repository root) when none does. */
function profileDirectoryOf(directories: readonly string[], path: string): string {
  let best = "";
  for (const dir of directories.map(cleanPath)) {
    if ((dir === "" || path === dir || path.startsWith(`${dir}/`)) && dir.length >= best.length) best = dir;
  }
  return best;
}

const cleanPath = (path: string | undefined) => (path ?? "").replace(/^\.\/?/, "").replace(/\/+$/, "");

async function helmTemplate(
  release: ChildObject,
  values: HelmValues,
  namespace: string,
  byKey: ReadonlyMap<string, ChildObject>,
  options: FullRenderOptions,
): Promise<KubeObject[]> {
  const spec = specOf(release) as {
    releaseName?: string;
    chart?: { spec: { chart: string; version?: string; sourceRef: { kind: string; name: string } } };
    chartRef?: { kind: string; name: string };
  };
  const scratch = await mkdtemp(join(tmpdir(), "pctl-helm-"));
  try {
    const chartArgs: string[] = [];
    if (spec.chartRef !== undefined) {
      const oci = specOf(byKey.get(`OCIRepository/${spec.chartRef.name}`)) as {
        url: string;
        ref?: { tag?: string; semver?: string; digest?: string };
      };
      const ref = oci.ref ?? {};
      if (ref.digest !== undefined) chartArgs.push(`${oci.url}@${ref.digest}`);
      else chartArgs.push(oci.url, "--version", ref.semver ?? ref.tag ?? "latest");
    } else if (spec.chart !== undefined) {
      const { chart, version, sourceRef } = spec.chart.spec;
      if (sourceRef.kind === "GitRepository") {
        // Like source-controller: the chart with the dependencies its charts/ lacks, file://
        // paths kept inside the profile directory.
        const { files, key } = gitSource(sourceRef.name, byKey, options);
        const path = cleanPath(chart);
        const profile = profileDirectoryOf(options.profileDirectories?.get(key) ?? [], path);
        const prepared = await prepareChart(
          subtree(files, profile),
          profile === "" ? path : path.slice(profile.length + 1),
          scratch,
          { policy: options.policy ?? createSourcePolicy(sourcePolicyOptionsFromEnv()) },
        );
        chartArgs.push(prepared.dir);
      } else {
        const repository = specOf(byKey.get(`HelmRepository/${sourceRef.name}`)) as { url: string };
        chartArgs.push(chart, "--repo", repository.url);
        if (version !== undefined && version !== "*") chartArgs.push("--version", version);
      }
    }
    const valuesFile = join(scratch, "values.yaml");
    await writeFile(valuesFile, stringify(values, { lineWidth: 0 }));
    const args = [
      "template",
      spec.releaseName ?? release.metadata.name,
      ...chartArgs,
      "--namespace",
      namespace,
      "--values",
      valuesFile,
      "--include-crds",
      "--skip-tests",
      ...(options.kubeVersion === undefined ? [] : ["--kube-version", options.kubeVersion]),
    ];
    const { stdout } = await runTool("helm", args, {
      what: `helm template of HelmRelease ${release.metadata.name}`,
    });
    return parseYamlAll(stdout, {
      source: `helm template ${release.metadata.name}`,
      maxBytes: 64 * 1024 * 1024,
    }) as KubeObject[];
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function kustomizeBuild(
  kustomization: ChildObject,
  substitute: Readonly<Record<string, string>>,
  byKey: ReadonlyMap<string, ChildObject>,
  options: FullRenderOptions,
): Promise<KubeObject[]> {
  const spec = specOf(kustomization) as {
    sourceRef: { name: string };
    path?: string;
    targetNamespace?: string;
    patches?: PlannedPatch[];
  };
  return buildKustomization(gitFiles(spec.sourceRef.name, byKey, options), cleanPath(spec.path), {
    targetNamespace: spec.targetNamespace,
    patches: spec.patches,
    substitute,
  });
}
