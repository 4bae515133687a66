/**
 * Artifact dependencies, resolved to leaves. A profile's `dependsOn` names an artifact of the same
 * profile, whatever its kind; a nested profile stands for every leaf inside it, and a nested profile
 * that depends on something makes every leaf inside it depend on that.
 * @module
 */

import { CycleError } from "../crds/errors.js";

/**
 * Resolves dependencies to leaf artifact paths.
 *
 * @param declared the dependencies each artifact path declares (leaves and nested profiles alike),
 *   already turned from sibling names into paths.
 * @param leaves every leaf artifact path.
 * @returns for each leaf, the sorted leaf paths it depends on.
 */
export function leafDependencies(
  declared: ReadonlyMap<string, readonly string[]>,
  leaves: readonly string[],
): Map<string, string[]> {
  const under = (path: string): string[] =>
    leaves.filter((leaf) => leaf === path || leaf.startsWith(`${path}/`));
  const resolved = new Map<string, string[]>();
  for (const leaf of leaves) {
    const names = leaf.split("/");
    const scopes = names.map((_, index) => names.slice(0, index + 1).join("/"));
    const targets = scopes.flatMap((scope) => declared.get(scope) ?? []).flatMap(under);
    resolved.set(leaf, [...new Set(targets)].sort());
  }
  return resolved;
}

/**
 * Throws when leaves depend on each other in a loop: Flux would wait forever.
 *
 * @throws CycleError naming the loop, `a -> b -> a`, with `data.cycle`.
 */
export function assertNoCycle(graph: ReadonlyMap<string, readonly string[]>): void {
  const done = new Set<string>();
  const visit = (node: string, trail: readonly string[]): void => {
    const start = trail.indexOf(node);
    if (start !== -1) {
      const cycle = [...trail.slice(start), node];
      throw new CycleError(`artifacts depend on each other in a cycle: ${cycle.join(" -> ")}`, {
        data: { cycle },
      });
    }
    if (done.has(node)) return;
    for (const next of graph.get(node) ?? []) visit(next, [...trail, node]);
    done.add(node);
  };
  for (const node of graph.keys()) visit(node, []);
}
