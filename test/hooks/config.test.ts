import { describe, expect, it } from "vitest";
import { InvalidInputError } from "../../crds/errors.js";
import { loadConfig } from "../../hooks/config.js";

describe("loadConfig", () => {
  it("applies the documented defaults to an empty environment", () => {
    expect(loadConfig({})).toEqual({
      port: 8080,
      allowHttp: false,
      allowLoopback: false,
      hookToken: undefined,
      catalogUrl: undefined,
      logLevel: "info",
      role: "all",
      bodyLimitBytes: 4 * 1024 * 1024,
    });
  });

  it("reads every variable", () => {
    const config = loadConfig({
      PORT: "9090",
      PCTL_ALLOW_HTTP: "true",
      PCTL_ALLOW_LOOPBACK: "true",
      PCTL_HOOK_TOKEN: "s3cr3t-token",
      PCTL_CATALOG_URL: "https://catalog.example.com",
      LOG_LEVEL: "debug",
      PCTL_ROLE: "catalog",
      PCTL_BODY_LIMIT_BYTES: "1024",
    });
    expect(config).toMatchObject({
      port: 9090,
      allowHttp: true,
      allowLoopback: true,
      hookToken: "s3cr3t-token",
      catalogUrl: "https://catalog.example.com",
      logLevel: "debug",
      role: "catalog",
      bodyLimitBytes: 1024,
    });
  });

  it("treats an empty token as unset", () => {
    expect(loadConfig({ PCTL_HOOK_TOKEN: "" }).hookToken).toBeUndefined();
  });

  it("a misspelt flag, an unknown role and a bad port fail at start-up, naming each variable", () => {
    expect(() => loadConfig({ PCTL_ALLOW_HTTP: "ture", PCTL_ROLE: "both", PORT: "http" })).toThrow(
      InvalidInputError,
    );
    try {
      loadConfig({ PCTL_ALLOW_HTTP: "ture", PCTL_ROLE: "both", PORT: "http" });
    } catch (error) {
      expect((error as InvalidInputError).data.variables).toEqual(["PORT", "PCTL_ALLOW_HTTP", "PCTL_ROLE"]);
    }
  });

  it("a token bearerAuth could never match is refused without echoing it", () => {
    expect(() => loadConfig({ PCTL_HOOK_TOKEN: "has space" })).toThrow(/PCTL_HOOK_TOKEN/);
    expect(() => loadConfig({ PCTL_HOOK_TOKEN: "has space" })).not.toThrow(/has space/);
  });
});
