/**
 * The leaf artifacts of a walked profile tree: the sources they share, and each one's plan (chart
 * values and Secret references, or kustomize variables).
 * @module
 */

import { posix } from "node:path";
import type { ChartArtifact, KustomizeArtifact } from "../crds/profile.js";
import type { ArtifactOverride } from "../crds/profile-subscription.js";
import type { ProfileTreeNode } from "../hooks/sources/tree.js";
import { childNames } from "./names.js";
import type {
  PlannedArtifact,
  PlannedArtifactBase,
  PlannedArtifactKind,
  PlannedChart,
  PlannedChartSource,
  PlannedGitRepository,
  PlannedHelmRepository,
  PlannedSecretValue,
} from "./plan.js";
import {
  deepMerge,
  formatValuesPath,
  type Parameters,
  type Problem,
  substituteValues,
  targetPath,
} from "./values.js";

/** A profile of the tree while it is walked. */
export interface Visit {
  readonly node: ProfileTreeNode;
  /** The chain of nesting artifact names; `""` for the root. */
  readonly path: string;
  readonly parameters: Parameters;
  readonly ref: { readonly branch?: string; readonly tag?: string };
  readonly secretName: string | undefined;
}

/** A chart or kustomize artifact met in the walk, with the profile that declares it. */
export interface Leaf {
  readonly path: string;
  readonly visit: Visit;
  readonly artifact: ChartArtifact | KustomizeArtifact;
}

/** The sources the leaves share. */
export interface SharedSources {
  /** The GitRepository each walked profile reads from, when it reads one. */
  readonly git: ReadonlyMap<Visit, PlannedGitRepository>;
  /** The HelmRepository of each Helm repository chart, by artifact path. */
  readonly helm: ReadonlyMap<string, PlannedHelmRepository>;
}

/** What planning one leaf needs besides the leaf. */
export interface LeafPlanning {
  readonly override: ArtifactOverride | undefined;
  readonly sources: SharedSources;
  /** Secret names in `spec.parametersFrom` order, the order Flux must read them in. */
  readonly secretOrder: readonly string[];
  /** Where problems are collected. */
  readonly problems: Problem[];
}

/** What a leaf installs. */
export function kindOf(artifact: ChartArtifact | KustomizeArtifact): PlannedArtifactKind {
  if ("kustomize" in artifact) return "kustomize";
  if ("path" in artifact.chart) return "helm-local";
  return "name" in artifact.chart ? "helm-repository" : "helm-oci";
}

/** Plans one leaf artifact, given what it shares with the others. */
export function planLeaf(
  leaf: Leaf,
  kind: PlannedArtifactKind,
  base: PlannedArtifactBase,
  planning: LeafPlanning,
): PlannedArtifact {
  const where = `artifact ${leaf.path} of profile ${base.profile}`;
  const { override, problems, sources, secretOrder } = planning;
  const git = sources.git.get(leaf.visit);
  if ("kustomize" in leaf.artifact) {
    if (override?.values !== undefined || (override?.valuesFrom ?? []).length > 0) {
      problems.push({
        blame: "subscription",
        message: `spec.artifacts.${leaf.path}: ${leaf.path} is a kustomize artifact; values and valuesFrom apply to charts`,
      });
    }
    const { kustomize } = leaf.artifact;
    const substitute: Record<string, string> = {};
    const secrets = new Map<string, boolean>();
    for (const [parameter, resolved] of leaf.visit.parameters) {
      if ("value" in resolved) {
        substitute[parameter] = String(resolved.value);
        continue;
      }
      const { secret } = resolved;
      secrets.set(secret.name, (secrets.get(secret.name) ?? true) && secret.optional);
      if (secret.key !== parameter && usesVariable(leaf.visit.node, kustomize, parameter)) {
        problems.push({
          blame: "profile",
          message: `${where}: uses \${${parameter}}, which comes from key ${secret.key} of Secret ${secret.name}; Flux substitutes a Secret's keys under their own names, so pass it to the nested profile under the same name`,
        });
      }
    }
    return {
      ...base,
      kind: "kustomize",
      source: {
        gitRepository: git!.name,
        url: git!.url,
        commit: git!.commit,
        path: repoPath(leaf.visit.node.source.path, kustomize.path),
      },
      patches: kustomize.patches ?? [],
      substitute,
      substituteFrom: [...secrets]
        .sort(([a], [b]) => secretOrder.indexOf(a) - secretOrder.indexOf(b))
        .map(([secret, optional]) => ({ name: secret, optional })),
    };
  }
  const { chart } = leaf.artifact;
  const declared = leaf.visit.node.profile.spec.parameters ?? [];
  const substituted = substituteValues(
    leaf.artifact.values ?? {},
    leaf.visit.parameters,
    new Set(declared.map((parameter) => parameter.name)),
    where,
  );
  problems.push(...substituted.problems);
  const secretValues: PlannedSecretValue[] = [];
  for (const secretLeaf of substituted.secretLeaves) {
    const path = targetPath(secretLeaf.path);
    if (path === undefined) {
      problems.push({
        blame: "profile",
        message: `${where}: values at ${formatValuesPath(secretLeaf.path)} take Secret parameter ${secretLeaf.parameter}, but that path cannot be written as a Helm --set path (keys of letters, digits, '-', '_', '.', '/'; at most 250 characters)`,
      });
      continue;
    }
    const type = declared.find((parameter) => parameter.name === secretLeaf.parameter)?.type;
    secretValues.push({
      secret: secretLeaf.secret,
      parameter: secretLeaf.parameter,
      targetPath: path,
      literal: type === "string",
    });
  }
  // By path, not in the order the profile happens to write its keys in: two Secret leaves never
  // share a path or nest, so the order of their valuesFrom entries does not change the values.
  secretValues.sort((a, b) => (a.targetPath < b.targetPath ? -1 : a.targetPath > b.targetPath ? 1 : 0));
  let source: PlannedChartSource;
  if ("path" in chart) {
    source = {
      kind: "git",
      gitRepository: git!.name,
      url: git!.url,
      commit: git!.commit,
      path: repoPath(leaf.visit.node.source.path, chart.path),
    };
  } else if ("name" in chart) {
    source = {
      kind: "helm-repository",
      helmRepository: sources.helm.get(leaf.path)!.name,
      url: chart.url,
      chart: chart.name,
      ...(chart.version !== undefined && { version: chart.version }),
    };
  } else {
    source = {
      kind: "oci",
      url: chart.url,
      ...(chart.version !== undefined && { version: chart.version }),
    };
  }
  return {
    ...base,
    kind: kind as PlannedChart["kind"],
    source,
    defaults: substituted.values,
    override: {
      ...(override?.values !== undefined && { values: override.values }),
      valuesFrom: override?.valuesFrom ?? [],
    },
    values: override?.values ? deepMerge(substituted.values, override.values) : substituted.values,
    secretValues,
  };
}

/**
 * The shared sources: one GitRepository per (url, commit) that a local chart or kustomize artifact
 * reads, named after the shallowest profile reading it; one HelmRepository per URL, named after the
 * first chart using it.
 */
export function collectSources(
  subscription: string,
  leaves: readonly Leaf[],
  leafNames: ReadonlyMap<string, string>,
): SharedSources {
  const repositories = new Map<string, Visit[]>();
  const helmByUrl = new Map<string, { name: string; url: string }>();
  const helm = new Map<string, { name: string; url: string }>();
  for (const { path, visit, artifact } of leaves) {
    if ("kustomize" in artifact || "path" in artifact.chart) {
      const key = `${visit.node.source.url}\0${visit.node.source.commit}`;
      const users = repositories.get(key) ?? [];
      if (!users.includes(visit)) users.push(visit);
      repositories.set(key, users);
    } else if ("name" in artifact.chart) {
      const key = artifact.chart.url.replace(/\/+$/, "");
      const repository = helmByUrl.get(key) ?? { name: leafNames.get(path)!, url: artifact.chart.url };
      helmByUrl.set(key, repository);
      helm.set(path, repository);
    }
  }
  const namers = [...repositories.values()].map(
    (users) => [...users].sort((a, b) => depth(a.path) - depth(b.path))[0]!,
  );
  const names = childNames(
    subscription,
    namers.map((visit) => visit.path),
  );
  const git = new Map<Visit, PlannedGitRepository>();
  for (const [index, users] of [...repositories.values()].entries()) {
    const namer = namers[index]!;
    const { url, commit } = namer.node.source;
    const repository: PlannedGitRepository = {
      name: names.get(namer.path)!,
      url,
      commit,
      ...namer.ref,
      ...(namer.secretName !== undefined && { secretName: namer.secretName }),
      directories: [...new Set(users.map((visit) => visit.node.source.path))].sort(),
    };
    for (const visit of users) git.set(visit, repository);
  }
  return { git, helm };
}

function depth(path: string): number {
  return path === "" ? 0 : path.split("/").length;
}

/** A directory of the profile as Flux wants it: relative to the repository root, `./`-prefixed. */
function repoPath(profileDir: string, relative: string): string {
  const joined = posix.normalize(posix.join(profileDir === "" ? "." : profileDir, relative));
  const trimmed = joined.replace(/\/+$/, "");
  return trimmed === "." || trimmed === "" ? "./" : `./${trimmed}`;
}

const decoder = new TextDecoder();

/** Whether a kustomize artifact's files or patches mention `${name}` in any envsubst form. */
function usesVariable(
  node: ProfileTreeNode,
  kustomize: KustomizeArtifact["kustomize"],
  name: string,
): boolean {
  const reference = new RegExp(`\\$\\{${name}(?![A-Za-z0-9_])`);
  const dir = posix.normalize(kustomize.path).replace(/\/+$/, "");
  if ((kustomize.patches ?? []).some((patch) => reference.test(patch.patch))) return true;
  for (const [file, bytes] of node.files) {
    if ((dir === "." || file.startsWith(`${dir}/`)) && reference.test(decoder.decode(bytes))) return true;
  }
  return false;
}
