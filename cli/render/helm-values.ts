/**
 * The values helm-controller hands to Helm for a HelmRelease, computed offline as its
 * `ChartValuesFromReferences` does:
 * 1. each `valuesFrom` entry in list order: one without a `targetPath` is merged as a values
 *    document; one with a `targetPath` is set at its path as `helm --set` does (`--set-literal`
 *    with `literal: true`), over everything before it;
 * 2. then the inline `spec.values`, merged over all of them, so inline values win.
 * Merging is Flux's `MergeMaps`: mappings merge key by key, anything else replaces, and `null` is
 * kept, so Helm drops that chart default when it coalesces.
 * @module
 */
import { InvalidInputError } from "../../crds/errors.js";
import { parseYaml } from "../../crds/yaml.js";
import { objectKey, type ValuesKind } from "./objects.js";

/** A `valuesFrom` entry of a HelmRelease. */
export interface ValuesReference {
  readonly kind: ValuesKind;
  readonly name: string;
  readonly valuesKey?: string;
  readonly targetPath?: string;
  readonly optional?: boolean;
  readonly literal?: boolean;
}

/** Values: a mapping of anything. */
export type HelmValues = Record<string, unknown>;

/** What {@link composeValues} found. */
export interface ComposedValues {
  readonly values: HelmValues;
  /** Objects or keys that are needed and were not found, as `Kind/name` or `Kind/name:key`. */
  readonly missing: readonly string[];
}

/**
 * Computes the values of a HelmRelease spec from its `valuesFrom`, its `values`, and the objects
 * `lookup` finds (`undefined` for an object that does not exist).
 *
 * @throws InvalidInputError when a referenced key holds something other than a YAML mapping
 */
export function composeValues(
  spec: { readonly values?: HelmValues; readonly valuesFrom?: readonly ValuesReference[] },
  lookup: (kind: ValuesKind, name: string) => Readonly<Record<string, string>> | undefined,
): ComposedValues {
  let values: HelmValues = {};
  const missing: string[] = [];
  for (const reference of spec.valuesFrom ?? []) {
    const key = reference.valuesKey ?? "values.yaml";
    const object = lookup(reference.kind, reference.name);
    const text = object?.[key];
    if (text === undefined) {
      if (reference.optional !== true) {
        missing.push(
          object === undefined
            ? objectKey(reference.kind, reference.name)
            : `${objectKey(reference.kind, reference.name)}:${key}`,
        );
      }
      continue;
    }
    if (reference.targetPath !== undefined) {
      setPath(values, reference.targetPath, reference.literal === true ? text : typedValue(text));
      continue;
    }
    const source = `${objectKey(reference.kind, reference.name)} key ${key}`;
    const document = parseYaml(text, { source }) ?? {};
    if (typeof document !== "object" || Array.isArray(document)) {
      throw new InvalidInputError(`${source} does not hold a YAML mapping of Helm values`, {
        data: { source },
      });
    }
    values = mergeMaps(values, document as HelmValues);
  }
  return { values: mergeMaps(values, spec.values ?? {}), missing };
}

/** Flux's `transform.MergeMaps`: `b` over `a`, mappings merged recursively, neither input changed. */
export function mergeMaps(a: HelmValues, b: HelmValues): HelmValues {
  const out: HelmValues = { ...a };
  for (const [key, value] of Object.entries(b)) {
    const current = out[key];
    out[key] = isMapping(value) && isMapping(current) ? mergeMaps(current, value) : value;
  }
  return out;
}

function isMapping(value: unknown): value is HelmValues {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Helm's `--set` typing: booleans, `null`, and integers without a leading zero; anything else is text. */
export function typedValue(text: string): unknown {
  if (text === "true") return true;
  if (text === "false") return false;
  if (text === "null") return null;
  if (text === "0") return 0;
  if (/^-?[1-9][0-9]*$/.test(text) && Number.isSafeInteger(Number(text))) return Number(text);
  return text;
}

/** Splits a `--set` path: `a.b[0].c` gives `["a", "b", 0, "c"]`; `\.` keeps a dot in a key. */
export function parseSetPath(path: string): (string | number)[] {
  const segments: (string | number)[] = [];
  let key = "";
  for (let index = 0; index < path.length; index++) {
    const char = path[index];
    if (char === "\\" && index + 1 < path.length) {
      key += path[++index];
    } else if (char === ".") {
      if (key !== "") segments.push(key);
      key = "";
    } else if (char === "[") {
      const close = path.indexOf("]", index);
      if (key !== "") segments.push(key);
      key = "";
      segments.push(Number(path.slice(index + 1, close)));
      index = close;
    } else {
      key += char;
    }
  }
  if (key !== "") segments.push(key);
  return segments;
}

/** Sets `value` at a `--set` path, creating mappings and lists (padded with `null`) on the way. */
export function setPath(values: HelmValues, path: string, value: unknown): void {
  const segments = parseSetPath(path);
  let current: Record<string | number, unknown> = values;
  segments.forEach((segment, index) => {
    if (Array.isArray(current) && typeof segment === "number") {
      while (current.length < segment) current.push(null);
    }
    if (index === segments.length - 1) {
      current[segment] = value;
      return;
    }
    const wantList = typeof segments[index + 1] === "number";
    const next = current[segment];
    if (wantList ? !Array.isArray(next) : !isMapping(next)) current[segment] = wantList ? [] : {};
    current = current[segment] as Record<string | number, unknown>;
  });
}
