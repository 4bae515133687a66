/**
 * The Metacontroller harness: an in-memory cluster plus a CompositeController that calls real hooks.
 * @example
 * const store = new ClusterStore({ resources: new ResourceRegistry([myParent]) });
 * const harness = new CompositeControllerHarness({ controller, store, endpoint: "http://127.0.0.1:8080" });
 * store.create(parent); await harness.runUntilStable();
 * @module
 */
export { applyUpdate, LAST_APPLIED, withLastApplied } from "./apply.js";
export { FakeClock } from "./clock.js";
export {
  CompositeControllerHarness,
  type HarnessOptions,
  type HookCall,
  HotLoopError,
  type SyncError,
  type SyncResult,
} from "./harness.js";
export { DEFAULT_RESOURCES, type ResourceInfo, ResourceRegistry } from "./resources.js";
export { matchesSelector } from "./selector.js";
export {
  ClusterStore,
  describe,
  type ObjectRef,
  refOf,
  type StoredObject,
  StoreError,
  type StoreEvent,
} from "./store.js";
