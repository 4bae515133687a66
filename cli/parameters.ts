/**
 * `--param name=value` and `--values FILE`, checked against the profile before anything is written:
 * a typo in a parameter or artifact name fails here, not hours later in the cluster.
 * @module
 */

import { readFile } from "node:fs/promises";
import type { Profile, ProfileParameter } from "../crds/profile.js";
import { ArtifactPathSchema } from "../crds/profile-subscription.js";
import { parseYaml } from "../crds/yaml.js";
import { UsageError } from "./errors.js";

/** A parameter value as the subscription stores it. */
export type ParameterValue = string | number | boolean;

/** Commander's collector for a repeatable option. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * Turns `name=value` pairs into typed parameters of `parameters`.
 *
 * @throws UsageError for a malformed pair, an unknown name, or a value of the wrong type.
 */
export function parseParameters(
  pairs: readonly string[],
  parameters: readonly ProfileParameter[],
  profileName: string,
): Record<string, ParameterValue> {
  const known = new Map(parameters.map((p) => [p.name, p]));
  const result: Record<string, ParameterValue> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq <= 0) {
      throw new UsageError(`--param "${pair}" is not name=value`, { hint: "write it as --param replicas=3" });
    }
    const name = pair.slice(0, eq);
    const text = pair.slice(eq + 1);
    const parameter = known.get(name);
    if (parameter === undefined) {
      const names = [...known.keys()];
      throw new UsageError(`profile ${profileName} has no parameter "${name}"`, {
        hint: names.length
          ? `its parameters are: ${names.join(", ")} (see \`pctl show\`)`
          : "this profile has no parameters; drop --param",
      });
    }
    result[name] = typed(text, parameter);
  }
  return result;
}

function typed(text: string, parameter: ProfileParameter): ParameterValue {
  const fail = (): never => {
    throw new UsageError(`parameter ${parameter.name} must be ${article(parameter.type)}, not "${text}"`, {
      hint: `pass --param ${parameter.name}=${example(parameter.type)}`,
    });
  };
  switch (parameter.type) {
    case "integer":
      return /^-?\d+$/.test(text) ? Number(text) : fail();
    case "number":
      return text.trim() !== "" && Number.isFinite(Number(text)) ? Number(text) : fail();
    case "boolean":
      return text === "true" ? true : text === "false" ? false : fail();
    default:
      return text;
  }
}

function article(type: string): string {
  return type === "integer" ? "an integer" : `a ${type}`;
}

function example(type: string): string {
  return type === "integer" ? "3" : type === "number" ? "0.5" : type === "boolean" ? "true" : "value";
}

/** Required parameters that have neither a value nor a default. */
export function missingRequired(
  parameters: readonly ProfileParameter[],
  given: Readonly<Record<string, ParameterValue>>,
): string[] {
  return parameters.filter((p) => p.required && given[p.name] === undefined).map((p) => p.name);
}

/**
 * Reads a values file: a mapping from artifact path (`server`, `cache/redis`) to Helm values.
 *
 * @throws UsageError when the file is not such a mapping or names an artifact the profile lacks.
 */
export async function readArtifactValues(
  path: string,
  profile: Profile,
): Promise<Record<string, { values: Record<string, unknown> }>> {
  let document: unknown;
  try {
    document = parseYaml(await readFile(path, "utf8"), { source: path });
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") {
      throw new UsageError(`values file ${path} does not exist`, {
        hint: "pass the path of a YAML file to --values",
      });
    }
    throw error;
  }
  const shape = 'a mapping from artifact name to Helm values, such as "server: { replicaCount: 3 }"';
  if (document === null || typeof document !== "object" || Array.isArray(document)) {
    throw new UsageError(`${path} must hold ${shape}`);
  }
  const artifacts = profile.spec.artifacts.map((a) => a.name);
  const result: Record<string, { values: Record<string, unknown> }> = {};
  for (const [key, values] of Object.entries(document)) {
    const top = key.split("/")[0]!;
    if (!ArtifactPathSchema.safeParse(key).success || !artifacts.includes(top)) {
      throw new UsageError(`${path}: profile ${profile.metadata.name} has no artifact "${key}"`, {
        hint: `its artifacts are: ${artifacts.join(", ")}; nested artifacts are written as <artifact>/<nested artifact>`,
      });
    }
    if (values === null || typeof values !== "object" || Array.isArray(values)) {
      throw new UsageError(`${path}: the values of ${key} must be a mapping`, {
        hint: `the file must hold ${shape}`,
      });
    }
    result[key] = { values: values as Record<string, unknown> };
  }
  return result;
}
