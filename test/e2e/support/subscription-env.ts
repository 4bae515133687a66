/**
 * The end-to-end setting of the subscription scenarios: a real git server, the hook server served
 * over HTTP by `createApp`, the Metacontroller harness configured from the subscription
 * CompositeController in deploy/controllers.yaml, and the Flux simulator playing Flux's controllers.
 *
 * `settle()` alternates Metacontroller and Flux until neither writes anything, checking on the way
 * that every child a hook returned validates against the Flux CRDs and every subscription against
 * the generated pctl CRD (so no status field is pruned by the API server).
 * @module
 */
import { readFileSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createAdaptorServer } from "@hono/node-server";
import { parseAllDocuments } from "yaml";
import { API_VERSION } from "../../../crds/common.js";
import { loadCrds } from "../../../crds/openapi/crd.js";
import { createMetrics } from "../../../hooks/metrics.js";
import { createApp } from "../../../hooks/server.js";
import { createSourceFetcher, type SourceFetcher } from "../../../hooks/sources/fetcher.js";
import { createSourcePolicy } from "../../../hooks/sources/policy.js";
import { subscriptionHooks } from "../../../hooks/subscription/hooks.js";
import { capturingLogger, testConfig } from "../../hooks/support.js";
import { expectValid, expectValidFluxObject } from "../../support/crd-validators.js";
import { FluxSimulator } from "../../support/flux-simulator.js";
import { GitServer } from "../../support/git-server.js";
import {
  ClusterStore,
  CompositeControllerHarness,
  type ObjectRef,
  type StoredObject,
} from "../../support/metacontroller/index.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const pctlCrds = loadCrds(readFileSync(path.join(repoRoot, "deploy/crds.yaml"), "utf8"));

/** The namespace every scenario's subscription lives in. */
export const NAMESPACE = "team-a";

/** The subscription CompositeController exactly as deployed. */
export function subscriptionController(): unknown {
  const text = readFileSync(path.join(repoRoot, "deploy/controllers.yaml"), "utf8");
  const found = parseAllDocuments(text)
    .map((document) => document.toJS() as { kind?: string; metadata?: { name?: string } })
    .find(
      (document) =>
        document.kind === "CompositeController" &&
        document.metadata?.name === "profilesubscriptions.profiles.pctl.dev",
    );
  if (found === undefined) throw new Error("deploy/controllers.yaml has no subscription CompositeController");
  return found;
}

/** A running scenario setting; {@link startSubscriptionEnv} makes one, `close()` ends it. */
export interface SubscriptionEnv {
  readonly git: GitServer;
  readonly store: ClusterStore;
  readonly harness: CompositeControllerHarness;
  readonly flux: FluxSimulator;
  readonly sources: SourceFetcher;
  /** Every line the hook server logged, as written. */
  logText(): string;
  /** Syncs and lets Flux reconcile until nothing changes any more. */
  settle(): Promise<void>;
  /** Moves the clock by `seconds` (resyncs fall due), then settles. */
  advance(seconds: number): Promise<void>;
  /** Creates a ProfileSubscription named `name` in {@link NAMESPACE} with `spec`. */
  subscribe(name: string, spec: Record<string, unknown>): StoredObject;
  /** Replaces the spec of subscription `name`. */
  updateSpec(name: string, spec: Record<string, unknown>): StoredObject;
  /** The reference of subscription `name`. */
  subscriptionRef(name: string): ObjectRef;
  /** The subscription `name` as stored. */
  subscription(name: string): StoredObject & { status?: SubscriptionStatus };
  /** The children subscription `name` owns, as stored, as `Kind/name` keys. */
  childKeys(name: string): string[];
  /** The stored child. */
  child(kind: string, name: string): StoredObject | undefined;
  /** Children created so far by any hook answer, validated. */
  readonly validated: { count: number };
  close(): Promise<void>;
}

/** The status fields the scenarios read. */
export interface SubscriptionStatus {
  readonly observedGeneration?: number;
  readonly conditions?: { type: string; status: string; reason: string; message?: string }[];
  readonly resolved?: { url: string; ref: string; commit: string; path: string; version?: string };
  readonly artifacts?: { name: string; kind: string; ready: boolean; message?: string }[];
  readonly availableUpdates?: string[];
}

const API_VERSIONS: Record<string, string> = {
  GitRepository: "source.toolkit.fluxcd.io/v1",
  HelmRepository: "source.toolkit.fluxcd.io/v1",
  OCIRepository: "source.toolkit.fluxcd.io/v1",
  HelmRelease: "helm.toolkit.fluxcd.io/v2",
  Kustomization: "kustomize.toolkit.fluxcd.io/v1",
  ConfigMap: "v1",
};

/** The reference of a child of `kind` named `name` in {@link NAMESPACE}. */
export function childRef(kind: string, name: string): ObjectRef {
  return { apiVersion: API_VERSIONS[kind] ?? "v1", kind, namespace: NAMESPACE, name };
}

/** Starts the git server, the hook server and the harness. */
export async function startSubscriptionEnv(): Promise<SubscriptionEnv> {
  const git = await GitServer.create();
  const store = new ClusterStore();
  const sources = createSourceFetcher({
    policy: createSourcePolicy({ allowHttp: true, allowLoopback: true }),
    now: () => store.clock.nowMs(),
  });
  const { logger, lines } = capturingLogger();
  const app = createApp({
    config: testConfig(),
    logger,
    metrics: createMetrics(),
    subscriptionHooks: subscriptionHooks({
      sources,
      now: () => new Date(store.clock.nowMs()),
      log: logger,
    }),
  });
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const harness = new CompositeControllerHarness({
    controller: subscriptionController(),
    store,
    endpoint: `http://127.0.0.1:${port}`,
  });
  const flux = new FluxSimulator(store);
  const validated = { count: 0 };
  let checkedCalls = 0;

  const checkAnswers = () => {
    for (const call of harness.calls.slice(checkedCalls)) {
      const children = (call.response as { children?: { kind: string }[] } | undefined)?.children ?? [];
      for (const child of children) {
        if (child.kind !== "ConfigMap") expectValidFluxObject(child);
        validated.count += 1;
      }
    }
    checkedCalls = harness.calls.length;
    for (const parent of store.list(API_VERSION, "ProfileSubscription")) expectValid(parent, pctlCrds);
  };

  const settle = async () => {
    for (let round = 0; round < 50; round += 1) {
      await harness.runUntilStable();
      checkAnswers();
      if (flux.reconcile().length === 0) return;
    }
    throw new Error("the subscription and Flux never settled");
  };

  const ref = (name: string): ObjectRef => ({
    apiVersion: API_VERSION,
    kind: "ProfileSubscription",
    namespace: NAMESPACE,
    name,
  });

  return {
    git,
    store,
    harness,
    flux,
    sources,
    validated,
    logText: () =>
      lines()
        .map((line) => JSON.stringify(line))
        .join("\n"),
    settle,
    async advance(seconds) {
      await harness.advance(seconds);
      await settle();
    },
    subscribe: (name, spec) =>
      store.create({
        apiVersion: API_VERSION,
        kind: "ProfileSubscription",
        metadata: { name, namespace: NAMESPACE },
        spec,
      } as never),
    updateSpec: (name, spec) => store.update({ ...store.mustGet(ref(name)), spec } as never),
    subscriptionRef: ref,
    subscription: (name) => store.mustGet(ref(name)) as StoredObject & { status?: SubscriptionStatus },
    childKeys: (name) => {
      const uid = store.get(ref(name))?.metadata.uid;
      return store
        .all()
        .filter((o) => o.metadata.ownerReferences?.some((owner) => owner.uid === uid && owner.controller))
        .map((o) => `${o.kind}/${o.metadata.name}`)
        .sort();
    },
    child: (kind, name) => store.get(childRef(kind, name)),
    async close() {
      harness.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await sources.close();
      await git.close();
    },
  };
}
