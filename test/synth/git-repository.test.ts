import { describe, expect, it } from "vitest";
import { GitRepositoryChild } from "../../synth/git-repository.js";
import { COMMIT_1, expectValidChildren, renderOne } from "./support.js";

const base = { name: "web", url: "https://git.example.com/org/profiles", commit: COMMIT_1 };

describe("GitRepositoryChild", () => {
  it("pins the commit, names the tag, and validates against the Flux CRD", () => {
    const child = renderOne(
      (chart) => new GitRepositoryChild(chart, "git", { ...base, tag: "nginx/v1.0.0" }),
    );
    expectValidChildren([child]);
    expect(child).toMatchSnapshot();
  });

  it("defaults to a 10m interval, no Secret, the whole repository, not suspended", () => {
    const child = renderOne((chart) => new GitRepositoryChild(chart, "git", base));
    expect(child.spec).toEqual({
      url: base.url,
      interval: "10m",
      ref: { commit: COMMIT_1 },
      suspend: false,
    });
  });

  it("suspend is written even when false, so a sync undoes a hand edit of it", () => {
    const child = renderOne((chart) => new GitRepositoryChild(chart, "git", { ...base, suspend: true }));
    expect(child.spec).toMatchObject({ suspend: true });
  });

  it("always sets ref, since Flux would otherwise follow master", () => {
    const child = renderOne((chart) => new GitRepositoryChild(chart, "git", { ...base, branch: "main" }));
    expect(child.spec).toMatchObject({ ref: { branch: "main", commit: COMMIT_1 } });
  });

  it("uses the source's Secret for a private repository", () => {
    const child = renderOne(
      (chart) => new GitRepositoryChild(chart, "git", { ...base, secretName: "git-credentials" }),
    );
    expect(child.spec).toMatchObject({ secretRef: { name: "git-credentials" } });
  });

  it.each([
    [["nginx"], "/*\n!/nginx/"],
    [["team/nginx", "team/redis"], "/*\n!/team/\n/team/*\n!/team/nginx/\n!/team/redis/"],
    [["a", "a/b"], "/*\n!/a/"],
  ])("keeps only the profile directories %j", (directories, ignore) => {
    const child = renderOne((chart) => new GitRepositoryChild(chart, "git", { ...base, directories }));
    expect(child.spec).toMatchObject({ ignore });
    expectValidChildren([child]);
  });

  it("keeps the whole repository for the root profile", () => {
    const child = renderOne(
      (chart) => new GitRepositoryChild(chart, "git", { ...base, directories: ["", "nginx"] }),
    );
    expect(child.spec).not.toHaveProperty("ignore");
  });

  it.each([
    [{ name: "Web" }, /GitRepository 'Web': the name must be a DNS-1123 label/],
    [
      { url: "git@example.com:org/repo" },
      /url 'git@example.com:org\/repo' must start with http:\/\/, https:\/\/, ssh:\/\//,
    ],
    [{ commit: "main" }, /commit 'main' must be a full commit id/],
    [{ interval: "ten minutes" }, /interval 'ten minutes' must be a duration/],
    [{ branch: "main", tag: "v1" }, /give branch or tag, not both/],
  ])("refuses %j", (props, message) => {
    expect(() => renderOne((chart) => new GitRepositoryChild(chart, "git", { ...base, ...props }))).toThrow(
      message,
    );
  });
});
