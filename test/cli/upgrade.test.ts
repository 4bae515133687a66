import { chmod, readFile, writeFile } from "node:fs/promises";
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
} from "./support.js";

const fixture = useProfileRepository();

const SUBSCRIPTION = "clusters/dev/web/profile-subscription.yaml";

/** A GitOps repository with `web` (catalog, nginx 1.0.0, hand-edited) and `cache` (git tag redis/v0.1.0). */
async function installed(name: string): Promise<GitOpsFixture> {
  const repo = await fixture.gitops(name);
  const web = await runPctl(
    [
      "install",
      "company/nginx@1.0.0",
      "--name",
      "web",
      "--namespace",
      "team-a",
      "--param",
      "hostname=web.example.com",
      "--out",
      "clusters/dev",
      "--catalog",
      fixture.catalog,
    ],
    { cwd: repo.dir },
  );
  expect(web.code, web.stderr).toBe(0);
  const cache = await runPctl(
    [
      "install",
      "--url",
      fixture.profilesUrl,
      "--tag",
      "redis/v0.1.0",
      "--name",
      "cache",
      "--out",
      "clusters/dev",
    ],
    { cwd: repo.dir },
  );
  expect(cache.code, cache.stderr).toBe(0);
  // The user's own edits: a comment on the version, and a parameter changed by hand.
  const path = join(repo.dir, SUBSCRIPTION);
  const text = await readFile(path, "utf8");
  await writeFile(
    path,
    text
      .replace("    version: 1.0.0", "    version: 1.0.0 # pinned until the load test\n")
      .replace(
        "hostname: web.example.com",
        "hostname: www.example.com\n    # more replicas for the launch\n    replicas: 5",
      ),
  );
  await git(repo.dir, ["add", "-A"]);
  await git(repo.dir, ["commit", "--quiet", "-m", "install web and cache"]);
  return repo;
}

describe("pctl list and pctl outdated", () => {
  it("list shows every subscription with the updates its catalog or its tags offer", async () => {
    const repo = await installed("list");
    const result = await runPctl(["list", "--catalog", fixture.catalog], { cwd: join(repo.dir, "clusters") });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const width = fixture.profilesUrl.length;
    expect(result.stdout.split("\n")).toEqual([
      `NAMESPACE   NAME    ${"SOURCE".padEnd(width)}   VERSION   READY   AVAILABLE UPDATES`,
      `default     cache   ${fixture.profilesUrl}   0.1.0     -       -`,
      `team-a      web     ${"company/nginx".padEnd(width)}   1.0.0     -       1.1.0, 2.0.0`,
      "",
    ]);
  });

  it("outdated lists only subscriptions with updates and exits 1; 0 once they are upgraded", async () => {
    const repo = await installed("outdated");
    const before = await runPctl(["outdated", "--catalog", fixture.catalog, "-o", "json"], { cwd: repo.dir });
    expect(before.code).toBe(1);
    expect(JSON.parse(before.stdout)).toEqual([
      expect.objectContaining({
        namespace: "team-a",
        name: "web",
        version: "1.0.0",
        availableUpdates: ["1.1.0", "2.0.0"],
      }),
    ]);
    const upgrade = await runPctl(["upgrade", "web", "--latest", "--catalog", fixture.catalog], {
      cwd: repo.dir,
    });
    expect(upgrade.code, upgrade.stderr).toBe(0);
    const after = await runPctl(["outdated", "--catalog", fixture.catalog], { cwd: repo.dir });
    expect(after.code).toBe(0);
    expect(after.stdout).toBe("");
    expect(after.stderr).toContain("Every subscription is up to date.");
  });

  it("list --cluster adds READY from kubectl", async () => {
    const repo = await installed("list-cluster");
    const bin = await tempDir();
    fixture.removeLater(bin);
    const items = {
      items: [
        {
          metadata: { name: "web", namespace: "team-a" },
          spec: { catalog: { catalog: "company", profile: "nginx" } },
          status: {
            conditions: [{ type: "Ready", status: "True", reason: "Succeeded" }],
            resolved: { version: "1.0.0" },
          },
        },
      ],
    };
    await writeFile(
      join(bin, "kubectl"),
      `#!/bin/sh\necho "$@" > "${bin}/args"\ncat <<'JSON'\n${JSON.stringify(items)}\nJSON\n`,
    );
    await chmod(join(bin, "kubectl"), 0o755);
    const result = await runPctl(["list", "--cluster", "--catalog", fixture.catalog, "-o", "json"], {
      cwd: repo.dir,
      env: baseEnv({ PATH: `${bin}:${process.env.PATH}` }),
    });
    expect(result.code, result.stderr).toBe(0);
    expect(await readFile(join(bin, "args"), "utf8")).toBe(
      "get profilesubscriptions.profiles.pctl.dev -A -o json\n",
    );
    const rows = JSON.parse(result.stdout) as { name: string; ready?: string }[];
    expect(rows.map((r) => [r.name, r.ready])).toEqual([
      ["cache", undefined],
      ["web", "True (Succeeded)"],
    ]);
  });

  it("list outside a git repository says where to run it", async () => {
    const dir = await tempDir();
    fixture.removeLater(dir);
    const result = await runPctl(["list"], { cwd: dir });
    expect(result.code).toBe(8);
    expect(result.stderr).toMatch(/^error: .* is not inside a git repository$/m);
    expect(result.stderr).toMatch(/^hint: cd into a clone of your GitOps repository/m);
  });
});

describe("pctl upgrade", () => {
  it("changes only the version, keeping the user's comments and edits", async () => {
    const repo = await installed("upgrade-keep");
    const before = await readFile(join(repo.dir, SUBSCRIPTION), "utf8");
    const result = await runPctl(["upgrade", "team-a/web", "1.1.0", "--catalog", fixture.catalog], {
      cwd: repo.dir,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`team-a/web     ${SUBSCRIPTION}   1.0.0   1.1.0`);
    const after = await readFile(join(repo.dir, SUBSCRIPTION), "utf8");
    expect(after).toBe(before.replace("version: 1.0.0 # pinned", "version: 1.1.0 # pinned"));
    expect(after).toContain("# more replicas for the launch\n    replicas: 5");
  });

  it("moves a git subscription to the tag of the new version, in the same spelling", async () => {
    const tool = await fixture.server.createRepository("tool");
    const profile = (v: string) =>
      `apiVersion: profiles.pctl.dev/v1alpha1\nkind: Profile\nmetadata:\n  name: tool\nspec:\n  description: tool ${v}\n  artifacts:\n    - name: app\n      kustomize: { path: manifests }\n`;
    for (const v of ["1.0.0", "1.1.0"]) {
      await tool.commit({ "profile.yaml": profile(v) });
      await tool.tag(`v${v}`);
    }
    const repo = await installed("upgrade-tag");
    const install = await runPctl(["install", "--url", fixture.server.urlOf("tool"), "--tag", "v1.0.0"], {
      cwd: repo.dir,
    });
    expect(install.code, install.stderr).toBe(0);
    const result = await runPctl(["upgrade", "tool", "--latest"], { cwd: repo.dir });
    expect(result.code, result.stderr).toBe(0);
    expect(await readFile(join(repo.dir, "tool/profile-subscription.yaml"), "utf8")).toContain(
      "    tag: v1.1.0\n",
    );
    const again = await runPctl(["upgrade", "cache", "--latest"], { cwd: repo.dir });
    expect(again.code).toBe(0);
    expect(again.stderr).toContain("default/cache is already on the latest version, 0.1.0");
  });

  it("--latest when already on the latest says so and exits 0", async () => {
    const repo = await installed("upgrade-latest");
    expect(
      (await runPctl(["upgrade", "web", "--latest", "--catalog", fixture.catalog], { cwd: repo.dir })).code,
    ).toBe(0);
    const again = await runPctl(["upgrade", "web", "--latest", "--catalog", fixture.catalog], {
      cwd: repo.dir,
    });
    expect(again.code).toBe(0);
    expect(again.stderr).toContain("team-a/web is already on the latest version, 2.0.0");
  });

  it("a version that does not exist fails with the versions there are", async () => {
    const repo = await installed("upgrade-missing");
    const result = await runPctl(["upgrade", "web", "1.5.0", "--catalog", fixture.catalog], {
      cwd: repo.dir,
    });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/^error: version 1\.5\.0 of team-a\/web's profile does not exist$/m);
    expect(result.stderr).toMatch(/^hint: pick one of: 1\.0\.0, 1\.1\.0, 2\.0\.0$/m);
  });

  it("refuses a downgrade unless --allow-downgrade", async () => {
    const repo = await installed("upgrade-down");
    expect(
      (await runPctl(["upgrade", "web", "2.0.0", "--catalog", fixture.catalog], { cwd: repo.dir })).code,
    ).toBe(0);
    const refused = await runPctl(["upgrade", "web", "1.1.0", "--catalog", fixture.catalog], {
      cwd: repo.dir,
    });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /^error: 1\.1\.0 is older than 2\.0\.0: refusing to downgrade team-a\/web$/m,
    );
    expect(refused.stderr).toMatch(/^hint: pass --allow-downgrade/m);
    const allowed = await runPctl(
      ["upgrade", "web", "1.1.0", "--allow-downgrade", "--catalog", fixture.catalog],
      {
        cwd: repo.dir,
      },
    );
    expect(allowed.code).toBe(0);
  });

  it("fails on an unknown subscription, naming the ones there are", async () => {
    const repo = await installed("upgrade-unknown");
    const result = await runPctl(["upgrade", "nope", "--latest", "--catalog", fixture.catalog], {
      cwd: repo.dir,
    });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/^hint: the subscriptions here are: default\/cache, team-a\/web$/m);
  });

  it("without a version or --latest says which versions there are", async () => {
    const repo = await installed("upgrade-which");
    const result = await runPctl(["upgrade", "web", "--catalog", fixture.catalog], { cwd: repo.dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: which version\? team-a\/web is on 1\.0\.0$/m);
    expect(result.stderr).toMatch(
      /^hint: give a version or --latest; available: 1\.0\.0, 1\.1\.0, 2\.0\.0$/m,
    );
  });

  it("--create-pr commits the edit on a branch and opens a pull request that shows the change", async () => {
    const repo = await installed("upgrade-pr");
    const api = await startFakeProvider({ number: 9, html_url: "https://gitea.example/gitops/pulls/9" });
    try {
      const result = await runPctl(
        [
          "upgrade",
          "web",
          "--latest",
          "--catalog",
          fixture.catalog,
          "--create-pr",
          "--provider",
          "gitea",
          "--api-url",
          api.url,
          "--pr-branch",
          "upgrade-web",
        ],
        {
          cwd: repo.dir,
          env: baseEnv({ PCTL_GIT_USERNAME: "pctl", PCTL_GIT_PASSWORD: "secret", GITEA_TOKEN: "t" }),
        },
      );
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain("pull request #9 opened: https://gitea.example/gitops/pulls/9");
      const clone = await tempDir();
      fixture.removeLater(clone);
      await git(clone, ["clone", "--quiet", "--branch", "upgrade-web", repo.bareDir, "."]);
      expect(await git(clone, ["diff", "--stat", "HEAD~1", "HEAD"])).toContain(SUBSCRIPTION);
      const body = (api.requests[0]!.body as { body: string; title: string; base: string }).body;
      expect((api.requests[0]!.body as { title: string }).title).toBe(
        "Upgrade team-a/web from 1.0.0 to 2.0.0",
      );
      expect(body).toContain("from **1.0.0** to **2.0.0**");
      expect(body).toMatch(
        /```diff\n--- a\/source.toolkit.fluxcd.io\/GitRepository\/team-a\/web[\s\S]*\+ {4}tag: nginx\/v2\.0\.0\n/,
      );
    } finally {
      await api.close();
    }
  });
});
