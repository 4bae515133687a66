import { describe, expect, it } from "vitest";
import { re2ToRegExp, UnsupportedPatternError } from "../../../crds/openapi/re2.js";

describe("RE2 patterns as ECMAScript RegExps", () => {
  it.each([
    ["the Flux duration pattern", "^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$", "1h30m", true],
    ["the Flux duration pattern refuses days", "^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$", "1d", false],
    ["an escaped dash inside a class", "^[\\-._a-zA-Z0-9]+$", "a-b.c_d", true],
    ["POSIX classes", "^[_[:alpha:]][_[:alpha:][:digit:]]*$", "cluster_env2", true],
    ["POSIX classes refuse a leading digit", "^[_[:alpha:]][_[:alpha:][:digit:]]*$", "2env", false],
    ["a leading case-insensitive flag", "(?i)^abc$", "ABC", true],
    ["named groups in Go syntax", "^(?P<major>\\d+)\\.\\d+$", "1.2", true],
    ["\\A and \\z anchor the whole text", "\\Aab\\z", "ab", true],
    ["\\z does not match before a final newline", "\\Aab\\z", "ab\n", false],
    ["quoted literals", "^\\Qa.b\\E$", "a.b", true],
    ["quoted literals are not patterns", "^\\Qa.b\\E$", "axb", false],
    ["a ']' first in a class is a literal", "^[]a]+$", "]a", true],
    ["unanchored patterns search", "oci", "x-oci-y", true],
    ["one-letter Unicode classes", "^\\pL+$", "äb", true],
  ])("%s", (_name, pattern, input, matches) => {
    expect(re2ToRegExp(pattern).test(input)).toBe(matches);
  });

  it.each([
    ["an unknown POSIX class", "[[:nope:]]"],
    ["a negated POSIX class", "[[:^alpha:]]"],
    ["flags in the middle of a pattern", "a(?i)b"],
  ])("refuses %s", (_name, pattern) => {
    expect(() => re2ToRegExp(pattern)).toThrow(UnsupportedPatternError);
  });
});
