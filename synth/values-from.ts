/**
 * The values of a chart artifact's HelmRelease: its `valuesFrom` list in precedence order (the
 * generated defaults ConfigMap, the subscription's entries, the Secret parameters, and the
 * subscription's inline values when they hold a null), its inline values otherwise, and the check
 * that Metacontroller can apply that list without losing an entry.
 * @module
 */

import type { HelmValuesReference } from "./helm-release.js";
import type { PlannedChart } from "./plan.js";
import { hasNull, type Problem, type Values } from "./values.js";

/** One `valuesFrom` entry of a chart's HelmRelease, with what put it there. */
export interface ValuesSource {
  readonly reference: HelmValuesReference;
  /** What put it in the list, for messages: `spec.artifacts.server.valuesFrom[1]`, `parameter password`. */
  readonly origin: string;
  /** The values of a ConfigMap pctl generates as a child; absent for the user's objects. */
  readonly generated?: Values;
  /** For a Secret parameter: the parameter's name. */
  readonly parameter?: string;
}

/** Everything a chart artifact's HelmRelease reads its values from. */
export interface ChartValues {
  /** `spec.valuesFrom`, lowest precedence first. */
  readonly valuesFrom: readonly ValuesSource[];
  /** `spec.values`; absent when there are none, or when they hold a null and went to a ConfigMap. */
  readonly values?: Values;
}

/** The `valuesFrom` entries and inline values of a chart artifact's HelmRelease, lowest precedence first. */
export function chartValues(artifact: PlannedChart): ChartValues {
  const valuesFrom: ValuesSource[] = [];
  if (Object.keys(artifact.defaults).length > 0) {
    valuesFrom.push({
      reference: { kind: "ConfigMap", name: `${artifact.name}-defaults` },
      origin: "the profile's values, in a ConfigMap pctl generates",
      generated: artifact.defaults,
    });
  }
  artifact.override.valuesFrom.forEach((reference, index) => {
    valuesFrom.push({ reference, origin: `spec.artifacts.${artifact.path}.valuesFrom[${index}]` });
  });
  for (const value of artifact.secretValues) {
    valuesFrom.push({
      reference: {
        kind: "Secret",
        name: value.secret.name,
        valuesKey: value.secret.key,
        targetPath: value.targetPath,
        ...(value.secret.optional && { optional: true }),
        ...(value.literal && { literal: true }),
      },
      origin: `parameter ${value.parameter} (key ${value.secret.key}, at ${value.targetPath})`,
      parameter: value.parameter,
    });
  }
  const inline = artifact.override.values;
  if (inline !== undefined && hasNull(inline)) {
    // A null removes a chart default in Helm, but cdk8s drops it from a child, and Metacontroller's
    // 3-way merge would read it as "delete this field" and update the child on every sync. In a
    // ConfigMap it is text; helm-controller merges the last valuesFrom entry exactly as inline
    // values (MergeMaps, after every targetPath entry), so the precedence stays the same.
    valuesFrom.push({
      reference: { kind: "ConfigMap", name: `${artifact.name}-values` },
      origin: `spec.artifacts.${artifact.path}.values, in a ConfigMap pctl generates since they hold a null`,
      generated: inline,
    });
    return { valuesFrom };
  }
  return { valuesFrom, ...(inline !== undefined && { values: inline }) };
}

/**
 * The entries of a chart's `valuesFrom` that Metacontroller cannot keep apart: its default
 * dynamic-apply merges a list whose items all have a `name` by that name (`detectListMapKey` in
 * `pkg/dynamic/apply/apply.go`; every `valuesFrom` item has one, and none has a key it would prefer),
 * so the first update after the create keeps one entry per name and drops the others without a
 * word. Nothing written into the list can avoid that, so such a plan is refused instead: a refused
 * sync leaves the children as they are.
 *
 * Blamed on the profile when the entries are one Secret key set at several values paths, which only
 * the profile (or a non-Secret parameter) can change; on the subscription otherwise.
 */
export function valuesFromCollisions(artifact: PlannedChart, values: ChartValues): Problem[] {
  const byName = new Map<string, ValuesSource[]>();
  for (const source of values.valuesFrom) {
    byName.set(source.reference.name, [...(byName.get(source.reference.name) ?? []), source]);
  }
  const problems: Problem[] = [];
  for (const [name, sources] of byName) {
    if (sources.length < 2) continue;
    const kinds = [...new Set(sources.map((source) => source.reference.kind))].sort().join(" and ");
    const keys = new Set(sources.map((source) => source.reference.valuesKey));
    const oneSecretKey = sources.every((source) => source.parameter !== undefined) && keys.size === 1;
    const advice = oneSecretKey
      ? `give ${sources[0]!.parameter} inline or from a ConfigMap, or have the profile set it at one values path`
      : "give each entry an object of its own: one Secret or ConfigMap per key, and different names for a ConfigMap and a Secret";
    problems.push({
      blame: oneSecretKey ? "profile" : "subscription",
      message: `artifact ${artifact.path} of profile ${artifact.profile}: HelmRelease ${artifact.name} would read ${kinds} ${name} in ${sources.length} valuesFrom entries (${sources.map((source) => source.origin).join("; ")}); Metacontroller's default apply merges valuesFrom entries by name and would silently keep only one, so ${advice}`,
    });
  }
  return problems;
}
