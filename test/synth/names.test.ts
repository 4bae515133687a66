import { describe, expect, it } from "vitest";
import {
  childName,
  childNames,
  fitName,
  labelValue,
  MAX_NAME_LENGTH,
  MAX_RELEASE_NAME_LENGTH,
  releaseName,
  shortHash,
} from "../../synth/names.js";

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

describe("childName", () => {
  it.each([
    ["web", "server", "web-server"],
    ["web", "cache/redis", "web-cache-redis"],
    ["web", "a/b/c/d/e", "web-a-b-c-d-e"],
    ["web", "", "web"],
  ])("%s with path %j is %s", (subscription, path, expected) => {
    expect(childName(subscription, path)).toBe(expected);
  });

  it("a name past 63 characters is cut and ends in a hash of the whole name", () => {
    const path = "very-long-artifact-name/another-quite-long-artifact-name/leaf";
    const name = childName("subscription", path);
    expect(name).toHaveLength(MAX_NAME_LENGTH);
    expect(name).toMatch(DNS_LABEL);
    expect(name.endsWith(`-${shortHash(`subscription-${path.replaceAll("/", "-")}`)}`)).toBe(true);
  });

  it("is the same on every call, and differs for names that share their first 54 characters", () => {
    const prefix = "x".repeat(60);
    expect(childName("web", `${prefix}-a`)).toBe(childName("web", `${prefix}-a`));
    expect(childName("web", `${prefix}-a`)).not.toBe(childName("web", `${prefix}-b`));
  });

  it("a subscription name with dots becomes a DNS label ending in a hash", () => {
    const name = childName("web.team-a", "server");
    expect(name).toMatch(DNS_LABEL);
    expect(name.startsWith("web-team-a-server-")).toBe(true);
  });

  it("a cut never leaves a '-' before the hash's own", () => {
    const name = fitName(`${"a".repeat(53)}-${"b".repeat(20)}`, 63);
    expect(name).toBe(`${"a".repeat(53)}-${shortHash(`${"a".repeat(53)}-${"b".repeat(20)}`)}`);
  });
});

describe("childNames", () => {
  it("keeps plain names when nothing clashes", () => {
    expect(Object.fromEntries(childNames("web", ["server", "cache/redis"]))).toEqual({
      server: "web-server",
      "cache/redis": "web-cache-redis",
    });
  });

  it("when two paths join to one name, the deeper one ends in a hash of its path", () => {
    const names = childNames("web", ["cache/redis", "cache-redis"]);
    expect(names.get("cache-redis")).toBe("web-cache-redis");
    expect(names.get("cache/redis")).toBe(`web-cache-redis-${shortHash("web/cache/redis")}`);
  });
});

describe("releaseName", () => {
  it("keeps a name of up to 53 characters", () => {
    expect(releaseName("web-server")).toBe("web-server");
  });

  it("cuts a longer child name to 53 characters with a hash", () => {
    const child = childName("web", "x".repeat(58));
    const release = releaseName(child);
    expect(release).toHaveLength(MAX_RELEASE_NAME_LENGTH);
    expect(release).toMatch(DNS_LABEL);
  });
});

describe("labelValue", () => {
  it.each([
    ["server", "server"],
    ["cache/redis", "cache.redis"],
  ])("%s reads as %s", (path, expected) => {
    expect(labelValue(path)).toBe(expected);
  });

  it("a value past 63 characters is cut with a hash and stays a valid label value", () => {
    const value = labelValue(`${"a".repeat(40)}/${"b".repeat(40)}`);
    expect(value).toHaveLength(MAX_NAME_LENGTH);
    expect(value).toMatch(LABEL_VALUE);
  });
});
