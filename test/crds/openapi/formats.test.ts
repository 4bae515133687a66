import { describe, expect, it } from "vitest";
import { formatError } from "../../../crds/openapi/formats.js";

describe("OpenAPI formats", () => {
  it.each<[string, unknown, boolean]>([
    ["date-time", "2026-08-13T10:11:12Z", true],
    ["date-time", "2026-08-13T10:11:12.123+02:00", true],
    ["date-time", "2026-08-13", false],
    ["date-time", "13/08/2026 10:11", false],
    ["date", "2026-08-13", true],
    ["duration", "30s", true],
    ["duration", "1h2m3.5s", true],
    ["duration", "-1.5h", true],
    ["duration", "0", true],
    ["duration", "3 days", true],
    ["duration", "soon", false],
    ["duration", "10", false],
    ["byte", "aGVsbG8=", true],
    ["byte", "aGVsbG8", false],
    ["int32", 2 ** 31 - 1, true],
    ["int32", -(2 ** 31), true],
    ["int32", 2 ** 31, false],
    ["int64", Number.MAX_SAFE_INTEGER, true],
    ["int64", 2 ** 64, false],
    ["uuid", "123e4567-e89b-12d3-a456-426614174000", true],
    ["ipv4", "10.0.0.256", false],
    ["hostname", "charts.example.com", true],
    ["uri", "https://example.com/x", true],
    ["uri", "not a uri", false],
    ["no-such-format", "whatever", true],
  ])("%s %j conforms: %s", (format, value, conforms) => {
    expect(formatError(format, value) === undefined).toBe(conforms);
  });
});
