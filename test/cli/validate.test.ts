import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatProblems, type ValidationProblem, validateRepository } from "../../cli/validate.js";
import { git } from "../support/git-repo.js";
import { GitServer } from "../support/git-server.js";
import { CACHE_CHART, dependentProfile, HelmRepoServer, writeFiles } from "../support/helm-repo.js";

const run = promisify(execFile);
const corpus = join(import.meta.dirname, "fixtures", "broken");
const pctl = join(import.meta.dirname, "..", "..", "cli", "bin", "pctl.js");
const ownUrl = "https://git.example.com/org/profiles";

const errorsOf = (problems: readonly ValidationProblem[]) => problems.filter((p) => p.severity === "error");

/** Each fixture holds exactly one defect: the one error validate must report, at its file and line. */
const defects: readonly { defect: string; file: string; line: number; rule: string; message: RegExp }[] = [
  { defect: "yaml-syntax", file: "web/profile.yaml", line: 14, rule: "yaml", message: /bad indentation/ },
  {
    defect: "unknown-field",
    file: "web/profile.yaml",
    line: 14,
    rule: "schema",
    message: /kustomize\.pathes: unknown field/,
  },
  {
    defect: "duplicate-artifact",
    file: "web/profile.yaml",
    line: 14,
    rule: "schema",
    message: /artifacts\[1\]\.name: duplicate name config/,
  },
  {
    defect: "name-mismatch",
    file: "web/profile.yaml",
    line: 4,
    rule: "name",
    message: /webserver but the directory is web/,
  },
  {
    defect: "missing-path",
    file: "web/profile.yaml",
    line: 10,
    rule: "path",
    message: /path manifest is not a directory/,
  },
  {
    defect: "dotdot-path",
    file: "web/profile.yaml",
    line: 13,
    rule: "schema",
    message: /must not contain '\.\.'/,
  },
  {
    defect: "path-escape",
    file: "web/profile.yaml",
    line: 13,
    rule: "path",
    message: /leads outside the profile directory/,
  },
  {
    defect: "no-chart-yaml",
    file: "web/profile.yaml",
    line: 16,
    rule: "path",
    message: /charts\/web holds no Chart\.yaml/,
  },
  {
    defect: "helm-lint",
    file: "web/charts/web/templates/configmap.yaml",
    line: 7,
    rule: "helm-lint",
    message: /resources\.limits\.memory/,
  },
  {
    defect: "kustomize-build",
    file: "web/profile.yaml",
    line: 13,
    rule: "kustomize-build",
    message: /nonexistent key: missing/,
  },
  {
    defect: "nested-missing",
    file: "web/profile.yaml",
    line: 16,
    rule: "nested-source",
    message: /no profile\.yaml in redis/,
  },
  {
    defect: "nesting-cycle",
    file: "web/profile.yaml",
    line: 16,
    rule: "nesting-cycle",
    message: /cache -> web -> cache/,
  },
  {
    defect: "depends-on-cycle",
    file: "web/profile.yaml",
    line: 10,
    rule: "schema",
    message: /loop: config -> extra -> config/,
  },
  {
    defect: "undeclared-parameter",
    file: "web/profile.yaml",
    line: 20,
    rule: "parameter",
    message: /\$\{hostname\}/,
  },
  {
    defect: "unused-parameter",
    file: "web/profile.yaml",
    line: 10,
    rule: "parameter",
    message: /parameter replicas is declared but/,
  },
  {
    defect: "undeclared-in-manifest",
    file: "web/manifests/configmap.yaml",
    line: 7,
    rule: "parameter",
    message: /\$\{team\}/,
  },
];

describe("pctl validate", () => {
  describe("finds the one defect of each broken profile at its file and line", () => {
    it.each(defects)("$defect", async ({ defect, file, line, rule, message }) => {
      const problems = await validateRepository(join(corpus, defect), {
        offline: true,
        repositoryUrl: ownUrl,
      });
      const errors = errorsOf(problems);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ file, line, rule });
      expect(errors[0]?.message).toMatch(message);
    });

    it("covers every fixture of the corpus", async () => {
      const { readdir } = await import("node:fs/promises");
      const fixtures = (await readdir(corpus)).sort();
      const tested = [...defects.map((d) => d.defect), "bad-tag", "nested-unresolvable"].sort();
      expect(fixtures).toEqual(tested);
    });
  });

  describe("against git", () => {
    let server: GitServer;
    let scratch: string;
    beforeAll(async () => {
      server = await GitServer.create();
      const shared = await server.createRepository("shared");
      await shared.commit({
        "redis/profile.yaml": `apiVersion: profiles.pctl.dev/v1alpha1
kind: Profile
metadata: { name: redis }
spec:
  description: redis
  artifacts: [{ name: redis, chart: { url: "https://charts.example.com", name: redis } }]
`,
      });
      await shared.tag("redis/v1.0.0");
      scratch = await mkdtemp(join(tmpdir(), "pctl-validate-"));
    });
    afterAll(async () => {
      await server.close();
      await rm(scratch, { recursive: true, force: true });
    });

    const env = { ...process.env, PCTL_ALLOW_HTTP: "true", PCTL_ALLOW_LOOPBACK: "true" };

    it("reports a nested source whose tag does not exist, and accepts one that does", async () => {
      const dir = join(scratch, "nested-unresolvable");
      await cp(join(corpus, "nested-unresolvable"), dir, { recursive: true });
      const file = join(dir, "web", "profile.yaml");
      await writeFile(file, (await readFile(file, "utf8")).replace("__GIT_SERVER__", server.url));
      Object.assign(process.env, { PCTL_ALLOW_HTTP: "true", PCTL_ALLOW_LOOPBACK: "true" });
      try {
        const problems = errorsOf(await validateRepository(dir));
        expect(problems).toHaveLength(1);
        expect(problems[0]).toMatchObject({ file: "web/profile.yaml", line: 16, rule: "nested-source" });
        expect(problems[0]?.message).toMatch(/redis\/v9\.9\.9/);

        await writeFile(file, (await readFile(file, "utf8")).replace("redis/v9.9.9", "redis/v1.0.0"));
        expect(errorsOf(await validateRepository(dir))).toEqual([]);
      } finally {
        delete process.env.PCTL_ALLOW_HTTP;
        delete process.env.PCTL_ALLOW_LOOPBACK;
      }
    });

    it("builds a chart's missing dependencies in a copy before helm lint, leaving the checkout alone", async () => {
      const charts = await HelmRepoServer.create();
      const dir = join(scratch, "dependencies");
      Object.assign(process.env, { PCTL_ALLOW_HTTP: "true", PCTL_ALLOW_LOOPBACK: "true" });
      try {
        await charts.publish("cache", CACHE_CHART);
        await writeFiles(dir, dependentProfile(charts.url));
        expect(await validateRepository(dir, { repositoryUrl: ownUrl })).toEqual([]);
        expect(existsSync(join(dir, "app/charts/app/charts"))).toBe(false);
        expect(existsSync(join(dir, "app/charts/app/Chart.lock"))).toBe(false);

        const chartYaml = join(dir, "app/charts/app/Chart.yaml");
        await writeFile(
          chartYaml,
          (await readFile(chartYaml, "utf8")).replace("file://../lib", "file://../../../lib"),
        );
        expect(errorsOf(await validateRepository(dir, { repositoryUrl: ownUrl }))).toEqual([
          expect.objectContaining({
            file: "app/profile.yaml",
            line: 8,
            rule: "chart-dependencies",
            message: expect.stringMatching(/dependency lib .* leaves the profile directory/),
          }),
        ]);
      } finally {
        delete process.env.PCTL_ALLOW_HTTP;
        delete process.env.PCTL_ALLOW_LOOPBACK;
        await charts.close();
      }
    });

    it("reports tags of a profile directory whose version is not semver, and checks --tag", async () => {
      const dir = join(scratch, "bad-tag");
      await cp(join(corpus, "bad-tag"), dir, { recursive: true });
      await git(dir, ["init", "--quiet", "--initial-branch=main"]);
      await git(dir, ["add", "--all"]);
      await git(dir, ["-c", "user.name=t", "-c", "user.email=t@e", "commit", "--quiet", "-m", "web"]);
      await git(dir, ["tag", "web/v1.0.0"]);
      expect(await validateRepository(dir)).toEqual([]);

      await git(dir, ["tag", "web/v1.2"]);
      await git(dir, ["tag", "release-2024"]);
      expect(await validateRepository(dir)).toEqual([
        expect.objectContaining({
          file: "web/profile.yaml",
          line: 1,
          rule: "tag",
          message: expect.stringMatching(/tag web\/v1\.2 names this profile but its version is not semver/),
        }),
      ]);
      await git(dir, ["tag", "-d", "web/v1.2"]);

      const tagged = async (tag: string) =>
        (await validateRepository(dir, { tag })).map((p) => `${p.severity}: ${p.message}`);
      expect(await tagged("web/v1.1.0")).toEqual([]);
      expect(await tagged("web/v1.0.0")).toEqual([
        "error: tag web/v1.0.0 exists already; pick the next version",
      ]);
      expect(await tagged("web/v0.9.0")).toEqual([
        "warning: tag web/v0.9.0 is not above the highest version 1.0.0",
      ]);
      expect(await tagged("web/1.x")).toEqual([
        "error: tag web/1.x is not <dir>/v<semver> (or v<semver> for a root profile)",
      ]);
      expect(await tagged("api/v1.0.0")).toEqual([
        "error: tag api/v1.0.0 names no profile directory of this repository",
      ]);
    });

    it("runs as a subprocess: file:line lines and exit code 1 on errors, json on request, 0 when clean", async () => {
      const failing = await run("node", [pctl, "validate", join(corpus, "unused-parameter"), "--offline"], {
        env,
      }).then(
        () => undefined,
        (error: { code: number; stdout: string }) => error,
      );
      expect(failing?.code).toBe(1);
      expect(failing?.stdout).toBe(
        `${join(corpus, "unused-parameter", "web/profile.yaml")}:10: error: parameter replicas is declared but no values, patch or manifest uses \${replicas}\n`,
      );

      const json = await run("node", [pctl, "validate", "unused-parameter", "--offline", "-o", "json"], {
        cwd: corpus,
        env,
      }).catch((error: { stdout: string }) => error);
      expect(JSON.parse(json.stdout)).toEqual({
        problems: [
          expect.objectContaining({
            file: "unused-parameter/web/profile.yaml",
            line: 10,
            severity: "error",
            rule: "parameter",
          }),
        ],
        errors: 1,
        warnings: 0,
      });

      const { stdout } = await run("node", [pctl, "validate", join(corpus, "bad-tag"), "--offline"], { env });
      expect(stdout).toBe("");
    });
  });

  it("formats problems as file:line: severity: message lines", () => {
    expect(
      formatProblems(
        [{ file: "web/profile.yaml", line: 3, severity: "warning", rule: "tag", message: "m" }],
        "repo",
      ),
    ).toBe("repo/web/profile.yaml:3: warning: m\n");
  });
});
