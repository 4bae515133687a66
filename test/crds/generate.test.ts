import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { dump } from "js-yaml";
import { describe, expect, it } from "vitest";
import { customResourceDefinitions } from "../../crds/generate.js";
import { crdSchemaFor, loadCrds, validateResource } from "../../crds/openapi/crd.js";
import { structuralSchemaIssues } from "../../crds/openapi/structural.js";
import { ProfileCatalogSourceSchema } from "../../crds/profile-catalog-source.js";
import { ProfileSubscriptionSchema } from "../../crds/profile-subscription.js";
import { parseYaml } from "../../crds/yaml.js";

// These tests walk into generated JSON and break documents field by field.
// biome-ignore lint/suspicious/noExplicitAny: see above
type Loose = any;

const EXAMPLES = join(import.meta.dirname, "../../examples");
// Through YAML and back, as the deploy app writes them and the API server reads them.
const crds = loadCrds(
  customResourceDefinitions()
    .map((crd) => dump(crd))
    .join("---\n"),
);

function examples(dir: string): [string, Record<string, unknown>][] {
  return readdirSync(join(EXAMPLES, dir)).map((file) => [
    `${dir}/${file}`,
    parseYaml(readFileSync(join(EXAMPLES, dir, file), "utf8")) as Record<string, unknown>,
  ]);
}

const SCHEMAS: Record<string, { safeParse(value: unknown): { success: boolean } }> = {
  ProfileSubscription: ProfileSubscriptionSchema,
  ProfileCatalogSource: ProfileCatalogSourceSchema,
};

function crdAccepts(document: Record<string, unknown>): boolean {
  return validateResource(document, crds, { strictCel: true }).length === 0;
}

describe("customResourceDefinitions", () => {
  it("gives the same objects on every call", () => {
    expect(JSON.stringify(customResourceDefinitions())).toBe(JSON.stringify(customResourceDefinitions()));
  });

  it("defines the two installed kinds, namespaced, in profiles.pctl.dev/v1alpha1", () => {
    expect(crds.map((crd) => [crd.metadata.name, crd.spec.scope, crd.spec.names.shortNames])).toEqual([
      ["profilesubscriptions.profiles.pctl.dev", "Namespaced", ["psub"]],
      ["profilecatalogsources.profiles.pctl.dev", "Namespaced", ["pcat"]],
    ]);
    for (const crd of crds) {
      expect(crd.spec.versions.map((v) => [v.name, v.served, v.storage])).toEqual([["v1alpha1", true, true]]);
    }
  });

  it("gives each kind a status subresource, a category and Ready, Status and Age columns", () => {
    for (const crd of customResourceDefinitions() as Loose[]) {
      const [version] = crd.spec.versions;
      expect(version.subresources).toEqual({ status: {} });
      expect(crd.spec.names.categories).toEqual(["pctl"]);
      const columns = version.additionalPrinterColumns.map((c: { name: string; jsonPath: string }) => [
        c.name,
        c.jsonPath,
      ]);
      expect(columns).toEqual(
        expect.arrayContaining([
          ["Ready", '.status.conditions[?(@.type=="Ready")].status'],
          ["Status", '.status.conditions[?(@.type=="Ready")].message'],
          ["Age", ".metadata.creationTimestamp"],
        ]),
      );
    }
  });

  it("shows the resolved version of a subscription", () => {
    const subscription = customResourceDefinitions()[0] as Loose;
    expect(subscription.spec.versions[0].additionalPrinterColumns).toContainEqual({
      name: "Version",
      type: "string",
      jsonPath: ".status.resolved.version",
    });
  });

  it.each(crds.map((crd) => [crd.spec.names.kind, crd] as const))(
    "%s has a structural schema",
    (_kind, crd) => {
      expect(structuralSchemaIssues(crdSchemaFor(crd, "v1alpha1")!)).toEqual([]);
    },
  );

  it("keeps Helm values as free-form objects, as Flux's HelmRelease does", () => {
    const schema = crdSchemaFor(crds[0]!, "v1alpha1")! as Loose;
    const values = schema.properties.spec.properties.artifacts.additionalProperties.properties.values;
    expect(values).toMatchObject({ type: "object", "x-kubernetes-preserve-unknown-fields": true });
    expect(values.additionalProperties).toBeUndefined();
  });

  it("carries the status observedGeneration and the defaults", () => {
    const schema = crdSchemaFor(crds[0]!, "v1alpha1")! as Loose;
    expect(schema.properties.status.properties.observedGeneration).toEqual({
      type: "integer",
      minimum: 0,
      format: "int64",
    });
    expect(schema.properties.spec.properties.interval.default).toBe("10m");
    expect(crdSchemaFor(crds[1]!, "v1alpha1")!.properties!.spec!.properties!.interval!.default).toBe("5m");
  });
});

describe("the zod schemas and the generated CRDs", () => {
  it.each([...examples("subscriptions"), ...examples("catalogs")])("both accept %s", (_file, document) => {
    expect(validateResource(document, crds, { strictCel: true })).toEqual([]);
    expect(SCHEMAS[document.kind as string]!.safeParse(document).success).toBe(true);
  });

  const subscription = () =>
    examples("subscriptions").find(([file]) => file.endsWith("web-from-git.yaml"))![1] as Loose;

  it.each<[string, (d: Loose) => void]>([
    [
      "source and catalog both set",
      (d) => {
        d.spec.catalog = { catalog: "company", profile: "nginx" };
      },
    ],
    [
      "neither source nor catalog",
      (d) => {
        delete d.spec.source;
      },
    ],
    [
      "a source with two refs",
      (d) => {
        d.spec.source.tag = "nginx/v1.2.0";
      },
    ],
    [
      "a source with no ref",
      (d) => {
        delete d.spec.source.branch;
      },
    ],
    [
      "a bad duration",
      (d) => {
        d.spec.interval = "10 minutes";
      },
    ],
    [
      "a bad secretRef name",
      (d) => {
        d.spec.source.secretRef.name = "Git_Credentials";
      },
    ],
    [
      "a parametersFrom kind that is not ConfigMap or Secret",
      (d) => {
        d.spec.parametersFrom = [{ kind: "Pod", name: "p" }];
      },
    ],
    [
      "suspend as a string",
      (d) => {
        d.spec.suspend = "yes";
      },
    ],
  ])("both refuse a subscription with %s", (_name, mutate) => {
    const document = structuredClone(subscription());
    mutate(document);
    expect(crdAccepts(document)).toBe(false);
    expect(ProfileSubscriptionSchema.safeParse(document).success).toBe(false);
  });

  // Refinements run only in our code: the API server lets these in and the hooks report them.
  it.each<[string, (d: Loose) => void]>([
    [
      "a semver range that does not parse",
      (d) => {
        d.spec.source = { url: d.spec.source.url, semver: "newest" };
      },
    ],
    [
      "a source path with '..'",
      (d) => {
        d.spec.source.path = "../x";
      },
    ],
    [
      "a password in the source URL",
      (d) => {
        d.spec.source.url = "https://u:p@git.example.com/x";
      },
    ],
    [
      "a parameter that is an object",
      (d) => {
        d.spec.parameters.replicas = { n: 1 };
      },
    ],
    [
      "a typo in a spec field, which the API server prunes",
      (d) => {
        d.spec.paramters = {};
      },
    ],
  ])("only zod refuses a subscription with %s", (_name, mutate) => {
    const document = structuredClone(subscription());
    mutate(document);
    const issues = validateResource(document, crds, { strictCel: true });
    expect(issues.every((issue) => issue.code === "unknown-field")).toBe(true);
    expect(ProfileSubscriptionSchema.safeParse(document).success).toBe(false);
  });

  it("both accept a catalog subscription whose entry's repository needs a secretRef", () => {
    const { source: _source, ...spec } = subscription().spec;
    const document = {
      ...subscription(),
      spec: {
        ...spec,
        catalog: { catalog: "company", profile: "nginx", secretRef: { name: "git-credentials" } },
      },
    };
    expect(validateResource(document, crds, { strictCel: true })).toEqual([]);
    expect(ProfileSubscriptionSchema.safeParse(document).success).toBe(true);
    document.spec.catalog.secretRef.name = "Git_Credentials";
    expect(crdAccepts(document)).toBe(false);
    expect(ProfileSubscriptionSchema.safeParse(document).success).toBe(false);
  });

  it("both refuse a catalog with a bad interval", () => {
    const [, catalog] = examples("catalogs")[0]!;
    const document = { ...catalog, spec: { ...(catalog.spec as object), interval: "5" } };
    expect(crdAccepts(document)).toBe(false);
    expect(ProfileCatalogSourceSchema.safeParse(document).success).toBe(false);
  });
});
