/**
 * Running the real `pctl` as a subprocess, and the fixtures CLI tests share: a profile repository with
 * version tags on the test git server, a catalog file pointing at it, a GitOps repository cloned into
 * a temporary working directory, and a stand-in for a provider's pull-request API.
 * @module
 */
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll } from "vitest";
import { outputOf } from "../../cli/child-output.js";
import { git } from "../support/git-repo.js";
import { GitServer } from "../support/git-server.js";

/** The `pctl` launcher, run as a subprocess with node. */
export const PCTL_BIN = resolve(dirname(fileURLToPath(import.meta.url)), "../../cli/bin/pctl.js");

/** What a run of pctl printed and how it ended. */
export interface PctlResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number | null;
}

/** Environment for every run: the test server is loopback HTTP, and no user or machine git config leaks in. */
export function baseEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    PCTL_ALLOW_HTTP: "true",
    PCTL_ALLOW_LOOPBACK: "true",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_TERMINAL_PROMPT: "0",
    NO_COLOR: "1",
  };
  return { ...env, ...extra };
}

/** Runs `node cli/bin/pctl.js ...args` in `cwd` and collects its output. */
export async function runPctl(
  args: readonly string[],
  { cwd, env = baseEnv(), input }: { cwd: string; env?: NodeJS.ProcessEnv; input?: string },
): Promise<PctlResult> {
  const child = spawn(process.execPath, [PCTL_BIN, ...args], { cwd, env });
  const output = outputOf(child);
  child.stdin.end(input ?? "");
  const { stdout, stderr, code } = await output;
  return { stdout, stderr, code };
}

/** A fresh temporary directory. */
export function tempDir(prefix = "pctl-cli-"): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** Removes directories made by {@link tempDir}. */
export async function removeAll(paths: readonly string[]): Promise<void> {
  await Promise.all(paths.map((path) => rm(path, { recursive: true, force: true })));
}

/** The nginx profile of the fixtures at `version`: parameters of every type, one kustomize artifact. */
export function nginxProfile(version: string): string {
  return `apiVersion: profiles.pctl.dev/v1alpha1
kind: Profile
metadata:
  name: nginx
spec:
  description: NGINX web server ${version}
  maintainer: Team Web <web@example.com>
  prerequisites: ["kubernetes >=1.28"]
  parameters:
    - name: replicas
      description: number of nginx pods
      type: integer
      default: 2
    - name: hostname
      description: the host name nginx answers for
      required: true
    - name: tls
      type: boolean
      default: false
  artifacts:
    - name: server
      kustomize:
        path: manifests
`;
}

/** The profile repository's versions of nginx. */
export const NGINX_VERSIONS = ["1.0.0", "1.1.0", "2.0.0"] as const;

/**
 * Creates `profiles` on `server` with nginx tagged `nginx/v1.0.0`, `nginx/v1.1.0` and `nginx/v2.0.0`,
 * and a root-less `redis` profile tagged `redis/v0.1.0`.
 */
async function createProfileRepository(server: GitServer): Promise<string> {
  const repo = await server.createRepository("profiles");
  for (const version of NGINX_VERSIONS) {
    await repo.commit({
      "nginx/profile.yaml": nginxProfile(version),
      "nginx/manifests/configmap.yaml": `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: nginx\ndata:\n  version: "${version}"\n`,
    });
    await repo.tag(`nginx/v${version}`);
  }
  await repo.commit({
    "redis/profile.yaml": `apiVersion: profiles.pctl.dev/v1alpha1
kind: Profile
metadata:
  name: redis
spec:
  description: Redis cache
  artifacts:
    - name: cache
      kustomize:
        path: manifests
`,
    "redis/manifests/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: redis\n",
  });
  await repo.tag("redis/v0.1.0");
  return server.urlOf("profiles");
}

/** Writes a ProfileCatalogSource `company` in `platform` scanning `url`; returns the file's path. */
export async function writeCatalogFile(dir: string, url: string): Promise<string> {
  const path = join(dir, "catalog.yaml");
  await writeFile(
    path,
    `apiVersion: profiles.pctl.dev/v1alpha1
kind: ProfileCatalogSource
metadata:
  name: company
  namespace: platform
spec:
  repositories:
    - url: ${url}
`,
  );
  return path;
}

/** A git server with the profile repository, and a catalog file naming it. */
export interface ProfileRepositoryFixture {
  readonly server: GitServer;
  /** The profile repository ({@link createProfileRepository}). */
  readonly profilesUrl: string;
  /** A fresh temporary directory holding the catalog file; the caller removes it. */
  readonly catalogDir: string;
  /** The catalog file ({@link writeCatalogFile}). */
  readonly catalog: string;
}

/** Starts a git server with the profile repository and writes a catalog file naming it. */
export async function startProfileRepository(): Promise<ProfileRepositoryFixture> {
  const server = await GitServer.create();
  const profilesUrl = await createProfileRepository(server);
  const catalogDir = await tempDir();
  const catalog = await writeCatalogFile(catalogDir, profilesUrl);
  return { server, profilesUrl, catalogDir, catalog };
}

/** A test file's profile repository and catalog file, and what its tests leave behind. */
export interface CliTestFixture extends Omit<ProfileRepositoryFixture, "catalogDir"> {
  /** A GitOps repository ({@link createGitOpsRepository}), removed after the file's tests. */
  gitops(name: string): Promise<GitOpsFixture>;
  /** Removes `path` after the file's tests. */
  removeLater(path: string): void;
}

/**
 * Starts {@link startProfileRepository} before the calling file's tests and, after them, stops the
 * server and removes every directory made for them. The fields can be read once the tests run.
 */
export function useProfileRepository(): CliTestFixture {
  let started: ProfileRepositoryFixture | undefined;
  const directories: string[] = [];
  beforeAll(async () => {
    started = await startProfileRepository();
    directories.push(started.catalogDir);
  });
  afterAll(async () => {
    await started?.server.close();
    await removeAll(directories);
  });
  const running = (): ProfileRepositoryFixture => {
    if (started === undefined)
      throw new Error("the profile repository starts in beforeAll: read it in a test");
    return started;
  };
  return {
    get server() {
      return running().server;
    },
    get profilesUrl() {
      return running().profilesUrl;
    },
    get catalog() {
      return running().catalog;
    },
    async gitops(name) {
      const repo = await createGitOpsRepository(running().server, name);
      directories.push(repo.dir);
      return repo;
    },
    removeLater(path) {
      directories.push(path);
    },
  };
}

/** A GitOps repository on the server and a clone of it to run pctl in. */
export interface GitOpsFixture {
  /** The clone's working tree. */
  readonly dir: string;
  /** The bare repository on the server. */
  readonly bareDir: string;
  readonly url: string;
}

/**
 * Creates `name` on `server` (requiring basic auth `pctl:secret`) with a README on `main`, and clones
 * it into a temporary directory with the git CLI.
 */
export async function createGitOpsRepository(server: GitServer, name = "gitops"): Promise<GitOpsFixture> {
  const repo = await server.createRepository(name, { auth: { username: "pctl", password: "secret" } });
  await repo.commit({ "README.md": "# GitOps\n", "clusters/dev/.keep": "" });
  const dir = await tempDir("pctl-gitops-");
  const url = server.urlOf(name);
  await git(dir, ["init", "--quiet", "--initial-branch=main"]);
  await git(dir, ["fetch", "--quiet", repo.bareDir, "main"]);
  await git(dir, ["reset", "--quiet", "--hard", "FETCH_HEAD"]);
  await git(dir, ["remote", "add", "origin", url]);
  await git(dir, ["config", "user.name", "Pat Operator"]);
  await git(dir, ["config", "user.email", "pat@example.com"]);
  return { dir, bareDir: repo.bareDir, url };
}

/** One request the fake provider received. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: unknown;
}

/**
 * A stand-in for a provider's API: records every request and answers a pull-request creation with
 * `answer` (GitHub and Gitea's `{ number, html_url }` or GitLab's `{ iid, web_url }`).
 */
export async function startFakeProvider(answer: object, status = 201) {
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString();
      requests.push({
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        body: text ? JSON.parse(text) : undefined,
      });
      res.writeHead(status, { "Content-Type": "application/json" });
      res.end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}

/** Writes `files` (paths relative to `dir`) creating directories as needed. */
export async function writeFiles(dir: string, files: Readonly<Record<string, string>>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
}
