/**
 * Expands a subscription and its resolved profile tree into an {@link ExpansionPlan}: every leaf
 * artifact, flattened across nesting levels, with its source, values, overrides and dependencies.
 * Pure: the profile tree and the parameter sources come in as plain data.
 * @module
 */

import { posix } from "node:path";
import { type GitRefKind, gitRefKind } from "../crds/common.js";
import { InvalidInputError, InvalidProfileError, NotFoundError } from "../crds/errors.js";
import type { ChartArtifact, KustomizeArtifact } from "../crds/profile.js";
import type { ArtifactOverride, ProfileSubscription } from "../crds/profile-subscription.js";
import type { ResolvedSource } from "../hooks/sources/fetcher.js";
import type { ProfileTreeNode } from "../hooks/sources/tree.js";
import { assertNoCycle, leafDependencies } from "./dependencies.js";
import { childNames } from "./names.js";
import {
  type ExpansionPlan,
  type PlannedArtifact,
  type PlannedArtifactKind,
  type PlannedChartSource,
  type PlannedGitRepository,
  type PlannedSecretValue,
  releaseKind,
} from "./plan.js";
import {
  deepMerge,
  formatValuesPath,
  type ParameterSources,
  type Parameters,
  type Problem,
  resolveNestedParameters,
  resolveRootParameters,
  substituteValues,
  targetPath,
} from "./values.js";

/** What {@link expandSubscription} expands. */
export interface ExpansionInput {
  /** The subscription, parsed (so `spec.interval` and `spec.suspend` have their defaults). */
  readonly subscription: Pick<ProfileSubscription, "metadata" | "spec">;
  /** The resolved profile tree, root first, as the source fetcher returns it. */
  readonly tree: ProfileTreeNode;
  /** The ConfigMaps (data) and Secrets (key names only) that `spec.parametersFrom` names. @default none */
  readonly parameterSources?: ParameterSources;
  /**
   * The Secret with the root repository's credentials, for the GitRepository children.
   * @default `spec.source.secretRef.name`
   */
  readonly sourceSecretName?: string;
}

/** A profile of the tree while it is walked. */
interface Visit {
  readonly node: ProfileTreeNode;
  /** The chain of nesting artifact names; `""` for the root. */
  readonly path: string;
  readonly parameters: Parameters;
  readonly ref: { readonly branch?: string; readonly tag?: string };
  readonly secretName: string | undefined;
}

interface Leaf {
  readonly path: string;
  readonly visit: Visit;
  readonly artifact: ChartArtifact | KustomizeArtifact;
}

/**
 * Expands a subscription into the plan of its Flux children.
 *
 * @throws InvalidInputError or InvalidProfileError listing every problem found (unknown, missing or
 *   mistyped parameters, unknown `spec.artifacts` paths, Secret parameters inside longer strings), the
 *   first when the subscription can fix one of them; NotFoundError for a missing non-optional
 *   `parametersFrom` object; CycleError naming a dependency loop, `a -> b -> a`.
 * @example
 * const plan = expandSubscription({ subscription, tree, parameterSources: { secrets: { "web-params": ["password"] } } });
 * const { children } = buildChildren(plan);
 */
export function expandSubscription(input: ExpansionInput): ExpansionPlan {
  const { subscription, tree } = input;
  const { spec } = subscription;
  const name = subscription.metadata.name;
  const overrides: Readonly<Record<string, ArtifactOverride>> = spec.artifacts ?? {};
  const problems: Problem[] = [];

  const root = resolveRootParameters({
    profile: tree.profile.metadata.name,
    declared: tree.profile.spec.parameters ?? [],
    inline: spec.parameters,
    parametersFrom: spec.parametersFrom,
    sources: input.parameterSources,
  });
  if (root.missing.length > 0) {
    const list = root.missing.map((entry) => `${entry.kind} ${entry.name}`).join(", ");
    throw new NotFoundError(
      `ProfileSubscription ${name}: spec.parametersFrom names ${list}, not found in its namespace; create it or mark the entry optional: true`,
      { data: { missing: root.missing.map(({ kind, name }) => ({ kind, name })) } },
    );
  }
  problems.push(...root.problems);

  const rootSecret = input.sourceSecretName ?? spec.source?.secretRef?.name;
  const artifactPaths = new Map<string, "leaf" | "profile">();
  const declaredDependencies = new Map<string, string[]>();
  const leaves: Leaf[] = [];

  const walk = (visit: Visit): void => {
    const { profile } = visit.node;
    const declared = new Set((profile.spec.parameters ?? []).map((parameter) => parameter.name));
    const siblings = new Set(profile.spec.artifacts.map((artifact) => artifact.name));
    for (const artifact of profile.spec.artifacts) {
      const path = joinPath(visit.path, artifact.name);
      const where = `artifact ${path} of profile ${profile.metadata.name}`;
      const dependencies: string[] = [];
      for (const dependency of artifact.dependsOn ?? []) {
        if (siblings.has(dependency.name) && dependency.name !== artifact.name) {
          dependencies.push(joinPath(visit.path, dependency.name));
        } else {
          problems.push({
            blame: "profile",
            message: `${where}: depends on ${dependency.name}, no other artifact of the profile`,
          });
        }
      }
      declaredDependencies.set(path, dependencies);
      if (!("profile" in artifact)) {
        artifactPaths.set(path, "leaf");
        leaves.push({ path, visit, artifact });
        continue;
      }
      artifactPaths.set(path, "profile");
      const child = visit.node.children.get(artifact.name);
      if (child === undefined) {
        problems.push({
          blame: "profile",
          message: `${where}: the profile tree holds no nested profile for it`,
        });
        continue;
      }
      const override = overrides[path];
      if ((override?.valuesFrom ?? []).length > 0) {
        problems.push({
          blame: "subscription",
          message: `spec.artifacts.${path}: ${path} is a nested profile; set its parameters with values, valuesFrom applies to charts`,
        });
      }
      const substituted = substituteValues(artifact.values ?? {}, visit.parameters, declared, where);
      problems.push(...substituted.problems);
      const extra = override?.values;
      const nested = resolveNestedParameters({
        where: `nested profile ${child.profile.metadata.name} at ${path}`,
        declared: child.profile.spec.parameters ?? [],
        values: extra ? deepMerge(substituted.values, extra) : substituted.values,
        // A parameter the subscription sets for the nested profile wins over what the parent passes.
        secretLeaves: substituted.secretLeaves.filter((leaf) => !(extra && String(leaf.path[0]) in extra)),
        blame: extra ? "subscription" : "profile",
      });
      problems.push(...nested.problems);
      walk({
        node: child,
        path,
        parameters: nested.parameters,
        ref: gitRef(child.source, gitRefKind(artifact.profile.source)),
        secretName:
          artifact.profile.source.secretRef?.name ??
          (sameOrigin(child.source.url, tree.source.url) ? rootSecret : undefined),
      });
    }
  };
  walk({
    node: tree,
    path: "",
    parameters: root.parameters,
    ref: gitRef(tree.source, spec.source ? gitRefKind(spec.source) : "tag"),
    secretName: rootSecret,
  });

  for (const path of Object.keys(overrides).sort()) {
    if (!artifactPaths.has(path)) {
      problems.push({
        blame: "subscription",
        message: `spec.artifacts.${path}: the profile has no artifact at this path; it has ${[...artifactPaths.keys()].sort().join(", ")}`,
      });
    }
  }

  const leafNames = childNames(
    name,
    leaves.map((leaf) => leaf.path),
  );
  const sources = collectSources(name, leaves, leafNames);
  const kinds = new Map(leaves.map((leaf) => [leaf.path, kindOf(leaf.artifact)]));
  const dependencies = leafDependencies(
    declaredDependencies,
    leaves.map((leaf) => leaf.path),
  );

  const secretOrder = (spec.parametersFrom ?? []).filter((e) => e.kind === "Secret").map((e) => e.name);
  const artifacts = leaves.map((leaf): PlannedArtifact => {
    const kind = kinds.get(leaf.path)!;
    const dependsOn = dependencies.get(leaf.path) ?? [];
    const base = {
      path: leaf.path,
      name: leafNames.get(leaf.path)!,
      profile: leaf.visit.node.profile.metadata.name,
      dependsOn,
      gatedBy: dependsOn.filter((dep) => releaseKind(kinds.get(dep)!) !== releaseKind(kind)),
    };
    const where = `artifact ${leaf.path} of profile ${base.profile}`;
    const override = overrides[leaf.path];
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
      kind: kind as Exclude<PlannedArtifactKind, "kustomize">,
      source,
      defaults: substituted.values,
      override: {
        ...(override?.values !== undefined && { values: override.values }),
        valuesFrom: override?.valuesFrom ?? [],
      },
      values: override?.values ? deepMerge(substituted.values, override.values) : substituted.values,
      secretValues,
    };
  });

  throwProblems(name, problems);
  assertNoCycle(dependencies);
  return {
    subscription: name,
    interval: spec.interval ?? "10m",
    suspend: spec.suspend ?? false,
    ...(spec.targetNamespace !== undefined && { targetNamespace: spec.targetNamespace }),
    gitRepositories: [...new Set(sources.git.values())],
    helmRepositories: [...new Map([...sources.helm.values()].map((repo) => [repo.name, repo])).values()],
    artifacts,
  };
}

function kindOf(artifact: ChartArtifact | KustomizeArtifact): PlannedArtifactKind {
  if ("kustomize" in artifact) return "kustomize";
  if ("path" in artifact.chart) return "helm-local";
  return "name" in artifact.chart ? "helm-repository" : "helm-oci";
}

/**
 * The shared sources: one GitRepository per (url, commit) that a local chart or kustomize artifact
 * reads, named after the shallowest profile reading it; one HelmRepository per URL, named after the
 * first chart using it.
 */
function collectSources(
  subscription: string,
  leaves: readonly Leaf[],
  leafNames: ReadonlyMap<string, string>,
): {
  git: Map<Visit, PlannedGitRepository>;
  helm: Map<string, { name: string; url: string }>;
} {
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

function joinPath(parent: string, name: string): string {
  return parent === "" ? name : `${parent}/${name}`;
}

/** A directory of the profile as Flux wants it: relative to the repository root, `./`-prefixed. */
function repoPath(profileDir: string, relative: string): string {
  const joined = posix.normalize(posix.join(profileDir === "" ? "." : profileDir, relative));
  const trimmed = joined.replace(/\/+$/, "");
  return trimmed === "." || trimmed === "" ? "./" : `./${trimmed}`;
}

/** The ref a commit came from, so Flux fetches it by name: branch, tag, or (for a commit) none. */
function gitRef(source: ResolvedSource, kind: GitRefKind): { branch?: string; tag?: string } {
  if (kind === "commit" || source.ref === source.commit) return {};
  return kind === "branch" ? { branch: source.ref } : { tag: source.ref };
}

/** Whether two repository URLs share scheme, host and port, as the fetcher decides on credentials. */
function sameOrigin(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return false;
  }
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

/** Throws one error listing every problem; InvalidInputError when the subscription can fix one. */
function throwProblems(subscription: string, problems: readonly Problem[]): void {
  if (problems.length === 0) return;
  const messages = [...new Set(problems.map((problem) => problem.message))];
  const ErrorClass = problems.some((problem) => problem.blame === "subscription")
    ? InvalidInputError
    : InvalidProfileError;
  const count = messages.length === 1 ? "1 problem" : `${messages.length} problems`;
  throw new ErrorClass(
    `ProfileSubscription ${subscription}: ${count}:\n${messages.map((message) => `  - ${message}`).join("\n")}`,
    { data: { problems: messages } },
  );
}
