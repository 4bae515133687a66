import { describe, expect, it } from "vitest";
import { buildChildren } from "../../synth/children.js";
import { gateChildren, type ObservedChild } from "../../synth/gate.js";
import { crossKindPlan, expectValidChildren, names } from "./support.js";

const plan = crossKindPlan();

function observed(
  kind: string,
  name: string,
  { ready = "True", generation = 2, observedGeneration = 2 } = {},
): ObservedChild {
  return {
    kind,
    metadata: { name, generation },
    status: { observedGeneration, conditions: [{ type: "Ready", status: ready }] },
  };
}

describe("gateChildren", () => {
  it.each([
    ["nothing observed yet", [], ["crds", "dashboard"]],
    [
      "the dependency Ready for the current generation",
      [observed("Kustomization", "web-crds")],
      ["crds", "operator", "dashboard"],
    ],
    [
      "the dependency Ready=False",
      [observed("Kustomization", "web-crds", { ready: "False" })],
      ["crds", "dashboard"],
    ],
    [
      "the dependency Ready for an older generation",
      [observed("Kustomization", "web-crds", { generation: 3, observedGeneration: 2 })],
      ["crds", "dashboard"],
    ],
    [
      "the dependent already exists: it is never withdrawn",
      [
        observed("Kustomization", "web-crds", { ready: "False" }),
        observed("HelmRelease", "web-operator", { ready: "Unknown" }),
      ],
      ["crds", "operator", "dashboard"],
    ],
    [
      "a same-kind dependency is left to Flux's dependsOn",
      [observed("Kustomization", "web-crds"), observed("HelmRelease", "web-operator", { ready: "False" })],
      ["crds", "operator", "dashboard"],
    ],
    [
      "a child of another kind with the same name does not count",
      [observed("HelmRelease", "web-crds")],
      ["crds", "dashboard"],
    ],
  ])("%s", (_, children, emit) => {
    expect(gateChildren(plan, children).emit).toEqual(emit);
  });

  it("reports what a held-back artifact waits for", () => {
    expect(gateChildren(plan, []).waiting).toEqual([
      {
        path: "operator",
        waitingFor: ["crds"],
        message: "waiting for crds (Kustomization web-crds) to be Ready",
      },
      {
        path: "cluster",
        waitingFor: ["operator"],
        message: "waiting for operator (HelmRelease web-operator) to be Ready",
      },
    ]);
  });

  it("buildChildren leaves out held-back artifacts and keeps the sources the rest read", () => {
    const { emit } = gateChildren(plan, []);
    const { children } = buildChildren(plan, { artifacts: emit });
    expectValidChildren(children);
    expect(names(children)).toEqual([
      "GitRepository/web",
      "HelmRelease/web-dashboard",
      "Kustomization/web-crds",
    ]);
  });
});
