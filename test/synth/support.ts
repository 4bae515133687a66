/**
 * Shared pieces of the synth tests: in-memory profile trees (no git), subscriptions, rendering one
 * construct, and the one assertion every produced child goes through.
 * @module
 */

import { App, Chart } from "cdk8s";
import { ConfigMap } from "kubernetes-models/v1";
import { expect } from "vitest";
import { validateObjectMeta } from "../../crds/openapi/metadata.js";
import { formatIssues } from "../../crds/openapi/validate.js";
import { type Profile, profileFromDocument } from "../../crds/profile.js";
import { type ProfileSubscription, parseProfileSubscription } from "../../crds/profile-subscription.js";
import type { ResolvedSource } from "../../hooks/sources/fetcher.js";
import type { ProfileTreeNode } from "../../hooks/sources/tree.js";
import type { ChildObject } from "../../synth/children.js";
import { expandSubscription } from "../../synth/expand.js";
import type { ExpansionPlan } from "../../synth/plan.js";
import { expectValidFluxObject } from "../support/crd-validators.js";

/** Commits of the in-memory repositories. */
export const COMMIT_1 = "1111111111111111111111111111111111111111";
export const COMMIT_2 = "2222222222222222222222222222222222222222";
export const COMMIT_3 = "3333333333333333333333333333333333333333";

export const PROFILES_URL = "https://git.example.com/org/profiles";

/**
 * Asserts what every child must be: valid against the Flux CRDs (ConfigMaps against Kubernetes'
 * schema and ObjectMeta rules), with an explicit name, no namespace, and no null anywhere.
 */
export function expectValidChildren(children: readonly unknown[]): void {
  expect(children.length).toBeGreaterThan(0);
  for (const child of children) {
    const object = child as ChildObject & { metadata: { namespace?: string } };
    expect(
      object.metadata.namespace,
      `${object.kind} ${object.metadata.name} has a namespace`,
    ).toBeUndefined();
    expect(nullPaths(object), `${object.kind} ${object.metadata.name} holds null`).toEqual([]);
    if (object.kind === "ConfigMap") {
      expect(() => new ConfigMap(object as never).validate()).not.toThrow();
      const issues = validateObjectMeta(object.metadata, "metadata", { root: true, namespaced: true });
      expect(issues, formatIssues(issues)).toEqual([]);
    } else {
      expectValidFluxObject(object);
    }
  }
}

function nullPaths(value: unknown, path = ""): string[] {
  if (value === null || value === undefined) return [path];
  if (Array.isArray(value)) return value.flatMap((item, index) => nullPaths(item, `${path}[${index}]`));
  if (typeof value === "object") {
    return Object.entries(value).flatMap(([key, item]) => nullPaths(item, `${path}.${key}`));
  }
  return [];
}

/** Renders whatever `build` adds to a fresh chart, as `buildChildren` does. */
export function render(build: (chart: Chart) => void): ChildObject[] {
  const chart = new Chart(new App(), "test");
  build(chart);
  return chart.toJson() as ChildObject[];
}

/** The one child of a chart. */
export function renderOne(build: (chart: Chart) => void): ChildObject {
  const [child, ...rest] = render(build);
  expect(rest).toEqual([]);
  return child!;
}

/** A profile, checked by the real schema. */
export function profile(name: string, spec: Record<string, unknown>): Profile {
  return profileFromDocument({
    apiVersion: "profiles.pctl.dev/v1alpha1",
    kind: "Profile",
    metadata: { name },
    spec: { description: `the ${name} profile`, ...spec },
  });
}

/** A node of a resolved profile tree. */
export function node(
  profileValue: Profile,
  source: Partial<ResolvedSource> = {},
  children: Record<string, ProfileTreeNode> = {},
  files: Record<string, string> = {},
): ProfileTreeNode {
  const resolved: ResolvedSource = {
    url: PROFILES_URL,
    ref: `${profileValue.metadata.name}/v1.0.0`,
    commit: COMMIT_1,
    path: profileValue.metadata.name,
    ...source,
  };
  return {
    identity: `${resolved.url}//${resolved.path}@${resolved.ref}`,
    source: resolved,
    profile: profileValue,
    files: new Map(Object.entries(files).map(([file, text]) => [file, new TextEncoder().encode(text)])),
    children: new Map(Object.entries(children)),
  };
}

/** A subscription named `web` in `team-a`, checked by the real schema. */
export function subscription(spec: Record<string, unknown> = {}, name = "web"): ProfileSubscription {
  return parseProfileSubscription({
    apiVersion: "profiles.pctl.dev/v1alpha1",
    kind: "ProfileSubscription",
    metadata: { name, namespace: "team-a" },
    spec: { source: { url: PROFILES_URL, tag: "nginx/v1.0.0", path: "nginx" }, ...spec },
  });
}

/** The child of a kind and name. */
export function find(children: readonly ChildObject[], kind: string, name: string): ChildObject {
  const found = children.find((child) => child.kind === kind && child.metadata.name === name);
  if (found === undefined) {
    const list = children.map((child) => `${child.kind}/${child.metadata.name}`).join(", ");
    throw new Error(`no ${kind} ${name} among ${list}`);
  }
  return found;
}

/** `kind/name` of every child, in order. */
export function names(children: readonly ChildObject[]): string[] {
  return children.map((child) => `${child.kind}/${child.metadata.name}`);
}

/**
 * The plan of a profile ordered across Flux kinds: crds (Kustomization) <- operator (HelmRelease)
 * <- cluster (Kustomization), and dashboard (HelmRelease) depending on operator.
 */
export function crossKindPlan(): ExpansionPlan {
  return expandSubscription({
    subscription: subscription(),
    tree: node(
      profile("stack", {
        artifacts: [
          { name: "crds", kustomize: { path: "crds" } },
          { name: "operator", chart: { path: "charts/operator" }, dependsOn: [{ name: "crds" }] },
          { name: "cluster", kustomize: { path: "cluster" }, dependsOn: [{ name: "operator" }] },
          { name: "dashboard", chart: { path: "charts/dashboard" }, dependsOn: [{ name: "operator" }] },
        ],
      }),
    ),
  });
}
