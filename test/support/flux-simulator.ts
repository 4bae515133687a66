/**
 * Plays Flux's controllers against the harness's {@link ClusterStore}: writes the status each Flux
 * object would get (shared/reference/flux.md §3–4), so subscription status can be tested end to end.
 *
 * - Ready=True with the kind's success reason, `status.observedGeneration = metadata.generation`,
 *   and each condition stamped with the generation (kstatus: Current).
 * - {@link FluxSimulator.fail}: Ready=False with a reason and message; `status.observedGeneration`
 *   keeps its old value, as the controllers do on errors.
 * - {@link FluxSimulator.keepProgressing}: Ready=Unknown and Reconciling=True, reason Progressing.
 * - `dependsOn` (HelmRelease → HelmReleases, Kustomization → Kustomizations): while a dependency is
 *   not Ready for its current generation, Ready=False reason DependencyNotReady. A missing or unready
 *   source gives Ready=False SourceNotReady (HelmRelease) or ArtifactFailed (Kustomization).
 * - `spec.suspend: true`: not reconciled at all; its status stays as it was.
 * - An OCI HelmRepository (`spec.type: oci`) has no conditions, as in Flux.
 * Statuses only change when something changed, so a parent syncing on them settles.
 * @module
 */
import { deepEqual } from "./metacontroller/json.js";
import {
  type ClusterStore,
  describe,
  type ObjectRef,
  refOf,
  type StoredObject,
} from "./metacontroller/store.js";

/** A `metav1.Condition`. */
export interface Condition {
  readonly type: string;
  readonly status: "True" | "False" | "Unknown";
  readonly reason: string;
  readonly message: string;
  readonly observedGeneration: number;
  readonly lastTransitionTime: string;
}

const SOURCES = new Set(["GitRepository", "HelmRepository", "OCIRepository", "Bucket", "HelmChart"]);
const FLUX_GROUPS = ["source.toolkit.fluxcd.io/", "helm.toolkit.fluxcd.io/", "kustomize.toolkit.fluxcd.io/"];

const FAILURE_REASON: Record<string, string> = {
  GitRepository: "GitOperationFailed",
  HelmRepository: "IndexationFailed",
  OCIRepository: "OCIArtifactPullFailed",
  Bucket: "BucketOperationFailed",
  HelmChart: "ChartPullFailed",
  HelmRelease: "InstallFailed",
  Kustomization: "ReconciliationFailed",
};

interface SourceRef {
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
}

interface FluxSpec {
  readonly dependsOn?: readonly { name: string; namespace?: string }[];
  readonly chartRef?: SourceRef;
  readonly chart?: { readonly spec?: { readonly sourceRef?: SourceRef } };
  readonly sourceRef?: SourceRef;
}

interface Verdict {
  readonly ready: "True" | "False" | "Unknown";
  readonly reason: string;
  readonly message: string;
}

/** Which Flux objects the simulator makes fail or keeps progressing, and a reconcile pass over all of them. */
export class FluxSimulator {
  readonly #store: ClusterStore;
  readonly #failing = new Map<string, { message: string; reason: string }>();
  readonly #progressing = new Set<string>();

  constructor(store: ClusterStore) {
    this.#store = store;
  }

  /** Makes `object` report Ready=False with `message` and `reason` [the kind's usual failure reason]. */
  fail(object: ObjectRef, message: string, reason?: string): this {
    this.#failing.set(key(object), { message, reason: reason ?? FAILURE_REASON[object.kind] ?? "Failed" });
    this.#progressing.delete(key(object));
    return this;
  }

  /** Makes `object` stay Ready=Unknown, Reconciling=True. */
  keepProgressing(object: ObjectRef): this {
    this.#progressing.add(key(object));
    this.#failing.delete(key(object));
    return this;
  }

  /** Lets `object` become ready again. */
  heal(object: ObjectRef): this {
    this.#failing.delete(key(object));
    this.#progressing.delete(key(object));
    return this;
  }

  /**
   * Reconciles every Flux object until no status changes (dependencies first becoming ready can
   * unblock others). Returns the objects whose status was written.
   */
  reconcile(): string[] {
    const written: string[] = [];
    for (let pass = 0; pass < 100; pass += 1) {
      let changed = false;
      for (const object of this.#fluxObjects()) {
        if ((object.spec as { suspend?: boolean } | undefined)?.suspend === true) continue;
        const status = this.#statusFor(object);
        if (deepEqual(object.status, status)) continue;
        this.#store.updateStatus(refOf(object), status);
        written.push(describe(object));
        changed = true;
      }
      if (!changed) return written;
    }
    throw new Error("FluxSimulator: statuses never settled");
  }

  #fluxObjects(): StoredObject[] {
    return this.#store.all().filter((o) => FLUX_GROUPS.some((group) => o.apiVersion.startsWith(group)));
  }

  #statusFor(object: StoredObject): Record<string, unknown> {
    const previous = (object.status ?? {}) as Record<string, unknown>;
    const generation = object.metadata.generation;
    const spec = (object.spec ?? {}) as Record<string, unknown>;
    if (object.kind === "HelmRepository" && spec.type === "oci")
      return { ...previous, observedGeneration: generation };
    const verdict = this.#verdict(object);
    const conditions = [condition(previous, "Ready", verdict, generation, this.#store.clock.timestamp())];
    if (verdict.ready === "Unknown") {
      conditions.push(
        condition(
          previous,
          "Reconciling",
          { ready: "True", reason: "Progressing", message: verdict.message },
          generation,
          this.#store.clock.timestamp(),
        ),
      );
    }
    const status: Record<string, unknown> = { ...previous, conditions };
    if (verdict.ready === "True") {
      status.observedGeneration = generation;
      Object.assign(status, this.#readyFields(object, previous));
    } else {
      // CRD default, and the controllers leave it alone on errors and dependency waits.
      status.observedGeneration = previous.observedGeneration ?? -1;
    }
    return status;
  }

  #verdict(object: StoredObject): Verdict {
    const id = key(refOf(object));
    const failure = this.#failing.get(id);
    if (failure) return { ready: "False", reason: failure.reason, message: failure.message };
    if (this.#progressing.has(id))
      return { ready: "Unknown", reason: "Progressing", message: "reconciliation in progress" };
    const spec = (object.spec ?? {}) as FluxSpec;
    const namespace = object.metadata.namespace;
    for (const dep of spec.dependsOn ?? []) {
      const ref = {
        apiVersion: object.apiVersion,
        kind: object.kind,
        namespace: dep.namespace ?? namespace,
        name: dep.name,
      };
      if (!isReady(this.#store.get(ref))) {
        return {
          ready: "False",
          reason: "DependencyNotReady",
          message: `dependency '${ref.namespace}/${ref.name}' is not ready`,
        };
      }
    }
    if (object.kind === "HelmRelease") {
      const source = spec.chartRef ?? spec.chart?.spec?.sourceRef;
      if (source && !isReady(this.#sourceOf(source, object))) {
        return {
          ready: "False",
          reason: "SourceNotReady",
          message: `${source.kind} '${source.namespace ?? namespace}/${source.name}' is not ready`,
        };
      }
      // The release's first deployment is its install; any later generation is an upgrade.
      const history = (object.status as { history?: { generation: number }[] } | undefined)?.history ?? [];
      const installedAt = history.at(-1)?.generation ?? object.metadata.generation;
      const action = installedAt === object.metadata.generation ? "install" : "upgrade";
      return {
        ready: "True",
        reason: action === "install" ? "InstallSucceeded" : "UpgradeSucceeded",
        message: `Helm ${action} succeeded for release ${namespace}/${object.metadata.name}`,
      };
    }
    if (object.kind === "Kustomization") {
      const source = spec.sourceRef;
      if (source && !isReady(this.#sourceOf(source, object))) {
        return {
          ready: "False",
          reason: "ArtifactFailed",
          message: `Source artifact not found, retrying in 30s`,
        };
      }
      return {
        ready: "True",
        reason: "ReconciliationSucceeded",
        message: `Applied revision: ${revision(object)}`,
      };
    }
    if (SOURCES.has(object.kind)) {
      return {
        ready: "True",
        reason: "Succeeded",
        message: `stored artifact for revision '${revision(object)}'`,
      };
    }
    return { ready: "True", reason: "Succeeded", message: "reconciled" };
  }

  #sourceOf(
    source: { kind: string; name: string; namespace?: string },
    object: StoredObject,
  ): StoredObject | undefined {
    return this.#store.get({
      apiVersion: "source.toolkit.fluxcd.io/v1",
      kind: source.kind,
      namespace: source.namespace ?? object.metadata.namespace,
      name: source.name,
    });
  }

  #readyFields(object: StoredObject, previous: Record<string, unknown>): Record<string, unknown> {
    if (SOURCES.has(object.kind))
      return { artifact: { revision: revision(object), digest: `sha256:${object.metadata.uid}` } };
    if (object.kind === "Kustomization")
      return { lastAppliedRevision: revision(object), lastAttemptedRevision: revision(object) };
    if (object.kind === "HelmRelease") {
      const history = (previous.history as { generation: number }[] | undefined) ?? [];
      const generation = object.metadata.generation;
      return {
        history:
          history[0]?.generation === generation ? history : [{ generation, status: "deployed" }, ...history],
      };
    }
    return {};
  }
}

/**
 * Flux's dependency check: Ready=True and `status.observedGeneration == metadata.generation`.
 * Kept apart from synth/gate.ts's `isReady` on purpose: the simulator plays Flux's controllers, so it
 * states Flux's rule itself, and a mistake in pctl's copy of the rule fails the end-to-end tests
 * instead of being shared by the system and its stand-in.
 */
export function isReady(object: StoredObject | undefined): boolean {
  if (!object) return false;
  const status = (object.status ?? {}) as { observedGeneration?: number; conditions?: Condition[] };
  const ready = status.conditions?.find((c) => c.type === "Ready");
  return ready?.status === "True" && status.observedGeneration === object.metadata.generation;
}

function condition(
  previous: Record<string, unknown>,
  type: string,
  verdict: Verdict,
  generation: number,
  now: string,
): Condition {
  const old = (previous.conditions as Condition[] | undefined)?.find((c) => c.type === type);
  return {
    type,
    status: verdict.ready,
    reason: verdict.reason,
    message: verdict.message,
    observedGeneration: generation,
    // The transition time moves only when the status flips, so an unchanged verdict writes nothing.
    lastTransitionTime: old && old.status === verdict.ready ? old.lastTransitionTime : now,
  };
}

function revision(object: StoredObject): string {
  const ref = ((object.spec ?? {}) as { ref?: { branch?: string; tag?: string } }).ref;
  return `${ref?.tag ?? ref?.branch ?? "main"}@sha1:${object.metadata.uid}-${object.metadata.generation}`;
}

function key(ref: ObjectRef): string {
  return `${ref.kind}|${ref.namespace ?? ""}|${ref.name}`;
}
