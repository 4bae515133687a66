/**
 * Expands a subscription and its resolved profile tree into an {@link ExpansionPlan}: every leaf
 * artifact, flattened across nesting levels, with its source, values, overrides and dependencies.
 * Pure: the profile tree and the parameter sources come in as plain data.
 * @module
 */

import { type GitRefKind, gitRefKind } from "../crds/common.js";
import { InvalidInputError, InvalidProfileError, NotFoundError } from "../crds/errors.js";
import type { ArtifactOverride, ProfileSubscription } from "../crds/profile-subscription.js";
import type { ResolvedSource } from "../hooks/sources/fetcher.js";
import type { ProfileTreeNode } from "../hooks/sources/tree.js";
import { assertNoCycle, leafDependencies } from "./dependencies.js";
import { collectSources, kindOf, type Leaf, planLeaf, type Visit } from "./leaves.js";
import { childNames } from "./names.js";
import { type ExpansionPlan, type PlannedArtifact, releaseKind } from "./plan.js";
import {
  deepMerge,
  type ParameterSources,
  type Problem,
  resolveNestedParameters,
  resolveRootParameters,
  substituteValues,
} from "./values.js";
import { chartValues, valuesFromCollisions } from "./values-from.js";

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

  const leafPaths = leaves.map((leaf) => leaf.path);
  const leafNames = childNames(name, leafPaths);
  const sources = collectSources(name, leaves, leafNames);
  const kinds = new Map(leaves.map((leaf) => [leaf.path, kindOf(leaf.artifact)]));
  const dependencies = leafDependencies(declaredDependencies, leafPaths);

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
    return planLeaf(leaf, kind, base, {
      override: overrides[leaf.path],
      sources,
      secretOrder,
      problems,
    });
  });

  for (const artifact of artifacts) {
    if (artifact.kind !== "kustomize")
      problems.push(...valuesFromCollisions(artifact, chartValues(artifact)));
  }
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

function joinPath(parent: string, name: string): string {
  return parent === "" ? name : `${parent}/${name}`;
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
