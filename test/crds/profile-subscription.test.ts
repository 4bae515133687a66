import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InvalidInputError } from "../../crds/errors.js";
import { parseProfileSubscription } from "../../crds/profile-subscription.js";
import { parseYaml } from "../../crds/yaml.js";
import { caught } from "../support/caught.js";

const DIR = join(import.meta.dirname, "../../examples/subscriptions");

// The broken-document table reaches into any field of the document it breaks.
// biome-ignore lint/suspicious/noExplicitAny: see above
type Doc = Record<string, any>;

function base(): Doc {
  return {
    apiVersion: "profiles.pctl.dev/v1alpha1",
    kind: "ProfileSubscription",
    metadata: { name: "web", namespace: "team-a" },
    spec: {
      source: { url: "https://git.example.com/org/profiles", tag: "nginx/v1.2.0" },
      parameters: { replicas: 3, hostname: "web.example.com", tls: true },
      artifacts: { server: { values: { a: 1 } } },
    },
  };
}

function message(fn: () => unknown): string {
  const error = caught(fn);
  expect(error).toBeInstanceOf(InvalidInputError);
  return error.message;
}

describe("the example subscriptions", () => {
  it.each(readdirSync(DIR))("%s parses", (file) => {
    const subscription = parseProfileSubscription(parseYaml(readFileSync(join(DIR, file), "utf8")), {
      source: file,
    });
    expect(subscription.kind).toBe("ProfileSubscription");
  });
});

describe("parseProfileSubscription", () => {
  it("applies the defaults: not suspended, every 10 minutes", () => {
    const { spec } = parseProfileSubscription(base());
    expect(spec.suspend).toBe(false);
    expect(spec.interval).toBe("10m");
  });

  it("keeps the metadata the API server adds", () => {
    const doc = base();
    doc.metadata.uid = "1234";
    doc.metadata.generation = 3;
    expect(parseProfileSubscription(doc).metadata).toMatchObject({ uid: "1234", generation: 3 });
  });

  it("reads a status as the hooks write it", () => {
    const doc = base();
    doc.status = {
      observedGeneration: 3,
      conditions: [{ type: "Ready", status: "True", reason: "Succeeded", message: "3/3 artifacts ready" }],
      resolved: {
        url: doc.spec.source.url,
        ref: "nginx/v1.2.0",
        commit: "5f1c2ab",
        path: "nginx",
        version: "1.2.0",
      },
      artifacts: [{ name: "server", kind: "HelmRelease", ready: true, message: "" }],
      availableUpdates: ["1.3.0", "2.0.0"],
    };
    expect(parseProfileSubscription(doc).status).toEqual(doc.status);
  });

  type Mutation = (doc: Doc) => void;
  it.each<[string, Mutation, string]>([
    [
      "source and catalog both set",
      (d) => {
        d.spec.catalog = { catalog: "company", profile: "nginx" };
      },
      "spec: exactly one of source or catalog must be set, found source and catalog",
    ],
    [
      "neither source nor catalog",
      (d) => {
        delete d.spec.source;
      },
      "spec: exactly one of source or catalog must be set",
    ],
    [
      "a typo in a spec field",
      (d) => {
        d.spec.paramters = {};
      },
      "spec.paramters: unknown field",
    ],
    [
      "a typo at the top",
      (d) => {
        d.sepc = d.spec;
      },
      "sepc: unknown field",
    ],
    [
      "a missing name",
      (d) => {
        delete d.metadata.name;
      },
      "metadata.name: required field is missing",
    ],
    [
      "a bad duration",
      (d) => {
        d.spec.interval = "10 minutes";
      },
      "spec.interval: must be a duration such as 30s, 10m or 1h30m",
    ],
    [
      "a bad catalog version",
      (d) => {
        delete d.spec.source;
        d.spec.catalog = { catalog: "c", profile: "nginx", version: "newest" };
      },
      "spec.catalog.version: must be a semver range",
    ],
    [
      "a catalog without a profile",
      (d) => {
        delete d.spec.source;
        d.spec.catalog = { catalog: "c" };
      },
      "spec.catalog.profile: required field is missing",
    ],
    [
      "a source with two refs",
      (d) => {
        d.spec.source.branch = "main";
      },
      "spec.source: exactly one of branch, tag, semver or commit must be set, found branch and tag",
    ],
    [
      "a source path outside the repository",
      (d) => {
        d.spec.source.path = "../x";
      },
      "spec.source.path: must not contain '..' segments",
    ],
    [
      "a password in the source URL",
      (d) => {
        d.spec.source.url = "https://u:p@git.example.com/x";
      },
      "spec.source.url: must not carry a password",
    ],
    [
      "a parameter that is an object",
      (d) => {
        d.spec.parameters.replicas = { n: 3 };
      },
      "spec.parameters.replicas:",
    ],
    [
      "parametersFrom of another kind",
      (d) => {
        d.spec.parametersFrom = [{ kind: "Pod", name: "x" }];
      },
      "spec.parametersFrom[0].kind:",
    ],
    [
      "an artifact path with a capital",
      (d) => {
        d.spec.artifacts = { Server: {} };
      },
      "spec.artifacts.Server: must be an artifact name",
    ],
    [
      "valuesFrom without a name",
      (d) => {
        d.spec.artifacts.server.valuesFrom = [{ kind: "ConfigMap" }];
      },
      "spec.artifacts.server.valuesFrom[0].name: required field is missing",
    ],
    [
      "a bad valuesKey",
      (d) => {
        d.spec.artifacts.server.valuesFrom = [{ kind: "Secret", name: "s", valuesKey: "a b" }];
      },
      "spec.artifacts.server.valuesFrom[0].valuesKey: must be a ConfigMap or Secret key",
    ],
    [
      "a targetNamespace that is not a label",
      (d) => {
        d.spec.targetNamespace = "Web_1";
      },
      "spec.targetNamespace: must be a DNS-1123 label",
    ],
    [
      "suspend as a string",
      (d) => {
        d.spec.suspend = "yes";
      },
      "spec.suspend:",
    ],
    [
      "another kind",
      (d) => {
        d.kind = "ProfileInstallation";
      },
      "kind: must be ProfileSubscription",
    ],
  ])("refuses %s, naming the field", (_name, mutate, expected) => {
    const doc = base();
    mutate(doc);
    const text = message(() => parseProfileSubscription(doc, { source: "team-a/web" }));
    expect(text).toMatch(/^team-a\/web: invalid ProfileSubscription:\n/);
    expect(
      text.split("\n").some((line) => line.trim().startsWith(expected)),
      text,
    ).toBe(true);
  });
});
