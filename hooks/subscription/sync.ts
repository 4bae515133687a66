/**
 * The subscription's sync hook: a pure function of Metacontroller's request and three injected
 * dependencies (the source fetcher, the clock, the logger), run as an ordered list of steps that
 * share one signature, as Flux's reconcilers do:
 *
 *   resolveSource → resolveTree → expand → gate → build, then summarizeStatus (always)
 *
 * Each step fills in the state or stops the sync with a {@link SyncFailure}; it owns the reasons it
 * can stop with. `Ready` and the other conditions are computed once, at the end, in `status.ts`.
 *
 * A stopped sync returns the observed children exactly as they are: an unreachable source, a
 * refused credential or a broken profile on the branch never uninstalls anything. A bug (anything
 * that is not one of our errors) escapes as an exception, so the route answers non-200 and
 * Metacontroller keeps the last good state.
 * @module
 */
import { parseProfileTag, parseWithSchema, profileTag } from "../../crds/common.js";
import {
  AuthenticationFailed,
  CatalogNotFound,
  catalogNotFoundMessage,
  InvalidProfile,
  InvalidSpec,
  VersionNotFound,
} from "../../crds/conditions.js";
import type { CompositeHookRequest, DesiredObject, KubernetesObject } from "../../crds/metacontroller.js";
import {
  type ProfileSubscriptionSpec,
  ProfileSubscriptionSpecSchema,
  type ProfileSubscriptionStatus,
  ProfileSubscriptionStatusSchema,
} from "../../crds/profile-subscription.js";
import { ARTIFACT_PATH_ANNOTATION, buildChildren } from "../../synth/children.js";
import { expandSubscription } from "../../synth/expand.js";
import { type GateResult, gateChildren } from "../../synth/gate.js";
import { type ExpansionPlan, releaseKey, releaseKind } from "../../synth/plan.js";
import { availableUpdates, resolveCatalogEntry } from "../catalog/resolve.js";
import type { Logger } from "../log.js";
import type { SyncAnswer } from "../routes/metacontroller.js";
import { stalled } from "../source-failures.js";
import { credentialsFromSecretData, type SourceCredentials } from "../sources/credentials.js";
import type { ResolvedSource, SourceFetcher, SourceRef } from "../sources/fetcher.js";
import type { ProfileTreeNode } from "../sources/tree.js";
import { failureOf } from "./failures.js";
import { asObserved, childHealth, desiredFromObserved, observedChildren, RELEASE_KINDS } from "./observed.js";
import { parameterSources, referenceRevisions, relatedCatalog, secretData } from "./related.js";
import { type ArtifactReport, type SyncFailure, summarizeStatus } from "./status.js";

/** What the sync hook needs besides the request. */
export interface SyncDeps {
  /** The source fetcher (its caches make repeated syncs cheap). */
  readonly sources: Pick<SourceFetcher, "resolve" | "resolveTree">;
  /** The clock, for condition transition times and retry delays. */
  readonly now: () => Date;
  readonly log: Logger;
}

/** What the steps share: the request, read once, and what each step has found so far. */
export interface SyncState {
  readonly request: CompositeHookRequest;
  readonly deps: SyncDeps;
  readonly name: string;
  readonly namespace: string;
  readonly spec: ProfileSubscriptionSpec;
  readonly observed: readonly KubernetesObject[];
  /** Set by resolveSource: the root profile, pinned to a commit, and how to read it. */
  source?: {
    readonly resolved: ResolvedSource;
    readonly credentials?: SourceCredentials;
    readonly secretName?: string;
  };
  /** Set by resolveSource for catalog subscriptions. */
  availableUpdates?: string[];
  /** Set by resolveTree. */
  tree?: ProfileTreeNode;
  /** Set by expand. */
  plan?: ExpansionPlan;
  /** Set by gate. */
  gate?: GateResult;
  /** Set by build: the desired children. */
  children?: DesiredObject[];
}

/** One step of the sync: fills in the state, or says why the sync stops. */
export type SyncStep = (state: SyncState) => Promise<SyncFailure | undefined>;

/**
 * The credentials in the Secret that `field`.secretRef names, read from the subscription's own
 * namespace only (never the catalog's), or the failure that stops the sync: AuthenticationFailed
 * naming the Secret when it is missing or holds no usable keys. No Secret named, no credentials.
 */
function sourceCredentials(
  state: SyncState,
  field: "spec.source" | "spec.catalog",
  secretName: string | undefined,
  url: string,
): { readonly credentials?: SourceCredentials } | { readonly failure: SyncFailure } {
  if (secretName === undefined) return {};
  const data = secretData(state.request, state.namespace, secretName);
  if (data === undefined) {
    return {
      failure: stalled(
        AuthenticationFailed,
        `Secret ${secretName} named by ${field}.secretRef is not in namespace ${state.namespace}; create it with username and password, or bearerToken`,
      ),
    };
  }
  try {
    return { credentials: credentialsFromSecretData(data, secretName) };
  } catch (error) {
    return {
      failure: failureOf(error, {
        url,
        secretName,
        notFound: AuthenticationFailed,
        invalid: AuthenticationFailed,
      }),
    };
  }
}

/**
 * Resolves the root repository through the fetcher, with the credentials of the Secret `field`
 * names, and records it with them for the later steps (and the GitRepository child's secretRef).
 * A refused credential reads as AuthenticationFailed naming the Secret, whichever field named it.
 */
async function resolveRoot(
  state: SyncState,
  field: "spec.source" | "spec.catalog",
  secretName: string | undefined,
  request: Omit<Parameters<SyncDeps["sources"]["resolve"]>[0], "credentials">,
  reported: (resolved: ResolvedSource) => ResolvedSource,
): Promise<SyncFailure | undefined> {
  const secret = sourceCredentials(state, field, secretName, request.url);
  if ("failure" in secret) return secret.failure;
  const { credentials } = secret;
  try {
    const resolved = await state.deps.sources.resolve({ ...request, credentials });
    state.source = {
      resolved: reported(resolved),
      ...(credentials !== undefined && { credentials }),
      ...(secretName !== undefined && { secretName }),
    };
  } catch (error) {
    return failureOf(error, { url: request.url, secretName, notFound: VersionNotFound });
  }
  return undefined;
}

/**
 * Resolves the profile's source to a commit: `spec.source` through the fetcher, with the Secret
 * named by `secretRef` as credentials; or `spec.catalog` through the related catalog's status (an
 * exact version or a semver range), which also yields `availableUpdates`, then through the fetcher
 * with the Secret named by `spec.catalog.secretRef`, in the subscription's namespace.
 * Stops with SourceUnavailable (transient), AuthenticationFailed, PolicyViolation, CatalogNotFound,
 * VersionNotFound or InvalidSpec.
 */
export const resolveSource: SyncStep = async (state) => {
  const { spec, namespace, request } = state;
  if (spec.catalog !== undefined) {
    const catalogNamespace = spec.catalog.namespace ?? namespace;
    const catalog = relatedCatalog(request, catalogNamespace, spec.catalog.catalog);
    if (catalog === undefined) {
      return stalled(CatalogNotFound, catalogNotFoundMessage(catalogNamespace, spec.catalog.catalog));
    }
    let entry: ReturnType<typeof resolveCatalogEntry>;
    try {
      entry = resolveCatalogEntry(catalog, spec.catalog);
    } catch (error) {
      return failureOf(error, {
        url: `catalog ${catalogNamespace}/${spec.catalog.catalog}`,
        notFound: VersionNotFound,
      });
    }
    const path = entry.path ?? "";
    const tag = entry.tag ?? (entry.commit === undefined ? profileTag(path, entry.version) : undefined);
    const ref: SourceRef = entry.commit !== undefined ? { commit: entry.commit } : { tag };
    const failure = await resolveRoot(
      state,
      "spec.catalog",
      spec.catalog.secretRef?.name,
      { url: entry.url, ref, path },
      // Report the tag the catalog names, not the bare commit a pinned entry resolves to.
      (resolved) => ({ ...resolved, ref: tag ?? resolved.ref, version: entry.version }),
    );
    if (failure !== undefined) return failure;
    state.availableUpdates = availableUpdates(catalog, spec.catalog.profile, entry.version);
    return undefined;
  }

  const source = spec.source!;
  const { branch, tag, semver, commit } = source;
  return resolveRoot(
    state,
    "spec.source",
    source.secretRef?.name,
    { url: source.url, ref: { branch, tag, semver, commit }, path: source.path },
    (resolved) => {
      const version = resolved.version ?? (tag === undefined ? undefined : parseProfileTag(tag)?.version);
      return { ...resolved, ...(version !== undefined && { version }) };
    },
  );
};

/**
 * Reads the root profile at the resolved commit and every profile it nests. Credentials travel only
 * inside the fetcher's request. Stops with InvalidProfile, Cycle, LimitExceeded, SourceUnavailable,
 * AuthenticationFailed or PolicyViolation.
 */
export const resolveTree: SyncStep = async (state) => {
  const { resolved, credentials, secretName } = state.source!;
  try {
    const tree = await state.deps.sources.resolveTree({
      url: resolved.url,
      ref: { commit: resolved.commit },
      path: resolved.path,
      credentials,
    });
    // The root was resolved already: keep the branch or tag it came from, for the GitRepository.
    state.tree = { ...tree, source: resolved };
  } catch (error) {
    return failureOf(error, { url: resolved.url, secretName, notFound: InvalidProfile });
  }
  return undefined;
};

/**
 * Expands the subscription and the tree into the plan of its children (synth), with the
 * `parametersFrom` objects from the related ones: ConfigMap data, and Secret key names only.
 * Stops with InvalidSpec, InvalidProfile or Cycle.
 */
export const expand: SyncStep = async (state) => {
  try {
    state.plan = expandSubscription({
      subscription: { metadata: { name: state.name, namespace: state.namespace }, spec: state.spec },
      tree: state.tree!,
      parameterSources: parameterSources(state.request, state.spec, state.namespace),
      ...(state.source?.secretName !== undefined && { sourceSecretName: state.source.secretName }),
    });
  } catch (error) {
    return failureOf(error, { url: state.source!.resolved.url, notFound: InvalidSpec });
  }
  return undefined;
};

/** Holds back artifacts whose dependencies of the other Flux kind are not Ready yet (synth). */
export const gate: SyncStep = async (state) => {
  state.gate = gateChildren(state.plan!, state.observed);
  return undefined;
};

/**
 * Renders the children of the artifacts the gate lets through, with the versions of the related
 * ConfigMaps and Secrets they may read by reference. Stops with InvalidSpec.
 */
export const build: SyncStep = async (state) => {
  try {
    const { children } = buildChildren(state.plan!, {
      artifacts: state.gate!.emit,
      referenceRevisions: referenceRevisions(state.request, state.namespace),
    });
    state.children = children as DesiredObject[];
  } catch (error) {
    return failureOf(error, { url: state.source!.resolved.url, notFound: InvalidSpec });
  }
  return undefined;
};

/** The steps, in order. */
export const SYNC_STEPS: readonly SyncStep[] = [resolveSource, resolveTree, expand, gate, build];

/**
 * Answers Metacontroller's sync request for a ProfileSubscription.
 * @example const answer = await syncSubscription(request, { sources, now: () => new Date(), log });
 */
export async function syncSubscription(request: CompositeHookRequest, deps: SyncDeps): Promise<SyncAnswer> {
  const parent = request.parent!;
  const name = parent.metadata.name ?? "";
  const namespace = parent.metadata.namespace ?? "default";
  const generation = parent.metadata.generation ?? 0;
  const raw = parent as { spec?: unknown; status?: unknown };
  const previousStatus = ProfileSubscriptionStatusSchema.safeParse(raw.status ?? {});
  const previous: ProfileSubscriptionStatus | undefined = previousStatus.success
    ? previousStatus.data
    : undefined;
  const observed = observedChildren(request);
  const log = deps.log.child({ subscription: `${namespace}/${name}`, generation });

  let failure: SyncFailure | undefined;
  let state: SyncState | undefined;
  let suspended = false;
  let interval = "10m";
  try {
    const spec = parseWithSchema(ProfileSubscriptionSpecSchema, raw.spec, "ProfileSubscription spec", {
      source: `${namespace}/${name}`,
    });
    interval = spec.interval;
    suspended = spec.suspend;
    state = { request, deps, name, namespace, spec, observed };
  } catch (error) {
    failure = failureOf(error, { url: "", notFound: InvalidSpec });
  }
  if (state !== undefined && !suspended) {
    for (const step of SYNC_STEPS) {
      failure = await step(state);
      if (failure !== undefined) break;
    }
  }

  // Catalog versions are still known when this sync could not look them up (failed, suspended).
  const updates =
    state !== undefined && state.spec.catalog === undefined
      ? undefined
      : (state?.availableUpdates ?? previous?.availableUpdates);
  // Suspended: change nothing and undo nothing, so a child may be paused or patched by hand for
  // maintenance. Failed: keep what pctl last applied, since nothing new could be built.
  const children = suspended
    ? observed.map(asObserved)
    : failure === undefined
      ? state!.children!
      : observed.map(desiredFromObserved);
  const { status, resyncAfterSeconds } = summarizeStatus({
    generation,
    previous,
    now: deps.now(),
    interval,
    artifacts: artifactReports(observed, failure === undefined ? state : undefined, previous),
    // A failed sync applied nothing, so the last good source is still what runs.
    ...(failure === undefined &&
      state?.source !== undefined && { resolved: reportedSource(state.source.resolved) }),
    ...(failure !== undefined && { failure }),
    suspended,
    ...(updates !== undefined && { availableUpdates: updates }),
  });
  if (failure !== undefined) log.warn({ reason: failure.reason }, failure.message);
  else log.info({ commit: state?.source?.resolved.commit, children: children.length }, "synced");
  return { status, children, ...(resyncAfterSeconds > 0 && { resyncAfterSeconds }) };
}

/**
 * One line per artifact: from the plan when the sync got that far (so an artifact not created yet,
 * or held back, is listed too), otherwise from the observed HelmReleases and Kustomizations.
 */
function artifactReports(
  observed: readonly KubernetesObject[],
  state: SyncState | undefined,
  previous: ProfileSubscriptionStatus | undefined,
): ArtifactReport[] {
  const byKey = new Map(observed.map((child) => [`${child.kind}/${child.metadata.name}`, child]));
  if (state?.plan !== undefined) {
    const waiting = new Map((state.gate?.waiting ?? []).map((w) => [w.path, w]));
    return state.plan.artifacts.map((artifact) => {
      const kind = releaseKind(artifact.kind);
      const child = byKey.get(releaseKey(artifact));
      const held = waiting.get(artifact.path);
      if (child !== undefined) return { name: artifact.path, kind, ...childHealth(child) };
      if (held !== undefined)
        return { name: artifact.path, kind, state: "waiting", message: held.waitingFor.join(", ") };
      return { name: artifact.path, kind, state: "missing", message: "" };
    });
  }
  // In the order the last successful sync listed them, so a failure does not reshuffle the status.
  const order = (previous?.artifacts ?? []).map((artifact) => artifact.name);
  const rank = (name: string) => (order.includes(name) ? order.indexOf(name) : order.length);
  return observed
    .filter((child) => RELEASE_KINDS.includes(child.kind))
    .map(
      (child): ArtifactReport => ({
        name: child.metadata.annotations?.[ARTIFACT_PATH_ANNOTATION] ?? child.metadata.name ?? "",
        kind: child.kind,
        ...childHealth(child),
      }),
    )
    .sort((a, b) => rank(a.name) - rank(b.name));
}

/** `status.resolved`: the repository root reads as `.` rather than an empty path. */
function reportedSource(resolved: ResolvedSource): NonNullable<ProfileSubscriptionStatus["resolved"]> {
  return {
    url: resolved.url,
    ref: resolved.ref,
    commit: resolved.commit,
    path: resolved.path === "" ? "." : resolved.path,
    ...(resolved.version !== undefined && { version: resolved.version }),
  };
}
