import { describe, expect, it } from "vitest";
import * as z from "zod";
import {
  DnsLabelSchema,
  DnsSubdomainSchema,
  DurationSchema,
  formatPath,
  GitSourceRefSchema,
  gitRefKind,
  parseProfileTag,
  parseWithSchema,
  profileTag,
  RelativePathSchema,
  SemverRangeSchema,
  SemverVersionSchema,
  sourcePath,
} from "../../crds/common.js";
import { InvalidInputError, InvalidProfileError } from "../../crds/errors.js";

describe("scalar schemas", () => {
  it.each([
    [
      "DNS-1123 label",
      DnsLabelSchema,
      ["nginx", "redis2", "a", "a-b-1"],
      ["Nginx", "-a", "a-", "a.b", "", "a".repeat(64)],
    ],
    [
      "DNS-1123 subdomain",
      DnsSubdomainSchema,
      ["web", "web.example", "a-1.b-2"],
      ["Web", "a..b", ".a", "a_b", ""],
    ],
    ["duration", DurationSchema, ["10m", "30s", "1h30m", "1.5h", "500ms"], ["10", "-1m", "1d", "m", "10 m"]],
    [
      "semver version",
      SemverVersionSchema,
      ["1.2.0", "v1.2.0", "0.2.1-build.1", "1.0.0+meta"],
      ["1.2", "01.2.0", "vv1.2.0", "0.not.1", "latest"],
    ],
    [
      "semver range",
      SemverRangeSchema,
      ["^1.2", ">=1.2.0 <2.0.0", "1.2.0", "*", "~9"],
      ["", "latest", "totally!not?semver"],
    ],
    [
      "relative path",
      RelativePathSchema,
      ["charts/nginx", ".", "./manifests", "a/b..c"],
      ["", "/etc", "../x", "a/../b", "a/..", "C:\\x", "a\\..\\b"],
    ],
  ])("%s accepts good values and refuses bad ones", (_name, schema, good, bad) => {
    for (const value of good) expect(schema.safeParse(value).success, value).toBe(true);
    for (const value of bad) expect(schema.safeParse(value).success, value).toBe(false);
  });
});

describe("GitSourceRefSchema", () => {
  const url = "https://git.example.com/org/profiles";

  it.each(["branch", "tag", "semver", "commit"] as const)(
    "accepts a source that follows only a %s",
    (kind) => {
      const value = {
        branch: "main",
        tag: "nginx/v1.2.0",
        semver: ">=1.0.0",
        commit: "5f1c2ab8d0e4c3b2a1f0e9d8c7b6a5f4e3d2c1b0",
      }[kind];
      const ref = GitSourceRefSchema.parse({ url, [kind]: value });
      expect(gitRefKind(ref)).toBe(kind);
    },
  );

  it("refuses a source with no ref, in a sentence", () => {
    const result = GitSourceRefSchema.safeParse({ url });
    expect(result.error?.issues[0]?.message).toBe("exactly one of branch, tag, semver or commit must be set");
  });

  it("refuses a source with two refs and names them", () => {
    const result = GitSourceRefSchema.safeParse({ url, branch: "main", tag: "v1.0.0" });
    expect(result.error?.issues[0]?.message).toBe(
      "exactly one of branch, tag, semver or commit must be set, found branch and tag",
    );
  });

  it("refuses an abbreviated commit, which cannot be fetched by itself", () => {
    const result = GitSourceRefSchema.safeParse({ url, commit: "5f1c2ab" });
    expect(result.error?.issues[0]?.message).toBe("must be a full 40-character commit id in lower-case hex");
  });

  it("refuses a password in the URL", () => {
    const result = GitSourceRefSchema.safeParse({
      url: "https://me:secret@git.example.com/x",
      branch: "main",
    });
    expect(result.error?.issues[0]?.path).toEqual(["url"]);
  });

  it("accepts an ssh URL with a user but no password", () => {
    expect(
      GitSourceRefSchema.safeParse({ url: "ssh://git@github.com/org/repo", branch: "main" }).success,
    ).toBe(true);
  });

  it("refuses a path that leaves the repository", () => {
    expect(GitSourceRefSchema.safeParse({ url, branch: "main", path: "../other" }).success).toBe(false);
  });

  it("carries the same rule as CEL for the API server", () => {
    expect(GitSourceRefSchema.meta()?.["x-kubernetes-validations"]).toEqual([
      {
        rule: "[has(self.branch), has(self.tag), has(self.semver), has(self.commit)].filter(x, x).size() == 1",
        message: "exactly one of branch, tag, semver or commit must be set",
      },
    ]);
  });
});

describe("sourcePath", () => {
  const url = "https://git.example.com/org/profiles";

  it.each([
    [{ url, tag: "redis/v1.2.0" }, "redis"],
    [{ url, tag: "redis/v1.2.0", path: "db/redis" }, "db/redis"],
    [{ url, tag: "v2.0.1" }, "."],
    [{ url, tag: "release-7" }, "."],
    [{ url, branch: "main" }, "."],
    [{ url, branch: "main", path: "nginx" }, "nginx"],
  ])("for %j is %s", (ref, expected) => {
    expect(sourcePath(GitSourceRefSchema.parse(ref))).toBe(expected);
  });
});

describe("profile tags", () => {
  it.each([
    ["nginx/v1.2.0", { dir: "nginx", version: "1.2.0" }],
    ["v2.0.1", { dir: "", version: "2.0.1" }],
    ["redis2/v0.3.0", { dir: "redis2", version: "0.3.0" }],
    ["nested-nginx-1/v0.0.1", { dir: "nested-nginx-1", version: "0.0.1" }],
    ["foo-bar/0.2.1", { dir: "foo-bar", version: "0.2.1" }],
    ["0.2.1-build.1", { dir: "", version: "0.2.1-build.1" }],
  ])("parseProfileTag(%s) splits directory and version", (tag, expected) => {
    expect(parseProfileTag(tag)).toEqual(expected);
  });

  it.each(["0.not.1", "a/b/v1.0.0", "Nginx/v1.0.0", "nginx/", "nginx/latest", "release-7", "vv1.0.0", ""])(
    "parseProfileTag(%s) is not a profile tag",
    (tag) => {
      expect(parseProfileTag(tag)).toBeUndefined();
    },
  );

  it.each([
    ["nginx", "1.2.0", "nginx/v1.2.0"],
    ["nginx", "v1.2.0", "nginx/v1.2.0"],
    ["", "2.0.1", "v2.0.1"],
    [".", "2.0.1", "v2.0.1"],
  ])("profileTag(%s, %s) is %s", (dir, version, tag) => {
    expect(profileTag(dir, version)).toBe(tag);
  });

  it("round-trips through parseProfileTag", () => {
    const parsed = parseProfileTag(profileTag("redis2", "0.3.0-rc.1"));
    expect(parsed).toEqual({ dir: "redis2", version: "0.3.0-rc.1" });
  });
});

describe("formatPath", () => {
  it.each([
    [["spec", "artifacts", 1, "chart", "path"], "spec.artifacts[1].chart.path"],
    [["spec", "artifacts", "cache/redis", "values"], 'spec.artifacts["cache/redis"].values'],
    [[], "(root)"],
  ])("formats %j as %s", (path, expected) => {
    expect(formatPath(path)).toBe(expected);
  });
});

describe("parseWithSchema", () => {
  const schema = z.strictObject({ spec: z.strictObject({ name: z.string(), size: z.number() }) });

  it("returns the parsed value", () => {
    expect(parseWithSchema(schema, { spec: { name: "a", size: 1 } }, "thing")).toEqual({
      spec: { name: "a", size: 1 },
    });
  });

  it("lists every issue with its dotted path, unknown fields one by one", () => {
    let error: unknown;
    try {
      parseWithSchema(schema, { spec: { size: "x", nmae: "a", extra: 1 } }, "thing", { source: "t.yaml" });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as Error).message).toBe(
      [
        "t.yaml: invalid thing:",
        "  spec.name: required field is missing",
        "  spec.size: Invalid input: expected number, received string",
        "  spec.nmae: unknown field",
        "  spec.extra: unknown field",
      ].join("\n"),
    );
    expect((error as InvalidInputError).data.issues).toHaveLength(4);
  });

  it("throws the error class it is given", () => {
    expect(() => parseWithSchema(schema, {}, "profile", {}, InvalidProfileError)).toThrow(
      InvalidProfileError,
    );
  });
});
