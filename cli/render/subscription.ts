/**
 * Renders a ProfileSubscription without a cluster, with the sync hook's own code: the source
 * fetcher resolves the profile tree, `expandSubscription` plans it and `buildChildren` writes the
 * Flux children. `full` goes on to what those children would put in the cluster.
 * @module
 */
import type { GitSourceRef } from "../../crds/common.js";
import { NotFoundError } from "../../crds/errors.js";
import type { CatalogRef, ProfileSubscription } from "../../crds/profile-subscription.js";
import type { SourceCredentials } from "../../hooks/sources/credentials.js";
import type { SourceFetcher, SourceRequest } from "../../hooks/sources/fetcher.js";
import type { SourcePolicy } from "../../hooks/sources/policy.js";
import type { ProfileTreeNode } from "../../hooks/sources/tree.js";
import { buildChildren, type ChildObject } from "../../synth/children.js";
import { expandSubscription } from "../../synth/expand.js";
import type { ExpansionPlan } from "../../synth/plan.js";
import { type RenderedRelease, renderReleases, repositoryKey } from "./full.js";
import { type ObjectStore, objectKey, supplyHint } from "./objects.js";
import type { KubeObject } from "./substitute.js";

/** Where a catalog entry's profile lives. */
export interface CatalogSource {
  readonly url: string;
  readonly tag?: string;
  readonly commit?: string;
  readonly path?: string;
}

/** Options of {@link renderSubscription}. */
export interface RenderSubscriptionOptions {
  /** Resolves the profile tree: the CLI's source fetcher, or a local reader. */
  readonly sources: Pick<SourceFetcher, "resolveTree">;
  /** Finds the source of a `spec.catalog` entry. [default: catalog subscriptions are refused] */
  readonly resolveCatalog?: (ref: CatalogRef, namespace: string) => Promise<CatalogSource>;
  /** Credentials for the root repository. [default: none] */
  readonly credentials?: SourceCredentials;
  /** Go on to the objects each HelmRelease and Kustomization would apply. [default: false] */
  readonly full?: boolean;
  /** ConfigMaps and Secrets a cluster would hold, for `parametersFrom`, `valuesFrom`, `substituteFrom`. */
  readonly objects?: ObjectStore;
  /** `helm template --kube-version`. [default: helm's own] */
  readonly kubeVersion?: string;
  /** Releases rendered at once. [default: the number of CPUs, at least 4] */
  readonly concurrency?: number;
  /** Where the dependencies of charts from git may be fetched. [default: the environment's policy] */
  readonly policy?: SourcePolicy;
}

/** What a subscription renders to. */
export interface RenderedSubscription {
  readonly subscription: string;
  readonly namespace: string;
  readonly tree: ProfileTreeNode;
  readonly plan: ExpansionPlan;
  /** The Flux children, in the subscription's namespace. */
  readonly children: ChildObject[];
  /** With `full`: what each release applies, in dependency order. */
  readonly releases: RenderedRelease[];
}

/**
 * Renders one subscription. `pctl render`, `pctl diff` and `pctl upgrade --create-pr` call this.
 *
 * @throws NotFoundError naming the ConfigMaps and Secrets the render needs and was not given, and
 *   whatever resolving, expanding and rendering throw
 * @example
 * const rendered = await renderSubscription(subscription, { sources: fetcher, full: true });
 * const text = diffRendered(renderedObjects(before), renderedObjects(rendered)).text;
 */
export async function renderSubscription(
  subscription: ProfileSubscription,
  options: RenderSubscriptionOptions,
): Promise<RenderedSubscription> {
  const namespace = subscription.metadata.namespace ?? "default";
  const { spec } = subscription;
  let request: SourceRequest;
  if (spec.source !== undefined) {
    request = {
      url: spec.source.url,
      ref: refOf(spec.source),
      path: spec.source.path,
      credentials: options.credentials,
    };
  } else if (spec.catalog !== undefined && options.resolveCatalog !== undefined) {
    const entry = await options.resolveCatalog(spec.catalog, spec.catalog.namespace ?? namespace);
    const ref = entry.tag !== undefined ? { tag: entry.tag } : { commit: entry.commit };
    request = { url: entry.url, ref, path: entry.path, credentials: options.credentials };
  } else {
    throw new NotFoundError(
      `ProfileSubscription ${subscription.metadata.name} names a catalog and no catalog was given`,
      {
        data: { hint: "pass --catalog FILE|DIR or --catalog-url URL" },
      },
    );
  }
  const tree = await options.sources.resolveTree(request);
  const plan = expand(subscription, tree, options.objects ?? new Map());
  const children = buildChildren(plan).children;
  const releases = options.full
    ? await renderReleases(children, {
        namespace,
        repositories: repositoryFiles(tree),
        profileDirectories: profileDirectories(tree),
        order: dependencyOrder(plan),
        ...(options.objects !== undefined && { objects: options.objects }),
        ...(options.kubeVersion !== undefined && { kubeVersion: options.kubeVersion }),
        ...(options.concurrency !== undefined && { concurrency: options.concurrency }),
        ...(options.policy !== undefined && { policy: options.policy }),
      })
    : [];
  return { subscription: subscription.metadata.name, namespace, tree, plan, children, releases };
}

function refOf(source: GitSourceRef): SourceRequest["ref"] {
  const { branch, tag, semver, commit } = source;
  return { branch, tag, semver, commit };
}

function expand(
  subscription: ProfileSubscription,
  tree: ProfileTreeNode,
  objects: ObjectStore,
): ExpansionPlan {
  const configMaps: Record<string, Record<string, string>> = {};
  const secrets: Record<string, string[]> = {};
  for (const from of subscription.spec.parametersFrom ?? []) {
    const data = objects.get(objectKey(from.kind, from.name));
    if (data === undefined) continue;
    if (from.kind === "ConfigMap") configMaps[from.name] = { ...data };
    else secrets[from.name] = Object.keys(data);
  }
  try {
    return expandSubscription({ subscription, tree, parameterSources: { configMaps, secrets } });
  } catch (error) {
    if (!(error instanceof NotFoundError) || !Array.isArray(error.data.missing)) throw error;
    const missing = (error.data.missing as { kind: "ConfigMap" | "Secret"; name: string }[]).map((m) =>
      objectKey(m.kind, m.name),
    );
    throw new NotFoundError(error.message, { data: { missing, hint: supplyHint(missing) }, cause: error });
  }
}

/** The files of every repository of the tree, keyed by repository and commit, paths from its root. */
export function repositoryFiles(tree: ProfileTreeNode): Map<string, Map<string, Uint8Array>> {
  const repositories = new Map<string, Map<string, Uint8Array>>();
  const visit = (node: ProfileTreeNode) => {
    const key = repositoryKey(node.source.url, node.source.commit);
    const files = repositories.get(key) ?? new Map<string, Uint8Array>();
    repositories.set(key, files);
    const prefix = node.source.path === "" ? "" : `${node.source.path}/`;
    for (const [path, content] of node.files) files.set(`${prefix}${path}`, content);
    for (const child of node.children.values()) visit(child);
  };
  visit(tree);
  return repositories;
}

/** The profile directories of every repository of the tree, keyed like {@link repositoryFiles}. */
export function profileDirectories(tree: ProfileTreeNode): Map<string, string[]> {
  const directories = new Map<string, string[]>();
  const visit = (node: ProfileTreeNode) => {
    const key = repositoryKey(node.source.url, node.source.commit);
    directories.set(key, [...(directories.get(key) ?? []), node.source.path]);
    for (const child of node.children.values()) visit(child);
  };
  visit(tree);
  return directories;
}

/** Child names of the plan's releases, every dependency before what depends on it. */
export function dependencyOrder(plan: ExpansionPlan): string[] {
  const byPath = new Map(plan.artifacts.map((artifact) => [artifact.path, artifact]));
  const order: string[] = [];
  const done = new Set<string>();
  const visit = (path: string) => {
    if (done.has(path)) return;
    done.add(path);
    const artifact = byPath.get(path);
    if (artifact === undefined) return;
    for (const dependency of artifact.dependsOn) visit(dependency);
    order.push(artifact.name);
  };
  for (const artifact of plan.artifacts) visit(artifact.path);
  return order;
}

/**
 * Every object of a render as a list: the children with their namespace, then what each release
 * applies. This is what `pctl render` prints and `pctl diff` compares.
 */
export function renderedObjects(rendered: RenderedSubscription): KubeObject[] {
  const children = rendered.children.map((child) => ({
    ...child,
    metadata: { ...child.metadata, namespace: rendered.namespace },
  })) as KubeObject[];
  return [...children, ...rendered.releases.flatMap((release) => release.objects)];
}
