import { describe, expect, it } from "vitest";
import { validateResource } from "../../../crds/openapi/crd.js";
import type { ValidationIssue } from "../../../crds/openapi/types.js";
import { expectValidFluxObject, fluxCrds } from "../../support/crd-validators.js";

// The examples of shared/reference/flux.md, as an emitter would send them.
const gitRepository = {
  apiVersion: "source.toolkit.fluxcd.io/v1",
  kind: "GitRepository",
  metadata: { name: "app", namespace: "apps" },
  spec: { interval: "5m", url: "https://github.com/org/repo", ref: { branch: "main" } },
};

const helmRepository = {
  apiVersion: "source.toolkit.fluxcd.io/v1",
  kind: "HelmRepository",
  metadata: { name: "charts", namespace: "apps" },
  spec: { url: "https://charts.example.com", interval: "1h" },
};

const ociRepository = {
  apiVersion: "source.toolkit.fluxcd.io/v1",
  kind: "OCIRepository",
  metadata: { name: "podinfo", namespace: "apps" },
  spec: {
    interval: "10m",
    url: "oci://ghcr.io/stefanprodan/charts/podinfo",
    ref: { semver: ">=6.0.0" },
    layerSelector: { mediaType: "application/vnd.cncf.helm.chart.content.v1.tar+gzip", operation: "copy" },
  },
};

const helmReleaseWithChart = {
  apiVersion: "helm.toolkit.fluxcd.io/v2",
  kind: "HelmRelease",
  metadata: { name: "redis", namespace: "apps", labels: { "app.kubernetes.io/managed-by": "pctl" } },
  spec: {
    interval: "10m",
    releaseName: "redis",
    targetNamespace: "data",
    chart: {
      spec: {
        chart: "redis",
        version: "19.x",
        sourceRef: { kind: "HelmRepository", name: "charts" },
        reconcileStrategy: "ChartVersion",
      },
    },
    values: { replicaCount: 2 },
    valuesFrom: [
      { kind: "ConfigMap", name: "redis-values", valuesKey: "values.yaml" },
      {
        kind: "Secret",
        name: "redis-auth",
        valuesKey: "password",
        targetPath: "auth.password",
        optional: true,
      },
    ],
    dependsOn: [{ name: "cert-manager", namespace: "infra" }],
    install: { createNamespace: true, crds: "Create", remediation: { retries: 3 } },
    upgrade: { crds: "CreateReplace", remediation: { retries: 3, strategy: "rollback" } },
    driftDetection: {
      mode: "enabled",
      ignore: [{ paths: ["/spec/replicas"], target: { kind: "Deployment" } }],
    },
  },
};

const helmReleaseWithChartRef = {
  apiVersion: "helm.toolkit.fluxcd.io/v2",
  kind: "HelmRelease",
  metadata: { name: "podinfo", namespace: "apps" },
  spec: { interval: "10m", releaseName: "podinfo", chartRef: { kind: "OCIRepository", name: "podinfo" } },
};

const kustomization = {
  apiVersion: "kustomize.toolkit.fluxcd.io/v1",
  kind: "Kustomization",
  metadata: { name: "app", namespace: "apps" },
  spec: {
    interval: "10m",
    sourceRef: { kind: "GitRepository", name: "app" },
    path: "./deploy/overlays/prod",
    prune: true,
    targetNamespace: "app-prod",
    dependsOn: [{ name: "infra" }],
    wait: true,
    timeout: "5m",
    patches: [
      {
        target: { kind: "Deployment", labelSelector: "app=web" },
        patch: '- { op: add, path: /metadata/annotations/x, value: "y" }\n',
      },
    ],
    postBuild: {
      substitute: { cluster_env: "prod", replicas: "3" },
      substituteFrom: [
        { kind: "ConfigMap", name: "cluster-vars", optional: true },
        { kind: "Secret", name: "cluster-secret-vars" },
      ],
    },
  },
};

type Json = Record<string, unknown>;

/** A deep copy of `object` changed by `edit`, so each case starts from a valid example. */
function variant<T>(object: T, edit: (copy: Json) => void): Json {
  const copy = structuredClone(object) as Json;
  edit(copy);
  return copy;
}

const spec = (o: Json) => o.spec as Json;
const chartSpec = (o: Json) => (spec(o).chart as Json).spec as Json;

describe("Flux objects against the Flux CRDs", () => {
  it.each([
    ["GitRepository", gitRepository],
    ["HelmRepository", helmRepository],
    ["OCIRepository", ociRepository],
    ["HelmRelease with chart", helmReleaseWithChart],
    ["HelmRelease with chartRef", helmReleaseWithChartRef],
    ["Kustomization with patches and postBuild", kustomization],
  ])("the reference %s validates", (_name, object) => {
    expectValidFluxObject(object);
  });

  it("accepts anything under HelmRelease values, which preserves unknown fields", () => {
    expectValidFluxObject(
      variant(helmReleaseWithChart, (o) => {
        spec(o).values = { nested: { list: [1, "two", null, { deep: true }] }, "odd key/with.dots": null };
      }),
    );
  });

  it.each<[string, Json, Pick<ValidationIssue, "path" | "code">]>([
    [
      "spec.valuesFile on a v2 HelmRelease is an unknown field (removed with v2beta1)",
      variant(helmReleaseWithChart, (o) => {
        spec(o).valuesFile = "values-prod.yaml";
      }),
      { path: "spec.valuesFile", code: "unknown-field" },
    ],
    [
      "chart.spec.valuesFile on a v2 HelmRelease is an unknown field",
      variant(helmReleaseWithChart, (o) => {
        chartSpec(o).valuesFile = "values-prod.yaml";
      }),
      { path: "spec.chart.spec.valuesFile", code: "unknown-field" },
    ],
    [
      "spec.patchesStrategicMerge on a v1 Kustomization is an unknown field",
      variant(kustomization, (o) => {
        spec(o).patchesStrategicMerge = ["patch.yaml"];
      }),
      { path: "spec.patchesStrategicMerge", code: "unknown-field" },
    ],
    [
      "a string where Kustomization prune wants a boolean is a type error",
      variant(kustomization, (o) => {
        spec(o).prune = "true";
      }),
      { path: "spec.prune", code: "type" },
    ],
    [
      "a number where postBuild.substitute wants a string is a type error",
      variant(kustomization, (o) => {
        (spec(o).postBuild as Json).substitute = { replicas: 3 };
      }),
      { path: "spec.postBuild.substitute.replicas", code: "type" },
    ],
    [
      "a Kustomization without prune misses a required field",
      variant(kustomization, (o) => {
        delete spec(o).prune;
      }),
      { path: "spec.prune", code: "required" },
    ],
    [
      "a GitRepository without url misses a required field",
      variant(gitRepository, (o) => {
        delete spec(o).url;
      }),
      { path: "spec.url", code: "required" },
    ],
    [
      "an OCIRepository as chart.spec.sourceRef.kind is not in the enum",
      variant(helmReleaseWithChart, (o) => {
        chartSpec(o).sourceRef = { kind: "OCIRepository", name: "podinfo" };
      }),
      { path: "spec.chart.spec.sourceRef.kind", code: "enum" },
    ],
    [
      "an interval in days does not match the duration pattern",
      variant(gitRepository, (o) => {
        spec(o).interval = "1d";
      }),
      { path: "spec.interval", code: "pattern" },
    ],
    [
      "an scp-style git URL does not match the url pattern",
      variant(gitRepository, (o) => {
        spec(o).url = "git@github.com:org/repo.git";
      }),
      { path: "spec.url", code: "pattern" },
    ],
    [
      "both chart and chartRef fail the CEL rule",
      variant(helmReleaseWithChart, (o) => {
        spec(o).chartRef = { kind: "OCIRepository", name: "podinfo" };
      }),
      { path: "spec", code: "cel" },
    ],
    [
      "neither chart nor chartRef fails the CEL rule",
      variant(helmReleaseWithChart, (o) => {
        delete spec(o).chart;
      }),
      { path: "spec", code: "cel" },
    ],
    [
      "retryInterval with the RemediateOnFailure strategy fails the CEL rule",
      variant(helmReleaseWithChart, (o) => {
        (spec(o).install as Json).strategy = { name: "RemediateOnFailure", retryInterval: "1m" };
      }),
      { path: "spec.install.strategy", code: "cel" },
    ],
    [
      "serviceAccountName with the generic provider fails the GitRepository CEL rule",
      variant(gitRepository, (o) => {
        spec(o).serviceAccountName = "git";
      }),
      { path: "spec", code: "cel" },
    ],
    [
      "a v2beta2 HelmRelease finds no matching kind",
      variant(helmReleaseWithChart, (o) => {
        o.apiVersion = "helm.toolkit.fluxcd.io/v2beta2";
      }),
      { path: "apiVersion", code: "no-match" },
    ],
    [
      "a v1beta2 GitRepository finds no matching kind",
      variant(gitRepository, (o) => {
        o.apiVersion = "source.toolkit.fluxcd.io/v1beta2";
      }),
      { path: "apiVersion", code: "no-match" },
    ],
    [
      "a name with upper-case letters is not a DNS-1123 subdomain",
      variant(gitRepository, (o) => {
        (o.metadata as Json).name = "My_App";
      }),
      { path: "metadata.name", code: "metadata" },
    ],
    [
      "a name longer than 253 characters is refused",
      variant(gitRepository, (o) => {
        (o.metadata as Json).name = "a".repeat(254);
      }),
      { path: "metadata.name", code: "metadata" },
    ],
    [
      "a label value longer than 63 characters is refused",
      variant(gitRepository, (o) => {
        (o.metadata as Json).labels = { "pctl.dev/subscription": "x".repeat(64) };
      }),
      { path: 'metadata.labels["pctl.dev/subscription"]', code: "metadata" },
    ],
    [
      "a field ObjectMeta does not have is an unknown field",
      variant(gitRepository, (o) => {
        (o.metadata as Json).owner = "team-a";
      }),
      { path: "metadata.owner", code: "unknown-field" },
    ],
    [
      "a null where a non-nullable field has no default is pruned",
      variant(gitRepository, (o) => {
        spec(o).ref = null;
      }),
      { path: "spec.ref", code: "pruned-null" },
    ],
  ])("%s", (_name, object, expected) => {
    const issues = validateResource(object, fluxCrds, { strictCel: true });
    expect(issues).toContainEqual(expect.objectContaining(expected));
    expect(issues.map((issue) => `${issue.path} ${issue.code}`)).toEqual([
      `${expected.path} ${expected.code}`,
    ]);
  });

  it("answers a removed version exactly as Flux ≥ 2.8 does", () => {
    const issues = validateResource(
      { ...kustomization, apiVersion: "kustomize.toolkit.fluxcd.io/v1beta2" },
      fluxCrds,
    );
    expect(issues).toEqual([
      {
        path: "apiVersion",
        code: "no-match",
        message: 'no matches for kind "Kustomization" in version "kustomize.toolkit.fluxcd.io/v1beta2"',
      },
    ]);
  });

  it("reports the CRD's own message for a failed CEL rule", () => {
    const both = variant(helmReleaseWithChartRef, (o) => {
      spec(o).chart = helmReleaseWithChart.spec.chart;
    });
    expect(validateResource(both, fluxCrds)).toEqual([
      { path: "spec", code: "cel", message: "either chart or chartRef must be set" },
    ]);
  });

  it("evaluates rules over defaulted fields, as the API server defaults before it validates", () => {
    const bucket = {
      apiVersion: "source.toolkit.fluxcd.io/v1",
      kind: "Bucket",
      metadata: { name: "b", namespace: "apps" },
      spec: { interval: "5m", bucketName: "b", endpoint: "minio.example.com", serviceAccountName: "s3" },
    };
    // provider defaults to generic, and generic Buckets take no serviceAccountName.
    expect(validateResource(bucket, fluxCrds).map((i) => i.message)).toEqual([
      "ServiceAccountName is not supported for the 'generic' Bucket provider",
    ]);
  });

  it("lists every issue of an object, not just the first", () => {
    const broken = variant(kustomization, (o) => {
      delete spec(o).prune;
      spec(o).interval = "ten minutes";
      spec(o).validation = "client";
    });
    expect(validateResource(broken, fluxCrds).map((i) => `${i.path} ${i.code}`)).toEqual([
      "spec.interval pattern",
      "spec.validation unknown-field",
      "spec.prune required",
    ]);
  });
});
