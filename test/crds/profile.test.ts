import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InvalidProfileError, LimitExceededError } from "../../crds/errors.js";
import {
  artifactKind,
  chartForm,
  isHelmRepositoryChart,
  isLocalChart,
  isOciChart,
  parsePrerequisite,
  parseProfile,
  profileFromDocument,
} from "../../crds/profile.js";
import { caught } from "../support/caught.js";

const PROFILES = join(import.meta.dirname, "../../examples/profiles");

// The broken-document table reaches into any field of the document it breaks.
// biome-ignore lint/suspicious/noExplicitAny: see above
type Doc = Record<string, any>;

// "${...}" in these strings is a profile parameter reference, not a template literal.
const REPLICAS = "$" + "{replicas}";
const HOSTNAME = "$" + "{hostname}";

function base(): Doc {
  return {
    apiVersion: "profiles.pctl.dev/v1alpha1",
    kind: "Profile",
    metadata: { name: "web" },
    spec: {
      description: "a web server",
      parameters: [{ name: "replicas", type: "integer", default: 2 }],
      artifacts: [
        { name: "server", chart: { path: "charts/nginx" }, values: { replicaCount: REPLICAS } },
        { name: "config", kustomize: { path: "manifests" }, dependsOn: [{ name: "server" }] },
        { name: "cache", profile: { source: { url: "https://git.example.com/p", tag: "redis/v1.2.0" } } },
      ],
    },
  };
}

describe("the example profiles", () => {
  const dirs = readdirSync(PROFILES, { withFileTypes: true }).filter((entry) => entry.isDirectory());

  it.each(dirs.map((dir) => dir.name))("%s/profile.yaml parses, and its name equals its directory", (dir) => {
    const source = `${dir}/profile.yaml`;
    const profile = parseProfile(readFileSync(join(PROFILES, source), "utf8"), { source });
    expect(profile.metadata.name).toBe(dir);
  });

  it("cover the three chart forms, kustomize, nested profiles and the legacy form", () => {
    const profiles = dirs.map((dir) => readFileSync(join(PROFILES, dir.name, "profile.yaml"), "utf8"));
    const artifacts = profiles.flatMap((text) => parseProfile(text).spec.artifacts);
    const forms = artifacts.flatMap((a) => ("chart" in a ? [chartForm(a.chart)] : [artifactKind(a)]));
    expect(new Set(forms)).toEqual(new Set(["local", "helm-repository", "oci", "kustomize", "profile"]));
    expect(profiles.some((text) => text.includes("kind: ProfileDefinition"))).toBe(true);
  });
});

describe("parseProfile", () => {
  it("defaults a parameter's type to string and keeps values as written", () => {
    const profile = parseProfile(
      [
        "apiVersion: profiles.pctl.dev/v1alpha1",
        "kind: Profile",
        "metadata: { name: web }",
        "spec:",
        "  description: d",
        "  parameters: [{ name: hostname, required: true }]",
        `  artifacts: [{ name: server, chart: { path: chart }, values: { host: '${HOSTNAME}' } }]`,
      ].join("\n"),
    );
    expect(profile.spec.parameters).toEqual([{ name: "hostname", type: "string", required: true }]);
    expect(profile.spec.artifacts[0]).toEqual({
      name: "server",
      chart: { path: "chart" },
      values: { host: HOSTNAME },
    });
  });

  it("narrows each artifact and chart to one form", () => {
    const profile = profileFromDocument(base());
    const [server, config, cache] = profile.spec.artifacts;
    expect([server, config, cache].map((a) => a && artifactKind(a))).toEqual([
      "chart",
      "kustomize",
      "profile",
    ]);
    expect(server && "chart" in server && isLocalChart(server.chart)).toBe(true);
    expect(config).toEqual({
      name: "config",
      kustomize: { path: "manifests" },
      dependsOn: [{ name: "server" }],
    });
  });

  it.each([
    [{ url: "https://charts.example.com", name: "nginx", version: "9.3.0" }, "helm-repository"],
    [{ url: "oci://registry.example.com/charts/nginx", version: "^9" }, "oci"],
    [{ url: "oci://registry.example.com/charts/nginx" }, "oci"],
    [{ path: "charts/nginx" }, "local"],
  ])("reads the chart %j as %s", (chart, form) => {
    const doc = base();
    doc.spec.artifacts[0].chart = chart;
    const artifact = profileFromDocument(doc).spec.artifacts[0]!;
    expect("chart" in artifact && chartForm(artifact.chart)).toBe(form);
    if ("chart" in artifact) {
      expect(
        [isLocalChart, isHelmRepositoryChart, isOciChart].filter((guard) => guard(artifact.chart)),
      ).toHaveLength(1);
    }
  });

  type Mutation = (doc: Doc) => void;
  it.each<[string, Mutation, string]>([
    [
      "a typo in a field name",
      (d) => {
        d.spec.artifacts[0].chrt = d.spec.artifacts[0].chart;
        delete d.spec.artifacts[0].chart;
      },
      "spec.artifacts[0].chrt: unknown field",
    ],
    [
      "a missing profile name",
      (d) => {
        delete d.metadata.name;
      },
      "metadata.name: required field is missing",
    ],
    [
      "an upper-case profile name",
      (d) => {
        d.metadata.name = "Web";
      },
      "metadata.name: must be a DNS-1123 label",
    ],
    [
      "a missing description",
      (d) => {
        delete d.spec.description;
      },
      "spec.description: required field is missing",
    ],
    [
      "no artifacts",
      (d) => {
        d.spec.artifacts = [];
      },
      "spec.artifacts: a profile needs at least one artifact",
    ],
    [
      "an artifact with two kinds",
      (d) => {
        d.spec.artifacts[0].kustomize = { path: "x" };
      },
      "spec.artifacts[0]: exactly one of chart, kustomize or profile must be set, found chart and kustomize",
    ],
    [
      "an artifact with no kind",
      (d) => {
        delete d.spec.artifacts[0].chart;
      },
      "spec.artifacts[0]: exactly one of chart, kustomize or profile must be set",
    ],
    [
      "a chart with path and url",
      (d) => {
        d.spec.artifacts[0].chart.url = "https://charts.example.com";
      },
      "spec.artifacts[0].chart.url: a local chart (path) takes no url",
    ],
    [
      "a chart with neither path nor url",
      (d) => {
        d.spec.artifacts[0].chart = {};
      },
      "spec.artifacts[0].chart: set path (a chart in this profile) or url",
    ],
    [
      "a Helm repository chart without a name",
      (d) => {
        d.spec.artifacts[0].chart = { url: "https://charts.example.com" };
      },
      "spec.artifacts[0].chart.name: a Helm repository chart needs the chart's name",
    ],
    [
      "an OCI chart with a name",
      (d) => {
        d.spec.artifacts[0].chart = { url: "oci://r.example.com/c/nginx", name: "nginx" };
      },
      "spec.artifacts[0].chart.name: an oci:// url names the chart itself",
    ],
    [
      "a chart url with another scheme",
      (d) => {
        d.spec.artifacts[0].chart = { url: "file:///charts", name: "x" };
      },
      "spec.artifacts[0].chart.url: must be an https://, http:// or oci:// URL",
    ],
    [
      "a chart version that is not semver",
      (d) => {
        d.spec.artifacts[0].chart = { url: "https://c.example.com", name: "x", version: "latest!" };
      },
      "spec.artifacts[0].chart.version: must be a semver range",
    ],
    [
      "a chart path with '..'",
      (d) => {
        d.spec.artifacts[0].chart.path = "../other/chart";
      },
      "spec.artifacts[0].chart.path: must not contain '..' segments",
    ],
    [
      "an absolute chart path",
      (d) => {
        d.spec.artifacts[0].chart.path = "/etc/chart";
      },
      "spec.artifacts[0].chart.path: must be a relative path, not an absolute one",
    ],
    [
      "a kustomize path with '..'",
      (d) => {
        d.spec.artifacts[1].kustomize.path = "manifests/../../x";
      },
      "spec.artifacts[1].kustomize.path: must not contain '..' segments",
    ],
    [
      "values on a kustomize artifact",
      (d) => {
        d.spec.artifacts[1].values = { a: 1 };
      },
      "spec.artifacts[1].values: values apply to chart and profile artifacts",
    ],
    [
      "a dependsOn on an unknown artifact",
      (d) => {
        d.spec.artifacts[1].dependsOn = [{ name: "sever" }];
      },
      "spec.artifacts[1].dependsOn[0].name: no artifact named sever in this profile",
    ],
    [
      "an artifact that depends on itself",
      (d) => {
        d.spec.artifacts[1].dependsOn = [{ name: "config" }];
      },
      "spec.artifacts[1].dependsOn[0].name: artifact config cannot depend on itself",
    ],
    [
      "artifacts that depend on each other",
      (d) => {
        d.spec.artifacts[0].dependsOn = [{ name: "config" }];
      },
      "spec.artifacts: artifacts depend on each other in a loop: server -> config -> server",
    ],
    [
      "two artifacts with one name",
      (d) => {
        d.spec.artifacts[2].name = "server";
      },
      "spec.artifacts[2].name: duplicate name server",
    ],
    [
      "an artifact name that is not a DNS label",
      (d) => {
        d.spec.artifacts[0].name = "my_server";
      },
      "spec.artifacts[0].name: must be a DNS-1123 label",
    ],
    [
      "a nested profile with two refs",
      (d) => {
        d.spec.artifacts[2].profile.source.branch = "main";
      },
      "spec.artifacts[2].profile.source: exactly one of branch, tag, semver or commit must be set, found branch and tag",
    ],
    [
      "a nested profile with a bad semver range",
      (d) => {
        d.spec.artifacts[2].profile.source = { url: "https://g.example.com/p", semver: "one" };
      },
      "spec.artifacts[2].profile.source.semver: must be a semver range",
    ],
    [
      "a parameter default of the wrong type",
      (d) => {
        d.spec.parameters[0].default = "two";
      },
      'spec.parameters[0].default: default "two" is not of type integer',
    ],
    [
      "a fractional default for an integer",
      (d) => {
        d.spec.parameters[0].default = 2.5;
      },
      "spec.parameters[0].default: default 2.5 is not of type integer",
    ],
    [
      "an unknown parameter type",
      (d) => {
        d.spec.parameters[0].type = "int";
      },
      "spec.parameters[0].type:",
    ],
    [
      "a required parameter with a default",
      (d) => {
        d.spec.parameters[0].required = true;
      },
      "spec.parameters[0].required: a required parameter cannot have a default",
    ],
    [
      "a parameter name that cannot be substituted",
      (d) => {
        d.spec.parameters[0].name = "replica-count";
      },
      "spec.parameters[0].name: must start with a letter or '_'",
    ],
    [
      "two parameters with one name",
      (d) => {
        d.spec.parameters.push({ name: "replicas" });
      },
      "spec.parameters[1].name: duplicate name replicas",
    ],
    [
      "a prerequisite that is not a range",
      (d) => {
        d.spec.prerequisites = ["kubernetes"];
      },
      "spec.prerequisites[0]: must be a component and a semver range",
    ],
    [
      "another apiVersion",
      (d) => {
        d.apiVersion = "profiles.pctl.dev/v1";
      },
      "apiVersion: must be profiles.pctl.dev/v1alpha1",
    ],
    [
      "another kind",
      (d) => {
        d.kind = "Profiles";
      },
      "kind: must be Profile",
    ],
  ])("refuses %s, naming the field", (_name, mutate, expected) => {
    const doc = base();
    mutate(doc);
    const error = caught<InvalidProfileError>(() => profileFromDocument(doc, { source: "web/profile.yaml" }));
    expect(error).toBeInstanceOf(InvalidProfileError);
    expect(error.message).toMatch(/^web\/profile\.yaml: invalid profile:\n/);
    expect(error.message.split("\n").some((line) => line.trim().startsWith(expected))).toBe(true);
  });

  it("lists every problem, one per line", () => {
    const doc = base();
    doc.spec.artifacts[0].chart.path = "/abs";
    doc.spec.artifacts[1].kustomize.path = "../up";
    const error = caught<InvalidProfileError>(() => profileFromDocument(doc));
    expect(error.message.split("\n").slice(1)).toEqual([
      "  spec.artifacts[0].chart.path: must be a relative path, not an absolute one",
      "  spec.artifacts[1].kustomize.path: must not contain '..' segments",
    ]);
    expect(error.data.issues).toHaveLength(2);
  });

  it("reports YAML that does not parse as an invalid profile with its line", () => {
    const error = caught<InvalidProfileError>(() =>
      parseProfile("spec:\n  a: [\n", { source: "x/profile.yaml" }),
    );
    expect(error).toBeInstanceOf(InvalidProfileError);
    expect(error.message).toMatch(/^x\/profile\.yaml:3: /);
  });

  it("refuses a YAML alias bomb before reading any field", () => {
    const levels = ['a0: &a0 "lol"'];
    for (let i = 1; i <= 9; i++)
      levels.push(
        `a${i}: &a${i} [${Array(9)
          .fill(`*a${i - 1}`)
          .join(", ")}]`,
      );
    expect(() => parseProfile(levels.join("\n"))).toThrow(LimitExceededError);
  });

  it("refuses an oversized profile.yaml", () => {
    expect(() => parseProfile(`# ${"x".repeat(1024 * 1024)}\n`)).toThrow(LimitExceededError);
  });
});

describe("the legacy ProfileDefinition", () => {
  const legacy = `
apiVersion: weave.works/v1alpha1
kind: ProfileDefinition
metadata: { name: weaveworks-nginx }
spec:
  description: Profile for deploying nginx
  maintainer: weaveworks
  prerequisites: ["kubernetes 1.19", "Helm 3.5+"]
  artifacts:
    - name: nested-profile
      profile: { source: { url: https://github.com/weaveworks/profiles-examples, tag: bitnami-nginx/v0.0.2 } }
    - name: nginx-deployment
      kustomize: { path: nginx/deployment }
    - name: nginx-chart
      chart: { url: https://charts.bitnami.com/bitnami, name: nginx, version: "9.3.0",
               defaultValues: "service:\\n  type: ClusterIP\\n" }
    - name: dependon-chart
      chart: { url: https://charts.bitnami.com/bitnami, name: redis, version: "14.6.1" }
      dependsOn: [ {name: nginx-deployment}, {name: nginx-chart}, {name: nested-profile} ]
`;
  const modern = `
apiVersion: profiles.pctl.dev/v1alpha1
kind: Profile
metadata: { name: weaveworks-nginx }
spec:
  description: Profile for deploying nginx
  maintainer: weaveworks
  prerequisites: ["kubernetes >=1.19", "Helm >=3.5"]
  artifacts:
    - name: nested-profile
      profile: { source: { url: https://github.com/weaveworks/profiles-examples, tag: bitnami-nginx/v0.0.2 } }
    - name: nginx-deployment
      kustomize: { path: nginx/deployment }
    - name: nginx-chart
      chart: { url: https://charts.bitnami.com/bitnami, name: nginx, version: "9.3.0" }
      values: { service: { type: ClusterIP } }
    - name: dependon-chart
      chart: { url: https://charts.bitnami.com/bitnami, name: redis, version: "14.6.1" }
      dependsOn: [ {name: nginx-deployment}, {name: nginx-chart}, {name: nested-profile} ]
`;

  it("normalizes to the same model as its modern twin", () => {
    expect(parseProfile(legacy)).toEqual(parseProfile(modern));
  });

  it("accepts the spec.name and status that old files carry", () => {
    const old = legacy
      .replace("  maintainer:", "  name: weaveworks-nginx\n  maintainer:")
      .concat("status: {}\n");
    expect(parseProfile(old)).toEqual(parseProfile(modern));
  });

  it("reports defaultValues that are not YAML at the legacy field", () => {
    const broken = legacy.replace('"service:\\n  type: ClusterIP\\n"', '"a: [\\n"');
    const error = caught<InvalidProfileError>(() => parseProfile(broken, { source: "w.yaml" }));
    expect(error).toBeInstanceOf(InvalidProfileError);
    expect(error.message).toMatch(
      /^w\.yaml: invalid ProfileDefinition:\n {2}spec\.artifacts\[2\]\.chart\.defaultValues: /,
    );
  });

  it("reports defaultValues that are not a mapping", () => {
    const broken = legacy.replace('"service:\\n  type: ClusterIP\\n"', '"- a\\n- b\\n"');
    const error = caught<InvalidProfileError>(() => parseProfile(broken));
    expect(error.message).toContain(
      "spec.artifacts[2].chart.defaultValues: must hold a YAML mapping of Helm values",
    );
  });

  it("applies the current rules, with current field names, after normalizing", () => {
    const broken = legacy.replace("{name: nested-profile}", "{name: nested}");
    const error = caught<InvalidProfileError>(() => parseProfile(broken));
    expect(error.message).toContain(
      "spec.artifacts[3].dependsOn[2].name: no artifact named nested in this profile",
    );
  });

  it("refuses a chart with both path and url, as pctl did", () => {
    const broken = legacy.replace("name: redis,", "name: redis, path: chart,");
    expect(caught<InvalidProfileError>(() => parseProfile(broken)).message).toContain(
      "spec.artifacts[3].chart.url: a local chart (path) takes no url",
    );
  });

  it("refuses an unknown field in the legacy form", () => {
    const broken = legacy.replace("kustomize: { path:", "kustomize: { paht:");
    expect(caught<InvalidProfileError>(() => parseProfile(broken)).message).toContain(
      "spec.artifacts[1].kustomize.paht: unknown field",
    );
  });
});

describe("parsePrerequisite", () => {
  it.each([
    ["kubernetes >=1.28", { component: "kubernetes", range: ">=1.28" }],
    ["Kubernetes >=1.19 <2", { component: "kubernetes", range: ">=1.19 <2" }],
    ["kubernetes", undefined],
    ["kubernetes 1.19+", undefined],
  ])("reads %s", (value, expected) => {
    expect(parsePrerequisite(value)).toEqual(expected);
  });
});
