import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { App, Chart, Duration, Size } from "cdk8s";
import * as kplus from "cdk8s-plus-28";
import { CustomResourceDefinition } from "kubernetes-models/apiextensions.k8s.io/v1";
import { Deployment } from "kubernetes-models/apps/v1";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { ClusterRole } from "kubernetes-models/rbac.authorization.k8s.io/v1";
import { Namespace, Service, ServiceAccount } from "kubernetes-models/v1";
import { afterAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { locateTool } from "../../cli/tools/binaries.js";
import { customResourceDefinitions } from "../../crds/generate.js";
import { synthDeploy } from "../../synth/deploy/app.js";
import { CompositeController } from "../../synth/deploy/composite-controller.js";
import { HookServer } from "../../synth/deploy/hook-server.js";
import { expectValid, metacontrollerCrds } from "../support/crd-validators.js";

// biome-ignore lint/suspicious/noExplicitAny: manifests are walked as untyped JSON
type Manifest = Record<string, any>;

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const deployDir = join(repoRoot, "deploy");

function parseYaml(text: string): Manifest[] {
  return parseAllDocuments(text)
    .map((doc) => doc.toJS() as Manifest | null)
    .filter((doc): doc is Manifest => doc !== null);
}

const files = synthDeploy();
const byPath = new Map(files.map((file) => [file.path, parseYaml(file.content)]));
const installed = files
  .filter((file) => !file.path.includes("/") && file.path !== "kustomization.yaml")
  .flatMap((file) => parseYaml(file.content));

function find(kind: string, name: string): Manifest {
  const found = installed.find((o) => o.kind === kind && o.metadata?.name === name);
  if (!found) throw new Error(`no ${kind} ${name} in deploy/`);
  return found;
}

const subscriptionController = () => find("CompositeController", "profilesubscriptions.profiles.pctl.dev");
const catalogController = () => find("CompositeController", "profilecatalogsources.profiles.pctl.dev");
const deployments = () => installed.filter((o) => o.kind === "Deployment");

function env(container: Manifest): Record<string, string> {
  return Object.fromEntries(container.env.map((e: Manifest) => [e.name, e.value]));
}

describe("deploy/ CompositeControllers", () => {
  it("validate against Metacontroller v4.17.2's CompositeController CRD", () => {
    const controllers = installed.filter((o) => o.kind === "CompositeController");
    expect(controllers).toHaveLength(2);
    for (const controller of controllers) expectValid(controller, metacontrollerCrds);
  });

  it("the subscription controller owns every Flux kind pctl emits, each updated InPlace", () => {
    const children = subscriptionController().spec.childResources;
    expect(children.map((c: Manifest) => `${c.apiVersion} ${c.resource}`).sort()).toEqual([
      "helm.toolkit.fluxcd.io/v2 helmreleases",
      "kustomize.toolkit.fluxcd.io/v1 kustomizations",
      "source.toolkit.fluxcd.io/v1 gitrepositories",
      "source.toolkit.fluxcd.io/v1 helmrepositories",
      "source.toolkit.fluxcd.io/v1 ocirepositories",
      "v1 configmaps",
    ]);
    for (const child of children) expect(child.updateStrategy).toEqual({ method: "InPlace" });
  });

  it("the catalog controller has no children", () => {
    expect(catalogController().spec.childResources).toBeUndefined();
  });

  it.each([
    ["profilesubscriptions", "pctl-subscription-hooks", "/hooks/subscription"],
    ["profilecatalogsources", "pctl-catalog", "/hooks/catalog"],
  ])("%s hooks are v2 webhooks on %s under %s", (resource, service, prefix) => {
    const { spec } = find("CompositeController", `${resource}.profiles.pctl.dev`);
    expect(spec.parentResource).toEqual({
      apiVersion: "profiles.pctl.dev/v1alpha1",
      resource,
      ignoreStatusChanges: true,
    });
    expect(spec.generateSelector).toBe(true);
    expect(spec.resyncPeriodSeconds).toBe(300);
    expect(Object.keys(spec.hooks).sort()).toEqual(["customize", "finalize", "sync"]);
    for (const [hook, config] of Object.entries<Manifest>(spec.hooks)) {
      expect(config).toEqual({
        version: "v2",
        webhook: {
          service: { name: service, namespace: "pctl-system", port: 80, protocol: "http" },
          path: `${prefix}/${hook}`,
          timeout: "30s",
        },
      });
    }
    // The webhook Service exists and forwards to the server's port.
    const svc = find("Service", service);
    expect(svc.spec.ports).toEqual([{ name: "http", port: 80, targetPort: 8080 }]);
  });
});

describe("deploy/ CRDs", () => {
  const crds = () => installed.filter((o) => o.kind === "CustomResourceDefinition");

  it("are exactly the ones crds/generate.ts produces", () => {
    const byName = (a: Manifest, b: Manifest) => a.metadata.name.localeCompare(b.metadata.name);
    expect(crds().sort(byName)).toEqual((customResourceDefinitions() as Manifest[]).sort(byName));
  });

  it.each([
    ["profilesubscriptions", "profilesubscriptions.profiles.pctl.dev"],
    ["profilecatalogsources", "profilecatalogsources.profiles.pctl.dev"],
  ])(
    "serve the %s parent of %s with a status subresource, as Metacontroller requires",
    (plural, controller) => {
      const { parentResource } = find("CompositeController", controller).spec;
      const crd = find("CustomResourceDefinition", `${plural}.profiles.pctl.dev`);
      const [group, version] = parentResource.apiVersion.split("/");
      expect([crd.spec.group, crd.spec.names.plural]).toEqual([group, parentResource.resource]);
      const served = crd.spec.versions.find((v: Manifest) => v.name === version);
      expect(served).toMatchObject({ served: true, storage: true, subresources: { status: {} } });
      expect(served.schema.openAPIV3Schema.properties.status.properties.observedGeneration).toBeDefined();
    },
  );
});

describe("deploy/ user roles", () => {
  const role = (name: string) => find("ClusterRole", name);
  const aggregatedTo = (name: string) =>
    Object.entries(role(name).metadata.labels as Record<string, string>)
      .filter(
        ([label, value]) => label.startsWith("rbac.authorization.k8s.io/aggregate-to-") && value === "true",
      )
      .map(([label]) => label.slice("rbac.authorization.k8s.io/aggregate-to-".length))
      .sort();
  const grants = (name: string) =>
    (role(name).rules as Manifest[]).flatMap((rule: Manifest) =>
      (rule.resources as string[]).flatMap((resource) =>
        (rule.verbs as string[]).map((verb) => `${rule.apiGroups.join(",")}/${resource}:${verb}`),
      ),
    );

  it("lets viewers read subscriptions and catalogs with their status, and nothing more", () => {
    expect(aggregatedTo("pctl-view")).toEqual(["admin", "edit", "view"]);
    expect(grants("pctl-view").every((grant) => /:(get|list|watch)$/.test(grant))).toBe(true);
    expect(grants("pctl-view")).toContain("profiles.pctl.dev/profilecatalogsources/status:get");
  });

  it("lets namespace editors write subscriptions, and only admins write catalogs", () => {
    expect(aggregatedTo("pctl-subscription-editor")).toEqual(["admin", "edit"]);
    expect(grants("pctl-subscription-editor")).toContain("profiles.pctl.dev/profilesubscriptions:create");
    expect(grants("pctl-subscription-editor").some((grant) => grant.includes("profilecatalogsources"))).toBe(
      false,
    );
    expect(aggregatedTo("pctl-catalog-editor")).toEqual(["admin"]);
    expect(grants("pctl-catalog-editor")).toContain("profiles.pctl.dev/profilecatalogsources:delete");
  });

  it("never lets a user write status: only Metacontroller does", () => {
    const roles = installed.filter((o) => o.kind === "ClusterRole").map((o) => o.metadata.name as string);
    expect(roles).toHaveLength(3);
    const statusWrites = roles
      .flatMap(grants)
      .filter((grant) => grant.includes("/status:") && !/:(get|list|watch)$/.test(grant));
    expect(statusWrites).toEqual([]);
  });
});

describe("CompositeController defaults", () => {
  const synth = (props: Partial<ConstructorParameters<typeof CompositeController>[2]> = {}) => {
    const chart = new Chart(new App(), "test");
    new CompositeController(chart, "C", {
      name: "things.example.com",
      parent: { apiVersion: "example.com/v1", resource: "things" },
      service: { name: "svc", namespace: "ns" },
      hookPathPrefix: "/hooks/thing",
      ...props,
    });
    return chart.toJson()[0] as Manifest;
  };

  it("defaults to InPlace, a 30s hook timeout, a 5m resync and Service port 80", () => {
    const { spec } = synth({ children: [{ apiVersion: "v1", resource: "configmaps" }] });
    expect(spec.childResources[0].updateStrategy).toEqual({ method: "InPlace" });
    expect(spec.hooks.sync.webhook.timeout).toBe("30s");
    expect(spec.hooks.sync.webhook.service.port).toBe(80);
    expect(spec.resyncPeriodSeconds).toBe(300);
  });

  it("writes timeouts in Go duration syntax", () => {
    expect(synth({ hookTimeout: Duration.millis(1500) }).spec.hooks.sync.webhook.timeout).toBe("1500ms");
    expect(synth({ hookTimeout: Duration.minutes(1) }).spec.hooks.sync.webhook.timeout).toBe("60s");
  });

  it("rejects a hook path prefix with a trailing slash and a sub-second resync", () => {
    expect(() => synth({ hookPathPrefix: "/hooks/" })).toThrow(
      /'hookPathPrefix' \(\/hooks\/\) must start with/,
    );
    expect(() => synth({ resyncPeriod: Duration.millis(10) })).toThrow(
      /'resyncPeriod' \(10ms\) must be a whole number of seconds/,
    );
    expect(() => synth({ resyncPeriod: Duration.millis(1500) })).toThrow(/'resyncPeriod' \(1500ms\)/);
  });
});

describe("deploy/ core objects", () => {
  const models: Record<string, (o: Manifest) => { validate(): void }> = {
    "v1/Namespace": (o) => new Namespace(o as never),
    "v1/ServiceAccount": (o) => new ServiceAccount(o as never),
    "v1/Service": (o) => new Service(o as never),
    "apps/v1/Deployment": (o) => new Deployment(o as never),
    "networking.k8s.io/v1/NetworkPolicy": (o) => new NetworkPolicy(o as never),
    "policy/v1/PodDisruptionBudget": (o) => new PodDisruptionBudget(o as never),
    "apiextensions.k8s.io/v1/CustomResourceDefinition": (o) => new CustomResourceDefinition(o as never),
    "rbac.authorization.k8s.io/v1/ClusterRole": (o) => new ClusterRole(o as never),
  };

  it("every core object validates against the Kubernetes schemas", () => {
    const core = installed.filter(
      (o) => !["CompositeController", "CustomResourceDefinition"].includes(o.kind),
    );
    expect(core.length).toBeGreaterThan(0);
    for (const object of core) {
      const model = models[`${object.apiVersion}/${object.kind}`];
      expect(model, `a validator for ${object.apiVersion} ${object.kind}`).toBeDefined();
      expect(() => model?.(object).validate(), `${object.kind} ${object.metadata.name}`).not.toThrow();
    }
  });

  it("everything namespaced is in pctl-system", () => {
    const clusterScoped = ["Namespace", "CompositeController", "CustomResourceDefinition", "ClusterRole"];
    for (const object of installed.filter((o) => !clusterScoped.includes(o.kind))) {
      expect(object.metadata.namespace, `${object.kind} ${object.metadata.name}`).toBe("pctl-system");
    }
    expect(find("Namespace", "pctl-system")).toBeDefined();
  });

  it("runs one image as two roles: subscription with 2 replicas, catalog with 1", () => {
    const roles = deployments().map((d) => {
      const [container] = d.spec.template.spec.containers;
      return [d.metadata.name, d.spec.replicas, container.image, env(container).PCTL_ROLE];
    });
    expect(roles.sort()).toEqual([
      ["pctl-catalog", 1, "ghcr.io/pctl-dev/pctl:0.1.0", "catalog"],
      ["pctl-subscription-hooks", 2, "ghcr.io/pctl-dev/pctl:0.1.0", "subscription"],
    ]);
  });

  it.each(["pctl-subscription-hooks", "pctl-catalog"])(
    "%s runs non-root, read-only, without a token",
    (name) => {
      const pod = find("Deployment", name).spec.template.spec;
      expect(pod.automountServiceAccountToken).toBe(false);
      expect(pod.serviceAccountName).toBe("pctl");
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000 });
      expect(pod.containers).toHaveLength(1);
      const [container] = pod.containers;
      expect(container.securityContext).toEqual({
        runAsNonRoot: true,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        privileged: false,
        capabilities: { drop: ["ALL"] },
        seccompProfile: { type: "RuntimeDefault" },
      });
      for (const resource of ["cpu", "memory"]) {
        expect(container.resources.requests[resource], `requests.${resource}`).toBeDefined();
        expect(container.resources.limits[resource], `limits.${resource}`).toBeDefined();
      }
    },
  );

  it.each(["pctl-subscription-hooks", "pctl-catalog"])(
    "%s keeps HOME and TMPDIR on a scratch emptyDir",
    (name) => {
      const pod = find("Deployment", name).spec.template.spec;
      const [container] = pod.containers;
      const vars = env(container);
      expect(vars).toMatchObject({ PORT: "8080", LOG_LEVEL: "info" });
      expect(vars.TMPDIR).toBe(vars.HOME);
      const mount = container.volumeMounts.find((m: Manifest) => m.mountPath === vars.HOME);
      expect(mount, `a volume mounted at HOME (${vars.HOME})`).toBeDefined();
      const volume = pod.volumes.find((v: Manifest) => v.name === mount.name);
      expect(volume.emptyDir).toEqual({ sizeLimit: "1024Mi" });
    },
  );

  it.each(["pctl-subscription-hooks", "pctl-catalog"])("%s probes /healthz and /readyz on 8080", (name) => {
    const [container] = find("Deployment", name).spec.template.spec.containers;
    expect(container.ports).toEqual([{ containerPort: 8080 }]);
    expect(container.livenessProbe.httpGet).toMatchObject({ path: "/healthz", port: 8080 });
    expect(container.readinessProbe.httpGet).toMatchObject({ path: "/readyz", port: 8080 });
  });

  it("the ServiceAccount mounts no token", () => {
    expect(find("ServiceAccount", "pctl").automountServiceAccountToken).toBe(false);
  });

  it("Services, the budget and the policies select exactly their Deployment's pods", () => {
    for (const deployment of deployments()) {
      const name = deployment.metadata.name;
      const podLabels = deployment.spec.template.metadata.labels;
      const selects = (labels: Record<string, string>) =>
        Object.entries(labels).every(([key, value]) => podLabels[key] === value);
      expect(selects(deployment.spec.selector.matchLabels)).toBe(true);
      expect(selects(find("Service", name).spec.selector)).toBe(true);
      expect(selects(find("NetworkPolicy", name).spec.podSelector.matchLabels)).toBe(true);
      const other = deployments().find((d) => d !== deployment);
      expect(find("Service", name).spec.selector).not.toEqual(other?.spec.selector.matchLabels);
    }
  });

  it("only the subscription hooks have a PodDisruptionBudget, keeping one pod up", () => {
    const budgets = installed.filter((o) => o.kind === "PodDisruptionBudget");
    expect(budgets.map((b) => b.metadata.name)).toEqual(["pctl-subscription-hooks"]);
    expect(budgets[0]?.spec.minAvailable).toBe(1);
    expect(budgets[0]?.spec.selector.matchLabels).toEqual(
      find("Deployment", "pctl-subscription-hooks").spec.selector.matchLabels,
    );
  });

  it("the subscription hooks admit only the metacontroller namespace, on 8080", () => {
    const { spec } = find("NetworkPolicy", "pctl-subscription-hooks");
    expect(spec.policyTypes.sort()).toEqual(["Egress", "Ingress"]);
    expect(spec.ingress).toEqual([
      {
        from: [
          {
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "metacontroller" } },
            podSelector: {},
          },
        ],
        ports: [{ port: 8080, protocol: "TCP" }],
      },
    ]);
  });

  it("the catalog admits any pod in the cluster, on 8080 only", () => {
    const { spec } = find("NetworkPolicy", "pctl-catalog");
    expect(spec.ingress).toEqual([
      { from: [{ namespaceSelector: {}, podSelector: {} }], ports: [{ port: 8080, protocol: "TCP" }] },
    ]);
  });

  it.each(["pctl-subscription-hooks", "pctl-catalog"])("%s may reach only DNS, HTTPS and HTTP", (name) => {
    const { spec } = find("NetworkPolicy", name);
    const ports = new Set(
      spec.egress.flatMap((rule: Manifest) => rule.ports.map((p: Manifest) => `${p.protocol}/${p.port}`)),
    );
    expect([...ports].sort()).toEqual(["TCP/443", "TCP/53", "TCP/80", "UDP/53"]);
    const peers = spec.egress.flatMap((rule: Manifest) => rule.to);
    expect(peers).toContainEqual({ ipBlock: { cidr: "0.0.0.0/0" } });
    expect(peers).toContainEqual({ namespaceSelector: {}, podSelector: {} });
  });
});

describe("HookServer defaults", () => {
  const synth = (props: Partial<ConstructorParameters<typeof HookServer>[2]> = {}) => {
    const chart = new Chart(new App(), "test", { namespace: "ns" });
    new HookServer(chart, "H", {
      role: "subscription",
      name: "h",
      serviceAccount: kplus.ServiceAccount.fromServiceAccountName(chart, "SA", "sa"),
      allowFrom: kplus.Namespaces.all(chart, "All"),
      ...props,
    });
    return chart.toJson() as Manifest[];
  };

  it("defaults to 2 replicas with a budget, info logs, modest resources and a 1Gi scratch dir", () => {
    const objects = synth();
    const deployment = objects.find((o) => o.kind === "Deployment") ?? {};
    expect(deployment.spec.replicas).toBe(2);
    expect(objects.filter((o) => o.kind === "PodDisruptionBudget")).toHaveLength(1);
    const [container] = deployment.spec.template.spec.containers;
    expect(env(container).LOG_LEVEL).toBe("info");
    expect(container.resources).toEqual({
      requests: { cpu: "100m", memory: "128Mi" },
      limits: { cpu: "1", memory: "512Mi" },
    });
    expect(deployment.spec.template.spec.volumes[0].emptyDir).toEqual({ sizeLimit: "1024Mi" });
  });

  it("leaves out the budget for a single replica, and honours overrides", () => {
    const objects = synth({ replicas: 1, logLevel: "debug", scratchSize: Size.mebibytes(64) });
    expect(objects.filter((o) => o.kind === "PodDisruptionBudget")).toEqual([]);
    const pod = objects.find((o) => o.kind === "Deployment")?.spec.template.spec;
    expect(env(pod.containers[0]).LOG_LEVEL).toBe("debug");
    expect(pod.volumes[0].emptyDir).toEqual({ sizeLimit: "64Mi" });
  });

  it("refuses a budget on one replica and a replica count below one", () => {
    expect(() => synth({ replicas: 1, disruptionBudget: true })).toThrow(
      /'disruptionBudget' needs 'replicas' of 2/,
    );
    expect(() => synth({ replicas: 0 })).toThrow(/'replicas' \(0\) must be a positive integer/);
  });
});

describe("deploy/ on disk", () => {
  function filesOnDisk(): string[] {
    return readdirSync(deployDir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => relative(deployDir, join(entry.parentPath, entry.name)))
      .sort();
  }

  it("kustomization.yaml lists every manifest in deploy/", () => {
    const [kustomization] = byPath.get("kustomization.yaml") ?? [];
    const manifests = filesOnDisk().filter((path) => !path.includes("/") && path !== "kustomization.yaml");
    expect(manifests.length).toBeGreaterThan(0);
    expect([...(kustomization?.resources ?? [])].sort()).toEqual(manifests);
  });

  it("equals a fresh synth (run `npm run synth` and commit deploy/)", () => {
    expect(filesOnDisk()).toEqual(files.map((file) => file.path).sort());
    for (const file of files) {
      expect(readFileSync(join(deployDir, file.path), "utf8"), file.path).toBe(file.content);
    }
  });

  it("synthesizes the same bytes twice", () => {
    expect(synthDeploy()).toEqual(files);
  });
});

describe("kustomize builds", async () => {
  const kubectl = await locateTool("kubectl");
  const scratch = mkdtempSync(join(tmpdir(), "pctl-deploy-"));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  const build = (dir: string) =>
    parseYaml(
      execFileSync(kubectl, ["kustomize", dir], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }),
    );

  it("deploy/ builds to exactly the synthesized objects", () => {
    const key = (o: Manifest) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;
    expect(build(deployDir).map(key).sort()).toEqual(installed.map(key).sort());
  });

  it("the hook-token component puts the bearer token on every hook and in every server", () => {
    const overlay = join(scratch, "with-token");
    mkdirSync(overlay);
    writeFileSync(
      join(overlay, "kustomization.yaml"),
      `resources: [${relative(overlay, deployDir)}]\ncomponents: [${relative(overlay, join(deployDir, "hook-token"))}]\n`,
    );
    const objects = build(overlay);
    const controllers = objects.filter((o) => o.kind === "CompositeController");
    expect(controllers).toHaveLength(2);
    for (const controller of controllers) {
      expectValid(controller, metacontrollerCrds);
      for (const hook of Object.values<Manifest>(controller.spec.hooks)) {
        expect(hook.webhook.authorization).toEqual({
          type: "Bearer",
          secretRef: { name: "pctl-hook-token", namespace: "pctl-system", key: "token" },
        });
      }
    }
    const servers = objects.filter((o) => o.kind === "Deployment");
    expect(servers).toHaveLength(2);
    for (const server of servers) {
      const [container] = server.spec.template.spec.containers;
      expect(container.env).toContainEqual({
        name: "PCTL_HOOK_TOKEN",
        valueFrom: { secretKeyRef: { name: "pctl-hook-token", key: "token" } },
      });
    }
  });
});
