/**
 * Catalog search bench: `CatalogIndex.search` over 10,000 profiles (20,000 versions, 40 catalogs in
 * 4 namespaces), against a floor measured in the same run: a plain linear scan calling `includes` on
 * each profile's lower-cased name and description, with no ranking and no filters.
 *
 * Queries mix exact names, prefixes, substrings, description words, misses and filtered searches.
 * Goal: p99 under 2 ms in-process.
 * @module
 */
import { performance } from "node:perf_hooks";
import type { CatalogProfile } from "../crds/profile-catalog-source.js";
import { CatalogIndex, type SearchQuery } from "../hooks/catalog/catalog-index.js";

const profilesPerCatalog = 250;
const namespaces = ["platform", "team-a", "team-b", "team-c"];
const catalogsPerNamespace = 10;
const rounds = 25;
const words = [
  "nginx",
  "redis",
  "postgres",
  "kafka",
  "cache",
  "ingress",
  "metrics",
  "logging",
  "backup",
  "gateway",
  "queue",
  "search",
  "auth",
  "vault",
  "mesh",
  "proxy",
  "store",
  "stream",
  "web",
  "api",
];

// A deterministic generator, so every run measures the same data.
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

export default async function catalogSearch(): Promise<void> {
  const next = random(42);
  const pick = () => words[Math.floor(next() * words.length)]!;
  const index = new CatalogIndex();
  const flat: { name: string; description: string }[] = [];
  let profileCount = 0;
  for (const namespace of namespaces) {
    for (let c = 0; c < catalogsPerNamespace; c++) {
      const profiles: CatalogProfile[] = [];
      for (let p = 0; p < profilesPerCatalog; p++) {
        const name = `${pick()}-${pick()}-${profileCount++}`;
        const description = `${pick()} ${pick()} for ${pick()} with ${pick()} and ${pick()}`;
        for (const version of ["1.0.0", "1.1.0"]) {
          profiles.push({
            name,
            version,
            url: "https://git.example.com/org/profiles",
            path: name,
            description,
          });
        }
        flat.push({ name: name.toLowerCase(), description: description.toLowerCase() });
      }
      index.replace({ namespace, name: `catalog-${c}` }, profiles);
    }
  }
  const sampleName = flat[1234]!.name;
  const queries: SearchQuery[] = [
    { q: sampleName },
    { q: "nginx" },
    { q: "nginx-c" },
    { q: "ache-" },
    { q: "backup" },
    { q: "gateway-vault" },
    { q: "nothing-matches-this" },
    { q: "redis", namespace: "team-a" },
    { q: "kafka", catalog: "catalog-3" },
    { q: "s" },
  ];
  // Warm up both sides, including the index's first build of its sorted rows.
  for (const query of queries) index.search(query);
  const floorScan = (q: string) => flat.filter((row) => row.name.includes(q) || row.description.includes(q));
  for (const query of queries) floorScan(query.q ?? "");

  const ours: number[] = [];
  const floor: number[] = [];
  // Results are counted so neither side's work can be optimized away.
  let found = 0;
  let floorFound = 0;
  for (let round = 0; round < rounds * 20; round++) {
    for (const query of queries) {
      let start = performance.now();
      found += index.search(query).length;
      ours.push(performance.now() - start);
      start = performance.now();
      floorFound += floorScan((query.q ?? "").toLowerCase()).length;
      floor.push(performance.now() - start);
    }
  }
  ours.sort((a, b) => a - b);
  floor.sort((a, b) => a - b);
  const ms = (value: number) => `${value.toFixed(3)} ms`;
  const p99 = quantile(ours, 0.99);
  console.log(
    `index: ${flat.length} profiles, ${flat.length * 2} versions, ${namespaces.length * catalogsPerNamespace} catalogs; ${ours.length} searches`,
  );
  console.log(`search (ranked, filtered):   p50 ${ms(quantile(ours, 0.5))}  p99 ${ms(p99)}`);
  console.log(
    `floor (linear includes):     p50 ${ms(quantile(floor, 0.5))}  p99 ${ms(quantile(floor, 0.99))}`,
  );
  console.log(
    `ratio search / floor: p50 ${(quantile(ours, 0.5) / quantile(floor, 0.5)).toFixed(2)}x, p99 ${(p99 / quantile(floor, 0.99)).toFixed(2)}x`,
  );
  console.log(
    `results: search ${found}, floor ${floorFound} (the floor ignores the namespace and catalog filters)`,
  );
  console.log(`goal p99 < 2 ms: ${p99 < 2 ? "met" : "MISSED"}`);
}
