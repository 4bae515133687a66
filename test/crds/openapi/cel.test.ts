import { describe, expect, it } from "vitest";
import { CelEvalError, CelUnsupportedError, compileCel } from "../../../crds/openapi/cel.js";

const evaluate = (rule: string, self: unknown) => compileCel(rule).evaluate({ self });

describe("CEL subset", () => {
  describe("every rule in the Flux CRDs evaluates as the API server would", () => {
    const bothChartAndRef =
      "(has(self.chart) && !has(self.chartRef)) || (!has(self.chart) && has(self.chartRef))";
    const serviceAccount =
      "!has(self.serviceAccountName) || (has(self.provider) && (self.provider == 'azure' || self.provider == 'aws'))";
    it.each([
      ["HelmRelease with chart only passes the chart/chartRef rule", bothChartAndRef, { chart: {} }, true],
      [
        "HelmRelease with chartRef only passes the chart/chartRef rule",
        bothChartAndRef,
        { chartRef: {} },
        true,
      ],
      [
        "HelmRelease with both fails the chart/chartRef rule",
        bothChartAndRef,
        { chart: {}, chartRef: {} },
        false,
      ],
      ["HelmRelease with neither fails the chart/chartRef rule", bothChartAndRef, {}, false],
      [
        "kubeConfig with a secretRef passes the presence rule",
        "has(self.configMapRef) || has(self.secretRef)",
        { secretRef: {} },
        true,
      ],
      [
        "kubeConfig with both refs fails the exclusion rule",
        "!has(self.configMapRef) || !has(self.secretRef)",
        { configMapRef: {}, secretRef: {} },
        false,
      ],
      [
        "GitRepository serviceAccountName with provider azure passes",
        serviceAccount,
        { serviceAccountName: "sa", provider: "azure" },
        true,
      ],
      [
        "GitRepository serviceAccountName without provider fails",
        serviceAccount,
        { serviceAccountName: "sa" },
        false,
      ],
      [
        "GitRepository serviceAccountName with provider github fails",
        serviceAccount,
        { serviceAccountName: "sa", provider: "github" },
        false,
      ],
      [
        "HelmChart verify with a HelmRepository source passes",
        "!has(self.verify) || self.sourceRef.kind == 'HelmRepository'",
        { verify: {}, sourceRef: { kind: "HelmRepository" } },
        true,
      ],
      [
        "HelmChart verify with a GitRepository source fails",
        "!has(self.verify) || self.sourceRef.kind == 'HelmRepository'",
        { verify: {}, sourceRef: { kind: "GitRepository" } },
        false,
      ],
      [
        "install strategy RetryOnFailure with retryInterval passes",
        "!has(self.retryInterval) || self.name != 'RemediateOnFailure'",
        { name: "RetryOnFailure", retryInterval: "1m" },
        true,
      ],
      [
        "upgrade strategy RemediateOnFailure with retryInterval fails",
        "!has(self.retryInterval) || self.name == 'RetryOnFailure'",
        { name: "RemediateOnFailure", retryInterval: "1m" },
        false,
      ],
      [
        "Bucket aws provider with an ldap STS fails",
        "self.provider != 'aws' || !has(self.sts) || self.sts.provider == 'aws'",
        { provider: "aws", sts: { provider: "ldap" } },
        false,
      ],
      [
        "Bucket STS secretRef rule reaches two levels deep",
        "!has(self.sts) || self.sts.provider != 'aws' || !has(self.sts.secretRef)",
        { sts: { provider: "aws", secretRef: {} } },
        false,
      ],
    ])("%s", (_name, rule, self, expected) => {
      expect(evaluate(rule, self)).toBe(expected);
    });
  });

  describe("operators and functions", () => {
    it.each([
      ["presence equality", "has(self.a) == has(self.b)", { a: 1 }, false],
      ["membership in a list literal", "self.x in ['a', 'b']", { x: "b" }, true],
      ["membership in a map", "'k' in self", { k: 1 }, true],
      ["size of a list", "size(self.items) <= 2", { items: [1, 2, 3] }, false],
      ["size as a method on a string counts code points", "self.s.size() == 2", { s: "äö" }, true],
      ["arithmetic keeps integer division", "7 / 2 == 3 && 7 % 2 == 1 && -1 + 2 * 3 == 5", {}, true],
      [
        "string functions",
        "self.u.startsWith('https://') && self.u.endsWith('.git') && self.u.contains('org')",
        { u: "https://x/org/r.git" },
        true,
      ],
      ["matches uses RE2 syntax", "self.v.matches('^[[:alpha:]]+$')", { v: "abc" }, true],
      ["ternary", "self.n > 1 ? self.a : self.b", { n: 2, a: true, b: false }, true],
      ["all over a list", "self.l.all(x, x > 0)", { l: [1, 2] }, true],
      ["exists over map keys", "self.m.exists(k, k == 'b')", { m: { a: 1, b: 2 } }, true],
      ["exists_one counts exactly one", "self.l.exists_one(x, x == 1)", { l: [1, 1] }, false],
      [
        "filter then size expresses exactly one of",
        "[has(self.a), has(self.b), has(self.c)].filter(x, x).size() == 1",
        { b: 1 },
        true,
      ],
      ["map with a transform", "self.l.map(x, x * 2) == [2, 4]", { l: [1, 2] }, true],
      ["map with a filter and a transform", "self.l.map(x, x > 1, x * 10) == [20]", { l: [1, 2] }, true],
      [
        "index into a list and a map",
        "self.l[1] == 'b' && self.m['k'] == 1",
        { l: ["a", "b"], m: { k: 1 } },
        true,
      ],
      ["conversions", "int('3') + 1 == 4 && string(1) == '1' && double(2) == 2.0", {}, true],
      ["map literal equality ignores key order", "{'a': 1, 'b': 2} == {'b': 2, 'a': 1}", {}, true],
      ["double-quoted strings and escapes", '"it\\\'s" == "it\'s"', {}, true],
    ])("%s", (_name, rule, self, expected) => {
      expect(evaluate(rule, self)).toBe(expected);
    });

    it("lets a false side of && win over an error on the other side", () => {
      expect(evaluate("self.missing == 1 && false", {})).toBe(false);
    });

    it("lets a true side of || win over an error on the other side", () => {
      expect(evaluate("self.missing == 1 || true", {})).toBe(true);
    });

    it("raises an evaluation error for a missing key that nothing absorbs", () => {
      expect(() => evaluate("self.provider == 'aws'", {})).toThrow(CelEvalError);
    });

    it("raises an evaluation error for mismatched operand types", () => {
      expect(() => evaluate("self.a + 1", { a: "x" })).toThrow(/no such overload/);
    });

    it("marks rules that read oldSelf as transition rules", () => {
      expect(compileCel("self == oldSelf").usesOldSelf).toBe(true);
      expect(compileCel("self.a == 1").usesOldSelf).toBe(false);
    });
  });

  describe("rules outside the subset are refused when compiled", () => {
    it.each([
      ["an unknown global function", "isURL(self.url)"],
      ["an unknown member function", "self.url.lowerAscii() == 'x'"],
      ["triple-quoted strings", "self.a == '''x'''"],
      ["an unknown escape", "self.a == '\\u0041'"],
      ["trailing tokens", "self.a self.b"],
      ["has() without a field selection", "has(self)"],
      ["an unexpected character", "self.a # 1"],
    ])("%s", (_name, rule) => {
      expect(() => compileCel(rule)).toThrow(CelUnsupportedError);
    });
  });
});
