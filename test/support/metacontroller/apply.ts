/**
 * Metacontroller's default "dynamic-apply": a client-side three-way merge in the style of
 * `kubectl apply` (observed, last applied, desired), as documented for `pkg/dynamic/apply`.
 * @module
 */
import type { KubernetesObject } from "../../../crds/metacontroller.js";
import { clone } from "./json.js";

/** Where Metacontroller keeps what it last applied to a child. */
export const LAST_APPLIED = "metacontroller.k8s.io/last-applied-configuration";

// Lists whose items all share one of these keys merge item by item; the first common key wins.
const MERGE_KEYS = ["containerPort", "port", "mountPath", "name", "uid", "ip", "path"];
const SYSTEM_METADATA = [
  "selfLink",
  "uid",
  "resourceVersion",
  "generation",
  "creationTimestamp",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
];

type Json = unknown;
type JsonObject = Record<string, Json>;

const isObject = (v: Json): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);

/** The object as it will be stored when Metacontroller creates `desired`: last-applied annotation set. */
export function withLastApplied<T extends KubernetesObject>(desired: T): T {
  const object = clone(desired);
  const lastApplied = clone(desired) as JsonObject;
  const meta = lastApplied.metadata as JsonObject;
  const annotations = { ...((meta.annotations as Record<string, string> | undefined) ?? {}) };
  delete annotations[LAST_APPLIED];
  meta.annotations = annotations;
  if (Object.keys(annotations).length === 0) delete meta.annotations;
  object.metadata.annotations = {
    ...(object.metadata.annotations ?? {}),
    [LAST_APPLIED]: JSON.stringify(lastApplied),
  };
  return object;
}

/**
 * The updated object Metacontroller would write for `observed` when the hook now wants `desired`:
 * fields dropped since the last apply are removed, desired fields set, everything else kept;
 * system metadata and `status` always stay as observed. Compare the result with `observed` to
 * know whether anything changed.
 */
export function applyUpdate<T extends KubernetesObject>(observed: T, desired: KubernetesObject): T {
  const annotation = observed.metadata.annotations?.[LAST_APPLIED];
  const lastApplied = annotation ? (JSON.parse(annotation) as JsonObject) : undefined;
  const desiredClean = clone(desired) as JsonObject;
  const desiredMeta = desiredClean.metadata as JsonObject;
  if (isObject(desiredMeta.annotations)) delete desiredMeta.annotations[LAST_APPLIED];
  const merged = mergeValue(clone(observed), lastApplied, desiredClean) as T;
  for (const field of SYSTEM_METADATA)
    revert(merged.metadata as JsonObject, observed.metadata as JsonObject, field);
  revert(merged as JsonObject, observed as JsonObject, "status");
  merged.metadata.annotations = {
    ...(merged.metadata.annotations ?? {}),
    [LAST_APPLIED]: JSON.stringify(desiredClean),
  };
  return merged;
}

function revert(target: JsonObject, original: JsonObject, field: string): void {
  if (Object.hasOwn(original, field)) target[field] = clone(original[field]);
  else delete target[field];
}

function mergeValue(destination: Json, lastApplied: Json, desired: Json): Json {
  if (isObject(destination)) {
    return mergeObject(
      destination,
      isObject(lastApplied) ? lastApplied : {},
      isObject(desired) ? desired : {},
    );
  }
  if (Array.isArray(destination)) {
    const last = Array.isArray(lastApplied) ? lastApplied : [];
    const want = Array.isArray(desired) ? desired : [];
    const key = listMapKey(destination, last, want);
    return key ? mergeListMap(key, destination, last, want) : desired;
  }
  return desired;
}

function mergeObject(destination: JsonObject, lastApplied: JsonObject, desired: JsonObject): JsonObject {
  for (const key of Object.keys(lastApplied)) {
    if (!Object.hasOwn(desired, key)) delete destination[key];
  }
  for (const [key, value] of Object.entries(desired)) {
    destination[key] = mergeValue(destination[key], lastApplied[key], value);
  }
  return destination;
}

function listMapKey(...lists: Json[][]): string | undefined {
  let common: Set<string> | undefined;
  for (const item of lists.flat()) {
    if (!isObject(item)) return undefined;
    const keys = Object.keys(item);
    common = common ? new Set([...common].filter((k) => keys.includes(k))) : new Set(keys);
  }
  return MERGE_KEYS.find((key) => common?.has(key));
}

function mergeListMap(key: string, destination: Json[], lastApplied: Json[], desired: Json[]): Json[] {
  const byKey = (list: Json[]) =>
    Object.fromEntries(list.map((item) => [String((item as JsonObject)[key]), item]));
  const merged = mergeObject(byKey(destination), byKey(lastApplied), byKey(desired));
  // Keep the observed order, then append what is new, in desired order.
  const order = [...destination, ...desired].map((item) => String((item as JsonObject)[key]));
  return [...new Set(order)].filter((k) => Object.hasOwn(merged, k)).map((k) => merged[k]);
}
