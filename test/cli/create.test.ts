import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scaffoldProfile } from "../../cli/create.js";
import { validateRepository } from "../../cli/validate.js";
import { parseProfile } from "../../crds/profile.js";

const run = promisify(execFile);
const pctl = join(import.meta.dirname, "..", "..", "cli", "bin", "pctl.js");

describe("pctl create", () => {
  let scratch: string;
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), "pctl-create-"));
  });
  afterAll(() => rm(scratch, { recursive: true, force: true }));

  it("scaffolds a profile that pctl validate passes without a warning", async () => {
    const { stdout } = await run(
      "node",
      [pctl, "create", "web", "--maintainer", "Team Web <web@example.com>"],
      {
        cwd: scratch,
      },
    );
    expect(stdout).toContain("web/profile.yaml");
    const validated = await run("node", [pctl, "validate", "--offline"], { cwd: scratch });
    expect(validated.stdout).toBe("");
    expect(await validateRepository(scratch, { offline: true })).toEqual([]);
  });

  it("writes a local chart artifact and a kustomize artifact that depends on it", async () => {
    const profile = parseProfile(await readFile(join(scratch, "web", "profile.yaml"), "utf8"));
    expect(profile.metadata.name).toBe("web");
    expect(profile.spec.maintainer).toBe("Team Web <web@example.com>");
    expect(profile.spec.artifacts).toEqual([
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a parameter reference, literally
      { name: "server", chart: { path: "charts/web" }, values: { replicaCount: "${replicas}" } },
      { name: "config", kustomize: { path: "manifests/config" }, dependsOn: [{ name: "server" }] },
    ]);
    expect(await readFile(join(scratch, "web", "README.md"), "utf8")).toMatch(/^# web\n/);
  });

  it("refuses an existing directory and a name that is not a DNS-1123 label", async () => {
    const again = await run("node", [pctl, "create", "web"], { cwd: scratch }).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(again).toMatchObject({ code: 2, stderr: expect.stringContaining("web exists already") });
    expect(() => scaffoldProfile("Web_1")).toThrow(/not a DNS-1123 label/);
  });
});
