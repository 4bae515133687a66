import { describe, expect, it } from "vitest";
import { InvalidInputError, LimitExceededError } from "../../crds/errors.js";
import { parseYaml, parseYamlAll } from "../../crds/yaml.js";
import { caught } from "../support/caught.js";

function billionLaughs(levels: number, width: number): string {
  const lines = ['a0: &a0 "lol"'];
  for (let level = 1; level <= levels; level++) {
    lines.push(`a${level}: &a${level} [${Array.from({ length: width }, () => `*a${level - 1}`).join(", ")}]`);
  }
  return `${lines.join("\n")}\n`;
}

describe("parseYaml", () => {
  it("parses one document", () => {
    expect(parseYaml("a: 1\nb: [x, y]\n")).toEqual({ a: 1, b: ["x", "y"] });
  });

  it("gives null for an empty input", () => {
    expect(parseYaml("")).toBeNull();
  });

  it("expands a few aliases and merge keys as Kubernetes tooling does", () => {
    const text = "base: &base { replicas: 2 }\nweb:\n  <<: *base\n  image: nginx\n";
    expect(parseYaml(text)).toEqual({ base: { replicas: 2 }, web: { replicas: 2, image: "nginx" } });
  });

  it("refuses two documents where one is expected, naming the source", () => {
    const error = caught(() => parseYaml("a: 1\n---\nb: 2\n", { source: "x.yaml" }));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toBe("x.yaml: expected one YAML document, found 2");
  });

  it("reports a syntax error with the file and line", () => {
    const error = caught(() => parseYaml("a: b\n  c: [\n", { source: "nginx/profile.yaml" }));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toMatch(/^nginx\/profile\.yaml:2: bad indentation/);
  });

  it("reports a duplicated key with the file and line", () => {
    const error = caught(() => parseYaml("a: 1\na: 2\n", { source: "v.yaml" }));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toMatch(/^v\.yaml:2: duplicated mapping key/);
  });

  it("refuses input over maxBytes before parsing it", () => {
    const error = caught(() => parseYaml(`a: "${"x".repeat(100)}"\n`, { source: "big.yaml", maxBytes: 64 }));
    expect(error).toBeInstanceOf(LimitExceededError);
    expect(error.message).toBe("big.yaml: 106 bytes is over the limit of 64 bytes");
  });

  it("refuses input over the default 1 MiB", () => {
    const error = caught(() => parseYaml(`a: "${"x".repeat(1024 * 1024)}"\n`));
    expect(error).toBeInstanceOf(LimitExceededError);
  });

  it("counts bytes, not characters", () => {
    expect(() => parseYaml("a: éé\n", { maxBytes: 6 })).toThrow(LimitExceededError);
    expect(parseYaml("a: éé\n", { maxBytes: 8 })).toEqual({ a: "éé" });
  });

  it("refuses a billion-laughs document that stays under the alias count", () => {
    const text = billionLaughs(9, 9);
    const error = caught(() => parseYaml(text, { source: "bomb.yaml" }));
    expect(error).toBeInstanceOf(LimitExceededError);
    expect(error.message).toMatch(/^bomb\.yaml:\d+: YAML aliases expand to more than 100000 nodes$/);
  });

  it("refuses more aliases than maxAliases, naming the line of the first one over", () => {
    const text = `x: &x 1\nl: [${Array.from({ length: 5 }, () => "*x").join(", ")}]\n`;
    const error = caught(() => parseYaml(text, { source: "a.yaml", maxAliases: 4 }));
    expect(error).toBeInstanceOf(LimitExceededError);
    expect(error.message).toBe("a.yaml:2: more than 4 YAML aliases; expand them or split the file");
  });

  it("refuses an alias inside the node it names, which would build a cycle", () => {
    const error = caught(() => parseYaml("a: &a\n  b: *a\n", { source: "c.yaml" }));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toBe("c.yaml:2: alias *a refers to a node that contains it");
  });

  it("accepts aliases within both limits", () => {
    expect(parseYaml(billionLaughs(2, 3))).toMatchObject({
      a2: [
        ["lol", "lol", "lol"],
        ["lol", "lol", "lol"],
        ["lol", "lol", "lol"],
      ],
    });
  });
});

describe("parseYamlAll", () => {
  it("returns every document and leaves out empty ones", () => {
    expect(parseYamlAll("---\na: 1\n---\n---\nb: 2\n")).toEqual([{ a: 1 }, { b: 2 }]);
  });

  it("applies the alias limits to the whole stream", () => {
    const text = "a: &a 1\nb: *a\n---\nc: &c 1\nd: *c\n";
    expect(() => parseYamlAll(text, { maxAliases: 1 })).toThrow(LimitExceededError);
  });
});
