import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  AuthenticationFailed,
  authenticationFailedMessage,
  ConditionTypes,
  cycleMessage,
  progressingMessage,
  Reasons,
  SourceUnavailable,
  sourceUnavailableMessage,
  succeededMessage,
  suspendedMessage,
  versionNotFoundMessage,
} from "../../crds/conditions.js";

describe("condition types and reasons", () => {
  it("are the kstatus condition types", () => {
    expect(Object.values(ConditionTypes)).toEqual(["Ready", "Reconciling", "Stalled"]);
  });

  it("each reason's value equals its name and is CamelCase", () => {
    for (const [name, value] of Object.entries(Reasons)) {
      expect(value).toBe(name);
      expect(value).toMatch(/^[A-Z][A-Za-z]+$/);
    }
  });

  it("include every reason the hooks need", () => {
    expect(Object.keys(Reasons)).toEqual(
      expect.arrayContaining([
        "Succeeded",
        "Progressing",
        "DependencyNotReady",
        "SourceUnavailable",
        "AuthenticationFailed",
        "InvalidProfile",
        "InvalidSpec",
        "ArtifactFailed",
        "CatalogNotFound",
        "VersionNotFound",
        "PolicyViolation",
        "Cycle",
        "Suspended",
        "Finalizing",
      ]),
    );
    expect(Reasons.SourceUnavailable).toBe(SourceUnavailable);
    expect(Reasons.AuthenticationFailed).toBe(AuthenticationFailed);
  });
});

describe("message templates", () => {
  it("count artifacts the way the API shows them", () => {
    expect(succeededMessage(3)).toBe("3/3 artifacts ready");
    expect(succeededMessage(2, "profiles")).toBe("2 profiles available");
    expect(progressingMessage(1, 3)).toBe("1/3 artifacts ready");
  });

  it("never repeat a password or a query string from a URL", () => {
    const message = sourceUnavailableMessage("https://me:s3cret@git.example.com/r?token=abc", "timeout");
    expect(message).toBe("cannot fetch https://me:***@git.example.com/r: timeout; retrying");
    expect(authenticationFailedMessage("https://git.example.com/r?private_token=x", "creds")).not.toContain(
      "private_token",
    );
  });

  it("say what to do next", () => {
    expect(authenticationFailedMessage("https://git.example.com/r")).toContain("set secretRef");
    expect(suspendedMessage()).toContain("set spec.suspend to false");
    expect(versionNotFoundMessage("nginx", "^3", "catalog platform/company")).toBe(
      "no version of profile nginx matching ^3 in catalog platform/company; run pctl show nginx to list versions",
    );
    expect(cycleMessage(["a", "b", "a"])).toBe("a loop: a -> b -> a; remove one of these references");
  });
});

describe("the kind pages", () => {
  const docs = ["profile-subscription.md", "profile-catalog-source.md"].map((page) =>
    readFileSync(join(import.meta.dirname, "../../docs/kinds", page), "utf8"),
  );

  it.each(Object.values(Reasons))("document the reason %s", (reason) => {
    expect(docs.some((page) => page.includes(`\`${reason}\``))).toBe(true);
  });
});
