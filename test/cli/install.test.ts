import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseYaml } from "../../crds/yaml.js";
import { git } from "../support/git-repo.js";
import { baseEnv, runPctl, startFakeProvider, tempDir, useProfileRepository } from "./support.js";

const fixture = useProfileRepository();

async function readYaml(path: string): Promise<unknown> {
  return parseYaml(await readFile(path, "utf8"));
}

describe("pctl install", () => {
  it("writes a catalog subscription and its kustomization, with paths from the repository root", async () => {
    const repo = await fixture.gitops("install-catalog");
    const result = await runPctl(
      [
        "install",
        "company/nginx@1.1.0",
        "--catalog",
        fixture.catalog,
        "--param",
        "hostname=web.example.com",
        "--param",
        "replicas=3",
        "--name",
        "web",
        "--namespace",
        "team-a",
        "--out",
        ".",
      ],
      { cwd: join(repo.dir, "clusters/dev") },
    );
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("clusters/dev/web/profile-subscription.yaml");
    expect(await readYaml(join(repo.dir, "clusters/dev/web/profile-subscription.yaml"))).toEqual({
      apiVersion: "profiles.pctl.dev/v1alpha1",
      kind: "ProfileSubscription",
      metadata: { name: "web", namespace: "team-a" },
      spec: {
        catalog: { catalog: "company", namespace: "platform", profile: "nginx", version: "1.1.0" },
        parameters: { hostname: "web.example.com", replicas: 3 },
      },
    });
    expect(await readYaml(join(repo.dir, "clusters/dev/web/kustomization.yaml"))).toEqual({
      apiVersion: "kustomize.config.k8s.io/v1beta1",
      kind: "Kustomization",
      resources: ["profile-subscription.yaml"],
    });
  });

  it("installs from a URL with a tag, notes it is not in any catalog, and records parametersFrom", async () => {
    const repo = await fixture.gitops("install-url");
    const other = await fixture.server.createRepository("elsewhere");
    await other.commit({
      "profile.yaml":
        "apiVersion: profiles.pctl.dev/v1alpha1\nkind: Profile\nmetadata:\n  name: tool\nspec:\n  description: a tool\n  parameters:\n    - { name: token, required: true }\n  artifacts:\n    - name: app\n      kustomize: { path: manifests }\n",
    });
    await other.tag("v0.3.0");
    const result = await runPctl(
      [
        "install",
        "--url",
        fixture.server.urlOf("elsewhere"),
        "--tag",
        "v0.3.0",
        "--catalog",
        fixture.catalog,
        "--config-secret",
        "tool-params",
        "--target-namespace",
        "tools",
        "-o",
        "json",
      ],
      { cwd: repo.dir },
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("not in any catalog");
    const output = JSON.parse(result.stdout) as { files: string[] };
    expect(output.files).toEqual(["tool/profile-subscription.yaml", "tool/kustomization.yaml"]);
    expect(await readYaml(join(repo.dir, "tool/profile-subscription.yaml"))).toMatchObject({
      metadata: { name: "tool", namespace: "default" },
      spec: {
        source: { url: fixture.server.urlOf("elsewhere"), tag: "v0.3.0" },
        targetNamespace: "tools",
        parametersFrom: [{ kind: "Secret", name: "tool-params" }],
      },
    });
  });

  it("writes per-artifact values from --values", async () => {
    const repo = await fixture.gitops("install-values");
    const values = join(repo.dir, "values.yaml");
    await writeFile(values, "server:\n  replicaCount: 5\n");
    const result = await runPctl(
      [
        "install",
        "--url",
        fixture.profilesUrl,
        "--semver",
        "^1",
        "--path",
        "nginx",
        "--param",
        "hostname=h",
        "--values",
        "values.yaml",
      ],
      { cwd: repo.dir },
    );
    expect(result.stderr).toContain("not installed from a catalog");
    expect(result.code).toBe(0);
    expect(await readYaml(join(repo.dir, "nginx/profile-subscription.yaml"))).toMatchObject({
      spec: {
        source: { url: fixture.profilesUrl, semver: "^1", path: "nginx" },
        artifacts: { server: { values: { replicaCount: 5 } } },
      },
    });
  });

  describe("fails with a message, a hint and a non-zero exit", () => {
    const cases: { name: string; args: string[]; code: number; message: RegExp; hint: RegExp }[] = [
      {
        name: "a catalog profile and --url together",
        args: ["install", "company/nginx", "--url", "https://example.com/p.git", "--tag", "v1.0.0"],
        code: 2,
        message: /both a catalog profile \(company\/nginx\) and --url were given/,
        hint: /install either from a catalog/,
      },
      {
        name: "neither a profile nor --url",
        args: ["install"],
        code: 2,
        message: /neither <catalog>\/<profile> nor --url was given/,
        hint: /pctl search/,
      },
      {
        name: "--url without a ref",
        args: ["install", "--url", "https://example.com/p.git"],
        code: 2,
        message: /--url needs a ref/,
        hint: /--tag/,
      },
      {
        name: "an unknown profile",
        args: ["install", "company/nope"],
        code: 3,
        message: /profile company\/nope not found/,
        hint: /pctl search nope/,
      },
      {
        name: "a version that does not exist",
        args: ["install", "company/nginx@9.9.9", "--param", "hostname=h"],
        code: 3,
        message: /available: 1\.0\.0, 1\.1\.0, 2\.0\.0/,
        hint: /company\/nginx@2\.0\.0/,
      },
      {
        name: "an unknown parameter",
        args: ["install", "company/nginx", "--param", "replica=3"],
        code: 2,
        message: /has no parameter "replica"/,
        hint: /replicas, hostname, tls/,
      },
      {
        name: "a parameter of the wrong type",
        args: ["install", "company/nginx", "--param", "hostname=h", "--param", "replicas=many"],
        code: 2,
        message: /replicas must be an integer/,
        hint: /--param replicas=3/,
      },
      {
        name: "a required parameter left out",
        args: ["install", "company/nginx"],
        code: 2,
        message: /requires hostname/,
        hint: /--config-map/,
      },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const repo = await fixture.gitops(`fail-${cases.indexOf(c)}`);
        const result = await runPctl([...c.args, "--catalog", fixture.catalog], { cwd: repo.dir });
        expect(result.code).toBe(c.code);
        expect(result.stderr).toMatch(/^error: /m);
        expect(result.stderr).toMatch(c.message);
        expect(result.stderr).toMatch(new RegExp(`^hint: .*${c.hint.source}`, "m"));
      });
    }

    it("--create-pr outside a git repository", async () => {
      const dir = await tempDir();
      fixture.removeLater(dir);
      const result = await runPctl(
        ["install", "company/redis", "--catalog", fixture.catalog, "--create-pr"],
        {
          cwd: dir,
        },
      );
      expect(result.code).toBe(8);
      expect(result.stderr).toMatch(/error: .* is not inside a git repository/);
      expect(result.stderr).toMatch(/hint: cd into a clone of your GitOps repository/);
    });

    it("--create-pr in a repository without a remote, before any file is written", async () => {
      const repo = await fixture.gitops("no-remote");
      await git(repo.dir, ["remote", "remove", "origin"]);
      const result = await runPctl(
        ["install", "company/redis", "--catalog", fixture.catalog, "--create-pr"],
        {
          cwd: repo.dir,
        },
      );
      expect(result.code).toBe(8);
      expect(result.stderr).toMatch(/error: the repository has no remote "origin"/);
      expect(result.stderr).toMatch(/hint: add the remote with `git remote add origin <url>`/);
      expect(await git(repo.dir, ["status", "--porcelain"])).toBe("");
    });
  });
});

describe("pctl install --create-pr", () => {
  const providers = [
    {
      provider: "github",
      tokenVariable: "GITHUB_TOKEN",
      answer: { number: 7, html_url: "https://github.example/gitops/pull/7" },
      path: "/repos/install-pr-github/pulls",
      auth: "Bearer tok-github",
      body: (branch: string) => ({
        title: expect.stringContaining("Install company/redis 0.1.0"),
        head: branch,
        base: "main",
        body: expect.stringContaining("redis/profile-subscription.yaml"),
      }),
      link: "https://github.example/gitops/pull/7",
    },
    {
      provider: "gitlab",
      tokenVariable: "GITLAB_TOKEN",
      answer: { iid: 12, web_url: "https://gitlab.example/gitops/-/merge_requests/12" },
      path: "/projects/install-pr-gitlab/merge_requests",
      auth: undefined,
      body: (branch: string) => ({
        title: expect.stringContaining("Install company/redis"),
        source_branch: branch,
        target_branch: "main",
        description: expect.stringContaining("redis/profile-subscription.yaml"),
      }),
      link: "https://gitlab.example/gitops/-/merge_requests/12",
    },
    {
      provider: "gitea",
      tokenVariable: "GITEA_TOKEN",
      answer: { number: 3, html_url: "https://gitea.example/gitops/pulls/3" },
      path: "/repos/install-pr-gitea/pulls",
      auth: "token tok-gitea",
      body: (branch: string) => ({
        title: expect.stringContaining("Install company/redis"),
        head: branch,
        base: "main",
        body: expect.stringContaining("redis/profile-subscription.yaml"),
      }),
      link: "https://gitea.example/gitops/pulls/3",
    },
  ] as const;

  for (const p of providers) {
    it(`pushes a branch with one commit and opens the pull request through the ${p.provider} API`, async () => {
      const repo = await fixture.gitops(`install-pr-${p.provider}`);
      const api = await startFakeProvider(p.answer);
      try {
        const result = await runPctl(
          [
            "install",
            "company/redis",
            "--catalog",
            fixture.catalog,
            "--create-pr",
            "--provider",
            p.provider,
            "--api-url",
            api.url,
            "--pr-branch",
            `add-redis-${p.provider}`,
            "-o",
            "json",
          ],
          {
            cwd: repo.dir,
            env: baseEnv({
              PCTL_GIT_USERNAME: "pctl",
              PCTL_GIT_PASSWORD: "secret",
              [p.tokenVariable]: `tok-${p.provider}`,
            }),
          },
        );
        expect(result.stderr).toBe("");
        expect(result.code).toBe(0);
        const output = JSON.parse(result.stdout) as {
          pullRequest: { branch: string; commit: string; pullRequest: { url: string } };
        };
        const branch = `add-redis-${p.provider}`;
        expect(output.pullRequest.branch).toBe(branch);
        expect(output.pullRequest.pullRequest.url).toBe(p.link);

        const remote = await git(repo.dir, ["ls-remote", repo.bareDir, `refs/heads/${branch}`]);
        expect(remote).toBe(`${output.pullRequest.commit}\trefs/heads/${branch}`);
        const clone = await tempDir();
        fixture.removeLater(clone);
        await git(clone, ["clone", "--quiet", "--branch", branch, repo.bareDir, "."]);
        expect(await git(clone, ["log", "--format=%an <%ae>|%s", "origin/main..HEAD"])).toBe(
          "Pat Operator <pat@example.com>|Install company/redis 0.1.0 as default/redis",
        );
        expect((await git(clone, ["show", "--name-only", "--format=", "HEAD"])).split("\n")).toEqual([
          "redis/kustomization.yaml",
          "redis/profile-subscription.yaml",
        ]);

        expect(api.requests).toHaveLength(1);
        const [request] = api.requests;
        expect(request!.method).toBe("POST");
        expect(request!.path).toBe(p.path);
        if (p.provider === "gitlab") expect(request!.headers["private-token"]).toBe("tok-gitlab");
        else expect(request!.headers.authorization).toBe(p.auth);
        expect(request!.headers["content-type"]).toBe("application/json");
        expect(request!.body).toEqual(p.body(branch));
      } finally {
        await api.close();
      }
    });
  }

  it("without an API token pushes the branch and prints where to open the pull request", async () => {
    const repo = await fixture.gitops("install-pr-manual");
    const result = await runPctl(
      [
        "install",
        "company/redis",
        "--catalog",
        fixture.catalog,
        "--create-pr",
        "--provider",
        "github",
        "--pr-branch",
        "manual",
      ],
      {
        cwd: repo.dir,
        env: baseEnv({ PCTL_GIT_TOKEN: "secret", PCTL_GIT_USERNAME: "pctl", PCTL_GIT_PASSWORD: "secret" }),
      },
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("no github API token (set PCTL_PR_TOKEN or GITHUB_TOKEN or GH_TOKEN)");
    expect(result.stdout).toContain(
      `open the pull request into main: ${fixture.server.url}/install-pr-manual/compare/main...manual?expand=1`,
    );
    expect(await git(repo.dir, ["ls-remote", repo.bareDir, "refs/heads/manual"])).toMatch(
      /^[0-9a-f]{40}\trefs\/heads\/manual$/,
    );
  });

  it("reports a refused push with a hint about credentials", async () => {
    const repo = await fixture.gitops("install-pr-denied");
    const result = await runPctl(
      ["install", "company/redis", "--catalog", fixture.catalog, "--create-pr", "--provider", "github"],
      {
        cwd: repo.dir,
      },
    );
    expect(result.code).toBe(5);
    expect(result.stderr).toMatch(/error: .*install-pr-denied refused the push: no credentials were found/);
    expect(result.stderr).toMatch(/hint: set PCTL_GIT_TOKEN/);
  });
});
