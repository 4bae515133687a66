import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { git } from "../support/git-repo.js";
import {
  baseEnv,
  type GitOpsFixture,
  runPctl,
  startFakeProvider,
  tempDir,
  useProfileRepository,
  writeFiles,
} from "./support.js";

const fixture = useProfileRepository();

/** The user's kustomization of the cluster, listing both subscriptions' directories. */
const CLUSTER_KUSTOMIZATION = `# Everything the dev cluster runs.
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - web # the shop front
  - ./cache/
`;

/**
 * A GitOps repository with `team-a/web` (catalog, nginx 1.0.0) and `default/cache` (git tag
 * redis/v0.1.0) in `clusters/dev`, whose own kustomization lists both directories; committed and pushed.
 */
async function installed(name: string): Promise<GitOpsFixture> {
  const repo = await fixture.gitops(name);
  const installs = [
    ["company/nginx@1.0.0", "--name", "web", "--namespace", "team-a", "--param", "hostname=web.example.com"],
    ["--url", fixture.profilesUrl, "--tag", "redis/v0.1.0", "--name", "cache"],
  ];
  for (const args of installs) {
    const result = await runPctl(
      ["install", ...args, "--out", "clusters/dev", "--catalog", fixture.catalog],
      {
        cwd: repo.dir,
      },
    );
    expect(result.code, result.stderr).toBe(0);
  }
  await writeFiles(repo.dir, { "clusters/dev/kustomization.yaml": CLUSTER_KUSTOMIZATION });
  await git(repo.dir, ["add", "-A"]);
  await git(repo.dir, ["commit", "--quiet", "-m", "install web and cache"]);
  await git(repo.dir, ["push", "--quiet", repo.bareDir, "main"]);
  return repo;
}

/** Runs `pctl uninstall ...args --create-pr` in `repo` against a stand-in for GitHub's API. */
async function uninstallWithPullRequest(repo: GitOpsFixture, args: readonly string[]) {
  const api = await startFakeProvider({ number: 11, html_url: "https://github.example/gitops/pull/11" });
  try {
    const result = await runPctl(
      ["uninstall", ...args, "--create-pr", "--provider", "github", "--api-url", api.url],
      {
        cwd: repo.dir,
        env: baseEnv({ PCTL_GIT_USERNAME: "pctl", PCTL_GIT_PASSWORD: "secret", GITHUB_TOKEN: "tok" }),
      },
    );
    return { result, requests: api.requests };
  } finally {
    await api.close();
  }
}

describe("pctl uninstall", () => {
  it("deletes the subscription and its directory, and drops the directory from the parent kustomization, keeping its comments", async () => {
    const repo = await installed("uninstall-dir");
    const result = await runPctl(["uninstall", "cache"], { cwd: join(repo.dir, "clusters") });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout.split("\n")).toEqual([
      "SUBSCRIPTION    FILE                                           CHANGE",
      "default/cache   clusters/dev/cache/profile-subscription.yaml   deleted",
      "default/cache   clusters/dev/cache/kustomization.yaml          deleted",
      "default/cache   clusters/dev/kustomization.yaml                edited",
      "",
    ]);
    expect(existsSync(join(repo.dir, "clusters/dev/cache"))).toBe(false);
    expect(await readFile(join(repo.dir, "clusters/dev/kustomization.yaml"), "utf8")).toBe(
      CLUSTER_KUSTOMIZATION.replace("  - ./cache/\n", ""),
    );
    expect(existsSync(join(repo.dir, "clusters/dev/web/profile-subscription.yaml"))).toBe(true);
  });

  it("keeps a directory that holds more, dropping only the subscription from its kustomization and keeping the user's comment", async () => {
    const repo = await installed("uninstall-keep");
    const kustomization = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - profile-subscription.yaml
  # the shop's own settings, kept when the profile goes
  - settings.yaml
`;
    await writeFiles(repo.dir, {
      "clusters/dev/web/kustomization.yaml": kustomization,
      "clusters/dev/web/settings.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shop\n",
    });
    const result = await runPctl(["remove", "web", "--namespace", "team-a", "-o", "json"], { cwd: repo.dir });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      name: "team-a/web",
      file: "clusters/dev/web/profile-subscription.yaml",
      source: "company/nginx",
      version: "1.0.0",
      changes: [
        { file: "clusters/dev/web/profile-subscription.yaml", change: "deleted" },
        { file: "clusters/dev/web/kustomization.yaml", change: "edited" },
      ],
    });
    expect(await readFile(join(repo.dir, "clusters/dev/web/kustomization.yaml"), "utf8")).toBe(
      kustomization.replace("  - profile-subscription.yaml\n", ""),
    );
    expect(existsSync(join(repo.dir, "clusters/dev/web/profile-subscription.yaml"))).toBe(false);
    expect(await readFile(join(repo.dir, "clusters/dev/kustomization.yaml"), "utf8")).toBe(
      CLUSTER_KUSTOMIZATION,
    );
  });

  it("--create-pr pushes a branch with one commit deleting the subscription and opens a pull request naming what goes", async () => {
    const repo = await installed("uninstall-pr");
    const { result, requests } = await uninstallWithPullRequest(repo, [
      "team-a/web",
      "--catalog",
      fixture.catalog,
      "--pr-branch",
      "uninstall-web",
    ]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("pull request #11 opened: https://github.example/gitops/pull/11");

    const clone = await tempDir();
    fixture.removeLater(clone);
    await git(clone, ["clone", "--quiet", "--branch", "uninstall-web", repo.bareDir, "."]);
    expect(await git(clone, ["log", "--format=%an|%s", "origin/main..HEAD"])).toBe(
      "Pat Operator|Uninstall team-a/web (company/nginx 1.0.0)",
    );
    expect((await git(clone, ["show", "--name-status", "--format=", "HEAD"])).split("\n")).toEqual([
      "M\tclusters/dev/kustomization.yaml",
      "D\tclusters/dev/web/kustomization.yaml",
      "D\tclusters/dev/web/profile-subscription.yaml",
    ]);

    expect(requests).toHaveLength(1);
    const [request] = requests;
    expect(request!.method).toBe("POST");
    expect(request!.path).toBe("/repos/uninstall-pr/pulls");
    expect(request!.headers.authorization).toBe("Bearer tok");
    const body = request!.body as { title: string; head: string; base: string; body: string };
    expect(body).toMatchObject({
      title: "Uninstall team-a/web (company/nginx 1.0.0)",
      head: "uninstall-web",
      base: "main",
    });
    expect(body.body).toContain(
      "the ProfileSubscription `team-a/web` (`clusters/dev/web/profile-subscription.yaml`), which installed **company/nginx** at **1.0.0**",
    );
    expect(body.body).toContain("- deleted `clusters/dev/web/profile-subscription.yaml`");
    expect(body.body).toContain("- `source.toolkit.fluxcd.io/GitRepository/team-a/web`");
  });

  it("--create-pr says in the pull request when the subscription cannot be rendered, and goes on", async () => {
    const repo = await installed("uninstall-pr-norender");
    // Without --catalog the catalog subscription cannot be resolved, so it cannot be rendered.
    const { result, requests } = await uninstallWithPullRequest(repo, ["web", "-o", "json"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain("the pull request does not list the objects that go: rendering failed");
    expect(JSON.parse(result.stdout)).toMatchObject({
      name: "team-a/web",
      pullRequest: { pullRequest: { number: 11 } },
    });
    const body = (requests[0]!.body as { body: string }).body;
    expect(body).toContain("The objects it installed are not listed: rendering it failed:");
    expect(body).toContain("which installed **company/nginx** at **1.0.0**");
  });

  it("fails on an unknown subscription, naming the ones there are", async () => {
    const repo = await installed("uninstall-unknown");
    const result = await runPctl(["uninstall", "nope"], { cwd: repo.dir });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/^error: no ProfileSubscription named nope in this repository$/m);
    expect(result.stderr).toMatch(/^hint: the subscriptions here are: default\/cache, team-a\/web$/m);
    expect(await git(repo.dir, ["status", "--porcelain"])).toBe("");
  });

  it("outside a git repository says where to run it", async () => {
    const dir = await tempDir();
    fixture.removeLater(dir);
    const result = await runPctl(["uninstall", "web"], { cwd: dir });
    expect(result.code).toBe(8);
    expect(result.stderr).toMatch(/^error: .* is not inside a git repository$/m);
    expect(result.stderr).toMatch(/^hint: cd into a clone of your GitOps repository/m);
  });

  it("--help describes the verb, its alias and the pull-request options", async () => {
    const dir = await tempDir();
    fixture.removeLater(dir);
    const result = await runPctl(["uninstall", "--help"], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Usage: pctl uninstall|remove [options] <name>");
    expect(result.stdout).toContain("--namespace <namespace>");
    expect(result.stdout).toContain("--create-pr");
    expect(result.stdout).toContain("pctl uninstall web --namespace team-a --create-pr");
  });
});
