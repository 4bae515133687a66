/**
 * A CompositeController run in-process against the in-memory {@link ClusterStore}, calling real hooks
 * over HTTP and applying their answers the way Metacontroller v4.17 documents it
 * (shared/reference/metacontroller.md §1–2): claim children, customize + related, sync or finalize,
 * then finalizer, label checks, ManageChildren (dynamic-apply) and the status write.
 *
 * Not modelled: rolling update strategies, ETag caching, server-side apply, DecoratorController.
 * Stricter than Metacontroller on purpose: a desired child of a kind not in `childResources`, or in
 * another namespace than a namespaced parent's, fails the sync, because Metacontroller would create
 * an object it can never observe again.
 * @module
 */
import * as z from "zod";
import {
  type CompositeController,
  type CompositeHookResponse,
  type CustomizeHookResponse,
  compositeControllerSchema,
  compositeHookResponseSchema,
  compositeHookResponseV2Schema,
  customizeHookResponseSchema,
  groupKey,
  type Hook,
  type HookVersion,
  type KubernetesObject,
  type ObjectMap,
  objectMapKey,
} from "../../../crds/metacontroller.js";
import { applyUpdate, withLastApplied } from "./apply.js";
import { callHook } from "./hook-client.js";
import { clone, deepEqual } from "./json.js";
import { ruleSelects } from "./related.js";
import type { ResourceInfo } from "./resources.js";
import { isEmptySelector, matchesSelector } from "./selector.js";
import {
  type ClusterStore,
  describe,
  type ObjectRef,
  refOf,
  type StoredObject,
  type StoreEvent,
} from "./store.js";

type HookName = "customize" | "sync" | "finalize";

/** One HTTP call to a hook, as sent and as answered. */
export interface HookCall {
  readonly hook: HookName;
  readonly parent: ObjectRef;
  readonly url: string;
  readonly request: unknown;
  readonly status?: number;
  readonly response?: unknown;
  readonly error?: string;
}

/** A failed sync, as Metacontroller would report it in a SyncError event. */
export interface SyncError {
  readonly parent: ObjectRef;
  readonly message: string;
}

/** What one {@link CompositeControllerHarness.sync} did. */
export interface SyncResult {
  readonly outcome: "synced" | "failed" | "skipped";
  readonly hook?: "sync" | "finalize";
  readonly error?: string;
}

/** Thrown by {@link CompositeControllerHarness.runUntilStable} when syncing never settles. */
export class HotLoopError extends Error {
  override readonly name = "HotLoopError";
  constructor(
    readonly rounds: number,
    /** Parents still queued. */
    readonly parents: readonly string[],
    /** Writes of the last round, e.g. "modified ConfigMap team-a/web (resourceVersion 12)". */
    readonly lastChanges: readonly string[],
  ) {
    super(
      `no stable state after ${rounds} rounds; still queued: ${parents.join(", ")}; last round wrote: ${lastChanges.join("; ")}`,
    );
  }
}

/** Options of {@link CompositeControllerHarness}. */
export interface HarnessOptions {
  /** The CompositeController object (for example the one synthesized into deploy/). */
  readonly controller: unknown;
  readonly store: ClusterStore;
  /** Origin that replaces the hook URLs' origin, e.g. "http://127.0.0.1:39123" [call the URLs as written]. */
  readonly endpoint?: string;
}

const CUSTOMIZE_TTL_MS = 20 * 60 * 1000;
const GC_FINALIZERS = new Set(["foregroundDeletion", "orphan"]);

class HookFailure extends Error {
  constructor(
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

/** Runs one CompositeController against a {@link ClusterStore}. Call {@link close} when done. */
export class CompositeControllerHarness {
  /** The controller with CRD defaults applied (hook versions, `status: {}`), as sent to hooks. */
  readonly controller: CompositeController;
  /** Every hook call, in order. */
  readonly calls: HookCall[] = [];
  /** Every failed sync, in order. */
  readonly errors: SyncError[] = [];
  readonly #store: ClusterStore;
  readonly #endpoint: string | undefined;
  readonly #parent: ResourceInfo;
  readonly #children: { info: ResourceInfo; method: string }[];
  readonly #queue = new Map<string, ObjectRef>();
  readonly #due = new Map<string, { ref: ObjectRef; atMs: number }>();
  readonly #failures = new Map<string, number>();
  readonly #customize = new Map<
    string,
    { generation: number; response: CustomizeHookResponse; expiresMs: number }
  >();
  readonly #unwatch: () => void;
  #nextPeriodicMs: number | undefined;
  #roundChanges: string[] = [];

  constructor({ controller, store, endpoint }: HarnessOptions) {
    this.controller = withDefaults(compositeControllerSchema.parse(controller));
    this.#store = store;
    this.#endpoint = endpoint;
    const spec = this.controller.spec;
    this.#parent = store.resources.byResource(spec.parentResource.apiVersion, spec.parentResource.resource);
    this.#children = (spec.childResources ?? []).map((rule) => {
      const method = rule.updateStrategy?.method ?? "OnDelete";
      if (method.startsWith("Rolling"))
        throw new Error(`updateStrategy ${method} is not modelled by the harness`);
      return { info: store.resources.byResource(rule.apiVersion, rule.resource), method };
    });
    if (!spec.hooks?.sync && !spec.hooks?.finalize) throw new Error("no hooks defined");
    const period = spec.resyncPeriodSeconds;
    if (period !== undefined) this.#nextPeriodicMs = store.clock.nowMs() + Math.max(1, period) * 1000;
    for (const parent of store.list(this.#parent.apiVersion, this.#parent.kind)) this.#enqueue(parent);
    this.#unwatch = store.watch((event) => this.#onEvent(event));
  }

  /** `metacontroller.io/compositecontroller-<name>`. */
  get finalizer(): string {
    return `metacontroller.io/compositecontroller-${this.controller.metadata.name}`;
  }

  /** Stops watching the store. */
  close(): void {
    this.#unwatch();
  }

  /** Seconds until the parent's pending `resyncAfterSeconds` or retry, or undefined. */
  pendingResync(parent: ObjectRef): number | undefined {
    const due = this.#due.get(keyOf(parent));
    return due && (due.atMs - this.#store.clock.nowMs()) / 1000;
  }

  /** Syncs queued parents until none is queued. @throws HotLoopError after `maxRounds` [20]. */
  async runUntilStable({ maxRounds = 20 }: { maxRounds?: number } = {}): Promise<{ rounds: number }> {
    let rounds = 0;
    while (this.#queue.size > 0) {
      if (rounds === maxRounds) {
        throw new HotLoopError(rounds, [...this.#queue.keys()].sort(), this.#roundChanges);
      }
      rounds += 1;
      this.#roundChanges = [];
      const batch = [...this.#queue.entries()].sort(([a], [b]) => a.localeCompare(b));
      for (const [, ref] of batch) await this.sync(ref);
    }
    return { rounds };
  }

  /** Moves the fake clock, queues parents whose resync or retry fell due, then runs until stable. */
  async advance(seconds: number, options?: { maxRounds?: number }): Promise<{ rounds: number }> {
    const clock = this.#store.clock;
    clock.advance(seconds);
    for (const [key, { ref, atMs }] of this.#due) {
      if (atMs <= clock.nowMs()) {
        this.#due.delete(key);
        this.#queue.set(key, ref);
      }
    }
    const period = this.controller.spec.resyncPeriodSeconds;
    if (this.#nextPeriodicMs !== undefined && period !== undefined && this.#nextPeriodicMs <= clock.nowMs()) {
      for (const parent of this.#store.list(this.#parent.apiVersion, this.#parent.kind))
        this.#enqueue(parent);
      while (this.#nextPeriodicMs <= clock.nowMs()) this.#nextPeriodicMs += Math.max(1, period) * 1000;
    }
    return this.runUntilStable(options);
  }

  /** One sync of one parent, exactly once, whether or not it is queued. */
  async sync(parentRef: ObjectRef): Promise<SyncResult> {
    const key = keyOf(parentRef);
    this.#queue.delete(key);
    let parent = this.#store.get(parentRef);
    if (!parent || (!this.#hasFinalizer(parent) && !this.#matchesParentSelector(parent)))
      return { outcome: "skipped" };
    let hookName: "sync" | "finalize" | undefined;
    try {
      parent = this.#syncFinalizer(parent);
      if (!this.#hasFinalizer(parent) && !this.#matchesParentSelector(parent)) return { outcome: "skipped" };
      const observed = this.#claimChildren(parent);
      const related = await this.#related(parent);
      const hooks = this.controller.spec.hooks ?? {};
      const finalizing =
        hooks.finalize !== undefined &&
        (!!parent.metadata.deletionTimestamp || !this.#matchesParentSelector(parent));
      hookName = finalizing ? "finalize" : "sync";
      const hook = hooks[hookName];
      if (!hook) throw new Error("sync hook not defined");
      const version = hook.version ?? "v1";
      const request = {
        controller: this.controller,
        parent,
        children: this.#objectMap(
          parent,
          version,
          observed,
          this.#children.map((c) => c.info),
        ),
        related: this.#relatedMap(parent, version, related),
        finalizing,
      };
      const response = await this.#call(hookName, hook, parent, request, syncResponseSchema(hook));
      if ((response.resyncAfterSeconds ?? 0) > 0) {
        this.#due.set(key, {
          ref: refOf(parent),
          atMs: this.#store.clock.nowMs() + (response.resyncAfterSeconds ?? 0) * 1000,
        });
      }
      if (response.finalized) parent = this.#removeFinalizer(parent);
      const desired = this.#desiredChildren(parent, response.children ?? []);
      const manageErrors =
        !parent.metadata.deletionTimestamp || this.#shouldFinalize(parent)
          ? this.#manageChildren(parent, observed, desired)
          : [];
      this.#writeStatus(parent, response.status ?? {});
      if (manageErrors.length > 0) throw new Error(`can't reconcile children: ${manageErrors.join("; ")}`);
      this.#failures.delete(key);
      return { outcome: "synced", hook: hookName };
    } catch (error) {
      const message = (error as Error).message;
      this.errors.push({ parent: refOf(parent), message });
      this.#retryLater(parent, error);
      return { outcome: "failed", ...(hookName ? { hook: hookName } : {}), error: message };
    }
  }

  // Informer event handlers: which parents a write queues (composite/controller.go, customize/manager.go).
  #onEvent({ type, object, old }: StoreEvent): void {
    this.#roundChanges.push(
      `${type} ${describe(object)} (resourceVersion ${object.metadata.resourceVersion})`,
    );
    if (object.apiVersion === this.#parent.apiVersion && object.kind === this.#parent.kind) {
      const ignoreStatus = this.controller.spec.parentResource.ignoreStatusChanges === true;
      if (
        ignoreStatus &&
        old &&
        type === "modified" &&
        old.metadata.generation === object.metadata.generation &&
        deepEqual(old.metadata.labels, object.metadata.labels) &&
        deepEqual(old.metadata.annotations, object.metadata.annotations) &&
        !object.metadata.deletionTimestamp
      ) {
        return;
      }
      this.#enqueue(object);
      return;
    }
    if (
      this.#children.some(({ info }) => info.apiVersion === object.apiVersion && info.kind === object.kind)
    ) {
      const owner = object.metadata.ownerReferences?.find((ref) => ref.controller);
      if (owner) {
        const parent = this.#store.get({ ...this.#parentRefIn(object), name: owner.name });
        if (parent && parent.metadata.uid === owner.uid && owner.kind === this.#parent.kind)
          this.#enqueue(parent);
      } else if (type !== "deleted" && !object.metadata.deletionTimestamp) {
        for (const parent of this.#store.list(
          this.#parent.apiVersion,
          this.#parent.kind,
          object.metadata.namespace,
        )) {
          const selector = this.#selectorOrUndefined(parent);
          if (selector && matchesSelector(selector, object.metadata.labels)) this.#enqueue(parent);
        }
      }
    }
    for (const parent of this.#store.list(this.#parent.apiVersion, this.#parent.kind)) {
      const cached = this.#customize.get(parent.metadata.uid);
      if (!cached) continue;
      const version = this.controller.spec.hooks?.customize?.version ?? "v1";
      const rules = cached.response.relatedResources ?? [];
      const touches = (o: StoredObject) =>
        rules.some((rule) => safeSelects(this.#store, parent, rule, o, version));
      if (touches(object) || (old && touches(old))) this.#enqueue(parent);
    }
  }

  #enqueue(parent: StoredObject): void {
    if (!this.#hasFinalizer(parent) && !this.#matchesParentSelector(parent)) return;
    this.#queue.set(keyOf(parent), refOf(parent));
  }

  #parentRefIn(child: KubernetesObject): Omit<ObjectRef, "name"> {
    return {
      apiVersion: this.#parent.apiVersion,
      kind: this.#parent.kind,
      namespace: this.#parent.namespaced ? child.metadata.namespace : undefined,
    };
  }

  #hasFinalizer(parent: StoredObject): boolean {
    return (parent.metadata.finalizers ?? []).includes(this.finalizer);
  }

  #matchesParentSelector(parent: StoredObject): boolean {
    const selector = this.controller.spec.parentResource.labelSelector;
    return !selector || matchesSelector(selector, parent.metadata.labels);
  }

  #shouldFinalize(parent: StoredObject): boolean {
    const finalizers = parent.metadata.finalizers ?? [];
    return (
      this.controller.spec.hooks?.finalize !== undefined &&
      finalizers.includes(this.finalizer) &&
      !finalizers.some((f) => GC_FINALIZERS.has(f))
    );
  }

  #syncFinalizer(parent: StoredObject): StoredObject {
    const wanted = this.controller.spec.hooks?.finalize !== undefined;
    if (this.#hasFinalizer(parent) === wanted) return parent;
    if (wanted) {
      if (parent.metadata.deletionTimestamp) return parent;
      const finalizers = [...(parent.metadata.finalizers ?? []), this.finalizer];
      return this.#store.update({ ...parent, metadata: { ...parent.metadata, finalizers } });
    }
    return this.#removeFinalizer(parent);
  }

  #removeFinalizer(parent: StoredObject): StoredObject {
    if (!this.#hasFinalizer(parent)) return parent;
    const finalizers = (parent.metadata.finalizers ?? []).filter((f) => f !== this.finalizer);
    const updated = this.#store.update({ ...parent, metadata: { ...parent.metadata, finalizers } });
    // Without finalizers a deleting parent is gone now; what is left of the sync works on the last copy.
    return updated;
  }

  #selector(parent: StoredObject) {
    if (this.controller.spec.generateSelector)
      return { matchLabels: { "controller-uid": parent.metadata.uid } };
    const selector = (parent.spec as { selector?: unknown } | undefined)?.selector as
      | { matchLabels?: Record<string, string> }
      | undefined;
    if (isEmptySelector(selector)) {
      throw new Error(".spec.selector must have either matchLabels, matchExpressions, or both");
    }
    return selector;
  }

  #selectorOrUndefined(parent: StoredObject) {
    try {
      return this.#selector(parent);
    } catch {
      return undefined;
    }
  }

  // ClaimChildren: keep owned children that match, adopt matching orphans, release owned ones that stopped matching.
  #claimChildren(parent: StoredObject): StoredObject[] {
    const selector = this.#selector(parent);
    const namespace = this.#parent.namespaced ? parent.metadata.namespace : undefined;
    const deleting = !!parent.metadata.deletionTimestamp;
    const claimed: StoredObject[] = [];
    for (const { info } of this.#children) {
      for (const child of this.#store.list(info.apiVersion, info.kind, namespace)) {
        const owners = child.metadata.ownerReferences ?? [];
        const controllerRef = owners.find((ref) => ref.controller);
        const matches = matchesSelector(selector, child.metadata.labels);
        if (controllerRef) {
          if (controllerRef.uid !== parent.metadata.uid) continue;
          if (matches || deleting) claimed.push(child);
          else {
            const ownerReferences = owners.filter((ref) => ref.uid !== parent.metadata.uid);
            this.#store.update({ ...child, metadata: { ...child.metadata, ownerReferences } });
          }
        } else if (matches && !deleting && !child.metadata.deletionTimestamp) {
          const ownerReferences = [...owners, controllerRefTo(parent)];
          claimed.push(this.#store.update({ ...child, metadata: { ...child.metadata, ownerReferences } }));
        }
      }
    }
    return claimed;
  }

  async #related(
    parent: StoredObject,
  ): Promise<Map<string, { info: ResourceInfo; objects: StoredObject[] }>> {
    const hook = this.controller.spec.hooks?.customize;
    const groups = new Map<string, { info: ResourceInfo; objects: StoredObject[] }>();
    if (!hook) return groups;
    const now = this.#store.clock.nowMs();
    let cached = this.#customize.get(parent.metadata.uid);
    if (!cached || cached.generation !== parent.metadata.generation || cached.expiresMs <= now) {
      const request = { controller: this.controller, parent };
      const response = await this.#call("customize", hook, parent, request, customizeResponseSchema(hook));
      cached = { generation: parent.metadata.generation, response, expiresMs: now + CUSTOMIZE_TTL_MS };
      this.#customize.set(parent.metadata.uid, cached);
    }
    const version = hook.version ?? "v1";
    for (const rule of cached.response.relatedResources ?? []) {
      const info = this.#store.resources.byResource(rule.apiVersion, rule.resource);
      const group = groups.get(groupKey(info.kind, info.apiVersion)) ?? { info, objects: [] };
      for (const object of this.#store.list(info.apiVersion, info.kind)) {
        const known = group.objects.some((o) => o.metadata.uid === object.metadata.uid);
        if (!known && ruleSelects(this.#store, parent, rule, object, version)) group.objects.push(object);
      }
      groups.set(groupKey(info.kind, info.apiVersion), group);
    }
    return groups;
  }

  #objectMap(
    parent: StoredObject,
    version: HookVersion,
    objects: StoredObject[],
    groups: ResourceInfo[],
  ): ObjectMap {
    const map: ObjectMap = {};
    for (const info of groups) map[groupKey(info.kind, info.apiVersion)] = {};
    const parentNamespace = this.#parent.namespaced ? parent.metadata.namespace : undefined;
    for (const object of objects) {
      // A v1 request for a namespaced parent drops objects of other namespaces and cluster-scoped ones.
      if (version === "v1" && parentNamespace && object.metadata.namespace !== parentNamespace) continue;
      const group = map[groupKey(object.kind, object.apiVersion)];
      if (group) group[objectMapKey(version, parentNamespace, object)] = object;
    }
    return map;
  }

  #relatedMap(
    parent: StoredObject,
    version: HookVersion,
    related: Map<string, { info: ResourceInfo; objects: StoredObject[] }>,
  ): ObjectMap {
    const groups = [...related.values()];
    return this.#objectMap(
      parent,
      version,
      groups.flatMap((g) => g.objects),
      groups.map((g) => g.info),
    );
  }

  async #call<S extends z.ZodType>(
    hook: HookName,
    spec: Hook,
    parent: StoredObject,
    request: unknown,
    schema: S,
  ): Promise<z.output<S>> {
    const sent = clone(request);
    const { url, reply } = await callHook(spec, sent, { store: this.#store, endpoint: this.#endpoint });
    const base = { hook, parent: refOf(parent), url, request: sent };
    if (!reply.ok) {
      this.calls.push({ ...base, ...(reply.status ? { status: reply.status } : {}), error: reply.error });
      throw new HookFailure(`${hook} hook failed: ${reply.error}`, reply.retryAfterSeconds);
    }
    const decoded = schema.safeParse(reply.body);
    if (!decoded.success) {
      const error = `can't decode response: ${z.prettifyError(decoded.error)}`;
      this.calls.push({ ...base, status: 200, response: reply.body, error });
      throw new HookFailure(`${hook} hook failed: ${error}`);
    }
    this.calls.push({ ...base, status: 200, response: reply.body });
    return decoded.data;
  }

  // syncParentObject step 7, plus the harness's own checks (see the module comment).
  #desiredChildren(
    parent: StoredObject,
    children: NonNullable<CompositeHookResponse["children"]>,
  ): StoredObject[] {
    const selector = this.#selector(parent);
    const parentNamespace = this.#parent.namespaced ? parent.metadata.namespace : undefined;
    return children.map((child) => {
      const object = clone(child) as StoredObject;
      const rule = this.#children.find(
        ({ info }) => info.apiVersion === object.apiVersion && info.kind === object.kind,
      );
      if (!rule) {
        throw new Error(
          `desired child ${describe(object)}: ${object.kind}.${object.apiVersion} is not in childResources, so Metacontroller could never observe it`,
        );
      }
      if (rule.info.namespaced && !object.metadata.namespace) {
        if (!parentNamespace)
          throw new Error(`desired child ${describe(object)} needs a namespace (cluster-scoped parent)`);
        object.metadata.namespace = parentNamespace;
      }
      if (parentNamespace && object.metadata.namespace !== parentNamespace) {
        throw new Error(
          `desired child ${describe(object)} is outside the parent's namespace ${parentNamespace}`,
        );
      }
      if (this.controller.spec.generateSelector && !object.metadata.labels?.["controller-uid"]) {
        object.metadata.labels = { ...(object.metadata.labels ?? {}), "controller-uid": parent.metadata.uid };
      }
      if (!matchesSelector(selector, object.metadata.labels)) {
        throw new Error(`labels on desired child ${describe(object)} don't match parent selector`);
      }
      return object;
    });
  }

  // ManageChildren: deletes first, then creates and updates per update strategy.
  #manageChildren(parent: StoredObject, observed: StoredObject[], desired: StoredObject[]): string[] {
    const errors: string[] = [];
    const id = (o: KubernetesObject) =>
      `${o.apiVersion}|${o.kind}|${o.metadata.namespace ?? ""}|${o.metadata.name}`;
    const wanted = new Map(desired.map((o) => [id(o), o]));
    const seen = new Map(observed.map((o) => [id(o), o]));
    const attempt = (action: () => void, ignore: string[]) => {
      try {
        action();
      } catch (error) {
        const reason = (error as { reason?: string }).reason ?? "";
        if (!ignore.includes(reason)) errors.push((error as Error).message);
      }
    };
    for (const [key, child] of seen) {
      if (child.metadata.deletionTimestamp || wanted.has(key)) continue;
      attempt(() => this.#store.delete(refOf(child), { uid: child.metadata.uid }), ["NotFound"]);
    }
    for (const [key, child] of wanted) {
      const current = seen.get(key);
      if (!current) {
        const created = withLastApplied(child);
        created.metadata.ownerReferences = [
          ...(created.metadata.ownerReferences ?? []),
          controllerRefTo(parent),
        ];
        attempt(() => this.#store.create(created), ["AlreadyExists"]);
        continue;
      }
      const merged = applyUpdate(current, child);
      if (deepEqual(merged, current) || current.metadata.deletionTimestamp) continue;
      const method = this.#children.find(
        ({ info }) => info.apiVersion === child.apiVersion && info.kind === child.kind,
      )?.method;
      if (method === "Recreate") {
        attempt(() => this.#store.delete(refOf(current), { uid: current.metadata.uid }), ["NotFound"]);
      } else if (method === "InPlace") {
        attempt(() => this.#store.update(merged), ["NotFound", "Conflict"]);
      }
    }
    return errors;
  }

  // updateParentStatus: replace .status with the hook's, plus observedGeneration; write only on change.
  #writeStatus(parent: StoredObject, status: Record<string, unknown>): void {
    const current = this.#store.get(refOf(parent));
    if (!current || current.metadata.uid !== parent.metadata.uid) return;
    const next = { ...clone(status), observedGeneration: parent.metadata.generation };
    if (!deepEqual(current.status, next)) this.#store.updateStatus(refOf(current), next);
  }

  // Failed syncs are retried with the workqueue's per-item exponential backoff (5ms doubling, at most
  // 1000s), or after Retry-After for a 429; the fake clock decides when.
  #retryLater(parent: StoredObject, error: unknown): void {
    const key = keyOf(parent);
    const failures = (this.#failures.get(key) ?? 0) + 1;
    this.#failures.set(key, failures);
    const retryAfter = error instanceof HookFailure ? error.retryAfterSeconds : undefined;
    const delayMs =
      retryAfter !== undefined ? retryAfter * 1000 : Math.min(5 * 2 ** (failures - 1), 1_000_000);
    const atMs = this.#store.clock.nowMs() + delayMs;
    const pending = this.#due.get(key);
    if (!pending || pending.atMs > atMs) this.#due.set(key, { ref: refOf(parent), atMs });
  }
}

function keyOf(ref: ObjectRef | KubernetesObject): string {
  const meta = "metadata" in ref ? ref.metadata : ref;
  return `${meta.namespace ?? ""}/${meta.name}`;
}

function controllerRefTo(parent: StoredObject) {
  return {
    apiVersion: parent.apiVersion,
    kind: parent.kind,
    name: parent.metadata.name,
    uid: parent.metadata.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

// The CRD defaults every hook's version to v1 and the API server serves an empty status.
function withDefaults(controller: CompositeController): CompositeController {
  const result = clone(controller);
  const hooks = result.spec.hooks ?? {};
  for (const name of ["customize", "sync", "finalize"] as const) {
    const hook = hooks[name];
    if (hook) hook.version ??= "v1";
  }
  result.status ??= {};
  return result;
}

// v2 hooks decode strictly by default; responseUnMarshallMode overrides either way.
function isStrict(hook: Hook): boolean {
  const mode = hook.webhook?.responseUnMarshallMode;
  return mode ? mode === "strict" : hook.version === "v2";
}

function syncResponseSchema(hook: Hook) {
  return isStrict(hook) ? compositeHookResponseV2Schema : compositeHookResponseSchema;
}

function customizeResponseSchema(hook: Hook) {
  return isStrict(hook) ? z.strictObject(customizeHookResponseSchema.shape) : customizeHookResponseSchema;
}

function safeSelects(...args: Parameters<typeof ruleSelects>): boolean {
  try {
    return ruleSelects(...args);
  } catch {
    return false;
  }
}
