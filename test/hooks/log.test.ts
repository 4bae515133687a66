import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger, REDACTED, redactSecrets } from "../../hooks/log.js";

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      lines.push(String(chunk));
      callback();
    },
  });
  return { lines, logger: createLogger({ level: "debug", destination }) };
}

const SECRETS = ["hunter2", "tok-123", "ghp_abcdef", "c2VjcmV0", "plain-secret", "pw-in-url", "hooktoken"];

describe("logger", () => {
  it("writes JSON lines with a string level", () => {
    const { lines, logger } = capture();
    logger.info({ parent: "team-a/web" }, "synced");
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: "info", msg: "synced", parent: "team-a/web" });
  });

  it("never writes a secret value, wherever it sits", () => {
    const { lines, logger } = capture();
    logger.info(
      {
        req: { headers: { authorization: "Bearer ghp_abcdef", accept: "application/json" } },
        credentials: { username: "bob", password: "hunter2", bearerToken: "tok-123" },
        related: {
          "Secret.v1": {
            "team-a/git": {
              apiVersion: "v1",
              kind: "Secret",
              data: { password: "c2VjcmV0" },
              stringData: { x: "plain-secret" },
            },
          },
        },
        source: {
          url: "https://bob:pw-in-url@git.example.com/org/repo",
          secretRef: { name: "git-credentials" },
        },
        config: { PCTL_HOOK_TOKEN: "hooktoken" },
      },
      "fetching https://bob:pw-in-url@git.example.com with Bearer tok-123",
    );
    logger
      .child({ token: "hooktoken" })
      .warn(new Error("auth failed: Bearer tok-123 for https://bob:pw-in-url@host"));
    const out = lines.join("");
    expect(lines).toHaveLength(2);
    for (const secret of SECRETS) expect(out).not.toContain(secret);
    const first = JSON.parse(lines[0]!);
    expect(first.credentials).toEqual({ username: "bob", password: REDACTED, bearerToken: REDACTED });
    expect(first.source).toEqual({
      url: `https://${REDACTED}@git.example.com/org/repo`,
      secretRef: { name: "git-credentials" },
    });
    expect(first.related["Secret.v1"]["team-a/git"].data).toEqual({ password: REDACTED });
    expect(first.req.headers.accept).toBe("application/json");
  });

  it("redactSecrets leaves the input untouched and survives cycles", () => {
    const input: Record<string, unknown> = { password: "hunter2" };
    input.self = input;
    expect(redactSecrets(input)).toEqual({ password: REDACTED, self: "[Circular]" });
    expect(input.password).toBe("hunter2");
  });
});
