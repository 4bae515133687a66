/**
 * Parameters and Helm values: which value each parameter of a profile takes, `${param}` substitution
 * in the profile's values, and the deep merge of values.
 *
 * Parameters come from four places; a later one wins:
 * 1. the profile's `default`s;
 * 2. ConfigMaps in `spec.parametersFrom`, in list order (their data is read and inlined);
 * 3. the subscription's inline `spec.parameters`;
 * 4. Secrets in `spec.parametersFrom`, in list order. A Secret is never read: the caller passes its key
 *    names only, and a Secret parameter reaches the Flux children by reference (a HelmRelease
 *    `valuesFrom` entry, a Kustomization `postBuild.substituteFrom`), so its value never passes
 *    through pctl, its logs, or the children it writes.
 * @module
 */

import type { ProfileParameter } from "../crds/profile.js";
import type { ParametersFrom } from "../crds/profile-subscription.js";

/** Helm values or any free-form mapping. */
export type Values = Record<string, unknown>;

/** A parameter's value, as typed by its declaration. */
export type ParameterValue = string | number | boolean;

/** A key of a Secret, in the subscription's namespace. */
export interface SecretKeyRef {
  /** The Secret's name. */
  readonly name: string;
  /** The key holding the value. */
  readonly key: string;
  /** Whether a missing Secret or key is tolerated, as its `parametersFrom` entry says. */
  readonly optional: boolean;
}

/** What a parameter resolved to: a value pctl may copy, or a Secret key it may only point at. */
export type ResolvedParameter = { readonly value: ParameterValue } | { readonly secret: SecretKeyRef };

/** Parameters that resolved, by name. A parameter with no value at all is absent. */
export type Parameters = ReadonlyMap<string, ResolvedParameter>;

/** The objects `spec.parametersFrom` names, as the caller found them in the subscription's namespace. */
export interface ParameterSources {
  /** ConfigMap data by ConfigMap name. @default none */
  readonly configMaps?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** The key NAMES of each Secret, by Secret name; never the values. @default none */
  readonly secrets?: Readonly<Record<string, readonly string[]>>;
}

/**
 * One thing wrong with the input. `blame` says who can fix it: the profile's author (`profile`) or
 * the subscription's (`subscription`), which decides the error class thrown.
 */
export interface Problem {
  readonly blame: "profile" | "subscription";
  readonly message: string;
}

/** Where a value sits in a values tree: keys and array indices. */
export type ValuesPath = readonly (string | number)[];

/** A values leaf that is exactly `${param}` for a Secret parameter: it is set by reference. */
export interface SecretLeaf {
  readonly path: ValuesPath;
  readonly parameter: string;
  readonly secret: SecretKeyRef;
}

const PARAMETER_NAME = "[A-Za-z_][A-Za-z0-9_]*";
const EXACT_REFERENCE = new RegExp(`^\\$\\{(${PARAMETER_NAME})\\}$`);
const REFERENCE = new RegExp(`\\$(\\$?)\\{(${PARAMETER_NAME})\\}`, "g");
const DROP = Symbol("drop");

function isObject(value: unknown): value is Values {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Merges `override` into `base` as Helm merges values files: objects merge key by key, arrays and
 * scalars replace, and `null` removes the key (Helm's way to drop a chart default). Neither input is
 * changed.
 */
export function deepMerge(base: Values, override: Values): Values {
  const merged: Values = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const current = merged[key];
    if (value === null) delete merged[key];
    else if (isObject(current) && isObject(value)) merged[key] = deepMerge(current, value);
    else merged[key] = value;
  }
  return merged;
}

/** Whether `value` holds a `null` at any depth. */
export function hasNull(value: unknown): boolean {
  if (value === null) return true;
  if (typeof value !== "object") return false;
  return Object.values(value).some(hasNull);
}

/**
 * A copy of `value` with every object's keys sorted, at every depth; arrays keep their order, which
 * means something in Helm values and in Kubernetes objects, where key order never does.
 */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isObject(value)) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortKeys(value[key])]),
  );
}

/** What {@link substituteValues} produced. */
export interface Substituted {
  /** The values with every plain parameter in place and every Secret leaf left out. */
  readonly values: Values;
  /** The leaves that are exactly `${param}` for a Secret parameter, with their place in `values`. */
  readonly secretLeaves: readonly SecretLeaf[];
  readonly problems: readonly Problem[];
}

/**
 * Replaces `${param}` in the string leaves of `values`:
 * - a leaf that is exactly `${p}` takes the parameter's typed value (`replicas: ${n}` gives a number);
 * - inside a longer string the value is interpolated as text;
 * - `$${p}` is the escape for a literal `${p}`;
 * - a parameter with no value drops a whole leaf and interpolates as `""`;
 * - a Secret parameter as a whole leaf is left out and reported in `secretLeaves`; inside a longer
 *   string it cannot be passed by reference, which is a problem.
 *
 * Keys are never substituted. `where` names the values in messages (`artifact server of profile nginx`).
 */
export function substituteValues(
  values: Values,
  parameters: Parameters,
  declared: ReadonlySet<string>,
  where: string,
): Substituted {
  const secretLeaves: SecretLeaf[] = [];
  const problems: Problem[] = [];
  const undeclared = (name: string, path: ValuesPath): void => {
    problems.push({
      blame: "profile",
      message: `${where}: values at ${formatValuesPath(path)} refer to \${${name}}, which the profile does not declare as a parameter (write $\${${name}} for a literal)`,
    });
  };

  const visit = (value: unknown, path: ValuesPath): unknown => {
    if (typeof value === "string") return substituteString(value, path);
    if (Array.isArray(value)) {
      const out: unknown[] = [];
      for (const item of value) {
        const next = visit(item, [...path, out.length]);
        if (next !== DROP) out.push(next);
      }
      return out;
    }
    if (isObject(value)) {
      const out: Values = {};
      for (const [key, item] of Object.entries(value)) {
        const next = visit(item, [...path, key]);
        if (next !== DROP) out[key] = next;
      }
      return out;
    }
    return value;
  };

  const substituteString = (text: string, path: ValuesPath): unknown => {
    const exact = EXACT_REFERENCE.exec(text);
    if (exact) {
      const name = exact[1]!;
      if (!declared.has(name)) {
        undeclared(name, path);
        return DROP;
      }
      const parameter = parameters.get(name);
      if (parameter === undefined) return DROP;
      if ("secret" in parameter) {
        secretLeaves.push({ path, parameter: name, secret: parameter.secret });
        return DROP;
      }
      return parameter.value;
    }
    return text.replace(REFERENCE, (match, escaped: string, name: string) => {
      if (escaped === "$") return match.slice(1);
      if (!declared.has(name)) {
        undeclared(name, path);
        return match;
      }
      const parameter = parameters.get(name);
      if (parameter === undefined) return "";
      if ("secret" in parameter) {
        problems.push({
          blame: "subscription",
          message: `${where}: parameter ${name} comes from Secret ${parameter.secret.name}, and values at ${formatValuesPath(path)} use it inside a longer string; a Secret value is only passed by reference, so give it as a ConfigMap or inline parameter, or have the profile use \${${name}} as a whole value`,
        });
        return match;
      }
      return String(parameter.value);
    });
  };

  return { values: visit(values, []) as Values, secretLeaves, problems };
}

/** A values path as people read it: `image.tag`, `hosts[0]`. */
export function formatValuesPath(path: ValuesPath): string {
  if (path.length === 0) return "(root)";
  return path
    .map((key, index) => (typeof key === "number" ? `[${key}]` : index === 0 ? key : `.${key}`))
    .join("");
}

/**
 * A values path as Helm's `--set` (and Flux's `valuesFrom[].targetPath`) reads it: `.` in a key is
 * escaped, array indices are `[n]`. Returns `undefined` for keys `--set` cannot address.
 */
export function targetPath(path: ValuesPath): string | undefined {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else if (!/^[-a-zA-Z0-9_./]+$/.test(key)) return undefined;
    else out += `${out === "" ? "" : "."}${key.replaceAll(".", "\\.")}`;
  }
  return out !== "" && out.length <= 250 ? out : undefined;
}

const fits: Record<ProfileParameter["type"], (value: unknown) => boolean> = {
  string: (value) => typeof value === "string",
  integer: (value) => Number.isInteger(value),
  number: (value) => typeof value === "number" && Number.isFinite(value),
  boolean: (value) => typeof value === "boolean",
};

/** Reads a ConfigMap string as the declared type; `undefined` when it is not one. */
function fromText(text: string, type: ProfileParameter["type"]): ParameterValue | undefined {
  switch (type) {
    case "string":
      return text;
    case "integer":
      return /^[-+]?[0-9]+$/.test(text.trim()) ? Number(text) : undefined;
    case "number": {
      const value = Number(text);
      return text.trim() !== "" && Number.isFinite(value) ? value : undefined;
    }
    case "boolean":
      return text === "true" ? true : text === "false" ? false : undefined;
  }
}

/** The parameters a subscription gives a root profile. */
export interface RootParameterInput {
  /** The profile's name, for messages. */
  readonly profile: string;
  readonly declared: readonly ProfileParameter[];
  /** `spec.parameters`. @default none */
  readonly inline?: Readonly<Record<string, ParameterValue>> | undefined;
  /** `spec.parametersFrom`. @default none */
  readonly parametersFrom?: readonly ParametersFrom[] | undefined;
  /** The objects `parametersFrom` names. @default none found */
  readonly sources?: ParameterSources | undefined;
}

/** Parameters and the problems found on the way. */
export interface ResolvedParameters {
  readonly parameters: Parameters;
  readonly problems: readonly Problem[];
}

/**
 * Resolves the root profile's parameters in the order the module describes, and reports every
 * unknown parameter, value of the wrong type and required parameter left without a value.
 *
 * A non-optional ConfigMap or Secret missing from `sources` is reported in `missing`, since it may
 * yet be created; the caller decides what that means.
 */
export function resolveRootParameters(
  input: RootParameterInput,
): ResolvedParameters & { readonly missing: readonly ParametersFrom[] } {
  const byName = new Map(input.declared.map((parameter) => [parameter.name, parameter]));
  const given = new Map<string, ResolvedParameter>();
  const rejected = new Set<string>();
  const problems: Problem[] = [];
  const missing: ParametersFrom[] = [];
  const problem = (message: string): void => {
    problems.push({ blame: "subscription", message: `profile ${input.profile}: ${message}` });
  };
  const unknown = (name: string, origin: string): void =>
    problem(`parameter ${name} (from ${origin}) is not a parameter of the profile${known(input.declared)}`);

  const fromList = input.parametersFrom ?? [];
  for (const entry of fromList.filter((e) => e.kind === "ConfigMap")) {
    const data = input.sources?.configMaps?.[entry.name];
    if (data === undefined) {
      if (entry.optional !== true) missing.push(entry);
      continue;
    }
    for (const [name, text] of Object.entries(data)) {
      const declared = byName.get(name);
      if (declared === undefined) {
        unknown(name, `ConfigMap ${entry.name}`);
        continue;
      }
      const value = fromText(text, declared.type);
      if (value === undefined) {
        rejected.add(name);
        problem(
          `parameter ${name} (from ConfigMap ${entry.name}) must be ${article(declared.type)}, got ${JSON.stringify(text)}`,
        );
      } else given.set(name, { value });
    }
  }
  for (const [name, value] of Object.entries(input.inline ?? {})) {
    const declared = byName.get(name);
    if (declared === undefined) unknown(name, "spec.parameters");
    else if (!fits[declared.type](value)) {
      rejected.add(name);
      problem(
        `parameter ${name} (spec.parameters) must be ${article(declared.type)}, got ${JSON.stringify(value)}`,
      );
    } else given.set(name, { value });
  }
  for (const entry of fromList.filter((e) => e.kind === "Secret")) {
    const keys = input.sources?.secrets?.[entry.name];
    if (keys === undefined) {
      if (entry.optional !== true) missing.push(entry);
      continue;
    }
    for (const key of [...keys].sort()) {
      if (!byName.has(key)) unknown(key, `Secret ${entry.name}`);
      else given.set(key, { secret: { name: entry.name, key, optional: entry.optional === true } });
    }
  }

  return { parameters: withDefaults(input.declared, given, rejected, problem), problems, missing };
}

/** The parameters a parent profile hands a nested one through the nesting artifact's `values`. */
export interface NestedParameterInput {
  /** The nested profile's name and the nesting artifact's path, for messages. */
  readonly where: string;
  readonly declared: readonly ProfileParameter[];
  /** The nesting artifact's values, with the parent's parameters substituted. */
  readonly values: Values;
  /** The same artifact's Secret leaves: each names a nested parameter that stays a Secret reference. */
  readonly secretLeaves: readonly SecretLeaf[];
  /** Who wrote `values`: the profile, or the subscription through `spec.artifacts`. */
  readonly blame: Problem["blame"];
}

/**
 * Resolves a nested profile's parameters from the nesting artifact's values. A whole-value
 * `${secretParam}` in the parent stays a reference to the same Secret key.
 */
export function resolveNestedParameters(input: NestedParameterInput): ResolvedParameters {
  const byName = new Map(input.declared.map((parameter) => [parameter.name, parameter]));
  const given = new Map<string, ResolvedParameter>();
  const rejected = new Set<string>();
  const problems: Problem[] = [];
  const problem = (message: string): void => {
    problems.push({ blame: input.blame, message: `${input.where}: ${message}` });
  };
  for (const [name, value] of Object.entries(input.values)) {
    const declared = byName.get(name);
    if (declared === undefined) {
      problem(`values give ${name}, which is not a parameter of the nested profile${known(input.declared)}`);
    } else if (!fits[declared.type](value)) {
      rejected.add(name);
      problem(`parameter ${name} must be ${article(declared.type)}, got ${JSON.stringify(value)}`);
    } else given.set(name, { value: value as ParameterValue });
  }
  for (const leaf of input.secretLeaves) {
    const [name, ...rest] = leaf.path;
    if (typeof name !== "string" || rest.length > 0 || !byName.has(name)) {
      if (typeof name === "string") rejected.add(name);
      problem(
        `values at ${formatValuesPath(leaf.path)} pass Secret parameter ${leaf.parameter}, which only a top-level parameter of the nested profile can take`,
      );
    } else given.set(name, { secret: leaf.secret });
  }
  return { parameters: withDefaults(input.declared, given, rejected, problem), problems };
}

/**
 * Fills in defaults and reports required parameters that have no value, except those whose value
 * was already reported as wrong.
 */
function withDefaults(
  declared: readonly ProfileParameter[],
  given: ReadonlyMap<string, ResolvedParameter>,
  rejected: ReadonlySet<string>,
  problem: (message: string) => void,
): Parameters {
  const parameters = new Map<string, ResolvedParameter>();
  for (const parameter of declared) {
    const value = given.get(parameter.name);
    if (value !== undefined) parameters.set(parameter.name, value);
    else if (parameter.default !== undefined) parameters.set(parameter.name, { value: parameter.default });
    else if (parameter.required === true && !rejected.has(parameter.name)) {
      problem(`parameter ${parameter.name} is required and has no default; give it a value`);
    }
  }
  return parameters;
}

function known(declared: readonly ProfileParameter[]): string {
  return declared.length === 0
    ? " (it declares none)"
    : ` (it declares ${declared.map((parameter) => parameter.name).join(", ")})`;
}

function article(type: ProfileParameter["type"]): string {
  return type === "integer" ? "an integer" : `a ${type}`;
}
