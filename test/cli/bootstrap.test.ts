import { spawn } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createProgram } from "../../cli/main.js";
import { git } from "../support/git-repo.js";
import { PCTL_BIN, removeAll, runPctl, tempDir } from "./support.js";

const cleanup: string[] = [];
afterAll(() => removeAll(cleanup));

async function repository(): Promise<string> {
  const dir = await tempDir();
  cleanup.push(dir);
  await git(dir, ["init", "--quiet", "--initial-branch=main"]);
  return dir;
}

describe("pctl bootstrap", () => {
  it("writes .pctl/config.yaml at the repository root with paths from the root", async () => {
    const dir = await repository();
    await git(dir, ["commit", "--quiet", "--allow-empty", "-m", "init"]);
    const sub = join(dir, "clusters");
    await mkdir(sub);
    const result = await runPctl(
      ["bootstrap", "--out", "dev/profiles", "--catalog", "../catalog", "--provider", "gitlab"],
      { cwd: sub },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(await readFile(join(dir, ".pctl/config.yaml"), "utf8")).toBe(
      "# pctl defaults for this repository; flags override them.\nout: clusters/dev/profiles\ncatalog: catalog\nprovider: gitlab\n",
    );
    const again = await runPctl(["bootstrap"], { cwd: dir });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/^error: \.pctl\/config\.yaml already exists$/m);
    expect(again.stderr).toMatch(/^hint: pass --force/m);
  });

  it("refuses to run outside a git repository", async () => {
    const dir = await tempDir();
    cleanup.push(dir);
    const result = await runPctl(["bootstrap"], { cwd: dir });
    expect(result.code).toBe(8);
    expect(result.stderr).toMatch(/^hint: run `git init` or `git clone`/m);
  });

  it("rejects an invalid config file with a hint", async () => {
    const dir = await repository();
    await mkdir(join(dir, ".pctl"));
    await writeFile(join(dir, ".pctl/config.yaml"), "outdir: x\n");
    const result = await runPctl(["search"], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: \.pctl\/config\.yaml is not valid: .*outdir/m);
    expect(result.stderr).toMatch(/^hint: fix \.pctl\/config\.yaml/m);
  });
});

describe("pctl --help", () => {
  it("every verb has --help", async () => {
    const dir = await tempDir();
    cleanup.push(dir);
    const verbs = createProgram().commands.map((command) => command.name());
    expect(verbs.length).toBeGreaterThanOrEqual(12);
    for (const verb of verbs) {
      const result = await runPctl([verb, "--help"], { cwd: dir });
      expect(result.code, verb).toBe(0);
      expect(result.stdout, verb).toMatch(new RegExp(`^Usage: pctl ${verb}`));
      expect(result.stdout, verb).toContain("-o, --output <format>");
    }
  });

  it("ends quietly when the reader closes the pipe early, as `pctl --help | head -1` does", async () => {
    const child = spawn(process.execPath, [PCTL_BIN, "install", "--help"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.destroy();
    let stderr = "";
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    const code = await new Promise((done) => child.on("close", done));
    expect(stderr).not.toContain("EPIPE");
    expect(code).toBe(0);
  });
});
