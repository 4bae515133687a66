import type { LookupAddress } from "node:dns";
import { describe, expect, it } from "vitest";
import { InvalidInputError, PolicyViolationError } from "../../../crds/errors.js";
import {
  createSourcePolicy,
  normalizeRelativePath,
  normalizeSourceUrl,
  resolveLinkTarget,
  sourcePolicyOptionsFromEnv,
} from "../../../hooks/sources/policy.js";

/** A resolver answering from a fixed table, in the shape node:dns `lookup` calls back with. */
function fakeLookup(table: Record<string, string[]>) {
  return ((hostname: string, _options: unknown, callback: (e: Error | null, a: LookupAddress[]) => void) => {
    const addresses = table[hostname];
    if (addresses === undefined) callback(Object.assign(new Error("ENOTFOUND"), { code: "ENOTFOUND" }), []);
    else
      callback(
        null,
        addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 })),
      );
  }) as unknown as NonNullable<Parameters<typeof createSourcePolicy>[0]>["lookup"];
}

/** Runs the policy's lookup the way node:net does, with `all: true`. */
function lookupAll(policy: ReturnType<typeof createSourcePolicy>, hostname: string) {
  return new Promise<LookupAddress[]>((resolve, reject) =>
    policy.lookup(hostname, { all: true }, (error, addresses) =>
      error ? reject(error) : resolve(addresses as unknown as LookupAddress[]),
    ),
  );
}

describe("checkUrl", () => {
  const strict = createSourcePolicy();
  const permissive = createSourcePolicy({ allowHttp: true, allowLoopback: true });

  it("accepts https by default and http only when allowed", () => {
    expect(strict.checkUrl("https://git.example.com/org/profiles").host).toBe("git.example.com");
    expect(() => strict.checkUrl("http://git.example.com/org/profiles")).toThrow(/PCTL_ALLOW_HTTP/);
    expect(permissive.checkUrl("http://git.example.com/org/profiles").protocol).toBe("http:");
  });

  it.each(["file:///etc/passwd", "ftp://example.com/x", "ssh://git@example.com/x", "git://example.com/x"])(
    "never accepts %s, whatever the configuration",
    (url) => {
      expect(() => permissive.checkUrl(url)).toThrow(PolicyViolationError);
    },
  );

  it.each([
    "https://169.254.169.254/latest",
    "https://169.254.1.1/x",
    "https://[fe80::1]/x",
    "https://[fd00:ec2::254]/x",
    "https://[::ffff:169.254.169.254]/x",
    "https://metadata.google.internal/x",
    "https://metadata.google.internal./x",
    "https://0.0.0.0/x",
  ])("never accepts the link-local or metadata address %s", (url) => {
    expect(() => permissive.checkUrl(url)).toThrow(PolicyViolationError);
  });

  it.each([
    "https://127.0.0.1/x",
    "https://127.1.2.3/x",
    "https://[::1]/x",
    "https://localhost/x",
    "https://0x7f.1/x",
  ])("accepts the loopback address %s only when allowed", (url) => {
    expect(() => strict.checkUrl(url)).toThrow(
      /loopback addresses are allowed only with PCTL_ALLOW_LOOPBACK/,
    );
    expect(() => permissive.checkUrl(url)).not.toThrow();
  });

  it("refuses credentials, queries and fragments without echoing them", () => {
    expect(() => strict.checkUrl("https://me:hunter2@example.com/x")).toThrow(/^(?!.*hunter2).*secretRef/);
    expect(() => strict.checkUrl("https://example.com/x?token=abc")).toThrow(/query string/);
    expect(() => strict.checkUrl("https://example.com/x#frag")).toThrow(PolicyViolationError);
  });

  it("reports a URL that does not parse as invalid input", () => {
    expect(() => strict.checkUrl("not a url")).toThrow(InvalidInputError);
  });
});

describe("lookup", () => {
  const policy = createSourcePolicy({
    lookup: fakeLookup({
      "git.example.com": ["203.0.113.10", "2001:db8::10"],
      "rebind.example.com": ["203.0.113.10", "169.254.169.254"],
      "local.example.com": ["127.0.0.1"],
    }),
  });

  it("passes public addresses through", async () => {
    expect((await lookupAll(policy, "git.example.com")).map((a) => a.address)).toEqual([
      "203.0.113.10",
      "2001:db8::10",
    ]);
  });

  it("refuses a name when any address it resolves to is a metadata address", async () => {
    await expect(lookupAll(policy, "rebind.example.com")).rejects.toThrow(
      /rebind\.example\.com resolves to 169\.254\.169\.254, which is refused/,
    );
  });

  it("refuses a name resolving to loopback unless allowed", async () => {
    await expect(lookupAll(policy, "local.example.com")).rejects.toThrow(PolicyViolationError);
  });
});

describe("paths", () => {
  it.each([
    [undefined, ""],
    ["", ""],
    [".", ""],
    ["./nginx/", "nginx"],
    ["nginx//charts/../charts", "nginx/charts"],
  ])("normalizes %s to %j", (path, expected) => {
    expect(normalizeRelativePath(path)).toBe(expected);
  });

  it.each(["..", "../x", "nginx/../../x", "/etc", "C:/x", "a\\..\\b"])("refuses %s", (path) => {
    expect(() => normalizeRelativePath(path, "profile path")).toThrow(PolicyViolationError);
  });

  it("resolves symlink targets against the link's directory and refuses escapes", () => {
    expect(resolveLinkTarget("charts/a/link", "../b")).toBe("charts/b");
    expect(resolveLinkTarget("link", ".")).toBe("");
    expect(resolveLinkTarget("charts/link", "../../x")).toBeUndefined();
    expect(resolveLinkTarget("link", "/etc/passwd")).toBeUndefined();
  });
});

describe("normalizeSourceUrl", () => {
  it("gives one identity to the spellings of one repository", () => {
    const a = normalizeSourceUrl(new URL("HTTPS://Git.Example.com:443/org/profiles.git/"));
    const b = normalizeSourceUrl(new URL("https://git.example.com/org/profiles"));
    expect(a).toBe(b);
  });
});

describe("sourcePolicyOptionsFromEnv", () => {
  it("enables http and loopback only for the exact value true", () => {
    expect(sourcePolicyOptionsFromEnv({ PCTL_ALLOW_HTTP: "true", PCTL_ALLOW_LOOPBACK: "1" })).toEqual({
      allowHttp: true,
      allowLoopback: false,
    });
  });
});
