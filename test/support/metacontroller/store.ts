/**
 * An in-memory stand-in for the Kubernetes API server, as far as Metacontroller and Flux see it:
 * objects by apiVersion/kind/namespace/name with uid, resourceVersion, generation, finalizers,
 * graceful deletion and owner-reference garbage collection.
 * @module
 */
import type { KubernetesObject, ObjectMeta } from "../../../crds/metacontroller.js";
import { FakeClock } from "./clock.js";
import { clone, deepEqual } from "./json.js";
import { ResourceRegistry } from "./resources.js";

/** An object as the store serves it: system metadata always present. */
export interface StoredObject extends KubernetesObject {
  metadata: ObjectMeta & {
    name: string;
    uid: string;
    resourceVersion: string;
    generation: number;
    creationTimestamp: string;
  };
  [key: string]: unknown;
}

/** Identifies one object; `namespace` is absent for cluster-scoped kinds. */
export interface ObjectRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string | undefined;
  readonly name: string;
}

/** A change, as an informer would deliver it. `old` is absent for additions. */
export interface StoreEvent {
  readonly type: "added" | "modified" | "deleted";
  readonly object: StoredObject;
  readonly old?: StoredObject;
}

/** An API error with the reason the API server would give. */
export class StoreError extends Error {
  override readonly name = "StoreError";
  constructor(
    readonly reason: "NotFound" | "AlreadyExists" | "Conflict" | "Invalid",
    message: string,
  ) {
    super(message);
  }
}

/** Options of {@link ClusterStore}. */
export interface ClusterStoreOptions {
  /** Source of timestamps [a new {@link FakeClock}]. */
  readonly clock?: FakeClock;
  /** Discovery [the default resources]. */
  readonly resources?: ResourceRegistry;
}

// Fields outside spec that the API server still counts as the object's desired state.
const NOT_DESIRED_STATE = new Set(["apiVersion", "kind", "metadata", "status"]);

/** The in-memory cluster. Every read returns a copy, so callers cannot change stored objects by accident. */
export class ClusterStore {
  readonly clock: FakeClock;
  readonly resources: ResourceRegistry;
  readonly #objects = new Map<string, StoredObject>();
  readonly #listeners = new Set<(event: StoreEvent) => void>();
  #revision = 0;
  #uids = 0;

  constructor({ clock = new FakeClock(), resources = new ResourceRegistry() }: ClusterStoreOptions = {}) {
    this.clock = clock;
    this.resources = resources;
  }

  /** The latest resourceVersion handed out; it grows with every write. */
  get revision(): number {
    return this.#revision;
  }

  /** Calls `listener` after every write; returns a function that stops it. */
  watch(listener: (event: StoreEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The object, or undefined. */
  get(ref: ObjectRef): StoredObject | undefined {
    const found = this.#objects.get(this.#key(ref));
    return found && clone(found);
  }

  /** The object, or a NotFound {@link StoreError}. */
  mustGet(ref: ObjectRef): StoredObject {
    const found = this.get(ref);
    if (!found) throw new StoreError("NotFound", `${describe(ref)} not found`);
    return found;
  }

  /** Objects of one kind, optionally in one namespace, sorted by namespace and name. */
  list(apiVersion: string, kind: string, namespace?: string): StoredObject[] {
    return [...this.#objects.values()]
      .filter(
        (o) =>
          o.apiVersion === apiVersion &&
          o.kind === kind &&
          (namespace === undefined || o.metadata.namespace === namespace),
      )
      .sort((a, b) => keyOf(a).localeCompare(keyOf(b)))
      .map(clone);
  }

  /** Every object, sorted; for assertions on the whole cluster. */
  all(): StoredObject[] {
    return [...this.#objects.values()].sort((a, b) => keyOf(a).localeCompare(keyOf(b))).map(clone);
  }

  /** Creates `object`; system metadata is assigned, `status` kept (tests seed it), Secret stringData encoded. */
  create(object: KubernetesObject): StoredObject {
    const ref = this.#refOf(object);
    const key = this.#key(ref);
    if (this.#objects.has(key)) throw new StoreError("AlreadyExists", `${describe(ref)} already exists`);
    const stored = clone(object) as StoredObject;
    stored.metadata = {
      ...stored.metadata,
      name: ref.name,
      uid: `uid-${++this.#uids}`,
      resourceVersion: String(++this.#revision),
      generation: 1,
      creationTimestamp: this.clock.timestamp(),
    };
    delete stored.metadata.deletionTimestamp;
    if (ref.namespace) stored.metadata.namespace = ref.namespace;
    encodeStringData(stored);
    this.#objects.set(key, stored);
    this.#emit({ type: "added", object: clone(stored) });
    return clone(stored);
  }

  /**
   * Replaces everything but `status` and system metadata. `metadata.resourceVersion`, when given, must
   * match (optimistic concurrency). `generation` grows only when the desired state (anything outside
   * metadata and status) changes. An object being deleted goes away once its last finalizer is removed.
   */
  update(object: KubernetesObject): StoredObject {
    const ref = this.#refOf(object);
    const current = this.#current(ref);
    const given = object.metadata.resourceVersion;
    if (given !== undefined && given !== current.metadata.resourceVersion) {
      throw new StoreError("Conflict", `${describe(ref)}: resourceVersion ${given} is stale`);
    }
    const next = clone(object) as StoredObject;
    encodeStringData(next);
    next.status = current.status;
    if (next.status === undefined) delete next.status;
    next.metadata = {
      ...next.metadata,
      name: current.metadata.name,
      uid: current.metadata.uid,
      resourceVersion: current.metadata.resourceVersion,
      generation: current.metadata.generation,
      creationTimestamp: current.metadata.creationTimestamp,
    };
    if (current.metadata.namespace) next.metadata.namespace = current.metadata.namespace;
    if (current.metadata.deletionTimestamp)
      next.metadata.deletionTimestamp = current.metadata.deletionTimestamp;
    else delete next.metadata.deletionTimestamp;
    if (deepEqual(next, current)) return clone(current);
    if (!deepEqual(desiredState(next), desiredState(current))) next.metadata.generation += 1;
    return this.#replace(current, next);
  }

  /** Replaces `status` only (the status subresource); generation never changes. */
  updateStatus(ref: ObjectRef, status: Record<string, unknown> | undefined): StoredObject {
    const current = this.#current(ref);
    const next = clone(current);
    if (status === undefined) delete next.status;
    else next.status = clone(status);
    if (deepEqual(next, current)) return clone(current);
    return this.#replace(current, next);
  }

  /**
   * Deletes an object. With finalizers it only gets a `deletionTimestamp` (and, as the API server does
   * when it marks an object for deletion, a generation bump). Without, it goes away and objects it owned
   * that have no other live owner are deleted in turn (background propagation).
   * @throws StoreError NotFound, or Conflict when the `uid` precondition does not match.
   */
  delete(ref: ObjectRef, { uid }: { uid?: string } = {}): void {
    const current = this.#current(ref);
    if (uid !== undefined && uid !== current.metadata.uid) {
      throw new StoreError("Conflict", `${describe(ref)}: precondition uid ${uid} does not match`);
    }
    if ((current.metadata.finalizers ?? []).length > 0) {
      if (current.metadata.deletionTimestamp) return;
      const next = clone(current);
      next.metadata.deletionTimestamp = this.clock.timestamp();
      next.metadata.generation += 1;
      this.#replace(current, next);
      return;
    }
    this.#remove(current);
  }

  #replace(current: StoredObject, next: StoredObject): StoredObject {
    next.metadata.resourceVersion = String(++this.#revision);
    this.#objects.set(this.#key(this.#refOf(next)), next);
    this.#emit({ type: "modified", object: clone(next), old: clone(current) });
    if (next.metadata.deletionTimestamp && (next.metadata.finalizers ?? []).length === 0) this.#remove(next);
    return clone(next);
  }

  #remove(object: StoredObject): void {
    this.#objects.delete(this.#key(this.#refOf(object)));
    this.#emit({ type: "deleted", object: clone(object) });
    this.#collectGarbage();
  }

  // The garbage collector deletes a dependent once none of its owners exist any more.
  #collectGarbage(): void {
    const live = new Set([...this.#objects.values()].map((o) => o.metadata.uid));
    for (const object of [...this.#objects.values()]) {
      const owners = object.metadata.ownerReferences ?? [];
      if (owners.length === 0 || owners.some((owner) => live.has(owner.uid))) continue;
      if (!this.#objects.has(this.#key(this.#refOf(object)))) continue;
      this.delete(this.#refOf(object));
    }
  }

  #current(ref: ObjectRef): StoredObject {
    const found = this.#objects.get(this.#key(ref));
    if (!found) throw new StoreError("NotFound", `${describe(ref)} not found`);
    return found;
  }

  #refOf(object: KubernetesObject | ObjectRef): ObjectRef {
    const meta = "metadata" in object ? object.metadata : object;
    const name = meta.name;
    if (!name) throw new StoreError("Invalid", `${object.kind}: metadata.name is required`);
    const { namespaced } = this.resources.byKind(object.apiVersion, object.kind);
    if (namespaced && !meta.namespace) {
      throw new StoreError("Invalid", `${object.kind} ${name}: metadata.namespace is required`);
    }
    return {
      apiVersion: object.apiVersion,
      kind: object.kind,
      namespace: namespaced ? meta.namespace : undefined,
      name,
    };
  }

  #key(ref: ObjectRef): string {
    const { apiVersion, kind, namespace, name } = this.#refOf(ref);
    return `${apiVersion}|${kind}|${namespace ?? ""}|${name}`;
  }

  #emit(event: StoreEvent): void {
    for (const listener of this.#listeners) listener(event);
  }
}

/** `Kind namespace/name`, for messages. */
export function describe(ref: ObjectRef | KubernetesObject): string {
  const meta = "metadata" in ref ? ref.metadata : ref;
  return `${ref.kind} ${meta.namespace ? `${meta.namespace}/` : ""}${meta.name}`;
}

/** The reference of a stored object. */
export function refOf(object: KubernetesObject): ObjectRef {
  return {
    apiVersion: object.apiVersion,
    kind: object.kind,
    namespace: object.metadata.namespace,
    name: object.metadata.name ?? "",
  };
}

function keyOf(object: StoredObject): string {
  return `${object.apiVersion}|${object.kind}|${object.metadata.namespace ?? ""}|${object.metadata.name}`;
}

function desiredState(object: StoredObject): Record<string, unknown> {
  return Object.fromEntries(Object.entries(object).filter(([key]) => !NOT_DESIRED_STATE.has(key)));
}

// The API server stores Secret stringData base64-encoded under data.
function encodeStringData(object: StoredObject): void {
  if (object.apiVersion !== "v1" || object.kind !== "Secret" || !object.stringData) return;
  const data = { ...((object.data as Record<string, string> | undefined) ?? {}) };
  for (const [key, value] of Object.entries(object.stringData as Record<string, string>)) {
    data[key] = Buffer.from(value, "utf8").toString("base64");
  }
  object.data = data;
  delete object.stringData;
}
