/**
 * A Helm chart repository for tests: a directory indexed with the real `helm repo index`, served by
 * node:http on 127.0.0.1 with an ephemeral port.
 * @module
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { locateTool } from "../../cli/tools/binaries.js";

const run = promisify(execFile);

/** Writes `files` (relative path to content) below `dir`. */
export async function writeFiles(dir: string, files: Readonly<Record<string, string>>): Promise<void> {
  for (const [file, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, file)), { recursive: true });
    await writeFile(join(dir, file), content);
  }
}

/** A served Helm repository; {@link HelmRepoServer.publish} adds charts to it. */
export class HelmRepoServer {
  private constructor(
    private readonly server: Server,
    private readonly root: string,
    /** `http://127.0.0.1:<port>`, the repository's URL. */
    readonly url: string,
  ) {}

  /** Starts an empty repository. */
  static async create(): Promise<HelmRepoServer> {
    const root = await mkdtemp(join(tmpdir(), "pctl-helm-repo-"));
    const repoDir = join(root, "repo");
    await mkdir(repoDir, { recursive: true });
    const server = createServer((req, res) => {
      readFile(join(repoDir, (req.url ?? "/").split("?")[0]!)).then(
        (body) => res.end(body),
        () => {
          res.statusCode = 404;
          res.end();
        },
      );
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return new HelmRepoServer(server, root, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  }

  /** Packages the chart made of `files` with `helm package` and re-indexes the repository. */
  async publish(name: string, files: Readonly<Record<string, string>>): Promise<void> {
    const helm = await locateTool("helm");
    const chartDir = join(this.root, "sources", name);
    await writeFiles(chartDir, files);
    const repoDir = join(this.root, "repo");
    await run(helm, ["package", chartDir, "--destination", repoDir]);
    await run(helm, ["repo", "index", repoDir, "--url", this.url]);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await rm(this.root, { recursive: true, force: true });
  }
}

/**
 * A profile `app` whose chart declares dependencies and vendors none: `cache` 0.2.0 from the Helm
 * repository at `helmRepo` (publish {@link CACHE_CHART} there) and `lib` from `file://../lib`, a
 * sibling chart of the profile. Paths are relative to the repository root.
 */
export function dependentProfile(helmRepo: string): Record<string, string> {
  return {
    "app/profile.yaml": `apiVersion: profiles.pctl.dev/v1alpha1
kind: Profile
metadata: { name: app }
spec:
  description: a chart with dependencies
  artifacts:
    - name: app
      chart: { path: charts/app }
`,
    "app/charts/app/Chart.yaml": `apiVersion: v2
name: app
version: 0.1.0
dependencies:
  - { name: cache, version: 0.2.0, repository: "${helmRepo}" }
  - { name: lib, version: ">=1.0.0", repository: "file://../lib" }
`,
    "app/charts/app/values.yaml": "cache: { service: { port: 7000 } }\n",
    "app/charts/app/templates/configmap.yaml":
      'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: {{ .Release.Name }} }\ndata: { port: "{{ .Values.cache.service.port }}" }\n',
    "app/charts/lib/Chart.yaml": "apiVersion: v2\nname: lib\nversion: 1.0.0\n",
    "app/charts/lib/templates/configmap.yaml":
      "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: {{ .Release.Name }}-lib }\ndata: { from: lib }\n",
  };
}

/** The chart `cache` 0.2.0 that {@link dependentProfile} depends on. */
export const CACHE_CHART: Readonly<Record<string, string>> = {
  "Chart.yaml": "apiVersion: v2\nname: cache\nversion: 0.2.0\n",
  "values.yaml": "service: { port: 6379 }\n",
  "templates/service.yaml":
    "apiVersion: v1\nkind: Service\nmetadata: { name: {{ .Release.Name }} }\nspec: { ports: [{ port: {{ .Values.service.port }} }] }\n",
};
