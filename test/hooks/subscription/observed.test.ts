import { describe, expect, it } from "vitest";
import type { KubernetesObject } from "../../../crds/metacontroller.js";
import {
  type ChildHealth,
  childHealth,
  desiredFromObserved,
  LAST_APPLIED_ANNOTATION,
} from "../../../hooks/subscription/observed.js";

const release = (
  generation: number,
  status: Record<string, unknown> | undefined,
  spec: Record<string, unknown> = {},
) =>
  ({
    apiVersion: "helm.toolkit.fluxcd.io/v2",
    kind: "HelmRelease",
    metadata: { name: "web-server", namespace: "team-a", generation },
    spec,
    ...(status && { status }),
  }) as KubernetesObject;

const ready = (status: string, message = "", observedGeneration = 2, reason = "X") => ({
  type: "Ready",
  status,
  reason,
  message,
  observedGeneration,
});

describe("childHealth", () => {
  const cases: { name: string; child: KubernetesObject; want: ChildHealth }[] = [
    {
      name: "Ready=True for the current generation is ready",
      child: release(2, { observedGeneration: 2, conditions: [ready("True")] }),
      want: { state: "ready", message: "" },
    },
    {
      name: "a child without status has not been observed by Flux yet",
      child: release(2, undefined),
      want: { state: "progressing", message: "waiting for Flux to reconcile it" },
    },
    {
      name: "Ready=True for an older generation is progressing",
      child: release(3, { observedGeneration: 2, conditions: [ready("True", "", 2)] }),
      want: { state: "progressing", message: "waiting for Flux to reconcile it" },
    },
    {
      name: "Ready=True while status.observedGeneration is behind is not ready yet, by Flux's dependsOn rule, which the gate uses too",
      child: release(2, { observedGeneration: 1, conditions: [ready("True", "", 2)] }),
      want: { state: "progressing", message: "waiting for Flux to reconcile it" },
    },
    {
      name: "Reconciling=True is progressing with Ready's message",
      child: release(2, {
        conditions: [
          ready("Unknown", "running upgrade"),
          { type: "Reconciling", status: "True", reason: "Progressing" },
        ],
      }),
      want: { state: "progressing", message: "running upgrade" },
    },
    {
      name: "Ready=False for the current generation failed with Flux's message, even if status.observedGeneration is old",
      child: release(2, { observedGeneration: 1, conditions: [ready("False", "install failed: boom")] }),
      want: { state: "failed", message: "install failed: boom" },
    },
    {
      name: "Stalled=True is terminal, whatever Ready says",
      child: release(2, {
        conditions: [
          ready("False", "x"),
          { type: "Stalled", status: "True", reason: "RetriesExceeded", message: "gave up" },
        ],
      }),
      want: { state: "stalled", message: "gave up" },
    },
    {
      name: "a suspended child is not judged by its stale conditions",
      child: release(2, { observedGeneration: 2, conditions: [ready("True")] }, { suspend: true }),
      want: { state: "suspended", message: "suspended in Flux" },
    },
    {
      name: "an OCI HelmRepository has no conditions and is ready",
      child: {
        apiVersion: "source.toolkit.fluxcd.io/v1",
        kind: "HelmRepository",
        metadata: { name: "r", generation: 1 },
        spec: { type: "oci" },
      } as KubernetesObject,
      want: { state: "ready", message: "" },
    },
  ];
  for (const { name, child, want } of cases) {
    it(name, () => {
      expect(childHealth(child)).toEqual(want);
    });
  }
});

describe("desiredFromObserved", () => {
  const desired = {
    apiVersion: "helm.toolkit.fluxcd.io/v2",
    kind: "HelmRelease",
    metadata: { name: "web-server", labels: { app: "web" } },
    spec: { interval: "10m", values: { a: 1 } },
  };

  it("returns exactly what Metacontroller recorded as last applied", () => {
    const observed = {
      ...desired,
      metadata: {
        name: "web-server",
        namespace: "team-a",
        uid: "u",
        labels: { app: "web", "controller-uid": "p" },
        annotations: { [LAST_APPLIED_ANNOTATION]: JSON.stringify(desired) },
      },
      spec: { ...desired.spec, values: { a: 2 } },
      status: { observedGeneration: 1 },
    } as KubernetesObject;
    expect(desiredFromObserved(observed)).toEqual(desired);
  });

  it("strips status and server-owned fields when there is no record", () => {
    const observed = {
      ...desired,
      metadata: {
        name: "web-server",
        namespace: "team-a",
        uid: "u",
        resourceVersion: "7",
        generation: 3,
        creationTimestamp: "2026-01-01T00:00:00Z",
        managedFields: [{}],
        ownerReferences: [{ apiVersion: "x", kind: "X", name: "p", uid: "p", controller: true }],
        labels: { app: "web", "controller-uid": "p" },
        annotations: { note: "kept" },
      },
      status: { observedGeneration: 1 },
    } as KubernetesObject;
    expect(desiredFromObserved(observed)).toEqual({
      ...desired,
      metadata: {
        name: "web-server",
        namespace: "team-a",
        labels: { app: "web" },
        annotations: { note: "kept" },
      },
    });
  });
});
