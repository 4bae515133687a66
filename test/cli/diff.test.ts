import { describe, expect, it } from "vitest";
import { atVersion, diffRendered, unifiedDiff } from "../../cli/diff.js";
import { parseProfileSubscription } from "../../crds/profile-subscription.js";

const cm = (name: string, data: Record<string, string>, namespace = "apps") => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, namespace },
  data,
});

describe("pctl diff", () => {
  it("lists added, removed and changed objects by group, kind, namespace and name", () => {
    const result = diffRendered(
      [cm("a", { x: "1" }), cm("b", { y: "1" }), cm("same", { z: "1" })],
      [cm("a", { x: "2" }), cm("c", { y: "1" }), cm("same", { z: "1" })],
    );
    expect(result.changed).toBe(true);
    expect(result.objects.map((o) => [o.change, o.key])).toEqual([
      ["changed", "core/ConfigMap/apps/a"],
      ["removed", "core/ConfigMap/apps/b"],
      ["added", "core/ConfigMap/apps/c"],
    ]);
    expect(result.objects[0]?.diff).toBe(
      '--- a/core/ConfigMap/apps/a\n+++ b/core/ConfigMap/apps/a\n@@ -1,6 +1,6 @@\n apiVersion: v1\n data:\n-  x: "1"\n+  x: "2"\n kind: ConfigMap\n metadata:\n   name: a\n',
    );
    expect(result.text).toBe(result.objects.map((o) => o.diff).join(""));
  });

  it("splits far-apart changes into hunks with three lines of context", () => {
    const lines = Array.from({ length: 20 }, (_, i) => `line ${i}`);
    const changed = lines.map((line, i) => (i === 2 || i === 17 ? `${line}!` : line));
    const text = unifiedDiff(`${lines.join("\n")}\n`, `${changed.join("\n")}\n`, "a", "b");
    expect(text.match(/^@@.*@@$/gm)).toEqual(["@@ -1,6 +1,6 @@", "@@ -15,6 +15,6 @@"]);
  });

  it("moves a git subscription to the tag of another version, and a catalog one to the version", () => {
    const git = parseProfileSubscription({
      apiVersion: "profiles.pctl.dev/v1alpha1",
      kind: "ProfileSubscription",
      metadata: { name: "web" },
      spec: { source: { url: "https://git.example.com/p", semver: "^1", path: "nginx" } },
    });
    expect(atVersion(git, "1.3.0").spec.source).toEqual({
      url: "https://git.example.com/p",
      path: "nginx",
      tag: "nginx/v1.3.0",
    });
    const catalog = parseProfileSubscription({
      apiVersion: "profiles.pctl.dev/v1alpha1",
      kind: "ProfileSubscription",
      metadata: { name: "web" },
      spec: { catalog: { catalog: "company", profile: "nginx", version: "1.2.0" } },
    });
    expect(atVersion(catalog, "1.3.0").spec.catalog?.version).toBe("1.3.0");
  });
});
