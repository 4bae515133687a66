import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { diffRendered } from "../../cli/diff.js";
import { renderedObjects, renderSubscription } from "../../cli/render.js";
import { locateTool } from "../../cli/tools/binaries.js";
import { parseProfileSubscription } from "../../crds/profile-subscription.js";
import { parseYamlAll } from "../../crds/yaml.js";
import { createSourceFetcher, type SourceFetcher } from "../../hooks/sources/fetcher.js";
import { createSourcePolicy } from "../../hooks/sources/policy.js";
import type { TestRepository } from "../support/git-repo.js";
import { GitServer } from "../support/git-server.js";
import { CACHE_CHART, dependentProfile, HelmRepoServer, writeFiles } from "../support/helm-repo.js";

const run = promisify(execFile);
const pctl = join(import.meta.dirname, "..", "..", "cli", "bin", "pctl.js");

const WEB_CHART = {
  "web/charts/web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\n",
  "web/charts/web/values.yaml": 'replicaCount: 1\nimage: { repository: nginx, tag: "1.27" }\n',
  "web/charts/web/templates/deployment.yaml": `apiVersion: apps/v1
kind: Deployment
metadata: { name: {{ .Release.Name }}, namespace: {{ .Release.Namespace }} }
spec:
  replicas: {{ .Values.replicaCount }}
  selector: { matchLabels: { app: {{ .Release.Name }} } }
  template:
    metadata: { labels: { app: {{ .Release.Name }} } }
    spec: { containers: [{ name: web, image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}" }] }
`,
};
const MANIFESTS = {
  "web/manifests/configmap.yaml": `apiVersion: v1
kind: ConfigMap
metadata: { name: greeting }
data: { message: "\${message}", size: small }
`,
  "web/manifests/old.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: old }\ndata: { a: b }\n",
};
const PATCH = `- { op: replace, path: /data/size, value: large }`;

function webProfile(helmRepo: string, gitUrl: string): string {
  return `apiVersion: profiles.pctl.dev/v1alpha1
kind: Profile
metadata: { name: web }
spec:
  description: web with a cache
  parameters:
    - { name: replicas, type: integer, default: 1 }
    - { name: message, default: hello }
  artifacts:
    - name: server
      chart: { path: charts/web }
      values: { replicaCount: "\${replicas}" }
    - name: cache
      chart: { url: "${helmRepo}", name: cache, version: "0.2.0" }
      values: { service: { port: 6380 } }
    - name: config
      kustomize:
        path: manifests
        patches:
          - target: { kind: ConfigMap, name: greeting }
            patch: |
              ${PATCH}
      dependsOn: [{ name: server }]
    - name: nested
      profile: { source: { url: "${gitUrl}", tag: redis/v1.0.0 } }
`;
}

const ESCAPE_PROFILE = `apiVersion: profiles.pctl.dev/v1alpha1
kind: Profile
metadata: { name: escape }
spec:
  description: a chart whose dependency leaves the profile
  artifacts: [{ name: app, chart: { path: charts/app } }]
`;

const REDIS = {
  "redis/profile.yaml": `apiVersion: profiles.pctl.dev/v1alpha1
kind: Profile
metadata: { name: redis }
spec:
  description: redis
  artifacts: [{ name: redis, kustomize: { path: deploy } }]
`,
  "redis/deploy/service.yaml":
    "apiVersion: v1\nkind: Service\nmetadata: { name: redis }\nspec: { ports: [{ port: 6379 }] }\n",
};

describe("pctl render --full against real helm and kubectl", () => {
  let git: GitServer;
  let repo: TestRepository;
  let charts: HelmRepoServer;
  let helmRepo: string;
  let scratch: string;
  let sources: SourceFetcher;
  let helm: string;
  let kubectl: string;
  const secretValues = "image: { tag: '1.27-from-secret' }\n";

  beforeAll(async () => {
    [helm, kubectl] = await Promise.all([locateTool("helm"), locateTool("kubectl")]);
    scratch = await mkdtemp(join(tmpdir(), "pctl-render-"));
    charts = await HelmRepoServer.create();
    helmRepo = charts.url;
    await charts.publish("cache", CACHE_CHART);

    git = await GitServer.create();
    repo = await git.createRepository("profiles");
    await repo.commit(REDIS);
    await repo.tag("redis/v1.0.0");
    await repo.commit({
      "web/profile.yaml": webProfile(helmRepo, git.urlOf("profiles")),
      ...WEB_CHART,
      ...MANIFESTS,
    });
    await repo.tag("web/v1.0.0");
    // 1.1.0: another image repository in the chart (the tag comes from the Secret), one ConfigMap gone and another one new.
    await repo.commit({
      "web/charts/web/values.yaml":
        'replicaCount: 1\nimage: { repository: nginx-unprivileged, tag: "1.28" }\n',
      "web/manifests/old.yaml": null,
      "web/manifests/new.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: new }\ndata: { c: d }\n",
    });
    await repo.tag("web/v1.1.0");
    await repo.commit(dependentProfile(helmRepo));
    await repo.tag("app/v1.0.0");
    await repo.commit({
      "escape/profile.yaml": ESCAPE_PROFILE,
      "escape/charts/app/Chart.yaml":
        'apiVersion: v2\nname: app\nversion: 0.1.0\ndependencies: [{ name: lib, version: 1.0.0, repository: "file://../../../app/charts/lib" }]\n',
    });
    await repo.tag("escape/v1.0.0");
    await repo.commit({
      "unfetchable/profile.yaml": ESCAPE_PROFILE.replaceAll("escape", "unfetchable"),
      "unfetchable/charts/app/Chart.yaml": `apiVersion: v2\nname: app\nversion: 0.1.0\ndependencies: [{ name: cache, version: 9.9.9, repository: "${helmRepo}" }]\n`,
    });
    await repo.tag("unfetchable/v1.0.0");
    sources = createSourceFetcher({ policy: createSourcePolicy({ allowHttp: true, allowLoopback: true }) });
  });

  afterAll(async () => {
    await sources?.close();
    await git?.close();
    await charts?.close();
    await rm(scratch, { recursive: true, force: true });
  });

  const subscription = (tag: string) =>
    parseProfileSubscription({
      apiVersion: "profiles.pctl.dev/v1alpha1",
      kind: "ProfileSubscription",
      metadata: { name: "web", namespace: "team-a" },
      spec: {
        source: { url: git.urlOf("profiles"), tag },
        targetNamespace: "apps",
        parameters: { replicas: 3, message: "hi there" },
        artifacts: { server: { valuesFrom: [{ kind: "Secret", name: "web-secret" }] } },
      },
    });
  const objects = new Map([["Secret/web-secret", { "values.yaml": secretValues }]]);

  const write = writeFiles;

  async function byHand(args: string[], tool: string): Promise<unknown[]> {
    const { stdout } = await run(tool, args, { maxBuffer: 64 * 1024 * 1024 });
    return parseYamlAll(stdout);
  }

  it("equals helm template and kubectl kustomize run by hand, for every release, in dependency order", async () => {
    const rendered = await renderSubscription(subscription("web/v1.0.0"), { sources, full: true, objects });
    expect(rendered.releases.map((r) => `${r.kind}/${r.name}`)).toEqual([
      "HelmRelease/web-server",
      "HelmRelease/web-cache",
      "Kustomization/web-config",
      "Kustomization/web-nested-redis",
    ]);
    const release = (name: string) => rendered.releases.find((r) => r.name === name)?.objects;

    // The chart in the profile, with the values Flux computes: profile defaults (parameters
    // substituted), then the Secret's values.
    const hand = join(scratch, "by-hand");
    await write(
      join(hand, "chart"),
      Object.fromEntries(Object.entries(WEB_CHART).map(([k, v]) => [k.replace("web/charts/web/", ""), v])),
    );
    await writeFile(join(hand, "server.yaml"), "replicaCount: 3\nimage: { tag: '1.27-from-secret' }\n");
    expect(release("web-server")).toEqual(
      await byHand(
        [
          "template",
          "web-server",
          join(hand, "chart"),
          "--namespace",
          "apps",
          "--values",
          join(hand, "server.yaml"),
          "--include-crds",
          "--skip-tests",
        ],
        helm,
      ),
    );
    expect(release("web-server")).toContainEqual(
      expect.objectContaining({ spec: expect.objectContaining({ replicas: 3 }) }),
    );

    await writeFile(join(hand, "cache.yaml"), "service: { port: 6380 }\n");
    expect(release("web-cache")).toEqual(
      await byHand(
        [
          "template",
          "web-cache",
          "cache",
          "--repo",
          helmRepo,
          "--version",
          "0.2.0",
          "--namespace",
          "apps",
          "--values",
          join(hand, "cache.yaml"),
          "--include-crds",
          "--skip-tests",
        ],
        helm,
      ),
    );

    // The kustomization: target namespace and patch in a kustomization.yaml, then ${message}.
    await write(join(hand, "config"), {
      ...Object.fromEntries(Object.entries(MANIFESTS).map(([k, v]) => [k.replace("web/manifests/", ""), v])),
      "kustomization.yaml": stringify({
        namespace: "apps",
        resources: ["configmap.yaml", "old.yaml"],
        patches: [{ patch: `${PATCH}\n`, target: { kind: "ConfigMap", name: "greeting" } }],
      }),
    });
    const config = (await run(kubectl, ["kustomize", join(hand, "config")])).stdout.replaceAll(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Flux's variable, literally
      "${message}",
      "hi there",
    );
    expect(release("web-config")).toEqual(parseYamlAll(config));
    expect(release("web-config")).toContainEqual(
      expect.objectContaining({ data: { message: "hi there", size: "large" } }),
    );

    await write(join(hand, "redis"), {
      "service.yaml": REDIS["redis/deploy/service.yaml"],
      "kustomization.yaml": "namespace: apps\nresources: [service.yaml]\n",
    });
    expect(release("web-nested-redis")).toEqual(await byHand(["kustomize", join(hand, "redis")], kubectl));
  });

  const profileOnly = (tag: string) =>
    parseProfileSubscription({
      apiVersion: "profiles.pctl.dev/v1alpha1",
      kind: "ProfileSubscription",
      metadata: { name: tag.split("/")[0], namespace: "team-a" },
      spec: { source: { url: git.urlOf("profiles"), tag } },
    });
  const policy = createSourcePolicy({ allowHttp: true, allowLoopback: true });

  it("builds the dependencies a chart from git lacks, as source-controller does: equals helm dependency build and helm template by hand", async () => {
    const rendered = await renderSubscription(profileOnly("app/v1.0.0"), { sources, full: true, policy });
    const hand = join(scratch, "by-hand-dependencies");
    await write(hand, dependentProfile(helmRepo));
    const home = join(hand, "helm-home");
    await run(helm, [
      "dependency",
      "build",
      join(hand, "app/charts/app"),
      "--repository-config",
      join(home, "repositories.yaml"),
      "--repository-cache",
      join(home, "cache"),
      "--registry-config",
      join(home, "registry.json"),
    ]);
    const expected = await byHand(
      [
        "template",
        "app-app",
        join(hand, "app/charts/app"),
        "--namespace",
        "team-a",
        "--values",
        join(hand, "app/charts/app/values.yaml"),
        "--include-crds",
        "--skip-tests",
      ],
      helm,
    );
    expect(rendered.releases.map((r) => r.name)).toEqual(["app-app"]);
    expect(rendered.releases[0]?.objects).toEqual(expected);
    expect(expected.map((o) => (o as { kind: string }).kind).sort()).toEqual([
      "ConfigMap",
      "ConfigMap",
      "Service",
    ]);
    expect(expected).toContainEqual(expect.objectContaining({ spec: { ports: [{ port: 7000 }] } }));
  });

  it("refuses a file:// dependency that leaves the profile directory, and repositories the policy refuses", async () => {
    await expect(
      renderSubscription(profileOnly("escape/v1.0.0"), { sources, full: true, policy }),
    ).rejects.toThrow(
      /chart charts\/app: dependency lib \(file:\/\/\.\.\/\.\.\/\.\.\/app\/charts\/lib\) refused: .*leaves the profile directory/,
    );
    await expect(
      renderSubscription(profileOnly("app/v1.0.0"), { sources, full: true, policy: createSourcePolicy() }),
    ).rejects.toThrow(
      /chart charts\/app: dependency cache \(http:\/\/127\.0\.0\.1:\d+\) refused: .*PCTL_ALLOW_HTTP/,
    );
  });

  it("names the chart and the dependency it cannot fetch", async () => {
    await expect(
      renderSubscription(profileOnly("unfetchable/v1.0.0"), { sources, full: true, policy }),
    ).rejects.toThrow(
      /chart charts\/app: dependency cache \(http:\/\/127\.0\.0\.1:\d+\) could not be fetched: .*9\.9\.9/,
    );
  });

  it("names the ConfigMaps and Secrets it needs and was not given", async () => {
    await expect(renderSubscription(subscription("web/v1.0.0"), { sources, full: true })).rejects.toThrow(
      /read Secret\/web-secret, which a cluster would hold/,
    );
  });

  it("diffs two tags: exactly the changed objects", async () => {
    const before = await renderSubscription(subscription("web/v1.0.0"), { sources, full: true, objects });
    const after = await renderSubscription(subscription("web/v1.1.0"), { sources, full: true, objects });
    const diff = diffRendered(renderedObjects(before), renderedObjects(after));
    expect(diff.changed).toBe(true);
    expect(diff.objects.map((o) => `${o.change} ${o.key}`)).toEqual([
      "changed apps/Deployment/apps/web-server",
      "added core/ConfigMap/apps/new",
      "removed core/ConfigMap/apps/old",
      "changed source.toolkit.fluxcd.io/GitRepository/team-a/web",
    ]);
    expect(diff.objects[0]?.diff).toContain(
      "-        - image: nginx:1.27-from-secret\n+        - image: nginx-unprivileged:1.27-from-secret\n",
    );
    expect(diffRendered(renderedObjects(before), renderedObjects(before))).toEqual({
      changed: false,
      text: "",
      objects: [],
    });
  });

  it("runs as a subprocess: render --full prints the same objects, and diff --to exits 1", async () => {
    const file = join(scratch, "subscription.yaml");
    await writeFile(file, stringify(subscription("web/v1.0.0")));
    await writeFile(join(scratch, "secret.yaml"), secretValues);
    const env = { ...process.env, PCTL_ALLOW_HTTP: "true", PCTL_ALLOW_LOOPBACK: "true" };
    const flags = ["--full", "--values-from-file", `Secret/web-secret=${join(scratch, "secret.yaml")}`];
    const { stdout } = await run("node", [pctl, "render", file, ...flags], {
      env,
      maxBuffer: 64 * 1024 * 1024,
    });
    const inProcess = await renderSubscription(subscription("web/v1.0.0"), { sources, full: true, objects });
    expect(parseYamlAll(stdout)).toEqual(renderedObjects(inProcess));

    const diff = await run("node", [pctl, "diff", file, "--to", "1.1.0", ...flags], { env }).catch(
      (error: { code: number; stdout: string }) => error,
    );
    expect(diff).toMatchObject({ code: 1 });
    expect(diff.stdout).toContain("--- a/core/ConfigMap/apps/old\n+++ /dev/null\n");
    expect(diff.stdout).toContain("+        - image: nginx-unprivileged:1.27-from-secret\n");
  });
});
